"""Caps and pools KL201-KL203, KL205 on hand-built models (tests/models.py), at and just past
each boundary. Finansiering of the clean innovation application: Regionalfonden (row 2,
9.700.000 kr.), Decentrale erhvervsfremmemidler (row 3, 8.300.000 kr.), then private, public
and own financing (rows 4-6): a DEB request of 18.000.000 kr. The clean basis application has
Decentrale erhvervsfremmemidler (row 2, 9.200.000 kr.), private cash (row 3) and own financing
(row 4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal as D

import pytest

from klyngecli.model import Application, GrantType, Source
from tests.models import CALL, Seen, add, findings, model, options, put, seen, zero
from tests.workbooks import App, Line, basis_app

Case = Callable[[], App | Application]
RF = "Regionalfonden"
DC = "Decentrale erhvervsfremmemidler"
PRIVATE = "Privat kontant medfinansiering"


def with_line(app: App, label: str, kroner: int | D, year: int = 2025) -> App:
    """`app` with one more financing line."""
    app.financing.append(Line(label, {year: kroner}))
    return app


def without(app: App, *labels: str) -> App:
    app.financing = [x for x in app.financing if x.label not in labels]
    return app


# --- KL201 ---------------------------------------------------------------------------------

INNOVATION_CAP = 23000000


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="clean-18-mio-ok"),
        pytest.param(lambda: add(App(), RF, 5_000_000), [], id="exactly-23-mio-ok"),
        pytest.param(
            lambda: add(App(), RF, D("5000000.01")),
            [
                Seen(
                    "Finansiering!C2:G3",
                    D("23000000.01"),
                    INNOVATION_CAP,
                    D("0.01"),
                    INNOVATION_CAP,
                )
            ],
            id="23-mio-plus-1-ore-fails",
        ),
        pytest.param(
            lambda: add(App(), DC, 5_000_001, 2028),
            [Seen("Finansiering!C2:G3", 23000001, INNOVATION_CAP, 1, INNOVATION_CAP)],
            id="decentral-counts-in-any-year",
        ),
        pytest.param(
            lambda: add(without(App(), RF), DC, 14_700_001),
            [Seen("Finansiering!C2:G2", 23000001, INNOVATION_CAP, 1, INNOVATION_CAP)],
            id="area-is-the-deb-rows-only",
        ),
        pytest.param(
            lambda: add(App(), RF, 30_000_000),
            [Seen("Finansiering!C2:G3", 48000000, INNOVATION_CAP, 25000000, INNOVATION_CAP)],
            id="more-than-twice-the-cap",
        ),
        pytest.param(lambda: add(App(), PRIVATE, 10_000_000), [], id="private-does-not-count"),
        pytest.param(
            lambda: add(basis_app(), DC, 13_800_001), [], id="not-for-a-basis-application"
        ),
        pytest.param(
            lambda: put(add(App(), DC, 5_000_001), RF, 2026, "abc"),
            [],
            id="unknown-request-silent",
        ),
        pytest.param(
            lambda: with_line(add(App(), DC, 5_000_001), "Ukendt kilde", 5),
            [],
            id="money-of-unknown-source-silent",
        ),
        pytest.param(
            lambda: replace(add(App(), DC, 5_000_001), grant="Tja"), [], id="unknown-grant-type"
        ),
        pytest.param(
            lambda: replace(model(add(App(), DC, 5_000_001)), financing=None),
            [],
            id="no-financing-sheet",
        ),
    ],
)
def test_kl201_innovation_cap(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL201") == expected


def test_kl201_message() -> None:
    (found,) = findings(model(add(App(), RF, 5_000_001)), "KL201")
    assert found.message_da == (
        "Ansøgningen beder DEB om 23.000.001 kr., men loftet for en innovationsbevilling er "
        "23.000.000 kr.: nedsæt Regionalfonden/Decentrale erhvervsfremmemidler med 1 kr."
    )
    assert found.message_en == (
        "The application asks DEB for DKK 23,000,001, but the cap for an innovation grant is "
        "DKK 23,000,000: reduce Regionalfonden/Decentrale erhvervsfremmemidler by DKK 1"
    )
    assert found.fix is not None
    assert (found.fix.da, found.fix.en) == (
        "nedsæt DEB-ansøgningen med 1 kr. til 23.000.000 kr.",
        "reduce the DEB request by DKK 1 to DKK 23,000,000",
    )


# --- KL202 ---------------------------------------------------------------------------------

BASIS_CAP = 13000000


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(basis_app, [], id="clean-9.2-mio-ok"),
        pytest.param(lambda: add(basis_app(), DC, 3_800_000), [], id="exactly-13-mio-ok"),
        pytest.param(
            lambda: add(basis_app(), DC, D("3800000.01")),
            [Seen("Finansiering!C2:G2", D("13000000.01"), BASIS_CAP, D("0.01"), BASIS_CAP)],
            id="13-mio-plus-1-ore-fails",
        ),
        pytest.param(
            lambda: add(basis_app(), PRIVATE, 10_000_000), [], id="private-does-not-count"
        ),
        pytest.param(App, [], id="not-for-an-innovation-application"),
    ],
)
def test_kl202_basis_cap(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL202") == expected


def test_kl202_message_names_the_basis_grant() -> None:
    (found,) = findings(model(add(basis_app(), DC, 3_800_001)), "KL202")
    assert found.message_da == (
        "Ansøgningen beder DEB om 13.000.001 kr., men loftet for en basisbevilling er "
        "13.000.000 kr.: nedsæt Regionalfonden/Decentrale erhvervsfremmemidler med 1 kr."
    )
    assert found.message_en == (
        "The application asks DEB for DKK 13,000,001, but the cap for a basis grant is "
        "DKK 13,000,000: reduce Regionalfonden/Decentrale erhvervsfremmemidler by DKK 1"
    )


# --- KL203 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(lambda: add(App(), RF, 92_300_000), [], id="rf-exactly-102-mio-ok"),
        pytest.param(
            lambda: add(App(), RF, D("92300000.01")),
            [Seen("Finansiering!A2", D("102000000.01"), 102000000, D("0.01"), 102000000)],
            id="rf-102-mio-plus-1-ore-fails",
        ),
        pytest.param(lambda: add(App(), DC, 119_700_000), [], id="dc-exactly-128-mio-ok"),
        pytest.param(
            lambda: add(App(), DC, 119_700_001),
            [Seen("Finansiering!A3", 128000001, 128000000, 1, 128000000)],
            id="dc-128-mio-plus-1-kr-fails",
        ),
        pytest.param(
            lambda: add(add(App(), RF, 92_300_001), DC, 119_700_001),
            [
                Seen("Finansiering!A2", 102000001, 102000000, 1, 102000000),
                Seen("Finansiering!A3", 128000001, 128000000, 1, 128000000),
            ],
            id="each-pool-on-its-own",
        ),
        pytest.param(lambda: add(basis_app(), DC, 120_800_000), [], id="basis-exactly-130-mio-ok"),
        pytest.param(
            lambda: add(basis_app(), DC, 120_800_001),
            [Seen("Finansiering!A2", 130000001, 130000000, 1, 130000000)],
            id="basis-130-mio-plus-1-kr-fails",
        ),
        pytest.param(
            lambda: with_line(basis_app(), RF, 200_000_000), [], id="basis-has-no-rf-pool"
        ),
        pytest.param(
            lambda: with_line(add(App(), RF, 92_300_000), RF, 1),
            [Seen("Finansiering!A2", 102000001, 102000000, 1, 102000000)],
            id="two-lines-of-one-source-add-up-first-is-named",
        ),
        pytest.param(
            lambda: put(add(App(), DC, 119_700_001), RF, 2026, "abc"),
            [Seen("Finansiering!A3", 128000001, 128000000, 1, 128000000)],
            id="unknown-source-skipped-others-checked",
        ),
        pytest.param(lambda: without(App(), RF), [], id="no-line-of-the-source"),
        pytest.param(
            lambda: add(App(), RF, 200_000_000),
            [Seen("Finansiering!A2", 209700000, 102000000, 107700000, 102000000)],
            id="more-than-twice-the-pool",
        ),
        pytest.param(
            lambda: replace(model(add(App(), RF, 92_300_001)), financing=None),
            [],
            id="no-financing-sheet",
        ),
        pytest.param(
            lambda: replace(add(App(), RF, 92_300_001), grant=None), [], id="no-grant-type"
        ),
    ],
)
def test_kl203_pool(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL203") == expected


def test_kl203_fix_names_the_whole_excess() -> None:
    (found,) = findings(model(add(App(), RF, 200_000_000)), "KL203")
    assert found.fix is not None
    assert (found.fix.da, found.fix.en) == (
        "nedsæt Regionalfonden med 107.700.000 kr.",
        "reduce Regionalfonden by DKK 107,700,000",
    )


def test_kl203_message() -> None:
    (found,) = findings(model(add(App(), RF, 92_300_001)), "KL203")
    assert found.message_da == (
        "Der søges 102.000.001 kr. fra Regionalfonden, men puljen er 102.000.000 kr."
    )
    assert found.message_en == (
        "DKK 102,000,001 is requested from Regionalfonden, but its pool is DKK 102,000,000"
    )
    assert found.fix is not None
    assert (found.fix.da, found.fix.en) == (
        "nedsæt Regionalfonden med 1 kr.",
        "reduce Regionalfonden by DKK 1",
    )


# --- KL205 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(
            lambda: zero(App(), RF, DC),
            [Seen("Finansiering!C2:G6", 0)],
            id="deb-rows-all-0-fails",
        ),
        pytest.param(lambda: add(zero(App(), RF, DC), RF, D("0.01")), [], id="1-ore-requested-ok"),
        pytest.param(
            lambda: add(zero(App(), RF, DC), DC, D("0.01"), 2028), [], id="1-ore-decentral-ok"
        ),
        pytest.param(
            lambda: without(App(), RF, DC), [Seen("Finansiering!C2:G4", 0)], id="no-deb-rows"
        ),
        pytest.param(
            lambda: zero(basis_app(), DC), [Seen("Finansiering!C2:G4", 0)], id="basis-fails"
        ),
        pytest.param(
            lambda: put(zero(App(), RF, DC), RF, 2026, "abc"), [], id="unknown-request-silent"
        ),
        pytest.param(lambda: add(zero(App(), RF, DC), DC, -5), [], id="negative-request-is-kl010"),
        pytest.param(
            lambda: replace(zero(App(), RF, DC), grant=None), [], id="no-grant-type-silent"
        ),
        pytest.param(
            lambda: replace(model(zero(App(), RF, DC)), financing=None),
            [],
            id="no-financing-sheet",
        ),
    ],
)
def test_kl205_nothing_requested(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL205") == expected


def test_kl205_message_names_the_deb_sources() -> None:
    (found,) = findings(model(zero(App(), RF, DC)), "KL205")
    assert found.message_da == (
        "Ansøgningen beder ikke DEB om noget: Regionalfonden og Decentrale "
        "erhvervsfremmemidler er 0 kr."
    )
    assert found.message_en == (
        "The application asks DEB for nothing: Regionalfonden and Decentrale "
        "erhvervsfremmemidler are 0 kr."
    )


def test_kl205_message_with_one_deb_source() -> None:
    """A call whose basis grant counts one source as a DEB request says `is`, not `are`."""
    basis = CALL.grants[GrantType.BASIS].model_copy(update={"deb_sources": (Source.DECENTRALE,)})
    call = CALL.model_copy(update={"grants": {**CALL.grants, GrantType.BASIS: basis}})
    opts = replace(options(), call=call)
    (found,) = findings(model(zero(basis_app(), DC)), "KL205", opts)
    assert found.message_da == (
        "Ansøgningen beder ikke DEB om noget: Decentrale erhvervsfremmemidler er 0 kr."
    )
    assert found.message_en == (
        "The application asks DEB for nothing: Decentrale erhvervsfremmemidler is 0 kr."
    )
