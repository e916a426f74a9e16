"""Reviews on a product page: the rating at a glance, then the latest few."""

import pytest
from django.db import DataError, IntegrityError, transaction

from workshop.testing.factories import ProductFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_a_product_page_shows_its_average_rating_and_review_count(client):
    product = ProductFactory()
    for rating in (5, 4, 4, 2):
        ReviewFactory(product=product, rating=rating)

    page = client.get(product.get_absolute_url()).content.decode()

    assert "3.8 out of 5" in page
    assert "4 reviews" in page
    assert "★★★★☆" in page  # 3.75 rounds to four stars


def test_a_product_page_shows_the_five_latest_reviews_newest_first(client):
    product = ProductFactory()
    reviews = ReviewFactory.create_batch(7, product=product)  # each a day after the last

    page = client.get(product.get_absolute_url()).content.decode()

    shown = [r.title for r in reviews if r.title in page]
    assert shown == [r.title for r in reviews[2:]]
    positions = [page.index(title) for title in shown]
    assert positions == sorted(positions, reverse=True)  # newest (last made) first
    assert "The 5 latest of 7 reviews." in page


def test_a_product_without_reviews_says_so_and_shows_no_rating(client):
    product = ProductFactory()

    page = client.get(product.get_absolute_url()).content.decode()

    assert "No reviews yet." in page
    assert "out of 5" not in page


def test_a_product_page_shows_only_its_own_reviews(client):
    product, other = ProductFactory(), ProductFactory()
    ReviewFactory(product=other, title="About the other one", rating=1)

    page = client.get(product.get_absolute_url()).content.decode()

    assert "About the other one" not in page
    assert "No reviews yet." in page


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_never_stored(rating):
    product = ProductFactory()

    # MariaDB's unsigned column refuses -1 before the check constraint sees it.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        ReviewFactory(product=product, rating=rating)

    assert not product.reviews.exists()


def test_the_admin_refuses_a_rating_of_six_and_saves_nothing(admin_client):
    product = ProductFactory()
    form = {
        **{f: getattr(product, f) for f in ("name", "slug", "brand", "price", "stock")},
        "category": product.category.pk,
        "description": product.description,
        "specs": "{}",
        "reviews-TOTAL_FORMS": "1",
        "reviews-INITIAL_FORMS": "0",
        "reviews-0-created_0": "2011-03-01",
        "reviews-0-created_1": "12:00:00",
        "reviews-0-author": "Sam T.",
        "reviews-0-rating": "6",
        "reviews-0-title": "Too good",
        "reviews-0-body": "Six stars.",
    }

    response = admin_client.post(f"/admin/catalogue/product/{product.pk}/change/", form)

    assert response.status_code == 200  # the form again, with its error
    assert "less than or equal to 5" in response.content.decode()
    assert not product.reviews.exists()
