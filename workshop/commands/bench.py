"""``workshop bench NN``: measure a stage under load; ``workshop notebooks``: execute
the measuring notebooks (CI runs them short)."""

import sys

from workshop.bench.profiles import CHOICES, SECONDS_ENV
from workshop.stages import stage_resolve


def register(subparsers):
    bench = subparsers.add_parser(
        "bench",
        help="load a stage with locust; print req/s, latencies and CPU per request",
        description="Start a private copy of the stage's native stack (stopped after), "
        "measure locust's own ceiling, run the chosen load profiles, print a summary and "
        "write a tidy results file to results/.",
    )
    bench.add_argument("stage", nargs="?", help="stage number, e.g. 01")
    bench.add_argument("--path", help="a copy of the stage: your work folder, or its name")
    bench.add_argument(
        "--profile", choices=[*CHOICES, "capacity"], default="all",
        help="anonymous browsers, shoppers, both (visitors), the TV spike, pages (a product "
        "page cached and uncached), customer (the campaign's page and a customer's), "
        "two-pass (notebook 04's), rendered (pages only Django renders, no pause: stage 03's "
        "scaling) or all but rendered (default); the ceiling always runs first. capacity: "
        "the capacity ladder, the most users the stage serves keeping its promise",
    )  # fmt: skip
    bench.add_argument("--runs", type=int, default=2, help="capacity: climbs per rung (default 2)")
    bench.add_argument(
        "--rung", choices=["warm", "cold", "both"], default="both",
        help="capacity: with the caches warm, from cold (emptied as each step begins), or both",
    )  # fmt: skip
    bench.add_argument(
        "--users", type=int, help="users of the anonymous and shoppers profiles; the spike's peak"
    )
    bench.add_argument(
        "--seconds", type=float,
        help=f"duration setting: each profile runs a share of it, the spike three times it "
        f"(default: ${SECONDS_ENV} or 30)",
    )  # fmt: skip
    bench.add_argument(
        "--url", help="a running stack to load instead (compose); its CPU is not measured"
    )
    bench.add_argument(
        "--servers", type=int, help="app servers of the bench's stack (stage 03 on; default: "
        "its stack.toml's count), each held to the stage's CPU share",
    )  # fmt: skip
    bench.set_defaults(handler=bench_command)

    notebooks = subparsers.add_parser(
        "notebooks", help="execute the notebooks in notebooks/, storing their outputs"
    )
    notebooks.add_argument(
        "--short", action="store_true",
        help=f"short runs (${SECONDS_ENV}=5) and outputs not stored: what CI runs",
    )  # fmt: skip
    notebooks.add_argument("names", nargs="*", help="notebook files (default: all)")
    notebooks.set_defaults(handler=notebooks_command)


def bench_command(args):
    from workshop.bench.reporting.summary import summary_text
    from workshop.bench.runner import bench

    stage = stage_resolve(args.stage, args.path)
    if args.profile == "capacity":
        return capacity_command(stage, args)
    # A StackError reaches cli.main, which prints it as one line.
    result = bench(
        stage, choice=args.profile, users=args.users, seconds=args.seconds, url=args.url,
        servers=args.servers,
    )  # fmt: skip
    print()
    print(summary_text(result))


def capacity_command(stage, args):
    from workshop.bench.capacity import RUNGS, capacity, capacity_of

    rungs = RUNGS if args.rung == "both" else (args.rung,)
    steps = capacity(stage, runs=args.runs, rungs=rungs)
    print()
    for row in capacity_of(steps).itertuples():
        print(f"stage {row.stage} {row.rung} run {row.run}: {row.capacity} users kept the promise")


def notebooks_command(args):
    from workshop.bench.notebooks import notebooks_execute

    failed = notebooks_execute(args.names, short=args.short)
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
        return 1
