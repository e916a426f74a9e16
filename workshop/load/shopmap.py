"""What the load profiles need to know about a running shop, read from its own pages.

Scraping the pages (rather than reading the database) lets the profiles run against
any stack given only its URL. ``workshop bench`` discovers once, before it measures,
and hands the result to locust in a JSON file named by ``WORKSHOP_SHOP_MAP``, so the
discovery requests never count in a measurement.
"""

import json
import os
import re
import threading
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from http.cookiejar import CookieJar

from workshop.catalogue.seed import DEMO_CUSTOMERS, DEMO_PASSWORD
from workshop.forms import hidden_field

SHOP_MAP_ENV = "WORKSHOP_SHOP_MAP"
PAGES_PER_CATEGORY = 2  # about a thousand products: variety for the cache, few requests
PROBE_PRODUCTS = 100  # the product pages that the page-cost probes (pages.py) request
# The TV campaign's link, with a parameter of its own, so nginx has no page file for it
# (stage 02 on) and Django answers. Tracking parameters alone (?utm_source=tv) would get
# the plain page's file: workshop/tracking.py.
CAMPAIGN = "?from=tv"
# How a request asked for with a session cookie is named (browsing.py), so the bench's
# analysis tells it from the page files' requests.
SESSION = " (session)"

_CATEGORY_LINK = re.compile(r'href="/c/([\w-]+)/"')
_CARD = re.compile(r'<article class="card">(.*?)</article>', re.DOTALL)
_PRODUCT_LINK = re.compile(r'href="/p/([\w-]+)/"')
_CART_ADD_LINK = re.compile(r'href="/cart/add/(\d+)/"')
_PRODUCT_NAME = re.compile(r'<h3><a href="/p/[\w-]+/">([^<]+)</a></h3>')
_BRAND = re.compile(r'<p class="brand">([^<]+)</p>')


@dataclass(frozen=True)
class ShopMap:
    categories: list[str]  # slugs
    products: list[str]  # slugs, in stock or sold out
    search_terms: list[str]
    cart_session: str  # session cookie of a visitor with one product in the cart
    # The Cookie header of a logged-in customer with one product in the cart (stage 04's
    # case: every page of theirs has their name, their cart count, their CSRF token).
    customer_cookies: str

    def probe_products(self) -> list[str]:
        return self.products[:PROBE_PRODUCTS]


def category_slugs(html: str) -> list[str]:
    return list(dict.fromkeys(_CATEGORY_LINK.findall(html)))


def product_cards(html: str) -> list[tuple[str, int | None]]:
    """(slug, id) of each product card; the id only if the card offers the cart."""
    cards = []
    for card in _CARD.findall(html):
        slug, cart_add = _PRODUCT_LINK.search(card), _CART_ADD_LINK.search(card)
        if slug:
            cards.append((slug.group(1), int(cart_add.group(1)) if cart_add else None))
    return cards


def cart_add_id(html: str, default=None) -> int | None:
    """The product id of a page's add-to-cart link (a product page in stock)."""
    match = _CART_ADD_LINK.search(html)
    return int(match.group(1)) if match else default


def search_terms(html: str) -> list[str]:
    """Brands (an exact match) and product lines, the second word of a name (a
    substring match), as a visitor would type them."""
    brands = _BRAND.findall(html)
    lines = [name.split()[1] for name in _PRODUCT_NAME.findall(html) if len(name.split()) > 1]
    return sorted(set(brands) | set(lines))


def category_path(slug: str, *, sort: str = "name", page: int = 1) -> str:
    """The URL a visitor's click gives, as the templates write the links: the plain
    category link, a sort link (``?sort=``) or a pagination link (``&page=``)."""
    if page > 1:
        return f"/c/{slug}/?sort={sort}&page={page}"
    if sort != "name":
        return f"/c/{slug}/?sort={sort}"
    return f"/c/{slug}/"


ORDERS = "/orders/"  # My orders
# How a shopper's failure begins when a page shows what a change just made untrue: a new
# order missing from My orders, or a product page's stock from before a sale.
STALE_READ = "stale read"
# A product page read by a visitor with no cookie right after a sale: what stage 05 may
# read from a replica. Named apart from the browsing, so it has its own statistics.
STOCK_CHECK = "/p/[slug]/ after a sale"
LOW_STOCK = 10  # below it a product page says "only N left"; from it, "In stock"
_STOCK_LEFT = re.compile(r'<p class="stock">In stock: only (\d+) left</p>')
_IN_STOCK = '<p class="stock">In stock</p>'
_SOLD_OUT = '<p class="stock out">Sold out</p>'
_PAGE_TITLE = re.compile(r"<h1>(.*?)</h1>")
_ORDER_LINE = re.compile(r"<tr><td>(.*?)</td><td>[^<]*</td><td>(\d+)</td>")


def stock_shown(html: str) -> int | None:
    """The least stock a product page says there is: N for "only N left", LOW_STOCK for
    a plain "In stock", 0 for "Sold out"; None for a page that says none of these."""
    if match := _STOCK_LEFT.search(html):
        return int(match.group(1))
    if _IN_STOCK in html:
        return LOW_STOCK
    return 0 if _SOLD_OUT in html else None


def page_title(html: str) -> str | None:
    """A product page's name (its heading), as an order's lines name the product."""
    match = _PAGE_TITLE.search(html)
    return match.group(1) if match else None


def order_lines(html: str) -> dict[str, int]:
    """An order's page: {product name: quantity}."""
    return {name: int(quantity) for name, quantity in _ORDER_LINE.findall(html)}


def order_listed(html: str, order_url: str) -> bool:
    """Whether My orders (``html``) links to the order at ``order_url`` (the checkout's
    redirect, absolute or not): the order is there."""
    path = urllib.parse.urlsplit(order_url).path
    return f'href="{path}"' in html


def csrf_token(html: str) -> str:
    return hidden_field(html, "csrfmiddlewaretoken")


def shop_discover(base_url: str) -> ShopMap:
    base_url = base_url.rstrip("/")
    categories = category_slugs(_get(f"{base_url}/"))
    if not categories:
        raise RuntimeError(f"{base_url}/ links to no category: is the shop seeded?")
    cards, terms = [], set()
    for slug in categories:
        for page in range(1, PAGES_PER_CATEGORY + 1):
            html = _get(f"{base_url}/c/{slug}/?page={page}")
            cards += product_cards(html)
            terms.update(search_terms(html))
    in_stock = next(pk for _, pk in cards if pk is not None)
    return ShopMap(
        categories=categories,
        products=list(dict.fromkeys(slug for slug, _ in cards)),
        search_terms=sorted(terms),
        cart_session=cart_session_create(base_url, product_id=in_stock),
        customer_cookies=customer_cookies_create(base_url, product_id=in_stock),
    )


def cart_session_create(base_url: str, *, product_id: int) -> str:
    """Put one product in a new visitor's cart, as a browser does; return its session."""
    jar = CookieJar()
    _cart_add(_opener(jar), base_url.rstrip("/"), product_id)
    return _session_cookie(jar)


def customer_cookies_create(base_url: str, *, product_id: int) -> str:
    """Log in as the last demo customer and put one product in their cart, as a browser
    does; return the browser's Cookie header (session and CSRF cookies)."""
    return customer_login(base_url, DEMO_CUSTOMERS[-1], product_id=product_id)


def customer_login(base_url: str, username: str, *, product_id: int | None = None) -> str:
    """Log in as a demo customer (and put a product in their cart, if given), as a
    browser does; return the browser's Cookie header (session and CSRF cookies)."""
    jar, base_url = CookieJar(), base_url.rstrip("/")
    opener = _opener(jar)
    login = {"username": username, "password": DEMO_PASSWORD}
    _form_post(opener, f"{base_url}/accounts/login/", login)
    if product_id is not None:
        _cart_add(opener, base_url, product_id)
    _session_cookie(jar)
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def _cart_add(opener, base_url: str, product_id: int) -> None:
    fields = {"product_id": product_id, "quantity": 1}
    _form_post(opener, f"{base_url}/cart/add/{product_id}/", fields)


def _opener(jar: CookieJar):
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def _form_post(opener, url: str, fields: dict) -> None:
    """GET the form's page for its CSRF token, then POST the form, as a browser does."""
    with opener.open(url, timeout=30) as response:
        token = csrf_token(response.read().decode())
    form = {"csrfmiddlewaretoken": token, **fields}
    with opener.open(url, data=urllib.parse.urlencode(form).encode(), timeout=30):
        pass


def _session_cookie(jar: CookieJar) -> str:
    for cookie in jar:
        if cookie.name == "sessionid":
            return cookie.value
    raise RuntimeError("the shop gave no session cookie: is it seeded, and up?")


def pages_warm(base_url: str, paths: list[str]) -> None:
    """Request each page once without a session, so the page cache holds it."""
    for path in paths:
        _get(f"{base_url.rstrip('/')}{path}")


def shop_map_save(shop: ShopMap, path) -> None:
    with open(path, "w") as f:
        json.dump(asdict(shop), f)


def shop_map_load(path) -> ShopMap:
    with open(path) as f:
        return ShopMap(**json.load(f))


_lock = threading.Lock()  # gevent-patched inside locust: one discovery per process
_shops: dict[str, ShopMap] = {}


def shop_for(base_url: str) -> ShopMap:
    """The shop map from ``WORKSHOP_SHOP_MAP`` if set, else discovered once per process."""
    with _lock:
        if base_url not in _shops:
            path = os.environ.get(SHOP_MAP_ENV)
            _shops[base_url] = shop_map_load(path) if path else shop_discover(base_url)
        return _shops[base_url]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()
