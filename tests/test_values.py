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
