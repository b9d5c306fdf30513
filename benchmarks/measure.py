"""One command as a user runs it: its wall time and the memory of its whole process tree.

The wall time is `time.perf_counter()` from just before the process is started to the moment
`os.waitpid` returns: start-up, work, report and the workers' shutdown included.

Memory, three ways, because no single number is both exact and a tree's:
- `tree_peak_mib` (the one the targets use): the largest sum of the resident set sizes
  (VmRSS) of the live processes of the tree, sampled every 20 ms from /proc, or the largest
  single process's own peak if that is more. Pages a forked worker shares with its parent
  count twice, as `ps` and `top` count them.
- `hwm_sum_mib`: the sum of each process's own high-water mark (VmHWM, kept by the kernel, so
  no spike is missed), as last read (at most 20 ms before the process ended): an upper bound
  of the tree's peak, as the processes need not peak together.
- `max_process_mib`: the largest of those high-water marks: the biggest single process.
- `tree_peak_pss_mib`: the largest sum of the proportional set sizes (Pss, from
  /proc/PID/smaps_rollup), which share a page among the processes that map it, so a forked
  worker's pages shared with its parent count once. Reading it walks the page tables (about
  4 ms for 200 MiB), so it is sampled every 200 ms only, and may miss a short peak.

Not `ru_maxrss` (`resource.getrusage(RUSAGE_CHILDREN)` or `os.wait4`): it is the largest single
process, never a sum, and the kernel charges a child with its parent's high-water mark at the
`exec` that follows the fork, so every command would weigh at least as much as this runner.

The tree is found by listing /proc at every sample and reading the parent of each process not
seen before (this kernel has no /proc/PID/task/TID/children): about 0.2 ms a sample, about 1 %
of one core, the same for every command measured. Commands whose
memory is not wanted (the start-up pairs, frictionless) run without the sampler.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

SAMPLE_EVERY = 0.02  # seconds between RSS samples of the known processes
PSS_EVERY = 10  # samples between two readings of Pss (costlier)

KIB = 1024


@dataclass(frozen=True)
class Run:
    """What one run of one command cost."""

    wall_s: float
    tree_peak_mib: float
    hwm_sum_mib: float
    max_process_mib: float
    tree_peak_pss_mib: float
    processes: int  # how many processes the tree had, over its life
    exit_code: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _parent(pid: int) -> int | None:
    """The parent pid of `pid`; None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ")".
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


def _pss_kib(pid: int) -> int:
    """The Pss of `pid` in KiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            text = handle.read()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(b"Pss:"):
            return int(line.split()[1])
    return 0


def _status_kib(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) of `pid` in KiB; None when it is gone (or a zombie, which has none)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            text = handle.read()
    except OSError:
        return None
    rss = hwm = -1
    for line in text.splitlines():
        if line.startswith(b"VmRSS:"):
            rss = int(line.split()[1])
        elif line.startswith(b"VmHWM:"):
            hwm = int(line.split()[1])
    return (rss, hwm) if rss >= 0 and hwm >= 0 else None


class _Sampler(threading.Thread):
    """Samples the tree under `root` until `stop` is set."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.stop = threading.Event()
        self.tree = {root}
        self.seen = {root}
        self.others: set[int] = set()  # processes looked at once and found outside the tree
        self.peak_kib = 0
        self.pss_peak_kib = 0
        self.hwm_kib: dict[int, int] = {}

    def _rescan(self) -> None:
        """Add the processes started since the last scan whose parent is in the tree. Only
        new pids are read, so a scan is a directory listing and a few small reads."""
        parents: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            if pid in self.seen or pid in self.others:
                continue
            parent = _parent(pid)
            if parent is not None:
                parents[pid] = parent
        grown = True
        while grown:  # children of members until nothing changes (grandchildren too)
            new = {pid for pid, ppid in parents.items() if ppid in self.tree} - self.tree
            grown = bool(new)
            self.tree |= new
            self.seen |= new
        self.others |= parents.keys() - self.seen

    def run(self) -> None:
        tick = 0
        while not self.stop.is_set():
            self._rescan()
            if tick % PSS_EVERY == 0:
                pss = sum(_pss_kib(pid) for pid in list(self.tree))
                self.pss_peak_kib = max(self.pss_peak_kib, pss)
            tick += 1
            total = 0
            for pid in list(self.tree):
                status = _status_kib(pid)
                if status is None:
                    if pid != self.root:
                        self.tree.discard(pid)
                    continue
                rss, hwm = status
                total += rss
                self.hwm_kib[pid] = max(self.hwm_kib.get(pid, 0), hwm)
            self.peak_kib = max(self.peak_kib, total)
            self.stop.wait(SAMPLE_EVERY)


def run(
    command: list[str],
    cwd: Path,
    stdout: Path | None = None,
    memory: bool = True,
    env: dict[str, str] | None = None,
    stderr: Path | None = None,
) -> Run:
    """Run `command` in `cwd` with standard output to `stdout` (or nowhere) and measure it
    (its memory too unless `memory` is false: then the memory figures are 0). Standard error
    goes to `stderr` (kept) or a file removed after a run that did not fail; it is shown if
    the command fails (exit code over 1)."""
    err_path = stderr or cwd / ".bench-stderr"
    with (
        open(stdout or os.devnull, "wb") as out,
        open(err_path, "wb") as err,
    ):
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=env)
        sampler = _Sampler(process.pid)
        if memory:
            sampler.start()
        _pid, status = os.waitpid(process.pid, 0)
        wall = time.perf_counter() - start
        if memory:
            sampler.stop.set()
            sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if process.returncode > 1:
        message = err_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{message}")
    if stderr is None:
        err_path.unlink()
    largest = max(sampler.hwm_kib.values(), default=0)
    return Run(
        wall_s=wall,
        tree_peak_mib=max(sampler.peak_kib, largest) / KIB,
        hwm_sum_mib=sum(sampler.hwm_kib.values()) / KIB,
        max_process_mib=largest / KIB,
        tree_peak_pss_mib=sampler.pss_peak_kib / KIB,
        processes=len(sampler.seen) if memory else 0,
        exit_code=process.returncode,
    )
