"""The everyday worksheet part, screened by regular expressions in C instead of an expat handler
per element (issue 15: the element-by-element screen cost about as much as reading the file).

`screen_plain` takes a part only when it can give exactly what `ooxml._screen_sheet` gives for
it, and returns None otherwise, for the element-by-element screen to read it from the start:

- expat reads the whole part first (with no handler but the DOCTYPE refusal), so the part is
  well-formed XML in the encoding it declares, and UTF-8 it must be here;
- no comment, CDATA section, processing instruction, prefixed cell or row, `\\r`, or entity
  where a value is read: then every `<` opens a tag, and the text between tags is the text expat
  would deliver;
- the first `<sheetData>` holds only rows, whitespace and cells of the everyday form: a
  reference such as `B7` first, a `t` of letters, and as children a formula, then a `<v>`, then
  an inline `<is><t>` — each optional, in that order;
- nothing reaches a limit: on a part that would, the element-by-element screen reports the first
  limit passed, and the number, exactly as it always did.

The regular expressions only recognise; they never decide what a cell is worth: that is the
rules of `_screen_sheet`, applied to the values they captured.
"""

from __future__ import annotations

import io
import re
from array import array
from collections.abc import Callable

from klyngecli.reader.limits import Extent, Refused, Tally
from klyngecli.reader.xmlscan import feed, parser

Position = tuple[int, int]

PLAIN_MAX_BYTES = 1 << 20  # one chunk of the element-by-element screen: expat's text unsplit

KEEP = 64  # characters of a <v> kept: enough to tell an index, an error code or NaN
TEXT_TYPES = ("str", "inlineStr")
N_END = ("n", "N")  # the last character of a <v> that may say NaN

_WS = r"[ \t\n\r]"
# An attribute's value, without what expat would turn into another character: an entity, or
# whitespace other than a space (expat reads each as a space).
_VALUE = r"""(?:"[^"<&>\t\n\r]*"|'[^'<&>\t\n\r]*')"""
_ATTR = rf"{_WS}+[A-Za-z_][\w.:-]*{_WS}*={_WS}*{_VALUE}"

# One token of <sheetData>: a cell, a row's tag, whitespace, or (the last group) anything else
# with all that follows it, in one piece, which sends the part the long way. The groups of a
# cell: column letters, row digits (its `r` comes first, as every writer puts it), its other
# attributes, its body, `<f`, `<v`, the <v>'s text, `<is`, the <is><t>'s text; then a row's
# number when it is its first attribute, and its other attributes.
_TOKEN = re.compile(
    rf"""
    <c{_WS}+r="([A-Za-z]{{1,3}})([1-9][0-9]{{0,6}})"((?:{_ATTR})*){_WS}*
      (/> | >{_WS}*
        (?:(<f)(?:{_ATTR})*{_WS}*(?:/>|>[^<]*</f{_WS}*>){_WS}*)?
        (?:(<v)(?:{_WS}*/>|>([^<&\r\n]*)</v{_WS}*>){_WS}*)?
        (?:(<is)><t(?:{_ATTR})*{_WS}*(?:/>|>([^<\r]*)</t{_WS}*>)</is{_WS}*>{_WS}*)?
      </c{_WS}*>)
  | <row(?:{_WS}+r="([1-9][0-9]{{0,6}})")?((?:{_ATTR})*){_WS}*/?> | </row{_WS}*> | {_WS}+
  | ([\s\S]+)
    """,
    re.VERBOSE | re.ASCII,
)
_ATTRIBUTE = re.compile(rf"([A-Za-z_][\w.:-]*){_WS}*={_WS}*(?:\"([^\"]*)\"|'([^']*)')", re.ASCII)
_PLAIN_ROW = re.compile(r"[0-9]*[1-9][0-9]*").fullmatch
_DECLARATION = re.compile(
    rf"<\?xml{_WS}+version{_WS}*={_WS}*{_VALUE}"
    rf"(?:{_WS}+encoding{_WS}*={_WS}*(?:\"utf-8\"|'utf-8'))?"
    rf"(?:{_WS}+standalone{_WS}*={_WS}*{_VALUE})?{_WS}*\?>",
    re.ASCII | re.IGNORECASE,
)
_DATA_START = re.compile(rf"<([^\s/>]*?)sheetData(?={_WS}|/|>)")
_DATA_TAG = re.compile(rf"<sheetData(?:{_ATTR})*{_WS}*(/?)>", re.ASCII)
_ENTITY = re.compile(r"&[^;]*;")
_UNSEEN = "\x00"  # no `t` of a cell is this: it is no character XML allows


def screen_plain(
    data: bytes,
    part: str,
    sheet: str,
    strings: array[int],
    tally: Tally,
    column: Callable[[str], int],
) -> tuple[set[Position], dict[Position, str]] | None:
    """What `ooxml._screen_sheet` finds in the part, or None when the part is not of the
    everyday form (or would reach a limit), for that screen to read instead. `column` is
    `ooxml._column`: column letters to an index."""
    text = _everyday_text(data, part, tally)
    if text is None:
        return None
    opened = _DATA_START.search(text)
    if opened is None:
        region = ""
    elif opened.group(1):
        return None  # a prefixed or other name ending in sheetData: the long way
    else:
        tag = _DATA_TAG.match(text, opened.start())
        if tag is None:
            return None  # a `>` in an attribute's value: the long way
        closes = text.find("</sheetData", tag.end())
        if tag.group(1):
            region = ""
        elif closes < 0:
            return None
        else:
            region = text[tag.end() : closes]
    return _cells(text, region, sheet, strings, tally, column)


def _everyday_text(data: bytes, part: str, tally: Tally) -> str | None:
    """The part's text when expat reads it without complaint and nothing in it needs expat to
    tell the text apart from the markup; else None."""
    if len(data) > PLAIN_MAX_BYTES:
        return None
    try:
        feed(parser(), io.BytesIO(data), part, tally)
        text = data.decode("utf-8")
    except (Refused, UnicodeDecodeError):
        return None  # the element-by-element screen says what is wrong, where it finds it
    text = text.removeprefix("\ufeff")
    declaration = _DECLARATION.match(text)
    if declaration is None and text.startswith("<?"):
        return None  # another encoding (expat decoded it), or an unusual declaration
    body = text[declaration.end() :] if declaration is not None else text
    if "<!" in body or "<?" in body:
        return None  # a comment, CDATA, or processing instruction holds a `<` of its own
    return text


def _cells(
    text: str,
    region: str,
    sheet: str,
    strings: array[int],
    tally: Tally,
    column: Callable[[str], int],
) -> tuple[set[Position], dict[Position, str]] | None:
    limits = tally.limits
    pending: set[Position] = set()
    errors: dict[Position, str] = {}
    cells = chars = rows = cols = 0
    strings_known = len(strings)
    columns: dict[str, int] = {}  # column letters → index, and a cell's attributes → its `t`,
    kinds: dict[str, str | None] = {}  # for the few spellings a sheet repeats
    for (
        letters,
        digits,
        attrs,
        body,
        formula,
        has_value,
        value,
        inline_tag,
        inline,
        row_number,
        row,
        other,
    ) in _TOKEN.findall(region):
        if not letters:
            if other or (row and not row_number and not _plain_row(row)):
                return None
            continue
        if body == "/>" or not (formula or has_value or inline_tag):
            continue  # <c r="B7"/>: no value is made of an empty cell
        kind = kinds.get(attrs, _UNSEEN)
        if kind is _UNSEEN:
            kind = kinds[attrs] = _attribute(attrs, "t")
        if len(value) > KEEP and kind not in TEXT_TYPES:
            return None
        cells += 1
        at_row = int(digits) - 1
        at_col = columns.get(letters)
        if at_col is None:
            at_col = columns[letters] = column(letters)
        if at_row >= rows:
            rows = at_row + 1
        if at_col >= cols:
            cols = at_col + 1
        if kind != "s":
            chars += len(value) + (_decoded_length(inline) if inline else 0)
        elif value.isascii() and value.isdigit() and len(value) < 20:
            index = int(value)
            chars += strings[index] if index < strings_known else 0
        else:
            chars += string_length(value, 1 if value else 0, len(value), strings)
        if kind == "e":
            errors[(at_row, at_col)] = value.strip() or "#ERROR"
        elif formula and (not has_value or (not value.strip() and kind not in TEXT_TYPES)):
            pending.add((at_row, at_col))
        elif value[-1:] in N_END and kind in (None, "n") and value.lower().lstrip("+-") == "nan":
            errors[(at_row, at_col)] = "NaN"
    records = text.count("<") - text.count("</") - text.startswith("<?")
    if (
        tally.records + records > limits.max_records
        or tally.cells + cells > limits.max_cells
        or tally.text_chars + chars > limits.max_text_chars
        or rows * cols > limits.max_sheet_cells
        or tally.book_cells + rows * cols > limits.max_book_cells
    ):
        return None  # the element-by-element screen names the first limit passed
    tally.records += records
    tally.cells += cells
    tally.text_chars += chars
    if cells:
        Extent(tally, sheet).reach(rows, cols)
    return pending, errors


def _plain_row(attrs: str) -> bool:
    """A row's `r` is absent or a row number (`position` would take it); anything else goes the
    long way, which refuses what is no reference."""
    ref = _attribute(attrs, "r")
    return ref is None or bool(_PLAIN_ROW(ref))


def _attribute(attrs: str, wanted: str) -> str | None:
    """The value of one attribute in a run of attributes the token matched; None when absent."""
    for name, double, single in _ATTRIBUTE.findall(attrs):
        if name == wanted:
            return str(double or single)
    return None


def _decoded_length(text: str) -> int:
    """The characters expat delivers for `text`: an entity or character reference is one."""
    if "&" not in text:
        return len(text)
    return len(text) - sum(len(ref) - 1 for ref in _ENTITY.findall(text))


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
