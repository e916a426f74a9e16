"""The logged-in customer comes from the cache (accounts/backends.py), and the login stays
as safe as Django's: whatever changes the user's row reaches their very next request, on
every one of their sessions, though that row was cached a moment before."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_session(customer):
    """Alice in a second browser, whose cached row the change must not outlive."""
    browser = Client()
    browser.force_login(customer)
    greeting = browser.get("/").content.decode()
    assert "Hello, Alice" in greeting, "the positive control: she is logged in there"
    return browser


def test_a_new_password_ends_her_other_sessions_at_their_next_request(
    customer, second_session, committed
):
    customer.set_password("a-new-secret-9081")
    with committed():
        customer.save()

    page = second_session.get("/").content.decode()
    assert "Hello, Alice" not in page and "Log in" in page, "the old session still works"


def test_a_deactivated_customer_is_logged_out_at_the_next_request(
    customer, second_session, committed
):
    customer.is_active = False
    with committed():
        customer.save()

    assert "Log in" in second_session.get("/").content.decode()


def test_a_new_name_shows_at_the_next_request(customer, second_session, committed):
    customer.first_name = "Alicia"
    with committed():
        customer.save()

    assert "Hello, Alicia" in second_session.get("/").content.decode()


def test_a_deleted_customer_is_logged_out_at_the_next_request(customer, second_session, committed):
    with committed():
        get_user_model().objects.get(pk=customer.pk).delete()

    assert "Log in" in second_session.get("/").content.decode()
