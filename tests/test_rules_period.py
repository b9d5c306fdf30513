"""Deadline and period KL501-KL506 (rules.md "Deadline and period — KL5xx"), through the real
CLI.

The boundary cases of these codes are tested on hand-built models in
tests/test_rules_model_period.py. This module keeps one end-to-end case per code and side of its
boundary (the found case asserting its Sheet!Cell, messages and fix as the JSON report prints
them), and the cases that need a real workbook or the CLI: submission times and dates written as
text (Danish `kl. 12.00`, dotted, ISO local, `Z` and offsets), an `Indsendt` row left empty, a
basis application, the options --submitted-at (a time, `now`), --call, --fail-on and --select,
and unreadable dates that are the reader's KL006 alone.

The deadline is 2024-08-13 12:00 Copenhagen time (summer time, UTC+2, so 10:00 UTC); the
application period opened 2024-05-15 00:00. The clean application was submitted 2024-08-12
10:00 and runs 2025-01-01 – 2028-12-31, the whole programme period. The `Ansøger` fields are
written from B1: Ansøger, CVR-nummer, Bevillingstype, Projektstart (B4), Projektslut (B5),
Indsendt (B6).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from klyngecli.callspec import DEFAULT_CALL
from tests.conftest import assert_messages, check
from tests.workbooks import APPLICANT, App, basis_app

DEADLINE = "2024-08-13T12:00:00+02:00"
OPENS = "2024-05-15T00:00:00+02:00"
START = "Ansøger!B4"
END = "Ansøger!B5"
SUBMITTED = "Ansøger!B6"
CALLS = Path(__file__).resolve().parent.parent / "klyngecli" / "calls"


def test_field_cells() -> None:
    """The cells the locations below name."""
    built = App().build()
    assert built.ref(APPLICANT, "Projektstart") == START
    assert built.ref(APPLICANT, "Projektslut") == END
    assert built.ref(APPLICANT, "Indsendt") == SUBMITTED


# --- KL501: submitted after the deadline ----------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "codes"),
    [
        pytest.param(datetime(2024, 8, 13, 12, 0, 0), [], id="datetime-cell-12:00:00-ok"),
        pytest.param("13-08-2024 kl. 12.00", [], id="text-kl-12.00-ok"),
        pytest.param("13-08-2024 kl. 11.59", [], id="text-kl-11.59-ok"),
        pytest.param("13.08.2024 12:01", ["KL501"], id="text-dotted-12:01-late"),
        pytest.param("2024-08-13T12:00:00", [], id="iso-local-12:00:00-ok"),
        pytest.param("2024-08-13T12:00:01", ["KL501"], id="iso-local-12:00:01-late"),
        pytest.param("2024-08-13T10:00:00Z", [], id="iso-z-10:00:00-ok"),
        pytest.param("2024-08-13T10:00:01Z", ["KL501"], id="iso-z-10:00:01-late"),
        pytest.param("2024-08-13T12:00:00+02:00", [], id="iso-offset-12:00:00+02-ok"),
        pytest.param("2024-08-13T12:00:01+02:00", ["KL501"], id="iso-offset-12:00:01+02-late"),
        pytest.param("2024-08-13T11:00:00+01:00", [], id="iso-offset-11:00:00+01-ok"),
        pytest.param("2024-08-13T11:00:01+01:00", ["KL501"], id="iso-offset-11:00:01+01-late"),
        pytest.param("2024-08-13T09:59:59+00:00", [], id="iso-offset-09:59:59+00-ok"),
    ],
)
def test_kl501_deadline_boundary(
    tmp_path: Path, submitted: datetime | str, codes: list[str]
) -> None:
    result = check(tmp_path, replace(App(), submitted=submitted))
    assert result.codes == codes
    assert result.exit_code == (1 if codes else 0)
    assert result.at("KL501") == [SUBMITTED] * len(codes)


def test_kl501_one_second_late(tmp_path: Path) -> None:
    built = replace(App(), submitted=datetime(2024, 8, 13, 12, 0, 1)).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL501"]
    assert result.exit_code == 1
    finding = result.only("KL501")
    assert finding["severity"] == "error"
    assert finding["location"] == built.ref(APPLICANT, "Indsendt") == SUBMITTED
    assert finding["found"] == "2024-08-13T12:00:01+02:00"
    assert finding["limit"] == DEADLINE
    assert_messages(finding)
    assert "13-08-2024 12:00:01" in finding["message"]["da"]
    assert "13-08-2024 12:00:01" in finding["message"]["en"]


@pytest.mark.parametrize(
    ("submitted", "option", "codes"),
    [
        pytest.param(
            datetime(2024, 8, 13, 12, 0, 1), "2024-08-13T12:00:00", [], id="option-at-12:00:00-ok"
        ),
        pytest.param(
            datetime(2024, 8, 12, 10, 0), "2024-08-13T10:00:01Z", ["KL501"], id="option-z-late"
        ),
        pytest.param(None, "2024-08-01T09:00", [], id="option-without-indsendt-ok"),
    ],
)
def test_kl501_submitted_at_overrides_indsendt(
    tmp_path: Path, submitted: datetime | None, option: str, codes: list[str]
) -> None:
    result = check(tmp_path, replace(App(), submitted=submitted), "--submitted-at", option)
    assert result.codes == codes
    assert result.exit_code == (1 if codes else 0)


def test_kl501_from_the_option(tmp_path: Path) -> None:
    """A time from --submitted-at is about no cell: the finding names the Ansøger sheet."""
    result = check(tmp_path, App(), "--submitted-at", "2024-08-13T12:00:01")
    finding = result.only("KL501")
    assert finding["location"] == "Ansøger"
    assert finding["found"] == "2024-08-13T12:00:01+02:00"
    assert finding["limit"] == DEADLINE


def test_kl501_basis_too(tmp_path: Path) -> None:
    result = check(tmp_path, replace(basis_app(), submitted=datetime(2024, 8, 13, 12, 0, 1)))
    assert result.codes == ["KL501"]


# --- KL502: submitted before the application period ---------------------------------------


@pytest.mark.parametrize(
    ("submitted", "codes"),
    [
        pytest.param(datetime(2024, 5, 15, 0, 0), [], id="2024-05-15-00:00-ok"),
        pytest.param("2024-05-14T21:59:59Z", ["KL502"], id="iso-z-one-second-early"),
        pytest.param("2024-05-14T22:00:00Z", [], id="iso-z-at-the-opening-ok"),
    ],
)
def test_kl502_opening_boundary(
    tmp_path: Path, submitted: datetime | str, codes: list[str]
) -> None:
    result = check(tmp_path, replace(App(), submitted=submitted))
    assert result.codes == codes
    assert result.exit_code == (1 if codes else 0)


def test_kl502_one_minute_early(tmp_path: Path) -> None:
    built = replace(App(), submitted=datetime(2024, 5, 14, 23, 59)).build()
    finding = check(tmp_path, built).only("KL502")
    assert finding["severity"] == "error"
    assert finding["location"] == SUBMITTED
    assert finding["found"] == "2024-05-14T23:59:00+02:00"
    assert finding["limit"] == OPENS
    assert_messages(finding)


def test_kl502_from_the_option(tmp_path: Path) -> None:
    result = check(tmp_path, App(), "--submitted-at", "2024-05-14T23:59")
    assert result.codes == ["KL502"]
    assert result.at("KL502") == ["Ansøger"]


# --- KL503: longer than 48 months ---------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "codes"),
    [
        pytest.param(
            date(2025, 3, 1), date(2029, 2, 28), ["KL504"], id="48-months-from-march-only-kl504"
        ),
        pytest.param(
            date(2025, 3, 1), date(2029, 3, 1), ["KL503", "KL504"], id="from-march-and-a-day"
        ),
    ],
)
def test_kl503_length_boundary(tmp_path: Path, start: date, end: date, codes: list[str]) -> None:
    result = check(tmp_path, replace(App(), start=start, end=end))
    assert result.codes == codes
    assert result.exit_code == (1 if codes else 0)


def test_kl503_one_day_too_long(tmp_path: Path) -> None:
    """rules.md decided item 2: under this call a project over 48 months also gets KL504."""
    built = replace(App(), end=date(2029, 1, 1)).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL503", "KL504"]
    assert result.exit_code == 1
    finding = result.only("KL503")
    assert finding["severity"] == "error"
    assert finding["location"] == built.ref(APPLICANT, "Projektslut") == END
    assert finding["found"] == "2029-01-01"
    assert finding["limit"] == "2028-12-31"
    assert "31-12-2028" in finding["fix"]["da"]
    assert "31-12-2028" in finding["fix"]["en"]
    assert_messages(finding)
    assert result.at("KL504") == [END]


def test_kl503_dates_as_text(tmp_path: Path) -> None:
    result = check(tmp_path, replace(App(), start="01-01-2025", end="1.1.2029"))
    assert result.codes == ["KL503", "KL504"]
    assert result.at("KL503") == [END]


def short_call(tmp_path: Path, months: int) -> Path:
    """The built-in call with another longest project period, as a rules file."""
    source = (CALLS / f"{DEFAULT_CALL}.toml").read_text("utf-8")
    changed, count = re.subn(r"(\[max_project_months\]\nvalue = )48", rf"\g<1>{months}", source)
    assert count == 1
    path = tmp_path / "short.toml"
    path.write_text(changed, "utf-8")
    return path


@pytest.mark.parametrize(
    ("end", "codes"),
    [
        pytest.param(date(2028, 11, 30), [], id="exactly-47-months-ok"),
        pytest.param(date(2028, 12, 1), ["KL503"], id="47-months-and-a-day"),
    ],
)
def test_kl503_months_come_from_the_call(tmp_path: Path, end: date, codes: list[str]) -> None:
    """With a 47-month call, KL503 fires inside the programme period, without KL504."""
    app = replace(App(), end=end)
    result = check(tmp_path, app, "--call", str(short_call(tmp_path, 47)))
    assert result.codes == codes
    if codes:
        finding = result.only("KL503")
        assert finding["location"] == END
        assert finding["limit"] == "2028-11-30"


# --- KL504: outside the programme period --------------------------------------------------


def test_kl504_starts_before_the_programme(tmp_path: Path) -> None:
    built = replace(App(), start=date(2024, 12, 31), end=date(2028, 6, 30)).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL504"]
    assert result.exit_code == 1
    finding = result.only("KL504")
    assert finding["severity"] == "error"
    assert finding["location"] == built.ref(APPLICANT, "Projektstart") == START
    assert finding["found"] == "2024-12-31"
    assert finding["limit"] == "2025-01-01"
    assert_messages(finding)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(date(2025, 1, 1), date(2028, 12, 31), id="the-whole-programme-ok"),
    ],
)
def test_kl504_inside_ok(tmp_path: Path, start: date, end: date) -> None:
    result = check(tmp_path, replace(App(), start=start, end=end))
    assert result.codes == []


# --- KL505: ends before it starts ---------------------------------------------------------


def test_kl505_end_before_start(tmp_path: Path) -> None:
    built = replace(App(), start=date(2026, 1, 1), end=date(2025, 12, 31)).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL505"]
    assert result.exit_code == 1
    finding = result.only("KL505")
    assert finding["severity"] == "error"
    assert finding["location"] == built.ref(APPLICANT, "Projektslut") == END
    assert finding["found"] == "2025-12-31"
    assert finding["limit"] == "2026-01-01"
    assert_messages(finding)


@pytest.mark.parametrize(
    ("start", "end", "codes"),
    [
        pytest.param(date(2025, 6, 1), date(2025, 6, 1), [], id="same-day-ok"),
    ],
)
def test_kl505_boundary(tmp_path: Path, start: date, end: date, codes: list[str]) -> None:
    """Only the KL5 rules: a one-day project leaves amounts in later years (KL104)."""
    result = check(tmp_path, replace(App(), start=start, end=end), "--select", "KL5")
    assert result.codes == codes


# --- KL506: submission time unknown -------------------------------------------------------


def test_kl506_no_indsendt_and_no_option(tmp_path: Path) -> None:
    result = check(tmp_path, replace(App(), submitted=None))
    assert result.codes == ["KL506"]
    assert result.exit_code == 0  # a warning only
    finding = result.only("KL506")
    assert finding["severity"] == "warning"
    assert finding["location"] == "Ansøger"  # there is no Indsendt row to point at
    assert finding["limit"] == DEADLINE
    assert_messages(finding)
    # the deadline passed in 2024: the message says the call has closed
    assert "closed" in finding["message"]["en"]
    assert "13-08-2024 12:00" in finding["message"]["en"]
    assert "lukkede" in finding["message"]["da"]


def test_kl506_indsendt_row_left_empty(tmp_path: Path) -> None:
    """An `Indsendt` row whose value cell is empty: the finding points at that cell."""
    built = replace(App(), submitted="").build()
    result = check(tmp_path, built)
    assert result.codes == ["KL506"]
    assert result.at("KL506") == [SUBMITTED]


def test_kl506_fails_with_fail_on_warning(tmp_path: Path) -> None:
    result = check(tmp_path, replace(App(), submitted=None), "--fail-on", "warning")
    assert result.codes == ["KL506"]
    assert result.exit_code == 1


def test_kl506_not_with_indsendt(tmp_path: Path) -> None:
    assert check(tmp_path, App()).codes == []


def test_kl506_submitted_at_now_checks_the_deadline(tmp_path: Path) -> None:
    """`--submitted-at now`: now is after the 2024 deadline, so KL501 instead of KL506."""
    result = check(tmp_path, replace(App(), submitted=None), "--submitted-at", "now")
    assert result.codes == ["KL501"]
    assert result.exit_code == 1
    finding = result.only("KL501")
    assert finding["location"] == "Ansøger"
    assert finding["limit"] == DEADLINE
    assert datetime.fromisoformat(finding["found"]) > datetime.fromisoformat(DEADLINE)


def test_kl506_submitted_at_now_overrides_a_good_indsendt(tmp_path: Path) -> None:
    result = check(tmp_path, App(), "--submitted-at", "now")
    assert result.codes == ["KL501"]


# --- decided item 6: an unreadable date is the reader's finding alone ------------------------


@pytest.mark.parametrize(
    ("field", "text", "cell"),
    [
        pytest.param("submitted", "i går", SUBMITTED, id="indsendt-no-kl506-no-kl501"),
        pytest.param("end", "31-12-20288", END, id="projektslut-no-kl503-kl504-kl505"),
        pytest.param("start", "primo 2025", START, id="projektstart-no-kl504-kl505"),
    ],
)
def test_unreadable_dates_are_kl006_alone(tmp_path: Path, field: str, text: str, cell: str) -> None:
    app = App()
    setattr(app, field, text)
    result = check(tmp_path, app)
    assert result.codes == ["KL006"]
    assert result.at("KL006") == [cell]
    assert text in result.only("KL006")["message"]["da"]


def test_kl501_a_fraction_of_a_second_after_noon_is_late(tmp_path: Path) -> None:
    late = datetime(2024, 8, 13, 12, 0, 0, 400_000)
    finding = check(tmp_path, replace(App(), submitted=late)).only("KL501")
    assert "0,4 sek." in finding["message"]["da"] and "0.4 s" in finding["message"]["en"]
