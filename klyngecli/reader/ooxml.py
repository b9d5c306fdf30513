"""What python-calamine does not tell about an OOXML (xlsx/xlsm) package: which sheet part holds
which sheet, and which formula cells have no stored result (calamine reads them as empty)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from defusedxml import ElementTree

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="\$?([A-Z]{1,3})\$?(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?v\s*>(.*?)</(?:\w+:)?v>", re.DOTALL)
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


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


def formulas_without_result(xml: bytes) -> set[tuple[int, int]]:
    """(row, col), 0-based, of the formula cells with no stored result in one worksheet part."""
    if not _FORMULA.search(xml):
        return set()
    missing: set[tuple[int, int]] = set()
    for attrs, inner in _CELL.findall(xml):
        if not inner or not _FORMULA.search(inner):
            continue
        value = _VALUE.search(inner)
        kind = _TYPE.search(attrs)
        is_text = kind is not None and kind.group(1) in (b"str", b"inlineStr")
        if value is None or (not value.group(1).strip() and not is_text):
            ref = _REF.search(attrs)
            if ref:
                missing.add((int(ref.group(2)) - 1, column_index(ref.group(1))))
    return missing


def pending_formulas(path: Path, sheets: Iterable[str]) -> dict[str, set[tuple[int, int]]]:
    """For the named sheets of an OOXML workbook, the formula cells with no stored result;
    empty for any other kind of file."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = sheet_parts(archive)
            return {
                name: formulas_without_result(archive.read(parts[name]))
                for name in sheets
                if name in parts
            }
    except (
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ElementTree.ParseError,
    ):
        return {}
