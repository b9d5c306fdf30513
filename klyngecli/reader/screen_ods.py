"""The screen of an OpenDocument spreadsheet (ods): `content.xml`, streamed with expat, counted
as python-calamine 0.37's ods.rs would build it when the workbook is opened (every table then).

A cell repeated with `table:number-columns-repeated` in a row repeated with
`table:number-rows-repeated` is that many cells, each holding its own copy of the text: the
repeat counts multiply the cells and the characters. Repeated cells without a value are not
built unless a value follows them in the row (then they make the extent real); LibreOffice
ends every sheet with `number-rows-repeated="1048576"`-style empty rows and columns, and those
are never counted. A cell holds a value when it has a value attribute (`office:value`,
`office:string-value`, date, time, boolean), is of value-type string, or has a formula.
Elements and attributes are matched by their local name, and repeat counts are taken as they
stand (calamine caps them at 1,048,576 rows and 16,384 columns; the screen does not need to).
Counted against the limits (KL011): tables, cells with a value, each table's extent from A1,
and the text. Kept for the reader: the merged cells (`number-columns-spanned`,
`number-rows-spanned`) of the sheets it loads, which python-calamine does not expose for ods,
and the workbook-wide named ranges the template writes (`names`). Refused (KL001):
content.xml that is not well-formed or has a DOCTYPE, a repeat count that is not a number, two
tables of the same name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from klyngecli.reader.container import odf_encrypted
from klyngecli.reader.limits import Extent, Tally, damaged
from klyngecli.reader.names import NamedRange, from_odf, known
from klyngecli.reader.package import Package
from klyngecli.reader.xmlscan import local, parse

_VALUES = ("value", "string-value", "date-value", "time-value", "boolean-value", "formula")
_TEXTS = ("string-value", "date-value", "time-value", "formula")  # copied into the cell


def _count(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise damaged(
            f"'{value[:20]}' er ikke et antal gentagelser", f"'{value[:20]}' is not a repeat count"
        ) from None


Merge = tuple[int, int, int, int]  # first row, first column, last row, last column


@dataclass
class OdsFindings:
    merges: dict[str, list[Merge]] = field(default_factory=dict)
    names: dict[str, NamedRange] = field(default_factory=dict)  # `names.known` key → range


@dataclass(slots=True)
class _Cell:
    repeats: int
    filled: bool
    text: int  # characters of its value and formula
    depth: int = 0  # elements open inside it
    spans: tuple[int, int] = (1, 1)  # rows, columns of a merged cell


class _Content:
    """The tables of content.xml, row by row and cell by cell."""

    def __init__(self, tally: Tally, wanted: Callable[[str], bool]) -> None:
        self.tally = tally
        self.wanted = wanted
        self.found = OdsFindings()
        self.merges: list[Merge] | None = None  # of the current table, when the reader loads it
        self.in_table = False
        self.names: set[str] = set()
        self.tables = 0
        self.extent: Extent | None = None
        self.row_start = 0  # the first sheet row of the current row element
        self.row_repeats = 1  # of the current row element
        self.in_row = False
        self.col = 0  # the next column of the current row
        self.empty = 0  # repeated empty cells not yet placed
        self.cell: _Cell | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        cell = self.cell
        if cell is not None:
            cell.depth += 1
            if tag == "s":  # text:s, `text:c` spaces
                counts = [_count(v) for k, v in attrs.items() if local(k) == "c"]
                cell.text += max(counts, default=1)
            elif tag == "p":
                cell.text += 1  # the line break calamine puts between paragraphs
            return
        if tag in ("table-cell", "covered-table-cell"):
            if self.in_row:
                self.cell = self._cell(attrs)
        elif tag == "table-row":
            if self.extent is not None:
                self.in_row, self.col, self.empty = True, 0, 0
                counts = [_count(v) for k, v in attrs.items() if local(k) == "number-rows-repeated"]
                self.row_repeats = max(counts, default=1)
        elif tag == "table":
            self._table(attrs)
        elif tag == "named-range" and not self.in_table:  # a sheet's own names are not kept
            self._name(attrs)

    def _name(self, attrs: dict[str, str]) -> None:
        values = {local(k): v for k, v in attrs.items()}
        key = known(values.get("name", ""))
        if key is not None and key not in self.found.names:
            area = from_odf(values.get("cell-range-address", "")[:300])
            if area is not None:
                self.found.names[key] = area

    @staticmethod
    def _cell(attrs: dict[str, str]) -> _Cell:
        repeats, filled, text = 1, False, 0
        rows = cols = 1
        for key, value in attrs.items():
            name = local(key)
            if name == "number-columns-repeated":  # any prefix; the largest, to be safe
                repeats = max(repeats, _count(value))
            elif name == "number-columns-spanned":  # calamine ignores spans: never KL001
                cols = int(value) if value.isascii() and value.isdigit() and len(value) < 10 else 1
            elif name == "number-rows-spanned":
                rows = int(value) if value.isascii() and value.isdigit() and len(value) < 10 else 1
            elif name in _VALUES:
                filled = True
                text += len(value) if name in _TEXTS else 0
            elif name == "value-type" and value == "string":
                filled = True
        return _Cell(repeats, filled, text, spans=(rows, cols))

    def end(self, name: str) -> None:
        cell = self.cell
        if cell is not None:
            if cell.depth:
                cell.depth -= 1
            else:
                self._place(cell)
                self.cell = None
            return
        tag = local(name)
        if tag == "table-row" and self.in_row:
            self.in_row = False
            self.row_start += max(self.row_repeats, 0)
        elif tag == "table":
            self.in_table = False

    def text(self, data: str) -> None:
        if self.cell is not None:
            self.cell.text += len(data)

    def _table(self, attrs: dict[str, str]) -> None:
        name = next((v for k, v in attrs.items() if local(k) == "name"), "")
        if name in self.names:
            raise damaged(f"to ark hedder '{name[:40]}'", f"two sheets are named '{name[:40]}'")
        if name:
            self.names.add(name)
        self.tables += 1
        self.tally.sheets(self.tables)
        self.extent = Extent(self.tally, name)
        self.row_start, self.in_row, self.in_table = 0, False, True
        self.merges = self.found.merges.setdefault(name, []) if self.wanted(name) else None

    def _place(self, cell: _Cell) -> None:
        """calamine places the empty cells before this one only when a cell follows them."""
        assert self.extent is not None
        self.col += self.empty
        if self.merges is not None and cell.spans != (1, 1) and min(cell.spans) >= 1:
            rows, cols = cell.spans
            self.merges.append(
                (self.row_start, self.col, self.row_start + rows - 1, self.col + cols - 1)
            )
        repeats = max(cell.repeats, 0)
        if not cell.filled:
            self.empty = repeats
            return
        self.empty = 0
        if not repeats:
            return
        self.col += repeats
        rows = max(self.row_repeats, 1)
        self.tally.cell(repeats * rows)
        self.tally.text(cell.text * repeats * rows)
        self.extent.reach(self.row_start + rows, self.col)


def screen_ods(package: Package, tally: Tally, wanted: Callable[[str], bool]) -> OdsFindings | None:
    """Screen content.xml when the package is an ods calamine would read; None when it is not.
    `wanted` tells which sheets (by name) the reader loads: their merged cells are kept."""
    if package.exact("mimetype") is None:
        return None
    info = package.exact("content.xml")
    if info is None or odf_encrypted(package.archive):
        return None  # an encrypted package is the container check's KL002
    content = _Content(tally, wanted)
    with package.open(info) as stream:
        parse(stream, info.filename, tally, content.start, content.end, content.text)
    return content.found
