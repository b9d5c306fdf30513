"""SARIF 2.1.0 (`--format sarif`) for code-scanning tools: one run of the tool `klyngecli`.

- `tool.driver.rules`: every code of the catalogue, in code order: `id`, `name` (the English
  title in CamelCase), `shortDescription` (the title), `fullDescription` (the rule doc's first
  paragraph), `help` (the whole text of `klynge explain`), `helpUri` (docs/rules.md on GitHub,
  anchor = the code in lower case: `.../docs/rules.md#kl401`), `defaultConfiguration.level`
  (error → `error`, warning → `warning`, info → `note`). Texts are in the report's language.
- `results`: a result per finding: `ruleId`, `ruleIndex`, `level`, `message.text` (the message,
  with the fix when the message does not already say it), the file as `physicalLocation`
  (`artifactLocation.uri` the path as given, percent-encoded, relative to `%SRCROOT%`; an
  absolute path is a `file:` URI) and `Sheet!Cell` as a logical location (`kind` `element`,
  `fullyQualifiedName` `PATH#Sheet!Cell`). The cell or range is also the physical location's
  `region`, rows as lines and columns as columns, 1-based as Excel shows them: `startLine`/
  `startColumn` the first cell, `endLine` the last cell's row and `endColumn` one past its
  column (SARIF's `endColumn` is exclusive), so `A5:F5` is lines 5-5, columns 1-7. SARIF fixes
  need byte regions, which a workbook has not, so the fix is in the message and in
  `properties.fix` (amount, target, text), with `found` and `limit`; an amount is a JSON number
  whose text is the exact amount (`9200000`, `1234.5`), or the JSON report's decimal string
  where no double can hold it exactly. `partialFingerprints` identify a finding by code, path
  and cell, so a code-scanning service does not hash lines of a binary file to track it.
- `artifacts`: each checked file with its SHA-256 and, in `properties`, its verdict, applicant,
  CVR and grant. Skipped paths are `toolExecutionNotifications` of the one invocation.

Plain dicts and `json`, validated in the tests against the official OASIS schema: the object
model `sarif-om` adds classes but no validation, and has had no release since 2019.
Written as the batch yields files: results stream; the artifacts are kept in a spool that goes
to disk past 1 MiB. Deterministic: no timestamps.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePath
from typing import Any, TextIO
from urllib.parse import quote

from klyngecli.callspec import Call, load_call
from klyngecli.explain import catalogue, rule_text
from klyngecli.findings import Code, Finding, Scalar, Severity
from klyngecli.plain import decimal_text
from klyngecli.report import FileResult, Report
from klyngecli.reporters import Style
from klyngecli.reporters.lines import message_text
from klyngecli.safetext import path_text, shown

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/klyngecli/klyngecli"
RULES_DOC_URI = INFORMATION_URI + "/blob/main/docs/rules.md"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "klyngecliFinding/v1"
_RESULTS, _ARTIFACTS = "\x00results\x00", "\x00artifacts\x00"  # placeholders no JSON text holds


def artifact_location(path: str) -> dict[str, str]:
    """The path as a URI reference: relative to %SRCROOT% as given, or an absolute file URI;
    a byte of a name that was not UTF-8 is percent-encoded as itself."""
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": pure.as_uri()}
    return {"uri": quote(os.fsencode(pure.as_posix())), "uriBaseId": "%SRCROOT%"}


def _rule(code: Code, call: Call, lang: str) -> dict[str, Any]:
    text = rule_text(code, call, lang)
    return {
        "id": code.code,
        "name": "".join(w[:1].upper() + w[1:] for w in re.findall(r"\w+", code.title_en)),
        "shortDescription": {"text": code.title(lang)},
        "fullDescription": {"text": " ".join(text.split("\n\n")[0].split())},
        "help": {"text": text},
        "helpUri": f"{RULES_DOC_URI}#{code.code.lower()}",
        "defaultConfiguration": {"level": LEVEL[code.severity]},
    }


def _number(value: Scalar) -> Scalar:
    """A Decimal as a JSON number that writes it exactly (`1234.5`), else as the JSON report's
    decimal string (more digits than a double holds); text shown safely (a path that is not
    UTF-8, KL204's other file, holds lone surrogates no UTF-8 writer takes); any other value as
    it is."""
    if isinstance(value, str):
        return shown(value)
    if not isinstance(value, Decimal):
        return value
    if value == value.to_integral_value():
        return int(value)
    near = float(value)
    return near if Decimal(repr(near)) == value else decimal_text(value)


def region(finding: Finding) -> dict[str, int] | None:
    """The finding's cell or range as a SARIF region (1-based; `endColumn` exclusive)."""
    span = finding.span
    if span is None:
        return None
    (row, col), (end_row, end_col) = span
    return {
        "startLine": row + 1,
        "startColumn": col + 1,
        "endLine": end_row + 1,
        "endColumn": end_col + 2,
    }


def _result(
    finding: Finding, path: str, index: int, rules: dict[str, int], lang: str
) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {**artifact_location(path), "index": index}}
    if (cells := region(finding)) is not None:
        physical["region"] = cells
    location: dict[str, Any] = {"physicalLocation": physical}
    shown_path, cell = path_text(path), shown(finding.location)
    if cell:
        location["logicalLocations"] = [
            {"name": cell, "fullyQualifiedName": f"{shown_path}#{cell}", "kind": "element"}
        ]
    fingerprint = hashlib.sha256(f"{finding.code}\0{shown_path}\0{cell}".encode()).hexdigest()
    result: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in rules:
        result["ruleIndex"] = rules[finding.code]
    fix = finding.fix
    result |= {
        "level": LEVEL[finding.severity],
        "message": {"text": message_text(finding, lang)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: fingerprint},
        "properties": {
            "found": _number(finding.found),
            "limit": _number(finding.limit),
            "fix": None
            if fix is None
            else {
                "amount": _number(fix.amount),
                "target": _number(fix.target),
                "text": shown(fix.en if lang == "en" else fix.da),  # may name a path
            },
        },
    }
    return result


def _artifact(result: FileResult) -> dict[str, Any]:
    artifact: dict[str, Any] = {
        "location": artifact_location(result.path),
        "roles": ["analysisTarget"],
    }
    if result.sha256:
        artifact["hashes"] = {"sha-256": result.sha256}
    artifact["properties"] = {
        "verdict": result.verdict.value,
        "applicant": None if result.applicant is None else shown(result.applicant),
        "cvr": None if result.cvr is None else shown(result.cvr),
        "grant": result.grant,
        "change": result.change,
    }
    return artifact


def _array(out: TextIO, items: Iterable[object], indent: str) -> None:
    """A JSON array written item by item, indented as `json.dumps(indent=2)` would."""
    separator = "\n" + indent + "  "
    out.write("[")
    empty = True
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", separator)
        out.write(("" if empty else ",") + separator + text)
        empty = False
    out.write("]" if empty else "\n" + indent + "]")


def render(report: Report, style: Style, out: TextIO) -> None:
    codes = catalogue()
    call = report.spec or load_call()
    rules = {code: index for index, code in enumerate(codes)}
    summary = report.summary
    run = {
        "tool": {
            "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(code, call, report.lang) for code in codes.values()],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not summary.interrupted,
                "toolExecutionNotifications": [
                    {
                        "level": "note",
                        "message": {"text": shown(skipped.reason)},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": artifact_location(skipped.path)
                                }
                            }
                        ],
                    }
                    for skipped in summary.skipped_paths
                ],
            }
        ],
        "language": report.lang,
        "originalUriBaseIds": {
            "%SRCROOT%": {"description": {"text": "The folder klynge was run in."}}
        },
        "results": _RESULTS,
        "artifacts": _ARTIFACTS,
        "properties": {"call": report.call.model_dump(mode="json"), "failOn": report.fail_on},
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    text = json.dumps(document, ensure_ascii=False, indent=2)
    head, _, rest = text.partition(json.dumps(_RESULTS))
    middle, _, tail = rest.partition(json.dumps(_ARTIFACTS))
    line = head.rsplit("\n", 1)[1]  # '      "results": '
    indent = line[: len(line) - len(line.lstrip(" "))]
    with tempfile.SpooledTemporaryFile(1 << 20, mode="w+", encoding="utf-8") as artifacts:
        out.write(head)

        def results() -> Iterable[dict[str, Any]]:
            for index, result in enumerate(report.files):
                artifacts.write(json.dumps(_artifact(result)) + "\n")  # ASCII: one line each
                for finding in result.findings:
                    yield _result(finding, result.path, index, rules, report.lang)

        _array(out, results(), indent)
        out.write(middle)
        artifacts.seek(0)
        _array(out, (json.loads(row) for row in artifacts), indent)
    out.write(tail)
