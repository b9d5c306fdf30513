"""The command line: parse options, call the engine, pick a reporter, write, exit. Thin.

Annotations here are objects, not strings (no `from __future__ import annotations`): typer reads
every command's annotations on each run, and a string annotation is compiled anew each time
(about 10 ms of every `klynge` run, measured: 12.5 ms against 2.7 ms)."""

import contextlib
import io
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, NoReturn

import typer

from klyngecli import __version__
from klyngecli.__main__ import INTERRUPTED
from klyngecli.batch import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    BatchOptions,
    Interrupted,
    Spool,
    Task,
    default_jobs,
    run_batch,
)
from klyngecli.callspec import DEFAULT_CALL, Call, CallError, builtin_calls, load_call
from klyngecli.config import Config, ConfigError, find_config, load_config, parse_size
from klyngecli.engine import Options, Selection
from klyngecli.explain import catalogue, describe_call, describe_rule, rule_table
from klyngecli.findings import Severity
from klyngecli.helptext import LocalisedGroup
from klyngecli.model import GrantType
from klyngecli.paths import UNREADABLE_SKIPS, PathError, select_files
from klyngecli.reader.cells import parse_datetime
from klyngecli.report import Report, SkippedPath
from klyngecli.reporters import FORMATS, Style, reporter
from klyngecli.safetext import path_text, shown
from klyngecli.writer.atomic import atomic_write

if TYPE_CHECKING:
    from klyngecli.cache import ResultCache

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    # --help follows --lang/KLYNGE_LANG: the Danish texts are in helptext.py.
    cls=LocalisedGroup,
    help="Checks budget workbooks for the Danish cluster programme 2025-2028.",
)

USAGE_ERROR = 2


class Lang(StrEnum):
    da = "da"
    en = "en"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


# The options `check` and `watch` share, declared once.
CallOption = Annotated[str | None, typer.Option("--call", help="Call id or rules file (TOML).")]
LangOption = Annotated[Lang | None, typer.Option("--lang", help="da or en (KLYNGE_LANG).")]
SelectOption = Annotated[
    str | None, typer.Option("--select", help="Codes or prefixes to run (KL4,KL501).")
]
IgnoreOption = Annotated[
    str | None, typer.Option("--ignore", help="Codes or prefixes to leave out.")
]


def fail(lang: str, da: str, en: str) -> NoReturn:
    """A usage error: a plain sentence on standard error in the user's language, exit code 2."""
    # A message may quote a path or a file's text: escaped line by line (decided item 4).
    text = "\n".join(shown(line) for line in (en if lang == "en" else da).split("\n"))
    typer.echo(f"klynge: {text}", err=True)
    raise typer.Exit(USAGE_ERROR)


def _lang(value: Lang | None) -> str:
    if value is not None:
        return value.value
    env = os.environ.get("KLYNGE_LANG", "da").strip().lower() or "da"
    if env not in ("da", "en"):
        message = f"KLYNGE_LANG skal være 'da' eller 'en' (must be 'da' or 'en'), ikke {env!r}"
        fail("da", message, message)
    return env


def _call(id_or_path: str, lang: str) -> Call:
    try:
        return load_call(id_or_path)
    except CallError as exc:
        fail(lang, f"opslagets regelfil kan ikke bruges: {shown(str(exc))}", shown(str(exc)))


def _codes(value: str | None, lang: str) -> tuple[str, ...]:
    if not value:
        return ()
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    for code in codes:
        if not code.startswith("KL") or not any(known.startswith(code) for known in catalogue()):
            fail(
                lang,
                f"ukendt regelkode eller præfiks {code!r} (se `klynge rules`)",
                f"unknown rule code or prefix {code!r} (see `klynge rules`)",
            )
    return codes


def _selection(select: str | None, ignore: str | None, config: Config, lang: str) -> Selection:
    """--select/--ignore, else the configuration's, else every rule."""
    return Selection(
        select=_codes(select, lang) or _codes(",".join(config.select or ()), lang) or ("KL",),
        ignore=_codes(ignore, lang) or _codes(",".join(config.ignore or ()), lang),
    )


def _submitted(value: str | None, call: Call, now: datetime, lang: str) -> datetime | None:
    if value is None:
        return None
    if value.strip().lower() == "now":
        return now
    moment = parse_datetime(value, call.zone)
    if moment is None:
        fail(
            lang,
            f"--submitted-at: {value!r} kan ikke læses; brug et ISO-tidspunkt eller 'now'",
            f"--submitted-at: cannot read {value!r}; use an ISO date-time or 'now'",
        )
    return moment


def _version(value: bool) -> None:
    if value:
        typer.echo(f"klynge {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """klynge: checks grant application budget workbooks against the call's rules."""


def _style(lang: str, to_file: bool, quiet: bool, verbose: bool, statistics: bool) -> Style:
    # no-color.org: NO_COLOR counts when present and not empty; FORCE_COLOR asks for colour
    # in a pipe. A report written to a file (-o) never has colour.
    no_color = bool(os.environ.get("NO_COLOR"))
    to_terminal = not to_file and sys.stdout.isatty()
    color = not no_color and not to_file and (to_terminal or bool(os.environ.get("FORCE_COLOR")))
    width = shutil.get_terminal_size((100, 24)).columns if to_terminal else 100
    return Style(
        lang=lang,
        color=color,
        width=width,
        quiet=quiet,
        verbose=verbose,
        statistics=statistics,
    )


def _format(value: str | None, lang: str) -> str:
    name = (value or "text").strip().lower()
    if name not in FORMATS:
        known = ", ".join(FORMATS)
        fail(
            lang,
            f"ukendt format {value!r} (kendte: {known})",
            f"unknown format {value!r} ({known})",
        )
    return name


def _size(value: str, lang: str) -> int:
    try:
        return parse_size(value)
    except ValueError:
        fail(
            lang,
            f"--max-memory: {value!r} kan ikke læses; skriv fx 2GiB eller 512MiB",
            f"--max-memory: cannot read {value!r}; write e.g. 2GiB or 512MiB",
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _config(lang: str) -> tuple[Config, Path]:
    """The klynge.toml or [tool.klynge] found from the current folder upward (or none), and
    the folder its per-file-ignores globs are relative to."""
    try:
        found = find_config(Path.cwd())
        if found is None:
            return Config(), Path.cwd()
        return load_config(found, known_codes=catalogue()), found.parent
    except ConfigError as exc:
        fail(lang, exc.message("da"), exc.message("en"))


class _ProgressBar:
    """A rich progress bar on standard error, refreshed from the batch's loop (no thread, so
    the workers can be forked safely)."""

    def __init__(self, total: int, lang: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("Kontrollerer" if lang == "da" else "Checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            auto_refresh=False,
            transient=True,
        )
        self.started = time.monotonic()
        self.task = self.progress.add_task("", total=total, rate="")
        self.progress.start()

    def __call__(self, done: int, total: int) -> None:
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.progress.update(self.task, completed=done, rate=f"{rate:.1f}/s")
        self.progress.refresh()

    def stop(self) -> None:
        self.progress.stop()


def _write(report: Report, fmt: str, style: Style, output: str | None, lang: str) -> None:
    """Render the report to standard output, or atomically to -o FILE. Machine formats are
    always UTF-8; the text report adapts to what standard output can encode."""
    render = reporter(fmt)
    if output is None or output == "-":
        if fmt == "text":
            render(report, style, sys.stdout)
            sys.stdout.flush()
            return
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
        render(report, style, stream)
        stream.flush()
        stream.detach()
        return

    def fill(binary: IO[bytes]) -> None:
        stream = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
        render(report, style, stream)
        stream.flush()
        stream.detach()

    try:
        atomic_write(Path(output), fill)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        fail(
            lang,
            f"kan ikke skrive {path_text(output)}: {shown(reason)}",
            f"cannot write {path_text(output)}: {shown(reason)}",
        )


def _prepare_annotation(folder: Path, sources: dict[str, Path], lang: str) -> None:
    """--annotate DIR: created before the check; a DIR where a copy would replace an input is
    a usage error."""
    from klyngecli.writer.annotate import AnnotateError, prepare

    try:
        prepare(folder, sources)
    except AnnotateError as exc:
        fail(lang, exc.da, exc.en)


def _annotate(
    report: Report, folder: Path, sources: dict[str, Path], batch: BatchOptions, lang: str
) -> None:
    """The annotated copies, after the report; a copy that fails is a line on standard error
    and does not change the exit code."""
    from klyngecli.writer.annotate import annotate

    annotate(
        report,
        folder,
        lang,
        sources=sources,
        timeout=batch.timeout,
        max_memory=batch.max_memory,
    )


def _stdin_workbook(folder: Path, limit: int) -> Path:
    """Standard input saved as a file for the workers (at most `limit` + 1 bytes: more is
    KL011 by its size, without reading on)."""
    path = folder / "stdin"
    with path.open("wb") as out:
        out.write(sys.stdin.buffer.read(limit + 1))
    return path


@app.command()
def check(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders or globs to check; - is standard input.")
    ],
    call_id: CallOption = None,
    submitted_at: Annotated[
        str | None,
        typer.Option("--submitted-at", help="Submission time (ISO date-time) or 'now'."),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="Report format: " + ", ".join(FORMATS) + ".")
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", help="Write the report to FILE (- is standard output)."),
    ] = None,
    lang: LangOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    fail_on: Annotated[
        FailOn | None, typer.Option("--fail-on", help="Findings that make the exit code 1.")
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("-j", "--jobs", min=1, help="Files checked in parallel (default: CPUs)."),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0.1, help="Seconds per file (default 60).")
    ] = None,
    max_memory: Annotated[
        str | None, typer.Option("--max-memory", help="Memory per file, e.g. 2GiB (default).")
    ] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither use nor store cached results.")
    ] = False,
    cache_dir: Annotated[
        str | None,
        typer.Option(
            "--cache-dir",
            metavar="DIR",
            help="The result cache's folder (default: the user's cache folder; KLYNGE_CACHE_DIR).",
        ),
    ] = None,
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="Report only files new or changed since the previous run over the same folder "
            "(-v: the summary counts every file).",
        ),
    ] = False,
    annotate_dir: Annotated[
        str | None,
        typer.Option(
            "--annotate",
            metavar="DIR",
            help="Also write an annotated copy NAME.kontrol.xlsx of each file into DIR.",
        ),
    ] = None,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="A count of findings per code.")
    ] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Only the summary.")] = False,
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Also the passed checks.")
    ] = False,
) -> None:
    """Check budget workbooks; exit 0 when none has a finding at or above --fail-on."""
    language = _lang(lang)
    config, config_root = _config(language)
    language = (
        _lang(lang)
        if lang is not None or "KLYNGE_LANG" in os.environ
        else (config.lang or language)
    )
    call = _call(call_id or config.call or DEFAULT_CALL, language)
    now = datetime.now(call.zone)
    fmt_name = _format(fmt or config.format, language)
    failing = FailOn(fail_on.value if fail_on else (config.fail_on or "error"))
    selection = _selection(select, ignore, config, language)
    if timeout is not None and not math.isfinite(timeout):  # nan passes `min`, and ends no file
        fail(
            language,
            f"--timeout skal være et antal sekunder, ikke {timeout}",
            f"--timeout must be a number of seconds, not {timeout}",
        )
    if any(not p.strip() for p in paths):
        fail(
            language,
            "en tom sti er ikke en fil eller mappe",
            "an empty path names no file or folder",
        )
    # cli.md decided item 7 for the paths an option names too: never the current folder.
    given = (("-o", output), ("--annotate", annotate_dir), ("--cache-dir", cache_dir))
    for option, value in given:
        if value is not None and not value.strip():
            fail(language, f"{option}: en tom sti er ingen sti", f"{option}: an empty path")
    annotate_folder = None if annotate_dir is None else Path(annotate_dir)
    cache_folder = None if cache_dir is None else Path(cache_dir)
    options = Options(
        call=call,
        now=now,
        submitted_at=_submitted(submitted_at, call, now, language),
        selection=selection,
        limits=config.screen_limits(),
    )
    batch_options = BatchOptions(
        check=options,
        jobs=jobs or config.jobs or default_jobs(),
        timeout=timeout or config.timeout or DEFAULT_TIMEOUT,
        max_memory=_size(max_memory, language)
        if max_memory
        else (config.max_memory or DEFAULT_MAX_MEMORY),
    )
    with _interruptible(language), tempfile.TemporaryDirectory(prefix="klynge-") as scratch:
        tasks, skipped = _tasks(paths, config, config_root, Path(scratch), options, language)
        cache = _cache(no_cache, cache_folder, changed, language)
        tasks = _marked(tasks, paths, cache, changed, options)
        if output not in (None, "-"):
            for task in tasks:
                if _same_file(Path(output), task.path):
                    fail(
                        language,
                        f"-o {path_text(output)} er en af de filer, der kontrolleres; "
                        "vælg et andet navn",
                        f"-o {path_text(output)} is one of the files being checked; "
                        "choose another name",
                    )
        sources = {task.label: task.path for task in tasks}
        if annotate_folder is not None:
            _prepare_annotation(annotate_folder, sources, language)
        style = _style(language, output not in (None, "-"), quiet, verbose, statistics)
        show_progress = len(tasks) > 1 and not no_progress and not quiet and sys.stderr.isatty()
        bar = _ProgressBar(len(tasks), language) if show_progress else None
        try:
            report = run_batch(
                tasks,
                batch_options,
                lang=language,
                fail_on=failing.value,
                skipped=skipped,
                progress=bar,
                cache=cache,
                summarise_unlisted=verbose,
            )
        except Interrupted as stop:
            _close_cache(cache, remember=False)
            if bar is not None:
                bar.stop()
            _interrupted(stop.report, language)
            raise typer.Exit(INTERRUPTED) from None
        _close_cache(cache, remember=True)
        if bar is not None:
            bar.stop()
        try:
            _write(report, fmt_name, style, output, language)
            if annotate_folder is not None:
                _annotate(report, annotate_folder, sources, batch_options, language)
        finally:
            report.files.close() if isinstance(report.files, Spool) else None
    raise typer.Exit(exit_code(report, failing))


def _cache(no_cache: bool, folder: Path | None, changed: bool, lang: str) -> "ResultCache | None":
    """The result cache of this run, or None with --no-cache."""
    if no_cache:
        if changed:
            fail(
                lang,
                "--changed sammenligner med cachens hukommelse om forrige kørsel og kan ikke "
                "bruges med --no-cache",
                "--changed compares with the cache's memory of the previous run and cannot be "
                "used with --no-cache",
            )
        return None
    from klyngecli.cache import ResultCache, default_dir

    return ResultCache(folder or default_dir(), lang)


def _marked(
    tasks: list[Task],
    paths: list[str],
    cache: "ResultCache | None",
    changed: bool,
    options: Options,
) -> list[Task]:
    """Each file marked new, changed or unchanged since the previous run over its folder
    argument; with --changed an unchanged file is checked (from the cache, as a rule) for the
    rules across files and the -v summary, but not listed."""
    if cache is None:
        return tasks
    limit = options.limits.max_file_bytes
    marks = cache.changes(paths, [task.path for task in tasks], limit)
    return [
        replace(
            task,
            change=marks.get(task.path),
            listed=not changed or marks.get(task.path) != "unchanged",
        )
        for task in tasks
    ]


def _close_cache(cache: "ResultCache | None", remember: bool) -> None:
    """Store what is pending; a completed run becomes the previous run for --changed."""
    if cache is not None:
        if remember:
            cache.remember()
        cache.close()


@contextlib.contextmanager
def _interruptible(lang: str) -> Iterator[None]:
    """Ctrl-C while files are listed or the report is written: exit 130 with one line. (Left
    to typer, it would be "Aborted!" and exit 1.)"""
    try:
        yield
    except KeyboardInterrupt:
        typer.echo("klynge: interrupted" if lang == "en" else "klynge: afbrudt", err=True)
        raise typer.Exit(INTERRUPTED) from None


def _interrupted(report: Report, lang: str) -> None:
    """Ctrl-C: the partial summary on standard error, and no output file."""
    from klyngecli.reporters.text import render as render_text

    style = Style(lang=lang, quiet=True, color=False)
    render_text(report, style, sys.stderr)
    if isinstance(report.files, Spool):
        report.files.close()


def _tasks(
    paths: list[str], config: Config, root: Path, scratch: Path, options: Options, lang: str
) -> tuple[list[Task], list[SkippedPath]]:
    """The files to check (standard input saved to `scratch`) and the paths skipped."""
    named = [p for p in paths if p != "-"]
    tasks: list[Task] = []
    if len(named) < len(paths):
        stdin = _stdin_workbook(scratch, options.limits.max_file_bytes)
        tasks.append(Task(stdin, "-"))
    try:
        selected = select_files(named) if named else None
    except PathError as exc:
        missing = shown(str(exc))
        fail(
            lang, f"filen eller mappen findes ikke: {missing}", f"no such file or folder: {missing}"
        )
    skipped = [
        SkippedPath(path=str(p), reason=reason)
        for p, reason in (selected.skipped if selected else [])
    ]
    for path in selected.files if selected else []:
        ignored = config.ignored_for(path, root)
        # The report keeps the real name; every human format escapes it when it shows it.
        tasks.append(Task(path, str(path), ignored))
    if not tasks:
        detail = "; ".join(f"{path_text(s.path)}: {s.reason}" for s in skipped)
        fail(
            lang,
            "ingen regneark fundet (søgte efter .xlsx-, .xlsm-, .xls-, .xlsb- og .ods-filer)"
            + (f" ({detail})" if detail else ""),
            "no workbook found (looked for .xlsx, .xlsm, .xls, .xlsb and .ods files)"
            + (f" ({detail})" if detail else ""),
        )
    return tasks, skipped


def exit_code(report: Report, fail_on: FailOn) -> int:
    """1 when any finding is at or above --fail-on, or a skipped path may hide an application
    (a broken link, a link loop, not a regular file); the one place that decides."""
    if fail_on is FailOn.never:
        return 0
    if any(s.reason in UNREADABLE_SKIPS for s in report.summary.skipped_paths):
        return 1
    threshold = Severity(fail_on.value).rank
    summary = report.summary
    counts = {"error": summary.errors, "warning": summary.warnings, "info": summary.infos}
    failing = any(n and Severity(name).rank >= threshold for name, n in counts.items())
    return 1 if failing else 0


@app.command()
def watch(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks or folders to watch.")],
    call_id: CallOption = None,
    submitted_at: Annotated[
        str,
        typer.Option("--submitted-at", help="Submission time (ISO date-time) or 'now' (default)."),
    ] = "now",
    lang: LangOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
) -> None:
    """Check workbooks, then again each time one is saved, showing what the save changed;
    Ctrl-C stops (exit 0)."""
    from klyngecli.watch import Watch

    language = _lang(lang)
    config, config_root = _config(language)
    if lang is None and "KLYNGE_LANG" not in os.environ:
        language = config.lang or language
    call = _call(call_id or config.call or DEFAULT_CALL, language)
    selection = _selection(select, ignore, config, language)
    _submitted(submitted_at, call, datetime.now(call.zone), language)  # a usage error now
    for path in paths:
        if not path.is_dir() and not path.is_file():
            fail(
                language,
                f"filen eller mappen findes ikke: {path_text(path)}",
                f"no such file or folder: {path_text(path)}",
            )

    def options() -> BatchOptions:
        """Fresh for each check: 'now' is the moment of the check, not of the start."""
        now = datetime.now(call.zone)
        check = Options(
            call=call,
            now=now,
            submitted_at=_submitted(submitted_at, call, now, language),
            selection=selection,
            limits=config.screen_limits(),
        )
        return BatchOptions(
            check=check,
            jobs=config.jobs or default_jobs(),
            timeout=config.timeout or DEFAULT_TIMEOUT,
            max_memory=config.max_memory or DEFAULT_MAX_MEMORY,
        )

    def task(path: Path) -> Task:
        return Task(path, path_text(path), config.ignored_for(path, config_root))

    style = _style(language, False, False, False, False)
    watcher = Watch(paths, options, task, style, sys.stdout, clear=sys.stdout.isatty())
    raise typer.Exit(watcher.run())


@app.command()
def template(
    out: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
    grant: Annotated[GrantType, typer.Option("--grant", help="innovation or basis.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    call_id: Annotated[str, typer.Option("--call", help="Call id or rules file.")] = DEFAULT_CALL,
    lang: Annotated[
        Lang | None,
        typer.Option(
            "--lang", help="da or en: the instructions' language (sheets and labels stay Danish)."
        ),
    ] = None,
) -> None:
    """Write an empty budget workbook in format 1, with drop-down lists."""
    from klyngecli.writer.template import write_template

    language = _lang(lang)
    call = _call(call_id, language)
    if out.exists() and not force:
        fail(
            language,
            f"{path_text(out)} findes allerede; brug --force for at overskrive den",
            f"{path_text(out)} exists; use --force to overwrite it",
        )
    if out.suffix.lower() != ".xlsx":
        fail(
            language,
            f"{path_text(out)}: skabelonen er en .xlsx-fil; kald den NAVN.xlsx",
            f"{path_text(out)}: the template is an .xlsx workbook; name it NAME.xlsx",
        )
    if not out.parent.is_dir():
        folder = path_text(out.parent)
        fail(language, f"mappen findes ikke: {folder}", f"no such folder: {folder}")
    try:
        write_template(out, grant, call, language)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = path_text(out)
        fail(language, f"kan ikke skrive {where}: {reason}", f"cannot write {where}: {reason}")
    typer.echo(f"Skabelon skrevet: {out}" if language == "da" else f"Template written: {out}")


@app.command("rules")
def rules_command(
    lang: Annotated[Lang | None, typer.Option("--lang", help="da or en.")] = None,
) -> None:
    """List every rule: code, severity, title."""
    sys.stdout.write(rule_table(_lang(lang)))


@app.command()
def explain(
    code: Annotated[str, typer.Argument(help="A rule code, e.g. KL401.")],
    lang: Annotated[Lang | None, typer.Option("--lang", help="da or en.")] = None,
    call_id: Annotated[str, typer.Option("--call", help="Call id or rules file.")] = DEFAULT_CALL,
) -> None:
    """One rule in full: what, why, the active call's parameters, how to fix."""
    language = _lang(lang)
    text = describe_rule(code.strip().upper(), _call(call_id, language), language)
    if text is None:
        fail(
            language,
            f"ukendt regelkode {code!r} (se `klynge rules`)",
            f"unknown rule code {code!r} (see `klynge rules`)",
        )
    sys.stdout.write(text)


@app.command()
def calls(
    lang: Annotated[Lang | None, typer.Option("--lang", help="da or en.")] = None,
) -> None:
    """List the built-in calls with their key dates and caps."""
    language = _lang(lang)
    sys.stdout.write("".join(describe_call(load_call(c), language) for c in builtin_calls()))


def main() -> None:
    """The console script's body (Ctrl-C is __main__'s). A failure of klynge itself, outside any
    one file's check (which is that file's KL900), is exit code 2 with one plain line (cli.md
    decided item 1)."""
    try:
        app(prog_name="klynge")
    except Exception as exc:
        reason = shown(f"{type(exc).__name__}: {exc}")
        print(f"klynge: intern fejl / internal error: {reason}", file=sys.stderr)
        sys.exit(USAGE_ERROR)
