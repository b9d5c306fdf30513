"""A workbook file → the typed application and the reader's findings (KL001-KL010)."""

from __future__ import annotations

import difflib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, Literal, TypeVar

import python_calamine

from klyngecli.callspec import Call
from klyngecli.codes import KL001, KL002, KL003
from klyngecli.findings import Finding
from klyngecli.model import Applicant, Application
from klyngecli.reader.applicant import read_applicant
from klyngecli.reader.cfb import MAGIC as OLE2_MAGIC
from klyngecli.reader.collaborations import read_collaborations
from klyngecli.reader.container import Problem, container_problem
from klyngecli.reader.grid import Grid
from klyngecli.reader.names import FIELD_NAMES, TABLE_NAMES, NamedRange
from klyngecli.reader.prescreen import Limits, Screened, prescreen
from klyngecli.reader.tables import TableKind, read_table
from klyngecli.reader.values import Cells, UnitContext
from klyngecli.safetext import shown
from klyngecli.vocabulary import (
    APPLICANT_SHEET,
    BUDGET_COLUMNS,
    BUDGET_SHEET,
    CATEGORIES,
    CATEGORY_LABELS,
    FINANCING_COLUMNS,
    FINANCING_SHEET,
    SHEETS,
    SME_SHEET,
    SOURCE_LABELS,
    SOURCES,
    normalise,
)

BUDGET_KIND = TableKind(
    columns=BUDGET_COLUMNS,
    keys={k: v.value for k, v in CATEGORIES.items()},
    key_label_da="Kategori",
    key_label_en="Category",
    known_labels=tuple(labels[0] for labels in CATEGORY_LABELS.values()),
)
FINANCING_KIND = TableKind(
    columns=FINANCING_COLUMNS,
    keys={k: v.value for k, v in SOURCES.items()},
    key_label_da="Kilde",
    key_label_en="Source",
    known_labels=tuple(labels[0] for labels in SOURCE_LABELS.values()),
)


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why the file as a whole cannot be read."""

    finding: Finding


def _protected() -> Finding:
    return KL002.finding(
        None,
        "Filen er beskyttet med adgangskode: fjern adgangskoden og kontrollér filen igen",
        "The file is protected with a password: remove the password and check it again",
    )


ACCEPTED_DA = ".xlsx, .xlsm, .xls, .xlsb eller .ods"
ACCEPTED_EN = ".xlsx, .xlsm, .xls, .xlsb or .ods"
Why = Literal["empty", "damaged", "foreign", "zip", "office", "disk"]

# Each way a file can be unreadable, in plain words and with what to do; the library's own
# text is kept in `found` only.
_WHY: dict[Why, tuple[str, str]] = {
    "empty": (
        "Filen er tom (0 byte): gem regnearket igen, eller bed om en ny kopi",
        "The file is empty (0 bytes): save the spreadsheet again, or ask for a new copy",
    ),
    "damaged": (
        "Filen er beskadiget eller ikke gemt færdig: gem den igen fra Excel eller LibreOffice, "
        "eller bed om en ny kopi",
        "The file is damaged or was not saved completely: save it again from Excel or "
        "LibreOffice, or ask for a new copy",
    ),
    "foreign": (
        f"Filen er ikke et regneark: kontrollen læser {ACCEPTED_DA}; gem budgettet i et af de "
        "formater fra Excel eller LibreOffice",
        f"The file is not a spreadsheet: the checker reads {ACCEPTED_EN}; save the budget in one "
        "of those formats from Excel or LibreOffice",
    ),
    "zip": (
        f"Filen er en zip-fil, men ikke et regneark (den har ingen arbejdsbog): kontrollen læser "
        f"{ACCEPTED_DA}",
        f"The file is a zip file, but not a spreadsheet (it holds no workbook): the checker reads "
        f"{ACCEPTED_EN}",
    ),
    "office": (
        "Filen er et Office-dokument uden en arbejdsbog (fx et Word-dokument), ikke et regneark: "
        f"kontrollen læser {ACCEPTED_DA}",
        "The file is an Office document without a workbook stream (say, a Word document), not "
        f"a spreadsheet: the checker reads {ACCEPTED_EN}",
    ),
    "disk": (
        "Filen kan ikke læses fra disken: kontrollér, at den findes, og at du har adgang til den",
        "The file cannot be read from disk: check that it exists and that you may read it",
    ),
}
_PROBLEMS: dict[Problem, Why] = {
    Problem.DAMAGED_OLE: "damaged",
    Problem.NO_WORKBOOK: "office",
    Problem.NOT_A_SPREADSHEET_ZIP: "zip",
}


def _cannot_open(reason: str, why: Why = "damaged") -> Finding:
    da, en = _WHY[why]
    return KL001.finding(None, da, en, found=reason)


def _container(head: bytes) -> bool:
    """The file is a zip or OLE2 container: a reader's error means it is damaged, not foreign."""
    return head.startswith(b"PK") or head == OLE2_MAGIC


V = TypeVar("V")


def _reader_failed(exc: BaseException) -> bool:
    """An error of the native reader: any Exception, or a panic of its Rust code (an index past
    the end of a damaged record), which pyo3 raises as a PanicException, a BaseException."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _noted(notes: Mapping[str, V], name: str, default: V) -> V:
    """What the screen noted for the sheet calamine calls `name`. An XML parser reads a tab, a
    carriage return or a line feed written as such in an attribute as a space (XML 1.0, 3.3.3),
    and calamine keeps it: the screen's spelling is tried when calamine's is not there."""
    if name in notes:
        return notes[name]
    return notes.get(name.replace("\r\n", "\n").translate(_AS_SPACE), default)


_AS_SPACE = dict.fromkeys(map(ord, "\t\n\r"), " ")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def open_book(handle: BinaryIO, path: Path) -> python_calamine.CalamineWorkbook | Unreadable:
    """The workbook, read by its content whatever its extension says (calamine sniffs the
    format), or why it cannot be read. `handle` holds the bytes the screen saw."""
    head = handle.read(8)
    if not head:
        return Unreadable(_cannot_open("empty file", "empty"))
    handle.seek(0)
    problem = container_problem(handle)
    if problem is Problem.ENCRYPTED:
        return Unreadable(_protected())
    if problem is not None:
        return Unreadable(_cannot_open(problem.value, _PROBLEMS[problem]))
    try:
        return python_calamine.CalamineWorkbook.from_filelike(handle)
    except python_calamine.PasswordError:
        return Unreadable(_protected())
    # The native reader reports a damaged or foreign file with many exception types (zip, XML,
    # format, I/O, a panic); each means the same thing to the user: the file cannot be opened.
    except BaseException as exc:
        if not _reader_failed(exc):
            raise
        return Unreadable(_cannot_open(_reason(exc), "damaged" if _container(head) else "foreign"))


def _roles(names: list[str], findings: list[Finding]) -> tuple[dict[str, str], set[str]]:
    """Role (canonical sheet name) → the workbook's sheet name, and the roles two sheets claim:
    KL003 for each, and neither sheet is read (the checker never guesses which is meant)."""
    roles: dict[str, str] = {}
    contested: set[str] = set()
    for name in names:
        role = SHEETS.get(normalise(name))
        if role is None:
            continue
        if role in roles:
            contested.add(role)
            findings.append(
                KL003.finding(
                    name,
                    f"Både arket '{shown(roles[role])}' og arket '{shown(name)}' kan være arket "
                    f"{role}: omdøb eller slet det ene; ingen af dem er kontrolleret",
                    f"Both the sheet '{shown(roles[role])}' and the sheet '{shown(name)}' claim "
                    f"the role {role}: rename or delete one of them; neither was checked",
                    found=name,
                )
            )
            continue
        roles[role] = name
    return {r: n for r, n in roles.items() if r not in contested}, contested


def _merges(
    calamine: list[tuple[tuple[int, int], tuple[int, int]]] | None,
    screened: list[tuple[int, int, int, int]] | None,
) -> list[tuple[int, int, int, int]]:
    """The sheet's merged cells as (first row, first column, last row, last column): from
    calamine (xlsx, xls), else from the screen (ods; calamine gives none)."""
    if calamine:
        return [
            (min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)) for (r1, c1), (r2, c2) in calamine
        ]
    return screened or []


MAX_LISTED = 8  # sheet names a KL003 lists; a workbook of many sheets says how many more


def _listed(names: list[str]) -> str:
    shown_names = ", ".join(f"'{shown(n)}'" for n in names[:MAX_LISTED])
    more = len(names) - MAX_LISTED
    return shown_names + (f" (+{more})" if more > 0 else "")


def _nearest(role: str, names: list[str], taken: set[str]) -> str | None:
    """The sheet most like the missing role's name or one of its synonyms (`Budget 2025-2028`
    for `Budget`), compared normalised; None when none is close."""
    candidates = {normalise(n): n for n in names if n not in taken}
    for synonym in (label for label, owner in SHEETS.items() if owner == role):
        close = difflib.get_close_matches(synonym, list(candidates), n=1, cutoff=0.5)
        if close:
            return candidates[close[0]]
    return None


def _missing_sheet(
    role: str,
    names: list[str],
    taken: set[str],
    why_da: str = "",
    why_en: str = "",
) -> Finding:
    """KL003 for a missing sheet: the sheets the workbook has, and the nearest one to rename."""
    da, en = f"Arket '{role}' mangler{why_da}", f"The sheet '{role}' is missing{why_en}"
    if names:
        da += f"; arbejdsbogen har arkene {_listed(names)}"
        en += f"; the workbook has the sheets {_listed(names)}"
    else:
        da += "; arbejdsbogen har ingen ark"
        en += "; the workbook has no sheets"
    near = _nearest(role, names, taken)
    if near is not None:
        da += f": mener du '{shown(near)}'? Omdøb det til '{role}'"
        en += f": did you mean '{shown(near)}'? Rename it to '{role}'"
    return KL003.finding(role, da, en, found=shown(near) if near else None)


def _needs_collaborations(applicant: Applicant | None, call: Call) -> bool:
    """The grant type asks for SME collaborations (innovation, in this call)."""
    kind = applicant.grant.value if applicant else None
    return kind is not None and kind in call.grants and call.grants[kind].requires_collaborations


def _is_role_sheet(name: str) -> bool:
    return normalise(name) in SHEETS


def read_workbook(
    path: Path, call: Call, limits: Limits | None = None
) -> tuple[Application | None, list[Finding]]:
    """Read one workbook; every problem is a finding, never an exception."""
    try:
        screened = prescreen(path, limits or Limits(), _is_role_sheet)
        if isinstance(screened, Finding):
            return None, [screened]
        with io.BytesIO(screened.data) as handle:  # the bytes the screen saw, read once
            return _read(handle, path, call, screened)
    except OSError as exc:
        return None, [_cannot_open(exc.strerror or type(exc).__name__, "disk")]


def _read(
    handle: BinaryIO, path: Path, call: Call, screened: Screened
) -> tuple[Application | None, list[Finding]]:
    book = open_book(handle, path)
    if isinstance(book, Unreadable):
        return None, [book.finding]
    cells = Cells(zone=call.zone)
    findings = cells.findings
    with book:
        names = list(book.sheet_names)
        roles, contested = _roles(names, findings)
        grids: dict[str, Grid] = {}
        for role, name in roles.items():
            try:
                sheet = book.get_sheet_by_name(name)
                rows = sheet.to_python(skip_empty_area=False)
                merges = _merges(sheet.merged_cell_ranges, _noted(screened.merges, name, None))
            except BaseException as exc:
                if not _reader_failed(exc):
                    raise
                return None, [_cannot_open(f"{name}: {_reason(exc)}")]
            grids[role] = Grid(
                name,
                rows,
                _noted(screened.pending, name, frozenset()),
                _noted(screened.errors, name, {}),
                merges,
            )
    for role in (APPLICANT_SHEET, BUDGET_SHEET, FINANCING_SHEET):
        if role not in grids and role not in contested:
            findings.append(_missing_sheet(role, names, set(roles.values())))
    applicant, unit = None, UnitContext(given=False, multiplier=Decimal(1))
    named = screened.names
    if APPLICANT_SHEET in contested:
        unit = UnitContext(given=True, multiplier=None)  # `Enhed` unknown: amounts are too
    elif APPLICANT_SHEET in grids:
        fields = {
            key: named[name.casefold()]
            for key, name in FIELD_NAMES.items()
            if name.casefold() in named
        }
        applicant, unit = read_applicant(grids[APPLICANT_SHEET], cells, fields)

    def table_name(role: str) -> NamedRange | None:
        return named.get(TABLE_NAMES[role].casefold())

    budget = (
        read_table(grids[BUDGET_SHEET], BUDGET_KIND, unit, cells, table_name(BUDGET_SHEET))
        if BUDGET_SHEET in grids
        else None
    )
    financing = (
        read_table(grids[FINANCING_SHEET], FINANCING_KIND, unit, cells, table_name(FINANCING_SHEET))
        if FINANCING_SHEET in grids
        else None
    )
    collaborations = None
    if SME_SHEET in grids:
        collaborations = read_collaborations(grids[SME_SHEET], unit, cells, table_name(SME_SHEET))
    elif SME_SHEET not in contested and _needs_collaborations(applicant, call):
        findings.append(
            _missing_sheet(
                SME_SHEET,
                names,
                set(roles.values()),
                " (påkrævet for en innovationsbevilling)",
                " (required for innovation)",
            )
        )
    application = Application(
        sheet_order=tuple(names),
        applicant=applicant,
        budget=budget,
        financing=financing,
        collaborations=collaborations,
    )
    return application, findings
