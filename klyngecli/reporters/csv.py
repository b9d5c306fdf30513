"""CSV (`--format csv`): a row per finding, safe to open in a spreadsheet.

Columns (the header row names them, in English, stable across `--lang`, like the JSON keys):
`path, verdict, applicant, cvr, grant, code, severity, location, message, fix, found, limit`.
`verdict` and `severity` are the JSON report's values (`failed`, `error`), so a filter works in
both languages; `message` and `fix` are in the report's language. A file without findings still
gets one row, its code columns empty, so a caseworker sorting the sheet sees every file; an
unreadable file has its KL0xx row. Skipped paths are not rows: the summary names them.

Spreadsheet safety (OWASP "CSV injection"): a text cell that begins with `=`, `+`, `-`, `@`,
tab or CR gets a leading `'`, so Excel and LibreOffice show it as text instead of running it as
a formula. Numbers the checker computed (`found`, `limit`) are written as numbers, never
neutralised; an amount exactly, as the JSON report writes it (`9200000`, `1234.50`). Text from
a workbook or a path goes through `shown()` first (no control character reaches a cell raw).
The stdlib `csv` writer quotes as RFC 4180 asks; lines end in `\\n` (a text stream on Windows
adds its own CR); no byte-order mark, so scripts read the header as written: in Excel open it
through Data → From Text/CSV, which reads UTF-8 and commas whatever the locale.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import TextIO

from klyngecli.findings import Finding, Scalar
from klyngecli.plain import decimal_text
from klyngecli.report import FileResult, Report
from klyngecli.reporters import Style
from klyngecli.safetext import path_text, shown

COLUMNS = (
    "path",
    "verdict",
    "change",
    "applicant",
    "cvr",
    "grant",
    "code",
    "severity",
    "location",
    "message",
    "fix",
    "found",
    "limit",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A cell a spreadsheet will not read as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _text(value: str | None) -> str:
    return "" if value is None else neutralise(shown(value))


def _value(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, int | float):
        return str(value)
    return _text(value)


def _file_cells(result: FileResult) -> list[str]:
    return [
        neutralise(path_text(result.path)),
        result.verdict.value,
        result.change or "",
        _text(result.applicant),
        _text(result.cvr),
        _text(result.grant),
    ]


def _finding_cells(finding: Finding, lang: str) -> list[str]:
    fix = "" if finding.fix is None else finding.fix.en if lang == "en" else finding.fix.da
    return [
        finding.code,
        finding.severity.value,
        _text(finding.location),
        _text(finding.message(lang)),
        _text(fix),
        _value(finding.found),
        _value(finding.limit),
    ]


def render(report: Report, style: Style, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for result in report.files:
        cells = _file_cells(result)
        if not result.findings:
            writer.writerow(cells + [""] * (len(COLUMNS) - len(cells)))
        for finding in result.findings:
            writer.writerow(cells + _finding_cells(finding, report.lang))
