"""``workshop doctor``: one line per piece this laptop has or lacks, for every way of
running the workshop; fails when a piece of the way asked for is missing."""

from workshop import doctor
from workshop.stack.topology import TOPOLOGY_FILE
from workshop.stages import stage_get, stage_list


def register(subparsers):
    parser = subparsers.add_parser(
        "doctor",
        help="check what this laptop has (and how to install what it lacks)",
        description="Checks every way of running the workshop and prints, for each piece "
        "missing, the command that installs it. Fails when something the way asked for "
        "needs is missing: the embedded stages alone by default.",
    )
    parser.add_argument("stage", nargs="?", help="the stage whose native stack to check (03)")
    parser.add_argument(
        "--stack", action="store_true", help="need the native stack (of every stage, or NN's)"
    )
    parser.add_argument("--compose", action="store_true", help="need docker compose")
    parser.add_argument("--browser", action="store_true", help="need the browser tests'")
    parser.set_defaults(handler=doctor_command)


def doctor_command(args) -> int:
    stages = [stage_get(args.stage)] if args.stage else stage_list()
    stages = [stage for stage in stages if (stage.path / TOPOLOGY_FILE).exists()]
    asked = [
        (doctor.embedded(), True),
        (doctor.native(stages), args.stack or bool(args.stage)),
        (doctor.compose(), args.compose),
        (doctor.browser(), args.browser),
    ]
    for section, needed in asked:
        print(f"{section.title}{'' if needed else ': not asked for'}")
        for piece in section.pieces:
            print(piece.line())
    lacking = [name for section, needed in asked if needed for name in section.missing]
    if lacking:
        print(f"\ndoctor: missing {', '.join(lacking)}: the lines above say how to get each")
        return 1
    print("\ndoctor: everything asked for is here")
    return 0
