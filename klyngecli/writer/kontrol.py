"""One annotated copy (`klynge check --annotate`): the checked workbook with every finding's
cells filled and commented, and a first sheet `Kontrol` listing the findings with links to them.

An .xlsx or .xlsm is loaded by openpyxl, which keeps formulas, formats, merged cells, data
validation, defined names and the other sheets; an .xlsm's macros are not kept (the copy is an
.xlsx, for reading, and runs no code). An .xls, .xlsb or .ods, which openpyxl cannot load, and an
.xlsx that openpyxl fails on, become an .xlsx of the values python-calamine reads, and `Kontrol`
says so. Text from the file is written as text, never as a formula, with control characters
escaped.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from pathlib import Path

import python_calamine
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from klyngecli import __version__
from klyngecli.findings import Finding, Severity
from klyngecli.reader.cfb import MAGIC as OLE2_MAGIC
from klyngecli.report import FileResult, verdict_text
from klyngecli.safetext import shown

KONTROL = "Kontrol"
KONTROL_TAKEN = "Kontrol (klynge)"

FILLS = {
    Severity.ERROR: PatternFill("solid", fgColor="FFC7CE"),
    Severity.WARNING: PatternFill("solid", fgColor="FFEB9C"),
    Severity.INFO: PatternFill("solid", fgColor="DDEBF7"),
}
_PASSED_FILL = PatternFill("solid", fgColor="C6EFCE")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_MAX_FILLED = 10_000  # cells filled for one range finding: a range is a row or a table, not more
_SHEET_TITLE = re.compile(r"[\\*?:/\[\]]")

_TEXT = {
    "title": ("Kontrol af budgetark", "Budget workbook check"),
    "file": ("Fil", "File"),
    "verdict": ("Resultat", "Verdict"),
    "applicant": ("Ansøger", "Applicant"),
    "call": ("Opslag", "Call"),
    "tool": ("Kontrolleret med", "Checked with"),
    "note": ("Bemærk", "Note"),
    "code": ("Kode", "Code"),
    "severity": ("Alvor", "Severity"),
    "cell": ("Celle", "Cell"),
    "message": ("Besked", "Message"),
    "fix": ("Rettelse", "Fix"),
    "none": ("Ingen fund.", "No findings."),
    "converted": (
        "Konverteret fra .{kind}: kun værdier, formatering er ikke bevaret.",
        "Converted from .{kind}: values only, formatting not kept.",
    ),
    "macros": (
        "Originalens makroer er ikke med i kopien (.xlsm → .xlsx).",
        "The original's macros are not in the copy (.xlsm → .xlsx).",
    ),
    "dropped": ("Ikke bevaret i kopien: {what}", "Not kept in the copy: {what}"),
    "not_loaded": (
        "openpyxl kunne ikke åbne filen ({reason}): kun værdier, formatering er ikke bevaret.",
        "openpyxl could not open the file ({reason}): values only, formatting not kept.",
    ),
    "sheet_lost": (
        "Arket {sheet} kunne ikke læses ({reason}) og er tomt i kopien.",
        "The sheet {sheet} could not be read ({reason}) and is empty in the copy.",
    ),
}


def _t(key: str, lang: str, **values: str) -> str:
    da, en = _TEXT[key]
    return (en if lang == "en" else da).format(**values)


class Refused(Exception):
    """A copy not made, for a reason of ours (the file changed, the limits were reached)."""


def reason(exc: BaseException) -> str:
    """Why a copy failed, in one line: our own words, or the library's with its error's name."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, Refused):
        return shown(text)
    return shown(f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__)


def annotated_copy(source: Path, result: FileResult, lang: str, call_title: str = "") -> bytes:
    """The annotated copy of `source`, whose check is `result`, as the bytes of an .xlsx."""
    data = source.read_bytes()
    if hashlib.sha256(data).hexdigest() != result.sha256:
        raise Refused("the file changed after it was checked")
    book, titles, notes = _load(data, lang)
    _mark(book, result.findings, titles, lang)
    _kontrol(book, result, titles, notes, lang, call_title)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _kind(data: bytes) -> str:
    """xlsx, xlsm, xlsb, ods or xls, by content (a file's extension may lie)."""
    if data.startswith(OLE2_MAGIC):
        return "xls"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = {name.casefold() for name in package.namelist()}
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "xl/workbook.xml" not in names:
        return "ods"
    return "xlsm" if any(n.endswith("vbaproject.bin") for n in names) else "xlsx"


def _load(data: bytes, lang: str) -> tuple[Workbook, dict[str, str], list[str]]:
    """The workbook to annotate, the title of each sheet in it by the name the checker read,
    and notes on what the copy does not keep."""
    kind = _kind(data)
    if kind in ("xlsb", "ods", "xls"):
        return _converted(data, lang, _t("converted", lang, kind=kind))
    notes = [_t("macros", lang)] if kind == "xlsm" else []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            book = load_workbook(io.BytesIO(data), rich_text=True)
    except Exception as exc:  # a package the checker read and openpyxl does not: its values
        return _converted(data, lang, _t("not_loaded", lang, reason=reason(exc)))
    # openpyxl says what it drops ("Data Validation extension is not supported and will be
    # removed"): the copy says it too.
    for what in dict.fromkeys(str(w.message) for w in caught):
        notes.append(_t("dropped", lang, what=shown(what)))
    book.template = False  # an .xltx/.xltm is copied as a workbook
    return book, {name: name for name in book.sheetnames}, notes


def _state(visible: python_calamine.SheetVisibleEnum) -> str:
    """openpyxl's sheet_state of a sheet as calamine saw it (its enum does not hash)."""
    if visible == python_calamine.SheetVisibleEnum.Hidden:
        return "hidden"
    if visible == python_calamine.SheetVisibleEnum.VeryHidden:
        return "veryHidden"
    return "visible"


def _converted(data: bytes, lang: str, note: str) -> tuple[Workbook, dict[str, str], list[str]]:
    """An .xlsx of the values python-calamine reads, sheet by sheet from A1, as the checker
    reads them (so each finding's cell is where it was); a chart sheet is left out."""
    source = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    book = Workbook()
    book.remove(book.active)
    titles: dict[str, str] = {}
    notes = [note]
    for meta in source.sheets_metadata:
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        sheet = book.create_sheet(_title(meta.name, titles.values()))
        titles[meta.name] = sheet.title
        sheet.sheet_state = _state(meta.visible)
        try:
            rows = source.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        except Exception as exc:  # one sheet calamine cannot read costs that sheet only
            notes.append(_t("sheet_lost", lang, sheet=sheet.title, reason=reason(exc)))
            continue
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value != "":
                    _put(sheet.cell(row=r, column=c), value)
    if not book.worksheets:
        book.create_sheet("Ark")
    if all(s.sheet_state != "visible" for s in book.worksheets):
        book.worksheets[0].sheet_state = "visible"
    return book, titles, notes


def _title(name: str, taken: Iterable[str]) -> str:
    """A sheet title Excel accepts for `name`: no `\\ * ? : / [ ]`, at most 31 characters,
    unique."""
    base = _SHEET_TITLE.sub("_", shown(name)).strip("'")[:31] or "Ark"
    used = {t.casefold() for t in taken}
    title, n = base, 1
    while title.casefold() in used:
        n += 1
        title = f"{base[: 31 - len(str(n)) - 3]} ({n})"
    return title


def _put(cell: Cell, value: object) -> None:
    """A value as it is: text stays text, even when it starts with `=`."""
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
        cell.data_type = "s"
    else:
        cell.value = value


# --- Marking the cells -------------------------------------------------------------------------


def _severity(finding: Finding, lang: str) -> str:
    return finding.severity.word(lang)


def _fix(finding: Finding, lang: str) -> str:
    if finding.fix is None:
        return ""
    return finding.fix.en if lang == "en" else finding.fix.da


def _worksheet(book: Workbook, titles: Mapping[str, str], sheet: str | None) -> Worksheet | None:
    title = titles.get(sheet) if sheet is not None else None
    if title is None or title not in book.sheetnames:
        return None
    found = book[title]
    return found if isinstance(found, Worksheet) else None


def _cells(sheet: Worksheet, ref: str) -> list[tuple[int, int]]:
    """The (row, column) of each cell of `ref` (`H7`, `A5:F5`; a whole row or column within the
    sheet's used range), at most _MAX_FILLED, the top-left first; nothing for a bad reference."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return []
    min_col, min_row = min_col or 1, min_row or 1
    max_col = max_col or max(sheet.max_column, min_col)
    max_row = max_row or max(sheet.max_row, min_row)
    cells = ((r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1))
    return list(islice(cells, _MAX_FILLED))


def _anchor(sheet: Worksheet, row: int, col: int) -> Cell:
    """The cell that can hold a comment: the top-left cell of a merged range."""
    cell = sheet.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        for merged in sheet.merged_cells.ranges:
            if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
                return sheet.cell(row=merged.min_row, column=merged.min_col)
    return cell


def _mark(
    book: Workbook, findings: Sequence[Finding], titles: Mapping[str, str], lang: str
) -> None:
    """Fill every cell of each finding with its severity's colour (the strongest where several
    meet) and give the first cell one comment with all of its findings."""
    notes: dict[tuple[str, int, int], list[Finding]] = {}
    fills: dict[tuple[str, int, int], Severity] = {}
    for finding in findings:
        sheet = _worksheet(book, titles, finding.sheet)
        if sheet is None or not finding.cell:
            continue
        cells = _cells(sheet, finding.cell)
        for row, col in cells:
            # A merged range keeps only its first cell's fill, and shows it over the whole range.
            anchor = _anchor(sheet, row, col)
            key = (sheet.title, anchor.row, anchor.column)
            if key not in fills or finding.severity.rank > fills[key].rank:
                fills[key] = finding.severity
        if cells:
            first = _anchor(sheet, *cells[0])
            notes.setdefault((sheet.title, first.row, first.column), []).append(finding)
    for (title, row, col), severity in fills.items():
        book[title].cell(row=row, column=col).fill = FILLS[severity]
    for (title, row, col), found in notes.items():
        cell = book[title].cell(row=row, column=col)
        text = "\n\n".join(_comment_text(f, lang) for f in found)
        if cell.comment is not None:  # the original's own note is kept, after ours
            text += "\n\n---\n" + cell.comment.text
        lines = sum(1 + len(part) // 60 for part in text.split("\n"))
        cell.comment = Comment(text, "klynge", height=min(20 + 15 * lines, 600), width=360)


def _comment_text(finding: Finding, lang: str) -> str:
    text = f"{finding.code} {_severity(finding, lang)}: {shown(finding.message(lang))}"
    fix = _fix(finding, lang)
    return text + (f"\n{_t('fix', lang)}: {shown(fix)}" if fix else "")


# --- The Kontrol sheet -------------------------------------------------------------------------


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _text(cell: Cell, value: str) -> Cell:
    """Text from a file or a message, written as text (never a formula) and printable."""
    if value:
        cell.value = shown(value)
        cell.data_type = "s"
    return cell


def _kontrol(
    book: Workbook,
    result: FileResult,
    titles: Mapping[str, str],
    notes: Sequence[str],
    lang: str,
    call_title: str,
) -> None:
    """The first sheet: the verdict, the applicant and a row per finding with a link to its cell."""
    used = {t.casefold() for t in book.sheetnames}
    title = KONTROL if KONTROL.casefold() not in used else _title(KONTROL_TAKEN, book.sheetnames)
    sheet = book.create_sheet(title, 0)
    sheet.cell(row=1, column=1, value=_t("title", lang)).font = Font(bold=True, size=14)
    facts = [
        ("file", result.path),
        ("verdict", verdict_text(result.verdict, lang)),
        ("applicant", result.applicant or ""),
        ("call", call_title),
        ("tool", f"klynge {__version__}"),
        *(("note", note) for note in notes),
    ]
    row = 3
    for key, value in facts:
        sheet.cell(row=row, column=1, value=_t(key, lang)).font = _BOLD
        cell = _text(sheet.cell(row=row, column=2), value)
        if key == "verdict":
            cell.font = _BOLD
            worst = max((f.severity for f in result.findings), key=lambda s: s.rank, default=None)
            cell.fill = FILLS[worst] if worst else _PASSED_FILL
        row += 1
    row += 1
    for col, key in enumerate(("code", "severity", "cell", "message", "fix"), start=1):
        sheet.cell(row=row, column=col, value=_t(key, lang)).font = _BOLD
    sheet.freeze_panes = f"A{row + 1}"
    for finding in result.findings:
        row += 1
        _finding_row(sheet, book, row, finding, titles, lang)
    if not result.findings:
        _text(sheet.cell(row=row + 1, column=1), _t("none", lang))
    for col, width in enumerate((10, 12, 26, 80, 60), start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    for other in book.worksheets:  # only Kontrol selected, so no sheets are grouped
        other.sheet_view.tabSelected = other is sheet
    book.active = 0
    for view in book.views:
        view.firstSheet = 0


def _finding_row(
    sheet: Worksheet,
    book: Workbook,
    row: int,
    finding: Finding,
    titles: Mapping[str, str],
    lang: str,
) -> None:
    _text(sheet.cell(row=row, column=1), finding.code)
    _text(sheet.cell(row=row, column=2), _severity(finding, lang)).fill = FILLS[finding.severity]
    where = _text(sheet.cell(row=row, column=3), finding.location)
    target = _worksheet(book, titles, finding.sheet)
    if target is not None:
        cells = _cells(target, finding.cell) if finding.cell else [(1, 1)]
        if cells:
            a1 = f"{get_column_letter(cells[0][1])}{cells[0][0]}"
            where.hyperlink = Hyperlink(
                ref=where.coordinate, location=f"{_quoted(target.title)}!{a1}"
            )
            where.font = Font(color="0563C1", underline="single")
    _text(sheet.cell(row=row, column=4), finding.message(lang)).alignment = _WRAP
    _text(sheet.cell(row=row, column=5), _fix(finding, lang)).alignment = _WRAP
