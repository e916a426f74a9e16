"""Step 3: read your writes. A visitor who wrote (a cart change, an order, a login) reads
the primary for a few seconds, since the replicas may not have their write yet. The pin
is the visitor's, in a signed cookie: round robin sends their next request to any app
server, and only the cookie goes with it. A pin that is forged, altered or expired is
no pin; and a visitor who wrote nothing is not pinned."""

import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from workshop.testing.factories import TEST_PASSWORD, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)

PIN = "replica_pin"  # the cookie's name


@pytest.fixture
def tv(page_files):
    return ProductFactory(name="Kaito Vista 55", stock=10)


def cart_add(client, product):
    response = client.post(
        reverse("cart_add", args=[product.pk]), {"product_id": product.pk, "quantity": 1}
    )
    assert response.status_code == 302, response.status_code
    return response


def pin_cookie(response):
    assert PIN in response.cookies, (
        f"the write answered without a {PIN!r} cookie: the visitor's next reads should go "
        "to the primary"
    )
    return response.cookies[PIN]


def catalogue_read_on(reads, client, url) -> set[str]:
    """The aliases the catalogue was read from, for ``client`` asking for ``url`` (the
    cache emptied first, so the page's data is read again)."""
    from django.core.cache import cache

    cache.clear()
    with reads() as seen:
        assert client.get(url).status_code == 200
    return seen.catalogue_aliases()


def test_after_a_cart_change_the_visitor_reads_the_primary(replica_aliases, reads, tv):
    visitor = Client()
    pin_cookie(cart_add(visitor, tv))

    assert catalogue_read_on(reads, visitor, tv.get_absolute_url()) == {"default"}
    assert catalogue_read_on(reads, Client(), tv.get_absolute_url()) <= set(replica_aliases), (
        "a visitor who wrote nothing should read a replica"
    )


def test_a_login_pins_the_visitor(replica_aliases, customer, tv):
    response = Client().post(
        reverse("login"), {"username": customer.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302, "the login failed"
    pin_cookie(response)


def test_an_order_pins_the_visitor(replica_aliases, customer, tv, place_order):
    client = Client()
    client.force_login(customer)
    cart_add(client, tv)
    client.cookies.pop(PIN)

    response = place_order(client)

    assert response.status_code == 302
    pin_cookie(response)


def test_the_pin_goes_with_the_visitor_to_any_server(replica_aliases, reads, tv):
    """Another app server knows nothing of this visitor but their cookies."""
    pin = pin_cookie(cart_add(Client(), tv))
    elsewhere = Client()
    elsewhere.cookies[PIN] = pin.value

    assert catalogue_read_on(reads, elsewhere, tv.get_absolute_url()) == {"default"}


def test_the_pin_lasts_a_few_seconds(replica_aliases, reads, tv, settings):
    settings.REPLICA_PIN_SECONDS = 1
    visitor = Client()
    cart_add(visitor, tv)

    time.sleep(2.2)  # the cookie's signature says when it was made: it is too old now

    assert catalogue_read_on(reads, visitor, tv.get_absolute_url()) <= set(replica_aliases)


@pytest.mark.parametrize(
    "forged",
    [
        "1",
        signing.get_cookie_signer(salt=PIN + "other").sign("1"),
        "1:" + "A" * 6 + ":" + "B" * 43,
    ],
    ids=["unsigned", "another-salt", "bad-signature"],
)
def test_a_forged_pin_is_ignored(replica_aliases, reads, tv, forged):
    visitor = Client()
    visitor.cookies[PIN] = forged

    assert catalogue_read_on(reads, visitor, tv.get_absolute_url()) <= set(replica_aliases)


def test_an_altered_pin_is_ignored(replica_aliases, reads, tv):
    pin = pin_cookie(cart_add(Client(), tv)).value
    visitor = Client()
    visitor.cookies[PIN] = pin[:-1] + ("A" if pin[-1] != "A" else "B")

    assert catalogue_read_on(reads, visitor, tv.get_absolute_url()) <= set(replica_aliases)


def test_a_request_that_writes_nothing_pins_nobody(replica_aliases, tv):
    visitor = Client()

    refused = visitor.post(
        reverse("cart_add", args=[tv.pk]), {"product_id": tv.pk, "quantity": "lots"}
    )
    page = visitor.get(tv.get_absolute_url())

    assert refused.status_code == 400
    assert PIN not in refused.cookies and PIN not in page.cookies


def test_a_page_rebuilt_after_a_change_reads_a_replica_only_once_it_holds_the_change(
    replica_aliases, reads, tv, replicas_part, monkeypatch
):
    """Its data, cached from a replica that has not got the change yet, would show the
    old price to everybody until the next change. So a change notes the primary's
    position (its GTID), and the rebuild reads the request's replica only once that
    replica has applied it (replicas/freshness.py), else the primary. Here the primary's
    position and the replica's progress are played by the test: the stand-in replicas
    are the primary's own database."""
    freshness = replicas_part("freshness")
    position, waits = ["0-1-41"], []
    monkeypatch.setattr(freshness, "primary_position", lambda: position[0])
    replica = {"applied": "0-1-41"}

    def replica_reached(alias, wanted):
        waits.append(wanted)
        return freshness.position_covers(replica["applied"], wanted)

    monkeypatch.setattr(freshness, "replica_reached", replica_reached)
    url = tv.get_absolute_url() + "?after=change"
    assert Client().get(url).status_code == 200  # cached
    position[0] = "0-1-42"
    tv.price = "123.45"
    tv.save()  # committed at once (a transactional test): its versions are bumped

    with reads() as seen:
        page = Client().get(url)

    assert "123.45" in page.content.decode()
    assert waits == ["0-1-42"], f"the rebuild asked the replica for {waits}"
    assert seen.catalogue_aliases() == {"default"}, (
        f"the page's data was rebuilt from {sorted(seen.catalogue_aliases())}, which has "
        "not applied the change: a lagging replica would have it cached for good"
    )
    # Once the replica has applied the change, a rebuild reads it again.
    replica["applied"] = "0-1-42"
    assert catalogue_read_on(reads, Client(), url) <= set(replica_aliases)
