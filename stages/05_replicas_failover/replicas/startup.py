"""At an app server's start: each replica is connected to once, so that a dead or
unreachable one is said at once, in one line (the backend logs and marks it), rather
than at the first visitor's request."""

import logging

from django.db import connections

from .pinning import replica_aliases

logger = logging.getLogger("replicas")


def replicas_check() -> None:
    for alias in replica_aliases():
        connection = connections[alias]
        if "SERVERS" not in connection.settings_dict:
            continue  # the primary's database under another name: nothing to check
        try:
            connection.ensure_connection()
        except Exception as error:  # one line, never a traceback: the server still starts
            logger.warning("%s: the check at start failed: %s", alias, error)
    # Every connection the check opened, the primary's too (asked for its position by the
    # lag check, replicas/freshness.py): gunicorn forks its workers from this process
    # (preload_app), and a socket they all inherited would mix their queries and answers.
    connections.close_all()
