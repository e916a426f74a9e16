"""The capacity ladder as one picture and one table: the users each stage held while
keeping its promise, warm and from cold, each run shown, on the budget each stage ran.

Each stage's rung is labelled with its lesson and its budget (capped cores: a quarter of
a core per app server and per MariaDB server), and with the kind of step it took from
the stage before: code (the same servers, new code) or hardware (more servers)."""

import matplotlib.pyplot as plt
import pandas as pd

from workshop.stack.topology import topology_load

SHARE = "cpu_share"
# Each stage's lesson in a few words, and the step it takes from the stage before.
LESSONS = {
    "01": ("one app server", None),
    "02": ("page files", "code"),
    "03": ("4 app servers", "hardware"),
    "04": ("two passes", "code"),
    "05": ("read replicas", "hardware"),
}
STEP_COLOURS = {None: "#999999", "code": "#1f77b4", "hardware": "#ff7f0e"}


def budget(stage, app_servers: int) -> dict:
    """The ladder's servers of a stage and the cores they are held to in all."""
    topology = topology_load(stage.path)
    dbs = [s for s in topology.services if s.kind == "mariadb"]
    db_count = sum(s.count for s in dbs)
    app_share = float(topology.service("app").options.get(SHARE, 0))
    db_share = sum(float(s.options.get(SHARE, 0)) * s.count for s in dbs)
    return {
        "app servers": app_servers,
        "MariaDB servers": db_count,
        "app cores": app_servers * app_share,
        "MariaDB cores": db_share,
        "capped cores": app_servers * app_share + db_share,
    }


def ladder_table(capacities: pd.DataFrame, budgets: dict[str, dict]) -> pd.DataFrame:
    """One row per stage: each run's capacity per rung, the smaller of the runs (what a
    ratio may claim), users per capped core, and the budget."""
    wide = capacities.pivot_table(index="stage", columns=["rung", "run"], values="capacity")
    wide.columns = [f"{rung} run {run}" for rung, run in wide.columns]
    table = pd.DataFrame(budgets).T.join(wide)
    for rung in ("warm", "cold"):
        runs = [c for c in table.columns if c.startswith(f"{rung} run")]
        if runs:
            table[f"{rung} (both runs)"] = table[runs].min(axis=1)
            table[f"{rung} users per core"] = table[f"{rung} (both runs)"] / table["capped cores"]
    return table


def ladder_ratios(table: pd.DataFrame, targets: dict) -> pd.DataFrame:
    """Each target ratio, (rung, stage, over stage) -> wanted, against both runs'
    smaller capacity over the other stage's larger one: a ratio counts when both meet it."""
    rows = []
    for (rung, stage, over), wanted in targets.items():
        runs = [c for c in table.columns if c.startswith(f"{rung} run")]
        worst = table.loc[stage, runs].min() / table.loc[over, runs].max()
        best = table.loc[stage, runs].max() / table.loc[over, runs].min()
        rows.append({
            "ratio": f"{stage} / {over}, {rung}", "target": wanted,
            "measured (worst, best pairing)": f"{worst:.2f} – {best:.2f}", "met": worst >= wanted,
        })  # fmt: skip
    return pd.DataFrame(rows).set_index("ratio")


def plot_ladder(table: pd.DataFrame, *, title: str):
    """Bars of users held (warm and from cold; each run a dot), and users per core."""
    fig, (held, per_core) = plt.subplots(
        1, 2, figsize=(11, 4.8), gridspec_kw={"width_ratios": [3, 1.4]}
    )
    stages = list(table.index)
    x = range(len(stages))
    for offset, rung, hatch in [(-0.2, "warm", None), (0.2, "cold", "//")]:
        if f"{rung} (both runs)" not in table:
            continue
        colours = [STEP_COLOURS[LESSONS.get(s, ("", None))[1]] for s in stages]
        bars = held.bar(
            [i + offset for i in x], table[f"{rung} (both runs)"], width=0.38, color=colours,
            hatch=hatch, edgecolor="white", label=rung,
        )  # fmt: skip
        held.bar_label(bars, fmt="%d", fontsize="small")
        for column in [c for c in table.columns if c.startswith(f"{rung} run")]:
            held.plot([i + offset for i in x], table[column], "k.", markersize=5)
    held.set_xticks(
        list(x), [_label(stage, table.loc[stage]) for stage in stages], fontsize="small"
    )
    held.set_ylabel("users held, promise kept (bar: the smaller run; dots: each run)")
    held.set_ylim(0, None)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in STEP_COLOURS.values()]
    rungs = [plt.Rectangle((0, 0), 1, 1, fill=False, hatch=h) for h in (None, "//")]
    held.legend(
        handles + rungs, ["first stage", "code step", "hardware step", "warm", "from cold"],
        fontsize="small", loc="upper left",
    )  # fmt: skip
    if "warm users per core" in table:
        bars = per_core.bar(stages, table["warm users per core"], color="#2ca02c")
        per_core.bar_label(bars, fmt="%.0f", fontsize="small")
        per_core.set_ylabel("warm users per capped core")
        per_core.set_xlabel("stage")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _label(stage: str, row) -> str:
    lesson, step = LESSONS.get(stage, (stage, None))
    servers = f"{row['app servers']:.0f} app + {row['MariaDB servers']:.0f} db"
    return f"{stage} {lesson}\n{servers}, {row['capped cores']:g} cores" + (
        f"\n({step} step)" if step else ""
    )
