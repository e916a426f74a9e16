"""Tracking parameters (workshop/tracking.py), and the same list in every stage's nginx
site: the map that picks the page file lets a query of tracking parameters alone through
as if there were none. The two lists must say the same, or a campaign link misses its page
file (a name nginx lacks) or gets a page Django would not have written for it (a name
Django lacks)."""

import re

import pytest
from django.conf import settings
from django.http import QueryDict

from workshop.stages import stage_list
from workshop.tracking import (
    TRACKING_NAMES,
    TRACKING_PREFIXES,
    is_tracking,
    query_known,
    query_without_tracking,
)

if not settings.configured:
    settings.configure()  # QueryDict reads DEFAULT_CHARSET

MAP_HEAD = 'map "$request_method:$cookie_sessionid:$args" $page_file {'
# Names a page knows, or that look like tracking parameters and are not.
NOT_TRACKING = [
    "page",
    "sort",
    "q",
    "from",
    "ref",
    "utm",
    "utmsource",
    "xutm_source",
    "UTM_SOURCE",
    "gclidx",
    "xgclid",
    "FBCLID",
    "ga",
    "mc_",
    "_g",
]


def page_file_stages():
    """The stages whose nginx site tries page files (02 on)."""
    stages = [s for s in stage_list() if MAP_HEAD in site_text(s)]
    assert [s.name[:2] for s in stages] == ["02", "03", "04", "05"]
    return stages


def site_text(stage) -> str:
    return (stage.path / "deploy" / "nginx.conf.template").read_text()


def page_file_regex(stage) -> str:
    """The one regular expression of the page-file map (its key in quotes, after ~)."""
    text = site_text(stage)
    block = text[text.index(MAP_HEAD) : text.index("}", text.index(MAP_HEAD))]
    (regex,) = re.findall(r'^\s*"~([^"]+)"', block, flags=re.MULTILINE)
    return regex


def tries_the_file(regex: str, *, args: str, method="GET", session="") -> bool:
    """As nginx's map does: the key "$request_method:$cookie_sessionid:$args". Its regex
    uses nothing that PCRE and Python's re read differently."""
    return re.search(regex, f"{method}:{session}:{args}") is not None


@pytest.fixture(params=page_file_stages(), ids=lambda s: s.name)
def regex(request) -> str:
    return page_file_regex(request.param)


def test_every_stage_has_the_same_map():
    assert len({page_file_regex(stage) for stage in page_file_stages()}) == 1


def test_the_map_names_exactly_the_python_list(regex):
    """The alternation of names in the regex, after the method and the empty session:
    each of TRACKING_NAMES, and each prefix as ``prefix[^&=]*``, and nothing else."""
    alternation = re.search(r"::\(\(([^()]+)\)", regex).group(1)
    expected = set(TRACKING_NAMES) | {f"{prefix}[^&=]*" for prefix in TRACKING_PREFIXES}

    assert set(alternation.split("|")) == expected


@pytest.mark.parametrize("name", [*sorted(TRACKING_NAMES), "utm_source", "utm_campaign", "utm_"])
@pytest.mark.parametrize("form", ["{}=tv", "{}=", "{}", "{}=a%26page%3D2", "{}=1;page=2"])
def test_a_query_of_tracking_parameters_alone_tries_the_file(regex, name, form):
    args = form.format(name)

    assert tries_the_file(regex, args=args), args
    assert tries_the_file(regex, args=args, method="HEAD"), args
    assert query_without_tracking(args) == [], "nginx and Django must agree"


@pytest.mark.parametrize(
    "args",
    [
        "",
        "utm_source=tv&utm_medium=broadcast&utm_campaign=spring",
        "fbclid=IwAR0abc&utm_source=facebook",
        "gclid=Cj0KCQ&_gl=1*abc*_ga*MTA",
        "utm_source=tv&",
    ],
)
def test_campaign_links_try_the_file(regex, args):
    assert tries_the_file(regex, args=args)
    assert query_without_tracking(args) == []


@pytest.mark.parametrize("name", NOT_TRACKING)
def test_any_other_parameter_goes_to_django(regex, name):
    for args in [f"{name}=tv", name, f"utm_source=tv&{name}=2", f"{name}=2&fbclid=x"]:
        assert not tries_the_file(regex, args=args), args
        assert query_without_tracking(args) != [], args


@pytest.mark.parametrize(
    "args",
    [
        "utm_source=tv&page=2",
        "page=2&utm_source=tv",
        "fbclid=x&sort=price",
        "utm_source=tv&&page=2",
        "&page=2",
        "=utm_source",
        "utm%5Fsource=tv&page=2",
    ],
)
def test_tracking_parameters_beside_another_go_to_django(regex, args):
    assert not tries_the_file(regex, args=args)


def test_only_an_anonymous_get_or_head_tries_the_file(regex):
    assert not tries_the_file(regex, args="utm_source=tv", method="POST")
    assert not tries_the_file(regex, args="utm_source=tv", session="abc")
    assert not tries_the_file(regex, args="", session="abc")
    assert not tries_the_file(regex, args="", method="PUT")


def test_what_nginx_lets_through_django_reads_as_tracking_alone(regex):
    """Wherever the two could differ (encodings, empty pairs), nginx may send a campaign
    link to Django, never the other way: a query it lets through to the page file is one
    that Django reads as tracking parameters alone."""
    pieces = ["utm_source=tv", "fbclid=1", "page=2", "", "utm%5Fsource=1", "_ga", "x=utm_a"]
    queries = {"&".join([a, b, c]) for a in pieces for b in pieces for c in pieces}
    for args in queries:
        if tries_the_file(regex, args=args):
            assert query_without_tracking(args) == [], args


# workshop/tracking.py itself.


@pytest.mark.parametrize("name", ["utm_source", "utm_content", "gclid", "fbclid", "_ga", "_gl"])
def test_tracking_names(name):
    assert is_tracking(name)


@pytest.mark.parametrize("name", NOT_TRACKING)
def test_names_that_are_not_tracking(name):
    assert not is_tracking(name)


def test_query_without_tracking_keeps_the_rest_in_its_order():
    query = "utm_source=tv&sort=price&fbclid=x&page=2&sort=name&q="

    assert query_without_tracking(query) == [
        ("sort", "price"),
        ("page", "2"),
        ("sort", "name"),
        ("q", ""),
    ]
    assert query_without_tracking("utm_source=tv&gclid=1") == []
    assert query_without_tracking("") == []


def test_query_without_tracking_reads_the_query_as_django_does():
    query = "utm%5Fsource=tv&q=caf%C3%A9+tv&x=a%26b"

    assert query_without_tracking(query) == [("q", "café tv"), ("x", "a&b")]


def test_query_known_orders_the_known_parameters_and_drops_the_rest():
    known = {"sort", "page"}

    assert query_known("page=2&sort=price&utm_source=tv&junk=1", known) == "page=2&sort=price"
    assert query_known("sort=price&page=2", known) == query_known("page=2&sort=price", known)
    assert query_known("utm_source=tv&junk=1", known) == ""
    assert query_known("", known) == ""


@pytest.mark.parametrize("query", ["page=2&page=3", "sort=name&page=1&sort=price", "page=&page=4"])
def test_query_known_keeps_the_value_the_view_reads(query):
    """A key must name the page the view renders: a view reads request.GET.get(name),
    which is the name's last value. A key made of another value would store page 3
    under page 2's name."""
    known = {"sort", "page"}
    expected = {name: QueryDict(query).get(name) for name in known if name in QueryDict(query)}

    assert dict(QueryDict(query_known(query, known)).items()) == expected
