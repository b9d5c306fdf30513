"""The one table of rules (code → rule) and of every finding code, complete on import.

A new rule is a function in its family module, listed in that module's `FAMILY`; a new family
is one more entry in `FAMILIES`. `CODES` adds the codes no per-file rule emits: the reader's
KL0xx, the batch's KL204 and KL900 (the checker failed)."""

from __future__ import annotations

from klyngecli import codes as reader
from klyngecli.findings import KL900, Code
from klyngecli.rules import Rule, applicant, caps, consistency, mix, period, sme
from klyngecli.rules.crossfile import KL204

FAMILIES: tuple[tuple[Rule, ...], ...] = (
    consistency.FAMILY,
    caps.FAMILY,
    mix.FAMILY,
    sme.FAMILY,
    period.FAMILY,
    applicant.FAMILY,
)


def _table(families: tuple[tuple[Rule, ...], ...]) -> dict[str, Rule]:
    rules = [r for family in families for r in family]
    table = {r.code.code: r for r in rules}
    if len(table) != len(rules):
        raise ValueError("a rule is listed twice")
    return dict(sorted(table.items()))


# Per-file rules in code order, the order they run in.
RULES: dict[str, Rule] = _table(FAMILIES)

FILE_CODES: tuple[Code, ...] = (
    reader.KL001,
    reader.KL002,
    reader.KL003,
    reader.KL004,
    reader.KL005,
    reader.KL006,
    reader.KL007,
    reader.KL008,
    reader.KL009,
    reader.KL010,
    reader.KL011,
    KL204,
    KL900,
)

# Every code there is, in code order: what `klynge rules`, the docs and the reporters list.
CODES: dict[str, Code] = dict(
    sorted({**{c.code: c for c in FILE_CODES}, **{k: r.code for k, r in RULES.items()}}.items())
)
