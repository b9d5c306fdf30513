"""The test workbook builder writes what it promises (read back with calamine and openpyxl)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from tests.workbooks import (
    YEARS,
    App,
    CellValue,
    Layout,
    basis_app,
    cvr_is_valid,
    dk_amount,
    forget_written,
    innovation_app,
    invalid_cvr,
    parse_amount_text,
    valid_cvr,
    write_workbook,
)

Grid = list[list[Any]]


def read(path: Path, sheet: str) -> Grid:
    """A sheet as calamine sees it, from A1 (blank cells and missing results are "")."""
    book = CalamineWorkbook.from_path(str(path))
    return [list(row) for row in book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)]


def table_sums(grid: Grid, header_row: int = 0) -> dict[int, Decimal]:
    """Per year, the sum of the line rows (not the `I alt` row) of a Budget-like sheet."""
    header = grid[header_row]
    year_cols = {int(h): j for j, h in enumerate(header) if isinstance(h, float | int)}
    sums = dict.fromkeys(year_cols, Decimal(0))
    for row in grid[header_row + 1 :]:
        if not any(row) or row[0] == "I alt":
            continue
        for year, j in year_cols.items():
            sums[year] += Decimal(str(row[j] or 0))
    return sums


def test_cvr_helpers() -> None:
    cvrs = [valid_cvr(seed) for seed in range(500)]
    assert all(cvr_is_valid(c) and len(c) == 8 and c[0] != "0" for c in cvrs)
    assert len(set(cvrs)) == len(cvrs)
    assert not cvr_is_valid(invalid_cvr())
    assert not cvr_is_valid(invalid_cvr(7))
    assert len(invalid_cvr()) == 8 and invalid_cvr()[0] != "0"


def test_default_innovation_app_balances(tmp_path: Path) -> None:
    app = App()
    path = app.write(tmp_path / "app.xlsx")
    costs = table_sums(read(path, "Budget"))
    financing = table_sums(read(path, "Finansiering"))
    assert costs == financing == app.costs_by_year() == app.financing_by_year()
    assert set(costs) == set(YEARS)
    assert 15_000_000 <= sum(costs.values()) <= 40_000_000
    assert 0 < app.deb_request() <= 23_000_000


def test_default_innovation_app_obeys_the_sme_and_overhead_rules(tmp_path: Path) -> None:
    app = App()
    path = app.write(tmp_path / "app.xlsx")
    sme = read(path, "SMV-samarbejder")
    header = sme[0]
    assert header == [
        "Samarbejde",
        "SMV",
        "CVR",
        "Ansatte",
        "Omsætning (mio. EUR)",
        "Balance (mio. EUR)",
        "FoU-omkostninger",
        "Tilskud",
        "Overhead",
    ]
    rnd, grant, overhead, cvr = (
        header.index(c) for c in ("FoU-omkostninger", "Tilskud", "Overhead", "CVR")
    )
    rows = sme[1:]
    assert rows
    assert all(Decimal(str(r[grant])) <= Decimal("0.7") * Decimal(str(r[rnd])) for r in rows)
    passed_on = sum(Decimal(str(r[grant])) + Decimal(str(r[overhead] or 0)) for r in rows)
    budget = read(path, "Budget")
    sme_line = next(r for r in budget if r[0] == "Tilskud til SMV-samarbejder")
    assert Decimal(str(sme_line[6])) == passed_on == app.sme_grants()
    partner_cvrs = [str(r[cvr]) for r in rows if r[cvr]]
    assert all(cvr_is_valid(c) for c in partner_cvrs)
    assert len(set(partner_cvrs)) == len(partner_cvrs)
    staff = next(r for r in budget if r[0] == "Løn")
    indirect = next(r for r in budget if r[0] == "Indirekte omkostninger")
    assert Decimal(str(indirect[6])) <= Decimal("0.15") * Decimal(str(staff[6]))


def test_stated_totals_add_up(tmp_path: Path) -> None:
    path = App().write(tmp_path / "app.xlsx")
    for sheet in ("Budget", "Finansiering"):
        grid = read(path, sheet)
        assert grid[0][-1] == "I alt"
        for row in grid[1:]:
            assert row[6] == sum(row[2:6])
        totals = grid[-1]
        assert totals[0] == "I alt"
        assert totals[2:6] == [sum(r[j] for r in grid[1:-1]) for j in range(2, 6)]


def test_basis_app_is_decentral_only_with_private_cash(tmp_path: Path) -> None:
    app = basis_app()
    path = app.write(tmp_path / "basis.xlsx")
    assert CalamineWorkbook.from_path(str(path)).sheet_names == [
        "Ansøger",
        "Budget",
        "Finansiering",
    ]
    sources = [row[0] for row in read(path, "Finansiering")[1:-1]]
    assert "Regionalfonden" not in sources
    assert "Privat kontant medfinansiering" in sources
    assert 0 < app.deb_request() <= 13_000_000
    assert table_sums(read(path, "Budget")) == table_sums(read(path, "Finansiering"))
    assert ["Bevillingstype", "Basis"] in read(path, "Ansøger")


def test_refs_point_at_the_values(tmp_path: Path) -> None:
    built = App().build()
    path = built.write(tmp_path / "app.xlsx")
    assert built.ref("Ansøger", "Indsendt") == "Ansøger!B6"
    assert built.ref("SMV-samarbejder", 1, "Tilskud") == "SMV-samarbejder!H3"
    assert built.ref("Finansiering", "Regionalfonden", "Kilde") == "Finansiering!A2"
    assert built.ref("Budget", "I alt", "I alt") == "Budget!G10"
    assert read(path, "Ansøger")[5][1] == datetime(2024, 8, 12, 10, 0)
    assert read(path, "SMV-samarbejder")[2][7] == 500_000
    assert built.cell("Budget", "Udstyr", 2025) == 150_000


def test_formula_cell_has_no_cached_result(tmp_path: Path) -> None:
    built = App().build()
    built.set("Budget", "Udstyr", 2025, "=100000+50000")
    path = built.write(tmp_path / "formula.xlsx")
    assert read(path, "Budget")[4][2] == ""  # calamine: no stored result
    assert load_workbook(path)["Budget"]["C5"].value == "=100000+50000"
    assert load_workbook(path, data_only=True)["Budget"]["C5"].value is None


def test_formula_totals_are_written_without_results(tmp_path: Path) -> None:
    app = replace(App(), layout=Layout(formula_totals=True, sme_totals_row=True))
    built = app.build()
    path = built.write(tmp_path / "formulas.xlsx")
    assert built.cell("Budget", "Løn", "I alt") == "=SUM(C2:F2)"
    assert built.cell("Budget", "I alt", 2025) == "=SUM(C2:C9)"
    assert built.cell("Budget", "I alt", "I alt") == "=SUM(C10:F10)"
    assert built.cell("SMV-samarbejder", "I alt", "Tilskud") == "=SUM(H2:H7)"
    assert read(path, "Budget")[1][6] == "" and read(path, "Budget")[9][2] == ""
    assert read(path, "Budget")[1][2] == 3_000_000


def test_text_amounts_are_strings_and_still_counted_in_totals(tmp_path: Path) -> None:
    app = App()
    app.budget_line("Løn").amounts = dict.fromkeys(YEARS, dk_amount(3_000_000))
    path = app.write(tmp_path / "text.xlsx")
    budget = read(path, "Budget")
    assert budget[1][2:6] == ["3.000.000"] * 4
    assert budget[1][6] == 12_000_000
    assert app.costs_by_year() == App().costs_by_year()
    assert parse_amount_text("1 234 567,50") == Decimal("1234567.50")
    assert parse_amount_text("1,234,567.50") == Decimal("1234567.50")
    assert parse_amount_text("kr. 1.234") == 1234
    assert parse_amount_text("12,3456") is None
    assert parse_amount_text("=A1") is None


def test_messy_layout(tmp_path: Path) -> None:
    layout = Layout(
        title_rows=("Det danske klyngeprogram 2025-2028 – {sheet}", None, "{name}"),
        header_row=7,
        blank_rows_between=True,
        notes_column=True,
        reverse_years=True,
        helper_column=True,
        text_number_format=True,
    )
    app = replace(App(), layout=layout, unit="1.000 kr.", sheet_names={"Budget": "Budget "})
    built = app.build()
    path = built.write(tmp_path / "messy.xlsx")
    assert CalamineWorkbook.from_path(str(path)).sheet_names[1] == "Budget "
    grid = read(path, "Budget ")
    assert grid[0][0] == "Det danske klyngeprogram 2025-2028 – Budget"
    assert grid[6] == [
        "Kontonr.",
        "Kategori",
        "Beskrivelse",
        2028,
        2027,
        2026,
        2025,
        "I alt",
        "Noter",
    ]
    assert grid[7][1] == "Løn" and grid[7][3:8] == [3000, 3000, 3000, 3000, 12000]
    assert not any(grid[8])  # an empty row between lines
    assert built.ref("Budget", "Løn", 2025) == "Budget !G8"

    sheet = load_workbook(path)["Budget "]
    assert sheet.column_dimensions["A"].hidden
    assert isinstance(sheet["A8"].value, int)  # the hidden helper column holds numbers
    assert sheet["G8"].number_format == "@"
    assert isinstance(sheet["G8"].value, int)
    assert "A1:I1" in {str(r) for r in sheet.merged_cells.ranges}
    sme = read(path, "SMV-samarbejder")
    assert sme[6][7] == "Tilskud" and sme[7][6:9] == [1320, 924, 60]


def test_english_labels(tmp_path: Path) -> None:
    path = replace(App(), lang="en").write(tmp_path / "en.xlsx")
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["Applicant", "Costs", "Financing", "SME collaborations"]
    assert read(path, "Costs")[0] == [
        "Cost category",
        "Description",
        2025,
        2026,
        2027,
        2028,
        "Total",
    ]
    assert read(path, "Applicant")[0][0] == "Applicant"
    assert ["Designation", "Designated"] in read(path, "Applicant")


def test_optional_fields_and_sheets_can_be_left_out(tmp_path: Path) -> None:
    app = replace(App(), submitted=None, designation=None, collaborations=None)
    path = app.write(tmp_path / "bare.xlsx")
    labels = [row[0] for row in read(path, "Ansøger")]
    assert "Indsendt" not in labels and "Udpegning" not in labels
    assert "SMV-samarbejder" not in CalamineWorkbook.from_path(str(path)).sheet_names


def test_write_workbook_hidden_sheets_and_reproducible_bytes(tmp_path: Path) -> None:
    sheets: dict[str, list[list[CellValue]]] = {"Forside": [["Ansøgning"]], "Lister": [["Løn"]]}
    a = write_workbook(tmp_path / "a.xlsx", sheets, hidden_sheets=["Lister"])
    forget_written()  # written anew by openpyxl, not copied from the first write
    b = write_workbook(tmp_path / "b.xlsx", sheets, hidden_sheets=["Lister"])
    assert a.read_bytes() == b.read_bytes()
    metadata = CalamineWorkbook.from_path(str(a)).sheets_metadata
    visible = {m.name: m.visible for m in metadata}
    assert visible == {"Forside": SheetVisibleEnum.Visible, "Lister": SheetVisibleEnum.Hidden}
    with pytest.raises(ValueError):
        write_workbook(tmp_path / "c.xlsx", {"Only": [[1]]}, hidden_sheets=["Only"])


def test_write_workbook_remembers_only_the_same_workbook(tmp_path: Path) -> None:
    """Each write is what its arguments say, though a process writes a workbook once: values
    Python holds equal (1, 1.0, True) stay apart, a sheet edited in place after a write is
    written as it now is, and so is a different option."""
    rows: list[list[CellValue]] = [["Løn", 1]]
    cells = []
    for value in (1, 1.0, True, "1"):
        rows[0][1] = value  # the same list, edited in place
        path = write_workbook(tmp_path / f"{len(cells)}.xlsx", {"Budget": rows})
        cells.append(CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Budget").to_python())
    assert [type(c[0][1]) for c in cells] == [float, float, bool, str]  # calamine: 1 and 1.0 alike
    plain = write_workbook(tmp_path / "plain.xlsx", {"Budget": rows}).read_bytes()
    hidden = write_workbook(
        tmp_path / "hidden.xlsx", {"Budget": rows}, hidden_cols={"Budget": ["B"]}
    )
    assert hidden.read_bytes() != plain
    assert write_workbook(tmp_path / "again.xlsx", {"Budget": rows}).read_bytes() == plain


def test_seeds_give_distinct_applicants() -> None:
    apps = [innovation_app(seed) for seed in range(5)] + [basis_app(seed) for seed in range(5)]
    assert len({app.cvr for app in apps}) == len(apps)
    assert innovation_app(3).start == date(2025, 1, 1)
