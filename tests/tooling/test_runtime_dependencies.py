"""The app image installs only pyproject's dependencies (and the [mysql] extra), not the
tooling of the [dev] extra. Every stage must run on those alone: here each one runs in a
process where every other installed package refuses to import, as if it were absent:
`manage.py check`, `migrate`, `collectstatic` and `seed`, then gunicorn serving pages."""

import contextlib
import importlib.metadata
import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from workshop import ROOT
from workshop.stack.ports import port_pick_free
from workshop.stages import stage_list

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

# Run before anything else in the child: a finder, first on sys.meta_path, that refuses the
# packages named in REFUSED_IMPORTS; then the command, as `python manage.py …` or
# `python -m module …` would run it.
GUARD = """
import os, runpy, sys
from importlib.abc import MetaPathFinder

REFUSED = set(os.environ["REFUSED_IMPORTS"].split(","))

class Refuse(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in REFUSED:
            raise ModuleNotFoundError(f"{name} is not a run-time dependency", name=name)

sys.meta_path.insert(0, Refuse())
if sys.argv[1] == "-m":
    sys.argv = sys.argv[2:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def runtime_distributions() -> set[str]:
    """pyproject's dependencies and the [mysql] extra, with everything they require."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo = [*project["dependencies"], *project["optional-dependencies"]["mysql"]]
    found = set()
    while todo:
        requirement = Requirement(todo.pop())
        name = canonicalize_name(requirement.name)
        if name in found or (requirement.marker and not requirement.marker.evaluate()):
            continue
        found.add(name)
        # Not installed here (mysqlclient without MariaDB's library): nothing to walk.
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            todo += importlib.metadata.requires(name) or []
    return found


def refused_imports() -> set[str]:
    """The top-level modules of every installed distribution the app does not need."""
    runtime = runtime_distributions() | {"django-at-scale"}
    return {
        module
        for module, distributions in importlib.metadata.packages_distributions().items()
        if not {canonicalize_name(d) for d in distributions} & runtime
    }


@pytest.fixture(scope="module")
def guarded_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")}
    env["REFUSED_IMPORTS"] = ",".join(sorted(refused_imports()))
    env["DJANGO_SECRET_KEY"] = "runtime-dependencies-test"
    return env


def guarded(args, *, env, cwd, **kwargs):
    return subprocess.run(
        [sys.executable, "-c", GUARD, *args], env=env, cwd=cwd, capture_output=True, text=True,
        **kwargs,
    )  # fmt: skip


def test_the_tooling_is_not_a_runtime_dependency():
    """locust, pandas, Jupyter, pytest and the stack's supervisor stay out of the image."""
    refused = refused_imports()

    assert {"locust", "pandas", "matplotlib", "nbclient", "pytest", "factory", "ruff"} <= refused
    assert {"supervisor", "psutil", "requests", "selenium"} <= refused
    assert not {"django", "gunicorn", "pymemcache", "environ", "tqdm"} & refused


def test_the_app_image_installs_the_runtime_dependencies_and_the_mysql_driver_only():
    """From the wheelhouse (docker/wheelhouse.sh writes its list) or from the index, the
    list is pyproject's dependencies and the [mysql] extra, and nothing else."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = re.findall(r"pip install (.*?);", dockerfile)
    listed = 'p["dependencies"] + p["optional-dependencies"]["mysql"]'

    assert installs == [
        "--no-index --find-links /wheels --quiet -r /wheels/requirements.txt",
        "--quiet -r /src/requirements.txt",
    ]
    assert listed in dockerfile and listed in (ROOT / "docker" / "wheelhouse.sh").read_text()


def test_the_guard_refuses_a_dev_package(guarded_env, tmp_path):
    result = guarded(["-m", "pytest", "--version"], env=guarded_env, cwd=tmp_path)

    assert result.returncode != 0
    assert "ModuleNotFoundError: pytest is not a run-time dependency" in result.stderr


@pytest.mark.parametrize("stage", stage_list(), ids=lambda s: s.number)
def test_every_stage_runs_on_its_runtime_dependencies_alone(stage, guarded_env, tmp_path):
    env = {**guarded_env, "SHOP_VAR_DIR": str(tmp_path)}
    for command in (["check"], ["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        result = guarded(["manage.py", *command], env=env, cwd=stage.path)
        assert result.returncode == 0, result.stderr
    # The image's cache: memcached through workshop.memcached (check builds it; no server).
    memcached = {**env, "CACHE_URL": "pymemcache://127.0.0.1:9"}
    result = guarded(["manage.py", "check"], env=memcached, cwd=stage.path)
    assert result.returncode == 0, result.stderr
    result = guarded(["manage.py", "seed", "--verbosity", "0"], env=env, cwd=stage.path)
    assert result.returncode == 0, result.stderr

    port = port_pick_free()
    app_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
    command = [sys.executable, "-c", GUARD, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
    with subprocess.Popen(
        [*command, "shop.wsgi:application"], env=app_env, cwd=stage.path,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    ) as app:  # fmt: skip
        try:
            home = page_wait(f"http://127.0.0.1:{port}/", app)
            login = page_wait(f"http://127.0.0.1:{port}/accounts/login/", app)
        finally:
            app.terminate()
            errors = app.communicate(timeout=30)[1]
    assert "Brightwire" in home and "Log in" in login, errors
    assert "not a run-time dependency" not in errors


def page_wait(url: str, app: subprocess.Popen, timeout: float = 60) -> str:
    """The page's text once gunicorn answers; fails if gunicorn exits first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode()
        except OSError:
            if app.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
