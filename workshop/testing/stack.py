"""Fixtures of the stack tests: the stage's native stack, started once per test run and
shared by the stage's own stack tests and the shared stack suite (tests/stack/), and the
visitors that speak to it through nginx: an HTTP client and real Chromium browsers."""

import contextlib
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from workshop.stack.errors import StackError
from workshop.stack.testing import SKIP_REASON, Browser, stack_for_tests, stack_tests_enabled
from workshop.stages import stage_list

from .services import require

DOWN_MARKER = "stack_down"


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
