"""The typed application read from one workbook. Every value remembers its Sheet!Cell. No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")


class GrantType(StrEnum):
    INNOVATION = "innovation"
    BASIS = "basis"


class Designation(StrEnum):
    DESIGNATED = "udpeget"
    APPLIED = "ansøgt"
    NO = "nej"


class Category(StrEnum):
    """Cost categories of the Budget sheet."""

    STAFF = "løn"
    CONSULTANTS = "eksterne konsulenter"
    TRAVEL = "rejser"
    EQUIPMENT = "udstyr"
    AUDIT = "revision"
    OTHER = "øvrige omkostninger"
    INDIRECT = "indirekte omkostninger"
    SME_GRANTS = "tilskud til smv-samarbejder"


class Source(StrEnum):
    """Financing sources of the Finansiering sheet."""

    REGIONALFONDEN = "regionalfonden"
    DECENTRALE = "decentrale"
    UFS = "ufs"
    PRIVATE_CASH = "privat_kontant"
    PUBLIC_CASH = "offentlig_kontant"
    OWN = "egenfinansiering"
    SME_OWN = "smv_egenfinansiering"


def column_index(letters: str) -> int:
    """Column letters to the 0-based index, either case: A → 0, ab → 27 (`column_letters`
    turned round)."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col - 1


def column_letters(col: int) -> str:
    """0-based column index to letters: 0 → A, 27 → AB."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# CellRef and Value are made for every cell read (about 1,400 per workbook, 600,000 in a
# workbook of 100,000 budget rows): they are values, never changed after they are made, but not
# `frozen`, whose __init__ (object.__setattr__ per field) costs three times a plain one.
# `unsafe_hash` hashes them by their fields all the same.
@dataclass(slots=True, unsafe_hash=True)
class CellRef:
    """A cell, 0-based row and column, on a named sheet."""

    sheet: str
    row: int
    col: int

    @property
    def a1(self) -> str:
        return f"{column_letters(self.col)}{self.row + 1}"

    def __str__(self) -> str:
        return f"{self.sheet}!{self.a1}"


@dataclass(frozen=True, slots=True)
class Area:
    """A range of cells on one sheet, or the whole sheet when `first` is None."""

    sheet: str
    first: CellRef | None = None
    last: CellRef | None = None

    @property
    def a1(self) -> str | None:
        if self.first is None:
            return None
        if self.last is None or self.last == self.first:
            return self.first.a1
        return f"{self.first.a1}:{self.last.a1}"

    @staticmethod
    def row_span(sheet: str, row: int, cols: Iterable[int]) -> Area:
        col_list = sorted(cols)
        if not col_list:
            return Area(sheet)
        return Area(sheet, CellRef(sheet, row, col_list[0]), CellRef(sheet, row, col_list[-1]))


class State(Enum):
    """What the reader found in a cell. Rules match on it, never on `value is None` plus text."""

    READ = "read"  # a value was read; `value` holds it
    BLANK = "blank"  # nothing there (an empty cell, or no such field): "not given"
    # Something there that could not be read (KL006, or an unknown unit): the reader has said so,
    # and rules stay silent about it; `text` shows what the cell holds.
    REPORTED = "reported"
    PENDING = "pending"  # a formula without a stored result: the reader has said so (KL007)


@dataclass(slots=True, unsafe_hash=True)
class Value(Generic[T]):
    """A value read from a cell, with its state; `value` is None unless the state is READ.
    Made by `Value.read`, `Value.blank`, `Value.reported` and `Value.pending` (and, without a
    CellRef, by `Cells.amount` for the everyday amounts).

    Where it was read is kept as its sheet, row and column, and `ref` makes the CellRef when a
    finding asks for it: a CellRef of its own for every amount took 72 of the 150 bytes that
    a Value and its place cost (issue 15, the workbook of 100,000 budget rows)."""

    value: T | None
    sheet: str | None  # None: not read from a cell (then row and col are 0)
    row: int
    col: int
    text: str | None  # the cell as it stands, where a message may quote it
    state: State

    @staticmethod
    def of(value: U | None, ref: CellRef | None, text: str | None, state: State) -> Value[U]:
        if ref is None:
            return Value(value, None, 0, 0, text, state)
        return Value(value, ref.sheet, ref.row, ref.col, text, state)

    @staticmethod
    def read(value: U, ref: CellRef | None = None, text: str | None = None) -> Value[U]:
        return Value.of(value, ref, text, State.READ)

    @staticmethod
    def blank(ref: CellRef | None = None) -> Value[Any]:
        return Value.of(None, ref, None, State.BLANK)

    @staticmethod
    def reported(ref: CellRef | None, text: str) -> Value[Any]:
        return Value.of(None, ref, text, State.REPORTED)

    @staticmethod
    def pending(ref: CellRef | None) -> Value[Any]:
        return Value.of(None, ref, None, State.PENDING)

    @property
    def ref(self) -> CellRef | None:
        """The cell it was read from (made anew: equal, not the same object, each time)."""
        return None if self.sheet is None else CellRef(self.sheet, self.row, self.col)

    def located(self, ref: CellRef | None) -> Value[T]:
        """The same value, read from another cell (or from none)."""
        return Value.of(self.value, ref, self.text, self.state)

    @property
    def known(self) -> bool:
        return self.state is State.READ

    @property
    def given(self) -> bool:
        """The cell holds something (a value, something unreadable, or a formula): not blank."""
        return self.state is not State.BLANK


Amount = Value[Decimal]


def total(amounts: Iterable[Amount]) -> Decimal | None:
    """The exact sum, or None when any part is unknown."""
    result = Decimal(0)
    for amount in amounts:
        if amount.value is None:  # not READ
            return None
        result += amount.value
    return result


@dataclass(frozen=True, slots=True)
class Line:
    """One row of the Budget (a cost category) or Finansiering (a source) sheet."""

    key: str  # a Category or Source value
    label: Value[str]
    amounts: dict[int, Amount]  # year → amount; blank cells are 0
    stated_total: Amount | None  # the row's `I alt` cell, when the sheet has one and it is filled
    # Filled cells under a year header that could not be read (KL006): their year is unknown, so
    # every sum over the row is too, and the rules that need one stay silent.
    unplaced: tuple[Amount, ...] = ()

    @property
    def row(self) -> int:
        return self.label.row  # 0 when not read from a cell

    def all_amounts(self) -> list[Amount]:
        return [*self.amounts.values(), *self.unplaced]

    def sum(self) -> Decimal | None:
        return total(self.all_amounts())


@dataclass(frozen=True, slots=True)
class TotalsRow:
    """A stated totals row (`I alt`, `Total`, `Sum`, `Samlet`): column → stated amount."""

    label: Value[str]
    cells: dict[str, Amount]  # column key (a year as text, "total", or an SME column name) → stated


@dataclass(frozen=True, slots=True)
class Table:
    """A Budget or Finansiering sheet."""

    sheet: str
    header_row: int
    year_cols: dict[int, int]  # year → column
    total_col: int | None
    lines: tuple[Line, ...]
    totals: tuple[TotalsRow, ...]
    width: int
    in_kroner: bool  # every year column is in unit kr. (for KL106)

    # The sums the rules ask for, each computed once (the lines never change): a cache, not a
    # value of the table, so neither equality nor the fingerprint sees it.
    _sums: dict[object, Decimal | None] = field(default_factory=dict, compare=False, repr=False)

    def lines_with(self, key: str) -> list[Line]:
        return [line for line in self.lines if line.key == key]

    @property
    def unlabelled_money(self) -> bool:
        """A line with amounts has an unknown category or source (KL008): any sum by category or
        source is then unknown, so the rules that need one stay silent (no cascade)."""
        return any(line.key == "" and line.sum() != 0 for line in self.lines)

    def sum_of(self, key: str) -> Decimal | None:
        """The exact sum of the lines of one category or source; None when it cannot be known."""
        if ("of", key) not in self._sums:
            self._sums[("of", key)] = (
                None
                if self.unlabelled_money
                else total(a for line in self.lines_with(key) for a in line.all_amounts())
            )
        return self._sums[("of", key)]

    def sum_all(self) -> Decimal | None:
        if "all" not in self._sums:
            self._sums["all"] = total(a for line in self.lines for a in line.all_amounts())
        return self._sums["all"]

    def sum_year(self, year: int) -> Decimal | None:
        if year not in self._sums:
            self._sums[year] = total(
                line.amounts[year] for line in self.lines if year in line.amounts
            )
        return self._sums[year]

    def row_area(self, row: int) -> Area:
        return Area.row_span(self.sheet, row, range(self.width))

    @property
    def amount_cols(self) -> list[int]:
        cols = list(self.year_cols.values())
        return sorted([*cols, self.total_col] if self.total_col is not None else cols)

    def area_of(self, lines: Iterable[Line]) -> Area:
        """The amount cells of these lines (their bounding range); the header row when none."""
        rows = [line.row for line in lines]
        cols = self.amount_cols
        if not rows or not cols:
            return self.row_area(self.header_row)
        return Area(
            self.sheet,
            CellRef(self.sheet, min(rows), cols[0]),
            CellRef(self.sheet, max(rows), cols[-1]),
        )


@dataclass(frozen=True, slots=True)
class Collaboration:
    """One planned SME innovation collaboration of the SMV-samarbejder sheet."""

    name: Value[str]
    sme: Value[str]
    cvr: Value[str]
    employees: Value[Decimal]
    turnover_meur: Value[Decimal]
    balance_meur: Value[Decimal]
    rd_costs: Amount
    grant: Amount
    overhead: Amount
    row: int


@dataclass(frozen=True, slots=True)
class Collaborations:
    sheet: str
    header_row: int
    rows: tuple[Collaboration, ...]
    totals: tuple[TotalsRow, ...]
    cols: dict[str, int]  # column key → column index


@dataclass(frozen=True, slots=True)
class Applicant:
    """The key/value fields of the Ansøger sheet."""

    sheet: str
    name: Value[str]
    cvr: Value[str]
    grant: Value[GrantType]
    start: Value[date]
    end: Value[date]
    submitted: Value[datetime]
    designation: Value[Designation]
    contact: Value[str]
    email: Value[str]


@dataclass(frozen=True, slots=True)
class Application:
    """Everything read from one workbook; parts are None when their sheet could not be read."""

    sheet_order: tuple[str, ...]
    applicant: Applicant | None = None
    budget: Table | None = None
    financing: Table | None = None
    collaborations: Collaborations | None = None
    unit: Value[Decimal] = field(default_factory=lambda: Value.read(Decimal(1)))

    @property
    def grant(self) -> GrantType | None:
        return self.applicant.grant.value if self.applicant else None
