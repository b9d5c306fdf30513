"""The rule registry is complete and consistent: every code is declared once, documented in both
languages, its call parameters exist in the call, and the test suite triggers it."""

from __future__ import annotations

import re

import pytest

from klyngecli.callspec import load_call
from klyngecli.explain import catalogue, lookup_param
from klyngecli.rules import load_all
from tests.conftest import REPO

CODES = list(catalogue())
TEST_TEXT = "\n".join(
    p.read_text("utf-8")
    for p in (REPO / "tests").glob("test_*.py")
    if p.name.startswith(("test_rules_", "test_safety", "test_corpus", "test_batch"))
)


def test_every_code_of_the_issue_is_declared() -> None:
    expected = {f"KL{n:03d}" for n in range(1, 12)}
    expected |= {"KL101", "KL102", "KL103", "KL104", "KL105", "KL106"}
    expected |= {"KL201", "KL202", "KL203", "KL204", "KL205", "KL301", "KL302", "KL303", "KL304"}
    expected |= {f"KL40{n}" for n in range(1, 7)} | {f"KL50{n}" for n in range(1, 7)}
    expected |= {"KL601", "KL602", "KL603", "KL900"}
    assert set(CODES) == expected


def test_every_check_is_registered_under_a_declared_code() -> None:
    rules = load_all()
    assert set(rules) <= set(CODES)
    assert all(rule.code.code == code for code, rule in rules.items())


@pytest.mark.parametrize("code", CODES)
def test_call_parameters_of_each_rule_exist(code: str) -> None:
    call = load_call()
    for dotted in catalogue()[code].params:
        value, source = lookup_param(call, dotted)
        assert value is not None and source, dotted


@pytest.mark.parametrize("code", [c for c in CODES if c != "KL900"])
def test_the_rule_tests_trigger_each_code(code: str) -> None:
    # A triggering test asserts the code as an expected result, e.g. ["KL401"] or only("KL401").
    pattern = rf"""(\[\s*|only\(\s*|== \s*|codes\s*==.*)["']{code}["']"""
    assert re.search(pattern, TEST_TEXT), f"no test asserts {code}"
