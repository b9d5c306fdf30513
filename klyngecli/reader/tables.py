"""The Budget and Finansiering sheets, and the header-row search SMV-samarbejder shares."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from klyngecli.codes import KL004, KL008
from klyngecli.model import Amount, Area, CellRef, Line, Table, TotalsRow, Value
from klyngecli.reader.cells import (
    MAX_KRONER,
    number_from_cell,
    parse_number_text,
    parse_unit,
    parse_year_header,
    split_unit_suffix,
    to_kroner,
)
from klyngecli.reader.grid import CellError, Grid, RawCell
from klyngecli.reader.names import NamedRange
from klyngecli.reader.values import Cells, UnitContext, shown
from klyngecli.vocabulary import nearest, normalise

HEADER_SCAN_ROWS = 30
Cell = tuple[int, int]


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


_TOTAL_WORDS = re.compile(r"^(?:(?:i alt|total|sum|samlet)(?: |$))+$")


@functools.lru_cache(maxsize=4096)
def is_total_label(text: str) -> bool:
    """Only the words `I alt`, `Total`, `Sum`, `Samlet`, after the normalisation of labels and
    with a unit in parentheses removed: `Total i alt`, `I alt (kr.)` (workbook-format.md,
    decided item 15); `Samlet budget` is not."""
    return bool(text) and bool(_TOTAL_WORDS.match(normalise(split_unit_suffix(text)[0])))


def is_totals_row(grid: Grid, row: int, key_text: str) -> bool:
    """A row whose first non-empty cell is a totals label, or whose key cell (`key_text`, read
    through a merge) is one: a hidden helper or notes column may stand to the left of it."""
    first = grid.first_filled(row)
    return first is not None and (is_total_label(grid.text(row, first)) or is_total_label(key_text))


def no_amount(raw: RawCell, multiplier: Decimal | None) -> bool:
    """Blank or 0 kr. once rounded to the øre like any amount (a formula's stored 0, with or
    without float noise, or `0,00` as text): a row of an unknown label with nothing else is a
    heading or a control row (decided item 14). A formula without a result, an error value or
    any other content may be money (an implausibly large number too: read as an amount, it is
    KL006)."""
    if raw == "":
        return True
    if isinstance(raw, str):
        if not raw.strip():
            return True
        number = parse_number_text(raw.strip())
    else:
        number = number_from_cell(raw)
    if number is None:
        return False
    scale = multiplier or Decimal(1)
    return abs(number) * scale < MAX_KRONER and to_kroner(number, scale) == 0


# --- the header: one row, or two as people draw them (decided item 13) ------------------------


@dataclass(frozen=True, slots=True)
class Header:
    """A table's header. `row` holds the column labels the table is read by, and the table
    starts below it; `upper` is the row above when the header spans two rows; `above` maps a
    column of `row` whose label is merged down from `upper` to the cell holding it."""

    row: int
    upper: int | None = None
    above: Mapping[int, Cell] = field(default_factory=dict)

    def cell(self, col: int) -> Cell:
        """The cell holding the label of column `col`."""
        return self.above.get(col, (self.row, col))

    def label(self, grid: Grid, col: int) -> tuple[str, str | None]:
        return header_label(grid, *self.cell(col))


def merged_down(grid: Grid, row: int) -> dict[int, Cell]:
    """The columns of `row` covered by a merge that starts in the row above (`Kategori` merged
    down over both header rows) → the merge's top-left cell."""
    if row == 0:
        return {}
    width = len(grid.rows[row])
    return {
        col: (row - 1, c1)
        for c1, r2, c2 in grid.merges_from(row - 1)
        if r2 >= row
        for col in range(c1, min(c2, width - 1) + 1)
    }


def upper_row(grid: Grid, row: int, above: Mapping[int, Cell], cols: list[int]) -> int | None:
    """The row above `row` when the header spans both: a label merged down over them, or a
    group heading merged over some of the table's columns `cols` (`Budget (kr.)` over years)."""
    if row == 0:
        return None
    if above:
        return row - 1
    for c1, _, c2 in grid.merges_from(row - 1):
        if c2 > c1 and any(c1 <= col <= c2 for col in cols):
            return row - 1
    return None


def column_units(
    grid: Grid, header: Header, unit: UnitContext, cells: Cells
) -> Callable[[int, str | None], Decimal | None]:
    """The multiplier of an amount column from the unit in its own header (`own`), else in a
    group heading over it, else the sheet's unit; a heading's unit is judged once."""
    groups = group_units(grid, header)
    judged: dict[Cell, Decimal | None] = {}

    def multiplier(col: int, own: str | None) -> Decimal | None:
        if own is None and col in groups:
            row, first, text = groups[col]
            if (row, first) not in judged:
                judged[(row, first)] = cells.column_multiplier(grid, row, first, text, unit)
            return judged[(row, first)]
        return cells.column_multiplier(grid, *header.cell(col), own, unit)

    return multiplier


def group_units(grid: Grid, header: Header) -> dict[int, tuple[int, int, str]]:
    """Column → (row, column, unit) of a group heading merged over it in the upper row that
    carries a unit (`Budget (t.kr.)`): the unit of the columns under it, like a unit in each
    of their headers (decided item 2)."""
    if header.upper is None:
        return {}
    width = len(grid.rows[header.row])
    found: dict[int, tuple[int, int, str]] = {}
    for c1, _, c2 in grid.merges_from(header.upper):
        unit = split_unit_suffix(grid.text(header.upper, c1))[1]
        if unit is not None and c2 > c1:
            for col in range(c1, min(c2, width - 1) + 1):
                found[col] = (header.upper, c1, unit)
    return found


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


def _column_role(kind: TableKind, label: str) -> str | None:
    role = kind.columns.get(label)
    return "total" if role is None and is_total_label(label) else role


def _header_at(grid: Grid, kind: TableKind, row: int) -> Header | None:
    """The header whose column labels are in `row`: the key column and a year column."""
    years = [col for col, value in enumerate(grid.rows[row]) if parse_year_header(value)]
    if not years:
        return None
    above = merged_down(grid, row)
    header = Header(row, None, above)
    if not any(
        kind.columns.get(header.label(grid, col)[0]) == "key" for col in range(len(grid.rows[row]))
    ):
        return None
    return Header(row, upper_row(grid, row, above, years), above)


def named_rows(grid: Grid, named: NamedRange) -> list[int]:
    """The rows a table's defined name may hold its header in: its first row (a one-row
    header, or the upper row of two), and the one below it (the lower row of two). None when
    the name points at another sheet or at fewer than two rows (no header with rows under it)."""
    first = named.first_row
    if named.sheet != grid.name or named.last_row == first or first >= grid.height:
        return []
    return [first, first + 1] if first + 1 < grid.height else [first]


def _named_header(grid: Grid, named: NamedRange, kind: TableKind) -> Header | None:
    for row in named_rows(grid, named):
        found = _header_at(grid, kind, row)
        if found is not None and (row == named.first_row or found.upper == named.first_row):
            return found
    return None


def _find_header(grid: Grid, kind: TableKind, named: NamedRange | None) -> Header | None:
    """The header the workbook's defined name points at, when it is sensible; else the first
    of the first rows that is one (the search stops there)."""
    if named is not None and (found := _named_header(grid, named, kind)) is not None:
        return found
    for row in range(min(HEADER_SCAN_ROWS, grid.height)):
        if (found := _header_at(grid, kind, row)) is not None:
            return found
    return None


def read_table(
    grid: Grid, kind: TableKind, unit: UnitContext, cells: Cells, named: NamedRange | None = None
) -> Table | None:
    """Cost or financing lines with their year amounts, stated totals and totals rows.
    `named` is the range the workbook's defined name for this table points at, if any."""
    header = _find_header(grid, kind, named)
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
    multiplier = column_units(grid, header, sheet_unit(grid, header.row, unit, cells), cells)
    key_col: int | None = None
    total: Column | None = None
    years: dict[int, Column] = {}
    broken: list[int] = []  # year columns whose header cannot be read
    for col in range(len(grid.rows[header.row])):
        raw = grid.get(*header.cell(col))
        label, header_unit = header.label(grid, col)
        role = _column_role(kind, label)
        year = parse_year_header(raw)
        if role == "key" and key_col is None:
            key_col = col
        elif year is not None and year[0] not in years:
            years[year[0]] = Column(col, multiplier(col, year[1]))
        elif role == "total" and total is None:
            total = Column(col, multiplier(col, header_unit))
        elif role is None and year is None and _looks_like_a_year(raw):
            broken.append(col)
            cells.unreadable(grid.ref(*header.cell(col)), raw, "Årsoverskriften", "The year header")
    assert key_col is not None  # _find_header guarantees it
    amount_cols = [c.col for c in years.values()] + ([total.col] if total else [])
    columns = [*years.values(), *([total] if total else []), *(Column(c, None) for c in broken)]
    owners = grid.covered_in(key_col)  # rows whose key cell is merged down from above
    lines: list[Line] = []
    totals: list[TotalsRow] = []
    unknown: set[CellRef] = set()  # key cells already reported as unknown (KL008)
    for row in range(header.row + 1, grid.height):
        if grid.is_blank_row(row):
            continue
        key_cell = owners.get(row, (row, key_col))
        label_ref = grid.ref(*key_cell)  # a merged key cell is found at its top-left cell
        text = grid.text(*key_cell)
        if is_totals_row(grid, row, text):
            first = grid.first_filled(row) or 0
            stated = {
                str(year): cells.amount(grid, row, c.col, c.multiplier)
                for year, c in years.items()
                if grid.get(row, c.col) != ""
            }
            if total and grid.get(row, total.col) != "":
                stated["total"] = cells.amount(grid, row, total.col, total.multiplier)
            totals.append(
                TotalsRow(Value.read(grid.text(row, first), grid.ref(row, first)), stated)
            )
            continue
        key = kind.keys.get(normalise(text))
        if key is None:
            if all(no_amount(grid.get(row, c.col), c.multiplier) for c in columns):
                continue  # a section heading, a control row or a note, not a line
            if label_ref not in unknown:  # one finding for a label merged over several rows
                unknown.add(label_ref)
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
            Value.reported(grid.ref(row, c), shown(grid.get(row, c)))
            for c in broken
            if grid.get(row, c) != ""
        )
        lines.append(Line(key, Value.read(text, label_ref), amounts, stated_total, unplaced))
    multipliers = {c.multiplier for c in years.values()}
    return Table(
        sheet=grid.name,
        header_row=header.row,
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
