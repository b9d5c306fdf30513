"""The colour-coded terminal report (the only module that uses rich). Reads well in colour and
as plain text in a pipe: one line per finding, never wrapped, so grep and diff work."""

from __future__ import annotations

import io
from decimal import Decimal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from klyngecli.findings import Finding, Severity, kr, pct
from klyngecli.model import Source
from klyngecli.report import Figures, FileResult, Report, Verdict, verdict_text
from klyngecli.reporters import Style

VERDICT_STYLE = {
    Verdict.PASSED: "bold white on green",
    Verdict.PASSED_WITH_WARNINGS: "bold black on yellow",
    Verdict.FAILED: "bold white on red",
    Verdict.UNREADABLE: "bold white on red",
}
SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
SOURCE_STYLE = ["blue", "magenta", "cyan", "green", "yellow", "bright_black", "white"]
BAR_WIDTH = 30

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
    },
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
        return key


def _header(result: FileResult, style: Style) -> Text:
    words = WORDS[style.lang]
    line = Text()
    line.append(result.path, style="bold")
    line.append("\n  ")
    line.append(result.applicant or f"{words['applicant']} {words['unknown']}")
    if result.cvr:
        line.append(f" (CVR {result.cvr})", style="dim")
    if result.grant:
        line.append(" · " + GRANT_NAMES.get(result.grant, result.grant))
    line.append("  ")
    line.append(
        f" {verdict_text(result.verdict, style.lang)} ", style=VERDICT_STYLE[result.verdict]
    )
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
            bar.append("█▓▒░"[i % 4] * cells, style=colour)
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
            line.append(f"  {figures.largest_sme_share_at}", style="dim")
        lines.append(line)
    return lines


def finding_line(finding: Finding, style: Style) -> Text:
    """`KL401 error SMV-samarbejder!H7  Tilskud is 74.3 % ...`, as cli.md writes it: one line,
    codes and severities not translated, so the same grep works in both languages."""
    line = Text()
    line.append(f"{finding.code} {finding.severity.value}", style=SEVERITY_STYLE[finding.severity])
    line.append(" ")
    line.append(finding.location or "-", style="bold")
    line.append("  " + finding.message(style.lang))
    return line


def _file(result: FileResult, style: Style, console: Console) -> None:
    console.print(_header(result, style))
    for line in _figures(result.figures, style):
        console.print(line, soft_wrap=not style.color)
    console.print()
    if style.color:
        # In a terminal a long message wraps within its own column, under itself.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column()
        for f in result.findings:
            colour = SEVERITY_STYLE[f.severity]
            grid.add_row(
                Text(f"  {f.code}", style=colour),
                Text(f.severity.value, style=colour),
                Text(f.location or "-", style="bold"),
                f.message(style.lang),
            )
        if result.findings:
            console.print(grid)
    else:
        for finding in result.findings:
            console.print(finding_line(finding, style), soft_wrap=True)
    if not result.findings:
        console.print(f"  {WORDS[style.lang]['no_findings']}", style="green")
    if style.verbose and result.rules_run:
        found = {f.code for f in result.findings}
        passed = [code for code in result.rules_run if code not in found]
        console.print(
            f"  {WORDS[style.lang]['passed_checks']}: {', '.join(passed)}",
            style="dim",
            soft_wrap=True,
        )
    console.print()


def _summary(report: Report, style: Style, console: Console) -> None:
    words = WORDS[style.lang]
    s = report.summary
    table = Table(title=words["summary"], show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row(words["files"], str(s.files))
    table.add_row(Text(words["passed"], style="green"), str(s.passed))
    table.add_row(Text(words["warnings"], style="yellow"), str(s.passed_with_warnings))
    table.add_row(Text(words["failed"], style="red"), str(s.failed))
    table.add_row(Text(words["unreadable"], style="red"), str(s.unreadable))
    table.add_row(words["skipped"], str(s.skipped))
    if s.codes:
        top = ", ".join(f"{code} ×{n}" for code, n in list(s.codes.items())[:5])
        table.add_row(words["codes"], top)
    console.print(table)


def render(report: Report, style: Style) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=style.color,
        no_color=not style.color,
        color_system="standard" if style.color else None,
        width=style.width,
        highlight=False,
        emoji=False,
    )
    if not style.quiet:
        for result in report.files:
            _file(result, style, console)
    if style.quiet or len(report.files) > 1 or report.summary.skipped:
        _summary(report, style, console)
    return buffer.getvalue()
