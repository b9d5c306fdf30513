"""The JSON report, schema `klyngecli/report/3` (klyngecli/schemas/report-3.schema.json).

Written file by file as the batch yields them, so a report of thousands of files is never one
string in memory; the bytes are those of `json.dumps(document, indent=2)`. Money (`figures`,
`fix`, the summary's `deb_request` and pools, and `found`/`limit` where they are amounts) is a
decimal string of exact kroner in plain notation, `"9200000"` or `"1234.50"` (`decimal_text`),
so no reader turns it into a binary float. A finding's `range` gives its first and last cell
with the 1-based row and column Excel shows (see docs/report.md)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from klyngecli.findings import Finding
from klyngecli.model import column_letters
from klyngecli.plain import jsonable
from klyngecli.report import FileResult, Report
from klyngecli.reporters import Style

_FILES = "\x00files\x00"  # a placeholder no JSON text can contain unescaped


def _cell(row: int, col: int) -> dict[str, Any]:
    return {"cell": f"{column_letters(col)}{row + 1}", "row": row + 1, "column": col + 1}


def cell_range(finding: Finding) -> dict[str, Any] | None:
    """`{"first": {"cell": "A5", "row": 5, "column": 1}, "last": {...}}`; None without a cell."""
    span = finding.span
    if span is None:
        return None
    (row, col), (end_row, end_col) = span
    return {"first": _cell(row, col), "last": _cell(end_row, end_col)}


def finding_dict(finding: Finding, path: str) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "file": path,
        "location": finding.location or None,
        "sheet": finding.sheet,
        "cell": finding.cell,
        "range": cell_range(finding),
        "message": {"da": finding.message_da, "en": finding.message_en},
        "found": jsonable(finding.found),
        "limit": jsonable(finding.limit),
        "fix": finding.fix.model_dump(mode="json") if finding.fix else None,
    }


def file_dict(result: FileResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "sha256": result.sha256,
        "content_hash": result.content_hash,
        "verdict": result.verdict.value,
        "applicant": result.applicant,
        "cvr": result.cvr,
        "grant": result.grant,
        "figures": result.figures.model_dump(mode="json"),
        "rules_run": result.rules_run,
        "findings": [finding_dict(f, result.path) for f in result.findings],
        "change": result.change,
    }


def _dumps(value: object) -> str:
    # A path that was not UTF-8 holds lone surrogates; ensure_ascii writes them as \udcxx
    # escapes, which every JSON parser reads, where a UTF-8 encoder would fail.
    return json.dumps(value, ensure_ascii=False, indent=2)


def _safe(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def render(report: Report, style: Style, out: TextIO) -> None:
    document = {
        "schema": report.schema_id,
        "tool": report.tool.model_dump(mode="json"),
        "call": report.call.model_dump(mode="json"),
        "lang": report.lang,
        "fail_on": report.fail_on,
        "files": _FILES,
        "summary": report.summary.model_dump(mode="json"),
    }
    head, _, tail = _safe(_dumps(document)).partition(json.dumps(_FILES))
    out.write(head)
    out.write("[")
    separator = "\n    "
    for result in report.files:
        out.write(separator + _safe(_dumps(file_dict(result))).replace("\n", "\n    "))
        separator = ",\n    "
    out.write("]" if separator == "\n    " else "\n  ]")
    out.write(tail + "\n")
