"""The call's rules file: frozen dataclasses of `calls/*.toml`, and how to find and load one.

`load_call` checks a rules file field by field (`_struct`) and names every problem with its
dotted place, as `deadline: Field required` or `grants.basis.cap: Input should be a valid
decimal`; the values are converted as the schema says (a decimal from text, an integer or a
float; a date or date-time from TOML's own or from ISO text)."""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from klyngecli.model import GrantType, Source
from klyngecli.plain import Plain

DEFAULT_CALL = "klyngeprogram-2025-2028"

T = TypeVar("T")


@dataclass(frozen=True)  # no slots: `Param[int](...)` sets `__orig_class__` (refused, quietly)
class Param(Plain, Generic[T]):
    """A parameter of the call with the source it comes from."""

    value: T
    source: str


TextParam = Param[str]
MomentParam = Param[datetime]  # a date-time in the local time of the call's zone
DateParam = Param[date]
CountParam = Param[int]
DecimalParam = Param[Decimal]  # an exact number: kroner, fractions, mio. EUR


@dataclass(frozen=True, slots=True)
class Grant(Plain):
    """The parameters of one grant type."""

    cap: Decimal
    cap_source: str
    pool: Decimal
    pool_source: str
    deb_sources: tuple[Source, ...]
    deb_sources_source: str
    not_alone: tuple[Source, ...] = ()
    not_alone_source: str = ""
    forbidden: tuple[Source, ...] = ()
    forbidden_source: str = ""
    requires_collaborations: bool = False
    requires_collaborations_source: str = ""
    private_cash_advised: bool = False
    source_pools: dict[Source, Decimal] = field(default_factory=dict)
    source_pools_source: str = ""


@dataclass(frozen=True)
class Call(Plain):
    """A call for applications, as data: caps, dates, ceilings and pools."""

    id: str
    title_da: str
    title_en: str
    authority: str
    timezone: TextParam
    opens: MomentParam
    deadline: MomentParam
    programme_start: DateParam
    programme_end: DateParam
    max_project_months: CountParam
    sme_ceiling: DecimalParam
    indirect_ceiling: DecimalParam
    tolerance_kr: DecimalParam
    sme_max_employees: CountParam
    sme_max_turnover_meur: DecimalParam
    sme_max_balance_meur: DecimalParam
    unit_sanity_min_kr: DecimalParam
    unit_sanity_max_kr: DecimalParam
    grants: dict[GrantType, Grant]

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone.value)

    @property
    def deadline_at(self) -> datetime:
        """The deadline as an aware date-time in the call's time zone."""
        return self.deadline.value.replace(tzinfo=self.zone)

    @property
    def opens_at(self) -> datetime:
        return self.opens.value.replace(tzinfo=self.zone)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_da


class CallError(Exception):
    """The rules file named by --call cannot be found or is not a valid call."""


def builtin_calls() -> list[str]:
    """The ids of the calls shipped in the package."""
    folder = resources.files("klyngecli") / "calls"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_call(id_or_path: str = DEFAULT_CALL) -> Call:
    """A built-in call by id, or a rules file of the same schema by path."""
    if id_or_path in builtin_calls():
        text = (resources.files("klyngecli") / "calls" / f"{id_or_path}.toml").read_text("utf-8")
        origin = f"built-in call {id_or_path}"
    else:
        path = Path(id_or_path)
        try:
            is_file = path.is_file()
        except OSError as exc:  # a name too long for the file system
            raise CallError(f"no such call or rules file: {id_or_path} ({exc.strerror})") from exc
        if not is_file:
            known = ", ".join(builtin_calls())
            raise CallError(f"no such call or rules file: {id_or_path} (built-in calls: {known})")
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CallError(f"{path}: cannot be read: {exc}") from exc
        origin = str(path)
    return _parsed(text, origin)


# The same text gives the same (frozen) call: a process that checks again and again (`klynge
# watch`, a program using the API, the tests) parses and validates it once; about 3 ms a run.
@functools.lru_cache(maxsize=8)
def _parsed(text: str, origin: str) -> Call:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CallError(f"{origin}: not valid TOML: {exc}") from exc
    except RecursionError as exc:  # tomllib reads nested arrays and tables recursively
        raise CallError(f"{origin}: not valid TOML: nested too deeply") from exc
    problems: list[str] = []
    call: Call | None = _struct(Call, data, "", problems)
    if call is not None:
        try:
            ZoneInfo(call.timezone.value)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"timezone: Value error, unknown time zone {call.timezone.value!r}")
    if call is None or problems:
        raise CallError(f"{origin}: not a valid rules file: {'; '.join(problems)}")
    return call


# --- checking a rules file ------------------------------------------------------------------


class _Invalid(ValueError):
    """A value of the wrong kind; the message says which kind was expected."""


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid("Input should be a valid string")
    return value


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _Invalid("Decimal input should be an integer, float, string or Decimal object")
    try:
        number = Decimal(value.strip().replace("_", "") if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise _Invalid("Input should be a valid decimal") from None
    if not number.is_finite():
        raise _Invalid("Input should be a finite number")
    return number


def _count(value: object) -> int:
    if isinstance(value, int):
        return int(value)  # a bool too, as 0 or 1
    if isinstance(value, float | str):
        try:
            number = _decimal(value)
        except _Invalid:
            raise _Invalid("Input should be a valid integer") from None
        if number != number.to_integral_value():
            raise _Invalid("Input should be a valid integer, got a number with a fractional part")
        return int(number)
    raise _Invalid("Input should be a valid integer")


_TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n"})


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | str):
        word = str(value).strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
    raise _Invalid("Input should be a valid boolean, unable to interpret input")


def _moment(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Invalid("Input should be a valid datetime")


def _date(value: object) -> date:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _Invalid("Input should be a valid date") from None
    if isinstance(value, datetime):
        if value.timetz() != datetime.min.timetz():
            raise _Invalid(
                "Datetimes provided to dates should have zero time - e.g. be exact dates"
            )
        return value.date()
    if isinstance(value, date):
        return value
    raise _Invalid("Input should be a valid date")


def _member(kind: type[StrEnum]) -> Callable[[object], Any]:
    def convert(value: object) -> StrEnum:
        try:
            return kind(value)  # type: ignore[arg-type]  # refused unless a member's value
        except ValueError:
            names = [f"'{m.value}'" for m in kind]
            raise _Invalid(f"Input should be {', '.join(names[:-1])} or {names[-1]}") from None

    return convert


_source = _member(Source)
_grant_type = _member(GrantType)
Problems = list[str]


def _where(loc: str, key: object) -> str:
    return f"{loc}.{key}" if loc else str(key)


def _sources(value: object, loc: str, problems: Problems) -> tuple[Source, ...] | None:
    if not isinstance(value, list | tuple):
        problems.append(f"{loc}: Input should be a valid tuple")
        return None
    sources: list[Source] = []
    before = len(problems)
    for i, item in enumerate(value):
        try:
            sources.append(_source(item))
        except _Invalid as exc:
            problems.append(f"{loc}.{i}: {exc}")
    return tuple(sources) if len(problems) == before else None


def _table(
    value: object,
    loc: str,
    problems: Problems,
    key: Callable[[object], Any],
    item: Callable[[object, str, Problems], Any],
) -> dict[Any, Any] | None:
    if not isinstance(value, dict):
        problems.append(f"{loc}: Input should be a valid dictionary")
        return None
    out: dict[Any, Any] = {}
    for name, entry in value.items():
        try:
            converted = key(name)
        except _Invalid as exc:
            problems.append(f"{_where(loc, name)}.[key]: {exc}")
            continue
        result = item(entry, _where(loc, name), problems)
        if result is not None:
            out[converted] = result
    return out


def _plain(convert: Callable[[object], Any]) -> Callable[[object, str, Problems], Any]:
    def check(value: object, loc: str, problems: Problems) -> Any:
        try:
            return convert(value)
        except _Invalid as exc:
            problems.append(f"{loc}: {exc}")
            return None

    return check


def _param(convert: Callable[[object], Any]) -> Callable[[object, str, Problems], Any]:
    fields = {"value": _plain(convert), "source": _plain(_text)}

    def check(value: object, loc: str, problems: Problems) -> Any:
        return _fields(Param, fields, ("value", "source"), value, loc, problems)

    return check


# How each annotation of Call, Grant and Param is checked and converted.
_KINDS: dict[str, Callable[[object, str, Problems], Any]] = {
    "str": _plain(_text),
    "bool": _plain(_bool),
    "Decimal": _plain(_decimal),
    "TextParam": _param(_text),
    "MomentParam": _param(_moment),
    "DateParam": _param(_date),
    "CountParam": _param(_count),
    "DecimalParam": _param(_decimal),
    "tuple[Source, ...]": _sources,
    "dict[Source, Decimal]": lambda v, loc, p: _table(v, loc, p, _source, _plain(_decimal)),
    "dict[GrantType, Grant]": lambda v, loc, p: _table(
        v, loc, p, _grant_type, lambda g, at, q: _struct(Grant, g, at, q)
    ),
}


def _struct(kind: type[Any], data: object, loc: str, problems: Problems) -> Any:
    """One dataclass from a TOML table, every field checked; None when anything is wrong."""
    fields = dataclasses.fields(kind)
    checks = {f.name: _KINDS[str(f.type)] for f in fields}
    required = tuple(
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )
    return _fields(kind, checks, required, data, loc, problems)


def _fields(
    kind: type[Any],
    checks: dict[str, Callable[[object, str, Problems], Any]],
    required: tuple[str, ...],
    data: object,
    loc: str,
    problems: Problems,
) -> Any:
    if not isinstance(data, dict):
        problems.append(f"{loc}: Input should be a valid dictionary")
        return None
    before = len(problems)
    values: dict[str, Any] = {}
    for name, check in checks.items():
        if name not in data:
            if name in required:
                problems.append(f"{_where(loc, name)}: Field required")
            continue
        values[name] = check(data[name], _where(loc, name), problems)
    for name in data:
        if name not in checks:
            problems.append(f"{_where(loc, name)}: Extra inputs are not permitted")
    return kind(**values) if len(problems) == before else None
