"""Forms as a browser posts them, for the in-process tests (Django's test client)."""

from html.parser import HTMLParser

from django.urls import reverse


class _HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


def hidden_fields(html: str) -> dict[str, str]:
    """Every hidden input of the page, by name: what a browser sends with the form."""
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.fields


def checkout_form(client) -> dict[str, str]:
    """Show ``client`` the checkout page; return what its form posts (the one-time key)."""
    response = client.get(reverse("checkout"))
    assert response.status_code == 200, f"the checkout page answered {response.status_code}"
    return hidden_fields(response.content.decode())
