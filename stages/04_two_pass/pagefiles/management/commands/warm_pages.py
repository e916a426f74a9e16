"""``manage.py warm_pages``: write the page file of every safe URL before the crowd
arrives, so that the first visitors of each page do not all wait for Django."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import Client
from django.urls import reverse
from tqdm import tqdm

from pagefiles.files import page_file_path, url_is_safe
from workshop.catalogue.models import Category, Product


class Command(BaseCommand):
    help = "Write the page files of every safe URL: home, categories, products."

    def handle(self, *args, verbosity, **options):
        urls = [url for url in shop_urls() if url_is_safe(url)]
        # Through the whole stack of middleware, as a first visitor would: the page
        # files are written by the same code, with the same rules, as in production.
        visitor = Client(raise_request_exception=False, HTTP_HOST=host_allowed())
        failed = []
        # exercise 02: step 4: visit every url as a first-time visitor, with a progress bar
        for url in tqdm(urls, desc="Pages", unit="page", disable=verbosity == 0):
            visitor.cookies.clear()  # every page as a first-time visitor sees it
            if visitor.get(url).status_code != 200:
                failed.append(url)
        # exercise 02: end
        written = sum(1 for url in urls if (path := page_file_path(url)) and path.exists())
        if verbosity:
            self.stdout.write(
                f"{written} of {len(urls)} safe pages are files in {settings.PAGE_FILES_DIR}"
            )
        if failed:
            self.stderr.write(f"{len(failed)} pages failed, for example {failed[0]}")


def shop_urls():
    """The home page, every category's listing, every product's page."""
    # exercise 02: step 4: the URL of every page that could be a file
    yield reverse("home")
    for slug in Category.objects.values_list("slug", flat=True):
        yield reverse("category", kwargs={"slug": slug})
    for slug in Product.objects.values_list("slug", flat=True).iterator():
        yield reverse("product", kwargs={"slug": slug})
    # exercise 02: end, stand-in: yield from ()


def host_allowed() -> str:
    """A host name Django accepts (the test client's own, testserver, is refused)."""
    names = [h for h in settings.ALLOWED_HOSTS if h not in ("*", "") and not h.startswith(".")]
    return names[0] if names else "localhost"
