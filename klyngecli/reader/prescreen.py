"""Safety limits (KL011) on the raw file, before any spreadsheet reader touches it.

For an OOXML package (xlsx/xlsm) the zip's directory and the parts the checker will read are
looked at with the standard library only: the number of entries, their declared and real sizes,
the compression ratio, and how far each role sheet's cells reach. This pass also finds the
formula cells without a stored result (KL007), so the package is unzipped once for both.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from klyngecli.findings import Finding
from klyngecli.reader.codes import KL011
from klyngecli.reader.container import DAMAGED_ZIP_ERRORS
from klyngecli.reader.ooxml import scan_sheet, sheet_parts

MIB = 1 << 20


class Limits(BaseModel):
    """The safety limits; a budget workbook is far below every one of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_file_bytes: int = 50 * MIB
    max_zip_entries: int = 10_000
    max_uncompressed_bytes: int = 500 * MIB
    max_sheet_bytes: int = 100 * MIB
    max_compression_ratio: int = 200  # for entries over 1 MiB uncompressed
    max_sheet_cells: int = 2_000_000  # rows × columns from A1 to the last value of one sheet


@dataclass(frozen=True)
class Screened:
    """A file within the limits, with the formula cells of its role sheets that lack a result
    and the cells that hold an error value."""

    pending: dict[str, frozenset[tuple[int, int]]] = field(default_factory=dict)
    errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _over(limit_da: str, limit_en: str, found: int, limit: int) -> Finding:
    return KL011.finding(
        None,
        f"Filen overskrider en sikkerhedsgrænse: {limit_da} er {_number(found)} (grænse "
        f"{_number(limit)}); intet andet i filen er læst",
        f"The file exceeds a safety limit: {limit_en} is {_number(found)} (limit "
        f"{_number(limit)}); nothing else of it was read",
        found=found,
        limit=limit,
    )


def prescreen(path: Path, limits: Limits, wanted: Callable[[str], bool]) -> Screened | Finding:
    """KL011 when the file is over a limit; else what the scan found. `wanted` tells which
    sheets (by name) the reader will load."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        return _over(
            "filens størrelse i bytes", "the file size in bytes", size, limits.max_file_bytes
        )
    try:
        with zipfile.ZipFile(path) as archive:
            return _screen_zip(archive, limits, wanted)
    except DAMAGED_ZIP_ERRORS:
        # Not a zip (an xls, a text file) or a damaged one: for the container check and
        # the reader to recognise or reject (KL001/KL002).
        return Screened()


def _screen_zip(
    archive: zipfile.ZipFile, limits: Limits, wanted: Callable[[str], bool]
) -> Screened | Finding:
    entries = archive.infolist()
    if len(entries) > limits.max_zip_entries:
        return _over(
            "antal filer i zip-arkivet",
            "the number of zip entries",
            len(entries),
            limits.max_zip_entries,
        )
    declared = sum(e.file_size for e in entries)
    if declared > limits.max_uncompressed_bytes:
        return _over(
            "den udpakkede størrelse i bytes",
            "the uncompressed size in bytes",
            declared,
            limits.max_uncompressed_bytes,
        )
    for entry in entries:
        ratio = entry.file_size // max(entry.compress_size, 1)
        if entry.file_size > MIB and ratio > limits.max_compression_ratio:
            return _over(
                f"komprimeringsforholdet for {entry.filename}",
                f"the compression ratio of {entry.filename}",
                ratio,
                limits.max_compression_ratio,
            )
    pending: dict[str, frozenset[tuple[int, int]]] = {}
    errors: dict[str, dict[tuple[int, int], str]] = {}
    for name, part in sheet_parts(archive).items():
        if not wanted(name) or part not in archive.NameToInfo:
            continue
        try:
            with archive.open(part) as stream:
                xml = stream.read(limits.max_sheet_bytes + 1)
        except DAMAGED_ZIP_ERRORS:
            continue  # the reader will fail on this part too, and say so (KL001)
        if len(xml) > limits.max_sheet_bytes:
            return _over(
                f"størrelsen af arket {name} i bytes",
                f"the size of sheet {name} in bytes",
                len(xml),
                limits.max_sheet_bytes,
            )
        scan = scan_sheet(xml)
        if scan.rows * scan.cols > limits.max_sheet_cells:
            return _over(
                f"antal celler i arket {name}s område (A1 til sidste celle)",
                f"the number of cells in the range of sheet {name} (A1 to its last cell)",
                scan.rows * scan.cols,
                limits.max_sheet_cells,
            )
        pending[name], errors[name] = scan.pending, scan.errors
    return Screened(pending, errors)
