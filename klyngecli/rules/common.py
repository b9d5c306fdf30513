"""Figures several rules share, computed from the model and the call."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from klyngecli.callspec import Call, Grant
from klyngecli.model import Application, GrantType, Line, Source, Table, total
from klyngecli.reader.labels import SOURCE_LABELS

ORE = Decimal("0.01")

# A grant type in a message: (da, en with its article).
GRANT_NAMES = {
    GrantType.INNOVATION: ("innovationsbevilling", "an innovation grant"),
    GrantType.BASIS: ("basisbevilling", "a basis grant"),
}


def grant_of(app: Application, call: Call) -> Grant | None:
    """The call's parameters for the application's grant type, when it is known."""
    kind = app.grant
    return call.grants.get(kind) if kind is not None else None


def deb_request(app: Application, call: Call) -> Decimal | None:
    """The sum of the financing rows whose source counts as a DEB request, over all years."""
    grant = grant_of(app, call)
    if grant is None or app.financing is None or app.financing.unlabelled_money:
        return None
    return total(
        amount
        for line in app.financing.lines
        if line.key in grant.deb_sources
        for amount in line.all_amounts()
    )


def first_line(table: Table, key: str) -> Line | None:
    lines = table.lines_with(key)
    return lines[0] if lines else None


def floor_ore(amount: Decimal) -> Decimal:
    """Round down to øre: the largest allowed amount never rounds up over a ceiling."""
    return amount.quantize(ORE, rounding=ROUND_DOWN)


def exceeds(found: Decimal, allowed: Decimal, call: Call) -> bool:
    """Two sums differ by more than the call's tolerance (`tolerance_kr`)."""
    return abs(found - allowed) > call.tolerance_kr.value


def source_name(source: str) -> str:
    """A financing source by the name the workbook template uses for it."""
    return SOURCE_LABELS[Source(source)][0]


def joined(items: Sequence[str], lang: str) -> str:
    """`A`, `A og B`, `A, B og C` (da) / `A and B` (en)."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {'og' if lang == 'da' else 'and'} {items[-1]}"
