"""What a fuzzing campaign found (December 2026, about 105,000 generated, mutated and real
workbooks; each became KL900, "the checker itself failed", or took minutes): each is now a
finding of the file, KL001 or KL006, and the check is linear. One test per class of problem,
on workbooks the builder writes and on the smallest real files that showed it
(tests/data/panics, README there)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from klyngecli import cli
from klyngecli.paths import _one_doublestar, select_files
from klyngecli.reader import cells
from klyngecli.reader.cells import parse_datetime
from klyngecli.rules.consistency import _sums_above
from tests.conftest import REPO, check, run_check
from tests.workbooks import App, Built

PANICS = sorted((REPO / "tests" / "data" / "panics").iterdir())
ZONE = ZoneInfo("Europe/Copenhagen")


# --- the native reader's panics ----------------------------------------------------------------


@pytest.mark.parametrize("path", PANICS, ids=lambda p: p.name)
def test_a_panic_of_the_native_reader_is_a_damaged_file(path: Path, tmp_path: Path) -> None:
    """python-calamine panics (an index past the end of a damaged record), which pyo3 raises as
    a BaseException: the file is KL001, unreadable, like any other damaged file."""
    copy = shutil.copy(path, tmp_path / path.name)
    result = run_check(copy)
    assert result.codes == ["KL001"]
    assert result.report["files"][0]["verdict"] == "unreadable"


# --- a submission time at the calendar's edge ---------------------------------------------------


EDGE_TIMES = [
    "9999-12-31T23:59:59.999999",  # rounded to the millisecond: past the last day
    "9999-12-31T23:00:00+00:00",  # in Copenhagen: the year 10000
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+05:00",  # in UTC: the year 0
]


@pytest.mark.parametrize("text", EDGE_TIMES)
def test_a_time_at_the_calendars_edge_cannot_be_read(text: str) -> None:
    assert parse_datetime(text, ZONE) is None
    assert parse_datetime(datetime.fromisoformat(text), ZONE) is None


def test_a_time_near_the_edge_is_still_read() -> None:
    assert parse_datetime("9999-12-30T12:00:00", ZONE) == datetime(9999, 12, 30, 12, tzinfo=ZONE)
    assert parse_datetime("0001-01-02T00:00:00", ZONE) == datetime(1, 1, 2, tzinfo=ZONE)


@pytest.mark.parametrize("text", EDGE_TIMES)
def test_a_submission_time_at_the_calendars_edge_is_kl006(tmp_path: Path, text: str) -> None:
    built = App(submitted=text).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL006"]  # not KL900 from KL501/KL502, which stay silent
    assert result.only("KL006")["location"] == built.ref("Ansøger", "Indsendt")


# --- an implausible amount where a row's label is unknown -------------------------------------


@pytest.mark.parametrize(
    ("amount", "unit"),
    [
        pytest.param(1e300, None, id="float-1e300"),
        pytest.param("1" + ".000" * 10, None, id="text-10^30"),
        pytest.param(10**21, "mio. kr.", id="10^21-million"),
    ],
)
def test_an_implausible_amount_in_a_row_of_an_unknown_label_is_kl006(
    tmp_path: Path, amount: object, unit: str | None
) -> None:
    """A row whose label is not a category is a heading when it holds no amount (decided item
    14); deciding that rounded every number to the øre, which a number past 10**26 cannot be."""
    app = App(unit=unit, scale_to_unit=False)
    line = app.budget_line("Rejser")
    line.label = "Foo"
    line.amounts[2025] = amount  # type: ignore[assignment]
    built = app.build()
    result = check(tmp_path, built)
    assert "KL900" not in result.codes and "KL008" in result.codes
    assert built.ref("Budget", "Foo", 2025) in result.at("KL006")  # and the sums stated of it


def test_an_implausible_sme_amount_is_kl006(tmp_path: Path) -> None:
    app = App()
    assert app.collaborations
    app.collaborations[0]["FoU-omkostninger"] = 1e300
    built = app.build()
    result = check(tmp_path, built)
    assert "KL900" not in result.codes
    assert result.only("KL006")["location"] == built.ref("SMV-samarbejder", 0, "FoU-omkostninger")


# --- a damaged LZMA entry -----------------------------------------------------------------------


def test_a_damaged_lzma_entry_is_a_damaged_file(tmp_path: Path) -> None:
    """A zip may compress with LZMA (method 14): a damaged entry raises LZMAError, which is
    damage like zlib's error (KL001), not a failure of the checker."""
    written = App().build().write(tmp_path / "plain.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(written) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_LZMA) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info), zipfile.ZIP_LZMA)
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        sheet = next(i for i in archive.infolist() if i.filename.startswith("xl/worksheets/"))
    start = sheet.header_offset + 30 + len(sheet.filename.encode())  # its compressed data
    for offset in range(start + 20, start + sheet.compress_size - 4, 7):
        data[offset] ^= 0x5A
    damaged = tmp_path / "lzma.xlsx"
    damaged.write_bytes(bytes(data))
    result = run_check(damaged)
    assert result.codes == ["KL001"]


# --- a sheet name with a tab --------------------------------------------------------------------


def _with_budget_named(built: Built, path: Path, name: bytes) -> Path:
    """The workbook with its Budget sheet renamed in workbook.xml to `name`, written as it is
    (a literal tab, which an XML parser reads as a space and calamine keeps)."""
    source = built.write(path.with_suffix(".source.xlsx"))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info)
            if info.filename == "xl/workbook.xml":
                assert b'name="Budget"' in content
                content = content.replace(b'name="Budget"', b'name="' + name + b'"')
            zout.writestr(info, content)
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("name", [b"Budget\t", b"Budget\r\n", b"Budget\n"])
def test_a_sheet_name_with_a_tab_or_line_break_keeps_the_screens_notes(
    tmp_path: Path, name: bytes
) -> None:
    """The screen's notes (a formula without a result, an error value) are kept under the
    sheet's name as the XML parser reads it; calamine reads the tab or line break as written.
    Both spellings find the same notes: the cells are KL007 and KL006, never read as 0."""
    app = App()
    app.budget_line("Rejser").amounts[2025] = "=50000*2"  # no stored result: KL007
    app.budget_line("Løn").amounts[2025] = "#DIV/0!"  # an error value: KL006
    built = app.build()
    plain = run_check(built.write(tmp_path / "plain.xlsx"))
    renamed = run_check(_with_budget_named(built, tmp_path / "renamed.xlsx", name))
    assert sorted(plain.codes) == ["KL006", "KL007"]
    assert sorted(renamed.codes) == sorted(plain.codes)

    def cells(checked: object) -> list[tuple[str, str]]:
        return sorted((f["code"], f["location"].rsplit("!", 1)[1]) for f in checked.findings)  # type: ignore[attr-defined]

    assert cells(renamed) == cells(plain)


# --- the totals rows' sums, in one pass ---------------------------------------------------------


@st.composite
def rows_and_limits(
    draw: st.DrawFn,
) -> tuple[list[tuple[int, dict[str, Decimal | None]]], list[int]]:
    """Items (row, values by key; None unknown) and totals rows, in any order down a sheet."""
    values = st.dictionaries(
        st.sampled_from(["2025", "2026", "total"]), st.none() | st.integers(0, 10**6).map(Decimal)
    )
    rows = draw(st.lists(st.integers(0, 60), unique=True, max_size=30))
    items = [(row, draw(values)) for row in rows]
    limits = draw(st.lists(st.integers(0, 61), max_size=8))
    return items, limits


@settings(max_examples=300, deadline=None)
@given(rows_and_limits())
def test_the_sums_above_each_totals_row_are_the_sums_of_the_items_above_it(
    case: tuple[list[tuple[int, dict[str, Decimal | None]]], list[int]],
) -> None:
    """One pass down the items (a sheet of a line and a totals row, 30,000 times over, took
    83 s in Budget, and 8,000 in SMV-samarbejder 17 s, when each totals row summed the rows
    above it anew) gives what summing anew gave: by key, None when a value above is unknown,
    absent (a sum of nothing) when no row above has the key."""
    items, limits = case
    for limit, sums in zip(limits, _sums_above(items, limits), strict=True):
        above = [values for row, values in items if row < limit]
        keys = {key for values in above for key in values}
        assert set(sums) == keys
        for key in keys:
            parts = [values[key] for values in above if key in values]
            expected = None if None in parts else sum(parts, Decimal(0))
            assert sums[key] == expected


# --- no pattern tries a run of whitespace from each of its characters ----------------------------

# The patterns as they were, for the differential test: the same matches, without the time.
_OLD_CURRENCY = re.compile(r"^(?:kr\.?|dkk)\s*|\s*(?:kr\.?|dkk|,-|\.-)$", re.IGNORECASE)
_OLD_UNIT_SUFFIX = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_OLD_DATE_TIME = re.compile(
    r"^(.+?)[,\s]+(?:kl\.?\s*)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$", re.IGNORECASE
)
PIECES = ["1", "12", "a", "Løn", " ", "  ", "\t", "\n", ",", ".", "-", ":", "(", ")", "kr", "kr."]
PIECES += ["DKK", ",-", ".-", "kl.", "Kl", "13.08.2024", "2025-01-01", "(t.kr.)", "(kr.)", "x"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


@settings(max_examples=2000, deadline=None)
@given(TEXTS)
def test_the_patterns_match_what_they_matched_before(text: str) -> None:
    assert cells._CURRENCY.sub("", text) == _OLD_CURRENCY.sub("", text)
    old, new = _OLD_UNIT_SUFFIX.match(text), cells._UNIT_SUFFIX.match(text)
    assert (old and old.groups()) == (new and new.groups())
    old, new = _OLD_DATE_TIME.match(text), cells._DATE_TIME.match(text)
    assert (old and old.groups()) == (new and new.groups())


def test_long_runs_of_whitespace_are_read_in_linear_time() -> None:
    """Texts of 200,000 characters, in a fresh interpreter: each pattern tried the run from each
    of its characters (16,000 spaces took 12 s, so these would take about half an hour). The
    time limit is no measurement: a linear reading takes milliseconds."""
    program = (
        "from klyngecli.reader.cells import parse_date, parse_number_text, split_unit_suffix\n"
        "run = ' ' * 200_000\n"
        "assert parse_number_text('1' + run + '1') is None\n"
        "assert parse_number_text('1' + run + 'x kr.') is None\n"
        "assert parse_date('2025-01-01' + run + 'x') is None\n"
        "assert parse_date('2025-01-01' + ',' * 200_000 + 'x') is None\n"
        "label = 'Løn' + ' \\t' * 100_000 + ':'\n"
        "assert split_unit_suffix(label) == (label, None)\n"
        "assert split_unit_suffix('Løn' + run + '(kr.)') == ('Løn', 'kr.')\n"
    )
    subprocess.run([sys.executable, "-c", program], cwd=REPO, check=True, timeout=120)


# --- the command line (a third round: options, paths, configuration, output) --------------------


def _klynge(*args: str | Path) -> Result:
    """`klynge ARGS` in-process, with a plain environment; unexpected exceptions propagate."""
    env = {"NO_COLOR": None, "FORCE_COLOR": None, "KLYNGE_LANG": "en"}
    return CliRunner().invoke(cli.app, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean application in an empty folder, which is the current one."""
    monkeypatch.chdir(tmp_path)
    return App().write(tmp_path / "application.xlsx")


def test_output_into_a_named_pipe_keeps_the_pipe(sample: Path) -> None:
    """`-o` onto a FIFO (or a device: /dev/null, /dev/stdout) writes into it; a rename would put
    a regular file in its place (as root, /dev/null's place, for everyone)."""
    fifo = sample.parent / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = _klynge("check", sample, "--format", "json", "-o", fifo, "--no-cache")
    reader.join(timeout=60)
    assert result.exit_code == 0
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(received[0])["summary"]["files"] == 1


def test_output_through_a_link_replaces_its_target_and_keeps_the_link(sample: Path) -> None:
    target = sample.parent / "target.txt"
    target.write_text("old")
    link = sample.parent / "report.txt"
    link.symlink_to(target.name)
    assert _klynge("check", sample, "-o", link, "--no-cache").exit_code == 0
    assert link.is_symlink() and os.readlink(link) == target.name
    assert "Ingen fund" in target.read_text() or "No findings" in target.read_text()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        pytest.param(["--timeout", "nan"], "--timeout must be a number of seconds", id="nan"),
        pytest.param(["--timeout", "inf"], "--timeout must be a number of seconds", id="inf"),
        pytest.param(["--call", "9" * 300], "File name too long", id="call-name-too-long"),
        pytest.param(["/tmp/" + "a" * 300 + ".xlsx"], "File name too long", id="path-too-long"),
        pytest.param(["/tmp/x\x1b[2J\nnope.xlsx"], "x\\x1b[2J\\nnope.xlsx", id="line-break"),
        pytest.param(["--call", "a\nb"], "a\\nb", id="call-line-break"),
        pytest.param(["-o", ""], "-o: an empty path", id="empty-output"),
        pytest.param(["--annotate", " "], "--annotate: an empty path", id="empty-annotate"),
        pytest.param(["--cache-dir", ""], "--cache-dir: an empty path", id="empty-cache-dir"),
    ],
)
def test_odd_options_and_paths_are_one_plain_line_and_exit_2(
    sample: Path, args: list[str], said: str
) -> None:
    result = _klynge("check", sample, "--no-cache", *args)
    assert result.exit_code == 2
    assert said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "internal error" not in result.stderr and "\x1b" not in result.stderr


def test_a_configuration_nested_too_deeply_is_a_usage_error(sample: Path) -> None:
    """tomllib reads nested arrays recursively: RecursionError was an internal error."""
    (sample.parent / "klynge.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    result = _klynge("check", sample)
    assert result.exit_code == 2
    assert "nested too deeply" in result.stderr and "internal error" not in result.stderr


def test_repeated_doublestars_mean_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`**/**` is `**`, and the standard glob walks the tree once for each: four in a row over
    /tmp did not end in a minute."""
    assert _one_doublestar("a/**/**/**/b/**/*.xlsx") == "a/**/b/**/*.xlsx"
    assert _one_doublestar("**/**") == "**" and _one_doublestar("x**/**y") == "x**/**y"
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    App().write(deep / "one.xlsx")
    App().write(tmp_path / "a" / "two.xlsx")
    monkeypatch.chdir(tmp_path)
    once = select_files(["**/*.xlsx"]).files
    assert select_files(["**/**/**/**/*.xlsx"]).files == once and len(once) == 2


def test_every_format_writes_a_path_that_is_not_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same workbook twice, one named with bytes that are not UTF-8: KL204 names the other
    file in its `found` and its fix. SARIF wrote them raw, and no UTF-8 writer takes a lone
    surrogate: the whole report was lost."""
    monkeypatch.chdir(tmp_path)
    App().write(tmp_path / "ok.xlsx")
    shutil.copy(tmp_path / "ok.xlsx", tmp_path / os.fsdecode(b"bad\xff\xfe.xlsx"))
    for fmt in ("json", "sarif", "junit", "csv", "github", "markdown", "html", "text"):
        result = _klynge("check", ".", "--format", fmt, "--no-cache")
        assert result.exit_code == 1, (fmt, result.stderr)
        assert "KL204" in result.stdout, fmt
        result.stdout.encode("utf-8")
        if fmt in ("json", "sarif"):
            json.loads(result.stdout)
