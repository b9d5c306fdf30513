"""The guides of docs/ (issue 16): for applicants, caseworkers and CI, each in English and
Danish, linked from docs/README.md; the report they and the README show is the real program's
output; the README shows the screenshots. The generated parts (rule reference, --help, the
table of fixes) are checked for staleness by tests/test_docs.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klyngecli.cli import app
from klyngecli.explain import catalogue
from tests.conftest import REPO

DOCS = REPO / "docs"
GUIDES = {
    "applicant": (DOCS / "en" / "applicant.md", DOCS / "da" / "ansoeger.md"),
    "caseworker": (DOCS / "en" / "caseworker.md", DOCS / "da" / "sagsbehandler.md"),
    "ci": (DOCS / "ci.md", DOCS / "da" / "ci.md"),
    "rules": (DOCS / "rules.md", DOCS / "da" / "regler.md"),
    "cli": (DOCS / "cli.md", DOCS / "da" / "kommandolinje.md"),
}
SCREENSHOTS = (
    "![The HTML report of the sample budgets: verdict counts, a sortable table of all files, and "
    "per file the financing mix, the DEB request against the cap and the findings]"
    "(docs/img/html-report.png)\n"
    "![The colour terminal report of two sample budgets](docs/img/terminal.svg)\n"
)
SAMPLE = "sample_budgets/smv-tilskud-over-70-procent.xlsx"


@pytest.mark.parametrize("kind", list(GUIDES))
def test_each_guide_is_in_both_languages_and_linked_from_the_index(kind: str) -> None:
    index = (DOCS / "README.md").read_text("utf-8")
    for path in GUIDES[kind]:
        assert path.is_file(), path
        assert str(path.relative_to(DOCS)) in index, path


@pytest.mark.parametrize("kind", ["applicant", "caseworker"])
def test_the_two_languages_of_a_guide_link_each_other(kind: str) -> None:
    english, danish = GUIDES[kind]
    assert f"../da/{danish.name}" in english.read_text("utf-8")
    assert f"../en/{english.name}" in danish.read_text("utf-8")


def test_the_applicant_guides_give_every_finding_and_its_fix() -> None:
    for path in GUIDES["applicant"]:
        text = path.read_text("utf-8")
        for code in catalogue():
            assert re.search(rf"^\| \[{code}\]\(", text, re.MULTILINE), (path.name, code)


def test_the_caseworker_guides_cover_the_inbox_workflow() -> None:
    for path in GUIDES["caseworker"]:
        text = path.read_text("utf-8")
        for word in ("--changed", "--annotate", "klynge.toml", "--format html", "KL204", "-v"):
            assert word in text, (path.name, word)


def plain_report(lang: str) -> str:
    """`klynge check SAMPLE` in a pipe, as the guides show it."""
    env = {"NO_COLOR": "1", "FORCE_COLOR": None, "KLYNGE_LANG": lang}
    result = CliRunner().invoke(app, ["check", SAMPLE, "--no-cache"], env=env)
    return result.stdout.rstrip("\n")


def shown_report(path: Path) -> str:
    """The text block of a document that shows the sample's report."""
    blocks = re.findall(r"```text\n(.*?)\n```", path.read_text("utf-8"), re.DOTALL)
    block: str = next(b for b in blocks if SAMPLE in b)
    return block.removeprefix(f"$ klynge check {SAMPLE}\n")


@pytest.mark.parametrize(
    ("path", "lang"),
    [
        (REPO / "README.md", "da"),
        (GUIDES["applicant"][0], "en"),
        (GUIDES["applicant"][1], "da"),
    ],
    ids=["readme", "applicant-en", "applicant-da"],
)
def test_the_report_a_document_shows_is_the_programs(path: Path, lang: str) -> None:
    assert shown_report(path) == plain_report(lang)


def test_the_readme_shows_the_screenshots() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("## What it looks like") :]
    assert section.split("\n", 2)[2].startswith(SCREENSHOTS)
    assert (DOCS / "img" / "html-report.png").stat().st_size > 10_000
    svg = (DOCS / "img" / "terminal.svg").read_text("utf-8")
    assert "https://" not in svg.split("<style>")[1].split("</style>")[0]  # no font from a CDN
    assert "IKKE GODKENDT" in svg.replace("&#160;", " ")
