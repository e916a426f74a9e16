"""A page's forms as a browser reads them: where each POST form submits to, and the
hidden inputs it sends along (the CSRF token, a checkout's one-time key). The one parser
of the tests, the load profiles and the benchmarks."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Form:
    action: str | None  # None: the form submits to its own page
    hidden: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self.hidden: dict[str, str] = {}  # every hidden input of the page, in or out of a form
        self.current: Form | None = None  # the POST form being read

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = None
            if (attrs.get("method") or "").lower() == "post":
                self.current = Form(attrs.get("action"))
                self.forms.append(self.current)
        elif tag == "input" and (attrs.get("type") or "").lower() == "hidden" and attrs.get("name"):
            value = attrs.get("value") or ""
            self.hidden[attrs["name"]] = value
            if self.current is not None:
                self.current.hidden[attrs["name"]] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def _parsed(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


def page_forms(html: str) -> list[Form]:
    """The page's POST forms, in their order."""
    return _parsed(html).forms


def hidden_fields(html: str) -> dict[str, str]:
    """Every hidden input of the page, by name."""
    return _parsed(html).hidden


def hidden_field(html: str, name: str) -> str:
    """The value of the page's hidden input ``name``; ValueError when there is none."""
    value = hidden_fields(html).get(name)
    if not value:
        raise ValueError(f"no {name} field in the page")
    return value


def form_hidden_inputs(page: str, *, page_path: str, action: str) -> dict[str, str] | None:
    """The hidden inputs of the first POST form on the page that submits to ``action``;
    None when there is none. A form without an action submits to its own page."""
    for form in page_forms(page):
        if urlsplit(urljoin(page_path, form.action or page_path)).path == action:
            return form.hidden
    return None
