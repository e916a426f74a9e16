"""``manage.py seed``: the demo catalogue and customers, idempotently.

Running it again adds only what is missing and leaves edited products alone.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from workshop.catalogue import seed
from workshop.catalogue.models import Category, Product, Review

BATCH = 500


class Command(BaseCommand):
    help = "Create the demo catalogue (5,000+ products) and demo customers, if missing."

    def handle(self, *args, verbosity, **options):
        rows = list(seed.catalogue_rows())
        categories = category_ensure(rows)
        existing = set(Product.objects.values_list("slug", flat=True))
        missing = [(cat, fields) for cat, fields in rows if fields["slug"] not in existing]
        with tqdm(
            total=len(rows),
            initial=len(rows) - len(missing),
            desc="Products",
            unit="product",
            disable=verbosity == 0,
        ) as bar:
            for start in range(0, len(missing), BATCH):
                batch = missing[start : start + BATCH]
                Product.objects.bulk_create(
                    Product(category=categories[cat["slug"]], **fields) for cat, fields in batch
                )
                bar.update(len(batch))
        reviews = review_ensure([fields["slug"] for _, fields in rows], verbosity=verbosity)
        customers = customer_ensure()
        if verbosity:
            self.stdout.write(
                f"Catalogue: {Category.objects.count()} categories, "
                f"{Product.objects.count()} products, {reviews} reviews. Demo customers: "
                f"{customers[0]} … {customers[-1]}, password {seed.DEMO_PASSWORD!r}."
            )


@transaction.atomic
def category_ensure(rows) -> dict[str, Category]:
    for fields in {cat["slug"]: cat for cat, _ in rows}.values():
        Category.objects.get_or_create(slug=fields["slug"], defaults=fields)
    return {c.slug: c for c in Category.objects.all()}


def review_ensure(slugs: list[str], *, verbosity) -> int:
    """Seed the reviews of every seeded product that has none; the count of all reviews."""
    bare = Product.objects.filter(slug__in=slugs, reviews__isnull=True)
    bare = list(bare.values_list("pk", "slug"))
    for start in tqdm(
        range(0, len(bare), BATCH), desc="Reviews", unit="batch", disable=verbosity == 0 or not bare
    ):
        Review.objects.bulk_create(
            Review(product_id=pk, **fields)
            for pk, slug in bare[start : start + BATCH]
            for fields in seed.review_rows(slug)
        )
    return Review.objects.count()


@transaction.atomic
def customer_ensure() -> list[str]:
    # One hash for all: the demo password is the same, and hashing is slow by design.
    password = make_password(seed.DEMO_PASSWORD)
    first_names = seed.DEMO_FIRST_NAMES
    for n, username in enumerate(seed.DEMO_CUSTOMERS):
        User.objects.get_or_create(
            username=username,
            defaults={"password": password, "first_name": first_names[n % len(first_names)]},
        )
    return seed.DEMO_CUSTOMERS
