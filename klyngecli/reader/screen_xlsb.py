"""The screen of an xlsb package, read as python-calamine 0.37's xlsb reader reads it: the shared
strings (`xl/sharedStrings.bin`) and the sheets of `xl/workbook.bin` when the workbook is opened,
a sheet's part when it is loaded. (`xl/styles.bin` only decides which numbers are dates; calamine
walks it in linear time, partly byte by byte, so it is left to the zip limits.)

Records are `[type: 1-2 bytes][size: 1-4 bytes][data]` (MS-XLSB 2.1.4). calamine reads each
record into a buffer it never clears and takes fields from it past the record's end, so a record
shorter than its fields is read from the bytes of an earlier one. Refused (KL001): a record that
runs past the end of its part, a record shorter than the fields calamine reads from it, a sheet
whose relationship is missing, two sheets of the same name or part, a shared string index past
the table. Counted against the limits (KL011): the sheets, the shared strings (the count
BrtBeginSst declares is what calamine reads up to) and their text, and in the sheets the reader
loads the cells (the row of BrtRowHdr, the column of each BrtCell* record), their extent and
the text they hold. BrtWsDim is checked for its size only: calamine reserves room for it only
when it is under 100,000 cells, so the cells, not the dimension, decide the extent.
"""

from __future__ import annotations

import math
import struct
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from klyngecli.reader.limits import Extent, Tally, damaged
from klyngecli.reader.package import Package, folded
from klyngecli.reader.xmlscan import local, parse

Position = tuple[int, int]

_CHUNK = 1 << 20
_MAX_ROW = 0x0010_0000  # calamine stops a sheet at a BrtRowHdr past this row
_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
# Cell records (MS-XLSB 2.4) and the fewest bytes calamine reads from each.
_CELL_MINIMUM = {
    0x02: 12,  # BrtCellRk
    0x03: 9,  # BrtCellError
    0x04: 9,  # BrtCellBool
    0x05: 16,  # BrtCellReal
    0x06: 12,  # BrtCellSt
    0x07: 12,  # BrtCellIsst
    0x08: 12,  # BrtFmlaString
    0x09: 16,  # BrtFmlaNum
    0x0A: 9,  # BrtFmlaBool
}
_FORMULA_ERROR = 0x0B  # BrtFmlaError: calamine reads it as blank; we report its error value
_SKIPPED_BLOCKS = {0x0085: 0x0086, 0x0025: 0x0026, 0x0186: 0x0187}


def _short(what: str) -> Exception:
    return damaged(
        f"en {what}-post i xlsb-pakken er for kort",
        f"a {what} record of the xlsb package is too short",
    )


class _Records:
    """The records of one part, read from its zip stream chunk by chunk."""

    def __init__(self, stream: IO[bytes], part: str, tally: Tally) -> None:
        self.stream, self.part, self.tally = stream, part, tally
        self.buffer = b""
        self.pos = 0
        self.read_bytes = 0

    def _have(self, n: int) -> bool:
        while len(self.buffer) - self.pos < n:
            chunk = self.stream.read(max(_CHUNK, n))
            if not chunk:
                return False
            self.read_bytes += len(chunk)
            self.tally.part_bytes(self.part, self.read_bytes)
            self.buffer = self.buffer[self.pos :] + chunk
            self.pos = 0
        return True

    def _byte(self) -> int:
        if not self._have(1):
            raise damaged(
                f"en post i {self.part} er afbrudt", f"a record of {self.part} is cut short"
            )
        self.pos += 1
        return self.buffer[self.pos - 1]

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        """(type, data) of each record, as calamine's `RecordIter` reads them."""
        while self._have(1):
            self.tally.record()
            first = self._byte()
            kind = first
            if first & 0x80:
                kind = (first & 0x7F) + ((self._byte() & 0x7F) << 7)
            byte = self._byte()
            size = byte & 0x7F
            for i in range(1, 4):
                if not byte & 0x80:
                    break
                byte = self._byte()
                size += (byte & 0x7F) << (7 * i)
            if not self._have(size):
                raise damaged(
                    f"en post går ud over slutningen af {self.part}",
                    f"a record runs past the end of {self.part}",
                )
            self.pos += size
            yield kind, self.buffer[self.pos - size : self.pos]


def _wide_text(data: bytes, offset: int, what: str) -> int:
    """The characters of an XLWideString at `offset`, which must lie inside the record."""
    if len(data) < offset + 4:
        raise _short(what)
    cch = struct.unpack_from("<I", data, offset)[0]
    if len(data) < offset + 4 + 2 * cch:
        raise _short(what)
    return int(cch)


def _open(package: Package, path: str) -> tuple[IO[bytes], str] | None:
    info = package.lookup(path)
    return (package.open(info), info.filename) if info is not None else None


def _shared_strings(package: Package, tally: Tally) -> array[int]:
    lengths = array("q")
    opened = _open(package, "xl/sharedStrings.bin")
    if opened is None:
        return lengths
    stream, part = opened
    with stream:
        records = iter(_Records(stream, part, tally))
        count = None
        for kind, data in records:
            if kind == 0x009F:  # BrtBeginSst: cstTotal, cstUnique
                if len(data) < 8:
                    raise _short("BrtBeginSst")
                count = struct.unpack_from("<I", data, 4)[0]
                tally.strings_declared(count)
                break
        if count is None:
            return lengths
        future = False
        for kind, data in records:
            if len(lengths) >= count:
                break
            if future:
                future = kind != 0x0024
            elif kind == 0x0023:
                future = True
            elif kind == 0x0013:  # BrtSSTItem: flags, then the string
                cch = _wide_text(data, 1, "BrtSSTItem")
                lengths.append(cch)
                tally.shared_string()
                tally.text(cch)
    return lengths


def _relationships(package: Package, tally: Tally) -> dict[str, str]:
    info = package.exact("xl/_rels/workbook.bin.rels")  # calamine opens it by its exact name
    rels: dict[str, str] = {}
    if info is None:
        return rels

    def start(name: str, attrs: dict[str, str]) -> None:
        if local(name) == "Relationship" and "Id" in attrs and "Target" in attrs:
            rels[attrs["Id"]] = attrs["Target"]

    with package.open(info) as stream:
        parse(stream, info.filename, tally, start)
    return rels


def _workbook(package: Package, tally: Tally, rels: dict[str, str]) -> list[tuple[str, str]]:
    """(name, part) of each sheet of workbook.bin (BrtBundleSh), as calamine resolves them."""
    opened = _open(package, "xl/workbook.bin")
    assert opened is not None
    stream, part = opened
    sheets: list[tuple[str, str]] = []
    with stream:
        for kind, data in _Records(stream, part, tally):
            if kind == 0x0090:  # BrtEndBundleShs
                break
            if kind == 0x0099 and not data:
                raise _short("BrtWbProp")
            if kind != 0x009C:
                continue
            if len(data) < 12:
                raise _short("BrtBundleSh")
            state, _, rel_len = struct.unpack_from("<III", data)
            if rel_len == 0xFFFF_FFFF:
                continue
            if len(data) < 12 + 2 * rel_len:
                raise _short("BrtBundleSh")
            rid = data[12 : 12 + 2 * rel_len].decode("utf-16-le", "replace")
            if rid not in rels:
                raise damaged("et ark har ingen relation i pakken", "a sheet has no relationship")
            path = f"xl/{rels[rid]}"
            name_at = 12 + 2 * rel_len
            cch = _wide_text(data, name_at, "BrtBundleSh")
            name = data[name_at + 4 : name_at + 4 + 2 * cch].decode("utf-16-le", "replace")
            if state > 2 or path.split("/")[1:2] not in (
                ["worksheets"],
                ["chartsheets"],
                ["dialogsheets"],
            ):
                raise damaged("et ark er af en ukendt type", "a sheet is of an unknown type")
            sheets.append((name, path))
            tally.sheets(len(sheets))
    return sheets


@dataclass
class XlsbFindings:
    errors: dict[str, dict[Position, str]] = field(default_factory=dict)


class _Sheet:
    """One sheet part, as calamine's `XlsbCellsReader` walks it."""

    def __init__(self, name: str, strings: array[int], tally: Tally) -> None:
        self.name, self.strings, self.tally = name, strings, tally
        self.extent = Extent(tally, name)
        self.errors: dict[Position, str] = {}

    def screen(self, records: Iterator[tuple[int, bytes]]) -> None:
        for kind, data in records:  # up to the dimension: BrtWsDim
            if kind == 0x0094:
                if len(data) < 16:
                    raise _short("BrtWsDim")
                break
        end = None
        for kind, _ in records:  # up to the cells: BrtBeginSheetData
            if end is not None:
                end = None if kind == end else end
            elif kind == 0x0091:
                break
            else:
                end = _SKIPPED_BLOCKS.get(kind)
        row = 0
        for kind, data in records:
            if kind == 0x0092:  # BrtEndSheetData
                return
            if kind == 0x0000:  # BrtRowHdr
                if len(data) < 4:
                    raise _short("BrtRowHdr")
                row = struct.unpack_from("<I", data)[0]
                if row > _MAX_ROW:
                    return
            elif kind in _CELL_MINIMUM:
                self._cell(kind, data, row)
            elif kind == _FORMULA_ERROR:
                if len(data) < 9:
                    raise _short("BrtFmlaError")
                col = struct.unpack_from("<I", data)[0]
                self.errors[(row, col)] = _ERRORS.get(data[8], "#ERROR")

    def _cell(self, kind: int, data: bytes, row: int) -> None:
        if len(data) < _CELL_MINIMUM[kind]:
            raise _short(f"0x{kind:02X}")
        col = struct.unpack_from("<I", data)[0]
        text = 0
        if kind in (0x06, 0x08):  # BrtCellSt, BrtFmlaString
            text = _wide_text(data, 8, f"0x{kind:02X}")
        elif kind == 0x07:  # BrtCellIsst
            index = struct.unpack_from("<I", data, 8)[0]
            if index >= len(self.strings):
                raise damaged(
                    "en celle henviser til en delt tekst, der ikke findes",
                    "a cell refers to a shared string that does not exist",
                )
            text = self.strings[index]
        elif kind == 0x03:
            self.errors[(row, col)] = _ERRORS.get(data[8], "#ERROR")
        elif kind in (0x05, 0x09) and math.isnan(struct.unpack_from("<d", data, 8)[0]):
            self.errors[(row, col)] = "NaN"
        elif kind == 0x02 and not data[8] & 0x2:
            raw = b"\0\0\0\0" + bytes([data[8] & 0xFC]) + data[9:12]
            if math.isnan(struct.unpack("<d", raw)[0]):
                self.errors[(row, col)] = "NaN"
        self.tally.cell()
        self.tally.text(text)
        self.extent.reach(row + 1, col + 1)


def screen_xlsb(
    package: Package, tally: Tally, wanted: Callable[[str], bool]
) -> XlsbFindings | None:
    """Screen the package as calamine's xlsb reader would read it; None when it is no xlsb."""
    if package.lookup("xl/workbook.bin") is None:
        return None
    strings = _shared_strings(package, tally)
    sheets = _workbook(package, tally, _relationships(package, tally))
    findings = XlsbFindings()
    names: set[str] = set()
    parts: set[str] = set()
    for name, path in sheets:
        if name in names or folded(path) in parts:
            raise damaged(
                f"to ark hedder '{name[:40]}' eller peger på samme del",
                f"two sheets are named '{name[:40]}' or point at the same part",
            )
        names.add(name)
        parts.add(folded(path))
        opened = _open(package, path)
        if opened is None or not wanted(name):
            continue
        stream, part = opened
        with stream:
            sheet = _Sheet(name, strings, tally)
            sheet.screen(iter(_Records(stream, part, tally)))
        findings.errors[name] = sheet.errors
    return findings
