"""Stage 03 in containers, as an instructor runs it (APP_SCALE=3 APP_CPUS=0.25): three app
containers take requests in turn; scaled to 5 and back to 2 while visitors browse
(`workshop scale 03 N --compose`), no request fails; an app container whose main process
dies is started again by its restart policy and serves again, no GET failing meanwhile;
and each container is held to its share of a CPU by its cgroup.

Run by the compose pass (.ci/compose) on the stage's running compose stack."""

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from workshop.compose import forwarded_requests
from workshop.testing.load import Load, get

CGROUP_CPU = Path("/sys/fs/cgroup/cpuacct/docker")  # cgroup v1, Docker's cgroupfs driver


def app_requests(compose) -> dict[str, int]:
    return {c["Name"][1:]: forwarded_requests(c) for c in compose.containers("app")}


def grown(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before.get(name, 0) for name in after}


def app_paths(run: str) -> list[str]:
    """Pages Django answers (a query string: no page file in front of it)."""
    return [f"/?run={run}", f"/cart/?run={run}", f"/search/?q=tv&run={run}"]


def test_three_app_containers_take_requests_in_turn(compose, web_port):
    run = uuid.uuid4().hex[:8]
    before = app_requests(compose)

    statuses = [get(web_port, f"/?turn={run}&n={n}") for n in range(30)]

    took = grown(before, app_requests(compose))
    assert statuses == [200] * 30
    assert len(took) == 3 and sum(took.values()) == 30
    assert min(took.values()) >= 5, f"not in turn: {took}"


def test_scaled_to_five_and_back_to_two_under_load_no_request_fails(compose, web_port):
    try:
        with Load(web_port, paths=app_paths(uuid.uuid4().hex[:8]), visitors=4, limit=240) as load:
            compose.scale(5)
            before = app_requests(compose)
            time.sleep(4)
            took_at_five = grown(before, app_requests(compose))
            compose.scale(2)
            time.sleep(2)
            at_two = len(compose.container_ids("app"))
    finally:
        compose.scale(3)  # as the stage runs, for the tests after

    assert load.failures == [], f"{len(load.failures)} failed of {load.ok}: {load.failures[:3]}"
    assert len(took_at_five) == 5 and min(took_at_five.values()) > 0, took_at_five
    assert at_two == 2 and load.ok > 50


def test_an_app_container_that_dies_restarts_and_serves_again_no_get_failing(compose, web_port):
    victim = compose.containers("app")[0]
    name = victim["Name"][1:]

    with Load(web_port, paths=app_paths(uuid.uuid4().hex[:8]), visitors=4, limit=120) as load:
        time.sleep(1)
        # From the host, as a crash would: `docker kill` is a stop by hand, which no
        # restart policy undoes.
        os.kill(victim["State"]["Pid"], signal.SIGKILL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            now = compose.inspect([victim["Id"]])[0]
            restarted = now["RestartCount"] > victim["RestartCount"]
            if restarted and now["State"].get("Health", {}).get("Status") == "healthy":
                break
            time.sleep(0.5)
        restarted = compose.inspect([victim["Id"]])[0]
        before = forwarded_requests(restarted)
        # nginx left the server out when it failed (fail_timeout, 10 s), then tries it
        # again with one request.
        deadline = time.monotonic() + 20
        while forwarded_requests(restarted) == before and time.monotonic() < deadline:
            time.sleep(0.5)
        served_again = forwarded_requests(restarted) - before

    assert restarted["RestartCount"] == victim["RestartCount"] + 1, f"{name} was not restarted"
    assert restarted["State"]["Health"]["Status"] == "healthy", f"{name} is not healthy again"
    assert load.failures == [], f"{len(load.failures)} failed of {load.ok}: {load.failures[:3]}"
    assert served_again > 0, f"{name} runs again but nginx sends it nothing"


def test_a_busy_loop_in_an_app_container_uses_its_cpu_share_and_no_more(compose):
    app = compose.containers("app")[0]
    share = app["HostConfig"]["NanoCpus"] / 1e9
    usage = CGROUP_CPU / app["Id"] / "cpuacct.usage"
    if not usage.exists():
        pytest.fail(f"no {usage}: Docker on cgroup v1 with the cgroupfs driver expected")
    loop = "import time\nend = time.time() + 5\nwhile time.time() < end: pass"
    busy = subprocess.Popen(["docker", "exec", app["Id"], "python", "-c", loop])
    try:
        time.sleep(1.5)  # docker exec's start, and the loop's
        used, started = int(usage.read_text()), time.monotonic()
        time.sleep(3)
        used = (int(usage.read_text()) - used) / 1e9 / (time.monotonic() - started)
    finally:
        busy.wait(timeout=30)

    assert share == 0.25  # stack.toml's cpu_share, as APP_CPUS
    # At most its share (the cgroup's quota), and about that much on a machine not full.
    assert 0.5 * share < used <= 1.15 * share, f"used {used:.2f} of a CPU, share {share}"
