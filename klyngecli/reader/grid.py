"""One sheet's cells as python-calamine returns them, addressed by 0-based row and column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from klyngecli.model import CellRef

RawCell = object


class Pending:
    """A formula cell with no stored result: neither blank nor a value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PENDING"


PENDING = Pending()


@dataclass(frozen=True, slots=True)
class CellError:
    """A cell holding a spreadsheet error value (#DIV/0!, #N/A): neither blank nor a number."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True)
class Grid:
    name: str
    rows: Sequence[Sequence[RawCell]]
    pending: frozenset[tuple[int, int]] = frozenset()
    errors: Mapping[tuple[int, int], str] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def get(self, row: int, col: int) -> RawCell:
        """The cell's value; '' when blank; PENDING for a formula without a stored result; a
        CellError for an error value or a NaN number (calamine reads the first as blank and NaN
        as a number, or as 1899-12-30 under a date format: the screen's finding decides)."""
        if (row, col) in self.errors:
            return CellError(self.errors[(row, col)])
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            value = self.rows[row][col]
            if value != "":
                return value
        if (row, col) in self.pending:
            return PENDING
        return ""

    def text(self, row: int, col: int) -> str:
        """The cell as text, for labels; '' for blank and non-text cells."""
        value = self.get(row, col)
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return ""

    def ref(self, row: int, col: int) -> CellRef:
        return CellRef(self.name, row, col)

    def first_filled(self, row: int) -> int | None:
        """The column of the row's first non-blank cell."""
        for col, value in enumerate(self.rows[row] if row < len(self.rows) else []):
            if value != "" or (row, col) in self.pending or (row, col) in self.errors:
                return col
        return None

    def is_blank_row(self, row: int) -> bool:
        return self.first_filled(row) is None
