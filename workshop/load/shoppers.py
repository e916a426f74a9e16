"""Shoppers: ``locust -f workshop/load/shoppers.py --host URL``.

A shopper browses, puts products in the cart (which gives them a session, so from
then on every page is rendered for them), logs in with a demo account when they
check out, and places the order. Some leave the cart for a later trip.

Redirects are not followed by the client but requested as the next step, as a
browser does, so that one locust request is one HTTP request: CPU per request then
means per HTTP request.
"""

import itertools
import random

from locust import FastHttpUser, between, task
from locust.contrib.fasthttp import FastHttpSession
from locust.exception import RescheduleTask

from workshop.catalogue.seed import DEMO_CUSTOMERS, DEMO_PASSWORD
from workshop.forms import hidden_field
from workshop.load import browsing
from workshop.load.shopmap import (
    LOW_STOCK,
    ORDERS,
    STALE_READ,
    STOCK_CHECK,
    csrf_token,
    order_lines,
    order_listed,
    shop_for,
    stock_shown,
)

CHECKOUT_SHARE = 0.6  # trips that end in an order; the rest leave the cart for later
MAX_VIEWS = 6  # products a shopper looks at before giving up on this trip
_customers = itertools.cycle(DEMO_CUSTOMERS)


class Shopper(FastHttpUser):
    weight = 1  # against AnonymousVisitor's 9 when both run
    wait_time = between(1, 4)

    def on_start(self):
        self.shop = shop_for(self.host)
        self.username = next(_customers)  # several users may share one demo account
        self.logged_in = False
        self.cart: set[int] = set()
        # Products seen with a low stock, by name: (slug, the stock their page said).
        self.stock_seen: dict[str, tuple[str, int]] = {}
        # Another visitor, with no cookie (no session, no pin): who checks the stock.
        self.stranger = FastHttpSession(self.host, self.environment.events.request, self)
        browsing.landing(self.client)

    @task
    def shopping_trip(self):
        browsing.category(self.client, self.shop, wait=self.wait)
        self.wait()
        chosen, wanted = None, random.randint(1, 3)
        # A few products, or more until one is in stock; the last one in stock wins.
        for viewed in range(1, MAX_VIEWS + 1):
            chosen = browsing.product(self.client, self.shop, seen=self.stock_seen) or chosen
            self.wait()
            if chosen and viewed >= wanted:
                break
        if not chosen:
            return
        self.cart_add(chosen, quantity=random.choice([1, 1, 1, 2]))
        self.wait()
        if random.random() < CHECKOUT_SHARE:
            self.checkout()

    def cart_add(self, product_id: int, *, quantity: int) -> None:
        url = f"/cart/add/{product_id}/"
        form = self.page(self.client.get(url, name="/cart/add/[id]/"))
        fields = {"csrfmiddlewaretoken": csrf_token(form), "product_id": product_id}
        fields["quantity"] = quantity
        # 400: the shop's answer to more than the stock or the limit, shown on the form.
        self.post_then_follow(url, fields, name="/cart/add/[id]/", refused=400)
        self.cart.add(product_id)

    def checkout(self) -> None:
        if self.logged_in:
            form = self.page(self.client.get("/checkout/", name="/checkout/"))
        else:
            form = self.log_in(next_url="/checkout/")
        self.wait()
        # The page's one-time key: the shop places one order per key, as for a double click.
        fields = {"csrfmiddlewaretoken": csrf_token(form)}
        fields["checkout_key"] = hidden_field(form, "checkout_key")
        with self.client.post(
            "/checkout/", data=fields, name="/checkout/", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 409:  # sold out: the shop's honest answer
                response.success()
                self.cart_empty(form)
                return
            order_url = self.expect_redirect(response)
        self.cart.clear()
        order = self.client.get(order_url, name="/orders/[id]/")
        self.orders_check(order_url)
        if order.status_code == 200:
            self.stock_check(order_lines(order.text or ""))

    def orders_check(self, order_url: str) -> None:
        """My orders, at once: the order just placed must be on it."""
        with self.client.get(ORDERS, name=ORDERS, catch_response=True) as response:
            if response.status_code == 200 and not order_listed(response.text, order_url):
                response.failure(f"{STALE_READ}: the order just placed is not on My orders")

    def stock_check(self, sold: dict[str, int]) -> None:
        """Each product just sold whose page said how many were left: its page, read at
        once by a visitor with no cookie, must not show more than that minus this sale
        (other sales only lower it). More is a page built from data older than the sale:
        in stage 05, a replica that had not applied it."""
        for name, quantity in sold.items():
            if name not in self.stock_seen:
                continue
            slug, before = self.stock_seen.pop(name)
            if before >= LOW_STOCK:
                continue  # "In stock": how many is not said
            at_most = max(before - quantity, 0)
            self.stranger.cookiejar.clear()
            with self.stranger.get(
                f"/p/{slug}/", name=STOCK_CHECK, catch_response=True
            ) as response:
                shown = stock_shown(response.text or "") if response.status_code == 200 else None
                if shown is not None and shown > at_most:
                    response.failure(
                        f"{STALE_READ}: {shown} in stock shown after a sale that left at most "
                        f"{at_most}"
                    )

    def log_in(self, *, next_url: str) -> str:
        """Log in on the login page; return the page it leads to."""
        login = "/accounts/login/"
        form = self.page(self.client.get(f"{login}?next={next_url}", name=login))
        fields = {
            "csrfmiddlewaretoken": csrf_token(form),
            "username": self.username,
            "password": DEMO_PASSWORD,
            "next": next_url,
        }
        page = self.post_then_follow(login, fields, name=login, then=next_url)
        self.logged_in = True
        return page

    def cart_empty(self, page: str) -> None:
        for product_id in self.cart:
            fields = {"csrfmiddlewaretoken": csrf_token(page), "product_id": product_id}
            self.post_then_follow("/cart/change/", {**fields, "quantity": 0}, name="/cart/change/")
        self.cart.clear()

    def post_then_follow(self, url, fields, *, name, then="/cart/", refused=None) -> str:
        """POST a form, then GET where it redirects; ``then`` names that request. A
        ``refused`` status is the shop's correct answer: no failure, but the trip ends."""
        with self.client.post(
            url, data=fields, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == refused:
                response.success()
                raise RescheduleTask()
            location = self.expect_redirect(response)
        return self.page(self.client.get(location, name=then))

    @staticmethod
    def expect_redirect(response) -> str:
        """The redirect's target; a failure (and the end of this trip) otherwise."""
        if response.status_code != 302:
            response.failure(f"expected a redirect, got {response.status_code}")
            raise RescheduleTask()
        return response.headers["Location"]

    @staticmethod
    def page(response) -> str:
        """The page's HTML; the trip ends here if it did not load (locust counted it)."""
        if response.status_code != 200:
            raise RescheduleTask()
        return response.text
