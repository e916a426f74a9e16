"""The demo catalogue and customers, and the admin for staff."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from workshop.catalogue import seed
from workshop.catalogue.models import Category, Product, Review
from workshop.testing.factories import CustomerFactory, ReviewFactory


@pytest.fixture
def seeded(db):
    call_command("seed", verbosity=0)


def test_the_seed_builds_a_realistic_catalogue_and_demo_customers(seeded, client):
    assert Category.objects.count() >= 20
    assert Product.objects.count() >= 5000
    assert Product.objects.filter(featured=True).count() >= 12
    assert Review.objects.count() >= 3 * Product.objects.count()
    assert set(Review.objects.values_list("rating", flat=True)) == {1, 2, 3, 4, 5}
    assert client.login(username=seed.DEMO_CUSTOMERS[0], password=seed.DEMO_PASSWORD)


def test_the_seed_is_the_same_every_time():
    first = list(seed.catalogue_rows())
    second = list(seed.catalogue_rows())

    assert first == second
    assert len({fields["slug"] for _, fields in first}) == len(first)
    slug = first[0][1]["slug"]
    assert seed.review_rows(slug) == seed.review_rows(slug)


def test_seeding_again_adds_nothing_and_keeps_edits(seeded):
    edited = Product.objects.order_by("pk").first()
    edited.price = "1.00"
    edited.save()
    models = (Product, Category, User, Review)
    counts = [model.objects.count() for model in models]

    call_command("seed", verbosity=0)

    assert [model.objects.count() for model in models] == counts
    edited.refresh_from_db()
    assert str(edited.price) == "1.00"


@pytest.mark.django_db
def test_staff_manage_products_in_the_admin(client, product):
    client.force_login(CustomerFactory(is_staff=True, is_superuser=True))

    response = client.get("/admin/catalogue/product/")

    assert response.status_code == 200
    assert product.name.encode() in response.content


@pytest.mark.django_db
def test_customers_are_kept_out_of_the_admin(customer_client):
    response = customer_client.get("/admin/catalogue/product/")

    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_seeding_gives_reviews_to_a_product_that_has_none(seeded):
    bare = Product.objects.filter(reviews__isnull=False).order_by("pk").first()
    expected = sorted(row["title"] for row in seed.review_rows(bare.slug))
    bare.reviews.all().delete()

    call_command("seed", verbosity=0)

    assert sorted(bare.reviews.values_list("title", flat=True)) == expected


@pytest.mark.django_db
def test_staff_edit_a_products_reviews_on_its_admin_page(client, product):
    ReviewFactory(product=product, title="Crackles at full volume")
    client.force_login(CustomerFactory(is_staff=True, is_superuser=True))

    response = client.get(f"/admin/catalogue/product/{product.pk}/change/")

    assert response.status_code == 200
    assert b"Crackles at full volume" in response.content
