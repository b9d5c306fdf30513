"""The figures several rules share (klyngecli/rules/common.py), on hand-built models: the DEB
request, rounding to the øre, the tolerance, and the SME grant line once KL401 is fixed."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from decimal import Decimal as D

import pytest

from klyngecli.model import Category, Source
from klyngecli.rules.common import (
    SmeLine,
    balanced,
    cvr_problem,
    deb_request,
    exceeds,
    first_line,
    floor_ore,
    grant_of,
    joined,
    settled_costs,
    sme_cut,
    sme_line,
    source_name,
)
from tests.models import CALL, add, model, put, sme
from tests.workbooks import App, Line, basis_app

SME_LINE = "Tilskud til SMV-samarbejder"


def test_grant_of_follows_the_grant_type() -> None:
    assert grant_of(model(App()), CALL) is CALL.grants["innovation"]  # type: ignore[index]
    assert grant_of(model(basis_app()), CALL) is CALL.grants["basis"]  # type: ignore[index]
    assert grant_of(model(replace(App(), grant=None)), CALL) is None


def test_deb_request() -> None:
    assert deb_request(model(App()), CALL) == D(18_000_000)
    assert deb_request(model(basis_app()), CALL) == D(9_200_000)
    assert deb_request(model(replace(App(), grant=None)), CALL) is None
    assert deb_request(replace(model(App()), financing=None), CALL) is None
    assert deb_request(model(put(App(), "Regionalfonden", 2026, "abc")), CALL) is None
    unlabelled = App()
    unlabelled.financing.append(Line("Ukendt kilde", {2025: 5}))
    assert deb_request(model(unlabelled), CALL) is None


def test_first_line() -> None:
    budget = model(App()).budget
    assert budget is not None
    line = first_line(budget, Category.STAFF)
    assert line is not None and line.label.value == "Løn"
    assert first_line(budget, Source.UFS) is None


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        pytest.param(D("1.239"), D("1.23"), id="down"),
        pytest.param(D("1.23"), D("1.23"), id="whole-ore"),
        pytest.param(D("-1.239"), D("-1.23"), id="toward-zero"),
        pytest.param(D("700000.007"), D("700000.00"), id="just-over"),
    ],
)
def test_floor_ore(amount: D, expected: D) -> None:
    assert floor_ore(amount) == expected
    assert floor_ore(amount).as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("found", "allowed", "expected"),
    [
        pytest.param(D(10), D(9), False, id="1-kr-apart"),
        pytest.param(D(10), D("8.99"), True, id="1.01-kr-apart"),
        pytest.param(D(9), D(10), False, id="1-kr-apart-the-other-way"),
        pytest.param(D("8.99"), D(10), True, id="1.01-kr-apart-the-other-way"),
        pytest.param(D(10), D(10), False, id="equal"),
    ],
)
def test_exceeds_uses_the_calls_tolerance(found: D, allowed: D, expected: bool) -> None:
    assert exceeds(found, allowed, CALL) is expected


@pytest.mark.parametrize(
    ("items", "da", "en"),
    [
        pytest.param([], "", "", id="none"),
        pytest.param(["A"], "A", "A", id="one"),
        pytest.param(["A", "B"], "A og B", "A and B", id="two"),
        pytest.param(["A", "B", "C"], "A, B og C", "A, B and C", id="three"),
    ],
)
def test_joined(items: list[str], da: str, en: str) -> None:
    assert joined(items, "da") == da
    assert joined(items, "en") == en


def test_source_name_is_the_templates() -> None:
    assert source_name(Source.UFS) == "Uddannelses- og Forskningsstyrelsen"
    assert source_name(Source.DECENTRALE) == "Decentrale erhvervsfremmemidler"


def _first(app: App):  # type: ignore[no-untyped-def]
    collaborations = model(app).collaborations
    assert collaborations is not None
    return collaborations.rows[0]


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        pytest.param(App(), None, id="exactly-the-ceiling"),
        pytest.param(sme(App(), 0, grant=924_100), (D(924_000), D(100)), id="over"),
        pytest.param(
            sme(App(), 0, rd_costs=D("1000000.01"), grant=700_001),
            (D("700000.00"), D("1.00")),
            id="allowed-rounded-down",
        ),
        pytest.param(sme(App(), 0, rd_costs="abc"), None, id="unknown-rd"),
        pytest.param(sme(App(), 0, grant="abc"), None, id="unknown-grant"),
    ],
)
def test_sme_cut(app: App, expected: tuple[D, D] | None) -> None:
    assert sme_cut(_first(app), CALL) == expected


def test_sme_line_and_its_settled_amount() -> None:
    assert sme_line(model(App()), CALL) == SmeLine(D(6_349_000), D(6_349_000), D(0))
    over = sme(sme(add(App(), SME_LINE, 7), 0, grant=924_100), 4, grant=420_007)
    line = sme_line(model(over), CALL)
    assert line == SmeLine(D(6_349_007), D(6_349_107), D(107))
    assert line is not None and line.settled == D(6_349_000)
    with pytest.raises(FrozenInstanceError):
        line.cuts = D(0)  # type: ignore[misc]


@pytest.mark.parametrize(
    "app",
    [
        pytest.param(model(basis_app()), id="basis-needs-no-collaborations"),
        pytest.param(replace(model(App()), budget=None), id="no-budget"),
        pytest.param(replace(model(App()), collaborations=None), id="no-sme-sheet"),
        pytest.param(model(put(App(), SME_LINE, 2026, "x")), id="unknown-line"),
        pytest.param(model(sme(App(), 2, overhead="x")), id="unknown-overhead"),
        pytest.param(model(replace(App(), grant=None)), id="no-grant-type"),
    ],
)
def test_no_sme_line(app: object) -> None:
    assert sme_line(app, CALL) is None  # type: ignore[arg-type]


def test_settled_costs() -> None:
    assert settled_costs(model(App()), CALL) == D(23_129_000)
    over = sme(add(App(), SME_LINE, 500), 0, grant=924_100)  # line 6.349.500, settled 6.349.000
    assert settled_costs(model(over), CALL) == D(23_129_000)
    assert settled_costs(model(add(basis_app(), "Løn", 5)), CALL) == D(11_000_005)
    assert settled_costs(replace(model(App()), budget=None), CALL) is None
    assert settled_costs(model(put(App(), "Løn", 2025, "x")), CALL) is None


def test_balanced() -> None:
    assert balanced(model(App()), CALL)
    assert balanced(model(add(App(), "Løn", 1)), CALL)
    assert not balanced(model(add(App(), "Løn", D("1.01"))), CALL)
    assert not balanced(model(add(App(), "Løn", D("-1.01"))), CALL)
    assert not balanced(model(put(App(), "Løn", 2025, "x")), CALL)
    assert not balanced(model(put(App(), "Egenfinansiering", 2025, "x")), CALL)
    assert not balanced(replace(model(App()), budget=None), CALL)
    assert not balanced(replace(model(App()), financing=None), CALL)


@pytest.mark.parametrize(
    ("digits", "why"),
    [
        pytest.param("1234567X", "it has characters other than digits", id="letter"),
        pytest.param("1234567", "it has 7 digits", id="short"),
        pytest.param("01234567", "it starts with 0", id="zero"),
        pytest.param("12345678", "the check digit does not match", id="check-digit"),
    ],
)
def test_cvr_problem(digits: str, why: str) -> None:
    da, en = cvr_problem(digits)
    assert en == f"{why}; a CVR number is 8 digits with a check digit (modulus 11)"
    assert da.endswith("; et CVR-nummer er 8 cifre med et kontrolciffer (modulus 11)")
