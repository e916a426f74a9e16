"""Level one: the data the pages are built from, each piece cached under the versions of
what it holds, so pass one (level two) rebuilds a page from here, not from the database.

The names of the versions (storefront/invalidation.py bumps them):
  product:<slug>    a product, its rating and latest reviews (and its category's name)
  category:<slug>   a category and the products listed in it (name, price, in stock?)
  tree              the categories
  featured          the featured products
  search            every product a search may find
"""

from dataclasses import dataclass

from workshop.catalogue.models import Category, Product

from . import selectors
from .caching import cached


@dataclass(frozen=True)
class Listing:
    """One page of a category, plain enough to cache; reads like Django's Page to the
    templates (storefront/_pagination.html)."""

    object_list: list[Product]
    number: int
    num_pages: int

    def __iter__(self):
        return iter(self.object_list)

    @property
    def paginator(self):
        return self

    def has_previous(self):
        return self.number > 1

    def has_next(self):
        return self.number < self.num_pages

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


def product_data(*, slug: str) -> dict | None:
    # exercise 04: step 4: the product's data, cached under the version of product:<slug>
    return cached(
        kind="product", identity=slug, names=[f"product:{slug}"], build=lambda: _product(slug)
    )
    # exercise 04: end, stand-in: return _product(slug)


def listing_shown(sort: str | None, page: str | None) -> tuple[str, int]:
    """The sort and page number a listing shows for what a visitor asked, read as
    selectors.product_page reads them: an unknown sort is by name, a page number that is no
    integer the first page, one below 1 the last (0 here). So all the ways of asking for
    one page share its cache entries; only each number past the last page has its own."""
    sort = sort if sort in selectors.SORTS else "name"
    try:
        return sort, max(int(page), 0)
    except (TypeError, ValueError):
        return sort, 1


def category_data(*, slug: str, sort: str, page: int) -> dict | None:
    """A category and one page of its listing: ``sort`` and ``page`` as listing_shown()
    reads what the visitor gave, so that odd ones share the entry of the page they show."""
    # exercise 04: step 4: one page of the listing, cached under the version of category:<slug>
    return cached(
        kind="listing",
        identity=f"{slug}?sort={sort}&page={page}",
        names=[f"category:{slug}"],
        build=lambda: _category(slug, sort, page),
    )
    # exercise 04: end, stand-in: return _category(slug, sort, page)


def category_tree() -> list[Category]:
    # exercise 04: step 4: the categories, cached under the version of tree
    return cached(kind="tree", identity="", names=["tree"], build=_tree)
    # exercise 04: end, stand-in: return _tree()


def featured_list() -> list[Product]:
    # exercise 04: step 4: the featured products, cached under the version of featured
    return cached(kind="featured", identity="", names=["featured"], build=_featured)
    # exercise 04: end, stand-in: return _featured()


def search_results(*, query: str) -> list[Product]:
    build = lambda: list(selectors.product_search(query=query))  # noqa: E731
    return cached(kind="search", identity=query, names=["search"], build=build)


# What each entry holds, read from the database: lists, not querysets, so that what is
# cached is the rows themselves.


def _product(slug: str) -> dict | None:
    product = Product.objects.select_related("category").filter(slug=slug).first()
    if product is None:
        return None
    return {
        "product": product,
        "reviews": list(selectors.review_latest_list(product=product)),
        "rating": selectors.review_summary(product=product),
    }


def _category(slug: str, sort: str, page: int) -> dict | None:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        return None
    found = selectors.product_page(category=category, sort=sort, page=page)
    listing = Listing(list(found), found.number, found.paginator.num_pages)
    return {"category": category, "page": listing}


def _tree() -> list[Category]:
    return list(selectors.category_list())


def _featured() -> list[Product]:
    return list(selectors.product_featured_list())
