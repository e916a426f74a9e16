"""Stage 02's measurements beyond ``bench``'s profiles.

Do the safe pages, served from files, go as fast as locust can ask? One run of the
ceiling (a static file) and one of the safe pages (workshop/load/safe_pages.py), back to
back on the same stack, measured as ``bench`` measures its profiles, so that the two
rates compare within one run.
"""

import os
from datetime import datetime

import pandas as pd

from workshop.load.shopmap import SHOP_MAP_ENV, pages_warm, shop_discover, shop_map_save

from ..machine import machine_describe, machine_line
from ..profiles import PROFILES, Profile, run_seconds, seconds_default
from ..results import RESULTS_DIR, results_frame, results_write
from ..runner import profile_measure, target_for

SAFE_PAGES = Profile(
    name="safe-pages", locustfile="safe_pages.py", user_classes=("SafePage",),
    users=20, share=0.4, instrument=True,
    about="home, category and product pages without a session or query string, no pause",
)  # fmt: skip


def safe_paths(shop) -> list[str]:
    return ["/", *(f"/c/{slug}/" for slug in shop.categories), *(f"/p/{s}/" for s in shop.products)]


def safe_pages_bench(stage, *, seconds=None, progress="lines") -> pd.DataFrame:
    """The ceiling and the safe pages against ``stage``'s stack, each page requested once
    before (so that stage 02 has written its file); the tidy results, also written to
    results/."""
    seconds = seconds or seconds_default()
    run = f"{stage.number}-{datetime.now():%Y%m%dT%H%M%S}-safe-pages"
    raw_dir = RESULTS_DIR / "raw" / run
    raw_dir.mkdir(parents=True, exist_ok=True)
    frames = []
    with target_for(stage, None, quiet=progress != "terminal") as target:
        machine = machine_line(machine_describe())
        shop = shop_discover(target.url)
        shop_map_save(shop, raw_dir / "shop.json")
        env = dict(os.environ, **{SHOP_MAP_ENV: str(raw_dir / "shop.json")})
        pages_warm(target.url, safe_paths(shop))
        for profile in (PROFILES["ceiling"], SAFE_PAGES):
            rows, _ = profile_measure(
                profile, target, users=profile.users, seconds=run_seconds(profile, seconds),
                prefix=raw_dir / profile.name, env=env, progress=progress,
            )  # fmt: skip
            constant = {"run": run, "stage": stage.number, "profile": profile.name}
            frames.append(results_frame(rows, **constant, machine=machine))
    results = pd.concat(frames, ignore_index=True)
    results_write(results, RESULTS_DIR / f"bench-{run}.csv")
    return results
