"""Funding mix KL301-KL304 (rules.md "Funding mix — KL3xx") and --select/--ignore, through the
real CLI.

The boundary cases of these codes are tested on hand-built models in
tests/test_rules_model_mix.py. This module keeps one end-to-end case per code and side of its
boundary, and the cases that need a real workbook: where a finding points in the written
workbook (Sheet!Cell or range), its severity, found/limit/fix and both messages as the JSON
report prints them, a financing row left out or kept with 0 in every year, Regionalfonden alone
(no decentral funds), KL304 on a basis application, and the CLI's options and exit codes
(--fail-on for an info finding, --select, --ignore, an unknown code)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import assert_messages, check, money
from tests.workbooks import YEARS, App, CellValue, Line, basis_app

REGIONALFONDEN = "Regionalfonden"
DECENTRALE = "Decentrale erhvervsfremmemidler"
PRIVATE = "Privat kontant medfinansiering"
OWN = "Egenfinansiering"


def _int(value: CellValue) -> int:
    assert value is None or isinstance(value, int)
    return value or 0


def move_all(app: App, source: str, to: str, *, drop: bool) -> App:
    """Move every amount of the financing row `source` to the row `to` (made when missing);
    `drop` removes the emptied row, else it stays with 0 in every year."""
    src = app.financing_line(source)
    try:
        dst = app.financing_line(to)
    except KeyError:
        dst = Line(to, {})
        app.financing.insert(app.financing.index(src), dst)
    for year in YEARS:
        dst.amounts[year] = _int(dst.amounts.get(year)) + _int(src.amounts.get(year))
    if drop:
        app.financing.remove(src)
    else:
        src.amounts = dict.fromkeys(YEARS, 0)
    return app


# --- KL301: innovation, decentral funds without Regionalfonden -----------------------------


@pytest.mark.parametrize(
    ("drop", "row"),
    [
        pytest.param(True, "Finansiering!A2", id="no-regionalfonden-row"),
        pytest.param(False, "Finansiering!A3", id="regionalfonden-row-all-0"),
    ],
)
def test_kl301_decentral_alone(tmp_path: Path, drop: bool, row: str) -> None:
    app = move_all(App(), REGIONALFONDEN, DECENTRALE, drop=drop)
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL301"]
    assert result.exit_code == 1
    finding = result.only("KL301")
    # the Kilde cell of the decentral row
    assert finding["location"] == built.ref("Finansiering", DECENTRALE, "Kilde") == row
    assert finding["severity"] == "error"
    assert money(finding["found"]) == 18_000_000
    assert money(finding["limit"]) == 0
    assert_messages(finding)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: move_all(App(), DECENTRALE, REGIONALFONDEN, drop=True), id="rf-only"),
        pytest.param(
            lambda: move_all(App(), DECENTRALE, REGIONALFONDEN, drop=False), id="rf-and-dc-0"
        ),
    ],
)
def test_kl301_regionalfonden_alone_or_both_pass(tmp_path: Path, make: Any) -> None:
    result = check(tmp_path, make())
    assert result.codes == []


def test_kl301_one_kr_of_regionalfonden_is_enough(tmp_path: Path) -> None:
    app = move_all(App(), REGIONALFONDEN, DECENTRALE, drop=False)
    app.financing_line(REGIONALFONDEN).amounts[2025] = 1
    app.financing_line(DECENTRALE).amounts[2025] = 4_099_999
    result = check(tmp_path, app)
    assert result.codes == []


# --- KL302: basis, Regionalfonden requested ------------------------------------------------


def basis_with_regionalfonden(amount_2025: int) -> App:
    """`amount_2025` kr. of the 2025 decentral funds asked from Regionalfonden instead."""
    app = basis_app()
    dc = app.financing_line(DECENTRALE)
    dc.amounts[2025] = _int(dc.amounts[2025]) - amount_2025
    rf = {**dict.fromkeys(YEARS, 0), 2025: amount_2025}
    app.financing.insert(0, Line(REGIONALFONDEN, rf))
    return app


def test_kl302_basis_with_regionalfonden(tmp_path: Path) -> None:
    built = basis_with_regionalfonden(1_000_000).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL302"]
    assert result.exit_code == 1
    finding = result.only("KL302")
    assert finding["location"] == built.ref("Finansiering", REGIONALFONDEN, "Kilde")
    assert finding["location"] == "Finansiering!A2"
    assert finding["severity"] == "error"
    assert money(finding["found"]) == 1_000_000
    assert money(finding["limit"]) == 0
    assert money(finding["fix"]["amount"]) == 1_000_000
    assert money(finding["fix"]["target"]) == 0
    assert_messages(finding)


@pytest.mark.parametrize(
    ("amount", "codes"),
    [
        pytest.param(0, [], id="regionalfonden-row-of-0-ok"),
    ],
)
def test_kl302_boundary(tmp_path: Path, amount: int, codes: list[str]) -> None:
    result = check(tmp_path, basis_with_regionalfonden(amount))
    assert result.codes == codes


# --- KL303: basis without private cash (info) ----------------------------------------------


@pytest.mark.parametrize(
    ("drop", "location"),
    [
        pytest.param(True, "Finansiering!C2:G3", id="no-private-cash-row"),
        pytest.param(False, "Finansiering!C2:G4", id="private-cash-row-all-0"),
    ],
)
def test_kl303_basis_without_private_cash(tmp_path: Path, drop: bool, location: str) -> None:
    app = move_all(basis_app(), PRIVATE, OWN, drop=drop)
    result = check(tmp_path, app)
    assert result.codes == ["KL303"]
    finding = result.only("KL303")
    assert finding["severity"] == "info"
    assert finding["location"] == location  # the financing rows' amount cells
    assert finding["found"] == 0
    assert_messages(finding)


@pytest.mark.parametrize(
    "fail_on",
    [
        pytest.param((), id="default-error"),
        pytest.param(("--fail-on", "error"), id="error"),
        pytest.param(("--fail-on", "warning"), id="warning"),
        pytest.param(("--fail-on", "never"), id="never"),
    ],
)
def test_kl303_info_does_not_fail_the_run(tmp_path: Path, fail_on: tuple[str, ...]) -> None:
    result = check(tmp_path, move_all(basis_app(), PRIVATE, OWN, drop=True), *fail_on)
    assert result.codes == ["KL303"]
    assert result.exit_code == 0


def test_kl303_one_kr_of_private_cash_is_enough(tmp_path: Path) -> None:
    app = move_all(basis_app(), PRIVATE, OWN, drop=False)
    app.financing_line(PRIVATE).amounts[2025] = 1
    app.financing_line(OWN).amounts[2025] = 449_999
    assert check(tmp_path, app).codes == []


# --- KL304: indirect costs above 15 % of staff costs, over the whole period ----------------


def with_indirect(per_year: dict[int, int | Decimal]) -> App:
    """The clean innovation application (Løn 12.000.000 kr., 3.000.000 a year) with these
    indirect costs; Egenfinansiering follows, so every year still balances."""
    app = App()
    indirect = app.budget_line("Indirekte omkostninger")
    own = app.financing_line(OWN)
    for year, amount in per_year.items():
        delta = amount - _int(indirect.amounts[year])
        indirect.amounts[year] = amount
        own.amounts[year] = _int(own.amounts[year]) + delta
    return app


@pytest.mark.parametrize(
    ("per_year", "codes"),
    [
        pytest.param(
            {2025: 600_000, 2026: 400_000, 2027: 400_000, 2028: 400_000},
            [],
            id="2025-at-20-percent-but-period-at-15-ok",
        ),
    ],
)
def test_kl304_boundary(tmp_path: Path, per_year: dict[int, Any], codes: list[str]) -> None:
    """Decided item 4: the totals over the whole period are compared, not year by year."""
    result = check(tmp_path, with_indirect(per_year))
    assert result.codes == codes
    assert result.exit_code == 0  # a warning at most


def test_kl304_indirect_costs_above_the_flat_rate(tmp_path: Path) -> None:
    """2.100.000 kr. = 17,5 % of 12.000.000 kr.: reduce by 300.000 kr. to 1.800.000 kr."""
    built = with_indirect(dict.fromkeys(YEARS, 525_000)).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL304"]
    assert result.exit_code == 0
    finding = result.only("KL304")
    assert finding["severity"] == "warning"
    # the row's stated total (I alt) of Indirekte omkostninger
    assert finding["location"] == built.ref("Budget", "Indirekte omkostninger", "I alt")
    assert finding["location"] == "Budget!G8"
    assert money(finding["found"]) == 2_100_000
    assert money(finding["limit"]) == 1_800_000
    assert money(finding["fix"]["amount"]) == 300_000
    assert money(finding["fix"]["target"]) == 1_800_000
    assert_messages(finding)
    assert check(tmp_path, built, "--fail-on", "warning").exit_code == 1


def test_kl304_one_kr_over(tmp_path: Path) -> None:
    app = with_indirect({2025: 450_001, 2026: 450_000, 2027: 450_000, 2028: 450_000})
    finding = check(tmp_path, app).only("KL304")
    assert money(finding["found"]) == 1_800_001
    assert money(finding["limit"]) == 1_800_000
    assert money(finding["fix"]["amount"]) == 1
    assert money(finding["fix"]["target"]) == 1_800_000


def test_kl304_basis(tmp_path: Path) -> None:
    """Basis: Løn 8.000.000 kr., indirect 1.280.000 kr. (16 %): reduce by 80.000 kr."""
    app = basis_app()
    app.budget_line("Indirekte omkostninger").amounts = dict.fromkeys(YEARS, 320_000)
    app.financing_line(OWN).amounts = dict.fromkeys(YEARS, 240_000)
    finding = check(tmp_path, app).only("KL304")
    assert money(finding["found"]) == 1_280_000
    assert money(finding["fix"]["amount"]) == 80_000
    assert money(finding["fix"]["target"]) == 1_200_000


# --- --select / --ignore -------------------------------------------------------------------


def several_families() -> App:
    """KL103 (2026/2027 swapped 100.000 kr.), KL201 + KL301 (23.000.001 kr. decentral only),
    KL304 (indirect 17,5 %)."""
    app = with_indirect(dict.fromkeys(YEARS, 525_000))
    own = app.financing_line(OWN)
    own.amounts[2026] = _int(own.amounts[2026]) - 100_000
    own.amounts[2027] = _int(own.amounts[2027]) + 100_000
    move_all(app, REGIONALFONDEN, DECENTRALE, drop=True)
    app.financing_line(DECENTRALE).amounts[2025] = (
        _int(app.financing_line(DECENTRALE).amounts[2025]) + 5_000_001
    )
    app.budget_line("Øvrige omkostninger").amounts[2025] = 150_000 + 5_000_001
    return app


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        pytest.param((), ["KL103", "KL103", "KL201", "KL301", "KL304"], id="everything"),
        pytest.param(("--select", "KL2"), ["KL201"], id="select-KL2"),
        pytest.param(("--select", "KL1,KL304"), ["KL103", "KL103", "KL304"], id="select-two"),
        pytest.param(
            ("--ignore", "KL304"), ["KL103", "KL103", "KL201", "KL301"], id="ignore-KL304"
        ),
        pytest.param(("--ignore", "KL1,KL2"), ["KL301", "KL304"], id="ignore-two-families"),
        pytest.param(("--select", "KL3", "--ignore", "KL304"), ["KL301"], id="select-KL3-ignore"),
        pytest.param(("--ignore", "KL3", "--select", "KL304"), ["KL304"], id="select-beats-ignore"),
        pytest.param(
            ("--select", "KL,KL304", "--ignore", "KL3"),
            ["KL103", "KL103", "KL201", "KL304"],
            id="longer-select-beats-shorter-ignore",
        ),
        pytest.param(("--select", "kl201"), ["KL201"], id="lower-case-code"),
    ],
)
def test_select_and_ignore(tmp_path: Path, args: tuple[str, ...], codes: list[str]) -> None:
    result = check(tmp_path, several_families(), *args)
    assert result.codes == codes
    assert result.exit_code == (1 if {"KL201", "KL301"} & set(codes) else 0)


def test_select_runs_only_the_selected_rules(tmp_path: Path) -> None:
    result = check(tmp_path, several_families(), "--select", "KL2")
    rules_run = result.report["files"][0]["rules_run"]
    assert rules_run
    assert all(code.startswith("KL2") for code in rules_run)
    assert "KL201" in rules_run


def test_ignore_leaves_the_rule_out(tmp_path: Path) -> None:
    result = check(tmp_path, several_families(), "--ignore", "KL304")
    rules_run = result.report["files"][0]["rules_run"]
    assert "KL304" not in rules_run
    assert {"KL103", "KL201", "KL301"} <= set(rules_run)


def test_select_warning_only_passes(tmp_path: Path) -> None:
    """Only the warnings selected: the errors are not run, so the exit code is 0."""
    result = check(tmp_path, several_families(), "--select", "KL103,KL304")
    assert result.codes == ["KL103", "KL103", "KL304"]
    assert result.exit_code == 0


def test_unknown_code_is_a_usage_error(tmp_path: Path) -> None:
    result = check(tmp_path, App(), "--select", "KL999")
    assert result.exit_code == 2
