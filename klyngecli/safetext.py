"""Text that came from a workbook or a path, made safe to show (cli.md decided item 4).

A cell, an applicant name or a file name may hold terminal escape sequences, newlines or bytes
that are not UTF-8. Every reporter shows such text through `shown()`: control characters become
visible escapes (`\\x1b`, `\\n`), so a finding stays one line and nothing reaches the terminal
as a command; a byte that was not valid UTF-8 (kept by the file system as a lone surrogate)
becomes `\\xNN`. Markup is never interpreted: the text reporter gives rich plain `Text`, never a
markup string.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import PurePath

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Bidirectional overrides and isolates can make a name read backwards ("Trojan Source").
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def _escape(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _unsafe(char: str) -> bool:
    category = unicodedata.category(char)
    # Cc: C0/C1 controls and DEL; Cs: lone surrogates; Zl/Zp: line and paragraph separators.
    return category in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI


def shown(text: str) -> str:
    """`text` with every control character, line break and lone surrogate escaped."""
    if text.isprintable():
        return text
    return "".join(_escape(c) if _unsafe(c) else c for c in text)


def path_text(path: str | PurePath) -> str:
    """A path as text for a report: a file name that is not valid UTF-8 keeps its bytes as
    `\\xNN` escapes, and control characters in it are escaped too."""
    return shown(os.fsdecode(path) if isinstance(path, PurePath) else path)
