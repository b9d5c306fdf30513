"""Plain values: frozen dataclasses with the three pieces of pydantic's interface the code uses
(`model_copy(update=...)`, `model_dump(mode="json")`, `model_fields`).

The call, the findings and the report are made, pickled and compared for every file, and read on
every start-up: as dataclasses they cost a few microseconds and no import (pydantic costs about
90 ms to import and build its first model). Their few checks are done where they are read from
outside (`callspec.load_call`, `report.result_from_json`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, Self


class _Fields:
    """`Cls.model_fields`: field name → `dataclasses.Field` (its `.default` as pydantic's)."""

    def __get__(self, instance: object, owner: type) -> dict[str, dataclasses.Field[Any]]:
        return {f.name: f for f in dataclasses.fields(owner)}


class Plain:
    """A mixin for frozen dataclasses."""

    __slots__ = ()
    model_fields = _Fields()

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Self:
        """A copy with some fields replaced (not checked, as pydantic's is not)."""
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]

    def model_dump(self, *, mode: Literal["json"] = "json") -> dict[str, Any]:
        """The fields as JSON-ready values, as pydantic's `model_dump(mode="json")` gives them:
        enums as their values, tuples as lists, Decimal as exact text (`decimal_text`), dates in
        ISO form."""
        dumped: dict[str, Any] = jsonable(self)
        return dumped


def decimal_text(value: Decimal) -> str:
    """A decimal exactly, in plain notation (never an exponent): a whole number without
    decimals, any other with at least two (øre): `9200000`, `1234.50`, `0.125`, `-3`."""
    if not value.is_finite():
        return str(value)
    whole, _, fraction = format(value, "f").partition(".")
    fraction = fraction.rstrip("0")
    if fraction:
        return f"{whole}.{fraction:0<2}"
    return "0" if whole == "-0" else whole


def jsonable(value: object, decimal: Callable[[Decimal], Any] = decimal_text) -> Any:
    """`value` as JSON-ready values; `decimal` gives a Decimal's form (the result cache tags
    them, where a report writes `decimal_text`)."""
    if isinstance(value, Plain):
        return {
            f.name: jsonable(getattr(value, f.name), decimal)
            for f in dataclasses.fields(value)  # type: ignore[arg-type]
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [jsonable(item, decimal) for item in value]
    if isinstance(value, dict):
        return {jsonable(key, decimal): jsonable(item, decimal) for key, item in value.items()}
    if isinstance(value, Decimal):
        return decimal(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
