"""The screen of an OOXML package (xlsx/xlsm), and what python-calamine does not tell about it:
which formula cells have no stored result and which hold an error value (calamine reads both
as empty).

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
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from klyngecli.reader.limits import Extent, Tally, damaged
from klyngecli.reader.package import Package, folded
from klyngecli.reader.xmlscan import local, parse

Position = tuple[int, int]

_REF = re.compile(r"([A-Za-z]*)([0-9]+)")
_FAR = 1 << 40  # a row or column past anything calamine's u32 can hold
_TEXT_TYPES = ("str", "inlineStr")
_SHEET_TYPES = ("worksheet", "chartsheet", "dialogsheet")


@dataclass
class SheetFindings:
    """What the reader needs from the screen about the sheets it loads, by sheet name."""

    pending: dict[str, frozenset[Position]] = field(default_factory=dict)
    errors: dict[str, dict[Position, str]] = field(default_factory=dict)


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
    if len(letters) > 8:
        return _FAR
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col - 1


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


def _workbook_sheets(package: Package, path: str, tally: Tally) -> list[tuple[str, str]]:
    """(name, relationship id) of each `<sheet>` of workbook.xml, in order."""
    info = package.lookup(path)
    sheets: list[tuple[str, str]] = []
    if info is None:
        return sheets

    def start(name: str, attrs: dict[str, str]) -> None:
        if local(name) != "sheet":
            return
        rid = ""
        for key, value in attrs.items():
            if local(key) == "id":
                rid = value
        sheets.append((attrs.get("name", ""), rid))
        tally.sheets(len(sheets))

    with package.open(info) as stream:
        parse(stream, info.filename, tally, start)
    return sheets


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


@dataclass(slots=True)
class _Cell:
    row: int
    col: int
    kind: str | None  # the `t` attribute
    child: bool = False  # an element inside: calamine may make a value of it
    formula: bool = False
    value: str | None = None  # the text of <v>, up to _KEEP characters
    value_length: int = 0
    value_pieces: int = 0
    inline: int = 0  # characters inside <is>


_KEEP = 64


class _Sheet:
    """One worksheet part, cell by cell as calamine's `XlsxCellReader.next_cell` walks it."""

    def __init__(self, name: str, strings: array[int], tally: Tally) -> None:
        self.tally = tally
        self.extent = Extent(tally, name)
        self.strings = strings
        self.in_data = False
        self.done = False
        self.row = self.col = 0
        self.cell: _Cell | None = None
        self.depth = 0  # elements open inside the current cell
        self.capture: str | None = None  # "v" or "is" while their text is read
        self.pending: set[Position] = set()
        self.errors: dict[Position, str] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        cell = self.cell
        if cell is not None:
            self.depth += 1
            if self.depth == 1:
                cell.child = True
                if tag == "v":
                    cell.value, cell.value_length, cell.value_pieces = "", 0, 0
                    self.capture = "v"
                elif tag == "is":
                    self.capture = "is"
                elif tag == "f":
                    cell.formula = True
            return
        if not self.in_data:
            if tag == "sheetData" and not self.done:
                self.in_data = True
            return
        if tag == "row":
            if "r" in attrs:
                self.row = position(attrs["r"])[0]
        elif tag == "c":
            if "r" in attrs:
                row, col = position(attrs["r"])
                if col is None:
                    raise damaged(
                        f"cellen '{attrs['r'][:20]}' har ingen kolonne",
                        f"the cell '{attrs['r'][:20]}' has no column",
                    )
                self.col = col
            else:
                row, col = self.row, self.col
            self.cell, self.depth = _Cell(row, col, attrs.get("t")), 0

    def end(self, name: str) -> None:
        cell = self.cell
        if cell is not None:
            if self.depth == 0:
                self._finish(cell)
                self.cell = None
            else:
                self.depth -= 1
                if self.depth == 0:
                    self.capture = None
            return
        if self.in_data:
            tag = local(name)
            if tag == "row":
                self.row, self.col = self.row + 1, 0
            elif tag == "sheetData":
                self.in_data, self.done = False, True

    def text(self, data: str) -> None:
        cell = self.cell
        if cell is None or self.capture is None:
            return
        if self.capture == "is":
            cell.inline += len(data)
            return
        cell.value_pieces += 1
        cell.value_length += len(data)
        if cell.value is not None and len(cell.value) < _KEEP:
            cell.value += data[:_KEEP]

    def _finish(self, cell: _Cell) -> None:
        self.col = cell.col + 1
        if not cell.child:
            return  # <c r="XFD9"/>: calamine makes no value of an empty cell
        self.tally.cell()
        extent = self.extent
        if cell.row >= extent.rows or cell.col >= extent.cols:
            extent.reach(cell.row + 1, cell.col + 1)
        if length := self._text_length(cell):
            self.tally.text(length)
        where = (cell.row, cell.col)
        text = cell.value or ""
        if cell.kind == "e":
            self.errors[where] = text.strip() or "#ERROR"
        elif cell.formula and (
            cell.value is None or (not text.strip() and cell.kind not in _TEXT_TYPES)
        ):
            self.pending.add(where)
        elif cell.kind in (None, "n") and text.lower().lstrip("+-") == "nan":
            # calamine reads NaN as a number (a date 1899-12-30 under a date format): KL006
            # (workbook-format.md, decided item 17).
            self.errors[where] = "NaN"

    def _text_length(self, cell: _Cell) -> int:
        """The characters calamine would give this cell: its own text, or the shared string it
        refers to (each reference is a copy)."""
        if cell.kind != "s":
            return cell.inline + cell.value_length
        if not cell.value_pieces:
            return 0
        text = cell.value or ""
        whole = cell.value_pieces == 1 and len(text) == cell.value_length
        if whole and text.isascii() and text.isdigit() and int(text[:21]) < 1 << 64:
            candidates = [int(text)]  # calamine's atoi of the index
        else:
            # calamine parses only the first text run of <v> (up to a character reference or a
            # comment), and reads what it cannot parse as 0: 0 or any leading digits.
            text = text.removeprefix("+")
            digits = len(text) - len(text.lstrip("0123456789"))
            candidates = [0, *(int(text[:k]) for k in range(1, min(digits, 20) + 1))]
        strings = self.strings
        return max((strings[i] for i in candidates if i < len(strings)), default=0)


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
    for name, rid in _workbook_sheets(package, f"{folder}workbook.xml", tally):
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
        sheet = _Sheet(name, strings.lengths, tally)
        with package.open(entry) as stream:
            parse(stream, entry.filename, tally, sheet.start, sheet.end, sheet.text)
        findings.pending[name] = frozenset(sheet.pending)
        findings.errors[name] = sheet.errors
    return findings


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
