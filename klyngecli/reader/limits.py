"""The safety limits (KL011) and the tally every screen counts against them.

A screen raises `Refused` with the finding (KL011 over a limit, KL001 for a file that cannot be
screened safely); `prescreen` turns it into the file's only finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from klyngecli.codes import KL001, KL011
from klyngecli.findings import Finding, number
from klyngecli.plain import Plain

MIB = 1 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits(Plain):
    """The safety limits; a budget workbook is far below every one of them. A plain value, not
    a pydantic model: every worker and start-up reads it (`klynge.toml`'s `[limits]` is checked
    in config.py)."""

    max_file_bytes: int = 50 * MIB
    max_zip_entries: int = 10_000
    max_uncompressed_bytes: int = 500 * MIB  # the zip's entries together, as declared
    max_compression_ratio: int = 200  # for entries over 1 MiB uncompressed
    max_part_bytes: int = 100 * MIB  # one part the screen reads (sheet, strings, stream)
    max_sheets: int = 256
    max_sheet_cells: int = 2_000_000  # rows × columns from A1 to the last value of one sheet
    max_book_cells: int = 8_000_000  # the same, summed over the sheets the reader builds
    max_cells: int = 200_000  # cells holding a value in the sheets the reader builds
    max_shared_strings: int = 1_000_000
    max_text_chars: int = 50_000_000  # shared strings + the text of every cell built
    max_records: int = 2_000_000  # XML elements and binary records the screen reads
    max_continue_records: int = 10_000  # xls CONTINUE records after one record


class Refused(Exception):
    """The screen's answer for a file that no reader may touch."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message_en)
        self.finding = finding


def _number(value: int, lang: str) -> str:
    return number(Decimal(value), lang)


def over(limit_da: str, limit_en: str, found: int, limit: int) -> Refused:
    """KL011: `found` is over `limit`; the message names the limit in both languages."""
    return Refused(
        KL011.finding(
            None,
            f"Filen overskrider en sikkerhedsgrænse: {limit_da} er {_number(found, 'da')} (grænse "
            f"{_number(limit, 'da')}); intet andet i filen er læst",
            f"The file exceeds a safety limit: {limit_en} is {_number(found, 'en')} (limit "
            f"{_number(limit, 'en')}); nothing else of it was read",
            found=found,
            limit=limit,
        )
    )


NOT_A_FILE = "not a regular file"

# A screen's reason names the place in our words; what follows its first ": " is a library's
# text (expat, zipfile, the OLE2 reader), kept in `found` only. A loop is named in plain words.
_LOOPS = ("; dens interne kæde af sektorer går i ring", "; its internal chain of sectors loops")


def _plain(why: str) -> str:
    return why.split(": ", 1)[0]


def damaged(why_da: str, why_en: str) -> Refused:
    """KL001 for a file the screen cannot read safely, so no reader may touch it: the reason in
    plain words and what to do; the screen's full reason in `found`."""
    if why_en == NOT_A_FILE:
        return Refused(
            KL001.finding(
                None,
                "Stien er ikke en almindelig fil (men fx en mappe, en enhed eller en navngivet "
                "pipe): angiv selve regnearksfilen",
                "The path is not a regular file (but, say, a folder, a device or a named pipe): "
                "give the spreadsheet file itself",
                found=why_en,
            )
        )
    loops_da, loops_en = _LOOPS if "loops" in why_en else ("", "")
    return Refused(
        KL001.finding(
            None,
            f"Filen er beskadiget eller ikke gemt færdig ({_plain(why_da)}{loops_da}): gem den "
            "igen fra Excel eller LibreOffice, eller bed om en ny kopi",
            f"The file is damaged or was not saved completely ({_plain(why_en)}{loops_en}): save "
            "it again from Excel or LibreOffice, or ask for a new copy",
            found=why_en,
        )
    )


@dataclass
class Tally:
    """What the reader would build from the whole file, counted as the screens go."""

    limits: Limits
    records: int = 0
    cells: int = 0
    book_cells: int = 0
    text_chars: int = 0
    shared_strings: int = 0

    def record(self, n: int = 1) -> None:
        self.records += n
        if self.records > self.limits.max_records:
            raise over(
                "antal XML-elementer og binære poster",
                "the number of XML elements and binary records",
                self.records,
                self.limits.max_records,
            )

    def cell(self, n: int = 1) -> None:
        self.cells += n
        if self.cells > self.limits.max_cells:
            raise over(
                "antal udfyldte celler i de læste ark",
                "the number of cells holding a value in the sheets read",
                self.cells,
                self.limits.max_cells,
            )

    def text(self, n: int) -> None:
        self.text_chars += n
        if self.text_chars > self.limits.max_text_chars:
            raise over(
                "antal tegn tekst, som læseren ville bygge (delte tekster og celletekst)",
                "the number of text characters the reader would build (shared strings and "
                "cell text)",
                self.text_chars,
                self.limits.max_text_chars,
            )

    def shared_string(self, n: int = 1) -> None:
        self.shared_strings += n
        self.strings_declared(self.shared_strings)

    def strings_declared(self, count: int) -> None:
        """A count the reader reserves room for (xlsx `uniqueCount`) or reads up to."""
        if count > self.limits.max_shared_strings:
            raise over(
                "antal delte tekster",
                "the number of shared strings",
                count,
                self.limits.max_shared_strings,
            )

    def sheets(self, count: int) -> None:
        if count > self.limits.max_sheets:
            raise over("antal ark", "the number of sheets", count, self.limits.max_sheets)

    def part_bytes(self, name: str, size: int) -> None:
        if size > self.limits.max_part_bytes:
            raise over(
                f"størrelsen af delen {name} i bytes",
                f"the size of part {name} in bytes",
                size,
                self.limits.max_part_bytes,
            )


@dataclass
class Extent:
    """How far one sheet's values reach from A1, checked as each value is seen."""

    tally: Tally
    sheet: str
    rows: int = 0
    cols: int = 0
    counted: int = 0  # rows × cols already added to the tally's book_cells

    def reach(self, rows: int, cols: int) -> None:
        """A value reaches row `rows` and column `cols` (1-based: the extent it makes)."""
        if rows <= self.rows and cols <= self.cols:
            return
        self.rows, self.cols = max(self.rows, rows), max(self.cols, cols)
        cells = self.rows * self.cols
        limits = self.tally.limits
        if cells > limits.max_sheet_cells:
            raise over(
                f"antal celler i arket {self.sheet}s område (A1 til sidste celle)",
                f"the number of cells in the range of sheet {self.sheet} (A1 to its last cell)",
                cells,
                limits.max_sheet_cells,
            )
        self.tally.book_cells += cells - self.counted
        self.counted = cells
        if self.tally.book_cells > limits.max_book_cells:
            raise over(
                "antal celler i alle læste arks områder",
                "the number of cells in the ranges of all sheets read",
                self.tally.book_cells,
                limits.max_book_cells,
            )
