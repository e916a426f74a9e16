"""``workshop``: one command for running, testing, measuring and learning each stage."""

import argparse
import importlib
import sys

from workshop.errors import WorkshopError

# Each module adds its own subcommands with register(subparsers).
COMMAND_MODULES = [
    "workshop.commands.doctor",  # first: what an attendee runs first
    "workshop.commands.run",
    "workshop.commands.test",
    "workshop.commands.stack",
    "workshop.commands.scale",
    "workshop.commands.topology",
    "workshop.commands.bench",
    "workshop.commands.exercise",
    "workshop.commands.services",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workshop",
        description="Django at scale: run, test and measure the workshop's stages.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # What follows "--" goes to pytest whatever comes before it (argparse alone refuses
    # "-- -x" after an option: workshop check 02 --path DIR -- -x).
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    parser = build_parser()
    args = parser.parse_args(argv[: len(argv) - len(extra) - 1] if extra else argv)
    if extra:
        if not hasattr(args, "pytest_args"):
            parser.error(f"workshop {args.command} takes no pytest arguments after --")
        args.pytest_args = [*args.pytest_args, *extra]
    try:
        return args.handler(args) or 0
    except WorkshopError as error:
        print(f"workshop {args.command}: {error}", file=sys.stderr)
        return 1
