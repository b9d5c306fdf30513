"""The CI formats (junit, sarif, github, csv, markdown) on a hand-built report, each read back by
a real parser of its format: junitparser, the official SARIF 2.1.0 schema, the documented
workflow-command syntax, csv.reader, and a CommonMark parser."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import pytest
from jsonschema import Draft4Validator
from junitparser import Failure, JUnitXml, Skipped
from markdown_it import MarkdownIt

from klyngecli.callspec import load_call
from klyngecli.explain import catalogue, rule_text
from klyngecli.findings import Finding, Fix, Severity
from klyngecli.report import (
    CallInfo,
    Figures,
    FileResult,
    PoolUse,
    Report,
    SkippedPath,
    ToolInfo,
    Verdict,
    summarise,
)
from klyngecli.reporters import FORMATS, Style, reporter
from klyngecli.reporters.csv import COLUMNS, FORMULA_START, neutralise
from klyngecli.reporters.github import escape_data, escape_property
from klyngecli.reporters.lines import finding_text
from klyngecli.reporters.markdown import MAX_DETAILED, MAX_FILES, MAX_FINDINGS
from klyngecli.safetext import path_text, shown

DATA = Path(__file__).parent / "data"
CI_FORMATS = ["junit", "sarif", "github", "csv", "markdown"]

HOSTILE_NAME = '=HYPERLINK("http://x","y")\x1b[2J[link=x]<b>*bold*</b>_`code`|\nNy linje =cmd'
HOSTILE_PATH = "indbakke/50%:rabat,a\nb\x1b[2J.xlsx"
BAD_PATH = os.fsdecode(b"indbakke/bad\xff.xlsx")
HOSTILE_SHEET = "Ark|<i>[x](y)"


class Once(Sequence[FileResult]):
    """A sequence a reporter may iterate once only, as the batch's spool on disk is meant."""

    def __init__(self, items: list[FileResult]) -> None:
        self.items = items
        self.used = False

    def __iter__(self) -> Iterator[FileResult]:
        assert not self.used, "the reporter iterated report.files twice"
        self.used = True
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> FileResult: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[FileResult]: ...
    def __getitem__(self, index: int | slice) -> FileResult | Sequence[FileResult]:
        raise AssertionError("the reporter indexed report.files")


def finding(
    code: str,
    severity: Severity,
    da: str,
    en: str,
    sheet: str | None = None,
    cell: str | None = None,
    **kw: Any,
) -> Finding:
    return Finding(
        code=code, severity=severity, sheet=sheet, cell=cell, message_da=da, message_en=en, **kw
    )


SME_FIX = Fix(
    amount=45000,
    target=700000,
    da="nedsæt Tilskud med 45.000 kr. til 700.000 kr.",
    en="reduce Tilskud by 45.000 kr. to 700.000 kr.",
)
RESULTS = [
    FileResult(
        path="indbakke/a-godkendt.xlsx",
        sha256="a" * 64,
        verdict=Verdict.PASSED,
        applicant="Klyngen for Grøn Energi",
        cvr="12345678",
        grant="basis",
        figures=Figures(deb_request=5_000_000),
        rules_run=["KL101", "KL102", "KL401"],
    ),
    FileResult(
        path="indbakke/b-smv.xlsx",
        sha256="b" * 64,
        verdict=Verdict.FAILED,
        applicant="Klyngen for Digital Sundhed",
        cvr="34905800",
        grant="innovation",
        figures=Figures(deb_request=18_100_000),
        rules_run=["KL101", "KL102", "KL304", "KL401"],
        findings=[
            finding(
                "KL401",
                Severity.ERROR,
                "Tilskud til Firma A er 74,5 % af FoU-omkostningerne (højst 70 %)",
                "Tilskud for Firma A is 74.5 % of the R&D costs (max 70 %)",
                "SMV-samarbejder",
                "H7",
                found=745000,
                limit=700000,
                fix=SME_FIX,
            ),
            finding(
                "KL304",
                Severity.WARNING,
                "Indirekte omkostninger over satsen",
                "Indirect costs above the flat rate",
                "Budget",
                "F12",
                found=-5,
            ),
        ],
    ),
    FileResult(
        path="indbakke/c-beskadiget.xlsx",
        sha256="c" * 64,
        verdict=Verdict.UNREADABLE,
        findings=[
            finding(
                "KL001",
                Severity.ERROR,
                "Filen kan ikke åbnes som regneark",
                "The file cannot be opened as a spreadsheet",
            )
        ],
    ),
    FileResult(
        path=HOSTILE_PATH,
        verdict=Verdict.PASSED_WITH_WARNINGS,
        applicant=HOSTILE_NAME,
        cvr="-2+3",
        grant="basis",
        rules_run=["KL303", "KL603"],
        findings=[
            finding(
                "KL603",
                Severity.WARNING,
                f"Ansøgeren {HOSTILE_NAME} angiver ikke udpegning",
                f"The applicant {HOSTILE_NAME} gives no designation",
                HOSTILE_SHEET,
                "B2",
                found="@SUM(A1)",
            ),
            finding("KL303", Severity.INFO, "Ingen privat kontant", "No private cash", "Fin"),
        ],
    ),
    FileResult(
        path=BAD_PATH,
        verdict=Verdict.FAILED,
        applicant="\tx",
        rules_run=["KL201"],
        findings=[
            finding(
                "KL201",
                Severity.ERROR,
                "DEB-ansøgningen er over loftet",
                "The DEB request is over the cap",
                "Finansiering",
                "E5:E9",
            )
        ],
    ),
]
SKIPPED = [
    SkippedPath(path="indbakke/~$a-godkendt.xlsx", reason="lock file"),
    SkippedPath(path="indbakke/noter.txt", reason="not a workbook"),
]


def report(
    results: list[FileResult] = RESULTS,
    lang: str = "en",
    fail_on: str = "error",
    skipped: list[SkippedPath] = SKIPPED,
    pools: list[PoolUse] | None = None,
) -> Report:
    summary = summarise(results, skipped=skipped)
    if pools:
        summary = summary.model_copy(update={"pools": pools})
    return Report(
        tool=ToolInfo(version="0.1.0"),
        call=CallInfo(id="klyngeprogram-2025-2028", title="Klyngeprogram", deadline="2024-08-13"),
        lang=lang,
        fail_on=fail_on,
        files=Once(results),
        summary=summary,
    )


def render(fmt: str, rep: Report | None = None) -> str:
    rep = rep or report()
    out = io.StringIO()
    assert reporter(fmt)(rep, Style(lang=rep.lang), out) is None
    text = out.getvalue()
    assert isinstance(text, str) and text
    text.encode("utf-8")  # strict: no lone surrogate from the non-UTF-8 path got through
    return text


def title(code: str) -> str:
    return catalogue()[code].title("en")


def strings(value: object) -> Iterator[str]:
    """Every string in a JSON document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


# --- all formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", CI_FORMATS)
def test_format_is_registered_and_streams_report_files_once(fmt: str) -> None:
    assert FORMATS[fmt][0] == f"klyngecli.reporters.{fmt}"
    rep = report()
    render(fmt, rep)
    assert isinstance(rep.files, Once) and rep.files.used


@pytest.mark.parametrize("fmt", CI_FORMATS)
def test_no_raw_control_character_from_a_file_reaches_the_output(fmt: str) -> None:
    text = render(fmt)
    assert "\x1b" not in text
    assert "\udcff" not in text
    # what a reader of the format sees: rendered Markdown, SARIF's strings decoded
    shown_text = {"markdown": MD.render, "sarif": lambda t: "\n".join(strings(json.loads(t)))}.get(
        fmt, str
    )(text)
    assert "\\x1b[2J" in shown_text  # shown, not dropped
    assert "bad\\xff.xlsx" in shown_text


# --- junit ------------------------------------------------------------------------------------


def junit(rep: Report) -> dict[str, Any]:
    """Suite name → (tests, failures, {case name: 'failure'|'passed'|'skipped'}, system-outs),
    as junitparser reads the document."""
    xml = JUnitXml.fromstring(render("junit", rep))
    suites: dict[str, Any] = {}
    for suite in xml:
        cases = {}
        outs = {}
        for case in suite:
            kinds = {type(r) for r in case.result}
            cases[case.name] = (
                "failure" if Failure in kinds else "skipped" if Skipped in kinds else "passed"
            )
            if case.system_out:
                outs[case.name] = case.system_out
            assert case.classname == suite.name
        assert suite.tests == len(cases)
        assert suite.failures == sum(kind == "failure" for kind in cases.values())
        suites[suite.name] = (suite.tests, suite.failures, cases, outs)
    return suites


def test_junit_has_a_suite_per_file_and_a_case_per_rule_that_ran() -> None:
    suites = junit(report())
    assert list(suites) == [*(path_text(r.path) for r in RESULTS), "klynge: skipped"]
    ok = suites["indbakke/a-godkendt.xlsx"]
    assert ok[:2] == (3, 0)
    assert set(ok[2]) == {
        f"KL101 {title('KL101')}",
        f"KL102 {title('KL102')}",
        f"KL401 {title('KL401')}",
    }
    tests, failures, cases, outs = suites["indbakke/b-smv.xlsx"]
    assert (tests, failures) == (4, 1)
    assert cases[f"KL401 {title('KL401')}"] == "failure"
    assert cases[f"KL304 {title('KL304')}"] == "passed"  # a warning, below --fail-on error
    assert outs[f"KL304 {title('KL304')}"] == "Budget!F12 Indirect costs above the flat rate"


def test_junit_failure_carries_type_message_and_the_fix() -> None:
    xml = JUnitXml.fromstring(render("junit", report()))
    suite = next(s for s in xml if s.name == "indbakke/b-smv.xlsx")
    case = next(c for c in suite if c.name.startswith("KL401"))
    (failure,) = case.result
    assert failure.type == "KL401"
    assert failure.message == (
        "SMV-samarbejder!H7 Tilskud for Firma A is 74.5 % of the R&D costs (max 70 %): "
        "reduce Tilskud by 45.000 kr. to 700.000 kr."
    )
    assert failure.text == failure.message


def test_junit_unreadable_file_is_one_failing_case() -> None:
    tests, failures, cases, _ = junit(report())["indbakke/c-beskadiget.xlsx"]
    assert (tests, failures) == (1, 1)
    assert cases == {f"KL001 {title('KL001')}": "failure"}


def test_junit_skipped_paths_are_skipped_cases() -> None:
    tests, failures, cases, _ = junit(report())["klynge: skipped"]
    assert (tests, failures) == (2, 0)
    assert cases == {"indbakke/~$a-godkendt.xlsx": "skipped", "indbakke/noter.txt": "skipped"}


@pytest.mark.parametrize(
    ("fail_on", "failing"),
    [
        pytest.param("error", {"KL401", "KL001", "KL201"}, id="error"),
        pytest.param("warning", {"KL401", "KL304", "KL001", "KL603", "KL201"}, id="warning"),
        pytest.param("info", {"KL401", "KL304", "KL001", "KL603", "KL303", "KL201"}, id="info"),
        pytest.param("never", set(), id="never"),
    ],
)
def test_junit_fails_the_cases_at_or_above_fail_on(fail_on: str, failing: set[str]) -> None:
    suites = junit(report(fail_on=fail_on))
    failed = {
        name.split()[0]
        for _, _, cases, _ in suites.values()
        for name, kind in cases.items()
        if kind == "failure"
    }
    assert failed == failing


def test_junit_hostile_names_stay_text() -> None:
    xml = JUnitXml.fromstring(render("junit", report()))
    suite = next(s for s in xml if s.name == path_text(HOSTILE_PATH))
    assert suite.name == "indbakke/50%:rabat,a\\nb\\x1b[2J.xlsx"
    props = {p.name: p.value for p in suite.properties()}
    assert props["applicant"] == shown(HOSTILE_NAME)
    assert props["verdict"] == "passed_with_warnings"
    bad = next(s for s in xml if s.name == "indbakke/bad\\xff.xlsx")
    assert bad.failures == 1


# --- sarif ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    return schema


def sarif(rep: Report | None = None) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render("sarif", rep))
    return document


URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def test_sarif_is_valid_against_the_official_schema(sarif_schema: dict[str, Any]) -> None:
    assert sarif_schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    validator = Draft4Validator(sarif_schema)
    for rep in (report(), report(lang="da"), report(results=[], skipped=[])):
        errors = [
            f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(sarif(rep))
        ]
        assert errors == []


def test_sarif_schema_rejects_what_it_should(sarif_schema: dict[str, Any]) -> None:
    """The shipped schema is the strict one: a misspelt property or level fails validation."""
    document = sarif()
    document["runs"][0]["results"][0]["level"] = "fatal"
    assert not Draft4Validator(sarif_schema).is_valid(document)
    document = sarif()
    document["runs"][0]["results"][0]["rule_id"] = "KL401"
    assert not Draft4Validator(sarif_schema).is_valid(document)


def test_sarif_rules_are_the_whole_catalogue_with_help() -> None:
    (run,) = sarif()["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("klyngecli", "0.1.0")
    assert driver["informationUri"] == "https://github.com/klyngecli/klyngecli"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(catalogue())
    kl401 = rules[list(catalogue()).index("KL401")]
    assert kl401["shortDescription"]["text"] == "SME grant above the ceiling"
    # The help text carries the call's numbers, never the template's placeholders.
    assert kl401["help"]["text"] == rule_text(catalogue()["KL401"], load_call(), "en")
    assert "70 %" in kl401["help"]["text"]
    assert not [r["id"] for r in rules if "{" in r["help"]["text"]]
    assert kl401["fullDescription"]["text"].startswith("What it does:")
    assert kl401["helpUri"] == (
        "https://github.com/klyngecli/klyngecli/blob/main/docs/rules.md#kl401"
    )
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert (levels["KL401"], levels["KL304"], levels["KL303"]) == ("error", "warning", "note")
    assert all(r["name"] and r["name"] != r["id"] for r in rules)


def test_sarif_helpuri_anchors_exist_in_the_rules_doc() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "rules.md").read_text("utf-8")
    anchors = {line[3:].strip().lower() for line in doc.splitlines() if line.startswith("## ")}
    (run,) = sarif()["runs"]
    missing = [r["id"] for r in run["tool"]["driver"]["rules"] if r["id"].lower() not in anchors]
    assert missing == []


def test_sarif_results_point_at_the_file_and_the_cell() -> None:
    (run,) = sarif()["runs"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["KL401", "KL304", "KL001", "KL603", "KL303", "KL201"]
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    kl401 = results[0]
    assert kl401["level"] == "error"
    assert kl401["message"]["text"] == (
        "Tilskud for Firma A is 74.5 % of the R&D costs (max 70 %): "
        "reduce Tilskud by 45.000 kr. to 700.000 kr."
    )
    (location,) = kl401["locations"]
    artifact = location["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "indbakke/b-smv.xlsx", "uriBaseId": "%SRCROOT%", "index": 1}
    assert run["artifacts"][artifact["index"]]["location"]["uri"] == "indbakke/b-smv.xlsx"
    assert location["logicalLocations"] == [
        {
            "name": "SMV-samarbejder!H7",
            "fullyQualifiedName": "indbakke/b-smv.xlsx#SMV-samarbejder!H7",
            "kind": "element",
        }
    ]
    region = location["physicalLocation"]["region"]  # H7: row 7, column 8 (endColumn exclusive)
    assert region == {"startLine": 7, "startColumn": 8, "endLine": 7, "endColumn": 9}
    assert kl401["properties"]["fix"] == {
        "amount": 45000,
        "target": 700000,
        "text": "reduce Tilskud by 45.000 kr. to 700.000 kr.",
    }
    assert (kl401["properties"]["found"], kl401["properties"]["limit"]) == (745000, 700000)
    assert "fixes" not in kl401
    kl001 = results[2]
    assert "logicalLocations" not in kl001["locations"][0]  # about the whole file
    assert "region" not in kl001["locations"][0]["physicalLocation"]
    assert [r["level"] for r in results[3:5]] == ["warning", "note"]
    fingerprints = [r["partialFingerprints"]["klyngecliFinding/v1"] for r in results]
    assert len(set(fingerprints)) == len(results)


def test_sarif_artifacts_and_uris() -> None:
    (run,) = sarif()["runs"]
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert uris == [
        "indbakke/a-godkendt.xlsx",
        "indbakke/b-smv.xlsx",
        "indbakke/c-beskadiget.xlsx",
        "indbakke/50%25%3Arabat%2Ca%0Ab%1B%5B2J.xlsx",
        "indbakke/bad%FF.xlsx",  # the byte itself, percent-encoded
    ]
    assert all(URI_CHARS.fullmatch(uri) for uri in uris)
    first = run["artifacts"][0]
    assert first["hashes"] == {"sha-256": "a" * 64}
    assert first["properties"]["verdict"] == "passed"
    assert run["artifacts"][3]["properties"]["applicant"] == shown(HOSTILE_NAME)
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == [
        "indbakke/~%24a-godkendt.xlsx",
        "indbakke/noter.txt",
    ]


def test_sarif_absolute_path_is_a_file_uri() -> None:
    path = str(Path("/srv/indbakke/æble.xlsx"))
    rep = report(results=[RESULTS[1].model_copy(update={"path": path})], skipped=[])
    (run,) = sarif(rep)["runs"]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": Path(path).as_uri(), "index": 0}
    assert artifact["uri"].endswith("/%C3%A6ble.xlsx")


def test_sarif_texts_follow_the_language() -> None:
    (run,) = sarif(report(lang="da"))["runs"]
    assert run["language"] == "da"
    assert run["results"][0]["message"]["text"].startswith("Tilskud til Firma A er 74,5 %")
    kl401 = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "KL401")
    assert kl401["help"]["text"] == rule_text(catalogue()["KL401"], load_call(), "da")


# --- github -----------------------------------------------------------------------------------

COMMAND = re.compile(r"::(?P<command>[a-z]+)(?: (?P<properties>[^:]*))?::(?P<message>.*)")


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the Actions runner reads it: `::name k=v,k=v::message`, the
    properties split at `,` and each at its first `=`, then unescaped."""
    match = COMMAND.fullmatch(line)
    assert match, line
    properties = {}
    for pair in (match["properties"] or "").split(","):
        key, _, value = pair.partition("=")
        properties[key] = unescape_property(value)
    return match["command"], properties, unescape_data(match["message"])


def test_github_escaping_follows_the_documented_rules() -> None:
    assert escape_data("50%\r\nx: a,b") == "50%25%0D%0Ax: a,b"
    assert escape_property("50%\r\nx: a,b") == "50%25%0D%0Ax%3A a%2Cb"
    for text in ["100%", "a%0Ab", "x:y,z", "\r\n", "%25"]:
        assert unescape_property(escape_property(text)) == text
        assert unescape_data(escape_data(text)) == text


def test_github_an_annotation_per_finding_that_the_runner_reads_back() -> None:
    lines = render("github").splitlines()
    findings = [(r, f) for r in RESULTS for f in r.findings]
    assert len(lines) == len(findings)
    for line, (result, f) in zip(lines, findings, strict=True):
        assert line.isprintable()
        command, properties, message = parse_command(line)
        assert command == {"error": "error", "warning": "warning", "info": "notice"}[f.severity]
        assert properties == {"file": path_text(result.path), "title": f.code}
        assert message == finding_text(f, "en")
    assert lines[0] == (
        "::error file=indbakke/b-smv.xlsx,title=KL401::SMV-samarbejder!H7 Tilskud for Firma A is "
        "74.5 %25 of the R&D costs (max 70 %25): reduce Tilskud by 45.000 kr. to 700.000 kr."
    )


def test_github_hostile_path_and_name_cannot_forge_a_command() -> None:
    lines = render("github").splitlines()
    hostile = [line for line in lines if "rabat" in line]
    assert len(hostile) == 2
    assert hostile[0].startswith(
        "::warning file=indbakke/50%25%3Arabat%2Ca\\nb\\x1b[2J.xlsx,title=KL603::"
    )
    _, properties, message = parse_command(hostile[0])
    assert properties["file"] == "indbakke/50%:rabat,a\\nb\\x1b[2J.xlsx"
    assert "\\nNy linje =cmd" in message  # the name's newline is shown, not a new line
    assert not any(line.startswith("Ny linje") for line in lines)
    assert "file=indbakke/bad\\xff.xlsx," in lines[-1]


# --- csv --------------------------------------------------------------------------------------


def csv_rows(rep: Report | None = None) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(render("csv", rep))))
    assert rows[0] == list(COLUMNS)
    assert all(len(row) == len(COLUMNS) for row in rows)
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


def test_csv_a_row_per_finding_and_one_per_file_without() -> None:
    rows = csv_rows()
    assert len(rows) == sum(max(1, len(r.findings)) for r in RESULTS)
    assert [(r["path"], r["code"]) for r in rows[:3]] == [
        ("indbakke/a-godkendt.xlsx", ""),
        ("indbakke/b-smv.xlsx", "KL401"),
        ("indbakke/b-smv.xlsx", "KL304"),
    ]
    assert rows[0]["verdict"] == "passed" and rows[0]["applicant"] == "Klyngen for Grøn Energi"
    kl401 = rows[1]
    assert kl401 | {} == {
        "path": "indbakke/b-smv.xlsx",
        "verdict": "failed",
        "change": "",  # no earlier run over this folder to compare with
        "applicant": "Klyngen for Digital Sundhed",
        "cvr": "34905800",
        "grant": "innovation",
        "code": "KL401",
        "severity": "error",
        "location": "SMV-samarbejder!H7",
        "message": "Tilskud for Firma A is 74.5 % of the R&D costs (max 70 %)",
        "fix": "reduce Tilskud by 45.000 kr. to 700.000 kr.",
        "found": "745000",
        "limit": "700000",
    }
    assert rows[2]["found"] == "-5"  # a number the checker computed stays a number
    unreadable = next(r for r in rows if r["path"] == "indbakke/c-beskadiget.xlsx")
    assert (unreadable["verdict"], unreadable["code"]) == ("unreadable", "KL001")


def test_csv_neutralises_formulas_from_the_workbook() -> None:
    rows = csv_rows()
    hostile = next(r for r in rows if r["code"] == "KL603")
    assert hostile["applicant"] == "'" + shown(HOSTILE_NAME)
    assert hostile["cvr"] == "'-2+3"
    assert hostile["found"] == "'@SUM(A1)"
    assert hostile["path"] == "indbakke/50%:rabat,a\\nb\\x1b[2J.xlsx"
    bad = next(r for r in rows if r["code"] == "KL201")
    assert bad["path"] == "indbakke/bad\\xff.xlsx"
    assert bad["applicant"] == "\\tx"  # the tab is shown, so it cannot start a formula
    for row in rows:
        for column, cell in row.items():
            assert cell.isprintable(), (column, cell)
            if column not in ("found", "limit"):
                assert not cell.startswith(FORMULA_START), (column, cell)


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        pytest.param('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")', id="equals"),
        pytest.param("-2+3", "'-2+3", id="minus"),
        pytest.param("+1", "'+1", id="plus"),
        pytest.param("@SUM(A1)", "'@SUM(A1)", id="at"),
        pytest.param("\tx", "'\tx", id="tab"),
        pytest.param("\rx", "'\rx", id="carriage-return"),
        pytest.param("Klynge = 1", "Klynge = 1", id="formula-char-inside-unchanged"),
        pytest.param("", "", id="empty-unchanged"),
    ],
)
def test_csv_neutralise(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


@pytest.mark.parametrize("name", ["-2+3", "@SUM(A1)", "+cmd", "=1+1", "\rx"])
def test_csv_hostile_applicant_of_a_file_without_findings(name: str) -> None:
    result = RESULTS[0].model_copy(update={"applicant": name})
    (row,) = csv_rows(report(results=[result], skipped=[]))
    assert row["applicant"] in ("'" + name, shown(name))
    assert not row["applicant"].startswith(FORMULA_START)


# --- markdown ---------------------------------------------------------------------------------

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def section(text: str, heading: str) -> list[str]:
    """The lines of a `### heading` section."""
    lines = text.split("### " + heading + "\n", 1)[1].split("\n### ", 1)[0]
    return lines.splitlines()


def cells(row: str) -> list[str]:
    return re.split(r"(?<!\\)\|", row)[1:-1]


def test_markdown_summary_tables() -> None:
    rep = report(pools=[PoolUse(grant="innovation", files=2, requested=41_100_000, pool=9e7)])
    text = render("markdown", rep)
    assert text.startswith("## klynge: 5 files checked\n")
    verdicts = text.split("\n\n")[1].splitlines()
    assert verdicts[2:] == [
        "| PASSED | 1 |",
        "| PASSED WITH WARNINGS | 1 |",
        "| FAILED | 2 |",
        "| FAILED (unreadable) | 1 |",
        "| Skipped | 2 |",
    ]
    table = [line for line in section(text, "Files that did not pass") if line.startswith("|")]
    assert len(table) - 2 == len(rep.summary.not_passed) == 4
    assert all(len(cells(row)) == 4 for row in table)
    assert [
        " indbakke/b-smv.xlsx ",
        " FAILED ",
        " Klyngen for Digital Sundhed ",
        " DKK 18,100,000 ",
    ] in [cells(row) for row in table]
    assert "| innovation | 2 | DKK 41,100,000 | DKK 90,000,000 |" in text
    findings = section(text, "Findings")
    assert (
        "- **KL401** SMV-samarbejder!H7: Tilskud for Firma A is 74.5 % of the R\\&D costs "
        "(max 70 %): reduce Tilskud by 45.000 kr. to 700.000 kr." in findings
    )
    assert "#### indbakke/a-godkendt.xlsx" not in text  # passed files have no details


def test_markdown_renders_hostile_text_as_text() -> None:
    text = render("markdown")
    html = MD.render(text)
    for tag in ("<a ", "<img", "<b>", "<i>", "<em>", "<strong>bold", "<code>code"):
        assert tag not in html
    assert "[link=x]" in html  # literal, and no link
    assert "&lt;b&gt;" in html and "&lt;i&gt;" in html
    assert "*bold*" in html and "`code`" in html
    tokens = MD.parse(text)
    rows = [t for t in tokens if t.type == "tr_open"]
    # the verdict table (1 + 5 rows) and the not-passed table (1 + 4 rows): no row split or added
    assert len(rows) == 6 + 5
    assert "#### indbakke/50%:rabat,a\\\\nb\\\\x1b\\[2J.xlsx\n" in text
    assert "#### indbakke/bad\\\\xff.xlsx\n" in text  # the escape's backslash, itself escaped


def test_markdown_caps_with_and_n_more() -> None:
    many = [
        RESULTS[1].model_copy(
            update={
                "path": f"indbakke/{i:03}.xlsx",
                "findings": RESULTS[1].findings[:1] * (MAX_FINDINGS + 5),
            }
        )
        for i in range(MAX_FILES + 10)
    ]
    text = render("markdown", report(results=many, skipped=[]))
    table = [line for line in section(text, "Files that did not pass") if line.startswith("|")]
    assert len(table) - 2 == MAX_FILES
    assert "… and 10 more" in section(text, "Files that did not pass")
    details = section(text, "Findings")
    assert sum(line.startswith("#### ") for line in details) == MAX_DETAILED
    assert sum(line.startswith("- **KL401**") for line in details) == MAX_DETAILED * MAX_FINDINGS
    assert details.count("- … and 5 more") == MAX_DETAILED
    assert f"… and {MAX_FILES + 10 - MAX_DETAILED} more" in details
    assert len(text) < 65_536


def test_markdown_in_danish() -> None:
    text = render("markdown", report(lang="da"))
    assert text.startswith("## klynge: 5 filer kontrolleret\n")
    assert "| IKKE GODKENDT (kan ikke læses) | 1 |" in text
    assert "### Filer, der ikke blev godkendt" in text
    assert "Tilskud til Firma A er 74,5 %" in text
