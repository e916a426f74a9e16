"""``workshop run NN [--path DIR]``: a stage (or a learner's copy of it) on its embedded
defaults (SQLite, in-process cache)."""

import contextlib
import subprocess
import sys

from workshop.stages import stage_resolve


def register(subparsers):
    parser = subparsers.add_parser(
        "run", help="migrate, seed and serve a stage on its embedded defaults"
    )
    parser.add_argument("stage", nargs="?", help="stage number (default 01)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--path", help="a copy of the stage: your work folder, or its name")
    parser.set_defaults(handler=run)


def manage(stage, *args, check=True, **env):
    """Run a stage's manage.py command in its own process (one Django per process)."""
    command = [sys.executable, str(stage.path / "manage.py"), *args]
    return subprocess.run(command, cwd=stage.path, env=stage.env(**env), check=check)


def run(args):
    stage = stage_resolve(args.stage, args.path)
    print(f"Stage {stage.number} ({stage.title}) on its embedded defaults, from {stage.path}")
    manage(stage, "migrate", "--no-input", "-v", "0")
    manage(stage, "seed")
    print(f"Serving http://127.0.0.1:{args.port}/  (Ctrl-C stops)")
    # --insecure: serve static files with DEBUG off, as nginx does in the stacks.
    with contextlib.suppress(KeyboardInterrupt):
        manage(stage, "runserver", "--insecure", f"127.0.0.1:{args.port}", check=False)
