"""CI's compose pass (.ci/compose): every stage from a clean state, as its README runs
it, with the shared stack suite and the stage's own compose tests on it.

    python -m workshop.compose [NN ...]
"""

import os
import sys
import time

from workshop import ROOT
from workshop.stack.errors import StackError
from workshop.stack.ports import HOST, port_pick_free
from workshop.stages import stage_list, stage_resolve
from workshop.testrun import STACK_TESTS, stage_suite_run, suite_run, summary_print

from .engine import COMPOSE_FILE, URL_VAR, Compose
from .stack import stage_compose_env

COMPOSE_TESTS = ROOT / "tests" / "compose"
TEST_FILE = ROOT / "docker" / "compose-test.yml"


def compose_pass(stages) -> bool:
    results, ok = [], True
    for stage in stages:
        port = port_pick_free()
        env = {**stage_compose_env(stage), "WEB_PORT": str(port)}
        env["COMPOSE_FILE"] = os.pathsep.join([str(COMPOSE_FILE), str(TEST_FILE)])
        compose = Compose(stage, env=env)
        started = time.monotonic()
        compose.down(quiet=True)  # a clean state: whatever an earlier run left
        try:
            compose.up()
        except StackError as error:
            print(f"compose: stage {stage.number} did not come up: {error}", flush=True)
            compose.run("ps")
            compose.down()
            ok = False
            continue
        print(f"compose: stage {stage.number} up in {time.monotonic() - started:.0f} s", flush=True)
        # The test processes inherit the stack's settings (stage_suite_run passes
        # os.environ on), and this process gets its own back after them.
        names = {URL_VAR, "STAGE", "COMPOSE_PROJECT_NAME", *env}
        saved = {name: os.environ.get(name) for name in names}
        os.environ.update({name: compose.env[name] for name in names - {URL_VAR}})
        os.environ[URL_VAR] = f"http://{HOST}:{port}"
        try:
            own = sorted(COMPOSE_TESTS.glob(f"test_{stage.number}_*.py"))
            if own:  # before the shared suite, whose last test takes the stack down
                results.append(suite_run(f"compose {stage.number}", own))
            results.append(stage_suite_run(stage, tests=[STACK_TESTS]))
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            compose.down()
        left = compose.leftovers()
        if left:
            print(f"compose: stage {stage.number}: down -v left {', '.join(left)}", flush=True)
            ok = False
        print(f"compose: stage {stage.number} took {time.monotonic() - started:.0f} s", flush=True)
    return summary_print(results) and ok


if __name__ == "__main__":
    wanted = [stage_resolve(number) for number in sys.argv[1:]] or stage_list()
    sys.exit(0 if compose_pass(wanted) else 1)
