"""nginx's retries have bounds, or they snowball under a spike: a GET that a busy server
held until it failed must not be sent to the next busy server, a GET no two servers could
answer must not take a third, and one failure must not bench a server that answers.

A real nginx with this stage's deploy/nginx.conf.template, filled in by the stack (its
server lines as `workshop up` writes them), in front of made-up app servers that count
what reaches them (workshop/testing/upstreams.py).

    WORKSHOP_STACK_TESTS=1 workshop test 03 -- -k retries
"""

import time
import uuid
from collections import Counter

import pytest

from workshop.testing.upstreams import FakeApp, get

pytestmark = pytest.mark.stack

# The longest a GET may have been on its way before nginx gives up sending it on (the
# template's proxy_next_upstream_timeout). A slow server below holds a GET a second more.
RETRY_WINDOW_SECONDS = 5


def times_asked(apps, path: str) -> int:
    return sum(Counter(app.seen)[path] for app in apps)


def test_a_get_that_a_server_held_past_the_window_is_not_sent_to_another(nginx_before):
    """Both servers hold every GET past the window, then fail it. Sending it on would
    cost the second server the same work, as the first already spent it."""
    apps = [FakeApp(hold=RETRY_WINDOW_SECONDS + 1, dies=None) for _ in range(2)]
    port = nginx_before(*apps)
    path = f"/slow/{uuid.uuid4().hex}"
    started = time.monotonic()

    status = get(port, path)

    assert status == 502
    assert times_asked(apps, path) == 1, "the GET went to a second server"
    assert time.monotonic() - started < 2 * (RETRY_WINDOW_SECONDS + 1)


def test_a_get_goes_to_two_servers_at_most(nginx_before):
    """Three servers that fail every request at once: two see the GET, the third never."""
    apps = [FakeApp(dies=None) for _ in range(3)]
    port = nginx_before(*apps)
    path = f"/dies/{uuid.uuid4().hex}"

    assert get(port, path) == 502
    assert times_asked(apps, path) == 2


def test_a_get_that_failed_at_once_is_still_sent_on(nginx_before):
    """What the bounds keep: a server that fails a GET early costs the visitor nothing."""
    dying, good = FakeApp(dies=None), FakeApp()
    port = nginx_before(dying, good)

    statuses = [get(port, f"/early/{n}") for n in range(4)]

    assert statuses == [200] * 4
    assert dying.seen, "no GET reached the dying server"


def test_one_failure_does_not_bench_a_server(nginx_before):
    """A server that failed one request (a worker killed, a slow answer) keeps its turn:
    benched for 10 s at its first failure, as nginx's defaults would, its share would go
    to the others, as busy under a spike."""
    once, good = FakeApp(dies=1), FakeApp()
    port = nginx_before(once, good)
    assert get(port, "/first") == 200  # round robin starts at the first server
    assert once.seen == ["/first"], "the first GET did not go to the first server"

    statuses = [get(port, f"/next/{n}") for n in range(4)]

    assert statuses == [200] * 4
    assert len(once.seen) > 1, "one failure left the server out of the turn"
