"""factory_boy factories for the shop's tests; shared by every stage."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import User

from workshop.catalogue.models import Category, Product, Review

TEST_PASSWORD = "correct-horse-battery"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Kaito Vista {n} 55 in")
    slug = factory.Sequence(lambda n: f"kaito-vista-{n}")
    brand = "Kaito"
    price = Decimal("499.99")
    stock = 10
    description = "A test television."
    specs = factory.LazyFunction(lambda: {"Screen": "55 in"})


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    product = factory.SubFactory(ProductFactory)
    author = factory.Sequence(lambda n: f"Reviewer {n}.")
    rating = 4
    title = factory.Sequence(lambda n: f"Review title {n}")
    body = "Does what it says."
    # A day apart, oldest first, so that creation order is the order in time.
    created = factory.Sequence(lambda n: datetime(2011, 1, 1, tzinfo=UTC) + timedelta(days=n))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"customer{n}")
    first_name = factory.Sequence(lambda n: f"Customer{n}")
    password = factory.django.Password(TEST_PASSWORD)
