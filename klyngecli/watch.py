"""`klynge watch PATH...`: check the workbooks once, then each one again when it is saved, and
show what the save changed: findings fixed, findings new, the verdict and the DEB request.

The watcher is `watchfiles` (Rust `notify` underneath: inotify, FSEvents, ReadDirectoryChanges,
with a polling fallback): it is maintained, ships wheels for every platform, and groups bursts
of changes itself (`step`), which is what a spreadsheet program's save is. Events that arrive
while a file is being checked are kept by its watcher thread and come with the next batch.

How Excel and LibreOffice save, and what we do about it:
- they write a temporary file (`lu1234.tmp`, `A1B2C3D4`, `~WRL0001.tmp`) and rename it over
  the workbook, and keep lock files (`~$budget.xlsx`, `.~lock.budget.xlsx#`): only names a
  `klynge check FOLDER` would check are watched (a workbook extension, no `~$`, not hidden),
  and a folder is watched rather than a file, whose inode a rename replaces;
- they may save twice within a second: changes are grouped until the folder has been quiet
  for QUIET_MS, and bytes identical to those last shown are not checked again;
- a file may be caught half-written: it is checked only once its size and time stand still,
  and a file that does not open (KL001) is checked again while it is younger than
  FRESH_SECONDS or changed during the check, a bounded number of times, so a file that is
  really damaged is still reported.

Each check goes through `run_batch` (one file, one worker process), so a file that crashes or
hangs the reader costs that check, not the watch. Each workbook is shown on its own: KL204,
the rule across the files of a batch, is left to `klynge check FOLDER`. `--submitted-at now`
(the default here) is the moment of each check.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TextIO

from klyngecli.batch import BatchOptions, Interrupted, Spool, Task, run_batch
from klyngecli.cache import file_sha256
from klyngecli.findings import Finding
from klyngecli.paths import SUPPORTED, select_files
from klyngecli.report import FileResult, Report
from klyngecli.reporters import Style
from klyngecli.reporters.text import render, render_save, render_watch_line

QUIET_MS = 400  # a save is over when the folder has had no change for this long
DEBOUNCE_MS = 5_000  # changes are grouped for at most this long (a very slow save)
STILL_SECONDS = 0.15  # size and time must be the same twice this far apart...
STILL_TRIES = 20  # ...within this many looks (3 s), else the file is checked as it is
FRESH_SECONDS = 2.0  # a file that does not open is retried while younger than this
RETRY_SECONDS = 0.3
MAX_ATTEMPTS = 8  # checks of one save at most, however the file behaves

Changes = tuple[list[Finding], list[Finding]]  # fixed, new


def watched_name(path: Path) -> bool:
    """A name `klynge check FOLDER` would check: not a lock file, a hidden file (LibreOffice's
    `.~lock.NAME#`) or a temporary file (no workbook extension)."""
    return path.suffix.lower() in SUPPORTED and not path.name.startswith(("~$", "."))


def compare(before: Sequence[Finding], after: Sequence[Finding]) -> Changes:
    """(fixed, new) from one check to the next. A finding is the same when its code and place
    are, one for one: a finding whose amount or time changed is still there, neither fixed
    nor new (the report above shows its message now), so `--submitted-at now` does not make
    KL501 "new" at every save."""
    return _without(before, after), _without(after, before)


def _without(findings: Sequence[Finding], other: Sequence[Finding]) -> list[Finding]:
    """`findings` less those matched one for one, by code and place, in `other`."""
    left = Counter((f.code, f.location) for f in other)
    kept = []
    for finding in findings:
        key = (finding.code, finding.location)
        if left[key] > 0:
            left[key] -= 1
        else:
            kept.append(finding)
    return kept


def _unopenable(result: FileResult) -> bool:
    return any(f.code == "KL001" for f in result.findings)


def _still(path: Path) -> os.stat_result | None:
    """The file's status once its size and time stand still (a writer has finished), or None
    when it is gone."""
    try:
        before = path.stat()
        for _ in range(STILL_TRIES):
            time.sleep(STILL_SECONDS)
            after = path.stat()
            if (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns):
                return after
            before = after
        return before
    except OSError:
        return None


class Watch:
    """The state of one `klynge watch`: the paths named, and the last result of each file."""

    def __init__(
        self,
        arguments: Sequence[Path],
        options: Callable[[], BatchOptions],
        task: Callable[[Path], Task],
        style: Style,
        out: TextIO,
        clear: bool = False,
    ) -> None:
        self.arguments = list(arguments)
        self.folders = [(Path(os.path.abspath(p)), p) for p in arguments if p.is_dir()]
        self.files = {Path(os.path.abspath(p)): p for p in arguments if not p.is_dir()}
        self.options = options  # fresh for each check: `now` is the moment of the check
        self.task = task
        self.style = style
        self.out = out
        self.clear = clear
        self.results: dict[Path, FileResult] = {}  # by absolute path

    def run(self) -> int:
        """Check, then watch until Ctrl-C; the exit code (0)."""
        import watchfiles

        try:
            self._first()
            roots = sorted({str(folder) for folder, _ in self.folders} | self._parents())
            for changes in watchfiles.watch(
                *roots,
                watch_filter=lambda _change, path: self._given(Path(path)) is not None,
                step=QUIET_MS,
                debounce=DEBOUNCE_MS,
                recursive=bool(self.folders),  # named files only: not their parents' subtrees
                raise_interrupt=True,
            ):
                for path in sorted({Path(path) for _change, path in changes}):
                    self._saved(path)
        except KeyboardInterrupt:
            pass
        render_watch_line("stopped", self.style, self.out)
        self.out.flush()
        return 0

    def _parents(self) -> set[str]:
        return {str(path.parent) for path in self.files}

    def _given(self, path: Path) -> Path | None:
        """The path as the user would name it (a named file, or a folder argument joined with
        the rest), or None when it is not watched."""
        if not watched_name(path):
            return None
        if path in self.files:
            return self.files[path]
        for folder, given in self.folders:
            try:
                rest = path.relative_to(folder)
            except ValueError:
                continue
            if not any(part.startswith(".") for part in rest.parts[:-1]):
                return given / rest
        return None

    def _first(self) -> None:
        selected = select_files([str(p) for p in self.arguments])
        tasks = [self.task(path) for path in selected.files]
        if tasks:
            report = self._batch(tasks, self.options())
            try:
                render(report, self.style, self.out)
                paths = {task.label: task.path for task in tasks}
                for result in report.files:
                    self.results[Path(os.path.abspath(paths[result.path]))] = result
            finally:
                _close(report.files)
        self._watching()

    def _watching(self) -> None:
        render_watch_line("watching", self.style, self.out, files=len(self.results))
        self.out.flush()

    def _saved(self, path: Path) -> None:
        given = self._given(path)
        if given is None:
            return
        if not path.is_file():
            if self.results.pop(path, None) is not None:
                render_watch_line("removed", self.style, self.out, path=str(given))
                self._watching()
            return
        result = self._check_saved(path, given)
        if result is None:
            return
        before = self.results.get(path)
        self.results[path] = result
        findings = compare(before.findings if before else [], result.findings)
        when = datetime.now().strftime("%H:%M:%S")
        render_save(when, before, result, findings, self.style, self.out, clear=self.clear)
        self._watching()

    def _check_saved(self, path: Path, given: Path) -> FileResult | None:
        """The result of the file as saved, or None when there is nothing new to show (it went
        away, or its bytes are those last shown)."""
        shown = self.results.get(path)
        last: tuple[str | None, FileResult] | None = None
        for attempt in range(MAX_ATTEMPTS):
            info = _still(path)
            if info is None:
                return None
            options = self.options()
            sha = file_sha256(path, options.check.limits.max_file_bytes)
            if attempt == 0 and shown is not None and sha is not None and sha == shown.sha256:
                return None  # a second save of the same bytes, or only its time touched
            if last is None or sha is None or sha != last[0]:
                last = (sha, self._check(given, options))
            try:
                now = path.stat()
            except OSError:
                return None
            moved = (now.st_size, now.st_mtime_ns) != (info.st_size, info.st_mtime_ns)
            fresh = time.time() - now.st_mtime < FRESH_SECONDS
            if not moved and not (fresh and _unopenable(last[1])):
                return last[1]
            if not moved:
                time.sleep(RETRY_SECONDS)
        return last[1] if last else None

    def _check(self, given: Path, options: BatchOptions) -> FileResult:
        report = self._batch([self.task(given)], replace(options, jobs=1))
        try:
            return report.files[0]
        finally:
            _close(report.files)

    def _batch(self, tasks: list[Task], options: BatchOptions) -> Report:
        try:
            return run_batch(tasks, options, lang=self.style.lang, cross_file=False)
        except Interrupted as stop:
            _close(stop.report.files)
            raise KeyboardInterrupt from None


def _close(files: Sequence[FileResult]) -> None:
    if isinstance(files, Spool):
        files.close()
