"""Figures several rules share, computed from the model and the call."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from klyngecli.callspec import Call, Grant
from klyngecli.model import Application, Line, Table, total

ORE = Decimal("0.01")


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
    """Two sums differ by more than the call's tolerance (1 kr.)."""
    return abs(found - allowed) > call.tolerance_kr.value
