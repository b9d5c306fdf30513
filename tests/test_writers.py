"""The same content gives the same verdict whichever program wrote the workbook: openpyxl,
LibreOffice Calc (xlsx and its own ods), and XlsxWriter, which writes the OOXML of Excel 2007
(shared strings, date styles, formulas with their results stored) — Excel itself is not
available on these machines."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from tests.conftest import run_check
from tests.libreoffice import resave_one
from tests.workbooks import FIXED_TIME, App, Layout, innovation_app


def excel_style(rows: dict[str, list[list[Any]]], path: Path, results: dict[str, Any]) -> Path:
    """Write the sheets with XlsxWriter; a formula gets its result from `results` (by A1)."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": FIXED_TIME})  # the same bytes on every run
    date_format = book.add_format({"num_format": "dd-mm-yyyy"})
    moment_format = book.add_format({"num_format": "dd-mm-yyyy hh:mm:ss"})
    for name, sheet_rows in rows.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(sheet_rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str) and value.startswith("="):
                    a1 = xlsxwriter.utility.xl_rowcol_to_cell(r, c)
                    sheet.write_formula(r, c, value, None, results[f"{name}!{a1}"])
                elif isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, moment_format)
                elif isinstance(value, date):
                    sheet.write_datetime(
                        r, c, datetime(value.year, value.month, value.day), date_format
                    )
                else:
                    sheet.write(r, c, value)
    book.close()
    return path


def formula_results(app: App) -> dict[str, Any]:
    """The value each stated-total formula stands for, by Sheet!A1, from the app's own data."""
    built = app.build()
    results: dict[str, Any] = {}
    for sheet, rows in built.sheets.items():
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and value.startswith("="):
                    a1 = xlsxwriter.utility.xl_rowcol_to_cell(r, c)
                    results[f"{sheet}!{a1}"] = evaluate_sum(value, rows)
    return results


def evaluate_sum(formula: str, rows: list[list[Any]]) -> float:
    """=SUM(C2:F2) over the written rows (the builder writes only SUM formulas)."""
    inner = formula.removeprefix("=SUM(").removesuffix(")")
    first, last = inner.split(":")
    r1, c1 = xlsxwriter.utility.xl_cell_to_rowcol(first)
    r2, c2 = xlsxwriter.utility.xl_cell_to_rowcol(last)
    return float(
        sum(
            rows[r][c]
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
            if r < len(rows) and c < len(rows[r]) and isinstance(rows[r][c], int | float)
        )
    )


def over_ceiling() -> App:
    app = innovation_app(3)
    assert app.collaborations
    first = app.collaborations[0]
    first["Tilskud"] = int(first["FoU-omkostninger"]) * 75 // 100  # type: ignore[call-overload]
    return app


CASES = [
    pytest.param(innovation_app(1), id="clean-innovation"),
    pytest.param(
        replace(innovation_app(2), layout=Layout(formula_totals=True)), id="formula-totals"
    ),
    pytest.param(replace(innovation_app(4), end=date(2029, 1, 1)), id="too-long"),
]


def outcome(path: Path) -> tuple[str, list[str]]:
    result = run_check(path)
    files = result.report["files"]
    return files[0]["verdict"], sorted(f"{f['code']} {f['location']}" for f in result.findings)


@pytest.mark.parametrize("app", CASES)
def test_same_verdict_from_openpyxl_libreoffice_and_excel_format(app: App, tmp_path: Path) -> None:
    written = app.write(tmp_path / "openpyxl.xlsx")
    excel = excel_style(app.rows(), tmp_path / "excel.xlsx", formula_results(app))
    saved = resave_one(excel, "xlsx", tmp_path / "lo")
    ods = resave_one(excel, "ods", tmp_path / "lo")
    expected = outcome(excel)
    assert outcome(saved) == expected
    assert outcome(ods) == expected
    if not app.layout.formula_totals:
        # openpyxl cannot store a formula's result, so only formula-free content compares.
        assert outcome(written) == expected
    else:
        assert "KL007" in " ".join(outcome(written)[1])


def test_a_failing_workbook_fails_the_same_way_in_every_writer(tmp_path: Path) -> None:
    app = over_ceiling()
    written = outcome(app.write(tmp_path / "openpyxl.xlsx"))
    excel = outcome(excel_style(app.rows(), tmp_path / "excel.xlsx", formula_results(app)))
    lo = outcome(resave_one(tmp_path / "openpyxl.xlsx", "xlsx", tmp_path / "lo"))
    assert written == excel == lo
    assert written[0] == "failed"
    # Raising one Tilskud breaks the 70 % ceiling and the SME cost line (KL105) alike.
    assert [line.split()[0] for line in written[1]] == ["KL105", "KL401"]
