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
    timezone: Param[str]
    opens: Param[datetime]
    deadline: Param[datetime]
    programme_start: Param[date]
    programme_end: Param[date]
    max_project_months: Param[int]
    sme_ceiling: Param[Decimal]
    indirect_ceiling: Param[Decimal]
    tolerance_kr: Param[Decimal]
    sme_max_employees: Param[int]
    sme_max_turnover_meur: Param[Decimal]
    sme_max_balance_meur: Param[Decimal]
    unit_sanity_min_kr: Param[Decimal]
    unit_sanity_max_kr: Param[Decimal]
    grants: dict[GrantType, Grant]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: Param[str]) -> Param[str]:
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
