"""The call's rules file: a pydantic model of `calls/*.toml`, and how to find and load one."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from klyngecli.model import GrantType, Source

DEFAULT_CALL = "klyngeprogram-2025-2028"

T = TypeVar("T")


class Param(BaseModel, Generic[T]):
    """A parameter of the call with the source it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: T
    source: str


# Named subclasses, because a parametrised generic (`Param[str]`) cannot be pickled, and the
# call crosses a process boundary to the batch's workers.
class TextParam(Param[str]):
    """A text parameter."""


class MomentParam(Param[datetime]):
    """A date-time parameter (local time of the call's zone)."""


class DateParam(Param[date]):
    """A date parameter."""


class CountParam(Param[int]):
    """A whole-number parameter."""


class DecimalParam(Param[Decimal]):
    """An exact number parameter (kroner, fractions, mio. EUR)."""


class Grant(BaseModel):
    """The parameters of one grant type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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
    source_pools: dict[Source, Decimal] = {}
    source_pools_source: str = ""


class Call(BaseModel):
    """A call for applications, as data: caps, dates, ceilings and pools."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: TextParam) -> TextParam:
        try:
            ZoneInfo(zone.value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {zone.value!r}") from exc
        return zone

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
        if not path.is_file():
            known = ", ".join(builtin_calls())
            raise CallError(f"no such call or rules file: {id_or_path} (built-in calls: {known})")
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CallError(f"{path}: cannot be read: {exc}") from exc
        origin = str(path)
    try:
        return Call.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise CallError(f"{origin}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise CallError(f"{origin}: not a valid rules file: {problems}") from exc
