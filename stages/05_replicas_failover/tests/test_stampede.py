"""Step 5: no stampede. When a hot page's skeleton is invalidated under load, one worker
rebuilds it while the others serve the previous copy for the moment it takes: 50
simultaneous requests cause one rebuild, not 50. On memcached, as in the stack. A page
built from such a previous copy is served too, but never kept as the current page."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered

from workshop.testing.factories import ProductFactory
from workshop.testing.forms import checkout_form
from workshop.testing.memcached import memcached_require

pytestmark = [pytest.mark.lesson]

VISITORS = 50


@pytest.fixture
def memcached(settings):
    """A lock must hold across processes: the cache is a memcached, or the test skips."""
    memcached_require(settings)


@pytest.fixture
def renders():
    """How many times each template was rendered, in every thread."""
    counts, lock = {}, threading.Lock()

    def count(sender, template, **kwargs):
        with lock:
            counts[template.name] = counts.get(template.name, 0) + 1

    template_rendered.connect(count)
    yield counts
    template_rendered.disconnect(count)


def at_once(url: str) -> list[tuple[int, str]]:
    """GET ``url`` from VISITORS anonymous visitors at the same moment."""
    start, answers = threading.Barrier(VISITORS), []

    def visit():
        try:
            start.wait()
            response = Client().get(url)
            answers.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=visit) for _ in range(VISITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_fifty_simultaneous_requests_after_an_invalidation_cause_one_rebuild(
    transactional_db, memcached, renders, page_files
):
    tv = ProductFactory(name="Kaito Vista Hot", price=Decimal("499.99"))
    url = tv.get_absolute_url()
    Client().get(url)  # a hot page: its data and its skeleton are in the cache
    page_files.of(url).unlink(missing_ok=True)
    tv.price = Decimal("123.45")
    tv.save()  # committed at once (transactional_db): its versions are bumped
    renders.clear()

    answers = at_once(url)

    assert [status for status, _ in answers] == [200] * VISITORS
    assert renders.get("storefront/product.html") == 1, (
        f"{renders.get('storefront/product.html')} rebuilds of one page: each worker that "
        "missed rebuilt it, instead of one while the others served the previous copy"
    )
    assert any("123.45" in html for _, html in answers), "nobody got the rebuilt page"
    assert "123.45" in Client().get(url + "?after=1").content.decode()
    if page_files.of(url).exists():
        assert "123.45" in page_files.of(url).read_text(), "a stale copy became a page file"


def test_a_page_built_while_its_data_is_rebuilt_elsewhere_is_served_but_not_kept(
    transactional_db, customer_client, page_files, monkeypatch
):
    """After a sale, one worker rebuilds the product's data (level one) while another
    builds its page (level two): the second is given the data's previous copy, as every
    other worker is meanwhile. The page it makes is served, but it must not be kept as the
    page of the new stock, where it would stay until the next change."""
    from storefront import data

    tv = ProductFactory(name="Kaito Vista Rebuilt", stock=5)
    url = tv.get_absolute_url()
    assert "only 5 left" in Client().get(url).content.decode()  # its data and page cached
    page_files.of(url).unlink(missing_ok=True)
    customer_client.post(f"/cart/add/{tv.pk}/", {"product_id": tv.pk, "quantity": 1})
    sold = customer_client.post("/checkout/", checkout_form(customer_client))
    assert sold.status_code == 302, "the checkout failed"  # committed: its versions bumped

    # Another worker rebuilds the product's data, and takes its time.
    building, go_on, product = threading.Event(), threading.Event(), data._product

    def slow_product(slug):
        if threading.current_thread() is worker:
            building.set()
            go_on.wait(timeout=30)
        return product(slug)

    def rebuild():
        try:
            data.product_data(slug=tv.slug)
        finally:
            connection.close()

    monkeypatch.setattr(data, "_product", slow_product)
    worker = threading.Thread(target=rebuild)
    worker.start()
    try:
        assert building.wait(timeout=30), "the other worker never rebuilt the product's data"
        meanwhile = Client().get(url).content.decode()
    finally:
        go_on.set()
        worker.join(timeout=30)

    assert "only 5 left" in meanwhile, (
        "while another worker rebuilt the product's data, this one did not get its previous "
        "copy: it read the database too, as in a stampede"
    )
    assert not page_files.of(url).exists(), "a page made from a previous copy became a file"
    after = Client().get(url).content.decode()
    assert "only 4 left" in after, (
        "the page built from the data's previous copy was kept as the current page: it "
        "still shows the stock from before the sale"
    )
