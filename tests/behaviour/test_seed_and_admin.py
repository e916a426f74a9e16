"""The demo catalogue and customers, and the admin for staff."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from workshop.catalogue import seed
from workshop.catalogue.models import Category, Product
from workshop.testing.factories import CustomerFactory


@pytest.fixture
def seeded(db):
    call_command("seed", verbosity=0)


def test_the_seed_builds_a_realistic_catalogue_and_demo_customers(seeded, client):
    assert Category.objects.count() >= 20
    assert Product.objects.count() >= 5000
    assert Product.objects.filter(featured=True).count() >= 12
    assert client.login(username=seed.DEMO_CUSTOMERS[0], password=seed.DEMO_PASSWORD)


def test_the_seed_is_the_same_every_time():
    first = list(seed.catalogue_rows())
    second = list(seed.catalogue_rows())

    assert first == second
    assert len({fields["slug"] for _, fields in first}) == len(first)


def test_seeding_again_adds_nothing_and_keeps_edits(seeded):
    edited = Product.objects.order_by("pk").first()
    edited.price = "1.00"
    edited.save()
    counts = (Product.objects.count(), Category.objects.count(), User.objects.count())

    call_command("seed", verbosity=0)

    assert (Product.objects.count(), Category.objects.count(), User.objects.count()) == counts
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
