"""The native stack: a stage's topology (nginx, gunicorn, memcached, MariaDB) run from
the programs on this machine under supervisord, with everything it writes (data,
configuration, logs, pids) in one run folder, .run/NN_name/.

    from workshop.stack import Stack
    stack = Stack.for_stage(stage_get("01"))
    stack.up()
"""

from .errors import StackError
from .stack import Stack

__all__ = ["Stack", "StackError"]
