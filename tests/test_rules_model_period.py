"""Deadline and period KL501-KL506 and the applicant KL601-KL603 on hand-built models
(tests/models.py), at and just past each boundary. The deadline is 13-08-2024 12:00
Copenhagen time (UTC+2), the application period opened 15-05-2024 00:00, the programme runs
2025-01-01 – 2028-12-31 and a project at most 48 months. Ansøger: B2 CVR-nummer, B4
Projektstart, B5 Projektslut, B6 Indsendt, B7 Udpegning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from klyngecli.model import Applicant, Application, Value
from klyngecli.rules.period import add_months
from klyngecli.rules.registry import RULES
from tests.models import CALL, Seen, findings, model, options, seen
from tests.workbooks import App

Case = Callable[[], App | Application]
ZONE = CALL.zone
DEADLINE = "2024-08-13T12:00:00+02:00"
OPENS = "2024-05-15T00:00:00+02:00"


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZONE)  # type: ignore[misc]


def with_applicant(app: App, **fields: Value[object]) -> Application:
    """The model of `app` with Ansøger fields replaced (a blank cell, a value without a cell)."""
    built = model(app)
    assert built.applicant is not None
    return replace(built, applicant=replace(built.applicant, **fields))


def unplaced(app: App, name: str) -> Application:
    """The model of `app` whose field `name` has its value but no cell."""
    built = model(app)
    assert built.applicant is not None
    value = getattr(built.applicant, name)
    return with_applicant(app, **{name: value.located(None)})


def blank(name: str, row: int) -> Application:
    """The clean application whose field `name` is a blank cell on `row` (1-based) of B."""
    ref = model(App()).applicant.cvr.ref  # type: ignore[union-attr]
    assert ref is not None
    return with_applicant(App(), **{name: Value.blank(replace(ref, row=row - 1))})


# --- KL501 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="day-before-ok"),
        pytest.param(lambda: App(submitted=datetime(2024, 8, 13, 12)), [], id="12:00:00-ok"),
        pytest.param(
            lambda: App(submitted=datetime(2024, 8, 13, 12, 0, 1)),
            [Seen("Ansøger!B6", "2024-08-13T12:00:01+02:00", DEADLINE)],
            id="12:00:01-late",
        ),
        pytest.param(
            lambda: App(submitted=datetime(2024, 8, 13, 12, 0, 0, 1000)),
            [Seen("Ansøger!B6", "2024-08-13T12:00:00.001000+02:00", DEADLINE)],
            id="one-millisecond-late",
        ),
        pytest.param(
            lambda: App(submitted=datetime(2024, 8, 13, 10, tzinfo=UTC)), [], id="10:00Z-ok"
        ),
        pytest.param(
            lambda: App(submitted=datetime(2024, 8, 13, 10, 0, 1, tzinfo=UTC)),
            [Seen("Ansøger!B6", "2024-08-13T12:00:01+02:00", DEADLINE)],
            id="10:00:01Z-late-shown-in-local-time",
        ),
        pytest.param(lambda: App(submitted="i går"), [], id="unreadable-is-kl006"),
        pytest.param(lambda: App(submitted=None), [], id="unknown-is-kl506"),
        pytest.param(
            lambda: unplaced(App(submitted=datetime(2024, 8, 14)), "submitted"),
            [Seen("Ansøger", "2024-08-14T00:00:00+02:00", DEADLINE)],
            id="no-cell-names-the-sheet",
        ),
        pytest.param(
            lambda: replace(model(App(submitted=datetime(2024, 8, 14))), applicant=None),
            [],
            id="no-applicant-sheet",
        ),
    ],
)
def test_kl501_late(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL501") == expected


@pytest.mark.parametrize(
    ("indsendt", "submitted_at", "expected"),
    [
        pytest.param(
            datetime(2024, 8, 1),
            local(2024, 8, 13, 12, 0, 1),
            [Seen("Ansøger", "2024-08-13T12:00:01+02:00", DEADLINE)],
            id="submitted-at-wins-over-indsendt-late",
        ),
        pytest.param(
            datetime(2024, 9, 1), local(2024, 8, 13, 12), [], id="submitted-at-wins-on-time"
        ),
        pytest.param(
            None,
            local(2024, 8, 13, 12, 0, 1),
            [Seen("Ansøger", "2024-08-13T12:00:01+02:00", DEADLINE)],
            id="submitted-at-without-indsendt",
        ),
    ],
)
def test_kl501_submitted_at(
    indsendt: datetime | None, submitted_at: datetime, expected: list[Seen]
) -> None:
    opts = options(submitted_at=submitted_at)
    assert seen(App(submitted=indsendt), "KL501", opts) == expected


@pytest.mark.parametrize(
    ("late_by", "da", "en"),
    [
        pytest.param(timedelta(seconds=1), "1 sek.", "1 s", id="1-second"),
        pytest.param(timedelta(seconds=59), "59 sek.", "59 s", id="59-seconds"),
        pytest.param(timedelta(milliseconds=400), "0,4 sek.", "0.4 s", id="fraction"),
        pytest.param(timedelta(minutes=1, seconds=5), "1 min. 5 sek.", "1 min 5 s", id="min-s"),
        pytest.param(timedelta(hours=1), "1 time", "1 hour", id="1-hour"),
        pytest.param(timedelta(hours=2, minutes=3), "2 timer 3 min.", "2 hours 3 min", id="h-m"),
        pytest.param(
            timedelta(days=1, hours=2, minutes=3), "1 dag 2 timer", "1 day 2 hours", id="two-units"
        ),
        pytest.param(
            timedelta(days=2, minutes=1, seconds=1), "2 dage 1 min.", "2 days 1 min", id="skips-0"
        ),
        pytest.param(timedelta(days=3), "3 dage", "3 days", id="days"),
    ],
)
def test_kl501_says_how_late(late_by: timedelta, da: str, en: str) -> None:
    moment = local(2024, 8, 13, 12) + late_by
    (found,) = findings(model(App(submitted=moment)), "KL501")
    shown = f"{moment:%d-%m-%Y %H:%M:%S}"
    assert found.message_da == (
        f"Indsendt {shown}, efter fristen 13-08-2024 12:00:00 (for sent med {da})"
    )
    assert found.message_en == (
        f"Submitted {shown}, after the deadline 13-08-2024 12:00:00 (late by {en})"
    )


def test_kl501_shows_an_offset_time_in_the_calls_zone() -> None:
    (found,) = findings(model(App(submitted=datetime(2024, 8, 13, 11, tzinfo=UTC))), "KL501")
    assert found.message_en.startswith("Submitted 13-08-2024 13:00:00, after the deadline")


# --- KL502 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="in-the-period-ok"),
        pytest.param(lambda: App(submitted=datetime(2024, 5, 15)), [], id="opening-moment-ok"),
        pytest.param(
            lambda: App(submitted=datetime(2024, 5, 14, 23, 59, 59)),
            [Seen("Ansøger!B6", "2024-05-14T23:59:59+02:00", OPENS)],
            id="one-second-before-fails",
        ),
        pytest.param(
            lambda: unplaced(App(submitted=datetime(2024, 1, 1)), "submitted"),
            [Seen("Ansøger", "2024-01-01T00:00:00+01:00", OPENS)],
            id="no-cell-names-the-sheet",
        ),
        pytest.param(lambda: App(submitted=None), [], id="unknown"),
    ],
)
def test_kl502_early(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL502") == expected


def test_kl502_submitted_at_and_message() -> None:
    opts = options(submitted_at=local(2024, 5, 1, 9))
    (found,) = findings(model(App()), "KL502", opts)
    assert Seen.of(found) == Seen("Ansøger", "2024-05-01T09:00:00+02:00", OPENS)
    assert found.message_da == (
        "Indsendt 01-05-2024 09:00:00, før ansøgningsperioden åbnede 15-05-2024 00:00:00"
    )
    assert found.message_en == (
        "Submitted 01-05-2024 09:00:00, before the application period opened 15-05-2024 00:00:00"
    )


# --- KL503 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(date(2025, 1, 1), 48, date(2029, 1, 1), id="48-months"),
        pytest.param(date(2025, 1, 31), 1, date(2025, 2, 28), id="short-month-clamps"),
        pytest.param(date(2024, 1, 31), 1, date(2024, 2, 29), id="leap-february"),
        pytest.param(date(2025, 11, 15), 2, date(2026, 1, 15), id="into-next-year"),
        pytest.param(date(2025, 12, 31), 12, date(2026, 12, 31), id="december-plus-a-year"),
        pytest.param(date(2025, 3, 31), 0, date(2025, 3, 31), id="zero-months"),
        pytest.param(date(9999, 12, 1), 1, date.max, id="past-the-last-year"),
        pytest.param(date(9999, 1, 1), 11, date(9999, 12, 1), id="last-year-itself"),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="exactly-48-months-ok"),
        pytest.param(
            lambda: App(end=date(2029, 1, 1)),
            [Seen("Ansøger!B5", "2029-01-01", "2028-12-31")],
            id="48-months-and-a-day-fails",
        ),
        pytest.param(
            lambda: App(start=date(2025, 1, 31), end=date(2029, 1, 30)), [], id="from-the-31st-ok"
        ),
        pytest.param(
            lambda: App(start=date(2025, 1, 31), end=date(2029, 1, 31)),
            [Seen("Ansøger!B5", "2029-01-31", "2029-01-30")],
            id="from-the-31st-one-day-more-fails",
        ),
        pytest.param(
            lambda: App(start=date(9999, 1, 1), end=date(9999, 12, 31)),
            [],
            id="no-limit-in-year-9999",
        ),
        pytest.param(lambda: App(end="?"), [], id="unknown-end"),
        pytest.param(lambda: App(start=None), [], id="no-start"),
        pytest.param(
            lambda: unplaced(App(end=date(2029, 6, 1)), "end"),
            [Seen("Ansøger", "2029-06-01", "2028-12-31")],
            id="no-cell-names-the-first-sheet",
        ),
        pytest.param(
            lambda: replace(model(App(end=date(2030, 1, 1))), applicant=None),
            [],
            id="no-applicant-sheet",
        ),
    ],
)
def test_kl503_too_long(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL503") == expected


def test_kl503_message() -> None:
    (found,) = findings(model(App(end=date(2029, 1, 1))), "KL503")
    assert found.message_da == (
        "Projektet løber 01-01-2025 – 01-01-2029, længere end 48 måneder: det skal slutte senest "
        "31-12-2028"
    )
    assert found.message_en == (
        "The project runs 01-01-2025 – 01-01-2029, longer than 48 months: it must end on "
        "31-12-2028 at the latest"
    )
    assert found.fix is not None
    assert (found.fix.da, found.fix.en) == (
        "sæt Projektslut til senest 31-12-2028",
        "set Projektslut to 31-12-2028 at the latest",
    )


# --- KL504 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="the-whole-programme-ok"),
        pytest.param(
            lambda: App(start=date(2024, 12, 31)),
            [Seen("Ansøger!B4", "2024-12-31", "2025-01-01")],
            id="start-a-day-early-fails",
        ),
        pytest.param(
            lambda: App(end=date(2029, 1, 1)),
            [Seen("Ansøger!B5", "2029-01-01", "2028-12-31")],
            id="end-a-day-late-fails",
        ),
        pytest.param(
            lambda: App(start=date(2024, 1, 1), end=date(2029, 1, 1)),
            [
                Seen("Ansøger!B4", "2024-01-01", "2025-01-01"),
                Seen("Ansøger!B5", "2029-01-01", "2028-12-31"),
            ],
            id="both-outside",
        ),
        pytest.param(
            lambda: App(start=date(2029, 1, 1), end=date(2029, 6, 1)),
            [
                Seen("Ansøger!B4", "2029-01-01", "2025-01-01"),
                Seen("Ansøger!B5", "2029-06-01", "2028-12-31"),
            ],
            id="start-after-the-programme",
        ),
        pytest.param(
            lambda: App(start="?", end=date(2029, 1, 1)),
            [Seen("Ansøger!B5", "2029-01-01", "2028-12-31")],
            id="unknown-start-does-not-hide-the-end",
        ),
        pytest.param(
            lambda: unplaced(App(start=date(2024, 12, 31)), "start"),
            [Seen("Ansøger", "2024-12-31", "2025-01-01")],
            id="no-cell-names-the-first-sheet",
        ),
        pytest.param(
            lambda: replace(model(App(start=date(2020, 1, 1))), applicant=None),
            [],
            id="no-applicant-sheet",
        ),
    ],
)
def test_kl504_outside_programme(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL504") == expected


def test_kl504_message() -> None:
    messages = [
        (f.message_da, f.message_en)
        for f in findings(model(App(start=date(2024, 12, 31), end=date(2029, 1, 1))), "KL504")
    ]
    assert messages == [
        (
            "Projektet starter 31-12-2024, uden for programperioden 01-01-2025 – 31-12-2028",
            "The project starts 31-12-2024, outside the programme period 01-01-2025 – 31-12-2028",
        ),
        (
            "Projektet slutter 01-01-2029, uden for programperioden 01-01-2025 – 31-12-2028",
            "The project ends 01-01-2029, outside the programme period 01-01-2025 – 31-12-2028",
        ),
    ]


# --- KL505 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="four-years-ok"),
        pytest.param(
            lambda: App(start=date(2025, 1, 1), end=date(2025, 1, 1)), [], id="one-day-ok"
        ),
        pytest.param(
            lambda: App(start=date(2025, 1, 2), end=date(2025, 1, 1)),
            [Seen("Ansøger!B5", "2025-01-01", "2025-01-02")],
            id="a-day-before-fails",
        ),
        pytest.param(
            lambda: unplaced(App(start=date(2025, 1, 2), end=date(2025, 1, 1)), "end"),
            [Seen("Ansøger", "2025-01-01", "2025-01-02")],
            id="no-cell-names-the-first-sheet",
        ),
        pytest.param(lambda: App(start="?", end=date(2025, 1, 1)), [], id="unknown-start"),
        pytest.param(lambda: App(start=date(2026, 1, 1), end=None), [], id="no-end"),
    ],
)
def test_kl505_ends_before_start(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL505") == expected


def test_kl505_message() -> None:
    (found,) = findings(model(App(start=date(2025, 1, 2), end=date(2025, 1, 1))), "KL505")
    assert (found.message_da, found.message_en) == (
        "Projektslut 01-01-2025 ligger før Projektstart 02-01-2025",
        "Project end 01-01-2025 is before project start 02-01-2025",
    )


# --- KL506 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "da", "en"),
    [
        pytest.param(
            local(2024, 5, 14, 23, 59, 59),
            "ansøgningsperioden åbner 15-05-2024 00:00:00",
            "the application period opens 15-05-2024 00:00:00",
            id="before-the-call-opens",
        ),
        pytest.param(
            local(2024, 5, 15),
            "opslaget er åbent nu, frist 13-08-2024 12:00:00",
            "the call is open now, deadline 13-08-2024 12:00:00",
            id="the-moment-it-opens",
        ),
        pytest.param(
            local(2024, 8, 13, 12),
            "opslaget er åbent nu, frist 13-08-2024 12:00:00",
            "the call is open now, deadline 13-08-2024 12:00:00",
            id="at-the-deadline",
        ),
        pytest.param(
            local(2024, 8, 13, 12, 0, 1),
            "opslaget lukkede 13-08-2024 12:00:00",
            "the call closed 13-08-2024 12:00:00",
            id="after-the-deadline",
        ),
    ],
)
def test_kl506_says_whether_the_call_is_open(now: datetime, da: str, en: str) -> None:
    (found,) = findings(model(App(submitted=None)), "KL506", options(now=now))
    assert Seen.of(found) == Seen("Ansøger", None, DEADLINE)
    assert found.message_da == (
        f"Indsendelsestidspunktet er ukendt, så fristen er ikke kontrolleret; {da}"
    )
    assert (
        found.message_en == f"The submission time is unknown, so the deadline was not checked; {en}"
    )


@pytest.mark.parametrize(
    ("case", "opts", "expected"),
    [
        pytest.param(App, None, [], id="indsendt-given"),
        pytest.param(
            lambda: App(submitted=None),
            options(submitted_at=local(2024, 8, 1)),
            [],
            id="submitted-at-given",
        ),
        pytest.param(lambda: App(submitted="i går"), None, [], id="unreadable-is-kl006"),
        pytest.param(lambda: App(submitted="=B9"), None, [], id="formula-is-kl007"),
        pytest.param(
            lambda: blank("submitted", 6),
            None,
            [Seen("Ansøger!B6", None, DEADLINE)],
            id="blank-cell-is-named",
        ),
        pytest.param(
            lambda: replace(model(App(submitted=None)), applicant=None),
            None,
            [],
            id="no-applicant-sheet",
        ),
    ],
)
def test_kl506_submission_unknown(case: Case, opts: object, expected: list[Seen]) -> None:
    assert seen(case(), "KL506", opts) == expected  # type: ignore[arg-type]


# --- KL601-KL603 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(App, [], id="valid-ok"),
        pytest.param(
            lambda: App(cvr="12345678"), [Seen("Ansøger!B2", "12345678")], id="check-digit-fails"
        ),
        pytest.param(lambda: App(cvr=None), [], id="missing-is-kl005"),
        pytest.param(lambda: unplaced(App(cvr="1"), "cvr"), [Seen("Ansøger", "1")], id="no-cell"),
        pytest.param(lambda: replace(model(App(cvr="1")), applicant=None), [], id="no-sheet"),
    ],
)
def test_kl601_applicant_cvr(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL601") == expected


def test_kl601_message() -> None:
    (found,) = findings(model(App(cvr="01234567")), "KL601")
    assert (found.message_da, found.message_en) == (
        "Ansøgerens CVR-nummer '01234567' er ugyldigt: det begynder med 0; et CVR-nummer er 8 "
        "cifre med et kontrolciffer (modulus 11)",
        "The applicant's CVR number '01234567' is invalid: it starts with 0; a CVR number is 8 "
        "digits with a check digit (modulus 11)",
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(lambda: App(designation="Nej"), [Seen("Ansøger!B7", "Nej")], id="nej-fails"),
        pytest.param(
            lambda: App(designation="Nej", lang="en"), [Seen("Applicant!B7", "No")], id="no"
        ),
        pytest.param(lambda: App(designation="Ansøgt"), [], id="ansoegt-ok"),
        pytest.param(App, [], id="udpeget-ok"),
        pytest.param(lambda: App(designation=None), [], id="missing-is-kl603"),
        pytest.param(
            lambda: unplaced(App(designation="Nej"), "designation"),
            [Seen("Ansøger", "Nej")],
            id="no-cell",
        ),
        pytest.param(lambda: replace(model(App()), applicant=None), [], id="no-sheet"),
    ],
)
def test_kl602_not_designated(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL602") == expected


def test_kl602_message() -> None:
    (found,) = findings(model(App(designation="Nej")), "KL602")
    assert (found.message_da, found.message_en) == (
        "Udpegning er 'Nej': udpegning som klyngeorganisation (eller en ansøgning om den) er en "
        "forudsætning for en bevilling",
        "Designation is 'No': designation as a cluster organisation (or an application for it) "
        "is a precondition for a grant",
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(lambda: App(designation=None), [Seen("Ansøger")], id="missing-warns"),
        pytest.param(
            lambda: blank("designation", 7), [Seen("Ansøger!B7")], id="blank-cell-is-named"
        ),
        pytest.param(App, [], id="given-ok"),
        pytest.param(lambda: App(designation="Måske"), [], id="unreadable-is-kl006"),
        pytest.param(lambda: replace(model(App()), applicant=None), [], id="no-sheet"),
    ],
)
def test_kl603_designation_missing(case: Case, expected: list[Seen]) -> None:
    assert seen(case(), "KL603") == expected


def test_kl603_message() -> None:
    (found,) = findings(model(App(designation=None)), "KL603")
    assert (found.message_da, found.message_en) == (
        "Udpegning er ikke angivet: skriv Udpeget, Ansøgt eller Nej",
        "Designation is not given: write Udpeget (designated), Ansøgt (applied) or Nej (no)",
    )


def test_applicant_builder_mirrors_the_reader() -> None:
    """Sanity of the helpers above: `blank` and `unplaced` change exactly one field."""
    clean = model(App()).applicant
    assert isinstance(clean, Applicant)
    assert blank("designation", 7).applicant == replace(
        clean,
        designation=Value.blank(replace(clean.designation.ref, row=6)),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("code", ["KL501", "KL502"])
def test_the_deadline_rules_are_about_applications_with_a_submission_time(code: str) -> None:
    applies = RULES[code].applies
    assert applies(model(App()), options())
    assert not applies(model(App(submitted=None)), options())
    assert applies(model(App(submitted=None)), options(submitted_at=local(2024, 8, 1)))
