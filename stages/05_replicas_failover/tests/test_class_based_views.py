"""Step 1: the storefront's pages are class-based views that share one base, which does
the two passes for all of them."""

import pytest
from django.urls import resolve
from django.views import View

from workshop.testing.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]


def test_the_storefront_pages_are_class_based_views_sharing_one_base(client):
    """Home, a category, a product and a search: each a View subclass, and all of them
    subclasses of one base of the shop's own (where the two passes live)."""
    product = ProductFactory(featured=True)
    urls = ["/", product.category.get_absolute_url(), product.get_absolute_url(), "/search/"]
    classes = []
    for url in urls:
        status = client.get(url, {"q": "kaito"} if "search" in url else {}).status_code
        assert status == 200, f"{url} answered {status}: does its view's skeleton_data() work?"
        view_class = getattr(resolve(url).func, "view_class", None)
        assert view_class is not None, f"{url} is served by a function, not a class-based view"
        classes.append(view_class)

    shared = set.intersection(*(set(c.__mro__) for c in classes)) - set(View.__mro__)
    assert shared, "the four views share no base of their own: put the two passes in one"


def test_every_page_still_shows_its_data(client):
    """The class-based views show what the functions showed: products, listing, search."""
    product = ProductFactory(featured=True, name="Kaito Vista Classy")

    for url in ["/", product.category.get_absolute_url(), product.get_absolute_url()]:
        response = client.get(url)
        assert b"Kaito Vista Classy" in response.content, f"{url} lacks the product"
        assert getattr(resolve(url).func, "view_class", None), f"{url}: not a class"
    found = client.get("/search/", {"q": "classy"})
    assert b"Kaito Vista Classy" in found.content
    assert getattr(resolve("/search/").func, "view_class", None), "/search/: not a class"
