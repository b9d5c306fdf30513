"""The Budget and Finansiering sheets, and the header-row search SMV-samarbejder shares."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from klyngecli.model import Amount, Area, Line, Table, TotalsRow, Value
from klyngecli.reader.cells import parse_unit, parse_year_header, split_unit_suffix
from klyngecli.reader.codes import KL004, KL008
from klyngecli.reader.grid import CellError, Grid
from klyngecli.reader.labels import TOTAL_LABELS, nearest, normalise
from klyngecli.reader.values import Cells, UnitContext, shown

HEADER_SCAN_ROWS = 30


@dataclass(frozen=True, slots=True)
class Column:
    col: int
    multiplier: Decimal | None


@dataclass(frozen=True, slots=True)
class TableKind:
    """What differs between Budget and Finansiering: the key column and its vocabulary."""

    columns: Mapping[str, str]  # normalised header label → "key" | "description" | "total"
    keys: Mapping[str, str]  # normalised row label → Category/Source value
    key_label_da: str
    key_label_en: str
    known_labels: tuple[str, ...]  # canonical names, for KL008's suggestions


def header_label(grid: Grid, row: int, col: int) -> tuple[str, str | None]:
    """A header cell's label, normalised, and a unit written in it (`I alt (t.kr.)`)."""
    label, unit = split_unit_suffix(grid.text(row, col))
    return normalise(label), unit


def is_totals_row(grid: Grid, row: int, key_col: int) -> bool:
    """A row whose first non-empty cell is `I alt`, `Total`, `Sum` or `Samlet`, or whose key
    column says so (a hidden helper or notes column may stand to the left of it)."""
    first = grid.first_filled(row)
    return first is not None and (
        normalise(grid.text(row, first)) in TOTAL_LABELS
        or normalise(grid.text(row, key_col)) in TOTAL_LABELS
    )


_UNIT_NOTE = re.compile(r"^(?:alle )?(?:beloeb(?: er)? i|enhed|unit|amounts in)\s*:?\s*(.+)$")


def sheet_unit(grid: Grid, header: int, unit: UnitContext, cells: Cells) -> UnitContext:
    """A unit written above the table (`Alle beløb i 1.000 kr.`, `Enhed: t.kr.`) is the unit of
    the sheet: it agrees with `Enhed` (and scales once), stands alone without one, or is KL006
    when it contradicts it, like a unit in a header."""
    for row in range(header):
        for col in range(len(grid.rows[row])):
            note = _UNIT_NOTE.match(normalise(grid.text(row, col)))
            if note and parse_unit(note.group(1)) is not None:
                multiplier = cells.column_multiplier(
                    grid, row, col, note.group(1), unit, ("over tabellen", "above the table")
                )
                return UnitContext(given=True, multiplier=multiplier)
    return unit


def _find_header(grid: Grid, kind: TableKind) -> int | None:
    for row in range(min(HEADER_SCAN_ROWS, grid.height)):
        labels = [header_label(grid, row, col)[0] for col in range(len(grid.rows[row]))]
        has_key = any(kind.columns.get(label) == "key" for label in labels)
        if has_key and any(parse_year_header(v) for v in grid.rows[row]):
            return row
    return None


def read_table(grid: Grid, kind: TableKind, unit: UnitContext, cells: Cells) -> Table | None:
    """Cost or financing lines with their year amounts, stated totals and totals rows."""
    header = _find_header(grid, kind)
    if header is None:
        cells.findings.append(
            KL004.finding(
                grid.name,
                f"Ingen overskriftsrække med '{kind.key_label_da}' og mindst én årskolonne i de "
                f"første {HEADER_SCAN_ROWS} rækker af arket {grid.name}",
                f"No header row with '{kind.key_label_en}' and at least one year column in the "
                f"first {HEADER_SCAN_ROWS} rows of the sheet {grid.name}",
            )
        )
        return None
    unit = sheet_unit(grid, header, unit, cells)
    key_col: int | None = None
    total: Column | None = None
    years: dict[int, Column] = {}
    broken: list[int] = []  # year columns whose header cannot be read
    for col in range(len(grid.rows[header])):
        raw = grid.get(header, col)
        label, header_unit = header_label(grid, header, col)
        role = kind.columns.get(label)
        year = parse_year_header(raw)
        if role == "key" and key_col is None:
            key_col = col
        elif year is not None and year[0] not in years:
            multiplier = cells.column_multiplier(grid, header, col, year[1], unit)
            years[year[0]] = Column(col, multiplier)
        elif role == "total" and total is None:
            total = Column(col, cells.column_multiplier(grid, header, col, header_unit, unit))
        elif role is None and year is None and _looks_like_a_year(raw):
            broken.append(col)
            cells.unreadable(grid.ref(header, col), raw, "Årsoverskriften", "The year header")
    assert key_col is not None  # _find_header guarantees it
    amount_cols = [c.col for c in years.values()] + ([total.col] if total else [])
    lines: list[Line] = []
    totals: list[TotalsRow] = []
    for row in range(header + 1, grid.height):
        if grid.is_blank_row(row):
            continue
        label_ref = grid.ref(row, key_col)
        if is_totals_row(grid, row, key_col):
            first = grid.first_filled(row) or 0
            stated = {
                str(year): cells.amount(grid, row, c.col, c.multiplier)
                for year, c in years.items()
                if grid.get(row, c.col) != ""
            }
            if total and grid.get(row, total.col) != "":
                stated["total"] = cells.amount(grid, row, total.col, total.multiplier)
            totals.append(TotalsRow(Value(grid.text(row, first), grid.ref(row, first)), stated))
            continue
        text = grid.text(row, key_col)
        has_amounts = any(grid.get(row, c) != "" for c in [*amount_cols, *broken])
        key = kind.keys.get(normalise(text))
        if key is None:
            if not has_amounts:
                continue  # a section heading or a note, not a line
            suggestions = ", ".join(f"'{s}'" for s in nearest(text, kind.known_labels))
            what_da, what_en = kind.key_label_da.lower(), kind.key_label_en.lower()
            cells.findings.append(
                KL008.finding(
                    label_ref,
                    (f"Ukendt {what_da}: '{text}'" if text else f"Rækken mangler {what_da}")
                    + f"; nærmeste kendte: {suggestions}",
                    (f"Unknown {what_en}: '{text}'" if text else f"The row has no {what_en}")
                    + f"; nearest known: {suggestions}",
                    found=text,
                )
            )
            key = ""
        amounts: dict[int, Amount] = {
            year: cells.amount(grid, row, c.col, c.multiplier) for year, c in years.items()
        }
        stated_total = (
            cells.amount(grid, row, total.col, total.multiplier)
            if total and grid.get(row, total.col) != ""
            else None
        )
        unplaced: tuple[Amount, ...] = tuple(
            Value(None, grid.ref(row, c), shown(grid.get(row, c)))
            for c in broken
            if grid.get(row, c) != ""
        )
        lines.append(Line(key, Value(text, label_ref), amounts, stated_total, unplaced))
    multipliers = {c.multiplier for c in years.values()}
    return Table(
        sheet=grid.name,
        header_row=header,
        year_cols={year: c.col for year, c in years.items()},
        total_col=total.col if total else None,
        lines=tuple(lines),
        totals=tuple(totals),
        width=max([*amount_cols, key_col]) + 1,
        in_kroner=multipliers == {Decimal(1)},
    )


_YEARISH = re.compile(r"(?<!\d)20\d\d(?!\d)")


def _looks_like_a_year(raw: object) -> bool:
    """A header meant as a year that is not one the format knows (`2025 budget`, `#REF!`): a
    column of amounts whose year is unknown, unlike a column with an unknown label (ignored)."""
    return isinstance(raw, CellError) or (isinstance(raw, str) and bool(_YEARISH.search(raw)))


def header_area(grid: Grid, row: int) -> Area:
    return Area.row_span(grid.name, row, range(len(grid.rows[row])))
