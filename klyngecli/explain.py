"""The texts of `klynge rules`, `klynge explain` and `klynge calls`, from the rule catalogue and
the call; README and docs are tested against them, so they cannot drift."""

from __future__ import annotations

from typing import Any

from klyngecli.callspec import Call, Param
from klyngecli.engine import KL900
from klyngecli.findings import CATALOG, Code, kr
from klyngecli.rules import load_all

_ = KL900  # declared by the engine; imported so that the catalogue is complete


def catalogue() -> dict[str, Code]:
    """Every declared code, sorted."""
    load_all()
    return dict(sorted(CATALOG.items()))


def rule_table(lang: str) -> str:
    lines = [f"{c.code}  {c.severity.value:<8} {c.title(lang)}" for c in catalogue().values()]
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


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) or "-"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "-"
    if hasattr(value, "as_integer_ratio") and not isinstance(value, float | int):
        return kr(value) if abs(value) >= 1000 else str(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1000:
        return kr(value)  # type: ignore[arg-type]
    return str(value)


def describe_rule(code: str, call: Call, lang: str) -> str | None:
    """What the rule checks, why (the call's wording and its source), the active call's
    parameters, and how to fix it; None for an unknown code."""
    declared = catalogue().get(code)
    if declared is None:
        return None
    heading = f"{declared.code} ({declared.severity.value}): {declared.title(lang)}"
    parts = [heading, "=" * len(heading), "", declared.text(lang), ""]
    if declared.params:
        parts.append(f"Parametre i {call.id}:" if lang == "da" else f"Parameters of {call.id}:")
        for dotted in declared.params:
            value, source = lookup_param(call, dotted)
            parts.append(f"  {dotted} = {_show(value)}" + (f"  ({source})" if source else ""))
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
        lines.append(f"  {kind.value}: {label[3]} {kr(grant.cap)}, {label[4]} {kr(grant.pool)}")
    return "\n".join(lines) + "\n\n"
