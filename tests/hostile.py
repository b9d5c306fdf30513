"""Minimal xlsx, ods, xlsb and xls writers whose parts a test can bend: far cells, amplified
strings, loops in a sector table. Each file is built at test time, a few KB at most."""

from __future__ import annotations

import struct
import warnings
import zipfile
from pathlib import Path

Parts = list[tuple[str, bytes]]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def write_zip(path: Path, parts: Parts, method: int = zipfile.ZIP_DEFLATED) -> Path:
    """The parts in this order; a name may occur twice (zipfile warns, and writes both)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(path, "w", method) as archive:
            for name, data in parts:
                archive.writestr(name, data)
    return path


# --- xlsx -------------------------------------------------------------------------------------


def worksheet(rows: str) -> bytes:
    return f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()


def shared_strings(texts: list[str], declared: int | None = None) -> bytes:
    count = len(texts) if declared is None else declared
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    return f'<sst xmlns="{MAIN}" uniqueCount="{count}">{items}</sst>'.encode()


def workbook_xml(names: list[str], head: str = "") -> bytes:
    sheets = "".join(
        f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1)
    )
    return (
        f'{head}<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>{sheets}</sheets></workbook>'
    ).encode()


def workbook_rels(targets: list[str], head: str = "") -> bytes:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{DOC_RELS}/worksheet" Target="{t}"/>'
        for i, t in enumerate(targets, 1)
    )
    return f'{head}<Relationships xmlns="{PKG_RELS}">{rels}</Relationships>'.encode()


def xlsx(
    sheets: dict[str, bytes],
    strings: bytes | None = None,
    *,
    workbook: bytes | None = None,
    rels: bytes | None = None,
) -> Parts:
    """A package calamine opens: one worksheet part per sheet, in order."""
    names = list(sheets)
    targets = [f"worksheets/sheet{i}.xml" for i in range(1, len(names) + 1)]
    package_rels = (
        f'<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" '
        f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ).encode()
    parts: Parts = [
        ("[Content_Types].xml", b"<Types/>"),
        ("_rels/.rels", package_rels),
        ("xl/workbook.xml", workbook or workbook_xml(names)),
        ("xl/_rels/workbook.xml.rels", rels or workbook_rels(targets)),
    ]
    if strings is not None:
        parts.append(("xl/sharedStrings.xml", strings))
    parts += [(f"xl/{t}", sheets[n]) for t, n in zip(targets, names, strict=True)]
    return parts


# --- ods --------------------------------------------------------------------------------------

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def ods(tables: str) -> Parts:
    """A package calamine's ods reader opens; `tables` is the `office:spreadsheet` body."""
    manifest = (
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        b'<manifest:file-entry manifest:full-path="/" manifest:media-type="'
        + ODS_MIME
        + b'"/></manifest:manifest>'
    )
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    ).encode()
    return [("mimetype", ODS_MIME), ("META-INF/manifest.xml", manifest), ("content.xml", content)]


# --- xlsb -------------------------------------------------------------------------------------


def brt(kind: int, data: bytes = b"") -> bytes:
    """One xlsb record: type and size as 7-bit groups, then the data (MS-XLSB 2.1.4)."""
    head = bytes([kind]) if kind < 0x80 else bytes([kind & 0x7F | 0x80, kind >> 7])
    size, length = len(data), bytearray()
    while True:
        length.append(size & 0x7F | (0x80 if size > 0x7F else 0))
        size >>= 7
        if not size:
            break
    return head + bytes(length) + data


def wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def xlsb_sheet(cells: bytes, rows: int = 1, cols: int = 1) -> bytes:
    """BrtBeginSheet, BrtWsDim, BrtBeginSheetData, the cell records, BrtEndSheetData."""
    dimension = struct.pack("<IIII", 0, rows - 1, 0, cols - 1)
    return brt(0x81) + brt(0x94, dimension) + brt(0x91) + cells + brt(0x92) + brt(0x82)


def row_header(row: int) -> bytes:
    return brt(0x00, struct.pack("<I", row) + bytes(13))


def real_cell(col: int, value: float) -> bytes:
    """BrtCellReal: column, style (3 bytes), flags, the double."""
    return brt(0x05, struct.pack("<I", col) + bytes(4) + struct.pack("<d", value))


def xlsb(sheet: bytes, strings: bytes | None = None, name: str = "Budget") -> Parts:
    workbook = (
        brt(0x83)
        + brt(0x8F)
        + brt(0x9C, struct.pack("<II", 0, 1) + wide("rId1") + wide(name))
        + brt(0x90)
        + brt(0x9D, bytes(26))
        + brt(0x84)
    )
    rels = (
        f'<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" '
        f'Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.bin"/></Relationships>'
    ).encode()
    parts: Parts = [
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.bin", workbook),
        ("xl/_rels/workbook.bin.rels", rels),
        ("xl/worksheets/sheet1.bin", sheet),
    ]
    if strings is not None:
        parts.append(("xl/sharedStrings.bin", strings))
    return parts


def xlsb_strings(texts: list[str], declared: int | None = None) -> bytes:
    count = len(texts) if declared is None else declared
    items = b"".join(brt(0x13, b"\0" + wide(t)) for t in texts)
    return brt(0x9F, struct.pack("<II", count, count)) + items + brt(0xA0)


# --- xls --------------------------------------------------------------------------------------


def biff(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def xls_stream(sheet_records: bytes, sst: list[str] | None = None, name: str = "Budget") -> bytes:
    """A BIFF8 workbook stream: globals (BOF, SST, BoundSheet8, EOF), then one worksheet."""
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    strings = b""
    if sst is not None:
        body = b"".join(struct.pack("<HB", len(t), 0) + t.encode("latin-1") for t in sst)
        strings = biff(0x00FC, struct.pack("<II", len(sst), len(sst)) + body)
    sheet_name = struct.pack("<BB", len(name), 0) + name.encode("latin-1")

    def globals_(offset: int) -> bytes:
        bound = biff(0x0085, struct.pack("<IBB", offset, 0, 0) + sheet_name)
        return biff(0x0809, bof) + strings + bound + biff(0x000A)

    offset = len(globals_(0))
    sheet_bof = struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06)
    return globals_(offset) + biff(0x0809, sheet_bof) + sheet_records + biff(0x000A)


def dimensions(rows: int, cols: int) -> bytes:
    return biff(0x0200, struct.pack("<IIHHH", 0, rows, 0, cols, 0))


def number(row: int, col: int, value: float) -> bytes:
    return biff(0x0203, struct.pack("<HHHd", row, col, 0, value))


_FREE, _END, _FATSECT, _DIFSECT, _NOSTREAM = (
    0xFFFFFFFF,
    0xFFFFFFFE,
    0xFFFFFFFD,
    0xFFFFFFFC,
    0xFFFFFFFF,
)


def _entry(name: str, kind: int, start: int, size: int, child: int = _NOSTREAM) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _NOSTREAM, _NOSTREAM, child)
        + bytes(16 + 4 + 16)
        + struct.pack("<III", start, size, 0)
    )


def ole(stream: bytes, *, fat_loop: bool = False, difat_loop: bool = False) -> bytes:
    """A version 3 compound file (512-byte sectors) holding one stream named Workbook, padded
    to 4096 bytes so it lives in regular sectors: sector 0 the FAT, 1 the directory, then the
    stream. `fat_loop` points the stream's last sector back at its first and makes the
    directory claim 2 GiB; `difat_loop` adds a DIFAT sector that names itself as the next."""
    stream = stream.ljust(4096, b"\0")
    count = -(-len(stream) // 512)
    first, difat_sector = 2, 2 + count
    fat = [_FATSECT, _END] + [first + i + 1 for i in range(count - 1)] + [_END, _DIFSECT]
    fat += [_FREE] * (128 - len(fat))
    size = len(stream)
    if fat_loop:
        fat[first + count - 1], size = first, 0x7FFF_FFFF
    directory = _entry("Root Entry", 5, _END, 0, child=1) + _entry("Workbook", 2, first, size)
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    struct.pack_into("<109I", header, 76, 0, *([_FREE] * 108))
    if difat_loop:
        struct.pack_into("<II", header, 68, difat_sector, 1)
    body = struct.pack("<128I", *fat) + directory.ljust(512, b"\0") + stream
    difat = struct.pack("<128I", *([_FREE] * 127), difat_sector)
    return bytes(header) + body + difat
