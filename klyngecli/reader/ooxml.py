"""The screen of an OOXML package (xlsx/xlsm), and what python-calamine does not tell about it:
which formula cells have no stored result and which hold an error value (calamine reads both
as empty), and the workbook's defined names the template writes (python-calamine does not
expose defined names; `names`).

Every part calamine's xlsx reader would take a value from is parsed here first, with expat
(`xmlscan`), in the order calamine reads them and under the names it uses (calamine 0.37,
xlsx/mod.rs): `_rels/.rels` names the workbook's folder (`xl/`); in it `sharedStrings.xml`,
`_rels/workbook.xml.rels` and `workbook.xml`; each sheet's part is its relationship's target in
that folder (or absolute). Cells are read as calamine reads them: elements by their local name
(`<x:c>`), a reference in either case with its row and column, a cell without a reference at
the column after the one before it, a row without `r` after the row before it.

Refused (KL001): XML that is not well-formed, a DOCTYPE, a sheet without its relationship or of
an unknown type, two sheets of the same name or on the same part, a reference that is no cell.
Counted against the limits (KL011): sheets, shared strings (also the `uniqueCount` calamine
reserves room for), cells with a value and their extent in the sheets the reader loads, and the
text they would hold — a shared string counts once per cell that refers to it.
"""

from __future__ import annotations

import functools
import io
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO
from zipfile import ZipInfo

from klyngecli.model import column_index
from klyngecli.reader.cellrules import KEEP, PENDING, text_length, verdict
from klyngecli.reader.container import DAMAGED_ZIP_ERRORS
from klyngecli.reader.limits import Extent, Tally, damaged
from klyngecli.reader.names import NamedRange, from_a1, known
from klyngecli.reader.ooxml_plain import PLAIN_MAX_BYTES, screen_plain
from klyngecli.reader.package import Package, folded
from klyngecli.reader.xmlscan import feed, local, parse, parser

Position = tuple[int, int]

_REF = re.compile(r"([A-Za-z]*)([0-9]+)")
_FAR = 1 << 40  # a row or column past anything calamine's u32 can hold
_SHEET_TYPES = ("worksheet", "chartsheet", "dialogsheet")


@dataclass
class SheetFindings:
    """What the reader needs from the screen about the sheets it loads, by sheet name."""

    pending: dict[str, frozenset[Position]] = field(default_factory=dict)
    errors: dict[str, dict[Position, str]] = field(default_factory=dict)
    names: dict[str, NamedRange] = field(default_factory=dict)  # `names.known` key → range


def position(ref: str) -> tuple[int, int | None]:
    """`B7` → (6, 1), `b7` too; `7` → (6, None); as calamine's `get_row_and_optional_column`,
    with rows and columns past its range made far instead of wrapping."""
    match = _REF.fullmatch(ref)
    if match is None or not match.group(2).strip("0"):
        raise damaged(
            f"'{ref[:20]}' er ikke en cellereference", f"'{ref[:20]}' is not a cell reference"
        )
    letters, digits = match.groups()
    row = int(digits) - 1 if len(digits) <= 12 else _FAR
    return row, (_column(letters) if letters else None)


@functools.lru_cache(maxsize=4096)
def _column(letters: str) -> int:
    """`A` → 0, `ab` → 27; past eight letters (and calamine's u32) far."""
    return _FAR if len(letters) > 8 else column_index(letters)


def _office_document(package: Package, tally: Tally) -> str | None:
    """The target of the package's last officeDocument relationship (calamine keeps the last)."""
    info = package.lookup("_rels/.rels")
    if info is None:
        return None
    found: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        office = attrs.get("Type", "").endswith("/relationships/officeDocument")
        if local(name) == "Relationship" and office and "Target" in attrs:
            found.append(attrs["Target"])

    with package.open(info) as stream:
        parse(stream, info.filename, tally, start)
    return found[-1] if found else None


def _relationships(package: Package, path: str, tally: Tally) -> dict[str, tuple[str, str]]:
    """Relationship id → (target, type); a later duplicate id wins, as in calamine."""
    info = package.lookup(path)
    rels: dict[str, tuple[str, str]] = {}
    if info is None:
        return rels

    def start(name: str, attrs: dict[str, str]) -> None:
        if local(name) == "Relationship" and "Id" in attrs:
            rels[attrs["Id"]] = (attrs.get("Target", ""), attrs.get("Type", ""))

    with package.open(info) as stream:
        parse(stream, info.filename, tally, start)
    return rels


def _workbook_sheets(
    package: Package, path: str, tally: Tally, names: dict[str, NamedRange]
) -> list[tuple[str, str]]:
    """(name, relationship id) of each `<sheet>` of workbook.xml, in order; the workbook-wide
    `<definedName>`s the reader knows go into `names`."""
    info = package.lookup(path)
    sheets: list[tuple[str, str]] = []
    if info is None:
        return sheets
    defined: list[str] = []  # the text of the known name being read, and its key

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        if tag == "definedName" and "localSheetId" not in attrs:
            key = known(attrs.get("name", ""))
            if key is not None and key not in names:
                defined[:] = [key, ""]
            return
        if tag != "sheet":
            return
        rid = ""
        for key, value in attrs.items():
            if local(key) == "id":
                rid = value
        sheets.append((attrs.get("name", ""), rid))
        tally.sheets(len(sheets))

    def end(name: str) -> None:
        if defined and local(name) == "definedName":
            area = from_a1(defined[1])
            if area is not None:
                names[defined[0]] = area
            defined.clear()

    def text(data: str) -> None:
        if defined and len(defined[1]) < _NAME_TEXT:
            defined[1] += data

    with package.open(info) as stream:
        parse(stream, info.filename, tally, start, end, text)
    return sheets


_NAME_TEXT = 300  # a reference to one rectangle is short; more is no name the reader uses


class _SharedStrings:
    """The length of each shared string, as calamine builds the table: one string per `<si>`
    inside `<sst>`, ending at the first `</si>`; phonetic runs (`<rPh>`) are left out."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.lengths = array("q")
        self.state = 0  # 0 before <sst>, 1 inside, 2 after
        self.current: int | None = None
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        if self.state == 0:
            if tag == "sst":
                self.state = 1
                declared = attrs.get("uniqueCount", "").removeprefix("+")
                if declared.isascii() and declared.isdigit():
                    self.tally.strings_declared(int(declared[:20]))
        elif self.current is None:
            if tag == "si" and self.state == 1:
                self.current, self.phonetic = 0, 0
        elif tag == "rPh":
            self.phonetic += 1

    def end(self, name: str) -> None:
        tag = local(name)
        if self.current is not None:
            if tag == "si":
                self.lengths.append(self.current)
                self.tally.shared_string()
                self.tally.text(self.current)
                self.current = None
            elif tag == "rPh":
                self.phonetic -= 1
        elif tag == "sst" and self.state == 1:
            self.state = 2

    def text(self, data: str) -> None:
        if self.current is not None and not self.phonetic:
            self.current += len(data)


# A cell reference of the everyday kind (`B7`, `xfd1048576`): read here without `position`'s
# checks, which it passes; any other form goes through `position`.
_PLAIN_REF = re.compile(r"([A-Za-z]{1,3})([1-9][0-9]{0,6})").fullmatch


def _screen_sheet(
    stream: IO[bytes], part: str, sheet: str, strings: array[int], tally: Tally
) -> tuple[set[Position], dict[Position, str]]:
    """One worksheet part, cell by cell as calamine's `XlsxCellReader.next_cell` walks it: the
    formula cells without a result and the cells with an error value (or NaN), each value
    counted against the limits as it is seen.

    A state machine of expat handlers, swapped as the walk enters and leaves `<sheetData>`, a
    cell, and the text of its `<v>` or `<is>`, so that an element costs one short call. The
    counts are kept in local variables and added to the tally at the end, or when one reaches
    its limit: the first limit passed, and the number it reports, are those of counting one by
    one."""
    limits = tally.limits
    extent = Extent(tally, sheet)
    pending: set[Position] = set()
    errors: dict[Position, str] = {}
    made = parser()
    records = cells = chars = 0  # not yet added to the tally
    records_room = limits.max_records - tally.records
    cells_room = limits.max_cells - tally.cells
    chars_room = limits.max_text_chars - tally.text_chars
    row = col = 0  # where a row or cell without a reference goes
    # The cell being read (`in_cell`): its place and `t`, whether it has an element inside
    # (calamine may make a value of it) and a formula, the elements open inside it, the text of
    # its <v> (up to KEEP characters), that text's length and pieces, and the characters
    # inside its <is>.
    in_cell = child = formula = has_value = False
    at_row = at_col = depth = value_length = value_pieces = inline = 0
    kind: str | None = None
    value = ""

    def count() -> None:
        nonlocal records
        tally.records += records
        records = 0
        tally.record(0)  # raises KL011

    def outside(name: str, attrs: dict[str, str]) -> None:
        nonlocal records
        records += 1
        if records > records_room:
            count()
        if (name if ":" not in name else local(name)) == "sheetData":
            made.StartElementHandler, made.EndElementHandler = data_start, data_end

    def after(name: str, attrs: dict[str, str]) -> None:  # calamine reads one <sheetData>
        nonlocal records
        records += 1
        if records > records_room:
            count()

    def data_start(name: str, attrs: dict[str, str]) -> None:
        nonlocal records, row, col, in_cell, at_row, at_col, kind, child, formula, has_value
        nonlocal value, depth, value_length, value_pieces, inline
        records += 1
        if records > records_room:
            count()
        tag = name if ":" not in name else local(name)
        if tag == "c":
            ref = attrs.get("r")
            if ref is None:
                at_row, at_col = row, col
            else:
                plain = _PLAIN_REF(ref)
                if plain is not None:
                    at_row, at_col = int(plain[2]) - 1, _column(plain[1])
                else:
                    at_row, reached = position(ref)
                    if reached is None:
                        raise damaged(
                            f"cellen '{ref[:20]}' har ingen kolonne",
                            f"the cell '{ref[:20]}' has no column",
                        )
                    at_col = reached
                col = at_col
            kind = attrs.get("t")
            in_cell, child, formula, has_value = True, False, False, False
            value, value_length, value_pieces, inline, depth = "", 0, 0, 0, 0
            made.StartElementHandler = cell_start
        elif tag == "row":
            ref = attrs.get("r")
            if ref is not None:
                row = position(ref)[0]

    def cell_start(name: str, attrs: dict[str, str]) -> None:
        nonlocal records, depth, child, formula, has_value, value, value_length, value_pieces
        records += 1
        if records > records_room:
            count()
        depth += 1
        if depth == 1:
            child = True
            tag = name if ":" not in name else local(name)
            if tag == "v":
                has_value, value, value_length, value_pieces = True, "", 0, 0
                made.CharacterDataHandler = value_text
            elif tag == "is":
                made.CharacterDataHandler = inline_text
            elif tag == "f":
                formula = True

    def value_text(data: str) -> None:
        nonlocal value, value_length, value_pieces
        value_pieces += 1
        value_length += len(data)
        if len(value) < KEEP:
            value += data[:KEEP]

    def inline_text(data: str) -> None:
        nonlocal inline
        inline += len(data)

    def data_end(name: str) -> None:
        nonlocal row, col, in_cell, depth, cells, chars
        if not in_cell:
            tag = name if ":" not in name else local(name)
            if tag == "row":
                row, col = row + 1, 0
            elif tag == "sheetData":
                made.StartElementHandler, made.EndElementHandler = after, None
            return
        if depth:  # an element inside the cell ends
            depth -= 1
            if not depth:
                made.CharacterDataHandler = None
            return
        in_cell = False  # the cell ends
        made.StartElementHandler = data_start
        col = at_col + 1
        if not child:
            return  # <c r="XFD9"/>: calamine makes no value of an empty cell
        cells += 1
        if cells > cells_room:
            tally.cells += cells
            cells = 0
            tally.cell(0)  # raises KL011
        if at_row >= extent.rows or at_col >= extent.cols:
            extent.reach(at_row + 1, at_col + 1)
        length = text_length(kind, value, value_pieces, value_length, inline, strings)
        if length:
            chars += length
            if chars > chars_room:
                tally.text_chars += chars
                chars = 0
                tally.text(0)  # raises KL011
        found = verdict(kind, formula, has_value, value)
        if found == PENDING:
            pending.add((at_row, at_col))
        elif found is not None:
            errors[(at_row, at_col)] = found

    made.StartElementHandler = outside
    feed(made, stream, part, tally)
    tally.records += records
    tally.cells += cells
    tally.text_chars += chars
    return pending, errors


def screen_ooxml(
    package: Package, tally: Tally, wanted: Callable[[str], bool]
) -> SheetFindings | None:
    """Screen the package as calamine's xlsx reader would read it; None when that reader
    cannot open it (no officeDocument relationship or no workbook relationships)."""
    target = _office_document(package, tally)
    if target is None:
        return None
    folder = target[: target.rfind("/") + 1].removeprefix("/")
    rels_path = f"{folder}_rels/workbook.xml.rels"
    if package.lookup(rels_path) is None:
        return None
    strings = _SharedStrings(tally)
    info = package.lookup(f"{folder}sharedStrings.xml")
    if info is not None:
        with package.open(info) as stream:
            parse(stream, info.filename, tally, strings.start, strings.end, strings.text)
    rels = _relationships(package, rels_path, tally)
    findings = SheetFindings()
    seen_names: set[str] = set()
    seen_parts: set[str] = set()
    for name, rid in _workbook_sheets(package, f"{folder}workbook.xml", tally, findings.names):
        path = _sheet_path(name, rid, rels, folder)
        if name in seen_names:
            raise damaged(f"to ark hedder '{name[:40]}'", f"two sheets are named '{name[:40]}'")
        entry = package.lookup(path)
        key = folded(entry.filename if entry is not None else path)
        if key in seen_parts:
            raise damaged(
                f"to ark peger på samme del {path[:80]}",
                f"two sheets point at the same part {path[:80]}",
            )
        seen_names.add(name)
        seen_parts.add(key)
        if entry is None or not wanted(name):
            continue  # a missing part is the reader's KL001; other sheets it never loads
        pending, errors = _screen_part(package, entry, name, strings.lengths, tally)
        findings.pending[name] = frozenset(pending)
        findings.errors[name] = errors
    return findings


def _screen_part(
    package: Package, entry: ZipInfo, sheet: str, strings: array[int], tally: Tally
) -> tuple[set[Position], dict[Position, str]]:
    """A sheet's part: of the everyday form by `ooxml_plain`, any other element by element. The
    plain screen holds the part at once, so it takes only one within the part limit."""
    room = min(PLAIN_MAX_BYTES, tally.limits.max_part_bytes)
    data = None
    if entry.file_size <= room:
        try:
            with package.open(entry) as stream:
                data = stream.read(room + 1)
        except DAMAGED_ZIP_ERRORS:
            data = None  # the element-by-element screen finds it where it always did
        if data is not None and len(data) <= room:  # not more than its entry declared
            found = screen_plain(data, entry.filename, sheet, strings, tally, _column)
            if found is not None:
                return found
            return _screen_sheet(io.BytesIO(data), entry.filename, sheet, strings, tally)
    with package.open(entry) as stream:
        return _screen_sheet(stream, entry.filename, sheet, strings, tally)


def _sheet_path(name: str, rid: str, rels: dict[str, tuple[str, str]], folder: str) -> str:
    """The part of a sheet, as calamine's `read_workbook` resolves it."""
    if rid not in rels:
        raise damaged(
            f"arket '{name[:40]}' har ingen relation i pakken",
            f"the sheet '{name[:40]}' has no relationship in the package",
        )
    target, kind = rels[rid]
    if kind.rsplit("/", 1)[-1] not in _SHEET_TYPES:
        raise damaged(
            f"arket '{name[:40]}' er af en ukendt type",
            f"the sheet '{name[:40]}' is of an unknown type",
        )
    return target[1:] if target.startswith("/") else f"{folder}{target}"
