"""`workshop doctor` names every missing piece with the commands that install it on
Debian/Ubuntu and on macOS, and fails only when the way of running asked for lacks one.
Programs are hidden by leaving them off the finder's path (as on a laptop without them;
.ci/bare removes them from the file system), Python packages by blocking their import,
and a machine that has everything is made of stand-in programs and packages."""

import re
import sys

import pytest

from workshop.cli import main
from workshop.stack import programs

SERVERS = ["nginx", "memcached", "mariadbd", "mariadb-install-db", "mariadb"]
EVERY_PROGRAM = [*SERVERS, "mariadb-dump", "chromium", "chromedriver", "docker-compose"]
IMAGES = "django-at-scale-app django-at-scale-web django-at-scale-cache django-at-scale-db"
DOCKER = """\
#!/bin/sh
case "$1" in
  info) {info} ;;
  compose) exit 1 ;;
  image) for image in {images}; do echo "$image"; done ;;  # PATH holds no tr
esac
"""


def stand_in(folder, name, script="#!/bin/sh\n"):
    path = folder / name
    path.write_text(script)
    path.chmod(0o755)


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    """The only folder the finders search: empty, so every program is missing."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setattr(programs, "EXTRA_DIRS", [])
    return folder


@pytest.fixture
def everything(bin_dir, tmp_path, monkeypatch):
    """Every program, a docker whose engine answers with every image built, and the
    optional Python packages (stand-ins, importable)."""
    for name in EVERY_PROGRAM:
        stand_in(bin_dir, name)
    stand_in(bin_dir, "docker", DOCKER.format(info="exit 0", images=IMAGES))
    for module in ("MySQLdb", "supervisor", "selenium"):
        (tmp_path / "modules" / module).mkdir(parents=True)
        (tmp_path / "modules" / module / "__init__.py").touch()
    monkeypatch.syspath_prepend(str(tmp_path / "modules"))
    return bin_dir


def hide_module(monkeypatch, name):
    monkeypatch.setitem(sys.modules, name, None)  # what Python itself reads as "blocked"


def missing_lines(out: str) -> dict[str, str]:
    """{piece: its install command} for each line that says missing."""
    rows = re.findall(r"^  missing  (.{20}) (.*)$", out, flags=re.MULTILINE)
    return {name.strip(): install for name, install in rows}


def test_a_machine_with_only_python_passes_the_default_check(bin_dir, capsys):
    assert main(["doctor"]) == 0

    missing = missing_lines(capsys.readouterr().out)
    assert "Django" not in missing and "python" not in missing


def test_each_missing_server_is_named_with_its_debian_and_macos_install_command(
    bin_dir, capsys, monkeypatch
):
    hide_module(monkeypatch, "MySQLdb")

    assert main(["doctor", "03", "--stack"]) == 1

    missing = missing_lines(capsys.readouterr().out)
    assert missing["nginx"] == "apt-get install nginx (macOS: brew install nginx)"
    assert missing["memcached"] == "apt-get install memcached (macOS: brew install memcached)"
    assert missing["mariadbd"] == "apt-get install mariadb-server (macOS: brew install mariadb)"
    assert missing["mariadb-install-db"].startswith("apt-get install mariadb-server")
    assert missing["mariadb"] == "apt-get install mariadb-client (macOS: brew install mariadb)"
    assert "apt-get install libmariadb-dev" in missing["mysqlclient"]
    assert "brew install mariadb-connector-c" in missing["mysqlclient"]


def test_the_compose_and_browser_pieces_are_named_even_when_not_asked_for(bin_dir, capsys):
    main(["doctor"])

    missing = missing_lines(capsys.readouterr().out)
    assert missing["docker"] == "apt-get install docker.io (macOS: brew install --cask docker)"
    assert missing["compose"].startswith("apt-get install docker-compose")
    assert missing["chromium"].startswith("apt-get install chromium (macOS: brew install")
    assert missing["chromedriver"].startswith("apt-get install chromium-driver")


@pytest.mark.parametrize(("stage", "needs_dump"), [("01", False), ("05", True)], ids=["01", "05"])
def test_a_stage_needs_what_its_stack_toml_declares(bin_dir, capsys, stage, needs_dump):
    """Stage 05's replicas copy the primary with mariadb-dump; stage 01 has none."""
    main(["doctor", stage])

    assert ("mariadb-dump" in missing_lines(capsys.readouterr().out)) == needs_dump


def test_with_every_piece_there_every_way_of_running_passes(everything, capsys):
    assert main(["doctor", "05", "--compose", "--browser"]) == 0

    out = capsys.readouterr().out
    assert missing_lines(out) == {}
    assert "everything asked for is here" in out


@pytest.mark.parametrize(
    ("hidden", "fails", "passes"),
    [
        ("memcached", ["doctor", "02", "--stack"], ["doctor", "--compose", "--browser"]),
        ("chromedriver", ["doctor", "--browser"], ["doctor", "05", "--compose"]),
        ("docker-compose", ["doctor", "--compose"], ["doctor", "05", "--browser"]),
    ],
)
def test_a_missing_piece_fails_only_the_way_of_running_that_needs_it(
    everything, capsys, hidden, fails, passes
):
    (everything / hidden).unlink()

    assert main(fails) == 1
    assert main(passes) == 0


def test_a_docker_client_without_compose_is_not_taken_for_compose(everything, capsys):
    (everything / "docker-compose").unlink()  # and the stand-in docker has no plugin

    assert main(["doctor", "--compose"]) == 1

    assert "compose" in missing_lines(capsys.readouterr().out)


def test_an_engine_that_does_not_answer_says_how_to_start_it(everything, capsys):
    stand_in(everything, "docker", DOCKER.format(info="exit 1", images=IMAGES))

    assert main(["doctor", "--compose"]) == 1

    assert "systemctl start docker" in missing_lines(capsys.readouterr().out)["docker engine"]


def test_images_not_built_yet_say_how_to_build_them(everything, capsys):
    stand_in(everything, "docker", DOCKER.format(info="exit 0", images="django-at-scale-web"))

    assert main(["doctor", "--compose"]) == 1

    assert "docker compose build" in missing_lines(capsys.readouterr().out)["compose images"]


def test_without_django_even_the_default_check_fails(bin_dir, capsys, monkeypatch):
    hide_module(monkeypatch, "django")

    assert main(["doctor"]) == 1

    assert missing_lines(capsys.readouterr().out)["Django"] == "make setup"
