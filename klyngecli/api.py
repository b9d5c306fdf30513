"""The public Python API: the same code the CLI runs, as two functions.

import klyngecli
report = klyngecli.check(["Indbakke/"], submitted_at="2024-08-13T11:59:00", jobs=2)
for result in report.files:
    print(result.path, result.verdict, [f.code for f in result.findings])

result = klyngecli.check_file("ansoegning.xlsx")
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from os import PathLike
from pathlib import Path

from klyngecli.batch import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    BatchOptions,
    Task,
    default_jobs,
    run_batch,
)
from klyngecli.callspec import DEFAULT_CALL, Call, load_call
from klyngecli.engine import Options, Selection
from klyngecli.paths import PathError, select_files
from klyngecli.reader.cells import parse_datetime
from klyngecli.report import FileResult, Report, SkippedPath

StrPath = str | PathLike[str]


def _call(call: str | Call) -> Call:
    return call if isinstance(call, Call) else load_call(call)


def _options(
    call: Call,
    submitted_at: datetime | str | None,
    select: Iterable[str] | None,
    ignore: Iterable[str] | None,
) -> Options:
    now = datetime.now(call.zone)
    if isinstance(submitted_at, str):
        moment = (
            now
            if submitted_at.strip().lower() == "now"
            else parse_datetime(submitted_at, call.zone)
        )
        if moment is None:
            raise ValueError(f"submitted_at: cannot read {submitted_at!r}")
        submitted_at = moment
    elif submitted_at is not None and submitted_at.tzinfo is None:
        submitted_at = submitted_at.replace(tzinfo=call.zone)  # local time of the call
    selection = Selection(
        select=tuple(c.upper() for c in select) if select else ("KL",),
        ignore=tuple(c.upper() for c in ignore) if ignore else (),
    )
    return Options(call=call, now=now, submitted_at=submitted_at, selection=selection)


def check(
    paths: Iterable[StrPath],
    *,
    call: str | Call = DEFAULT_CALL,
    submitted_at: datetime | str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_memory: int = DEFAULT_MAX_MEMORY,
    lang: str = "da",
) -> Report:
    """Check files, folders or globs as `klynge check` does, each file in an isolated worker
    process; the Report's files are a list, in path order. FileNotFoundError for a path that
    names nothing."""
    the_call = _call(call)
    try:
        selected = select_files([str(p) for p in paths])
    except PathError as exc:
        raise FileNotFoundError(str(exc)) from exc
    options = BatchOptions(
        check=_options(the_call, submitted_at, select, ignore),
        jobs=jobs or default_jobs(),
        timeout=timeout,
        max_memory=max_memory,
    )
    skipped = [SkippedPath(path=str(p), reason=r) for p, r in selected.skipped]
    tasks = [Task(p, str(p)) for p in selected.files]
    report = run_batch(tasks, options, lang=lang, skipped=skipped)
    spool = report.files
    try:
        report.files = list(spool)
    finally:
        close = getattr(spool, "close", None)
        if close is not None:
            close()
    return report


def check_file(
    path: StrPath,
    *,
    call: str | Call = DEFAULT_CALL,
    submitted_at: datetime | str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_memory: int = DEFAULT_MAX_MEMORY,
) -> FileResult:
    """Check one workbook in an isolated worker process (a file that crashes a reader is
    KL900/KL011, never a crash of the caller)."""
    options = BatchOptions(
        check=_options(_call(call), submitted_at, select, ignore),
        jobs=1,
        timeout=timeout,
        max_memory=max_memory,
    )
    report = run_batch([Task(Path(path), str(Path(path)))], options)
    spool = report.files
    try:
        return spool[0]
    finally:
        close = getattr(spool, "close", None)
        if close is not None:
            close()
