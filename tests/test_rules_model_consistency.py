"""Consistency KL101-KL106 on hand-built models (tests/models.py), at and just past each
boundary: the clean innovation application's Budget has Løn on row 2 … Tilskud til
SMV-samarbejder on row 9 and its `I alt` row on row 10 (years in C-F, `I alt` in G);
Finansiering has Regionalfonden on row 2 … Egenfinansiering on row 6 and `I alt` on row 7.
Costs and financing are 23.129.000 kr.; the tolerance is 1 kr."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from klyngecli.model import Application, Table
from tests.models import Seen, add, findings, model, put, restated, seen, sme, stated, with_call
from tests.workbooks import App, Layout, Line, basis_app, collaborations

Case = Callable[[], App | Application]


def without_year(table: Table, year: int) -> Table:
    """A table whose sheet has no column for `year`."""
    return replace(
        table,
        year_cols={y: c for y, c in table.year_cols.items() if y != year},
        lines=tuple(
            replace(x, amounts={y: a for y, a in x.amounts.items() if y != year})
            for x in table.lines
        ),
    )


def _kl103_year_missing_in_financing() -> Application:
    app = model(add(put(App(), "Løn", 2029, 1_000), "Løn", -1_000, 2028))
    assert app.financing is not None
    return replace(app, financing=without_year(app.financing, 2029))


# --- KL101 ---------------------------------------------------------------------------------

MOVED = 4  # a totals row on row 5: Løn, Eksterne konsulenter and Rejser (rows 2-4) are above it


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="clean"),
        pytest.param(lambda: stated(App(), "Løn", 12_000_001), [], id="row-total-1-kr-over-ok"),
        pytest.param(
            lambda: stated(App(), "Løn", D("12000001.01")),
            [Seen("Budget!G2", D("12000001.01"), 12000000, D("1.01"), 12000000)],
            id="row-total-1.01-kr-over-fails",
        ),
        pytest.param(lambda: stated(App(), "Løn", 11_999_999), [], id="row-total-1-kr-under-ok"),
        pytest.param(
            lambda: stated(App(), "Løn", D("11999998.99")),
            [Seen("Budget!G2", D("11999998.99"), 12000000, D("1.01"), 12000000)],
            id="row-total-1.01-kr-under-fails",
        ),
        pytest.param(
            lambda: stated(App(), "Egenfinansiering", 1_679_002),
            [Seen("Finansiering!G6", 1679002, 1679000, 2, 1679000)],
            id="financing-row-total-fails",
        ),
        pytest.param(
            lambda: stated(put(App(), "Løn", 2025, "abc"), "Løn", 1),
            [],
            id="row-with-unknown-amount-not-summed",
        ),
        pytest.param(lambda: stated(App(), "Løn", "=SUM(C2:F2)"), [], id="formula-total-silent"),
        pytest.param(
            lambda: restated(model(App()), "budget", "2025", D("5270001")),
            [],
            id="totals-row-year-1-kr-over-ok",
        ),
        pytest.param(
            lambda: restated(model(App()), "budget", "2025", D("5270001.01")),
            [Seen("Budget!C10", D("5270001.01"), 5270000, D("1.01"), 5270000)],
            id="totals-row-year-1.01-kr-over-fails",
        ),
        pytest.param(
            lambda: restated(model(App()), "financing", "total", D("23128998.99")),
            [Seen("Finansiering!G7", D("23128998.99"), 23129000, D("1.01"), 23129000)],
            id="totals-row-total-1.01-kr-under-fails",
        ),
        pytest.param(
            lambda: restated(model(App()), "budget", "2025", None),
            [],
            id="totals-row-unknown-cell-silent",
        ),
        pytest.param(
            lambda: restated(
                restated(model(App()), "budget", "2025", None), "budget", "2026", D(1)
            ),
            [Seen("Budget!D10", 1, 6170000, 6169999, 6170000)],
            id="totals-row-cells-after-an-unknown-one-are-checked",
        ),
        pytest.param(
            lambda: replace(model(stated(App(), "Egenfinansiering", 1_679_002)), budget=None),
            [Seen("Finansiering!G6", 1679002, 1679000, 2, 1679000)],
            id="financing-checked-without-a-budget-sheet",
        ),
        pytest.param(
            lambda: restated(model(put(App(), "Løn", 2026, "abc")), "budget", "total", D(1)),
            [],
            id="totals-row-over-an-unknown-amount-silent",
        ),
        pytest.param(
            lambda: restated(model(App()), "budget", "2025", D(3_500_000), row=MOVED),
            [],
            id="totals-row-sums-only-the-rows-above-it-ok",
        ),
        pytest.param(
            lambda: restated(model(App()), "budget", "2025", D(3_650_000), row=MOVED),
            [Seen("Budget!C5", 3650000, 3500000, 150000, 3500000)],
            id="totals-row-does-not-count-its-own-row",
        ),
        pytest.param(
            lambda: restated(
                model(App(layout=Layout(sme_totals_row=True))),
                "collaborations",
                "grant",
                D(5894001),
            ),
            [],
            id="sme-totals-row-1-kr-over-ok",
        ),
        pytest.param(
            lambda: restated(
                model(App(layout=Layout(sme_totals_row=True))),
                "collaborations",
                "grant",
                D("5894001.01"),
            ),
            [Seen("SMV-samarbejder!H8", D("5894001.01"), 5894000, D("1.01"), 5894000)],
            id="sme-totals-row-1.01-kr-over-fails",
        ),
        pytest.param(
            lambda: restated(
                model(sme(App(layout=Layout(sme_totals_row=True)), 5, overhead="abc")),
                "collaborations",
                "overhead",
                D(1),
            ),
            [],
            id="sme-totals-row-over-an-unknown-amount-silent",
        ),
        pytest.param(
            lambda: restated(
                model(App(layout=Layout(sme_totals_row=True))),
                "collaborations",
                "rd_costs",
                D(3_120_000),
                row=MOVED,
            ),
            [],
            id="sme-totals-row-sums-only-the-rows-above-it-ok",
        ),
        pytest.param(
            lambda: restated(
                model(App(layout=Layout(sme_totals_row=True))),
                "collaborations",
                "overhead",
                None,
            ),
            [],
            id="sme-totals-row-unknown-cell-silent",
        ),
        pytest.param(
            lambda: restated(
                restated(
                    model(App(layout=Layout(sme_totals_row=True))),
                    "collaborations",
                    "rd_costs",
                    None,
                ),
                "collaborations",
                "grant",
                D(1),
            ),
            [Seen("SMV-samarbejder!H8", 1, 5894000, 5893999, 5894000)],
            id="sme-totals-row-cells-after-an-unknown-one-are-checked",
        ),
    ],
)
def test_kl101_stated_total(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL101") == expected


def test_kl101_message() -> None:
    (found,) = findings(model(stated(App(), "Løn", D("12000001.01"))), "KL101")
    assert found.message_da == (
        "Rækkens I alt er 12.000.001,01 kr., men summen er 12.000.000 kr. (forskel -1,01 kr.): "
        "ret den til 12.000.000 kr."
    )
    assert found.message_en == (
        "The row's total is DKK 12,000,001.01, but the sum is DKK 12,000,000 (difference "
        "DKK -1.01): change it to DKK 12,000,000"
    )
    assert found.fix is not None
    assert (found.fix.da, found.fix.en) == (
        "ret totalen til 12.000.000 kr.",
        "change the total to DKK 12,000,000",
    )


@pytest.mark.parametrize(
    ("case", "da", "en"),
    [
        pytest.param(
            lambda: restated(model(App()), "budget", "2026", D(1)),
            "Totalrækkens sum for 2026 er 1 kr., men summen er 6.170.000 kr.",
            "The totals row's sum for 2026 is DKK 1, but the sum is DKK 6,170,000",
            id="year",
        ),
        pytest.param(
            lambda: restated(model(App()), "budget", "total", D(1)),
            "Totalrækkens I alt er 1 kr., men summen er 23.129.000 kr.",
            "The totals row's total is DKK 1, but the sum is DKK 23,129,000",
            id="total",
        ),
        pytest.param(
            lambda: restated(
                model(App(layout=Layout(sme_totals_row=True))), "collaborations", "grant", D(1)
            ),
            "Totalrækkens sum er 1 kr., men summen er 5.894.000 kr.",
            "The totals row's sum is DKK 1, but the sum is DKK 5,894,000",
            id="sme",
        ),
    ],
)
def test_kl101_names_the_total(case: Case, da: str, en: str) -> None:
    app = case()
    assert isinstance(app, Application)
    (found,) = findings(app, "KL101")
    assert found.message_da.startswith(da)
    assert found.message_en.startswith(en)


# --- KL102 ---------------------------------------------------------------------------------

COSTS = 23129000
SME_LINE = "Tilskud til SMV-samarbejder"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(lambda: add(App(), "Egenfinansiering", 1), [], id="1-kr-more-financing-ok"),
        pytest.param(
            lambda: add(App(), "Egenfinansiering", D("1.01")),
            [Seen("Finansiering!C2:G6", D("23129001.01"), COSTS, D("1.01"), COSTS)],
            id="1.01-kr-more-financing-fails",
        ),
        pytest.param(lambda: add(App(), "Egenfinansiering", -1), [], id="1-kr-less-financing-ok"),
        pytest.param(
            lambda: add(App(), "Egenfinansiering", D("-1.01")),
            [Seen("Finansiering!C2:G6", D("23128998.99"), COSTS, D("1.01"), COSTS)],
            id="1.01-kr-less-financing-fails",
        ),
        pytest.param(
            lambda: add(App(), "Løn", 500_000),
            [Seen("Finansiering!C2:G6", COSTS, COSTS + 500_000, 500_000, COSTS + 500_000)],
            id="costs-over-financing-fails",
        ),
        pytest.param(
            lambda: add(App(layout=Layout(stated_totals=False)), "Løn", 2),
            [Seen("Finansiering!C2:F6", COSTS, COSTS + 2, 2, COSTS + 2)],
            id="no-i-alt-column-area-ends-at-the-last-year",
        ),
        pytest.param(
            lambda: add(App(), SME_LINE, 500),
            [Seen("Finansiering!C2:G6", COSTS, COSTS + 500)],
            id="fixing-kl105-balances-no-fix-of-its-own",
        ),
        pytest.param(
            lambda: sme(add(App(), SME_LINE, 500), 0, grant=924_100),
            [Seen("Finansiering!C2:G6", COSTS, COSTS + 500)],
            id="fixing-kl401-and-kl105-balances-no-fix-of-its-own",
        ),
        pytest.param(
            lambda: add(add(App(), SME_LINE, 500), "Løn", 300),
            [Seen("Finansiering!C2:G6", COSTS, COSTS + 300, 300, COSTS + 300)],
            id="fix-is-what-remains-after-kl105",
        ),
        pytest.param(
            lambda: sme(add(App(), "Løn", 300), 0, overhead=60_500),
            [Seen("Finansiering!C2:G6", COSTS, COSTS + 800, 800, COSTS + 800)],
            id="fix-after-kl105-raising-the-costs",
        ),
        pytest.param(
            lambda: add(add(App(), SME_LINE, 500), "Løn", -900),
            [Seen("Finansiering!C2:G6", COSTS, COSTS - 900, 900, COSTS - 900)],
            id="fix-after-kl105-can-reduce",
        ),
        pytest.param(
            lambda: put(add(App(), "Løn", 2), "Egenfinansiering", 2026, "abc"),
            [],
            id="unknown-financing-silent",
        ),
        pytest.param(
            lambda: put(add(App(), "Løn", 2), "Løn", 2026, "abc"), [], id="unknown-costs-silent"
        ),
        pytest.param(
            lambda: replace(model(add(App(), "Løn", 2)), financing=None),
            [],
            id="no-financing-sheet-silent",
        ),
        pytest.param(
            lambda: replace(model(add(App(), "Løn", 2)), budget=None),
            [],
            id="no-budget-sheet-silent",
        ),
    ],
)
def test_kl102_balance(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL102") == expected


@pytest.mark.parametrize(
    ("case", "da", "en", "fix_da", "fix_en"),
    [
        pytest.param(
            lambda: add(App(), "Løn", 500_000),
            "Omkostningerne er 23.629.000 kr., finansieringen 23.129.000 kr.: 500.000 kr. "
            "finansiering mangler; forskellen ligger i 2025",
            "Costs are DKK 23,629,000, financing is DKK 23,129,000: DKK 500,000 of financing "
            "is missing; the difference lies in 2025",
            "øg finansieringen med 500.000 kr.",
            "increase the financing by DKK 500,000",
            id="missing-in-one-year",
        ),
        pytest.param(
            lambda: add(App(), "Løn", -500_000),
            "Omkostningerne er 22.629.000 kr., finansieringen 23.129.000 kr.: 500.000 kr. "
            "finansiering er for meget; forskellen ligger i 2025",
            "Costs are DKK 22,629,000, financing is DKK 23,129,000: DKK 500,000 of financing "
            "is too much; the difference lies in 2025",
            "nedsæt finansieringen med 500.000 kr.",
            "reduce the financing by DKK 500,000",
            id="too-much-in-one-year",
        ),
        pytest.param(
            lambda: add(add(App(), "Løn", 500_000), "Løn", -3, 2026),
            "Omkostningerne er 23.628.997 kr., finansieringen 23.129.000 kr.: 499.997 kr. "
            "finansiering mangler; forskellen ligger i 2025 (mangler 500.000 kr.) og 2026 "
            "(for meget 3 kr.)",
            "Costs are DKK 23,628,997, financing is DKK 23,129,000: DKK 499,997 of financing "
            "is missing; the difference lies in 2025 (DKK 500,000 missing) and 2026 (DKK 3 too "
            "much)",
            "øg finansieringen med 499.997 kr.",
            "increase the financing by DKK 499,997",
            id="several-years",
        ),
        pytest.param(
            lambda: add(add(App(), "Løn", 1), "Rejser", 1, 2026),
            "Omkostningerne er 23.129.002 kr., finansieringen 23.129.000 kr.: 2 kr. "
            "finansiering mangler",
            "Costs are DKK 23,129,002, financing is DKK 23,129,000: DKK 2 of financing is missing",
            "øg finansieringen med 2 kr.",
            "increase the financing by DKK 2",
            id="no-single-year-shows-it",
        ),
        pytest.param(
            lambda: add(add(App(), SME_LINE, 500), "Løn", 300),
            "Omkostningerne er 23.129.800 kr., finansieringen 23.129.000 kr.: 800 kr. "
            "finansiering mangler; forskellen ligger i 2025; efter rettelsen af KL105 er "
            "omkostningerne 23.129.300 kr., så øg finansieringen med 300 kr.",
            "Costs are DKK 23,129,800, financing is DKK 23,129,000: DKK 800 of financing is "
            "missing; the difference lies in 2025; after fixing KL105 the costs are "
            "DKK 23,129,300, so increase the financing by DKK 300",
            "efter rettelsen af KL105 er omkostningerne 23.129.300 kr., så øg finansieringen med "
            "300 kr.",
            "after fixing KL105 the costs are DKK 23,129,300, so increase the financing by DKK 300",
            id="after-kl105",
        ),
    ],
)
def test_kl102_message(case: Case, da: str, en: str, fix_da: str, fix_en: str) -> None:
    app = case()
    (found,) = findings(app if isinstance(app, Application) else model(app), "KL102")
    assert (found.message_da, found.message_en) == (da, en)
    assert found.fix is not None
    assert (found.fix.da, found.fix.en) == (fix_da, fix_en)


def test_kl102_fix_is_plain_when_fixing_kl401_and_kl105_leaves_the_costs() -> None:
    """KL401 cuts the Tilskud by 100 kr. and KL105's line follows, back where it is: the costs
    after their fixes are the costs now."""
    (found,) = findings(model(sme(add(App(), "Løn", 500), 0, grant=924_100)), "KL102")
    assert "rettelsen" not in found.message_da and "fixing" not in found.message_en
    assert found.fix is not None
    assert (found.fix.da, found.fix.en, found.fix.amount) == (
        "øg finansieringen med 500 kr.",
        "increase the financing by DKK 500",
        500,
    )


def test_kl102_message_when_kl105_raises_the_costs() -> None:
    (found,) = findings(model(sme(add(App(), "Løn", 300), 0, overhead=60_500)), "KL102")
    assert found.message_en.endswith(
        "; after fixing KL105 the costs are DKK 23,129,800, so increase the financing by DKK 800"
    )


def test_kl102_message_when_the_root_causes_balance_it() -> None:
    (found,) = findings(model(sme(add(App(), SME_LINE, 500), 0, grant=924_100)), "KL102")
    assert found.message_da.endswith(
        "forskellen ligger i 2025; rettelsen af KL401 og KL105 bringer dem i balance"
    )
    assert found.message_en.endswith(
        "the difference lies in 2025; fixing KL401 and KL105 balances them"
    )
    assert found.fix is None


# --- KL103 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(
            lambda: add(add(App(), "Egenfinansiering", -1), "Egenfinansiering", 1, 2026),
            [],
            id="1-kr-in-the-wrong-year-ok",
        ),
        pytest.param(
            lambda: add(
                add(App(), "Egenfinansiering", D("-1.01")), "Egenfinansiering", D("1.01"), 2026
            ),
            [
                Seen("Finansiering!C1", D("5269998.99"), 5270000, D("1.01"), 5270000),
                Seen("Finansiering!D1", D("6170001.01"), 6170000, D("1.01"), 6170000),
            ],
            id="1.01-kr-in-the-wrong-year-fails",
        ),
        pytest.param(
            lambda: add(
                add(App(), "Egenfinansiering", D("1.01")), "Egenfinansiering", D("-0.01"), 2026
            ),
            [Seen("Finansiering!C1", D("5270001.01"), 5270000, D("1.01"), 5270000)],
            id="totals-within-tolerance-years-still-checked",
        ),
        pytest.param(
            lambda: add(add(App(), "Egenfinansiering", -600), "Løn", 600, 2026),
            [],
            id="not-when-the-totals-differ-kl102",
        ),
        pytest.param(
            _kl103_year_missing_in_financing,
            [
                Seen("Finansiering!F1", 5519000, 5518000, 1000, 5518000),
                Seen("Finansiering", 0, 1000, 1000, 1000),
            ],
            id="year-without-a-financing-column-names-the-sheet",
        ),
        pytest.param(
            lambda: put(add(add(App(), "Løn", 5), "Løn", -5, 2026), "Regionalfonden", 2027, "x"),
            [],
            id="unknown-totals-silent",
        ),
        pytest.param(
            lambda: replace(model(add(add(App(), "Løn", 5), "Løn", -5, 2026)), financing=None),
            [],
            id="no-financing-sheet-silent",
        ),
        pytest.param(
            lambda: replace(model(add(add(App(), "Løn", 5), "Løn", -5, 2026)), budget=None),
            [],
            id="no-budget-sheet-silent",
        ),
    ],
)
def test_kl103_yearly_balance(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL103") == expected


@pytest.mark.parametrize(
    ("sign", "da", "en"),
    [
        pytest.param(1, "flyt 5 kr. finansiering fra 2025", "move DKK 5 of financing from 2025"),
        pytest.param(-1, "flyt 5 kr. finansiering til 2025", "move DKK 5 of financing to 2025"),
    ],
)
def test_kl103_message(sign: int, da: str, en: str) -> None:
    app = add(add(App(), "Egenfinansiering", 5 * sign), "Egenfinansiering", -5 * sign, 2026)
    first = findings(model(app), "KL103")[0]
    funding = ("5.270.005 kr.", "DKK 5,270,005") if sign > 0 else ("5.269.995 kr.", "DKK 5,269,995")
    diff = ("-5 kr.", "DKK -5") if sign > 0 else ("5 kr.", "DKK 5")
    assert first.message_da == (
        f"I 2025 er omkostningerne 5.270.000 kr. og finansieringen {funding[0]} (forskel {diff[0]})"
    )
    assert first.message_en == (
        f"In 2025 costs are DKK 5,270,000 and financing is {funding[1]} (difference {diff[1]})"
    )
    assert first.fix is not None
    assert (first.fix.da, first.fix.en) == (da, en)


# --- KL104 ---------------------------------------------------------------------------------


def small(start: date = date(2025, 1, 1), end: date = date(2027, 12, 31)) -> App:
    """One cost line with 300 kr. in 2028, and one financing line."""
    return App(
        start=start,
        end=end,
        budget=[Line("Løn", {2025: 100, 2028: 300})],
        financing=[Line("Regionalfonden", {2026: 400})],
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(
            small,
            [Seen("Budget!F2", 2028, "2025-2027", 300)],
            id="amount-in-the-year-after-the-end-fails",
        ),
        pytest.param(lambda: small(end=date(2028, 1, 1)), [], id="end-year-is-inside-ok"),
        pytest.param(
            lambda: small(start=date(2025, 12, 31), end=date(2028, 1, 1)),
            [],
            id="start-year-is-inside-ok",
        ),
        pytest.param(
            lambda: small(start=date(2026, 1, 1)),
            [Seen("Budget!C2", 2025, "2026-2027", 100), Seen("Budget!F2", 2028, "2026-2027", 300)],
            id="amount-in-the-year-before-the-start-fails",
        ),
        pytest.param(
            lambda: put(small(end=date(2028, 1, 1)), "Regionalfonden", 2029, 7),
            [Seen("Finansiering!G2", 2029, "2025-2028", 7)],
            id="financing-is-checked-too",
        ),
        pytest.param(lambda: put(small(), "Løn", 2028, 0), [], id="zero-is-no-amount-ok"),
        pytest.param(lambda: put(small(), "Løn", 2028, "abc"), [], id="unknown-amount-silent"),
        pytest.param(
            lambda: small(start=date(2028, 1, 1), end=date(2025, 1, 1)),
            [],
            id="end-before-start-is-kl505-only",
        ),
        pytest.param(
            lambda: small(start=date(2026, 1, 1), end=date(2026, 1, 1)),
            [
                Seen("Budget!C2", 2025, "2026-2026", 100),
                Seen("Budget!F2", 2028, "2026-2026", 300),
            ],
            id="one-day-project",
        ),
        pytest.param(lambda: replace(small(), start="?"), [], id="unknown-start-silent"),
        pytest.param(lambda: replace(small(), end="?"), [], id="unknown-end-silent"),
        pytest.param(
            lambda: replace(model(small()), budget=None), [], id="no-budget-sheet-financing-ok"
        ),
        pytest.param(
            lambda: replace(model(put(small(), "Regionalfonden", 2028, 7)), budget=None),
            [Seen("Finansiering!F2", 2028, "2025-2027", 7)],
            id="no-budget-sheet-financing-checked",
        ),
        pytest.param(lambda: replace(model(small()), applicant=None), [], id="no-applicant-sheet"),
    ],
)
def test_kl104_outside_period(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL104") == expected


def test_kl104_message() -> None:
    (found,) = findings(model(small()), "KL104")
    assert found.message_da == (
        "300 kr. i 2028, men projektet løber 2025-2027: flyt beløbet ind i projektperioden"
    )
    assert found.message_en == (
        "DKK 300 in 2028, but the project runs 2025-2027: move the amount into the project period"
    )
    assert found.fix is not None
    assert (found.fix.da, found.fix.en) == (
        "flyt 300 kr. til et år i 2025-2027",
        "move DKK 300 to a year in 2025-2027",
    )


# --- KL105 ---------------------------------------------------------------------------------

PASSED_ON = 6349000  # Tilskud 5.894.000 + Overhead 455.000


def no_sme_line() -> App:
    app = App()
    app.budget = [x for x in app.budget if x.label != SME_LINE]
    return app


def basis_with_collaborations() -> App:
    app = basis_app()
    app.collaborations = collaborations()
    return app


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(lambda: sme(App(), 0, overhead=60_001), [], id="1-kr-more-passed-on-ok"),
        pytest.param(
            lambda: sme(App(), 0, overhead=D("60001.01")),
            [Seen("Budget!G9", PASSED_ON, D("6349001.01"), D("1.01"), D("6349001.01"))],
            id="1.01-kr-more-passed-on-fails",
        ),
        pytest.param(lambda: sme(App(), 0, overhead=59_999), [], id="1-kr-less-passed-on-ok"),
        pytest.param(
            lambda: sme(App(), 0, overhead=D("59998.99")),
            [Seen("Budget!G9", PASSED_ON, D("6348998.99"), D("1.01"), D("6348998.99"))],
            id="1.01-kr-less-passed-on-fails",
        ),
        pytest.param(
            lambda: sme(App(), 1, grant=499_998),
            [Seen("Budget!G9", PASSED_ON, PASSED_ON - 2, 2, PASSED_ON - 2)],
            id="tilskud-counts",
        ),
        pytest.param(
            lambda: sme(App(layout=Layout(stated_totals=False)), 0, overhead=60_002),
            [Seen("Budget!A9", PASSED_ON, PASSED_ON + 2, 2, PASSED_ON + 2)],
            id="no-i-alt-column-points-at-the-kategori-cell",
        ),
        pytest.param(
            no_sme_line,
            [Seen("Budget", 0, PASSED_ON, PASSED_ON, PASSED_ON)],
            id="no-cost-line-points-at-the-sheet",
        ),
        pytest.param(
            lambda: sme(App(), 0, grant=924_100),
            [Seen("Budget!G9", PASSED_ON, PASSED_ON + 100)],
            id="fixing-kl401-makes-them-agree-no-fix-of-its-own",
        ),
        pytest.param(
            lambda: sme(add(App(), SME_LINE, 500), 0, grant=924_100),
            [Seen("Budget!G9", PASSED_ON + 500, PASSED_ON, 500, PASSED_ON)],
            id="fix-is-the-line-after-kl401",
        ),
        pytest.param(basis_with_collaborations, [], id="not-for-basis"),
        pytest.param(
            lambda: replace(sme(App(), 0, overhead=0), grant="?"), [], id="unknown-grant-type"
        ),
        pytest.param(
            lambda: replace(sme(App(), 0, overhead=0), collaborations=None),
            [],
            id="no-sme-sheet",
        ),
        pytest.param(lambda: sme(App(), 0, overhead="abc"), [], id="unknown-overhead-silent"),
        pytest.param(
            lambda: put(sme(App(), 0, overhead=0), SME_LINE, 2025, "x"),
            [],
            id="unknown-cost-line-silent",
        ),
        pytest.param(
            lambda: replace(model(sme(App(), 0, overhead=0)), budget=None), [], id="no-budget"
        ),
    ],
)
def test_kl105_sme_grant_line(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL105") == expected


def test_kl105_cost_line_is_the_first_one() -> None:
    """Two `Tilskud til SMV-samarbejder` lines: both are summed, the first is named."""
    app = add(App(), "Løn", 2)  # costs and financing already differ: no "financing up"
    app.budget.append(Line(SME_LINE, {2025: 2}))
    assert seen(app, "KL105") == [Seen("Budget!G9", PASSED_ON + 2, PASSED_ON, 2, PASSED_ON)]


DA_SIDES = (
    "Tilskud til SMV-samarbejder er {budgeted} kr. i Budget, men Tilskud + Overhead i "
    "SMV-samarbejder er {passed_on} kr.: "
)
EN_SIDES = (
    "The cost line Tilskud til SMV-samarbejder is DKK {budgeted}, but Tilskud + Overhead in "
    "SMV-samarbejder is DKK {passed_on}: "
)


@pytest.mark.parametrize(
    ("case", "numbers", "da", "en"),
    [
        pytest.param(
            lambda: sme(App(), 0, overhead=60_002),
            ("6.349.000", "6.349.002", "6,349,000", "6,349,002"),
            "ret omkostningslinjen til 6.349.002 kr., og finansieringen op med det samme",
            "change the cost line to DKK 6,349,002, and the financing up by the same",
            id="balanced-financing-up",
        ),
        pytest.param(
            lambda: sme(App(), 0, overhead=59_998),
            ("6.349.000", "6.348.998", "6,349,000", "6,348,998"),
            "ret omkostningslinjen til 6.348.998 kr., og finansieringen ned med det samme",
            "change the cost line to DKK 6,348,998, and the financing down by the same",
            id="balanced-financing-down",
        ),
        pytest.param(
            lambda: sme(add(App(), "Løn", 500), 0, overhead=60_002),
            ("6.349.000", "6.349.002", "6,349,000", "6,349,002"),
            "ret omkostningslinjen til 6.349.002 kr.",
            "change the cost line to DKK 6,349,002",
            id="unbalanced-line-only",
        ),
        pytest.param(
            lambda: sme(App(), 0, grant=924_100),
            ("6.349.000", "6.349.100", "6,349,000", "6,349,100"),
            "rettelsen af KL401 (Tilskud over loftet) får dem til at stemme",
            "fixing KL401 (Tilskud above the ceiling) makes them agree",
            id="kl401-makes-them-agree",
        ),
        pytest.param(
            lambda: sme(add(App(), SME_LINE, 500), 0, grant=924_100),
            ("6.349.500", "6.349.100", "6,349,500", "6,349,100"),
            "efter rettelsen af KL401 skal omkostningslinjen være 6.349.000 kr.",
            "after fixing KL401 the cost line must be DKK 6,349,000",
            id="after-kl401",
        ),
    ],
)
def test_kl105_message(case: Case, numbers: tuple[str, ...], da: str, en: str) -> None:
    app = case()
    (found,) = findings(app if isinstance(app, Application) else model(app), "KL105")
    budgeted_da, passed_on_da, budgeted_en, passed_on_en = numbers
    assert found.message_da == DA_SIDES.format(budgeted=budgeted_da, passed_on=passed_on_da) + da
    assert found.message_en == EN_SIDES.format(budgeted=budgeted_en, passed_on=passed_on_en) + en


def test_kl105_fix_text() -> None:
    (found,) = findings(model(sme(App(), 0, overhead=60_002)), "KL105")
    assert found.fix is not None
    assert (found.fix.da, found.fix.en) == (
        "ret Tilskud til SMV-samarbejder til 6.349.002 kr., og finansieringen op med det samme",
        "change Tilskud til SMV-samarbejder to DKK 6,349,002, and the financing up by the same",
    )


# --- KL106 ---------------------------------------------------------------------------------


def costs(kroner: int | D | str, unit: str | None = None) -> App:
    return App(unit=unit, budget=[Line("Løn", {2025: kroner})])


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(lambda: costs(100_000), [], id="exactly-100.000-kr-ok"),
        pytest.param(
            lambda: costs(D("99999.99")),
            [Seen("Budget!C2:G2", D("99999.99"), 100000)],
            id="1-ore-under-100.000-kr-fails",
        ),
        pytest.param(lambda: costs(500, "1.000 kr."), [], id="small-in-1.000-kr-ok"),
        pytest.param(lambda: costs(0), [], id="empty-budget-ok"),
        pytest.param(
            lambda: costs(D("0.01")), [Seen("Budget!C2:G2", D("0.01"), 100000)], id="1-ore"
        ),
        pytest.param(lambda: costs(-5), [], id="negative-budget-silent"),
        pytest.param(lambda: costs("abc"), [], id="unknown-budget-silent"),
        pytest.param(lambda: costs(1_000_000_000), [], id="exactly-1-mia-kr-ok"),
        pytest.param(
            lambda: costs(D("1000000000.01")),
            [Seen("Budget!C2:G2", D("1000000000.01"), 1000000000)],
            id="1-ore-over-1-mia-kr-fails",
        ),
        pytest.param(
            lambda: costs(D("1000000000.01"), "1.000 kr."),
            [Seen("Budget!C2:G2", D("1000000000.01"), 1000000000)],
            id="over-1-mia-kr-in-any-unit-fails",
        ),
        pytest.param(lambda: replace(model(costs(5)), budget=None), [], id="no-budget-sheet"),
    ],
)
def test_kl106_wrong_unit(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL106") == expected


@pytest.mark.parametrize(
    ("kroner", "da", "en"),
    [
        pytest.param(
            18_500,
            "Budgettet er i alt kun 18.500 kr.: står beløbene i 1.000 kr.? Angiv i så fald Enhed "
            "'1.000 kr.' på arket Ansøger",
            "The whole budget is only DKK 18,500: are the amounts in 1.000 kr.? If so, set Enhed "
            "(unit) to '1.000 kr.' on the Ansøger sheet",
            id="small",
        ),
        pytest.param(
            2_000_000_000,
            "Budgettet er i alt 2.000.000.000 kr.: står beløbene i en anden enhed end angivet?",
            "The whole budget is DKK 2,000,000,000: are the amounts in another unit than stated?",
            id="large",
        ),
    ],
)
def test_kl106_message(kroner: int, da: str, en: str) -> None:
    (found,) = findings(model(costs(kroner)), "KL106")
    assert (found.message_da, found.message_en) == (da, en)


# --- the tolerance is the call's --------------------------------------------------------------

EXACT = with_call(tolerance_kr=D(0))


@pytest.mark.parametrize(
    ("code", "case", "expected"),
    [
        pytest.param(
            "KL101",
            lambda: stated(App(), "Løn", D("12000000.01")),
            [Seen("Budget!G2", D("12000000.01"), 12000000, D("0.01"), 12000000)],
            id="kl101-1-ore",
        ),
        pytest.param(
            "KL102",
            lambda: add(App(), "Løn", D("0.5")),
            [Seen("Finansiering!C2:G6", COSTS, D("23129000.5"), D("0.5"), D("23129000.5"))],
            id="kl102-half-a-krone",
        ),
        pytest.param(
            "KL103",
            lambda: add(
                add(App(), "Egenfinansiering", D("0.5")), "Egenfinansiering", D("-0.5"), 2026
            ),
            [
                Seen("Finansiering!C1", D("5270000.5"), 5270000, D("0.5"), 5270000),
                Seen("Finansiering!D1", D("6169999.5"), 6170000, D("0.5"), 6170000),
            ],
            id="kl103-half-a-krone",
        ),
        pytest.param(
            "KL105",
            lambda: sme(App(), 0, overhead=D("60000.01")),
            [Seen("Budget!G9", PASSED_ON, D("6349000.01"), D("0.01"), D("6349000.01"))],
            id="kl105-1-ore",
        ),
    ],
)
def test_a_call_without_tolerance(code: str, case: Case, expected: list[Seen]) -> None:
    assert seen(case(), code, EXACT) == expected


@pytest.mark.parametrize(
    ("kroner", "da", "en", "fix_da", "fix_en"),
    [
        pytest.param(
            D("0.5"),
            "0,50 kr. finansiering mangler",
            "DKK 0.50 of financing is missing",
            "øg finansieringen med 0,50 kr.",
            "increase the financing by DKK 0.50",
            id="missing",
        ),
        pytest.param(
            D("-0.5"),
            "0,50 kr. finansiering er for meget",
            "DKK 0.50 of financing is too much",
            "nedsæt finansieringen med 0,50 kr.",
            "reduce the financing by DKK 0.50",
            id="too-much",
        ),
    ],
)
def test_kl102_says_which_way_under_a_call_without_tolerance(
    kroner: D, da: str, en: str, fix_da: str, fix_en: str
) -> None:
    (found,) = findings(model(add(App(), "Løn", kroner)), "KL102", EXACT)
    assert da in found.message_da
    assert en in found.message_en
    assert found.fix is not None
    assert (found.fix.da, found.fix.en) == (fix_da, fix_en)


@pytest.mark.parametrize(
    ("kroner", "da", "en"),
    [
        pytest.param(D("0.5"), "fra 2025", "from 2025"),
        pytest.param(D("-0.5"), "til 2025", "to 2025"),
    ],
)
def test_kl103_says_which_way_under_a_call_without_tolerance(kroner: D, da: str, en: str) -> None:
    app = add(add(App(), "Egenfinansiering", kroner), "Egenfinansiering", -kroner, 2026)
    found = findings(model(app), "KL103", EXACT)[0]
    assert found.fix is not None
    assert found.fix.da.endswith(da)
    assert found.fix.en.endswith(en)


def test_kl102_says_which_years_are_short_or_over_under_a_call_without_tolerance() -> None:
    app = add(add(App(), "Løn", 1), "Løn", D("-0.5"), 2026)
    (found,) = findings(model(app), "KL102", EXACT)
    assert found.message_da.endswith(
        "; forskellen ligger i 2025 (mangler 1 kr.) og 2026 (for meget 0,50 kr.)"
    )
    assert found.message_en.endswith(
        "; the difference lies in 2025 (DKK 1 missing) and 2026 (DKK 0.50 too much)"
    )
