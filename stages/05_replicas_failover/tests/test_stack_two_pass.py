"""Step 3 on the real topology: through nginx, with memcached holding both levels and
several app servers. A logged-in customer with a cart gets a page filled in from a
skeleton that another customer's request cached, with their own name, cart count and a
CSRF token that works for a POST.

    WORKSHOP_STACK_TESTS=1 workshop test 04
"""

import re
import uuid

import pytest

from workshop.testing.browser import Browser
from workshop.testing.memcached import memcached_keys

pytestmark = pytest.mark.stack

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def skeleton_keys(stack) -> set[str]:
    return {key for key in memcached_keys(stack.ports["cache"]) if ":skeleton:" in key}


def customer(stack, name: str, product: dict, quantity: int) -> Browser:
    browser = Browser(stack.url)
    browser.register(f"{name.lower()}-{uuid.uuid4().hex[:8]}", first_name=name)
    added = browser.submit(f"/cart/add/{product['id']}/", {"quantity": str(quantity)})
    assert added.status_code == 302, f"{name}'s cart addition: HTTP {added.status_code}"
    return browser


def test_customers_get_their_own_parts_on_a_page_cached_once_and_its_token_works(
    stack, stack_product
):
    alice = customer(stack, "Alice", stack_product, 2)
    bruno = customer(stack, "Bruno", stack_product, 1)
    # A search nobody made yet: a fresh page (a parameter the page does not show, such as
    # ?from=…, would find the product page's skeleton, as a campaign link does).
    path = f"/search/?q=two-pass-{uuid.uuid4().hex}"
    before = skeleton_keys(stack)

    for_alice = alice.get(path)
    cached = skeleton_keys(stack)
    for_bruno = bruno.get(path)

    assert len(cached - before) == 1, "Alice's page left no skeleton in memcached"
    assert skeleton_keys(stack) == cached, "Bruno's page was not filled in from that skeleton"
    assert "Hello, Alice" in for_alice.text and "Cart (2)" in for_alice.text
    assert "Hello, Bruno" in for_bruno.text and "Cart (1)" in for_bruno.text
    assert "Alice" not in for_bruno.text
    assert "private" in for_bruno.headers.get("Cache-Control", "")
    token = TOKEN.search(for_bruno.text)[1]
    added = bruno.post(
        f"/cart/add/{stack_product['id']}/",
        data={"product_id": stack_product["id"], "quantity": "1", "csrfmiddlewaretoken": token},
    )
    assert added.status_code == 302, f"a POST with the cached page's token: {added.status_code}"
    assert "Cart (2)" in bruno.get(path).text
    anonymous = Browser(stack.url).get(path).text
    assert "Alice" not in anonymous and "Bruno" not in anonymous and "Log in" in anonymous
