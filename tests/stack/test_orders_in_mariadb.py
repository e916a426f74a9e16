"""An order placed through nginx on every stage's stack is in its MariaDB: the customer,
the product and the quantity, as the forms sent them."""

import uuid

import pytest

pytestmark = pytest.mark.stack


def test_an_order_placed_through_nginx_lands_in_mariadb(stack, browser, stack_product):
    username = f"stack-{uuid.uuid4().hex[:10]}"
    browser.register(username)

    added = browser.submit(f"/cart/add/{stack_product['id']}/", {"quantity": 2})
    placed = browser.submit("/checkout/", {})

    assert added.status_code == 302
    assert placed.status_code == 302 and placed.headers["Location"].startswith("/orders/")
    order_id = int(placed.headers["Location"].strip("/").split("/")[-1])
    with stack.kind_of("db").connect() as db:
        cursor = db.cursor()
        cursor.execute(
            "SELECT u.username, l.product_id, l.quantity FROM orders_order o "
            "JOIN auth_user u ON u.id = o.customer_id "
            "JOIN orders_orderline l ON l.order_id = o.id WHERE o.id = %s",
            [order_id],
        )
        assert cursor.fetchall() == ((username, stack_product["id"], 2),)
