"""The JSON report, schema `klyngecli/report/1` (klyngecli/schemas/report-1.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from klyngecli.findings import Finding
from klyngecli.report import FileResult, Report
from klyngecli.reporters import Style


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
        "verdict": result.verdict.value,
        "applicant": result.applicant,
        "cvr": result.cvr,
        "grant": result.grant,
        "figures": result.figures.model_dump(mode="json"),
        "rules_run": result.rules_run,
        "findings": [finding_dict(f, result.path) for f in result.findings],
    }


def render(report: Report, style: Style) -> str:
    document = {
        "schema": report.schema_id,
        "tool": report.tool.model_dump(mode="json"),
        "call": report.call.model_dump(mode="json"),
        "lang": report.lang,
        "fail_on": report.fail_on,
        "files": [file_dict(r) for r in report.files],
        "summary": report.summary.model_dump(mode="json"),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
