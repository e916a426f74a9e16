"""The budget: every server stack.toml gives a CPU share (each app server, each MariaDB
server) is held to it while the shop serves, natively by its cgroup and under compose by
its container's `cpus:`. The capacity ladder compares stages on this budget."""

import re

import pytest

from workshop.stack.processes import process_tree
from workshop.stack.topology import topology_load
from workshop.testing.services import require
from workshop.testing.stack import stage_under_test

pytestmark = pytest.mark.stack


def shares_wanted() -> dict[str, float]:
    """Each service's cpu_share in the stage's stack.toml, by service name."""
    topology = topology_load(stage_under_test().path)
    return {
        service.name: float(service.options["cpu_share"])
        for service in topology.services
        if service.options.get("cpu_share")
    }


def shares_held(stack) -> dict[str, set[float | None]]:
    """The shares each service's servers are held to, by service name."""
    held: dict[str, set[float | None]] = {}
    if hasattr(stack, "compose"):  # a compose stack: each container's cpus
        for container in stack.compose.containers():
            # replica1 and replica2 are two compose services of stack.toml's one [replica].
            name = container["Config"]["Labels"]["com.docker.compose.service"]
            service = re.sub(r"\d+$", "", name)
            nano = container["HostConfig"].get("NanoCpus") or 0
            held.setdefault(service, set()).add(nano / 1e9 or None)
        return held
    groups, processes = stack.cpu_groups, stack.supervisor.processes()
    for kind in stack.kinds:
        service = kind.instance.service.name
        members = set(groups.members(kind.name))
        inside = set(process_tree(processes[kind.name]["pid"])) <= members
        held.setdefault(service, set()).add(groups.quota(kind.name) if inside else None)
    return held


def test_every_server_with_a_share_is_held_to_it(stack):
    wanted = shares_wanted()
    if not hasattr(stack, "compose") and stack.cpu_groups.parent is None:
        require("this machine has no cgroup cpu controller: the servers run uncapped")
    assert {"app", "db"} <= set(wanted), "every stage gives its app and db servers a share"

    held = shares_held(stack)

    for service, share in wanted.items():
        assert held.get(service) == {share}, f"{service}: held to {held.get(service)}, not {share}"
