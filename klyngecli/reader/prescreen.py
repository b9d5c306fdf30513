"""Safety limits (KL011) on the raw file, before any spreadsheet reader touches it.

The file is read once into memory (the screen and the reader then see the same bytes) and
screened for every format python-calamine accepts, part by part as calamine would read it:

- an OLE2 file: its sector chains (`cfb`), and its workbook stream (`screen_xls`);
- a zip: its directory (entries, declared sizes, compression ratio, two entries of the same
  name), then the parts of every reader that could open it — xlsx/xlsm (`ooxml`), xlsb
  (`screen_xlsb`), ods (`screen_ods`); a package that is both is screened as both;
- anything else is left to the reader, which cannot read it as a workbook (KL001).

A part that cannot be screened is not given to the reader: the file is KL001. What the screens
count against the limits (`limits.Limits`), and their defaults:

- `max_file_bytes` (50 MiB): the file's size.
- `max_zip_entries` (10,000): entries in the zip.
- `max_uncompressed_bytes` (500 MiB): the zip's entries together, as declared.
- `max_compression_ratio` (200): uncompressed / compressed size of an entry over 1 MiB.
- `max_part_bytes` (100 MiB): one part the screen reads (a sheet, the shared strings, ...).
- `max_sheets` (256): sheets in the workbook.
- `max_sheet_cells` (2,000,000): rows × columns from A1 to the last value of one sheet; also
  the cells an xls DIMENSIONS record makes calamine reserve.
- `max_book_cells` (8,000,000): the same, summed over the sheets the reader builds.
- `max_cells` (200,000): cells holding a value in the sheets the reader builds.
- `max_shared_strings` (1,000,000): the shared string table, and the count it declares.
- `max_text_chars` (50,000,000): the text of the shared strings and of every cell built (a
  shared or repeated text counts once per cell).
- `max_records` (2,000,000): XML elements and binary records the screen reads.
- `max_continue_records` (10,000): xls CONTINUE records after one record.

The reader builds the sheets it needs (Ansøger, Budget, Finansiering, SMV-samarbejder) from an
xlsx/xlsm or xlsb, and every sheet from an xls or ods (calamine reads them all when it opens the
file). The same pass finds the formula cells without a stored result, the error values and the
NaN numbers of the sheets (calamine reads the first two as empty, and NaN as a number), the
workbook's defined names the template writes and, for ods, the merged cells (python-calamine
exposes neither).
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from klyngecli.findings import Finding
from klyngecli.reader.cfb import MAGIC, Cfb, CfbError
from klyngecli.reader.container import DAMAGED_ZIP_ERRORS
from klyngecli.reader.limits import MIB, Limits, Refused, Tally, damaged, over
from klyngecli.reader.names import NamedRange
from klyngecli.reader.ooxml import screen_ooxml
from klyngecli.reader.package import Package
from klyngecli.reader.screen_ods import screen_ods
from klyngecli.reader.screen_xls import XlsFindings, screen_xls
from klyngecli.reader.screen_xlsb import screen_xlsb

__all__ = ["Limits", "Screened", "prescreen"]

Position = tuple[int, int]


@dataclass(frozen=True)
class Screened:
    """A file within the limits: its bytes, the formula cells of its sheets that lack a result
    and the cells that hold an error value (or NaN), by sheet name; the defined names the
    reader knows; the merged cells of an ods (first row, first column, last row, last column)."""

    pending: dict[str, frozenset[Position]] = field(default_factory=dict)
    errors: dict[str, dict[Position, str]] = field(default_factory=dict)
    data: bytes = b""
    names: dict[str, NamedRange] = field(default_factory=dict)
    merges: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)


def prescreen(path: Path, limits: Limits, wanted: Callable[[str], bool]) -> Screened | Finding:
    """KL011 when the file is over a limit, KL001 when it cannot be screened; else what the
    screen found. `wanted` tells which sheets (by name) the reader will load."""
    try:
        data = _read(path, limits)
        return _screen(data, limits, wanted)
    except Refused as refused:
        return refused.finding


def _read(path: Path, limits: Limits) -> bytes:
    """The file's bytes, read once; a FIFO or a device is never opened for reading."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise damaged("ikke en almindelig fil", "not a regular file")
        if info.st_size > limits.max_file_bytes:
            raise _too_large(info.st_size, limits)
        data = handle.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise _too_large(len(data), limits)
    return data


def _too_large(size: int, limits: Limits) -> Refused:
    return over("filens størrelse i bytes", "the file size in bytes", size, limits.max_file_bytes)


def _screen(data: bytes, limits: Limits, wanted: Callable[[str], bool]) -> Screened:
    tally = Tally(limits)
    pending: dict[str, frozenset[Position]] = {}
    errors: dict[str, dict[Position, str]] = {}
    names: dict[str, NamedRange] = {}
    merges: dict[str, list[tuple[int, int, int, int]]] = {}
    if data[:8] == MAGIC:
        xls = _screen_ole(data, tally)
        if xls is not None:
            errors.update(xls.errors)
            names.update(xls.names)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except DAMAGED_ZIP_ERRORS:
        if data[:4] == b"PK\x03\x04":
            raise damaged("beskadiget zip-arkiv", "damaged zip archive") from None
        return Screened(pending, errors, data, names)
    try:
        with archive:
            package = _screen_directory(archive, limits)
            ooxml = screen_ooxml(package, tally, wanted)
            if ooxml is not None:
                pending.update(ooxml.pending)
                errors.update(ooxml.errors)
                names.update(ooxml.names)
            xlsb = screen_xlsb(package, tally, wanted)
            if xlsb is not None:
                errors.update(xlsb.errors)
            ods = screen_ods(package, tally, wanted)
            if ods is not None:
                names.update(ods.names)
                merges.update(ods.merges)
    except DAMAGED_ZIP_ERRORS as exc:
        raise damaged(
            f"en del af zip-arkivet kan ikke læses: {type(exc).__name__}",
            f"a part of the zip cannot be read: {type(exc).__name__}",
        ) from None
    return Screened(pending, errors, data, names, merges)


def _screen_ole(data: bytes, tally: Tally) -> XlsFindings | None:
    try:
        cfb = Cfb(data)
        if cfb.has("EncryptedPackage"):
            return None  # the container check says KL002
        stream = cfb.workbook()
    except CfbError as exc:
        raise damaged(f"beskadiget OLE2-fil: {exc}", f"damaged OLE2 container: {exc}") from None
    if stream is None:
        return None  # the container check says KL001
    return screen_xls(stream, tally)


def _screen_directory(archive: zipfile.ZipFile, limits: Limits) -> Package:
    entries = archive.infolist()
    if len(entries) > limits.max_zip_entries:
        raise over(
            "antal filer i zip-arkivet",
            "the number of zip entries",
            len(entries),
            limits.max_zip_entries,
        )
    declared = sum(e.file_size for e in entries)
    if declared > limits.max_uncompressed_bytes:
        raise over(
            "den udpakkede størrelse i bytes",
            "the uncompressed size in bytes",
            declared,
            limits.max_uncompressed_bytes,
        )
    for entry in entries:
        ratio = entry.file_size // max(entry.compress_size, 1)
        if entry.file_size > MIB and ratio > limits.max_compression_ratio:
            raise over(
                f"komprimeringsforholdet for {entry.filename}",
                f"the compression ratio of {entry.filename}",
                ratio,
                limits.max_compression_ratio,
            )
    return Package(archive)
