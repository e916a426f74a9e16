"""The machine a benchmark ran on, stated next to every figure it produced."""

import os
import platform
from importlib.metadata import version

import psutil


def cpu_model(cpuinfo: str) -> str:
    """The first "model name" of /proc/cpuinfo, or the platform's guess."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return platform.processor() or platform.machine()


def machine_describe() -> dict:
    try:
        with open("/proc/cpuinfo") as f:
            model = cpu_model(f.read())
    except OSError:
        model = cpu_model("")
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_before": round(os.getloadavg()[0], 2),
        "system": platform.platform(terse=True),
        "python": platform.python_version(),
        "locust": version("locust"),
    }


def machine_line(machine: dict) -> str:
    """``AMD EPYC, 2 cores, 7.8 GB, load 0.4 before the run; Linux…; locust 2.47.0``"""
    return (
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB, "
        f"load {machine['load_before']} before the run; {machine['system']}, "
        f"Python {machine['python']}, locust {machine['locust']}"
    )
