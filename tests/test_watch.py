"""`klynge watch`: the real command in a child process, its standard output piped (no terminal),
a workbook saved the way Excel and LibreOffice save it. Every wait has a deadline (hang
detection, not a timing assertion)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

from klyngecli.findings import Finding, Severity
from klyngecli.watch import compare, watched_name
from tests.conftest import ctrl_c_default
from tests.workbooks import App, innovation_app

STEP_SECONDS = 30.0  # the deadline of each step
SAVED = "] Saved: "
WATCHING = "Watching "


class Watch:
    """`klynge watch ARGS --lang en`, with its standard output collected by a thread."""

    def __init__(self, *args: str | Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "KLYNGE_LANG")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "klyngecli", "watch", *map(str, args), "--lang", "en"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
            preexec_fn=ctrl_c_default,
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        # One thread per pipe reads it to its end: nothing else reads them.
        self.readers = [
            threading.Thread(target=_read, args=(self.process.stdout, self.lines), daemon=True),
            threading.Thread(target=_read, args=(self.process.stderr, self.errors), daemon=True),
        ]
        for reader in self.readers:
            reader.start()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def wait(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + STEP_SECONDS
        while not ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {STEP_SECONDS} s:\n{self.text}")
            time.sleep(0.05)

    def saves(self) -> list[str]:
        """The block shown for each save: from `[hh:mm:ss] Saved:` to the `Watching` line."""
        blocks: list[str] = []
        current: list[str] | None = None
        for line in self.lines:
            if SAVED in line:
                current = [line]
            elif current is not None:
                if line.startswith(WATCHING):
                    blocks.append("\n".join(current))
                    current = None
                else:
                    current.append(line)
        return blocks

    def next_save(self, count: int) -> str:
        """Wait for the save block number `count` (1-based) and return it."""
        self.wait(lambda: len(self.saves()) >= count, f"report of save {count}")
        return self.saves()[count - 1]

    def stop(self) -> tuple[int, str]:
        """Ctrl-C; the exit code and standard error, once both pipes are read to their end."""
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=STEP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        for reader in self.readers:
            reader.join(timeout=STEP_SECONDS)
        return code, "\n".join(self.errors)


def _read(pipe: IO[str] | None, lines: list[str]) -> None:
    assert pipe is not None
    for line in pipe:
        lines.append(line.rstrip("\n"))


@pytest.fixture
def started() -> Iterator[list[Watch]]:
    """Every watch a test starts is ended, even when the test fails."""
    watches: list[Watch] = []
    yield watches
    for watch in watches:
        if watch.process.poll() is None:
            watch.process.kill()
            watch.process.wait(timeout=10)


def clean() -> App:
    return innovation_app(1)


def unbalanced() -> App:
    app = innovation_app(1)
    app.budget_line("Løn").amounts[2025] = 9_000_000  # KL102: costs exceed financing
    return app


def excel_save(app: App, target: Path) -> None:
    """Excel: lock file, a new file under a temporary name, the old one renamed away, the new
    one renamed into place, the old one deleted."""
    folder = target.parent
    lock = folder / f"~${target.name}"
    lock.write_bytes(b"\x0cowner")
    app.write(folder / "A1B2C3D4")
    os.replace(target, folder / "~WRL0001.tmp")
    os.replace(folder / "A1B2C3D4", target)
    (folder / "~WRL0001.tmp").unlink()


def libreoffice_save(app: App, target: Path) -> None:
    """LibreOffice: a lock file `.~lock.NAME#`, a `lu….tmp` file renamed over the workbook."""
    folder = target.parent
    (folder / f".~lock.{target.name}#").write_text("user,host,/home/user,01.01.2024 12:00;")
    app.write(folder / "lu2104qzi.tmp")
    os.replace(folder / "lu2104qzi.tmp", target)


def test_watch_follows_saves_the_way_spreadsheet_programs_make_them(
    tmp_path: Path, started: list[Watch]
) -> None:
    folder = tmp_path / "budget"
    folder.mkdir()
    budget = folder / "budget.xlsx"
    clean().write(budget)
    watch = Watch(folder, "--submitted-at", "2024-08-12T10:00")
    started.append(watch)
    watch.wait(lambda: WATCHING + "1 file" in watch.text, "first report")
    assert "PASSED" in watch.text and "No findings." in watch.text

    # 1. Excel saves a mistake: KL102 is new, the verdict turns.
    excel_save(unbalanced(), budget)
    save = watch.next_save(1)
    assert "budget.xlsx" in save.splitlines()[0]
    assert _marked("new", "KL102", save)
    assert "FAILED (was PASSED)" in save

    # 2. LibreOffice saves the fix: KL102 is fixed.
    libreoffice_save(clean(), budget)
    save = watch.next_save(2)
    assert _marked("fixed", "KL102", save)
    assert not _marked("new", "KL102", save)
    assert "PASSED (was FAILED)" in save

    # 3. The lock files vanish (the programs close), then two saves within 100 ms: the mistake
    # and at once its correction. One check, of the bytes saved last; the lock files and the
    # first of the two saves are never shown.
    (folder / "~$budget.xlsx").unlink()
    (folder / ".~lock.budget.xlsx#").unlink()
    second = innovation_app(1)
    second.contact = "Søren Sørensen"  # other bytes, the same findings (none)
    first_bytes, second_bytes = _bytes(unbalanced(), tmp_path), _bytes(second, tmp_path)
    (folder / "lu1.tmp").write_bytes(first_bytes)  # a few milliseconds for the two saves
    os.replace(folder / "lu1.tmp", budget)
    (folder / "lu2.tmp").write_bytes(second_bytes)
    os.replace(folder / "lu2.tmp", budget)
    save = watch.next_save(3)
    assert "No change in the findings." in save and "KL102" not in save

    # 4. A half-written file: the first half of the bytes, a pause, then the rest. The watch
    # waits for the whole file; the half never shows as KL001.
    whole = tmp_path / "whole.xlsx"
    unbalanced().write(whole)
    data = whole.read_bytes()
    with budget.open("wb") as handle:
        handle.write(data[: len(data) // 2])
    # Longer than the watch's quiet period and a check (it sees the half file, which does not
    # open), shorter than the age under which a file that does not open is retried.
    time.sleep(1.1)
    with budget.open("ab") as handle:
        handle.write(data[len(data) // 2 :])
    save = watch.next_save(4)
    assert _marked("new", "KL102", save) and "FAILED" in save
    assert "KL001" not in watch.text

    # 5. A file that stays damaged is reported, after the retries.
    budget.write_bytes(b"PK\x03\x04 this is not a workbook any more")
    save = watch.next_save(5)
    assert "KL001" in save and "FAILED (unreadable)" in save

    # 6. A new workbook appears in the folder: checked as it arrives.
    clean().write(folder / "tmp-new.tmp")
    os.replace(folder / "tmp-new.tmp", folder / "second.xlsx")
    save = watch.next_save(6)
    assert "second.xlsx" in save.splitlines()[0]
    assert "First check of the file." in save
    watch.wait(lambda: WATCHING + "2 files" in watch.text, "two files watched")

    assert len(watch.saves()) == 6  # nothing else was ever shown: no lock or temporary file
    code, stderr = watch.stop()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert watch.lines[-1] == "Stopped watching."


def test_watch_a_named_file_with_the_default_submission_time_now(
    tmp_path: Path, started: list[Watch]
) -> None:
    """`--submitted-at now` by default: under a call whose deadline has passed, KL501 says so."""
    budget = tmp_path / "ansøgning.xlsx"
    clean().write(budget)
    other = tmp_path / "other.xlsx"
    unbalanced().write(other)  # in the same folder, not named: never shown
    watch = Watch(budget)
    started.append(watch)
    watch.wait(lambda: WATCHING + "1 file" in watch.text, "first report")
    assert "KL501" in watch.text and "after the deadline" in watch.text
    assert "other.xlsx" not in watch.text
    excel_save(unbalanced(), budget)
    unbalanced().write(tmp_path / "third.xlsx")  # not named either
    save = watch.next_save(1)
    assert "ansøgning.xlsx" in save.splitlines()[0]
    assert _marked("new", "KL102", save)
    assert not _marked("new", "KL501", save)  # still late, with another time: not new
    code, stderr = watch.stop()
    assert code == 0, stderr
    assert "other.xlsx" not in watch.text and "third.xlsx" not in watch.text


def test_watch_of_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "klyngecli", "watch", str(tmp_path / "nowhere"), "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "no such file or folder" in done.stderr


def _bytes(app: App, scratch: Path) -> bytes:
    path = app.write(scratch / "scratch.xlsx")
    return path.read_bytes()


def _marked(kind: str, code: str, save: str) -> bool:
    """A `  fixed   KL102 error …` or `  new     KL102 error …` line in the save's block."""
    return any(line.split()[:2] == [kind, code] for line in save.splitlines() if line.strip())


# --- the pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "watched"),
    [
        ("budget.xlsx", True),
        ("Budget.XLSM", True),
        ("budget.ods", True),
        ("~$budget.xlsx", False),  # Excel's lock file
        (".~lock.budget.xlsx#", False),  # LibreOffice's lock file
        ("lu2104qzi.tmp", False),  # LibreOffice's temporary file
        ("A1B2C3D4", False),  # Excel's temporary file
        ("~WRL0001.tmp", False),  # Excel's backup of the previous version
        (".budget.xlsx", False),  # hidden
    ],
)
def test_only_names_a_check_would_check_are_watched(name: str, watched: bool) -> None:
    assert watched_name(Path(name)) is watched


def _finding(code: str, cell: str, message: str) -> Finding:
    return Finding(
        code=code,
        severity=Severity.ERROR,
        sheet="Budget",
        cell=cell,
        message_da=message,
        message_en=message,
    )


def test_compare_by_code_and_place() -> None:
    kept = _finding("KL101", "C2", "row 2 is off by 5 kr.")
    moved = _finding("KL401", "H7", "Tilskud is 80 %")
    gone = _finding("KL102", "C9", "financing is missing")
    before = [kept, moved, gone, gone]
    still = _finding("KL401", "H7", "Tilskud is 74 %")  # another amount, the same finding
    came = _finding("KL103", "D4", "a year does not balance")
    fixed, new = compare(before, [kept, still, gone, came])
    assert fixed == [gone]  # one of the two
    assert new == [came]
    assert compare([], [came]) == ([], [came])
