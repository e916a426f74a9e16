"""Fixtures of the compose tests: the stage's compose stack that runs at
WORKSHOP_COMPOSE_URL (brought up by the compose pass, .ci/compose), seen from the host."""

import os
from urllib.parse import urlsplit

import pytest

from workshop.compose import URL_VAR, Compose, ComposeStack
from workshop.stages import stage_list


@pytest.fixture(scope="session")
def compose_stack() -> ComposeStack:
    url = os.environ.get(URL_VAR)
    if not url:
        pytest.skip(f"compose test: runs on a running compose stack ({URL_VAR}; .ci/compose)")
    stage = next(s for s in stage_list() if s.name == os.environ.get("STAGE"))
    return ComposeStack(stage, url)


@pytest.fixture(scope="session")
def compose(compose_stack) -> Compose:
    return compose_stack.compose


@pytest.fixture(scope="session")
def web_port(compose_stack) -> int:
    return urlsplit(compose_stack.url).port
