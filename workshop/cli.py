"""``workshop``: one command for running, testing, measuring and learning each stage."""

import argparse
import importlib
import sys

from workshop.errors import WorkshopError

# Each module adds its own subcommands with register(subparsers).
COMMAND_MODULES = [
    "workshop.commands.run",
    "workshop.commands.test",
    "workshop.commands.stack",
    "workshop.commands.scale",
    "workshop.commands.bench",
    "workshop.commands.exercise",
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
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except WorkshopError as error:
        print(f"workshop {args.command}: {error}", file=sys.stderr)
        return 1
