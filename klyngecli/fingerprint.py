"""A fingerprint of the values read from a workbook, for KL204's "the same workbook twice".

It hashes what the reader understood (amounts, dates, names, categories), never the bytes or the
cell positions, so an `.xlsx` and its `.ods` re-save, or a copy saved again by Excel, have the
same fingerprint, and a changed amount gives another."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from klyngecli.model import Application, Area, CellRef, Value

# Where a value stands, not what it is: left out, so that a re-save that moves nothing of
# substance (another writer, another format) gives the same fingerprint.
_LAYOUT_FIELDS = frozenset({"ref", "text", "row", "header_row", "cols", "sheet", "sheet_order"})


# Each dataclass of the model → the fields that go into the fingerprint, found once per class.
_FIELDS: dict[type, tuple[str, ...]] = {}

# An amount → its text: amounts recur, and normalising one costs more than finding it. Equal
# Decimals (1.0, 1.00) normalise alike; bounded, per process.
_DECIMAL_TEXT: dict[Decimal, str] = {}
_DECIMAL_TEXT_SIZE = 1 << 14


def _feed(node: Any, out: list[str]) -> None:
    """The values of `node`, depth first: the common kinds by their exact type (a cell's value,
    a number, a text, a dataclass of the model), anything else by `_feed_other`."""
    kind = type(node)
    if kind is Value:
        node = node.value
        kind = type(node)
    if kind is Decimal:
        if not node.is_finite():  # a NaN has no hash
            out.append(str(node))
            return
        text = _DECIMAL_TEXT.get(node)
        if text is None:
            text = format(node.normalize(), "f")
            if node and len(_DECIMAL_TEXT) < _DECIMAL_TEXT_SIZE:  # not 0: -0 is equal, "-0"
                _DECIMAL_TEXT[node] = text
        out.append(text)
    elif kind is str or kind is int or node is None:
        out.append(repr(node))
    elif (names := _FIELDS.get(kind)) is not None:
        for name in names:
            out.append(name)
            _feed(getattr(node, name), out)
    elif kind is tuple:
        out.append("[")
        for item in node:
            _feed(item, out)
        out.append("]")
    elif kind is dict:
        for key in sorted(node, key=str):
            out.append(str(key))
            _feed(node[key], out)
    else:
        _feed_other(node, out)


def _feed_other(node: object, out: list[str]) -> None:
    if isinstance(node, Value):
        _feed(node.value, out)
    elif isinstance(node, CellRef | Area):
        return
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        names = tuple(
            f.name
            for f in dataclasses.fields(node)
            if f.name not in _LAYOUT_FIELDS and f.compare  # not a cache (`Table._sums`)
        )
        _FIELDS[type(node)] = names
        for name in names:
            out.append(name)
            _feed(getattr(node, name), out)
    elif isinstance(node, tuple | list):
        out.append("[")
        for item in node:
            _feed(item, out)
        out.append("]")
    elif isinstance(node, dict):
        for key in sorted(node, key=str):
            out.append(str(key))
            _feed(node[key], out)
    elif isinstance(node, Decimal):
        out.append(format(node.normalize(), "f") if node.is_finite() else str(node))
    elif isinstance(node, Enum):
        out.append(str(node.value))
    elif isinstance(node, datetime | date):
        out.append(node.isoformat())
    else:
        out.append(repr(node))


def content_hash(app: Application) -> str | None:
    """SHA-256 of the values read, as hex; None for a workbook with nothing to compare (no
    applicant named, or no budget or financing read): two empty or foreign workbooks are not
    "the same application"."""
    applicant = app.applicant
    named = applicant is not None and (applicant.cvr.known or applicant.name.known)
    if not named or (app.budget is None and app.financing is None):
        return None
    parts: list[str] = []
    _feed(app, parts)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
