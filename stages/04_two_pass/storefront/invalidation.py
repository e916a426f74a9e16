"""What a change retires: it bumps the versions of the data it touches (storefront/data.py
names them), once it commits, so exactly the entries and skeletons built from that data
miss. The table in the README says which change touches what.

Saving or deleting in the admin does it through model signals; a sale takes stock with a
conditional UPDATE, which sends none, so orders/services.py calls products_sold().
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from pagefiles.invalidation import pages_invalidate

from workshop.catalogue.models import Category, Product, Review

from .caching import versions_bump


def data_invalidate(names) -> None:
    """Bump these versions once the current transaction commits. Not before: until then a
    rebuild still reads the old data, and would cache it with the new version."""
    names = set(names)
    transaction.on_commit(lambda: versions_bump(names))


def product_names(product: Product) -> set[str]:
    """Its page, its category's listing, the search results, and the home page's
    featured list if it is on it: they all show its name, price and whether it is in stock."""
    # exercise 04: step 4: the data that shows a product
    names = {f"product:{product.slug}", f"category:{product.category.slug}", "search"}
    return names | ({"featured"} if product.featured else set())
    # exercise 04: end, stand-in: return set()


def category_names(category: Category) -> set[str]:
    """Its listing, the category tree, and its products' pages (their breadcrumb)."""
    # exercise 04: step 4: the data that shows a category
    slugs = Product.objects.filter(category=category).values_list("slug", flat=True)
    return {"tree", f"category:{category.slug}", *(f"product:{slug}" for slug in slugs)}
    # exercise 04: end, stand-in: return set()


def review_names(review: Review) -> set[str]:
    """The product's page: its rating and latest reviews."""
    # exercise 04: step 4: the data that shows a review
    return {f"product:{review.product.slug}"}
    # exercise 04: end, stand-in: return set()


def products_sold(*, products, sold_out: set[int]) -> None:
    """A sale changes the stock on each product's page; only a product it sold out also
    changes the listing, the search results and the home page ("Sold out")."""
    # exercise 04: step 4: a sale retires the product's page; one that sells out, more
    names, pages = set(), set()
    for product in products:
        names.add(f"product:{product.slug}")
        pages.add(product.get_absolute_url())
        if product.pk in sold_out:
            names |= product_names(product)
            pages.add(product.category.get_absolute_url())
            if product.featured:
                pages.add("/")
    data_invalidate(names)
    # Stage 02's page files, narrowed the same way.
    pages_invalidate(pages)
    # exercise 04: end, stand-in: pass


NAMES_OF = {Product: product_names, Category: category_names, Review: review_names}


def _remember_names_before_save(sender, instance, **kwargs):
    # A new slug, category or featured flag moves data: what was shown before goes too.
    before = sender.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._names_before_save = NAMES_OF[sender](before) if before else set()


def _invalidate_after_save(sender, instance, **kwargs):
    data_invalidate(NAMES_OF[sender](instance) | getattr(instance, "_names_before_save", set()))


def _invalidate_after_delete(sender, instance, **kwargs):
    data_invalidate(NAMES_OF[sender](instance))


def signals_connect() -> None:
    for model in NAMES_OF:
        uid = f"storefront.{model.__name__}"
        pre_save.connect(_remember_names_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_invalidate_after_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_invalidate_after_delete, sender=model, dispatch_uid=uid)
