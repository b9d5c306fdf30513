"""SME co-financing KL401-KL406 (rules.md "SME co-financing — KL4xx"), through the real CLI.

The boundary cases of these codes are tested on hand-built models in
tests/test_rules_model_sme.py. This module keeps one end-to-end case per code and side of its
boundary (the found case asserting its Sheet!Cell, both messages and the fix as the JSON report
prints them), and the cases that need a real workbook: amounts in øre and blank amount cells,
`Enhed` 1.000 kr. scaling, CVR numbers as number cells or written with `DK`, spaces and dashes,
figures written as decimals, unreadable cells that are the reader's KL006, a missing sheet,
findings of other codes in the same run (KL105), and `--fail-on warning`; and the few cases
the models lack (Overhead 0 over the ceiling, one unnamed collaboration, a leading-0 CVR whose
checksum passes, turnover above 50 with a balance within 43). The passing side of KL401 and
KL406 is the clean application itself (test_start_point_is_clean: exactly 70 %, five CVRs).

The clean innovation application has six collaborations in `SMV-samarbejder` (columns A-I:
Samarbejde, SMV, CVR, Ansatte, Omsætning, Balance, FoU-omkostninger, Tilskud, Overhead; the
first collaboration on row 2). When a test changes a `Tilskud` or `Overhead`, it moves the cost
line `Tilskud til SMV-samarbejder` and the non-DEB `Egenfinansiering` by the same amount in 2025,
so that KL105, KL102 and KL103 stay silent and only the SME rule under test can fire.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import assert_messages, check, money
from tests.workbooks import (
    SME,
    App,
    CellValue,
    basis_app,
    cvr_is_valid,
    invalid_cvr,
    valid_cvr,
)

SME_GRANTS = "Tilskud til SMV-samarbejder"
OWN = "Egenfinansiering"
REGIONALFONDEN = "Regionalfonden"

TERMOFLOW = 0  # FoU 1.320.000, Tilskud 924.000 (exactly 70 %), Overhead 60.000
KOMPOSIT = 1  # 45 employees, turnover 9,8, balance 6,4
FOODSENSE = 2  # FoU 1.000.000, Tilskud 650.000, Overhead 50.000
HAVNEKRAFT = 3
UNNAMED = 5  # "4 SMV-projekter inden for grøn omstilling": no SMV, no CVR


def set_sme_amount(app: App, index: int, column: str, amount: int | Decimal) -> App:
    """Set `Tilskud` or `Overhead` of one collaboration, keeping the budget consistent."""
    collab = app.collaborations
    assert collab is not None
    before = collab[index][column]
    assert isinstance(before, int)
    delta = amount - before
    collab[index][column] = amount
    for line in (app.budget_line(SME_GRANTS), app.financing_line(OWN)):
        old = line.amounts[2025]
        assert isinstance(old, int | Decimal)
        line.amounts[2025] = old + delta
    return app


def set_collab(app: App, index: int, **values: CellValue) -> App:
    """Set non-amount columns of one collaboration: `set_collab(app, 1, Ansatte=250)`."""
    assert app.collaborations is not None
    renames = {"Omsaetning": "Omsætning (mio. EUR)", "Balance": "Balance (mio. EUR)"}
    for key, value in values.items():
        app.collaborations[index][renames.get(key, key)] = value
    return app


def test_start_point_is_clean(tmp_path: Path) -> None:
    """The clean innovation application: its first collaboration at exactly 70 %, five CVRs."""
    app = App()
    assert app.collaborations is not None
    assert app.collaborations[TERMOFLOW]["FoU-omkostninger"] == 1_320_000
    assert app.collaborations[TERMOFLOW]["Tilskud"] == 924_000
    assert app.sme_grants() == app.line_total(app.budget_line(SME_GRANTS))
    cvrs = [c["CVR"] for c in app.collaborations if c["CVR"] is not None]
    assert len(cvrs) == len(set(cvrs)) == 5  # KL406's passing side: five different CVRs
    result = check(tmp_path, app)
    assert result.codes == []
    assert result.exit_code == 0


# --- KL401: Tilskud above 70 % of FoU-omkostninger ----------------------------------------


def test_kl401_reduce_by_45000_to_700000(tmp_path: Path) -> None:
    """The rule's own example: FoU 1.000.000 kr., Tilskud 745.000 kr."""
    app = set_sme_amount(App(), FOODSENSE, "Tilskud", 745_000)
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL401"]
    assert result.exit_code == 1
    finding = result.only("KL401")
    assert finding["severity"] == "error"
    assert finding["location"] == built.ref(SME, FOODSENSE, "Tilskud")
    assert finding["location"] == "SMV-samarbejder!H4"
    assert finding["sheet"] == "SMV-samarbejder"
    assert finding["cell"] == "H4"
    assert money(finding["found"]) == 745_000
    assert money(finding["limit"]) == 700_000
    assert money(finding["fix"]["amount"]) == 45_000
    assert money(finding["fix"]["target"]) == 700_000
    assert_messages(finding)
    for text in (finding["message"]["da"], finding["fix"]["da"]):
        assert "45.000 kr." in text and "700.000 kr." in text
    for text in (finding["message"]["en"], finding["fix"]["en"]):
        assert "DKK 45,000" in text and "DKK 700,000" in text


def test_kl401_one_ore_over_exactly_70_percent(tmp_path: Path) -> None:
    """Money is exact: 0,01 kr. over the ceiling is over it, and the fix is 0,01 kr."""
    result = check(tmp_path, set_sme_amount(App(), TERMOFLOW, "Tilskud", Decimal("924000.01")))
    finding = result.only("KL401")
    assert money(finding["found"]) == Decimal("924000.01")
    assert money(finding["limit"]) == 924_000
    assert money(finding["fix"]["amount"]) == Decimal("0.01")
    assert money(finding["fix"]["target"]) == 924_000


def test_kl401_overhead_does_not_lower_the_ceiling(tmp_path: Path) -> None:
    """Over the ceiling with an Overhead of 0: the fix is about Tilskud alone."""
    app = set_sme_amount(App(), FOODSENSE, "Overhead", 0)
    app = set_sme_amount(app, FOODSENSE, "Tilskud", 745_000)
    finding = check(tmp_path, app).only("KL401")
    assert money(finding["fix"]["amount"]) == 45_000
    assert money(finding["fix"]["target"]) == 700_000


def test_kl401_fix_in_kroner_with_unit_1000_kr(tmp_path: Path) -> None:
    """With `Enhed` 1.000 kr. the cells say 745 and 1.000; found, limit and fix are kroner."""
    app = set_sme_amount(App(unit="1.000 kr."), FOODSENSE, "Tilskud", 745_000)
    built = app.build()
    assert built.cell(SME, FOODSENSE, "Tilskud") == 745
    assert built.cell(SME, FOODSENSE, "FoU-omkostninger") == 1_000
    result = check(tmp_path, built)
    assert result.codes == ["KL401"]
    finding = result.only("KL401")
    assert finding["location"] == "SMV-samarbejder!H4"
    assert money(finding["found"]) == 745_000
    assert money(finding["limit"]) == 700_000
    assert money(finding["fix"]["amount"]) == 45_000
    assert money(finding["fix"]["target"]) == 700_000
    assert "DKK 45,000" in finding["fix"]["en"]
    assert "700.000 kr." in finding["fix"]["da"]


def test_kl401_exactly_70_percent_with_unit_1000_kr_ok(tmp_path: Path) -> None:
    """924 of 1.320 (t.kr.) is still exactly 70 %."""
    result = check(tmp_path, App(unit="1.000 kr."))
    assert result.codes == []


def test_kl401_blank_rnd_costs_count_as_0(tmp_path: Path) -> None:
    """A blank amount cell is 0: a Tilskud with no R&D costs is all above the ceiling."""
    built = set_collab(App(), FOODSENSE, **{"FoU-omkostninger": None}).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL401"]
    finding = result.only("KL401")
    assert finding["location"] == "SMV-samarbejder!H4"
    assert money(finding["found"]) == 650_000
    assert money(finding["limit"]) == 0
    assert money(finding["fix"]["amount"]) == 650_000
    assert money(finding["fix"]["target"]) == 0


def test_kl401_unreadable_tilskud_is_the_readers_finding(tmp_path: Path) -> None:
    """rules.md decided item 6: an unreadable Tilskud is KL006 alone (no KL401, no KL105)."""
    result = check(tmp_path, set_collab(App(), FOODSENSE, Tilskud="abc"))
    assert result.codes == ["KL006"]
    assert result.at("KL006") == ["SMV-samarbejder!H4"]


# --- KL402: innovation without SME collaborations -----------------------------------------


def without_sme_grants(app: App) -> App:
    """Drop the cost line `Tilskud til SMV-samarbejder` and the Regionalfond money that paid
    for it, year by year, so that the budget stays balanced."""
    line = app.budget_line(SME_GRANTS)
    rf = app.financing_line(REGIONALFONDEN)
    for year, amount in line.amounts.items():
        old = rf.amounts[year]
        assert isinstance(old, int) and isinstance(amount, int)
        rf.amounts[year] = old - amount
    app.budget.remove(line)
    return app


def test_kl402_header_only(tmp_path: Path) -> None:
    """An innovation application whose SMV-samarbejder sheet holds only the header row."""
    built = without_sme_grants(App(collaborations=[])).build()
    assert built.sheets[SME] == [built.sheets[SME][0]]
    result = check(tmp_path, built)
    assert result.codes == ["KL402"]
    assert result.exit_code == 1
    finding = result.only("KL402")
    assert finding["severity"] == "error"
    assert finding["sheet"] == "SMV-samarbejder"
    assert finding["location"] == "SMV-samarbejder!A1:I1"
    assert_messages(finding)


def test_kl402_header_only_keeps_the_sme_cost_line(tmp_path: Path) -> None:
    """With the cost line still there, KL105 (6.349.000 kr. against 0) joins KL402."""
    result = check(tmp_path, App(collaborations=[]))
    assert result.codes == ["KL105", "KL402"]


def test_kl402_one_unnamed_collaboration_is_enough(tmp_path: Path) -> None:
    """A planned collaboration may name no SME yet: one such row satisfies KL402."""
    app = App()
    assert app.collaborations is not None
    app.collaborations = [app.collaborations[UNNAMED]]
    line = app.budget_line(SME_GRANTS)
    line.amounts = {2025: 1_000_000, 2026: 800_000, 2027: 800_000, 2028: 0}
    # 6.349.000 - 2.600.000 = 3.749.000 kr. less costs; Regionalfonden follows year by year
    rf = app.financing_line(REGIONALFONDEN)
    rf.amounts = {2025: 2_200_000, 2026: 1_400_000, 2027: 1_400_000, 2028: 951_000}
    assert app.line_total(line) == app.sme_grants() == 2_600_000
    result = check(tmp_path, app)
    assert result.codes == []


def test_kl402_basis_without_the_sheet_ok(tmp_path: Path) -> None:
    app = basis_app()
    assert app.collaborations is None
    built = app.build()
    assert SME not in built.sheets
    result = check(tmp_path, built)
    assert result.codes == []
    assert result.exit_code == 0


# --- KL403: the partner is not an SME -----------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"Ansatte": 249}, id="249-employees-ok"),
        pytest.param({"Omsaetning": 50, "Balance": 43}, id="both-at-the-limit-ok"),
    ],
)
def test_kl403_boundary(tmp_path: Path, values: dict[str, CellValue]) -> None:
    """The passing side of both limits; the failing side is test_kl403_250_employees and
    test_kl403_numbers_are_written_the_languages_way."""
    result = check(tmp_path, set_collab(App(), KOMPOSIT, **values))
    assert result.codes == []
    assert result.exit_code == 0


def test_kl403_250_employees(tmp_path: Path) -> None:
    built = set_collab(App(), KOMPOSIT, Ansatte=250).build()
    finding = check(tmp_path, built).only("KL403")
    assert finding["severity"] == "error"
    assert finding["location"] == built.ref(SME, KOMPOSIT, "Ansatte")
    assert finding["location"] == "SMV-samarbejder!D3"
    assert money(finding["found"]) == 250
    assert money(finding["limit"]) == 250
    assert finding["fix"] is None
    assert_messages(finding)
    assert "Komposit Nord A/S" in finding["message"]["da"]
    assert "Komposit Nord A/S" in finding["message"]["en"]


# --- KL404: SME status cannot be confirmed ------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"Omsaetning": 50, "Balance": None}, id="turnover-50-no-balance-ok"),
        pytest.param({"Omsaetning": 51, "Balance": 43}, id="turnover-51-balance-given-ok"),
    ],
)
def test_kl404_boundary(tmp_path: Path, values: dict[str, CellValue]) -> None:
    """The passing side: turnover at the limit, or above it with a balance within its own."""
    result = check(tmp_path, set_collab(App(), KOMPOSIT, **values))
    assert result.codes == []


def test_kl404_turnover_above_50_without_balance(tmp_path: Path) -> None:
    built = set_collab(App(), KOMPOSIT, Omsaetning=51, Balance=None).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL404"]
    assert result.exit_code == 0  # a warning only
    finding = result.only("KL404")
    assert finding["severity"] == "warning"
    assert finding["location"] == built.ref(SME, KOMPOSIT, "Omsætning (mio. EUR)")
    assert finding["location"] == "SMV-samarbejder!E3"
    assert money(finding["found"]) == 51
    assert money(finding["limit"]) == 50
    assert_messages(finding)


def test_kl404_warning_fails_with_fail_on_warning(tmp_path: Path) -> None:
    app = set_collab(App(), KOMPOSIT, Omsaetning=51, Balance=None)
    result = check(tmp_path, app, "--fail-on", "warning")
    assert result.codes == ["KL404"]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("values", "cell"),
    [
        pytest.param({"Omsaetning": 51, "Balance": "ukendt"}, "F3", id="balance-unreadable"),
        pytest.param({"Ansatte": "mange"}, "D3", id="employees-unreadable"),
    ],
)
def test_kl403_kl404_unreadable_figures_are_the_readers_finding(
    tmp_path: Path, values: dict[str, CellValue], cell: str
) -> None:
    """rules.md decided item 6: a figure that cannot be read is KL006 alone; neither KL403
    nor KL404 guesses about it."""
    result = check(tmp_path, set_collab(App(), KOMPOSIT, **values))
    assert result.codes == ["KL006"]
    assert result.at("KL006") == [f"SMV-samarbejder!{cell}"]


# --- KL405: invalid partner CVR -----------------------------------------------------------


@pytest.mark.parametrize(
    ("cvr", "codes"),
    [
        pytest.param("01000004", ["KL405"], id="leading-zero-fails"),
        pytest.param(int(valid_cvr(3)), [], id="valid-number-cell-ok"),
        pytest.param(f"DK {valid_cvr(3)[:4]} {valid_cvr(3)[4:]}", [], id="valid-with-dk-ok"),
        pytest.param(f"{valid_cvr(3)[:4]}-{valid_cvr(3)[4:]}", [], id="valid-with-dash-ok"),
    ],
)
def test_kl405_cvr(tmp_path: Path, cvr: CellValue, codes: list[str]) -> None:
    result = check(tmp_path, set_collab(App(), KOMPOSIT, CVR=cvr))
    assert result.codes == codes
    assert result.exit_code == (1 if codes else 0)


def test_kl405_the_leading_zero_case_would_pass_mod_11() -> None:
    """The leading-zero case above is invalid only because of its leading 0."""
    digits = "01000004"
    weighted = sum(w * int(d) for w, d in zip((2, 7, 6, 5, 4, 3, 2, 1), digits, strict=True))
    assert weighted % 11 == 0
    assert not cvr_is_valid(digits)


def test_kl405_invalid_partner_cvr(tmp_path: Path) -> None:
    bad = invalid_cvr(3)
    built = set_collab(App(), KOMPOSIT, CVR=bad).build()
    result = check(tmp_path, built)
    finding = result.only("KL405")
    assert finding["severity"] == "error"
    assert finding["location"] == built.ref(SME, KOMPOSIT, "CVR")
    assert finding["location"] == "SMV-samarbejder!C3"
    assert finding["found"] == bad
    assert_messages(finding)
    assert bad in finding["message"]["da"]
    assert bad in finding["message"]["en"]


# --- KL406: the same SME in several collaborations ----------------------------------------


def test_kl406_same_cvr_twice(tmp_path: Path) -> None:
    app = App()
    assert app.collaborations is not None
    first = app.collaborations[TERMOFLOW]["CVR"]
    assert isinstance(first, str)
    built = set_collab(app, HAVNEKRAFT, CVR=first).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL406"]
    assert result.exit_code == 0  # a warning only
    finding = result.only("KL406")
    assert finding["severity"] == "warning"
    # on the later row's CVR cell, naming the earlier one
    assert finding["location"] == built.ref(SME, HAVNEKRAFT, "CVR")
    assert finding["location"] == "SMV-samarbejder!C5"
    assert finding["found"] == first
    assert_messages(finding)
    assert "SMV-samarbejder!C2" in finding["message"]["da"]
    assert "SMV-samarbejder!C2" in finding["message"]["en"]


def test_kl406_same_cvr_written_differently(tmp_path: Path) -> None:
    """The same CVR once as text, once with `DK` and spaces, is the same SME."""
    app = App()
    assert app.collaborations is not None
    first = app.collaborations[TERMOFLOW]["CVR"]
    assert isinstance(first, str)
    result = check(tmp_path, set_collab(app, HAVNEKRAFT, CVR=f"DK {first[:4]} {first[4:]}"))
    assert result.codes == ["KL406"]
    assert result.at("KL406") == ["SMV-samarbejder!C5"]


def test_kl406_two_blank_cvrs_ok(tmp_path: Path) -> None:
    """Two planned collaborations that name no SME yet are not the same SME."""
    app = set_collab(App(), KOMPOSIT, CVR=None, SMV=None)
    assert app.collaborations is not None
    assert app.collaborations[UNNAMED]["CVR"] is None
    assert check(tmp_path, app).codes == []


def test_kl403_numbers_are_written_the_languages_way(tmp_path: Path) -> None:
    app = set_collab(App(), TERMOFLOW, Ansatte=250.0)
    message = check(tmp_path, app).only("KL403")["message"]
    assert "har 250 ansatte" in message["da"] and "has 250 employees" in message["en"]
    app = set_collab(App(), TERMOFLOW, **{"Omsætning (mio. EUR)": 50.25, "Balance (mio. EUR)": 44})
    message = check(tmp_path, app).only("KL403")["message"]
    assert "50,25 mio. EUR" in message["da"] and "EUR 50.25 million" in message["en"]
