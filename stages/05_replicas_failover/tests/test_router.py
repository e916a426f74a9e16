"""Step 2: the router. A request reads the catalogue from one replica, chosen at its start,
and the requests take the replicas in turn; sessions, carts, orders, users, every write,
the checkout and the admin use the primary; migrations run on the primary alone.

These run on the aliases (without replica URLs they are the test database under other
names), outside a transaction (transactional tests), as the app servers run: a test's
own transaction would keep what it wrote from every other connection."""

import itertools
import threading

import pytest
from django.core.cache import cache
from django.db import close_old_connections, router
from django.test import Client
from django.urls import reverse

from workshop.testing.factories import ProductFactory, ReviewFactory
from workshop.testing.forms import checkout_form

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tv(page_files):
    tv = ProductFactory(name="Kaito Vista 55", stock=10)
    ReviewFactory.create_batch(3, product=tv)
    settled()
    return tv


def settled():
    """As if the catalogue had been written long ago: stage 05's cache rebuilds what
    changed in the last seconds from the primary (storefront/caching.py), and these
    tests are about every other read. An empty cache holds no such change."""
    cache.clear()


def test_a_page_reads_the_catalogue_from_one_replica(replica_aliases, reads, tv):
    with reads() as seen:
        assert Client().get(tv.get_absolute_url()).status_code == 200

    used = seen.catalogue_aliases()
    assert used and used <= set(replica_aliases), (
        f"the product page read the catalogue from {sorted(used) or 'nowhere'}: a replica "
        "alone should serve it"
    )
    assert len(used) == 1, f"one page read {sorted(used)}: one replica per request"


def test_the_requests_take_the_replicas_in_turn(replica_aliases, reads, page_files):
    products = ProductFactory.create_batch(8)
    settled()
    chosen = []
    for product in products:
        with reads() as seen:
            assert Client().get(product.get_absolute_url()).status_code == 200
        chosen.append(seen.replicas_used())

    assert all(len(used) == 1 for used in chosen), chosen
    order = [used.pop() for used in chosen]
    assert all(a != b for a, b in itertools.pairwise(order)), f"not in turn: {order}"
    assert set(order) == set(replica_aliases)


def test_overlapping_requests_each_read_one_replica(replica_aliases, reads, page_files):
    """Requests served at the same moment (threads, as gunicorn's): each keeps its own
    replica from its first read to its last, whatever the others chose."""
    products = ProductFactory.create_batch(12)
    ReviewFactory.create_batch(12, product=products[0])
    settled()
    start, chosen = threading.Barrier(6), []

    def visit(batch):
        try:
            start.wait()
            for product in batch:
                with reads() as seen:
                    assert Client().get(product.get_absolute_url()).status_code == 200
                chosen.append(seen.catalogue_aliases())
        finally:
            close_old_connections()

    threads = [threading.Thread(target=visit, args=(products[n::6],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(chosen) == 12
    assert all(len(used) == 1 for used in chosen), chosen
    assert set().union(*chosen) == set(replica_aliases)


def test_a_write_and_its_reads_go_to_the_primary(replica_aliases, reads, tv):
    client = Client()
    with reads() as seen:
        response = client.post(
            reverse("cart_add", args=[tv.pk]), {"product_id": tv.pk, "quantity": 2}
        )

    assert response.status_code == 302
    assert seen.replicas_used() == set(), (
        f"adding to the cart read {sorted(seen.replicas_used())}: a request that writes reads "
        "the primary, where its own writes are"
    )
    assert any(sql.startswith("INSERT") for sql in seen.sql["default"])


def test_sessions_carts_and_users_are_read_from_the_primary(replica_aliases, reads, tv, customer):
    client = Client()
    client.force_login(customer)
    client.post(reverse("cart_add", args=[tv.pk]), {"product_id": tv.pk, "quantity": 1})
    client.cookies.pop("replica_pin", None)  # step 3's pin would hide what the router does

    with reads() as seen:
        assert client.get(tv.get_absolute_url()).status_code == 200

    for alias in replica_aliases:
        personal = [
            sql
            for sql in seen.sql[alias]
            if any(table in sql for table in ("django_session", "auth_user", "cart_"))
        ]
        assert personal == [], f"{alias} read a session, a user or a cart: {personal[:2]}"
    assert seen.catalogue_aliases() <= set(replica_aliases)


def test_the_checkout_reads_and_takes_the_stock_on_the_primary(
    replica_aliases, reads, tv, customer
):
    client = Client()
    client.force_login(customer)
    client.post(reverse("cart_add", args=[tv.pk]), {"product_id": tv.pk, "quantity": 2})
    form = checkout_form(client)

    with reads() as seen:
        response = client.post(reverse("checkout"), form)

    assert response.status_code == 302, response.status_code
    assert seen.replicas_used() == set(), (
        f"the checkout read {sorted(seen.replicas_used())}: stock is read where it is taken"
    )
    tv.refresh_from_db()
    assert tv.stock == 8


def test_the_admin_reads_the_primary(replica_aliases, reads, tv, django_user_model):
    staff = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    client = Client()
    client.force_login(staff)

    with reads() as seen:
        response = client.get(f"/admin/catalogue/product/{tv.pk}/change/")

    assert response.status_code == 200
    assert seen.replicas_used() == set(), f"the admin read {sorted(seen.replicas_used())}"


def test_migrations_run_on_the_primary_alone(replica_aliases):
    from workshop.catalogue.models import Product

    assert router.allow_migrate_model("default", Product)
    for alias in replica_aliases:
        assert not router.allow_migrate_model(alias, Product), (
            f"migrations may run on {alias}: a replica gets the schema by replication"
        )


def test_a_product_read_from_a_replica_goes_into_a_cart_line_on_the_primary(
    replica_aliases, customer
):
    """Every alias holds the same data, so an object read on one may be related to an
    object saved on another."""
    from cart.models import Cart, CartLine

    product = ProductFactory()
    on_replica = type(product).objects.using(replica_aliases[0]).get(pk=product.pk)
    cart = Cart.objects.create(customer=customer)

    CartLine.objects.create(cart=cart, product=on_replica, quantity=1)

    assert CartLine.objects.get(cart=cart).product_id == product.pk
