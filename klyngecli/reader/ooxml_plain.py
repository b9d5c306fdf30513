"""The everyday worksheet part, screened by regular expressions in C instead of an expat handler
per element (issue 15: the element-by-element screen cost about as much as reading the file).

`screen_plain` takes a part only when it can give what `ooxml._screen_sheet` gives for it, and
returns None otherwise, for the element-by-element screen to read it from the start:

- expat reads the whole part first (with no handler but the DOCTYPE refusal), so the part is
  well-formed XML, and in UTF-8 (no NUL byte, no other encoding declared);
- no comment, CDATA section or processing instruction, and no entity where a value is read:
  then every `<` opens a tag, and the text between tags is the text expat would deliver;
- the first `<sheetData>` holds only rows, whitespace and cells of the everyday form: a
  reference such as `B7` first, and as children a formula, then a `<v>`, then an inline
  `<is><t>`, each optional, in that order;
- nothing reaches a limit: on a part that would, the element-by-element screen reports the first
  limit passed, and the number, exactly as it always did.

The regular expressions only recognise; what a cell is worth is decided by `cellrules`, as in
`_screen_sheet`, applied to the values they captured. The part is read as bytes, and cut before
a cell's or a row's tag about every MiB, so that memory stays near the part's size.

Up to 1 MiB (one chunk of the element-by-element screen) the two give the same, which the tests
check. In a larger part expat's chunks can cut the text of a `<v>` in two, and the
element-by-element screen reads a shared-string index cut so as calamine reads a damaged one;
the plain screen reads it whole, as calamine reads it.
"""

from __future__ import annotations

import io
import re
from array import array
from collections.abc import Callable, Iterator

from klyngecli.reader.cellrules import KEEP, PENDING, TEXT_TYPES, text_length, verdict
from klyngecli.reader.limits import MIB, Extent, Refused, Tally
from klyngecli.reader.xmlscan import feed, parser

Position = tuple[int, int]

PLAIN_MAX_BYTES = 64 * MIB  # a larger part is streamed element by element, in 1 MiB chunks
_PIECE = MIB  # the cells are found a piece of about this size at a time


_WS = rb"[ \t\n\r]"
# An attribute's value, without what expat would turn into another character: an entity, or
# whitespace other than a space (expat reads each as a space).
_VALUE = rb"""(?:"[^"<&>\t\n\r]*"|'[^'<&>\t\n\r]*')"""
_ATTR = rb"{ws}+[A-Za-z_][\w.:-]*{ws}*={ws}*{value}"


def _pattern(template: bytes, flags: int = 0) -> re.Pattern[bytes]:
    """A verbose expression with {ws} (XML's whitespace), {attr} (an attribute) and {value}."""
    ws, value = _WS.decode(), _VALUE.decode()
    attr = _ATTR.decode().format(ws=ws, value=value)
    text = template.decode().format(ws=ws, attr=attr, value=value)
    return re.compile(text.encode(), re.VERBOSE | flags)


# One token of <sheetData>: a cell, a row's tag, whitespace, or (the last group) anything else
# with all that follows it, in one piece, which sends the part the long way. The groups of a
# cell: column letters, row digits (its `r` comes first, as every writer puts it), its other
# attributes, its body, `<f`, `<v`, the <v>'s text, `<is`, the <is><t>'s text; then a row's
# number when it is its first attribute, and its other attributes.
_TOKEN = _pattern(
    rb"""
    <c{ws}+r="([A-Za-z]{{1,3}})([1-9][0-9]{{0,6}})"((?:{attr})*){ws}*
      (/> | >{ws}*
        (?:(<f)(?:{attr})*{ws}*(?:/>|>[^<]*</f{ws}*>){ws}*)?
        (?:(<v)(?:{ws}*/>|>([^<&\r\n]*)</v{ws}*>){ws}*)?
        (?:(<is)><t(?:{attr})*{ws}*(?:/>|>([^<\r]*)</t{ws}*>)</is{ws}*>{ws}*)?
      </c{ws}*>)
  | <row(?:{ws}+r="([1-9][0-9]{{0,6}})")?((?:{attr})*){ws}*/?> | </row{ws}*> | {ws}+
  | ([\s\S]+)
    """
)
_ATTRIBUTE = _pattern(rb"""([A-Za-z_][\w.:-]*){ws}*={ws}*(?:"([^"]*)"|'([^']*)')""")
_PLAIN_ROW = re.compile(rb"[0-9]*[1-9][0-9]*").fullmatch
_DECLARATION = _pattern(
    rb"""<\?xml{ws}+version{ws}*={ws}*{value}
    (?:{ws}+encoding{ws}*={ws}*(?:"utf-8"|'utf-8'))?
    (?:{ws}+standalone{ws}*={ws}*{value})?{ws}*\?>""",
    re.IGNORECASE,
)
_DATA_START = re.compile(rb"<([^ \t\n\r/><]*?)sheetData(?=[ \t\n\r/>])")
_DATA_TAG = _pattern(rb"<sheetData(?:{attr})*{ws}*(/?)>")
_ENTITY = re.compile(rb"&[^;&]*;")
_CUT = re.compile(rb"<(?:c|row)[ \t\n\r/>]|</row[ \t\n\r>]")
_BOM = b"\xef\xbb\xbf"


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
    start = _everyday(data, part, tally)
    if start is None:
        return None
    opened = _DATA_START.search(data, start)
    if opened is None:
        region = (0, 0)
    elif opened.group(1):
        return None  # a prefixed or other name ending in sheetData: the long way
    else:
        tag = _DATA_TAG.match(data, opened.start())
        if tag is None:
            return None  # a `>` in an attribute's value: the long way
        closes = data.find(b"</sheetData", tag.end())
        if tag.group(1):
            region = (0, 0)
        elif closes < 0:
            return None
        else:
            region = (tag.end(), closes)
    return _cells(data, region, sheet, strings, tally, column)


def _everyday(data: bytes, part: str, tally: Tally) -> int | None:
    """Where the part's markup starts (after a byte order mark and the XML declaration) when
    expat reads it without complaint and nothing in it needs expat to tell the text apart from
    the markup; else None."""
    if len(data) > PLAIN_MAX_BYTES or b"\x00" in data:
        return None  # too large to hold at once; or UTF-16, whose every `<` comes with a NUL
    try:
        feed(parser(), io.BytesIO(data), part, tally)
    except Refused:
        return None  # the element-by-element screen says what is wrong, where it finds it
    start = len(_BOM) if data.startswith(_BOM) else 0
    declaration = _DECLARATION.match(data, start)
    if declaration is not None:
        start = declaration.end()
    elif data.startswith(b"<?", start):
        return None  # another encoding, or a declaration of an unusual form
    if data.find(b"<!", start) >= 0 or data.find(b"<?", start) >= 0:
        return None  # a comment, CDATA, or processing instruction holds a `<` of its own
    return start


def _pieces(data: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The region cut about every `_PIECE` bytes, before a cell's or a row's tag (which no
    token holds inside it): the tokens of one piece at a time are in memory, however the
    sheet's rows are drawn (one long row, or cells with no row at all)."""
    while end - start > _PIECE:
        cut = _CUT.search(data, start + _PIECE, end)
        if cut is None:
            break
        yield start, cut.start()
        start = cut.start()
    yield start, end


def _cells(
    data: bytes,
    region: tuple[int, int],
    sheet: str,
    strings: array[int],
    tally: Tally,
    column: Callable[[str], int],
) -> tuple[set[Position], dict[Position, str]] | None:
    limits = tally.limits
    declared = data.startswith(b"<?", len(_BOM) if data.startswith(_BOM) else 0)
    records = data.count(b"<") - data.count(b"</") - declared
    if tally.records + records > limits.max_records:
        return None  # before the cells are read: a part of millions of tiny rows stops here
    pending: set[Position] = set()
    errors: dict[Position, str] = {}
    cells = chars = rows = cols = 0
    columns: dict[bytes, int] = {}  # column letters → index, and a cell's attributes → its `t`,
    kinds: dict[bytes, str | None] = {}  # for the few spellings a sheet repeats
    for start, end in _pieces(data, *region):
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
        ) in _TOKEN.findall(data, start, end):
            if not letters:
                if other or (row and not row_number and not _plain_row(row)):
                    return None
                continue
            if body == b"/>" or not (formula or has_value or inline_tag):
                continue  # <c r="B7"/>: no value is made of an empty cell
            if attrs in kinds:
                kind = kinds[attrs]
            else:
                kind = kinds[attrs] = _attribute(attrs, b"t")
            text = value.decode() if value else ""
            if len(text) > KEEP and kind not in TEXT_TYPES:
                return None
            cells += 1
            at_row = int(digits) - 1
            at_col = columns.get(letters)
            if at_col is None:
                at_col = columns[letters] = column(letters.decode())
            if at_row >= rows:
                rows = at_row + 1
            if at_col >= cols:
                cols = at_col + 1
            inline_length = _decoded_length(inline) if inline else 0
            chars += text_length(kind, text, 1 if text else 0, len(text), inline_length, strings)
            found = verdict(kind, bool(formula), bool(has_value), text)
            if found == PENDING:
                pending.add((at_row, at_col))
            elif found is not None:
                errors[(at_row, at_col)] = found
    if (
        tally.cells + cells > limits.max_cells
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


def _plain_row(attrs: bytes) -> bool:
    """A row's `r` is absent or a row number (`position` would take it); anything else goes the
    long way, which refuses what is no reference."""
    for name, double, single in _ATTRIBUTE.findall(attrs):
        if name == b"r":
            return bool(_PLAIN_ROW(double or single))
    return True


def _attribute(attrs: bytes, wanted: bytes) -> str | None:
    """The value of one attribute in a run of attributes the token matched; None when absent."""
    for name, double, single in _ATTRIBUTE.findall(attrs):
        if name == wanted:
            return bytes(double or single).decode()
    return None


def _decoded_length(text: bytes) -> int:
    """The characters expat delivers for `text`: an entity or character reference is one."""
    length = len(text) if text.isascii() else len(text.decode())
    if b"&" not in text:
        return length
    return length - sum(len(ref) - 1 for ref in _ENTITY.findall(text))
