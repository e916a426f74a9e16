"""CPU seconds each service of a stack spent, read from /proc through psutil.

On a shared 2-core machine the load generator takes CPU from the server, so
requests per second and latencies move with whatever else runs. The CPU a
service spent per request does not: it is what capacity planning needs.

A snapshot sums, for every process of a service, its own user and system time and
that of its children it has reaped. A worker that dies during a run (gunicorn
replaces one that timed out) is reaped by its master, so its time stays counted.
"""

import psutil

Snapshot = dict[str, dict[int, float]]  # service -> {pid: CPU seconds}


def process_cpu_seconds(pid: int) -> float | None:
    """User + system seconds of a process and its reaped children; None if gone."""
    try:
        times = psutil.Process(pid).cpu_times()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    return times.user + times.system + times.children_user + times.children_system


def cpu_snapshot(service_pids: dict[str, list[int]]) -> Snapshot:
    snapshot: Snapshot = {}
    for service, pids in service_pids.items():
        seconds = {pid: process_cpu_seconds(pid) for pid in pids}
        snapshot[service] = {pid: s for pid, s in seconds.items() if s is not None}
    return snapshot


def cpu_spent(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """CPU seconds per service between two snapshots. A process new since ``before``
    counts from zero; one gone by ``after`` was reaped by a parent that is still
    counted (its time moved into the parent's children's time)."""
    return {
        service: sum(after[service].values()) - sum(before.get(service, {}).values())
        for service in after
    }


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat; with the
    services' and locust's own, it tells how much else ran during a measurement."""
    times = psutil.cpu_times()._asdict()
    # Linux counts guest time inside user and nice already; idle, iowait, steal are not ours.
    busy = ("user", "nice", "system", "irq", "softirq")
    return sum(times.get(name, 0.0) for name in busy)
