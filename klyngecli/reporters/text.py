"""The colour-coded terminal report (the only module that uses rich). Reads well in colour and
as plain text in a pipe: one line per finding, never wrapped, so grep and diff work.

Text from a workbook or a path goes through `shown()`/`path_text()` and into rich as `Text`,
never as a markup string (cli.md decided item 4). The report is written as it goes, file by
file, through `_Stream`, which never fails on a character the stream cannot encode (decided
item 5): the report's own symbols and frames fall back to ASCII, anything else becomes `?`.
"""

from __future__ import annotations

import codecs
import re
from decimal import Decimal
from typing import TextIO, cast

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from klyngecli.findings import Finding, Severity, kr, pct
from klyngecli.model import Source
from klyngecli.report import (
    Figures,
    FileLine,
    FileResult,
    PoolUse,
    Report,
    Summary,
    Verdict,
    verdict_text,
)
from klyngecli.reporters import Style
from klyngecli.safetext import path_text, shown

VERDICT_STYLE = {
    Verdict.PASSED: "bold white on green",
    Verdict.PASSED_WITH_WARNINGS: "bold black on yellow",
    Verdict.FAILED: "bold white on red",
    Verdict.UNREADABLE: "bold white on red",
}
VERDICT_COLOUR = {
    Verdict.PASSED: "green",
    Verdict.PASSED_WITH_WARNINGS: "yellow",
    Verdict.FAILED: "red",
    Verdict.UNREADABLE: "red",
}
SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
CHANGE_STYLE = {"new": "bold cyan", "changed": "bold magenta"}  # a file's mark since last run
SOURCE_STYLE = ["blue", "magenta", "cyan", "green", "yellow", "bright_black", "white"]
BAR_WIDTH = 30
BARS = "█▓▒░"
TOP_CODES = 5

# The report's own symbols on a stream that cannot encode them: one character for one, so
# columns stay aligned; any other character the stream lacks (a Danish letter on ascii, Chinese
# on cp1252) becomes `?`.
ASCII_FALLBACK = {"█": "#", "▓": "=", "▒": "+", "░": "-", "×": "x", "·": "-", "–": "-", "…": "."}
FRAME_CHARS = "┌─┬┐│├┼┤└┴┘"

GRANT_NAMES = {"innovation": "Innovation", "basis": "Basis"}
WORDS: dict[str, dict[str, str]] = {
    "da": {
        "applicant": "Ansøger",
        "unknown": "ukendt",
        "deb": "DEB-ansøgning",
        "of_cap": "af højst",
        "mix": "Finansiering",
        "sme": "Største SMV-andel",
        "max": "højst",
        "no_findings": "Ingen fund.",
        "passed_checks": "Beståede kontroller",
        "summary": "Opsummering",
        "files": "Filer kontrolleret",
        "passed": "Godkendt",
        "warnings": "Med advarsler",
        "failed": "Ikke godkendt",
        "unreadable": "Kan ikke læses",
        "skipped": "Sprunget over",
        "codes": "Hyppigste koder",
        "costs": "Omkostninger",
        "interrupted": "Afbrudt (Ctrl-C): tallene gælder de filer, der blev kontrolleret "
        "indtil da.",
        "not_passed": "Filer med fejl eller advarsler",
        "statistics": "Fund pr. kode",
        "pools": "DEB-ansøgninger mod puljen",
        "of_pool": "af puljen",
        "file": "fil",
        "files_n": "filer",
        "mark_new": "ny",
        "mark_changed": "ændret",
        "new": "Nye siden sidst",
        "changed": "Ændrede siden sidst",
        "unchanged": "Uændrede",
        "saved": "Gemt",
        "since": "Siden sidste gem",
        "fixed": "rettet",
        "new_finding": "nyt",
        "no_change": "Ingen ændring i fundene.",
        "first": "Første kontrol af filen.",
        "was": "før",
        "removed": "fjernet",
        "watching": "Overvåger {n} {files}; en fil kontrolleres igen, når den gemmes. Ctrl-C "
        "stopper.",
        "stopped": "Overvågningen er stoppet.",
    },
    "en": {
        "applicant": "Applicant",
        "unknown": "unknown",
        "deb": "DEB request",
        "of_cap": "of at most",
        "mix": "Financing",
        "sme": "Largest SME share",
        "max": "max",
        "no_findings": "No findings.",
        "passed_checks": "Passed checks",
        "summary": "Summary",
        "files": "Files checked",
        "passed": "Passed",
        "warnings": "With warnings",
        "failed": "Failed",
        "unreadable": "Unreadable",
        "skipped": "Skipped",
        "codes": "Most frequent codes",
        "costs": "Costs",
        "interrupted": "Interrupted (Ctrl-C): the counts are of the files checked until then.",
        "not_passed": "Files with errors or warnings",
        "statistics": "Findings per code",
        "pools": "DEB requests against the pool",
        "of_pool": "of the pool",
        "file": "file",
        "files_n": "files",
        "mark_new": "new",
        "mark_changed": "changed",
        "new": "New since last run",
        "changed": "Changed since last run",
        "unchanged": "Unchanged",
        "saved": "Saved",
        "since": "Since the previous save",
        "fixed": "fixed",
        "new_finding": "new",
        "no_change": "No change in the findings.",
        "first": "First check of the file.",
        "was": "was",
        "removed": "removed",
        "watching": "Watching {n} {files}; a file is checked again when it is saved. Ctrl-C stops.",
        "stopped": "Stopped watching.",
    },
}

# Why a path was skipped (report.SkippedPath.reason); an unknown key is shown as it is.
SKIP_REASONS: dict[str, tuple[str, str]] = {
    "lock-file": ("Office-låsefil", "Office lock file"),
    "annotated-copy": (
        "kontrolkopi skrevet af klynge --annotate",
        "copy written by klynge --annotate",
    ),
    "hidden": ("skjult fil", "hidden file"),
    "not-a-workbook": ("ikke et regneark", "not a workbook"),
    "link-to-folder": ("link til en mappe (følges ikke)", "link to a folder (not followed)"),
    "broken-link": ("brudt link", "broken link"),
    "link-loop": ("link i ring", "link loop"),
    "not-a-regular-file": ("ikke en almindelig fil", "not a regular file"),
}


def _amount(value: object) -> Decimal | None:
    return Decimal(str(value)) if isinstance(value, int | float) else None


SHORT_SOURCE = {
    "da": {
        Source.REGIONALFONDEN: "Regionalfonden",
        Source.DECENTRALE: "Decentrale midler",
        Source.UFS: "UFS",
        Source.PRIVATE_CASH: "Privat kontant",
        Source.PUBLIC_CASH: "Offentlig kontant",
        Source.OWN: "Egenfinansiering",
        Source.SME_OWN: "SMV'ernes egenfinansiering",
    },
    "en": {
        Source.REGIONALFONDEN: "ERDF (Regionalfonden)",
        Source.DECENTRALE: "Decentral funds",
        Source.UFS: "UFS",
        Source.PRIVATE_CASH: "Private cash",
        Source.PUBLIC_CASH: "Public cash",
        Source.OWN: "Own financing",
        Source.SME_OWN: "SME own financing",
    },
}


def _source_name(key: str, lang: str) -> str:
    try:
        return SHORT_SOURCE[lang][Source(key)]
    except (KeyError, ValueError):
        return shown(key)


def _grant_name(grant: str) -> str:
    return GRANT_NAMES.get(grant, shown(grant))


# --- the stream -------------------------------------------------------------------------------


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the report's symbols in ASCII, `?` for any other character."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(ASCII_FALLBACK.get(c, "?") for c in bad), error.end


codecs.register_error("klyngecli-ascii", _ascii_fallback)
_TRAILING_SPACE = re.compile(r"[ \t]+(?=\n)")


def _encoding(out: TextIO) -> str:
    """The codec of `out`, normalised; a stream without one takes any text (io.StringIO)."""
    try:
        return codecs.lookup(getattr(out, "encoding", None) or "utf-8").name
    except LookupError:
        return "ascii"


def _encodes(encoding: str, chars: str) -> bool:
    try:
        codecs.encode(chars, encoding)
    except UnicodeEncodeError:
        return False
    return True


class _Stream:
    """What rich writes to: `out`, with every character `out` cannot encode replaced rather
    than raising, and (in plain output) no spaces at the end of a line."""

    def __init__(self, out: TextIO, encoding: str, plain: bool) -> None:
        self._out = out
        self.encoding = encoding  # rich reads it (ascii_only)
        self._plain = plain

    def write(self, text: str) -> int:
        if self._plain:
            text = _TRAILING_SPACE.sub("", text)
        if not _encodes(self.encoding, text):
            text = codecs.encode(text, self.encoding, "klyngecli-ascii").decode(self.encoding)
        self._out.write(text)
        return len(text)

    def flush(self) -> None:
        self._out.flush()


# --- one file ---------------------------------------------------------------------------------


def _verdict(verdict: Verdict, style: Style) -> Text:
    words = verdict_text(verdict, style.lang)
    if style.color:  # a badge: the padding carries the background colour
        return Text(f" {words} ", style=VERDICT_STYLE[verdict])
    return Text(words)


def _header(result: FileResult, style: Style) -> Text:
    words = WORDS[style.lang]
    line = Text()
    line.append(path_text(result.path), style="bold")
    if result.change in CHANGE_STYLE:
        line.append(f"  [{words['mark_' + result.change]}]", style=CHANGE_STYLE[result.change])
    line.append("\n  ")
    if result.applicant:
        line.append(shown(result.applicant))
    else:
        line.append(f"{words['applicant']} {words['unknown']}")
    if result.cvr:
        line.append(f" (CVR {shown(result.cvr)})", style="dim")
    if result.grant:
        line.append(" · " + _grant_name(result.grant))
    line.append("  ")
    line.append_text(_verdict(result.verdict, style))
    return line


def _figures(figures: Figures, style: Style) -> list[Text]:
    words = WORDS[style.lang]
    lines: list[Text] = []
    request, cap = _amount(figures.deb_request), _amount(figures.deb_cap)
    if request is not None:
        line = Text(f"  {words['deb']:<18}")
        over = cap is not None and request > cap
        line.append(kr(request), style="bold red" if over else "bold")
        if cap is not None:
            line.append(f" {words['of_cap']} {kr(cap)}")
            if cap > 0:
                line.append(f" ({pct(request / cap, style.lang)})", style="dim")
        lines.append(line)
    shares = {k: _amount(v) for k, v in figures.financing_by_source.items()}
    whole = sum((v for v in shares.values() if v is not None and v > 0), Decimal(0))
    if whole > 0:
        bar = Text(f"  {words['mix']:<18}")
        legend = Text()
        filled = 0
        positive = [(k, v) for k, v in shares.items() if v is not None and v > 0]
        for i, (key, value) in enumerate(positive):
            colour = SOURCE_STYLE[i % len(SOURCE_STYLE)]
            cells = (
                BAR_WIDTH - filled if i == len(positive) - 1 else round(BAR_WIDTH * value / whole)
            )
            filled += cells
            bar.append(BARS[i % len(BARS)] * cells, style=colour)
            legend.append("" if i == 0 else " · ")
            legend.append(
                f"{_source_name(key, style.lang)} {pct(value / whole, style.lang)}", style=colour
            )
        lines.append(bar)
        lines.append(Text(" " * 20).append_text(legend))
    if figures.largest_sme_share is not None and figures.sme_ceiling is not None:
        share = Decimal(str(figures.largest_sme_share))
        ceiling = Decimal(str(figures.sme_ceiling))
        line = Text(f"  {words['sme']:<18}")
        line.append(pct(share, style.lang), style="bold red" if share > ceiling else "bold")
        line.append(f" ({words['max']} {pct(ceiling, style.lang)})")
        if figures.largest_sme_share_at:
            line.append(f"  {shown(figures.largest_sme_share_at)}", style="dim")
        lines.append(line)
    return lines


def finding_line(finding: Finding, style: Style) -> Text:
    """`KL401 error SMV-samarbejder!H7  Tilskud is 74.3 % ...`, as cli.md writes it: one line,
    codes and severities not translated, so the same grep works in both languages."""
    line = Text()
    line.append(f"{finding.code} {finding.severity.value}", style=SEVERITY_STYLE[finding.severity])
    line.append(" ")
    line.append(shown(finding.location) or "-", style="bold")
    line.append("  " + shown(finding.message(style.lang)))
    return line


def _findings_grid(findings: list[Finding], style: Style) -> Table:
    """In a terminal a long message wraps within its own column, under itself."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column()
    for f in findings:
        colour = SEVERITY_STYLE[f.severity]
        grid.add_row(
            Text(f"  {f.code}", style=colour),
            Text(f.severity.value, style=colour),
            Text(shown(f.location) or "-", style="bold"),
            Text(shown(f.message(style.lang))),
        )
    return grid


def _file(result: FileResult, style: Style, console: Console) -> None:
    words = WORDS[style.lang]
    plain = not style.color
    console.print(_header(result, style), soft_wrap=plain)
    for line in _figures(result.figures, style):
        console.print(line, soft_wrap=plain)
    console.print()
    if not result.findings:
        console.print(Text(f"  {words['no_findings']}", style="green"))
    elif style.color:
        console.print(_findings_grid(result.findings, style))
    else:
        for finding in result.findings:
            console.print(finding_line(finding, style), soft_wrap=True)
    if style.verbose and result.rules_run:
        found = {f.code for f in result.findings}
        passed = [code for code in result.rules_run if code not in found]
        text = f"  {words['passed_checks']}: {', '.join(passed)}"
        console.print(Text(text, style="dim"), soft_wrap=True)
    console.print()


# --- the batch summary ------------------------------------------------------------------------


def _counts(summary: Summary, style: Style, frame: box.Box) -> Table:
    words = WORDS[style.lang]
    table = Table(show_header=False, box=frame, safe_box=True)
    table.add_column(style="bold")
    table.add_column(justify="right")
    rows = [
        (words["files"], "", summary.files),
        (words["passed"], "green", summary.passed),
        (words["warnings"], "yellow", summary.passed_with_warnings),
        (words["failed"], "red", summary.failed),
        (words["unreadable"], "red", summary.unreadable),
        (words["skipped"], "", summary.skipped),
    ]
    # Said when something is new or changed, or when --changed left every file out; a run
    # over unchanged files says nothing more.
    if summary.new or summary.changed or (summary.unchanged and not summary.files):
        rows[1:1] = [
            (words["new"], CHANGE_STYLE["new"], summary.new),
            (words["changed"], CHANGE_STYLE["changed"], summary.changed),
            (words["unchanged"], "", summary.unchanged),
        ]
    for label, colour, count in rows:
        table.add_row(Text(label, style=colour), Text(str(count)))
    return table


def _not_passed(line: FileLine, style: Style) -> Text:
    """`  a.xlsx  IKKE GODKENDT  Komposit Nord A/S  CVR 12345678  DEB-ansøgning 72.000.000 kr.`"""
    text = Text("  ")
    text.append(path_text(line.path), style="bold")
    text.append("  ")
    text.append(verdict_text(line.verdict, style.lang), style=VERDICT_COLOUR[line.verdict])
    if line.applicant:
        text.append("  " + shown(line.applicant))
    if line.cvr:
        text.append(f"  CVR {shown(line.cvr)}", style="dim")
    request = _amount(line.deb_request)
    if request is not None:
        text.append(f"  {WORDS[style.lang]['deb']} {kr(request)}")
    return text


def _skipped(path: str, reason: str, lang: str) -> Text:
    phrase = SKIP_REASONS.get(reason)
    words = (phrase[1] if lang == "en" else phrase[0]) if phrase else shown(reason)
    return Text("  ").append(path_text(path), style="bold").append(f"  {words}", style="dim")


def _statistics(codes: dict[str, int], lang: str) -> list[Text]:
    """A count per code with its title, like `ruff --statistics`: `  12  KL401  title`."""
    from klyngecli.explain import catalogue  # loads every rule: only when asked for

    known = catalogue()
    width = len(str(max(codes.values())))
    lines = []
    for code, count in codes.items():
        title = known[code].title(lang) if code in known else ""
        lines.append(Text(f"  {count:>{width}}  {shown(code)}  {title}".rstrip()))
    return lines


def _pool(use: PoolUse, lang: str) -> Text | None:
    """`  Innovation: 72.000.000 kr. af puljen 230.000.000 kr. (31,3 %), 4 filer`"""
    requested, pool = _amount(use.requested), _amount(use.pool)
    if requested is None:
        return None
    words = WORDS[lang]
    text = Text(f"  {_grant_name(use.grant)}: ")
    text.append(kr(requested), style="bold red" if pool is not None and requested > pool else "")
    if pool is not None:
        text.append(f" {words['of_pool']} {kr(pool)}")
        if pool > 0:
            text.append(f" ({pct(requested / pool, lang)})")
    text.append(f", {use.files} {words['file'] if use.files == 1 else words['files_n']}")
    return text


def _summary(summary: Summary, style: Style, console: Console, frame: box.Box) -> None:
    words = WORDS[style.lang]
    plain = not style.color

    def section(title: str, lines: list[Text]) -> None:
        if lines:
            console.print()
            console.print(Text(f"{title}:", style="bold"))
            for line in lines:
                console.print(line, soft_wrap=plain)

    console.print(Text(words["summary"], style="bold"))
    if summary.interrupted:
        console.print(Text(words["interrupted"], style="bold yellow"), soft_wrap=plain)
    console.print(_counts(summary, style, frame))
    section(words["not_passed"], [_not_passed(line, style) for line in summary.not_passed])
    skipped = [_skipped(s.path, s.reason, style.lang) for s in summary.skipped_paths]
    section(words["skipped"], skipped)
    if style.statistics and summary.codes:
        section(words["statistics"], _statistics(summary.codes, style.lang))
    elif summary.codes:
        top = ", ".join(f"{shown(c)} ×{n}" for c, n in list(summary.codes.items())[:TOP_CODES])
        console.print()
        console.print(Text(f"{words['codes']}: {top}"), soft_wrap=plain)
    pools = [line for use in summary.pools if (line := _pool(use, style.lang)) is not None]
    section(words["pools"], pools)


def _console(out: TextIO, style: Style) -> tuple[Console, box.Box]:
    """A console writing to `out` through `_Stream`, and the frame its encoding can draw."""
    encoding = _encoding(out)
    stream = _Stream(out, encoding, plain=not style.color)
    console = Console(
        file=cast(TextIO, stream),
        force_terminal=style.color,
        no_color=not style.color,
        color_system="standard" if style.color else None,
        width=style.width,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    return console, box.SQUARE if _encodes(encoding, FRAME_CHARS) else box.ASCII


def render(report: Report, style: Style, out: TextIO) -> None:
    """Write the text report to `out`, file by file (report.files is iterated once)."""
    console, frame = _console(out, style)
    summary = report.summary
    if not style.quiet:
        for result in report.files:
            _file(result, style, console)
    # --changed with nothing new still says so (0 files, N unchanged).
    shown_all = summary.files > 1 or summary.files == 0
    if style.quiet or shown_all or summary.skipped or summary.interrupted:
        _summary(summary, style, console, frame)


# --- klynge watch -----------------------------------------------------------------------------


def render_save(
    when: str,
    before: FileResult | None,
    after: FileResult,
    changes: tuple[list[Finding], list[Finding]],
    style: Style,
    out: TextIO,
    clear: bool = False,
) -> None:
    """One save under `klynge watch`: the file's report, then what changed since the previous
    check of it: findings fixed (green) and new (red), the verdict and the DEB request.
    `clear` wipes the terminal first, so the screen shows the current state."""
    console, _frame = _console(out, style)
    words = WORDS[style.lang]
    plain = not style.color
    if clear:
        console.clear()
    console.print(Text(f"[{when}] {words['saved']}: ", style="dim").append(path_text(after.path)))
    _file(after, style, console)
    console.print(Text(f"{words['since']}:", style="bold"))
    if before is None:
        console.print(Text(f"  {words['first']}"))
    fixed, new = changes
    for key, colour, findings in (("fixed", "green", fixed), ("new_finding", "red", new)):
        for finding in findings:
            line = Text(f"  {words[key]:<7} ", style=colour)
            console.print(line.append_text(finding_line(finding, style)), soft_wrap=plain)
    if before is not None and not (fixed or new):
        console.print(Text(f"  {words['no_change']}"))
    verdict = Text("  ").append_text(_verdict(after.verdict, style))
    if before is not None and before.verdict != after.verdict:
        verdict.append(f" ({words['was']} {verdict_text(before.verdict, style.lang)})")
    console.print(verdict, soft_wrap=plain)
    old = _amount(before.figures.deb_request) if before else None
    request = _amount(after.figures.deb_request)
    if request is not None and old is not None and old != request:
        line = Text(f"  {words['deb']}: {kr(request)} ({words['was']} {kr(old)})")
        console.print(line, soft_wrap=plain)
    console.print()


def render_watch_line(key: str, style: Style, out: TextIO, files: int = 0, path: str = "") -> None:
    """A line of `klynge watch` itself: `watching` (with the number of files), `stopped`, or
    `removed` (with the path of a watched file that went away)."""
    console, _frame = _console(out, style)
    words = WORDS[style.lang]
    if key == "watching":
        noun = words["file"] if files == 1 else words["files_n"]
        text = Text(words["watching"].format(n=files, files=noun), style="dim")
    elif key == "removed":
        text = Text(f"{path_text(path)}: {words['removed']}", style="dim")
    else:
        text = Text(words[key], style="dim")
    console.print(text, soft_wrap=not style.color)
