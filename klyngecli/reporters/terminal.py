"""Where the text report goes: its lines, and the two ways of writing them.

The text reporter lays its report out in `Line`s: text with styled spans, the same data as a
rich `Text` (its plain text, a style over all of it, and spans), made without importing rich's
console. A `Plain` printer writes a line's text and nothing else; a `Rich` printer hands the
same line to rich, in colour. A report without colour (a pipe, a file, NO_COLOR) never imports
rich's console, text or table modules: about 30 ms of a one-file check's start-up (issue 15).
Only `rich.cells` (a character's width in a terminal) and `rich.box` (a table's frame) are
read, both small. The tests write every plain report both ways and compare them.

Both printers write through `Stream`: no character that the output cannot encode ever fails
(the report's own symbols fall back to ASCII, any other character becomes `?`, decided item 5),
and no line ends in a space.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TextIO, cast

from rich import box
from rich.cells import cell_len, set_cell_size

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# The report's own symbols on a stream that cannot encode them: one character for one, so
# columns stay aligned and the bar's characters stay distinct; any other character the stream
# lacks (a Danish letter on ascii, Chinese on cp1252) becomes `?`.
ASCII_FALLBACK = {
    "█": "#",
    "▓": "=",
    "▒": "+",
    "░": "-",
    "▚": "%",
    "▞": "@",
    "▪": "*",
    "×": "x",
    "·": "-",
    "–": "-",
    "…": ".",
}
FRAME_CHARS = "┌─┬┐│├┼┤└┴┘"
# The control characters rich's Text drops from what it is given (rich.control's
# STRIP_CONTROL_CODES: bell, backspace, vertical tab, form feed, carriage return); a Line drops
# them too, so its text and spans are rich's. (A workbook's text reaches a Line through
# `shown()`, which escapes every control character first.)
_DROPPED = dict.fromkeys([7, 8, 11, 12, 13])


class Line:
    """A line of the report: its text, a style over all of it and styled spans, built as a
    rich `Text` is (`append`, `append_text`, `join`, `truncate` keep rich's meaning), so that
    `rich()` gives the very `Text` the reporter used to build."""

    __slots__ = ("_length", "_parts", "_spans", "style")

    def __init__(self, text: str = "", style: str = "") -> None:
        text = text.translate(_DROPPED)
        self._parts = [text]
        self._length = len(text)
        self.style = style
        self._spans: list[tuple[int, int, str]] = []

    @property
    def plain(self) -> str:
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0]

    @property
    def cell_len(self) -> int:
        """Its width in a terminal's columns (a wide character takes two)."""
        return cell_len(self.plain)

    def append(self, text: str, style: str = "") -> Line:
        text = text.translate(_DROPPED)
        if text:
            if style:
                self._spans.append((self._length, self._length + len(text), style))
            self._parts.append(text)
            self._length += len(text)
        return self

    def append_text(self, other: Line) -> Line:
        """`other` after this, keeping its style and spans."""
        start = self._length
        if other.style:
            self._spans.append((start, start + other._length, other.style))
        self._spans += [(start + a, start + b, s) for a, b, s in other._spans]
        self._parts.append(other.plain)
        self._length += other._length
        return self

    def join(self, lines: Iterable[Line]) -> Line:
        """The lines with this one between each two (a new line, with this one's style)."""
        joined = Line(style=self.style)
        for index, line in enumerate(lines):
            if index and self._length:
                joined.append_text(self)
            joined.append_text(line)
        return joined

    def truncate(self, width: int) -> None:
        """Cut to `width` columns, the last of them `…`, as rich's `Text.truncate` does with
        overflow "ellipsis" (spans past the cut end there)."""
        if self.cell_len > width:
            text = set_cell_size(self.plain, width - 1) + "…"
            self._parts, self._length = [text], len(text)
            self._spans = [(a, min(b, len(text)), s) for a, b, s in self._spans if a < len(text)]

    def rich(self) -> Text:
        from rich.text import Span, Text

        spans = [Span(a, b, s) for a, b, s in self._spans]
        return Text(self.plain, style=self.style, spans=spans)


# --- the stream -------------------------------------------------------------------------------


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the report's symbols in ASCII, `?` for any other character."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(ASCII_FALLBACK.get(c, "?") for c in bad), error.end


codecs.register_error("klyngecli-ascii", _ascii_fallback)
# Spaces at the end of a line, also before the colour codes that close it (rich pads a table's
# cells): never written, in colour or not.
_TRAILING_SPACE = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)(?=\n)")


def encoding_of(out: TextIO) -> str:
    """The codec of `out`, normalised; a stream without one takes any text (io.StringIO)."""
    try:
        return codecs.lookup(getattr(out, "encoding", None) or "utf-8").name
    except LookupError:
        return "ascii"


def encodes(encoding: str, chars: str) -> bool:
    try:
        codecs.encode(chars, encoding)
    except UnicodeEncodeError:
        return False
    return True


class Stream:
    """`out`, with every character `out` cannot encode replaced rather than raising, and no
    spaces at the end of a line."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.encoding = encoding_of(out)  # rich reads it (ascii_only)

    def write(self, text: str) -> int:
        text = _TRAILING_SPACE.sub(r"\1", text)
        if not encodes(self.encoding, text):
            text = codecs.encode(text, self.encoding, "klyngecli-ascii").decode(self.encoding)
        self._out.write(text)
        return len(text)

    def flush(self) -> None:
        self._out.flush()


def frame_for(encoding: str) -> box.Box:
    """The table frame an output can draw: rich draws ASCII on any encoding that is not
    UTF (its `ascii_only`), and so do we, so the two printers agree."""
    if encoding.startswith("utf") and encodes(encoding, FRAME_CHARS):
        return box.SQUARE
    return box.ASCII


# --- the printers -----------------------------------------------------------------------------


class Plain:
    """Writes each line's text: no colour, no wrapping (a finding stays one line for grep)."""

    def __init__(self, out: TextIO, width: int) -> None:
        self.stream = Stream(out)
        self.width = width
        self.frame = frame_for(self.stream.encoding)

    def line(self, line: Line | None = None, style: str = "") -> None:
        """The line's text (`style` is for colour: not written)."""
        self.stream.write((line.plain if line is not None else "") + "\n")

    def flush(self) -> None:
        """What is written so far reaches the reader (a pipe to `tee`, a log): the report is
        flushed after each file, as rich flushed after each line."""
        self.stream.flush()

    def table(self, rows: Sequence[tuple[Line, Line]]) -> None:
        """Two columns in a frame, the second right-aligned, as rich draws the summary's
        counts; one too wide for the width is left to rich, which wraps it."""
        widths = [max(row[i].cell_len for row in rows) for i in (0, 1)]
        if sum(widths) + 7 > self.width:
            rich = Rich(self.stream, self.width, color=False)
            rich.table(rows)
            return
        frame = self.frame
        padded = [w + 2 for w in widths]
        last = len(rows) - 1
        lines = [frame.get_top(padded)]
        for index, (label, count) in enumerate(rows):
            # rich draws a table's first row with the head's edges, its last with the foot's.
            if index == 0:
                left, middle, right = frame.head_left, frame.head_vertical, frame.head_right
            elif index == last:
                left, middle, right = frame.foot_left, frame.foot_vertical, frame.foot_right
            else:
                left, middle, right = frame.mid_left, frame.mid_vertical, frame.mid_right
            padding = " " * (widths[0] - label.cell_len)
            number = " " * (widths[1] - count.cell_len) + count.plain
            lines.append(f"{left} {label.plain}{padding} {middle} {number} {right}")
        lines.append(frame.get_bottom(padded))
        self.stream.write("\n".join(lines) + "\n")

    def clear(self) -> None:
        """Not a terminal: nothing to clear."""


class Rich:
    """Hands each line to rich's console: colour, and a terminal's width for the findings."""

    def __init__(self, out: TextIO | Stream, width: int, color: bool) -> None:
        from rich.console import Console

        self.stream = out if isinstance(out, Stream) else Stream(out)
        self.color = color
        self.console: Console = Console(
            file=cast(TextIO, self.stream),
            force_terminal=color,
            no_color=not color,
            color_system="standard" if color else None,
            width=width,
            highlight=False,
            emoji=False,
            markup=False,
            legacy_windows=False,
        )
        self.frame = frame_for(self.stream.encoding)

    def line(self, line: Line | None = None, style: str = "") -> None:
        if line is None:
            self.console.print()
        else:
            # Without colour a line is never wrapped: it reads as Plain writes it.
            self.console.print(line.rich(), style=style or None, soft_wrap=not self.color)

    def table(self, rows: Sequence[tuple[Line, Line]]) -> None:
        from rich.table import Table

        table = Table(show_header=False, box=self.frame, safe_box=True)
        table.add_column(style="bold")
        table.add_column(justify="right")
        for label, count in rows:
            table.add_row(label.rich(), count.rich())
        self.console.print(table)

    def grid(self, rows: Sequence[Sequence[Line]]) -> None:
        """In a terminal a long message wraps within its own column, under itself."""
        from rich.table import Table

        grid = Table.grid(padding=(0, 1))
        for wraps in (False, False, False, True):
            grid.add_column(no_wrap=not wraps)
        for cells in rows:
            grid.add_row(*(cell.rich() for cell in cells))
        self.console.print(grid)

    def flush(self) -> None:
        self.stream.flush()

    def clear(self) -> None:
        self.console.clear()


Printer = Plain | Rich


def printer(out: TextIO, color: bool, width: int, via_rich: bool = False) -> Printer:
    """A printer for `out`: rich in colour, else plain (`via_rich`: plain output through rich,
    which the tests compare with the plain printer's)."""
    if color or via_rich:
        return Rich(out, width, color)
    return Plain(out, width)
