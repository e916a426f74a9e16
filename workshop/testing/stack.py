"""Fixtures of the stack tests: the stage's native stack, started once per test run and
shared by the stage's own stack tests and the shared stack suite (tests/stack/), and the
visitors that speak to it through nginx: an HTTP client and real Chromium browsers.

A test's stack has a free port and a run folder no other test run holds, so a developer's
stack on 8000 and a second test run are left alone."""

import contextlib
import fcntl
import os
import re
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from workshop.stack import Stack
from workshop.stack.errors import StackError
from workshop.stack.ports import port_pick_free
from workshop.stack.runfolder import RUN_ROOT
from workshop.stages import stage_list

from .browser import Browser
from .services import require, services_required

DOWN_MARKER = "stack_down"
ENABLE_VAR = "WORKSHOP_STACK_TESTS"
SKIP_REASON = (
    f"stack test: set {ENABLE_VAR}=1 to start this stage's native stack on a free port "
    "(needs nginx, memcached and mariadb-server)"
)
CLAIM_FILE = ".claimed"


def stack_tests_enabled() -> bool:
    return os.environ.get(ENABLE_VAR, "") not in ("", "0") or services_required()


def run_dir_claim(stage_name: str):
    """The first run folder of the stage's test stacks that no live test run holds, and
    the open file whose lock holds it for this process (the kernel lets go when it ends).
    A free folder is reused: its database is already there, so the stack starts sooner."""
    for number in range(1, 100):
        path = RUN_ROOT / "tests" / (stage_name if number == 1 else f"{stage_name}.{number}")
        path.mkdir(parents=True, exist_ok=True)
        claim = open(path / CLAIM_FILE, "w")  # noqa: SIM115 (held open for the whole run)
        try:
            fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            claim.close()
            continue
        return path, claim
    raise RuntimeError(f"99 test runs of {stage_name} at once: no run folder left")


def stack_for_tests(stage) -> Stack:
    """The stage's stack on a port the system has free and in a run folder of its own,
    so two test runs never collide."""
    run_dir, claim = run_dir_claim(stage.name)
    # Whatever still runs in the folder was left by a run that died: no live run owns it.
    Stack.for_stage(stage, run_dir=run_dir, quiet=True).down()
    stack = Stack.for_stage(stage, port=port_pick_free(), run_dir=run_dir, quiet=True)
    stack.claim = claim  # the folder stays this run's while the stack object lives
    return stack


def stack_on_paper(stage, tmp_path: Path) -> Stack:
    """A stack whose ports are assigned and whose folders are made, but which never
    starts: its configuration files, read by the tooling tests."""
    stack = Stack.for_stage(stage, port=8000, run_dir=tmp_path / "stack", quiet=True)
    stack.ports = {kind.name: 18000 + n for n, kind in enumerate(stack.kinds)}
    stack.ports["web"] = 8000
    for kind in stack.kinds:
        kind.dir.mkdir(parents=True)
    return stack


def access_logs(stack) -> list[Path]:
    """Every app server's access log: one server's (app), or each of several (app1..N)."""
    apps = stack.apps()
    return [app.access_log for app in apps if app.access_log.exists()]


def access_log_size(stack) -> int:
    if hasattr(stack, "access_log_size"):  # a compose stack: its containers' logs
        return stack.access_log_size()
    return sum(log.stat().st_size for log in access_logs(stack))


def wait_for_growth(measure, before, timeout=2.0) -> bool:
    """gunicorn writes its access log line just after the response has gone out."""
    deadline = time.monotonic() + timeout
    while measure() == before:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"{DOWN_MARKER}: takes the shared stack down; runs after every other test"
    )


@pytest.hookimpl(trylast=True)  # after pytest-django has put the tests in its order
def pytest_collection_modifyitems(items):
    """A test that takes the stack down runs last, whatever the order of the files."""
    items.sort(key=lambda item: item.get_closest_marker(DOWN_MARKER) is not None)


def stage_under_test():
    """The stage whose settings this run uses, on the code under test: the stage's own
    folder, or a learner's copy of it (work/NN_name)."""
    from django.conf import settings

    code = Path(settings.BASE_DIR)
    stage = next((s for s in stage_list() if s.name == code.name), None)
    if stage is None:
        pytest.fail(f"stack test: {code} is not named after a stage (NN_name)", pytrace=False)
    return replace(stage, path=code)


@contextlib.contextmanager
def stack_running(stage):
    """The stage's native stack on a free port, in a run folder of its own, up for the
    block; a skip naming what to install (a failure in CI) where a program is missing."""
    if not stack_tests_enabled():
        require(SKIP_REASON)
    stack = stack_for_tests(stage)
    try:
        for kind in stack.kinds:
            kind.preflight()
    except StackError as error:
        require(f"stack test: {error}")
    stack.up()
    try:
        yield stack
    finally:
        stack.down()


@contextlib.contextmanager
def compose_stack_running(stage, url: str):
    """The stage's compose stack that runs at ``url`` (WORKSHOP_COMPOSE_URL): brought up
    and taken down by whoever set it (.ci/compose), not by the tests, but for the test
    of down itself."""
    from workshop.compose import ComposeStack

    try:
        yield ComposeStack(stage, url)
    except StackError as error:
        pytest.fail(f"compose stack test: {error}", pytrace=False)


@pytest.fixture(scope="session")
def stack():
    """The stage's stack, shared by its own stack tests and the shared stack suite: its
    native stack, or with WORKSHOP_COMPOSE_URL set, its compose stack running there."""
    from workshop.compose import URL_VAR

    stage = stage_under_test()
    url = os.environ.get(URL_VAR)
    with compose_stack_running(stage, url) if url else stack_running(stage) as stack:
        yield stack


@pytest.fixture
def browser(stack):
    with Browser(stack.url) as browser:
        yield browser


@pytest.fixture(scope="session")
def stack_product(stack) -> dict:
    """A product in stock, read from the stack's MariaDB."""
    with stack.kind_of("db").connect() as db:
        cursor = db.cursor()
        cursor.execute(
            "SELECT p.id, p.slug, p.name, c.slug FROM catalogue_product p "
            "JOIN catalogue_category c ON c.id = p.category_id "
            "WHERE p.stock > 0 ORDER BY p.stock DESC, p.id LIMIT 1"
        )
        pk, slug, name, category = cursor.fetchone()
    return {"id": pk, "slug": slug, "name": name, "category": category}


@pytest.fixture
def log_dir(stack, request) -> Path:
    """Where a test leaves what explains its failure: in the stack's run folder, beside
    the servers' logs, emptied when the test starts."""
    path = stack.run.path / "test-logs" / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture
def chromium(stack, log_dir, tmp_path):
    """Opens real browsers on the stack, each with a profile of its own (no cookies, no
    cache), and closes them after the test. Skips (fails in CI) without Chromium."""
    from .chromium import Visitor, chromium_start

    drivers = []

    def visitor_open(name: str) -> Visitor:
        driver = chromium_start(profile_dir=tmp_path / f"chromium-{name}")
        drivers.append(driver)
        return Visitor(driver, base_url=stack.url, log_dir=log_dir, name=name)

    yield visitor_open
    for driver in drivers:
        driver.quit()
