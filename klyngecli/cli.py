"""The command line: parse options, call the engine, pick a reporter, write, exit. Thin."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from klyngecli import __version__
from klyngecli.callspec import DEFAULT_CALL, Call, CallError, builtin_calls, load_call
from klyngecli.engine import Options, Selection, check_file
from klyngecli.explain import catalogue, describe_call, describe_rule, rule_table
from klyngecli.findings import Severity
from klyngecli.model import GrantType
from klyngecli.paths import PathError, select_files
from klyngecli.reader.cells import parse_datetime
from klyngecli.report import CallInfo, Report, ToolInfo, summarise
from klyngecli.reporters import Style, reporters
from klyngecli.writer.atomic import atomic_write_text

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Kontrollerer budgetark til Det danske klyngeprogram 2025-2028 / Checks budget "
    "workbooks for the Danish cluster programme 2025-2028.",
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


class Format(StrEnum):
    text = "text"
    json = "json"


def fail(lang: str, da: str, en: str) -> NoReturn:
    """A usage error: a plain sentence on standard error in the user's language, exit code 2."""
    typer.echo(f"klynge: {en if lang == 'en' else da}", err=True)
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
        fail(lang, f"opslagets regelfil kan ikke bruges: {exc}", str(exc))


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


def _style(lang: str, output: Path | None, quiet: bool, verbose: bool) -> Style:
    # no-color.org: NO_COLOR counts when present and not empty; FORCE_COLOR asks for colour
    # in a pipe. A report written to a file (-o) never has colour.
    no_color = bool(os.environ.get("NO_COLOR"))
    to_terminal = output is None and sys.stdout.isatty()
    color = not no_color and output is None and (to_terminal or bool(os.environ.get("FORCE_COLOR")))
    width = shutil.get_terminal_size((100, 24)).columns if to_terminal else 100
    return Style(lang=lang, color=color, width=width, quiet=quiet, verbose=verbose)


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs to check.")],
    call_id: Annotated[
        str, typer.Option("--call", help="Call id or rules file (TOML).")
    ] = DEFAULT_CALL,
    submitted_at: Annotated[
        str | None,
        typer.Option("--submitted-at", help="Submission time (ISO date-time) or 'now'."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Report format.")] = Format.text,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the report to FILE.")
    ] = None,
    lang: Annotated[Lang | None, typer.Option("--lang", help="da or en (KLYNGE_LANG).")] = None,
    select: Annotated[
        str | None, typer.Option("--select", help="Codes or prefixes to run (KL4,KL501).")
    ] = None,
    ignore: Annotated[
        str | None, typer.Option("--ignore", help="Codes or prefixes to leave out.")
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Findings that make the exit code 1.")
    ] = FailOn.error,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Only the summary.")] = False,
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Also the passed checks.")
    ] = False,
) -> None:
    """Check budget workbooks; exit 0 when none has a finding at or above --fail-on."""
    language = _lang(lang)
    call = _call(call_id, language)
    now = datetime.now(call.zone)
    selection = Selection(
        select=_codes(select, language) or ("KL",), ignore=_codes(ignore, language)
    )
    options = Options(
        call=call,
        now=now,
        submitted_at=_submitted(submitted_at, call, now, language),
        selection=selection,
    )
    try:
        selected = select_files(paths)
    except PathError as exc:
        fail(language, f"filen eller mappen findes ikke: {exc}", f"no such file or folder: {exc}")
    if not selected.files:
        fail(
            language,
            "ingen regneark fundet (søgte efter .xlsx-, .xlsm-, .xls-, .xlsb- og .ods-filer)",
            "no workbook found (looked for .xlsx, .xlsm, .xls, .xlsb and .ods files)",
        )
    results = [check_file(path, options) for path in selected.files]
    report = Report(
        tool=ToolInfo(version=__version__),
        call=CallInfo(
            id=call.id, title=call.title(language), deadline=call.deadline_at.isoformat()
        ),
        lang=language,
        fail_on=fail_on.value,
        files=results,
        summary=summarise(results, skipped=len(selected.skipped)),
    )
    rendered = reporters()[fmt.value](report, _style(language, output, quiet, verbose))
    if output is not None:
        try:
            atomic_write_text(output, rendered)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            fail(
                language, f"kan ikke skrive {output}: {reason}", f"cannot write {output}: {reason}"
            )
    else:
        sys.stdout.write(rendered)
        sys.stdout.flush()
    raise typer.Exit(exit_code(report, fail_on))


def exit_code(report: Report, fail_on: FailOn) -> int:
    """1 when any finding is at or above --fail-on; the one place that decides."""
    if fail_on is FailOn.never:
        return 0
    threshold = Severity(fail_on.value).rank
    failing = any(f.severity.rank >= threshold for r in report.files for f in r.findings)
    return 1 if failing else 0


@app.command()
def template(
    out: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
    grant: Annotated[GrantType, typer.Option("--grant", help="innovation or basis.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    call_id: Annotated[str, typer.Option("--call", help="Call id or rules file.")] = DEFAULT_CALL,
    lang: Annotated[Lang | None, typer.Option("--lang", help="da or en.")] = None,
) -> None:
    """Write an empty budget workbook in format 1, with drop-down lists."""
    from klyngecli.writer.template import write_template

    language = _lang(lang)
    call = _call(call_id, language)
    if out.exists() and not force:
        fail(
            language,
            f"{out} findes allerede; brug --force for at overskrive den",
            f"{out} exists; use --force to overwrite it",
        )
    if out.suffix.lower() != ".xlsx":
        fail(
            language,
            f"{out}: skabelonen er en .xlsx-fil; kald den NAVN.xlsx",
            f"{out}: the template is an .xlsx workbook; name it NAME.xlsx",
        )
    if not out.parent.is_dir():
        fail(language, f"mappen findes ikke: {out.parent}", f"no such folder: {out.parent}")
    try:
        write_template(out, grant, call)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        fail(language, f"kan ikke skrive {out}: {reason}", f"cannot write {out}: {reason}")
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
    app(prog_name="klynge")
