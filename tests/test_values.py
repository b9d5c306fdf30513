"""`Cells.amount` remembers the amounts of number cells it has read (issue 15); what it reads
the second time is what it read the first, findings included."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from klyngecli.model import CellRef
from klyngecli.reader.grid import Grid
from klyngecli.reader.values import Cells

ZONE = ZoneInfo("Europe/Copenhagen")


def _read(values: list[float], multiplier: Decimal) -> tuple[list[str], list[str]]:
    """Each value read as an amount from its own cell: the amounts as text, and the codes."""
    grid = Grid("Budget", [values])
    cells = Cells(ZONE)
    amounts = [cells.amount(grid, 0, col, multiplier) for col in range(len(values))]
    return [str(a.value) for a in amounts], [f.code for f in cells.findings]


def test_an_amount_read_again_is_scaled_by_its_own_column() -> None:
    assert _read([1234.5, 1234.5], Decimal(1)) == (["1234.50", "1234.50"], [])
    assert _read([1234.5], Decimal(1000)) == (["1234500.00"], [])
    assert _read([1234.5], Decimal(1)) == (["1234.50"], [])


def test_a_negative_or_implausible_amount_is_a_finding_every_time() -> None:
    assert _read([-7.0, -7.0], Decimal(1)) == (["-7.00", "-7.00"], ["KL010", "KL010"])
    assert _read([2e15, 2e15], Decimal(1)) == (["None", "None"], ["KL006", "KL006"])
    assert _read([2e12], Decimal(1000)) == (["None"], ["KL006"])


def test_zero_keeps_its_sign_as_the_cell_stored_it() -> None:
    assert _read([0.0, -0.0, 0.0], Decimal(1)) == (["0.00", "-0.00", "0.00"], [])


def test_each_amount_names_its_own_cell() -> None:
    grid = Grid("Budget", [[500000.0, 500000.0]])
    cells = Cells(ZONE)
    first, second = (cells.amount(grid, 0, col, Decimal(1)) for col in (0, 1))
    assert (first.ref, second.ref) == (CellRef("Budget", 0, 0), CellRef("Budget", 0, 1))
    assert first.value is second.value  # the same Decimal, found again, not made again


def test_a_blank_or_remembered_amount_knows_its_cell_without_a_cellref_of_its_own() -> None:
    """The everyday amounts (remembered, or blank) keep their place as sheet, row and column;
    `ref` makes the CellRef when a finding asks for it, equal to the grid's."""
    grid = Grid("Budget", [["", 250.0], [250.0, "  "]])
    cells = Cells(ZONE)
    amounts = [cells.amount(grid, row, col, Decimal(1)) for row in (0, 1) for col in (0, 1)]
    assert [a.value for a in amounts] == [0, Decimal("250.00"), Decimal("250.00"), 0]
    assert [a.ref for a in amounts] == [grid.ref(r, c) for r in (0, 1) for c in (0, 1)]
    assert [(a.sheet, a.row, a.col) for a in amounts] == [
        (grid.name, 0, 0),
        (grid.name, 0, 1),
        (grid.name, 1, 0),
        (grid.name, 1, 1),
    ]
    assert amounts[0].ref is not amounts[0].ref  # made on asking, never kept
    assert amounts[1] == amounts[1].located(CellRef("Budget", 0, 1))
    assert amounts[1] != amounts[2]  # the same amount in another cell is another Value
    assert amounts[1].located(None).ref is None
