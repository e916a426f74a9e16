"""Step 3: when a product, a category or a review changes, the pages that show it go, files and
cached copies alike, once the change commits; the next visitor sees the new page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from workshop.testing.factories import CategoryFactory, ProductFactory, ReviewFactory

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change as its own transaction would: what waits for the commit runs too."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def tv():
    return ProductFactory(featured=True, name="Kaito Vista 55", price=Decimal("499.99"), stock=5)


def visited(client, *urls):
    """The pages as anonymous visitors saw them: written to files, cached."""
    for url in urls:
        assert client.get(url).status_code == 200
    return urls


def price_change(product, price, committed):
    with committed():
        product.price = Decimal(price)
        product.save()


def test_a_price_change_removes_every_page_that_shows_the_price(client, page_files, tv, committed):
    urls = visited(client, reverse("home"), tv.category.get_absolute_url(), tv.get_absolute_url())

    price_change(tv, "123.45", committed)

    assert [url for url in urls if page_files.of(url).exists()] == []


def test_a_price_change_shows_on_the_very_next_request(client, page_files, tv, committed):
    listing = tv.category.get_absolute_url()
    urls = visited(client, reverse("home"), listing, f"{listing}?sort=price", tv.get_absolute_url())

    price_change(tv, "123.45", committed)

    for url in urls:
        assert b"123.45" in client.get(url).content, f"{url} is stale"


def test_a_price_changed_in_the_admin_shows_at_once(
    client, admin_client, page_files, tv, committed
):
    url = tv.get_absolute_url()
    visited(client, url)
    form = {
        "category": tv.category.pk,
        "name": tv.name,
        "slug": tv.slug,
        "brand": tv.brand,
        "price": "99.00",
        "stock": tv.stock,
        "description": tv.description,
        "specs": "{}",
        "featured": "on",
        # The reviews inline's management form: no review added or changed.
        "reviews-TOTAL_FORMS": "0",
        "reviews-INITIAL_FORMS": "0",
    }

    with committed():
        response = admin_client.post(f"/admin/catalogue/product/{tv.pk}/change/", form)

    assert response.status_code == 302, "the admin refused the change"
    assert not page_files.of(url).exists()
    assert b"\xc2\xa399.00" in client.get(url).content  # £99.00


def test_a_page_written_before_the_change_commits_is_removed_after(page_files, tv, committed):
    """Until the commit, other visitors' requests still read the old price, and may write
    the old page again: removing it before the commit is not enough."""
    url = tv.get_absolute_url()
    with committed():
        tv.price = Decimal("123.45")
        tv.save()
        page_files.of(url).parent.mkdir(parents=True, exist_ok=True)
        page_files.of(url).write_bytes(b"<p>499.99, rendered by a request still under way</p>")

    assert not page_files.of(url).exists()


def test_other_products_keep_their_pages(client, page_files, tv, committed):
    elsewhere = ProductFactory()
    visited(client, elsewhere.get_absolute_url(), elsewhere.category.get_absolute_url())

    price_change(tv, "123.45", committed)

    assert page_files.of(elsewhere.get_absolute_url()).exists()
    assert page_files.of(elsewhere.category.get_absolute_url()).exists()


def test_moving_a_product_removes_both_listings(client, page_files, tv, committed):
    old, new = tv.category, CategoryFactory()
    visited(client, old.get_absolute_url(), new.get_absolute_url())

    with committed():
        tv.category = new
        tv.save()

    assert not page_files.of(old.get_absolute_url()).exists()
    assert not page_files.of(new.get_absolute_url()).exists()


def test_a_new_slug_removes_the_page_at_the_old_address(client, page_files, tv, committed):
    old_url = tv.get_absolute_url()
    visited(client, old_url)

    with committed():
        tv.slug = "kaito-vista-55-2025"
        tv.save()

    assert not page_files.of(old_url).exists()
    assert client.get(old_url).status_code == 404


def test_deleting_a_product_removes_its_pages(client, page_files, tv, committed):
    urls = visited(client, tv.get_absolute_url(), tv.category.get_absolute_url(), "/")

    with committed():
        tv.delete()

    assert [url for url in urls if page_files.of(url).exists()] == []


def test_renaming_a_category_removes_its_listing_home_and_its_product_pages(
    client, page_files, tv, committed
):
    """The home page lists the categories, and every product page names its category."""
    category = tv.category
    urls = visited(client, "/", category.get_absolute_url(), tv.get_absolute_url())

    with committed():
        category.name = "Televisions & Projectors"
        category.save()

    assert [url for url in urls if page_files.of(url).exists()] == []


def test_checkout_removes_the_page_of_each_product_sold(
    anonymous, customer_client, page_files, tv, committed
):
    """A product page shows the stock, and checkout changes it."""
    url = tv.get_absolute_url()
    visited(anonymous, url)
    add = reverse("cart_add", args=[tv.pk])
    customer_client.post(add, {"product_id": tv.pk, "quantity": 2})

    with committed():
        response = customer_client.post(reverse("checkout"))

    assert response.status_code == 302
    assert not page_files.of(url).exists()
    assert b"only 3 left" in anonymous.get(url).content


def test_changing_a_product_whose_pages_were_never_written_is_fine(page_files, tv, committed):
    price_change(tv, "123.45", committed)

    assert page_files.all() == set()


def test_a_new_review_shows_at_once_on_its_product_page(client, page_files, tv, committed):
    (url,) = visited(client, tv.get_absolute_url())

    with committed():
        ReviewFactory(product=tv, title="Superb picture, easy setup")

    assert not page_files.of(url).exists()
    assert b"Superb picture, easy setup" in client.get(url).content
