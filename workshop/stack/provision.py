"""Fill a freshly started stack: the database's tables, the collected static files that
nginx serves, the demo catalogue. Every step is idempotent, so every start runs them:
a stage that gained a migration or a stylesheet since the last start gets it."""

import subprocess
import sys

from .errors import StackError

STEPS = [
    ("migrate", ["migrate", "--no-input"]),
    ("collect static files", ["collectstatic", "--no-input"]),
    ("seed the demo catalogue", ["seed"]),
]


def provision(stack) -> None:
    env = stack.stage.env(**stack.env())
    log_path = stack.run.path / "provision.log"
    with log_path.open("w") as log:
        for title, args in STEPS:
            stack.say(f"app: {title}")
            command = [sys.executable, str(stack.stage.path / "manage.py"), *args, "-v", "1"]
            # Quiet stacks (tests, notebooks) keep the output in the log; a person at a
            # terminal sees migrations and the seed's progress bar as they happen.
            out = log if stack.quiet else None
            result = subprocess.run(command, cwd=stack.stage.path, env=env, stdout=out, stderr=out)
            if result.returncode != 0:
                where = f"; see {log_path}" if stack.quiet else ""
                raise StackError(f"manage.py {args[0]} failed against the stack{where}")
