"""The pages every visitor reads, as small functions the profiles share.

Requests are named after their URL pattern (``/p/[slug]/``), so locust's statistics
group them per view, and the names read like the shop's urls.py.
"""

import random

from workshop.load import locust_settings  # noqa: F401
from workshop.load.shopmap import ShopMap, cart_add_id, category_path

STYLESHEET = "/static/shop/shop.css"
# How visitors sort and page through a category: mostly the default, mostly page one.
SORTS = {"name": 60, "price": 25, "-price": 15}
PAGES = {1: 70, 2: 20, 3: 10}


def weighted_choice(weights: dict):
    return random.choices(list(weights), weights=list(weights.values()))[0]


def landing(client) -> None:
    """A new visitor: the home page and, once per visit, the stylesheet."""
    client.get("/", name="/")
    client.get(STYLESHEET, name=STYLESHEET)


def home(client) -> None:
    client.get("/", name="/")


def category(client, shop: ShopMap) -> None:
    slug = random.choice(shop.categories)
    sort, page = weighted_choice(SORTS), weighted_choice(PAGES)
    client.get(category_path(slug, sort=sort, page=page), name="/c/[slug]/")


def product(client, shop: ShopMap) -> int | None:
    """View a product; its id if the page offers to add it to the cart (in stock)."""
    response = client.get(f"/p/{random.choice(shop.products)}/", name="/p/[slug]/")
    return cart_add_id(response.text or "")


def search(client, shop: ShopMap) -> None:
    term = random.choice(shop.search_terms)
    client.get(f"/search/?q={term}", name="/search/")
