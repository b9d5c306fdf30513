"""`klynge check --annotate DIR`: after the report, for each checked file a copy
`NAME.kontrol.xlsx` in DIR (made by `writer.kontrol`); the inputs are never modified.

A copy is of exactly the bytes that were checked: they are read once and compared with the
sha256 in the report (a file swapped in since gets no copy). A file the check found unreadable or
over a safety limit (KL001, KL002, KL011), or that the checker failed on (KL900), gets no copy.
Each copy is made in a child process under the check's memory and time limits, since openpyxl
loads every sheet of a workbook, also those the checker's screen did not count; a copy that fails
costs that copy only (a line on standard error) and does not change the exit code.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import os
import signal
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TextIO

from klyngecli.batch import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    MemoryWatch,
    end_with_parent,
    limit_memory,
    load_prctl,
    over_memory,
    process_context,
    process_ending,
)
from klyngecli.report import UNREADABLE_CODES, FileResult, Report
from klyngecli.safetext import path_text
from klyngecli.writer.atomic import atomic_write
from klyngecli.writer.kontrol import Refused, annotated_copy, reason

SUFFIX = ".kontrol.xlsx"
NOT_COPIED = UNREADABLE_CODES | {"KL900"}
_FAILED = (
    "klynge: kunne ikke skrive kontrolkopi af {path}: {reason}",
    "klynge: could not write the annotated copy of {path}: {reason}",
)


class AnnotateError(Exception):
    """--annotate DIR cannot be used (a usage error): the message in both languages."""

    def __init__(self, da: str, en: str) -> None:
        super().__init__(en)
        self.da, self.en = da, en


# --- Names -------------------------------------------------------------------------------------


def copy_names(folder: Path, sources: Mapping[str, Path]) -> dict[str, Path]:
    """The copy of each file (by its report label): `NAME.kontrol.xlsx`, and for a second file
    of the same NAME (compared as a case-insensitive file system would) `NAME-2.kontrol.xlsx`,
    then `-3`, in the report's order (by label); the same paths always give the same names."""
    taken: set[str] = set()
    names: dict[str, Path] = {}
    for label in sorted(sources):
        stem = Path(sources[label].name).stem or "stdin"
        name, n = stem, 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.casefold())
        names[label] = folder / f"{name}{SUFFIX}"
    return names


class _Inputs:
    """The files being checked, to tell whether a path names one of them (also by a link)."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.paths: set[Path] = set()
        self.ids: set[tuple[int, int]] = set()
        for path in paths:
            with contextlib.suppress(OSError):
                self.paths.add(path.resolve())
                info = path.stat()
                self.ids.add((info.st_dev, info.st_ino))

    def __contains__(self, path: Path) -> bool:
        try:
            if path.resolve() in self.paths:
                return True
            info = path.stat()
        except OSError:
            return False
        return (info.st_dev, info.st_ino) in self.ids


def prepare(folder: Path, sources: Mapping[str, Path]) -> None:
    """Create DIR (with its parents) and refuse a DIR where a copy would replace an input."""
    where = path_text(folder)
    if folder.exists() and not folder.is_dir():
        raise AnnotateError(
            f"--annotate {where} er ikke en mappe", f"--annotate {where} is no folder"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise AnnotateError(
            f"--annotate: kan ikke oprette mappen {where}: {why}",
            f"--annotate: cannot create the folder {where}: {why}",
        ) from None
    inputs = _Inputs(sources.values())
    for target in copy_names(folder, sources).values():
        if target in inputs:
            name = path_text(target)
            raise AnnotateError(
                f"--annotate: kontrolkopien {name} ville overskrive en af de filer, der "
                "kontrolleres; vælg en anden mappe",
                f"--annotate: the annotated copy {name} would overwrite one of the files being "
                "checked; choose another folder",
            )


# --- The batch ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """One copy to make, in a child process; it pickles."""

    source: Path
    result: FileResult
    lang: str
    call_title: str


def annotate(
    report: Report,
    folder: Path,
    lang: str,
    *,
    sources: Mapping[str, Path] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_memory: int = DEFAULT_MAX_MEMORY,
    errors: TextIO | None = None,
) -> list[Path]:
    """Write the annotated copy of each file of `report` into `folder` (which must exist) and
    return their paths. `sources` maps a report label to the file it names (standard input's
    `-` to where it was saved); by default the label is the path. A copy that cannot be made is
    a line on `errors` (standard error), and the others are still made."""
    chosen = sources or {}
    where = {r.path: chosen.get(r.path, Path(r.path)) for r in report.files}
    names = copy_names(folder, where)
    inputs = _Inputs(where.values())
    written: list[Path] = []
    for result in _copiable(report.files):  # a second pass: the files may be on disk
        job = _Job(where[result.path], result, lang, report.call.title)
        target = names[result.path]
        try:
            if target in inputs:
                raise Refused("the copy would overwrite one of the files checked")
            data = _isolated(job, timeout, max_memory)
            _save(target, data)
        except Exception as exc:  # any failure costs this copy only
            template = _FAILED[1] if lang == "en" else _FAILED[0]
            line = template.format(path=path_text(result.path), reason=reason(exc))
            print(line, file=errors or sys.stderr)
            continue
        written.append(target)
    return written


def _save(path: Path, data: bytes) -> None:
    atomic_write(path, lambda out: out.write(data))


def _copiable(files: Iterable[FileResult]) -> Iterator[FileResult]:
    """The files that may be loaded: readable, within the limits, checked to the end."""
    for result in files:
        if result.sha256 and not any(f.code in NOT_COPIED for f in result.findings):
            yield result


def _isolated(job: _Job, timeout: float, max_memory: int) -> bytes:
    """The copy's bytes, made in a child process under the memory and time limits."""
    context = process_context()
    receiver, sender = context.Pipe(duplex=False)
    load_prctl()  # before the fork, as for the batch's workers
    process = context.Process(
        target=_child, args=(sender, job, max_memory, os.getpid()), daemon=True
    )
    process.start()
    sender.close()
    watch = MemoryWatch(process.pid, max_memory)
    deadline = time.monotonic() + timeout
    try:
        while not receiver.poll(max(0.0, min(deadline - time.monotonic(), 0.5))):
            if time.monotonic() >= deadline:
                raise Refused(f"took longer than {timeout:g} s (--timeout)")
            if watch.stuck():
                raise Refused(over_memory(max_memory))
        try:
            ok, payload = receiver.recv()
        except EOFError:
            process.join(5)
            raise Refused(_ending(process.exitcode, max_memory)) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    if not ok:
        raise Refused(payload)
    data: bytes = payload
    return data


_NO_MEMORY = 86  # the child's exit code when it cannot even say that it ran out of memory


def _ending(code: int | None, max_memory: int) -> str:
    if code == _NO_MEMORY:
        return over_memory(max_memory)
    return f"the process making it {process_ending(code, max_memory)}"


def _child(conn: Connection, job: _Job, max_memory: int, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    end_with_parent(parent)  # a copy stuck at its memory limit would outlive a killed klynge
    faulthandler.disable()  # a native library's abort is this copy's failure, not a dump
    # What a library prints (openpyxl prints "0 is out of range") must not reach the report on
    # standard output or the user's terminal.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    sys.stdout = sys.stderr = open(quiet, "w")  # noqa: SIM115
    limit_memory(max_memory)
    # Out of memory anywhere (making the copy, naming a failure, sending the reply) is this
    # exit code, so the parent names the memory limit rather than "exit code 1".
    try:
        try:
            reply: tuple[bool, Any] = (
                True,
                annotated_copy(job.source, job.result, job.lang, job.call_title),
            )
        except MemoryError:
            reply = (False, over_memory(max_memory))
        except Exception as exc:
            reply = (False, reason(exc))
        gc.collect()  # openpyxl's cycles hold the memory that sending needs
        conn.send(reply)
    except MemoryError:
        os._exit(_NO_MEMORY)
    conn.close()
