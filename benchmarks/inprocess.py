"""In-process figures: the same files read by python-calamine and by openpyxl read_only, and
checked by klyngecli's engine (`check_file`), in one warm process: no start-up, no worker, no
report. Rounds interleave the three (A B C, then C B A, ...); each round's time is the whole
set's. Prints JSON: {"files": N, "rounds": {"floor": [s, ...], "check": [...], "openpyxl":
[...]}}.

    python benchmarks/inprocess.py ROUNDS FILE_OR_FOLDER...
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import floor  # benchmarks/ is this script's folder, so it is on sys.path
import openpyxl_read

from klyngecli.callspec import load_call
from klyngecli.engine import Options, check_file


def main(args: list[str]) -> int:
    rounds, paths = int(args[0]), floor.workbooks(args[1:])
    call = load_call()
    options = Options(call=call, now=datetime.now(call.zone))

    def check(path: Path) -> object:
        return check_file(path, options)

    work: dict[str, Callable[[Path], object]] = {
        "floor": floor.read,
        "check": check,
        "openpyxl": openpyxl_read.read,
    }
    for path in paths[:3]:  # warm every import and cache first
        for one in work.values():
            one(path)
    times: dict[str, list[float]] = {name: [] for name in work}
    for r in range(rounds):
        order = list(work) if r % 2 == 0 else list(reversed(work))
        for name in order:
            start = time.perf_counter()
            for path in paths:
                work[name](path)
            times[name].append(time.perf_counter() - start)
    print(json.dumps({"files": len(paths), "rounds": times}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
