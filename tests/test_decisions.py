"""One test per documented decision (docs/decisions.md, numbered items), each through the real
CLI on a real workbook, named `test_decision_<N>_...` after the item it guards. Each test also
has a near miss, so that undoing the decision (a one-line change) makes it fail.

The sixteen probes of issue 11 are caught here, except (d), the reader's findings honouring
--select/--ignore, which tests/test_selection.py covers with the rest of the selection table.

Items already guarded by a test elsewhere, with an obvious name (not repeated here):

- 2 (no tolerance on caps and ceilings; 1 kr. on sums): test_rules_caps.py
  test_kl201_one_ore_over_the_cap, test_kl202_one_kr_over_the_cap; test_rules_sme.py
  test_kl401_one_ore_over_exactly_70_percent; test_rules_mix.py test_kl304_one_kr_over;
  test_rules_consistency.py test_kl101_budget_row_total_tolerance, test_kl102_tolerance
- 4, 12:00:00.4 is late: test_rules_period.py test_kl501_a_fraction_of_a_second_after_noon_is_late
- 6 (formulas without a result are KL007): test_rules_file.py
  test_kl007_in_an_applicant_field_is_not_read_as_blank, test_kl007_in_an_sme_column_a_check_needs,
  test_kl007_amount_formula_without_result, test_kl007_date_formula_without_result
- 7 (rows with unknown labels): test_rules_file.py test_kl008_heading_row_without_amounts,
  test_kl008_row_with_amounts_and_no_label, test_kl008_alone_no_cascade_from_an_unknown_label
- 8, the header within the first 30 rows: test_rules_file.py
  test_kl004_header_on_row_31_is_not_found
- 9, no row with a value, the last is reported: test_rules_file.py
  test_kl005_points_at_the_field_row_not_at_a_title_repeating_the_label
- 10 (a unit above a table): test_rules_file.py test_a_unit_written_above_the_tables_scales_them,
  test_a_unit_above_a_table_that_contradicts_enhed_is_kl006
- 11 (error values): test_rules_file.py test_kl006_an_error_value_in_an_amount_is_never_read_as_0,
  test_kl006_an_error_value_in_an_applicant_field,
  test_kl006_an_unreadable_year_header_without_a_cascade,
  test_a_column_with_an_unknown_label_is_still_ignored
- 12 (totals rows): test_rules_file.py
  test_a_totals_row_behind_a_hidden_helper_column_is_still_a_totals_row;
  test_rules_consistency.py test_totals_row_is_never_added_to_the_budget
- 13 (two sheets claiming one role): test_rules_file.py test_kl003_two_sheets_claim_one_role
- 15, read by content: test_rules_file.py test_kl001_valid_workbook_is_read_by_content,
  test_kl002_encrypted_workbook_whatever_its_extension
- 16 (KL011): test_safety.py test_sparse_extent_is_kl011_not_a_crash and its neighbours
- 17, where findings point: the location assertions of each rule's tests (e.g. test_rules_caps.py
  test_kl203_innovation_regionalfonden_location, test_rules_sme.py test_kl402_header_only);
  only the fallback without an `I alt` column is tested here
- 19 (KL406 compares digits): test_rules_sme.py test_kl406_same_cvr_written_differently
- 24, 25 at the level of `Selection`: test_selection.py test_selection_wants; an unknown code is
  exit 2: test_cli.py test_exit_2_for_wrong_use[unknown-select-code]
- 30 (the template has no formulas and no I alt): test_template.py test_no_formula_anywhere,
  test_budget_and_financing_tables
- 36 (Ctrl-C; no worker outlives its batch): test_batch.py
  test_ctrl_c_stops_the_batch_prints_a_partial_summary_and_writes_nothing,
  test_ctrl_c_while_the_files_are_listed_is_one_plain_line, test_no_worker_outlives_a_killed_batch
- 66 (exact money and ranges in JSON): test_report_exact.py
- 68 (no more workers than files): test_batch.py
  test_no_more_workers_than_files_and_each_gets_a_file
- 69 (a worker or copy stuck at its memory limit is over it): test_batch.py
  test_a_child_held_at_its_memory_limit_is_seen_as_over_it,
  test_a_worker_held_at_its_memory_limit_is_over_it_and_a_full_one_is_replaced; test_annotate.py
  test_a_copy_over_the_time_or_memory_limit_is_stopped,
  test_a_copy_being_made_ends_with_a_killed_klynge
- 70 (the everyday worksheet part screened by regular expressions): test_screen_plain.py; the
  memo of amounts: test_values.py; a table's sums: test_models.py
  test_a_tables_sums_are_computed_once_and_are_no_part_of_its_value
- 71 (the plain printer writes what rich wrote; a Value's place): test_reporter_plain.py;
  test_values.py test_a_blank_or_remembered_amount_knows_its_cell_without_a_cellref_of_its_own
- 72 (what a fuzzing campaign found is a finding of the file): test_fuzz_found.py
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klyngecli.cli import app as cli
from tests.conftest import REPO, SAMPLES, check, run_check
from tests.workbooks import (
    APPLICANT,
    BUDGET,
    SME,
    App,
    Built,
    CellValue,
    Layout,
    basis_app,
    collaborations,
    invalid_cvr,
    valid_cvr,
)

CORPUS = REPO.parent / "shared" / "corpus" / "realworld"
CALL_FILE = REPO / "klyngecli" / "calls" / "klyngeprogram-2025-2028.toml"
OVER_70 = SAMPLES / "smv-tilskud-over-70-procent.xlsx"  # one finding: KL401
LATE = SAMPLES / "indsendt-for-sent.xlsx"  # one finding: KL501

SME_GRANTS = "Tilskud til SMV-samarbejder"
OWN = "Egenfinansiering"
PRIVATE = "Privat kontant medfinansiering"
TERMOFLOW, KOMPOSIT, FOODSENSE, HAVNEKRAFT = 0, 1, 2, 3  # rows 2-5 of SMV-samarbejder


def money(value: object) -> Decimal:
    """A JSON amount (number or decimal text) as an exact Decimal."""
    return Decimal(str(value))


def text_report(*args: str | Path) -> tuple[int, str]:
    """`klynge check ARGS` as plain text: exit code and standard output."""
    env: dict[str, str | None] = {"NO_COLOR": "1", "FORCE_COLOR": None, "KLYNGE_LANG": None}
    result = CliRunner().invoke(cli, ["check", *map(str, args)], env=env, catch_exceptions=False)
    return result.exit_code, result.stdout


def call_file(tmp_path: Path, **values: str) -> Path:
    """The built-in call as a rules file with some parameters' `value` changed."""
    text = CALL_FILE.read_text("utf-8")
    for key, value in values.items():
        text, count = re.subn(rf"(\n\[{key}\]\nvalue = )[^\n]*", rf"\g<1>{value}", text)
        assert count == 1, key
    path = tmp_path / "call.toml"
    path.write_text(text, "utf-8")
    return path


def raise_sme_amount(app: App, index: int, column: str, amount: int | Decimal) -> App:
    """Set one collaboration's `Tilskud`/`Overhead`, moving the SMV cost line and own financing
    by the same amount in 2025, so that only the SME rules can notice."""
    assert app.collaborations is not None
    before = app.collaborations[index][column]
    assert isinstance(before, int)
    app.collaborations[index][column] = amount
    for line in (app.budget_line(SME_GRANTS), app.financing_line(OWN)):
        old = line.amounts[2025]
        assert isinstance(old, int | Decimal)
        line.amounts[2025] = old + amount - before
    return app


def basis_without_private_cash() -> App:
    """A clean basis application whose private cash moved to own financing: KL303 (info)."""
    app = basis_app()
    private = app.financing_line(PRIVATE)
    own = app.financing_line(OWN)
    for year, amount in private.amounts.items():
        mine = own.amounts[year]
        assert isinstance(amount, int) and isinstance(mine, int)
        own.amounts[year] = mine + amount
    app.financing.remove(private)
    return app


def write_unreadable(tmp_path: Path, kind: str) -> Path:
    """A file the checker cannot read: KL001 (not a workbook), KL002 (encrypted), KL011 (over
    the 50 MiB size limit)."""
    if kind == "KL001":
        path = tmp_path / "broken.xlsx"
        path.write_bytes(b"this is not a workbook")
    elif kind == "KL002":
        path = tmp_path / "encrypted.xlsx"
        shutil.copyfile(CORPUS / "msoffcrypto-tool" / "example_password.xlsx", path)
    else:
        path = tmp_path / "huge.xlsx"
        with path.open("wb") as handle:
            handle.truncate(51 << 20)
    return path


def patch_package(source: Path, target: Path, old: bytes, new: bytes) -> Path:
    """A copy of an xlsx package with one piece of XML replaced (it must occur exactly once)."""
    found = 0
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zin.infolist():
            data = zin.read(info)
            found += data.count(old)
            out.writestr(info, data.replace(old, new))
    assert found == 1, f"{old!r} found {found} times"
    return target


# --- Reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tilskud", "codes"),
    [
        pytest.param(924_000.7000001, [], id="float-noise-above-70-percent-passes"),
        pytest.param(924_000.704, [], id="less-than-half-an-ore-rounds-down"),
        pytest.param(924_000.705, ["KL401"], id="half-an-ore-rounds-up-and-fails"),
    ],
)
def test_decision_1_a_number_cell_is_rounded_to_the_ore_half_up(
    tmp_path: Path, tilskud: float, codes: list[str]
) -> None:
    """Termoflow's FoU raised to 1.320.001 kr. allows 924.000,70 kr. The double 924000.705 is
    the decimal 924000.705 (repr), which rounds half up to 924.000,71 kr.: over the ceiling.
    Decimal(x) (924000.70499...) or half even (924.000,70) would pass it; without rounding, the
    float noise 924000.7000001 would fail."""
    app = App()
    assert app.collaborations is not None
    app.collaborations[TERMOFLOW]["FoU-omkostninger"] = 1_320_001
    app.collaborations[TERMOFLOW]["Tilskud"] = tilskud  # the 1 kr. sum tolerance absorbs it
    result = check(tmp_path, app)
    assert result.codes == codes
    if codes:
        finding = result.only("KL401")
        assert finding["location"] == "SMV-samarbejder!H2"
        assert money(finding["found"]) == Decimal("924000.71")
        assert money(finding["limit"]) == Decimal("924000.70")
        assert money(finding["fix"]["amount"]) == Decimal("0.01")


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        pytest.param("150.000,-", ["KL009"], id="whole-kroner-suffix"),
        pytest.param("kr. 150.000,-", ["KL009"], id="kr-and-suffix"),
        pytest.param("DKK 150.000", ["KL009"], id="dkk-before"),
        pytest.param("150.000 DKK", ["KL009"], id="dkk-after"),
        pytest.param("+150.000", ["KL009"], id="plus-sign"),
        pytest.param("(150.000)", ["KL009", "KL010"], id="accounting-parentheses-negative"),
        pytest.param("1.234,567", ["KL006"], id="mixed-separators"),
        pytest.param("1234.567", ["KL006"], id="four-digits-before-a-thousands-separator"),
    ],
)
def test_decision_3_text_numbers_accept_signs_suffixes_and_currency(
    tmp_path: Path, text: str, codes: list[str]
) -> None:
    """`Øvrige omkostninger` 2025 (150.000 kr.) written as text. Read, it keeps costs and
    financing equal (a misread amount would show as KL102/KL103); the negative one is
    balanced by 300.000 kr. more `Løn` in 2025. No stated totals: the builder cannot add text."""
    app = replace(App(), layout=Layout(stated_totals=False, totals_row=False))
    app.budget_line("Øvrige omkostninger").amounts[2025] = text
    if text.startswith("("):
        app.budget_line("Løn").amounts[2025] = 3_300_000
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == codes
    cell = built.ref(BUDGET, "Øvrige omkostninger", 2025)
    for code in codes:
        assert result.at(code) == [cell]
    if "KL010" in codes:
        assert money(result.only("KL010")["found"]) == -150_000


def set_applicant(field: str, value: CellValue) -> Built:
    built = App().build()
    built.set(APPLICANT, field, "value", value)
    return built


@pytest.mark.parametrize(
    ("field", "value", "codes"),
    [
        pytest.param("Projektstart", 45658, [], id="excel-serial-2025-01-01"),
        pytest.param("Projektstart", 36525, ["KL006"], id="serial-1999-12-31-out-of-range"),
        pytest.param("Projektslut", "31. december 2028", [], id="written-month"),
        pytest.param("Indsendt", "13. august 2024 kl. 12.00", [], id="written-month-and-time"),
        pytest.param("Indsendt", "13. august 2024 kl. 12.01", ["KL501"], id="written-one-late"),
        pytest.param("Indsendt", date(2024, 8, 13), [], id="date-without-time-is-midnight"),
        pytest.param("Indsendt", date(2024, 8, 14), ["KL501"], id="next-day-midnight-late"),
        # a serial number one ulp above noon reads as 12:00:00.000001: noise, not lateness
        pytest.param("Indsendt", 45517.50000000001, [], id="serial-noise-above-noon-on-time"),
        pytest.param(
            "Indsendt", datetime(2024, 8, 13, 12, 0, 0, 1000), ["KL501"], id="one-ms-late"
        ),
    ],
)
def test_decision_4_dates_serial_numbers_written_months_and_midnight(
    tmp_path: Path, field: str, value: CellValue, codes: list[str]
) -> None:
    built = set_applicant(field, value)
    result = check(tmp_path, built)
    assert result.codes == codes
    for code in codes:
        assert result.at(code) == [built.ref(APPLICANT, field)]


@pytest.mark.parametrize(
    ("amount", "unreadable"),
    [
        pytest.param(10**15, True, id="10-to-the-15-is-kl006"),
        pytest.param(10**15 - 1, False, id="one-krone-less-is-money"),
    ],
)
def test_decision_5_an_amount_of_10_to_the_15_kroner_is_kl006(
    tmp_path: Path, amount: int, unreadable: bool
) -> None:
    app = replace(App(), layout=Layout(stated_totals=False, totals_row=False))
    app.budget_line("Løn").amounts[2025] = amount
    built = app.build()
    result = check(tmp_path, built)
    if unreadable:
        assert result.codes == ["KL006"]  # the sums over it stay silent
        assert result.at("KL006") == [built.ref(BUDGET, "Løn", 2025)]
    else:
        assert "KL006" not in result.codes
        assert {"KL102", "KL106"} <= set(result.codes)  # read as (implausible) money


def with_duplicate_year(built: Built, sheet: str) -> Built:
    """A second `2025` column at the right of `sheet`, holding 1 kr. on every row."""
    for i, row in enumerate(built.sheets[sheet]):
        row.append(2025 if i == 0 else 1)
    return built


def test_decision_8_a_repeated_year_column_counts_once(tmp_path: Path) -> None:
    """The first `2025` column is the year's; the copy at the right is ignored (read as 2025,
    every stated `I alt` would be wrong, and the costs 4 kr. a line less)."""
    built = with_duplicate_year(App().build(), BUDGET)
    assert built.sheets[BUDGET][0].count(2025) == 2
    result = check(tmp_path, built)
    assert result.codes == []
    assert money(result.report["files"][0]["figures"]["total_costs"]) == 23_129_000


def test_decision_8_the_sme_header_is_the_row_naming_the_most_columns(tmp_path: Path) -> None:
    """A row above the header naming two known columns (`Samarbejde`, `SMV`) is not the header:
    the real one names nine."""
    built = App().build()
    built.sheets[SME][0:0] = [["Samarbejde", "SMV"], []]
    result = check(tmp_path, built)
    assert result.codes == []
    assert result.report["files"][0]["figures"]["largest_sme_share_at"] == "SMV-samarbejder!H4"


def test_decision_9_the_first_ansoeger_row_with_a_value_wins(tmp_path: Path) -> None:
    # a title row repeating the label, without a value, above the field: the field wins
    titled = App().build()
    titled.sheets[APPLICANT].insert(0, ["Ansøger", None])
    result = check(tmp_path, titled)
    assert result.codes == []
    assert result.report["files"][0]["applicant"] == "Klyngen for Grøn Produktion"
    # two rows with a value: the first wins
    twice = replace(App(), extra_fields=[("Ansøger", "Anden Klynge")])
    assert twice.build().sheets[APPLICANT][-1] == ["Ansøger", "Anden Klynge"]
    result = check(tmp_path, twice)
    assert result.codes == []
    assert result.report["files"][0]["applicant"] == "Klyngen for Grøn Produktion"


@pytest.mark.parametrize("designation", ["Ja", "Yes"])
def test_decision_9_a_label_with_its_value_in_one_cell_and_ja_for_udpeget(
    tmp_path: Path, designation: str
) -> None:
    """`Enhed: 1.000 kr.` in one cell scales the amounts (else 23.129 kr.: KL106); `Ja`/`Yes`
    mean `Udpeget` (else KL006, or KL602/KL603)."""
    built = replace(App(), unit="1.000 kr.", designation=designation).build()
    rows = built.sheets[APPLICANT]
    unit_row = next(i for i, row in enumerate(rows) if row and row[0] == "Enhed")
    rows[unit_row] = ["Enhed: 1.000 kr.", None]
    assert built.cell(BUDGET, "Løn", 2025) == 3_000  # written in thousands
    result = check(tmp_path, built)
    assert result.codes == []
    assert money(result.report["files"][0]["figures"]["total_costs"]) == 23_129_000


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        pytest.param(b'<c r="C4" t="str"><f>""</f><v></v></c>', [], id="empty-text-is-blank"),
        pytest.param(b'<c r="C4"><f>""</f><v></v></c>', ["KL007"], id="empty-number-is-kl007"),
    ],
)
def test_decision_14_a_formula_whose_stored_result_is_empty_text_is_a_blank_cell(
    tmp_path: Path, cell: bytes, codes: list[str]
) -> None:
    """`Rejser` 2025 (Budget!C4) is a formula; `Øvrige omkostninger` 2025 carries its
    100.000 kr., so a blank (0) there balances."""
    app = App()
    app.budget_line("Rejser").amounts[2025] = '=""'
    app.budget_line("Øvrige omkostninger").amounts[2025] = 250_000
    built = app.build()
    assert built.ref(BUDGET, "Rejser", 2025) == "Budget!C4"
    written = built.write(tmp_path / "written.xlsx")
    path = patch_package(
        written, tmp_path / "application.xlsx", b'<c r="C4"><f>""</f><v /></c>', cell
    )
    result = run_check(path)
    assert result.codes == codes
    for code in codes:
        assert result.at(code) == ["Budget!C4"]


def test_decision_15_in_a_folder_only_workbook_extensions_are_checked(tmp_path: Path) -> None:
    folder = tmp_path / "indbakke"
    folder.mkdir()
    App().write(folder / "a.xlsx")
    App().write(folder / "b.dat")  # a valid workbook under another extension
    in_folder = run_check(folder)
    assert [Path(f["path"]).name for f in in_folder.report["files"]] == ["a.xlsx"]
    assert in_folder.report["summary"]["skipped"] == 1
    named = run_check(folder / "b.dat")  # named on the command line: checked by its content
    assert [Path(f["path"]).name for f in named.report["files"]] == ["b.dat"]
    assert named.codes == []
    assert named.exit_code == 0


def test_decision_15_an_ole2_file_without_a_workbook_stream_is_kl001(tmp_path: Path) -> None:
    """An xls whose `Workbook` stream is renamed: KL001 from the container check, before
    calamine (which once aborted the process on such a file) touches it."""
    data = (CORPUS / "frictionless-py" / "table-with-ints-floats-dates.xls").read_bytes()
    name = "Workbook".encode("utf-16-le")
    assert data.count(name) == 1
    path = tmp_path / "no-workbook.xls"
    path.write_bytes(data.replace(name, "Wxrkbook".encode("utf-16-le")))
    result = run_check(path)
    assert result.codes == ["KL001"]
    assert result.exit_code == 1
    assert "without a workbook stream" in result.only("KL001")["message"]["en"]


def test_decision_15_a_lock_file_named_on_the_command_line_is_skipped(tmp_path: Path) -> None:
    """An Office lock file (`~$…`) is never checked, even when named (it holds a valid workbook
    here, so checking it would show); alone it leaves nothing to check: exit 2, as cli.md says
    for 'no workbook found'."""
    lock = App().write(tmp_path / "~$application.xlsx")
    code, stdout = text_report(lock, "--lang", "da")
    assert code == 2
    assert stdout == ""
    alone = CliRunner().invoke(cli, ["check", str(lock), "--lang", "en"])
    assert "no workbook found" in alone.stderr
    good = App().write(tmp_path / "application.xlsx")
    both = run_check(lock, good)
    assert [f["path"] for f in both.report["files"]] == [str(good)]
    assert both.report["summary"]["files"] == 1
    assert both.report["summary"]["skipped"] == 1
    assert both.exit_code == 0


# --- Rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stated_totals", "kl304", "kl105"),
    [
        pytest.param(False, "Budget!A8", "Budget!A9", id="no-i-alt-column-kategori-cell"),
        pytest.param(True, "Budget!G8", "Budget!G9", id="i-alt-cell"),
    ],
)
def test_decision_17_kl304_and_kl105_point_at_i_alt_else_the_kategori_cell(
    tmp_path: Path, stated_totals: bool, kl304: str, kl105: str
) -> None:
    """200.000 kr. moved from the SMV grant line to indirect costs in 2025: indirect costs are
    then over 15 % of staff costs (KL304), and the SMV line is off (KL105)."""
    app = replace(App(), layout=Layout(stated_totals=stated_totals))
    app.budget_line("Indirekte omkostninger").amounts[2025] = 620_000
    app.budget_line(SME_GRANTS).amounts[2025] = 800_000
    result = check(tmp_path, app)
    assert result.codes == ["KL105", "KL304"]
    assert result.at("KL304") == [kl304]
    assert result.at("KL105") == [kl105]


def test_decision_18_no_kl404_when_kl403_applies(tmp_path: Path) -> None:
    """Turnover over 50 mio. EUR without a balance is KL404, unless the partner already is no
    SME by its employees: then KL403 alone."""
    not_sme = App()
    assert not_sme.collaborations is not None
    not_sme.collaborations[KOMPOSIT].update(
        {"Ansatte": 250, "Omsætning (mio. EUR)": 51, "Balance (mio. EUR)": None}
    )
    result = check(tmp_path, not_sme)
    assert result.codes == ["KL403"]
    assert result.at("KL403") == ["SMV-samarbejder!D3"]
    # the near miss: 249 employees, and KL404 is reported
    unconfirmed = App()
    assert unconfirmed.collaborations is not None
    unconfirmed.collaborations[KOMPOSIT].update(
        {"Ansatte": 249, "Omsætning (mio. EUR)": 51, "Balance (mio. EUR)": None}
    )
    result = check(tmp_path, unconfirmed)
    assert result.codes == ["KL404"]
    assert result.at("KL404") == ["SMV-samarbejder!E3"]


def test_decision_20_a_basis_application_with_an_sme_sheet_gets_the_kl4xx_checks(
    tmp_path: Path,
) -> None:
    """KL401 and KL403-KL406 check a basis workbook's SMV-samarbejder too; KL105 does not (the
    basis budget has no SMV grant line, the sheet passes on 6.349.000 kr.), nor does KL402."""
    app = basis_app()
    rows = collaborations()
    rows[FOODSENSE]["Tilskud"] = 745_000  # KL401, H4
    rows[KOMPOSIT]["Ansatte"] = 250  # KL403, D3
    rows[HAVNEKRAFT].update({"Omsætning (mio. EUR)": 51, "Balance (mio. EUR)": None})  # KL404, E5
    rows[4]["CVR"] = invalid_cvr(4)  # KL405, C6
    rows[5]["CVR"] = rows[TERMOFLOW]["CVR"]  # KL406, C7
    app.collaborations = rows
    result = check(tmp_path, app)
    assert result.codes == ["KL401", "KL403", "KL404", "KL405", "KL406"]
    assert [f"{f['code']} {f['location']}" for f in result.findings] == [
        "KL403 SMV-samarbejder!D3",
        "KL401 SMV-samarbejder!H4",
        "KL404 SMV-samarbejder!E5",
        "KL405 SMV-samarbejder!C6",
        "KL406 SMV-samarbejder!C7",
    ]
    # a basis sheet with only its header: no KL402
    assert check(tmp_path, replace(basis_app(), collaborations=[])).codes == []


def test_decision_21_no_kl106_on_an_empty_budget(tmp_path: Path) -> None:
    """0 kr. in unit kr. is under the 100.000 kr. of KL106, but an empty budget is KL205's
    business (nothing requested)."""
    app = basis_app()
    for line in [*app.budget, *app.financing]:
        line.amounts = dict.fromkeys(line.amounts, 0)
    result = check(tmp_path, app)
    assert result.codes == ["KL205", "KL303"]
    # the near miss: 99.999 kr. in unit kr. is KL106
    app.budget_line("Løn").amounts[2025] = 99_999
    app.financing_line("Decentrale erhvervsfremmemidler").amounts[2025] = 99_999
    assert "KL106" in check(tmp_path, app).codes


@pytest.mark.parametrize(
    ("values", "da", "en"),
    [
        pytest.param(
            {"deadline": "2099-08-13T12:00:00"},
            "opslaget er åbent nu, frist 13-08-2099 12:00",
            "the call is open now, deadline 13-08-2099 12:00",
            id="open",
        ),
        pytest.param(
            {"opens": "2099-05-15T00:00:00", "deadline": "2099-08-13T12:00:00"},
            "ansøgningsperioden åbner 15-05-2099 00:00",
            "the application period opens 15-05-2099 00:00",
            id="not-yet-open",
        ),
        pytest.param(
            {}, "opslaget lukkede 13-08-2024 12:00", "the call closed 13-08-2024 12:00", id="closed"
        ),
    ],
)
def test_decision_22_kl506_says_whether_the_call_is_open_now(
    tmp_path: Path, values: dict[str, str], da: str, en: str
) -> None:
    call = call_file(tmp_path, **values)
    result = check(tmp_path, replace(App(), submitted=None), "--call", call)
    assert result.codes == ["KL506"]
    message = result.only("KL506")["message"]
    assert da in message["da"]
    assert en in message["en"]


@pytest.mark.parametrize(
    ("values", "location", "limit"),
    [
        pytest.param({"sme_max_employees": "40"}, "SMV-samarbejder!D3", 40, id="employees"),
        pytest.param(
            {"sme_max_turnover_meur": '"9"', "sme_max_balance_meur": '"6"'},
            "SMV-samarbejder!E3",
            9,
            id="turnover-and-balance",
        ),
    ],
)
def test_decision_23_the_sme_definition_comes_from_the_call_file(
    tmp_path: Path, values: dict[str, str], location: str, limit: int
) -> None:
    """Komposit Nord A/S (45 employees, 9,8 mio. EUR turnover, 6,4 mio. EUR balance) is an SME
    by the EU numbers, and not by a call's smaller ones."""
    assert check(tmp_path, App()).codes == []
    result = check(tmp_path, App(), "--call", call_file(tmp_path, **values))
    assert result.codes == ["KL403"]
    finding = result.only("KL403")
    assert finding["location"] == location
    assert money(finding["limit"]) == limit


# --- Command line and report --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["KL001", "KL002", "KL011"])
@pytest.mark.parametrize(
    "selection",
    [
        pytest.param(("--select", "KL4"), id="select-kl4"),
        pytest.param(("--ignore", "KL0"), id="ignore-kl0"),
        pytest.param(("--select", "KL5", "--ignore", "KL001,KL002,KL011,KL9"), id="ignore-codes"),
    ],
)
def test_decision_24_an_unreadable_file_never_passes_whatever_is_selected(
    tmp_path: Path, kind: str, selection: tuple[str, ...]
) -> None:
    result = run_check(write_unreadable(tmp_path, kind), *selection)
    assert result.codes == [kind]
    assert result.exit_code == 1
    assert result.report["files"][0]["verdict"] == "unreadable"


@pytest.mark.parametrize(
    ("selection", "codes"),
    [
        pytest.param(("--select", "KL4"), ["KL401"], id="near-miss-select-only"),
        pytest.param(("--select", "KL4", "--ignore", "KL4"), [], id="family-tie"),
        pytest.param(("--select", "KL401", "--ignore", "KL401"), [], id="code-tie"),
        pytest.param(("--select", "KL401", "--ignore", "KL4"), ["KL401"], id="longer-select"),
    ],
)
def test_decision_25_ignore_wins_a_tie_between_select_and_ignore(
    selection: tuple[str, ...], codes: list[str]
) -> None:
    result = run_check(OVER_70, *selection)
    assert result.codes == codes
    assert result.exit_code == (1 if codes else 0)
    assert ("KL401" in result.report["files"][0]["rules_run"]) is bool(codes)


@pytest.mark.parametrize(
    ("fail_on", "exit_code"),
    [
        pytest.param("info", 1, id="info-fails"),
        pytest.param("warning", 0, id="warning-passes"),
        pytest.param("error", 0, id="error-passes"),
    ],
)
def test_decision_26_fail_on_info_makes_an_info_finding_fail(
    tmp_path: Path, fail_on: str, exit_code: int
) -> None:
    result = check(tmp_path, basis_without_private_cash(), "--fail-on", fail_on)
    assert result.codes == ["KL303"]
    assert result.only("KL303")["severity"] == "info"
    assert result.exit_code == exit_code
    # the near miss: a clean application passes --fail-on info
    assert check(tmp_path, basis_app(), "--fail-on", fail_on).exit_code == 0


def test_decision_27_an_unreadable_file_has_its_own_verdict(tmp_path: Path) -> None:
    broken = write_unreadable(tmp_path, "KL001")
    result = run_check(broken, LATE)
    verdicts = {Path(f["path"]).name: f["verdict"] for f in result.report["files"]}
    assert verdicts == {"broken.xlsx": "unreadable", LATE.name: "failed"}
    summary = result.report["summary"]
    assert (summary["files"], summary["failed"], summary["unreadable"]) == (2, 1, 1)
    _, danish = text_report(broken, "--lang", "da")
    assert "IKKE GODKENDT (kan ikke læses)" in danish
    _, english = text_report(broken, "--lang", "en")
    assert "FAILED (unreadable)" in english
    _, late = text_report(LATE, "--lang", "da")
    assert "IKKE GODKENDT" in late and "kan ikke læses" not in late


def test_decision_28_amounts_and_severities_follow_the_language(tmp_path: Path) -> None:
    """FoodSense: Tilskud 743.000,50 kr. of FoU 1.000.000 kr. is 74,3 %: reduce by 43.000,50 kr.
    (decisions items 56 and 57: Danish `43.000,50 kr.`, English `DKK 43,000.50`)."""
    app = raise_sme_amount(App(), FOODSENSE, "Tilskud", Decimal("743000.50"))
    finding = check(tmp_path, app).only("KL401")
    da, en = finding["message"]["da"], finding["message"]["en"]
    assert "74,3 %" in da and "74.3 %" in en
    assert "74.3" not in da and "74,3" not in en
    for text in (da, finding["fix"]["da"]):
        assert "43.000,50 kr." in text and "700.000 kr." in text
    for text in (en, finding["fix"]["en"]):
        assert "DKK 43,000.50" in text and "DKK 700,000" in text and " kr." not in text
    # the code is the same in both languages, so the same grep works; the severity is the
    # report's language in text output (JSON keeps "error")
    path = app.write(tmp_path / "over.xlsx")
    _, danish = text_report(path, "--lang", "da")
    _, english = text_report(path, "--lang", "en")
    assert "KL401 fejl SMV-samarbejder!H4  " in danish
    assert "KL401 error SMV-samarbejder!H4  " in english
    assert finding["severity"] == "error"


def test_decision_29_json_carries_both_languages_whatever_lang() -> None:
    danish = run_check(OVER_70, "--lang", "da").report
    english = run_check(OVER_70, "--lang", "en").report
    assert (danish["lang"], english["lang"]) == ("da", "en")
    assert danish["files"] == english["files"]
    finding = danish["files"][0]["findings"][0]
    for part in (finding["message"], finding["fix"]):
        assert part["da"].strip() and part["en"].strip() and part["da"] != part["en"]


# --- Key figures and the summary (cli.md "Output") ----------------------------------------------


def test_the_largest_sme_share_is_the_highest_tilskud_over_fou_costs(tmp_path: Path) -> None:
    # clean: Termoflow (H2) and AquaMetric (H6) are both at exactly 70 %; the first is named
    figures = check(tmp_path, App()).report["files"][0]["figures"]
    assert money(figures["largest_sme_share"]) == Decimal("0.7")
    assert figures["largest_sme_share_at"] == "SMV-samarbejder!H2"
    # Havnekraft: Tilskud 1.125.000 of FoU 1.500.000 kr. = 75 % (with Overhead it would be 80 %)
    app = raise_sme_amount(App(), HAVNEKRAFT, "Tilskud", 1_125_000)
    result = check(tmp_path, app)
    assert result.codes == ["KL401"]
    figures = result.report["files"][0]["figures"]
    assert money(figures["largest_sme_share"]) == Decimal("0.75")
    assert figures["largest_sme_share_at"] == "SMV-samarbejder!H5"
    assert money(figures["sme_ceiling"]) == Decimal("0.7")
    _, stdout = text_report(app.write(tmp_path / "over.xlsx"), "--lang", "da")
    assert re.search(r"Største SMV-andel\s+75 % \(højst 70 %\)\s+SMV-samarbejder!H5", stdout)


def test_the_summary_is_shown_when_files_were_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "indbakke"
    folder.mkdir()
    App(cvr=valid_cvr(7)).write(folder / "a.xlsx")
    (folder / "~$a.xlsx").write_bytes(b"\x00owner lock")
    code, stdout = text_report(folder, "--lang", "da")
    assert code == 0
    assert "Opsummering" in stdout
    assert re.search(r"Sprunget over\W+1\b", stdout)
    # the near miss: one file and nothing skipped, no summary
    _, alone = text_report(folder / "a.xlsx", "--lang", "da")
    assert "Opsummering" not in alone


_LOADED = (
    "import atexit, sys\n"
    "atexit.register(lambda: print(sorted({m.split('.')[0] for m in sys.modules} & "
    "{'pydantic', 'rich'}), file=sys.stderr))\n"
    "from klyngecli.__main__ import main\n"
    "sys.argv = ['klynge', *sys.argv[1:]]\n"
    "main()\n"
)


@pytest.mark.parametrize(("config", "loaded"), [(None, "[]"), ("lang = 'da'\n", "['pydantic']")])
def test_decision_67_a_one_file_check_imports_neither_pydantic_nor_rich(
    tmp_path: Path, config: str | None, loaded: str
) -> None:
    """Start-up: a one-file check with a machine format loads neither pydantic nor rich; a
    `klynge.toml` is checked by pydantic, loaded then (the near miss)."""
    import subprocess
    import sys

    if config is not None:
        (tmp_path / "klynge.toml").write_text(config, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, "check", str(LATE), "--format", "json", "--no-cache"],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # KL501: the check ran to the end
    assert done.stderr.strip().splitlines()[-1] == loaded
