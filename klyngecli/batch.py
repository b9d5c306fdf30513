"""Paths → isolated worker processes → results in path order → cross-file rules → one Report.

Every file is checked in a worker process under a memory limit (address space) and a time limit
(cli.md decided item 2). A worker that dies, for any reason (a native abort inside a reader, a
panic, the kernel's SIGKILL, the watchdog), costs only the file it held: that file gets KL011
naming the limit or KL900 naming the signal, a new worker takes the next file, and the batch
goes on. `-j 1` is one worker, so a single file is protected the same way.

Results stream into a spool file on disk and into the summary's counters, so the memory of a
batch does not grow with the number of files; reporters read the spool back in path order,
whatever order the workers finished in, so `-j 1` and `-j 8` give the same bytes.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import multiprocessing
import os
import pickle
import signal
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from klyngecli import __version__
from klyngecli.codes import KL011
from klyngecli.engine import KL900, Options, check_file, sort_key
from klyngecli.findings import Finding, number
from klyngecli.report import (
    CallInfo,
    FileResult,
    PoolUse,
    Report,
    SkippedPath,
    Tally,
    ToolInfo,
    verdict_of,
)
from klyngecli.rules.crossfile import Facts, cross_file_findings, unique

if TYPE_CHECKING:
    from klyngecli.cache import ResultCache

GIB = 1 << 30
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_MEMORY = 2 * GIB


@dataclass(frozen=True)
class Task:
    """One file for a worker: where it is, the name the report shows, extra codes to ignore."""

    path: Path
    label: str
    ignore: tuple[str, ...] = ()
    change: str | None = None  # the result's mark: "new", "changed", "unchanged" (cache.py)
    # False: checked for the cross-file rules (and, with summarise_unlisted, the summary) but
    # not listed in the report (an unchanged file under --changed).
    listed: bool = True


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs; it pickles with the check options it carries."""

    check: Options
    jobs: int = field(default_factory=lambda: default_jobs())
    timeout: float = DEFAULT_TIMEOUT  # seconds per file
    max_memory: int = DEFAULT_MAX_MEMORY  # bytes of address space per worker
    # What a worker runs on one file: the engine's check_file. A seam for the tests, which
    # make a worker abort, hang or exhaust its memory on purpose.
    checker: Checker = check_file


Progress = Callable[[int, int], None]  # (files done, files in all)
Checker = Callable[[Path, Options, str], FileResult]


# --- The worker process ------------------------------------------------------------------------


def address_limit(max_memory: int) -> int:
    """The address space a child gets: --max-memory, or this process's hard limit when lower."""
    try:
        import resource
    except ImportError:  # not on this platform (Windows): the watchdog still bounds time
        return max_memory
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    return max_memory if hard == resource.RLIM_INFINITY else min(max_memory, hard)


def limit_memory(max_memory: int) -> None:
    try:
        import resource
    except ImportError:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (address_limit(max_memory), hard))


# A process that stays this close to its memory limit this long is over it (decided item 69).
STUCK_MARGIN = 1 << 20  # less than one more allocation arena of Python's
STUCK_SECONDS = 2.0


class MemoryWatch:
    """Whether a child process is stuck at its address-space limit. Python 3.11 can loop
    forever when it runs out of memory while unwinding an exception (CPython gh-132508: the
    handler needs a new int object, which cannot be made, so the unwinding starts again): such
    a child would burn a core until the time limit, which would then be named instead of the
    memory. Sampled by the parent whenever it wakes (at least twice a second); Linux only."""

    def __init__(self, pid: int | None, max_memory: int) -> None:
        self.statm = f"/proc/{pid}/statm"
        self.floor = address_limit(max_memory) - STUCK_MARGIN
        self.since: float | None = None  # when the samples first found it at the limit

    def at_limit(self) -> bool:
        """One sample: the process is within STUCK_MARGIN of its limit now."""
        try:
            with open(self.statm, "rb") as statm:
                size = int(statm.read().split()[0]) * _PAGE
        except (OSError, ValueError, IndexError):  # gone, or no /proc here
            size = 0
        return size >= self.floor

    def stuck(self) -> bool:
        """The samples have found the process at its limit for STUCK_SECONDS."""
        if not self.at_limit():
            self.since = None
            return False
        now = time.monotonic()
        self.since = self.since if self.since is not None else now
        return now - self.since >= STUCK_SECONDS


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _over_memory(task: Task, max_memory: int) -> FileResult:
    return _lost(task, _memory_finding(max_memory))


def task_options(task: Task, options: Options) -> Options:
    """The check options of one file: the batch's, with its per-file ignores."""
    if not task.ignore:
        return options
    selection = options.selection
    return replace(options, selection=replace(selection, ignore=selection.ignore + task.ignore))


def _check_one(task: Task, batch: BatchOptions) -> FileResult:
    """One file's check in the worker; anything it raises becomes that file's finding."""
    max_memory = batch.max_memory
    try:
        return batch.checker(task.path, task_options(task, batch.check), task.label)
    except MemoryError:
        return _over_memory(task, max_memory)
    except BaseException as exc:  # a reader's panic derives from BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return _lost(task, _crash_finding(f"{type(exc).__name__}: {exc}"[:300]))


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """Ctrl-C waits until the block is done: a worker forked in it is then known to the parent,
    which stops it (a KeyboardInterrupt just after fork would leave it running, holding the
    terminal's pipes open)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: spawned workers end with the parent
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@functools.cache
def load_prctl() -> Callable[..., int] | None:
    """Linux's prctl(2), loaded in the parent before the first fork (ctypes takes milliseconds
    to import, which every worker would otherwise spend); None where there is none."""
    try:
        import ctypes

        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError, ImportError):
        return None
    return prctl


def end_with_parent(parent: int) -> None:
    """Linux: the kernel kills this worker when the parent (`parent`, its pid as the parent saw
    it before forking) dies, even by SIGKILL, so that no worker outlives a batch."""
    prctl = load_prctl()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # died before the request took effect
        os._exit(0)


PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>


def _work(conn: Connection, batch: BatchOptions, stderr: int, parent: int) -> None:
    """The worker's loop: receive a task, send its result, until told to stop (None)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    if hasattr(signal, "pthread_sigmask"):  # blocked by the parent while it forked
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    end_with_parent(parent)
    faulthandler.disable()  # a crash here is the file's finding, not a dump on the terminal
    # A native reader's last words (Rust: "memory allocation of N bytes failed") go to a file
    # the parent reads when the worker dies, never to the user's terminal.
    os.dup2(stderr, 2)
    limit_memory(batch.max_memory)
    max_memory = batch.max_memory
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        result = _check_one(task, batch)
        try:
            conn.send(result)
        except MemoryError:
            conn.send(_over_memory(task, max_memory))


# --- Findings for a file whose worker was lost ----------------------------------------------------


def _lost(task: Task, finding: Finding) -> FileResult:
    return FileResult(path=task.label, verdict=verdict_of([finding]), findings=[finding])


def _seconds(value: float) -> str:
    return f"{value:g}"


def _over_limit(da: str, en: str, option: str, limit: float) -> Finding:
    """KL011 for a file whose check went over one of the worker's limits (`option`)."""
    return KL011.finding(
        None,
        f"Kontrollen af filen {da} ({option}) og blev stoppet; intet andet i filen er kontrolleret",
        f"Checking the file {en} ({option}) and was stopped; nothing else of it was checked",
        found=option.removeprefix("--"),
        limit=limit,
    )


def _memory_finding(max_memory: int) -> Finding:
    mib = Decimal(max_memory >> 20)
    return _over_limit(
        f"brugte mere hukommelse end grænsen på {number(mib, 'da')} MiB",
        f"used more memory than the limit of {number(mib, 'en')} MiB",
        "--max-memory",
        max_memory,
    )


def _time_finding(timeout: float) -> Finding:
    return _over_limit(
        f"tog længere end grænsen på {_seconds(timeout)} s",
        f"took longer than the limit of {_seconds(timeout)} s",
        "--timeout",
        timeout,
    )


def _crash_finding(what: str) -> Finding:
    return KL900.finding(
        None,
        f"Kontrolprogrammet fejlede på denne fil ({what}); filens kontroller mangler, så "
        "kontrollér den manuelt",
        f"The checker itself failed on this file ({what}); its checks are missing, so check it "
        "by hand",
        found=what,
    )


def _death_finding(exitcode: int | None, max_memory: int, last_words: str) -> Finding:
    if "memory allocation of" in last_words or "MemoryError" in last_words:
        return _memory_finding(max_memory)
    return _crash_finding(f"the worker process {process_ending(exitcode, max_memory)}")


def over_memory(max_memory: int) -> str:
    return f"over the memory limit of {max_memory >> 20} MiB (--max-memory)"


def process_ending(exitcode: int | None, max_memory: int) -> str:
    """How a child process under the limits ended, for a message: `was ended by SIGKILL`,
    `exited with code 3`."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        # A native library (calamine, lxml, zlib) that cannot allocate under the limit aborts.
        hint = f", possibly {over_memory(max_memory)}" if name == "SIGABRT" else ""
        return f"was ended by {name}{hint}"
    return f"exited with code {exitcode}"


# --- The pool ------------------------------------------------------------------------------------


# Tasks a worker holds: the file it checks and the next one, already in its pipe, so that it
# goes on without waiting for the parent to be scheduled (on a busy machine, a wait of
# milliseconds for each file). A task is started when the one before it is done.
PREFETCH = 2

# Workers that end, one after another, before they take a file: the machine cannot run them
# (a process limit, a memory limit too small to start Python), and the batch stops with exit 2
# rather than forking forever.
MAX_STILLBORN = 3


class _Worker:
    """One worker process and the tasks it holds, in order; it checks the first."""

    def __init__(self, context: Any, options: BatchOptions) -> None:
        load_prctl()  # loaded once, before the fork
        self.conn, child = multiprocessing.Pipe(duplex=True)
        self.stderr: IO[bytes] = tempfile.TemporaryFile(prefix="klynge-worker-")  # noqa: SIM115
        self.process: BaseProcess = context.Process(
            target=_work, args=(child, options, self.stderr.fileno(), os.getpid()), daemon=True
        )
        self.process.start()
        child.close()
        self.watch = MemoryWatch(self.process.pid, options.max_memory)
        self.tasks: deque[tuple[int, Task]] = deque()
        self.started = 0.0  # when the first task was started
        self.served = 0  # results sent

    def give(self, index: int, task: Task) -> bool:
        """Send the worker a task; False when it is gone (its pipe is closed) and took none."""
        try:
            self.conn.send(task)
        except OSError:  # BrokenPipeError: it died with the task it held
            return False
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append((index, task))
        return True

    def done(self) -> tuple[int, Task]:
        """The first task's result came: the worker has started the next one."""
        self.started = time.monotonic()
        self.served += 1
        return self.tasks.popleft()

    def last_words(self) -> str:
        """The end of what the worker wrote to standard error."""
        self.stderr.seek(0, os.SEEK_END)
        self.stderr.seek(max(0, self.stderr.tell() - (64 << 10)))  # a backtrace follows the words
        return self.stderr.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()
        self.stderr.close()


def process_context() -> Any:
    # fork: the worker starts with everything imported, in about a millisecond; the parent has
    # no threads (the progress bar is refreshed from the main loop), so forking is safe.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


class Spool(Sequence[FileResult]):
    """The results of a batch on disk, read back in path order with their cross-file findings.
    A sequence, so that a reporter can iterate it (more than once) and take its length."""

    def __init__(self, size: int) -> None:
        # Closed by close(); a TemporaryFile has no name to leave behind even if it is not.
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="klynge-")  # noqa: SIM115
        self.where: list[tuple[int, int] | None] = [None] * size
        self.extra: dict[int, list[Finding]] = {}
        self.unlisted: set[int] = set()  # kept for the cross-file rules, not listed

    def put(self, index: int, result: FileResult) -> None:
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        self.file.seek(0, os.SEEK_END)
        self.where[index] = (self.file.tell(), len(data))
        self.file.write(data)

    def _get(self, index: int) -> FileResult:
        offset, length = self.where[index] or (0, 0)
        self.file.seek(offset)
        result: FileResult = pickle.loads(self.file.read(length))
        extra = self.extra.get(index)
        if not extra:
            return result
        findings = sorted([*result.findings, *extra], key=sort_key(()))
        return result.model_copy(update={"findings": findings, "verdict": verdict_of(findings)})

    def _done(self) -> list[int]:
        return [i for i, w in enumerate(self.where) if w is not None and i not in self.unlisted]

    def __len__(self) -> int:
        return len(self._done())

    def __iter__(self) -> Iterator[FileResult]:
        for index in self._done():
            yield self._get(index)

    def __getitem__(self, position: int) -> FileResult:  # type: ignore[override]
        return self._get(self._done()[position])

    def close(self) -> None:
        self.file.close()


class Interrupted(Exception):
    """Ctrl-C during a batch; `report` holds the files checked until then."""

    def __init__(self, report: Report) -> None:
        super().__init__("interrupted")
        self.report = report


def _pools(facts: Sequence[Facts], options: Options) -> list[PoolUse]:
    """The batch's DEB request per grant type against its pool; a duplicate counts once."""
    uses: list[PoolUse] = []
    for grant, params in options.call.grants.items():
        requests = [
            f.deb_request for f in unique(facts) if f.grant == grant and f.deb_request is not None
        ]
        if requests:
            uses.append(
                PoolUse(
                    grant=grant.value,
                    files=len(requests),
                    requested=sum(requests, Decimal(0)),
                    pool=params.pool,
                )
            )
    return uses


def run_batch(
    tasks: Sequence[Task],
    options: BatchOptions,
    *,
    lang: str = "da",
    fail_on: str = "error",
    skipped: Sequence[SkippedPath] = (),
    progress: Progress | None = None,
    cache: ResultCache | None = None,
    summarise_unlisted: bool = False,
    cross_file: bool = True,
) -> Report:
    """Check every task in worker processes; the Report's files are a Spool to close after use.
    A file whose result is in `cache` never reaches a worker; a worker's result is stored in
    it. Unlisted tasks count in the summary only with `summarise_unlisted`. `cross_file=False`
    leaves out KL204 (`klynge watch` shows each workbook on its own).
    Ctrl-C stops the workers and raises Interrupted with the partial report."""
    ordered = sorted(range(len(tasks)), key=lambda i: tasks[i].label)
    tasks = [tasks[i] for i in ordered]
    spool = Spool(len(tasks))
    tally = Tally()
    facts: list[Facts] = []
    interrupted = False
    counted = [task.listed or summarise_unlisted for task in tasks]
    try:
        _schedule(tasks, options, spool, tally, facts, progress, cache, counted)
    except KeyboardInterrupt:
        interrupted = True
    extra = cross_file_findings(facts, options.check.call) if cross_file and not interrupted else {}
    for index, found in extra.items():
        # --select/--ignore and the file's per-file ignores apply to KL204 as to any rule.
        wants = task_options(tasks[index], options.check).selection.wants
        findings = [f for f in found if wants(f.code)]
        if not findings:
            continue
        before = spool._get(index)
        spool.extra[index] = findings
        if counted[index]:
            tally.amend(before, spool._get(index))
    marks = Counter(task.change for task in tasks)
    report = Report(
        tool=ToolInfo(version=__version__),
        call=CallInfo(
            id=options.check.call.id,
            title=options.check.call.title(lang),
            deadline=options.check.call.deadline_at.isoformat(),
        ),
        lang=lang,
        fail_on=fail_on,
        files=spool,
        spec=options.check.call,
        summary=tally.summary(skipped, _pools(facts, options.check), interrupted).model_copy(
            update={mark: marks[mark] for mark in ("new", "changed", "unchanged")}
        ),
    )
    if interrupted:
        raise Interrupted(report)
    return report


def _schedule(
    tasks: Sequence[Task],
    options: BatchOptions,
    spool: Spool,
    tally: Tally,
    facts: list[Facts],
    progress: Progress | None,
    cache: ResultCache | None = None,
    counted: Sequence[bool] = (),
) -> None:
    """Serve what the cache holds, feed the other tasks to at most `jobs` workers, collect
    results, replace lost workers."""
    context = process_context()
    queue: deque[tuple[int, Task]] = deque()
    workers: list[_Worker] = []
    done = 0
    stillborn = 0  # workers in a row that ended before their first result

    def record(index: int, result: FileResult) -> None:
        nonlocal done
        task = tasks[index]
        # A cached result was stored under another name, perhaps: the report shows this one.
        result = result.model_copy(update={"path": task.label, "change": task.change})
        spool.put(index, result)
        if not task.listed:
            spool.unlisted.add(index)
        if not counted or counted[index]:
            tally.add(result)
        facts.append(Facts.of(index, result))
        done += 1
        if progress is not None:
            progress(done, len(tasks))

    for index, task in enumerate(tasks):
        hit = cache.get(task.path, task_options(task, options.check)) if cache else None
        if hit is None:
            queue.append((index, task))
        else:
            record(index, hit)

    def feed(worker: _Worker, depth: int = PREFETCH) -> None:
        while queue and len(worker.tasks) < depth:
            if not worker.give(*queue[0]):
                return  # it is dead: the loop below finds out and replaces it
            queue.popleft()

    def wanted() -> int:
        """Workers worth having: no more than -j, nor than the files left to check (a worker
        forked for nothing costs a one-file check a fifth of its time)."""
        return min(max(1, options.jobs), len(queue) + sum(len(w.tasks) for w in workers))

    def lose(worker: _Worker, finding: Finding) -> None:
        """The worker is gone with its first task, which gets `finding`; the tasks it had not
        started go to another worker."""
        worker.stop()
        workers.remove(worker)
        (index, task), *unstarted = worker.tasks
        queue.extendleft(reversed(unstarted))
        record(index, _lost(task, finding))

    def retire(worker: _Worker) -> None:
        """A worker that ended a file at its memory limit is replaced: the next file gets the
        whole limit, and a worker stuck there is known to be stuck on its own file (decided
        item 69). The file it had started goes to the new worker."""
        worker.stop()
        workers.remove(worker)
        queue.extendleft(reversed(worker.tasks))

    try:
        while queue or any(w.tasks for w in workers):
            for idle in [w for w in workers if not w.tasks and not w.process.is_alive()]:
                idle.stop()  # died between two tasks, or before its first
                workers.remove(idle)
                stillborn += 0 if idle.served else 1
                if stillborn > MAX_STILLBORN:
                    raise RuntimeError("worker processes end before they take a file")
            while queue and len(workers) < wanted():
                with _uninterrupted():
                    workers.append(_Worker(context, options))
            # One task each first, so that two files on -j 2 go to two workers.
            for depth in range(1, PREFETCH + 1):
                for worker in workers:
                    feed(worker, depth)
            busy = [w for w in workers if w.tasks]
            if not busy:  # every worker died before it took a task: replaced above
                wait([w.process.sentinel for w in workers], timeout=0.05)
                continue
            deadline = min(w.started for w in busy) + options.timeout
            wait(
                [w.conn for w in busy] + [w.process.sentinel for w in busy],
                timeout=max(0.0, min(deadline - time.monotonic(), 0.5)),
            )
            for worker in busy:
                full = False
                while worker.tasks and (finished := _receive(worker)) is not None:
                    index, task = worker.done()
                    stillborn = 0
                    full = worker.watch.at_limit()
                    if not full:
                        feed(worker)  # before storing this one: the worker never waits for it
                    if cache is not None:
                        cache.put(task.path, task_options(task, options.check), finished)
                    record(index, finished)
                    if full:
                        break
                if full:
                    retire(worker)
                elif not worker.tasks:
                    continue
                elif not worker.process.is_alive():
                    words = worker.last_words()
                    death = _death_finding(worker.process.exitcode, options.max_memory, words)
                    lose(worker, death)
                elif worker.watch.stuck():
                    lose(worker, _memory_finding(options.max_memory))
                elif time.monotonic() - worker.started > options.timeout:
                    lose(worker, _time_finding(options.timeout))
    finally:
        for worker in workers:
            if not worker.tasks and worker.process.is_alive():
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
        for worker in workers:
            worker.process.join(timeout=0.05 if not worker.tasks else 0)
            worker.stop()


def _receive(worker: _Worker) -> FileResult | None:
    """The worker's result when it has sent one; None while it works or when it died."""
    try:
        if worker.conn.poll():
            result: FileResult = worker.conn.recv()
            return result
    except (EOFError, OSError, pickle.UnpicklingError):
        return None
    return None


def default_jobs() -> int:
    """The default of -j: the CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
