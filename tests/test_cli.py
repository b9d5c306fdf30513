"""The command line (spec/cli.md): exit codes, language, output file, colour, and the commands
`rules`, `explain`, `calls` and `template`, through typer's CliRunner in-process."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from klyngecli import __version__
from klyngecli.callspec import DEFAULT_CALL
from klyngecli.cli import app
from tests.conftest import SAMPLES, money, run_check
from tests.workbooks import App, CellValue, innovation_app, valid_cvr

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec"
CALLS = Path(__file__).resolve().parent.parent / "klyngecli" / "calls"
CLEAN = SAMPLES / "innovation-korrekt.xlsx"
LATE = SAMPLES / "indsendt-for-sent.xlsx"  # one error: KL501
ANSI = re.compile(r"\x1b\[")
# the variables that change the output; each test sets the ones it is about
QUIET_ENV: dict[str, str | None] = {"NO_COLOR": None, "FORCE_COLOR": None, "KLYNGE_LANG": None}


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every command from an empty folder (no klynge.toml above it) and without the
    variables of the caller's environment."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in QUIET_ENV:
        monkeypatch.delenv(name, raising=False)


def klynge(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    """`klynge ARGS` in-process; unexpected exceptions propagate."""
    runner = CliRunner()
    return runner.invoke(
        app, [str(a) for a in args], env={**QUIET_ENV, **(env or {})}, catch_exceptions=False
    )


def warning_only(tmp_path: Path) -> Path:
    """A clean application without `Indsendt`: one warning (KL506), no error."""
    path = App(submitted=None).write(tmp_path / "no-submission-time.xlsx")
    assert run_check(path).codes == ["KL506"]
    return path


def test_samples_are_what_the_tests_assume() -> None:
    assert run_check(CLEAN).codes == []
    assert run_check(LATE).codes == ["KL501"]


# --- exit codes -----------------------------------------------------------------------------


def test_version() -> None:
    result = klynge("--version")
    assert result.exit_code == 0
    assert result.stdout == f"klynge {__version__}\n"


def test_exit_0_for_a_clean_sample() -> None:
    result = klynge("check", CLEAN)
    assert result.exit_code == 0
    assert "GODKENDT" in result.stdout


def test_exit_1_for_an_error() -> None:
    assert klynge("check", LATE).exit_code == 1


def test_exit_0_for_warnings_only(tmp_path: Path) -> None:
    assert klynge("check", warning_only(tmp_path)).exit_code == 0


@pytest.mark.parametrize(
    ("sample", "fail_on", "code"),
    [
        pytest.param("warning", "error", 0, id="warning-fail-on-error-0"),
        pytest.param("warning", "warning", 1, id="warning-fail-on-warning-1"),
        pytest.param("warning", "never", 0, id="warning-fail-on-never-0"),
        pytest.param("error", "error", 1, id="error-fail-on-error-1"),
        pytest.param("error", "warning", 1, id="error-fail-on-warning-1"),
        pytest.param("error", "never", 0, id="error-fail-on-never-0"),
        pytest.param("clean", "warning", 0, id="clean-fail-on-warning-0"),
    ],
)
def test_fail_on(tmp_path: Path, sample: str, fail_on: str, code: int) -> None:
    path = {"warning": warning_only(tmp_path), "error": LATE, "clean": CLEAN}[sample]
    assert klynge("check", path, "--fail-on", fail_on).exit_code == code


def test_exit_1_when_one_file_of_a_batch_fails() -> None:
    result = klynge("check", CLEAN, LATE, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["files"] == 2


def test_exit_1_for_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a workbook")
    result = klynge("check", path, "--format", "json")
    assert result.exit_code == 1
    assert [f["code"] for f in json.loads(result.stdout)["files"][0]["findings"]] == ["KL001"]


def rules_file_without(tmp_path: Path, section: str) -> Path:
    """The built-in call as a rules file with one required section cut out."""
    text = (CALLS / f"{DEFAULT_CALL}.toml").read_text("utf-8")
    cut, count = re.subn(rf"\n\[{section}\]\n(?:[^\[\n][^\n]*\n)*", "\n", text)
    assert count == 1
    path = tmp_path / f"without-{section}.toml"
    path.write_text(cut, "utf-8")
    return path


def usage_error_args(tmp_path: Path, case: str) -> list[str | Path]:
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    (empty / "notes.txt").write_text("no workbook here", "utf-8")
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text('id = "x"\n[deadline\nvalue = ', "utf-8")
    cases: dict[str, list[str | Path]] = {
        "no-such-path": ["check", tmp_path / "missing.xlsx"],
        "no-such-glob": ["check", str(tmp_path / "nothing-*.xlsx")],
        "folder-without-workbook": ["check", empty],
        "unknown-option": ["check", CLEAN, "--frobnicate"],
        "unknown-select-code": ["check", CLEAN, "--select", "KL999"],
        "unknown-select-prefix": ["check", CLEAN, "--select", "XY1"],
        "unknown-ignore-code": ["check", CLEAN, "--ignore", "KL999"],
        "call-file-invalid-toml": ["check", CLEAN, "--call", bad_toml],
        "call-file-missing-key": [
            "check",
            CLEAN,
            "--call",
            rules_file_without(tmp_path, "deadline"),
        ],
        "unknown-call-id": ["check", CLEAN, "--call", "klyngeprogram-1999"],
        "bad-submitted-at": ["check", CLEAN, "--submitted-at", "yesterday"],
        "bad-submitted-at-date": ["check", CLEAN, "--submitted-at", "2024-13-45T12:00"],
        "bad-fail-on": ["check", CLEAN, "--fail-on", "sometimes"],
        "bad-lang": ["check", CLEAN, "--lang", "fr"],
        "bad-format": ["check", CLEAN, "--format", "pdf"],
    }
    assert set(cases) == set(USAGE_ERRORS)
    return cases[case]


USAGE_ERRORS = (
    "no-such-path",
    "no-such-glob",
    "folder-without-workbook",
    "unknown-option",
    "unknown-select-code",
    "unknown-select-prefix",
    "unknown-ignore-code",
    "call-file-invalid-toml",
    "call-file-missing-key",
    "unknown-call-id",
    "bad-submitted-at",
    "bad-submitted-at-date",
    "bad-fail-on",
    "bad-lang",
    "bad-format",
)


@pytest.mark.parametrize("case", USAGE_ERRORS)
def test_exit_2_for_wrong_use(tmp_path: Path, case: str) -> None:
    result = klynge(*usage_error_args(tmp_path, case))
    assert result.exit_code == 2
    assert result.stdout == ""  # no report
    assert result.stderr.strip()  # but a reason


@pytest.mark.parametrize(
    ("case", "words"),
    [
        pytest.param("no-such-path", ["missing.xlsx"], id="no-such-path"),
        pytest.param(
            "folder-without-workbook", ["ingen regneark fundet"], id="folder-without-workbook"
        ),
        pytest.param("unknown-select-code", ["KL999"], id="unknown-select-code"),
        pytest.param("call-file-invalid-toml", ["bad.toml", "TOML"], id="invalid-toml"),
        pytest.param("call-file-missing-key", ["deadline"], id="missing-key"),
        pytest.param("bad-submitted-at", ["yesterday"], id="bad-submitted-at"),
    ],
)
def test_wrong_use_says_what_is_wrong(tmp_path: Path, case: str, words: list[str]) -> None:
    result = klynge(*usage_error_args(tmp_path, case))
    assert result.stderr.startswith("klynge: ")
    for word in words:
        assert word in result.stderr


def test_a_valid_rules_file_is_accepted(tmp_path: Path) -> None:
    """The near miss of the broken rules files: the built-in call copied to a file works."""
    path = tmp_path / "copy.toml"
    path.write_text((CALLS / f"{DEFAULT_CALL}.toml").read_text("utf-8"), "utf-8")
    assert klynge("check", CLEAN, "--call", path).exit_code == 0
    assert klynge("check", LATE, "--call", path).exit_code == 1


# --- language -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "lang"),
    [
        pytest.param([], {}, "da", id="default-danish"),
        pytest.param(["--lang", "en"], {}, "en", id="lang-en"),
        pytest.param(["--lang", "da"], {}, "da", id="lang-da"),
        pytest.param([], {"KLYNGE_LANG": "en"}, "en", id="env-en"),
        pytest.param(["--lang", "da"], {"KLYNGE_LANG": "en"}, "da", id="option-wins-over-env"),
        pytest.param(["--lang", "en"], {"KLYNGE_LANG": "da"}, "en", id="option-en-over-env-da"),
    ],
)
def test_language_of_the_text_report(
    args: list[str], env: dict[str, str | None], lang: str
) -> None:
    failed = klynge("check", LATE, "--format", "text", *args, env=env)
    passed = klynge("check", CLEAN, "--format", "text", *args, env=env)
    assert failed.exit_code == 1 and passed.exit_code == 0
    if lang == "en":
        assert "FAILED" in failed.stdout
        assert "IKKE GODKENDT" not in failed.stdout
        assert "PASSED" in passed.stdout
        assert "GODKENDT" not in passed.stdout
        assert "after the deadline" in failed.stdout
    else:
        assert "IKKE GODKENDT" in failed.stdout
        assert "FAILED" not in failed.stdout
        assert "GODKENDT" in passed.stdout
        assert "PASSED" not in passed.stdout
        assert "efter fristen" in failed.stdout


def test_unknown_klynge_lang_is_wrong_use() -> None:
    result = klynge("check", CLEAN, env={"KLYNGE_LANG": "fr"})
    assert result.exit_code == 2
    assert "KLYNGE_LANG" in result.stderr


def test_language_of_the_json_report() -> None:
    assert json.loads(klynge("check", CLEAN, "--format", "json").stdout)["lang"] == "da"
    english = klynge("check", CLEAN, "--format", "json", env={"KLYNGE_LANG": "en"})
    assert json.loads(english.stdout)["lang"] == "en"


def test_rules_in_both_languages() -> None:
    danish, english = klynge("rules").stdout, klynge("rules", "--lang", "en").stdout
    assert "SMV-tilskud over loftet" in danish
    assert "SME grant above the ceiling" in english
    assert "SME grant above the ceiling" not in danish
    assert klynge("rules", env={"KLYNGE_LANG": "en"}).stdout == english


# --- output file ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_output_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = klynge("check", LATE, "--format", fmt, "-o", out)
    assert result.exit_code == 1  # the exit code does not change with -o
    assert result.stdout == ""
    written = out.read_text("utf-8")
    if fmt == "json":
        report = json.loads(written)
        assert report["schema"] == "klyngecli/report/3"
        assert [f["code"] for f in report["files"][0]["findings"]] == ["KL501"]
    else:
        assert "KL501" in written
        assert "IKKE GODKENDT" in written
    # the same report as on standard output
    assert written == klynge("check", LATE, "--format", fmt).stdout


def test_output_long_option(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = klynge("check", CLEAN, "--format", "json", "--output", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(out.read_text("utf-8"))["summary"]["passed"] == 1


# --- colour ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        pytest.param({}, False, id="not-a-terminal-plain"),
        pytest.param({"NO_COLOR": "1"}, False, id="no-color"),
        pytest.param({"FORCE_COLOR": "1"}, True, id="force-color"),
        pytest.param({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, id="no-color-beats-force"),
        # no-color.org: NO_COLOR counts "when present and not an empty string"
        pytest.param({"FORCE_COLOR": "1", "NO_COLOR": ""}, True, id="empty-no-color-ignored"),
    ],
)
def test_colour(env: dict[str, str | None], coloured: bool) -> None:
    result = klynge("check", LATE, "--format", "text", env=env)
    assert result.exit_code == 1
    assert "KL501" in result.stdout
    assert bool(ANSI.search(result.stdout)) is coloured


def test_no_colour_in_an_output_file(tmp_path: Path) -> None:
    """FORCE_COLOR colours a terminal stream, never a report file."""
    out = tmp_path / "report.txt"
    klynge("check", LATE, "--format", "text", "-o", out, env={"FORCE_COLOR": "1"})
    text = out.read_text("utf-8")
    assert "KL501" in text
    assert not ANSI.search(text)


def test_no_colour_in_json() -> None:
    result = klynge("check", LATE, "--format", "json", env={"FORCE_COLOR": "1"})
    assert not ANSI.search(result.stdout)
    assert json.loads(result.stdout)["files"][0]["verdict"] == "failed"


# --- rules, explain, calls ------------------------------------------------------------------


def spec_rules() -> dict[str, str]:
    """Code → severity, from the tables of rules.md."""
    text = (SPEC / "rules.md").read_text("utf-8")
    found = dict(re.findall(r"^\| (KL\d{3}) \| (error|warning|info) \|", text, re.MULTILINE))
    assert len(found) > 40
    return found


def test_rules_lists_every_code_of_the_spec() -> None:
    result = klynge("rules", "--lang", "en")  # severities as the spec writes them
    assert result.exit_code == 0
    listed = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^(KL\d{3})\s+(error|warning|info)\b", result.stdout, re.MULTILINE)
    }
    for code, severity in spec_rules().items():
        if code == "KL204":  # batch rule, not built yet
            continue
        assert code in listed, f"{code} missing from `klynge rules`"
        assert listed[code] == severity, f"{code}: {listed[code]} in `klynge rules`"


def test_explain_shows_the_calls_parameter() -> None:
    result = klynge("explain", "KL401")
    assert result.exit_code == 0
    assert result.stdout.startswith("KL401")
    assert "sme_ceiling = 0.70" in result.stdout
    assert klynge("explain", "kl401").stdout == result.stdout


def test_explain_follows_another_call(tmp_path: Path) -> None:
    text = (CALLS / f"{DEFAULT_CALL}.toml").read_text("utf-8")
    changed, count = re.subn(r'(\[sme_ceiling\]\nvalue = )"0.70"', r'\g<1>"0.60"', text)
    assert count == 1
    path = tmp_path / "sixty.toml"
    path.write_text(changed, "utf-8")
    result = klynge("explain", "KL401", "--call", path)
    assert result.exit_code == 0
    assert "sme_ceiling = 0.60" in result.stdout


def test_explain_unknown_code() -> None:
    result = klynge("explain", "KL999")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "KL999" in result.stderr


def test_calls() -> None:
    result = klynge("calls")
    assert result.exit_code == 0
    assert DEFAULT_CALL in result.stdout
    assert "23.000.000 kr." in result.stdout
    assert "13.000.000 kr." in result.stdout
    assert "13-08-2024 12:00" in result.stdout


# --- template -------------------------------------------------------------------------------


def test_template_writes_a_workbook(tmp_path: Path) -> None:
    out = tmp_path / "ansøgning.xlsx"
    result = klynge("template", out, "--grant", "innovation")
    assert result.exit_code == 0
    workbook = openpyxl.load_workbook(out)
    assert {"Ansøger", "Budget", "Finansiering", "SMV-samarbejder"} <= set(workbook.sheetnames)


def test_template_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "ansøgning.xlsx"
    out.write_bytes(b"my own work")
    result = klynge("template", out, "--grant", "basis")
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert out.read_bytes() == b"my own work"
    forced = klynge("template", out, "--grant", "basis", "--force")
    assert forced.exit_code == 0
    assert "SMV-samarbejder" not in openpyxl.load_workbook(out).sheetnames


def test_template_refuses_to_overwrite_a_template(tmp_path: Path) -> None:
    out = tmp_path / "ansøgning.xlsx"
    assert klynge("template", out, "--grant", "innovation").exit_code == 0
    before = out.read_bytes()
    assert klynge("template", out, "--grant", "basis").exit_code == 2
    assert out.read_bytes() == before


def _rows_by_label(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, int]:
    return {
        str(row[0].value): row[0].row
        for row in sheet.iter_rows(min_row=2)
        if row[0].value is not None
    }


def _year_columns(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[int, int]:
    return {cell.value: cell.column for cell in sheet[1] if isinstance(cell.value, int)}


def fill(path: Path, grant: str) -> None:
    """Fill a template as an applicant would: a consistent budget, in whole kroner."""
    workbook = openpyxl.load_workbook(path)
    applicant = workbook["Ansøger"]
    fields = _rows_by_label(applicant)
    for label, value in {
        "Ansøger": "Testklyngen",
        "CVR-nummer": valid_cvr(77),
        "Projektstart": date(2025, 1, 1),
        "Projektslut": date(2028, 12, 31),
        "Indsendt": datetime(2024, 8, 12, 9, 30),
        "Udpegning": "Udpeget",
        "Kontaktperson": "Anne Holm",
        "E-mail": "anne@testklyngen.example",
    }.items():
        applicant.cell(row=fields[label], column=2, value=value)

    sme_line = 300_000 if grant == "innovation" else 0
    costs = {
        "Løn": 1_000_000,
        "Indirekte omkostninger": 140_000,
        "Øvrige omkostninger": 360_000 - sme_line,
    }
    financing = {
        "Decentrale erhvervsfremmemidler": 600_000 if grant == "innovation" else 1_200_000,
        "Privat kontant medfinansiering": 300_000,
    }
    if grant == "innovation":
        costs["Tilskud til SMV-samarbejder"] = sme_line
        financing["Regionalfonden"] = 600_000
    assert sum(costs.values()) == sum(financing.values()) == 1_500_000
    for name, amounts in (("Budget", costs), ("Finansiering", financing)):
        sheet = workbook[name]
        rows, years = _rows_by_label(sheet), _year_columns(sheet)
        assert sorted(years) == [2025, 2026, 2027, 2028]
        for label, amount in amounts.items():
            for column in years.values():
                sheet.cell(row=rows[label], column=column, value=amount)

    if grant == "innovation":
        sheet = workbook["SMV-samarbejder"]
        # Tilskud + Overhead = 750.000 + 450.000 = 1.200.000 kr. = 4 x 300.000 kr.
        collaborations: list[list[CellValue]] = [
            ["Sensorer til akvakultur", "Fiskeføler ApS", valid_cvr(78), 14, 2.5, 1.2,
             1_000_000, 700_000, 50_000],
            ["Fire planlagte SMV-projekter", None, None, None, None, None,
             600_000, 420_000, 30_000],
        ]  # fmt: skip
        for row, values in enumerate(collaborations, start=2):
            for column, value in enumerate(values, start=1):
                sheet.cell(row=row, column=column, value=value)
    workbook.save(path)


@pytest.mark.parametrize("grant", ["innovation", "basis"])
def test_filled_template_passes_check(tmp_path: Path, grant: str) -> None:
    out = tmp_path / f"{grant}.xlsx"
    assert klynge("template", out, "--grant", grant).exit_code == 0
    fill(out, grant)
    result = run_check(out)
    assert result.codes == []
    assert result.exit_code == 0
    file = result.report["files"][0]
    assert file["grant"] == grant
    assert money(file["figures"]["deb_request"]) == 4_800_000


def test_empty_template_does_not_pass(tmp_path: Path) -> None:
    """The near miss: the unfilled template is not an application."""
    out = tmp_path / "empty.xlsx"
    assert klynge("template", out, "--grant", "innovation").exit_code == 0
    result = run_check(out)
    assert result.exit_code == 1
    assert "KL005" in result.codes


# --- folders --------------------------------------------------------------------------------


def test_folder_checks_every_workbook_and_counts_the_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "ansøgninger"
    (folder / "runde-2").mkdir(parents=True)
    innovation_app(1).write(folder / "a.xlsx")
    innovation_app(2).write(folder / "b.xlsx")
    innovation_app(3).write(folder / "runde-2" / "c.xlsx")
    (folder / "~$lock.xlsx").write_bytes(b"\x00owner lock")
    (folder / "notes.txt").write_text("husk revisorerklæring", "utf-8")
    result = run_check(folder)
    assert result.exit_code == 0
    checked = sorted(Path(f["path"]).name for f in result.report["files"])
    assert checked == ["a.xlsx", "b.xlsx", "c.xlsx"]
    summary = result.report["summary"]
    assert summary["files"] == 3
    assert summary["passed"] == 3
    assert summary["skipped"] == 2
    assert result.codes == []


def test_folder_skips_hidden_files(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    innovation_app(1).write(folder / "a.xlsx")
    innovation_app(2).write(folder / ".hidden.xlsx")
    result = run_check(folder)
    assert [Path(f["path"]).name for f in result.report["files"]] == ["a.xlsx"]
    assert result.report["summary"]["skipped"] == 1


def test_folder_with_a_failing_file(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    innovation_app(1).write(folder / "a.xlsx")
    App(cvr=valid_cvr(5), submitted=datetime(2024, 8, 13, 12, 0, 1)).write(folder / "b.xlsx")
    result = run_check(folder)
    assert result.exit_code == 1
    assert result.codes == ["KL501"]
    summary = result.report["summary"]
    assert (summary["files"], summary["passed"], summary["failed"]) == (2, 1, 1)


def test_select_by_family_prefix_in_a_fresh_process() -> None:
    """The rules register when their modules load; a fresh `klynge` process must know them all
    before it checks --select/--ignore (in-process tests have them loaded already)."""
    sample = SAMPLES / "smv-tilskud-over-70-procent.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "klyngecli",
            "check",
            str(sample),
            "--select",
            "KL4",
            "--ignore",
            "KL5",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    codes = [f["code"] for f in json.loads(done.stdout)["files"][0]["findings"]]
    assert codes == ["KL401"]


def test_links_to_folders_and_hidden_folders_are_skipped_and_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = SAMPLES / "innovation-korrekt.xlsx"
    batch, elsewhere = tmp_path / "batch", tmp_path / "elsewhere"
    (batch / "sub").mkdir(parents=True)
    (batch / ".hidden").mkdir()
    elsewhere.mkdir()
    for target in (batch / "a.xlsx", batch / "sub" / "b.xlsx", batch / ".hidden" / "c.xlsx"):
        target.write_bytes(sample.read_bytes())
    (elsewhere / "d.xlsx").write_bytes(sample.read_bytes())
    (batch / "linked").symlink_to(elsewhere, target_is_directory=True)
    (batch / "file-link.xlsx").symlink_to(batch / "sub" / "b.xlsx")
    (batch / "dangling.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    monkeypatch.chdir(tmp_path)
    expected = ["batch/a.xlsx", "batch/file-link.xlsx", "batch/sub/b.xlsx"]

    folder = run_check("batch")
    assert [f["path"] for f in folder.report["files"]] == expected
    assert folder.report["summary"]["skipped"] == 3  # .hidden, linked, dangling.xlsx

    for pattern in ("batch/*", "batch/**/*.xlsx"):
        globbed = run_check(pattern)
        assert [f["path"] for f in globbed.report["files"]] == expected, pattern
        assert globbed.report["summary"]["skipped"] == 2, pattern  # linked (or d.xlsx), dangling


def test_plain_text_finding_lines_are_as_cli_md_writes_them() -> None:
    result = CliRunner().invoke(
        app, ["check", str(SAMPLES / "smv-tilskud-over-70-procent.xlsx")], env={"NO_COLOR": "1"}
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("KL")]
    assert lines == [
        "KL401 fejl SMV-samarbejder!H3  Tilskud til Komposit Nord A/S er 75 % af "
        "FoU-omkostningerne (højst 70 %): nedsæt det med 40.000 kr. til 560.000 kr.; Tilskud til "
        "SMV-samarbejder i Budget og finansieringen skal så også ned med 40.000 kr."
    ]


def test_verbose_lists_the_passed_checks_and_quiet_only_the_summary() -> None:
    sample = str(SAMPLES / "indsendt-for-sent.xlsx")
    env = {"NO_COLOR": "1"}
    verbose = CliRunner().invoke(app, ["check", sample, "-v", "--lang", "en"], env=env).stdout
    passed = next(line for line in verbose.splitlines() if "Passed checks:" in line)
    codes = passed.split(":", 1)[1].replace(",", " ").split()
    assert "KL501" not in codes and "KL401" in codes and codes == sorted(codes)
    quiet = CliRunner().invoke(app, ["check", sample, "-q", "--lang", "en"], env=env).stdout
    assert "KL501 error" not in quiet and "Summary" in quiet and "KL501 ×1" in quiet


def test_usage_errors_follow_the_language(tmp_path: Path) -> None:
    missing = tmp_path / "missing.xlsx"
    assert "findes ikke" in klynge("check", missing).stderr
    assert "no such file or folder" in klynge("check", missing, "--lang", "en").stderr
    out = tmp_path / "t.xlsx"
    assert klynge("template", out, "--grant", "basis").stdout.startswith("Skabelon skrevet")
    again = klynge("template", out, "--grant", "basis", "--lang", "en")
    assert again.exit_code == 2 and "use --force" in again.stderr


def test_command_annotations_are_objects_not_strings() -> None:
    """typer reads every command's annotations on each run; a string annotation (from
    `from __future__ import annotations` in cli.py) is compiled anew every time (about 10 ms of
    each run)."""
    callbacks = [info.callback for info in app.registered_commands]
    callbacks.append(app.registered_callback.callback if app.registered_callback else None)
    assert len(callbacks) >= 6 and all(callbacks)
    for callback in callbacks:
        assert callback is not None
        strings = [k for k, v in inspect.get_annotations(callback).items() if isinstance(v, str)]
        assert strings == [], f"{callback.__name__}: {strings}"
