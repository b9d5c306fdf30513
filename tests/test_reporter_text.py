"""The text reporter on hand-built reports: finding and summary lines, hostile text shown
safely (cli.md decided item 4), streams that cannot encode the report (decided item 5), and
the batch summary of decided item 6."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator, Sequence
from typing import overload

import pytest

from klyngecli.findings import Finding, Severity
from klyngecli.report import (
    CallInfo,
    Figures,
    FileResult,
    PoolUse,
    Report,
    SkippedPath,
    ToolInfo,
    Verdict,
    summarise,
)
from klyngecli.reporters import Style
from klyngecli.reporters.text import render, render_save

ANSI = re.compile(r"\x1b\[[0-9;]*m")
HOSTILE = "\x1b[2J[link=https://x]y[/link] [bold red]Ansøger"


def finding(
    code: str = "KL401",
    severity: Severity = Severity.ERROR,
    sheet: str | None = "SMV-samarbejder",
    cell: str | None = "H3",
    da: str = "Tilskud er 75 % af FoU-omkostningerne (højst 70 %)",
    en: str = "Grant is 75 % of the R&D costs (max 70 %)",
) -> Finding:
    return Finding(
        code=code, severity=severity, sheet=sheet, cell=cell, message_da=da, message_en=en
    )


FIGURES = Figures(
    deb_request=72_000_000,
    deb_cap=23_000_000,
    financing_by_source={"regionalfonden": 300_000, "own": 100_000},
    largest_sme_share=0.75,
    largest_sme_share_at="SMV-samarbejder!H3",
    sme_ceiling=0.70,
)
FAILED = FileResult(
    path="indbakke/komposit.xlsx",
    verdict=Verdict.FAILED,
    applicant="Komposit Nord A/S",
    cvr="12345678",
    grant="innovation",
    figures=FIGURES,
    findings=[finding(), finding("KL501", sheet="Forside", cell="B9", da="For sent", en="Late")],
)
WARNED = FileResult(
    path="indbakke/vest.xlsx",
    verdict=Verdict.PASSED_WITH_WARNINGS,
    applicant="Vest ApS",
    findings=[finding("KL506", Severity.WARNING, "Forside", "B9", "Intet tidspunkt", "No time")],
)
UNREADABLE = FileResult(
    path="indbakke/broken.xlsx",
    verdict=Verdict.UNREADABLE,
    findings=[finding("KL001", sheet=None, cell=None, da="Kan ikke åbnes", en="Cannot open")],
)
PASSED = FileResult(path="indbakke/ok.xlsx", verdict=Verdict.PASSED, applicant="OK A/S")
SKIPPED = [
    SkippedPath(path="indbakke/~$komposit.xlsx", reason="lock-file"),
    SkippedPath(path="indbakke/noter.txt", reason="not-a-workbook"),
    SkippedPath(path="indbakke/gammel", reason="broken-link"),
]


def report(
    results: Sequence[FileResult],
    skipped: Sequence[SkippedPath] = (),
    pools: Sequence[PoolUse] = (),
    interrupted: bool = False,
    lang: str = "da",
) -> Report:
    summary = summarise(results, skipped=skipped)
    summary = summary.model_copy(update={"pools": list(pools), "interrupted": interrupted})
    return Report(
        tool=ToolInfo(version="0"),
        call=CallInfo(id="klyngeprogram-2025-2028", title="t", deadline="2025-09-01"),
        lang=lang,
        fail_on="error",
        files=results,
        summary=summary,
    )


def text(rep: Report, encoding: str = "utf-8", **style: object) -> str:
    """The report as written to a byte stream in `encoding`, decoded back."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding=encoding, newline="\n")
    render(rep, Style(lang=rep.lang, **style), out)  # type: ignore[arg-type]
    out.flush()
    return raw.getvalue().decode(encoding)


def section(output: str, heading: str) -> list[str]:
    """The lines under `heading:` up to the next blank line."""
    lines = output.splitlines()
    start = lines.index(f"{heading}:") + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


BATCH = report([FAILED, WARNED, UNREADABLE, PASSED], skipped=SKIPPED)


# --- one file -------------------------------------------------------------------------------


def test_plain_file_report_lines() -> None:
    lines = text(report([FAILED])).splitlines()
    assert lines[:2] == [
        "indbakke/komposit.xlsx",
        "  Komposit Nord A/S (CVR 12345678) · Innovation  IKKE GODKENDT",
    ]
    assert "  DEB-ansøgning     72.000.000 kr. af højst 23.000.000 kr. (313 %)" in lines
    assert "  Største SMV-andel 75 % (højst 70 %)  SMV-samarbejder!H3" in lines
    assert [line for line in lines if line.startswith("KL")] == [
        "KL401 fejl SMV-samarbejder!H3  Tilskud er 75 % af FoU-omkostningerne (højst 70 %)",
        "KL501 fejl Forside!B9  For sent",
    ]
    assert "Opsummering" not in lines  # one file, nothing skipped: no summary


def test_plain_file_report_in_english() -> None:
    output = text(report([FAILED], lang="en"))
    assert "  Komposit Nord A/S (CVR 12345678) · Innovation  FAILED" in output.splitlines()
    assert "KL401 error SMV-samarbejder!H3  Grant is 75 % of the R&D costs (max 70 %)" in output
    assert "IKKE GODKENDT" not in output and "DEB request" in output


def test_financing_bar_in_unicode() -> None:
    bar = next(line for line in text(report([FAILED])).splitlines() if "Finansiering" in line)
    # "own" is no model.Source, so it gets the first letter (decisions: the financing bar)
    assert bar == "  Finansiering      " + "█" * 23 + "a" * 7


def test_a_file_without_findings_says_so() -> None:
    assert "  Ingen fund." in text(report([PASSED])).splitlines()
    assert "  No findings." in text(report([PASSED], lang="en")).splitlines()


# --- the batch summary ------------------------------------------------------------------------


def test_summary_counts_table() -> None:
    lines = text(BATCH).splitlines()
    start = lines.index("Opsummering")
    assert lines[start + 1 : start + 9] == [
        "┌────────────────────┬───┐",
        "│ Filer kontrolleret │ 4 │",
        "│ Godkendt           │ 1 │",
        "│ Med advarsler      │ 1 │",
        "│ Ikke godkendt      │ 1 │",
        "│ Kan ikke læses     │ 1 │",
        "│ Sprunget over      │ 3 │",
        "└────────────────────┴───┘",
    ]


def test_summary_names_every_file_that_did_not_pass() -> None:
    assert section(text(BATCH), "Filer med fejl eller advarsler") == [
        "  indbakke/broken.xlsx  IKKE GODKENDT (kan ikke læses)",
        "  indbakke/komposit.xlsx  IKKE GODKENDT  Komposit Nord A/S  CVR 12345678  "
        "DEB-ansøgning 72.000.000 kr.",
        "  indbakke/vest.xlsx  GODKENDT MED ADVARSLER  Vest ApS",
    ]
    english = text(report([FAILED, WARNED, UNREADABLE, PASSED], lang="en"))
    assert section(english, "Files with errors or warnings") == [
        "  indbakke/broken.xlsx  FAILED (unreadable)",
        "  indbakke/komposit.xlsx  FAILED  Komposit Nord A/S  CVR 12345678  "
        "DEB request DKK 72,000,000",
        "  indbakke/vest.xlsx  PASSED WITH WARNINGS  Vest ApS",
    ]


def test_summary_names_every_skipped_path_with_its_reason() -> None:
    odd = SkippedPath(path="indbakke/fifo", reason="some-new-reason")
    rep = report([PASSED], skipped=[*SKIPPED, odd])
    assert section(text(rep), "Sprunget over") == [
        "  indbakke/~$komposit.xlsx  Office-låsefil",
        "  indbakke/noter.txt  ikke et regneark",
        "  indbakke/gammel  brudt link",
        "  indbakke/fifo  some-new-reason",
    ]
    assert section(text(report([PASSED], skipped=SKIPPED, lang="en")), "Skipped") == [
        "  indbakke/~$komposit.xlsx  Office lock file",
        "  indbakke/noter.txt  not a workbook",
        "  indbakke/gammel  broken link",
    ]


def test_summary_is_shown_for_one_file_when_something_was_skipped_or_quiet() -> None:
    assert "Opsummering" in text(report([PASSED], skipped=SKIPPED[:1])).splitlines()
    assert "Opsummering" in text(report([PASSED]), quiet=True).splitlines()


def test_most_frequent_codes_top_five() -> None:
    many = FileResult(
        path="mange.xlsx",
        verdict=Verdict.FAILED,
        findings=[finding(code) for code in ["KL101"] * 3 + ["KL102"] * 2]
        + [finding(c) for c in ("KL103", "KL104", "KL105", "KL106")],
    )
    lines = text(report([many, FAILED])).splitlines()
    assert "Hyppigste koder: KL101 ×3, KL102 ×2, KL103 ×1, KL104 ×1, KL105 ×1" in lines
    assert "Most frequent codes: KL101 ×3, KL102 ×2, KL103 ×1, KL104 ×1, KL105 ×1" in (
        text(report([many, FAILED], lang="en")).splitlines()
    )


def test_statistics_count_every_code_with_its_title() -> None:
    late = [finding("KL501", sheet="Forside", cell="B9") for _ in range(11)]
    many = FileResult(path="sen.xlsx", verdict=Verdict.FAILED, findings=late)
    rep = report([many, FAILED])
    assert section(text(rep, statistics=True), "Fund pr. kode") == [
        "  12  KL501  Indsendt efter ansøgningsfristen",
        "   1  KL401  SMV-tilskud over loftet",
    ]
    english = report([many, FAILED], lang="en")
    assert section(text(english, statistics=True), "Findings per code") == [
        "  12  KL501  Submitted after the deadline",
        "   1  KL401  SME grant above the ceiling",
    ]
    assert "Fund pr. kode:" not in text(rep).splitlines()


def test_pools_line() -> None:
    pools = [
        PoolUse(grant="innovation", files=4, requested=72_000_000, pool=230_000_000),
        PoolUse(grant="basis", files=1, requested=3_000_000, pool=40_000_000),
    ]
    assert section(text(report([FAILED, PASSED], pools=pools)), "DEB-ansøgninger mod puljen") == [
        "  Innovation: 72.000.000 kr. af puljen 230.000.000 kr. (31,3 %), 4 filer",
        "  Basis: 3.000.000 kr. af puljen 40.000.000 kr. (7,5 %), 1 fil",
    ]
    english = report([FAILED, PASSED], pools=pools, lang="en")
    assert section(text(english), "DEB requests against the pool") == [
        "  Innovation: DKK 72,000,000 of the pool DKK 230,000,000 (31.3 %), 4 files",
        "  Basis: DKK 3,000,000 of the pool DKK 40,000,000 (7.5 %), 1 file",
    ]


def test_interrupted_run_says_so_and_shows_the_partial_summary() -> None:
    lines = text(report([FAILED], interrupted=True)).splitlines()
    summary = lines.index("Opsummering")
    assert lines[summary + 1] == (
        "Afbrudt (Ctrl-C): tallene gælder de filer, der blev kontrolleret indtil da."
    )
    english = text(report([FAILED], interrupted=True, lang="en")).splitlines()
    assert "Interrupted (Ctrl-C): the counts are of the files checked until then." in english
    assert not any("Afbrudt" in line for line in text(BATCH).splitlines())


class OneShot(Sequence[FileResult]):
    """A spool that can be read once and has no length, like the batch's on-disk files."""

    def __init__(self, results: list[FileResult]) -> None:
        self._results: list[FileResult] | None = results

    def __iter__(self) -> Iterator[FileResult]:
        assert self._results is not None, "files iterated twice"
        results, self._results = self._results, None
        return iter(results)

    def __len__(self) -> int:
        raise AssertionError("len(files) asked for")

    @overload
    def __getitem__(self, index: int) -> FileResult: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[FileResult]: ...
    def __getitem__(self, index: int | slice) -> FileResult | Sequence[FileResult]:
        raise AssertionError("files indexed")


@pytest.mark.parametrize("quiet", [False, True], ids=["full", "quiet"])
def test_files_are_read_once_and_never_counted(quiet: bool) -> None:
    spooled = dataclasses.replace(BATCH, files=OneShot([FAILED, WARNED, UNREADABLE, PASSED]))
    output = text(spooled, quiet=quiet)
    assert ("KL501 fejl Forside!B9  For sent" in output.splitlines()) is not quiet
    assert "│ Filer kontrolleret │ 4 │" in output


# --- safe text --------------------------------------------------------------------------------

HOSTILE_FILE = FileResult(
    path="ind\nbakke/\x1b]0;titel\x07ans\udcff.xlsx",
    verdict=Verdict.FAILED,
    applicant=HOSTILE + "  ",
    cvr="1234\x1b[31m",
    grant="[bold]x",
    figures=Figures(financing_by_source={"[link=https://x]kilde[/link]\n": 1}),
    findings=[
        finding(
            sheet="Ark\x1b[2J[bold]",
            da="Cellen siger [link=https://x]y[/link] og \x1b[2J\nny linje [/]  ",
        )
    ],
)
HOSTILE_BATCH = report(
    [HOSTILE_FILE, PASSED],
    skipped=[SkippedPath(path="a\nb[link=https://x]", reason="hidden\x1b[2J")],
)


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
def test_hostile_text_is_escaped_and_never_markup(color: bool) -> None:
    output = text(HOSTILE_BATCH, color=color)
    visible = ANSI.sub("", output)
    assert "\x1b" not in visible  # the only escape sequences are the reporter's own colours
    assert "\x07" not in output and "]8;" not in output  # no bell, no hyperlink
    assert "\\x1b[2J[link=https://x]y[/link] [bold red]Ansøger" in visible
    assert "Cellen siger [link=https://x]y[/link] og \\x1b[2J\\nny linje [/]" in visible
    assert "ind\\nbakke/\\x1b]0;titel\\x07ans\\xff.xlsx" in visible
    assert "Ark\\x1b[2J[bold]!H3" in visible
    assert "(CVR 1234\\x1b[31m)" in visible and "· [bold]x" in visible
    assert "[link=https://x]kilde[/link]\\n 100 %" in visible
    assert "a\\nb[link=https://x]  hidden\\x1b[2J" in visible


def test_hostile_text_keeps_one_line_per_finding_and_no_trailing_space() -> None:
    lines = text(HOSTILE_BATCH).splitlines()
    assert [line for line in lines if line.startswith("KL")] == [
        "KL401 fejl Ark\\x1b[2J[bold]!H3  Cellen siger [link=https://x]y[/link] og "
        "\\x1b[2J\\nny linje [/]"
    ]
    assert lines[0] == "ind\\nbakke/\\x1b]0;titel\\x07ans\\xff.xlsx"
    assert all(line == line.rstrip() for line in text(BATCH).splitlines() + lines)


# --- streams that cannot encode the report ----------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
def test_a_narrow_stream_never_fails_and_falls_back_to_ascii(encoding: str, color: bool) -> None:
    foreign = FAILED.model_copy(update={"applicant": "北京 Ærø Å/S"})
    rep = report([foreign, HOSTILE_FILE, WARNED], skipped=SKIPPED)
    output = ANSI.sub("", text(rep, encoding, color=color, statistics=True))
    assert "#" * 23 + "a" * 7 in output  # the financing bar
    assert "+------------------------+\n| Filer kontrolleret | 3 |\n" in output
    assert not set("█▓▒░┌│└") & set(output)
    assert "??" in output  # the Chinese letters of the applicant, replaced


def test_cp1252_keeps_danish_letters_and_its_own_symbols() -> None:
    output = text(BATCH, "cp1252")
    assert "Største SMV-andel" in output and "Kan ikke læses" in output
    assert "KL401 ×1" in output  # × and · are in cp1252
    assert "█" not in output and "#" in output


def test_ascii_stream_replaces_what_it_cannot_encode() -> None:
    output = text(report([FAILED, PASSED], pools=[]), "ascii")
    assert "  Komposit Nord A/S (CVR 12345678) - Innovation  IKKE GODKENDT" in output
    assert "  St?rste SMV-andel 75 % (h?jst 70 %)  SMV-samarbejder!H3" in output
    assert "Hyppigste koder: KL401 x1, KL501 x1" in output
    assert "| Kan ikke l?ses     | 0 |" in output  # one character for one: columns align


def test_utf8_string_stream_is_written_as_it_is() -> None:
    out = io.StringIO()  # no encoding: takes any text
    render(BATCH, Style(), out)
    assert "┌" in out.getvalue() and "KL401 ×1" in out.getvalue()


def test_colour_report_fits_80_columns() -> None:
    output = ANSI.sub("", text(BATCH, color=True, width=80, statistics=True))
    assert max(len(line) for line in output.splitlines()) <= 80
    assert "\x1b[" in text(BATCH, color=True)  # it is coloured
    assert "\x1b" not in text(BATCH)  # and plain is not


def test_a_watch_save_keeps_a_long_path_on_its_line_in_plain_output() -> None:
    """`klynge watch` into a log: the `Saved:` line is one line however long the path (a reader
    of the log, or a script, finds the path beside the time)."""
    long_path = "indbakke/" + "meget-lang-mappe/" * 8 + "budget.xlsx"
    after = FileResult(path=long_path, verdict=Verdict.PASSED, applicant="OK A/S")
    out = io.StringIO()
    render_save("08:00:00", None, after, ([], []), Style(lang="en", width=80), out)
    saved = [line for line in out.getvalue().splitlines() if "] Saved: " in line]
    assert saved == [f"[08:00:00] Saved: {long_path}"]
