"""A change that lands while a page is being rendered: the page, rendered from the old
data, must not stay behind as a file. Not part of the exercise's check (a first emergency
fix can live with this race); stage 02 closes it with the page versions."""

from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.urls import include, path

from workshop.testing.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_a_page_rendered_before_a_change_and_written_after_it_is_removed(
    anonymous, page_files, settings, django_capture_on_commit_callbacks
):
    """The positive control comes last: the page rendered from the new data is written."""
    product = ProductFactory(price=Decimal("499.99"))

    def slow_product_page(request, slug):
        page = f"<p>{product.price}</p>".encode()  # rendered from the old data…
        with django_capture_on_commit_callbacks(execute=True):  # …as the admin commits
            product.price = Decimal("1.23")
            product.save()
        return HttpResponse(page)

    class SlowShop:
        urlpatterns = [path("p/<slug:slug>/", slow_product_page), path("", include("shop.urls"))]

    settings.ROOT_URLCONF = SlowShop

    url = product.get_absolute_url()
    assert anonymous.get(url).content == b"<p>499.99</p>"
    assert not page_files.of(url).exists(), "a page rendered before the change stayed a file"
    settings.ROOT_URLCONF = "shop.urls"
    page_files.written_by(anonymous, url)  # the next render, from the new data, is written
    assert b"1.23" in page_files.of(url).read_bytes()
