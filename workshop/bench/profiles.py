"""What ``workshop bench`` runs: each profile is one locust run of a locustfile from
workshop/load, measured on its own (CPU is read per run, not per endpoint)."""

import os
from dataclasses import dataclass
from pathlib import Path

from workshop.load.shape import DEFAULT_PEAK

LOAD_DIR = Path(__file__).resolve().parent.parent / "load"
SECONDS_ENV = "WORKSHOP_BENCH_SECONDS"
DEFAULT_SECONDS = 30.0


@dataclass(frozen=True)
class Profile:
    name: str  # as it appears in the results
    locustfile: str  # in workshop/load
    user_classes: tuple[str, ...]
    users: int  # default users; the peak for the spike
    share: float  # of the duration setting
    about: str
    instrument: bool = False  # a fixed measurement: --users does not change it

    @property
    def path(self) -> Path:
        return LOAD_DIR / self.locustfile


def _profiles(*profiles: Profile) -> dict[str, Profile]:
    return {profile.name: profile for profile in profiles}


PROFILES = _profiles(
    Profile(
        name="ceiling", locustfile="ceiling.py", user_classes=("StaticFile",),
        users=20, share=0.4, instrument=True,
        about="a static file through the web server: the load generator's own limit",
    ),
    Profile(
        name="product-cached", locustfile="pages.py",
        user_classes=("ProductPageWithoutSession",), users=20, share=0.5, instrument=True,
        about="product pages for visitors without a session (the page cache's case)",
    ),
    Profile(
        name="product-uncached", locustfile="pages.py",
        user_classes=("ProductPageWithSession",), users=20, share=0.5, instrument=True,
        about="the same product pages for a visitor with a cart (rendered afresh)",
    ),
    Profile(
        name="product-campaign", locustfile="pages.py",
        user_classes=("ProductPageFromCampaign",), users=10, share=0.5, instrument=True,
        about="product pages from the TV campaign's link (?from=tv), without a "
        "session: Django answers, from memcached",
    ),
    Profile(
        name="product-customer", locustfile="pages.py",
        user_classes=("ProductPageForCustomer",), users=10, share=0.5, instrument=True,
        about="the same product pages for a logged-in customer with a cart (stage 04: "
        "pass one from memcached, pass two for them)",
    ),
    Profile(
        name="anonymous", locustfile="anonymous.py", user_classes=(), users=100, share=1.0,
        about="anonymous browsers: home, categories, products, search",
    ),
    Profile(
        name="shoppers", locustfile="shoppers.py", user_classes=(), users=20, share=1.0,
        about="shoppers: browse, add to cart, log in, check out",
    ),
    Profile(
        name="spike", locustfile="spike.py", user_classes=(), users=DEFAULT_PEAK, share=3.0,
        about="the TV segment: a quiet baseline, a surge to the peak, a slow decay",
    ),
    Profile(
        name="rendered", locustfile="rendered.py", user_classes=("RenderedPage",),
        users=32, share=0.5, instrument=True,
        about="product pages and sorted listings with a session, no pause: what the app "
        "servers can render",
    ),
    Profile(
        name="crowd", locustfile="crowd.py", user_classes=("Browser", "Buyer"),
        users=60, share=3.0,
        about="browsers and shoppers together, two to one, at a steady number of users",
    ),
)  # fmt: skip

# --profile choices; the ceiling runs first in each, to compare with.
CHOICES = {
    "anonymous": ["anonymous"],
    "shoppers": ["shoppers"],
    "spike": ["spike"],
    "pages": ["product-cached", "product-uncached"],
    "customer": ["product-campaign", "product-customer"],
    # Notebook 04's: what stage 04 changes, on one stack per stage.
    "two-pass": ["product-campaign", "product-customer", "shoppers", "spike"],
    "visitors": ["anonymous", "shoppers"],
    "rendered": ["rendered"],
    "all": [
        "product-cached",
        "product-uncached",
        "product-campaign",
        "product-customer",
        "anonymous",
        "shoppers",
        "spike",
    ],
}


def profiles_for(choice: str) -> list[Profile]:
    return [PROFILES["ceiling"], *(PROFILES[name] for name in CHOICES[choice])]


def seconds_default() -> float:
    """The duration setting: WORKSHOP_BENCH_SECONDS (CI sets a short one), else 30."""
    return float(os.environ.get(SECONDS_ENV, DEFAULT_SECONDS))


def run_seconds(profile: Profile, seconds: float) -> int:
    return max(3, round(profile.share * seconds))


def run_users(profile: Profile, users: int | None) -> int:
    return profile.users if users is None or profile.instrument else users
