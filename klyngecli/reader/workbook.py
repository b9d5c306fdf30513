"""A workbook file → the typed application and the reader's findings (KL001-KL010)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import python_calamine

from klyngecli.callspec import Call
from klyngecli.findings import Finding
from klyngecli.model import Applicant, Application
from klyngecli.reader.applicant import read_applicant
from klyngecli.reader.codes import KL001, KL002, KL003
from klyngecli.reader.collaborations import read_collaborations
from klyngecli.reader.container import Problem, container_problem
from klyngecli.reader.grid import Grid
from klyngecli.reader.labels import (
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
from klyngecli.reader.prescreen import Limits, Screened, prescreen
from klyngecli.reader.tables import TableKind, read_table
from klyngecli.reader.values import Cells, UnitContext

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


def _cannot_open(reason: str) -> Finding:
    return KL001.finding(
        None,
        f"Filen kan ikke åbnes som regneark ({reason}): gem den som .xlsx og kontrollér igen",
        f"The file cannot be opened as a spreadsheet ({reason}): save it as .xlsx and check again",
        found=reason,
    )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def open_book(handle: BinaryIO, path: Path) -> python_calamine.CalamineWorkbook | Unreadable:
    """The workbook, read by its content whatever its extension says (calamine sniffs the
    format), or why it cannot be read. `handle` holds the bytes the screen saw."""
    if not handle.read(1):
        return Unreadable(_cannot_open("tom fil / empty file"))
    handle.seek(0)
    problem = container_problem(handle)
    if problem is Problem.ENCRYPTED:
        return Unreadable(_protected())
    if problem is not None:
        return Unreadable(_cannot_open(problem.value))
    try:
        return python_calamine.CalamineWorkbook.from_filelike(handle)
    except python_calamine.PasswordError:
        return Unreadable(_protected())
    # The native reader reports a damaged or foreign file with many exception types (zip, XML,
    # format, I/O); each means the same thing to the user: the file cannot be opened.
    except Exception as exc:
        return Unreadable(_cannot_open(_reason(exc)))


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
                    f"Både arket '{roles[role]}' og arket '{name}' kan være arket {role}: "
                    "omdøb eller slet det ene; ingen af dem er kontrolleret",
                    f"Both the sheet '{roles[role]}' and the sheet '{name}' claim the role {role}: "
                    "rename or delete one of them; neither was checked",
                    found=name,
                )
            )
            continue
        roles[role] = name
    return {r: n for r, n in roles.items() if r not in contested}, contested


def _missing_sheet(role: str, why_da: str = "", why_en: str = "") -> Finding:
    return KL003.finding(
        role,
        f"Arket '{role}' mangler{why_da}",
        f"The sheet '{role}' is missing{why_en}",
    )


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
        return None, [_cannot_open(exc.strerror or type(exc).__name__)]


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
                rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                return None, [_cannot_open(f"{name}: {_reason(exc)}")]
            grids[role] = Grid(
                name,
                rows,
                screened.pending.get(name, frozenset()),
                screened.errors.get(name, {}),
            )
    for role in (APPLICANT_SHEET, BUDGET_SHEET, FINANCING_SHEET):
        if role not in grids and role not in contested:
            findings.append(_missing_sheet(role))
    applicant, unit = None, UnitContext(given=False, multiplier=Decimal(1))
    if APPLICANT_SHEET in contested:
        unit = UnitContext(given=True, multiplier=None)  # `Enhed` unknown: amounts are too
    elif APPLICANT_SHEET in grids:
        applicant, unit = read_applicant(grids[APPLICANT_SHEET], cells)
    budget = (
        read_table(grids[BUDGET_SHEET], BUDGET_KIND, unit, cells) if BUDGET_SHEET in grids else None
    )
    financing = (
        read_table(grids[FINANCING_SHEET], FINANCING_KIND, unit, cells)
        if FINANCING_SHEET in grids
        else None
    )
    collaborations = None
    if SME_SHEET in grids:
        collaborations = read_collaborations(grids[SME_SHEET], unit, cells)
    elif SME_SHEET not in contested and _needs_collaborations(applicant, call):
        findings.append(
            _missing_sheet(
                SME_SHEET, " (påkrævet for en innovationsbevilling)", " (required for innovation)"
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
