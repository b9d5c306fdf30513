"""The import graph runs one way (issue 11, STYLE.md): model, vocabulary, findings, codes and the
call at the bottom; then the reader; the rules; the engine; the batch; reporters and writers;
the command line and the API on top. A module imports only from its own layer or below, rules
never import the reader or a user-interface library, and rich, typer and openpyxl stay where
they belong. An AST walk over the package's source, so a new import that breaks the rule fails
here whatever its module does at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "klyngecli"

# klyngecli.<first part> → layer; a module may import from its layer and lower ones.
LAYERS = {
    "model": 0,
    "vocabulary": 0,
    "findings": 0,
    "codes": 0,
    "callspec": 0,
    "plain": 0,
    "safetext": 0,
    "report": 0,
    "fingerprint": 0,
    "paths": 0,
    "reader": 1,
    "rules": 2,
    "figures": 3,
    "engine": 3,
    "explain": 3,
    "batch": 4,
    "cache": 4,
    "reporters": 5,
    "writer": 5,
    "config": 5,
    "watch": 5,
    "helptext": 5,
    "api": 6,
    "cli": 6,
    "__main__": 6,
}
# Libraries that belong to one corner of the package only.
CONFINED = {
    "rich": ("klyngecli.reporters.terminal", "klyngecli.cli", "klyngecli.helptext"),
    "typer": ("klyngecli.cli", "klyngecli.helptext"),
    "click": ("klyngecli.cli", "klyngecli.helptext"),
    "openpyxl": ("klyngecli.writer",),
}


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, including those inside functions."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "klyngecli":  # `from klyngecli import codes` (or `__version__`)
                found += [
                    (node.lineno, f"klyngecli.{a.name}" if a.name in LAYERS else "klyngecli")
                    for a in node.names
                ]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "klyngecli":
        return None
    if len(parts) == 1:
        return 0  # the package itself: __version__
    return LAYERS[parts[1]]


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    parts = {_module(p).split(".")[1] for p in SOURCES if _module(p) != "klyngecli"}
    assert sorted(parts - set(LAYERS)) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_imports_run_one_way(path: Path) -> None:
    me = _module(path)
    if me == "klyngecli":
        return  # the package's lazy re-export of the API (klyngecli.check)
    mine = _layer(me)
    assert mine is not None
    upward = [
        f"line {line}: {module}"
        for line, module in _imports(path)
        if (theirs := _layer(module)) is not None and theirs > mine
    ]
    assert upward == [], f"{me} imports from a higher layer"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_libraries_stay_in_their_corner(path: Path) -> None:
    me = _module(path)
    wrong = [
        f"line {line}: {module}"
        for line, module in _imports(path)
        for library, allowed in CONFINED.items()
        if module.split(".")[0] == library and not me.startswith(allowed)
    ]
    assert wrong == []


def test_rules_never_import_the_reader() -> None:
    reader = [
        f"{_module(path)} line {line}: {module}"
        for path in sorted((PACKAGE / "rules").glob("*.py"))
        for line, module in _imports(path)
        if module.startswith("klyngecli.reader")
    ]
    assert reader == []


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    # The near miss: a lazy import of the CLI inside a rule's function is still an import.
    source = tmp_path / "sample.py"
    source.write_text("def f():\n    from klyngecli.cli import app\n    return app\n")
    assert _imports(source) == [(2, "klyngecli.cli")]
