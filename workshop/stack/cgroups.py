"""CPU shares for servers: each one a small hosting account, held to a share of a core
by a Linux control group of its own (stack.toml: cpu_share = 0.25, on [app] and [db]).

One parent group per run folder (two stacks, or a developer's and the tests', never
share one), one child per server. The server joins its group before it starts
(`join_command`): gunicorn's workers, forked later, inherit it. cgroup v1's `cpu`
controller (cpu.cfs_quota_us of cpu.cfs_period_us) or cgroup v2's cpu.max, whichever the
machine has, where this user may write them (root, or a delegated v2 tree). Elsewhere
(macOS, a non-root user without delegation) the servers run uncapped, and `reason` says
why in one line."""

import errno
import hashlib
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PERIOD_US = 100_000  # the kernel's default period: 0.1 s


class CpuGroups:
    def __init__(self, run_path: Path, *, root: Path = ROOT):
        digest = hashlib.sha1(str(run_path).encode()).hexdigest()[:8]
        self.parent_name = f"workshop-{run_path.name}-{digest}"
        self.version, base = _layout(root)
        self.parent = base / self.parent_name if base else None

    def create(self, name: str, share: float | None) -> tuple[Path | None, str | None]:
        """The cgroup.procs file of ``name``'s group, held to ``share`` of a core (None:
        not yet, see ``limit``); or None and the reason it cannot be."""
        if self.parent is None:
            return None, "this machine has no cgroup cpu controller (Linux only)"
        try:
            group = self._make(name)
            if share is not None:
                self.limit(name, share)
        except OSError as error:
            why = "needs root or a delegated cgroup" if error.errno in _DENIED else "failed"
            return None, f"cannot write {error.filename or self.parent} ({why}: {error.strerror})"
        return group / "cgroup.procs", None

    def limit(self, name: str, share: float) -> None:
        """Hold ``name``'s group, and every process in it, to ``share`` of a core."""
        group = self.parent / name
        quota = max(1000, int(share * PERIOD_US))  # the kernel's smallest quota: 1 ms
        if self.version == 1:
            (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        else:
            (group / "cpu.max").write_text(f"{quota} {PERIOD_US}")

    def _make(self, name: str) -> Path:
        if self.version == 2:  # v2 hands a controller down one level at a time
            _enable_cpu(self.parent.parent)
        self.parent.mkdir(exist_ok=True)
        if self.version == 2:
            _enable_cpu(self.parent)
        group = self.parent / name
        group.mkdir(exist_ok=True)
        return group

    def quota(self, name: str) -> float | None:
        """The share of a core ``name``'s group allows (None: no group or no limit)."""
        group = self.parent / name if self.parent else None
        try:
            if self.version == 1:
                quota = int((group / "cpu.cfs_quota_us").read_text())
                period = int((group / "cpu.cfs_period_us").read_text())
            else:
                quota_text, period_text = (group / "cpu.max").read_text().split()
                quota, period = (-1 if quota_text == "max" else int(quota_text)), int(period_text)
        except (OSError, TypeError, ValueError):
            return None
        return quota / period if quota > 0 else None

    def members(self, name: str) -> list[int]:
        try:
            text = (self.parent / name / "cgroup.procs").read_text()
        except (OSError, TypeError):
            return []
        return [int(pid) for pid in text.split()]

    def remove(self, name: str | None = None, timeout: float = 5) -> None:
        """Remove ``name``'s group (default: every group of the run folder, and the
        parent). A group still holding a process cannot go; its last exit may lag."""
        if self.parent is None or not self.parent.is_dir():
            return
        groups = [self.parent / name] if name else [p for p in self.parent.iterdir() if p.is_dir()]
        for group in groups:
            _rmdir(group, timeout)
        if name is None:
            _rmdir(self.parent, timeout)


def join_command(procs_file: Path, command: list[str]) -> list[str]:
    """``command``, run by a shell that first moves itself into the group: exec keeps
    its pid, so supervisord's program and every child it forks are in the group."""
    script = 'echo $$ > "$1" && shift && exec "$@"'
    return ["/bin/sh", "-c", script, "cgroup-join", str(procs_file), *command]


_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}


def _layout(root: Path) -> tuple[int, Path | None]:
    """(1, .../cpu) on cgroup v1 (or hybrid), (2, root) on a unified v2 tree."""
    if (root / "cpu" / "cpu.cfs_quota_us").exists():
        return 1, root / "cpu"
    controllers = root / "cgroup.controllers"
    if controllers.exists() and "cpu" in controllers.read_text().split():
        return 2, root
    return 0, None


def _enable_cpu(group: Path) -> None:
    control = group / "cgroup.subtree_control"
    if "cpu" not in control.read_text().split():
        control.write_text("+cpu")


def _rmdir(group: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while group.is_dir():
        try:
            group.rmdir()
        except OSError as error:
            if error.errno != errno.EBUSY or time.monotonic() > deadline:
                return
            time.sleep(0.05)
