"""At login the visitor's cart joins the customer's own, while another tab of the same
customer adds to it. The merge must grow each line in the database, not write back a
quantity it read before that addition: no addition may be lost. Real transactions on
MariaDB, each in a thread with its own connection."""

import threading
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from workshop.testing.factories import TEST_PASSWORD, CustomerFactory, ProductFactory


def lock_waits() -> int:
    """How many transactions on this test database wait for a row lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.INNODB_TRX t"
            " JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id"
            " WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_an_addition_from_another_tab_during_the_merge_at_login_is_not_lost(mariadb, cart_rows):
    from cart.models import Cart, CartLine
    from cart.selectors import CartOwner
    from cart.services import cart_add

    customer, tv = CustomerFactory(), ProductFactory(stock=50)
    CartLine.objects.create(cart=Cart.objects.create(customer=customer), product=tv, quantity=2)
    visitor = Client()  # not yet logged in: 3 TVs in the visitor's own cart
    visitor.post(reverse("cart_add", args=[tv.pk]), {"product_id": tv.pk, "quantity": 3})
    assert cart_rows(customer__isnull=True) == {tv.pk: 3}
    added, release, statuses = threading.Event(), threading.Event(), []

    def other_tab():
        """One more TV, its transaction still open when the login merges: the moment
        between the merge's read of the line and its write, made to last."""
        try:
            with transaction.atomic():
                owner = CartOwner(customer=customer, session=SessionStore())
                cart_add(owner=owner, product=tv, quantity=1)
                added.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def login():
        try:
            form = {"username": customer.username, "password": TEST_PASSWORD}
            statuses.append(visitor.post(reverse("login"), form).status_code)
        finally:
            connection.close()

    tab, logging_in = threading.Thread(target=other_tab), threading.Thread(target=login)
    tab.start()
    assert added.wait(timeout=30), "the other tab's addition did not happen"
    logging_in.start()
    deadline = time.monotonic() + 10
    while lock_waits() == 0 and time.monotonic() < deadline:  # the merge waits for the tab
        time.sleep(0.05)
    release.set()
    for thread in (tab, logging_in):
        thread.join(timeout=60)

    assert statuses == [302], "the login failed"
    assert cart_rows(customer=customer) == {tv.pk: 2 + 1 + 3}, "an addition was lost"
    assert cart_rows(customer__isnull=True) == {}
