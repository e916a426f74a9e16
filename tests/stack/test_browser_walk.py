"""A real browser walks every stage's shop through nginx, as a customer does: the home
page, a category, a product, the cart, logging in, the checkout, the order page. Then
someone else opens the same pages in a fresh browser and sees nothing of the customer.

Headless Chromium (Debian's chromium and chromium-driver), driven by Selenium. Its
form posts carry the Origin and Host a browser sends, port included, through nginx: the
check Django's CSRF protection makes, which requests-based tests only imitate. A failed
step leaves a screenshot and the page's HTML in the test's log folder and says where.
"""

import re
import uuid

import pytest

pytestmark = pytest.mark.stack


def stocked_most(stack, product_pages: list[str]) -> str:
    """Of the product pages a listing offers, the one with the most left in MariaDB: the
    walk's own orders would sell out the first one in time."""
    slugs = {page.strip("/").split("/")[-1]: page for page in product_pages}
    assert slugs, "no product in stock on the listing"
    with stack.kind_of("db").connect() as db:
        cursor = db.cursor()
        marks = ", ".join(["%s"] * len(slugs))
        cursor.execute(
            f"SELECT slug FROM catalogue_product WHERE slug IN ({marks}) AND stock > 0 "
            "ORDER BY stock DESC, id LIMIT 1",
            list(slugs),
        )
        row = cursor.fetchone()
    assert row, f"the listing offers {len(slugs)} products in stock, none of them is"
    return slugs[row[0]]


def test_a_customer_walks_the_shop_and_a_stranger_sees_no_trace_of_it(
    stack, chromium, stack_product
):
    tag = uuid.uuid4().hex[:8]
    account = {"username": f"walker-{tag}", "first_name": f"Wanda{tag}"}
    password = f"Pw-{uuid.uuid4().hex}"  # not like the username: Django refuses that
    customer = chromium("customer")
    with customer.step("register, then log out"):
        customer.open("/accounts/register/")
        customer.fill({**account, "password1": password, "password2": password})
        customer.click("main form button")
        assert customer.text(".greeting") == f"Hello, {account['first_name']}", "no account"
        customer.click("nav.account form button")
        assert customer.find("nav.account a[href='/accounts/login/']"), "still logged in"
    with customer.step("home page"):
        customer.open("/")
        assert customer.text(".cart-link") == "Cart (0)", "a new visitor's cart is not empty"
    with customer.step("a category"):
        customer.click(f".categories a[href='/c/{stack_product['category']}/']")
        category_page = customer.path
        assert category_page == f"/c/{stack_product['category']}/"
    with customer.step("a product"):
        product_page = stocked_most(stack, customer.links(".card:has(a.button) h3 a"))
        customer.click(f".card h3 a[href='{product_page}']")
        assert customer.path == product_page
        product = customer.text("h1")
    with customer.step("add to cart"):
        customer.click("article.product a.button")
        customer.fill({"quantity": 1})
        customer.click("main form button")
        assert customer.path == "/cart/" and product in customer.text("table.lines")
        assert customer.text(".cart-link") == "Cart (1)"
    with customer.step("log in"):
        customer.click("nav.account a[href='/accounts/login/']")
        customer.fill({"username": account["username"], "password": password})
        customer.click("main form button")
        assert customer.text(".greeting") == f"Hello, {account['first_name']}", "not logged in"
    with customer.step("the cart kept after login"):
        assert customer.text(".cart-link") == "Cart (1)"
        customer.click(".cart-link")
        assert product in customer.text("table.lines")
    with customer.step("check out"):
        customer.click("main a.button[href='/checkout/']")
        assert product in customer.text("ul.summary")
        customer.click("main form button")
    with customer.step("the order page"):
        assert re.fullmatch(r"/orders/\d+/", customer.path), "no order page after checkout"
        order_page, order = customer.path, customer.text("h1")
        assert order == f"Order {order_page.strip('/').split('/')[-1]}"
        assert product in customer.text("table.lines")
        assert customer.text(".cart-link") == "Cart (0)", "the cart outlived its order"

    stranger = chromium("stranger")
    traces = [account["first_name"], account["username"], "Cart (1)"]
    for path in ["/", category_page, product_page, "/cart/"]:
        with stranger.step(f"no trace on {path}"):
            stranger.open(path)
            assert stranger.text(".cart-link") == "Cart (0)"
            assert [t for t in traces if t in stranger.html] == []
    with stranger.step("no way into the order"):
        stranger.open(order_page)
        assert stranger.path.startswith("/accounts/login/"), "the order page let a stranger in"
        assert [t for t in [*traces, order] if t in stranger.html] == []
