"""The colour-coded terminal report. Reads well in colour and as plain text in a pipe: one
line per finding, never wrapped, so grep and diff work.

The report is laid out in `Line`s (reporters/terminal.py) and written as it goes, file by file:
through rich in colour, as plain text otherwise, without importing rich's console (issue 15).
Text from a workbook or a path goes through `shown()`/`path_text()` and into a `Line` as plain
text, never as a markup string (cli.md decided item 4). Nothing the stream cannot encode ever
fails (decided item 5): the report's own symbols and frames fall back to ASCII, anything else
becomes `?`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TextIO

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
from klyngecli.reporters.terminal import Line, Printer, Rich, printer
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
# The financing bar reads without colour: each source has a character of its own, in the order
# of model.Source, shown again in the legend; a source the model does not know gets a letter.
SOURCE_GLYPHS = "█▓▒░▚▞▪"
EXTRA_GLYPHS = "abcdefghijklmnopqrstuvwxyz"
FILLED, EMPTY, OVER = "█", "░", "▓"  # a gauge: [█████░░░░░] up to its limit, ▓ past it
OVER_MAX = 10  # cells past the limit at most, then …
LABEL_WIDTH = 20  # "  DEB-ansøgning     ": the figures and the legend start here
MIN_NAME = 20  # an applicant name is shortened to no less, else the verdict gets its own line
TOP_CODES = 5

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


# --- one file ---------------------------------------------------------------------------------


def _verdict(verdict: Verdict, style: Style) -> Line:
    """The verdict; in colour on its colour (no padding: a line never ends in a space)."""
    return Line(verdict_text(verdict, style.lang), style=VERDICT_STYLE[verdict])


def _header(result: FileResult, style: Style) -> list[Line]:
    """The path, then `  applicant (CVR …) · grant  VERDICT` within the width. In a terminal a
    long name is shortened with `…` (to MIN_NAME at least); plain output never cuts text from
    the file. When the verdict does not fit after the name, it gets an indented line of its
    own: never a line that wraps the verdict to column 0."""
    words = WORDS[style.lang]
    path = Line(path_text(result.path), style="bold")
    if result.change in CHANGE_STYLE:
        path.append(f"  [{words['mark_' + result.change]}]", style=CHANGE_STYLE[result.change])
    name = Line(
        shown(result.applicant) if result.applicant else f"{words['applicant']} {words['unknown']}"
    )
    details = Line()
    if result.cvr:
        details.append(f" (CVR {shown(result.cvr)})", style="dim")
    if result.grant:
        details.append(" · " + _grant_name(result.grant))
    verdict = _verdict(result.verdict, style)
    room = style.width - 2 - details.cell_len - 2 - verdict.cell_len
    shortest = min(MIN_NAME, name.cell_len) if style.color else name.cell_len
    if room >= shortest:
        name.truncate(room)
        line = Line("  ").append_text(name).append_text(details).append("  ")
        return [path, line.append_text(verdict)]
    if style.color:
        name.truncate(max(style.width - 2 - details.cell_len, MIN_NAME))
    return [
        path,
        Line("  ").append_text(name).append_text(details),
        Line("  ").append_text(verdict),
    ]


def _label(text: str) -> Line:
    return Line(f"  {text:<{LABEL_WIDTH - 2}}")


def _gauge(value: Decimal, limit: Decimal, over_style: str) -> Line:
    """`[████████████░░░░░░]`: a value against its limit (the brackets); past the limit `▓`,
    one cell per thirtieth of the limit, at most OVER_MAX then `…`."""
    ratio = value / limit
    cells = (
        BAR_WIDTH if ratio >= 1 else min(BAR_WIDTH - 1, round(BAR_WIDTH * max(ratio, Decimal(0))))
    )
    gauge = Line("[")
    gauge.append(FILLED * cells, style="bold")
    gauge.append(EMPTY * (BAR_WIDTH - cells), style="dim")
    gauge.append("]")
    if ratio > 1:
        over = max(1, round(BAR_WIDTH * (ratio - 1)))
        gauge.append(OVER * min(over, OVER_MAX) + ("…" if over > OVER_MAX else ""), over_style)
    return gauge


def _cells(values: list[Decimal], width: int) -> list[int]:
    """The bar's cells of each share: at least one each (a small source stays visible), the
    rest by the largest remainder, `width` in all."""
    whole = sum(values, Decimal(0))
    exact = [width * v / whole for v in values]
    cells = [max(1, int(x)) for x in exact]
    while sum(cells) < width:
        cells[max(range(len(cells)), key=lambda i: exact[i] - cells[i])] += 1
    while sum(cells) > width:
        cells[max(range(len(cells)), key=lambda i: (cells[i] > 1, cells[i] - exact[i]))] -= 1
    return cells


def _glyph(key: str, extra: list[str]) -> tuple[str, str]:
    """The source's own character and colour (model.Source order), else the next free letter."""
    try:
        index = list(Source).index(Source(key))
    except ValueError:
        return (extra.pop(0) if extra else "?"), "default"
    return SOURCE_GLYPHS[index], SOURCE_STYLE[index]


def _flow(
    head: Line, entries: list[Line], width: int, sep: str = "  ", indent: int | None = None
) -> list[Line]:
    """`head` and the entries, as many on a line as fit the width; the next lines indented to
    where the first entry starts (a legend under its bar, the codes of -v), or by `indent`."""
    indent = head.cell_len if indent is None else indent
    lines: list[Line] = []
    line = head
    for entry in entries:
        if line.cell_len > indent and line.cell_len + len(sep) + entry.cell_len > width:
            lines.append(line)
            line = Line(" " * indent)
        if line.cell_len > indent:
            line.append(sep)
        line.append_text(entry)
    return [*lines, line]


def _financing(figures: Figures, style: Style) -> list[Line]:
    """The financing mix: one bar, then a legend with each source's character and share."""
    positive = [(k, v) for k, v in figures.financing_by_source.items() if v is not None and v > 0]
    if not positive:
        return []
    whole = sum((v for _, v in positive), Decimal(0))
    bar = _label(WORDS[style.lang]["mix"])
    entries: list[Line] = []
    extra = list(EXTRA_GLYPHS)
    for (key, value), cells in zip(
        positive, _cells([v for _, v in positive], BAR_WIDTH), strict=True
    ):
        glyph, colour = _glyph(key, extra)
        bar.append(glyph * cells, style=colour)
        entry = Line(f"{glyph} ", style=colour)
        entry.append(f"{_source_name(key, style.lang)} {pct(value / whole, style.lang)}")
        entries.append(entry)
    return [bar, *_flow(Line(" " * LABEL_WIDTH), entries, style.width)]


def _figures(figures: Figures, style: Style) -> list[Line]:
    words, lang = WORDS[style.lang], style.lang
    lines: list[Line] = []
    request, cap = figures.deb_request, figures.deb_cap
    if request is not None:
        line = _label(words["deb"])
        over = cap is not None and request > cap
        line.append(kr(request, lang), style="bold red" if over else "bold")
        lines.append(line)
        if cap is not None:
            line.append(f" {words['of_cap']} {kr(cap, lang)}")
        if cap is not None and cap > 0:
            line.append(f" ({pct(request / cap, lang)})", style="dim")
            lines.append(Line(" " * LABEL_WIDTH).append_text(_gauge(request, cap, "bold red")))
    lines += _financing(figures, style)
    if figures.largest_sme_share is not None and figures.sme_ceiling is not None:
        share = Decimal(str(figures.largest_sme_share))
        ceiling = Decimal(str(figures.sme_ceiling))
        line = _label(words["sme"])
        line.append(pct(share, lang), style="bold red" if share > ceiling else "bold")
        line.append(f" ({words['max']} {pct(ceiling, lang)})")
        if figures.largest_sme_share_at:
            line.append(f"  {shown(figures.largest_sme_share_at)}", style="dim")
        lines.append(line)
        if ceiling > 0:
            lines.append(Line(" " * LABEL_WIDTH).append_text(_gauge(share, ceiling, "bold red")))
    return lines


def _location(finding: Finding, lang: str) -> str:
    """`Sheet!Cell`, the sheet, or `(fil)`/`(file)` for a finding about the whole file."""
    return shown(finding.location) or ("(file)" if lang == "en" else "(fil)")


def finding_line(finding: Finding, style: Style) -> Line:
    """`KL401 fejl SMV-samarbejder!H7  Tilskud er 74,3 % …`, as cli.md writes it, with the
    severity in the report's language (`error` in English): one line, so grep and diff work."""
    line = Line()
    severity = finding.severity.word(style.lang)
    line.append(f"{finding.code} {severity}", style=SEVERITY_STYLE[finding.severity])
    line.append(" ")
    line.append(_location(finding, style.lang), style="bold")
    line.append("  " + shown(finding.message(style.lang)))
    return line


def _findings_grid(findings: list[Finding], style: Style) -> list[list[Line]]:
    """The findings' cells in a terminal, where a long message wraps in its own column."""
    rows = []
    for f in findings:
        colour = SEVERITY_STYLE[f.severity]
        rows.append(
            [
                Line(f"  {f.code}", style=colour),
                Line(f.severity.word(style.lang), style=colour),
                Line(_location(f, style.lang), style="bold"),
                Line(shown(f.message(style.lang))),
            ]
        )
    return rows


def _file(result: FileResult, style: Style, out: Printer) -> None:
    words = WORDS[style.lang]
    for line in [*_header(result, style), *_figures(result.figures, style)]:
        out.line(line)
    out.line()
    if not result.findings:
        out.line(Line(f"  {words['no_findings']}", style="green"))
    elif isinstance(out, Rich) and out.color:
        out.grid(_findings_grid(result.findings, style))
    else:
        for finding in result.findings:
            out.line(finding_line(finding, style))
    if style.verbose and result.rules_run:
        found = {f.code for f in result.findings}
        passed = [Line(code) for code in result.rules_run if code not in found]
        head = Line(f"  {words['passed_checks']}: ")
        for line in _flow(head, passed, style.width, sep=" "):
            out.line(line, style="dim")
    out.line()
    out.flush()


# --- the batch summary ------------------------------------------------------------------------


def _counts(summary: Summary, style: Style) -> list[tuple[Line, Line]]:
    """The summary's table: a label (bold in a terminal) and a count, right-aligned."""
    words = WORDS[style.lang]
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
    return [(Line(label, style=colour), Line(str(count))) for label, colour, count in rows]


def _summary_line(pieces: list[Line], style: Style) -> list[Line]:
    """A line of the summary: one line in plain output (for grep), in a terminal wrapped
    between its pieces with the next lines indented."""
    if not style.color:
        return [Line("  ").append_text(Line("  ").join(pieces))]
    return _flow(Line("  "), pieces, style.width, indent=4)


def _not_passed(line: FileLine, style: Style) -> list[Line]:
    """`  a.xlsx  IKKE GODKENDT  Komposit Nord A/S  CVR 12345678  DEB-ansøgning 72.000.000 kr.`"""
    pieces = [
        Line(path_text(line.path), style="bold"),
        Line(verdict_text(line.verdict, style.lang), style=VERDICT_COLOUR[line.verdict]),
    ]
    if line.applicant:
        pieces.append(Line(shown(line.applicant)))
    if line.cvr:
        pieces.append(Line(f"CVR {shown(line.cvr)}", style="dim"))
    request = line.deb_request
    if request is not None:
        pieces.append(Line(f"{WORDS[style.lang]['deb']} {kr(request, style.lang)}"))
    return _summary_line(pieces, style)


def _skipped(path: str, reason: str, style: Style) -> list[Line]:
    phrase = SKIP_REASONS.get(reason)
    words = (phrase[1] if style.lang == "en" else phrase[0]) if phrase else shown(reason)
    return _summary_line([Line(path_text(path), style="bold"), Line(words, style="dim")], style)


def _statistics(codes: dict[str, int], lang: str) -> list[Line]:
    """A count per code with its title, like `ruff --statistics`: `  12  KL401  title`."""
    from klyngecli.explain import catalogue  # loads every rule: only when asked for

    known = catalogue()
    width = len(str(max(codes.values())))
    lines = []
    for code, count in codes.items():
        title = known[code].title(lang) if code in known else ""
        lines.append(Line(f"  {count:>{width}}  {shown(code)}  {title}".rstrip()))
    return lines


def _pool(use: PoolUse, lang: str) -> Line:
    """`  Innovation: 72.000.000 kr. af puljen 230.000.000 kr. (31,3 %), 4 filer`"""
    requested, pool = use.requested, use.pool
    words = WORDS[lang]
    text = Line(f"  {_grant_name(use.grant)}: ")
    text.append(kr(requested, lang), style="bold red" if requested > pool else "")
    text.append(f" {words['of_pool']} {kr(pool, lang)}")
    if pool > 0:
        text.append(f" ({pct(requested / pool, lang)})")
    text.append(f", {use.files} {words['file'] if use.files == 1 else words['files_n']}")
    return text


def _summary(summary: Summary, style: Style, out: Printer) -> None:
    words = WORDS[style.lang]

    def section(title: str, lines: list[Line]) -> None:
        if lines:
            out.line()
            out.line(Line(f"{title}:", style="bold"))
            for line in lines:
                out.line(line)

    out.line(Line(words["summary"], style="bold"))
    if summary.interrupted:
        out.line(Line(words["interrupted"], style="bold yellow"))
    out.table(_counts(summary, style))
    section(words["not_passed"], [t for n in summary.not_passed for t in _not_passed(n, style)])
    skipped = [t for s in summary.skipped_paths for t in _skipped(s.path, s.reason, style)]
    section(words["skipped"], skipped)
    if style.statistics and summary.codes:
        section(words["statistics"], _statistics(summary.codes, style.lang))
    elif summary.codes:
        top = [Line(f"{shown(c)} ×{n}") for c, n in list(summary.codes.items())[:TOP_CODES]]
        out.line()
        for row in _flow(Line(f"{words['codes']}: "), top, style.width, sep=", "):
            out.line(row)
    section(words["pools"], [_pool(use, style.lang) for use in summary.pools])


def render(report: Report, style: Style, out: TextIO, via_rich: bool = False) -> None:
    """Write the text report to `out`, file by file (report.files is iterated once).
    `via_rich`: plain output through rich too (the tests compare the two printers)."""
    to = printer(out, style.color, style.width, via_rich)
    summary = report.summary
    if not style.quiet:
        for result in report.files:
            _file(result, style, to)
    # --changed with nothing new still says so (0 files, N unchanged).
    shown_all = summary.files > 1 or summary.files == 0
    if style.quiet or shown_all or summary.skipped or summary.interrupted:
        _summary(summary, style, to)
    to.flush()


# --- klynge watch -----------------------------------------------------------------------------


def render_save(
    when: str,
    before: FileResult | None,
    after: FileResult,
    changes: tuple[list[Finding], list[Finding]],
    style: Style,
    out: TextIO,
    clear: bool = False,
    via_rich: bool = False,
) -> None:
    """One save under `klynge watch`: the file's report, then what changed since the previous
    check of it: findings fixed (green) and new (red), the verdict and the DEB request.
    `clear` wipes the terminal first, so the screen shows the current state."""
    to = printer(out, style.color, style.width, via_rich)
    words = WORDS[style.lang]
    if clear:
        to.clear()
    saved = Line(f"[{when}] {words['saved']}: ", style="dim").append(path_text(after.path))
    to.line(saved)  # a long path is never broken in a log
    _file(after, style, to)
    to.line(Line(f"{words['since']}:", style="bold"))
    if before is None:
        to.line(Line(f"  {words['first']}"))
    fixed, new = changes
    for key, colour, findings in (("fixed", "green", fixed), ("new_finding", "red", new)):
        for finding in findings:
            line = Line(f"  {words[key]:<7} ", style=colour)
            to.line(line.append_text(finding_line(finding, style)))
    if before is not None and not (fixed or new):
        to.line(Line(f"  {words['no_change']}"))
    verdict = Line("  ").append_text(_verdict(after.verdict, style))
    if before is not None and before.verdict != after.verdict:
        verdict.append(f" ({words['was']} {verdict_text(before.verdict, style.lang)})")
    to.line(verdict)
    old = before.figures.deb_request if before else None
    request = after.figures.deb_request
    if request is not None and old is not None and old != request:
        line = Line(
            f"  {words['deb']}: {kr(request, style.lang)} ({words['was']} {kr(old, style.lang)})"
        )
        to.line(line)
    to.line()
    to.flush()


def render_watch_line(
    key: str, style: Style, out: TextIO, files: int = 0, path: str = "", via_rich: bool = False
) -> None:
    """A line of `klynge watch` itself: `watching` (with the number of files), `stopped`, or
    `removed` (with the path of a watched file that went away)."""
    words = WORDS[style.lang]
    if key == "watching":
        noun = words["file"] if files == 1 else words["files_n"]
        text = Line(words["watching"].format(n=files, files=noun), style="dim")
    elif key == "removed":
        text = Line(f"{path_text(path)}: {words['removed']}", style="dim")
    else:
        text = Line(words[key], style="dim")
    to = printer(out, style.color, style.width, via_rich)
    to.line(text)
    to.flush()
