"""The SMV-samarbejder sheet: one row a planned SME innovation collaboration."""

from __future__ import annotations

from decimal import Decimal

from klyngecli.model import Amount, Collaboration, Collaborations, TotalsRow, Value
from klyngecli.reader.codes import KL004
from klyngecli.reader.grid import PENDING, Grid
from klyngecli.reader.labels import (
    SME_AMOUNT_COLUMNS,
    SME_COLUMN_LABELS,
    SME_COLUMNS,
    SME_REQUIRED,
)
from klyngecli.reader.tables import (
    HEADER_SCAN_ROWS,
    header_area,
    header_label,
    is_totals_row,
    sheet_unit,
)
from klyngecli.reader.values import FORMULA, Cells, UnitContext, shown

_NAMES_EN = {"name": "Collaboration", "rd_costs": "R&D costs", "grant": "Grant"}


def _find_header(grid: Grid) -> tuple[int, dict[str, tuple[int, str | None]]] | None:
    """The row (within the first rows) naming the most known columns, at least two."""
    best: tuple[int, dict[str, tuple[int, str | None]]] | None = None
    for row in range(min(HEADER_SCAN_ROWS, grid.height)):
        cols: dict[str, tuple[int, str | None]] = {}
        for col in range(len(grid.rows[row])):
            label, unit = header_label(grid, row, col)
            key = SME_COLUMNS.get(label)
            if key is not None and key not in cols:
                cols[key] = (col, unit)
        if len(cols) >= 2 and (best is None or len(cols) > len(best[1])):
            best = (row, cols)
    return best


def read_collaborations(grid: Grid, unit: UnitContext, cells: Cells) -> Collaborations | None:
    """The collaborations, or None (with KL004) when the header or a required column is missing."""
    found = _find_header(grid)
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
                header_area(grid, header),
                f"Kolonnen '{label}' mangler i overskriftsrækken",
                f"The column '{label}' ({_NAMES_EN[key]}) is missing from the header row",
            )
        )
    if missing:
        return None
    unit = sheet_unit(grid, header, unit, cells)
    multipliers: dict[str, Decimal | None] = {
        key: cells.column_multiplier(grid, header, cols[key][0], cols[key][1], unit)
        for key in SME_AMOUNT_COLUMNS
        if key in cols
    }
    rows: list[Collaboration] = []
    totals: list[TotalsRow] = []
    amount_cols = [cols[key][0] for key in multipliers]

    def amount(row: int, key: str) -> Amount:
        if key not in cols:
            return Value(Decimal(0))
        return cells.amount(grid, row, cols[key][0], multipliers[key])

    def text(row: int, key: str) -> Value[str]:
        if key not in cols:
            return Value(None)
        raw, ref = grid.get(row, cols[key][0]), grid.ref(row, cols[key][0])
        if raw is PENDING:  # a name is only shown, so a formula without a result is no error
            return Value(None, ref, FORMULA)
        if raw == "":
            return Value(None, ref)
        return Value(shown(raw).strip() or None, ref, shown(raw))

    def number(row: int, key: str, da: str, en: str) -> Value[Decimal]:
        if key not in cols:
            return Value(None)
        return cells.number(grid, row, cols[key][0], da, en)

    for row in range(header + 1, grid.height):
        if grid.is_blank_row(row):
            continue
        if is_totals_row(grid, row, cols["name"][0]):
            first = grid.first_filled(row) or 0
            stated = {
                key: amount(row, key) for key in multipliers if grid.get(row, cols[key][0]) != ""
            }
            totals.append(TotalsRow(Value(grid.text(row, first), grid.ref(row, first)), stated))
            continue
        name = text(row, "name")
        if name.value is None and all(grid.get(row, c) == "" for c in amount_cols):
            continue  # a note below the table, not a collaboration
        cvr: Value[str] = Value(None)
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
        header_row=header,
        rows=tuple(rows),
        totals=tuple(totals),
        cols={key: col for key, (col, _) in cols.items()},
    )
