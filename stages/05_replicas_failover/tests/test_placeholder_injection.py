"""Step 2: content cannot forge a placeholder. A product name, a description or a review
that holds a placeholder's text, template syntax or an HTML comment is shown as text on
the cached page, and never filled in or evaluated."""

import pytest
from django.utils.html import escape

from workshop.testing.factories import ProductFactory, ReviewFactory

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]

PAYLOADS = {
    "placeholder": None,  # the real placeholder's text, read from the stage under test
    "user-variable": "{{ user }}",
    "csrf-tag": "{% csrf_token %}",
    "html-comment": "<!-- hidden -->",
}
FIELDS = ["name", "description", "review"]


def payload_text(kind: str) -> str:
    if PAYLOADS[kind] is not None:
        return PAYLOADS[kind]
    try:
        from storefront.twopass import placeholder
    except ImportError:
        pytest.fail("no storefront/twopass.py: where do the placeholders come from?")
    return placeholder("account")


def product_with(field: str, text: str):
    if field == "review":
        product = ProductFactory(name="Kaito Reviewed")
        ReviewFactory(product=product, title="Forged", body=f"Look: {text}")
        return product
    return ProductFactory(**{field: f"Kaito {text}"})


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("kind", PAYLOADS)
def test_content_that_looks_like_a_placeholder_is_shown_as_text(
    customer_client, from_cache, kind, field
):
    text = payload_text(kind)
    product = product_with(field, text)

    html = from_cache(customer_client, product.get_absolute_url()).content.decode()

    assert escape(text) in html, f"the {field} is not shown as text"
    assert html.count('class="cart-link"') == 1, "a visitor's part went in twice, or not"
    assert html.count("csrfmiddlewaretoken") <= 1, "a token was filled in where content was"
    assert "<!-- hidden -->" not in html and "<!--visitor:" not in html
