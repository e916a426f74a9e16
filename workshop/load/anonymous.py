"""Anonymous browsers: ``locust -f workshop/load/anonymous.py --host URL``.

They never log in and never add to the cart, so they carry no session cookie: in
stage 01 every page they read but search can come from the page cache.
"""

from locust import FastHttpUser, between, task

from workshop.load import browsing
from workshop.load.shopmap import shop_for


class AnonymousVisitor(FastHttpUser):
    # Nine browsers to one shopper when both run (the spike): most visitors only look.
    weight = 9
    wait_time = between(1, 4)  # seconds reading a page before the next click

    def on_start(self):
        self.shop = shop_for(self.host)
        browsing.landing(self.client)

    # Weights: product pages draw most views, then category lists, search and home. A
    # category visit is one click, or two for those who re-sort or page on (browsing.py).
    @task(45)
    def product(self):
        browsing.product(self.client, self.shop)

    @task(25)
    def category(self):
        browsing.category(self.client, self.shop, wait=self.wait)

    @task(15)
    def search(self):
        browsing.search(self.client, self.shop)

    @task(10)
    def home(self):
        browsing.home(self.client)
