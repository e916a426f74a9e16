"""Pages only Django renders, without pause: ``locust -f workshop/load/rendered.py --host URL``.

Product pages and sorted listings, asked for with a cart's session: nginx finds no page
file for them and the page cache skips them, so every one is rendered afresh by an app
server. A closed loop: each user asks again as soon as its answer arrives, so the
requests per second are what the app servers can render, whatever their number. Stage
03's notebook runs it with 1, 2, 4 and more app servers, each held to the same CPU share.
"""

import random

from locust import FastHttpUser, constant, task

from workshop.load import locust_settings  # noqa: F401
from workshop.load.browsing import CATEGORY_SORTED, SESSION
from workshop.load.shopmap import category_path, shop_for


class RenderedPage(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.shop = shop_for(self.host)
        # One cart session for all (pages.py does the same): no request here changes it.
        self.headers = {"Cookie": f"sessionid={self.shop.cart_session}"}

    # The anonymous visitors' proportions of product pages to listings (anonymous.py).
    @task(45)
    def product(self):
        path = f"/p/{random.choice(self.shop.products)}/"
        self.client.get(path, name="/p/[slug]/" + SESSION, headers=self.headers)

    @task(15)
    def sorted_listing(self):
        path = category_path(random.choice(self.shop.categories), sort="price")
        self.client.get(path, name=CATEGORY_SORTED + SESSION, headers=self.headers)
