"""The carts in the admin: a line's quantity can be changed there (the owner is shown,
not asked for: a cart has either a customer or a session, and a form asking for both
could never be saved)."""

import pytest

from workshop.testing.factories import ProductFactory

pytestmark = [pytest.mark.django_db]


def test_a_cart_line_can_be_changed_in_the_admin(customer, admin_client):
    from cart.models import Cart, CartLine

    cart = Cart.objects.create(customer=customer)
    line = CartLine.objects.create(cart=cart, product=ProductFactory(stock=20), quantity=2)
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

    response = admin_client.post(f"/admin/cart/cart/{cart.pk}/change/", form)

    errors = response.context["errors"] if response.context else ""
    assert response.status_code == 302, f"the admin did not save the cart: {errors}"
    line.refresh_from_db()
    cart.refresh_from_db()
    assert line.quantity == 5 and cart.customer == customer and cart.session_key is None
