"""The value parsers (klyngecli/reader/cells.py) case by case, at the edges of what they accept
(docs/decisions.md items 1-5 and 9): the property tests in tests/test_parsers.py say they never
raise and never guess; these say exactly what each spelling reads as."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from klyngecli.reader.cells import (
    MAX_KRONER,
    cvr_text,
    number_from_cell,
    parse_date,
    parse_datetime,
    parse_number_text,
    parse_unit,
    parse_year_header,
    split_unit_suffix,
    to_kroner,
)
from klyngecli.vocabulary import nearest, valid_cvr

ZONE = ZoneInfo("Europe/Copenhagen")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1.234.567,50", D("1234567.50"), id="danish"),
        pytest.param("1,234,567.50", D("1234567.50"), id="english"),
        pytest.param("1 234 567", D(1234567), id="spaces"),
        pytest.param("1'234'567", D(1234567), id="apostrophes"),
        pytest.param("5\u202f000", D(5000), id="narrow-no-break-space"),
        pytest.param("12345", D(12345), id="no-grouping"),
        pytest.param("0", D(0), id="zero"),
        pytest.param("1.234", D(1234), id="three-digits-after-a-dot-group"),
        pytest.param("123.456", D(123456), id="three-digit-first-group"),
        pytest.param("1,234", D(1234), id="three-digits-after-a-comma-group"),
        pytest.param("1,5", D("1.5"), id="one-decimal-comma"),
        pytest.param("1.50", D("1.50"), id="two-decimals-dot"),
        pytest.param("0,5", D("0.5"), id="leading-zero-decimal"),
        pytest.param("00,5", D("0.5"), id="zeros-before-decimals"),
        pytest.param("1.234,5", D("1234.5"), id="danish-one-decimal"),
        pytest.param("1,234.5", D("1234.5"), id="english-one-decimal"),
        pytest.param("1 234,50", D("1234.50"), id="spaces-and-decimals"),
        pytest.param("1 234.5", D("1234.5"), id="spaces-and-dot-decimals"),
        pytest.param("-5", D(-5), id="minus"),
        pytest.param("\u22125", D(-5), id="unicode-minus"),
        pytest.param("+5", D(5), id="plus"),
        pytest.param("(5)", D(-5), id="accounting-parentheses"),
        pytest.param("(-5)", D(-5), id="parentheses-and-minus-once"),
        pytest.param("kr. 1.234,-", D(1234), id="kr-before-and-comma-dash"),
        pytest.param("1.234 kr.", D(1234), id="kr-after"),
        pytest.param("1.000,00 kr.", D("1000.00"), id="kr-after-decimals"),
        pytest.param("kr. -1.234,50", D("-1234.50"), id="kr-then-sign"),
        pytest.param("DKK 1.234", D(1234), id="dkk-before"),
        pytest.param("5 dkk", D(5), id="dkk-after"),
        pytest.param("kr 5", D(5), id="kr-without-dot"),
        pytest.param("1.234.-", D(1234), id="dot-dash"),
        pytest.param("0,924", None, id="zero-first-group-is-no-grouping"),
        pytest.param("1234.567", None, id="four-digits-before-a-group"),
        pytest.param("1.23.456", None, id="two-digit-middle-group"),
        pytest.param("1.2345.678", None, id="four-digit-middle-group"),
        pytest.param("1,234,5", None, id="decimal-separator-used-for-groups"),
        pytest.param("1.234,567", None, id="mixed-group-separators"),
        pytest.param("1.234 567", None, id="mixed-dot-and-space"),
        pytest.param("12.3456", None, id="four-decimals"),
        pytest.param("0.000", None, id="zero-group-of-zeros"),
        pytest.param("1 5", None, id="space-before-one-digit"),
        pytest.param("-(5)", None, id="minus-before-parentheses"),
        pytest.param("(1.234", None, id="opening-parenthesis-only"),
        pytest.param("1.234)", None, id="closing-parenthesis-only"),
        pytest.param("1e5", None, id="exponent"),
        pytest.param("abc", None, id="letters"),
        pytest.param("kr.", None, id="currency-only"),
        pytest.param("", None, id="empty"),
    ],
)
def test_parse_number_text(text: str, expected: D | None) -> None:
    assert parse_number_text(text) == expected
    if expected is not None:
        assert str(parse_number_text(text)) == str(expected)  # the decimals as written


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(5, D(5), id="int"),
        pytest.param(0.1, D("0.1"), id="shortest-decimal-of-a-double"),
        pytest.param(1e16, D("1E+16"), id="large"),
        pytest.param(True, None, id="bool"),
        pytest.param(float("inf"), None, id="infinite"),
        pytest.param(float("nan"), None, id="nan"),
        pytest.param("5", None, id="text"),
        pytest.param(None, None, id="none"),
    ],
)
def test_number_from_cell(value: object, expected: D | None) -> None:
    assert number_from_cell(value) == expected


@pytest.mark.parametrize(
    ("number", "multiplier", "expected"),
    [
        pytest.param(D("1.005"), D(1), D("1.01"), id="half-up"),
        pytest.param(D("1.004"), D(1), D("1.00"), id="below-half-down"),
        pytest.param(D("-1.005"), D(1), D("-1.01"), id="negative-half-away-from-zero"),
        pytest.param(D("2.5"), D(1000), D("2500.00"), id="thousands"),
        pytest.param(D("0.0000049"), D(1000), D("0.00"), id="scaled-then-rounded"),
    ],
)
def test_to_kroner(number: D, multiplier: D, expected: D) -> None:
    result = to_kroner(number, multiplier)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_an_implausible_amount_starts_at_10_to_the_15() -> None:
    assert D(10**15) == MAX_KRONER  # decided item 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("kr.", 1, id="kr"),
        pytest.param("KR", 1, id="kr-upper"),
        pytest.param("1.000 kr.", 1000, id="thousand"),
        pytest.param("t.kr.", 1000, id="t-kr"),
        pytest.param("tkr", 1000, id="tkr"),
        pytest.param("mio. kr.", 1000000, id="million"),
        pytest.param("x", None, id="unknown"),
    ],
)
def test_parse_unit(text: str, expected: int | None) -> None:
    assert parse_unit(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(2025, (2025, None), id="number"),
        pytest.param(2025.0, (2025, None), id="whole-float"),
        pytest.param(2025.5, None, id="fraction"),
        pytest.param(2000, (2000, None), id="first-year"),
        pytest.param(1999, None, id="year-before"),
        pytest.param(2099, (2099, None), id="last-year"),
        pytest.param(2100, None, id="year-after"),
        pytest.param(True, None, id="bool"),
        pytest.param(None, None, id="none"),
        pytest.param("2025", (2025, None), id="text"),
        pytest.param("År 2025", (2025, None), id="aar"),
        pytest.param("Budget 2025", (2025, None), id="budget"),
        pytest.param("year 2025", (2025, None), id="year"),
        pytest.param("regnskabsår 2025", (2025, None), id="regnskabsaar"),
        pytest.param("2025 (t.kr.)", (2025, "t.kr."), id="unit-in-parentheses"),
        pytest.param("2025 (T.KR.)", (2025, "t.kr."), id="unit-normalised"),
        pytest.param("2025 ( kr. )", (2025, "kr."), id="unit-stripped"),
        pytest.param("2025, t.kr.", (2025, "t.kr."), id="unit-after-comma"),
        pytest.param("2000", (2000, None), id="text-first-year"),
        pytest.param("1999", None, id="text-year-before"),
        pytest.param("2099", (2099, None), id="text-last-year"),
        pytest.param("2100", None, id="text-year-after"),
        pytest.param("20255", None, id="five-digits"),
        pytest.param("X 2025", None, id="unknown-word"),
    ],
)
def test_parse_year_header(value: object, expected: tuple[int, str | None] | None) -> None:
    assert parse_year_header(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("I alt (t.kr.)", ("I alt", "t.kr."), id="unit"),
        pytest.param("I alt  (kr.)  ", ("I alt", "kr."), id="spaces"),
        pytest.param("a (b) (kr.)", ("a (b)", "kr."), id="last-parenthesis"),
        pytest.param("I alt (note)", ("I alt (note)", None), id="not-a-unit"),
        pytest.param("Løn", ("Løn", None), id="none"),
    ],
)
def test_split_unit_suffix(text: str, expected: tuple[str, str | None]) -> None:
    assert split_unit_suffix(text) == expected


MONTHS = [
    ("januar", 1), ("january", 1), ("jan", 1), ("februar", 2), ("february", 2), ("feb", 2),
    ("marts", 3), ("march", 3), ("mar", 3), ("april", 4), ("apr", 4), ("maj", 5), ("may", 5),
    ("juni", 6), ("june", 6), ("jun", 6), ("juli", 7), ("july", 7), ("jul", 7), ("august", 8),
    ("aug", 8), ("september", 9), ("sep", 9), ("sept", 9), ("oktober", 10), ("october", 10),
    ("okt", 10), ("oct", 10), ("november", 11), ("nov", 11), ("december", 12), ("dec", 12),
]  # fmt: skip


@pytest.mark.parametrize(("name", "month"), MONTHS, ids=[m for m, _ in MONTHS])
def test_every_written_month(name: str, month: int) -> None:
    assert parse_date(f"3. {name} 2025") == date(2025, month, 3)
    assert parse_date(f"3 {name.upper()}. 2025") == date(2025, month, 3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2025-01-31", date(2025, 1, 31), id="iso"),
        pytest.param("2025-1-5", date(2025, 1, 5), id="iso-short"),
        pytest.param("31-01-2025", date(2025, 1, 31), id="dashes"),
        pytest.param("31.01.2025", date(2025, 1, 31), id="dots"),
        pytest.param("31/01/2025", date(2025, 1, 31), id="slashes"),
        pytest.param("5.5.2025", date(2025, 5, 5), id="short-day-first"),
        pytest.param("  31-01-2025  ", date(2025, 1, 31), id="spaces"),
        pytest.param("31-01/2025", None, id="mixed-separators"),
        pytest.param("31. februar 2025", None, id="no-such-day-written"),
        pytest.param("2025-02-30", None, id="no-such-day-iso"),
        pytest.param("1 foo 2025", None, id="unknown-month"),
        pytest.param("2024-08-13T12:00:00", date(2024, 8, 13), id="iso-date-time"),
        pytest.param("2024-08-13 kl. 12.00", date(2024, 8, 13), id="date-kl-time"),
        pytest.param("2024-08-13T25:00", None, id="no-such-hour"),
        pytest.param(datetime(2025, 1, 31, 13, 5), date(2025, 1, 31), id="date-time-cell"),
        pytest.param(date(2025, 1, 31), date(2025, 1, 31), id="date-cell"),
        pytest.param(45658, date(2025, 1, 1), id="serial"),
        pytest.param(45658.75, date(2025, 1, 1), id="serial-with-time"),
        pytest.param(36526, date(2000, 1, 1), id="first-serial"),
        pytest.param(36525, None, id="serial-before-2000"),
        pytest.param(36525.9, None, id="serial-just-before-2000"),
        pytest.param(73050, date(2099, 12, 31), id="last-serial"),
        pytest.param(73051, None, id="serial-after-2099"),
        pytest.param(73416, None, id="serial-after-the-range"),
        pytest.param(True, None, id="bool"),
        pytest.param(None, None, id="none"),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


def moment(*parts: int, zone: object = ZONE) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc, arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2024-08-13T12:00:00+02:00", moment(2024, 8, 13, 12), id="iso-offset"),
        pytest.param("2024-08-13T10:00:00Z", moment(2024, 8, 13, 10, zone=UTC), id="iso-z"),
        pytest.param("2024-08-13 12:00", moment(2024, 8, 13, 12), id="iso-space"),
        pytest.param("2024-08-13 kl. 12.00", moment(2024, 8, 13, 12), id="iso-date-kl"),
        pytest.param("13-08-2024 kl. 11.59", moment(2024, 8, 13, 11, 59), id="kl"),
        pytest.param("13-08-2024 kl 9.05", moment(2024, 8, 13, 9, 5), id="kl-no-dot"),
        pytest.param("13-08-2024 KL. 9.05", moment(2024, 8, 13, 9, 5), id="kl-upper"),
        pytest.param("13.08.2024 12:01:30", moment(2024, 8, 13, 12, 1, 30), id="seconds"),
        pytest.param("13-08-2024, 12:00", moment(2024, 8, 13, 12), id="comma"),
        pytest.param("13. august 2024 kl. 12.00", moment(2024, 8, 13, 12), id="written"),
        pytest.param("13-08-2024", moment(2024, 8, 13), id="date-is-midnight"),
        pytest.param("13-08-2024 24:00", None, id="hour-24"),
        pytest.param("13-08-2024 12:60", None, id="minute-60"),
        pytest.param("32-08-2024 12:00", None, id="no-such-day"),
        pytest.param("i går", None, id="words"),
        pytest.param(datetime(2024, 8, 13, 12), moment(2024, 8, 13, 12), id="naive-is-local"),
        pytest.param(
            datetime(2024, 8, 13, 12, tzinfo=UTC), moment(2024, 8, 13, 12, zone=UTC), id="aware"
        ),
        pytest.param(date(2024, 8, 13), moment(2024, 8, 13), id="date-cell-midnight"),
        pytest.param(45517.5, moment(2024, 8, 13, 12), id="serial-noon"),
        pytest.param(45517, moment(2024, 8, 13), id="serial-int"),
        pytest.param(
            datetime(2024, 8, 13, 11, 59, 59, 999999), moment(2024, 8, 13, 12), id="float-noise"
        ),
        pytest.param(
            datetime(2024, 8, 13, 12, 0, 0, 400000),
            moment(2024, 8, 13, 12, 0, 0, 400000),
            id="real-fraction-kept",
        ),
        pytest.param(
            datetime(2024, 8, 13, 12, 0, 0, 1500),
            moment(2024, 8, 13, 12, 0, 0, 2000),
            id="half-a-millisecond-up",
        ),
        pytest.param(
            datetime(2024, 8, 13, 12, 0, 0, 999),
            moment(2024, 8, 13, 12, 0, 0, 1000),
            id="under-a-millisecond-rounds-too",
        ),
        pytest.param(
            datetime(2024, 8, 13, 12, 0, 0, 1499),
            moment(2024, 8, 13, 12, 0, 0, 1000),
            id="just-under-half-a-millisecond-down",
        ),
        pytest.param(
            datetime(2024, 8, 13, 12, 0, 0, 123456),
            moment(2024, 8, 13, 12, 0, 0, 123000),
            id="to-the-millisecond",
        ),
        pytest.param(True, None, id="bool"),
        pytest.param(None, None, id="none"),
    ],
)
def test_parse_datetime(value: object, expected: datetime | None) -> None:
    parsed = parse_datetime(value, ZONE)
    assert parsed == expected
    if expected is not None:
        assert parsed is not None and parsed.utcoffset() == expected.utcoffset()
        assert parsed.microsecond == expected.microsecond


def test_a_date_time_is_combined_with_midnight() -> None:
    parsed = parse_datetime("13-08-2024", ZONE)
    assert parsed is not None and parsed.time() == time(0, 0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(12345678.0, "12345678", id="number-cell"),
        pytest.param(12345678, "12345678", id="int"),
        pytest.param(12345678.5, None, id="fraction"),
        pytest.param(True, None, id="bool"),
        pytest.param(None, None, id="none"),
        pytest.param(" DK-12 34 56 78 ", "12345678", id="dk-spaces-dashes"),
        pytest.param("dk12345678", "12345678", id="dk-lower"),
        pytest.param("CVR: 12345678", "12345678", id="cvr-colon"),
        pytest.param("cvr-nr 12345678", "12345678", id="cvr-nr"),
        pytest.param("cvr.nr. 12345678", "12345678", id="cvr-dot-nr"),
        pytest.param("CVRNR:12345678", "12345678", id="cvrnr"),
        pytest.param("ABC", "ABC", id="no-number-left-as-it-is"),
        pytest.param("DK", None, id="prefix-only"),
        pytest.param("  ", None, id="spaces-only"),
        pytest.param("", None, id="empty"),
    ],
)
def test_cvr_text(value: object, expected: str | None) -> None:
    assert cvr_text(value) == expected


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        pytest.param("61405801", True, id="valid"),
        pytest.param("61405802", False, id="check-digit"),
        pytest.param("6140580", False, id="seven-digits"),
        pytest.param("614058011", False, id="nine-digits"),
        pytest.param("01405801", False, id="leading-zero"),
        pytest.param("01000004", False, id="leading-zero-with-a-good-check-digit"),
        pytest.param("6140580a", False, id="letter"),
        pytest.param("６１４０５８０１", False, id="non-ascii-digits"),
        pytest.param("12345682", True, id="valid-without-zeros"),
        pytest.param("12345683", False, id="valid-without-zeros-plus-1"),
    ],
)
def test_valid_cvr(digits: str, expected: bool) -> None:
    assert valid_cvr(digits) is expected


# --- The labels KL008 suggests for an unknown one (vocabulary.nearest) ---------------------

_COSTS = ["Løn", "Eksterne konsulenter", "Rejser", "Udstyr", "Andre omkostninger", "Overhead"]


@pytest.mark.parametrize(
    ("unknown", "suggested"),
    [
        ("Udstyr og drift", ["Udstyr"]),  # similarity 0.57: over the cutoff of 0.5
        ("Løn og rejser", ["Rejser"]),  # 0.60; `Løn` at 0.44 is under the cutoff, left out
        ("Lønn", ["Løn"]),
        ("xyz", ["Løn", "Eksterne konsulenter", "Rejser"]),  # nothing near: the first three
    ],
)
def test_nearest_labels_above_the_cutoff_else_the_first_three(
    unknown: str, suggested: list[str]
) -> None:
    assert nearest(unknown, _COSTS) == suggested


def test_nearest_suggests_three_at_most() -> None:
    assert nearest("Løn", [f"Løn {k}" for k in range(1, 6)]) == ["Løn 5", "Løn 4", "Løn 3"]
