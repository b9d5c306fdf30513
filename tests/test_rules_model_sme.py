"""SME co-financing KL401-KL406 on hand-built models (tests/models.py), at and just past each
boundary. SMV-samarbejder of the clean innovation application: header on row 1 (A Samarbejde,
B SMV, C CVR, D Ansatte, E Omsætning, F Balance, G FoU-omkostninger, H Tilskud, I Overhead), six
collaborations on rows 2-7; the first (Termoflow ApS) is exactly 70 %: Tilskud 924.000 kr. of
FoU-omkostninger 1.320.000 kr."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal as D

import pytest

from klyngecli.model import Application
from tests.models import Seen, add, findings, model, seen, sme
from tests.workbooks import App, basis_app

Case = Callable[[], App | Application]
SME_LINE = "Tilskud til SMV-samarbejder"
FIRST_CVR = str(App().collaborations[0]["CVR"])  # type: ignore[index]
SECOND_CVR = str(App().collaborations[1]["CVR"])  # type: ignore[index]


def message(case: Case, code: str) -> tuple[str, str]:
    app = case()
    (found,) = findings(app if isinstance(app, Application) else model(app), code)
    return found.message_da, found.message_en


# --- KL401 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="exactly-70-percent-ok"),
        pytest.param(
            lambda: sme(App(), 0, grant=D("924000.01")),
            [Seen("SMV-samarbejder!H2", D("924000.01"), 924000, D("0.01"), 924000)],
            id="70-percent-plus-1-ore-fails",
        ),
        pytest.param(
            lambda: sme(App(), 0, rd_costs=D("1000000.02"), grant=D("700000.01")),
            [],
            id="within-the-unrounded-limit-ok",
        ),
        pytest.param(
            lambda: sme(App(), 0, rd_costs=D("1000000.01"), grant=D("700000.01")),
            [Seen("SMV-samarbejder!H2", D("700000.01"), 700000, D("0.01"), 700000)],
            id="allowed-amount-is-rounded-down-to-the-ore",
        ),
        pytest.param(
            lambda: sme(App(), 2, rd_costs=0, grant=1),
            [Seen("SMV-samarbejder!H4", 1, 0, 1, 0)],
            id="no-rd-costs",
        ),
        pytest.param(lambda: sme(App(), 0, overhead=900_000), [], id="overhead-does-not-count"),
        pytest.param(
            lambda: sme(sme(App(), 0, grant=924_001), 4, grant=420_001),
            [
                Seen("SMV-samarbejder!H2", 924001, 924000, 1, 924000),
                Seen("SMV-samarbejder!H6", 420001, 420000, 1, 420000),
            ],
            id="each-collaboration",
        ),
        pytest.param(lambda: sme(App(), 0, rd_costs="abc", grant=10**7), [], id="unknown-rd"),
        pytest.param(lambda: sme(App(), 0, grant="abc"), [], id="unknown-grant-silent"),
        pytest.param(
            lambda: replace(model(sme(App(), 0, grant=10**7)), collaborations=None),
            [],
            id="no-sme-sheet",
        ),
    ],
)
def test_kl401_sme_ceiling(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL401") == expected


def _agreeing(balanced: bool) -> App:
    """Tilskud 100 kr. over the ceiling, the cost line (and the financing) raised with it."""
    app = add(App(), SME_LINE, 100)
    if balanced:
        add(app, "Egenfinansiering", 100)
    return sme(app, 0, grant=924_100)


CUT_DA = "nedsæt det med 100 kr. til 924.000 kr."
CUT_EN = "reduce it by DKK 100 to DKK 924,000"


@pytest.mark.parametrize(
    ("case", "da", "en"),
    [
        pytest.param(
            lambda: _agreeing(True),
            "Tilskud til Termoflow ApS er lidt over 70 % af FoU-omkostningerne (højst 70 %): "
            f"{CUT_DA}; Tilskud til SMV-samarbejder i Budget og finansieringen skal så også ned "
            "med 100 kr.",
            "Tilskud for Termoflow ApS is just over 70 % of the R&D costs (max 70 %): "
            f"{CUT_EN}; the cost line Tilskud til SMV-samarbejder and the financing must then "
            "come down by DKK 100 too",
            id="line-and-financing-follow",
        ),
        pytest.param(
            lambda: _agreeing(False),
            "Tilskud til Termoflow ApS er lidt over 70 % af FoU-omkostningerne (højst 70 %): "
            f"{CUT_DA}; Tilskud til SMV-samarbejder i Budget skal så også ned med 100 kr.",
            "Tilskud for Termoflow ApS is just over 70 % of the R&D costs (max 70 %): "
            f"{CUT_EN}; the cost line Tilskud til SMV-samarbejder must then come down by DKK 100 "
            "too",
            id="line-follows-budget-already-unbalanced",
        ),
        pytest.param(
            lambda: sme(App(), 0, grant=924_100),
            "Tilskud til Termoflow ApS er lidt over 70 % af FoU-omkostningerne (højst 70 %): "
            f"{CUT_DA}",
            f"Tilskud for Termoflow ApS is just over 70 % of the R&D costs (max 70 %): {CUT_EN}",
            id="line-disagrees-already-kl105-says",
        ),
        pytest.param(
            lambda: sme(App(), 0, grant=924_100, sme=None),
            "Tilskud til Digital tvilling af fjernvarmeværk er lidt over 70 % af "
            f"FoU-omkostningerne (højst 70 %): {CUT_DA}",
            "Tilskud for Digital tvilling af fjernvarmeværk is just over 70 % of the R&D costs "
            f"(max 70 %): {CUT_EN}",
            id="no-sme-named-the-project",
        ),
        pytest.param(
            lambda: sme(App(), 0, grant=924_100, sme=None, name=None),
            f"Tilskud til række 2 er lidt over 70 % af FoU-omkostningerne (højst 70 %): {CUT_DA}",
            f"Tilskud for row 2 is just over 70 % of the R&D costs (max 70 %): {CUT_EN}",
            id="nothing-named-the-row",
        ),
        pytest.param(
            lambda: sme(App(), 0, grant=1_320_000),
            "Tilskud til Termoflow ApS er 100 % af FoU-omkostningerne (højst 70 %): nedsæt det "
            "med 396.000 kr. til 924.000 kr.",
            "Tilskud for Termoflow ApS is 100 % of the R&D costs (max 70 %): reduce it by "
            "DKK 396,000 to DKK 924,000",
            id="share",
        ),
        pytest.param(
            lambda: sme(App(), 0, rd_costs=1, grant=5),
            "Tilskud til Termoflow ApS er 500 % af FoU-omkostningerne (højst 70 %): nedsæt det "
            "med 4,30 kr. til 0,70 kr.",
            "Tilskud for Termoflow ApS is 500 % of the R&D costs (max 70 %): reduce it by "
            "DKK 4.30 to DKK 0.70",
            id="rd-costs-of-1-kr",
        ),
        pytest.param(
            lambda: sme(App(), 0, rd_costs=-100, grant=5),
            "Tilskud til Termoflow ApS er ∞ % af FoU-omkostningerne (højst 70 %): nedsæt det "
            "med 75 kr. til -70 kr.",
            "Tilskud for Termoflow ApS is ∞ % of the R&D costs (max 70 %): reduce it by DKK 75 "
            "to DKK -70",
            id="negative-rd-costs-is-kl010",
        ),
        pytest.param(
            lambda: sme(App(), 0, rd_costs=0, grant=5),
            "Tilskud til Termoflow ApS er ∞ % af FoU-omkostningerne (højst 70 %): nedsæt det "
            "med 5 kr. til 0 kr.",
            "Tilskud for Termoflow ApS is ∞ % of the R&D costs (max 70 %): reduce it by DKK 5 "
            "to DKK 0",
            id="no-rd-costs",
        ),
    ],
)
def test_kl401_message(case: Case, da: str, en: str) -> None:
    assert message(case, "KL401") == (da, en)


def test_kl401_fix_text() -> None:
    (found,) = findings(model(sme(App(), 0, grant=924_100)), "KL401")
    assert found.fix is not None
    assert (found.fix.da, found.fix.en) == (
        "nedsæt Tilskud med 100 kr. til 924.000 kr.",
        "reduce Tilskud by DKK 100 to DKK 924,000",
    )


# --- KL402 ---------------------------------------------------------------------------------


def basis_without_collaborations() -> App:
    app = basis_app()
    app.collaborations = []
    return app


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="collaborations-ok"),
        pytest.param(
            lambda: App(collaborations=[]),
            [Seen("SMV-samarbejder!A1:I1")],
            id="innovation-without-collaborations-fails",
        ),
        pytest.param(basis_without_collaborations, [], id="basis-needs-none"),
        pytest.param(lambda: App(collaborations=None), [], id="no-sme-sheet-is-kl003"),
        pytest.param(lambda: App(collaborations=[], grant=None), [], id="no-grant-type"),
    ],
)
def test_kl402_no_collaborations(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL402") == expected


def test_kl402_message() -> None:
    assert message(lambda: App(collaborations=[]), "KL402") == (
        "Arket SMV-samarbejder har ingen samarbejder: en innovationsbevilling kræver mindst ét "
        "planlagt SMV-samarbejde",
        "The sheet SMV-samarbejder lists no collaborations: an innovation grant needs at least "
        "one planned SME collaboration",
    )


# --- KL403 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(lambda: sme(App(), 0, employees=249), [], id="249-employees-ok"),
        pytest.param(
            lambda: sme(App(), 0, employees=250),
            [Seen("SMV-samarbejder!D2", 250, 250)],
            id="250-employees-fails",
        ),
        pytest.param(
            lambda: sme(App(), 0, employees=300),
            [Seen("SMV-samarbejder!D2", 300, 250)],
            id="300-employees-fails",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=10, balance=44), [], id="only-the-balance-over-ok"
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=51, balance=10), [], id="only-the-turnover-over-ok"
        ),
        pytest.param(lambda: sme(App(), 0, turnover=50, balance=43), [], id="exactly-50-and-43-ok"),
        pytest.param(
            lambda: sme(App(), 0, turnover=D("50.01"), balance=D("43.01")),
            [Seen("SMV-samarbejder!E2", D("50.01"), 50)],
            id="over-both-fails",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=50, balance=D("43.01")),
            [],
            id="turnover-within-ok",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=D("50.01"), balance=43),
            [],
            id="balance-within-ok",
        ),
        pytest.param(
            lambda: sme(App(), 0, employees=250, turnover=51, balance=44),
            [Seen("SMV-samarbejder!D2", 250, 250)],
            id="employees-reported-once",
        ),
        pytest.param(
            lambda: sme(App(), 0, employees="abc", turnover=51, balance=44),
            [Seen("SMV-samarbejder!E2", 51, 50)],
            id="unknown-employees-figures-still-checked",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=51, balance=None), [], id="no-balance-is-kl404"
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=None, balance=44), [], id="no-turnover-unknown"
        ),
        pytest.param(
            lambda: replace(model(sme(App(), 0, employees=300)), collaborations=None),
            [],
            id="no-sme-sheet",
        ),
    ],
)
def test_kl403_not_sme(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL403") == expected


@pytest.mark.parametrize(
    ("case", "da", "en"),
    [
        pytest.param(
            lambda: sme(App(), 0, employees=250, sme=None),
            "Digital tvilling af fjernvarmeværk har 250 ansatte: en SMV har færre end 250",
            "Digital tvilling af fjernvarmeværk has 250 employees: an SME has fewer than 250",
            id="employees",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=50.5, balance=43.25),
            "Termoflow ApS har en omsætning på 50,5 mio. EUR og en balance på 43,25 mio. EUR "
            "(en SMV højst 50 eller 43)",
            "Termoflow ApS has a turnover of EUR 50.5 million and a balance sheet total of "
            "EUR 43.25 million (an SME at most EUR 50 million or EUR 43 million)",
            id="turnover-and-balance",
        ),
    ],
)
def test_kl403_message(case: Case, da: str, en: str) -> None:
    assert message(case, "KL403") == (da, en)


# --- KL404 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(
            lambda: sme(App(), 0, turnover=D("50.01"), balance=None),
            [Seen("SMV-samarbejder!E2", D("50.01"), 50)],
            id="turnover-over-50-no-balance-warns",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=50, balance=None), [], id="turnover-exactly-50-ok"
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=51, balance="abc"),
            [],
            id="unreadable-balance-is-kl006",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=51, balance="=F3"),
            [],
            id="formula-balance-is-kl007",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=51, balance=None, employees=250),
            [],
            id="no-kl404-when-kl403-applies",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=51, balance=None, employees=251),
            [],
            id="no-kl404-when-kl403-applies-over-the-limit",
        ),
        pytest.param(
            lambda: sme(
                sme(App(), 0, turnover=51, balance=None, employees=300),
                1,
                turnover=52,
                balance=None,
            ),
            [Seen("SMV-samarbejder!E3", 52, 50)],
            id="the-rows-after-a-kl403-row-are-checked",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=51, balance=None, employees=249),
            [Seen("SMV-samarbejder!E2", 51, 50)],
            id="249-employees-still-warns",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=51, balance=None, employees=None),
            [Seen("SMV-samarbejder!E2", 51, 50)],
            id="no-employees-still-warns",
        ),
        pytest.param(lambda: sme(App(), 0, turnover=None, balance=None), [], id="no-turnover"),
        pytest.param(
            lambda: sme(App(), 1, turnover=52, balance=None),
            [Seen("SMV-samarbejder!E3", 52, 50)],
            id="a-second-row-after-a-small-one",
        ),
        pytest.param(
            lambda: sme(sme(App(), 0, turnover=51, balance=44), 1, turnover=52, balance=None),
            [Seen("SMV-samarbejder!E3", 52, 50)],
            id="a-second-row-after-one-with-a-balance",
        ),
        pytest.param(
            lambda: sme(App(), 0, turnover=10, balance=None), [], id="small-turnover-needs-none"
        ),
        pytest.param(
            lambda: replace(model(sme(App(), 0, turnover=51, balance=None)), collaborations=None),
            [],
            id="no-sme-sheet",
        ),
    ],
)
def test_kl404_sme_unconfirmed(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL404") == expected


def test_kl404_message() -> None:
    assert message(lambda: sme(App(), 0, turnover=50.5, balance=None), "KL404") == (
        "Termoflow ApS har en omsætning over 50 mio. EUR og ingen balance: angiv balancen, så "
        "SMV-status kan bekræftes",
        "Termoflow ApS has a turnover above EUR 50 million and no balance sheet total: give it "
        "so that the SME status can be confirmed",
    )


# --- KL405 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="valid-cvrs-ok"),
        pytest.param(
            lambda: sme(App(), 1, cvr=FIRST_CVR[:7] + str((int(FIRST_CVR[7]) + 1) % 10)),
            [Seen("SMV-samarbejder!C3", FIRST_CVR[:7] + str((int(FIRST_CVR[7]) + 1) % 10))],
            id="check-digit-off-by-one-fails",
        ),
        pytest.param(lambda: sme(App(), 0, cvr=None), [], id="blank-cvr-allowed"),
        pytest.param(
            lambda: replace(model(sme(App(), 0, cvr="1")), collaborations=None),
            [],
            id="no-sme-sheet",
        ),
    ],
)
def test_kl405_partner_cvr(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL405") == expected


CVR_RULE_DA = "; et CVR-nummer er 8 cifre med et kontrolciffer (modulus 11)"
CVR_RULE_EN = "; a CVR number is 8 digits with a check digit (modulus 11)"


@pytest.mark.parametrize(
    ("cvr", "da", "en"),
    [
        pytest.param(
            "1234567X",
            "det indeholder andet end cifre",
            "it has characters other than digits",
            id="letters",
        ),
        pytest.param(
            "１２３４５６７８",
            "det indeholder andet end cifre",
            "it has characters other than digits",
            id="non-ascii-digits",
        ),
        pytest.param("1234567", "det har 7 cifre", "it has 7 digits", id="7-digits"),
        pytest.param("123456789", "det har 9 cifre", "it has 9 digits", id="9-digits"),
        pytest.param("01234567", "det begynder med 0", "it starts with 0", id="leading-0"),
        pytest.param(
            "12345678",
            "kontrolcifferet passer ikke",
            "the check digit does not match",
            id="check-digit",
        ),
    ],
)
def test_kl405_message_says_why(cvr: str, da: str, en: str) -> None:
    assert message(lambda: sme(App(), 0, cvr=cvr), "KL405") == (
        f"CVR-nummeret '{cvr}' for Termoflow ApS er ugyldigt: {da}{CVR_RULE_DA}",
        f"The CVR number '{cvr}' of Termoflow ApS is invalid: {en}{CVR_RULE_EN}",
    )


# --- KL406 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="all-different-ok"),
        pytest.param(
            lambda: sme(App(), 1, cvr=FIRST_CVR),
            [Seen("SMV-samarbejder!C3", FIRST_CVR)],
            id="second-occurrence-warns",
        ),
        pytest.param(
            lambda: sme(sme(App(), 1, cvr=FIRST_CVR), 3, cvr=FIRST_CVR),
            [Seen("SMV-samarbejder!C3", FIRST_CVR), Seen("SMV-samarbejder!C5", FIRST_CVR)],
            id="each-later-occurrence-warns",
        ),
        pytest.param(lambda: sme(App(), 0, cvr=None), [], id="blank-cvrs-are-not-the-same-sme"),
        pytest.param(
            lambda: sme(sme(App(), 0, cvr=None), 2, cvr=SECOND_CVR),
            [Seen("SMV-samarbejder!C4", SECOND_CVR)],
            id="a-blank-cvr-first-does-not-stop-the-check",
        ),
        pytest.param(
            lambda: replace(model(sme(App(), 1, cvr=FIRST_CVR)), collaborations=None),
            [],
            id="no-sme-sheet",
        ),
    ],
)
def test_kl406_repeated_sme(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL406") == expected


def test_kl406_message_names_the_first() -> None:
    app = sme(sme(App(), 1, cvr=FIRST_CVR), 3, cvr=FIRST_CVR)
    assert [(f.message_da, f.message_en) for f in findings(model(app), "KL406")] == [
        (
            f"CVR {FIRST_CVR} står også i SMV-samarbejder!C2 (Termoflow ApS)",
            f"CVR {FIRST_CVR} also appears in SMV-samarbejder!C2 (Termoflow ApS)",
        )
    ] * 2


def test_kl406_first_without_a_cell() -> None:
    """A hand-built first occurrence without a cell is named without one."""
    app = model(sme(App(), 1, cvr=FIRST_CVR))
    assert app.collaborations is not None
    rows = list(app.collaborations.rows)
    rows[0] = replace(rows[0], cvr=rows[0].cvr.located(None), sme=replace(rows[0].sme, value=None))
    unnamed = replace(app, collaborations=replace(app.collaborations, rows=tuple(rows)))
    (found,) = findings(unnamed, "KL406")
    assert found.message_en == (
        f"CVR {FIRST_CVR} also appears in  (Digital tvilling af fjernvarmeværk)"
    )
