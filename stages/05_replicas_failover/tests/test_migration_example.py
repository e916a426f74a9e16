"""Stage 05's migration example, deploy 1 (README, "Migration rules"): the order's email
is written at checkout and kept as it was, and the orders placed before the deploy get one
from a backfill that works in small batches."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from orders.models import Order

from workshop.testing.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# A module name that starts with a digit is imported by its full name, as Django does.
deploy_1 = importlib.import_module("orders.migrations.0003_order_email")


def test_an_order_keeps_the_address_its_receipt_went_to(
    customer_with_cart, customer, place_order, committed
):
    customer.email = "alice@example.com"
    with committed():  # as a request would, so the cached user's version is bumped
        customer.save()

    response = place_order(customer_with_cart)
    customer.email = "alice@elsewhere.example"
    with committed():
        customer.save()

    order = Order.objects.get()
    assert response.status_code == 302
    assert order.email == "alice@example.com"
    page = customer_with_cart.get(reverse("order", kwargs={"pk": order.pk}))
    assert b"receipt sent to alice@example.com" in page.content


def test_the_backfill_fills_older_orders_in_batches_and_keeps_known_addresses(monkeypatch):
    """Five orders placed before deploy 1 (no email) and one placed since: with batches of
    two, the backfill runs three UPDATEs, each over a range of the primary key."""
    alice = CustomerFactory(email="alice@example.com")
    bruno = CustomerFactory(email="bruno@example.com")
    older = [Order.objects.create(customer=c, total="1.00") for c in [alice, bruno] * 2 + [alice]]
    newer = Order.objects.create(customer=alice, total="2.00", email="kept@example.com")
    monkeypatch.setattr(deploy_1, "BATCH", 2)

    with CaptureQueriesContext(connection) as queries:
        deploy_1.email_backfill(apps, connection.schema_editor())

    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 3
    emails = dict(Order.objects.values_list("pk", "email"))
    assert [emails[o.pk] for o in older] == [o.customer.email for o in older]
    assert emails[newer.pk] == "kept@example.com"


def test_the_backfill_is_reversible():
    """Going back, the column goes with the AddField's reverse; the backfill undoes nothing."""
    backfill = next(
        op for op in deploy_1.Migration.operations if op.__class__.__name__ == "RunPython"
    )

    assert backfill.reversible
