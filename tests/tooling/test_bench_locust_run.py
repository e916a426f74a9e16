"""Running locust headless in its own process: a real, short run of the ceiling profile
against a small static file server in this test."""

import dataclasses
import functools
import http.server
import threading

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
