"""Markdown (`--format markdown`): a summary for a pull-request comment, in the report's language.

A heading with the number of files; a table of the verdicts (and skipped paths); a table of the
files that did not pass (path, verdict, applicant, DEB request), at most `MAX_FILES` rows; the
batch's DEB request against each pool; then, for the first `MAX_DETAILED` files that did not
pass, their findings as a list (code, `Sheet!Cell`, message), at most `MAX_FINDINGS` each. Every
cap ends with "and N more". With texts clipped to `MAX_TEXT` characters, a comment stays well
under GitHub's 65,536 characters whatever the batch holds.

Text from a workbook or a path is shown with control characters escaped (`shown()`), and the
characters Markdown or HTML would read (`\\`, backtick, `*`, `_`, `[`, `]`, `<`, `>`, `|`, `~`,
`&`, `#`, `@`, `{`, `}`, `$`) are backslash-escaped, so a name can neither break a table nor
become a link, an image, a tag, a mention or math.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TextIO

from klyngecli.findings import kr
from klyngecli.report import FileResult, Report, Verdict, verdict_text
from klyngecli.reporters import Style
from klyngecli.reporters.lines import message_text
from klyngecli.safetext import path_text, shown

MAX_FILES = 50
MAX_DETAILED = 10
MAX_FINDINGS = 10
MAX_TEXT = 120
_SIGNIFICANT = re.compile(r"([\\`*_\[\]<>|~&#@{}$])")

WORDS = {
    "da": {
        "checked": "filer kontrolleret",
        "verdict": "Resultat",
        "files": "Filer",
        "skipped": "Sprunget over",
        "new": "Nye siden sidst",
        "changed": "Ændrede siden sidst",
        "unchanged": "Uændrede",
        "interrupted": "Afbrudt: tallene gælder de filer, der blev kontrolleret.",
        "not_passed": "Filer, der ikke blev godkendt",
        "file": "Fil",
        "applicant": "Ansøger",
        "deb": "DEB-ansøgning",
        "pools": "Puljer",
        "grant": "Bevillingstype",
        "requested": "Ansøgt",
        "pool": "Pulje",
        "findings": "Fund",
        "more": "… og {n} flere",
    },
    "en": {
        "checked": "files checked",
        "verdict": "Verdict",
        "files": "Files",
        "skipped": "Skipped",
        "new": "New since the last run",
        "changed": "Changed since the last run",
        "unchanged": "Unchanged",
        "interrupted": "Interrupted: the counts are of the files checked until then.",
        "not_passed": "Files that did not pass",
        "file": "File",
        "applicant": "Applicant",
        "deb": "DEB request",
        "pools": "Pools",
        "grant": "Grant type",
        "requested": "Requested",
        "pool": "Pool",
        "findings": "Findings",
        "more": "… and {n} more",
    },
}


def escape(text: str | None, limit: int = MAX_TEXT) -> str:
    """Text from a file or a path as literal Markdown: clipped, controls shown, markup escaped."""
    if not text:
        return ""
    clipped = text if len(text) <= limit else text[: limit - 1] + "…"
    return _SIGNIFICANT.sub(r"\\\1", shown(clipped))


def _money(value: Decimal | None, lang: str) -> str:
    return "" if value is None else kr(value, lang)


def _table(header: list[str], rows: list[list[str]], right: int = 0) -> str:
    """A table; the last `right` columns are aligned right (amounts)."""
    align = ["---"] * (len(header) - right) + ["---:"] * right
    lines = [header, align, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines) + "\n\n"


def _details(result: FileResult, lang: str, words: dict[str, str]) -> str:
    lines = [f"#### {escape(path_text(result.path))}", ""]
    for finding in result.findings[:MAX_FINDINGS]:
        where = f" {escape(finding.location)}" if finding.location else ""
        lines.append(f"- **{finding.code}**{where}: {escape(message_text(finding, lang), 400)}")
    if len(result.findings) > MAX_FINDINGS:
        lines.append("- " + words["more"].format(n=len(result.findings) - MAX_FINDINGS))
    return "\n".join(lines) + "\n\n"


def render(report: Report, style: Style, out: TextIO) -> None:
    lang = report.lang
    words = WORDS["en" if lang == "en" else "da"]
    s = report.summary
    out.write(f"## klynge: {s.files} {words['checked']}\n\n")
    if s.interrupted:
        out.write(f"> {words['interrupted']}\n\n")
    counts = [
        (Verdict.PASSED, s.passed),
        (Verdict.PASSED_WITH_WARNINGS, s.passed_with_warnings),
        (Verdict.FAILED, s.failed),
        (Verdict.UNREADABLE, s.unreadable),
    ]
    rows = [[verdict_text(v, lang), str(n)] for v, n in counts] + [
        [words["skipped"], str(s.skipped)]
    ]
    if s.new or s.changed:  # a folder checked before: what arrived or changed since
        rows += [[words[mark], str(getattr(s, mark))] for mark in ("new", "changed", "unchanged")]
    out.write(_table([words["verdict"], words["files"]], rows, right=1))
    if s.not_passed:
        out.write(f"### {words['not_passed']}\n\n")
        rows = [
            [
                escape(path_text(line.path)),
                verdict_text(line.verdict, lang),
                escape(line.applicant),
                _money(line.deb_request, lang),
            ]
            for line in s.not_passed[:MAX_FILES]
        ]
        header = [words["file"], words["verdict"], words["applicant"], words["deb"]]
        out.write(_table(header, rows, right=1))
        if len(s.not_passed) > MAX_FILES:
            out.write(words["more"].format(n=len(s.not_passed) - MAX_FILES) + "\n\n")
    if s.pools:
        out.write(f"### {words['pools']}\n\n")
        rows = [
            [escape(p.grant), str(p.files), _money(p.requested, lang), _money(p.pool, lang)]
            for p in s.pools
        ]
        header = [words["grant"], words["files"], words["requested"], words["pool"]]
        out.write(_table(header, rows, right=3))
    if s.not_passed:
        out.write(f"### {words['findings']}\n\n")
        detailed = 0
        for result in report.files:
            if result.verdict is Verdict.PASSED:
                continue
            if detailed == MAX_DETAILED:
                out.write(words["more"].format(n=len(s.not_passed) - MAX_DETAILED) + "\n")
                break
            out.write(_details(result, lang, words))
            detailed += 1
