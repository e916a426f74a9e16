"""``workshop test [NN]``: every stage's tests in its own process, then one summary."""

from workshop.oldcode import old_code_suite_run
from workshop.stages import stage_list, stage_resolve
from workshop.testrun import stage_suite_run, summary_print, tooling_suite_run


def register(subparsers):
    parser = subparsers.add_parser(
        "test",
        help="run the tests of one stage, or of every stage and the tooling",
        description="Extra arguments after -- go to pytest, e.g. workshop test 01 -- -k cart -x",
    )
    parser.add_argument("stage", nargs="?", help="a stage number; default: all stages and tooling")
    parser.add_argument(
        "--path", help="a copy of the stage (your work folder, or its name): its own tests "
        "and the shared behaviour suite, run on its code",
    )  # fmt: skip
    parser.add_argument(
        "--schema-of", metavar="NN", help="run the stage's code and the shared behaviour "
        "suite on a MariaDB test database migrated by stage NN's migrations (old code on "
        "the new schema, as during a rolling deploy)",
    )  # fmt: skip
    parser.set_defaults(handler=test, pytest_args=[])


def test(args):
    if args.schema_of:
        old, new = stage_resolve(args.stage or "01"), stage_resolve(args.schema_of)
        results = [old_code_suite_run(old, new, pytest_args=args.pytest_args)]
        return 0 if summary_print(results) else 1
    if args.path:
        stage = stage_resolve(args.stage, args.path)
        results = [stage_suite_run(stage, path=stage.path, pytest_args=args.pytest_args)]
        return 0 if summary_print(results) else 1
    stages = [stage_resolve(args.stage)] if args.stage else stage_list()
    results = [stage_suite_run(stage, pytest_args=args.pytest_args) for stage in stages]
    if not args.stage:
        results.append(tooling_suite_run(pytest_args=args.pytest_args))
    return 0 if summary_print(results) else 1
