"""Reporters: each renders the same Report to a text stream. `FORMATS` is the one table of
formats that the CLI and the docs read; a reporter's module is imported only when it is used."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from klyngecli.report import Report


@dataclass(frozen=True)
class Style:
    """How the user wants the report: language, colour, width, detail."""

    lang: str = "da"
    color: bool = False
    width: int = 100
    quiet: bool = False
    verbose: bool = False
    statistics: bool = False  # --statistics: a count per code, like ruff


Reporter = Callable[[Report, Style, TextIO], None]

# format → (module, one line for the docs and --help)
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("klyngecli.reporters.text", "colour-coded report for people (default)"),
    "json": ("klyngecli.reporters.json", "one JSON document, schema klyngecli/report/3"),
    "junit": ("klyngecli.reporters.junit", "JUnit XML: a test suite per file"),
    "sarif": ("klyngecli.reporters.sarif", "SARIF 2.1.0 for code-scanning tools"),
    "github": ("klyngecli.reporters.github", "GitHub Actions workflow annotations"),
    "csv": ("klyngecli.reporters.csv", "a row per finding, spreadsheet-safe"),
    "markdown": ("klyngecli.reporters.markdown", "a summary for a pull-request comment"),
    "html": ("klyngecli.reporters.html", "one self-contained page (charts, sortable summary)"),
}


def reporter(name: str) -> Reporter:
    """The render function of a format (a key of FORMATS)."""
    module = importlib.import_module(FORMATS[name][0])
    render: Reporter = module.render
    return render
