"""Issue 11: the report model keeps money exact and locations structured.

An øre amount read from a workbook stays the same Decimal in the FileResult, through pickling
(workers, the spool), the JSON report (a decimal string, valid against report-3), the result
cache and back. A finding on a range carries its first and last cell in the model
(`end_row`/`end_col`), in the JSON report (`range`) and in SARIF's `region`."""

from __future__ import annotations

import io
import json
import pickle
import sqlite3
from datetime import datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from klyngecli.cache import FILE_NAME, SCHEMA_ID, ResultCache
from klyngecli.callspec import load_call
from klyngecli.engine import Options, check_file
from klyngecli.findings import Finding, Fix, Severity
from klyngecli.model import Area, CellRef
from klyngecli.plain import decimal_text
from klyngecli.report import (
    CallInfo,
    Figures,
    FileResult,
    PoolUse,
    Report,
    ToolInfo,
    Verdict,
    result_from_json,
    result_json,
    summarise,
)
from klyngecli.reporters import Style, reporter
from klyngecli.rules.sme import no_collaborations
from tests.conftest import run_check
from tests.workbooks import App

CALL = load_call()
OPTIONS = Options(call=CALL, now=datetime(2024, 8, 1, 9, 0, tzinfo=CALL.zone))
DATA = Path(__file__).parent / "data"

# The clean application with two øre amounts: a budget line of 1.234.567,89 kr. (was 3.000.000)
# and a Regionalfonden line of 2.200.000,50 kr. (a DEB source): costs and financing then differ
# by øre too (KL102).
SALARY_2025 = Decimal("1234567.89")
ERDF_2025 = Decimal("2200000.50")
TOTAL_COSTS = Decimal("21363567.89")
TOTAL_FINANCING = Decimal("23129000.50")
DEB_REQUEST = Decimal("18000000.50")


def ore_app() -> App:
    app = App()
    app.budget_line("Løn").amounts[2025] = SALARY_2025
    app.financing_line("Regionalfonden").amounts[2025] = ERDF_2025
    return app


def report_schema() -> dict[str, Any]:
    text = resources.files("klyngecli").joinpath("schemas/report-3.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def report_of(results: list[FileResult]) -> Report:
    return Report(
        tool=ToolInfo(version="0.1.0"),
        call=CallInfo(id="klyngeprogram-2025-2028", title="Klyngeprogram", deadline="2024-08-13"),
        lang="en",
        fail_on="error",
        files=results,
        summary=summarise(results),
    )


def rendered(fmt: str, report: Report) -> str:
    out = io.StringIO()
    reporter(fmt)(report, Style(lang=report.lang), out)
    return out.getvalue()


def json_report(results: list[FileResult]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(rendered("json", report_of(results)))
    jsonschema.Draft202012Validator(report_schema()).validate(document)
    return document


def only(result: FileResult, code: str) -> Finding:
    (finding,) = [f for f in result.findings if f.code == code]
    return finding


# --- money --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param("9200000.00", "9200000", id="whole-kroner-read-to-the-øre"),
        pytest.param("9200000", "9200000", id="whole-kroner"),
        pytest.param("1234.5", "1234.50", id="øre-get-two-decimals"),
        pytest.param("1234.50", "1234.50", id="øre"),
        pytest.param("0.125", "0.125", id="more-decimals-kept-exactly"),
        pytest.param("1E+6", "1000000", id="no-exponent"),
        pytest.param("-1765432.11", "-1765432.11", id="negative"),
        pytest.param("-0.00", "0", id="no-negative-zero"),
        pytest.param("123456789012345.67", "123456789012345.67", id="more-digits-than-a-double"),
    ],
)
def test_decimal_text_is_exact_plain_notation(value: str, text: str) -> None:
    assert decimal_text(Decimal(value)) == text
    assert Decimal(text) == Decimal(value)


@pytest.fixture(scope="module")
def ore_result(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, FileResult]:
    path = ore_app().write(tmp_path_factory.mktemp("ore") / "ore.xlsx")
    return path, check_file(path, OPTIONS)


def test_an_ore_amount_stays_an_exact_decimal_in_the_file_result(
    ore_result: tuple[Path, FileResult],
) -> None:
    _, result = ore_result
    figures = result.figures
    assert (figures.total_costs, figures.total_financing) == (TOTAL_COSTS, TOTAL_FINANCING)
    assert figures.deb_request == DEB_REQUEST
    assert figures.financing_by_source["regionalfonden"] == Decimal("9700000.50")
    money = [figures.total_costs, figures.total_financing, figures.deb_request, figures.deb_cap]
    assert all(type(amount) is Decimal for amount in money)
    kl102 = only(result, "KL102")
    assert (kl102.found, kl102.limit) == (TOTAL_FINANCING, TOTAL_COSTS)
    assert kl102.fix is not None and kl102.fix.amount == TOTAL_FINANCING - TOTAL_COSTS
    assert type(kl102.found) is Decimal and type(kl102.fix.amount) is Decimal
    assert pickle.loads(pickle.dumps(result)) == result  # workers and the spool pickle it


def test_an_ore_amount_is_an_exact_string_in_the_json_report(
    ore_result: tuple[Path, FileResult],
) -> None:
    _, result = ore_result
    document = json_report([result])  # valid against report-3
    (file,) = document["files"]
    assert file["figures"]["total_costs"] == "21363567.89"
    assert file["figures"]["total_financing"] == "23129000.50"
    assert file["figures"]["deb_request"] == "18000000.50"
    assert file["figures"]["deb_cap"] == "23000000"  # whole kroner: no decimals
    assert file["figures"]["financing_by_source"]["regionalfonden"] == "9700000.50"
    (kl102,) = [f for f in file["findings"] if f["code"] == "KL102"]
    assert (kl102["found"], kl102["limit"]) == ("23129000.50", "21363567.89")
    assert (kl102["fix"]["amount"], kl102["fix"]["target"]) == ("1765432.61", "21363567.89")
    (line,) = document["summary"]["not_passed"]
    assert line["deb_request"] == "18000000.50"


def test_an_ore_amount_round_trips_through_the_cache(
    ore_result: tuple[Path, FileResult], tmp_path: Path
) -> None:
    path, result = ore_result
    with ResultCache(tmp_path) as cache:
        cache.put(path, OPTIONS, result)
    with ResultCache(tmp_path) as cache:
        back = cache.get(path, OPTIONS)
    assert back is not None
    assert back == result.model_copy(update={"path": ""})  # stored without the path
    assert back.figures.total_costs == TOTAL_COSTS and type(back.figures.total_costs) is Decimal
    kl102 = only(back, "KL102")
    assert type(kl102.found) is Decimal and kl102.found == TOTAL_FINANCING
    served = back.model_copy(update={"path": result.path})
    assert rendered("json", report_of([served])) == rendered("json", report_of([result]))


def test_the_cli_writes_the_same_exact_report_from_the_cache(tmp_path: Path) -> None:
    path = ore_app().write(tmp_path / "ore.xlsx")
    cache = tmp_path / "cache"
    first = run_check(path, "--cache-dir", cache, "--lang", "en")
    with sqlite3.connect(cache / FILE_NAME) as db:
        (stored,) = [row[0] for row in db.execute("SELECT result FROM results")]
    assert '{"decimal":"21363567.89"}' in stored
    second = run_check(path, "--cache-dir", cache, "--lang", "en")
    assert first.report == second.report
    jsonschema.Draft202012Validator(report_schema()).validate(second.report)
    (pool,) = second.report["summary"]["pools"]
    assert (pool["requested"], pool["pool"]) == ("18000000.50", "230000000")


def test_a_stored_decimal_is_never_read_back_as_text() -> None:
    """`found` may be a text (a CVR as written) or an amount: the stored form keeps them apart."""
    text_and_amount = [
        Finding(
            code="KL601", severity=Severity.ERROR, message_da="x", message_en="x", found="1234"
        ),
        Finding(
            code="KL102",
            severity=Severity.ERROR,
            message_da="x",
            message_en="x",
            found=Decimal("1234"),
            limit=Decimal("0.10"),
            fix=Fix.of(da="x", en="x", amount=Decimal("1233.90"), target=0),
        ),
    ]
    result = FileResult(path="", verdict=Verdict.FAILED, findings=text_and_amount)
    back = result_from_json(result_json(result))
    assert back == result
    assert [type(f.found) for f in back.findings] == [str, Decimal]
    assert back.findings[1].fix is not None and type(back.findings[1].fix.target) is Decimal
    bad = result_json(result).replace('"1234"}', '"NaN"}')
    with pytest.raises(ValueError, match="not a stored result"):
        result_from_json(bad)


def test_money_built_from_ints_or_floats_is_decimal_in_the_model() -> None:
    """A report built by hand (or a rule passing `target=0`) still holds Decimals, so every
    reporter reads money one way."""
    figures = Figures(deb_request=9_200_000, financing_by_source={"regionalfonden": 0.1})
    assert figures.deb_request == Decimal("9200000") and type(figures.deb_request) is Decimal
    assert figures.financing_by_source == {"regionalfonden": Decimal("0.1")}
    use = PoolUse(grant="basis", files=1, requested=9_200_000, pool=4e7)
    assert (use.requested, use.pool) == (Decimal(9_200_000), Decimal(40_000_000))
    assert Fix.of(da="x", en="x", target=0).target == Decimal(0)
    for not_money in ("9200000", True):  # a text or a flag is a bug, not an amount
        with pytest.raises(TypeError, match="not an amount"):
            Figures(deb_request=not_money)  # type: ignore[arg-type]


def test_the_schema_rejects_money_as_a_number_or_with_an_exponent(
    ore_result: tuple[Path, FileResult],
) -> None:
    _, result = ore_result
    validator = jsonschema.Draft202012Validator(report_schema())
    document = json_report([result])
    for wrong in (21363567.89, "2.136356789E+7", "21.363.567,89"):
        document["files"][0]["figures"]["total_costs"] = wrong
        assert not validator.is_valid(document), wrong


def test_csv_writes_the_exact_amount(ore_result: tuple[Path, FileResult]) -> None:
    _, result = ore_result
    rows = rendered("csv", report_of([result])).splitlines()
    (kl102,) = [row for row in rows if ",KL102," in row]
    assert kl102.endswith(",23129000.50,21363567.89")


# --- locations ----------------------------------------------------------------------------------


def test_a_finding_knows_the_first_and_last_cell_of_its_place() -> None:
    code = no_collaborations  # any declared code
    cell = code.finding(CellRef("Budget", 6, 7), "x", "y")
    assert (cell.cell, cell.row, cell.col, cell.end_row, cell.end_col) == ("H7", 6, 7, 6, 7)
    area = code.finding(Area("Budget", CellRef("Budget", 4, 0), CellRef("Budget", 4, 5)), "x", "y")
    assert (area.cell, area.row, area.col, area.end_row, area.end_col) == ("A5:F5", 4, 0, 4, 5)
    wide = code.finding(Area("B", CellRef("B", 0, 26), CellRef("B", 99, 701)), "x", "y")
    assert (wide.cell, wide.end_row, wide.end_col) == ("AA1:ZZ100", 99, 701)
    for nowhere in (code.finding("Budget", "x", "y"), code.finding(None, "x", "y")):
        assert (nowhere.end_row, nowhere.end_col, nowhere.span) == (-1, -1, None)


@pytest.fixture(scope="module")
def ranged(tmp_path_factory: pytest.TempPathFactory) -> FileResult:
    """KL402 on a rule's Area (the SMV-samarbejder header A1:I1), KL007 on a run the engine
    folds (three formulas without a result, C4:E4)."""
    folder = tmp_path_factory.mktemp("ranged")
    app = App(collaborations=[])
    for year in (2025, 2026, 2027):
        app.budget_line("Rejser").amounts[year] = "=50000*2"
    return check_file(app.write(folder / "ranged.xlsx"), OPTIONS)


def position(cell: str, row: int, column: int) -> dict[str, Any]:
    return {"cell": cell, "row": row, "column": column}


def test_a_range_finding_carries_its_first_and_last_cell_in_json(ranged: FileResult) -> None:
    assert (only(ranged, "KL402").cell, only(ranged, "KL007").cell) == ("A1:I1", "C4:E4")
    (file,) = json_report([ranged])["files"]
    findings = {f["code"]: f for f in file["findings"]}
    assert findings["KL402"]["location"] == "SMV-samarbejder!A1:I1"
    assert findings["KL402"]["range"] == {
        "first": position("A1", 1, 1),
        "last": position("I1", 1, 9),
    }
    assert findings["KL007"]["range"] == {
        "first": position("C4", 4, 3),
        "last": position("E4", 4, 5),
    }


def test_one_cell_is_a_range_of_one_and_no_cell_is_null(
    ore_result: tuple[Path, FileResult],
) -> None:
    _, result = ore_result
    one = Finding(
        code="KL304", severity="warning", sheet="Budget", cell="G8", row=7, col=6,
        message_da="x", message_en="x",
    )  # fmt: skip
    sheet = one.model_copy(update={"cell": None, "row": -1, "col": -1})
    whole_file = sheet.model_copy(update={"sheet": None})
    (file,) = json_report([result.model_copy(update={"findings": [one, sheet, whole_file]})])[
        "files"
    ]
    assert [f["range"] for f in file["findings"]] == [
        {"first": position("G8", 8, 7), "last": position("G8", 8, 7)},
        None,
        None,
    ]


def test_sarif_region_spans_the_range_and_validates(ranged: FileResult) -> None:
    document = json.loads(rendered("sarif", report_of([ranged])))
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)
    (run,) = document["runs"]
    regions = {
        r["ruleId"]: r["locations"][0]["physicalLocation"].get("region") for r in run["results"]
    }
    # Rows are lines, columns are columns, 1-based; SARIF's endColumn is one past the last.
    assert regions["KL402"] == {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 10}
    assert regions["KL007"] == {"startLine": 4, "startColumn": 3, "endLine": 4, "endColumn": 6}


def test_sarif_writes_amounts_as_exact_numbers(ore_result: tuple[Path, FileResult]) -> None:
    _, result = ore_result
    text = rendered("sarif", report_of([result]))
    (kl102,) = [r for r in json.loads(text)["runs"][0]["results"] if r["ruleId"] == "KL102"]
    assert kl102["properties"]["fix"]["amount"] == pytest.approx(1765432.61)
    assert '"found": 23129000.5,' in text and '"limit": 21363567.89,' in text
    assert '"amount": 1765432.61,' in text


def test_the_cache_of_an_earlier_form_is_emptied_without_a_warning(tmp_path: Path) -> None:
    path = ore_app().write(tmp_path / "ore.xlsx")
    warnings: list[str] = []
    with ResultCache(tmp_path / "cache", warn=warnings.append) as cache:
        cache.put(path, OPTIONS, check_file(path, OPTIONS))
        cache.changes([str(tmp_path)], [path], 1 << 30)
        cache.remember()
    with sqlite3.connect(tmp_path / "cache" / FILE_NAME) as db:
        db.execute("UPDATE meta SET value = 'klyngecli-cache/1' WHERE key = 'schema'")
    with ResultCache(tmp_path / "cache", warn=warnings.append) as cache:
        assert cache.get(path, OPTIONS) is None  # amounts stored as numbers: not served
        assert cache.changes([str(tmp_path)], [path], 1 << 30) == {path: "unchanged"}
    with sqlite3.connect(tmp_path / "cache" / FILE_NAME) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (SCHEMA_ID,)
    assert warnings == []


def test_a_found_amount_and_its_limit_are_of_one_kind(tmp_path: Path) -> None:
    """KL302: 2.000.000 kr. from Regionalfonden against a limit of 0 (the rule passes an int):
    both decimal strings in JSON, so a reader compares like with like."""
    sample = Path(__file__).parent.parent / "sample_budgets" / "basis-med-regionalfond.xlsx"
    result = check_file(sample, OPTIONS)
    (finding,) = [f for f in result.findings if f.code == "KL302"]
    assert finding.found == Decimal(2_000_000) and finding.limit == Decimal(0)
    assert isinstance(finding.limit, Decimal)
    written = finding.model_dump(mode="json")  # as the JSON report writes it
    assert (written["found"], written["limit"]) == ("2000000", "0")
