"""``workshop topology [NN] [--write]``: the picture of a stage's topology, drawn from its
deploy/stack.toml, printed or written into the READMEs."""

from workshop.stages import stage_get
from workshop.topology_picture import picture_write, pictures


def register(subparsers):
    topology = subparsers.add_parser(
        "topology",
        help="a stage's topology as a Mermaid picture, from its deploy/stack.toml",
        description="Print the picture (without a stage: the five side by side, as the "
        "root README shows them), or write it into the READMEs between their markers.",
    )
    topology.add_argument("stage", nargs="?", help="stage number (default: every stage)")
    topology.add_argument(
        "--write", action="store_true",
        help="update the stage's README (without a stage: every stage's and the root's)",
    )  # fmt: skip
    topology.set_defaults(handler=topology_command)


def topology_command(args):
    number = stage_get(args.stage).number if args.stage else None
    found = pictures(number)
    if not args.write:
        print(found[-1].mermaid, end="")
        return
    for picture in found:
        changed = picture_write(picture)
        print(f"{picture.readme}: {'updated' if changed else 'already up to date'}")
