"""What the load profiles read from the shop's pages: HTML as stage 01 renders it."""

import pytest

from workshop.forms import hidden_field
from workshop.load.shopmap import (
    ShopMap,
    cart_add_id,
    category_path,
    category_slugs,
    csrf_token,
    product_cards,
    search_terms,
    shop_map_load,
    shop_map_save,
)

HOME = """
<ul class="categories">
<li><a href="/c/cables-and-chargers/">Cables and Chargers</a></li>
<li><a href="/c/cameras/">Cameras</a></li>
</ul>
<a href="/c/cameras/">Cameras again</a>
"""
# Three cards of /c/televisions/: in stock, sold out (no cart link), in stock.
CARDS = """
<div class="grid"><article class="card">
  <h3><a href="/p/kaito-aurora-b474-65-in-138/">Kaito Aurora B474 65 in</a></h3>
  <p class="brand">Kaito</p>
  <p class="price">£1,562.99</p>
    <a class="button" href="/cart/add/139/">Add to cart</a>
</article>
<article class="card">
  <h3><a href="/p/kaito-aurora-b262-50-in-186/">Kaito Aurora B262 50 in</a></h3>
  <p class="brand">Kaito</p>
  <p class="price">£2,040.99</p>
    <p class="stock out">Sold out</p>
</article>
<article class="card">
  <h3><a href="/p/nordvik-vista-b775-43-in-26/">Nordvik Vista B775 43 in</a></h3>
  <p class="brand">Nordvik</p>
  <p class="price">£2,973.99</p>
    <a class="button" href="/cart/add/27/">Add to cart</a>
</article>
"""


def test_category_slugs_come_once_each_in_page_order():
    assert category_slugs(HOME) == ["cables-and-chargers", "cameras"]


def test_category_urls_are_the_ones_the_pages_link_to():
    # A plain link from the home page, a sort link, a pagination link.
    assert category_path("tvs") == "/c/tvs/"
    assert category_path("tvs", sort="-price") == "/c/tvs/?sort=-price"
    assert category_path("tvs", sort="name", page=2) == "/c/tvs/?sort=name&page=2"


def test_a_sold_out_card_gives_its_slug_but_no_id_and_takes_no_neighbours_id():
    assert product_cards(CARDS) == [
        ("kaito-aurora-b474-65-in-138", 139),
        ("kaito-aurora-b262-50-in-186", None),
        ("nordvik-vista-b775-43-in-26", 27),
    ]


def test_search_terms_are_brands_and_product_lines():
    assert search_terms(CARDS) == ["Aurora", "Kaito", "Nordvik", "Vista"]


def test_a_product_page_in_stock_names_its_id_and_a_sold_out_one_none():
    in_stock = '<p class="stock">In stock</p><a class="button" href="/cart/add/139/">Add</a>'

    assert cart_add_id(in_stock) == 139
    assert cart_add_id('<p class="stock out">Sold out</p>') is None


def test_the_csrf_token_comes_from_the_form_field():
    form = '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="abc123">'

    assert csrf_token(form) == "abc123"


def test_the_checkout_key_comes_from_its_hidden_field():
    key = "0b7e3f6a-5d2c-4c1e-9a8f-2e4d6c8b1a90"
    form = (
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="abc123">'
        f'<input type="hidden" name="checkout_key" value="{key}" id="id_checkout_key">'
    )

    assert hidden_field(form, "checkout_key") == key
    with pytest.raises(ValueError, match="no quantity field"):
        hidden_field(form, "quantity")


def test_a_shop_map_survives_the_trip_through_its_file(tmp_path):
    shop = ShopMap(
        ["tvs"], ["a-tv", "b-tv"], ["Kaito"], cart_session="s3ss10n", customer_cookies="sessionid=c"
    )
    shop_map_save(shop, tmp_path / "shop.json")

    assert shop_map_load(tmp_path / "shop.json") == shop
