"""Streaming XML for the screens: expat fed from the zip stream in chunks, in linear time.

A DOCTYPE (and with it every entity declaration) is refused: no workbook part needs one, and an
entity is where the reader and the screen could see different text. The refusal is KL001 (the
package is damaged or unsafe), like XML that is not well-formed and an undefined entity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO
from xml.parsers import expat

from klyngecli.reader.limits import Tally, damaged

CHUNK = 1 << 20

StartHandler = Callable[[str, dict[str, str]], None]
EndHandler = Callable[[str], None]
TextHandler = Callable[[str], None]


def local(name: str) -> str:
    """`x:c` → `c`: calamine matches OOXML elements by their local name (after the first `:`,
    as quick-xml splits a name)."""
    return name[name.find(":") + 1 :]


def _doctype(*_: object) -> None:
    raise damaged(
        "en XML-del har en DOCTYPE-erklæring, som et regneark ikke bruger",
        "an XML part declares a DOCTYPE, which no workbook uses",
    )


def parser() -> expat.XMLParserType:
    """An expat parser that refuses a DOCTYPE; its handlers are the caller's."""
    made = expat.ParserCreate()
    made.StartDoctypeDeclHandler = _doctype
    made.EntityDeclHandler = _doctype
    return made


def feed(made: expat.XMLParserType, stream: IO[bytes], part: str, tally: Tally) -> None:
    """Feed the part to the parser chunk by chunk, counting its size; XML that is not
    well-formed (or in an encoding expat asks Python for and cannot get) is KL001."""
    size = 0
    try:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            tally.part_bytes(part, size)
            made.Parse(chunk, False)
        made.Parse(b"", True)
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code) or "XML"
        raise damaged(
            f"delen {part} er ikke gyldig XML: {reason}",
            f"the part {part} is not well-formed XML: {reason}",
        ) from exc
    except (LookupError, UnicodeError) as exc:  # an encoding expat asks Python for
        raise damaged(
            f"delen {part} har en ukendt tegnkodning", f"the part {part} has an unknown encoding"
        ) from exc


def parse(
    stream: IO[bytes],
    part: str,
    tally: Tally,
    start: StartHandler,
    end: EndHandler | None = None,
    text: TextHandler | None = None,
) -> None:
    """Feed the part to expat chunk by chunk; every element counts against the tally."""
    made = parser()
    limit = tally.limits.max_records

    def counted_start(name: str, attrs: dict[str, str]) -> None:
        tally.records += 1
        if tally.records > limit:
            tally.record(0)  # raises KL011
        start(name, attrs)

    made.StartElementHandler = counted_start
    if end is not None:
        made.EndElementHandler = end
    if text is not None:
        made.CharacterDataHandler = text
    feed(made, stream, part, tally)
