"""What python-calamine does not tell about an OOXML (xlsx/xlsm) package: which sheet part holds
which sheet, how far its cells reach, which formula cells have no stored result and which hold
an error value (calamine reads both as empty)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="\$?([A-Z]{1,3})\$?(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?v\s*>(.*?)</(?:\w+:)?v>", re.DOTALL)
_ERROR_TYPE = re.compile(rb'<(?:\w+:)?c\b[^>]*\bt="e"')
_CELL_WITHOUT_REF = re.compile(rb"<(?:\w+:)?c(?=[\s/>])(?![^>]*\br=)[^>]*>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_ROW_OR_CELL = re.compile(
    rb"<(?:\w+:)?row\b([^>]*)>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL
)
# A cell element that is not self-closing (`<c r="A1"/>` holds nothing), with its reference.
_FILLED_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="\$?([A-Z]{1,3})\$?(\d+)"[^>]*?(?<!/)>')


def column_index(letters: bytes) -> int:
    """`A` → 0, `AB` → 27."""
    index = 0
    for ch in letters:
        index = index * 26 + (ch - 64)
    return index - 1


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the zip path of its worksheet part."""
    names = set(archive.namelist())
    workbook = next((n for n in ("xl/workbook.xml",) if n in names), None)
    if workbook is None:
        return {}
    rels_path = posixpath.join(posixpath.dirname(workbook), "_rels", "workbook.xml.rels")
    targets: dict[str, str] = {}
    if rels_path in names:
        for rel in ElementTree.fromstring(archive.read(rels_path)):
            target = rel.get("Target", "")
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = posixpath.normpath(posixpath.join(posixpath.dirname(workbook), target))
            targets[rel.get("Id", "")] = path
    parts: dict[str, str] = {}
    for element in ElementTree.fromstring(archive.read(workbook)).iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet":
            rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), "")
            if rid in targets and "name" in element.attrib:
                parts[element.attrib["name"]] = targets[rid]
    return parts


@dataclass(frozen=True, slots=True)
class SheetScan:
    """What one worksheet part holds, found without building its grid."""

    rows: int  # 1 + the last row holding a value (0 for an empty sheet)
    cols: int  # 1 + the last column holding a value
    pending: frozenset[tuple[int, int]]  # formula cells with no stored result, 0-based
    errors: dict[tuple[int, int], str]  # cells holding an error value (#DIV/0!, #N/A), 0-based


def scan_sheet(xml: bytes) -> SheetScan:
    """The extent of the cells that hold something, the formulas without a result and the
    error values (calamine reads both of those as empty cells)."""
    if _FORMULA.search(xml) or _ERROR_TYPE.search(xml) or _CELL_WITHOUT_REF.search(xml):
        return _walk(xml)
    refs = _FILLED_REF.findall(xml)  # the common case, without a Python step per cell
    rows = max((int(row) for _, row in refs), default=0)
    last_col = max((col for col, _ in refs), key=lambda c: (len(c), c), default=b"")
    cols = column_index(last_col) + 1 if last_col else 0
    return SheetScan(rows, cols, frozenset(), {})


def _walk(xml: bytes) -> SheetScan:
    """Every row and cell in order; a row or cell without `r` follows the one before it."""
    row = col = -1
    rows = cols = 0
    pending: set[tuple[int, int]] = set()
    errors: dict[tuple[int, int], str] = {}
    for match in _ROW_OR_CELL.finditer(xml):
        row_attrs, attrs, inner = match.group(1), match.group(2), match.group(3)
        if row_attrs is not None:
            number = _ROW_NUMBER.search(row_attrs)
            row, col = (int(number.group(1)) - 1 if number else row + 1), -1
            continue
        ref = _REF.search(attrs)
        if ref:
            row, col = int(ref.group(2)) - 1, column_index(ref.group(1))
        else:
            row, col = max(row, 0), col + 1
        if not inner:
            continue
        rows, cols = max(rows, row + 1), max(cols, col + 1)
        value = _VALUE.search(inner)
        kind = _TYPE.search(attrs)
        if kind is not None and kind.group(1) == b"e":
            errors[(row, col)] = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
        elif _FORMULA.search(inner):
            is_text = kind is not None and kind.group(1) in (b"str", b"inlineStr")
            if value is None or (not value.group(1).strip() and not is_text):
                pending.add((row, col))
    return SheetScan(rows, cols, frozenset(pending), errors)
