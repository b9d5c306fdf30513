"""What the xlsx screens make of one cell with a value: the characters of text calamine would
build for it, and what the reader must be told of it (a formula without a stored result, an
error value, NaN). One reading, for the element-by-element screen (`ooxml`) and the plain one
(`ooxml_plain`)."""

from __future__ import annotations

from array import array

KEEP = 64  # characters of a <v> kept: enough to tell an index, an error code or NaN
TEXT_TYPES = ("str", "inlineStr")
PENDING = ""  # `verdict` of a formula without a stored result (an error's text is never empty)
_N_END = ("n", "N")  # the last character of a <v> that may say NaN


def text_length(
    kind: str | None, value: str, pieces: int, length: int, inline: int, strings: array[int]
) -> int:
    """The characters of text the cell makes: its <v>'s `length` and the `inline` characters of
    its <is>, or for `t="s"` the shared string its index names. `value` is the <v>'s text as
    kept (up to about KEEP characters), in the `pieces` expat delivered it."""
    if kind != "s":
        return inline + length
    if pieces == 1 and len(value) == length < 20 and value.isascii() and value.isdigit():
        index = int(value)  # the everyday index: below 10**19, within calamine's u64
        return strings[index] if index < len(strings) else 0
    return string_length(value, pieces, length, strings)


def verdict(kind: str | None, formula: bool, has_value: bool, value: str) -> str | None:
    """The error text (`#N/A`, `NaN`) of a cell whose value the reader must not take, PENDING for
    a formula without a stored result, None for a value."""
    if kind == "e":
        return value.strip() or "#ERROR"
    if formula and (not has_value or (not value.strip() and kind not in TEXT_TYPES)):
        return PENDING
    if value[-1:] in _N_END and kind in (None, "n") and value.lower().lstrip("+-") == "nan":
        # calamine reads NaN as a number (a date 1899-12-30 under a date format): KL006
        # (workbook-format.md, decided item 17).
        return "NaN"
    return None


def string_length(text: str, pieces: int, length: int, strings: array[int]) -> int:
    """The characters of the shared string a cell of `t="s"` refers to: calamine's atoi of the
    index in <v>; of an index that is not plain digits calamine parses only the first text run
    of <v> (up to a character reference or a comment), and reads what it cannot parse as 0: so
    0 or any leading digits."""
    if not pieces:
        return 0
    whole = pieces == 1 and len(text) == length
    if whole and text.isascii() and text.isdigit() and int(text[:21]) < 1 << 64:
        candidates = [int(text)]
    else:
        text = text.removeprefix("+")
        digits = len(text) - len(text.lstrip("0123456789"))
        candidates = [0, *(int(text[:k]) for k in range(1, min(digits, 20) + 1))]
    return max((strings[i] for i in candidates if i < len(strings)), default=0)
