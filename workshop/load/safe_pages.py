"""Stage 02's safe pages, without pause: ``locust -f workshop/load/safe_pages.py --host URL``.

The home page, the category listings and the product pages, for visitors with no
session and no query string: the URLs stage 02 writes to files for nginx to serve.
Requested as fast as locust can send them, like the ceiling's static file, so the two
rates compare: a rate close to the ceiling says that locust, not the shop, is the limit.
"""

import random

from locust import FastHttpUser, constant, task

from workshop.load import locust_settings  # noqa: F401
from workshop.load.shopmap import shop_for


class SafePage(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.shop = shop_for(self.host)

    # The anonymous visitors' mix (anonymous.py), without search: it is no safe URL.
    @task(45)
    def product(self):
        self.client.get(f"/p/{random.choice(self.shop.products)}/", name="/p/[slug]/")

    @task(25)
    def category(self):
        self.client.get(f"/c/{random.choice(self.shop.categories)}/", name="/c/[slug]/")

    @task(10)
    def home(self):
        self.client.get("/", name="/")
