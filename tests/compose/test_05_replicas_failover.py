"""Stage 05 in containers, as an instructor runs it (COMPOSE_PROFILES=replicas): a primary
and two replicas that copy it by GTID; a replica stopped while visitors search costs no
request; a write sent to a replica is refused (read_only, and the app's account may not
get past it).

Run by the compose pass (.ci/compose) on the stage's running compose stack."""

import subprocess
import time
import uuid

from workshop.testing.browser import Browser
from workshop.testing.load import Load

REPLICAS = ("replica1", "replica2")


def sql(compose, service: str, query: str, *, account=("root", None), names=False):
    """A query in the service's container: as root on its socket, or as an account over
    TCP, as the app logs in."""
    (container,) = compose.container_ids(service, running_only=True)
    user, password = account
    login = ["--user", user]
    if password:
        login += ["--protocol=tcp", "--host=127.0.0.1", f"--password={password}"]
    command = ["docker", "exec", container, "mariadb", *login, "--batch", "--database=shop"]
    command += [] if names else ["--skip-column-names"]
    command += ["--execute", query]
    return subprocess.run(command, capture_output=True, text=True)


def value(compose, service: str, query: str) -> str:
    result = sql(compose, service, query)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def replica_status(compose, service: str) -> dict[str, str]:
    result = sql(compose, service, "SHOW REPLICA STATUS", names=True)
    assert result.returncode == 0, result.stderr
    names, values = result.stdout.rstrip("\n").split("\n")
    return dict(zip(names.split("\t"), values.split("\t"), strict=True))


def test_both_replicas_copy_the_primary_by_gtid(compose, compose_stack):
    username = f"gtid-{uuid.uuid4().hex[:8]}"
    Browser(compose_stack.url).register(username)  # a write, on the primary
    primary_position = value(compose, "db", "SELECT @@gtid_binlog_pos")

    for replica in REPLICAS:
        status = replica_status(compose, replica)
        assert status["Using_Gtid"] == "Slave_Pos" and status["Master_Host"] == "db"
        assert status["Slave_IO_Running"] == status["Slave_SQL_Running"] == "Yes", status
        deadline = time.monotonic() + 30
        while value(compose, replica, "SELECT @@gtid_slave_pos") != primary_position:
            assert time.monotonic() < deadline, f"{replica} is not at {primary_position}"
            time.sleep(0.2)
        found = f"SELECT COUNT(*) FROM auth_user WHERE username = '{username}'"
        assert value(compose, replica, found) == "1"
        assert value(compose, replica, "SELECT @@read_only") == "1"


def test_a_write_sent_to_a_replica_is_refused(compose):
    write = "INSERT INTO django_migrations (app, name, applied) VALUES ('compose', 'x', NOW())"

    refused = sql(compose, "replica1", write, account=("shop", "shop"))

    assert refused.returncode != 0 and "read-only" in refused.stderr, refused.stderr
    written = "SELECT COUNT(*) FROM django_migrations WHERE app = 'compose'"
    assert value(compose, "replica1", written) == "0"


def test_a_replica_stopped_under_search_load_costs_no_request(compose, web_port):
    run = uuid.uuid4().hex[:8]
    # Searches no cache holds: each one reads a replica.
    paths = [f"/search/?q={word}{run}{n}" for n in range(500) for word in ("tv", "lamp")]
    (replica,) = compose.container_ids("replica1")
    try:
        with Load(web_port, paths=paths, visitors=4, limit=120) as load:
            time.sleep(2)
            ok_before = load.ok
            subprocess.run(["docker", "stop", replica], check=True, capture_output=True)
            time.sleep(6)
            ok_after = load.ok
    finally:
        subprocess.run(["docker", "start", replica], check=True, capture_output=True)
        compose.wait_ready()

    assert load.failures == [], f"{len(load.failures)} failed of {load.ok}: {load.failures[:3]}"
    assert ok_before > 0 and ok_after > ok_before + 10, "the searches stalled"
