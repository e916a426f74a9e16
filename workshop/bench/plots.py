"""The notebooks' figures, so that each notebook cell says what it shows in a line.

Every figure carries the machine in its title: absolute numbers from a shared
2-core machine mean little without it.
"""

import matplotlib.pyplot as plt
import pandas as pd

from .analysis import P95_LIMIT_MS
from .summary import PROGRAMS

SERVICE_COLOURS = {"web": "#4c72b0", "app": "#dd8452", "cache": "#55a868", "db": "#c44e52"}
_NOT_STACKED = ("locust", "other", "server")  # not the stack's services, or their sum


def machine_short(machine: dict) -> str:
    return f"{machine['cpu']}, {machine['cores']} cores"


def plot_cpu_per_request(table: pd.DataFrame, *, title: str, ax=None):
    """Stacked bars: CPU ms per request of each server service, one bar per row."""
    ax = ax or plt.subplots(figsize=(8, 3.5))[1]
    services = [s for s in ("web", "app", "cache", "db") if s in table.columns]
    services += [s for s in table.columns if s not in services and s not in _NOT_STACKED]
    labels = {s: f"{s} ({PROGRAMS.get(s, s)})" for s in services}
    table[services].rename(columns=labels).plot.barh(
        stacked=True, ax=ax, color=[SERVICE_COLOURS.get(s, "#8172b3") for s in services]
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
    _legend_both(load, rates)
    latency.plot(history["t"], history["p95_ms"] / 1000, color="#dd8452", label="p95 (recent)")
    latency.plot(history["t"], history["p50_ms"] / 1000, color="#55a868", label="p50 (recent)")
    latency.axhline(P95_LIMIT_MS / 1000, color="grey", linestyle="--", label="2 s")
    latency.set_ylabel("seconds")
    latency.set_xlabel("seconds into the run")
    latency.legend(loc="upper right", fontsize="small")
    if point:
        for ax in (load, latency):
            ax.axvline(point["t"], color="#c44e52", linestyle=":")
        load.annotate(
            f"broke: {point['users']} users\n({point['cause']})",
            (point["t"], point["users"]), xytext=(6, -30), textcoords="offset points",
            fontsize="small",
        )  # fmt: skip
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_p95_safe_and_rest(history: pd.DataFrame, *, title: str):
    """One panel per stage: the recent p95 of the safe pages and of everything else over
    the spike (``history``: the spike's rows of one or more runs, with the columns of
    analysis.p95_safe_and_rest). A log scale: milliseconds and seconds both show."""
    stages = sorted(history["stage"].unique())
    fig, axes = plt.subplots(
        len(stages), 1, figsize=(9, 1.5 + 2.2 * len(stages)), sharex=True, sharey=True,
        squeeze=False,
    )  # fmt: skip
    for ax, stage in zip(axes[:, 0], stages, strict=True):
        run = history[history["stage"] == stage]
        ax.plot(run["t"], run["safe_p95_ms"] / 1000, color="#55a868", label="safe pages")
        ax.plot(run["t"], run["other_p95_ms"] / 1000, color="#dd8452", label="everything else")
        ax.axhline(P95_LIMIT_MS / 1000, color="grey", linestyle="--", label="2 s")
        ax.set_yscale("log")
        ax.set_ylabel(f"stage {stage}\np95 (s)")
    axes[0, 0].legend(loc="upper left", fontsize="small")
    axes[-1, 0].set_xlabel("seconds into the spike")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


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


def _legend_both(left, right):
    lines = left.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    left.legend(lines[0] + more[0], lines[1] + more[1], loc="upper right", fontsize="small")
