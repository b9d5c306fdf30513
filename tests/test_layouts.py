"""Real workbooks as people draw them (workbook-format.md, decided items 12-18) and the
template's defined names, through the real CLI.

Every case is written by openpyxl and then opened and saved by LibreOffice Calc as .xlsx, .xls
and .ods; each of the four files must give exactly the case's findings, so the verdict does not
depend on the program that wrote the file. LibreOffice converts all cases in one run per format.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

from klyngecli.callspec import load_call
from klyngecli.model import GrantType
from klyngecli.reader.names import FIELD_NAMES, NamedRange, from_a1, from_odf
from klyngecli.vocabulary import FIELD_LABELS
from klyngecli.writer.template import build_template
from tests.conftest import run_check
from tests.libreoffice import resave
from tests.workbooks import (
    APPLICANT,
    BUDGET,
    FINANCING,
    SME,
    TOTAL,
    YEARS,
    App,
    Built,
    Layout,
    Line,
    add_control_row,
    save_reproducibly,
    valid_cvr,
)

FORMATS = ("openpyxl", "xlsx", "xls", "ods")


@dataclass(frozen=True)
class Case:
    name: str
    write: Callable[[Path], Path]
    expected: tuple[str, ...]
    """The findings, `CODE Sheet!Cell`, sorted."""


def built(make: Callable[[], Built]) -> Callable[[Path], Path]:
    return lambda path: make().write(path)


# --- decided item 12: merged cells ------------------------------------------------------------


def merged_labels() -> Built:
    return App(layout=Layout(merged_labels=True)).build()


def merged_label_value_further_right() -> Built:
    """The CVR number typed two cells right of the merged label: the first non-empty cell."""
    result = merged_labels()
    rows = result.sheets[APPLICANT]
    row = next(r for r in rows if r[0] == "CVR-nummer")
    row[2:] = [None, None, row[2]]
    return result


def merged_label_empty_value() -> Built:
    result = merged_labels()
    result.set(APPLICANT, "CVR-nummer", "value", None)
    return result


def split(line: Line, parts: int) -> list[Line]:
    """The line as `parts` lines of the same label, its amounts divided between them."""
    lines = []
    for k in range(parts):
        amounts = {}
        for year, amount in line.amounts.items():
            assert isinstance(amount, int) and amount % parts == 0
            amounts[year] = amount // parts
        lines.append(Line(line.label, amounts, f"{line.description} ({k + 1}/{parts})"))
    return lines


def merged_keys(label: str | None = None) -> Built:
    """`Løn` over three cost lines, `Regionalfonden` over two sources, one collaboration with
    two SMEs, each label merged down over its rows (the text only in the top cell)."""
    app = App(layout=Layout(merge_runs=True))
    staff = split(app.budget_line("Løn"), 3)
    if label is not None:
        for line in staff:
            line.label = label
    app.budget[0:1] = staff
    app.financing[0:1] = split(app.financing_line("Regionalfonden"), 2)
    assert app.collaborations is not None
    first = app.collaborations[0]
    second = {**first, "SMV": "Varmestyring ApS", "CVR": valid_cvr(777), "Ansatte": 6}
    first.update({"FoU-omkostninger": 1_000_000, "Tilskud": 700_000, "Overhead": 40_000})
    second.update({"FoU-omkostninger": 320_000, "Tilskud": 224_000, "Overhead": 20_000})
    app.collaborations.insert(1, second)
    return app.build()


# --- decided item 13: two-row headers ---------------------------------------------------------


def two_rows(heading: str = "Beløb (kr.)", unit: str | None = None) -> Built:
    return App(unit=unit, layout=Layout(two_row_header=heading)).build()


def two_rows_key_in_lower_row() -> Built:
    """`Kategori` and `Kilde` in the lower row, nothing merged down over them."""
    result = two_rows()
    for sheet in (BUDGET, FINANCING):
        rows = result.sheets[sheet]
        rows[1][0], rows[0][0] = rows[0][0], None
        result.merged[sheet].remove("A1:A2")
    return result


def two_rows_key_only_above() -> Built:
    """`Kategori` in the upper row above an empty cell, not merged: no header the format knows."""
    result = two_rows()
    result.merged[BUDGET].remove("A1:A2")
    return result


# --- decided item 14: section headings and control rows ----------------------------------------


def heading(label: str, amounts: dict[int, int | None] | None = None) -> Line:
    return Line(label, dict(amounts or {}), total=None)


def sections(first_amount: int | None = None) -> Built:
    """Section headings in the budget (one with typed zeros), and a control row under the
    financing totals whose formulas give 0."""
    app = App()
    amounts = {2025: first_amount} if first_amount else None
    app.budget.insert(0, heading("A. Personale", amounts))
    app.budget.insert(2, heading("B. Drift", dict.fromkeys(YEARS, 0)))
    app.budget.insert(8, heading("C. SMV-samarbejder"))
    if first_amount:  # the financing follows, so that only the heading's amount is wrong
        own = app.financing_line("Egenfinansiering").amounts
        own[2025] = int(str(own[2025])) + first_amount
    result = app.build()
    add_control_row(result)
    return result


def control_row_with_float_noise() -> Built:
    """The control row's stored results are 0 with a binary-float tail (0,1 + 0,2 - 0,3 in
    kroner): rounded to the øre like any amount, they are 0."""
    result = sections()
    noise = {a1: 0.1 + 0.2 - 0.3 for a1 in result.results[FINANCING]}
    result.results[FINANCING] = noise
    return result


# --- decided item 15: totals labels -------------------------------------------------------------


def totals_labelled(budget: str, financing: str = TOTAL, wrong: int = 0) -> Built:
    app = App(layout=Layout(sme_totals_row=True))
    result = app.build()
    result.set(BUDGET, TOTAL, "Kategori", budget)
    result.set(FINANCING, TOTAL, "Kilde", financing)
    result.set(SME, TOTAL, "Samarbejde", "Sum")
    if wrong:
        stated = result.cell(BUDGET, TOTAL, 2025)
        assert isinstance(stated, int)
        result.set(BUDGET, TOTAL, 2025, stated + wrong)
    return result


def samlet_budget_without_amounts() -> Built:
    result = App().build()
    rows = result.sheets[BUDGET]
    rows.insert(len(rows) - 1, ["Samlet budget", "Overblik", None, None, 0, None, None])
    return result


# --- decided items 16 and 17 ---------------------------------------------------------------------


def whole_kroner_as_text() -> Built:
    result = App().build()
    result.set(BUDGET, "Løn", 2025, "3.000.000,-")
    result.set(BUDGET, "Løn", 2026, "3.000.000,00 kr.")
    return result


def tilskud_as_formula() -> Built:
    """Tilskud = FoU-omkostninger × 0,7 as a formula: its stored result has float noise."""
    result = App().build()
    rd = result.ref(SME, 0, "FoU-omkostninger").split("!")[1]
    result.set(SME, 0, "Tilskud", f"={rd}*0.7")
    result.results[SME] = {result.ref(SME, 0, "Tilskud").split("!")[1]: 1_320_000 * 0.7}
    return result


# --- the template's defined names ---------------------------------------------------------------

APPLICANT_VALUES: dict[str, object] = {
    "Ansøger": "Klyngen for Grøn Produktion",
    "CVR-nummer": valid_cvr(1),
    "Bevillingstype": "Innovation",
    "Projektstart": date(2025, 1, 1),
    "Projektslut": date(2028, 12, 31),
    "Indsendt": datetime(2024, 8, 12, 10, 0),
    "Udpegning": "Udpeget",
    "Enhed": "kr.",
    "Kontaktperson": "Mette Sørensen",
    "E-mail": "mette.soerensen@groenproduktion.example",
}


def filled_template() -> Workbook:
    """`klynge template --grant innovation`, filled in with the clean application of App()."""
    book = build_template(GrantType.INNOVATION, load_call())
    app = App()
    sheet = book[APPLICANT]
    for row in range(2, sheet.max_row + 1):
        label = sheet.cell(row=row, column=1).value
        if label in APPLICANT_VALUES:
            sheet.cell(row=row, column=2, value=APPLICANT_VALUES[label])
    for name, lines in ((BUDGET, app.budget), (FINANCING, app.financing)):
        sheet = book[name]
        by_label = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
        for line in lines:
            for k, year in enumerate(YEARS):
                sheet.cell(row=by_label[line.label], column=3 + k, value=line.amounts[year])
    sheet = book[SME]
    header = [c.value for c in sheet[1]]
    for r, collab in enumerate(app.collaborations or [], start=2):
        for c, column in enumerate(header, start=1):
            sheet.cell(row=r, column=c, value=collab.get(str(column)))
    return book


def rename(book: Workbook, name: str, reference: str) -> None:
    book.defined_names[name] = DefinedName(name, attr_text=reference)


def insert_rows(book: Workbook, sheet: str, table: str, count: int, title: str) -> None:
    """`count` rows inserted above a table, a title in the first; its name moves with it, as
    Excel moves a name when rows are inserted."""
    book[sheet].insert_rows(1, count)
    book[sheet]["A1"] = title
    area = from_a1(book.defined_names[table].attr_text)
    assert area is not None
    book.defined_names[table] = DefinedName(
        table,
        attr_text=f"'{sheet}'!$A${area.first_row + 1 + count}:$I${area.last_row + 1 + count}",
    )


def reorder_applicant(book: Workbook, labels: dict[str, str] | None = None) -> None:
    """The Ansøger fields in reverse order with a blank row after each, labels renamed by
    `labels`; the names follow their value cells."""
    sheet = book[APPLICANT]
    fields = [(k, v) for k, v in APPLICANT_VALUES.items()]
    sheet.delete_rows(2, sheet.max_row)
    keys = dict(zip(APPLICANT_VALUES, FIELD_NAMES.values(), strict=True))
    for k, (label, value) in enumerate(reversed(fields)):
        row = 3 + 2 * k
        sheet.cell(row=row, column=1, value=(labels or {}).get(label, label))
        sheet.cell(row=row, column=2, value=value)
        rename(book, keys[label], f"'{APPLICANT}'!$B${row}")


def template_moved(path: Path) -> Path:
    book = filled_template()
    reorder_applicant(book)
    insert_rows(book, BUDGET, "Budget_Tabel", 3, "Budget for projektet")
    save_reproducibly(book, path)
    return path


def template_renamed(path: Path) -> Path:
    """Labels no checker knows and headers far below the first 30 rows: only the names find
    them."""
    book = filled_template()
    reorder_applicant(book, {label: f"Felt {k}" for k, label in enumerate(APPLICANT_VALUES)})
    insert_rows(book, BUDGET, "Budget_Tabel", 34, "Budget")
    insert_rows(book, FINANCING, "Finansiering_Tabel", 40, "Finansiering")
    insert_rows(book, SME, "SMV_Tabel", 31, "Planlagte samarbejder")
    save_reproducibly(book, path)
    return path


def template_broken_names(path: Path) -> Path:
    """Each name points at something no checker can use; had one been used, it would give a
    finding."""
    book = filled_template()
    rename(book, "Ansoeger_CVR", f"'{APPLICANT}'!$B$2:$C$3")  # wrongly shaped
    rename(book, "Ansoeger_Navn", f"'{BUDGET}'!$A$2")  # another sheet
    rename(book, "Ansoeger_Projektslut", f"'{APPLICANT}'!$Z$99")  # empty
    rename(book, "Ansoeger_Projektstart", f"'{APPLICANT}'!$B$6")  # the row of Projektslut
    rename(book, "Budget_Tabel", f"'{BUDGET}'!$A$25:$F$40")  # empty
    rename(book, "Finansiering_Tabel", f"'{FINANCING}'!$A$3")  # one cell
    rename(book, "SMV_Tabel", f"'{SME}'!$A$5:$I$21")  # no header in its first row
    save_reproducibly(book, path)
    return path


CASES = (
    # 12
    Case("merged-labels", built(merged_labels), ()),
    Case("merged-label-value-further-right", built(merged_label_value_further_right), ()),
    Case("merged-label-empty-value", built(merged_label_empty_value), ("KL005 Ansøger!C2",)),
    Case("merged-keys-down", built(merged_keys), ()),
    Case(
        "merged-unknown-key-down",
        built(lambda: merged_keys("Personale")),
        ("KL008 Budget!A2",),  # one finding about the merged cell
    ),
    # 13
    Case("two-row-header", built(two_rows), ()),
    Case("two-row-header-in-thousands", built(lambda: two_rows("Beløb (t.kr.)", "1.000 kr.")), ()),
    Case(
        "two-row-header-unit-contradicts-enhed",
        built(lambda: two_rows("Beløb (mio. kr.)", "1.000 kr.")),
        ("KL006 Budget!C1", "KL006 Finansiering!C1", "KL006 SMV-samarbejder!G1"),
    ),
    Case("two-row-header-key-in-lower-row", built(two_rows_key_in_lower_row), ()),
    Case("two-row-header-key-only-above", built(two_rows_key_only_above), ("KL004 Budget",)),
    # 14
    Case("section-headings-and-control-row", built(sections), ()),
    Case("control-row-with-float-noise", built(control_row_with_float_noise), ()),
    Case("heading-with-an-amount", built(lambda: sections(1_000)), ("KL008 Budget!A2",)),
    # 15
    Case("totals-labels", built(lambda: totals_labelled("Total i alt", "I alt (kr.)")), ()),
    Case(
        "total-i-alt-wrong",
        built(lambda: totals_labelled("Total i alt", wrong=1_000)),
        ("KL101 Budget!C10",),
    ),
    Case(
        "samlet-budget-with-amounts",
        built(lambda: totals_labelled("Samlet budget")),
        # An unknown cost line: its amounts count, so the costs are twice the financing.
        ("KL008 Budget!A10", "KL102 Finansiering!C2:G6"),
    ),
    Case("samlet-budget-without-amounts", built(samlet_budget_without_amounts), ()),
    # 16, 17
    Case(
        "whole-kroner-as-text",
        built(whole_kroner_as_text),
        ("KL009 Budget!C2", "KL009 Budget!D2"),
    ),
    Case("formula-result-with-float-noise", built(tilskud_as_formula), ()),
    # the template's defined names
    Case("template-rows-moved", template_moved, ()),
    Case("template-labels-renamed-headers-deep", template_renamed, ()),
    Case("template-names-point-at-nothing-useful", template_broken_names, ()),
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """(case, format) → the file: as the builder writes it, and as LibreOffice saves it."""
    root = tmp_path_factory.mktemp("layouts")
    (root / "openpyxl").mkdir()
    sources = [case.write(root / "openpyxl" / f"{case.name}.xlsx") for case in CASES]
    found = {(case.name, "openpyxl"): path for case, path in zip(CASES, sources, strict=True)}
    for extension in FORMATS[1:]:
        saved = resave(sources, extension, root / extension)
        found |= {(case.name, extension): path for case, path in zip(CASES, saved, strict=True)}
    return found


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_layout_gives_the_same_findings_in_every_format(
    case: Case, fmt: str, files: dict[tuple[str, str], Path]
) -> None:
    result = run_check(files[(case.name, fmt)])
    found = sorted(f"{f['code']} {f['location']}" for f in result.findings)
    assert found == sorted(case.expected)


def test_the_template_names_every_field_and_table(tmp_path: Path) -> None:
    book = filled_template()
    names = {name: book.defined_names[name].attr_text for name in book.defined_names}
    assert names["Ansoeger_CVR"] == "'Ansøger'!$B$3"
    assert names["Budget_Tabel"] == "'Budget'!$A$1:$F$19"
    assert names["SMV_Tabel"] == "'SMV-samarbejder'!$A$1:$I$21"
    assert set(FIELD_NAMES.values()) | {"Budget_Tabel", "Finansiering_Tabel"} <= set(names)
    sheet = book[APPLICANT]
    for key, name in FIELD_NAMES.items():  # each name is on the value cell right of its label
        area = from_a1(names[name])
        assert area is not None and area.single and area.first_col == 1, name
        assert sheet.cell(row=area.first_row + 1, column=1).value == FIELD_LABELS[key][0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'Ansøger'!$C$3", ("Ansøger", 2, 2, 2, 2)),
        ("Budget!$A$1:$H$20", ("Budget", 0, 0, 19, 7)),
        ("'It''s'!B2", ("It's", 1, 1, 1, 1)),
        ("#REF!", None),
        ("Budget!$A$1,Budget!$C$3", None),
        ("SUM(Budget!A1:A3)", None),
    ],
)
def test_an_excel_reference_is_one_rectangle_or_nothing(
    text: str, expected: tuple[object, ...] | None
) -> None:
    area = from_a1(text)
    assert area == (None if expected is None else NamedRange(*expected))  # type: ignore[arg-type]


def test_an_ods_reference_is_one_rectangle_or_nothing() -> None:
    area = from_odf("$'SMV-samarbejder'.$A$1:.$I$21")
    assert area is not None and (area.sheet, area.last_row, area.last_col) == (
        "SMV-samarbejder",
        20,
        8,
    )
    assert from_odf("$Budget.$A$1:$Ansøger.$C$4") is None  # a range over two sheets
    assert from_odf("#REF!") is None


# --- decided items 17 and 18: NaN and ambiguous packages (xlsx only: the screen's business) -----


def rewrite(path: Path, change: Callable[[dict[str, bytes]], list[tuple[str, bytes]]]) -> Path:
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in change(parts):
            archive.writestr(name, data)
    return path


def test_a_nan_amount_is_kl006_never_an_amount(tmp_path: Path) -> None:
    path = App().write(tmp_path / "nan.xlsx")

    def nan(parts: dict[str, bytes]) -> list[tuple[str, bytes]]:
        cell = b'<c r="C3" t="n"><v>400000</v>'  # Eksterne konsulenter, 2025
        assert parts["xl/worksheets/sheet2.xml"].count(cell) == 1
        parts["xl/worksheets/sheet2.xml"] = parts["xl/worksheets/sheet2.xml"].replace(
            cell, b'<c r="C3" t="n"><v>NaN</v>'
        )
        return list(parts.items())

    result = run_check(rewrite(path, nan))
    assert [(f["code"], f["location"]) for f in result.findings] == [("KL006", "Budget!C3")]


def test_two_parts_of_one_name_are_kl001(tmp_path: Path) -> None:
    path = App().write(tmp_path / "twice.xlsx")

    def twice(parts: dict[str, bytes]) -> list[tuple[str, bytes]]:
        return [*parts.items(), ("xl/worksheets/sheet2.xml", parts["xl/worksheets/sheet2.xml"])]

    with pytest.warns(UserWarning, match="Duplicate name"):
        rewrite(path, twice)
    result = run_check(path)
    assert result.codes == ["KL001"]
    assert result.exit_code == 1
