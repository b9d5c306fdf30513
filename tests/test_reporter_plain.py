"""The text report without colour is written by the plain printer, which never imports rich's
console (issue 15: about 30 ms of a one-file check's start-up). Its output must be exactly what
rich writes for the same lines: every report here is rendered both ways (`via_rich=True` sends
the plain report through rich's console, as it was written before the plain printer, with one
change of decided item 71: no line of plain output is wrapped, where a section title or
`Ingen fund.` used to wrap at a terminal narrower than it) and compared byte for byte, on
hand-built reports, on generated ones with any text in them, on the samples' real reports, and
on streams that cannot encode the report. Then: the report reaches a pipe file by file, and a
`Line` is rich's `Text` for any text."""

from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klyngecli import api
from klyngecli.findings import Finding, Severity
from klyngecli.report import Figures, FileResult, PoolUse, Report, SkippedPath, Verdict
from klyngecli.reporters import Style
from klyngecli.reporters.terminal import Line
from klyngecli.reporters.text import render, render_save, render_watch_line
from tests.conftest import REPO
from tests.test_reporter_text import BATCH, FAILED, HOSTILE_BATCH, PASSED, SKIPPED, WARNED, report

ENCODINGS = ["utf-8", "cp1252", "ascii", "cp437"]  # cp437 draws frames but is not UTF


def both(rep: Report, encoding: str = "utf-8", **style: object) -> tuple[str, str]:
    """The report as the plain printer writes it, and as rich writes it, in `encoding`."""
    outputs = []
    for via_rich in (False, True):
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding=encoding, newline="\n")
        render(rep, Style(lang=rep.lang, **style), out, via_rich=via_rich)  # type: ignore[arg-type]
        out.flush()
        outputs.append(raw.getvalue().decode(encoding))
    return outputs[0], outputs[1]


FOREIGN = FAILED.model_copy(update={"applicant": "北京 Ærø Å/S " + "ﾊﾝｶｸ" + "e\u0301"})
POOLS = [
    PoolUse(grant="innovation", requested=Decimal(250_000_000), pool=Decimal(230_000_000), files=3)
]
REPORTS = {
    "batch": BATCH,
    "hostile": HOSTILE_BATCH,
    "foreign": report([FOREIGN, WARNED, PASSED], skipped=SKIPPED, pools=POOLS),
    "one": report([FAILED]),
    "one-skipped": report([PASSED], skipped=SKIPPED[:1]),
    "nothing": report([]),
    "interrupted": report([FAILED, WARNED], interrupted=True, lang="en"),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("name", list(REPORTS))
@pytest.mark.parametrize(
    "flags",
    [{}, {"quiet": True}, {"verbose": True}, {"statistics": True}],
    ids=["default", "quiet", "verbose", "statistics"],
)
def test_plain_printer_writes_what_rich_writes(name: str, encoding: str, flags: dict) -> None:
    plain, through_rich = both(REPORTS[name], encoding, **flags)
    assert plain == through_rich
    assert plain.strip()  # a report, not two empty strings


@pytest.mark.parametrize("width", [100, 60, 30, 24, 12])
def test_narrow_widths_agree_including_a_table_rich_must_wrap(width: int) -> None:
    """Below the summary table's width the plain printer leaves the table to rich."""
    plain, through_rich = both(REPORTS["foreign"], width=width, verbose=True)
    assert plain == through_rich
    frame_top = next(line for line in plain.splitlines() if line.startswith("┌"))
    assert len(frame_top) <= width


def test_the_english_report_agrees() -> None:
    rep = report([FOREIGN, WARNED], skipped=SKIPPED, pools=POOLS, lang="en")
    plain, through_rich = both(rep, statistics=True)
    assert plain == through_rich and "Files checked" in plain


def test_the_samples_real_reports_agree() -> None:
    rep = api.check([REPO / "sample_budgets"], jobs=1)
    assert len(rep.files) >= 10
    for lang in ("da", "en"):
        rep.lang = lang
        plain, through_rich = both(rep, verbose=True)
        assert plain == through_rich
        assert "KL" in plain  # the samples hold findings


def test_watch_output_agrees() -> None:
    before = FAILED
    after = FAILED.model_copy(
        update={"verdict": Verdict.PASSED, "findings": FAILED.findings[:1], "path": "a/b.xlsx"}
    )
    changes = (FAILED.findings[1:], [])
    written = []
    for via_rich in (False, True):
        out = io.StringIO()
        render_save("08:00:00", before, after, changes, Style(), out, clear=True, via_rich=via_rich)
        render_save("08:00:01", None, FOREIGN, ([], []), Style(lang="en"), out, via_rich=via_rich)
        for key in ("watching", "stopped", "removed"):
            render_watch_line(key, Style(), out, files=2, path="x\x1b.xlsx", via_rich=via_rich)
        written.append(out.getvalue())
    plain_watch, through_rich = written
    assert plain_watch == through_rich
    assert "\x1b" not in plain_watch and "rettet" in plain_watch


class _Flushes(io.StringIO):
    """A stream that keeps what had been written at each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.at_flush: list[str] = []

    def flush(self) -> None:
        self.at_flush.append(self.getvalue())


def test_each_files_report_is_flushed_when_it_is_written() -> None:
    """A caseworker piping a batch to `tee` or a log sees each file's report when it is done
    (rich flushed after every line; the plain printer flushes after every file)."""
    out = _Flushes()
    render(BATCH, Style(), out)
    paths = [result.path for result in BATCH.files]
    firsts = [next(i for i, text in enumerate(out.at_flush) if path in text) for path in paths]
    assert firsts == sorted(firsts) and len(set(firsts)) == len(paths)  # one flush per file
    assert out.at_flush[-1] == out.getvalue()  # the summary too
    assert "Opsummering" not in out.at_flush[firsts[-1]]  # each flush ends with its file


@pytest.mark.parametrize("text", ["a\rb", "\x07bell\x08", "tab\tand\x0bvt\x0cff", "plain ø 北"])
def test_a_line_drops_what_richs_text_drops(text: str) -> None:
    """rich's Text drops five control characters from its text (and its spans shift with
    them); a Line does the same, so that plain and coloured output say the same."""
    from rich.text import Text

    line = Line(text, "bold").append(text, "red").append_text(Line(text, "dim"))
    expected = Text(text, "bold").append(text, "red").append_text(Text(text, "dim"))
    assert line.plain == expected.plain
    assert line.rich().spans == expected.spans


# --- generated reports ------------------------------------------------------------------------

# Any text a workbook or a path can hold: wide letters, combining marks, controls, surrogates.
ANY_TEXT = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), min_size=0, max_size=40
)
AMOUNTS = st.none() | st.decimals(min_value=0, max_value=10**9, places=2).map(Decimal)
SEVERITIES = st.sampled_from(list(Severity))


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    sheet = draw(st.none() | ANY_TEXT.filter(bool))
    return Finding(
        code=draw(st.sampled_from(["KL401", "KL204", "KL001", "KL506"])),
        severity=draw(SEVERITIES),
        sheet=sheet,
        cell=draw(st.none() | st.just("H7")) if sheet else None,
        message_da=draw(ANY_TEXT),
        message_en=draw(ANY_TEXT),
    )


@st.composite
def results(draw: st.DrawFn) -> FileResult:
    request, cap = draw(AMOUNTS), draw(AMOUNTS)
    share = draw(st.none() | st.floats(0, 3, allow_nan=False))
    sources = draw(
        st.dictionaries(st.sampled_from(["regionalfonden", "own", "ukendt", "x"]), AMOUNTS)
    )
    return FileResult(
        path=draw(ANY_TEXT.filter(bool)),
        verdict=draw(st.sampled_from(list(Verdict))),
        applicant=draw(st.none() | ANY_TEXT),
        cvr=draw(st.none() | ANY_TEXT),
        grant=draw(st.none() | st.sampled_from(["innovation", "basis"]) | ANY_TEXT),
        figures=Figures(
            deb_request=request,
            deb_cap=cap,
            financing_by_source=sources,
            largest_sme_share=share,
            largest_sme_share_at=draw(st.none() | ANY_TEXT),
            sme_ceiling=None if share is None else 0.7,
        ),
        findings=draw(st.lists(findings(), max_size=4)),
        rules_run=draw(st.lists(st.sampled_from(["KL101", "KL201", "KL401"]), max_size=3)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(results(), max_size=3),
    skipped=st.lists(st.builds(SkippedPath, path=ANY_TEXT, reason=ANY_TEXT), max_size=2),
    width=st.integers(8, 140),
    encoding=st.sampled_from(ENCODINGS),
    lang=st.sampled_from(["da", "en"]),
    verbose=st.booleans(),
    statistics=st.booleans(),
)
def test_generated_reports_agree(
    files: list[FileResult],
    skipped: list[SkippedPath],
    width: int,
    encoding: str,
    lang: str,
    verbose: bool,
    statistics: bool,
) -> None:
    rep = report(files, skipped=skipped, lang=lang)
    plain, through_rich = both(rep, encoding, width=width, verbose=verbose, statistics=statistics)
    assert plain == through_rich


# --- the start-up it saves --------------------------------------------------------------------


def test_a_plain_report_never_imports_riches_console(tmp_path: Path) -> None:
    """The point of the plain printer: a report without colour leaves rich's console, text and
    table modules unimported (a terminal in colour imports them)."""
    program = (
        "import io, sys\n"
        "from tests.test_reporter_text import BATCH\n"
        "from klyngecli.reporters import Style\n"
        "from klyngecli.reporters.text import render\n"
        "render(BATCH, Style(statistics=True), io.StringIO())\n"
        "heavy = ('rich.console', 'rich.text', 'rich.table')\n"
        "print(','.join(sorted(m for m in heavy if m in sys.modules)))\n"
        "render(BATCH, Style(color=True), io.StringIO())\n"
        "print('rich.console' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == ["", "True"]
