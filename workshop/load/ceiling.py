"""The load generator's own ceiling: ``locust -f workshop/load/ceiling.py --host URL``.

A small static file that the web server sends from disk, requested without pause:
the server's work is tiny, so the requests per second reached here are what one
locust process can send on this machine. A page that reaches the same rate is
limited by locust, not by the shop.
"""

from locust import FastHttpUser, constant, task

from workshop.load import locust_settings  # noqa: F401
from workshop.load.browsing import STYLESHEET


class StaticFile(FastHttpUser):
    wait_time = constant(0)

    @task
    def stylesheet(self):
        self.client.get(STYLESHEET, name=STYLESHEET)
