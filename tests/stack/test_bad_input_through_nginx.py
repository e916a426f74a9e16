"""Bad input sent through nginx to every stage's stack gets a 4xx answer, never a 500:
unknown things, odd query strings, bad form values, posts without a token or from
another site, forged cookies."""

import uuid

import pytest

from workshop.testing.browser import CSRF_INPUT

pytestmark = pytest.mark.stack


@pytest.mark.parametrize(
    "path",
    [
        "/c/no-such-category/",
        "/p/no-such-product/",
        "/cart/add/999999999/",
        "/cart/add/abc/",
        "/orders/abc/",
        "/static/no-such-file.css",
    ],
)
def test_unknown_things_are_a_404_through_nginx(browser, path):
    assert browser.get(path).status_code == 404


@pytest.mark.parametrize("query", ["page=abc", "page=-1", "page=99999", "sort=;DROP", "q=%00"])
def test_odd_query_strings_are_no_server_error(browser, stack_product, query):
    response = browser.get(f"/c/{stack_product['category']}/?{query}")

    assert response.status_code == 200


def test_a_bad_quantity_is_a_400(browser, stack_product):
    response = browser.submit(f"/cart/add/{stack_product['id']}/", {"quantity": "abc"})

    assert response.status_code == 400


def test_a_post_without_csrf_token_is_a_403(browser, stack_product):
    path = f"/cart/add/{stack_product['id']}/"

    response = browser.post(path, data={"product_id": stack_product["id"], "quantity": 1})

    assert response.status_code == 403


def test_a_form_posted_from_another_site_is_a_403_even_with_a_token(browser):
    """The Origin check needs the port of the Host nginx passes on, and sees a stranger."""
    page = browser.get("/accounts/login/")
    token = CSRF_INPUT.search(page.text).group(1)
    data = {"csrfmiddlewaretoken": token, "username": "shopper01", "password": "x"}

    response = browser.post("/accounts/login/", data=data, headers={"Origin": "http://evil.test"})

    assert response.status_code == 403


def test_a_forged_session_cookie_is_treated_as_no_session(browser):
    browser.cookies.set("sessionid", "forged-" + uuid.uuid4().hex)

    response = browser.get("/cart/")

    assert response.status_code == 200
    assert "Log in" in response.text
