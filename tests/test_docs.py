"""The docs cannot drift from the code: the generated files are current, and the README covers
the two commands, every command and every rule."""

from __future__ import annotations

import pytest

from klyngecli.explain import catalogue
from scripts.make_docs import COMMANDS, outputs
from tests.conftest import REPO

GENERATED = outputs()


@pytest.mark.parametrize("path", list(GENERATED), ids=lambda p: p.name)
def test_generated_docs_are_current(path: object) -> None:
    assert path in GENERATED
    current = path.read_text("utf-8")  # type: ignore[attr-defined]
    assert current == GENERATED[path], f"{path} is stale: run `make docs`"  # type: ignore[index]


def test_readme_opens_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    head = readme[: readme.index("## What it looks like")]
    assert "make demo" in head and "make test" in head


def test_readme_and_rule_docs_name_every_rule() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    rules_doc = (REPO / "docs" / "rules.md").read_text("utf-8")
    for code, declared in catalogue().items():
        assert f"[{code}]" in readme
        assert f"## {code}\n" in rules_doc
        assert declared.title_da in readme and declared.title_en in readme


def test_every_command_is_documented() -> None:
    cli_doc = (REPO / "docs" / "cli.md").read_text("utf-8")
    readme = (REPO / "README.md").read_text("utf-8")
    for command in COMMANDS:
        assert f"## `klynge {command}`" in cli_doc
    for command in ("klynge check", "klynge template", "klynge explain"):
        assert command in readme


def test_every_rule_has_documentation_in_both_languages() -> None:
    for code, declared in catalogue().items():
        english, danish = declared.text("en"), declared.text("da")
        assert english.startswith("What it does:") and "Fix:" in english, code
        assert danish.startswith("Hvad den gør:") and "Sådan retter du:" in danish, code
        assert declared.title_da != declared.title_en, code
