"""Figures several rules share, computed from the model and the call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from klyngecli.callspec import Call, Grant
from klyngecli.model import (
    Application,
    Category,
    Collaboration,
    GrantType,
    Line,
    Source,
    Table,
    total,
)
from klyngecli.rules import Context
from klyngecli.vocabulary import SOURCE_LABELS

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


# --- Which applications a rule is about (`@rule(applies=...)`) -------------------------------


def for_grant(kind: GrantType) -> Callable[[Application, Context], bool]:
    """A rule about one grant type only (KL201, KL202)."""

    def applies(app: Application, ctx: Context) -> bool:
        return app.grant is kind

    return applies


def grant_where(wanted: Callable[[Grant], object]) -> Callable[[Application, Context], bool]:
    """A rule about the grant types whose parameters in the call ask for it: KL402 where the
    call says `requires_collaborations`, KL302 where it forbids a source."""

    def applies(app: Application, ctx: Context) -> bool:
        grant = grant_of(app, ctx.call)
        return grant is not None and bool(wanted(grant))

    return applies


def with_grant(app: Application, ctx: Context) -> bool:
    """A rule that needs the grant type (its cap, its DEB sources)."""
    return grant_of(app, ctx.call) is not None


def with_collaborations(app: Application, ctx: Context) -> bool:
    """A rule about the rows of SMV-samarbejder: only when the workbook has that sheet."""
    return app.collaborations is not None


# --- The SME grants: KL401 is the root cause, KL105 and KL102 its consequences ---------------


def sme_cut(c: Collaboration, call: Call) -> tuple[Decimal, Decimal] | None:
    """KL401's fix of one collaboration: the largest allowed Tilskud and the cut to reach it;
    None when the Tilskud is within the ceiling (or cannot be read)."""
    rd, grant = c.rd_costs.value, c.grant.value
    ceiling = call.sme_ceiling.value
    if rd is None or grant is None or grant <= rd * ceiling:
        return None
    allowed = floor_ore(rd * ceiling)
    return allowed, grant - allowed


@dataclass(frozen=True)
class SmeLine:
    """KL105's two sides: the Budget line `Tilskud til SMV-samarbejder` (all years) and the
    collaborations' Tilskud + Overhead, and what that line must be once every KL401 is fixed."""

    budgeted: Decimal
    passed_on: Decimal
    cuts: Decimal  # the sum of KL401's cuts

    @property
    def settled(self) -> Decimal:
        return self.passed_on - self.cuts


def sme_line(app: Application, call: Call) -> SmeLine | None:
    """The SME grant line and the collaborations, where KL105 compares them (the call requires
    collaborations for the grant type) and both are known."""
    grant = grant_of(app, call)
    if grant is None or not grant.requires_collaborations or app.budget is None:
        return None
    collaborations = app.collaborations
    if collaborations is None:
        return None
    budgeted = app.budget.sum_of(Category.SME_GRANTS)
    passed_on = total(a for c in collaborations.rows for a in (c.grant, c.overhead))
    if budgeted is None or passed_on is None:
        return None
    cuts = sum((cut[1] for c in collaborations.rows if (cut := sme_cut(c, call))), Decimal(0))
    return SmeLine(budgeted, passed_on, cuts)


def settled_costs(app: Application, call: Call) -> Decimal | None:
    """The total costs once KL401 and KL105 are fixed: the SME grant line set to the
    collaborations' Tilskud + Overhead after KL401's cuts. KL102 compares the financing with
    this, so that its fix agrees with theirs."""
    if app.budget is None:
        return None
    costs = app.budget.sum_all()
    line = sme_line(app, call)
    if costs is None or line is None:
        return costs
    return costs + line.settled - line.budgeted


def balanced(app: Application, call: Call) -> bool:
    """Costs and financing agree now (no KL102), so a fix that changes the costs must change
    the financing with it."""
    if app.budget is None or app.financing is None:
        return False
    costs, funding = app.budget.sum_all(), app.financing.sum_all()
    return costs is not None and funding is not None and not exceeds(costs, funding, call)


def cvr_problem(digits: str) -> tuple[str, str]:
    """Why a CVR number is invalid, then what is accepted (KL405, KL601)."""
    if not (digits.isascii() and digits.isdigit()):
        why = ("det indeholder andet end cifre", "it has characters other than digits")
    elif len(digits) != 8:
        why = (f"det har {len(digits)} cifre", f"it has {len(digits)} digits")
    elif digits[0] == "0":
        why = ("det begynder med 0", "it starts with 0")
    else:
        why = ("kontrolcifferet passer ikke", "the check digit does not match")
    return (
        f"{why[0]}; et CVR-nummer er 8 cifre med et kontrolciffer (modulus 11)",
        f"{why[1]}; a CVR number is 8 digits with a check digit (modulus 11)",
    )
