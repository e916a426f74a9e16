"""The memcached drill: the shop under a steady load while its cache dies, comes back
empty, freezes and thaws. A cache may fail; the shop must only get slower.

The phases (PHASES), each begun by what the operator does: memcached up; killed (kill -9:
every connection refused); started again (empty); frozen (SIGSTOP: its port still
accepts, nothing answers, as a machine that swaps or a process that hangs); thawed
(SIGCONT). The load: a few threads, each a visitor of its own asking in turn for a
product page without a session, the same page logged in with a cart, a search and a
sorted listing (the last three reach Django, whatever nginx serves from page files).
Every request is recorded: when, how long, its status (0 when no answer came within
REQUEST_TIMEOUT). The answer is per phase: the 5xx answers (there must be none), the
p95 and the slowest request (a worker hung on memcached shows there), and memcached's
get_hits where it answers (the cache used again once it is back).

Shared by stage 04's and 05's stack tests and notebook 05: ``drill_on(stack)`` on a
running stack, ``cache_drill_run(stage)`` on a private one.
"""

import itertools
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import requests

from workshop.testing.browser import Browser
from workshop.testing.memcached import memcached_stat

from ..machine import machine_describe
from ..results import RESULTS_DIR
from ..runner import private_stack

CACHE = "cache"  # memcached's instance in every stage's stack.toml
REQUEST_TIMEOUT = 20  # far past any page; below gunicorn's 30 s, which kills a hung worker
KINDS = ("product", "product, logged in", "search", "listing")


@dataclass(frozen=True)
class Phase:
    name: str
    seconds: float
    action: str | None  # what begins it: "kill", "start", "freeze", "thaw"


# The app servers leave memcached alone for up to twice workshop.memcached's DEAD_SECONDS
# after a failure: "restarted" and "back" last long enough for them to use it again.
PHASES = (
    Phase("up", 5, None),
    Phase("killed", 5, "kill"),
    Phase("restarted", 12, "start"),
    Phase("frozen", 10, "freeze"),
    Phase("back", 12, "thaw"),
)


@dataclass
class CacheDrill:
    requests: pd.DataFrame  # t (s from the start), seconds, status, kind, phase
    marks: pd.DataFrame  # label (the phase), start, end: seconds on the same clock
    hits: dict  # phase: (get_hits when it began, when it ended), None where memcached is away
    machine: dict = field(default_factory=dict)

    def phases(self) -> pd.DataFrame:
        """Per phase: requests, 5xx answers, no answers, p95 and slowest (seconds), and
        the gets memcached answered from its memory meanwhile."""
        rows = []
        for name in self.marks["label"]:
            done = self.requests[self.requests["phase"] == name]
            began, ended = self.hits.get(name, (None, None))
            rows.append(
                {
                    "phase": name,
                    "requests": len(done),
                    "5xx": int((done["status"] >= 500).sum()),
                    "no answer": int((done["status"] == 0).sum()),
                    "p95 (s)": done["seconds"].quantile(0.95) if len(done) else float("nan"),
                    "slowest (s)": done["seconds"].max() if len(done) else float("nan"),
                    "cache hits": None if began is None or ended is None else ended - began,
                }
            )
        return pd.DataFrame(rows).set_index("phase")

    def per_second(self) -> pd.DataFrame:
        """Per second of the drill: requests, 5xx answers and no answers, and the p95 of
        the requests begun in it."""
        frame = self.requests.assign(second=self.requests["t"].astype(int))
        grouped = frame.groupby("second")
        return pd.DataFrame(
            {
                "requests": grouped.size(),
                "5xx": grouped["status"].apply(lambda s: int((s >= 500).sum())),
                "no answer": grouped["status"].apply(lambda s: int((s == 0).sum())),
                "p95 (s)": grouped["seconds"].quantile(0.95),
            }
        ).reset_index(names="t")


def drill_on(stack, *, phases=PHASES, threads: int = 4, progress: bool = False) -> CacheDrill:
    """The drill on a running stack of a stage, which it leaves with memcached running
    and answering, whatever happened."""
    visitors = [_Visitor(stack, _customer(stack)) for _ in range(threads)]
    targets = _targets(stack)
    state = {"phase": phases[0].name, "stop": False}
    rows: list[dict] = []
    origin = time.time()
    workers = [
        threading.Thread(target=v.walk, args=(targets, state, rows, origin, n), daemon=True)
        for n, v in enumerate(visitors)
    ]
    for worker in workers:
        worker.start()
    marks, hits = [], {}
    try:
        for phase in phases:
            start = time.time()
            state["phase"] = phase.name
            if progress:
                print(f"memcached drill: {phase.name}", flush=True)
            if phase.action:
                _act(stack, phase.action)
            began = _hits(stack) if phase.action != "freeze" else None
            time.sleep(max(0.0, start + phase.seconds - time.time()))
            ended = _hits(stack) if phase.name != "frozen" and phase.action != "freeze" else None
            hits[phase.name] = (began, ended)
            marks.append(
                {"label": phase.name, "start": start - origin, "end": time.time() - origin}
            )
    finally:
        state["stop"] = True
        _restore(stack)
        for worker in workers:
            worker.join(REQUEST_TIMEOUT + 5)
    columns = ["t", "seconds", "status", "kind", "phase"]
    return CacheDrill(
        requests=pd.DataFrame(rows, columns=columns).sort_values("t", ignore_index=True),
        marks=pd.DataFrame(marks, columns=["label", "start", "end"]),
        hits=hits,
        machine=machine_describe(),
    )


def cache_drill_run(stage, *, phases=PHASES, threads: int = 4, progress: bool = True):
    """The drill on a private stack of ``stage`` (the notebooks'); its requests are kept
    in the results folder as CSV."""
    with private_stack(stage, quiet=True) as stack:
        drill = drill_on(stack, phases=phases, threads=threads, progress=progress)
    name = f"{stage.number}-{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}-cachedrill"
    raw_dir = RESULTS_DIR / "raw" / name
    raw_dir.mkdir(parents=True, exist_ok=True)
    drill.requests.to_csv(raw_dir / "requests.csv", index=False)
    return drill


def phases_shortened(seconds: float, phases=PHASES):
    """The phases, each at most ``seconds`` long: the notebooks' short mode, which checks
    that the cells run (too short for the app servers to use memcached again after it)."""
    return tuple(Phase(p.name, min(p.seconds, seconds), p.action) for p in phases)


class _Visitor:
    """One visitor of its own: anonymous requests carry no cookie; the logged-in ones
    carry the customer's session."""

    def __init__(self, stack, customer):
        self.base, self.customer = stack.url, customer

    def walk(self, targets, state, rows, origin, offset):
        kinds = itertools.islice(itertools.cycle(KINDS), offset, None)
        for n, kind in enumerate(kinds):
            if state["stop"]:
                return
            path = targets[kind][(n + offset) % len(targets[kind])]
            session = self.customer if kind.endswith("logged in") else requests
            phase, start = state["phase"], time.time()
            try:
                status = session.get(
                    self.base + path, timeout=REQUEST_TIMEOUT, allow_redirects=False
                ).status_code
            except requests.RequestException:
                status = 0
            took = time.time() - start
            rows.append(
                {
                    "t": start - origin,
                    "seconds": took,
                    "status": status,
                    "kind": kind,
                    "phase": phase,
                }
            )


def _customer(stack) -> requests.Session:
    """A customer registered and logged in through nginx, with one product in the cart."""
    browser = Browser(stack.url)
    browser.register(f"drill-{uuid.uuid4().hex[:10]}", first_name="Drill")
    product = _products(stack, 1)[0]
    added = browser.submit(f"/cart/add/{product[0]}/", {"quantity": "1"})
    assert added.status_code == 302, f"the drill's customer could not fill a cart: {added}"
    session = requests.Session()
    session.cookies.update(browser.cookies)
    return session


def _products(stack, count: int) -> list[tuple]:
    with stack.kind_of("db").connect() as db:
        cursor = db.cursor()
        cursor.execute(
            "SELECT p.id, p.slug, p.name, c.slug FROM catalogue_product p "
            "JOIN catalogue_category c ON c.id = p.category_id "
            "WHERE p.stock > 0 ORDER BY p.id LIMIT %s",
            [count],
        )
        return cursor.fetchall()


def _targets(stack) -> dict[str, list[str]]:
    products = _products(stack, 12)
    pages = [f"/p/{slug}/" for _, slug, _, _ in products]
    return {
        "product": pages,
        "product, logged in": pages,
        "search": [f"/search/?q={name.split()[0]}" for _, _, name, _ in products],
        "listing": [f"/c/{category}/?sort=price" for _, _, _, category in products],
    }


def _act(stack, action: str) -> None:
    from workshop.stack.instances import instance_kill, instance_start

    if action == "kill":
        instance_kill(stack, CACHE)
    elif action == "start":
        instance_start(stack, CACHE)
    else:
        _signal(stack, signal.SIGSTOP if action == "freeze" else signal.SIGCONT)


def _signal(stack, sig) -> None:
    from workshop.stack.instances import instance_pid

    pid = instance_pid(stack, CACHE)
    if pid:
        os.kill(pid, sig)


def _restore(stack) -> None:
    """memcached runs and answers again, for whatever uses the stack next."""
    from workshop.stack.instances import instance_pid, instance_start

    _signal(stack, signal.SIGCONT)
    if instance_pid(stack, CACHE) is None:
        instance_start(stack, CACHE)


def _hits(stack) -> int | None:
    """memcached's get_hits so far; None when it does not answer."""
    try:
        return memcached_stat(stack.ports[CACHE], "get_hits")
    except (OSError, KeyError, ValueError):
        return None
