"""The Ansøger sheet: key/value rows, labels in the first column that holds a known label, or
the cells the workbook's defined names (`Ansoeger_CVR`, ...) point at."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from klyngecli.codes import KL005
from klyngecli.model import Applicant, CellRef, Designation, GrantType, Value
from klyngecli.reader.grid import PENDING, Grid, RawCell
from klyngecli.reader.names import NamedRange
from klyngecli.reader.values import Cells, UnitContext, shown
from klyngecli.vocabulary import (
    DESIGNATIONS,
    FIELD_LABELS,
    FIELDS,
    GRANT_TYPES,
    REQUIRED_FIELDS,
    normalise,
)

K = TypeVar("K")

# What KL006 on the grant type and the designation lists: the format's words for the values
# (the grant types are the model's; every call so far offers both).
GRANTS = tuple(grant.value.capitalize() for grant in GrantType)
DESIGNATION_WORDS = tuple(designation.value.capitalize() for designation in Designation)

_NAMES_EN = {
    "name": "Applicant",
    "cvr": "CVR number",
    "grant": "Grant type",
    "start": "Project start",
    "end": "Project end",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """A field found on the sheet: its raw value and the cell holding it."""

    raw: RawCell
    ref: CellRef


def _field_of(text: str) -> tuple[str, str | None] | None:
    """The field a label cell names, and a value written in the same cell (`Enhed: 1.000 kr.`)."""
    key = FIELDS.get(normalise(text))
    if key is not None:
        return key, None
    label, colon, rest = text.partition(":")
    if colon and (key := FIELDS.get(normalise(label))) is not None:
        return key, rest.strip() or None
    return None


def _entries(grid: Grid) -> dict[str, Entry]:
    label_col = next(
        (
            col
            for col in range(grid.width)
            if any(_field_of(grid.text(row, col)) for row in range(grid.height))
        ),
        None,
    )
    entries: dict[str, Entry] = {}
    if label_col is None:
        return entries
    for row in range(grid.height):
        found = _field_of(grid.text(row, label_col))
        if found is None:
            continue
        key, inline = found
        if inline is not None:
            entry = Entry(inline, grid.ref(row, label_col))
        else:
            col = _value_col(grid, row, label_col)
            entry = Entry(grid.get(row, col), grid.ref(row, col))
        # The first row with a value wins; a title cell that repeats a label is passed over, and
        # when no row has a value, the last one (the field row, below any title) is the one meant.
        if key not in entries or _blank(entries[key].raw):
            entries[key] = entry
    return entries


def _value_col(grid: Grid, row: int, label_col: int) -> int:
    """The column right of the label; for a label merged over several columns, the first
    non-empty cell right of the merge, else the cell just right of it (decided item 12)."""
    span = grid.span(row, label_col)
    if span is None or span[1] == label_col:
        return label_col + 1
    found = grid.first_filled_from(row, span[1] + 1)
    return span[1] + 1 if found is None else found


def _named_entry(grid: Grid, key: str, named: NamedRange) -> Entry | None:
    """The value cell a field's defined name points at, when that is sensible: one cell (or one
    merged cell) on this sheet, in a row not labelled as another field (a name left behind
    when values were copied elsewhere)."""
    row, col = named.first_row, named.first_col
    if named.sheet != grid.name or row >= grid.height:
        return None
    if not named.single and grid.span(row, col) != (named.last_row, named.last_col):
        return None
    for left in range(min(col, len(grid.rows[row]))):
        found = _field_of(grid.text(row, left))
        if found is not None and found[0] != key:
            return None
    return Entry(grid.get(row, col), grid.ref(row, col))


def _blank(raw: RawCell) -> bool:
    return raw == "" or (isinstance(raw, str) and not raw.strip())


def _text(entry: Entry | None) -> Value[str]:
    """A text field no check reads the content of (a formula without a result is not blank)."""
    if entry is None:
        return Value.blank()
    if entry.raw is PENDING:
        return Value.pending(entry.ref)
    if entry.raw == "":
        return Value.blank(entry.ref)
    text = shown(entry.raw).strip()
    return Value.read(text, entry.ref, text) if text else Value.blank(entry.ref)


def read_applicant(
    grid: Grid, cells: Cells, named: Mapping[str, NamedRange] | None = None
) -> tuple[Applicant, UnitContext]:
    """The applicant's fields and the workbook's unit, with KL005/KL006/KL007 findings.
    `named` maps a field key to the range its defined name points at: a sensible one that is
    filled in wins over the labels; a blank one is used only when the labels find nothing."""
    entries = _entries(grid)
    for key, area in (named or {}).items():
        entry = _named_entry(grid, key, area)
        if entry is not None and (not _blank(entry.raw) or key not in entries):
            entries[key] = entry
    for key in REQUIRED_FIELDS:
        entry = entries.get(key)
        label = FIELD_LABELS[key][0]
        if entry is None:
            cells.findings.append(
                KL005.finding(
                    grid.name,
                    f"Feltet '{label}' mangler på arket {grid.name}",
                    f"The field '{label}' ({_NAMES_EN[key]}) is missing on the sheet {grid.name}",
                )
            )
        elif entry.raw is PENDING:
            if key == "name":  # the other fields' parsers report their own KL007
                cells.pending(entry.ref, f"Feltet '{label}'", f"The field '{label}'")
        elif _blank(entry.raw):
            cells.findings.append(
                KL005.finding(
                    entry.ref,
                    f"Feltet '{label}' er tomt",
                    f"The field '{label}' ({_NAMES_EN[key]}) is empty",
                )
            )

    def raw(key: str) -> tuple[RawCell, CellRef | None]:
        entry = entries.get(key)
        return (entry.raw, entry.ref) if entry else ("", None)

    grant = _choice(
        entries.get("grant"), GRANT_TYPES, cells, "Bevillingstypen", "The grant type", GRANTS
    )
    designation = _choice(
        entries.get("designation"),
        DESIGNATIONS,
        cells,
        "Udpegningen",
        "The designation",
        DESIGNATION_WORDS,
    )
    cvr_entry = entries.get("cvr")
    cvr: Value[str] = cells.cvr(cvr_entry.raw, cvr_entry.ref) if cvr_entry else Value.blank()

    def dated(key: str, da: str, en: str) -> Value[date]:
        value, ref = raw(key)
        return cells.date(value, ref, da, en) if ref else Value.blank()

    submitted_raw, submitted_ref = raw("submitted")
    submitted = (
        cells.moment(submitted_raw, submitted_ref, "Indsendelsestidspunktet", "The submission time")
        if submitted_ref
        else Value.blank()
    )
    unit_raw, unit_ref = raw("unit")
    unit = UnitContext(given=False, multiplier=Decimal(1))
    if unit_ref is not None and unit_raw is PENDING:
        cells.pending(unit_ref, "Enheden", "The unit")
        unit = UnitContext(given=True, multiplier=None)
    elif unit_ref is not None and unit_raw != "":
        multiplier = cells.unit(unit_raw, unit_ref, "Enheden", "The unit")
        unit = UnitContext(given=True, multiplier=multiplier)
    applicant = Applicant(
        sheet=grid.name,
        name=_text(entries.get("name")),
        cvr=cvr,
        grant=grant,
        start=dated("start", "Projektstart", "The project start"),
        end=dated("end", "Projektslut", "The project end"),
        submitted=submitted,
        designation=designation,
        contact=_text(entries.get("contact")),
        email=_text(entries.get("email")),
    )
    return applicant, unit


def _choice(
    entry: Entry | None,
    choices: dict[str, K],
    cells: Cells,
    what_da: str,
    what_en: str,
    accepted: tuple[str, ...],
) -> Value[K]:
    """A value from a fixed list (grant type, designation); KL006 when it is not on the list."""
    if entry is not None and entry.raw is PENDING:
        return cells.formula(entry.ref, what_da, what_en)
    if entry is None or entry.raw == "":
        return Value.blank(entry.ref if entry else None)
    text = shown(entry.raw).strip()
    if not text:
        return Value.blank(entry.ref)
    key = choices.get(normalise(text))
    if key is None:
        cells.unreadable(entry.ref, entry.raw, what_da, what_en, accepted)
        return Value.reported(entry.ref, text)
    return Value.read(key, entry.ref, text)
