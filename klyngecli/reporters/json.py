"""The JSON report, schema `klyngecli/report/2` (klyngecli/schemas/report-2.schema.json).

Written file by file as the batch yields them, so a report of thousands of files is never one
string in memory; the bytes are those of `json.dumps(document, indent=2)`. Money in `figures`,
`found`, `limit` and `fix` is a number of kroner; the exact value is also given as a decimal
string where the report says `*_exact` (see docs/report.md)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from klyngecli.findings import Finding
from klyngecli.report import FileResult, Report
from klyngecli.reporters import Style

_FILES = "\x00files\x00"  # a placeholder no JSON text can contain unescaped


def finding_dict(finding: Finding, path: str) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "file": path,
        "location": finding.location or None,
        "sheet": finding.sheet,
        "cell": finding.cell,
        "message": {"da": finding.message_da, "en": finding.message_en},
        "found": finding.found,
        "limit": finding.limit,
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
