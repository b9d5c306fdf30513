"""Shared test helpers: run the real `klynge` CLI on real workbooks and read its JSON report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from klyngecli.cli import app

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_budgets"


@dataclass
class Checked:
    """The outcome of one `klynge check --format json` run."""

    exit_code: int
    report: dict[str, Any]
    stderr: str

    @property
    def findings(self) -> list[dict[str, Any]]:
        return [f for file in self.report["files"] for f in file["findings"]]

    @property
    def codes(self) -> list[str]:
        return sorted(f["code"] for f in self.findings)

    def at(self, code: str) -> list[str]:
        """The locations (Sheet!Cell) of the findings with this code."""
        return sorted(f["location"] for f in self.findings if f["code"] == code)

    def only(self, code: str) -> dict[str, Any]:
        """The single finding with this code (fails when there are none or several)."""
        found = [f for f in self.findings if f["code"] == code]
        assert len(found) == 1, f"expected one {code}, got {self.codes}"
        return found[0]


def run_check(*args: str | Path) -> Checked:
    """`klynge check ARGS --format json` through the real CLI (typer's CliRunner)."""
    runner = CliRunner()
    result = runner.invoke(app, ["check", *map(str, args), "--format", "json"])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    return Checked(result.exit_code, report, result.stderr)


@pytest.fixture
def check() -> Any:
    return run_check
