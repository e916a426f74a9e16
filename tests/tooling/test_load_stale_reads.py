"""The shoppers' stale-read counter: after placing an order a shopper reads My orders, and
a page without the new order is a failure of ``GET /orders/`` that begins "stale read";
the bench counts those among locust's failures (workshop/bench/reporting/analysis.py).

The shopper's check runs in a child process: importing a locustfile imports locust, which
patches the standard library for gevent, and the test process must not inherit that.
"""

import json
import subprocess
import sys

import pandas as pd

from workshop.bench.locust_csv import failures_read
from workshop.bench.reporting.analysis import stale_reads
from workshop.load.shopmap import order_listed

MY_ORDERS = """<h1>My orders</h1>
  <p><a href="/orders/41/">Order 41</a>, 1 Dec 2026 21:40: £99 (1 line)</p>
  <p><a href="/orders/7/">Order 7</a>, 1 Dec 2026 20:02: £1,299 (2 lines)</p>"""

# What locust gives a shopper's check: a response it may mark as failed.
FAKE_RESPONSE = """
import json, sys
from workshop.load.shoppers import Shopper


class Response:
    def __init__(self, status, text):
        self.status_code, self.text, self.failed = status, text, None

    def failure(self, message):
        self.failed = message

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

"""

SCRIPT = (
    FAKE_RESPONSE
    + """
class Client:
    def __init__(self, status, text):
        self.response, self.asked = Response(status, text), []

    def get(self, path, *, name, catch_response):
        self.asked.append([path, name, catch_response])
        return self.response


class Visitor:
    client = None


visitor = Visitor()
visitor.client = Client(int(sys.argv[1]), sys.argv[2])
Shopper.orders_check(visitor, sys.argv[3])
print(json.dumps({"asked": visitor.client.asked, "failed": visitor.client.response.failed}))
"""
)


def orders_check(page: str, order_url: str, status: int = 200) -> dict:
    argv = [sys.executable, "-c", SCRIPT, str(status), page, order_url]
    return json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)


def test_an_order_is_listed_by_its_link_whether_the_redirect_was_absolute_or_not():
    assert order_listed(MY_ORDERS, "/orders/41/")
    assert order_listed(MY_ORDERS, "http://127.0.0.1:8000/orders/7/")
    assert not order_listed(MY_ORDERS, "/orders/4/")  # not Order 41's prefix
    assert not order_listed("<p>No orders yet.</p>", "/orders/41/")


def test_a_shopper_whose_new_order_is_missing_counts_a_stale_read():
    seen = orders_check(MY_ORDERS, "/orders/42/")

    assert seen["asked"] == [["/orders/", "/orders/", True]]
    assert seen["failed"].startswith("stale read")


def test_a_shopper_who_finds_the_order_counts_nothing_and_an_error_page_is_no_stale_read():
    assert orders_check(MY_ORDERS, "/orders/41/")["failed"] is None
    # A 502 is locust's own failure (catch_response marks it): not a stale read.
    assert orders_check("Bad gateway", "/orders/41/", status=502)["failed"] is None


def test_stale_reads_are_counted_from_locusts_failures_file_and_nothing_else(tmp_path):
    pd.DataFrame(
        [
            ["GET", "/orders/", "stale read: the order just placed is not on My orders", 3],
            ["GET", "/orders/", "HTTPError('502 Server Error: Bad Gateway')", 2],
            ["GET", "/orders/[id]/", "stale read: the order just placed is not on My orders", 1],
        ],
        columns=["Method", "Name", "Error", "Occurrences"],
    ).assign(**{"First Seen": 0, "Last Seen": 0}).to_csv(tmp_path / "run_failures.csv", index=False)

    assert stale_reads(failures_read(tmp_path / "run")) == 3


def test_a_run_without_failures_has_no_stale_read(tmp_path):
    (tmp_path / "run_failures.csv").write_text(
        "Method,Name,Error,Occurrences,First Seen,Last Seen\n"
    )

    assert stale_reads(failures_read(tmp_path / "run")) == 0
    assert stale_reads(failures_read(tmp_path / "missing")) == 0


# The stock a buyer can see stale through a replica (issue 21): right after a sale, a
# product page read by a visitor with no cookie must not show the stock from before it.

PRODUCT_PAGE = """<h1>Kaito Vista 55</h1>
  <p class="price">£499</p>
  <p class="stock">In stock: only {left} left</p>"""
ORDER_PAGE = """<tbody><tr><td>Kaito Vista 55</td><td>£499</td><td>2</td><td>£998</td></tr>
<tr><td>Aurelle Tune</td><td>£99</td><td>1</td><td>£99</td></tr></tbody>"""

STOCK_SCRIPT = (
    FAKE_RESPONSE
    + """
class Stranger:
    def __init__(self, status, text):
        self.response, self.asked, self.cookiejar = Response(status, text), [], set()

    def get(self, path, *, name, catch_response):
        self.asked.append([path, name])
        return self.response


class Visitor:
    pass


visitor = Visitor()
visitor.stranger = Stranger(int(sys.argv[1]), sys.argv[2])
visitor.stock_seen = json.loads(sys.argv[3])
Shopper.stock_check(visitor, json.loads(sys.argv[4]))
print(json.dumps({"asked": visitor.stranger.asked, "failed": visitor.stranger.response.failed}))
"""
)


def stock_check(page: str, seen: dict, sold: dict, status: int = 200) -> dict:
    argv = [sys.executable, "-c", STOCK_SCRIPT, str(status), page, json.dumps(seen)]
    argv.append(json.dumps(sold))
    return json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)


def test_the_stock_a_product_page_states_and_the_lines_of_an_order_are_read():
    from workshop.load.shopmap import order_lines, page_title, stock_shown

    assert stock_shown(PRODUCT_PAGE.format(left=3)) == 3
    assert stock_shown('<p class="stock">In stock</p>') == 10
    assert stock_shown('<p class="stock out">Sold out</p>') == 0
    assert stock_shown("<h1>Not found</h1>") is None
    assert page_title(PRODUCT_PAGE) == "Kaito Vista 55"
    assert order_lines(ORDER_PAGE) == {"Kaito Vista 55": 2, "Aurelle Tune": 1}


def test_a_product_page_showing_the_stock_from_before_a_sale_is_a_stale_read():
    seen = {"Kaito Vista 55": ["kaito-vista-55", 5]}

    stale = stock_check(PRODUCT_PAGE.format(left=5), seen, {"Kaito Vista 55": 2})
    fresh = stock_check(PRODUCT_PAGE.format(left=3), seen, {"Kaito Vista 55": 2})
    others_bought_too = stock_check(PRODUCT_PAGE.format(left=1), seen, {"Kaito Vista 55": 2})

    assert stale["asked"] == [["/p/kaito-vista-55/", "/p/[slug]/ after a sale"]]
    assert stale["failed"].startswith("stale read")
    assert fresh["failed"] is None and others_bought_too["failed"] is None


def test_only_a_product_whose_page_said_how_many_were_left_is_checked():
    in_stock = {"Kaito Vista 55": ["kaito-vista-55", 10]}  # "In stock": 10 or more

    assert stock_check(PRODUCT_PAGE.format(left=9), in_stock, {"Kaito Vista 55": 1})["asked"] == []
    unseen = stock_check(PRODUCT_PAGE.format(left=9), {}, {"Kaito Vista 55": 1})
    assert unseen["asked"] == []
    error_page = stock_check(
        "Bad gateway", {"Kaito Vista 55": ["k", 5]}, {"Kaito Vista 55": 1}, 502
    )
    assert error_page["failed"] is None  # locust's own failure, not a stale read


def test_a_stale_product_page_counts_among_the_stale_reads(tmp_path):
    pd.DataFrame(
        [
            ["GET", "/p/[slug]/ after a sale", "stale read: 5 in stock shown after a sale", 2],
            ["GET", "/orders/", "stale read: the order just placed is not on My orders", 1],
        ],
        columns=["Method", "Name", "Error", "Occurrences"],
    ).assign(**{"First Seen": 0, "Last Seen": 0}).to_csv(tmp_path / "run_failures.csv", index=False)

    assert stale_reads(failures_read(tmp_path / "run")) == 3
