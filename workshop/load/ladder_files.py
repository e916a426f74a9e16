"""The files between the capacity ladder's bench and its locust process, by the
environment variables that name them (no locust import: the bench must not load
locust, which patches the standard library for gevent)."""

# The number of users the shape keeps (the bench writes it, step by step).
USERS_ENV = "WORKSHOP_LADDER_USERS"
# Every request as it ends: when (time.time()), "METHOD name", milliseconds, error.
LOG_ENV = "WORKSHOP_REQUEST_LOG"
LOG_COLUMNS = ["ended", "name", "ms", "error"]
# A JSON list of the returning customers' Cookie headers.
SESSIONS_ENV = "WORKSHOP_RETURNING_SESSIONS"
