"""``workshop scale NN N``: run N app servers behind a stage's nginx, while it serves."""

from workshop.stack import Stack
from workshop.stages import stage_get


def register(subparsers):
    scale = subparsers.add_parser(
        "scale",
        help="add or remove app servers of a running native stack (stage 03 on)",
        description="Start or stop app servers while the shop serves and reload nginx "
        "gracefully: a leaving server finishes its requests first, so no request fails.",
    )
    scale.add_argument("stage", help="stage number, e.g. 03")
    scale.add_argument("servers", type=int, help="how many app servers to run from now on")
    scale.set_defaults(handler=scale_command)


def scale_command(args):
    Stack.for_stage(stage_get(args.stage)).scale(args.servers)
