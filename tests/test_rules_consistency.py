"""Consistency rules KL101-KL106 (rules.md "Consistency — KL1xx"), through the real CLI.

The boundary cases of these codes are tested on hand-built models in
tests/test_rules_model_consistency.py. This module keeps one end-to-end case per code and side of
its boundary (the found case asserting its Sheet!Cell or range, money, messages and fix as the
JSON report prints them), and the cases that need a real workbook or the CLI: the clean starting
points (layouts, a unit), øre written in a cell, totals rows under each label variant on each
sheet and never counted as costs or financing, SMV-samarbejder's totals row, a financing row left
out, blank cells, a basis application, `Enhed` (1.000 kr., kr., no row) and the scaling it
implies, and --fail-on.

Every test starts from a clean application (no findings) and changes one thing, so the whole
set of codes is asserted, not just the presence of one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import assert_messages, check, money
from tests.workbooks import (
    App,
    Built,
    CellValue,
    Layout,
    Line,
    basis_app,
    innovation_app,
)


def assert_money_finding(
    finding: dict[str, Any],
    *,
    severity: str,
    found: object,
    limit: object,
    fix_amount: object,
    fix_target: object,
) -> None:
    assert finding["severity"] == severity
    assert money(finding["found"]) == found
    assert money(finding["limit"]) == limit
    assert finding["fix"] is not None
    assert money(finding["fix"]["amount"]) == fix_amount
    assert money(finding["fix"]["target"]) == fix_target
    assert finding["fix"]["da"].strip() and finding["fix"]["en"].strip()
    assert_messages(finding)


# --- the starting points are clean ---------------------------------------------------------


@pytest.mark.parametrize(
    "app",
    [
        pytest.param(App(), id="innovation"),
        pytest.param(innovation_app(3), id="innovation-seed-3"),
        pytest.param(basis_app(), id="basis"),
        pytest.param(replace(App(), layout=Layout(sme_totals_row=True)), id="sme-totals-row"),
        pytest.param(replace(App(), unit="1.000 kr."), id="unit-1000-kr"),
    ],
)
def test_clean_applications_have_no_findings(tmp_path: Path, app: App) -> None:
    result = check(tmp_path, app)
    assert result.codes == []
    assert result.exit_code == 0


# --- KL101: a stated total differs from the sum of its parts -------------------------------


@pytest.mark.parametrize(
    ("stated", "codes"),
    [
        pytest.param(400_001, [], id="1-kr-over-ok"),
        pytest.param(399_999, [], id="1-kr-under-ok"),
        pytest.param(Decimal("400001.01"), ["KL101"], id="1.01-kr-over-fails"),
        pytest.param(Decimal("399998.99"), ["KL101"], id="1.01-kr-under-fails"),
    ],
)
def test_kl101_budget_row_total_tolerance(
    tmp_path: Path, stated: CellValue, codes: list[str]
) -> None:
    app = App()
    app.budget_line("Rejser").total = stated  # the year cells sum to 400.000 kr.
    result = check(tmp_path, app)
    assert result.codes == codes
    assert result.exit_code == (1 if codes else 0)


def test_kl101_budget_row_total_wrong(tmp_path: Path) -> None:
    app = App()
    app.budget_line("Rejser").total = 390_000  # the year cells sum to 400.000 kr.
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL101"]
    assert result.exit_code == 1
    finding = result.only("KL101")
    assert finding["location"] == built.ref("Budget", "Rejser", "I alt") == "Budget!G4"
    assert_money_finding(
        finding,
        severity="error",
        found=390_000,
        limit=400_000,
        fix_amount=10_000,
        fix_target=400_000,
    )


def test_kl101_budget_row_total_off_by_fraction(tmp_path: Path) -> None:
    app = App()
    app.budget_line("Rejser").total = Decimal("400001.01")
    built = app.build()
    finding = check(tmp_path, built).only("KL101")
    assert finding["location"] == built.ref("Budget", "Rejser", "I alt")
    assert money(finding["found"]) == Decimal("400001.01")
    assert money(finding["limit"]) == 400_000
    assert money(finding["fix"]["amount"]) == Decimal("1.01")
    assert money(finding["fix"]["target"]) == 400_000


@pytest.mark.parametrize("label", ["I alt", "Total", "Sum", "Samlet"])
@pytest.mark.parametrize(
    ("role", "col", "right"),
    [
        pytest.param("Budget", 2026, 6_170_000, id="budget-2026"),
        pytest.param("Budget", "I alt", 23_129_000, id="budget-total"),
        pytest.param("Finansiering", 2028, 5_519_000, id="financing-2028"),
        pytest.param("Finansiering", "I alt", 23_129_000, id="financing-total"),
    ],
)
def test_kl101_totals_row_cell_wrong(
    tmp_path: Path, label: str, role: str, col: str | int, right: int
) -> None:
    built = App().build()
    key = "Kategori" if role == "Budget" else "Kilde"
    built.set(role, "I alt", key, label)
    assert built.cell(role, "I alt", col) == right
    built.set(role, "I alt", col, right + 2)
    result = check(tmp_path, built)
    assert result.codes == ["KL101"]
    assert result.exit_code == 1
    finding = result.only("KL101")
    assert finding["location"] == built.ref(role, "I alt", col)
    assert_money_finding(
        finding,
        severity="error",
        found=right + 2,
        limit=right,
        fix_amount=2,
        fix_target=right,
    )


@pytest.mark.parametrize(
    ("delta", "codes"),
    [
        pytest.param(-1, [], id="1-kr-under-ok"),
        pytest.param(-2, ["KL101"], id="2-kr-under-fails"),
    ],
)
def test_kl101_totals_row_tolerance(tmp_path: Path, delta: int | Decimal, codes: list[str]) -> None:
    built = App().build()
    built.set("Budget", "I alt", 2025, 5_270_000 + delta)
    result = check(tmp_path, built)
    assert result.codes == codes
    assert result.at("KL101") == [built.ref("Budget", "I alt", 2025)] * len(codes)


@pytest.mark.parametrize("label", ["I alt", "Total", "Sum", "Samlet", "TOTAL", "i alt:"])
def test_totals_row_is_never_added_to_the_budget(tmp_path: Path, label: str) -> None:
    """Budget has a correct totals row, Finansiering has none: if the totals row counted as
    costs, costs would be twice the financing (KL102)."""
    built = App().build()
    built.set("Budget", "I alt", "Kategori", label)
    totals_row = built.cells[("Finansiering", "I alt", "Kilde")]
    assert totals_row == "A7"
    del built.sheets["Finansiering"][6]
    result = check(tmp_path, built)
    assert result.codes == []
    assert result.exit_code == 0
    figures = result.report["files"][0]["figures"]
    assert money(figures["total_costs"]) == 23_129_000
    assert money(figures["total_financing"]) == 23_129_000


def test_financing_totals_row_is_never_added_to_the_financing(tmp_path: Path) -> None:
    built = App().build()
    del built.sheets["Budget"][9]  # the Budget totals row
    assert built.sheets["Budget"][-1][0] == "Tilskud til SMV-samarbejder"
    result = check(tmp_path, built)
    assert result.codes == []
    assert money(result.report["files"][0]["figures"]["total_financing"]) == 23_129_000


def sme_totals_app() -> App:
    return replace(App(), layout=Layout(sme_totals_row=True))


@pytest.mark.parametrize(
    ("col", "right"),
    [
        pytest.param("FoU-omkostninger", 9_220_000, id="rnd-costs"),
        pytest.param("Tilskud", 5_894_000, id="grant"),
        pytest.param("Overhead", 455_000, id="overhead"),
    ],
)
def test_kl101_sme_totals_row_wrong(tmp_path: Path, col: str, right: int) -> None:
    built = sme_totals_app().build()
    assert built.cell("SMV-samarbejder", "I alt", col) == right
    built.set("SMV-samarbejder", "I alt", col, right - 2)
    result = check(tmp_path, built)
    assert result.codes == ["KL101"]
    assert result.exit_code == 1
    finding = result.only("KL101")
    assert finding["location"] == built.ref("SMV-samarbejder", "I alt", col)
    assert_money_finding(
        finding,
        severity="error",
        found=right - 2,
        limit=right,
        fix_amount=2,
        fix_target=right,
    )


@pytest.mark.parametrize(
    ("delta", "codes"),
    [
        pytest.param(-1, [], id="1-kr-under-ok"),
        pytest.param(Decimal("-1.01"), ["KL101"], id="1.01-kr-under-fails"),
    ],
)
def test_kl101_sme_totals_row_tolerance(
    tmp_path: Path, delta: int | Decimal, codes: list[str]
) -> None:
    built = sme_totals_app().build()
    built.set("SMV-samarbejder", "I alt", "Tilskud", 5_894_000 + delta)
    result = check(tmp_path, built)
    assert result.codes == codes


def test_sme_totals_row_label_variants_are_not_collaborations(tmp_path: Path) -> None:
    """Decided item 7: `Samlet` ends the sheet as a totals row; were it a collaboration, its
    Tilskud would double the SME grants (KL105) and break the 70 % rule (KL401)."""
    built = sme_totals_app().build()
    built.set("SMV-samarbejder", "I alt", "Samarbejde", "Samlet")
    result = check(tmp_path, built)
    assert result.codes == []


# --- KL102: total costs differ from total financing ----------------------------------------


@pytest.mark.parametrize(
    ("own_2025", "codes"),
    [
        pytest.param(369_999, [], id="1-kr-short-ok"),
        pytest.param(370_001, [], id="1-kr-over-ok"),
        pytest.param(Decimal("369998.99"), ["KL102"], id="1.01-kr-short-fails"),
    ],
)
def test_kl102_tolerance(tmp_path: Path, own_2025: CellValue, codes: list[str]) -> None:
    app = App()
    app.financing_line("Egenfinansiering").amounts[2025] = own_2025
    result = check(tmp_path, app)
    assert result.codes == codes
    assert result.exit_code == (1 if codes else 0)


@pytest.mark.parametrize(
    ("own_2025", "financing", "fix_amount"),
    [
        pytest.param(
            Decimal("369998.99"), Decimal("23128998.99"), Decimal("1.01"), id="1.01-kr-missing"
        ),
    ],
)
def test_kl102_costs_differ_from_financing(
    tmp_path: Path, own_2025: CellValue, financing: object, fix_amount: object
) -> None:
    app = App()
    app.financing_line("Egenfinansiering").amounts[2025] = own_2025
    result = check(tmp_path, app)
    assert result.codes == ["KL102"]  # and no KL103: the years are not looked at then
    assert result.exit_code == 1
    finding = result.only("KL102")
    # the financing rows' amount cells (2025..I alt of Regionalfonden..Egenfinansiering)
    assert finding["location"] == "Finansiering!C2:G6"
    assert_money_finding(
        finding,
        severity="error",
        found=financing,
        limit=23_129_000,
        fix_amount=fix_amount,
        fix_target=23_129_000,
    )


def test_kl102_missing_financing_row(tmp_path: Path) -> None:
    """A whole source left out: 800.000 kr. of public cash is missing."""
    app = App()
    app.financing = [x for x in app.financing if x.label != "Offentlig kontant medfinansiering"]
    app.financing_line("Egenfinansiering").amounts[2025] = 570_000  # 2025 balances again
    result = check(tmp_path, app)
    assert result.codes == ["KL102"]
    finding = result.only("KL102")
    assert finding["location"] == "Finansiering!C2:G5"
    assert money(finding["found"]) == 22_529_000
    assert money(finding["fix"]["amount"]) == 600_000
    assert money(finding["fix"]["target"]) == 23_129_000


# --- KL103: balanced over the period, not in a year ----------------------------------------


def test_kl103_balanced_overall_but_not_per_year(tmp_path: Path) -> None:
    app = App()
    own = app.financing_line("Egenfinansiering")
    own.amounts[2026] = 370_000  # 100.000 kr. moved from 2026 ...
    own.amounts[2027] = 570_000  # ... to 2027
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL103", "KL103"]
    assert result.exit_code == 0  # a warning only
    # the year header cells of Finansiering
    assert result.at("KL103") == [
        built.ref("Finansiering", "header", 2026),
        built.ref("Finansiering", "header", 2027),
    ]
    assert result.at("KL103") == ["Finansiering!D1", "Finansiering!E1"]
    by_location = {f["location"]: f for f in result.findings}
    assert_money_finding(
        by_location["Finansiering!D1"],
        severity="warning",
        found=6_070_000,
        limit=6_170_000,
        fix_amount=100_000,
        fix_target=6_170_000,
    )
    assert_money_finding(
        by_location["Finansiering!E1"],
        severity="warning",
        found=6_270_000,
        limit=6_170_000,
        fix_amount=100_000,
        fix_target=6_170_000,
    )


def test_kl103_fails_the_run_with_fail_on_warning(tmp_path: Path) -> None:
    app = App()
    app.financing_line("Egenfinansiering").amounts[2026] = 370_000
    app.financing_line("Egenfinansiering").amounts[2027] = 570_000
    assert check(tmp_path, app, "--fail-on", "warning").exit_code == 1


def test_kl103_year_difference_of_1_kr_passes(tmp_path: Path) -> None:
    app = App()
    app.financing_line("Egenfinansiering").amounts[2026] = 469_999
    app.financing_line("Egenfinansiering").amounts[2027] = 470_001
    result = check(tmp_path, app)
    assert result.codes == []


# --- KL104: an amount in a year outside the project period ---------------------------------


def kr(value: CellValue) -> int:
    """A whole-kroner model amount (blank is 0)."""
    assert value is None or isinstance(value, int)
    return value or 0


def ends_2027(fill_2028: CellValue) -> App:
    """The project runs 2025-2027; every 2028 amount moved to 2027 and 2028 set to `fill_2028`
    (the 2028 column is still there)."""
    app = replace(App(), end=date(2027, 12, 31))
    for line in [*app.budget, *app.financing]:
        line.amounts[2027] = kr(line.amounts[2027]) + kr(line.amounts[2028])
        line.amounts[2028] = fill_2028
    return app


@pytest.mark.parametrize(
    "fill_2028",
    [
        pytest.param(None, id="blank-ok"),
    ],
)
def test_kl104_no_amount_after_the_project(tmp_path: Path, fill_2028: CellValue) -> None:
    built = ends_2027(fill_2028).build()
    assert built.cell("Budget", "Løn", 2028) == fill_2028
    result = check(tmp_path, built)
    assert result.codes == []


def test_kl104_amount_after_the_project_ends(tmp_path: Path) -> None:
    app = ends_2027(None)
    rejser = app.budget_line("Rejser")
    rejser.amounts[2027], rejser.amounts[2028] = 150_000, 50_000
    own = app.financing_line("Egenfinansiering")
    assert own.amounts[2027] == 839_000
    own.amounts[2027], own.amounts[2028] = 789_000, 50_000
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL104", "KL104"]  # the years still balance: no KL103
    assert result.exit_code == 1
    budget_cell = built.ref("Budget", "Rejser", 2028)
    financing_cell = built.ref("Finansiering", "Egenfinansiering", 2028)
    assert (budget_cell, financing_cell) == ("Budget!F4", "Finansiering!F6")
    assert result.at("KL104") == [budget_cell, financing_cell]
    for finding in result.findings:
        assert finding["severity"] == "error"
        assert finding["found"] == 2028
        assert finding["limit"] == "2025-2027"
        assert money(finding["fix"]["amount"]) == 50_000
        assert_messages(finding)


# --- KL105: the SME grant cost line against SMV-samarbejder --------------------------------


@pytest.mark.parametrize(
    ("collab", "col", "value", "codes"),
    [
        pytest.param(1, "Tilskud", 500_001, [], id="tilskud-1-kr-over-ok"),
        pytest.param(1, "Tilskud", Decimal("500001.01"), ["KL105"], id="tilskud-1.01-kr-fails"),
    ],
)
def test_kl105_tolerance(
    tmp_path: Path, collab: int, col: str, value: CellValue, codes: list[str]
) -> None:
    app = App()
    assert app.collaborations is not None
    app.collaborations[collab][col] = value
    result = check(tmp_path, app)
    assert result.codes == codes
    assert result.exit_code == (1 if codes else 0)


@pytest.mark.parametrize(
    ("collab", "col", "value", "passed_on"),
    [
        pytest.param(1, "Tilskud", 520_000, 6_369_000, id="tilskud-20000-more"),
    ],
)
def test_kl105_sme_grant_line_differs(
    tmp_path: Path, collab: int, col: str, value: int, passed_on: int
) -> None:
    app = App()
    assert app.collaborations is not None
    app.collaborations[collab][col] = value
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL105"]
    assert result.exit_code == 1
    finding = result.only("KL105")
    # the stated total of the cost line Tilskud til SMV-samarbejder
    assert finding["location"] == built.ref("Budget", "Tilskud til SMV-samarbejder", "I alt")
    assert finding["location"] == "Budget!G9"
    assert_money_finding(
        finding,
        severity="error",
        found=6_349_000,
        limit=passed_on,
        fix_amount=abs(passed_on - 6_349_000),
        fix_target=passed_on,
    )


def test_kl105_only_for_innovation(tmp_path: Path) -> None:
    """A basis application with a `Tilskud til SMV-samarbejder` line and no SMV sheet."""
    app = basis_app()
    app.budget.append(Line("Tilskud til SMV-samarbejder", {2025: 100_000}))
    app.financing_line("Privat kontant medfinansiering").amounts[2025] = 350_000
    result = check(tmp_path, app)
    assert "KL105" not in result.codes


# --- KL106: the amounts look like the wrong unit -------------------------------------------


def basis_in_thousands() -> Built:
    """The clean basis application typed in 1.000 kr., with `Enhed` = `1.000 kr.`."""
    built = replace(basis_app(), unit="1.000 kr.").build()
    assert built.cell("Budget", "Løn", 2025) == 2_000
    assert built.cell("Ansøger", "Enhed") == "1.000 kr."
    return built


def test_kl106_thousands_with_unit_1000_kr_pass(tmp_path: Path) -> None:
    result = check(tmp_path, basis_in_thousands())
    assert result.codes == []
    assert money(result.report["files"][0]["figures"]["total_costs"]) == 11_000_000


@pytest.mark.parametrize("how", ["Enhed kr.", "no Enhed row"])
def test_kl106_thousands_typed_as_kroner(tmp_path: Path, how: str) -> None:
    built = basis_in_thousands()
    if how == "Enhed kr.":
        built.set("Ansøger", "Enhed", "value", "kr.")
    else:
        rows = built.sheets["Ansøger"]
        built.sheets["Ansøger"] = [row for row in rows if row[0] != "Enhed"]
        assert len(built.sheets["Ansøger"]) == len(rows) - 1
    result = check(tmp_path, built)
    assert result.codes == ["KL106"]
    assert result.exit_code == 0  # a warning
    finding = result.only("KL106")
    assert finding["severity"] == "warning"
    assert finding["location"] == "Budget!C2:G8"  # the amount cells of the cost lines
    assert money(finding["found"]) == 11_000
    assert money(finding["limit"]) == 100_000
    assert_messages(finding)


def small_basis(staff_2028: int, private_2028: int) -> App:
    """A basis application of about 100.000 kr.: Løn only, financed 80 % decentral."""
    return replace(
        basis_app(),
        budget=[Line("Løn", {2025: 25_000, 2026: 25_000, 2027: 25_000, 2028: staff_2028})],
        financing=[
            Line(
                "Decentrale erhvervsfremmemidler", dict.fromkeys((2025, 2026, 2027, 2028), 20_000)
            ),
            Line(
                "Privat kontant medfinansiering",
                {2025: 5_000, 2026: 5_000, 2027: 5_000, 2028: private_2028},
            ),
        ],
    )


def test_kl106_lower_limit(tmp_path: Path) -> None:
    """Exactly 100.000 kr. is not under the lower limit."""
    result = check(tmp_path, small_basis(25_000, 5_000))
    assert result.codes == []


def test_kl106_upper_limit_in_another_unit(tmp_path: Path) -> None:
    """Kroner typed under `Enhed` = `1.000 kr.`: 23 mia. kr. is far over the upper limit (and
    over every cap and pool)."""
    app = replace(App(), unit="1.000 kr.", scale_to_unit=False)
    result = check(tmp_path, app)
    assert "KL106" in result.codes
    assert money(result.only("KL106")["found"]) == 23_129_000_000


@pytest.mark.parametrize(
    ("unit", "codes"),
    [
        pytest.param("1.000 kr.", [], id="unit-1000-kr-ok"),
        pytest.param("kr.", ["KL106"], id="unit-kr-warns"),
    ],
)
def test_kl106_lower_limit_only_in_unit_kr(tmp_path: Path, unit: str, codes: list[str]) -> None:
    """Typed 25+25+25+24 = 99: under `Enhed` 1.000 kr. that is a small budget of 99.000 kr.,
    not a budget "under 100,000 in unit kr."; the same numbers under `Enhed` kr. are."""
    built = replace(small_basis(24_000, 4_000), unit="1.000 kr.").build()
    typed = [built.cell("Budget", "Løn", year) for year in (2025, 2026, 2027, 2028)]
    assert typed == [25, 25, 25, 24]
    built.set("Ansøger", "Enhed", "value", unit)
    result = check(tmp_path, built)
    assert result.codes == codes
    if codes:
        assert money(result.only("KL106")["found"]) == 99
