"""HTML (`--format html`): one self-contained page for one file or a whole batch.

The page loads nothing: the style sheet and the script (`html.css`, `html.js` beside this
module) are inline, the charts are inline SVG, and a Content-Security-Policy meta tag allows
exactly those two by their SHA-256 hashes and nothing else. First the call and the verdict
counts, then a table of all files (sortable and filterable by code when the script runs, and
plain without it), then a section per file: the verdict in words and colour, the key figures as
charts with their numbers in text beside them, and the findings. A print style sheet puts each
file on a page of its own.

Text from a workbook or a path goes through `shown()` (control characters escaped) and then
`html.escape`, so a name like `<script>` shows as text (cli.md decided item 4). The file
sections and the summary rows are written to spooled temporary files while `report.files` is
read once, so a batch of any size needs memory for one file at a time.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import tempfile
from datetime import datetime
from decimal import Decimal
from functools import cache
from html import escape
from importlib import resources
from typing import IO, TextIO

from klyngecli.findings import Finding, Severity, kr, pct
from klyngecli.model import Source
from klyngecli.plain import decimal_text
from klyngecli.report import Figures, FileResult, Report, Summary, Verdict, verdict_text
from klyngecli.reporters import Style
from klyngecli.reporters.text import GRANT_NAMES, SHORT_SOURCE, SKIP_REASONS
from klyngecli.safetext import path_text, shown

SPOOL_BYTES = 4 * 1024 * 1024  # past this a spool moves to disk

WORDS: dict[str, dict[str, str]] = {
    "da": {
        "title": "klynge-rapport",
        "overview": "Oversigt",
        "checked": "filer kontrolleret",
        "call": "Opslag",
        "deadline": "frist",
        "counts": "Resultater",
        "files_checked": "Filer kontrolleret",
        "passed": "Godkendt",
        "warnings": "Med advarsler",
        "failed": "Ikke godkendt",
        "unreadable": "Kan ikke læses",
        "skipped": "Sprunget over",
        "interrupted": "Afbrudt (Ctrl-C): tallene gælder de filer, der blev kontrolleret "
        "indtil da.",
        "all_files": "Alle filer",
        "file": "Fil",
        "verdict": "Resultat",
        "applicant": "Ansøger",
        "deb": "DEB-ansøgning",
        "findings": "Fund",
        "filter": "Vis filer med koden",
        "all_codes": "alle koder",
        "filter_status": "Viser {n} af {total} filer",
        "pools": "DEB-ansøgninger mod puljen",
        "grant": "Bevillingstype",
        "files": "Filer",
        "requested": "Ansøgt",
        "pool": "Pulje",
        "reason": "Årsag",
        "path": "Sti",
        "to_top": "Til oversigten",
        "unknown": "ukendt",
        "no_findings": "Ingen fund.",
        "code": "Kode",
        "severity": "Alvor",
        "cell": "Celle",
        "message": "Besked",
        "fix": "Rettelse",
        "figures": "Nøgletal",
        "mix": "Finansiering fordelt på kilder",
        "deb_chart": "DEB-ansøgning mod loftet",
        "of_cap": "af højst",
        "cap": "loft",
        "over_cap": "over loftet",
        "sme_chart": "Største SMV-andel mod loftet",
        "max": "højst",
        "over_ceiling": "over loftet",
        "total_costs": "Omkostninger i alt",
        "total_financing": "Finansiering i alt",
        "made_by": "Lavet af",
    },
    "en": {
        "title": "klynge report",
        "overview": "Overview",
        "checked": "files checked",
        "call": "Call",
        "deadline": "deadline",
        "counts": "Results",
        "files_checked": "Files checked",
        "passed": "Passed",
        "warnings": "With warnings",
        "failed": "Failed",
        "unreadable": "Unreadable",
        "skipped": "Skipped",
        "interrupted": "Interrupted (Ctrl-C): the counts are of the files checked until then.",
        "all_files": "All files",
        "file": "File",
        "verdict": "Verdict",
        "applicant": "Applicant",
        "deb": "DEB request",
        "findings": "Findings",
        "filter": "Show files with the code",
        "all_codes": "all codes",
        "filter_status": "Showing {n} of {total} files",
        "pools": "DEB requests against the pool",
        "grant": "Grant type",
        "files": "Files",
        "requested": "Requested",
        "pool": "Pool",
        "reason": "Reason",
        "path": "Path",
        "to_top": "To the overview",
        "unknown": "unknown",
        "no_findings": "No findings.",
        "code": "Code",
        "severity": "Severity",
        "cell": "Cell",
        "message": "Message",
        "fix": "Fix",
        "figures": "Key figures",
        "mix": "Financing by source",
        "deb_chart": "DEB request against the cap",
        "of_cap": "of at most",
        "cap": "cap",
        "over_cap": "over the cap",
        "sme_chart": "Largest SME share against the ceiling",
        "max": "max",
        "over_ceiling": "over the ceiling",
        "total_costs": "Total costs",
        "total_financing": "Total financing",
        "made_by": "Made by",
    },
}
# A symbol beside the words, so no verdict or severity is told by colour alone.
VERDICT_MARK = {
    Verdict.PASSED: "✓",
    Verdict.PASSED_WITH_WARNINGS: "!",
    Verdict.FAILED: "✗",
    Verdict.UNREADABLE: "✗",
}
VERDICT_RANK = {
    Verdict.PASSED: 0,
    Verdict.PASSED_WITH_WARNINGS: 1,
    Verdict.FAILED: 2,
    Verdict.UNREADABLE: 3,
}
SEVERITY_MARK = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "i"}

# The financing mix: the Okabe-Ito colours (told apart with most colour vision deficiencies),
# each with its own texture too, so the bar reads in grey print and without colour.
MIX_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
MIX_TEXTURES = (
    "",
    '<path d="M0 8L8 0" stroke="#fff" stroke-width="1.5"/>',
    '<circle cx="4" cy="4" r="1.4" fill="#fff"/>',
    '<path d="M0 4H8" stroke="#fff" stroke-width="1.5"/>',
    '<path d="M0 0L8 8" stroke="#fff" stroke-width="1.5"/>',
    '<path d="M4 0V8" stroke="#fff" stroke-width="1.5"/>',
    '<path d="M0 4H8M4 0V8" stroke="#000" stroke-width="1"/>',
)
CHART_WIDTH = 360
RED, BLUE, TRACK = "#cf222e", "#0072B2", "#eef1f4"


@cache
def _asset(name: str) -> str:
    return resources.files("klyngecli.reporters").joinpath(name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The CSP source expression that allows an inline element with exactly this text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy() -> str:
    """Nothing from anywhere, except this page's own style sheet and script."""
    return (
        f"default-src 'none'; style-src {csp_hash(_asset('html.css'))}; "
        f"script-src {csp_hash(_asset('html.js'))}; base-uri 'none'; form-action 'none'"
    )


def text(value: str | None) -> str:
    """Text from a file, safe in HTML content and in attribute values."""
    return escape(shown(value or ""), quote=True)


def _money(value: Decimal | None, lang: str) -> str:
    return kr(value, lang) if value is not None else ""


def _source_name(key: str, lang: str) -> str:
    try:
        return SHORT_SOURCE[lang][Source(key)]
    except (KeyError, ValueError):
        return shown(key)


def _verdict(verdict: Verdict, lang: str) -> str:
    return (
        f'<span class="verdict v-{verdict.value}"><span aria-hidden="true">'
        f"{VERDICT_MARK[verdict]}</span> {escape(verdict_text(verdict, lang))}</span>"
    )


def _moment(iso: str) -> str:
    """A date and time to the minute, `2024-08-13 12:00+02:00`; other text as it is."""
    try:
        return escape(datetime.fromisoformat(iso).isoformat(sep=" ", timespec="minutes"))
    except ValueError:
        return text(iso)


def _unbroken(figure: str) -> str:
    """Our own figure text, escaped, with no line break before its `%` or `kr.` (or after
    `DKK`)."""
    return (
        escape(figure)
        .replace(" %", "\u00a0%")
        .replace(" kr.", "\u00a0kr.")
        .replace("DKK ", "DKK\u00a0")
    )


def _codes(result: FileResult) -> str:
    return escape(" ".join(sorted({f.code for f in result.findings})), quote=True)


# --- the charts -------------------------------------------------------------------------------


def _x(value: Decimal, scale: Decimal) -> str:
    """A value's x coordinate on a chart whose full width is `scale`."""
    return f"{float(value / scale) * CHART_WIDTH:.1f}"


def _svg(ident: str, label: str, height: int, body: str) -> str:
    return (
        f'<svg role="img" aria-labelledby="{ident}" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="{CHART_WIDTH}" height="{height}"><title id="{ident}">{escape(label)}</title>'
        f"{body}</svg>"
    )


def _limit_chart(
    ident: str, label: str, value: Decimal, limit: Decimal, scale: Decimal, limit_text: str
) -> str:
    """A bar for `value` on a track to `scale`, a line at `limit`; red when over the limit."""
    at = _x(limit, scale)
    anchor = "end" if limit / scale > Decimal("0.5") else "start"
    nudge = -4 if anchor == "end" else 4
    body = (
        f'<rect x="0" y="20" width="{CHART_WIDTH}" height="22" fill="{TRACK}"/>'
        f'<rect x="0" y="20" width="{_x(value, scale)}" height="22" '
        f'fill="{RED if value > limit else BLUE}"/>'
        f'<line x1="{at}" y1="10" x2="{at}" y2="50" stroke="#1f2328" stroke-width="2" '
        f'stroke-dasharray="4 2"/>'
        f'<text x="{float(at) + nudge:.1f}" y="13" text-anchor="{anchor}">{escape(limit_text)}'
        "</text>"
    )
    return _svg(ident, label, 54, body)


def _deb(ident: str, figures: Figures, words: dict[str, str], lang: str) -> str:
    request, cap = figures.deb_request, figures.deb_cap
    if request is None:
        return ""
    line = kr(request, lang)
    chart = ""
    if cap is not None and cap > 0:
        line += f" {words['of_cap']} {kr(cap, lang)} ({pct(request / cap, lang)})"
        scale = max(request, cap) * Decimal("1.05")
        chart = _limit_chart(
            ident, line, max(request, Decimal(0)), cap, scale, f"{words['cap']} {kr(cap, lang)}"
        )
    over = f' <strong class="over">{words["over_cap"]}</strong>' if cap and request > cap else ""
    return (
        f"<figure><figcaption>{words['deb_chart']}</figcaption>{chart}"
        f"<p>{_unbroken(line)}{over}</p></figure>"
    )


def _sme(ident: str, figures: Figures, words: dict[str, str], lang: str) -> str:
    """The largest SME share only: the figures do not carry each collaboration's share."""
    if figures.largest_sme_share is None or figures.sme_ceiling is None:
        return ""
    share = Decimal(str(figures.largest_sme_share))
    ceiling = Decimal(str(figures.sme_ceiling))
    line = f"{pct(share, lang)} ({words['max']} {pct(ceiling, lang)})"
    scale = max(Decimal(1), share, ceiling)
    chart = _limit_chart(ident, line, max(share, Decimal(0)), ceiling, scale, pct(ceiling, lang))
    over = f' <strong class="over">{words["over_ceiling"]}</strong>' if share > ceiling else ""
    where = f" · {text(figures.largest_sme_share_at)}" if figures.largest_sme_share_at else ""
    return (
        f"<figure><figcaption>{words['sme_chart']}</figcaption>{chart}"
        f"<p>{_unbroken(line)}{over}{where}</p></figure>"
    )


def _swatch(index: int) -> str:
    return (
        '<svg viewBox="0 0 8 8" aria-hidden="true" focusable="false">'
        f'<rect width="8" height="8" fill="url(#mix-{index % len(MIX_COLOURS)})"/></svg>'
    )


def _mix(ident: str, figures: Figures, words: dict[str, str], lang: str) -> str:
    """The financing mix as one stacked bar, the sources in the same order in its legend."""
    sources = [(k, a) for k, a in figures.financing_by_source.items() if a is not None and a > 0]
    whole = sum((a for _, a in sources), Decimal(0))
    if whole <= 0:
        return ""
    bars, items, parts, start = [], [], [], Decimal(0)
    for i, (key, amount) in enumerate(sources):
        name = _source_name(key, lang)
        share = f"{name} {pct(amount / whole, lang)}"
        bars.append(
            f'<rect x="{_x(start, whole)}" y="0" width="{_x(amount, whole)}" height="28" '
            f'fill="url(#mix-{i % len(MIX_COLOURS)})" stroke="#fff" stroke-width="1">'
            f"<title>{escape(share)} ({kr(amount, lang)})</title></rect>"
        )
        items.append(f"<li>{_swatch(i)}{_unbroken(f'{share} ({kr(amount, lang)})')}</li>")
        parts.append(share)
        start += amount
    chart = _svg(ident, ", ".join(parts), 28, "".join(bars))
    return (
        f"<figure><figcaption>{words['mix']}</figcaption>{chart}"
        f'<ul class="legend">{"".join(items)}</ul></figure>'
    )


def _patterns() -> str:
    """The fills of the financing mix, defined once for every chart of the page."""
    patterns = "".join(
        f'<pattern id="mix-{i}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{colour}"/>{texture}</pattern>'
        for i, (colour, texture) in enumerate(zip(MIX_COLOURS, MIX_TEXTURES, strict=True))
    )
    return f'<svg class="defs" aria-hidden="true" focusable="false"><defs>{patterns}</defs></svg>'


# --- one file ---------------------------------------------------------------------------------


def _findings(result: FileResult, words: dict[str, str], lang: str) -> str:
    if not result.findings:
        return f"<p>{words['no_findings']}</p>"
    head = "".join(
        f'<th scope="col">{words[k]}</th>' for k in ("code", "severity", "cell", "message", "fix")
    )
    return (
        f'<table class="findings"><caption>{words["findings"]} ({len(result.findings)})'
        f"</caption><thead><tr>{head}</tr></thead><tbody>"
        + "".join(_finding_row(f, lang) for f in result.findings)
        + "</tbody></table>"
    )


def _finding_row(finding: Finding, lang: str) -> str:
    fix = "" if finding.fix is None else finding.fix.en if lang == "en" else finding.fix.da
    severity = finding.severity.value
    return (
        f'<tr><td>{text(finding.code)}</td><td class="sev sev-{severity}">'
        f'<span aria-hidden="true">{SEVERITY_MARK[finding.severity]}</span> '
        f"{finding.severity.word(lang)}</td><td>{text(finding.location) or '–'}</td>"
        f"<td>{text(finding.message(lang))}</td><td>{text(fix)}</td></tr>"
    )


def _section(index: int, result: FileResult, words: dict[str, str], lang: str) -> str:
    ident = f"f{index}"
    meta = [
        text(result.applicant) if result.applicant else f"{words['applicant']} {words['unknown']}"
    ]
    if result.cvr:
        meta.append(f"CVR {text(result.cvr)}")
    if result.grant:
        meta.append(escape(GRANT_NAMES.get(result.grant, shown(result.grant))))
    figures = result.figures
    charts = "".join(
        (
            _mix(f"{ident}-mix", figures, words, lang),
            _deb(f"{ident}-deb", figures, words, lang),
            _sme(f"{ident}-sme", figures, words, lang),
        )
    )
    totals = [
        f"<dt>{words[k]}</dt><dd>{kr(amount, lang)}</dd>"
        for k, amount in (
            ("total_costs", figures.total_costs),
            ("total_financing", figures.total_financing),
        )
        if amount is not None
    ]
    key_figures = ""
    if charts or totals:
        key_figures = (
            f"<h3>{words['figures']}</h3>"
            + (f'<dl class="totals">{"".join(totals)}</dl>' if totals else "")
            + (f'<div class="charts">{charts}</div>' if charts else "")
        )
    return (
        f'<section class="file" id="{ident}" aria-labelledby="{ident}-h" '
        f'data-codes="{_codes(result)}">'
        f'<h2 id="{ident}-h">{escape(path_text(result.path))}</h2>'
        f'<a class="top" href="#summary">{words["to_top"]}</a>'
        f'<p class="meta">{" · ".join(meta)}</p>'
        f"<p>{_verdict(result.verdict, lang)}</p>{key_figures}{_findings(result, words, lang)}"
        "</section>\n"
    )


def _row(index: int, result: FileResult, lang: str) -> str:
    """One file in the table of all files; `data-sort` where the text does not sort right."""
    request = result.figures.deb_request
    return (
        f'<tr data-codes="{_codes(result)}">'
        f'<th scope="row"><a href="#f{index}">{escape(path_text(result.path))}</a></th>'
        f'<td data-sort="{VERDICT_RANK[result.verdict]}">{_verdict(result.verdict, lang)}</td>'
        f"<td>{text(result.applicant)}</td><td>{text(result.cvr)}</td>"
        f'<td class="num" data-sort="{decimal_text(request) if request is not None else ""}">'
        f"{_money(result.figures.deb_request, lang)}</td>"
        f'<td class="num">{len(result.findings)}</td></tr>\n'
    )


# --- the page ---------------------------------------------------------------------------------


def _head(report: Report, words: dict[str, str]) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"en" if report.lang == "en" else "da"}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{words['title']}: {report.summary.files} {words['checked']}</title>\n"
        f"<style>{_asset('html.css')}</style>\n</head>\n<body>\n"
    )


def _counts(summary: Summary, words: dict[str, str]) -> str:
    rows = (
        ("files_checked", summary.files),
        ("passed", summary.passed),
        ("warnings", summary.passed_with_warnings),
        ("failed", summary.failed),
        ("unreadable", summary.unreadable),
        ("skipped", summary.skipped),
    )
    head = "".join(f'<th scope="col">{words[k]}</th>' for k, _ in rows)
    body = "".join(f"<td>{n}</td>" for _, n in rows)
    return (
        f'<table class="counts"><caption>{words["counts"]}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody><tr>{body}</tr></tbody></table>\n"
    )


def _filter(summary: Summary, words: dict[str, str]) -> str:
    options = "".join(
        f'<option value="{text(code)}">{text(code)} ({n})</option>'
        for code, n in summary.codes.items()
    )
    template = escape(words["filter_status"], quote=True)
    return (
        f'<p class="filter" hidden><label for="code-filter">{words["filter"]}</label>'
        f'<select id="code-filter"><option value="">{words["all_codes"]}</option>{options}'
        f'</select> <span id="filter-status" role="status" data-template="{template}"></span></p>'
    )


def _files_head(words: dict[str, str]) -> str:
    """The table of all files up to its rows; the script makes each header a sort button."""
    head = (
        f'<th scope="col">{words["file"]}</th><th scope="col" data-numeric>{words["verdict"]}</th>'
        f'<th scope="col">{words["applicant"]}</th><th scope="col">CVR</th>'
        f'<th scope="col" class="num" data-numeric>{words["deb"]}</th>'
        f'<th scope="col" class="num" data-numeric>{words["findings"]}</th>'
    )
    return (
        f'<table class="files" id="files"><caption>{words["all_files"]}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>\n"
    )


def _extras(summary: Summary, words: dict[str, str], lang: str) -> str:
    """The pools and the skipped paths, when there are any."""
    parts = []
    if summary.pools:
        rows = "".join(
            f'<tr><th scope="row">{escape(GRANT_NAMES.get(p.grant, shown(p.grant)))}</th>'
            f'<td class="num">{p.files}</td><td class="num">{_money(p.requested, lang)}</td>'
            f'<td class="num">{_money(p.pool, lang)}</td></tr>'
            for p in summary.pools
        )
        head = (
            f'<th scope="col">{words["grant"]}</th><th scope="col" class="num">{words["files"]}'
            f'</th><th scope="col" class="num">{words["requested"]}</th>'
            f'<th scope="col" class="num">{words["pool"]}</th>'
        )
        parts.append(
            f"<table><caption>{words['pools']}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    if summary.skipped_paths:
        rows = "".join(
            f'<tr><th scope="row">{escape(path_text(s.path))}</th><td>{_reason(s.reason, lang)}'
            "</td></tr>"
            for s in summary.skipped_paths
        )
        parts.append(
            f'<table><caption>{words["skipped"]}</caption><thead><tr><th scope="col">'
            f'{words["path"]}</th><th scope="col">{words["reason"]}</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    return "".join(parts)


def _reason(reason: str, lang: str) -> str:
    phrase = SKIP_REASONS.get(reason)
    return escape(phrase[1] if lang == "en" else phrase[0]) if phrase else text(reason)


def _spool() -> IO[str]:
    return tempfile.SpooledTemporaryFile(
        max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", newline="\n"
    )


def render(report: Report, style: Style, out: TextIO) -> None:
    """Write the page to `out`; report.files is read once, its rows and sections spooled."""
    lang = "en" if report.lang == "en" else "da"
    words = WORDS[lang]
    summary, call = report.summary, report.call
    with _spool() as rows, _spool() as sections:
        for index, result in enumerate(report.files, start=1):
            rows.write(_row(index, result, lang))
            sections.write(_section(index, result, words, lang))
        out.write(_head(report, words) + _patterns())
        out.write(
            f'<header><h1>{words["title"]}</h1><p class="call">{words["call"]}: '
            f"{text(call.title)} ({text(call.id)}), {words['deadline']} {_moment(call.deadline)}"
            '</p></header>\n<main>\n<section id="summary" aria-labelledby="summary-h">'
            f'<h2 id="summary-h">{words["overview"]}</h2>\n'
        )
        if summary.interrupted:
            out.write(f'<p class="notice">{words["interrupted"]}</p>\n')
        out.write(_counts(summary, words) + _filter(summary, words) + _files_head(words))
        rows.seek(0)
        shutil.copyfileobj(rows, out)
        out.write("</tbody></table>\n" + _extras(summary, words, lang) + "</section>\n")
        sections.seek(0)
        shutil.copyfileobj(sections, out)
    out.write(
        f'</main>\n<footer><p class="note">{words["made_by"]} {text(report.tool.name)} '
        f"{text(report.tool.version)}</p></footer>\n"
        f"<script>{_asset('html.js')}</script>\n</body>\n</html>\n"
    )
