"""klynge.toml / [tool.klynge]: discovery upward, every key, errors naming file:line:key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from klyngecli.config import (
    Config,
    ConfigError,
    find_config,
    load_config,
    parse_size,
)
from klyngecli.reader.prescreen import Limits

GIB = 1 << 30
MIB = 1 << 20


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def loaded(tmp_path: Path, text: str, **kwargs: Any) -> Config:
    return load_config(write(tmp_path / "klynge.toml", text), **kwargs)


def refused(path: Path, text: str, **kwargs: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(write(path, text), **kwargs)
    return caught.value


# --- discovery ---------------------------------------------------------------------------------


def test_found_in_a_folder_above(tmp_path: Path) -> None:
    config = write(tmp_path / "klynge.toml", "")
    deep = tmp_path / "Indbakke" / "2025" / "acme"
    deep.mkdir(parents=True)
    assert find_config(deep) == config


def test_the_nearest_file_wins(tmp_path: Path) -> None:
    write(tmp_path / "klynge.toml", "")
    near = write(tmp_path / "sub" / "klynge.toml", "")
    assert find_config(tmp_path / "sub") == near


def test_a_pyproject_without_tool_klynge_is_passed_over(tmp_path: Path) -> None:
    config = write(tmp_path / "klynge.toml", "")
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\nfix = true\n')
    assert find_config(tmp_path / "sub") == config


def test_a_pyproject_with_tool_klynge_is_found(tmp_path: Path) -> None:
    write(tmp_path / "klynge.toml", "")
    pyproject = write(tmp_path / "sub" / "pyproject.toml", '[tool.klynge]\nlang = "en"\n')
    assert find_config(tmp_path / "sub") == pyproject
    assert load_config(pyproject).lang == "en"


def test_klynge_toml_is_preferred_to_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.klynge]\nlang = "en"\n')
    config = write(tmp_path / "klynge.toml", 'lang = "da"\n')
    assert find_config(tmp_path) == config


def test_a_broken_pyproject_meant_for_klynge_is_found_and_its_error_reported(
    tmp_path: Path,
) -> None:
    pyproject = write(tmp_path / "pyproject.toml", '[tool.klynge]\nlang = "en\n')
    assert find_config(tmp_path) == pyproject
    with pytest.raises(ConfigError, match=r"pyproject\.toml:2: ikke gyldig TOML"):
        load_config(pyproject)


def test_a_broken_pyproject_of_something_else_is_passed_over(tmp_path: Path) -> None:
    config = write(tmp_path / "klynge.toml", "")
    write(tmp_path / "sub" / "pyproject.toml", "[project\nname = 1\n")
    assert find_config(tmp_path / "sub") == config


def test_nothing_found_up_to_the_root(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_config(tmp_path / "a" / "b") is None


# --- keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        pytest.param('lang = "en"', "lang", "en", id="lang"),
        pytest.param('select = ["kl4", "KL501"]', "select", ("KL4", "KL501"), id="select-list"),
        pytest.param('select = "KL4, kl5 ,"', "select", ("KL4", "KL5"), id="select-comma-string"),
        pytest.param('ignore = ["KL505", "KL505"]', "ignore", ("KL505",), id="ignore-once-each"),
        pytest.param('ignore = ""', "ignore", (), id="ignore-empty"),
        pytest.param('fail-on = "warning"', "fail_on", "warning", id="fail-on"),
        pytest.param('fail-on = "never"', "fail_on", "never", id="fail-on-never"),
        pytest.param('format = "sarif"', "format", "sarif", id="format"),
        pytest.param("jobs = 4", "jobs", 4, id="jobs"),
        pytest.param("timeout = 90", "timeout", 90.0, id="timeout-int"),
        pytest.param("timeout = 2.5", "timeout", 2.5, id="timeout-float"),
        pytest.param("max-memory = 1073741824", "max_memory", GIB, id="max-memory-bytes"),
        pytest.param('max-memory = "2GiB"', "max_memory", 2 * GIB, id="max-memory-size"),
        pytest.param('call = "klyngeprogram-2025-2028"', "call", "klyngeprogram-2025-2028",
                     id="call-built-in"),
    ],
)  # fmt: skip
def test_each_key(tmp_path: Path, text: str, field: str, expected: object) -> None:
    config = loaded(tmp_path, text + "\n")
    assert getattr(config, field) == expected
    unset = set(Config.model_fields) - {field}
    assert all(getattr(config, name) is None for name in unset)


def test_an_empty_file_sets_nothing(tmp_path: Path) -> None:
    assert loaded(tmp_path, "# intet\n") == Config()


def test_tables(tmp_path: Path) -> None:
    config = loaded(
        tmp_path,
        '[per-file-ignores]\n"Indbakke/acme-*.xlsx" = ["kl505"]\n"*.xlsm" = "KL1, KL2"\n'
        "[limits]\nmax-zip-entries = 500\nmax_sheet_cells = 1000\n",
    )
    assert config.per_file_ignores == {"Indbakke/acme-*.xlsx": ("KL505",), "*.xlsm": ("KL1", "KL2")}
    assert config.limits == {"max_zip_entries": 500, "max_sheet_cells": 1000}
    limits = config.screen_limits()
    assert (limits.max_zip_entries, limits.max_sheet_cells) == (500, 1000)
    assert limits.max_file_bytes == Limits().max_file_bytes


def test_keys_in_pyproject(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path / "pyproject.toml",
            '[project]\nname = "x"\n[tool.klynge]\nfail-on = "info"\njobs = 2\n'
            '[tool.klynge.per-file-ignores]\n"a.xlsx" = ["KL5"]\n',
        )
    )
    assert (config.fail_on, config.jobs, config.per_file_ignores) == (
        "info",
        2,
        {"a.xlsx": ("KL5",)},
    )


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "klynge.toml"
    path.write_bytes(b'\xef\xbb\xbflang = "en"\r\n')
    assert load_config(path).lang == "en"


# --- call paths --------------------------------------------------------------------------------


def test_a_relative_call_is_relative_to_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = write(tmp_path / "regler" / "mit-opslag.toml", "")
    config_path = write(tmp_path / "klynge.toml", 'call = "regler/mit-opslag.toml"\n')
    elsewhere = tmp_path / "Indbakke" / "2025"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)  # a caseworker runs klynge from a folder below
    assert find_config(Path.cwd()) == config_path
    config = load_config(config_path)
    assert config.call is not None
    assert Path(config.call) == rules
    assert Path(config.call).is_absolute()


def test_an_absolute_call_stays(tmp_path: Path) -> None:
    rules = write(tmp_path / "elsewhere" / "opslag.toml", "")
    config = loaded(tmp_path / "proj", f"call = '{rules}'\n")
    assert config.call == str(rules)


def test_a_missing_call_file_names_the_resolved_path(tmp_path: Path) -> None:
    error = refused(tmp_path / "klynge.toml", 'lang = "da"\ncall = "regler/nope.toml"\n')
    assert error.en.startswith(f"{tmp_path / 'klynge.toml'}:2: call: neither a built-in call")
    assert str(tmp_path / "regler" / "nope.toml") in error.en


# --- errors ------------------------------------------------------------------------------------


def test_an_unknown_key_names_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "klynge.toml"
    error = refused(path, '# klynge\nlang = "da"\nfial-on = "warning"\n')
    assert error.en == f"{path}:3: unknown key 'fial-on' (did you mean 'fail-on'?)"
    assert error.da == f"{path}:3: ukendt nøgle 'fial-on' (mente du 'fail-on'?)"
    assert str(error) == error.da
    assert error.message("en") == error.en
    assert error.message() == error.da


@pytest.mark.parametrize("key", ["fail_on", "max_memory", "per_file_ignores"])
def test_only_the_kebab_spelling_is_a_key(tmp_path: Path, key: str) -> None:
    error = refused(tmp_path / "klynge.toml", f"{key} = 1\n")
    assert f":1: unknown key '{key}' (did you mean '{key.replace('_', '-')}'?)" in error.en


def test_an_error_in_pyproject_names_the_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    text = '[project]\nname = "x"\n\n[tool.klynge]\nlang = "en"\nfail-on = "warn"\n'
    error = refused(path, text)
    assert error.en == (
        f"{path}:6: [tool.klynge] fail-on: must be one of error, warning, info, never, not 'warn'"
    )
    assert error.da.startswith(f"{path}:6: [tool.klynge] fail-on: skal være en af error,")


def test_an_unknown_key_in_pyproject(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    error = refused(path, '[tool.klynge]\n\n"colour" = true\n')
    assert error.en == f"{path}:3: [tool.klynge] unknown key 'colour'"


def test_a_pyproject_without_the_table_is_refused_when_named(tmp_path: Path) -> None:
    error = refused(tmp_path / "pyproject.toml", "[tool.ruff]\n")
    assert error.en.endswith("pyproject.toml: no [tool.klynge] table")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        pytest.param('lang = "de"', 2, "lang: must be one of da, en, not 'de'", id="lang"),
        pytest.param('format = "pdf"', 2, "format: must be one of text, json,", id="format"),
        pytest.param("jobs = 0", 2, "jobs: must be a whole number of at least 1, not 0",
                     id="jobs-zero"),
        pytest.param('jobs = "4"', 2, "jobs: must be a whole number", id="jobs-text"),
        pytest.param("jobs = true", 2, "jobs: must be a whole number", id="jobs-bool"),
        pytest.param("timeout = 0", 2, "timeout: must be a number of seconds above 0",
                     id="timeout-zero"),
        pytest.param("timeout = inf", 2, "timeout: must be a number of seconds", id="timeout-inf"),
        pytest.param('max-memory = "lots"', 2, "max-memory: must be a number of bytes or a size",
                     id="max-memory-lots"),
        pytest.param("max-memory = -1", 2, "max-memory: must be", id="max-memory-negative"),
        pytest.param("select = 4", 2, "select: must be a list of rule codes", id="select-number"),
        pytest.param('ignore = ["E501"]', 2, "ignore: unknown rule code or prefix 'E501'",
                     id="ignore-not-kl"),
        pytest.param("call = 3", 2, "call: must be the id of a built-in call", id="call-number"),
        pytest.param("limits = 3", 2, "limits: must be a table", id="limits-not-table"),
        pytest.param('[per-file-ignores]\n"a.xlsx" = ["KL5X"]', 3,
                     "per-file-ignores.\"a.xlsx\": unknown rule code or prefix 'KL5X'",
                     id="per-file-code"),
        pytest.param('[per-file-ignores]\n"" = ["KL5"]', 3,
                     'per-file-ignores."": an empty pattern', id="per-file-empty-glob"),
        pytest.param("[limits]\nmax-zip-entries = 0", 3,
                     "limits.max-zip-entries: must be a whole number", id="limit-zero"),
        pytest.param("[limits]\nmax-rows = 5", 3, "limits.max-rows: unknown limit 'max-rows'",
                     id="limit-unknown"),
        pytest.param("[limits]\nmax-zip-entries = 5\nmax_zip_entries = 6", 4,
                     "limits.max_zip_entries: the limit is set twice", id="limit-twice"),
        pytest.param("limits.max-sheet-cells = 0", 2, "limits.max-sheet-cells: must be",
                     id="limit-dotted-key"),
    ],
)  # fmt: skip
def test_a_wrong_value_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = tmp_path / "klynge.toml"
    error = refused(path, "# klynge\n" + text + "\n")
    assert error.en.startswith(f"{path}:{line}: {fragment}")
    assert error.da.startswith(f"{path}:{line}: ")
    assert error.da != error.en


def test_every_problem_is_reported_in_line_order(tmp_path: Path) -> None:
    path = tmp_path / "klynge.toml"
    error = refused(path, 'jobs = 0\nlang = "x"\nfoo = 1\n')
    assert [line.split(": ")[0] for line in error.en.splitlines()] == [
        f"{path}:1",
        f"{path}:2",
        f"{path}:3",
    ]


def test_a_toml_syntax_error_keeps_tomllibs_position(tmp_path: Path) -> None:
    path = tmp_path / "klynge.toml"
    error = refused(path, 'lang = "da"\nselect = [KL4]\n')
    assert error.en.startswith(f"{path}:2: not valid TOML: ")
    assert "line 2, column" in error.en
    assert error.da.startswith(f"{path}:2: ikke gyldig TOML: ")


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "klynge.toml"
    path.write_bytes(b'call = "\xe6bler"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.en.startswith(f"{path}: cannot be read: ")
    assert caught.value.da.startswith(f"{path}: kan ikke læses: ")


def test_codes_are_checked_against_the_catalogue_when_given(tmp_path: Path) -> None:
    known = ("KL401", "KL505")
    assert loaded(tmp_path, 'select = ["KL4"]\n', known_codes=known).select == ("KL4",)
    error = refused(tmp_path / "klynge.toml", 'select = ["KL9"]\n', known_codes=known)
    assert ":1: select: unknown rule code or prefix 'KL9'" in error.en


# --- max-memory --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2GiB", 2 * GIB, id="GiB"),
        pytest.param("512MiB", 512 * MIB, id="MiB"),
        pytest.param("512 mib", 512 * MIB, id="any-case-and-a-space"),
        pytest.param("1.5 GB", 1_500_000_000, id="decimal-GB"),
        pytest.param("1.5GiB", 3 * GIB // 2, id="fraction-binary"),
        pytest.param("2G", 2 * GIB, id="bare-letter-is-binary"),
        pytest.param("2Gi", 2 * GIB, id="Gi"),
        pytest.param("100 kB", 100_000, id="kB"),
        pytest.param("1048576", MIB, id="plain-number-is-bytes"),
        pytest.param("64 B", 64, id="bytes"),
        pytest.param("1TiB", 1 << 40, id="TiB"),
    ],
)
def test_sizes(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize(
    "text", ["lots", "", "GiB", "2 GiBs", "-1GiB", "1,5 GB", "0", "0.1 B", "2 PiB", "1e9"]
)
def test_not_sizes(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


# --- per-file ignores --------------------------------------------------------------------------


def ignoring(root: Path, globs: dict[str, str]) -> Config:
    lines = "".join(f'"{glob}" = "{codes}"\n' for glob, codes in globs.items())
    return loaded(root, "[per-file-ignores]\n" + lines)


@pytest.mark.parametrize(
    ("glob", "relative", "ignored"),
    [
        pytest.param("Indbakke/acme-*.xlsx", "Indbakke/acme-2025.xlsx", True, id="folder-glob"),
        pytest.param("Indbakke/acme-*.xlsx", "Indbakke/other.xlsx", False, id="other-name"),
        pytest.param("Indbakke/acme-*.xlsx", "Arkiv/Indbakke/acme-1.xlsx", False,
                     id="anchored-at-config-folder"),
        pytest.param("Indbakke/acme-*.xlsx", "Indbakke/2025/acme-1.xlsx", False,
                     id="star-stays-in-one-folder"),
        pytest.param("indbakke/ACME-*.XLSX", "Indbakke/acme-1.xlsx", True, id="case-ignored"),
        pytest.param("./Indbakke/*.xlsx", "Indbakke/a.xlsx", True, id="leading-dot-slash"),
        pytest.param("**/x.xlsx", "x.xlsx", True, id="double-star-zero-folders"),
        pytest.param("**/x.xlsx", "a/b/c/x.xlsx", True, id="double-star-many-folders"),
        pytest.param("**/x.xlsx", "a/y.xlsx", False, id="double-star-other-name"),
        pytest.param("Indbakke/**", "Indbakke/2025/a.xlsx", True, id="everything-below"),
        pytest.param("a/**/x.xlsx", "a/x.xlsx", True, id="inner-double-star-zero"),
        pytest.param("a/**/x.xlsx", "a/b/c/x.xlsx", True, id="inner-double-star-many"),
        pytest.param("a/**/x.xlsx", "b/a/x.xlsx", False, id="inner-double-star-anchored"),
        pytest.param("acme-*.xlsx", "Indbakke/2025/acme-1.xlsx", True,
                     id="bare-name-in-any-folder"),
        pytest.param("acme-?.xlsx", "acme-12.xlsx", False, id="question-mark-one-char"),
        pytest.param("acme-[0-9].xlsx", "acme-7.xlsx", True, id="character-set"),
        pytest.param("acme-[!0-9].xlsx", "acme-7.xlsx", False, id="negated-set"),
        pytest.param("[", "[", True, id="unclosed-bracket-is-literal"),
    ],
)  # fmt: skip
def test_per_file_ignores_match(tmp_path: Path, glob: str, relative: str, ignored: bool) -> None:
    config = ignoring(tmp_path, {glob: "KL505"})
    expected = ("KL505",) if ignored else ()
    assert config.ignored_for(tmp_path / relative, tmp_path) == expected


def test_codes_of_every_matching_glob_once_each(tmp_path: Path) -> None:
    config = ignoring(tmp_path, {"*.xlsx": "KL505, KL1", "Indbakke/*": "KL1,KL2", "*.xlsm": "KL3"})
    path = tmp_path / "Indbakke" / "a.xlsx"
    assert config.ignored_for(path, tmp_path) == ("KL505", "KL1", "KL2")


def test_a_relative_file_path_is_taken_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ignoring(tmp_path, {"Indbakke/acme-*.xlsx": "KL505"})
    (tmp_path / "Indbakke").mkdir()
    monkeypatch.chdir(tmp_path / "Indbakke")
    assert config.ignored_for(Path("acme-1.xlsx"), tmp_path) == ("KL505",)
    assert config.ignored_for(Path("../Indbakke/./acme-1.xlsx"), tmp_path) == ("KL505",)


def test_a_file_outside_the_folder_matches_by_name_only(tmp_path: Path) -> None:
    config = ignoring(tmp_path / "proj", {"acme-*.xlsx": "KL505", "**/b.xlsx": "KL1"})
    root = tmp_path / "proj"
    assert config.ignored_for(tmp_path / "elsewhere" / "acme-1.xlsx", root) == ("KL505",)
    assert config.ignored_for(tmp_path / "elsewhere" / "b.xlsx", root) == ()


def test_no_table_ignores_nothing(tmp_path: Path) -> None:
    assert Config().ignored_for(tmp_path / "a.xlsx", tmp_path) == ()
