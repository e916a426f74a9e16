"""When a product, a category or a review changes, the pages that show it go: their
files, and their copies in stage 01's page cache.

Saving or deleting in the admin does it through model signals; checkout takes stock with
a conditional UPDATE, which sends none, so orders/services.py calls pages_invalidate().
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.urls import reverse

from workshop.catalogue.models import Category, Product, Review

from .files import page_remove
from .versions import page_versions_bump


def pages_invalidate(url_paths) -> None:
    """Retire these pages once the current transaction commits. Not before: until then a
    new render still reads the old data, and would write the old page again."""
    paths = set(url_paths)

    def invalidate():
        # The version first: a render already under way then removes what it writes.
        page_versions_bump(paths)
        for path in paths:
            page_remove(path)

    transaction.on_commit(invalidate)


def product_pages(product: Product) -> set[str]:
    """Its own page, its category's listing (price), the home page (featured products)."""
    # exercise 02: step 3: the pages that show a product
    return {reverse("home"), product.get_absolute_url(), product.category.get_absolute_url()}
    # exercise 02: end, stand-in: return set()


def category_pages(category: Category) -> set[str]:
    """Its listing, the home page (which lists categories) and the pages of its products
    (their breadcrumb names it)."""
    # exercise 02: step 3: the pages that show a category
    slugs = Product.objects.filter(category=category).values_list("slug", flat=True)
    products = {reverse("product", kwargs={"slug": slug}) for slug in slugs}
    return {reverse("home"), category.get_absolute_url(), *products}
    # exercise 02: end, stand-in: return set()


def review_pages(review: Review) -> set[str]:
    """The page of the product it reviews (its rating, its latest reviews)."""
    # exercise 02: step 3: the pages that show a review
    return {review.product.get_absolute_url()}
    # exercise 02: end, stand-in: return set()


PAGES_OF = {Product: product_pages, Category: category_pages, Review: review_pages}


def _remember_pages_before_save(sender, instance, **kwargs):
    # A new slug or category moves pages: the ones at the old addresses must go too.
    before = sender.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._pages_before_save = PAGES_OF[sender](before) if before else set()


def _invalidate_after_save(sender, instance, **kwargs):
    pages_invalidate(PAGES_OF[sender](instance) | getattr(instance, "_pages_before_save", set()))


def _invalidate_after_delete(sender, instance, **kwargs):
    pages_invalidate(PAGES_OF[sender](instance))


def signals_connect() -> None:
    for model in PAGES_OF:
        uid = f"pagefiles.{model.__name__}"
        pre_save.connect(_remember_pages_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_invalidate_after_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_invalidate_after_delete, sender=model, dispatch_uid=uid)
