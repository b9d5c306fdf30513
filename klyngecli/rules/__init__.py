"""The rules: one function per code, registered by `@rule`, its docstring the text of
`klynge explain`. Rules take the application and the call, and yield findings; they never read
files and never raise for missing data (the reader has reported it)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from klyngecli.callspec import Call
from klyngecli.findings import Code, Finding, Severity, Where, declare
from klyngecli.model import Application


@dataclass(frozen=True)
class Context:
    """What a rule may know besides the application."""

    call: Call
    submitted_at: datetime | None  # --submitted-at, aware
    now: datetime  # aware; for KL506's "is the call still open"


Check = Callable[[Application, Context], Iterator[Finding]]


class Rule:
    """A registered rule: its code's declaration and its check."""

    def __init__(self, code: Code, check: Check) -> None:
        self.code = code
        self.check = check

    def __call__(self, app: Application, ctx: Context) -> Iterator[Finding]:
        return self.check(app, ctx)

    def finding(self, where: Where, da: str, en: str, **details: object) -> Finding:
        return self.code.finding(where, da, en, **details)  # type: ignore[arg-type]


RULES: dict[str, Rule] = {}


def rule(
    code: str, severity: Severity, title_da: str, title_en: str, params: tuple[str, ...] = ()
) -> Callable[[Check], Rule]:
    """Register a check under its code; the function's docstring is the rule's documentation,
    `params` the call parameters it uses (shown by `klynge explain`)."""

    def register(check: Check) -> Rule:
        doc = inspect.cleandoc(check.__doc__ or "")
        declared = declare(code, severity, title_da, title_en, doc, params)
        RULES[code] = Rule(declared, check)
        return RULES[code]

    return register


def load_all() -> dict[str, Rule]:
    """Import every rule family so that RULES is complete."""
    from klyngecli.rules import (  # noqa: F401
        applicant,
        caps,
        consistency,
        crossfile,
        mix,
        period,
        sme,
    )

    return RULES
