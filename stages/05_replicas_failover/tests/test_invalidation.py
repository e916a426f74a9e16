"""Step 3: when a product, a category or a review changes, the pages that show it go, files and
cached copies alike, once the change commits; the next visitor sees the new page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from workshop.testing.factories import CategoryFactory, ProductFactory, ReviewFactory
from workshop.testing.forms import checkout_form

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change as its own transaction would: what waits for the commit runs too."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def tv():
    return ProductFactory(featured=True, name="Kaito Vista 55", price=Decimal("499.99"), stock=5)


def visited(client, page_files, *urls):
    """The pages as anonymous visitors saw them: written to files (the positive control:
    a test that then shows a file gone has shown something), and cached."""
    for url in urls:
        if "?" in url:
            assert client.get(url).status_code == 200
        else:
            page_files.written_by(client, url)
    return urls


def stale(page_files, urls) -> list[str]:
    return [url for url in urls if page_files.of(url).exists()]


def price_change(product, price, committed):
    with committed():
        product.price = Decimal(price)
        product.save()


def test_a_price_change_removes_every_page_that_shows_the_price(client, page_files, tv, committed):
    urls = visited(
        client, page_files, reverse("home"), tv.category.get_absolute_url(), tv.get_absolute_url()
    )

    price_change(tv, "123.45", committed)

    assert stale(page_files, urls) == [], "these pages show the product, and kept their files"


def test_a_price_change_shows_on_the_very_next_request(client, page_files, tv, committed):
    listing = tv.category.get_absolute_url()
    urls = visited(
        client, page_files, reverse("home"), listing, f"{listing}?sort=price", tv.get_absolute_url()
    )

    price_change(tv, "123.45", committed)

    for url in urls:
        gone = "" if "?" in url or page_files.of(url).exists() else "the page file is gone, but "
        assert b"123.45" in client.get(url).content, (
            f"{url} shows the old price: {gone}the page cache still served the old page. "
            "Is the URL among the pages that show the product?"
        )


def test_a_price_changed_in_the_admin_shows_at_once(
    client, admin_client, page_files, tv, committed
):
    url = tv.get_absolute_url()
    visited(client, page_files, url)
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
    assert not page_files.of(url).exists(), "a change made in the admin left the page file"
    assert b"\xc2\xa399.00" in client.get(url).content, "the old price, from the page cache"


def test_a_page_written_before_the_change_commits_is_removed_after(page_files, tv, committed):
    """Until the commit, other visitors' requests still read the old price, and may write
    the old page again: removing it before the commit is not enough."""
    url = tv.get_absolute_url()
    with committed():
        tv.price = Decimal("123.45")
        tv.save()
        page_files.of(url).parent.mkdir(parents=True, exist_ok=True)
        page_files.of(url).write_bytes(b"<p>499.99, rendered by a request still under way</p>")

    assert not page_files.of(url).exists(), (
        "a page written before the commit outlived it: remove the files after the commit"
    )


def test_other_products_keep_their_pages(client, page_files, tv, committed):
    elsewhere = ProductFactory()
    visited(client, page_files, elsewhere.get_absolute_url(), elsewhere.category.get_absolute_url())

    price_change(tv, "123.45", committed)

    assert page_files.of(elsewhere.get_absolute_url()).exists(), "another product lost its page"
    assert page_files.of(elsewhere.category.get_absolute_url()).exists(), (
        "another category lost its listing"
    )


def test_moving_a_product_removes_both_listings(client, page_files, tv, committed):
    old, new = tv.category, CategoryFactory()
    visited(client, page_files, old.get_absolute_url(), new.get_absolute_url())

    with committed():
        tv.category = new
        tv.save()

    assert not page_files.of(old.get_absolute_url()).exists(), (
        "the listing the product left still shows it (the pages it had before the save)"
    )
    assert not page_files.of(new.get_absolute_url()).exists(), "the new listing lacks it"


def test_a_new_slug_removes_the_page_at_the_old_address(client, page_files, tv, committed):
    old_url = tv.get_absolute_url()
    visited(client, page_files, old_url)

    with committed():
        tv.slug = "kaito-vista-55-2025"
        tv.save()

    assert not page_files.of(old_url).exists(), "the page at the old address stayed"
    assert client.get(old_url).status_code == 404


def test_deleting_a_product_removes_its_pages(client, page_files, tv, committed):
    urls = visited(client, page_files, tv.get_absolute_url(), tv.category.get_absolute_url(), "/")

    with committed():
        tv.delete()

    assert stale(page_files, urls) == [], "a deleted product's pages kept their files"


def test_renaming_a_category_removes_its_listing_home_and_its_product_pages(
    client, page_files, tv, committed
):
    """The home page lists the categories, and every product page names its category."""
    category = tv.category
    urls = visited(client, page_files, "/", category.get_absolute_url(), tv.get_absolute_url())

    with committed():
        category.name = "Televisions & Projectors"
        category.save()

    assert stale(page_files, urls) == [], "these pages name the category, and kept their files"


def test_checkout_removes_the_page_of_each_product_sold(
    anonymous, customer_client, page_files, tv, committed
):
    """A product page shows the stock, and checkout changes it."""
    url = tv.get_absolute_url()
    visited(anonymous, page_files, url)
    add = reverse("cart_add", args=[tv.pk])
    customer_client.post(add, {"product_id": tv.pk, "quantity": 2})
    form = checkout_form(customer_client)

    with committed():
        response = customer_client.post(reverse("checkout"), form)

    assert response.status_code == 302
    assert not page_files.of(url).exists(), (
        "checkout changed the stock, and the product page kept its file: checkout sends no "
        "signal (orders/services.py)"
    )
    assert b"only 3 left" in anonymous.get(url).content


def test_a_sale_that_leaves_stock_keeps_the_listing_and_the_home_page(
    anonymous, customer_client, page_files, tv, committed
):
    """Only the product's own page shows how many are left: the crowd's busiest pages,
    the listing and the home page, stay files while the product is in stock."""
    kept = visited(anonymous, page_files, reverse("home"), tv.category.get_absolute_url())
    visited(anonymous, page_files, tv.get_absolute_url())
    customer_client.post(reverse("cart_add", args=[tv.pk]), {"product_id": tv.pk, "quantity": 2})
    form = checkout_form(customer_client)

    with committed():
        assert customer_client.post(reverse("checkout"), form).status_code == 302

    assert not page_files.of(tv.get_absolute_url()).exists(), "the product page shows the stock"
    assert stale(page_files, kept) == list(kept), (
        "a sale that sold nothing out removed the listing or the home page: they show no "
        "stock until a product sells out, and every sale would send them back to Django"
    )


def test_checkout_that_sells_the_last_one_shows_sold_out_on_the_listing_and_home(
    anonymous, customer_client, page_files, tv, committed
):
    """The listing and the home page offer "Add to cart" until the product is sold out."""
    urls = visited(anonymous, page_files, reverse("home"), tv.category.get_absolute_url())
    customer_client.post(reverse("cart_add", args=[tv.pk]), {"product_id": tv.pk, "quantity": 5})
    form = checkout_form(customer_client)

    with committed():
        assert customer_client.post(reverse("checkout"), form).status_code == 302

    assert stale(page_files, urls) == [], (
        "checkout sold the last one, and these pages kept offering it: the listing and the "
        "home page show a product's stock too (orders/services.py)"
    )
    assert b"Sold out" in anonymous.get(tv.category.get_absolute_url()).content


def test_changing_a_product_whose_pages_were_never_written_is_fine(
    anonymous, page_files, tv, committed
):
    price_change(tv, "123.45", committed)

    assert page_files.all() == set()
    page_files.written_by(anonymous, tv.get_absolute_url())
    assert b"123.45" in page_files.of(tv.get_absolute_url()).read_bytes()


def test_a_new_review_shows_at_once_on_its_product_page(client, page_files, tv, committed):
    (url,) = visited(client, page_files, tv.get_absolute_url())

    with committed():
        ReviewFactory(product=tv, title="Superb picture, easy setup")

    assert not page_files.of(url).exists(), "a new review left its product's page file"
    assert b"Superb picture, easy setup" in client.get(url).content
