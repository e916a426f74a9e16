"""The pages every visitor reads, as small functions the profiles share.

Requests are named after their URL pattern (``/p/[slug]/``), so locust's statistics
group them per view, and the names read like the shop's urls.py. The names also keep
apart what stage 02 can serve from its page files (a safe page, no query string, no
session) and what always reaches Django: a sorted or paged listing is
``/c/[slug]/?sort``, and a page asked for with a session cookie ends in ``(session)``.
"""

import random

from workshop.load import locust_settings  # noqa: F401
from workshop.load.shopmap import (
    SESSION,
    ShopMap,
    cart_add_id,
    category_path,
    page_title,
    stock_shown,
)

STYLESHEET = "/static/shop/shop.css"
CATEGORY, CATEGORY_SORTED = "/c/[slug]/", "/c/[slug]/?sort"  # paging links carry ?sort too
# A visitor reaches a category by its plain link (the home page and every product's
# breadcrumb link it so); half of them then click once more on the listing: a sort link
# (the segment was about cheap televisions) or the next page, as (sort, page).
FOLLOW_UPS = {None: 50, ("price", 1): 20, ("-price", 1): 10, ("name", 2): 20}


def weighted_choice(weights: dict):
    return random.choices(list(weights), weights=list(weights.values()))[0]


def page_name(client, name: str) -> str:
    """The name, marked if the visitor carries a session cookie: nginx then sends even a
    safe page to Django (stage 02), and stage 01's page cache renders it afresh."""
    has_session = any(cookie.name == "sessionid" for cookie in client.cookiejar)
    return name + SESSION if has_session else name


def landing(client, via: str | None = None) -> None:
    """A new visitor: the home page (by the link ``via``, if given) and, once per visit,
    the stylesheet."""
    if via:
        client.get(via, name=via)
    else:
        home(client)
    client.get(STYLESHEET, name=STYLESHEET)


def home(client) -> None:
    client.get("/", name=page_name(client, "/"))


def category(client, shop: ShopMap, *, wait) -> None:
    """A category's plain listing; then, for some, one more click on it after ``wait()``
    (the user's reading time)."""
    slug = random.choice(shop.categories)
    client.get(f"/c/{slug}/", name=page_name(client, CATEGORY))
    follow_up = weighted_choice(FOLLOW_UPS)
    if follow_up is None:
        return
    wait()
    sort, page = follow_up
    client.get(category_path(slug, sort=sort, page=page), name=CATEGORY_SORTED)


def product(client, shop: ShopMap, *, seen: dict | None = None) -> int | None:
    """View a product; its id if the page offers to add it to the cart (in stock).
    ``seen``: where to note, by the product's name, its slug and the stock the page said."""
    slug = random.choice(shop.products)
    response = client.get(f"/p/{slug}/", name=page_name(client, "/p/[slug]/"))
    html = response.text or ""
    if seen is not None and (name := page_title(html)) and (stock := stock_shown(html)):
        seen[name] = (slug, stock)
    return cart_add_id(html)


def search(client, shop: ShopMap) -> None:
    term = random.choice(shop.search_terms)
    client.get(f"/search/?q={term}", name="/search/")
