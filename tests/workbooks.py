"""Build real format-1 budget workbooks (.xlsx) for tests, in a few lines.

Two levels:

* `write_workbook(path, sheets, ...)` writes rows exactly as given, each sheet from A1. `None`
  is a blank cell; a str starting with "=" is a formula, stored *without* a cached result (that
  is how a test makes KL007); dates and date-times are real date cells.
* `App` is an application as data. `App()` is a clean, fully valid innovation application;
  `basis_app()` a clean basis application. Change one thing and write it::

      replace(App(), end=date(2029, 1, 1)).write(tmp_path / "x.xlsx")

      app = App()
      app.budget_line("Løn").amounts[2025] = 3_500_000
      built = app.build()                     # the sheets, plus where every value went
      built.sheets["Budget"][1][2] = "abc"    # or edit a cell by hand
      built.write(tmp_path / "x.xlsx")
      built.ref("Budget", "Løn", 2025)        # -> "Budget!C2", for the expected finding

Layouts as people draw them (`Layout`): Ansøger labels merged over two columns
(`merged_labels`), two-row headers with a group heading over the years (`two_row_header`), a
`Kategori`/`Kilde`/`Samarbejde` cell merged down over a run of lines (`merge_runs`). A formula
can be given a stored result (`Built.results`), as a spreadsheet application would store it.

Amounts in an `App` are kroner (int or Decimal). They are written in the workbook's unit
(`unit="1.000 kr."` divides them by 1,000; `scale_to_unit=False` writes them as they are).
A str amount is written verbatim and never scaled: "=C2*2" is a formula with no cached result,
"1.234.567" is a number stored as text (KL009), "abc" is unreadable (KL006). Labels are given
in canonical Danish; `lang="en"` writes English sheet names and labels instead.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Final, Literal, TypeAlias

from openpyxl import Workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries

CellValue: TypeAlias = str | int | float | Decimal | date | datetime | time | bool | None
Rows: TypeAlias = list[list[CellValue]]
ColKey: TypeAlias = str | int
"""A column of a table: its canonical Danish header ("Kategori", "I alt", "Tilskud") or a year."""

YEARS: Final = (2025, 2026, 2027, 2028)

APPLICANT: Final = "Ansøger"
BUDGET: Final = "Budget"
FINANCING: Final = "Finansiering"
SME: Final = "SMV-samarbejder"
ROLES: Final = (APPLICANT, BUDGET, FINANCING, SME)

TOTAL: Final = "I alt"
SME_COLUMNS: Final = (
    "Samarbejde",
    "SMV",
    "CVR",
    "Ansatte",
    "Omsætning (mio. EUR)",
    "Balance (mio. EUR)",
    "FoU-omkostninger",
    "Tilskud",
    "Overhead",
)
SME_AMOUNT_COLUMNS: Final = ("FoU-omkostninger", "Tilskud", "Overhead")

UNIT_FACTORS: Final[Mapping[str, int]] = {
    "kr.": 1,
    "kr": 1,
    "dkk": 1,
    "1.000 kr.": 1_000,
    "t.kr.": 1_000,
    "tkr": 1_000,
    "tkr.": 1_000,
    "dkk 1,000": 1_000,
    "mio. kr.": 1_000_000,
}

_EN: Final[Mapping[str, str]] = {
    # sheets
    APPLICANT: "Applicant",
    BUDGET: "Costs",
    FINANCING: "Financing",
    SME: "SME collaborations",
    # Ansøger labels (the sheet-name entry "Ansøger" -> "Applicant" serves the name label too)
    "CVR-nummer": "Company registration number",
    "Bevillingstype": "Grant type",
    "Projektstart": "Project start",
    "Projektslut": "Project end",
    "Indsendt": "Submitted at",
    "Udpegning": "Designation",
    "Enhed": "Unit",
    "Kontaktperson": "Contact",
    "E-mail": "Email",
    # Ansøger values
    "Udpeget": "Designated",
    "Ansøgt": "Applied",
    "Nej": "No",
    # table headers
    "Kategori": "Cost category",
    "Kilde": "Source",
    "Beskrivelse": "Description",
    TOTAL: "Total",
    "Noter": "Notes",
    "Kontonr.": "Account no.",
    "Samarbejde": "Collaboration",
    "SMV": "SME",
    "Ansatte": "Employees",
    "Omsætning (mio. EUR)": "Turnover (EUR m)",
    "Balance (mio. EUR)": "Balance sheet total (EUR m)",
    "FoU-omkostninger": "R&D costs",
    "Tilskud": "Grant",
    "Overhead": "Administrative overhead",
    # cost categories
    "Løn": "Staff costs",
    "Eksterne konsulenter": "External services",
    "Rejser": "Travel",
    "Udstyr": "Equipment",
    "Revision": "Audit",
    "Øvrige omkostninger": "Other costs",
    "Indirekte omkostninger": "Indirect costs",
    "Tilskud til SMV-samarbejder": "Grants to SME collaborations",
    # financing sources
    "Regionalfonden": "ERDF",
    "Decentrale erhvervsfremmemidler": "Regional business development funds",
    "Privat kontant medfinansiering": "Private cash",
    "Offentlig kontant medfinansiering": "Public cash",
    "Egenfinansiering": "Own financing",
    "SMV'ernes egenfinansiering": "SME own financing",
}

DEB_SOURCES: Final = ("Regionalfonden", "Decentrale erhvervsfremmemidler")

# --- CVR numbers -----------------------------------------------------------------------------

_CVR_WEIGHTS: Final = (2, 7, 6, 5, 4, 3, 2, 1)


def cvr_is_valid(text: str) -> bool:
    """8 digits, no leading 0, weighted sum (2,7,6,5,4,3,2,1) divisible by 11 (KL405/KL601)."""
    if len(text) != 8 or not text.isascii() or not text.isdigit() or text[0] == "0":
        return False
    return sum(w * int(d) for w, d in zip(_CVR_WEIGHTS, text, strict=True)) % 11 == 0


def valid_cvr(seed: int) -> str:
    """A valid CVR number; different seeds (mod 900,000) give different numbers.

    The first six digits come from the seed; of the ten choices of the seventh digit at most one
    needs a check digit of 10, so one of the others always gives a valid number.
    """
    prefix = str(100_000 + (seed * 7_368_787 + 345_271) % 900_000)
    for seventh in range(10):
        head = f"{prefix}{seventh}"
        check = -sum(w * int(d) for w, d in zip(_CVR_WEIGHTS, head, strict=False)) % 11
        if check < 10:
            return f"{head}{check}"
    raise AssertionError("unreachable: at most one seventh digit fails")  # pragma: no cover


def invalid_cvr(seed: int = 0) -> str:
    """8 digits, no leading 0, that fail the mod-11 check (the last digit of a valid one, +1)."""
    good = valid_cvr(seed)
    return f"{good[:7]}{(int(good[7]) + 1) % 10}"


def dk_amount(amount: int) -> str:
    """An amount as Danish text with thousands dots: 1234567 -> "1.234.567"."""
    return f"{amount:,}".replace(",", ".")


# --- the low level: rows to .xlsx ------------------------------------------------------------

FIXED_TIME: Final = datetime(2024, 5, 15, 0, 0, 0)  # every time stamp of a test workbook
_CORE_MODIFIED: Final = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def write_workbook(
    path: Path,
    sheets: Mapping[str, Sequence[Sequence[CellValue]]],
    *,
    hidden_sheets: Iterable[str] = (),
    hidden_cols: Mapping[str, Iterable[str]] | None = None,
    hidden_rows: Mapping[str, Iterable[int]] | None = None,
    merged: Mapping[str, Iterable[str]] | None = None,
    number_formats: Mapping[str, Mapping[str, str]] | None = None,
    results: Mapping[str, Mapping[str, int | float]] | None = None,
) -> Path:
    """Write `sheets` (name -> rows, each from A1, in dict order) as an .xlsx file at `path`.

    `hidden_cols` {"Budget": ["A"]}, `hidden_rows` {"Budget": [3]} (1-based), `merged`
    {"Budget": ["A1:G1"]}, `number_formats` {"Budget": {"C2": "@", "C3:F9": "#,##0"}},
    `results` {"Finansiering": {"C9": 0}}: the stored result of the formula in that cell (as
    Excel or LibreOffice stores it; openpyxl alone stores none).
    The bytes are reproducible: the same arguments give the same file. A test process writes
    each distinct workbook once (`_WRITTEN`) and copies its bytes after that: openpyxl's save is
    most of a rule test's own time, and many tests write the same application.
    """
    sheets = {name: [list(row) for row in rows] for name, rows in sheets.items()}
    options = (
        list(hidden_sheets),
        {name: list(cols) for name, cols in (hidden_cols or {}).items()},
        {name: list(rows) for name, rows in (hidden_rows or {}).items()},
        {name: list(areas) for name, areas in (merged or {}).items()},
        {name: dict(formats) for name, formats in (number_formats or {}).items()},
        {name: dict(cells) for name, cells in (results or {}).items()},
    )
    # repr tells every CellValue apart (1, 1.0, True, Decimal("1"), "1"; a date's tzinfo).
    key = repr((sheets, options))
    data = _WRITTEN.get(key)
    if data is None:
        data = _xlsx_bytes(sheets, *options)
        if len(_WRITTEN) >= _WRITTEN_KEPT:
            del _WRITTEN[next(iter(_WRITTEN))]
        _WRITTEN[key] = data
    path.write_bytes(data)
    return path


_WRITTEN: dict[str, bytes] = {}  # repr of write_workbook's arguments → the file's bytes
_WRITTEN_KEPT = 256  # about 10 KB each


def forget_written() -> None:
    """Empty `write_workbook`'s memory (for the test that two writes give the same bytes)."""
    _WRITTEN.clear()


def _xlsx_bytes(
    sheets: Mapping[str, Sequence[Sequence[CellValue]]],
    hidden_sheets: Iterable[str],
    hidden_cols: Mapping[str, Iterable[str]],
    hidden_rows: Mapping[str, Iterable[int]],
    merged: Mapping[str, Iterable[str]],
    number_formats: Mapping[str, Mapping[str, str]],
    results: Mapping[str, Mapping[str, int | float]],
) -> bytes:
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    hidden = set(hidden_sheets)
    unknown = (
        hidden
        | set(hidden_cols)
        | set(hidden_rows)
        | set(merged)
        | set(number_formats)
        | set(results)
    ) - set(sheets)
    if unknown:
        raise KeyError(f"no such sheet: {sorted(unknown)}")
    if hidden >= set(sheets):
        raise ValueError("at least one sheet must stay visible")

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "klyngecli tests"
    wb.properties.created = FIXED_TIME
    for name, rows in sheets.items():
        ws = wb.create_sheet(title=name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        for col in hidden_cols.get(name, ()):
            ws.column_dimensions[col].hidden = True
        for row_number in hidden_rows.get(name, ()):
            ws.row_dimensions[row_number].hidden = True
        for area in merged.get(name, ()):
            ws.merge_cells(area)
        for area, fmt in number_formats.get(name, {}).items():
            min_col, min_row, max_col, max_row = range_boundaries(area)
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    ws.cell(row=r, column=c).number_format = fmt
        if name in hidden:
            ws.sheet_state = "hidden"
    first_visible = next(i for i, name in enumerate(sheets) if name not in hidden)
    wb.active = first_visible
    for i, ws in enumerate(wb.worksheets):
        ws.sheet_view.tabSelected = i == first_visible

    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if results:
        order = list(sheets)
        data = _store_results(
            data, {f"xl/worksheets/sheet{order.index(n) + 1}.xml": r for n, r in results.items()}
        )
    return reproducible(data)


def _store_results(data: bytes, results: Mapping[str, Mapping[str, int | float]]) -> bytes:
    """The .xlsx with a stored result written into the given formula cells (part -> A1 ->
    value); each cell must hold a formula."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            content = zin.read(info)
            for a1, value in results.get(info.filename, {}).items():
                cell = re.compile(rb'(<c r="' + a1.encode() + rb'"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>')
                content, found = cell.subn(rb"\g<1><v>" + repr(value).encode() + rb"</v>", content)
                if found != 1:
                    raise ValueError(f"no formula at {info.filename} {a1} to store a result in")
            zout.writestr(info, content)
    return out.getvalue()


def save_reproducibly(book: Workbook, path: Path) -> Path:
    """Save an openpyxl workbook made outside `write_workbook` with fixed time stamps, so the
    same workbook is the same bytes on every run."""
    book.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(reproducible(buffer.getvalue()))
    return path


def reproducible(data: bytes) -> bytes:
    """The same .xlsx (zip) with fixed time stamps, so that regenerated samples do not change."""
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            content = zin.read(info)
            if info.filename == "docProps/core.xml":
                content = _CORE_MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 5, 15, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, content)
    return out.getvalue()


# --- the high level: an application as data --------------------------------------------------


class Auto(Enum):
    """Marks a stated total the builder computes itself."""

    AUTO = "auto"


AUTO: Final = Auto.AUTO


@dataclass
class Line:
    """One row of `Budget` (label = cost category) or `Finansiering` (label = source)."""

    label: str
    amounts: dict[int, CellValue]
    description: str | None = None
    total: CellValue | Auto = AUTO
    """The `I alt` cell: AUTO = the sum of the year cells; anything else is written as it is."""
    note: str | None = None
    """The `Noter` cell (written only with `Layout.notes_column`)."""
    account: int | None = None
    """The hidden `Kontonr.` helper cell (only with `Layout.helper_column`); None = numbered."""


@dataclass
class Layout:
    """How the tables are laid out. The defaults are the template: everything from A1."""

    title_rows: tuple[str | None, ...] = ()
    """Rows above each table (and above the Ansøger fields), each merged across the table;
    None is an empty (logo) row. "{sheet}" and "{name}" are replaced."""
    header_row: int = 1
    """1-based row of the header in Budget, Finansiering and SMV-samarbejder."""
    blank_rows_between: bool = False
    stated_totals: bool = True
    """An `I alt` column in Budget and Finansiering."""
    totals_row: bool = True
    """An `I alt` row under Budget and Finansiering."""
    sme_totals_row: bool = False
    """An `I alt` row under SMV-samarbejder (FoU-omkostninger, Tilskud, Overhead)."""
    formula_totals: bool = False
    """Computed stated totals (`I alt` column and rows) are `=SUM(...)` formulas. openpyxl
    stores no result for them (KL007 material) until a spreadsheet application saves the file."""
    notes_column: bool = False
    """A `Noter` column at the right of Budget and Finansiering."""
    reverse_years: bool = False
    helper_column: bool = False
    """A hidden column A `Kontonr.` with account numbers in Budget and Finansiering."""
    text_number_format: bool = False
    """Every numeric amount cell carries the Text number format `@`."""
    year_header: str | None = None
    """Format of the year headers ("År {year}", "{year} (t.kr.)"); None writes the year as a
    number."""
    label_colons: bool = False
    """Ansøger labels end in a colon (`Projektslut:`)."""
    merged_labels: bool = False
    """Ansøger labels merged over columns A:B, their values in column C."""
    two_row_header: str | None = None
    """A two-row header in Budget, Finansiering and SMV-samarbejder: this group heading
    (`Budget (kr.)`) merged over the year columns (the SME amount columns) in the upper row,
    the years (amount headers) in the lower row, every other header merged down over both
    rows. `header_row` is the upper row."""
    merge_runs: bool = False
    """Consecutive lines of one label (Budget, Finansiering) or one `Samarbejde` have their
    label cell merged down over the run, the text in the first cell only."""


@dataclass
class Built:
    """A workbook ready to write: the arguments of `write_workbook`, plus where values went."""

    sheets: dict[str, Rows]
    hidden_sheets: list[str] = field(default_factory=list)
    hidden_cols: dict[str, list[str]] = field(default_factory=dict)
    hidden_rows: dict[str, list[int]] = field(default_factory=dict)
    merged: dict[str, list[str]] = field(default_factory=dict)
    number_formats: dict[str, dict[str, str]] = field(default_factory=dict)
    results: dict[str, dict[str, int | float]] = field(default_factory=dict)
    """Sheet -> A1 -> the stored result of the formula in that cell."""
    sheet_names: dict[str, str] = field(default_factory=dict)
    """Role (canonical Danish sheet name) -> the sheet's name in this workbook."""
    cells: dict[tuple[str, str | int, ColKey], str] = field(default_factory=dict)
    """(role, row key, column key) -> "A1" cell; see `ref`."""

    def ref(self, role: str, row: str | int, col: ColKey = "value") -> str:
        """Where a value went, as `Sheet!Cell` in the form findings name it.

        `ref("Ansøger", "Indsendt")` is the value cell, `ref("Ansøger", "Indsendt", "label")`
        the label cell. In Budget and Finansiering the row is a line's canonical label (its
        first occurrence) or its index, or "I alt" for the totals row, and the column a year or
        a canonical header: `ref("Budget", "Løn", 2025)`, `ref("Finansiering",
        "Regionalfonden", "Kilde")`, `ref("Budget", "I alt", "I alt")`. In SMV-samarbejder the
        row is the collaboration's index (or "I alt"): `ref("SMV-samarbejder", 0, "Tilskud")`.
        """
        return f"{self.sheet_names[role]}!{self.cells[(role, row, col)]}"

    def cell(self, role: str, row: str | int, col: ColKey = "value") -> CellValue:
        """The value written at `ref(role, row, col)`."""
        r, c = _row_col(self.cells[(role, row, col)])
        return self.sheets[self.sheet_names[role]][r][c]

    def set(self, role: str, row: str | int, col: ColKey, value: CellValue) -> None:
        """Overwrite the value at `ref(role, row, col)`."""
        r, c = _row_col(self.cells[(role, row, col)])
        self.sheets[self.sheet_names[role]][r][c] = value

    def write(self, path: Path) -> Path:
        return write_workbook(
            path,
            self.sheets,
            hidden_sheets=self.hidden_sheets,
            hidden_cols=self.hidden_cols,
            hidden_rows=self.hidden_rows,
            merged=self.merged,
            number_formats=self.number_formats,
            results=self.results,
        )


def _row_col(a1: str) -> tuple[int, int]:
    """'C2' -> (1, 2), 0-based."""
    col, row, _, _ = range_boundaries(a1)
    return row - 1, col - 1


def _a1(row: int, col: int) -> str:
    """0-based row and column -> 'C2'."""
    return f"{get_column_letter(col + 1)}{row + 1}"


# --- the defaults: a clean innovation application ---------------------------------------------


def _innovation_budget() -> list[Line]:
    """23,129,000 kr.: 5,270,000 + 6,170,000 + 6,170,000 + 5,519,000."""
    return [
        Line("Løn", _years(3_000_000, 3_000_000, 3_000_000, 3_000_000),
             "Klyngesekretariat: projektledelse og innovationskonsulenter (4,5 årsværk)"),
        Line("Eksterne konsulenter", _years(400_000, 400_000, 400_000, 400_000),
             "Procesfacilitering og markedsanalyser"),
        Line("Rejser", _years(100_000, 100_000, 100_000, 100_000),
             "Matchmaking-arrangementer og internationale messer"),
        Line("Udstyr", _years(150_000, 50_000, 50_000, 50_000),
             "Demonstrationsudstyr til klyngens testfacilitet"),
        Line("Revision", _years(50_000, 50_000, 50_000, 50_000),
             "Revisorerklæring om projektregnskab"),
        Line("Øvrige omkostninger", _years(150_000, 150_000, 150_000, 150_000),
             "Netværksmøder, lokaleleje og kommunikation"),
        Line("Indirekte omkostninger", _years(420_000, 420_000, 420_000, 420_000),
             "14 % af lønomkostningerne"),
        Line("Tilskud til SMV-samarbejder", _years(1_000_000, 2_000_000, 2_000_000, 1_349_000),
             "Tilskud og overhead til SMV'ernes innovationsprojekter"),
    ]  # fmt: skip


def _innovation_financing() -> list[Line]:
    """DEB request 18,000,000 kr. (Regionalfonden 9,700,000 + decentrale 8,300,000)."""
    return [
        Line("Regionalfonden", _years(2_200_000, 2_600_000, 2_600_000, 2_300_000),
             "EU's Regionalfond, ansøgt hos Danmarks Erhvervsfremmebestyrelse"),
        Line("Decentrale erhvervsfremmemidler", _years(1_900_000, 2_200_000, 2_200_000, 2_000_000),
             "Ansøgt hos Danmarks Erhvervsfremmebestyrelse"),
        Line("Privat kontant medfinansiering", _years(600_000, 700_000, 700_000, 650_000),
             "Medlemskontingenter fra virksomheder"),
        Line("Offentlig kontant medfinansiering", _years(200_000, 200_000, 200_000, 200_000),
             "Kommunal medfinansiering"),
        Line("Egenfinansiering", _years(370_000, 470_000, 470_000, 369_000),
             "Klyngeorganisationens egne midler"),
    ]  # fmt: skip


def collaborations(seed: int = 0) -> list[dict[str, CellValue]]:
    """Six planned collaborations: Tilskud 5,894,000 + Overhead 455,000 = 6,349,000 kr.

    The first is exactly 70 % (924,000 of 1,320,000: it passes). SME CVRs depend on `seed`.
    """

    def sme(k: int, project: str, company: str, staff: int, turnover: float, balance: float,
            rnd: int, grant: int, overhead: int) -> dict[str, CellValue]:  # fmt: skip
        return {
            "Samarbejde": project,
            "SMV": company,
            "CVR": valid_cvr(1000 * seed + 10 + k),
            "Ansatte": staff,
            "Omsætning (mio. EUR)": turnover,
            "Balance (mio. EUR)": balance,
            "FoU-omkostninger": rnd,
            "Tilskud": grant,
            "Overhead": overhead,
        }

    return [
        sme(1, "Digital tvilling af fjernvarmeværk", "Termoflow ApS", 20, 3.5, 2.1,
            1_320_000, 924_000, 60_000),
        sme(2, "Genanvendelse af kompositmaterialer", "Komposit Nord A/S", 45, 9.8, 6.4,
            800_000, 500_000, 40_000),
        sme(3, "AI-baseret kvalitetskontrol i fødevareproduktion", "FoodSense ApS", 12, 1.6, 0.9,
            1_000_000, 650_000, 50_000),
        sme(4, "Brintlager til mindre havne", "Havnekraft ApS", 28, 5.2, 3.7,
            1_500_000, 1_000_000, 75_000),
        sme(5, "Sensorbaseret vandforvaltning i landbruget", "AquaMetric ApS", 8, 0.7, 0.4,
            600_000, 420_000, 30_000),
        {
            "Samarbejde": "4 SMV-projekter inden for grøn omstilling",
            "SMV": None,
            "CVR": None,
            "Ansatte": None,
            "Omsætning (mio. EUR)": None,
            "Balance (mio. EUR)": None,
            "FoU-omkostninger": 4_000_000,
            "Tilskud": 2_400_000,
            "Overhead": 200_000,
        },
    ]  # fmt: skip


def _years(*amounts: CellValue) -> dict[int, CellValue]:
    return dict(zip(YEARS, amounts, strict=True))


APPLICANT_CVR: Final = valid_cvr(1)


@dataclass
class App:
    """One application. `App()` is clean: no finding at all under the 2025-2028 call.

    A field set to None leaves its row out of `Ansøger` (to test KL005/KL506/KL603).
    `collaborations=None` leaves the SMV-samarbejder sheet out; `[]` writes only its header.
    """

    name: str | None = "Klyngen for Grøn Produktion"
    cvr: str | int | None = APPLICANT_CVR
    grant: str | None = "Innovation"
    start: date | str | None = date(2025, 1, 1)
    end: date | str | None = date(2028, 12, 31)
    submitted: datetime | str | None = datetime(2024, 8, 12, 10, 0)
    """Naive = Copenhagen local time (openpyxl cannot store an offset; use ISO text for that)."""
    designation: str | None = "Udpeget"
    unit: str | None = None
    contact: str | None = "Mette Sørensen"
    email: str | None = "mette.soerensen@groenproduktion.example"
    budget: list[Line] = field(default_factory=_innovation_budget)
    financing: list[Line] = field(default_factory=_innovation_financing)
    collaborations: list[dict[str, CellValue]] | None = field(default_factory=collaborations)
    years: tuple[int, ...] = YEARS
    """The year columns; years used in `amounts` are added."""
    lang: Literal["da", "en"] = "da"
    layout: Layout = field(default_factory=Layout)
    sheet_names: dict[str, str] = field(default_factory=dict)
    """Role -> sheet name, overriding the canonical (or English) one: {"Budget": "Budget "}."""
    extra_fields: list[tuple[str, CellValue]] = field(default_factory=list)
    """More Ansøger rows (label, value), written after the standard ones."""
    other_sheets: dict[str, Rows] = field(default_factory=dict)
    """Sheets written before the format sheets (a cover page, instructions, lists)."""
    hidden_sheets: tuple[str, ...] = ()
    """Names (as written) of sheets to hide."""
    scale_to_unit: bool = True
    """Divide int/Decimal amounts by the factor of `unit` (they are kroner in the model)."""

    # --- lookups and figures (kroner) --------------------------------------------------------

    def budget_line(self, label: str) -> Line:
        return _find(self.budget, label)

    def financing_line(self, label: str) -> Line:
        return _find(self.financing, label)

    def line_total(self, line: Line) -> Decimal:
        """A line's amounts over all years, in kroner."""
        return sum((self._kr(value) for value in line.amounts.values()), Decimal(0))

    def costs_by_year(self) -> dict[int, Decimal]:
        return self._by_year(self.budget)

    def financing_by_year(self) -> dict[int, Decimal]:
        return self._by_year(self.financing)

    def deb_request(self) -> Decimal:
        """The sum of the Regionalfonden and decentral financing rows, all years."""
        lines = [line for line in self.financing if line.label in DEB_SOURCES]
        return sum(self._by_year(lines).values(), Decimal(0))

    def sme_grants(self) -> Decimal:
        """Tilskud + Overhead over all collaborations (what the SMV cost line must equal)."""
        return sum(
            (
                self._kr(collab.get(col))
                for collab in self.collaborations or []
                for col in ("Tilskud", "Overhead")
            ),
            Decimal(0),
        )

    def _by_year(self, lines: Iterable[Line]) -> dict[int, Decimal]:
        totals = dict.fromkeys(self._all_years(), Decimal(0))
        for line in lines:
            for year, value in line.amounts.items():
                totals[year] += self._kr(value)
        return totals

    def _kr(self, value: CellValue) -> Decimal:
        """A model amount in kroner; text is read in the workbook's unit, formulas are 0."""
        if isinstance(value, str):
            return (parse_amount_text(value) or Decimal(0)) * self._factor()
        return _number(value)

    # --- writing -----------------------------------------------------------------------------

    def rows(self) -> dict[str, Rows]:
        """The sheets, for `write_workbook` (without hidden columns, merges and formats)."""
        return self.build().sheets

    def write(self, path: Path) -> Path:
        return self.build().write(path)

    def build(self) -> Built:
        built = Built(sheets={})
        for role in ROLES:
            default = _EN[role] if self.lang == "en" else role
            built.sheet_names[role] = self.sheet_names.get(role, default)
        for name, rows in self.other_sheets.items():
            built.sheets[name] = [list(row) for row in rows]
        self._applicant_sheet(built)
        self._money_sheet(built, BUDGET, "Kategori", self.budget, 1000)
        self._money_sheet(built, FINANCING, "Kilde", self.financing, 2000)
        if self.collaborations is not None:
            self._sme_sheet(built, self.collaborations)
        built.hidden_sheets = list(self.hidden_sheets)
        return built

    def _t(self, text: str) -> str:
        return _EN.get(text, text) if self.lang == "en" else text

    def _factor(self) -> int:
        if self.unit is None or not self.scale_to_unit:
            return 1
        return UNIT_FACTORS.get(" ".join(self.unit.casefold().split()), 1)

    def _scaled(self, value: CellValue) -> CellValue:
        """A model amount as written: kroner divided by the unit's factor; text as it is."""
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return value
        factor = self._factor()
        if factor == 1:
            return value
        if isinstance(value, int) and value % factor == 0:
            return value // factor
        return Decimal(value) / factor

    def _all_years(self) -> list[int]:
        used = {year for line in [*self.budget, *self.financing] for year in line.amounts}
        return sorted(set(self.years) | used)

    def _titles(self, built: Built, sheet: str, width: int) -> Rows:
        rows: Rows = []
        for text in self.layout.title_rows:
            if text is None:
                rows.append([])
                continue
            title = text.replace("{sheet}", sheet.strip()).replace("{name}", self.name or "")
            rows.append([title])
            if width > 1:
                area = f"A{len(rows)}:{get_column_letter(width)}{len(rows)}"
                built.merged.setdefault(sheet, []).append(area)
        return rows

    def _applicant_sheet(self, built: Built) -> None:
        sheet = built.sheet_names[APPLICANT]
        rows = self._titles(built, sheet, 3)
        if rows:
            rows.append([])
        fields: list[tuple[str, CellValue]] = [
            ("Ansøger", self.name),
            ("CVR-nummer", self.cvr),
            ("Bevillingstype", self.grant),
            ("Projektstart", self.start),
            ("Projektslut", self.end),
            ("Indsendt", self.submitted),
            ("Udpegning", self._t(self.designation) if self.designation else None),
            ("Enhed", self.unit),
            ("Kontaktperson", self.contact),
            ("E-mail", self.email),
        ]
        colon = ":" if self.layout.label_colons else ""
        merged = self.layout.merged_labels
        for label, value in [*[f for f in fields if f[1] is not None], *self.extra_fields]:
            r = len(rows)
            if merged:
                rows.append([self._t(label) + colon, None, value])
                built.merged.setdefault(sheet, []).append(f"A{r + 1}:B{r + 1}")
            else:
                rows.append([self._t(label) + colon, value])
            built.cells.setdefault((APPLICANT, label, "label"), _a1(r, 0))
            built.cells.setdefault((APPLICANT, label, "value"), _a1(r, 2 if merged else 1))
        built.sheets[sheet] = rows

    def _header_start(self, titles: Rows) -> Rows:
        wanted = self.layout.header_row - 1
        if wanted < len(titles):
            raise ValueError(f"header_row {self.layout.header_row} is inside the title rows")
        return titles + [[] for _ in range(wanted - len(titles))]

    def _year_header(self, year: int) -> CellValue:
        fmt = self.layout.year_header
        return year if fmt is None else fmt.replace("{year}", str(year))

    def _money_sheet(
        self, built: Built, role: str, key: str, lines: list[Line], account_base: int
    ) -> None:
        layout = self.layout
        sheet = built.sheet_names[role]
        years = self._all_years()
        cols: list[ColKey] = []
        if layout.helper_column:
            cols.append("Kontonr.")
        cols += [key, "Beskrivelse"]
        cols += list(reversed(years)) if layout.reverse_years else years
        if layout.stated_totals:
            cols.append(TOTAL)
        if layout.notes_column:
            cols.append("Noter")
        index = {col: i for i, col in enumerate(cols)}
        amount_cols = [c for c in cols if isinstance(c, int) or c == TOTAL]

        rows = self._header_start(self._titles(built, sheet, len(cols)))
        headers = [self._year_header(c) if isinstance(c, int) else self._t(c) for c in cols]
        grouped = [i for i, c in enumerate(cols) if isinstance(c, int)]
        self._header(built, sheet, role, rows, headers, cols, grouped)
        formats = built.number_formats.setdefault(sheet, {})
        year_sums = dict.fromkeys(years, Decimal(0))
        year_idx = [index[year] for year in years]
        first_year, last_year = min(year_idx, default=0), max(year_idx, default=0)
        line_rows: list[int] = []

        def row_sum_formula(r: int) -> str:
            return f"=SUM({_a1(r, first_year)}:{_a1(r, last_year)})"

        def put(row_key: str | int, values: dict[ColKey, CellValue], *, alias: str = "") -> None:
            r = len(rows)
            rows.append([values.get(col) for col in cols])
            for col in cols:
                a1 = _a1(r, index[col])
                built.cells[(role, row_key, col)] = a1
                if alias:
                    built.cells.setdefault((role, alias, col), a1)
                value = values.get(col)
                is_number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
                if layout.text_number_format and col in amount_cols and is_number:
                    formats[a1] = "@"

        for i, line in enumerate(lines):
            if layout.blank_rows_between and i > 0:
                rows.append([])
            values: dict[ColKey, CellValue] = {
                key: self._t(line.label),
                "Beskrivelse": line.description,
            }
            if layout.helper_column:
                values["Kontonr."] = line.account or account_base + 10 * (i + 1)
            if layout.notes_column:
                values["Noter"] = line.note
            row_sum = Decimal(0)
            for year in years:
                written = self._scaled(line.amounts.get(year))
                values[year] = written
                row_sum += _written_number(written)
                year_sums[year] += _written_number(written)
            if layout.stated_totals:
                if not isinstance(line.total, Auto):
                    values[TOTAL] = self._scaled(line.total)
                elif layout.formula_totals:
                    values[TOTAL] = row_sum_formula(len(rows))
                else:
                    values[TOTAL] = _plain(row_sum)
            line_rows.append(len(rows))
            put(i, values, alias=line.label)

        if layout.merge_runs:
            self._merge_runs(built, sheet, rows, line_rows, index[key])
        if layout.totals_row:
            if layout.blank_rows_between:
                rows.append([])
            totals: dict[ColKey, CellValue] = {key: self._t(TOTAL)}
            for year in years:
                totals[year] = (
                    _sum_formula(line_rows, index[year])
                    if layout.formula_totals
                    else _plain(year_sums[year])
                )
            if layout.stated_totals:
                totals[TOTAL] = (
                    row_sum_formula(len(rows))
                    if layout.formula_totals
                    else _plain(sum(year_sums.values(), Decimal(0)))
                )
            put(TOTAL, totals)

        if layout.helper_column:
            built.hidden_cols.setdefault(sheet, []).append("A")
        if not formats:
            del built.number_formats[sheet]
        built.sheets[sheet] = rows

    def _sme_sheet(self, built: Built, collabs: list[dict[str, CellValue]]) -> None:
        layout = self.layout
        sheet = built.sheet_names[SME]
        cols: list[str] = list(SME_COLUMNS)
        cols += [k for c in collabs for k in c if k not in cols]
        cols = list(dict.fromkeys(cols))
        rows = self._header_start(self._titles(built, sheet, len(cols)))
        grouped = [j for j, c in enumerate(cols) if c in SME_AMOUNT_COLUMNS]
        self._header(built, sheet, SME, rows, [self._t(c) for c in cols], list(cols), grouped)
        formats = built.number_formats.setdefault(sheet, {})
        sums = dict.fromkeys(SME_AMOUNT_COLUMNS, Decimal(0))

        def put(row_key: str | int, values: dict[str, CellValue]) -> None:
            r = len(rows)
            rows.append([values.get(col) for col in cols])
            for j, col in enumerate(cols):
                built.cells[(SME, row_key, col)] = _a1(r, j)
                value = values.get(col)
                is_number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
                if layout.text_number_format and col in SME_AMOUNT_COLUMNS and is_number:
                    formats[_a1(r, j)] = "@"

        line_rows: list[int] = []
        for i, collab in enumerate(collabs):
            if layout.blank_rows_between and i > 0:
                rows.append([])
            line_rows.append(len(rows))
            values = {col: collab.get(col) for col in cols}
            for col in SME_AMOUNT_COLUMNS:
                values[col] = self._scaled(values[col])
                sums[col] += _written_number(values[col])
            put(i, values)
        if layout.merge_runs:
            self._merge_runs(built, sheet, rows, line_rows, cols.index("Samarbejde"))
        if layout.sme_totals_row:
            if layout.blank_rows_between:
                rows.append([])
            totals: dict[str, CellValue] = {"Samarbejde": self._t(TOTAL)}
            for col in SME_AMOUNT_COLUMNS:
                totals[col] = (
                    _sum_formula(line_rows, cols.index(col))
                    if layout.formula_totals
                    else _plain(sums[col])
                )
            put(TOTAL, totals)
        if not formats:
            del built.number_formats[sheet]
        built.sheets[sheet] = rows

    def _header(
        self,
        built: Built,
        sheet: str,
        role: str,
        rows: Rows,
        headers: list[CellValue],
        cols: Sequence[ColKey],
        grouped: list[int],
    ) -> None:
        """The header row, or with `two_row_header` the two rows: the group heading over the
        `grouped` columns (contiguous) above their headers, every other header merged down."""
        group = self.layout.two_row_header
        if group is None or not grouped:
            rows.append(headers)
            for j, col in enumerate(cols):
                built.cells[(role, "header", col)] = _a1(len(rows) - 1, j)
            return
        upper, lower = len(rows), len(rows) + 1
        first, last = min(grouped), max(grouped)
        if grouped != list(range(first, last + 1)):
            raise ValueError("the grouped columns of a two-row header must be side by side")
        rows.append([None if j in grouped else h for j, h in enumerate(headers)])
        rows[upper][first] = group
        rows.append([h if j in grouped else None for j, h in enumerate(headers)])
        merges = built.merged.setdefault(sheet, [])
        merges.append(f"{_a1(upper, first)}:{_a1(upper, last)}")
        for j, col in enumerate(cols):
            if j not in grouped:
                merges.append(f"{_a1(upper, j)}:{_a1(lower, j)}")
            built.cells[(role, "header", col)] = _a1(lower if j in grouped else upper, j)

    @staticmethod
    def _merge_runs(built: Built, sheet: str, rows: Rows, line_rows: list[int], col: int) -> None:
        """Merge the label cell down over each run of adjacent rows with the same label."""
        runs: list[list[int]] = []
        for r in line_rows:
            if runs and r == runs[-1][-1] + 1 and rows[r][col] == rows[runs[-1][0]][col]:
                runs[-1].append(r)
            else:
                runs.append([r])
        for run in runs:
            if len(run) > 1:
                for r in run[1:]:
                    rows[r][col] = None
                built.merged.setdefault(sheet, []).append(f"{_a1(run[0], col)}:{_a1(run[-1], col)}")


def add_control_row(built: Built, label: str = "Difference til budget (skal være 0)") -> None:
    """A control row under the Finansiering totals row, after an empty row, as applicants add
    one: each amount column a formula of the financing total minus the budget total, with the
    stored result 0 (they balance). Both sheets need their totals row."""
    rows = built.sheets[built.sheet_names[FINANCING]]
    row = len(rows) + 1
    control: list[CellValue] = [label]
    results = built.results.setdefault(built.sheet_names[FINANCING], {})
    for (role, row_key, col), a1 in built.cells.items():
        if role == FINANCING and row_key == TOTAL and (isinstance(col, int) or col == TOTAL):
            c, r = _row_col(a1)[1], _row_col(built.cells[(BUDGET, TOTAL, col)])[0]
            control += [None] * (c + 1 - len(control))
            control[c] = f"={a1}-'{built.sheet_names[BUDGET]}'!{_a1(r, c)}"
            results[_a1(row, c)] = 0
    rows += [[], control]


def _sum_formula(rows: list[int], col: int) -> str | None:
    """=SUM over one column from the first to the last of `rows` (0-based); None if no rows."""
    if not rows:
        return None
    return f"=SUM({_a1(min(rows), col)}:{_a1(max(rows), col)})"


def _find(lines: list[Line], label: str) -> Line:
    for line in lines:
        if line.label == label:
            return line
    raise KeyError(f"no line {label!r}; there are {[line.label for line in lines]}")


def _number(value: CellValue) -> Decimal:
    """An int/float/Decimal as Decimal; anything else (blank, formula, date) as 0."""
    if isinstance(value, bool):
        return Decimal(0)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(0)


def _written_number(value: CellValue) -> Decimal:
    """What a written amount cell is worth in the workbook's unit (formulas count 0)."""
    if isinstance(value, str):
        return parse_amount_text(value) or Decimal(0)
    return _number(value)


def _plain(value: Decimal) -> int | Decimal:
    """A whole Decimal as int, so that totals are written like typed numbers."""
    return int(value) if value == value.to_integral_value() else value


_DANISH: Final = re.compile(r"\d{1,3}(?:[. ]\d{3})*(?:,\d{1,2})?|\d+(?:,\d{1,2})?")
_ENGLISH: Final = re.compile(r"\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?")


def parse_amount_text(text: str) -> Decimal | None:
    """The builder's own reading of a text amount ("1.234.567", "1 234 567,50",
    "1,234,567.50", "kr. 1.234", "1.234 kr."), only to compute stated totals; None for
    formulas and anything else."""
    s = text.strip()
    if s.startswith("="):
        return None
    s = s.removeprefix("kr.").removesuffix("kr.").strip()
    if _DANISH.fullmatch(s):
        return Decimal(s.replace(".", "").replace(" ", "").replace(",", "."))
    if _ENGLISH.fullmatch(s):
        return Decimal(s.replace(",", ""))
    return None


# --- a clean basis application ---------------------------------------------------------------


def basis_budget() -> list[Line]:
    """11,000,000 kr.: 2,750,000 a year; indirect costs 14 % of staff costs."""
    return [
        Line("Løn", _years(2_000_000, 2_000_000, 2_000_000, 2_000_000),
             "Klyngesekretariat: drift, netværk og matchmaking (3 årsværk)"),
        Line("Eksterne konsulenter", _years(200_000, 200_000, 200_000, 200_000),
             "Analyser og facilitering"),
        Line("Rejser", _years(80_000, 80_000, 80_000, 80_000),
             "Nationale og internationale netværk"),
        Line("Udstyr", _years(50_000, 50_000, 50_000, 50_000), "IT og mødeudstyr"),
        Line("Revision", _years(40_000, 40_000, 40_000, 40_000), "Revisorerklæring"),
        Line("Øvrige omkostninger", _years(100_000, 100_000, 100_000, 100_000),
             "Arrangementer og kommunikation"),
        Line("Indirekte omkostninger", _years(280_000, 280_000, 280_000, 280_000),
             "14 % af lønomkostningerne"),
    ]  # fmt: skip


def basis_financing() -> list[Line]:
    """DEB request 9,200,000 kr., decentral funds only; private cash 1,000,000 kr."""
    return [
        Line("Decentrale erhvervsfremmemidler", _years(2_300_000, 2_300_000, 2_300_000, 2_300_000),
             "Ansøgt hos Danmarks Erhvervsfremmebestyrelse"),
        Line("Privat kontant medfinansiering", _years(250_000, 250_000, 250_000, 250_000),
             "Medlemskontingenter fra virksomheder"),
        Line("Egenfinansiering", _years(200_000, 200_000, 200_000, 200_000),
             "Klyngeorganisationens egne midler"),
    ]  # fmt: skip


def innovation_app(seed: int = 0) -> App:
    """A clean innovation application whose applicant and SME CVRs depend on `seed` (so that
    a batch of them does not look like one applicant asking several times, KL204)."""
    return App(cvr=valid_cvr(1000 * seed + 1), collaborations=collaborations(seed))


def basis_app(seed: int = 0) -> App:
    """A clean basis application: decentral funds only, 9,200,000 kr., with private cash."""
    return App(
        name="Midtjysk Fødevareklynge",
        cvr=valid_cvr(1000 * seed + 2),
        grant="Basis",
        contact="Lars Kjærgaard",
        email="lk@foedevareklynge.example",
        budget=basis_budget(),
        financing=basis_financing(),
        collaborations=None,
    )
