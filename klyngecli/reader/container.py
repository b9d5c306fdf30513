"""What kind of container a file is, read from its first bytes and its directory, before any
spreadsheet reader touches it: encrypted packages and password-protected BIFF are found here."""

from __future__ import annotations

import struct
import zipfile
import zlib
from enum import StrEnum
from pathlib import Path

import olefile

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
BIFF_BOF = {0x0809, 0x0409, 0x0209, 0x0009}
BIFF_FILEPASS = 0x002F
BIFF_EOF = 0x000A


class Problem(StrEnum):
    ENCRYPTED = "encrypted"
    DAMAGED_OLE = "damaged OLE2 container"
    NO_WORKBOOK = "OLE2 container without a workbook stream"


# What reading a damaged zip package can raise (the standard library's zip, zlib and XML parsers);
# each means the same: the package is damaged, and the reader will report it (KL001).
DAMAGED_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    SyntaxError,  # xml.etree's ParseError
)

# The FILEPASS record stands in the workbook globals, right after BOF and a few records.
_GLOBALS_SCAN_RECORDS = 64


def _biff_has_filepass(stream: bytes) -> bool:
    offset = 0
    for index in range(_GLOBALS_SCAN_RECORDS):
        if offset + 4 > len(stream):
            return False
        kind, size = struct.unpack_from("<HH", stream, offset)
        if index == 0 and kind not in BIFF_BOF:
            return False
        if kind == BIFF_FILEPASS:
            return True
        if kind == BIFF_EOF:
            return False
        offset += 4 + size
    return False


def _ole_problem(path: Path) -> Problem | None:
    """An ECMA-376 encrypted package (Excel 2007+ with a password), an xls whose workbook stream
    starts with a FILEPASS record (RC4, CryptoAPI or XOR protection), or an OLE2 file that holds
    no workbook at all (damaged, or another Office document)."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptedPackage"):
                return Problem.ENCRYPTED
            for name in ("Workbook", "Book"):
                if ole.exists(name):
                    with ole.openstream(name) as stream:
                        head = stream.read(1 << 16)
                    return Problem.ENCRYPTED if _biff_has_filepass(head) else None
    except (OSError, ValueError, struct.error, IndexError, KeyError, TypeError, RecursionError):
        return Problem.DAMAGED_OLE
    return Problem.NO_WORKBOOK


def _odf_encrypted(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            if "META-INF/manifest.xml" in archive.namelist():
                return b"encryption-data" in archive.read("META-INF/manifest.xml")
    except DAMAGED_ZIP_ERRORS:
        return False
    return False


def container_problem(path: Path) -> Problem | None:
    """Why the file cannot be given to a spreadsheet reader, or None when it may."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == OLE2_MAGIC:
        return _ole_problem(path)
    if head.startswith(ZIP_MAGIC) and _odf_encrypted(path):
        return Problem.ENCRYPTED
    return None
