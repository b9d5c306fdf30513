"""The rules: one function per code, wrapped by `@rule`, its docstring the text of
`klynge explain`. Rules take the application and what they may know of the check (`Context`),
and yield findings; they never read files and never raise for missing data (the reader has
reported it).

A docstring is a template: `{grants.innovation.cap}`, `{sme_ceiling}`, `{deadline}` name the
call's parameters by their dotted path (as `params` does) and `klynge explain` fills them from the
active call, so no number of a call is written in the code. Each family module lists its rules
in `FAMILY`; `klyngecli.rules.registry` builds the one table of them."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Protocol

from klyngecli.callspec import Call
from klyngecli.findings import Code, Finding, Severity, Where, declare
from klyngecli.model import Application


class Context(Protocol):
    """What a rule may know besides the application: the engine's `Options` is one."""

    @property
    def call(self) -> Call: ...

    @property
    def submitted_at(self) -> datetime | None:  # --submitted-at, aware
        ...

    @property
    def now(self) -> datetime:  # aware; for KL506's "is the call still open"
        ...


Check = Callable[[Application, Context], Iterator[Finding]]
Applies = Callable[[Application, Context], bool]


def always(app: Application, ctx: Context) -> bool:
    """A rule about every application."""
    return True


class Rule:
    """A rule: its code's declaration, its check, and whether it is about an application at all
    (`applies`: a basis application is not checked by an innovation-only rule, so `-v` does not
    list that rule as passed)."""

    def __init__(self, code: Code, check: Check, applies: Applies = always) -> None:
        self.code = code
        self.check = check
        self.applies = applies

    def __call__(self, app: Application, ctx: Context) -> Iterator[Finding]:
        return self.check(app, ctx)

    def finding(self, where: Where, da: str, en: str, **details: object) -> Finding:
        return self.code.finding(where, da, en, **details)  # type: ignore[arg-type]


def rule(
    code: str,
    severity: Severity,
    title_da: str,
    title_en: str,
    params: tuple[str, ...] = (),
    applies: Applies = always,
) -> Callable[[Check], Rule]:
    """Declare a code and wrap its check; the function's docstring is the rule's documentation,
    `params` the call parameters it uses (shown by `klynge explain`), `applies` whether the rule
    is about an application (its grant type under the call, the sheet it checks). The rule is not
    run until its family's `FAMILY` lists it and the registry takes it."""

    def wrap(check: Check) -> Rule:
        doc = inspect.cleandoc(check.__doc__ or "")
        return Rule(declare(code, severity, title_da, title_en, doc, params), check, applies)

    return wrap
