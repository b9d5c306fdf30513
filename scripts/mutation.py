"""Mutation testing with cosmic-ray (`make mutation`; docs/mutation.md says why and how).

The settings are `[tool.cosmic-ray]` in pyproject.toml, and `[tool.klyngecli-mutation]`: the
groups of modules, each with the fast tests that must kill its mutants (one cosmic-ray session
each), and the minimum score. The run works on a copy of the package and the tests in
build/mutation/, because cosmic-ray writes each mutant into the source file itself: the working
tree is never changed, and other work in it does not disturb the run. Mutants inside type
annotations (never evaluated: `from __future__ import annotations`) and the equivalent mutants
listed in docs/mutation.md are skipped and do not count; the score is killed / (killed +
survived) over all groups. Exit 1 when it is under the minimum.

    python scripts/mutation.py                  # every group
    python scripts/mutation.py parsers engine   # only these groups
    python scripts/mutation.py --survivors      # after new tests: only the last survivors again
    python scripts/mutation.py --report         # the last run's report again
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from cosmic_ray.config import ConfigDict, serialize_config
from cosmic_ray.mutating import mutate_code
from cosmic_ray.plugins import get_operator
from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import MutationSpec, TestOutcome, WorkerOutcome, WorkItem, WorkResult

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "build" / "mutation"
COPIED = ("klyngecli", "tests", "sample_budgets", "pyproject.toml")
EQUIVALENTS = REPO / "docs" / "mutation.md"
# A row of the equivalent-mutants table: | `module` | `source line` | `mutated line` | why |
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*`(.+?)`\s*\|\s*`(.*?)`\s*\|")


def settings() -> tuple[dict[str, ConfigDict], float]:
    """Each group's cosmic-ray config (the common settings with its modules and tests), and the
    minimum score."""
    tool = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]
    ours = tool["klyngecli-mutation"]
    groups = {}
    for group in ours["group"]:
        config = ConfigDict(tool["cosmic-ray"])
        config["module-path"] = group["module-path"]
        command = " ".join([group.get("pytest", ours["pytest"]), *group["tests"]])
        # The tests run with this interpreter (the project's virtual environment).
        config["test-command"] = re.sub(r"^python\b", sys.executable, command)
        groups[group["name"]] = config
    return groups, float(ours["min-score"])


def equivalents() -> set[tuple[str, str, str]]:
    """(module, source line, mutated line) of the mutants docs/mutation.md lists, the lines
    without their indentation."""
    found = set()
    for line in EQUIVALENTS.read_text("utf-8").splitlines():
        if match := _ROW.match(line):
            found.add((match[1], *(m.replace("\\|", "|") for m in match.group(2, 3))))
    return found


def lines(source: str, mutation: MutationSpec, context: bool = False) -> tuple[str, str]:
    """The source line of a mutation and the same line in the mutant, without indentation;
    with `context`, each after the line before it and ` ↵ `."""
    operator = get_operator(mutation.operator_name)(**(mutation.operator_args or {}))
    mutated = mutate_code(source, operator, mutation.occurrence) or source
    number = mutation.start_pos[0] - 1
    original, changed = source.splitlines(), mutated.splitlines()
    if not context:
        return original[number].strip(), changed[number].strip()
    before = original[number - 1].strip() + " ↵ " if number else ""
    return before + original[number].strip(), before + changed[number].strip()


def annotation_spans(source: str) -> Iterator[tuple[int, int, int, int]]:
    """(line, first column, end line, end column) of every annotation, in characters."""
    lines = source.splitlines()

    def chars(line: int, byte_col: int) -> int:
        return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8"))

    for node in ast.walk(ast.parse(source)):
        notes: list[ast.expr | None] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            notes.append(node.returns)
        elif isinstance(node, ast.arg | ast.AnnAssign):
            notes.append(node.annotation)
        for note in notes:
            if note is not None and note.end_lineno is not None and note.end_col_offset is not None:
                yield (
                    note.lineno,
                    chars(note.lineno, note.col_offset),
                    note.end_lineno,
                    chars(note.end_lineno, note.end_col_offset),
                )


def skip_mutants(db: WorkDB) -> Counter[str]:
    """Mark the mutants that do not count as skipped: in an annotation, or listed as
    equivalent."""
    listed = equivalents()
    listed_lines = {(module, line.split(" ↵ ")[-1]) for module, line, _ in listed}
    spans: dict[Path, list[tuple[int, int, int, int]]] = {}
    sources: dict[Path, str] = {}
    skipped: Counter[str] = Counter()
    for item in db.pending_work_items:
        (mutation,) = item.mutations
        path = mutation.module_path
        if path not in spans:
            sources[path] = (WORK / path).read_text("utf-8")
            spans[path] = list(annotation_spans(sources[path]))
        line, col = mutation.start_pos
        original = sources[path].splitlines()[line - 1].strip()
        why = None
        if any((a, b) <= (line, col) < (c, d) for a, b, c, d in spans[path]):
            why = "annotation"
        elif (str(path), original) in listed_lines and any(
            (str(path), *lines(sources[path], mutation, context)) in listed
            for context in (False, True)
        ):
            why = "equivalent"
        if why:
            db.set_result(item.job_id, WorkResult(output=why, worker_outcome=WorkerOutcome.SKIPPED))
            skipped[why] += 1
    return skipped


def cosmic_ray(*args: str, check: bool = True) -> bool:
    bin_dir = Path(sys.executable).parent
    return (
        subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=WORK, check=check).returncode == 0
    )


def copy_tree() -> None:
    """A fresh copy of the code and the tests to mutate and test (the sessions of other groups
    stay, for `--report`)."""
    WORK.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = REPO / name
        if (WORK / name).is_dir():
            shutil.rmtree(WORK / name)
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(source, WORK / name, ignore=ignore)
        else:
            shutil.copy2(source, WORK / name)
    # Compiled once here, so that each test run compiles only the mutated module.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "klyngecli", "tests"], cwd=WORK)


def prepare(name: str, config: ConfigDict) -> Path:
    """The group's cosmic-ray config and session, with the mutants that do not count skipped."""
    (WORK / f"{name}.toml").write_text(serialize_config(config), "utf-8")
    session = WORK / f"{name}.sqlite"
    session.unlink(missing_ok=True)  # a new run starts a new session
    # What `--survivors` checks: the mutants are those of this code.
    (WORK / f"{name}.modules.json").write_text(json.dumps(fingerprint(config)), "utf-8")
    cosmic_ray("cosmic-ray", "init", f"{name}.toml", session.name)
    cosmic_ray("cr-filter-operators", session.name, f"{name}.toml")
    with use_db(str(session)) as db:
        skipped = skip_mutants(db)
        pending = sum(1 for _ in db.pending_work_items)
    print(f"{name}: {pending} mutants to test; skipped: {dict(skipped)}")
    return session


def fingerprint(config: ConfigDict) -> dict[str, str]:
    """The sha256 of each module of a group, as it is in the working tree now."""
    found = {}
    for module in config["module-path"]:
        for path in sorted((REPO / module).glob("**/*.py")) or [REPO / module]:
            found[str(path.relative_to(REPO))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def changed_code(name: str, config: ConfigDict) -> list[str]:
    """The modules of a group that changed since its last session was made."""
    recorded = WORK / f"{name}.modules.json"
    before = json.loads(recorded.read_text("utf-8")) if recorded.exists() else {}
    now = fingerprint(config)
    return sorted(path for path in now.keys() | before.keys() if now.get(path) != before.get(path))


def reopen_survivors(name: str, config: ConfigDict) -> Path:
    """The group's last session with its survivors pending again (and the mutants that do not
    count skipped again), for new tests; the code must be the code that run mutated."""
    session = WORK / f"{name}.sqlite"
    (WORK / f"{name}.toml").write_text(serialize_config(config), "utf-8")  # the tests may be new
    with use_db(str(session), WorkDB.Mode.open) as db:
        survivors = [
            item.job_id
            for item, result in db.completed_work_items
            if result.test_outcome == TestOutcome.SURVIVED
        ]
    with sqlite3.connect(session) as connection:
        connection.executemany(
            "DELETE FROM work_results WHERE job_id = ?", [(job,) for job in survivors]
        )
    with use_db(str(session), WorkDB.Mode.open) as db:
        skipped = skip_mutants(db)
    print(f"{name}: {len(survivors)} survivors to test again; now skipped: {dict(skipped)}")
    return session


def report(sessions: list[Path], min_score: float, seconds: float | None) -> int:
    done: list[tuple[WorkItem, WorkResult]] = []
    pending = 0
    for session in sessions:
        with use_db(str(session), WorkDB.Mode.open) as db:
            done += db.completed_work_items
            pending += sum(1 for _ in db.pending_work_items)
    outcomes: Counter[str] = Counter()
    survivors = []
    for item, result in done:
        if result.worker_outcome == WorkerOutcome.SKIPPED:
            outcomes[f"skipped ({result.output})"] += 1
            continue
        (mutation,) = item.mutations
        if result.test_outcome == TestOutcome.SURVIVED:
            survivors.append(mutation)
        outcomes[(result.test_outcome or result.worker_outcome).value] += 1
    killed = outcomes["killed"] + outcomes["incompetent"]
    counted = killed + len(survivors)
    score = killed / counted if counted else 0.0
    for m in sorted(survivors, key=lambda m: (str(m.module_path), m.start_pos)):
        original, mutated = lines((WORK / m.module_path).read_text("utf-8"), m)
        print(f"survived: {m.module_path}:{m.start_pos[0]} `{original}` -> `{mutated}`")
    print(f"outcomes: {dict(sorted(outcomes.items()))}; pending: {pending}")
    took = f" in {seconds / 60:.0f} min" if seconds is not None else ""
    print(
        f"mutation score {date.today()}: {killed} of {counted} killed = {score:.1%}{took} "
        f"(minimum {min_score:.0%})"
    )
    return 0 if score >= min_score and not pending else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", help="groups to run (default: all)")
    parser.add_argument("--report", action="store_true", help="report the last run again")
    parser.add_argument(
        "--survivors", action="store_true", help="test the last run's survivors again"
    )
    args = parser.parse_args()
    groups, min_score = settings()
    chosen = args.groups or list(groups)
    if unknown := set(chosen) - set(groups):
        parser.error(f"no such group: {', '.join(sorted(unknown))} (groups: {', '.join(groups)})")
    sessions = [WORK / f"{name}.sqlite" for name in chosen]
    if args.report:
        return report(sessions, min_score, None)
    if args.survivors and (changed := [m for n in chosen for m in changed_code(n, groups[n])]):
        parser.error(f"the code changed since the last run, run the groups again: {changed}")
    started = time.monotonic()
    copy_tree()
    failing = []
    for name in chosen:
        if args.survivors:
            session = reopen_survivors(name, groups[name])
        else:
            session = prepare(name, groups[name])
        # The tests must pass on the code as it is, or every mutant would count as killed.
        if not cosmic_ray("cosmic-ray", "baseline", f"{name}.toml", check=False):
            print(f"{name}: the tests fail without any mutant; the group is not run")
            failing.append(name)
            continue
        cosmic_ray("cosmic-ray", "exec", f"{name}.toml", session.name)
    outcome = report(sessions, min_score, time.monotonic() - started)
    return 1 if failing else outcome


if __name__ == "__main__":
    sys.exit(main())
