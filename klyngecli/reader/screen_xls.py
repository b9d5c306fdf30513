"""The screen of an xls workbook stream (BIFF5/BIFF8 in OLE2), read as python-calamine 0.37's
xls.rs reads it when the workbook is opened: every sheet is built then, so every sheet counts.

Records are `[type u16][size u16][data]`, a record's CONTINUE records joined to it. Counted
against the limits (KL011): sheets, the shared string table (SST), each sheet's DIMENSIONS record
(calamine reserves rows × columns for it), the cells (row and column of each cell record) and
their extent, the text they hold (a LabelSst cell counts its shared string again), and the
CONTINUE records after one record (calamine takes them one by one from the front of a list,
which is quadratic). Refused (KL001): a record that runs past the stream, a record shorter
than the fields calamine reads from it, two sheets of the same name or at the same offset, a
sheet offset past the stream. The screen stops at a FILEPASS record among the globals: the
container check finds it there too and answers KL002. Error values and NaN numbers are
returned by cell, as for xlsx: calamine reads the first as blank and a NaN under a date format
as 1899-12-30. The workbook-wide NAME records the template writes (`names`) that point at one
rectangle of one sheet (BIFF8 PtgRef3d/PtgArea3d through EXTERNSHEET) are kept for the reader;
python-calamine does not expose defined names.
"""

from __future__ import annotations

import math
import struct
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from klyngecli.reader.limits import Extent, Tally, damaged, over
from klyngecli.reader.names import NamedRange, known

Position = tuple[int, int]

_CONTINUE = 0x003C
_EOF = 0x000A
_BOF = 0x0809
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
# Cell records and the fewest bytes calamine reads from each (MS-XLS 2.4).
_NUMBER, _LABEL, _RSTRING, _BOOLERR, _STRING, _RK, _LABELSST, _MULRK, _FORMULA = (
    0x0203,
    0x0204,
    0x00D6,
    0x0205,
    0x0207,
    0x027E,
    0x00FD,
    0x00BD,
    0x0006,
)
_MINIMUM = {
    _NUMBER: 14,
    _LABEL: 6,
    _RSTRING: 6,
    _BOOLERR: 8,
    _RK: 10,
    _LABELSST: 10,
    _MULRK: 6,
    _FORMULA: 20,
}


@dataclass(slots=True)
class _Record:
    kind: int
    data: memoryview
    continues: list[memoryview]


@dataclass
class XlsFindings:
    errors: dict[str, dict[Position, str]] = field(default_factory=dict)
    names: dict[str, NamedRange] = field(default_factory=dict)  # `names.known` key → range


_DefinedName = tuple[str, int, tuple[int, int, int, int]]


def _defined_name(data: memoryview) -> _DefinedName | None:
    """A workbook-wide, user-defined BIFF8 NAME record that the reader knows and that refers
    to one cell or one rectangle: (key, XTI index, (row1, col1, row2, col2))."""
    if len(data) < 15:
        return None
    flags, cch, cce, itab = struct.unpack_from("<HxBH2xH", data)
    if flags & 0x0020 or itab:  # built-in (print area, filter) or local to one sheet
        return None
    wide = data[14] & 0x1
    start = 15 + cch * (2 if wide else 1)
    raw = bytes(data[15:start])
    key = known(raw.decode("utf-16-le" if wide else "latin-1", "replace"))
    formula = data[start : start + cce]
    if key is None or len(formula) != cce or not cce:
        return None
    ptg = formula[0] & 0x1F | 0x20  # the token whatever its class (reference, value, array)
    if ptg == 0x3A and cce == 7:
        ixti, row, col = struct.unpack_from("<HHH", formula, 1)
        return key, ixti, (row, col & 0x3FFF, row, col & 0x3FFF)
    if ptg == 0x3B and cce == 11:
        ixti, r1, r2, c1, c2 = struct.unpack_from("<HHHHH", formula, 1)
        return key, ixti, (r1, c1 & 0x3FFF, r2, c2 & 0x3FFF)
    return None


def _names(
    records: list[_DefinedName], xti: memoryview | None, sheets: list[str]
) -> dict[str, NamedRange]:
    """The names whose XTI entry is one sheet of this workbook."""
    found: dict[str, NamedRange] = {}
    count = struct.unpack_from("<H", xti)[0] if xti is not None and len(xti) >= 2 else 0
    for key, ixti, (r1, c1, r2, c2) in records:
        if key in found or ixti >= count or len(xti or b"") < 8 + 6 * ixti:
            continue
        first, last = struct.unpack_from("<HH", xti or b"", 4 + 6 * ixti)
        if first == last < len(sheets):
            found[key] = NamedRange(
                sheets[first], min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)
            )
    return found


def _short(what: str) -> Exception:
    return damaged(
        f"en {what}-post i arbejdsbogen er for kort",
        f"a {what} record of the workbook is too short",
    )


def _records(stream: memoryview, tally: Tally) -> Iterator[_Record]:
    """calamine's `RecordIter`: CONTINUE records that follow a record are joined to it."""
    offset, end = 0, len(stream)
    limit = tally.limits.max_records
    while offset < end:
        if end - offset < 4:
            raise damaged("arbejdsbogens sidste post er afbrudt", "the last record is cut short")
        kind, size = struct.unpack_from("<HH", stream, offset)
        if end - offset < size + 4:
            raise damaged(
                "en post går ud over arbejdsbogens slutning",
                "a record runs past the end of the workbook stream",
            )
        data = stream[offset + 4 : offset + 4 + size]
        offset += 4 + size
        tally.records += 1
        if tally.records > limit:
            tally.record(0)  # raises KL011
        continues: list[memoryview] = []
        while end - offset > 4 and stream[offset] == _CONTINUE and stream[offset + 1] == 0:
            size = struct.unpack_from("<H", stream, offset + 2)[0]
            if end - offset < size + 4:
                raise damaged(
                    "en CONTINUE-post går ud over arbejdsbogens slutning",
                    "a CONTINUE record runs past the end of the workbook stream",
                )
            continues.append(stream[offset + 4 : offset + 4 + size])
            offset += 4 + size
            tally.record()
            if len(continues) > tally.limits.max_continue_records:
                raise over(
                    "antal CONTINUE-poster efter én post",
                    "the number of CONTINUE records after one record",
                    len(continues),
                    tally.limits.max_continue_records,
                )
        yield _Record(kind, data, continues)


class _Reader:
    """A record's bytes with its CONTINUE records, read as calamine's `Record` reads them."""

    def __init__(self, record: _Record) -> None:
        self.data = record.data
        self.continues = record.continues
        self.next = 0

    def more(self) -> bool:
        if self.next >= len(self.continues):
            return False
        self.data = self.continues[self.next]
        self.next += 1
        return True

    def take(self, n: int) -> memoryview:
        if len(self.data) < n:
            raise _short("SST")
        head, self.data = self.data[:n], self.data[n:]
        return head

    def skip(self, n: int) -> None:
        while n > 0:
            if not self.data and not self.more():
                raise _short("SST")
            step = min(n, len(self.data))
            self.data = self.data[step:]
            n -= step


def _sst(record: _Record, tally: Tally) -> array[int]:
    """The length of each shared string, walking the SST as calamine's `parse_sst` does."""
    reader = _Reader(record)
    reader.take(8)
    lengths = array("q")
    while reader.data or reader.more():
        if not reader.data:
            lengths.append(0)  # an empty CONTINUE record: calamine reads an empty string
            tally.shared_string()
            continue
        if len(reader.data) < 3:
            raise _short("SST")
        cch, flags = struct.unpack("<HB", reader.take(3))
        runs = struct.unpack("<H", reader.take(2))[0] if flags & 0x8 else 0
        ext = struct.unpack("<i", reader.take(4))[0] if flags & 0x4 else 0
        wide, left = bool(flags & 0x1), cch
        while left > 0:
            got = min(len(reader.data) // 2 if wide else len(reader.data), left)
            reader.data = reader.data[got * 2 if wide else got :]
            left -= got
            if left > 0:
                if not reader.more() or not reader.data:
                    raise _short("SST")
                wide, reader.data = bool(reader.data[0] & 0x1), reader.data[1:]
        reader.skip(runs * 4)
        reader.skip(ext if ext >= 0 else 1 << 64)
        lengths.append(cch)
        tally.shared_string()
        tally.text(cch)
    return lengths


def _string_length(data: memoryview, biff8: bool) -> int:
    """The characters of an XLUnicodeString (calamine's `parse_string`)."""
    header = 3 if biff8 else 2
    if len(data) < header:
        if len(data) == 2 and data.tobytes() == b"\0\0":
            return 0
        raise _short("XLUnicodeString")
    cch = struct.unpack_from("<H", data)[0]
    room = len(data) - header
    return int(min(cch, room // 2 if biff8 and data[2] & 0x1 else room))


def _sheet_name(data: memoryview, biff8: bool) -> str:
    """The name of a BoundSheet8 record (calamine's `parse_short_string`)."""
    if len(data) < 6 or (len(data) < 8 if biff8 else len(data) < 7):
        raise _short("BoundSheet")
    if data[4] & 0x3F not in (0, 1, 2) or data[5] not in (0, 1, 2, 6):
        raise damaged("et ark er af en ukendt type", "a sheet is of an unknown type")
    cch, rest = data[6], data[7:]
    if biff8:
        wide, rest = bool(rest[0] & 0x1), rest[1:]
        if wide:
            return bytes(rest[: 2 * cch]).decode("utf-16-le", "replace").replace("\0", "")
    return bytes(rest[:cch]).decode("latin-1").replace("\0", "")


def _nan(raw: memoryview | bytes) -> bool:
    return math.isnan(struct.unpack("<d", raw)[0])


def _rk_nan(rk: memoryview) -> bool:
    """An RK value (MS-XLS 2.5.217) that is a NaN double."""
    if rk[0] & 0x2:
        return False
    return _nan(b"\0\0\0\0" + bytes([rk[0] & 0xFC]) + bytes(rk[1:4]))


class _Sheet:
    """One sheet's substream, as calamine's `parse_workbook` builds its range."""

    def __init__(self, name: str, strings: array[int], tally: Tally, biff8: bool) -> None:
        self.name, self.strings, self.tally, self.biff8 = name, strings, tally, biff8
        self.extent = Extent(tally, name)
        self.errors: dict[Position, str] = {}
        self.formula_at: Position = (0, 0)

    def screen(self, stream: memoryview) -> None:
        seen_bof, depth = False, 0
        for record in _records(stream, self.tally):
            kind, data = record.kind, record.data
            if depth:
                depth += 1 if kind == _BOF else -1 if kind == _EOF else 0
                continue
            if kind == _BOF:
                depth, seen_bof = (1, True) if seen_bof else (0, True)
            elif kind == _EOF:
                return
            elif kind == 0x0200:
                self._dimensions(data)
            elif kind == 0x00E5:
                count = struct.unpack_from("<H", data)[0] if len(data) >= 2 else -1
                if count < 0 or len(data) < 2 + 8 * count:
                    raise _short("MergeCells")
            elif kind in _MINIMUM or kind == _STRING:
                self._cell(kind, data)

    def _dimensions(self, data: memoryview) -> None:
        if len(data) == 10:
            rf, rl, cf, cl = struct.unpack_from("<HHHH", data)
        elif len(data) == 14:
            rf, rl, cf, cl = struct.unpack_from("<IIHH", data)
        else:
            raise _short("DIMENSIONS")
        if cf > 0xFF or cl < cf:
            cf = 0
        end_row, end_col = (rl - 1, cl - 1) if rl >= 1 and cl >= 1 else (rf, cf)
        rows, cols = (end_row - rf + 1) % (1 << 32), (end_col - cf + 1) % (1 << 32)
        if rows * cols > self.tally.limits.max_sheet_cells:
            raise over(
                f"antal celler, som arket {self.name}s DIMENSIONS-post reserverer",
                f"the number of cells the DIMENSIONS record of sheet {self.name} reserves",
                rows * cols,
                self.tally.limits.max_sheet_cells,
            )

    def _cell(self, kind: int, data: memoryview) -> None:
        if len(data) < _MINIMUM.get(kind, 0):
            raise _short(f"0x{kind:04X}")
        if kind == _STRING:
            row, col = self.formula_at
            self._value(row, col, _string_length(data, self.biff8))
            return
        row, col = struct.unpack_from("<HH", data)
        if kind == _MULRK:
            last = struct.unpack_from("<H", data, len(data) - 2)[0]
            count = (last - col + 1) % (1 << 16)
            if len(data) != 6 + 6 * count:
                raise _short("MulRk")
            for k in range(count):
                self._value(row, col + k)
                if _rk_nan(data[6 + 6 * k : 10 + 6 * k]):
                    self.errors[(row, col + k)] = "NaN"
            return
        text = 0
        if kind in (_LABEL, _RSTRING):
            text = _string_length(data[6:], self.biff8)
        elif kind == _LABELSST:
            index = struct.unpack_from("<I", data, 6)[0]
            if index >= len(self.strings):
                return  # calamine skips a reference past the table
            text = self.strings[index]
        elif (kind == _NUMBER and _nan(data[6:14])) or (kind == _RK and _rk_nan(data[6:10])):
            self.errors[(row, col)] = "NaN"
        elif kind == _BOOLERR and data[7] == 1:
            self.errors[(row, col)] = _ERRORS.get(data[6], "#ERROR")
        elif kind == _FORMULA:
            self.formula_at = (row, col)
            self._formula_result(row, col, data[6:14])
        self._value(row, col, text)

    def _formula_result(self, row: int, col: int, result: memoryview) -> None:
        if result[6:8].tobytes() == b"\xff\xff":
            if result[0] == 2:
                self.errors[(row, col)] = _ERRORS.get(result[2], "#ERROR")
        elif _nan(result):
            self.errors[(row, col)] = "NaN"

    def _value(self, row: int, col: int, text: int = 0) -> None:
        self.tally.cell()
        if text:
            self.tally.text(text)
        extent = self.extent
        if row >= extent.rows or col >= extent.cols:
            extent.reach(row + 1, col + 1)


def screen_xls(stream: bytes, tally: Tally) -> XlsFindings:
    """Screen the workbook stream; the error values and NaN numbers of each sheet."""
    tally.part_bytes("Workbook", len(stream))
    view = memoryview(stream)
    sheets: list[tuple[int, str]] = []
    strings = array("q")
    biff8 = True
    defined: list[_DefinedName] = []
    xti: memoryview | None = None  # the EXTERNSHEET record
    for record in _records(view, tally):
        kind, data = record.kind, record.data
        if kind == 0x002F:
            return XlsFindings()  # protected or obfuscated: the container check says KL002
        elif kind == _BOF:
            if len(data) < 2:
                raise _short("BOF")
            version = struct.unpack_from("<H", data)[0]
            dt = struct.unpack_from("<H", data, 2)[0] if len(data) >= 4 else 0
            biff8 = version not in (0x0200, 0x0002, 0x0007, 0x0300, 0x0400, 0x0500) and not (
                version == 0 and dt == 0x1000
            )
        elif kind == 0x0085:
            name = _sheet_name(data, biff8)
            sheets.append((struct.unpack_from("<I", data)[0], name))
            tally.sheets(len(sheets))
        elif kind == 0x00FC:
            strings = _sst(record, tally)
        elif kind == 0x0017 and biff8:
            xti = data
        elif kind == 0x0018 and biff8 and (entry := _defined_name(data)) is not None:
            defined.append(entry)
        elif kind == _EOF:
            break
    findings = XlsFindings(names=_names(defined, xti, [name for _, name in sheets]))
    names, offsets = set(), set()
    for offset, name in sheets:
        if name in names or offset in offsets:
            raise damaged(
                f"to ark hedder '{name[:40]}' eller begynder samme sted",
                f"two sheets are named '{name[:40]}' or start at the same place",
            )
        if offset > len(stream):
            raise damaged(
                f"arket '{name[:40]}' begynder efter arbejdsbogens slutning",
                f"the sheet '{name[:40]}' starts after the end of the workbook stream",
            )
        names.add(name)
        offsets.add(offset)
        sheet = _Sheet(name, strings, tally, biff8)
        sheet.screen(view[offset:])
        findings.errors[name] = sheet.errors
    return findings
