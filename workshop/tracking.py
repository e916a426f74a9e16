"""Tracking parameters: what ad and social links add to a shop's URL (?utm_source=tv,
?fbclid=…). They say where a visitor came from and never change the page, so no cache may
key on them: a TV audience arrives by exactly such links, and every new value would render
the page from scratch and store one more copy of it.

The same list is written in each stage's nginx site (deploy/nginx.conf.template, the map
that picks the page file); tests/tooling/test_tracking.py keeps the two in step.
"""

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

# utm_source, utm_medium, utm_campaign, utm_term, utm_content, utm_id, ...
TRACKING_PREFIXES = ("utm_",)
# Google, Microsoft, Meta, Instagram, Mailchimp, Yandex, and Google Analytics' linker.
TRACKING_NAMES = frozenset(
    {"gclid", "gbraid", "wbraid", "dclid", "msclkid", "fbclid", "igshid", "mc_cid", "mc_eid"}
    | {"yclid", "_ga", "_gl"}
)


def is_tracking(name: str) -> bool:
    return name in TRACKING_NAMES or name.startswith(TRACKING_PREFIXES)


def query_without_tracking(query_string: str) -> list[tuple[str, str]]:
    """The query's parameters in their order, less the tracking ones."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return [(name, value) for name, value in pairs if not is_tracking(name)]


def query_known(query_string: str, known: Iterable[str]) -> str:
    """The query as a cache may key on it: only the ``known`` parameters, each once (its
    last value, the one Django's QueryDict.get reads, so the key names the page the view
    renders), in a fixed order. Tracking and unknown parameters, and their order, make no
    new entry."""
    last = dict(parse_qsl(query_string, keep_blank_values=True))
    return urlencode([(name, last[name]) for name in sorted(known) if name in last])
