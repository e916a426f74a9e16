"""Replicas read only when fresh enough (issue 21; replicas/freshness.py), not a step of
the exercise: GTID positions compared by domain; a replica further behind the primary
than REPLICA_MAX_LAG_SECONDS leaves this process's rotation until it catches up, checked
at most once per LAG_CHECK_SECONDS; the backend passes a lagging replica by when it
connects, and gives up a kept connection to one. The stack test with the replicas' SQL
threads stopped is tests/test_stack_replica_lag.py."""

import pytest


@pytest.fixture
def freshness(replicas_part, monkeypatch, settings):
    module = replicas_part("freshness")
    monkeypatch.setattr(module, "_primary_seen", type(module._primary_seen)(maxlen=300))
    monkeypatch.setattr(module, "_verdicts", {})
    settings.REPLICA_MAX_LAG_SECONDS = 3
    settings.REPLICA_FRESHNESS = True
    return module


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Replica:
    """A raw connection to a replica that has applied ``applied``."""

    def __init__(self, applied: str):
        self.applied, self.asked = applied, 0

    def cursor(self):
        replica = self

        class Cursor:
            def execute(self, sql):
                assert sql == "SELECT @@gtid_slave_pos"
                replica.asked += 1

            def fetchone(self):
                return (replica.applied,)

            def close(self):
                pass

        return Cursor()


def test_positions_are_compared_domain_by_domain(freshness):
    assert freshness.position_covers("0-1-42", "0-1-42")
    assert freshness.position_covers("0-1-43,1-2-5", "0-1-42")
    assert not freshness.position_covers("0-1-41", "0-1-42")
    assert not freshness.position_covers("0-1-50", "0-1-42,1-2-1")
    assert freshness.position_covers("", "")
    assert freshness.position_latest(["0-1-41", "0-1-42,1-2-3", None, ""]) == "0-1-42,1-2-3"


def test_a_replica_behind_what_the_primary_had_a_few_seconds_ago_leaves_the_rotation(
    freshness, monkeypatch
):
    clock, primary = Clock(), {"position": "0-1-10"}
    monkeypatch.setattr(freshness.time, "monotonic", clock)
    monkeypatch.setattr(freshness, "primary_position", lambda: primary["position"])
    replica = Replica("0-1-10")

    assert not freshness.replica_behind("replica1", replica)  # nothing 3 s old to judge by
    for second in range(1, 5):  # the primary writes on; the replica applies nothing
        clock.now += 1
        primary["position"] = f"0-1-{10 + second}"
        verdict = freshness.replica_behind("replica1", replica)
    assert verdict, "4 s behind, with a bound of 3 s, and still in the rotation"
    assert freshness.behind_known("replica1")
    asked = replica.asked
    assert freshness.replica_behind("replica1", replica) and replica.asked == asked, (
        "asked the replica again within a second"
    )

    clock.now += 1.5
    replica.applied = primary["position"]  # it caught up
    assert not freshness.replica_behind("replica1", replica)
    assert not freshness.behind_known("replica1")


def test_a_replica_that_keeps_up_under_writes_stays_in_the_rotation(freshness, monkeypatch):
    clock, primary = Clock(), {"position": "0-1-10"}
    monkeypatch.setattr(freshness.time, "monotonic", clock)
    monkeypatch.setattr(freshness, "primary_position", lambda: primary["position"])
    replica = Replica("0-1-10")
    for second in range(1, 10):  # a write a second; the replica a second behind
        clock.now += 1
        replica.applied = primary["position"]
        primary["position"] = f"0-1-{10 + second}"
        assert not freshness.replica_behind("replica1", replica), f"after {second} s"


def test_switched_off_no_replica_is_ever_behind(freshness, monkeypatch, settings):
    settings.REPLICA_FRESHNESS = False
    monkeypatch.setattr(freshness, "primary_position", lambda: pytest.fail("asked"))
    assert not freshness.replica_behind("replica1", Replica(""))
    assert freshness.reads_reaching("0-1-42", len) is len


@pytest.mark.django_db(transaction=True)
def test_the_backend_passes_a_lagging_replica_by_and_gives_up_a_kept_connection_to_one(
    replica_connection, proxies, primary_address, freshness, monkeypatch
):
    behind = {"replica1"}
    monkeypatch.setattr(freshness, "replica_behind", lambda name, raw: name in behind)
    replica1, replica2 = proxies().start(), proxies().start()
    servers = [
        ("replica1", replica1.address),
        ("replica2", replica2.address),
        ("primary", primary_address),
    ]

    lagging = replica_connection(servers)
    lagging.ensure_connection()
    assert lagging.server == "replica2", "a replica too far behind was read"

    behind.clear()
    kept = replica_connection(servers)
    kept.ensure_connection()
    assert kept.server == "replica1" and kept.is_usable()
    behind.add("replica1")
    assert not kept.is_usable(), "a kept connection to a lagging replica was reused"
