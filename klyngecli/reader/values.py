"""Typed values from grid cells. Each method returns a `Value` and records the finding (KL006,
KL007, KL009, KL010) when the cell is not what it should be."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from klyngecli.codes import KL006, KL007, KL009, KL010
from klyngecli.findings import Finding, kr
from klyngecli.model import Amount, CellRef, State, Value
from klyngecli.reader.cells import (
    MAX_KRONER,
    cvr_text,
    number_from_cell,
    parse_date,
    parse_datetime,
    parse_number_text,
    parse_unit,
    to_kroner,
)
from klyngecli.reader.grid import PENDING, CellError, Grid
from klyngecli.safetext import shown as safe
from klyngecli.vocabulary import UNITS


def shown(raw: object) -> str:
    """The cell's content as the user typed it, for quoting in messages (an error value as
    Excel shows it: #DIV/0!)."""
    if isinstance(raw, datetime | date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    return str(raw)


def either(choices: Sequence[str], lang: str) -> str:
    """`Innovation eller Basis`, `kr., 1.000 kr. or mio. kr.`."""
    last = " or " if lang == "en" else " eller "
    return last.join([", ".join(choices[:-1]), choices[-1]]) if len(choices) > 1 else choices[0]


def first_spellings(table: dict[str, str]) -> tuple[str, ...]:
    """The first spelling of each key of a label table (`kr.`, `1.000 kr.`, `mio. kr.`)."""
    first: dict[str, str] = {}
    for label, key in table.items():
        first.setdefault(key, label)
    return tuple(first.values())


# What KL006 on an unknown unit lists: one spelling of each multiplier.
ACCEPTED_UNITS = first_spellings(UNITS)


# A number cell's amount in kroner, by its float and its column's multiplier, for the amounts that
# raised no finding: the same budget figures recur in a workbook and from one to the next, and
# each new one costs a Decimal made from its repr, scaled and rounded. Bounded, per process.
_PLAIN_KRONER: dict[tuple[float, Decimal | None], Decimal] = {}
_PLAIN_KRONER_SIZE = 1 << 14
_ZERO = Decimal(0)  # a blank cell's amount: one Decimal for all of them


@dataclass(frozen=True, slots=True)
class UnitContext:
    """The workbook's `Enhed`: whether it was given, and its multiplier (None when unreadable)."""

    given: bool
    multiplier: Decimal | None


@dataclass
class Cells:
    """Reads typed values from grids and collects the findings about them."""

    zone: ZoneInfo
    findings: list[Finding] = field(default_factory=list)

    def pending(self, ref: CellRef, what_da: str, what_en: str) -> None:
        self.findings.append(
            KL007.finding(
                ref,
                f"{what_da} er en formel uden gemt resultat: åbn og gem filen i Excel eller "
                "LibreOffice, så resultatet gemmes",
                f"{what_en} is a formula with no stored result: open and save the file in Excel "
                "or LibreOffice so that the result is stored",
            )
        )

    def formula(self, ref: CellRef, what_da: str, what_en: str) -> Value[Any]:
        """KL007 for a cell a check needs, and the value that says so."""
        self.pending(ref, what_da, what_en)
        return Value.pending(ref)

    def unreadable(
        self, ref: CellRef, raw: object, what_da: str, what_en: str, accepted: Sequence[str] = ()
    ) -> None:
        """KL006; `accepted` lists the values the cell may hold, for the message."""
        text = safe(shown(raw))
        da, en = f"{what_da} kan ikke læses: '{text}'", f"{what_en} cannot be read: '{text}'"
        if accepted:
            da += f"; skriv {either(accepted, 'da')}"
            en += f"; write {either(accepted, 'en')}"
        self.findings.append(KL006.finding(ref, da, en, found=text))

    def amount(self, grid: Grid, row: int, col: int, multiplier: Decimal | None) -> Amount:
        """An amount in kroner; blank is 0; None when unreadable or its unit is unknown."""
        raw = grid.get(row, col)
        if type(raw) is float:  # the everyday cell: a number seen before needs no new Decimal
            known = _PLAIN_KRONER.get((raw, multiplier))
            if known is not None:
                return Value(known, grid.name, row, col, None, State.READ)
        if raw == "" or (isinstance(raw, str) and not raw.strip()):
            return Value(_ZERO, grid.name, row, col, None, State.READ)
        ref = grid.ref(row, col)  # the cell's place, for a finding
        if raw is PENDING:
            return self.formula(ref, "Beløbet", "The amount")
        number = number_from_cell(raw)
        as_text = number is None and isinstance(raw, str)
        if as_text:
            number = parse_number_text(str(raw))
        if number is None:
            self.unreadable(ref, raw, "Beløbet", "The amount")
            return Value.reported(ref, shown(raw))
        if multiplier is None:
            return Value.reported(ref, shown(raw))
        if abs(number) * multiplier >= MAX_KRONER:
            self.findings.append(
                KL006.finding(
                    ref,
                    f"Beløbet '{shown(raw)}' er urimeligt stort (mindst {kr(MAX_KRONER)}): "
                    "kontrollér tallet og enheden",
                    f"The amount '{shown(raw)}' is implausibly large (at least "
                    f"{kr(MAX_KRONER, 'en')}): "
                    "check the number and the unit",
                    found=shown(raw),
                    limit=MAX_KRONER,
                )
            )
            return Value.reported(ref, shown(raw))
        value = to_kroner(number, multiplier)
        if as_text:
            text = str(raw).strip()
            self.findings.append(
                KL009.finding(
                    ref,
                    f"Beløbet '{text}' er gemt som tekst og er læst som {kr(value)}",
                    f"The amount '{text}' is stored as text and was read as {kr(value, 'en')}",
                    found=text,
                )
            )
        if value < 0:
            self.findings.append(
                KL010.finding(
                    ref,
                    f"Negativt beløb: {kr(value)}; beløb skal være positive",
                    f"Negative amount: {kr(value, 'en')}; amounts must be positive",
                    found=value,
                    limit=0,
                )
            )
        elif type(raw) is float and raw and len(_PLAIN_KRONER) < _PLAIN_KRONER_SIZE:
            _PLAIN_KRONER[(raw, multiplier)] = value  # not 0.0: -0.0 is equal, and another text
        return Value(value, grid.name, row, col, None, State.READ)

    def number(self, grid: Grid, row: int, col: int, what_da: str, what_en: str) -> Value[Decimal]:
        """A plain number (employees, million EUR); None when blank or unreadable."""
        raw, ref = grid.get(row, col), grid.ref(row, col)
        if raw is PENDING:
            return self.formula(ref, what_da, what_en)
        if raw == "" or (isinstance(raw, str) and not raw.strip()):
            return Value.blank(ref)
        number = number_from_cell(raw)
        if number is None and isinstance(raw, str):
            number = parse_number_text(raw)
        if number is None:
            self.unreadable(ref, raw, what_da, what_en)
            return Value.reported(ref, shown(raw))
        return Value.read(number, ref)

    def date(self, raw: object, ref: CellRef, what_da: str, what_en: str) -> Value[date]:
        if raw is PENDING:
            return self.formula(ref, what_da, what_en)
        if raw == "":
            return Value.blank(ref)
        found = parse_date(raw)
        if found is None:
            self.unreadable(ref, raw, what_da, what_en)
            return Value.reported(ref, shown(raw))
        return Value.read(found, ref, shown(raw))

    def moment(self, raw: object, ref: CellRef, what_da: str, what_en: str) -> Value[datetime]:
        if raw is PENDING:
            return self.formula(ref, what_da, what_en)
        if raw == "":
            return Value.blank(ref)
        found = parse_datetime(raw, self.zone)
        if found is None:
            self.unreadable(ref, raw, what_da, what_en)
            return Value.reported(ref, shown(raw))
        return Value.read(found, ref, shown(raw))

    def cvr(self, raw: object, ref: CellRef) -> Value[str]:
        """A CVR cell as its digits (a number cell, or text with `DK`, spaces or dashes); the text
        as it stands when it is no CVR number at all (the rules say it is invalid). None when
        blank, a formula without a result (KL007) or an error value (KL006)."""
        if raw is PENDING:
            return self.formula(ref, "CVR-nummeret", "The CVR number")
        if isinstance(raw, CellError):
            self.unreadable(ref, raw, "CVR-nummeret", "The CVR number")
            return Value.reported(ref, str(raw))
        text = shown(raw).strip() if raw != "" else ""
        if not text:
            return Value.blank(ref)
        return Value.read(cvr_text(raw) or text, ref, text)

    def unit(self, raw: object, ref: CellRef, what_da: str, what_en: str) -> Decimal | None:
        """A unit text (`1.000 kr.`) as its multiplier; KL006 when unknown."""
        multiplier = parse_unit(shown(raw)) if raw not in ("", PENDING) else None
        if multiplier is None:
            self.unreadable(ref, raw, what_da, what_en, ACCEPTED_UNITS)
        return multiplier

    def column_multiplier(
        self,
        grid: Grid,
        row: int,
        col: int,
        header_unit: str | None,
        context: UnitContext,
        where: tuple[str, str] = ("i overskriften", "in the header"),
    ) -> Decimal | None:
        """The multiplier of an amount column: a unit in its header agrees with `Enhed` (and
        scales once), stands alone when there is no `Enhed`, or is KL006 when it contradicts."""
        if header_unit is None:
            return context.multiplier if context.given else Decimal(1)
        ref = grid.ref(row, col)
        own = self.unit(header_unit, ref, f"Enheden {where[0]}", f"The unit {where[1]}")
        if own is None or not context.given:
            return own
        if context.multiplier is not None and own != context.multiplier:
            text = shown(grid.get(row, col))
            self.findings.append(
                KL006.finding(
                    ref,
                    f"Enheden {where[0]} '{text}' strider mod arbejdsbogens Enhed",
                    f"The unit {where[1]} '{text}' contradicts the workbook's Enhed (unit)",
                    found=text,
                )
            )
            return None
        return context.multiplier
