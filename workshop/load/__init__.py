"""Load profiles for locust: the shop's visitors, written once for every stage.

Each module here is a locustfile (``locust -f workshop/load/anonymous.py --host URL``):

- ``anonymous``: visitors who browse and search, never log in, carry no cookie.
- ``shoppers``: customers who add to the cart, log in at checkout, place orders and
  look for each new order on My orders (a stale read if it is missing).
- ``spike``: both of them under the TV segment's load shape.
- ``pages``: one product page with and without a session, to price the page cache.
- ``ceiling``: a static file through the web server: the load generator's own limit.
- ``rendered``: product pages and sorted listings with a session, no pause: what the
  app servers can render (stage 03's scaling).
- ``crowd``: browsers and shoppers together at a steady count (stage 03's drill).

They learn the shop's slugs and ids from its pages (``shopmap``), so they run against
any stage, native or in compose, given only its URL.
"""
