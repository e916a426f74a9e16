"""``workshop up / down / status / logs``: a stage's topology as native processes; with
``--path``, a learner's copy of the stage, in a run folder of its own."""

import hashlib
import shutil
import subprocess

from workshop.exercise.progress import progress_print
from workshop.stack import Stack, StackError, runfolder
from workshop.stack.databases import replication_lags
from workshop.stack.topology import TOPOLOGY_FILE
from workshop.stages import stage_get, stage_list, stage_resolve

PATH_HELP = "a copy of the stage (your work folder, or its name), run in a stack of its own"


def register(subparsers):
    up = subparsers.add_parser("up", help="start a stage's native stack: nginx, gunicorn, …")
    up.add_argument("stage", nargs="?", help="stage number (default 01)")
    up.add_argument("--port", type=int, help="web port (default: the last one used, or 8000)")
    up.add_argument("--path", help=PATH_HELP)
    up.set_defaults(handler=up_command)

    down = subparsers.add_parser("down", help="stop a stage's native stack")
    down.add_argument("stage", nargs="?", help="stage number (default: every stack that is up)")
    down.add_argument("--reset", action="store_true", help="and delete its data and logs")
    down.add_argument("--path", help=PATH_HELP)
    down.set_defaults(handler=down_command)

    reset = subparsers.add_parser(
        "reset",
        help="stop one stage and forget its data (natively, or --compose)",
        description="Stops the stage's stack and deletes its data, so that the next up "
        "starts afresh. Nothing of another stage, and no work folder, is touched: natively "
        "only the stage's run folder goes (as down NN --reset); with --compose, docker "
        "compose down -v with the stage's own STAGE and COMPOSE_PROFILES, so only its "
        "containers and volumes (django-at-scale-NN_name-*).",
    )
    reset.add_argument("stage", help="stage number")
    reset.add_argument("--compose", action="store_true", help="its docker compose stack")
    reset.add_argument("--path", help=PATH_HELP)
    reset.set_defaults(handler=reset_command)

    status = subparsers.add_parser(
        "status", help="native stacks (services, ports, pids, health) and your exercises"
    )
    status.add_argument("stage", nargs="?", help="stage number (default: all)")
    status.add_argument("--path", help=PATH_HELP)
    status.set_defaults(handler=status_command)

    logs = subparsers.add_parser("logs", help="the last lines of a native stack's logs")
    logs.add_argument("stage", nargs="?", help="stage number")
    logs.add_argument("service", nargs="?", help="web, app, cache, db… (default: all)")
    logs.add_argument("-n", "--lines", type=int, default=20)
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("--path", help=PATH_HELP)
    logs.set_defaults(handler=logs_command)


def up_command(args):
    _stack(args.stage, args.path, port=args.port).up()


def _stack(number, path=None, *, port=None) -> Stack:
    """The stack of a stage, or of a copy of it at ``path`` (a run folder of its own)."""
    if path is None:
        return Stack.for_stage(stage_get(number or "01"), port=port)
    stage = stage_resolve(number, path)
    digest = hashlib.sha1(str(stage.path).encode()).hexdigest()[:8]
    run_dir = runfolder.RUN_ROOT / f"{stage.name}-{digest}"
    return Stack.for_stage(stage, port=port, run_dir=run_dir)


def _stacks(number, path=None):
    """The stack of stage ``number`` (or its copy), or of every stage that declares one."""
    if path:
        return [_stack(number, path)]
    if number:
        return [Stack.for_stage(stage_get(number))]
    stages = [s for s in stage_list() if (s.path / TOPOLOGY_FILE).exists()]
    return [Stack.for_stage(stage) for stage in stages]


def down_command(args):
    for stack in _stacks(args.stage, args.path):
        if args.stage or args.path or stack.run.state().pids:
            stack.down()
        if args.reset:
            _forget(stack)


def reset_command(args):
    if args.compose:
        if args.path:
            raise StackError("compose runs stages/ only: reset a work folder without --compose")
        from workshop.compose import Compose, stage_compose_env

        # The stage's own settings, whatever the shell's say: its volumes are named after
        # STAGE, its replicas' only with COMPOSE_PROFILES=replicas.
        stage = stage_get(args.stage)
        env = stage_compose_env(stage)
        compose = Compose(stage, env=env)
        if "COMPOSE_PROFILES" not in env:
            compose.env.pop("COMPOSE_PROFILES", None)
        compose.reset()
        return
    stack = _stack(args.stage, args.path)
    stack.down()
    _forget(stack)


def _forget(stack: Stack) -> None:
    shutil.rmtree(stack.run.path, ignore_errors=True)
    stack.say(f"deleted {stack.run.path}")


def status_command(args):
    for stack in _stacks(args.stage, args.path):
        stack_status_print(stack)
    progress_print(args.stage)  # the learner's exercises (workshop/exercise/progress.py)


def stack_status_print(stack) -> None:
    """Each service instance on a line; from stage 05, each replica's threads and lag."""
    stage, rows = stack.stage, stack.status()
    if all(row["state"] == "down" for row in rows):
        print(f"{stage.number} {stage.title}: not up (workshop up {stage.number})")
        return
    print(f"{stage.number} {stage.title}: {stack.url}")
    for row in rows:
        print(
            f"  {row['name']:<9} {row['kind']:<10} port {row['port'] or '-':<6} "
            f"pid {row['pid'] or '-':<8} {row['state']:<8} {row['health']}"
        )
    lags = replication_lags(stack)
    if lags:
        print("  replication (lag: seconds behind the primary, transactions not applied yet):")
    for lag in lags:
        print(f"  {lag.line()}")


def logs_command(args):
    stack = _stack(args.stage, args.path)
    kinds = [k for k in stack.kinds if args.service in (None, k.name, k.instance.service.name)]
    if not kinds:
        names = ", ".join(k.name for k in stack.kinds)
        raise StackError(f"no service {args.service!r}: choose one of {names}")
    files = [str(path) for kind in kinds for path in kind.log_files() if path.exists()]
    if not files:
        raise StackError(f"no logs yet in {stack.run.path}: workshop up {stack.stage.number}")
    command = ["tail", "-n", str(args.lines), *(["-F"] if args.follow else []), *files]
    try:
        return subprocess.run(command).returncode
    except KeyboardInterrupt:
        return 0
