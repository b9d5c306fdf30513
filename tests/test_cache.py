"""The result cache and the change memory (klyngecli/cache.py): a hit is the same result and
never reaches a worker; each part of the key invalidates it; clock-dependent and unfinished
results are never served; two runs at once share it; a corrupt or foreign file is rebuilt
with one warning; `klynge check FOLDER` marks files new/changed/unchanged and `--changed`
lists only those. Every test uses its own cache folder, never the user's."""

from __future__ import annotations

import inspect
import json
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from klyngecli import cache as cache_module
from klyngecli.batch import BatchOptions, Task, _time_finding, run_batch
from klyngecli.cache import CLOCK_CODES, FILE_NAME, ResultCache, default_dir, storable
from klyngecli.callspec import Call, load_call
from klyngecli.cli import app
from klyngecli.engine import Options, Selection, check_file
from klyngecli.reader.prescreen import Limits
from klyngecli.report import FileResult, Report
from klyngecli.rules.registry import RULES
from tests.workbooks import innovation_app

CALL = load_call()
WHEN = datetime(2024, 8, 1, 9, 0, tzinfo=CALL.zone)  # the call is open
SUBMITTED = datetime(2024, 8, 12, 10, 0, tzinfo=CALL.zone)


# --- helpers --------------------------------------------------------------------------------


def _counting(log: Path, path: Path, options: Options, label: str) -> FileResult:
    """The engine's check, leaving a mark in `log` for every file a worker really checks."""
    (log / f"{path.name}.{uuid.uuid4().hex}").touch()
    return check_file(path, options, label)


def _failing(path: Path, options: Options, label: str) -> FileResult:
    raise RuntimeError("a bug in a rule")


def _growing(path: Path, options: Options, label: str) -> FileResult:
    """The file changes while it is being checked (a save during the check)."""
    with path.open("ab") as handle:
        handle.write(b"\0")
    return check_file(path, options, label)


class Runs:
    """Batches over a folder with one cache; counts the files that reached a worker."""

    def __init__(self, tmp_path: Path) -> None:
        self.cache_dir = tmp_path / "cache"
        self.log = tmp_path / "log"
        self.log.mkdir()
        self.warnings: list[str] = []

    def checked(self) -> int:
        return len(list(self.log.iterdir()))

    def run(self, tasks: list[Task], options: Options | None = None, **batch: Any) -> Report:
        batch.setdefault("checker", partial(_counting, self.log))
        batch_options = BatchOptions(check=options or _options(), jobs=2, **batch)
        with ResultCache(self.cache_dir, "en", warn=self.warnings.append) as cache:
            report = run_batch(tasks, batch_options, cache=cache)
        return report

    def results(
        self, tasks: list[Task], options: Options | None = None, **batch: Any
    ) -> list[FileResult]:
        report = self.run(tasks, options, **batch)
        return list(report.files)


def _options(**changes: Any) -> Options:
    return replace(Options(call=CALL, now=WHEN, submitted_at=SUBMITTED), **changes)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    innovation_app(1).write(inbox / "a.xlsx")
    app = innovation_app(2)
    app.budget_line("Løn").amounts[2025] = 9_000_000  # KL102: costs and financing differ
    app.write(inbox / "b.xlsx")
    innovation_app(3).write(inbox / "c.xlsx")
    return inbox


def tasks_of(folder: Path) -> list[Task]:
    return [Task(p, p.name) for p in sorted(folder.glob("*.xlsx"))]


# --- hits -----------------------------------------------------------------------------------


def test_a_hit_is_the_same_result_and_reaches_no_worker(tmp_path: Path, folder: Path) -> None:
    runs = Runs(tmp_path)
    first = runs.results(tasks_of(folder))
    assert runs.checked() == 3
    assert [f.code for f in first[1].findings] == ["KL102"]
    second = runs.results(tasks_of(folder))
    assert runs.checked() == 3  # not one file reached a worker
    assert second == first
    assert not runs.warnings


def test_a_hit_is_relabelled_with_the_name_of_this_run(tmp_path: Path, folder: Path) -> None:
    runs = Runs(tmp_path)
    runs.results(tasks_of(folder))
    copy = tmp_path / "elsewhere" / "renamed.xlsx"
    copy.parent.mkdir()
    shutil.copy(folder / "b.xlsx", copy)
    (result,) = runs.results([Task(copy, "elsewhere/renamed.xlsx")])
    assert runs.checked() == 3  # the same bytes: served
    assert result.path == "elsewhere/renamed.xlsx"
    assert [f.code for f in result.findings] == ["KL102"]


def test_the_cli_serves_the_second_run_from_the_cache(tmp_path: Path, folder: Path) -> None:
    first = _cli("check", folder, "--cache-dir", tmp_path / "cache")
    with ResultCache(tmp_path / "cache") as cache:
        options = Options(call=CALL, now=WHEN)
        assert all(cache.get(p, options) is not None for p in folder.glob("*.xlsx"))
    second = _cli("check", folder, "--cache-dir", tmp_path / "cache")
    assert second.stdout == first.stdout
    assert second.exit_code == first.exit_code == 1


# --- invalidation by each part of the key ---------------------------------------------------


def _other_call(tmp_path: Path) -> Call:
    text = (resources.files("klyngecli") / "calls" / "klyngeprogram-2025-2028.toml").read_text(
        "utf-8"
    )
    changed = text.replace('[sme_ceiling]\nvalue = "0.70"', '[sme_ceiling]\nvalue = "0.60"')
    assert changed != text
    path = tmp_path / "other-call.toml"
    path.write_text(changed, encoding="utf-8")
    return load_call(str(path))


KEY_PARTS = {
    "selection": lambda tmp: _options(selection=Selection(select=("KL1",))),
    "ignore": lambda tmp: _options(selection=Selection(ignore=("KL102",))),
    "limits": lambda tmp: _options(limits=Limits(max_cells=400_000)),
    "submitted_at": lambda tmp: _options(
        submitted_at=datetime(2024, 8, 13, 12, 5, tzinfo=CALL.zone)
    ),
    "no submitted_at": lambda tmp: _options(submitted_at=None),
    "findings per code": lambda tmp: _options(max_findings_per_code=1),
    "call": lambda tmp: _options(call=_other_call(tmp)),
}


@pytest.mark.parametrize("part", KEY_PARTS)
def test_each_option_that_changes_findings_is_part_of_the_key(
    tmp_path: Path, folder: Path, part: str
) -> None:
    runs = Runs(tmp_path)
    runs.results(tasks_of(folder))
    other = KEY_PARTS[part](tmp_path)
    changed = runs.results(tasks_of(folder), other)
    assert runs.checked() == 6  # every file checked again
    again = runs.results(tasks_of(folder), other)
    assert runs.checked() == 6 and again == changed  # and then served under the new key
    assert runs.results(tasks_of(folder)) and runs.checked() == 6  # the old key still holds


def test_the_findings_under_another_key_are_those_of_that_key(tmp_path: Path, folder: Path) -> None:
    """The ignore really reaches the result: a hit under the old key would still show KL102."""
    runs = Runs(tmp_path)
    before = runs.results(tasks_of(folder))
    ignored = runs.results(tasks_of(folder), _options(selection=Selection(ignore=("KL102",))))
    assert [f.code for f in before[1].findings] == ["KL102"]
    assert ignored[1].findings == []


def test_a_per_file_ignore_is_part_of_the_key(tmp_path: Path, folder: Path) -> None:
    runs = Runs(tmp_path)
    runs.results(tasks_of(folder))
    tasks = [replace(t, ignore=("KL102",)) if t.label == "b.xlsx" else t for t in tasks_of(folder)]
    results = runs.results(tasks)
    assert runs.checked() == 4  # b.xlsx alone
    assert results[1].findings == []


def test_the_bytes_are_part_of_the_key(tmp_path: Path, folder: Path) -> None:
    runs = Runs(tmp_path)
    runs.results(tasks_of(folder))
    innovation_app(4).write(folder / "a.xlsx")
    runs.results(tasks_of(folder))
    assert runs.checked() == 4


def test_the_tool_version_is_part_of_the_key(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = Runs(tmp_path)
    runs.results(tasks_of(folder))
    monkeypatch.setattr(cache_module, "tool_version", lambda: "99.0.0+0000")
    runs.results(tasks_of(folder))
    assert runs.checked() == 6


def test_the_tool_version_names_the_release_and_the_code() -> None:
    from klyngecli import __version__

    version = cache_module.tool_version()
    assert version.startswith(__version__ + "+") and len(version) > len(__version__) + 8


def test_a_comment_in_the_rules_file_is_not_a_new_key(tmp_path: Path, folder: Path) -> None:
    runs = Runs(tmp_path)
    runs.results(tasks_of(folder))
    text = (resources.files("klyngecli") / "calls" / "klyngeprogram-2025-2028.toml").read_text(
        "utf-8"
    )
    path = tmp_path / "commented.toml"
    path.write_text("# a caseworker's note\n" + text, encoding="utf-8")
    runs.results(tasks_of(folder), _options(call=load_call(str(path))))
    assert runs.checked() == 3


# --- never served stale ---------------------------------------------------------------------


def test_submitted_at_now_is_never_stored(tmp_path: Path, folder: Path) -> None:
    runs = Runs(tmp_path)
    for _ in range(2):
        now = datetime.now(CALL.zone)
        runs.results(tasks_of(folder), _options(now=now, submitted_at=now))
    assert runs.checked() == 6


def test_kl506_says_what_the_clock_says_at_every_run(tmp_path: Path) -> None:
    """No submission time anywhere: KL506 says whether the call is open *now*; such a result
    is never stored, so a later run says the call closed."""
    app = innovation_app(5)
    app.submitted = None
    app.write(tmp_path / "undated.xlsx")
    tasks = [Task(tmp_path / "undated.xlsx", "undated.xlsx")]
    runs = Runs(tmp_path)
    (open_,) = runs.results(tasks, _options(submitted_at=None))
    later = datetime(2025, 1, 1, tzinfo=CALL.zone)
    (closed,) = runs.results(tasks, _options(submitted_at=None, now=later))
    assert runs.checked() == 2
    assert "open now" in open_.findings[0].message_en
    assert "closed" in closed.findings[0].message_en


def test_every_rule_that_reads_the_clock_is_known_to_the_cache() -> None:
    readers = {
        code
        for code, rule in RULES.items()
        if "ctx.now" in inspect.getsource(rule.check) or ".now(" in inspect.getsource(rule.check)
    }
    assert readers == CLOCK_CODES


def test_a_result_the_checker_could_not_finish_is_not_stored(tmp_path: Path, folder: Path) -> None:
    runs = Runs(tmp_path)
    (crashed,) = runs.results(tasks_of(folder)[:1], checker=_failing)
    assert [f.code for f in crashed.findings] == ["KL900"]
    runs.results(tasks_of(folder)[:1])
    assert runs.checked() == 1  # checked again, by the counting checker
    timed_out = FileResult(path="x", verdict="unreadable", findings=[_time_finding(3)])
    assert not storable(timed_out, _options())


def test_a_file_saved_during_its_check_is_not_stored(tmp_path: Path, folder: Path) -> None:
    runs = Runs(tmp_path)
    original = (folder / "a.xlsx").read_bytes()
    runs.results(tasks_of(folder)[:1], checker=_growing)
    (folder / "a.xlsx").write_bytes(original)
    runs.results(tasks_of(folder)[:1])
    assert runs.checked() == 1  # the original bytes were not stored with the grown file's result


# --- two runs at once -----------------------------------------------------------------------


def test_two_cli_runs_at_once_share_the_cache(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in range(1, 13):
        innovation_app(seed).write(inbox / f"app-{seed:02d}.xlsx")
    command = [sys.executable, "-m", "klyngecli", "check", str(inbox), "--format", "json",
               "-j", "1", "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_stdout, stderr) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, stderr
        assert stderr == b""  # no warning: neither run found the cache damaged or locked
    reports = [json.loads(stdout) for stdout, _ in outputs]
    # The change marks depend on which run finished first (it becomes the "previous run").
    files = [[{**f, "change": None} for f in report["files"]] for report in reports]
    assert files[0] == files[1]
    with ResultCache(tmp_path / "cache") as cache:
        options = Options(call=CALL, now=WHEN)
        assert all(cache.get(p, options) is not None for p in inbox.glob("*.xlsx"))
    db = sqlite3.connect(tmp_path / "cache" / FILE_NAME)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


def _hammer(cache_dir: Path, files: list[Path], seed: int) -> None:
    """Store a result for each file, flushing often, and read the other process's back."""
    warnings: list[str] = []
    options = _options()
    with ResultCache(cache_dir, warn=warnings.append) as cache:
        for k, path in enumerate(files):
            sha = cache.identity(path, options.limits.max_file_bytes)
            cache.put(path, options, FileResult(path=path.name, sha256=sha, verdict="passed"))
            if k % 5 == 0:
                cache.flush()
                for other in files[: k + 1]:
                    cache.get(other, options)
    os._exit(1 if warnings else 0)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    files = []
    for k in range(400):
        path = tmp_path / f"f{k:03d}.bin"
        path.write_bytes(f"file {k}".encode())
        files.append(path)
    context = multiprocessing.get_context("fork")
    halves = [files[::2], files[1::2]]
    workers = [
        context.Process(target=_hammer, args=(tmp_path / "cache", half, i))
        for i, half in enumerate(halves)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    with ResultCache(tmp_path / "cache") as cache:
        found = [cache.get(path, _options()) for path in files]
    # Every result of both writers is there (a hit is re-labelled by the batch, not here).
    assert all(result is not None and result.verdict == "passed" for result in found)
    assert len({result.sha256 for result in found if result is not None}) == len(files)


def _open_store_close(cache_dir: Path, path: Path, start: int) -> None:
    """Wait for the start signal, then open the cache, store one result and close it (the
    last one to close checkpoints and removes the WAL): exit 1 on any warning."""
    os.read(start, 1)
    warnings: list[str] = []
    options = _options()
    with ResultCache(cache_dir, warn=warnings.append) as cache:
        sha = cache.identity(path, options.limits.max_file_bytes)
        cache.put(path, options, FileResult(path=path.name, sha256=sha, verdict="passed"))
    os._exit(1 if warnings else 0)


def test_runs_opening_a_new_cache_at_once_all_use_it(tmp_path: Path) -> None:
    """Runs that open the same new cache at the same moment (a CI job's parallel steps, the
    first morning run from two terminals): SQLite may refuse the switch to WAL at once, without
    its busy timeout, while another run creates or closes the file; one run in about fifteen
    then went on without the cache, with a warning. Forty rounds of six runs at once."""
    path = tmp_path / "a.bin"
    path.write_bytes(b"one file")
    context = multiprocessing.get_context("fork")
    for round_ in range(40):
        start, go = os.pipe()
        runs = [
            context.Process(
                target=_open_store_close, args=(tmp_path / f"cache-{round_}", path, start)
            )
            for _ in range(6)
        ]
        for run in runs:
            run.start()
        os.write(go, b"go" * 3)
        os.close(go)
        os.close(start)
        for run in runs:
            run.join(timeout=60)
        assert [run.exitcode for run in runs] == [0] * 6, f"round {round_}"


# --- a corrupt or foreign cache file --------------------------------------------------------


def _foreign_sqlite(file: Path) -> None:
    db = sqlite3.connect(file)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    db.execute("INSERT INTO notes (text) VALUES ('someone else''s database')")
    db.commit()
    db.close()


def _other_schema(file: Path) -> None:
    with ResultCache(file.parent):
        pass
    db = sqlite3.connect(file)
    db.execute("UPDATE meta SET value = 'klyngecli-cache/999' WHERE key = 'schema'")
    db.commit()
    db.close()


DAMAGE = {
    "garbage bytes": lambda file: file.write_bytes(os.urandom(5000)),
    "an empty header": lambda file: file.write_bytes(b"SQLite format 3\0" + b"\xff" * 200),
    "another program's database": _foreign_sqlite,
    "another cache schema": _other_schema,
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_corrupt_or_foreign_cache_is_rebuilt_with_one_warning(
    tmp_path: Path, folder: Path, damage: str
) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    DAMAGE[damage](cache_dir / FILE_NAME)
    done = _cli("check", folder, "--cache-dir", cache_dir, "--format", "json", "--lang", "en")
    assert done.exit_code == 1  # b.xlsx's KL102, checked as ever
    warnings = done.stderr.splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("klynge: warning: the result cache")
    assert "rebuilt" in warnings[0]
    again = _cli("check", folder, "--cache-dir", cache_dir, "--format", "json")
    assert again.stderr == ""
    assert _unmarked(again) == _unmarked(done)
    with ResultCache(cache_dir) as cache:  # the rebuilt cache holds the results
        assert all(
            cache.get(p, Options(call=CALL, now=WHEN)) is not None for p in folder.glob("*.xlsx")
        )


def test_a_cache_damaged_inside_is_rebuilt_when_it_is_read(tmp_path: Path, folder: Path) -> None:
    runs = Runs(tmp_path)
    runs.results(tasks_of(folder))
    file = runs.cache_dir / FILE_NAME
    db = sqlite3.connect(file)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(file.read_bytes())
    page = 4096
    for start in range(page, len(data), page):  # every page but the header's: B-tree garbage
        data[start : start + page] = os.urandom(min(page, len(data) - start))
    file.write_bytes(bytes(data))
    results = runs.results(tasks_of(folder))
    assert [r.path for r in results] == ["a.xlsx", "b.xlsx", "c.xlsx"]
    assert len(runs.warnings) == 1 and "rebuilt" in runs.warnings[0]
    runs.warnings.clear()
    assert runs.results(tasks_of(folder)) == results and not runs.warnings


def test_a_row_this_version_cannot_read_is_a_miss(tmp_path: Path, folder: Path) -> None:
    runs = Runs(tmp_path)
    runs.results(tasks_of(folder))
    db = sqlite3.connect(runs.cache_dir / FILE_NAME)
    db.execute('UPDATE results SET result = \'{"not": "a result"}\'')
    db.commit()
    db.close()
    again = runs.results(tasks_of(folder))
    assert runs.checked() == 6 and len(again) == 3 and not runs.warnings


def test_a_cache_folder_that_cannot_be_used_leaves_the_check_alone(
    tmp_path: Path, folder: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    done = _cli("check", folder, "--cache-dir", blocked, "--format", "json", "--lang", "en")
    assert done.exit_code == 1
    assert len(json.loads(done.stdout)["files"]) == 3
    (warning,) = done.stderr.splitlines()
    assert "cannot be used" in warning and "checking without it" in warning


def test_no_cache_neither_reads_nor_writes(tmp_path: Path, folder: Path) -> None:
    done = _cli("check", folder, "--no-cache", "--cache-dir", tmp_path / "cache")
    assert done.exit_code == 1
    assert not (tmp_path / "cache").exists()


def test_the_default_folder_follows_klynge_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLYNGE_CACHE_DIR", str(tmp_path / "from-env"))
    assert default_dir() == tmp_path / "from-env"
    monkeypatch.delenv("KLYNGE_CACHE_DIR")
    assert default_dir().name == "klyngecli"


# --- new, changed, unchanged and --changed --------------------------------------------------


@pytest.fixture
def cli_cache(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "cache"


def _marks(done: Any) -> dict[str, str | None]:
    return {Path(f["path"]).name: f["change"] for f in json.loads(done.stdout)["files"]}


def _unmarked(done: Any) -> list[dict[str, Any]]:
    """The files of a JSON report without their change marks."""
    return [{**f, "change": None} for f in json.loads(done.stdout)["files"]]


def _summary(done: Any) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(done.stdout)["summary"]
    return summary


def test_files_are_marked_new_changed_or_unchanged_since_the_last_run_over_the_folder(
    folder: Path, cli_cache: Path
) -> None:
    first = _cli("check", folder, "--cache-dir", cli_cache, "--format", "json")
    assert set(_marks(first).values()) == {None}  # no previous run: nothing to compare with
    innovation_app(7).write(folder / "a.xlsx")  # changed
    innovation_app(8).write(folder / "d.xlsx")  # new
    (folder / "c.xlsx").unlink()  # gone: simply not there any more
    second = _cli("check", folder, "--cache-dir", cli_cache, "--format", "json")
    assert _marks(second) == {"a.xlsx": "changed", "b.xlsx": "unchanged", "d.xlsx": "new"}
    summary = _summary(second)
    assert (summary["new"], summary["changed"], summary["unchanged"]) == (1, 1, 1)
    assert summary["files"] == 3
    schema = json.loads(
        (resources.files("klyngecli") / "schemas" / "report-3.schema.json").read_text("utf-8")
    )
    jsonschema.Draft202012Validator(schema).validate(json.loads(second.stdout))
    third = _cli("check", folder, "--cache-dir", cli_cache, "--format", "json")
    assert set(_marks(third).values()) == {"unchanged"}


def test_the_folder_is_the_same_whichever_way_it_is_named(
    folder: Path, cli_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cli("check", folder, "--cache-dir", cli_cache)
    innovation_app(9).write(folder / "b.xlsx")
    monkeypatch.chdir(folder.parent)
    done = _cli("check", "./inbox/", "--cache-dir", cli_cache, "--format", "json")
    assert _marks(done) == {"a.xlsx": "unchanged", "b.xlsx": "changed", "c.xlsx": "unchanged"}


def test_only_folders_are_remembered(folder: Path, cli_cache: Path) -> None:
    """A file or a glob named on the command line gets no mark: the memory is of folders (the
    inbox), and a second run over one file is the same report as the first."""
    named = [folder / "a.xlsx", str(folder / "b*.xlsx")]
    first = _cli("check", *named, "--cache-dir", cli_cache, "--format", "json")
    second = _cli("check", *named, "--cache-dir", cli_cache, "--format", "json")
    assert second.stdout == first.stdout
    assert _marks(second) == {"a.xlsx": None, "b.xlsx": None}


def test_changed_lists_only_new_and_changed_files(folder: Path, cli_cache: Path) -> None:
    _cli("check", folder, "--cache-dir", cli_cache)
    innovation_app(8).write(folder / "d.xlsx")
    done = _cli("check", folder, "--changed", "--cache-dir", cli_cache, "--format", "json")
    assert _marks(done) == {"d.xlsx": "new"}
    summary = _summary(done)
    assert summary["files"] == 1 and summary["failed"] == 0  # b.xlsx's failure is old news
    assert (summary["new"], summary["changed"], summary["unchanged"]) == (1, 0, 3)
    assert done.exit_code == 0
    # -v: the full counts (b.xlsx fails again) while the list stays the new files
    full = _cli("check", folder, "--changed", "-v", "--cache-dir", cli_cache, "--format", "json")
    assert _marks(full) == {}  # d.xlsx was seen by the run before
    assert _summary(full)["files"] == 4 and _summary(full)["failed"] == 1
    assert full.exit_code == 1


def test_changed_still_finds_a_new_file_that_duplicates_an_old_one(
    folder: Path, cli_cache: Path
) -> None:
    """The rules across files see the unchanged files too: a new copy of an old application
    is KL204, though the old one is not listed."""
    _cli("check", folder, "--cache-dir", cli_cache)
    shutil.copy(folder / "a.xlsx", folder / "z-copy.xlsx")
    done = _cli("check", folder, "--changed", "--cache-dir", cli_cache, "--format", "json")
    (only,) = json.loads(done.stdout)["files"]
    assert only["path"].endswith("z-copy.xlsx")
    assert [f["code"] for f in only["findings"]] == ["KL204"]


def test_the_text_report_marks_new_and_changed_files(folder: Path, cli_cache: Path) -> None:
    _cli("check", folder, "--cache-dir", cli_cache)
    innovation_app(7).write(folder / "a.xlsx")
    innovation_app(8).write(folder / "d.xlsx")
    done = _cli("check", folder, "--cache-dir", cli_cache, "--lang", "en")
    lines = done.stdout.splitlines()
    assert any(line.endswith("a.xlsx  [changed]") for line in lines)
    assert any(line.endswith("d.xlsx  [new]") for line in lines)
    assert any(line.endswith("b.xlsx") for line in lines)  # unchanged: no mark
    assert "New since last run" in done.stdout and "Changed since last run" in done.stdout
    nothing = _cli("check", folder, "--changed", "--cache-dir", cli_cache, "--lang", "en")
    assert "Unchanged" in nothing.stdout and "Files checked" in nothing.stdout
    danish = _cli("check", folder, "--cache-dir", cli_cache)
    assert "Nye siden sidst" not in danish.stdout  # nothing new: no extra rows


def test_changed_without_the_cache_is_a_usage_error(folder: Path) -> None:
    done = _cli("check", folder, "--changed", "--no-cache", "--lang", "en")
    assert done.exit_code == 2
    assert "--no-cache" in done.stderr


def _cli(*args: str | Path) -> Any:
    result = CliRunner().invoke(app, list(map(str, args)))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result
