"""Running locust headless in its own process: a real, short run of the ceiling profile
against a small static file server in this test."""

import dataclasses
import functools
import http.server
import subprocess
import threading
import time

import pytest

from workshop.bench.locust_csv import stats_read
from workshop.bench.locust_run import locust_command, locust_run
from workshop.bench.profiles import PROFILES
from workshop.bench.progress import Progress


@pytest.fixture
def static_server(tmp_path):
    (tmp_path / "static" / "shop").mkdir(parents=True)
    (tmp_path / "static" / "shop" / "shop.css").write_text("body { color: #222; }\n")
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as nginx

    def log_message(self, *args):
        pass


def test_the_command_names_the_user_classes_last_and_bounds_the_run():
    command = locust_command(
        PROFILES["product-cached"], host="http://h", users=20, seconds=15, prefix="/r/p"
    )

    assert command[-1] == "ProductPageWithoutSession"
    assert command[command.index("--run-time") + 1] == "15s"
    assert "--headless" in command and "--csv-full-history" in command


def test_a_short_run_writes_its_statistics_and_measures_locusts_own_cpu(tmp_path, static_server):
    prefix = tmp_path / "ceiling"
    run = locust_run(
        PROFILES["ceiling"], host=static_server, users=2, seconds=3, prefix=prefix,
        env=None, progress=Progress("ceiling", 3, mode="quiet"),
    )  # fmt: skip

    total = stats_read(prefix).set_index("endpoint").loc["Aggregated"]
    assert total["requests"] > 20
    assert total["failures"] == 0
    # Locust's own CPU from wait4: it worked, and could not have used more than the
    # whole run on two cores.
    assert 0.1 < run.cpu_seconds < 2 * 15


def test_a_locust_that_cannot_run_is_an_error_with_its_log(tmp_path, static_server):
    broken = dataclasses.replace(PROFILES["ceiling"], locustfile="no_such_profile.py")

    with pytest.raises(RuntimeError, match="no_such_profile"):
        locust_run(
            broken, host=static_server, users=1, seconds=3, prefix=tmp_path / "broken",
            env=None, progress=Progress("broken", 3, mode="quiet"),
        )  # fmt: skip


SLOW_LOCUSTFILE = """
from locust import HttpUser, constant, task

from workshop.load import locust_settings  # noqa: F401  (what every locustfile imports)


class Slow(HttpUser):
    wait_time = constant(0)

    @task
    def slow(self):
        self.client.get("/slow")
"""


class SlowHandler(QuietHandler):
    served = 0

    def do_GET(self):
        time.sleep(2.5)
        SlowHandler.served += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def test_the_totals_count_the_requests_that_finished_while_locust_was_stopping(tmp_path):
    """The user's second request is under way when the run time is up (2.5 s each, a 3 s
    run); --stop-timeout lets it finish, and the totals must count it, as the server did."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "slow.py").write_text(SLOW_LOCUSTFILE)
    profile = dataclasses.replace(
        PROFILES["ceiling"], locustfile=str(tmp_path / "slow.py"), user_classes=("Slow",)
    )
    command = locust_command(
        profile, host=f"http://127.0.0.1:{server.server_address[1]}", users=1, seconds=3,
        prefix=tmp_path / "slow", extra=["--stop-timeout", "10"],
    )  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    finally:
        server.shutdown()
        server.server_close()

    total = stats_read(tmp_path / "slow").set_index("endpoint").loc["Aggregated"]
    assert SlowHandler.served >= 2
    assert total["requests"] == SlowHandler.served
