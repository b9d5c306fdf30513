"""Parsers for cell values: text numbers, dates, date-times, units, year headers, CVR numbers.

Each parser takes what the spreadsheet stored (number, text, date) and returns the value or None
when the value cannot be read; it never guesses (workbook-format.md, "Values").
"""

from __future__ import annotations

import functools
import math
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from klyngecli.vocabulary import UNITS, normalise

ORE = Decimal("0.01")
EXCEL_EPOCH = datetime(1899, 12, 30)
# Excel serial numbers that are plausible dates for a project: 2000-01-01 .. 2099-12-31.
_SERIAL_RANGE = (36526, 73050)  # 2000-01-01 .. 2099-12-31 (decided item 4)

# No pattern here may try a run of whitespace from each of its characters: a cell of one digit,
# 16,000 spaces and a digit took 12 s. Whitespace before trailing text is taken only from where
# its run starts (`(?<!\s)`), a group before separators ends on something else (`[^,\s]`).
_CURRENCY = re.compile(r"^(?:kr\.?|dkk)\s*|(?:(?<!\s)\s+)?(?:kr\.?|dkk|,-|\.-)$", re.IGNORECASE)
_BODY = re.compile(r"^\d+(?:[., ']\d+)*$")
_PARTS = re.compile(r"[., ']|\d+")


def number_from_cell(value: object) -> Decimal | None:
    """A numeric cell's exact decimal: the shortest decimal that round-trips the stored double."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return Decimal(repr(value))
    return None


def parse_number_text(text: str) -> Decimal | None:
    """A number stored as text, by the spec's rule: a separator followed by exactly three digits
    groups thousands, one followed by one or two digits is the decimal separator; anything else
    is unreadable. Accepts `kr.`/`DKK` before or after, a sign, and accounting parentheses."""
    body = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-").strip()
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    body = _CURRENCY.sub("", body).strip()
    body = _CURRENCY.sub("", body).strip()  # both ends: "kr. 1.234,-"
    if body and body[0] in "+-":
        negative, body = negative or body[0] == "-", body[1:].strip()
    body = _CURRENCY.sub("", body).strip()
    if not body or not _BODY.match(body):
        return None
    tokens = _PARTS.findall(body)
    groups, seps = tokens[0::2], tokens[1::2]
    decimals = ""
    if seps and len(groups[-1]) in (1, 2):
        if seps[-1] not in ".,":
            return None
        decimals = groups.pop()
        decimal_sep = seps.pop()
        if decimal_sep in seps:
            return None
    elif seps and len(groups[-1]) != 3:
        return None
    if seps:
        # Thousands groups: one separator throughout, and a first group of 1-3 digits that does
        # not start with 0 (`0,924` is no grouping of 924, and the checker never guesses).
        if len(set(seps)) != 1 or not 1 <= len(groups[0]) <= 3 or groups[0].startswith("0"):
            return None
        if any(len(g) != 3 for g in groups[1:]):
            return None
    digits = "".join(groups) + ("." + decimals if decimals else "")
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return None
    return -number if negative else number


# No budget amount comes near this; beyond it the number is a typing or unit error, not money
# (and exact decimal arithmetic to the øre would run out of digits).
MAX_KRONER = Decimal(10) ** 15


def to_kroner(number: Decimal, multiplier: Decimal) -> Decimal:
    """Scale to kroner and round to øre, half up: the one rounding rule of the checker."""
    return (number * multiplier).quantize(ORE, rounding=ROUND_HALF_UP)


def parse_unit(text: str) -> Decimal | None:
    """`kr.` → 1, `1.000 kr.`/`t.kr.` → 1000, `mio. kr.` → 1000000; None when unknown."""
    key = UNITS.get(normalise(text))
    return Decimal(key) if key is not None else None


_YEAR = re.compile(r"^(?:aar|year|budget|regnskabsaar)?\s*(\d{4})\s*(?:\((.*)\)|,\s*(.*))?$")


def parse_year_header(value: object) -> tuple[int, str | None] | None:
    """A year column header (`2025`, `År 2025`, `2025 (t.kr.)`, 2025 as a number) → (year, unit
    text or None); None when the cell is not a year header."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        if float(value).is_integer() and 2000 <= value <= 2099:
            return int(value), None
        return None
    if not isinstance(value, str):
        return None
    match = _YEAR.match(normalise(value))
    if not match or not 2000 <= int(match.group(1)) <= 2099:
        return None
    unit = match.group(2) or match.group(3)
    return int(match.group(1)), (unit.strip() if unit else None)


_UNIT_SUFFIX = re.compile(r"^(.*?)(?<!\s)\s*\(([^()]*)\)\s*$")


@functools.lru_cache(maxsize=4096)
def split_unit_suffix(text: str) -> tuple[str, str | None]:
    """`I alt (t.kr.)` → (`I alt`, `t.kr.`); a parenthesis that is not a unit stays in the label."""
    match = _UNIT_SUFFIX.match(text.strip())
    if match and parse_unit(match.group(2)) is not None:
        return match.group(1), match.group(2)
    return text, None


# --- dates -----------------------------------------------------------------------------------

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("januar", "january", "jan"),
            ("februar", "february", "feb"),
            ("marts", "march", "mar"),
            ("april", "apr"),
            ("maj", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})([-./])(\d{1,2})\2(\d{4})$")
_WORD_DATE = re.compile(r"^(\d{1,2})\.?\s+([a-z]+)\.?\s+(\d{4})$")
_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d")
_DATE_TIME = re.compile(
    r"^(.*?[^,\s])[,\s]++(?:kl\.?\s*)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$", re.IGNORECASE
)


def _date_from_text(text: str) -> date | None:
    text = text.strip()
    try:
        if m := _ISO_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY_DATE.match(text):
            return date(int(m[4]), int(m[3]), int(m[1]))
        if (m := _WORD_DATE.match(normalise(text))) and m[2] in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2]], int(m[1]))
    except ValueError:
        return None
    return None


def _from_serial(value: float) -> datetime | None:
    if not _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
        return None
    return EXCEL_EPOCH + timedelta(days=value)


def parse_date(value: object) -> date | None:
    """A date cell, an Excel serial number, or text: ISO, day-first with - . /, `1. august 2025`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        moment = _from_serial(float(value))
        return moment.date() if moment else None
    if isinstance(value, str):
        text = value.strip()
        found = _date_from_text(text)
        if found is None and (moment := _text_datetime(text)) is not None:
            return moment.date() if isinstance(moment, datetime) else None
        return found
    return None


def _text_datetime(text: str) -> datetime | None:
    """Text date-times: ISO 8601 (offset kept), `13-08-2024 kl. 11.59`, `13.08.2024 11:59`,
    `13. august 2024 kl. 12.00`."""
    text = text.strip()
    if _ISO_START.match(text):
        try:
            return datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            pass  # not ISO after all: `2024-08-13 kl. 12.00` is read below
    match = _DATE_TIME.match(text)
    if not match:
        return None
    day = _date_from_text(match[1])
    if day is None:
        return None
    try:
        return datetime.combine(day, time(int(match[2]), int(match[3]), int(match[4] or 0)))
    except ValueError:
        return None


def parse_datetime(value: object, zone: ZoneInfo) -> datetime | None:
    """An aware date-time; without an offset it is local time of the call (decided item 9).
    A date alone means the start of that day."""
    moment: datetime | None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, float | int) and not isinstance(value, bool):
        moment = _from_serial(float(value))
    elif isinstance(value, str):
        moment = _text_datetime(value)
        if moment is None and (day := _date_from_text(value)) is not None:
            moment = datetime.combine(day, time())
    else:
        moment = None
    if moment is None:
        return None
    try:
        # A date-time cell is a fraction of a day in a double: a stored 12:00:00 may come back
        # as 11:59:59.999999. Rounding to the millisecond removes that noise and keeps real
        # fractions (12:00:00.4 is after the deadline).
        if moment.microsecond % 1000:
            moment = moment + timedelta(microseconds=500)
            moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
        # The rules compare it with the deadline (in UTC) and show it in the call's time.
        moment.astimezone(UTC), moment.astimezone(zone)
    except OverflowError:
        return None  # at the calendar's very edge (year 1 or 9999): no time to read
    return moment


# --- CVR -------------------------------------------------------------------------------------


def cvr_text(value: object) -> str | None:
    """A CVR cell as its digits: a number cell, or text with `DK`, spaces, dashes or dots."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        text = re.sub(r"[\s\-.]", "", value.strip())
        text = re.sub(r"^(?:dk|cvr(?:nr|-nr)?:?)", "", text, flags=re.IGNORECASE)
        return text or None
    return None
