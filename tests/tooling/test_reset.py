"""`workshop reset NN` forgets one stage's data and nothing else: natively its run
folder alone; with --compose, `down -v` with the stage's own STAGE and COMPOSE_PROFILES,
so that only its volumes (django-at-scale-NN_name-*) can go. No Docker is needed here:
compose and docker are stood in for, and what they are asked to run is read."""

import json
import shutil
import subprocess

import pytest

from workshop.cli import main
from workshop.commands import stack as stack_command
from workshop.compose import engine
from workshop.stack import runfolder
from workshop.stack.topology import TOPOLOGY_FILE
from workshop.stages import stage_get


@pytest.fixture
def run_root(tmp_path, monkeypatch):
    """Two stages' run folders, with data in each."""
    root = tmp_path / "run"
    monkeypatch.setattr(runfolder, "RUN_ROOT", root)
    for name in ("01_single_instance", "02_static_cache"):
        (root / name / "db" / "data").mkdir(parents=True)
        (root / name / "state.json").write_text("{}")
    return root


def test_a_native_reset_deletes_that_stages_run_folder_alone(run_root):
    assert main(["reset", "02"]) == 0

    assert not (run_root / "02_static_cache").exists()
    assert (run_root / "01_single_instance" / "db" / "data").is_dir()


def test_a_work_folders_reset_deletes_its_run_folder_and_keeps_the_learners_code(
    run_root, tmp_path
):
    work = tmp_path / "work" / "02_static_cache"
    (work / "deploy").mkdir(parents=True)
    (work / "manage.py").write_text("# the learner's\n")
    shutil.copy(stage_get("02").path / TOPOLOGY_FILE, work / TOPOLOGY_FILE)
    copy_run = stack_command._stack("02", str(work)).run.path
    (copy_run / "db").mkdir(parents=True)

    assert main(["reset", "02", "--path", str(work)]) == 0

    assert not copy_run.exists()
    assert (work / "manage.py").read_text() == "# the learner's\n"
    assert sorted(p.name for p in run_root.iterdir()) == ["01_single_instance", "02_static_cache"]


class FakeDocker:
    """subprocess.run for compose and docker: records each command with its
    environment; `docker ps` lists the containers given, which mount ``volumes``."""

    def __init__(self, volumes=()):
        self.calls: list[tuple[list[str], dict]] = []
        self.volumes = list(volumes)

    def __call__(self, command, *, env=None, **kwargs):
        self.calls.append((command, env or {}))
        out = ""
        if command[:2] == ["docker", "ps"] and self.volumes:
            out = "c1\n"
        elif command[:2] == ["docker", "inspect"]:
            mounts = [{"Type": "volume", "Name": name} for name in self.volumes]
            labels = {"com.docker.compose.service": "db"}
            out = json.dumps([{"Id": "c1", "Mounts": mounts, "Config": {"Labels": labels}}])
        return subprocess.CompletedProcess(command, 0, out, "")

    def compose_calls(self):
        return [(command[1:], env) for command, env in self.calls if command[0] == "compose"]


@pytest.fixture
def fake_docker(monkeypatch):
    def install(volumes=()):
        fake = FakeDocker(volumes)
        monkeypatch.setattr(engine.subprocess, "run", fake)
        monkeypatch.setattr(engine, "compose_program", lambda: ["compose"])
        return fake

    return install


@pytest.mark.parametrize(
    ("number", "profiles"), [("01", None), ("03", None), ("05", "replicas")], ids=str
)
def test_a_compose_reset_takes_down_the_stage_with_its_own_settings(
    fake_docker, monkeypatch, number, profiles
):
    monkeypatch.setenv("STAGE", "01_single_instance")  # left in the shell by another stage
    monkeypatch.setenv("COMPOSE_PROFILES", "replicas")
    fake = fake_docker()

    assert main(["reset", number, "--compose"]) == 0

    [(args, env)] = fake.compose_calls()
    assert args[:2] == ["down", "--volumes"]
    assert env["STAGE"] == stage_get(number).name
    assert env.get("COMPOSE_PROFILES") == profiles


def test_a_compose_reset_refuses_while_another_stage_runs_in_the_project(fake_docker, capsys):
    fake = fake_docker(volumes=["django-at-scale-01_single_instance-db"])

    assert main(["reset", "03", "--compose"]) == 1

    assert fake.compose_calls() == []
    assert "runs 01_single_instance, not 03_round_robin" in capsys.readouterr().err


def test_a_compose_reset_of_the_stage_that_runs_takes_it_down(fake_docker):
    fake = fake_docker(volumes=["django-at-scale-05_replicas_failover-replica1"])

    assert main(["reset", "05", "--compose"]) == 0

    assert [args[0] for args, _ in fake.compose_calls()] == ["down"]
