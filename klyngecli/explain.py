"""The texts of `klynge rules`, `klynge explain` and `klynge calls`, from the code catalogue and
the call; README and docs are tested against them, so they cannot drift.

A rule's documentation is a template (`Code.text` gives it raw): `{dotted.path}` names a
parameter of the call, filled here from the active call in the reader's language, each kind
its own way: kroner `23.000.000 kr.`, fractions `70 %`, date-times in the call's local time
`13. august 2024 kl. 12.00` / `13 August 2024 12:00`, counts plain. `{title}` and `{authority}`
are the call's names. A name the call does not have is an error, caught by the registry test."""

from __future__ import annotations

import re
import textwrap
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from klyngecli.callspec import Call, Param
from klyngecli.findings import Code, kr, number, pct
from klyngecli.model import GrantType, Source
from klyngecli.rules.common import joined, source_name
from klyngecli.rules.registry import CODES

PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}(\.?)")  # and the full stop after it, if any
WIDTH = 96  # the docstrings' own width
# An amount and its unit stay on one line when a paragraph is wrapped again: `1 kr.`, `70 %`,
# `50 mio. EUR`, `kl. 12.00`; in English `DKK 1`, `EUR 50 million`.
_UNIT_SPACE = re.compile(
    r"(?:(?<=\d)|(?<=mio\.)) (?=kr\.|%|mio\.|EUR|million)|(?<=kl\.|DKK|EUR) (?=\d)"
)
_GLUE = "\x00"
_DATE = re.compile(r"\d{1,2}\.? \w+ \d{4}(?: (?:kl\. )?\d\d[.:]\d\d)?")  # kept on one line too
MISSING = "–"  # a parameter this call does not set (a grant type it does not offer)

_MONTHS = {
    "da": "januar februar marts april maj juni juli august september oktober november december",
    "en": "January February March April May June July August September October November December",
}
_YES_NO = {"da": ("ja", "nej"), "en": ("yes", "no")}
# The keys a call's tables may have: a grant type the call does not offer shows as MISSING.
_KEYS: dict[str, type[StrEnum]] = {"grants": GrantType, "source_pools": Source}


class UnknownPlaceholder(ValueError):
    """A template names something the call does not have."""


def catalogue() -> dict[str, Code]:
    """Every code there is, sorted."""
    return CODES


def rule_table(lang: str) -> str:
    lines = [f"{c.code}  {c.severity.word(lang):<8} {c.title(lang)}" for c in catalogue().values()]
    return "\n".join(lines) + "\n"


def lookup_param(call: Call, dotted: str) -> tuple[Any, str]:
    """A parameter's value and source, from a dotted path such as `grants.basis.cap`."""
    node: Any = call
    parent: Any = None
    name = dotted
    for name in dotted.split("."):
        parent = node
        node = node[name] if isinstance(node, dict) else getattr(node, name)
    if isinstance(node, Param):
        return node.value, node.source
    source = getattr(parent, f"{name}_source", "") if parent is not None else ""
    return node, source


# --- Filling a rule's documentation from the call ----------------------------------------------


def placeholders(template: str) -> list[str]:
    """The dotted names a template uses, in order."""
    return [match.group(1) for match in PLACEHOLDER.finditer(template)]


def _has_field(node: Any, name: str) -> bool:
    """`name` is a declared field of the call or of a part of it (dataclasses)."""
    return is_dataclass(node) and name in {f.name for f in fields(node)}


def param_text(call: Call, dotted: str, lang: str) -> str:
    """One parameter of the call as the documentation shows it."""
    if dotted == "title":
        return call.title(lang)
    if dotted == "authority":
        return call.authority
    node: Any = call
    field = ""
    for name in dotted.split("."):
        if isinstance(node, dict):
            keys = _KEYS.get(field)
            if keys is None or name not in {k.value for k in keys}:
                raise UnknownPlaceholder(f"{{{dotted}}}: {field} has no {name!r}")
            if name not in node:
                return MISSING
            node = node[name]
        elif _has_field(node, name):
            node = getattr(node, name)
        else:
            raise UnknownPlaceholder(f"{{{dotted}}}: the call has no {name!r} there")
        field = name
    return _shown(field, node, lang, dotted)


def _shown(name: str, value: Any, lang: str, dotted: str) -> str:
    if isinstance(value, Param):
        value = value.value
    if isinstance(value, bool):
        return _YES_NO[lang][0 if value else 1]
    if isinstance(value, datetime):
        clock = f"kl. {value:%H.%M}" if lang == "da" else f"{value:%H:%M}"
        return f"{_day(value, lang)} {clock}"
    if isinstance(value, date):
        return _day(value, lang)
    if isinstance(value, int):
        return str(value)  # a count: months, employees
    if isinstance(value, Decimal):  # the name says which kind: the call's schema has one type
        if name.endswith("_ceiling"):
            return pct(value, lang)
        if name.endswith("_meur"):
            meur = number(value, lang)
            return f"EUR {meur} million" if lang == "en" else f"{meur} mio. EUR"
        return kr(value, lang)
    if isinstance(value, tuple) and all(isinstance(v, Source) for v in value):
        return joined([source_name(v) for v in value], lang) or MISSING
    if isinstance(value, dict) and all(isinstance(k, Source) for k in value):
        word = "fra" if lang == "da" else "from"
        parts = [f"{kr(amount, lang)} {word} {source_name(s)}" for s, amount in value.items()]
        return joined(parts, lang) or MISSING
    if isinstance(value, str):
        return value
    raise UnknownPlaceholder(f"{{{dotted}}}: not a value a text can show")


def _day(day: date, lang: str) -> str:
    month = _MONTHS[lang].split()[day.month - 1]
    return f"{day.day}. {month} {day.year}" if lang == "da" else f"{day.day} {month} {day.year}"


def fill(template: str, call: Call, lang: str) -> str:
    """The template with every `{dotted.path}` replaced by the call's value; a paragraph that
    had one is wrapped again, so that the text reads as if it had been written for the call."""

    def value(match: re.Match[str]) -> str:
        text = param_text(call, match.group(1), lang)
        if _DATE.fullmatch(text):
            text = text.replace(" ", _GLUE)
        stop = match.group(2)  # `{cap}.` after `23.000.000 kr.` is one full stop, not two
        return text if text.endswith(".") and stop == "." else text + stop

    paragraphs = template.split("\n\n")
    for i, paragraph in enumerate(paragraphs):
        if PLACEHOLDER.search(paragraph):
            filled = _UNIT_SPACE.sub(_GLUE, " ".join(PLACEHOLDER.sub(value, paragraph).split()))
            paragraphs[i] = textwrap.fill(
                filled, WIDTH, break_long_words=False, break_on_hyphens=False
            ).replace(_GLUE, " ")
    return "\n\n".join(paragraphs)


def rule_text(code: Code, call: Call, lang: str) -> str:
    """A code's documentation in one language, with the call's numbers and names."""
    return fill(code.text(lang), call, lang)


# --- The commands' texts -----------------------------------------------------------------------


def _show(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v, lang)}" for k, v in value.items()) or "-"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "-"
    if hasattr(value, "as_integer_ratio") and not isinstance(value, float | int):
        return kr(value, lang) if abs(value) >= 1000 else str(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1000:
        return kr(value, lang)  # type: ignore[arg-type]
    return str(value)


def describe_rule(code: str, call: Call, lang: str) -> str | None:
    """What the rule checks, why (the call's wording and its source), the active call's
    parameters, and how to fix it; None for an unknown code."""
    declared = catalogue().get(code)
    if declared is None:
        return None
    heading = f"{declared.code} ({declared.severity.word(lang)}): {declared.title(lang)}"
    parts = [heading, "=" * len(heading), "", rule_text(declared, call, lang), ""]
    if declared.params:
        parts.append(f"Parametre i {call.id}:" if lang == "da" else f"Parameters of {call.id}:")
        for dotted in declared.params:
            value, source = lookup_param(call, dotted)
            parts.append(f"  {dotted} = {_show(value, lang)}" + (f"  ({source})" if source else ""))
        parts.append("")
    return "\n".join(parts)


def describe_call(call: Call, lang: str) -> str:
    label = {
        "da": ("Frist", "Åbner", "Programperiode", "Loft", "Pulje", "Højst", "måneder"),
        "en": ("Deadline", "Opens", "Programme period", "Cap", "Pool", "At most", "months"),
    }[lang]
    lines = [
        f"{call.id}: {call.title(lang)} ({call.authority})",
        f"  {label[1]}: {call.opens_at:%d-%m-%Y %H:%M}   {label[0]}: "
        f"{call.deadline_at:%d-%m-%Y %H:%M} ({call.timezone.value})",
        f"  {label[2]}: {call.programme_start.value:%d-%m-%Y} – "
        f"{call.programme_end.value:%d-%m-%Y}, {label[5].lower()} "
        f"{call.max_project_months.value} {label[6]}",
    ]
    for kind, grant in call.grants.items():
        cap, pool = kr(grant.cap, lang), kr(grant.pool, lang)
        lines.append(f"  {kind.value}: {label[3]} {cap}, {label[4]} {pool}")
    return "\n".join(lines) + "\n\n"
