"""The terminal report laid out for 80 columns and up (issue 16): golden files at 80 and 120
columns, with and without colour, of a hand-built report (a long applicant name, every
financing source, a finding about the whole file) and of a real sample checked by the engine;
and the layout rules those goldens must keep, checked on every width from 80 to 140.

The goldens are in tests/golden/; regenerate them on purpose only:

    KLYNGE_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/test_terminal.py
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from rich.cells import cell_len

from klyngecli.callspec import load_call
from klyngecli.engine import Options, check_file
from klyngecli.findings import Finding, Scalar, Severity
from klyngecli.model import Source
from klyngecli.report import (
    CallInfo,
    Figures,
    FileResult,
    Report,
    SkippedPath,
    ToolInfo,
    Verdict,
    summarise,
    verdict_text,
)
from klyngecli.reporters import Style
from klyngecli.reporters.terminal import ASCII_FALLBACK
from klyngecli.reporters.text import SOURCE_GLYPHS, render
from tests.conftest import REPO, SAMPLES

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("KLYNGE_UPDATE_GOLDEN") == "1"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WIDTHS = (80, 120)

LONG_NAME = (
    "Klyngeorganisationen for Avanceret Produktion, Robotteknologi og Automatisering i Nordjylland"
)
EVERY_SOURCE: dict[str, Scalar] = {
    Source.REGIONALFONDEN.value: 9_000_000,
    Source.DECENTRALE.value: 8_000_000,
    Source.UFS.value: 500_000,
    Source.PRIVATE_CASH.value: 1_000_000,
    Source.PUBLIC_CASH.value: 200_000,
    Source.OWN.value: 50_000,
    Source.SME_OWN.value: 40_000,
}
HAND_BUILT = [
    FileResult(
        path="indbakke/nordjysk-robotklynge.xlsx",
        verdict=Verdict.FAILED,
        applicant=LONG_NAME,
        cvr="12345678",
        grant="innovation",
        figures=Figures(
            deb_request=24_500_000,
            deb_cap=23_000_000,
            financing_by_source=EVERY_SOURCE,
            largest_sme_share=0.75,
            largest_sme_share_at="SMV-samarbejder!H3",
            sme_ceiling=0.7,
        ),
        findings=[
            Finding(
                code="KL401",
                severity=Severity.ERROR,
                sheet="SMV-samarbejder",
                cell="H3",
                message_da="Tilskud til Komposit Nord A/S er 75 % af FoU-omkostningerne "
                "(højst 70 %): nedsæt det med 40.000 kr. til 560.000 kr.",
                message_en="Tilskud for Komposit Nord A/S is 75 % of the R&D costs (max 70 %): "
                "reduce it by DKK 40,000 to DKK 560,000",
            ),
            Finding(
                code="KL506",
                severity=Severity.WARNING,
                sheet="Ansøger",
                cell="B6",
                message_da="Indsendelsestidspunktet er ukendt, så fristen er ikke kontrolleret",
                message_en="The submission time is unknown, so the deadline was not checked",
            ),
        ],
        rules_run=["KL101", "KL102", "KL401", "KL402", "KL506"],
    ),
    FileResult(
        path="indbakke/tom.xlsx",
        verdict=Verdict.UNREADABLE,
        findings=[
            Finding(
                code="KL001",
                severity=Severity.ERROR,
                message_da="Filen er tom (0 byte)",
                message_en="The file is empty (0 bytes)",
            )
        ],
    ),
]


def _report(results: list[FileResult], lang: str, skipped: list[SkippedPath]) -> Report:
    return Report(
        tool=ToolInfo(version="0"),
        call=CallInfo(id="klyngeprogram-2025-2028", title="t", deadline="2024-08-13"),
        lang=lang,
        fail_on="error",
        files=results,
        summary=summarise(results, skipped=skipped),
    )


def hand_built(lang: str) -> Report:
    return _report(HAND_BUILT, lang, [SkippedPath(path="indbakke/~$x.xlsx", reason="lock-file")])


def sample(lang: str) -> Report:
    """A real sample through the engine (in this process, with a fixed clock)."""
    call = load_call()
    options = Options(call=call, now=datetime(2024, 8, 1, 9, 0, tzinfo=call.zone))
    name = "smv-tilskud-over-70-procent.xlsx"
    result = check_file(SAMPLES / name, options, label=f"sample_budgets/{name}")
    return _report([result], lang, [])


def rendered(report: Report, width: int, color: bool, encoding: str = "utf-8") -> str:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding=encoding, newline="\n")
    render(report, Style(lang=report.lang, width=width, color=color, verbose=True), out)
    out.flush()
    return raw.getvalue().decode(encoding)


CASES = [
    pytest.param(make, lang, width, color, id=f"{make.__name__}-{lang}-{width}-{mode}")
    for make in (hand_built, sample)
    for lang in ("da", "en")
    for width in WIDTHS
    for color, mode in ((False, "plain"), (True, "colour"))
]


@pytest.mark.parametrize(("make", "lang", "width", "color"), CASES)
def test_text_report_matches_its_golden_file(
    make: Callable[[str], Report], lang: str, width: int, color: bool
) -> None:
    mode = "colour" if color else "plain"
    golden = GOLDEN / f"terminal-{make.__name__}-{lang}-{width}-{mode}.txt"
    text = rendered(make(lang), width, color)
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text, "utf-8", newline="\n")
    assert golden.is_file(), f"{golden.name} is missing: run with KLYNGE_UPDATE_GOLDEN=1"
    assert text == golden.read_text("utf-8"), f"{golden.name} differs (see the module docstring)"


# --- the layout rules, at every width ---------------------------------------------------------


def one_line_by_design(line: str) -> bool:
    """Plain output keeps a finding and a summary line on one line, for grep (cli.md), and
    never cuts the applicant's name."""
    return bool(re.match(r"KL\d{3} ", line)) or line.startswith("  indbakke/") or LONG_NAME in line


@pytest.mark.parametrize("width", range(80, 141, 5))
@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_line_fits_and_none_ends_in_a_space(width: int, color: bool, lang: str) -> None:
    for line in ANSI.sub("", rendered(hand_built(lang), width, color)).splitlines():
        assert line == line.rstrip(), repr(line)
        if color or not one_line_by_design(line):
            assert cell_len(line) <= width, (width, line)


@pytest.mark.parametrize("width", range(80, 141, 5))
@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_verdict_stays_with_the_header(width: int, color: bool, lang: str) -> None:
    """On the applicant's line, or indented on the next one: never wrapped to column 0. In a
    terminal the long name is shortened with … rather than pushing the verdict away; plain
    output keeps the whole name and gives the verdict its own line."""
    lines = ANSI.sub("", rendered(hand_built(lang), width, color)).splitlines()
    header = lines.index("indbakke/nordjysk-robotklynge.xlsx")
    verdict = verdict_text(Verdict.FAILED, lang)
    applicant, after = lines[header + 1], lines[header + 2]
    assert applicant.startswith("  Klyngeorganisationen for")
    if color:
        assert LONG_NAME in applicant or "…" in applicant
        assert cell_len(applicant) <= width
    else:
        assert LONG_NAME in applicant and "…" not in applicant
    assert applicant.endswith(f"  {verdict}") or after == f"  {verdict}"
    assert not any(line.startswith(verdict) for line in lines)


def test_a_name_that_fits_is_not_shortened() -> None:
    text = rendered(sample("da"), 80, False)
    assert "  Klyngen for Digital Sundhed (CVR 34905800) · Innovation  IKKE GODKENDT" in (
        text.splitlines()
    )


def test_the_verdict_gets_its_own_indented_line_when_the_name_would_be_too_short() -> None:
    """`IKKE GODKENDT (kan ikke læses)` and the CVR and grant leave less than MIN_NAME columns
    for the name at 80 columns: the verdict goes on the next line, indented."""
    unreadable = _report(
        [HAND_BUILT[0].model_copy(update={"verdict": Verdict.UNREADABLE})], "da", []
    )
    lines = ANSI.sub("", rendered(unreadable, 80, True)).splitlines()
    assert lines[1].endswith("… (CVR 12345678) · Innovation") and len(lines[1]) == 80
    assert lines[2] == "  IKKE GODKENDT (kan ikke læses)"
    lines = ANSI.sub("", rendered(unreadable, 120, True)).splitlines()
    assert lines[1].endswith("… (CVR 12345678) · Innovation  IKKE GODKENDT (kan ikke læses)")


def test_plain_output_keeps_the_whole_name() -> None:
    lines = rendered(hand_built("da"), 80, False).splitlines()
    assert lines[1] == f"  {LONG_NAME} (CVR 12345678) · Innovation"
    assert lines[2] == "  IKKE GODKENDT"


def legend_glyphs(text: str) -> list[str]:
    """The characters that start the legend's entries (after the bar's label)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Finansiering"))
    entries: list[str] = []
    for line in lines[start + 1 :]:
        if not line.startswith(" " * 20) or line[20] == "[":
            break
        entries += [part[0] for part in line[20:].split("  ") if part]
    return entries


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_each_source_has_its_own_character_in_the_bar_and_the_legend(encoding: str) -> None:
    text = rendered(hand_built("da"), 80, False, encoding)
    glyphs = legend_glyphs(text)
    assert len(glyphs) == len(EVERY_SOURCE) == len(set(glyphs))
    bar = next(line for line in text.splitlines() if line.startswith("  Finansiering"))
    assert set(bar[20:]) == set(glyphs)  # every source shows, even 0,2 % of the whole
    assert len(bar[20:]) == 30


def test_the_ascii_fallback_keeps_the_characters_distinct() -> None:
    fallback = [ASCII_FALLBACK[glyph] for glyph in SOURCE_GLYPHS]
    assert len(set(fallback)) == len(SOURCE_GLYPHS) == len(Source)
    assert not set(fallback) & set(SOURCE_GLYPHS)


def test_a_source_the_model_does_not_know_gets_a_letter() -> None:
    odd = HAND_BUILT[0].model_copy(
        update={"figures": Figures(financing_by_source={"regionalfonden": 1, "mystery": 1})}
    )
    glyphs = legend_glyphs(rendered(_report([odd], "da", []), 80, False))
    assert glyphs == ["█", "a"]


def test_severities_are_in_the_reports_language() -> None:
    danish = rendered(hand_built("da"), 120, False).splitlines()
    english = rendered(hand_built("en"), 120, False).splitlines()
    assert any(line.startswith("KL401 fejl SMV-samarbejder!H3  ") for line in danish)
    assert any(line.startswith("KL506 advarsel Ansøger!B6  ") for line in danish)
    assert any(line.startswith("KL401 error SMV-samarbejder!H3  ") for line in english)
    assert "KL001 fejl (fil)  Filen er tom (0 byte)" in danish
    assert "KL001 error (file)  The file is empty (0 bytes)" in english


def test_verbose_lists_the_checks_that_ran_and_found_nothing() -> None:
    lines = rendered(hand_built("da"), 80, False).splitlines()
    assert "  Beståede kontroller: KL101 KL102 KL402" in lines


def test_numbers_are_written_the_languages_way() -> None:
    danish, english = rendered(hand_built("da"), 120, False), rendered(hand_built("en"), 120, False)
    assert "24.500.000 kr. af højst 23.000.000 kr. (106,5 %)" in danish
    assert "DKK 24,500,000 of at most DKK 23,000,000 (106.5 %)" in english
    assert not re.search(r"\d\.\d{3}(\.\d{3})* kr\.", english)


def test_goldens_are_committed_for_every_case() -> None:
    names = {p.name for p in GOLDEN.glob("terminal-*.txt")}
    assert len(names) == len(CASES), sorted(names)
    assert GOLDEN.relative_to(REPO) == Path("tests/golden")
