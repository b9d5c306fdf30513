"""The rule registry is complete and consistent: every code is declared once, documented in both
languages, its call parameters exist in the call, and the test suite triggers it. Its
documentation is a template of the call: every placeholder names a parameter the rule lists,
and no text of the code writes a number or name of the call itself."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from types import ModuleType

import pytest

from klyngecli.callspec import load_call
from klyngecli.explain import (
    MISSING,
    UnknownPlaceholder,
    catalogue,
    lookup_param,
    param_text,
    placeholders,
    rule_text,
)
from klyngecli.findings import CATALOG, Code, Severity
from klyngecli.model import GrantType
from klyngecli.rules import Rule, applicant, caps, consistency, mix, period, sme
from klyngecli.rules.registry import CODES, FILE_CODES, RULES
from tests.conftest import REPO

CALL = load_call()
CODES_LIST = list(catalogue())
TEST_TEXT = "\n".join(
    p.read_text("utf-8")
    for p in (REPO / "tests").glob("test_*.py")
    if p.name.startswith(("test_rules_", "test_safety", "test_corpus", "test_batch"))
)
FAMILY_MODULES = (applicant, caps, consistency, mix, period, sme)
NAMES = {"title", "authority"}  # the call's names: not parameters with a source


def test_every_code_of_the_issue_is_declared() -> None:
    expected = {f"KL{n:03d}" for n in range(1, 12)}
    expected |= {"KL101", "KL102", "KL103", "KL104", "KL105", "KL106"}
    expected |= {"KL201", "KL202", "KL203", "KL204", "KL205", "KL301", "KL302", "KL303", "KL304"}
    expected |= {f"KL40{n}" for n in range(1, 7)} | {f"KL50{n}" for n in range(1, 7)}
    expected |= {"KL601", "KL602", "KL603", "KL900"}
    assert set(CODES_LIST) == expected


def test_every_check_is_registered_under_a_declared_code() -> None:
    assert set(RULES) <= set(CODES_LIST)
    assert all(rule.code.code == code for code, rule in RULES.items())
    assert set(RULES) | {c.code for c in FILE_CODES} == set(CODES)


def test_the_table_is_the_catalogue() -> None:
    # Nothing declares a code the registry does not know of, and the same object is in both.
    assert CODES.keys() == CATALOG.keys()
    assert all(CODES[code] is CATALOG[code] for code in CODES)


def test_rules_run_in_code_order() -> None:
    assert list(RULES) == sorted(RULES)
    assert list(CODES) == sorted(CODES)


@pytest.mark.parametrize("module", FAMILY_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_rule_of_a_family_is_listed_in_it(module: ModuleType) -> None:
    defined = {v for v in vars(module).values() if isinstance(v, Rule)}
    assert defined == set(module.FAMILY)
    assert all(RULES[r.code.code] is r for r in defined)


def test_the_registry_is_complete_on_import_alone() -> None:
    # A fresh interpreter: nothing else imported first (the bug of commit d7da201).
    program = (
        "from klyngecli.rules.registry import CODES, RULES\n"
        "from klyngecli.findings import CATALOG\n"
        "print(len(RULES), len(CODES), sorted(CATALOG) == sorted(CODES))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.split() == [str(len(RULES)), str(len(CODES)), "True"]


@pytest.mark.parametrize("code", CODES_LIST)
def test_call_parameters_of_each_rule_exist(code: str) -> None:
    for dotted in catalogue()[code].params:
        value, source = lookup_param(CALL, dotted)
        assert value is not None and source, dotted


@pytest.mark.parametrize("code", [c for c in CODES_LIST if c != "KL900"])
def test_the_rule_tests_trigger_each_code(code: str) -> None:
    # A triggering test asserts the code as an expected result, e.g. ["KL401"] or only("KL401").
    pattern = rf"""(\[\s*|only\(\s*|== \s*|codes\s*==.*)["']{code}["']"""
    assert re.search(pattern, TEST_TEXT), f"no test asserts {code}"


# --- The documentation is a template of the call ---------------------------------------------


@pytest.mark.parametrize("code", CODES_LIST)
@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_placeholder_is_filled_from_the_call(code: str, lang: str) -> None:
    template = catalogue()[code].text(lang)
    text = rule_text(catalogue()[code], CALL, lang)  # raises on a name the call has not
    assert "{" not in text and "}" not in text and "\x00" not in text
    assert all(param_text(CALL, p, lang) != MISSING for p in placeholders(template))


@pytest.mark.parametrize("code", CODES_LIST)
def test_every_placeholder_is_a_parameter_the_rule_lists(code: str) -> None:
    # So `klynge explain` shows each number of the text with its source below it.
    declared = catalogue()[code]
    assert set(placeholders(declared.doc)) - NAMES <= set(declared.params)


@pytest.mark.parametrize(
    "placeholder",
    [
        pytest.param("grants.innovation.kap", id="misspelt-field"),
        pytest.param("grants.extra.cap", id="grant-type-the-model-has-not"),
        pytest.param("sme_celing", id="misspelt-parameter"),
        pytest.param("grants", id="a-table-not-a-value"),
        pytest.param("grants.innovation", id="a-grant-not-a-value"),
        pytest.param("deadline.value.year", id="inside-a-value"),
        pytest.param("zone", id="a-property-not-a-parameter"),
    ],
)
def test_an_unknown_placeholder_fails(placeholder: str) -> None:
    code = Code("KL999", Severity.ERROR, "x", "x", f"What it does: {{{placeholder}}}.")
    with pytest.raises(UnknownPlaceholder):
        rule_text(code, CALL, "en")


def test_a_grant_type_the_call_does_not_offer_shows_a_dash() -> None:
    innovation_only = CALL.model_copy(
        update={"grants": {GrantType.INNOVATION: CALL.grants[GrantType.INNOVATION]}}
    )
    assert param_text(innovation_only, "grants.basis.cap", "en") == "–"
    assert param_text(innovation_only, "grants.innovation.cap", "en") == "DKK 23,000,000"


@pytest.mark.parametrize(
    ("dotted", "da", "en"),
    [
        pytest.param("grants.innovation.cap", "23.000.000 kr.", "DKK 23,000,000", id="kroner"),
        pytest.param("tolerance_kr", "1 kr.", "DKK 1", id="kroner-small"),
        pytest.param("sme_ceiling", "70 %", "70 %", id="fraction-as-percent"),
        pytest.param("sme_max_turnover_meur", "50 mio. EUR", "EUR 50 million", id="mio-eur"),
        pytest.param("max_project_months", "48", "48", id="count-plain"),
        pytest.param(
            "deadline", "13. august 2024 kl. 12.00", "13 August 2024 12:00", id="local-time"
        ),
        pytest.param("programme_start", "1. januar 2025", "1 January 2025", id="date"),
        pytest.param(
            "grants.innovation.deb_sources",
            "Regionalfonden og Decentrale erhvervsfremmemidler",
            "Regionalfonden and Decentrale erhvervsfremmemidler",
            id="sources",
        ),
        pytest.param(
            "grants.basis.source_pools",
            "130.000.000 kr. fra Decentrale erhvervsfremmemidler",
            "DKK 130,000,000 from Decentrale erhvervsfremmemidler",
            id="pools",
        ),
        pytest.param("grants.basis.private_cash_advised", "ja", "yes", id="yes-no"),
        pytest.param("timezone", "Europe/Copenhagen", "Europe/Copenhagen", id="text"),
        pytest.param(
            "title",
            "Det danske klyngeprogram 2025-2028",
            "The Danish cluster programme 2025-2028",
            id="title-in-the-language",
        ),
    ],
)
def test_each_kind_of_parameter_is_shown_its_way(dotted: str, da: str, en: str) -> None:
    assert (param_text(CALL, dotted, "da"), param_text(CALL, dotted, "en")) == (da, en)


def test_a_filled_paragraph_keeps_amounts_whole_and_one_full_stop() -> None:
    code = Code(
        "KL999",
        Severity.ERROR,
        "x",
        "x",
        "What it does: " + "word " * 16 + "caps at {grants.innovation.cap}. Then {deadline}.",
    )
    text = rule_text(code, CALL, "en")
    assert "DKK 23,000,000. Then" in text.replace("\n", " ")
    assert "DKK\n" not in text  # an amount stays whole on its line
    assert all(not line.startswith(("23,000,000", "2024")) for line in text.splitlines())
    assert max(len(line) for line in text.splitlines()) <= 96


def test_no_text_of_the_code_writes_the_calls_numbers_or_names() -> None:
    # Every value of the default call, in the forms a text would write it, must not be in a raw
    # template: it comes from the call, so a second call changes it.
    paths = [
        "opens",
        "deadline",
        "programme_start",
        "programme_end",
        "max_project_months",
        "sme_ceiling",
        "indirect_ceiling",
        "sme_max_employees",
        "sme_max_turnover_meur",
        "sme_max_balance_meur",
        "unit_sanity_min_kr",
        "unit_sanity_max_kr",
        "title",
        *(f"grants.{kind}.{name}" for kind in ("innovation", "basis") for name in ("cap", "pool")),
    ]
    forms = {param_text(CALL, p, lang) for p in paths for lang in ("da", "en")}
    forms |= {CALL.authority.split(" (")[0], "klyngeprogram"}
    forms |= {param_text(CALL, p, "da").split(" kl. ")[0] for p in ("opens", "deadline")}
    forms |= {param_text(CALL, p, "en").rsplit(" ", 1)[0] for p in ("opens", "deadline")}
    for p in paths:
        value = lookup_param(CALL, p)[0]
        if isinstance(value, Decimal) and value >= 1_000_000:  # 23 mio. kr.
            forms.add(f"{value / 1_000_000:f}".rstrip("0").rstrip(".") + " mio.")
        if isinstance(value, date):  # 2024-08-13
            forms.add(value.isoformat()[:10])
    found = [
        (code, form)
        for code, declared in catalogue().items()
        for form in forms
        if re.search(rf"(?<![\w.,]){re.escape(form)}(?![\w]|[.,]\d)", declared.doc)
    ]
    assert found == []
