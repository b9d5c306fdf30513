"""Reporters: each renders the same Report model to text; `REPORTERS` maps a format to one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from klyngecli.report import Report


@dataclass(frozen=True)
class Style:
    """How the user wants the report: language, colour, width, detail."""

    lang: str = "da"
    color: bool = False
    width: int = 100
    quiet: bool = False
    verbose: bool = False


Reporter = Callable[[Report, Style], str]


def reporters() -> dict[str, Reporter]:
    from klyngecli.reporters import json, text

    return {"text": text.render, "json": json.render}
