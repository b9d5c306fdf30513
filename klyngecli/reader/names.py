"""The workbook's defined names that `klynge template` writes, and where they point.

The template names the cells and tables a checker needs (`Ansoeger_CVR`, `Budget_Tabel`, ...), so
that an applicant who moves rows is read the same (docs/decisions.md, "Defined names"). The
screens read the names from the workbook part that holds them (workbook.xml, the xls globals,
ods content.xml) in their single pass, as a sheet and a rectangle; the reader decides whether a
name points at something sensible and falls back to the labels when it does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from klyngecli.model import column_index
from klyngecli.vocabulary import APPLICANT_SHEET, BUDGET_SHEET, FINANCING_SHEET, SME_SHEET

# Ansøger field key → the name of its value cell.
FIELD_NAMES: dict[str, str] = {
    "name": "Ansoeger_Navn",
    "cvr": "Ansoeger_CVR",
    "grant": "Ansoeger_Bevillingstype",
    "start": "Ansoeger_Projektstart",
    "end": "Ansoeger_Projektslut",
    "submitted": "Ansoeger_Indsendt",
    "designation": "Ansoeger_Udpegning",
    "unit": "Ansoeger_Enhed",
    "contact": "Ansoeger_Kontaktperson",
    "email": "Ansoeger_Email",
}
# Sheet role → the name of its table (the header row and the rows below it).
TABLE_NAMES: dict[str, str] = {
    BUDGET_SHEET: "Budget_Tabel",
    FINANCING_SHEET: "Finansiering_Tabel",
    SME_SHEET: "SMV_Tabel",
}
# Name → the sheet role it must point into.
NAME_SHEETS: dict[str, str] = dict.fromkeys(FIELD_NAMES.values(), APPLICANT_SHEET)
NAME_SHEETS.update({name: role for role, name in TABLE_NAMES.items()})
# Names are compared as Excel compares them: case-insensitively. Only these are kept.
KNOWN = frozenset(name.casefold() for name in NAME_SHEETS)


@dataclass(frozen=True, slots=True)
class NamedRange:
    """One rectangle on one sheet, 0-based and inclusive."""

    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @property
    def single(self) -> bool:
        return self.first_row == self.last_row and self.first_col == self.last_col


def known(name: str) -> str | None:
    """The key a name is kept under, or None for a name no reader needs."""
    key = name.casefold()
    return key if key in KNOWN else None


_CELL = r"\$?([A-Za-z]{1,3})\$?(\d{1,7})"
_SHEET = r"(?:'((?:[^']|'')+)'|([^'!.:$][^!:]*?))"
_A1 = re.compile(rf"^=?{_SHEET}!{_CELL}(?::{_CELL})?$")
_ODF = re.compile(rf"^\${_SHEET}\.{_CELL}(?::(?:\$?{_SHEET})?\.{_CELL})?$")


def _area(sheet: str, c1: str, r1: str, c2: str | None, r2: str | None) -> NamedRange | None:
    first = (int(r1) - 1, column_index(c1))
    last = (int(r2) - 1, column_index(c2)) if c2 and r2 else first
    if min(first[0], last[0]) < 0:
        return None
    return NamedRange(
        sheet.replace("''", "'"),
        min(first[0], last[0]),
        min(first[1], last[1]),
        max(first[0], last[0]),
        max(first[1], last[1]),
    )


def from_a1(text: str) -> NamedRange | None:
    """`'Ansøger'!$C$3` or `Budget!$A$1:$H$20` (xlsx); None for anything else (`#REF!`, a
    formula, several areas)."""
    match = _A1.match(text.strip())
    if match is None:
        return None
    quoted, plain, c1, r1, c2, r2 = match.groups()
    return _area(quoted or plain, c1, r1, c2, r2)


def from_odf(text: str) -> NamedRange | None:
    """`$Ansøger.$C$3` or `$'SMV-samarbejder'.$A$1:.$I$21` (ods); None for anything else. A
    range whose end names another sheet is no rectangle."""
    match = _ODF.match(text.strip())
    if match is None:
        return None
    quoted, plain, c1, r1, quoted2, plain2, c2, r2 = match.groups()
    sheet = quoted or plain
    other = quoted2 or plain2
    if other is not None and other.replace("''", "'") != sheet.replace("''", "'"):
        return None
    return _area(sheet, c1, r1, c2, r2)
