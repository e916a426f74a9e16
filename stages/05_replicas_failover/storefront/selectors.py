"""Reads of the catalogue for the shop's pages."""

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, QuerySet

from workshop.catalogue.models import Category, Product, Review, stars

PAGE_SIZE = 24
SEARCH_RESULTS_MAX = 48
# Sort keys a visitor may ask for, and the ordering each one means.
SORTS = {"name": ("name", "pk"), "price": ("price", "pk"), "-price": ("-price", "pk")}


def category_list() -> QuerySet[Category]:
    return Category.objects.all()


def product_featured_list(*, limit: int = 12) -> QuerySet[Product]:
    return Product.objects.filter(featured=True).select_related("category")[:limit]


def product_page(*, category: Category, sort: str, page: str | int | None) -> Page:
    """One page of a category. Unknown sorts fall back to name; bad page numbers to the
    nearest real page, so no query string can make this fail."""
    ordering = SORTS.get(sort, SORTS["name"])
    products = Product.objects.filter(category=category).order_by(*ordering)
    return Paginator(products, PAGE_SIZE).get_page(page)


def review_summary(*, product: Product) -> dict:
    """How many reviews the product has and their average rating, as stars too."""
    summary = product.reviews.aggregate(count=Count("pk"), average=Avg("rating"))
    if summary["count"]:
        summary["stars"] = stars(summary["average"])
    return summary


def review_latest_list(*, product: Product, limit: int = 5) -> QuerySet[Review]:
    return product.reviews.all()[:limit]


def product_search(*, query: str) -> QuerySet[Product]:
    query = query.strip()
    if not query:
        return Product.objects.none()
    found = Product.objects.filter(name__icontains=query) | Product.objects.filter(
        brand__iexact=query
    )
    return found.select_related("category").order_by("name", "pk")[:SEARCH_RESULTS_MAX]
