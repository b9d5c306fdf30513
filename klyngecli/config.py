"""Configuration: `klynge.toml`, or a `[tool.klynge]` table in `pyproject.toml`.

`find_config` looks in the start folder and then in each folder above it, up to the root of the
file system: `klynge.toml` first, then a `pyproject.toml` that has a `[tool.klynge]` table (one
without it is passed over and the search goes on upward). `load_config` reads and checks it.
Command-line options win over the file; the CLI applies that precedence.

The keys, spelt exactly so (kebab-case, as ruff's are):

- `call`: the id of a built-in call, or the path of a rules file. A relative path is relative to
  the folder of the configuration file, not to the current folder, because a caseworker runs
  `klynge` from anywhere below it; it is resolved when the file is loaded.
- `lang` (`da`, `en`), `fail-on` (`error`, `warning`, `info`, `never`), `format`.
- `select`, `ignore`: rule codes or prefixes (`KL4`), as a list or one comma-separated string.
- `jobs` (files checked in parallel), `timeout` (seconds per file), `max-memory` (bytes per
  worker: an integer, or a size such as `"2GiB"`, `"512 MiB"`, `"1.5 GB"`; see `parse_size`).
- `[per-file-ignores]`: glob → codes, so that a caseworker can acknowledge a warning for one
  applicant. As in ruff, a glob is matched against the file's path relative to the folder of
  the configuration file, and a glob without `/` also against the bare file name (so it
  matches in any folder). The wildcards read as in `.gitignore`: `*` and `?` stay within one
  folder, `**` as a whole path segment spans any number of folders (none included), `[...]` is
  a set. Matching ignores case, because the caseworkers' file systems (Windows, macOS) do.
- `[limits]`: the KL011 safety limits (the fields of `klyngecli.reader.prescreen.Limits`,
  kebab-case or snake_case), as positive integers.

A file that cannot be read, is not valid TOML, or has an unknown key or a wrong value is a
`ConfigError` whose message names the file, the line and the key, in Danish and English; the CLI
makes it exit code 2. tomllib gives no positions, so the line is found by scanning the text for
the key (or, failing that, for the table that holds it).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import os
import re
import tomllib
from collections.abc import Collection
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal, NamedTuple, get_args, get_type_hints

from klyngecli.callspec import builtin_calls
from klyngecli.plain import Plain
from klyngecli.reader.prescreen import Limits
from klyngecli.safetext import path_text

CONFIG_NAME = "klynge.toml"
PYPROJECT_NAME = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "klynge")

Lang = Literal["da", "en"]
FailOn = Literal["error", "warning", "info", "never"]
Format = Literal["text", "json", "junit", "sarif", "github", "csv", "markdown", "html"]
_CHOICES: dict[str, Any] = {"lang": Lang, "fail_on": FailOn, "format": Format}

# Decimal units are powers of 1000, binary ones of 1024; a bare K/M/G/T is binary, as `ulimit`,
# Docker and Java's -Xmx read it.
_UNITS = (
    {"": 1, "b": 1}
    | {f"{letter}b": 1000**power for power, letter in enumerate("kmgt", start=1)}
    | {
        f"{letter}{suffix}": 1024**power
        for power, letter in enumerate("kmgt", start=1)
        for suffix in ("", "i", "ib")
    }
)
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*", re.IGNORECASE)
_CODE = re.compile(r"KL\d{0,3}")


class ConfigError(Exception):
    """The configuration file cannot be used; the message names the file, the line and the key."""

    def __init__(self, *, da: str, en: str) -> None:
        super().__init__(da)
        self.da = da
        self.en = en

    def message(self, lang: str = "da") -> str:
        return self.en if lang == "en" else self.da


class _Invalid(ValueError):
    """A value a validator refuses, in both languages; `key` is the path below the field."""

    def __init__(self, da: str, en: str, key: tuple[str, ...] = ()) -> None:
        super().__init__(en)
        self.da = da
        self.en = en
        self.key = key


def parse_size(text: str) -> int:
    """Bytes from a size such as "2GiB", "512 MiB", "1.5 GB" or "1048576"; ValueError if not."""
    match = _SIZE.fullmatch(text)
    unit = _UNITS.get(match.group(2).lower()) if match else None
    if match is None or unit is None:
        raise ValueError(f"not a size: {text!r}")
    size = int(Decimal(match.group(1)) * unit)
    if size < 1:
        raise ValueError(f"not a positive size: {text!r}")
    return size


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _codes(
    value: object, known: Collection[str] | None, key: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Codes or prefixes from a TOML list or a comma-separated string, upper-cased, in order."""
    if isinstance(value, str):
        items: list[str] = value.split(",")
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        raise _Invalid(
            "skal være en liste af regelkoder eller en kommasepareret tekst",
            "must be a list of rule codes or a comma-separated string",
            key,
        )
    codes = tuple(dict.fromkeys(item.strip().upper() for item in items if item.strip()))
    for code in codes:
        if not _CODE.fullmatch(code) or (
            known is not None and not any(k.startswith(code) for k in known)
        ):
            raise _Invalid(
                f"ukendt regelkode eller præfiks {code!r} (se `klynge rules`)",
                f"unknown rule code or prefix {code!r} (see `klynge rules`)",
                key,
            )
    return codes


def _choice(value: object, literal: Any) -> str:
    options: tuple[str, ...] = get_args(literal)
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(options)
        raise _Invalid(
            f"skal være en af {listed}, ikke {_shown(value)}",
            f"must be one of {listed}, not {_shown(value)}",
        )
    return value


def _positive_int(value: object, key: tuple[str, ...] = ()) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Invalid(
            f"skal være et helt tal på mindst 1, ikke {_shown(value)}",
            f"must be a whole number of at least 1, not {_shown(value)}",
            key,
        )
    return value


def _table(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid("skal være en tabel", "must be a table")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Config(Plain):
    """The settings of one configuration file; None where the file does not set a key. A plain
    value: without a configuration file, start-up never imports pydantic (about 100 ms); a
    file is checked by a pydantic model made from these fields (`_file_model`)."""

    call: str | None = None
    lang: Lang | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fail_on: FailOn | None = None
    format: Format | None = None
    jobs: int | None = None
    timeout: float | None = None
    max_memory: int | None = None
    per_file_ignores: dict[str, tuple[str, ...]] | None = None
    limits: dict[str, int] | None = None

    def screen_limits(self, base: Limits | None = None) -> Limits:
        """The safety limits with this file's `[limits]` in place of `base`'s (the defaults)."""
        return (base or Limits()).model_copy(update=self.limits or {})

    def ignored_for(self, path: Path, root: Path) -> tuple[str, ...]:
        """The codes `[per-file-ignores]` ignores for `path`; `root` is the configuration's
        folder. A file outside `root` is matched by its name only."""
        if not self.per_file_ignores:
            return ()
        relative = _relative(path, root)
        codes = (
            code
            for pattern, pattern_codes in self.per_file_ignores.items()
            if _glob_matches(pattern, relative, path.name)
            for code in pattern_codes
        )
        return tuple(dict.fromkeys(codes))


# --- Checking a file: the validators of each key, and the pydantic model made from Config ----


def _check_call(cls: type, value: object, info: Any) -> str:
    """A built-in id stays; a path is made absolute against the configuration's folder."""
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(
            "skal være id'et på et indbygget opslag eller stien til en regelfil",
            "must be the id of a built-in call or the path of a rules file",
        )
    calls = builtin_calls()
    if value in calls:
        return value
    path = Path(value).expanduser()
    folder = (info.context or {}).get("folder")
    if folder is not None and not path.is_absolute():
        path = folder / path
    if not path.is_file():
        listed = ", ".join(calls)
        raise _Invalid(
            f"hverken et indbygget opslag ({listed}) eller en regelfil: {path}",
            f"neither a built-in call ({listed}) nor a rules file: {path}",
        )
    return str(path)


def _check_choice(cls: type, value: object, info: Any) -> str:
    return _choice(value, _CHOICES[str(info.field_name)])


def _check_codes(cls: type, value: object, info: Any) -> tuple[str, ...]:
    return _codes(value, (info.context or {}).get("known"))


def _check_jobs(cls: type, value: object) -> int:
    return _positive_int(value)


def _check_timeout(cls: type, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise _Invalid(
            f"skal være et antal sekunder over 0, ikke {_shown(value)}",
            f"must be a number of seconds above 0, not {_shown(value)}",
        )
    return float(value)


def _check_max_memory(cls: type, value: object) -> int:
    if isinstance(value, str):
        with suppress(ValueError):
            return parse_size(value)
    elif isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise _Invalid(
        f'skal være et antal bytes eller en størrelse som "2GiB" eller "512 MiB", '
        f"ikke {_shown(value)}",
        f'must be a number of bytes or a size such as "2GiB" or "512 MiB", not {_shown(value)}',
    )


def _check_per_file_ignores(cls: type, value: object, info: Any) -> dict[str, tuple[str, ...]]:
    known = (info.context or {}).get("known")
    ignores = {}
    for pattern, codes in _table(value).items():
        if not _normal_glob(pattern):
            raise _Invalid("et tomt mønster", "an empty pattern", (pattern,))
        ignores[pattern] = _codes(codes, known, (pattern,))
    return ignores


def _check_limits(cls: type, value: object) -> dict[str, int]:
    fields = Limits.model_fields
    limits: dict[str, int] = {}
    for key, number in _table(value).items():
        name = key.replace("-", "_")
        if name not in fields:
            listed = ", ".join(field.replace("_", "-") for field in fields)
            raise _Invalid(
                f"ukendt grænse {key!r} (kendte: {listed})",
                f"unknown limit {key!r} (known: {listed})",
                (key,),
            )
        if name in limits:
            raise _Invalid("grænsen står to gange", "the limit is set twice", (key,))
        limits[name] = _positive_int(number, (key,))
    return limits


# Key → its validator, run before the model checks the type (mode "before").
_VALIDATORS: dict[tuple[str, ...], Any] = {
    ("call",): _check_call,
    ("lang", "fail_on", "format"): _check_choice,
    ("select", "ignore"): _check_codes,
    ("jobs",): _check_jobs,
    ("timeout",): _check_timeout,
    ("max_memory",): _check_max_memory,
    ("per_file_ignores",): _check_per_file_ignores,
    ("limits",): _check_limits,
}


@functools.cache
def _file_model() -> Any:
    """The pydantic model that checks a file: Config's fields, spelt in kebab-case in the file,
    unknown keys refused. Made on first use, so that pydantic is imported only then."""
    from pydantic import ConfigDict, Field, create_model, field_validator

    hints = get_type_hints(Config)
    fields: dict[str, Any] = {
        f.name: (hints[f.name], Field(default=None, alias=f.name.replace("_", "-")))
        for f in dataclasses.fields(Config)
    }
    validators = {
        f"check_{'_'.join(names)}": field_validator(*names, mode="before")(check)
        for names, check in _VALIDATORS.items()
    }
    return create_model(
        "ConfigFile",
        __config__=ConfigDict(frozen=True, extra="forbid"),
        __validators__=validators,
        **fields,
    )


def _relative(path: Path, root: Path) -> str | None:
    """`path` relative to `root` in `/` form; first as written, then with links resolved."""
    for absolute in (lambda p: Path(os.path.abspath(p)), lambda p: p.resolve()):
        try:
            return absolute(path.parent).joinpath(path.name).relative_to(absolute(root)).as_posix()
        except ValueError:
            continue
    return None


def _normal_glob(pattern: str) -> str:
    """A glob in `/` form without a leading `./` or `/` (it is relative to the root anyway)."""
    pattern = pattern.replace("\\", "/")
    while pattern.startswith(("./", "/")):
        pattern = pattern.removeprefix(".").removeprefix("/")
    return pattern


def _segments_match(parts: list[str], globs: list[str]) -> bool:
    """`**` spans any number of segments; any other glob segment is matched by fnmatch within
    one segment, so `*`, `?` and `[...]` never cross a `/`."""
    if not globs:
        return not parts
    if globs[0] == "**":
        return any(_segments_match(parts[i:], globs[1:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatchcase(parts[0], globs[0]) and _segments_match(parts[1:], globs[1:])


def _glob_matches(pattern: str, relative: str | None, name: str) -> bool:
    globs = _normal_glob(pattern).lower().split("/")
    if relative is not None and _segments_match(relative.lower().split("/"), globs):
        return True
    return len(globs) == 1 and _segments_match([name.lower()], globs)


def _has_klynge_table(pyproject: Path) -> bool:
    """A pyproject.toml that is meant for klynge; a broken one counts when it plainly is."""
    try:
        stat = pyproject.stat()
    except OSError:
        return False
    return _pyproject_names_klynge(pyproject, stat.st_mtime_ns, stat.st_size, stat.st_ino)


# Keyed by the file's state: a process that checks again and again (`klynge watch`, the API,
# the tests) reads an unchanged pyproject.toml once.
@functools.lru_cache(maxsize=16)
def _pyproject_names_klynge(pyproject: Path, _mtime: int, _size: int, _inode: int) -> bool:
    try:
        text = pyproject.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    if "klynge" not in text and "\\u" not in text and "\\U" not in text:
        # No key can spell klynge (only a quoted key's \u escape could hide it): not parsed,
        # which in a project's large pyproject.toml took a tenth of a one-file check.
        return False
    try:
        tool = tomllib.loads(text).get("tool")
    except (tomllib.TOMLDecodeError, RecursionError):
        # load_config then reports the syntax error, instead of the file being passed over
        return re.search(r"^\s*\[\s*tool\s*\.\s*klynge\s*[\].]", text, re.MULTILINE) is not None
    return isinstance(tool, dict) and "klynge" in tool


def find_config(start: Path) -> Path | None:
    """The nearest `klynge.toml`, or `pyproject.toml` with `[tool.klynge]`, from `start` up."""
    folder = start.absolute()
    for candidate in (folder, *folder.parents):
        if (own := candidate / CONFIG_NAME).is_file():
            return own
        pyproject = candidate / PYPROJECT_NAME
        if pyproject.is_file() and _has_klynge_table(pyproject):
            return pyproject
    return None


# A TOML key, bare or quoted, and a dotted key; enough to find where a key is written.
_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?")
_ASSIGN = re.compile(rf"\s*({_DOTTED})\s*=")
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _key_parts(dotted: str) -> tuple[str, ...]:
    parts = []
    for match in re.finditer(_KEY, dotted):
        part = match.group()
        if part[0] in "\"'":
            try:
                part = str(tomllib.loads(f"k = {part}")["k"])
            except tomllib.TOMLDecodeError:
                part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line on which each table and key is first written."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.fullmatch(line):
            table = _key_parts(header.group(1))
            lines.setdefault(table, number)
        elif assign := _ASSIGN.match(line):
            key = table + _key_parts(assign.group(1))
            for end in range(len(table) + 1, len(key) + 1):  # `a.b = 1` also writes `a`
                lines.setdefault(key[:end], number)
    return lines


def _dotted(key: tuple[str, ...]) -> str:
    return ".".join(part if _BARE.fullmatch(part) else f'"{part}"' for part in key)


class _Problem(NamedTuple):
    """One validation error, placed in the file."""

    line: int | None
    da: str
    en: str


def _problem(error: Any, lines: dict[tuple[str, ...], int], prefix: tuple[str, ...]) -> _Problem:
    loc = tuple(str(part) for part in error["loc"])
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, _Invalid):
        loc += cause.key
    key = prefix + loc
    line = next((lines[key[:end]] for end in range(len(key), -1, -1) if key[:end] in lines), None)
    table = f"[{_dotted(prefix)}] " if prefix else ""
    if error["type"] == "extra_forbidden":
        names = [f.name.replace("_", "-") for f in dataclasses.fields(Config)]
        near = difflib.get_close_matches(loc[-1].replace("_", "-"), names, n=1)
        return _Problem(
            line,
            f"{table}ukendt nøgle {loc[-1]!r}" + (f" (mente du {near[0]!r}?)" if near else ""),
            f"{table}unknown key {loc[-1]!r}" + (f" (did you mean {near[0]!r}?)" if near else ""),
        )
    where = f"{table}{_dotted(loc)}: "
    if isinstance(cause, _Invalid):
        return _Problem(line, where + cause.da, where + cause.en)
    return _Problem(line, where + error["msg"], where + error["msg"])


def _where(path: Path, line: int | None) -> str:
    """`path:line`, the path escaped (a folder's name may hold a line break: the message stays
    one line a problem)."""
    return f"{path_text(path)}:{line}" if line is not None else path_text(path)


def load_config(path: Path, known_codes: Collection[str] | None = None) -> Config:
    """The checked settings of a `klynge.toml` or of `[tool.klynge]` in a `pyproject.toml`.
    With `known_codes`, every code or prefix in it must select one of them."""
    try:
        text = path.read_text("utf-8-sig")  # Notepad may write a byte-order mark
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            da=f"{path}: kan ikke læses: {exc}", en=f"{path}: cannot be read: {exc}"
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        where = _where(path, int(at.group(1)) if at else None)
        raise ConfigError(
            da=f"{where}: ikke gyldig TOML: {exc}", en=f"{where}: not valid TOML: {exc}"
        ) from exc
    except RecursionError as exc:  # tomllib reads nested arrays and tables recursively
        where = _where(path, None)
        raise ConfigError(
            da=f"{where}: ikke gyldig TOML: indlejret for dybt",
            en=f"{where}: not valid TOML: nested too deeply",
        ) from exc
    lines = _key_lines(text)
    prefix: tuple[str, ...] = ()
    section: object = data
    if path.name == PYPROJECT_NAME:
        prefix = PYPROJECT_TABLE
        tool = data.get("tool")
        section = tool.get("klynge") if isinstance(tool, dict) else None
        if not isinstance(section, dict):
            where = _where(path, lines.get(PYPROJECT_TABLE))
            raise ConfigError(
                da=f"{where}: ingen tabel [tool.klynge]", en=f"{where}: no [tool.klynge] table"
            )
    context = {"folder": path.absolute().parent, "known": known_codes}
    from pydantic import ValidationError

    try:
        checked = _file_model().model_validate(section, context=context)
        return Config(**{f.name: getattr(checked, f.name) for f in dataclasses.fields(Config)})
    except ValidationError as exc:
        problems = sorted(
            (_problem(error, lines, prefix) for error in exc.errors()),
            key=lambda p: p.line or 0,
        )
        raise ConfigError(
            da="\n".join(f"{_where(path, p.line)}: {p.da}" for p in problems),
            en="\n".join(f"{_where(path, p.line)}: {p.en}" for p in problems),
        ) from None
