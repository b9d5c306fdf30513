"""What kind of container a file is, read from its first bytes and its directory, before any
spreadsheet reader touches it: encrypted packages and password-protected BIFF are found here.

The OLE2 container is read by `cfb` (bounded, and as calamine reads it) rather than olefile,
whose walk of a looping sector table does not end."""

from __future__ import annotations

import lzma
import struct
import zipfile
import zlib
from enum import StrEnum
from typing import BinaryIO

from klyngecli.reader.cfb import MAGIC as OLE2_MAGIC
from klyngecli.reader.cfb import Cfb, CfbError

BIFF_FILEPASS = 0x002F
BIFF_EOF = 0x000A


class Problem(StrEnum):
    ENCRYPTED = "encrypted"
    DAMAGED_OLE = "damaged OLE2 container"
    NO_WORKBOOK = "OLE2 container without a workbook stream"
    NOT_A_SPREADSHEET_ZIP = "zip package without a workbook part"


# What reading a damaged zip package can raise (the standard library's zip, zlib, lzma and XML
# parsers; bz2 raises OSError); each means the same: the package is damaged, and the reader will
# report it (KL001).
DAMAGED_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    SyntaxError,  # xml.etree's ParseError
)


def _biff_has_filepass(stream: bytes) -> bool:
    """A FILEPASS record among the workbook globals (before their EOF), where calamine meets
    it: any kind of protection, XOR obfuscation too, makes the workbook unreadable."""
    offset = 0
    while offset + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, offset)
        if kind == BIFF_FILEPASS:
            return True
        if kind == BIFF_EOF:
            return False
        offset += 4 + size
    return False


def _ole_problem(data: bytes) -> Problem | None:
    """An ECMA-376 encrypted package (Excel 2007+ with a password), an xls whose workbook stream
    starts with a FILEPASS record (RC4, CryptoAPI or XOR protection), or an OLE2 file that holds
    no workbook at all (damaged, or another Office document)."""
    try:
        ole = Cfb(data)
        if ole.has("EncryptedPackage"):
            return Problem.ENCRYPTED
        stream = ole.workbook()
    except CfbError:
        return Problem.DAMAGED_OLE
    if stream is None:
        return Problem.NO_WORKBOOK
    return Problem.ENCRYPTED if _biff_has_filepass(stream) else None


def odf_encrypted(archive: zipfile.ZipFile) -> bool:
    """An OpenDocument package whose manifest declares encrypted entries (calamine's ods reader
    answers it with a password error before it reads content.xml)."""
    if "META-INF/manifest.xml" in archive.NameToInfo:
        return b"encryption-data" in archive.read("META-INF/manifest.xml")
    return False


# The parts one of the spreadsheet readers opens a package by (xlsx/xlsm, xlsb, ods), matched
# by file name in any folder (`_rels/.rels` may put the workbook elsewhere than `xl/`).
_WORKBOOK_PARTS = frozenset({"workbook.xml", "workbook.bin", "content.xml"})


def _zip_problem(handle: BinaryIO) -> Problem | None:
    """An encrypted OpenDocument package, or a zip with no workbook part at all (a zipped
    folder, a Word document): one KL001 rather than a KL003 for each missing sheet."""
    try:
        with zipfile.ZipFile(handle) as archive:
            if odf_encrypted(archive):
                return Problem.ENCRYPTED
            parts = {name.rsplit("/", 1)[-1].casefold() for name in archive.namelist()}
            return None if parts & _WORKBOOK_PARTS else Problem.NOT_A_SPREADSHEET_ZIP
    except DAMAGED_ZIP_ERRORS:
        return None


def container_problem(handle: BinaryIO) -> Problem | None:
    """Why the file cannot be given to a spreadsheet reader, or None when it may; the handle
    is left at its start."""
    try:
        head = handle.read(8)
        if head == OLE2_MAGIC:
            return _ole_problem(head + handle.read())
        handle.seek(0)  # a zip may start with other bytes: its directory is at the end
        return _zip_problem(handle)
    finally:
        handle.seek(0)
