"""The SMV-samarbejder sheet: one row a planned SME innovation collaboration."""

from __future__ import annotations

from decimal import Decimal

from klyngecli.codes import KL004
from klyngecli.model import Amount, Collaboration, Collaborations, TotalsRow, Value
from klyngecli.reader.grid import PENDING, Grid
from klyngecli.reader.names import NamedRange
from klyngecli.reader.tables import (
    HEADER_SCAN_ROWS,
    Header,
    column_units,
    header_area,
    is_totals_row,
    merged_down,
    named_rows,
    no_amount,
    sheet_unit,
    upper_row,
)
from klyngecli.reader.values import Cells, UnitContext, shown
from klyngecli.vocabulary import (
    SME_AMOUNT_COLUMNS,
    SME_COLUMN_LABELS,
    SME_COLUMNS,
    SME_REQUIRED,
)

_NAMES_EN = {"name": "Collaboration", "rd_costs": "R&D costs", "grant": "Grant"}
_DETAILS = ("sme", "cvr", "employees", "turnover", "balance")

Columns = dict[str, tuple[int, str | None]]  # column key → (column, unit in its header)


def _header_at(grid: Grid, row: int) -> tuple[Header, Columns]:
    """The known columns named in `row` (through labels merged down from the row above)."""
    above = merged_down(grid, row)
    header = Header(row, None, above)
    cols: Columns = {}
    for col in range(len(grid.rows[row])):
        label, unit = header.label(grid, col)
        key = SME_COLUMNS.get(label)
        if key is not None and key not in cols:
            cols[key] = (col, unit)
    if cols:
        positions = [col for col, _ in cols.values()]
        header = Header(row, upper_row(grid, row, above, positions), above)
    return header, cols


def _find_header(grid: Grid, named: NamedRange | None) -> tuple[Header, Columns] | None:
    """The header the workbook's defined name points at, when it is sensible; else the row,
    among the first rows, naming the most known columns, at least two."""
    if named is not None:
        for row in named_rows(grid, named):
            header, cols = _header_at(grid, row)
            if len(cols) >= 2 and (row == named.first_row or header.upper == named.first_row):
                return header, cols
    best: tuple[Header, Columns] | None = None
    for row in range(min(HEADER_SCAN_ROWS, grid.height)):
        header, cols = _header_at(grid, row)
        if len(cols) >= 2 and (best is None or len(cols) > len(best[1])):
            best = (header, cols)
            if len(cols) == len(SME_COLUMN_LABELS):
                break  # every column is named: no row can name more
    return best


def read_collaborations(
    grid: Grid, unit: UnitContext, cells: Cells, named: NamedRange | None = None
) -> Collaborations | None:
    """The collaborations, or None (with KL004) when the header or a required column is missing.
    `named` is the range the workbook's defined name for the table points at, if any."""
    found = _find_header(grid, named)
    if found is None:
        cells.findings.append(
            KL004.finding(
                grid.name,
                f"Ingen overskriftsrække med 'Samarbejde', 'FoU-omkostninger' og 'Tilskud' i de "
                f"første {HEADER_SCAN_ROWS} rækker af arket {grid.name}",
                f"No header row with 'Samarbejde', 'FoU-omkostninger' and 'Tilskud' in the first "
                f"{HEADER_SCAN_ROWS} rows of the sheet {grid.name}",
            )
        )
        return None
    header, cols = found
    missing = [key for key in SME_REQUIRED if key not in cols]
    for key in missing:
        label = SME_COLUMN_LABELS[key][0]
        cells.findings.append(
            KL004.finding(
                header_area(grid, header.row),
                f"Kolonnen '{label}' mangler i overskriftsrækken",
                f"The column '{label}' ({_NAMES_EN[key]}) is missing from the header row",
            )
        )
    if missing:
        return None
    multiplier = column_units(grid, header, sheet_unit(grid, header.row, unit, cells), cells)
    multipliers: dict[str, Decimal | None] = {
        key: multiplier(*cols[key]) for key in SME_AMOUNT_COLUMNS if key in cols
    }
    rows: list[Collaboration] = []
    totals: list[TotalsRow] = []
    detail_cols = [cols[key][0] for key in _DETAILS if key in cols]
    owners = grid.covered_in(cols["name"][0])  # a `Samarbejde` merged down names every row

    def amount(row: int, key: str) -> Amount:
        if key not in cols:
            return Value.read(Decimal(0))
        return cells.amount(grid, row, cols[key][0], multipliers[key])

    def text(row: int, key: str) -> Value[str]:
        if key not in cols:
            return Value.blank()
        at = owners.get(row, (row, cols[key][0])) if key == "name" else (row, cols[key][0])
        raw, ref = grid.get(*at), grid.ref(*at)
        if raw is PENDING:  # a name is only shown, so a formula without a result is no error
            return Value.pending(ref)
        if raw == "":
            return Value.blank(ref)
        text = shown(raw)
        return Value.read(text.strip(), ref, text) if text.strip() else Value.blank(ref)

    def number(row: int, key: str, da: str, en: str) -> Value[Decimal]:
        if key not in cols:
            return Value.blank()
        return cells.number(grid, row, cols[key][0], da, en)

    for row in range(header.row + 1, grid.height):
        if grid.is_blank_row(row):
            continue
        name = text(row, "name")
        if is_totals_row(grid, row, name.text or ""):
            first = grid.first_filled(row) or 0
            stated = {
                key: amount(row, key) for key in multipliers if grid.get(row, cols[key][0]) != ""
            }
            totals.append(
                TotalsRow(Value.read(grid.text(row, first), grid.ref(row, first)), stated)
            )
            continue
        amounts_zero = all(
            no_amount(grid.get(row, cols[key][0]), multipliers[key]) for key in multipliers
        )
        if amounts_zero and (
            name.value is None or all(grid.get(row, c) == "" for c in detail_cols)
        ):
            continue  # a note, a section heading or a control row, not a collaboration
        cvr: Value[str] = Value.blank()
        if "cvr" in cols:
            cvr = cells.cvr(grid.get(row, cols["cvr"][0]), grid.ref(row, cols["cvr"][0]))
        rows.append(
            Collaboration(
                name=name,
                sme=text(row, "sme"),
                cvr=cvr,
                employees=number(row, "employees", "Antal ansatte", "The number of employees"),
                turnover_meur=number(row, "turnover", "Omsætningen", "The turnover"),
                balance_meur=number(row, "balance", "Balancen", "The balance sheet total"),
                rd_costs=amount(row, "rd_costs"),
                grant=amount(row, "grant"),
                overhead=amount(row, "overhead"),
                row=row,
            )
        )
    return Collaborations(
        sheet=grid.name,
        header_row=header.row,
        rows=tuple(rows),
        totals=tuple(totals),
        cols={key: col for key, (col, _) in cols.items()},
    )
