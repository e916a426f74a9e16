"""What the cache promises beyond the lesson's steps: the header's cart count follows
every change to a cart line, whoever makes it (the admin, a product's deletion), and a
worker whose rebuild outlived its lock leaves alone the lock another worker took since."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from workshop.testing.factories import ProductFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def cart_and_line(customer):
    from cart.models import CartLine

    line = CartLine.objects.select_related("cart", "product").get(cart__customer=customer)
    return line.cart, line


def test_the_cart_count_follows_a_line_edited_in_the_admin(
    customer_with_cart, cart_and_line, admin_client, committed, from_cache
):
    assert "Cart (2)" in from_cache(customer_with_cart, "/").content.decode()
    cart, line = cart_and_line
    form = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": line.pk,
        "lines-0-cart": cart.pk,
        "lines-0-product": line.product_id,
        "lines-0-quantity": "5",
    }

    with committed():
        response = admin_client.post(f"/admin/cart/cart/{cart.pk}/change/", form)
    assert response.status_code == 302, (
        f"the admin did not save the cart line: {response.context['errors']}"
    )
    line.refresh_from_db()
    assert line.quantity == 5

    assert "Cart (5)" in customer_with_cart.get("/").content.decode(), (
        "the header still counts the cart as it was before the admin changed it"
    )


def test_the_cart_count_follows_a_product_deleted_from_the_shop(
    customer_with_cart, cart_and_line, committed, from_cache
):
    """A product's deletion removes it from every cart (the lines cascade), with no call
    to the cart's services."""
    other = ProductFactory(name="Orbit Radio", stock=5)
    customer_with_cart.post(f"/cart/add/{other.pk}/", {"product_id": other.pk, "quantity": 1})
    assert "Cart (3)" in from_cache(customer_with_cart, "/").content.decode()
    _, line = cart_and_line

    with committed():
        line.product.delete()

    assert "Cart (1)" in customer_with_cart.get("/").content.decode(), (
        "the header still counts a product that the shop deleted, and the carts with it"
    )


def test_a_rebuild_that_outlived_its_lock_leaves_the_next_workers_lock_alone(monkeypatch):
    """The lock expires after LOCK_SECONDS, and another worker may take it: deleting the
    lock then would let a third worker rebuild too."""
    from storefront import caching

    clock = [1000.0]
    monkeypatch.setattr(caching, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    # The lock's key, as storefront/caching.py names it.
    lock = f"test:{caching._hashed('slow')}:lock"

    def slow_build():
        clock[0] += caching.LOCK_SECONDS + 1
        # Meanwhile the lock expired, and another worker took it for its own rebuild.
        cache.delete(lock)
        assert cache.add(lock, "another worker's", timeout=60)
        return "built"

    value = caching.cached(kind="test", identity="slow", names=["test:slow"], build=slow_build)

    assert value == "built"
    assert cache.get(lock) == "another worker's", "a worker deleted a lock that was not its own"
    cache.delete(lock)
