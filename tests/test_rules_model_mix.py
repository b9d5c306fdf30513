"""Funding mix KL301-KL304 on hand-built models (tests/models.py), at and just past each
boundary. The clean innovation application's Budget: Løn 12.000.000 kr. (row 2), Indirekte
omkostninger 1.680.000 kr. (row 8, 14 %); the indirect ceiling is 15 %. Finansiering as in
tests/test_rules_model_caps.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal as D

import pytest

from klyngecli.model import Application, GrantType, Source
from tests.models import CALL, Seen, add, findings, model, options, put, seen, stated, zero
from tests.test_rules_model_caps import DC, PRIVATE, RF, with_line, without
from tests.workbooks import App, Layout, Line, basis_app

Case = Callable[[], App | Application]
INDIRECT = "Indirekte omkostninger"


# --- KL301 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="clean-both-sources-ok"),
        pytest.param(
            lambda: zero(App(), RF), [Seen("Finansiering!A3", 8300000, 0)], id="decentral-alone"
        ),
        pytest.param(lambda: add(zero(App(), RF), RF, D("0.01"), 2028), [], id="1-ore-from-rf-ok"),
        pytest.param(
            lambda: without(App(), RF), [Seen("Finansiering!A2", 8300000, 0)], id="no-rf-row"
        ),
        pytest.param(lambda: zero(App(), RF, DC), [], id="nothing-requested-is-kl205"),
        pytest.param(
            lambda: add(zero(App(), RF, DC), DC, 1),
            [Seen("Finansiering!A3", 1, 0)],
            id="1-kr-decentral-alone",
        ),
        pytest.param(lambda: add(zero(App(), RF), RF, -5), [], id="negative-rf-is-kl010-not-alone"),
        pytest.param(
            lambda: add(zero(App(), RF, DC), DC, -5), [], id="negative-decentral-is-kl010"
        ),
        pytest.param(lambda: put(zero(App(), RF), RF, 2026, "abc"), [], id="unknown-rf-silent"),
        pytest.param(lambda: put(zero(App(), RF), DC, 2026, "abc"), [], id="unknown-dc-silent"),
        pytest.param(lambda: basis_app(), [], id="basis-may-be-decentral-alone"),
        pytest.param(
            lambda: replace(model(zero(App(), RF)), financing=None), [], id="no-financing"
        ),
        pytest.param(lambda: replace(zero(App(), RF), grant=None), [], id="no-grant-type"),
    ],
)
def test_kl301_decentral_alone(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL301") == expected


def test_kl301_message() -> None:
    (found,) = findings(model(zero(App(), RF)), "KL301")
    assert found.message_da == (
        "Der søges 8.300.000 kr. fra Decentrale erhvervsfremmemidler uden Regionalfonden: "
        "Decentrale erhvervsfremmemidler kan ikke søges alene til en innovationsbevilling"
    )
    assert found.message_en == (
        "DKK 8,300,000 is requested from Decentrale erhvervsfremmemidler without "
        "Regionalfonden: Decentrale erhvervsfremmemidler may not be requested alone for an "
        "innovation grant"
    )


# --- KL302 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(
            lambda: with_line(basis_app(), RF, D("0.01")),
            [Seen("Finansiering!A5", D("0.01"), 0, D("0.01"), 0)],
            id="basis-1-ore-from-rf-fails",
        ),
        pytest.param(lambda: with_line(basis_app(), RF, 0), [], id="basis-rf-row-of-0-ok"),
        pytest.param(lambda: with_line(basis_app(), RF, -5), [], id="basis-negative-rf-silent"),
        pytest.param(lambda: with_line(basis_app(), RF, "abc"), [], id="basis-unknown-rf"),
        pytest.param(App, [], id="innovation-may-use-rf"),
        pytest.param(
            lambda: replace(model(with_line(basis_app(), RF, 5)), financing=None),
            [],
            id="no-financing",
        ),
    ],
)
def test_kl302_basis_regionalfond(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL302") == expected


def test_kl302_message() -> None:
    (found,) = findings(model(with_line(basis_app(), RF, 7)), "KL302")
    assert found.message_da == (
        "Der søges 7 kr. fra Regionalfonden, men en basisbevilling kan ikke finansieres af "
        "Regionalfonden"
    )
    assert found.message_en == (
        "DKK 7 is requested from Regionalfonden, but a basis grant may not be financed by "
        "Regionalfonden"
    )
    assert found.fix is not None
    assert (found.fix.da, found.fix.en) == (
        "fjern 7 kr. fra Regionalfonden",
        "remove DKK 7 from Regionalfonden",
    )


# --- KL303 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(basis_app, [], id="basis-with-private-cash-ok"),
        pytest.param(
            lambda: zero(basis_app(), PRIVATE), [Seen("Finansiering!C2:G4", 0)], id="basis-0"
        ),
        pytest.param(
            lambda: add(zero(basis_app(), PRIVATE), PRIVATE, D("0.01")), [], id="basis-1-ore-ok"
        ),
        pytest.param(
            lambda: without(basis_app(), PRIVATE),
            [Seen("Finansiering!C2:G3", 0)],
            id="basis-no-private-row",
        ),
        pytest.param(
            lambda: put(zero(basis_app(), PRIVATE), PRIVATE, 2026, "abc"),
            [],
            id="basis-unknown-private-silent",
        ),
        pytest.param(lambda: zero(App(), PRIVATE), [], id="not-for-innovation"),
        pytest.param(
            lambda: replace(model(zero(basis_app(), PRIVATE)), financing=None),
            [],
            id="no-financing",
        ),
        pytest.param(
            lambda: replace(zero(basis_app(), PRIVATE), grant=None), [], id="no-grant-type"
        ),
    ],
)
def test_kl303_no_private_cash(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL303") == expected


def test_kl303_message() -> None:
    (found,) = findings(model(zero(basis_app(), PRIVATE)), "KL303")
    assert found.message_da == (
        "Der er ingen privat kontant medfinansiering; private bidrag til driften er kriterium A "
        "for basisbevillinger"
    )
    assert found.message_en == (
        "There is no private cash co-financing; private contributions to the operation are "
        "criterion A for basis grants"
    )


# --- KL304 ---------------------------------------------------------------------------------


def staff(salaries: int | D | str, indirect: int | D | str) -> App:
    """Løn (row 2) and Indirekte omkostninger (row 3), in 2025."""
    return App(budget=[Line("Løn", {2025: salaries}), Line(INDIRECT, {2025: indirect})])


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="clean-14-percent-ok"),
        pytest.param(lambda: add(App(), INDIRECT, 120_000), [], id="exactly-15-percent-ok"),
        pytest.param(
            lambda: add(App(), INDIRECT, D("120000.01")),
            [Seen("Budget!G8", D("1800000.01"), 1800000, D("0.01"), 1800000)],
            id="15-percent-plus-1-ore-fails",
        ),
        pytest.param(
            lambda: add(App(layout=Layout(stated_totals=False)), INDIRECT, 120_001),
            [Seen("Budget!A8", 1800001, 1800000, 1, 1800000)],
            id="no-i-alt-column-points-at-the-kategori-cell",
        ),
        pytest.param(
            lambda: stated(add(App(), INDIRECT, 120_001), INDIRECT, None),
            [Seen("Budget!A8", 1800001, 1800000, 1, 1800000)],
            id="blank-i-alt-cell-points-at-the-kategori-cell",
        ),
        pytest.param(
            lambda: staff(D("1000000.07"), D("150000.01")), [], id="within-the-unrounded-limit-ok"
        ),
        pytest.param(
            lambda: staff(D("1000000.06"), D("150000.01")),
            [Seen("Budget!G3", D("150000.01"), 150000, D("0.01"), 150000)],
            id="allowed-amount-is-rounded-down-to-the-ore",
        ),
        pytest.param(
            lambda: staff(0, 100), [Seen("Budget!G3", 100, 0, 100, 0)], id="no-staff-costs"
        ),
        pytest.param(lambda: staff(0, 0), [], id="no-staff-no-indirect-ok"),
        pytest.param(lambda: staff("abc", 100), [], id="unknown-staff-silent"),
        pytest.param(lambda: staff(100, "abc"), [], id="unknown-indirect-silent"),
        pytest.param(lambda: App(budget=[Line("Løn", {2025: 100})]), [], id="no-indirect-line-ok"),
        pytest.param(lambda: replace(model(staff(0, 100)), budget=None), [], id="no-budget-sheet"),
    ],
)
def test_kl304_indirect_costs(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL304") == expected


@pytest.mark.parametrize(
    ("case", "share_da", "share_en", "rest_da", "rest_en"),
    [
        pytest.param(
            lambda: add(App(), INDIRECT, D("120000.01")),
            "1.800.000,01 kr. = lidt over 15 %",
            "DKK 1,800,000.01 = just over 15 %",
            "0,01 kr. til 1.800.000 kr.",
            "DKK 0.01 to DKK 1,800,000",
            id="just-over",
        ),
        pytest.param(
            lambda: staff(1_000_000, 250_000),
            "250.000 kr. = 25 %",
            "DKK 250,000 = 25 %",
            "100.000 kr. til 150.000 kr.",
            "DKK 100,000 to DKK 150,000",
            id="25-percent",
        ),
        pytest.param(
            lambda: staff(0, 100),
            "100 kr. = ∞ %",
            "DKK 100 = ∞ %",
            "100 kr. til 0 kr.",
            "DKK 100 to DKK 0",
            id="no-staff-costs",
        ),
    ],
)
def test_kl304_message(
    case: Case, share_da: str, share_en: str, rest_da: str, rest_en: str
) -> None:
    app = case()
    (found,) = findings(app if isinstance(app, Application) else model(app), "KL304")
    assert found.message_da == (
        f"Indirekte omkostninger er {share_da} af lønnen (højst 15 %): nedsæt dem med {rest_da}"
    )
    assert found.message_en == (
        f"Indirect costs are {share_en} of staff costs (max 15 %): reduce them by {rest_en}"
    )
    assert found.fix is not None
    assert found.fix.da == f"nedsæt Indirekte omkostninger med {rest_da}"
    assert found.fix.en == f"reduce indirect costs by {rest_en}"


def test_kl302_checks_every_forbidden_source() -> None:
    """A call that forbids two sources for basis: each is checked, also after one that is 0."""
    basis = CALL.grants[GrantType.BASIS]
    both = basis.model_copy(update={"forbidden": (Source.REGIONALFONDEN, Source.UFS)})
    opts = replace(
        options(), call=CALL.model_copy(update={"grants": {**CALL.grants, GrantType.BASIS: both}})
    )
    app = with_line(with_line(basis_app(), RF, 0), "Uddannelses- og Forskningsstyrelsen", 3)
    assert seen(app, "KL302", opts) == [Seen("Finansiering!A6", 3, 0, 3, 0)]
