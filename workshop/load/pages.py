"""The price of a page, with and without the page cache.

``locust -f workshop/load/pages.py --host URL ProductPageWithoutSession`` (or
``ProductPageWithSession``): the same product pages, the first for visitors with no
session, whom stage 01 serves from memcached, the second for a visitor with one
product in the cart, whom it renders afresh. Stage 04's pair: ``ProductPageFromCampaign``,
the TV campaign's link with a parameter of its own (``?from=tv``; tracking parameters alone
would get the page file) without a session, which nginx hands to Django and Django answers
from memcached; ``ProductPageForCustomer``, a logged-in customer with a
cart, whose page is pass one from memcached and pass two for them. Run each alone: CPU
per request is measured per run. Both send a steady rate, well under what the app server can
render, so that latency shows the cost of a page and not a queue. ``workshop bench``
puts the probed pages in the cache before it measures: a cached page is a cache hit.
"""

import random

from locust import FastHttpUser, constant_throughput, task

from workshop.load import locust_settings  # noqa: F401
from workshop.load.shopmap import CAMPAIGN, shop_for

REQUESTS_PER_USER_PER_SECOND = 4


class ProductPageWithoutSession(FastHttpUser):
    wait_time = constant_throughput(REQUESTS_PER_USER_PER_SECOND)
    headers: dict[str, str] = {}
    query = ""  # what the link adds to the page's address

    def on_start(self):
        self.shop = shop_for(self.host)

    @task
    def product(self):
        slug = random.choice(self.shop.probe_products())
        path, name = f"/p/{slug}/{self.query}", f"/p/[slug]/{self.query}"
        self.client.get(path, name=name, headers=self.headers)


class ProductPageWithSession(ProductPageWithoutSession):
    def on_start(self):
        super().on_start()
        # One cart session for all, made by the discovery before the run: reading a
        # session costs the same whoever holds it, and no request here changes it.
        self.headers = {"Cookie": f"sessionid={self.shop.cart_session}"}


class ProductPageFromCampaign(ProductPageWithoutSession):
    # Only the address changes: a @task here would run beside the inherited one (locust
    # keeps a base class's tasks), and half the requests would be page files.
    query = CAMPAIGN


class ProductPageForCustomer(ProductPageWithoutSession):
    def on_start(self):
        super().on_start()
        # One customer for all (logged in by the discovery): a page costs the same whoever
        # is logged in, and no request here changes their session or cart.
        self.headers = {"Cookie": self.shop.customer_cookies}
