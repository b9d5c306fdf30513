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


Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based)


@dataclass(slots=True)
class Grid:
    name: str
    rows: Sequence[Sequence[RawCell]]
    pending: frozenset[tuple[int, int]] = frozenset()
    errors: Mapping[tuple[int, int], str] = field(default_factory=dict)
    merges: Sequence[Merge] = ()
    # The merges by top-left cell → (last row, last column), and by first row → (first column,
    # last row, last column); built on first use, so a sheet without merges costs nothing.
    _corners: dict[tuple[int, int], tuple[int, int]] | None = field(default=None, repr=False)
    _by_row: dict[int, list[tuple[int, int, int]]] | None = field(default=None, repr=False)

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

    def first_filled_from(self, row: int, start: int) -> int | None:
        """The column of the row's first non-blank cell at or right of `start`."""
        cells = self.rows[row] if row < len(self.rows) else []
        for col in range(start, len(cells)):
            if cells[col] != "" or (row, col) in self.pending or (row, col) in self.errors:
                return col
        return None

    # --- merged cells (workbook-format.md, decided items 12 and 13) ---------------------------

    def _index(self) -> dict[tuple[int, int], tuple[int, int]]:
        if self._corners is None:
            corners: dict[tuple[int, int], tuple[int, int]] = {}
            by_row: dict[int, list[tuple[int, int, int]]] = {}
            height = len(self.rows)
            for r1, c1, r2, c2 in self.merges:
                # A merge that starts outside the cells read covers nothing the reader looks at;
                # the first of two merges on one corner (a damaged file) is the one kept.
                if r1 < height and (r1, c1) not in corners and (r2, c2) != (r1, c1):
                    corners[(r1, c1)] = (r2, c2)
                    by_row.setdefault(r1, []).append((c1, r2, c2))
            self._corners, self._by_row = corners, by_row
        return self._corners

    def span(self, row: int, col: int) -> tuple[int, int] | None:
        """(last row, last column) of the merge whose top-left cell is (row, col)."""
        return self._index().get((row, col)) if self.merges else None

    def merges_from(self, row: int) -> list[tuple[int, int, int]]:
        """(first column, last row, last column) of the merges whose top row is `row`."""
        if not self.merges:
            return []
        self._index()
        assert self._by_row is not None
        return self._by_row.get(row, [])

    def covered_in(self, col: int) -> dict[int, tuple[int, int]]:
        """Row → top-left cell, for the cells of column `col` that a merge covers and that are
        not its top-left cell (a `Kategori` merged down names every row it covers). Linear in
        the merges and the rows, however the merges of a damaged file overlap."""
        if not self.merges:
            return {}
        spans = sorted(
            (r1 if c1 < col else r1 + 1, r1, c1, r2)
            for (r1, c1), (r2, c2) in self._index().items()
            if c1 <= col <= c2
        )
        owners: dict[int, tuple[int, int]] = {}
        free = 0  # the first row not yet given an owner
        last = len(self.rows) - 1
        for start, r1, c1, r2 in spans:
            for row in range(max(start, free), min(r2, last) + 1):
                owners[row] = (r1, c1)
            free = max(free, r2 + 1)
        return owners
