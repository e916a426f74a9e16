"""Forms as a browser posts them, for the in-process tests (Django's test client)."""

import pytest
from django.urls import reverse

from workshop.forms import hidden_fields


def checkout_form(client) -> dict[str, str]:
    """Show ``client`` the checkout page; return what its form posts (the one-time key)."""
    response = client.get(reverse("checkout"))
    assert response.status_code == 200, f"the checkout page answered {response.status_code}"
    return hidden_fields(response.content.decode())


def order_place(client):
    """Show ``client`` the checkout page, then post its form with every hidden field it
    holds, as a browser does."""
    return client.post(reverse("checkout"), checkout_form(client))


@pytest.fixture
def place_order():
    return order_place
