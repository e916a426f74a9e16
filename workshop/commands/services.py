"""``workshop memcached``: one memcached in the foreground, for the tests that need one
outside a stack (stage 04's step 5: a lock must hold across processes), with the
CACHE_URL that points the tests at it."""

import subprocess

from workshop.stack.kinds.memcached import memcached_argv
from workshop.stack.ports import HOST

DEFAULT_PORT = 11211


def register(subparsers):
    parser = subparsers.add_parser(
        "memcached",
        help="run a memcached in the foreground for the tests (Ctrl-C stops it)",
        description="Then, in another terminal: export CACHE_URL=pymemcache://127.0.0.1:PORT",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default 11211")
    parser.set_defaults(handler=memcached_command)


def memcached_command(args):
    command = memcached_argv(args.port)  # says what to install when memcached is missing
    print(f"memcached on {HOST}:{args.port}, until Ctrl-C. In another terminal:")
    print(f"  export CACHE_URL=pymemcache://{HOST}:{args.port}", flush=True)
    try:
        return subprocess.run(command).returncode
    except KeyboardInterrupt:
        return 0
