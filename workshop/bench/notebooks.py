"""Execute the notebooks in notebooks/ with nbclient, as CI does and as a release does.

Full runs store their outputs in the notebook (what is committed: real plots from a
real machine). ``short`` runs set WORKSHOP_BENCH_SECONDS low, skip the warm-up before
each spike (WORKSHOP_BENCH_WARM_UP=0) and leave the files alone: CI only checks that
every cell still runs.
"""

import os
import time
from pathlib import Path

from workshop import ROOT

from .profiles import SECONDS_ENV
from .warmup import WARM_UP_ENV

NOTEBOOKS_DIR = ROOT / "notebooks"
SHORT_SECONDS = "5"
CELL_TIMEOUT_SECONDS = 3 * 3600  # the comparison climbs five stages in one cell


def notebook_paths(names=()) -> list[Path]:
    if names:
        return [Path(name).resolve() for name in names]
    # The stage notebooks first, the comparison (which runs them all again) last.
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"), key=lambda p: (p.stem == "comparison", p.name))


def notebook_execute(path: Path, *, short: bool) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=CELL_TIMEOUT_SECONDS, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )  # fmt: skip
    client.execute()
    if not short:
        nbformat.write(notebook, path)


def notebooks_execute(names=(), *, short: bool = False) -> list[str]:
    """Run each notebook; the names of those with a failing cell."""
    if short:  # the kernels inherit these
        os.environ[SECONDS_ENV] = SHORT_SECONDS
        os.environ[WARM_UP_ENV] = "0"
    failed = []
    for path in notebook_paths(names):
        started = time.monotonic()
        print(f"{path.name}: running", flush=True)
        try:
            notebook_execute(path, short=short)
        except Exception as error:  # a failing cell: report it, run the others
            failed.append(path.name)
            print(f"{path.name}: FAILED\n{error}", flush=True)
        else:
            print(f"{path.name}: ok ({time.monotonic() - started:.0f} s)", flush=True)
    return failed
