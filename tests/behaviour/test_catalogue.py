"""Browsing the catalogue: home, category listings, product pages and search."""

from decimal import Decimal

import pytest
from django.urls import reverse

from workshop.testing.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_home_shows_featured_products_and_every_category(client):
    featured = ProductFactory(featured=True, name="Nordvik Aurora X1")
    other = CategoryFactory(name="Drones", slug="drones")

    page = client.get(reverse("home")).content.decode()

    assert featured.name in page
    assert other.get_absolute_url() in page


def test_a_category_lists_its_products_a_page_at_a_time():
    category = CategoryFactory()
    ProductFactory.create_batch(30, category=category)
    from django.test import Client

    first = Client().get(category.get_absolute_url())
    second = Client().get(category.get_absolute_url(), {"page": 2})

    assert len(first.context["page"].object_list) == 24
    assert len(second.context["page"].object_list) == 6


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["Cheap", "Middle", "Dear"]),
        ("-price", ["Dear", "Middle", "Cheap"]),
        ("name", ["Cheap", "Dear", "Middle"]),
    ],
)
def test_a_category_sorts_by_price_or_name(client, sort, expected):
    category = CategoryFactory()
    for name, price in [("Middle", "50"), ("Dear", "90"), ("Cheap", "10")]:
        ProductFactory(category=category, name=name, price=Decimal(price))

    response = client.get(category.get_absolute_url(), {"sort": sort})

    assert [p.name for p in response.context["page"]] == expected


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "1e9", "", "%00"])
def test_any_page_number_gives_a_page_never_an_error(client, page):
    category = CategoryFactory()
    ProductFactory.create_batch(3, category=category)

    response = client.get(category.get_absolute_url(), {"page": page, "sort": "<script>"})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 3


def test_a_product_page_shows_price_stock_and_specs(client):
    product = ProductFactory(price=Decimal("1299.99"), stock=4, specs={"Panel": "OLED"})

    page = client.get(product.get_absolute_url()).content.decode()

    assert product.name in page
    assert "1,299.99" in page
    assert "only 4 left" in page
    assert "OLED" in page
    assert reverse("cart_add", args=[product.pk]) in page


def test_a_sold_out_product_cannot_be_added_from_its_page(client):
    product = ProductFactory(stock=0)

    page = client.get(product.get_absolute_url()).content.decode()

    assert "Sold out" in page
    assert reverse("cart_add", args=[product.pk]) not in page


@pytest.mark.parametrize(
    "url",
    [
        "/c/no-such-category/",
        "/p/no-such-product/",
        "/p/%2e%2e/",
        "/c/../etc/passwd",
        "/p/a%2Fb/",
        "/nothing-here/",
    ],
)
def test_unknown_pages_are_a_404_with_a_way_back(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert b"Back to the shop" in response.content


def test_search_finds_products_by_name_and_brand(client):
    ProductFactory(name="Sonik Hush Q1", brand="Sonik")
    ProductFactory(name="Kaito Edge Z5", brand="Kaito")

    by_name = client.get(reverse("search"), {"q": "hush"})
    by_brand = client.get(reverse("search"), {"q": "kaito"})

    assert [p.name for p in by_name.context["results"]] == ["Sonik Hush Q1"]
    assert [p.name for p in by_brand.context["results"]] == ["Kaito Edge Z5"]


@pytest.mark.parametrize("query", ["", "   ", "x" * 5000, "%", "_", "'; DROP TABLE x; --"])
def test_odd_searches_find_nothing_and_never_fail(client, query):
    ProductFactory(name="Sonik Hush Q1")

    response = client.get(reverse("search"), {"q": query})

    assert response.status_code == 200
    assert list(response.context["results"]) == []


def test_a_listing_marks_sold_out_products_instead_of_offering_them(client):
    category = CategoryFactory()
    sold_out = ProductFactory(category=category, stock=0)
    available = ProductFactory(category=category, stock=2)

    page = client.get(category.get_absolute_url()).content.decode()

    assert reverse("cart_add", args=[available.pk]) in page
    assert reverse("cart_add", args=[sold_out.pk]) not in page
    assert "Sold out" in page
