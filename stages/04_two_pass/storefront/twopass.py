"""Two passes. Pass one renders a page with no visitor in it (no request, so no user, no
cart and no CSRF token) and leaves a placeholder where each of the visitor's parts goes;
its result, the skeleton, is cached and shared. Pass two, on every request, renders this
visitor's parts from small templates and puts them into the placeholders. No JavaScript.

A placeholder is an HTML comment holding a marker derived from SECRET_KEY, so every app
server agrees on it and nobody outside can guess it. Content cannot forge one either:
pass one escapes it, so a "<!--" in a product name reaches the skeleton as "&lt;!--".
"""

import re

from django.template import Context, engines
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

# The visitor's parts: name -> the small template pass two renders it from.
PARTS = {
    "account": "storefront/visitor/account.html",
    "cart_count": "storefront/visitor/cart_count.html",
    "messages": "storefront/visitor/messages.html",
}
# In pass one's context: put placeholders where the visitor's parts go.
PASS_ONE = "pass_one"


def placeholder_marker() -> str:
    return salted_hmac("storefront.twopass.placeholder", "marker").hexdigest()[:24]


def placeholder(part: str) -> str:
    """What pass one writes where ``part`` goes."""
    # exercise 04: step 2: the placeholder of a part: an HTML comment with the marker
    return f"<!--visitor:{placeholder_marker()}:{part}-->"
    # exercise 04: end, stand-in: return ""


def _engine():
    return engines["django"].engine


def visitor_part(context, part: str) -> str:
    """The {% visitor %} tag: a placeholder in pass one; the part itself in a page
    rendered for one visitor (the cart, checkout), from the same small template."""
    if context.get(PASS_ONE):
        return mark_safe(placeholder(part))
    return _engine().get_template(PARTS[part]).render(context)


def visitor_context(request) -> dict:
    """What the parts show of the visitor: their user, cart count, messages and CSRF token,
    from the context processors of settings.TEMPLATES (and Django's own CSRF one)."""
    # exercise 04: step 3: run each context processor once (one user, one cart count)
    values = {}
    for processor in _engine().template_context_processors:
        values.update(processor(request))
    return values
    # exercise 04: end, stand-in: return {}


def visitor_parts_fill(skeleton: str, request) -> str:
    """Pass two: this visitor's parts in the skeleton's placeholders."""
    # exercise 04: step 2: render each part the skeleton holds, once, and put it in its place
    pattern = re.compile(f"<!--visitor:{placeholder_marker()}:({'|'.join(PARTS)})-->")
    names = set(pattern.findall(skeleton))
    if not names:
        return skeleton
    values = visitor_context(request)
    parts = {name: _engine().get_template(PARTS[name]).render(Context(values)) for name in names}
    return pattern.sub(lambda match: parts[match[1]], skeleton)
    # exercise 04: end, stand-in: return skeleton
