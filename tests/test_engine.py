"""The engine: one file through read → rules → findings; the result is a plain value."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from klyngecli.callspec import load_call
from klyngecli.engine import Options, check_file
from klyngecli.findings import Finding
from klyngecli.model import Application
from klyngecli.rules import Context, Rule
from klyngecli.rules.registry import RULES
from tests.conftest import SAMPLES

CALL = load_call()
OPTIONS = Options(call=CALL, now=datetime(2026, 1, 1, tzinfo=CALL.zone))


@pytest.mark.parametrize("workbook", sorted(SAMPLES.glob("*.xlsx")), ids=lambda p: p.stem)
def test_the_result_of_a_file_survives_a_process_boundary(workbook: Path) -> None:
    result = check_file(workbook, OPTIONS)
    assert pickle.loads(pickle.dumps(result)) == result


def test_a_rule_that_raises_costs_only_its_own_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    declared = RULES["KL401"].code

    def broken(app: Application, ctx: Context) -> Iterator[Finding]:
        raise ZeroDivisionError("a bug in a rule")

    monkeypatch.setitem(RULES, "KL401", Rule(declared, broken))
    result = check_file(SAMPLES / "indsendt-for-sent.xlsx", OPTIONS)
    codes = [f.code for f in result.findings]
    assert codes == ["KL900", "KL501"]  # the file-level KL900 first, the other rules still ran
    crash = result.findings[0]
    assert "KL401" in crash.message_en and "ZeroDivisionError" in crash.message_en
    assert result.verdict == "failed"


def test_the_options_are_the_rules_context_and_cross_a_process_boundary() -> None:
    # One object: the rules read call, submitted_at and now from the engine's Options.
    assert pickle.loads(pickle.dumps(OPTIONS)) == OPTIONS
    seen: list[object] = []

    def spy(app: Application, ctx: Context) -> Iterator[Finding]:
        seen.append(ctx)
        return iter(())

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(RULES, "KL401", Rule(RULES["KL401"].code, spy))
        check_file(SAMPLES / "indsendt-for-sent.xlsx", OPTIONS)
    assert len(seen) == 1 and seen[0] is OPTIONS
