"""`make bench`: klyngecli measured side by side with what it is compared to, as a user runs it.

    python benchmarks/run.py [--rounds 5] [--files 5000] [--quick] [--out benchmarks/]

Every command runs as a whole process (start-up and report included), on the same generated
files (corpus.py), interleaved: each round runs every command once, the next round in the
opposite order, so that a slow minute of this shared machine falls on both sides of a ratio.
A ratio is computed within each round; the median and the range (min-max) over the rounds are
reported. In-process figures (no start-up, no workers, no report) come apart, from
inprocess.py. Memory is the peak RSS of the whole process tree (measure.py says how).

Writes OUT/results.json (every raw measurement), OUT/chart.svg and OUT/README.md.
`--quick` is the smoke run of `make test`: 5 files, 2 rounds, a 1,000-row workbook, no
frictionless, no profile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]  # the bench's modules; tests.workbooks (the builder)

import chart  # noqa: E402
import corpus  # noqa: E402
import profiling  # noqa: E402
import readme  # noqa: E402
from measure import Run, run  # noqa: E402

TIMING_FILES = 1_000  # the targets are for 1,000 files
DISTINCT_FILES = 100
MEMORY_SETS = (100, 1_000)  # and the largest set (--files)
BIG_ROWS = 100_000
FRICTIONLESS_SAMPLE = 5  # files a round, one `frictionless validate` process each
STARTUP_PAIRS = 3  # single-file runs a round, each side; the round's median is used
BARE_IMPORTS = "import typer, rich, pydantic"
VERSIONED = ("klyngecli", "python-calamine", "openpyxl", "frictionless", "typer", "rich",
             "pydantic", "py-spy")  # fmt: skip


@dataclass(frozen=True)
class Settings:
    rounds: int
    files: int
    out: Path
    quick: bool
    profile: bool

    @property
    def timing_files(self) -> int:
        return min(TIMING_FILES, self.files)

    @property
    def memory_sets(self) -> list[int]:
        sizes = [n for n in MEMORY_SETS if n < self.files] + [self.files]
        return sizes if len(sizes) > 1 else [max(1, self.files // 5), self.files]

    @property
    def big_rows(self) -> int:
        return 1_000 if self.quick else BIG_ROWS

    @property
    def large_rounds(self) -> int:
        """Rounds that run the largest set (slow; memory varies little between runs)."""
        return max(1, self.rounds // 2)


def _tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as handle:
        mem_kib = int(handle.readline().split()[1])
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "memory_gib": round(mem_kib / (1 << 20), 1),
        "python": sys.version.split()[0],
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "rounds": [round(v, 4) for v in values],
    }


class Bench:
    """The files, the commands, and every measurement of one run."""

    def __init__(self, settings: Settings, work: Path) -> None:
        self.s = settings
        self.work = work
        self.runs: dict[str, list[dict[str, Any]]] = {}
        self.checked: dict[str, Any] = {}
        python = sys.executable
        klynge = _tool("klynge")
        self.klynge = [klynge] if klynge else [python, "-m", "klyngecli"]
        self.floor = [python, str(HERE / "floor.py")]
        self.openpyxl = [python, str(HERE / "openpyxl_read.py")]
        self.bare = [python, "-c", BARE_IMPORTS]
        self.frictionless = None if settings.quick else _tool("frictionless")
        self.cwd = work / "run"  # an empty folder: no klynge.toml above it
        self.cwd.mkdir()
        self.report = self.cwd / "report.out"
        self.cache_runs = 0
        self.stderr = work / "stderr.txt"
        self.failures: list[dict[str, str]] = []
        self.last_report: dict[str, Any] = {}

    # --- files ------------------------------------------------------------------------------

    def generate(self) -> dict[str, Any]:
        start = time.perf_counter()
        s = self.s
        self.bases = corpus.distinct(self.work / "base", min(DISTINCT_FILES, s.files))
        built = time.perf_counter() - start
        everything = corpus.batch(self.work / "all", self.bases, s.files)
        self.sets = {s.files: self.work / "all"}
        for size in {s.timing_files, *s.memory_sets} - {s.files}:
            self.sets[size] = corpus.subset(self.work / f"set-{size}", everything, size)
        self.one = self.work / "one"
        self.one.mkdir()
        os.link(self.bases[min(1, len(self.bases) - 1)], self.one / "one.xlsx")
        big = self.work / "big"
        big.mkdir()
        self.big = corpus.big_workbook(big / "big.xlsx", s.big_rows)
        # The big workbook holds more cells than the default safety limit (KL011) allows; a
        # caseworker who expects such files raises it in klynge.toml, and so does the bench.
        (big / "klynge.toml").write_text("[limits]\nmax-cells = 5000000\n", encoding="utf-8")
        apps = [corpus.application(seed) for seed in range(len(self.bases))]
        return {
            "distinct": len(self.bases),
            "largest_set": s.files,
            "how": "re-zipped copies of the distinct files, each with its own valid applicant CVR",
            "budget_rows": [min(len(a.budget) for a in apps), max(len(a.budget) for a in apps)],
            "sme_rows": [
                min(len(a.collaborations or []) for a in apps),
                max(len(a.collaborations or []) for a in apps),
            ],
            "with_defect": sum(1 for i in range(len(apps)) if corpus.has_defect(i)),
            "basis": sum(1 for a in apps if a.collaborations is None),
            "bytes_timing_set": sum(p.stat().st_size for p in self.sets[s.timing_files].iterdir()),
            "big_rows": s.big_rows,
            "big_bytes": self.big.stat().st_size,
            "generated_in_s": round(time.perf_counter() - start, 1),
            "distinct_built_in_s": round(built, 1),
        }

    # --- one measurement --------------------------------------------------------------------

    def measure(
        self,
        name: str,
        command: list[str],
        cwd: Path | None = None,
        expect: int | None = None,
        memory: bool = True,
    ) -> Run:
        """Run and record one command; a klynge JSON report must name `expect` files.

        Others change klyngecli while it is measured: a klynge run whose report is missing or
        wrong is recorded under "failures" with its standard error and run once more; a
        second failure stops the bench."""
        for attempt in (1, 2):
            # Every run starts with an empty result cache: the cost of checking files klynge
            # has not seen, as a caseworker's new inbox is (a warm cache would skip the work).
            self.cache_runs += 1
            cache = self.work / "cache" / str(self.cache_runs)
            env = {**os.environ, "KLYNGE_CACHE_DIR": str(cache)}
            result = run(command, cwd or self.cwd, self.report, memory, env, self.stderr)
            problem = self._report_problem(expect) if expect is not None else None
            if problem is None:
                break
            tail = self.stderr.read_text(encoding="utf-8", errors="replace")[-1500:]
            self.failures.append({"run": name, "problem": problem, "stderr": tail})
            if attempt == 2:
                raise RuntimeError(f"{name}: {problem}\n{tail}")
        self.runs.setdefault(name, []).append(result.as_dict())
        return result

    def _report_problem(self, expect: int) -> str | None:
        """What is wrong with the JSON report just written (None: it names `expect` files)."""
        try:
            report = json.loads(self.report.read_text(encoding="utf-8"))
            files = report["summary"]["files"]
        except (ValueError, KeyError, TypeError) as exc:
            return f"no readable JSON report ({type(exc).__name__}: {exc})"[:300]
        if files != expect:
            return f"the report has {files} files, not {expect}"
        self.last_report = report
        return None

    def warm(self, folder: Path, files: int) -> None:
        """The caseworker's second morning: the same folder checked twice with one result
        cache, the second run over unchanged files; the two reports must agree (but for the
        change marks, which only the second run can give)."""
        cache = self.work / "cache" / f"warm-{self.cache_runs}"
        self.cache_runs += 1
        env = {**os.environ, "KLYNGE_CACHE_DIR": str(cache)}
        command = [*self.klynge, "check", str(folder), "--format", "json", "-j", "1"]
        reports = []
        for name in ("cache-cold", "cache-warm"):
            result = run(command, self.cwd, self.report, False, env, self.stderr)
            if self._report_problem(files) is not None:
                raise RuntimeError(f"{name}: no report of {files} files")
            self.runs.setdefault(name, []).append(result.as_dict())
            files_of = self.last_report["files"]
            reports.append([{**f, "change": None} for f in files_of])
        self.checked["cache-results-identical"] = reports[0] == reports[1]
        if reports[0] != reports[1]:
            raise RuntimeError("a warm cache gave other results than checking the files")

    def check(self, name: str, folder: Path, jobs: int, files: int) -> Run:
        command = [*self.klynge, "check", str(folder), "--format", "json", "-j", str(jobs)]
        result = self.measure(name, command, expect=files)
        summary = self.last_report["summary"]
        self.checked.setdefault(name, {k: summary[k] for k in _SUMMARY_KEYS})
        return result

    # --- the rounds -------------------------------------------------------------------------

    def steps(self, r: int) -> list[Callable[[], object]]:
        s, n = self.s, self.s.timing_files
        timing = self.sets[n]
        steps: list[Callable[[], object]] = [
            lambda: self.measure(f"floor-{n}", [*self.floor, str(timing)]),
            lambda: self.check(f"check-j1-{n}", timing, 1, n),
            lambda: self.check(f"check-j2-{n}", timing, 2, n),
            lambda: self.measure(f"openpyxl-{n}", [*self.openpyxl, str(timing)]),
            lambda: self.startup(),
            lambda: self.measure("floor-one", [*self.floor, str(self.one / "one.xlsx")]),
            lambda: self.measure("big-floor", [*self.floor, str(self.big)]),
            lambda: self.big_check(),
            lambda: self.warm(timing, n),
        ]
        if self.frictionless:
            steps.append(lambda: self.validate(r))
        for size in s.memory_sets:
            if size == n:
                continue  # the -j 2 timing runs measure this set's memory too
            if size < n or r < s.large_rounds:
                steps.append(self._memory_step(size))
        return steps if r % 2 == 0 else steps[::-1]

    def _memory_step(self, size: int) -> Callable[[], object]:
        return lambda: self.check(f"check-j2-{size}", self.sets[size], 2, size)

    def startup(self) -> None:
        """`klynge check one.xlsx` as a user types it, against Python importing the three
        libraries the CLI is built on; alternating, STARTUP_PAIRS times each."""
        pairs = 1 if self.s.quick else STARTUP_PAIRS
        one: list[float] = []
        bare: list[float] = []
        for p in range(pairs):
            for side in ("one", "bare") if p % 2 == 0 else ("bare", "one"):
                if side == "one":
                    command = [*self.klynge, "check", "one.xlsx"]
                    one.append(
                        self.measure("startup-check-one", command, self.one, memory=False).wall_s
                    )
                else:
                    bare.append(
                        self.measure("startup-imports", self.bare, self.one, memory=False).wall_s
                    )
        self.runs.setdefault("startup-round-medians", []).append(
            {"check_one_s": statistics.median(one), "imports_s": statistics.median(bare)}
        )

    def big_check(self) -> None:
        command = [*self.klynge, "check", "big.xlsx", "--format", "json", "-j", "1"]
        self.measure("big-check", command, self.big.parent, expect=1)
        codes = sorted({f["code"] for f in self.last_report["files"][0]["findings"]})
        if "KL011" in codes:
            raise RuntimeError("the big workbook was refused (KL011) despite its klynge.toml")
        self.checked["big-check-codes"] = codes

    def validate(self, r: int) -> None:
        """`frictionless validate FILE`, one process per file, on a sample that moves on each
        round. frictionless reads a workbook's first sheet only (Ansøger), so it does less
        than klynge does; the ratio is a lower bound."""
        assert self.frictionless is not None
        k = FRICTIONLESS_SAMPLE
        walls = []
        for i in range(k):
            path = self.bases[(r * k + i) % len(self.bases)]
            command = [self.frictionless, "validate", path.name]
            run_ = self.measure("frictionless-file", command, path.parent, memory=False)
            walls.append(run_.wall_s)
        self.runs.setdefault("frictionless-round-means", []).append(
            {"per_file_s": statistics.fmean(walls)}
        )

    def inprocess(self) -> dict[str, Any]:
        rounds = self.s.rounds
        done = subprocess.run(
            [sys.executable, str(HERE / "inprocess.py"), str(rounds), str(self.work / "base")],
            capture_output=True,
            text=True,
            check=True,
            cwd=self.cwd,
        )
        data: dict[str, Any] = json.loads(done.stdout)
        times = data["rounds"]
        files = data["files"]
        return {
            "files": files,
            "ms_per_file": {k: summary([1000 * t / files for t in v]) for k, v in times.items()},
            "check_vs_floor": summary(
                [c / f for c, f in zip(times["check"], times["floor"], strict=True)]
            ),
            "openpyxl_vs_check": summary(
                [o / c for o, c in zip(times["openpyxl"], times["check"], strict=True)]
            ),
        }

    def profile(self) -> dict[str, Any]:
        py_spy = profiling.find_py_spy()
        if not self.s.profile:
            return {"skipped": "not asked for (--quick or --no-profile)"}
        if py_spy is None:
            return {"skipped": "py-spy is not installed (pip install -e '.[bench]')"}
        n = self.s.timing_files
        raw = self.work / "profile.txt"
        command = [*self.klynge, "check", str(self.sets[n]), "--format", "json", "-j", "1"]
        start = time.perf_counter()
        env = {**os.environ, "KLYNGE_CACHE_DIR": str(self.work / "cache" / "profile")}
        profiling.record(py_spy, command, self.cwd, raw, env)
        wall = time.perf_counter() - start
        version = subprocess.run([py_spy, "--version"], capture_output=True, text=True).stdout
        return {
            "py_spy": version.strip(),
            "files": n,
            "command": "klynge check DIR --format json -j 1",
            "wall_s_under_py_spy": round(wall, 2),
            **profiling.summarise(raw, top=30),
        }


_SUMMARY_KEYS = ("files", "passed", "failed", "unreadable", "errors", "warnings", "codes")


def walls(runs: list[dict[str, Any]]) -> list[float]:
    return [float(r["wall_s"]) for r in runs]


def peaks(runs: list[dict[str, Any]]) -> list[float]:
    return [float(r["tree_peak_mib"]) for r in runs]


def per_round(a: list[float], b: list[float]) -> list[float]:
    """a[i] / b[i] for the rounds both have."""
    return [x / y for x, y in zip(a, b, strict=False)]


def comparisons(b: Bench, fric_note: str | None) -> dict[str, dict[str, Any]]:
    s, n, runs = b.s, b.s.timing_files, b.runs
    j1, j2 = walls(runs[f"check-j1-{n}"]), walls(runs[f"check-j2-{n}"])
    small, large = s.memory_sets[0], s.memory_sets[-1]
    startup = runs["startup-round-medians"]

    def item(
        label: str, values: list[float], how: str, target: tuple[str, float] | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"label": label, "how": how, **summary(values), "met": None}
        if target is not None:
            op, goal = target
            out["target"] = {"op": op, "value": goal}
            out["met"] = out["median"] <= goal if op == "<=" else out["median"] >= goal
        return out

    def memory(size: int) -> list[float]:
        return peaks(runs[f"check-j2-{size}"])

    result = {
        "check_vs_floor": item(
            f"check -j 1 / floor ({n} files)",
            per_round(j1, walls(runs[f"floor-{n}"])),
            "klynge check DIR --format json -j 1, over python-calamine reading every sheet",
            ("<=", 3),
        ),
        "j2_speedup": item(
            f"-j 1 / -j 2 ({n} files)",
            per_round(j1, j2),
            "how many times faster -j 2 is than -j 1",
            (">=", 1.7),
        ),
        "startup": item(
            "check one.xlsx / bare imports",
            [r["check_one_s"] / r["imports_s"] for r in startup],
            f"klynge check one.xlsx, over python -c '{BARE_IMPORTS}'",
            ("<=", 1.5),
        ),
        "memory_large_vs_small": item(
            f"peak memory {large} / {small} files",
            per_round(memory(large), memory(small)),
            "peak RSS of the process tree, klynge check DIR --format json -j 2",
            ("<=", 1.3),
        ),
        "big_time": item(
            f"{s.big_rows:,}-row workbook: time / floor",
            per_round(walls(runs["big-check"]), walls(runs["big-floor"])),
            "klynge check big.xlsx --format json -j 1, over the floor reading it",
            ("<=", 4),
        ),
        "big_memory": item(
            f"{s.big_rows:,}-row workbook: memory / floor",
            per_round(peaks(runs["big-check"]), peaks(runs["big-floor"])),
            "peak RSS of the process tree, over the floor's",
            ("<=", 2),
        ),
        "cache_warm_vs_cold": item(
            f"second run over {n} unchanged files / first run",
            per_round(walls(runs["cache-warm"]), walls(runs["cache-cold"])),
            "klynge check DIR --format json -j 1 twice with one result cache (issue 17)",
            ("<=", 0.2),
        ),
        "openpyxl_vs_check": item(
            f"openpyxl read_only / check -j 1 ({n} files)",
            per_round(walls(runs[f"openpyxl-{n}"]), j1),
            "merely reading the files with openpyxl (read_only), over klynge checking them",
        ),
    }
    fric = runs.get("frictionless-round-means")
    fric_label = "frictionless validate / check, per file"
    if fric:
        result["frictionless_per_file"] = item(
            fric_label,
            [f["per_file_s"] / (t / n) for f, t in zip(fric, j1, strict=False)],
            "one frictionless validate process per file, over klynge's time per file in a "
            "-j 1 batch (frictionless reads the first sheet only)",
            (">=", 50),
        )
    else:
        result["frictionless_per_file"] = {
            "label": fric_label,
            "skipped": fric_note or "not measured",
            "target": {"op": ">=", "value": 50},
            "met": None,
        }
    if s.memory_sets[1:-1]:
        middle = s.memory_sets[1]
        result["memory_middle_vs_small"] = item(
            f"peak memory {middle} / {small} files",
            per_round(memory(middle), memory(small)),
            "peak RSS of the process tree, -j 2",
        )
    return result


def derived(b: Bench) -> dict[str, Any]:
    """What the floor costs and what remains per file: start-up and per-file cost of each."""
    n, runs = b.s.timing_files, b.runs
    floor_n = statistics.median(walls(runs[f"floor-{n}"]))
    floor_one = statistics.median(walls(runs["floor-one"]))
    check_n = statistics.median(walls(runs[f"check-j1-{n}"]))
    check_one = statistics.median(walls(runs["startup-check-one"]))
    bare = statistics.median(walls(runs["startup-imports"]))
    per = max(n - 1, 1)
    floor_per_file = (floor_n - floor_one) / per
    check_per_file = (check_n - check_one) / per
    return {
        "floor_one_file_s": round(floor_one, 4),
        "floor_per_file_ms": round(1000 * floor_per_file, 3),
        "check_one_file_s": round(check_one, 4),
        "check_per_file_ms": round(1000 * check_per_file, 3),
        "bare_imports_s": round(bare, 4),
        # -j 1 within 3x of the floor at n files leaves this much per file after start-up:
        "per_file_budget_ms_for_3x": round(1000 * (3 * floor_n - check_one) / per, 3),
        "startup_budget_s_for_1_5x": round(1.5 * bare, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 5; quick 2)")
    parser.add_argument("--files", type=int, default=None, help="the largest set (default 5000)")
    parser.add_argument("--quick", action="store_true", help="the 5-file smoke run")
    parser.add_argument("--out", type=Path, default=HERE, help="where results go")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile")
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    settings = Settings(
        rounds=args.rounds or (2 if quick else 5),
        files=args.files or (5 if quick else 5_000),
        out=args.out,
        quick=quick,
        profile=not (quick or args.no_profile),
    )
    fric_note = None
    if quick:
        fric_note = "left out of the --quick smoke run"
    elif _tool("frictionless") is None:
        fric_note = "frictionless is not installed (pip install -e '.[bench]')"
    began = time.perf_counter()
    results: dict[str, Any] = {
        "schema": "klyngecli-bench/1",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": _git("rev-parse", "HEAD"),
        "uncommitted_files": len(_git("status", "--porcelain").splitlines()),
        "versions": {p: _version(p) for p in VERSIONED},
        "settings": {
            "rounds": settings.rounds,
            "largest_set": settings.files,
            "timing_files": settings.timing_files,
            "memory_sets": settings.memory_sets,
            "large_set_rounds": settings.large_rounds,
            "big_rows": settings.big_rows,
            "frictionless_sample_per_round": 0 if fric_note else FRICTIONLESS_SAMPLE,
            "startup_pairs_per_round": 1 if quick else STARTUP_PAIRS,
            "quick": quick,
        },
    }
    with tempfile.TemporaryDirectory(prefix="klynge-bench-") as tmp:
        bench = Bench(settings, Path(tmp))
        print(f"generating {settings.files} files ...", file=sys.stderr, flush=True)
        results["files"] = bench.generate()
        for r in range(settings.rounds):
            print(f"round {r + 1} of {settings.rounds} ...", file=sys.stderr, flush=True)
            results["machine"].setdefault("load_rounds", []).append(round(os.getloadavg()[0], 2))
            for step in bench.steps(r):
                step()
        print("in-process figures ...", file=sys.stderr, flush=True)
        results["inprocess"] = bench.inprocess()
        print("profile ...", file=sys.stderr, flush=True)
        results["profile"] = bench.profile()
        results["comparisons"] = comparisons(bench, fric_note)
        results["derived"] = derived(bench)
        results["reports"] = bench.checked
        results["failures"] = bench.failures
        results["runs"] = bench.runs
    results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    results["duration_s"] = round(time.perf_counter() - began, 1)
    out: Path = settings.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (out / "chart.svg").write_text(chart.svg(results["comparisons"]), encoding="utf-8")
    (out / "README.md").write_text(readme.render(results), encoding="utf-8")
    print(readme.table(results), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
