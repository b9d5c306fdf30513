"""Property tests of the value parsers: text numbers, dates, date-times, labels, CVR numbers.
They never raise, read every unambiguous spelling the spec lists, and never guess."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import example, given
from hypothesis import strategies as st

from klyngecli.reader.cells import (
    cvr_text,
    parse_date,
    parse_datetime,
    parse_number_text,
    parse_unit,
    parse_year_header,
)
from klyngecli.vocabulary import CATEGORIES, CVR_WEIGHTS, FIELDS, SOURCES, normalise, valid_cvr

ZONE = ZoneInfo("Europe/Copenhagen")

amounts = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2)


def grouped(whole: int, separator: str) -> str:
    return f"{whole:,}".replace(",", separator)


def spellings(amount: Decimal) -> list[str]:
    """The spec's spellings of one amount: 1.234.567,50 / 1 234 567,50 / 1,234,567.50 / kr."""
    whole, cents = divmod(int(amount * 100), 100)
    danish = grouped(whole, ".") + (f",{cents:02d}" if cents else "")
    return [
        danish,
        grouped(whole, " ") + (f",{cents:02d}" if cents else ""),
        grouped(whole, ",") + (f".{cents:02d}" if cents else ""),
        f"kr. {danish}",
        f"{danish} kr.",
        f"  {danish}\u00a0",
    ]


@given(amounts)
@example(Decimal("1234567.50"))
@example(Decimal("924000"))
def test_every_spelling_of_an_amount_reads_back_exactly(amount: Decimal) -> None:
    for text in spellings(amount):
        assert parse_number_text(text) == amount, text


@given(amounts)
def test_a_negative_amount_keeps_its_sign(amount: Decimal) -> None:
    text = spellings(amount)[0]
    assert parse_number_text(f"-{text}") == -amount
    assert parse_number_text(f"({text})") == -amount


@given(st.text())
@example("12,3456")
@example("1.2.3")
@example("")
@example("kr.")
def test_the_number_parser_never_raises(text: str) -> None:
    result = parse_number_text(text)
    assert result is None or isinstance(result, Decimal)


@given(
    st.integers(min_value=1, max_value=999),
    st.sampled_from([".", ","]),
    st.integers(min_value=4, max_value=7),
)
def test_a_separator_before_four_or_more_digits_is_never_guessed(
    head: int, separator: str, digits: int
) -> None:
    assert parse_number_text(f"{head}{separator}{'1' * digits}") is None


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=999))
def test_two_separators_of_one_kind_before_a_short_group_are_never_guessed(a: int, b: int) -> None:
    assert parse_number_text(f"{a}.{b:03d}.5") is None  # 1.234.5: thousands or decimals?


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(dates)
def test_every_date_spelling_reads_day_first(day: date) -> None:
    for text in (
        day.isoformat(),
        f"{day:%d-%m-%Y}",
        f"{day.day}.{day.month}.{day.year}",
        f"{day:%d/%m/%Y}",
    ):
        assert parse_date(text) == day, text
    assert parse_date(datetime.combine(day, time(13, 5))) == day


@given(dates, st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_every_date_time_spelling_is_copenhagen_time(day: date, hour: int, minute: int) -> None:
    expected = datetime.combine(day, time(hour, minute), tzinfo=ZONE)
    for text in (
        f"{day:%d-%m-%Y} kl. {hour:02d}.{minute:02d}",
        f"{day:%d.%m.%Y} {hour:02d}:{minute:02d}",
        f"{day.isoformat()}T{hour:02d}:{minute:02d}",
    ):
        assert parse_datetime(text, ZONE) == expected, text


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1)))
def test_an_offset_is_kept(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    text = moment.isoformat() + "Z"
    parsed = parse_datetime(text, ZONE)
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(0)
    assert parsed.replace(tzinfo=None) == moment


@given(st.one_of(st.text(), st.floats(), st.integers(), st.booleans(), st.none()))
def test_date_parsers_never_raise(value: object) -> None:
    assert parse_date(value) is None or isinstance(parse_date(value), date)
    parsed = parse_datetime(value, ZONE)
    assert parsed is None or parsed.tzinfo is not None
    assert parse_year_header(value) is None or 2000 <= parse_year_header(value)[0] <= 2099  # type: ignore[index]
    assert parse_unit(str(value)) is None or parse_unit(str(value)) in {1, 1000, 1000000}


labels = st.sampled_from(sorted({*FIELDS, *CATEGORIES, *SOURCES}))


@given(labels, st.data())
def test_label_matching_ignores_case_spacing_colon_and_danish_letters(
    label: str, data: st.DataObject
) -> None:
    variant = data.draw(st.sampled_from([str.upper, str.title, str.lower]))(label)
    variant = variant.replace(" ", data.draw(st.sampled_from([" ", "  ", "\t"])))
    variant = (
        data.draw(st.sampled_from(["", " ", "  "]))
        + variant
        + data.draw(st.sampled_from(["", ":", " :", " "]))
    )
    assert normalise(variant) == normalise(label)
    assert normalise(normalise(variant)) == normalise(variant)


def with_check_digit(prefix: str) -> str | None:
    """The 8-digit CVR number with this 7-digit prefix, if one exists."""
    partial = sum(int(d) * w for d, w in zip(prefix, CVR_WEIGHTS, strict=False))
    last = (-partial) % 11
    return prefix + str(last) if last < 10 else None


@given(st.integers(min_value=1_000_000, max_value=9_999_999), st.data())
def test_cvr_check_digit(prefix_number: int, data: st.DataObject) -> None:
    cvr = with_check_digit(str(prefix_number))
    if cvr is None:
        return
    assert valid_cvr(cvr)
    assert cvr_text(f"DK {cvr[:2]} {cvr[2:4]}-{cvr[4:6]} {cvr[6:]}") == cvr
    assert cvr_text(float(cvr)) == cvr
    position = data.draw(st.integers(min_value=0, max_value=7))
    other = data.draw(
        st.integers(min_value=0, max_value=9).filter(lambda d: d != int(cvr[position]))
    )
    changed = cvr[:position] + str(other) + cvr[position + 1 :]
    assert not valid_cvr(changed)  # one wrong digit is always caught (11 is prime)
