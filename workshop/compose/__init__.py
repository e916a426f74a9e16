"""docker-compose.yml driven from the workshop's tooling: a stage's stack in containers
brought up and waited for, its app service scaled with nginx reloaded after it
(`workshop scale NN N --compose`), taken down with nothing left behind, and seen by the
shared stack suite (tests/stack) as the native stack is (WORKSHOP_COMPOSE_URL).

Either compose works: Debian 12's `docker-compose` 1.29 (tested here) or the `docker
compose` v2 plugin. The project is COMPOSE_PROJECT_NAME, else the checkout's folder name,
as compose itself takes it; the file is COMPOSE_FILE, else docker-compose.yml."""

from .engine import COMPOSE_FILE, URL_VAR, Compose, docker, service_of
from .stack import ComposeStack, forwarded_requests, stage_compose_env

__all__ = [
    "COMPOSE_FILE",
    "URL_VAR",
    "Compose",
    "ComposeStack",
    "docker",
    "forwarded_requests",
    "service_of",
    "stage_compose_env",
]
