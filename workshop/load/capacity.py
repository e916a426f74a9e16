"""The capacity ladder's crowd: ``workshop bench NN --profile capacity`` runs it.

One crowd for every stage, fixed before the first measurement (the root README's "The
capacity ladder" says why), as the story's TV audience:

- 7 in 10 are newcomers from the segment: they land by the campaign's link (tracking
  parameters: ``/?utm_source=tv``), then browse products, listings (some sort or page
  on) and search, without a session;
- 2 in 10 are returning customers, logged in since an earlier visit (a session the
  bench opened before the run, as shops keep them for weeks): the same browsing, every
  page with their name and cart on it, and now and then their cart or their orders;
- 1 in 10 are shoppers: they browse, fill a cart, log in at their first checkout (the
  only fresh logins, each a password hash) and place the order (shoppers.py).

Each user reads a page for 1 to 4 s before the next click. How many users there are is
the bench's to say, step by step: the shape reads the number from the file named by
``WORKSHOP_LADDER_USERS`` every second. Every request is written, as it ends, to the CSV
file named by ``WORKSHOP_REQUEST_LOG``: when it ended, its name, how long it took, and
its error if it failed, so that the bench judges each step on its own requests.
"""

import csv
import itertools
import json
import os
import random
import time
from pathlib import Path

from locust import FastHttpUser, LoadTestShape, between, events, task

from workshop.load import browsing
from workshop.load.anonymous import AnonymousVisitor
from workshop.load.ladder_files import LOG_COLUMNS, LOG_ENV, SESSIONS_ENV, USERS_ENV
from workshop.load.shopmap import ORDERS, shop_for
from workshop.load.shoppers import Shopper

CAMPAIGN_LANDING = "/?utm_source=tv&utm_medium=segment"
ARRIVAL_SECONDS = 3  # a step's new users arrive within this, not in one burst


class Newcomer(AnonymousVisitor):
    weight = 7

    def on_start(self):
        self.shop = shop_for(self.host)
        browsing.landing(self.client, via=CAMPAIGN_LANDING)


def _sessions():
    path = os.environ.get(SESSIONS_ENV)
    cookies = json.loads(Path(path).read_text()) if path else []
    return itertools.cycle(cookies or [""])


_returning = _sessions()


class ReturningCustomer(FastHttpUser):
    weight = 2
    wait_time = between(1, 4)

    def on_start(self):
        self.shop = shop_for(self.host)
        # Their browser's cookies from the earlier visit: several users may share one.
        self.headers = {"Cookie": next(_returning)}

    def get(self, path: str, name: str) -> None:
        self.client.get(path, name=name, headers=self.headers)

    @task(40)
    def product(self):
        self.get(f"/p/{random.choice(self.shop.products)}/", "/p/[slug]/ (customer)")

    @task(25)
    def category(self):
        self.get(f"/c/{random.choice(self.shop.categories)}/", "/c/[slug]/ (customer)")

    @task(15)
    def search(self):
        self.get(f"/search/?q={random.choice(self.shop.search_terms)}", "/search/ (customer)")

    @task(10)
    def home(self):
        self.get("/", "/ (customer)")

    @task(5)
    def cart(self):
        self.get("/cart/", "/cart/ (customer)")

    @task(5)
    def orders(self):
        self.get(ORDERS, f"{ORDERS} (customer)")


class Buyer(Shopper):
    weight = 1


class Ladder(LoadTestShape):
    """As many users as the bench's file says, until the bench stops locust."""

    def tick(self):
        if "file" in _log:
            _log["file"].flush()  # once a second: the bench reads the log as it grows
        users = int(Path(os.environ[USERS_ENV]).read_text() or 0)
        return users, max(1.0, users / ARRIVAL_SECONDS)


_log = {}


@events.test_start.add_listener
def _log_open(environment, **kwargs):
    path = os.environ.get(LOG_ENV)
    if path:
        _log["file"] = open(path, "w", newline="", buffering=1 << 16)  # noqa: SIM115 (till quit)
        _log["writer"] = csv.writer(_log["file"])
        _log["writer"].writerow(LOG_COLUMNS)


@events.request.add_listener
def _log_request(request_type, name, response_time, exception, **kwargs):
    if "writer" in _log:
        error = "" if exception is None else str(exception).replace("\n", " ")[:120]
        row = [f"{time.time():.3f}", f"{request_type} {name}", f"{response_time:.1f}", error]
        _log["writer"].writerow(row)


@events.quitting.add_listener
def _log_close(environment, **kwargs):
    if "file" in _log:
        _log["file"].close()


__all__ = ["Buyer", "Ladder", "Newcomer", "ReturningCustomer"]
