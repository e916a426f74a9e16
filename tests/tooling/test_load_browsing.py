"""How the load profiles' visitors click through a category, and how their requests are
named: plain listings, sorted or paged ones, and pages asked for with a session apart.

The visits run in a child process: importing a locustfile imports locust, which patches
the standard library for gevent, and the test process must not inherit that.
"""

import json
import subprocess
import sys

import pytest

VISITS = 2000
SCRIPT = """
import json, random, sys
from http.cookiejar import Cookie, CookieJar

from workshop.load import browsing
from workshop.load.shopmap import ShopMap


class Client:
    def __init__(self, session):
        self.cookiejar, self.log = CookieJar(), []
        if session:
            self.cookiejar.set_cookie(Cookie(
                0, "sessionid", "s", None, False, "shop", False, False, "/", True, False,
                None, False, None, None, {},
            ))

    def get(self, path, *, name):
        self.log.append(["get", path, name])


random.seed(2)
shop = ShopMap(
    ["tvs", "cameras"], ["a-tv"], ["Kaito"], cart_session="s", customer_cookies="sessionid=c"
)
client = Client(session=sys.argv[1] == "session")
for _ in range(int(sys.argv[2])):
    client.log.append(["visit"])
    browsing.category(client, shop, wait=lambda: client.log.append(["wait"]))
print(json.dumps(client.log))
"""


def category_visits(*, session: bool, visits: int = VISITS) -> list[list[list[str]]]:
    """Each visit's steps: ["get", path, name] and ["wait"]."""
    argv = [sys.executable, "-c", SCRIPT, "session" if session else "none", str(visits)]
    log = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
    visits_steps, current = [], None
    for step in log:
        if step == ["visit"]:
            current = []
            visits_steps.append(current)
        else:
            current.append(step)
    return visits_steps


@pytest.fixture(scope="module")
def visits():
    return category_visits(session=False)


def test_every_category_visit_starts_with_the_plain_link(visits):
    firsts = [visit[0] for visit in visits]

    assert all(name == "/c/[slug]/" and path.count("/") == 3 for _, path, name in firsts)
    assert all("?" not in path for _, path, _ in firsts)


def test_a_re_sort_or_next_page_comes_after_reading_the_listing_on_the_same_category(visits):
    followed = [visit for visit in visits if len(visit) > 1]

    for first, wait, again in followed:
        assert wait == ["wait"]
        assert again[1].startswith(first[1] + "?sort=") and again[2] == "/c/[slug]/?sort"
    assert {again[1].split("?")[1] for _, _, again in followed} == {
        "sort=price", "sort=-price", "sort=name&page=2",
    }  # fmt: skip


def test_about_half_the_visitors_click_once_more(visits):
    followed = sum(len(visit) > 1 for visit in visits)

    assert 0.45 < followed / len(visits) < 0.55
    assert max(len(visit) for visit in visits) == 3  # never more than one more click


def test_a_listing_asked_for_with_a_session_is_named_apart_from_the_safe_page():
    visit = category_visits(session=True, visits=1)[0]

    assert visit[0][2] == "/c/[slug]/ (session)"
