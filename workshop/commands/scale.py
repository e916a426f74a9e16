"""``workshop scale NN N``: run N app servers behind a stage's nginx, while it serves."""

import os

from workshop.stack import Stack
from workshop.stages import stage_get


def register(subparsers):
    scale = subparsers.add_parser(
        "scale",
        help="add or remove app servers of a running stack (stage 03 on)",
        description="Start or stop app servers while the shop serves and reload nginx "
        "gracefully: a leaving server finishes its requests first, so no request fails.",
    )
    scale.add_argument("stage", help="stage number, e.g. 03")
    scale.add_argument("servers", type=int, help="how many app servers to run from now on")
    scale.add_argument(
        "--compose", action="store_true", help="the stage's docker compose stack (run from "
        "the checkout, with the COMPOSE_* variables it was started with): scale the app "
        "service, then reload nginx, which looks the app containers up only then",
    )  # fmt: skip
    scale.set_defaults(handler=scale_command)


def scale_command(args):
    stage = stage_get(args.stage)
    if args.compose:
        from workshop.compose import Compose, stage_compose_env

        # The stage's own settings where the shell has none: a container added gets the
        # CPU share and the count of servers the others got from the README's command.
        defaults = stage_compose_env(stage)
        Compose(stage, env={k: os.environ.get(k, v) for k, v in defaults.items()}).scale(
            args.servers
        )
        print(f"[{stage.number}] {args.servers} app containers; nginx reloaded")
        return
    Stack.for_stage(stage).scale(args.servers)
