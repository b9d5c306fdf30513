"""`make bench`: klyngecli against python-calamine merely reading the same files, side by side in
one run, reported as ratios (these machines are shared and noisy; absolute times are not).

Measures, on copies of sample_budgets/ (N files):
- read:   python-calamine opening each workbook and reading every sheet (the floor);
- check:  klyngecli's engine on each file (open, read, model, rules, findings);
- cli:    `klynge check FOLDER --format json` as a user runs it, with its peak memory for N and
          4N files (memory should stay flat in the number of files).
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import python_calamine

from klyngecli.callspec import load_call
from klyngecli.engine import Options, check_file

REPO = Path(__file__).resolve().parent.parent
SAMPLES = sorted((REPO / "sample_budgets").glob("*.xlsx"))
ROUNDS = 5


def copies(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        source = SAMPLES[i % len(SAMPLES)]
        target = folder / f"{i:04d}-{source.name}"
        shutil.copyfile(source, target)
        paths.append(target)
    return paths


def calamine_read(paths: list[Path]) -> None:
    for path in paths:
        with open(path, "rb") as handle:
            book = python_calamine.CalamineWorkbook.from_filelike(handle)
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def klynge_check(paths: list[Path]) -> None:
    call = load_call()
    options = Options(call=call, now=datetime.now(call.zone))
    for path in paths:
        check_file(path, options)


def best_of(work: object, paths: list[Path]) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work(paths)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def cli_peak_memory_mib(folder: Path) -> tuple[float, float]:
    """Wall time and peak RSS of `klynge check FOLDER` in a child process."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "klyngecli", "check", str(folder), "--format", "json"],
        stdout=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kib / 1024


def main() -> None:
    count = 100
    with tempfile.TemporaryDirectory() as tmp:
        small = copies(Path(tmp) / "small", count)
        large_folder = Path(tmp) / "large"
        copies(large_folder, 4 * count)
        read = best_of(calamine_read, small)
        check = best_of(klynge_check, small)
        print(f"files: {count} copies of {len(SAMPLES)} samples, best of {ROUNDS} rounds")
        print(f"python-calamine read   {read * 1000 / count:8.2f} ms/file")
        print(f"klyngecli check_file   {check * 1000 / count:8.2f} ms/file")
        print(f"ratio check / read     {check / read:8.2f}x")
        wall_small, peak_small = cli_peak_memory_mib(Path(tmp) / "small")
        wall_large, peak_large = cli_peak_memory_mib(large_folder)
        print(f"cli {count:4d} files: {wall_small:6.2f} s wall, peak RSS {peak_small:7.1f} MiB")
        print(f"cli {4 * count:4d} files: {wall_large:6.2f} s wall, peak RSS {peak_large:7.1f} MiB")
        print(f"memory ratio {4 * count} / {count} files: {peak_large / peak_small:.2f}x")


if __name__ == "__main__":
    main()
