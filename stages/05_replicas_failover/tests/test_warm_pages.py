"""Step 4: before the crowd arrives, one command writes the page file of every safe URL."""

import pytest
from django.core.management import call_command

from workshop.testing.factories import CategoryFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]


@pytest.fixture
def shop():
    categories = CategoryFactory.create_batch(2)
    products = [ProductFactory(category=c) for c in categories for _ in range(3)]
    return categories, products


def test_warming_up_writes_the_home_page_every_listing_and_every_product(page_files, shop):
    categories, products = shop

    call_command("warm_pages", verbosity=0)

    urls = ["/", *(c.get_absolute_url() for c in categories)]
    urls += [p.get_absolute_url() for p in products]
    assert page_files.all() == {page_files.of(url) for url in urls}


def test_a_warmed_page_is_the_page_a_visitor_gets(page_files, shop, anonymous):
    _, products = shop
    url = products[0].get_absolute_url()

    call_command("warm_pages", verbosity=0)

    assert page_files.of(url).read_bytes() == anonymous.get(url).content


def test_warming_up_writes_only_what_is_on_the_safe_list(page_files, shop, settings):
    settings.PAGE_FILES_SAFE_URLS = [r"/"]

    call_command("warm_pages", verbosity=0)

    assert page_files.all() == {page_files.of("/")}


def test_warming_up_shows_its_progress(page_files, shop, capsys):
    """Thousands of pages take a while: a progress bar (tqdm) says how far it is."""
    call_command("warm_pages")

    assert "9/9" in capsys.readouterr().err
