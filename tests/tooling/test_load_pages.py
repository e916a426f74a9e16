"""What the probes of workshop/load/pages.py ask for: each user class one kind of page, so
that the CPU per request of its run is that page's. Run in a child process: importing a
locustfile imports locust, which patches the standard library for gevent."""

import json
import subprocess
import sys

SCRIPT = """
import json, random
from types import SimpleNamespace

from workshop.load import pages

random.seed(1)
asked = {}
for name in ["ProductPageWithoutSession", "ProductPageFromCampaign", "ProductPageForCustomer"]:
    user_class = getattr(pages, name)
    log = []
    user = user_class.__new__(user_class)  # no locust environment: the task's own code only
    user.shop = SimpleNamespace(probe_products=lambda: ["a-tv", "a-camera"])
    user.client = SimpleNamespace(get=lambda path, **kwargs: log.append(path))
    for _ in range(200):
        random.choice(user_class.tasks)(user)
    asked[name] = sorted(set(log))
print(json.dumps(asked))
"""


def pages_asked() -> dict[str, list[str]]:
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_campaigns_probe_asks_only_for_the_campaigns_link_which_django_answers():
    asked = pages_asked()

    # Not one plain address among them, nor one of tracking parameters alone: nginx would
    # answer that from a page file, and the run's CPU per request would no longer be
    # Django's answer from memcached.
    assert asked["ProductPageFromCampaign"] == [
        "/p/a-camera/?from=tv",
        "/p/a-tv/?from=tv",
    ]
    assert asked["ProductPageWithoutSession"] == ["/p/a-camera/", "/p/a-tv/"]
    assert asked["ProductPageForCustomer"] == ["/p/a-camera/", "/p/a-tv/"]
