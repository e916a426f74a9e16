"""The notebooks' figures, so that each notebook cell says what it shows in a line.

Every figure carries the machine in its title: absolute numbers from a shared
2-core machine mean little without it.
"""

import matplotlib.pyplot as plt
import pandas as pd

from .analysis import P95_LIMIT_MS
from .summary import PROGRAMS

SERVICE_COLOURS = {"web": "#4c72b0", "app": "#dd8452", "cache": "#55a868", "db": "#c44e52"}
SERVICE_COLOURS["password hashes"] = "#f3c49b"  # the app's, a lighter shade (logins.py)
# Not the stack's services, or their sum; or not CPU at all (the notebooks put the
# statements per request beside the CPU in the same table).
_NOT_STACKED = ("locust", "other", "server", "server without hashes", "db statements/req")


def machine_short(machine: dict) -> str:
    return f"{machine['cpu']}, {machine['cores']} cores"


def plot_cpu_per_request(table: pd.DataFrame, *, title: str, ax=None):
    """Stacked bars: CPU ms per request of each server service, one bar per row."""
    ax = ax or plt.subplots(figsize=(8, 3.5))[1]
    services = [s for s in ("web", "app", "password hashes", "cache", "db") if s in table.columns]
    services += [s for s in table.columns if s not in services and s not in _NOT_STACKED]
    labels = {s: f"{s} ({PROGRAMS[s]})" if s in PROGRAMS else s for s in services}
    table[services].rename(columns=labels).plot.barh(
        stacked=True, ax=ax, color=[SERVICE_COLOURS.get(s, "#8172b3") for s in services]
    )
    # Each bar's total at its end: a cached page's bar is a sliver beside a rendered one.
    for row, total in enumerate(table[services].sum(axis=1)):
        ax.annotate(
            f" {total:.3g} ms", (total, row), va="center", fontsize="small", annotation_clip=False
        )
    ax.set_xlabel("server CPU ms per request")
    ax.set_ylabel("")
    ax.set_title(title)
    # Under the axes, where no bar can hide behind it.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=4, fontsize="small")
    ax.invert_yaxis()
    ax.figure.tight_layout()
    return ax


def plot_spike(history: pd.DataFrame, point: dict | None, *, title: str):
    """Users, requests and failures per second, and the recent p95, over the spike."""
    fig, (load, latency) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    load.plot(history["t"], history["users"], color="black", label="users")
    load.set_ylabel("users")
    rates = load.twinx()
    rates.plot(history["t"], history["rps"], color="#4c72b0", label="requests/s")
    rates.plot(history["t"], history["failures_per_s"], color="#c44e52", label="failures/s")
    rates.set_ylabel("per second")
    _legend_both(load, rates, loc="upper left", outside=True)
    latency.plot(history["t"], history["p95_ms"] / 1000, color="#dd8452", label="p95 (recent)")
    latency.plot(history["t"], history["p50_ms"] / 1000, color="#55a868", label="p50 (recent)")
    latency.axhline(P95_LIMIT_MS / 1000, color="grey", linestyle="--", label="2 s")
    latency.set_ylabel("seconds")
    latency.set_xlabel("seconds into the run")
    latency.legend(loc="upper left", bbox_to_anchor=(1.08, 1), fontsize="small")
    _from_zero(load, rates, latency)
    if point:
        for ax in (load, latency):
            ax.axvline(point["t"], color="#c44e52", linestyle=":")
        # Above the plot, at the break's time: no line runs through it.
        load.annotate(
            f"broke: {point['users']} users ({point['cause']})", (point["t"], 1),
            xycoords=("data", "axes fraction"), xytext=(0, 4), textcoords="offset points",
            ha="center", va="bottom", fontsize="small", color="#c44e52",
        )  # fmt: skip
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_p95_safe_and_rest(history: pd.DataFrame, *, title: str, by="stage", label="stage {}"):
    """One panel per stage (or per value of ``by``, named by ``label``): the recent p95 of
    the safe pages, of everything else, and of the requests with a session among it, over
    the spike (``history``: the spike's rows
    of one or more runs, with the columns of analysis.p95_safe_and_rest). A log scale:
    milliseconds and seconds both show."""
    stages = sorted(history[by].unique())
    fig, axes = plt.subplots(
        len(stages), 1, figsize=(9, 1.5 + 2.2 * len(stages)), sharex=True, sharey=True,
        squeeze=False,
    )  # fmt: skip
    for ax, stage in zip(axes[:, 0], stages, strict=True):
        run = history[history[by] == stage]
        ax.plot(run["t"], run["safe_p95_ms"] / 1000, color="#55a868", label="safe pages")
        ax.plot(run["t"], run["other_p95_ms"] / 1000, color="#dd8452", label="everything else")
        if run.get("session_p95_ms", pd.Series(dtype=float)).notna().any():
            ax.plot(run["t"], run["session_p95_ms"] / 1000, color="#8172b3", linestyle=":",
                    label="with a session (of everything else)")  # fmt: skip
        ax.axhline(P95_LIMIT_MS / 1000, color="grey", linestyle="--", label="2 s")
        ax.set_yscale("log")
        ax.set_ylabel(f"{label.format(stage)}\np95 (s)")
    axes[0, 0].legend(loc="upper left", fontsize="small")
    axes[-1, 0].set_xlabel("seconds into the spike")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_scaling(table: pd.DataFrame, *, title: str):
    """Requests per second against app servers (``servers.scaling_table``), with the
    ideal line (n times one server's), and how busy the machine was, all cores."""
    fig, ax = plt.subplots(figsize=(8, 4))
    servers = table.index
    ax.plot(servers, table["req/s"], marker="o", color="#4c72b0", label="measured req/s")
    ideal = table["req/s"].loc[1] * servers
    ax.plot(servers, ideal, linestyle="--", color="grey", label="ideal: n × one server")
    ax.set_xlabel("app servers, each held to the same CPU share")
    ax.set_ylabel("requests/s (rendered pages)")
    ax.set_xticks(list(servers))
    _from_zero(ax)
    busy = ax.twinx()
    busy.plot(
        servers, 100 * table["machine busy"], marker="s", color="#c44e52", label="machine busy"
    )
    busy.set_ylim(0, 105)
    busy.set_ylabel("machine busy, % of all cores")
    _legend_both(ax, busy, loc="upper left")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_drill(drill, *, title: str):
    """Requests and failures per second over a drill (``drill.Drill``), the app servers
    asked for, and each event marked where it happened."""
    history = drill.history
    fig, (rates, latency) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True)
    rates.plot(history["t"], history["rps"], color="#4c72b0", label="requests/s")
    rates.plot(history["t"], history["get_failures_per_s"], color="#c44e52", label="failed GETs/s")
    post = history["post_failures_per_s"]
    rates.plot(history["t"], post, color="#8172b3", linestyle=":", label="failed POSTs/s")
    rates.set_ylabel("per second")
    servers = rates.twinx()
    steps = pd.concat([drill.servers, pd.DataFrame({"t": [history["t"].max()]})])
    servers.step(
        steps["t"], steps["servers"].ffill(), where="post", color="black", label="app servers"
    )
    servers.set_ylim(0, steps["servers"].max() + 1)
    servers.set_ylabel("app servers")
    _legend_both(rates, servers, loc="lower left")
    latency.plot(history["t"], history["p95_ms"] / 1000, color="#dd8452", label="p95 (recent)")
    latency.set_ylabel("p95, last 3 s (s)")
    latency.set_xlabel("seconds into the drill")
    _from_zero(rates, latency)
    _drill_marks(drill.marks, (rates, latency))
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _drill_marks(marks: pd.DataFrame, axes) -> None:
    """Each moment of the drill (a kill, a restart) as a band on every panel, named on
    the first: a moment shorter than 0.3 s still shows."""
    for number, (_, mark) in enumerate(marks.iterrows()):
        for ax in axes:
            ax.axvspan(
                mark["start"], max(mark["end"], mark["start"] + 0.3), color="#ccb974", alpha=0.5
            )
        # Above the first panel, every other name one line higher: marks a few seconds
        # apart (a kill and its restart) would write over each other on one line.
        axes[0].annotate(
            mark["label"], (mark["start"], 1), xycoords=("data", "axes fraction"),
            xytext=(0, 3 + 11 * (number % 2)), textcoords="offset points", fontsize="small",
            ha="center", va="bottom",
        )  # fmt: skip


def plot_ratios(ratios: pd.DataFrame, *, title: str, ax=None, xlabel="ratio to stage 01"):
    """Horizontal bars of ratios (one group per row, one bar per column), 1.0 marked."""
    ax = ax or plt.subplots(figsize=(8, 0.6 + 0.5 * ratios.size))[1]
    ratios.plot.barh(ax=ax)
    ax.axvline(1.0, color="grey", linestyle="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.set_title(title)
    ax.legend(title=ratios.columns.name, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.invert_yaxis()
    ax.figure.tight_layout()
    return ax


def _legend_both(left, right, loc="upper right", *, outside=False):
    """One legend for a panel and its twin; ``outside``: right of the panel, off the data."""
    lines = left.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    where = {"loc": loc, "bbox_to_anchor": (1.08, 1)} if outside else {"loc": loc}
    left.legend(lines[0] + more[0], lines[1] + more[1], fontsize="small", **where)


def _from_zero(*axes) -> None:
    """Every count, rate and latency axis starts at zero, unless a log scale says not."""
    for ax in axes:
        if ax.get_yscale() == "linear":
            ax.set_ylim(0, None)


SERVER_COLOURS = {"db": "#c44e52", "replica1": "#4c72b0", "replica2": "#55a868"}


def plot_reads_split(table: pd.DataFrame, *, title: str, ax=None):
    """Stacked bars: SELECTs per request on each database server (``db`` the primary),
    one bar per row (stage and profile)."""
    ax = ax or plt.subplots(figsize=(8, 0.8 + 0.55 * len(table)))[1]
    colours = [SERVER_COLOURS.get(server, "#8172b3") for server in table.columns]
    table.plot.barh(stacked=True, ax=ax, color=colours)
    ax.set_xlabel("SELECTs per request, by the server that ran them")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=len(table.columns))
    ax.invert_yaxis()
    ax.figure.tight_layout()
    return ax


def plot_failover(drill, *, title: str):
    """A replica killed and started under a crowd (``failover.FailoverDrill``): requests
    and failures per second, the recent p95, and the SELECTs each database server ran per
    second, the events marked where they happened."""
    history, selects = drill.history, drill.selects
    fig, (rates, latency, reads) = plt.subplots(3, 1, figsize=(10, 8.5), sharex=True)
    rates.plot(history["t"], history["rps"], color="#4c72b0", label="requests/s")
    rates.plot(history["t"], history["get_failures_per_s"], color="#c44e52", label="failed GETs/s")
    post = history["post_failures_per_s"]
    rates.plot(history["t"], post, color="#8172b3", linestyle=":", label="failed POSTs/s")
    rates.set_ylabel("per second")
    rates.legend(loc="lower left", fontsize="small")
    latency.plot(history["t"], history["p95_ms"] / 1000, color="#dd8452", label="p95 (recent)")
    latency.set_ylabel("p95, recent (s)")
    for server in [c for c in selects.columns if c != "t"]:
        reads.plot(selects["t"], selects[server], color=SERVER_COLOURS.get(server), label=server)
    reads.set_ylabel("SELECTs/s per server")
    reads.set_xlabel("seconds into the drill")
    reads.legend(loc="upper left", fontsize="small")
    _from_zero(rates, latency, reads)
    _drill_marks(drill.marks, (rates, latency, reads))
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_lag(samples: pd.DataFrame, history: pd.DataFrame, *, title: str):
    """Each replica's lag (transactions behind the primary, and Seconds_Behind_Master)
    sample by sample, under the users of the run (``history``), on one clock."""
    fig, (users, behind) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
    users.plot(history["t"], history["users"], color="black", label="users")
    users.set_ylabel("users")
    rates = users.twinx()
    rates.plot(history["t"], history["rps"], color="#4c72b0", label="requests/s")
    rates.set_ylabel("requests/s")
    _legend_both(users, rates, loc="upper right")
    seconds = behind.twinx()
    for server, rows in samples[samples["role"] == "replica"].groupby("server"):
        colour = SERVER_COLOURS.get(server)
        behind.plot(rows["t"], rows["behind"], color=colour, label=f"{server}, transactions")
        seconds.plot(rows["t"], rows["seconds_behind"], color=colour, linestyle=":",
                     label=f"{server}, seconds")  # fmt: skip
    behind.set_ylabel("transactions behind")
    seconds.set_ylabel("Seconds_Behind_Master")
    behind.set_xlabel("seconds into the run")
    _legend_both(behind, seconds, loc="upper left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


PHASE_COLOURS = {"killed": "#c44e52", "restarted": "#ccb974", "frozen": "#64b5cd"}


def plot_cache_drill(drill, *, title: str):
    """The memcached drill (``cachedrill.CacheDrill``): requests, 5xx answers and requests
    without an answer per second, and the p95 of each second's requests, with each phase
    (up, killed, restarted, frozen, back) shaded where it happened."""
    history = drill.per_second()
    fig, (rates, latency) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    rates.plot(history["t"], history["requests"], color="#4c72b0", label="requests/s")
    rates.plot(history["t"], history["5xx"], color="#c44e52", label="5xx answers/s")
    rates.plot(history["t"], history["no answer"], color="#8172b3", linestyle=":",
               label="no answer/s")  # fmt: skip
    rates.set_ylabel("per second")
    rates.legend(loc="center right", fontsize="small")
    latency.plot(history["t"], history["p95 (s)"], color="#dd8452", label="p95 of the second")
    latency.set_ylabel("p95 (s)")
    latency.set_xlabel("seconds into the drill")
    latency.legend(loc="center right", fontsize="small")
    _from_zero(rates, latency)
    for _, phase in drill.marks.iterrows():
        colour = PHASE_COLOURS.get(phase["label"])
        for ax in (rates, latency):
            if colour:
                ax.axvspan(phase["start"], phase["end"], color=colour, alpha=0.25)
        rates.annotate(
            phase["label"], (phase["start"], 1), xycoords=("data", "axes fraction"),
            xytext=(3, -12), textcoords="offset points", fontsize="small",
        )  # fmt: skip
    fig.suptitle(title)
    fig.tight_layout()
    return fig
