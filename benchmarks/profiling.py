"""Where the time of a `klynge check DIR -j 1` run goes: a py-spy sampling profile of the
process and its worker, grouped by what the code is for.

py-spy samples the stacks of both processes 100 times a second without changing the program
(cProfile would see only the parent, which just waits for its worker, and would slow the hot
loops it measures). Idle samples (a process blocked waiting) are left out: the figures are CPU
time. Each sample is put in one group: a sample inside an import is "imports"; otherwise the
innermost frame that says what the code is for decides (a sample in `zipfile` called by the
pre-screen is pre-screen time; a sample on a line of klyngecli that calls python-calamine is
calamine's, as calamine is native code and has no Python frames of its own).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RATE = 100  # samples a second
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^():]+?)(?::(?P<line>\d+))?\)$")
_CALAMINE_CALL = re.compile(r"calamine|to_python|from_filelike|from_path|get_sheet_by_")
_PRESCREEN = re.compile(
    r"klyngecli/reader/(prescreen|screen_\w+|xmlscan|package|container|cfb|limits|ooxml\w*)\.py"
)

GROUPS = (
    "imports",
    "pre-screen (unzip, XML scan, limits)",
    "calamine read",
    "model building (reader)",
    "rules",
    "key figures and content hash",
    "engine (file hash, sorting, result)",
    "reporting and summary",
    "worker overhead (processes, pipes, pickling, spool)",
    "command line and set-up",
    "other",
)


@dataclass(frozen=True)
class Frame:
    func: str
    file: str
    line: int


def find_py_spy() -> str | None:
    """py-spy beside this Python (the bench extra installs it there), or on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def record(
    py_spy: str, command: list[str], cwd: Path, out: Path, env: dict[str, str] | None = None
) -> None:
    """Sample `command` and its subprocesses into `out` (py-spy's collapsed-stack format)."""
    options = ["--subprocesses", "--rate", str(RATE), "--format", "raw", "--output", str(out)]
    subprocess.run(
        [py_spy, "record", *options, "--", *command],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    if not out.exists():
        raise RuntimeError(f"py-spy wrote no profile ({' '.join(command)})")


def _parse_frame(text: str) -> Frame | None:
    match = _FRAME.match(text)
    if match is None:
        return None
    return Frame(match["func"], match["file"], int(match["line"] or 0))


@cache
def _source_line(file: str, line: int) -> str:
    path = REPO / file
    if not file.startswith("klyngecli/") or not path.exists():
        return ""
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def group_of(stack: list[Frame]) -> str:
    """The group of one sample; `stack` runs from the outermost frame to the innermost."""
    if any(f.file.startswith("<frozen importlib") for f in stack):
        return GROUPS[0]
    model = False  # the model's own code (a sum, a value made) is its caller's: a rule's sum
    for depth, frame in enumerate(reversed(stack)):  # is rules time, a value read the reader's
        file = frame.file
        if depth == 0 and _CALAMINE_CALL.search(_source_line(file, frame.line)):
            return "calamine read"
        if file.startswith("multiprocessing/") or file in ("klyngecli/batch.py", "pickle.py"):
            return "worker overhead (processes, pipes, pickling, spool)"
        if file.startswith("klyngecli/reporters/") or file == "klyngecli/report.py":
            return "reporting and summary"
        if _PRESCREEN.fullmatch(file):
            return "pre-screen (unzip, XML scan, limits)"
        if file.startswith("klyngecli/rules/"):
            return "rules"
        if file == "klyngecli/model.py":
            model = True
            continue
        if file.startswith("klyngecli/reader/"):
            return "model building (reader)"
        if file in ("klyngecli/fingerprint.py", "klyngecli/figures.py"):
            return "key figures and content hash"
        if file == "klyngecli/engine.py":
            return "engine (file hash, sorting, result)"
        if file.startswith(("klyngecli/", "typer/", "click/", "rich/")):
            return "command line and set-up"
    return "model building (reader)" if model else "other"


def summarise(raw: Path, top: int = 20) -> dict[str, object]:
    """Group shares, the klyngecli functions with the most inclusive time, and the lines with
    the most time of their own, from a py-spy raw profile."""
    groups: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        text, _, count_text = line.rpartition(" ")
        if not text or not count_text.isdigit():
            continue
        count = int(count_text)
        names = text.split(";")
        stack = [f for f in (_parse_frame(n) for n in names[1:]) if f is not None]
        if not stack:
            continue
        total += count
        groups[group_of(stack)] += count
        for name in {f"{f.func} ({f.file})" for f in stack if f.file.startswith("klyngecli/")}:
            inclusive[name] += count
        leaf = stack[-1]
        own[f"{leaf.func} ({leaf.file}:{leaf.line})"] += count

    def share(n: int) -> float:
        return round(100 * n / total, 1) if total else 0.0

    return {
        "samples": total,
        "cpu_seconds": total / RATE,
        "groups": {g: share(groups[g]) for g in GROUPS if groups[g]},
        "top_inclusive": [[name, share(n)] for name, n in inclusive.most_common(top)],
        "top_own": [[name, share(n)] for name, n in own.most_common(top)],
    }
