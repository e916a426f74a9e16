"""Stage 05's replication plumbing, on paper: the roles stack.toml gives the mariadb
kind, the servers' configuration, the order they start in, what the app servers are
told, and how status words a replica's lag. No server runs here; the stage's stack
tests (stages/05_replicas_failover/tests/test_stack_replication.py) run the real ones."""

import pytest

from workshop.stack import Stack, StackError
from workshop.stack.databases import ReplicaLag
from workshop.stack.kinds.mariadb import MariaDB
from workshop.stack.kinds.replication import ReplicaStatus, gtid_behind
from workshop.stack.topology import topology_load
from workshop.stages import stage_get
from workshop.testing.stack import stack_on_paper

STAGE_05 = stage_get("05")


def my_cnf(stack, name: str) -> dict[str, str]:
    kind = stack.kind_of(name)
    (kind.datadir / "mysql").mkdir(parents=True)
    kind.prepare()
    lines = kind.config_file.read_text().splitlines()
    settings = [line.split("=", 1) for line in lines if "=" in line and not line.startswith("#")]
    return {key.strip(): value.strip() for key, value in settings}


def test_stage_05_runs_a_primary_and_two_replicas_of_it():
    services = {s.name: s for s in topology_load(STAGE_05.path).services}

    assert (services["db"].kind, services["db"].options["role"]) == ("mariadb", "primary")
    replica = services["replica"]
    assert (replica.kind, replica.count, replica.options) == (
        "mariadb",
        2,
        {"role": "replica", "primary": "db", "cpu_share": 0.25},
    )
    assert [i.name for i in replica.instances()] == ["replica1", "replica2"]


def test_the_primary_writes_a_gtid_binary_log_by_row_as_server_1(tmp_path):
    config = my_cnf(stack_on_paper(STAGE_05, tmp_path), "db")

    assert config["server_id"] == "1"
    assert config["log_bin"] and config["binlog_format"] == "ROW"
    assert config["log_slave_updates"] == "ON" and config["gtid_strict_mode"] == "ON"
    assert "read_only" not in config


def test_each_replica_is_read_only_with_a_server_id_of_its_own(tmp_path):
    stack = stack_on_paper(STAGE_05, tmp_path)
    configs = {name: my_cnf(stack, name) for name in ("db", "replica1", "replica2")}

    assert [configs[name]["server_id"] for name in configs] == ["1", "2", "3"]
    for name in ("replica1", "replica2"):
        assert configs[name]["read_only"] == "ON" and configs[name]["relay_log"]
        assert configs[name]["datadir"] != configs["db"]["datadir"]


def test_stages_before_05_keep_one_role_less_server_without_a_binary_log(tmp_path):
    stack = stack_on_paper(stage_get("04"), tmp_path)
    config = my_cnf(stack, "db")

    assert "log_bin" not in config and "server_id" not in config
    assert stack.env()["DATABASE_URL"] == f"mysql://root:@127.0.0.1:{stack.ports['db']}/shop"
    assert "DATABASE_REPLICA_URLS" not in stack.env()


def test_the_app_connects_to_the_primary_and_each_replica_as_the_shop_account(tmp_path):
    stack = stack_on_paper(STAGE_05, tmp_path)
    password = stack.run.password("shop")
    env = stack.env()

    assert env["DATABASE_URL"] == f"mysql://shop:{password}@127.0.0.1:{stack.ports['db']}/shop"
    assert env["DATABASE_REPLICA_URLS"].split(",") == [
        f"mysql://shop:{password}@127.0.0.1:{stack.ports[name]}/shop"
        for name in ("replica1", "replica2")
    ]


def test_account_passwords_are_made_once_per_run_folder_and_kept(tmp_path):
    first = stack_on_paper(STAGE_05, tmp_path)
    again = Stack.for_stage(STAGE_05, run_dir=tmp_path / "stack", quiet=True)
    other = stack_on_paper(STAGE_05, tmp_path / "other")

    assert first.run.password("shop") == again.run.password("shop")
    assert first.run.password("shop") != first.run.password("repl")
    assert first.run.password("shop") != other.run.password("shop")


def test_the_replicas_start_after_the_primary_and_stop_before_it(tmp_path):
    """Each priority group is healthy before the next starts (a replica copies the
    primary's data as it starts); supervisord stops the highest priority first."""
    stack = stack_on_paper(STAGE_05, tmp_path)
    priority = {kind.name: kind.priority for kind in stack.kinds}

    assert priority["db"] < priority["replica1"] == priority["replica2"] < priority["app1"]


def test_a_replica_needs_the_client_programs_that_copy_the_primary(tmp_path):
    stack = stack_on_paper(STAGE_05, tmp_path)

    assert {"mariadb", "mariadb-dump"} <= set(stack.kind_of("replica1").programs)
    assert "mariadb-dump" not in stack.kind_of("db").programs


def write_topology(tmp_path, text: str) -> Stack:
    stage = STAGE_05.__class__(number="99", name="99_odd", path=tmp_path / "stage")
    (stage.path / "deploy").mkdir(parents=True)
    (stage.path / "deploy" / "stack.toml").write_text(text)
    return stack_on_paper(stage, tmp_path)


A_REPLICA = '[replica]\nkind = "mariadb"\nrole = "replica"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[db]\nkind = "mariadb"\nrole = "leader"\n', r"\[db\] role = 'leader': choose one of"),
        (
            '[db]\nkind = "mariadb"\n' + A_REPLICA,
            r'\[replica\] needs primary = "<a service of role primary>"',
        ),
        (
            '[db]\nkind = "mariadb"\n' + A_REPLICA + 'primary = "db"\n',
            r'\[replica\] needs primary = "<a service of role primary>"',
        ),
    ],
    ids=["unknown role", "no primary", "primary without the role"],
)
def test_a_topology_that_cannot_replicate_is_refused_in_one_line(
    tmp_path, monkeypatch, text, message
):
    # On paper: no data directory is made, so this needs no MariaDB installed.
    monkeypatch.setattr(MariaDB, "_install", lambda self: None)
    with pytest.raises(StackError, match=message):
        stack = write_topology(tmp_path, text)
        for kind in stack.kinds:
            kind.prepare()


@pytest.mark.parametrize(
    ("ahead", "behind", "count"),
    [
        ("0-1-812", "0-1-812", 0),
        ("0-1-812", "0-1-800", 12),
        ("0-1-812", "", 812),
        ("0-1-5,1-2-9", "0-1-5,1-2-7", 2),
        ("0-1-5", "0-1-9", 0),  # a reading of the primary older than the replica's
    ],
)
def test_transactions_behind_count_per_gtid_domain(ahead, behind, count):
    assert gtid_behind(ahead, behind) == count


def replica(io="Yes", sql="Yes", seconds=0, fetched="0-1-90", applied="0-1-90", error=""):
    return ReplicaStatus(io, sql, seconds, fetched, applied, error)


def test_status_gives_each_replica_one_line_with_its_threads_and_lag():
    caught_up = ReplicaLag("replica1", "db", replica(), "0-1-90")
    stopped = ReplicaLag(
        "replica2", "db", replica(sql="No", seconds=None, applied="0-1-84"), "0-1-90"
    )

    assert caught_up.line() == (
        "replica1  IO running    SQL running  lag 0 s, 0 transactions  "
        "(db 0-1-90, fetched 0-1-90, applied 0-1-90)"
    )
    assert "SQL stopped" in stopped.line() and "lag ? s, 6 transactions" in stopped.line()
    assert stopped.behind == 6 and stopped.unfetched == 0


def test_status_says_when_a_replica_is_down_or_broken():
    down = ReplicaLag("replica1", "db", None, "0-1-90")
    broken = ReplicaLag("replica2", "db", replica(io="No", error="Got fatal error 1236"), "0-1-90")

    assert down.line() == "replica1  down: not replicating"
    assert "IO stopped" in broken.line() and broken.line().endswith("error: Got fatal error 1236")
