"""`klynge check --annotate DIR`: each checked file's copy `NAME.kontrol.xlsx` has every
finding's cells filled and commented and a first sheet `Kontrol` whose links reach the cells,
and keeps everything else of the original; the inputs are never changed."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import python_calamine
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from klyngecli.api import check as api_check
from klyngecli.cli import app
from klyngecli.findings import Finding, Fix, Severity
from klyngecli.report import FileResult, Verdict
from klyngecli.writer.annotate import annotate, annotated_copy
from tests.conftest import SAMPLES, run_check, running
from tests.libreoffice import resave_one
from tests.workbooks import App

FILL = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
RANK = {"error": 3, "warning": 2, "info": 1}
LINK = re.compile(r"'((?:[^']|'')+)'!([A-Z]+[0-9]+)")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cells_of(ref: str) -> list[tuple[int, int]]:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return [(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def fill_of(sheet: Worksheet, row: int, col: int) -> str | None:
    fill = sheet.cell(row=row, column=col).fill
    return str(fill.fgColor.rgb)[-6:] if fill.fill_type == "solid" else None


def kontrol_rows(book: Workbook) -> list[tuple[Any, ...]]:
    return list(book.worksheets[0].iter_rows(values_only=True))


def assert_annotated(copy: Path, file: dict[str, Any]) -> Workbook:
    """The copy has a fill and a comment on each finding's cell, the strongest severity's colour
    where findings meet, and a row on Kontrol per finding whose link reaches its cell."""
    book = load_workbook(copy)
    assert book.sheetnames[0] == "Kontrol"
    strongest: dict[tuple[str, int, int], str] = {}
    for finding in file["findings"]:
        if finding["cell"] is None:
            continue
        cells = cells_of(finding["cell"])
        for row, col in cells:
            key = (finding["sheet"], row, col)
            if key not in strongest or RANK[finding["severity"]] > RANK[strongest[key]]:
                strongest[key] = finding["severity"]
        comment = book[finding["sheet"]].cell(*cells[0]).comment
        assert comment is not None, finding
        assert finding["code"] in comment.text
        assert finding["message"]["da"] in comment.text
        if finding["fix"]:
            assert finding["fix"]["da"] in comment.text
    for (sheet, row, col), severity in strongest.items():
        assert fill_of(book[sheet], row, col) == FILL[severity], (sheet, row, col)

    rows = list(book.worksheets[0].iter_rows())
    header = next(i for i, r in enumerate(rows) if r[0].value == "Kode")
    listed = rows[header + 1 :]
    assert len(listed) == max(1, len(file["findings"]))  # "Ingen fund." when there are none
    for finding in file["findings"]:
        row = next(
            r for r in listed if r[0].value == finding["code"] and r[2].value == finding["location"]
        )
        assert row[3].value == finding["message"]["da"]
        link = row[2].hyperlink
        if finding["sheet"] is None:
            assert link is None
            continue
        target = LINK.fullmatch(link.location)
        assert target is not None, link.location
        title = target.group(1).replace("''", "'")
        assert title == finding["sheet"] and title in book.sheetnames
        if finding["cell"]:
            first = cells_of(finding["cell"])[0]
            assert cells_of(target.group(2)) == [first]
    return book


# --- The samples ---------------------------------------------------------------------------------


def test_every_sample_is_annotated_where_its_findings_are(tmp_path: Path) -> None:
    before = {p: sha256(p) for p in SAMPLES.glob("*.xlsx")}
    out = tmp_path / "kontrol" / "nested"  # created, with its parents
    result = run_check(SAMPLES, "--annotate", out)
    plain = run_check(SAMPLES)
    assert result.exit_code == plain.exit_code == 1
    assert [(f["path"], f["verdict"], f["findings"]) for f in result.report["files"]] == [
        (f["path"], f["verdict"], f["findings"]) for f in plain.report["files"]
    ]
    assert result.stderr == ""
    files = result.report["files"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        Path(f["path"]).stem + ".kontrol.xlsx" for f in files
    )
    assert any(f["findings"] for f in files)
    for file in files:
        book = assert_annotated(out / f"{Path(file['path']).stem}.kontrol.xlsx", file)
        facts = dict(row[:2] for row in kontrol_rows(book)[:8] if row[0])
        assert facts["Fil"] == file["path"]
        assert facts["Ansøger"] == file["applicant"]
        original = load_workbook(file["path"])
        assert book.sheetnames == ["Kontrol", *original.sheetnames]
    assert {p: sha256(p) for p in SAMPLES.glob("*.xlsx")} == before


def test_the_copy_is_in_the_report_language(tmp_path: Path) -> None:
    sample = SAMPLES / "smv-tilskud-over-70-procent.xlsx"
    result = run_check(sample, "--annotate", tmp_path, "--lang", "en")
    finding = result.only("KL401")
    book = load_workbook(tmp_path / "smv-tilskud-over-70-procent.kontrol.xlsx")
    comment = book["SMV-samarbejder"]["H3"].comment
    assert comment is not None
    assert finding["message"]["en"] in comment.text and finding["fix"]["en"] in comment.text
    assert finding["message"]["da"] not in comment.text
    rows = kontrol_rows(book)
    assert ("Verdict", "FAILED") in [r[:2] for r in rows]
    assert ("KL401", "error", "SMV-samarbejder!H3") in [r[:3] for r in rows]


# --- What the copy keeps -------------------------------------------------------------------------


def template_application(tmp_path: Path) -> Path:
    """`klynge template` filled in with openpyxl (its drop-down lists stay), an SME Tilskud over
    70 % and a formula total (so findings fall on a value and on a formula), a merged range, a
    defined name and an extra sheet with a name that needs quoting."""
    path = tmp_path / "in" / "ansøgning.xlsx"
    path.parent.mkdir()
    assert CliRunner().invoke(app, ["template", str(path), "--grant", "innovation"]).exit_code == 0
    book = load_workbook(path)
    data = App().build().sheets
    applicant = book["Ansøger"]
    rows = {applicant.cell(row=r, column=1).value: r for r in range(2, applicant.max_row + 1)}
    for label, value in data["Ansøger"]:
        applicant.cell(row=rows[label], column=2, value=value)
    for name in ("Budget", "Finansiering"):
        sheet = book[name]
        rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
        for line in data[name][1:-1]:  # no header, no I alt row
            for col, value in enumerate(line[1:6], start=2):
                sheet.cell(row=rows[line[0]], column=col, value=value)
    sme = book["SMV-samarbejder"]
    for r, line in enumerate(data["SMV-samarbejder"][1:], start=2):
        for c, value in enumerate(line, start=1):
            sme.cell(row=r, column=c, value=value)
    sme["H2"] = int(sme["G2"].value) * 75 // 100  # KL401 here
    budget = book["Budget"]
    budget["G1"] = "I alt"
    budget["G2"] = "=SUM(C2:F2)"  # no stored result: KL007 on a formula cell
    notes = book.create_sheet("Bob's noter (2025)")
    notes["A1"] = "Noter til budgettet"
    notes.merge_cells("A1:D1")
    notes["A3"] = "=SUM(Budget!C2:F2)"
    notes["B3"] = "='SMV-samarbejder'!H2*2"
    notes["A4"].comment = Comment("En bemærkning fra ansøgeren", "Mette")
    choice = DataValidation(type="list", formula1='"Ja,Nej"', allow_blank=True)
    choice.add("B5:B9")
    notes.add_data_validation(choice)
    book.defined_names["Loen"] = DefinedName("Loen", attr_text="Budget!$C$2:$F$2")
    book.save(path)
    return path


def validations(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return sorted(
        (str(v.sqref), v.type, v.formula1, v.formula2, v.allow_blank, v.showDropDown, v.prompt)
        for v in sheet.data_validations.dataValidation
    )


def style(cell: Any) -> tuple[Any, ...]:
    return (cell.number_format, repr(cell.font), repr(cell.border), repr(cell.alignment))


def test_the_copy_keeps_formulas_formats_merges_validation_names_and_other_sheets(
    tmp_path: Path,
) -> None:
    source = template_application(tmp_path)
    digest = sha256(source)
    out = tmp_path / "out"
    result = run_check(source, "--annotate", out)
    assert {"KL007", "KL401"} <= set(result.codes)
    file = result.report["files"][0]
    copy = assert_annotated(out / "ansøgning.kontrol.xlsx", file)
    original = load_workbook(source)
    assert copy.sheetnames == ["Kontrol", *original.sheetnames]
    marked = {
        (f["sheet"], r, c) for f in file["findings"] if f["cell"] for r, c in cells_of(f["cell"])
    }
    commented = {(f["sheet"], *cells_of(f["cell"])[0]) for f in file["findings"] if f["cell"]}
    compared = 0
    for before in original.worksheets:
        after = copy[before.title]
        assert isinstance(after, Worksheet)
        assert after.sheet_state == before.sheet_state
        assert set(map(str, after.merged_cells.ranges)) == set(map(str, before.merged_cells.ranges))
        assert validations(after) == validations(before)
        assert after.freeze_panes == before.freeze_panes
        assert {k: d.width for k, d in after.column_dimensions.items()} == {
            k: d.width for k, d in before.column_dimensions.items()
        }
        for row in before.iter_rows():
            for cell in row:
                other = after.cell(row=cell.row, column=cell.column)
                where = (before.title, cell.row, cell.column)
                assert other.value == cell.value, where
                assert style(other) == style(cell), where
                if where not in marked:
                    assert fill_of(after, cell.row, cell.column) == fill_of(
                        before, cell.row, cell.column
                    ), where
                if where not in commented:
                    assert (other.comment and other.comment.text) == (
                        cell.comment and cell.comment.text
                    ), where
                compared += 1
    assert compared > 500
    assert copy["Budget"]["G2"].value == "=SUM(C2:F2)"  # a finding's cell keeps its formula
    assert fill_of(copy["Budget"], 2, 7) == FILL[result.only("KL007")["severity"]]
    assert copy["Bob's noter (2025)"]["B3"].value == "='SMV-samarbejder'!H2*2"
    assert copy.defined_names["Loen"].attr_text == "Budget!$C$2:$F$2"
    assert copy.active.title == "Kontrol"
    assert [s.title for s in copy.worksheets if s.sheet_view.tabSelected] == ["Kontrol"]
    assert sha256(source) == digest


def test_a_sheet_named_kontrol_is_kept_and_the_new_one_is_named_after_klynge(
    tmp_path: Path,
) -> None:
    source = replace(App(), other_sheets={"Kontrol": [["Ansøgerens egen kontrol"]]}).write(
        tmp_path / "a.xlsx"
    )
    run_check(source, "--annotate", tmp_path / "out")
    book = load_workbook(tmp_path / "out" / "a.kontrol.xlsx")
    assert book.sheetnames[:2] == ["Kontrol (klynge)", "Kontrol"]
    assert book["Kontrol"]["A1"].value == "Ansøgerens egen kontrol"
    assert book["Kontrol (klynge)"]["A1"].value == "Kontrol af budgetark"


def test_a_finding_on_a_sheet_whose_name_needs_quoting_links_to_it(tmp_path: Path) -> None:
    """Hyperlinks quote a sheet name with apostrophes and spaces (`'Bob''s ark 1'!C3`); a
    finding on a merged cell is commented on the merged range's first cell."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Bob's ark 1"
    sheet["B3"] = 10
    sheet.merge_cells("B3:C3")
    sheet["B3"].comment = Comment("Ansøgerens egen note", "Mette")
    sheet["A7"] = "=1+1"
    source = tmp_path / "b.xlsx"
    book.save(source)
    findings = [
        Finding(code="KL401", severity=Severity.ERROR, sheet="Bob's ark 1", cell="C3",
                message_da="for meget", message_en="too much",
                fix=Fix(da="nedsæt", en="lower")),
        Finding(code="KL102", severity=Severity.WARNING, sheet="Bob's ark 1", cell="A5:D5",
                message_da="rækken", message_en="the row"),
        Finding(code="KL003", severity=Severity.ERROR, sheet="Bob's ark 1",
                message_da="hele arket", message_en="the whole sheet"),
        Finding(code="KL204", severity=Severity.INFO, message_da="hele filen", message_en="file"),
    ]  # fmt: skip
    result = FileResult(
        path=str(source), sha256=sha256(source), verdict=Verdict.FAILED, findings=findings
    )
    copy = load_workbook(io.BytesIO(annotated_copy(source, result, "da")))
    marked = copy["Bob's ark 1"]
    comment = marked["B3"].comment
    assert comment is not None and "KL401 fejl: for meget" in comment.text
    assert "Rettelse: nedsæt" in comment.text
    assert comment.text.endswith("\n---\nAnsøgerens egen note")  # the original's note is kept
    assert fill_of(marked, 3, 2) == FILL["error"]  # the merged range's fill
    assert [fill_of(marked, 5, c) for c in range(1, 5)] == [FILL["warning"]] * 4
    assert marked["A5"].comment is not None and marked["B5"].comment is None
    assert marked["A7"].value == "=1+1"
    links = {
        r[0].value: r[2].hyperlink.location if r[2].hyperlink else None
        for r in copy["Kontrol"].iter_rows(min_row=10)
    }
    assert links == {
        "KL401": "'Bob''s ark 1'!C3",
        "KL102": "'Bob''s ark 1'!A5",
        "KL003": "'Bob''s ark 1'!A1",  # a sheet's finding links to the sheet
        "KL204": None,  # the file's finding is listed only
    }
    assert "KL003" not in "".join(
        c.comment.text for row in marked.iter_rows() for c in row if c.comment
    )


def test_text_from_the_file_is_text_on_kontrol_never_a_formula(tmp_path: Path) -> None:
    source = replace(App(), cvr="123").write(tmp_path / "c.xlsx")
    book = load_workbook(source)
    name = book["Ansøger"]["B1"]
    name.value = '=HYPERLINK("http://example.invalid","klik")\n\u202eX'
    name.data_type = "s"  # text that starts with =, as a spreadsheet can hold it
    book.save(source)
    result = run_check(source, "--annotate", tmp_path / "out")
    assert result.report["files"][0]["applicant"].startswith("=HYPERLINK")
    assert result.exit_code == 1
    copy = load_workbook(tmp_path / "out" / "c.kontrol.xlsx")
    cells = [c for row in copy["Kontrol"].iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    shown = [c.value for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert shown == ['=HYPERLINK("http://example.invalid","klik")\\n\\u202eX']
    assert copy["Ansøger"]["B1"].value == name.value  # the copy of the sheet itself is as it was
    assert copy["Ansøger"]["B1"].data_type == "s"


# --- Inputs that openpyxl cannot load ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_an_ods_or_xls_is_annotated_as_an_xlsx_of_its_values_and_says_so(
    kind: str, tmp_path: Path
) -> None:
    source = resave_one(SAMPLES / "smv-tilskud-over-70-procent.xlsx", kind, tmp_path / "lo")
    digest = sha256(source)
    result = run_check(source, "--annotate", tmp_path / "out")
    assert result.at("KL401") == ["SMV-samarbejder!H3"]
    copy = tmp_path / "out" / "smv-tilskud-over-70-procent.kontrol.xlsx"
    book = assert_annotated(copy, result.report["files"][0])
    assert f"Konverteret fra .{kind}: kun værdier, formatering er ikke bevaret." in [
        row[1] for row in kontrol_rows(book)
    ]
    assert_values_of(source, book)
    assert sha256(source) == digest


def assert_values_of(source: Path, book: Workbook) -> None:
    """Every sheet of `source` is in `book` with the values python-calamine reads, from A1."""
    read = python_calamine.CalamineWorkbook.from_path(str(source))
    assert book.sheetnames == ["Kontrol", *read.sheet_names]
    for name in read.sheet_names:
        values = read.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for r, row in enumerate(values, start=1):
            for c, value in enumerate(row, start=1):
                copied = book[name].cell(row=r, column=c).value
                if isinstance(value, date) and not isinstance(value, datetime):
                    copied = copied.date()  # a date cell reads back as a datetime
                assert copied == (None if value == "" else value), (name, r, c)


def without_style_formats(source: Path, target: Path) -> Path:
    """A package the checker reads and openpyxl cannot load: the Normal style's format is
    missing, and openpyxl prints "0 is out of range" on standard output, then fails."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "xl/styles.xml":
                data = re.sub(
                    rb"<cellStyleXfs.*</cellStyleXfs>",
                    b'<cellStyleXfs count="0"/>',
                    data,
                    flags=re.S,
                )
            new.writestr(item, data)
    return target


def test_a_workbook_openpyxl_cannot_load_is_copied_as_its_values(tmp_path: Path) -> None:
    """Through the real command in its own process: what openpyxl prints never reaches the
    report on standard output."""
    source = without_style_formats(App().write(tmp_path / "ok.xlsx"), tmp_path / "a.xlsx")
    run = subprocess.run(
        [sys.executable, "-m", "klyngecli", "check", str(source), "--format", "json",
         "--annotate", str(tmp_path / "out")],
        capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stderr == b""
    report = json.loads(run.stdout)  # nothing else on standard output
    assert report["files"][0]["verdict"] == "passed"
    book = load_workbook(tmp_path / "out" / "a.kontrol.xlsx")
    note = (
        "openpyxl kunne ikke åbne filen (IndexError: list index out of range): kun værdier, "
        "formatering er ikke bevaret."
    )
    assert note in [row[1] for row in kontrol_rows(book)]
    assert_values_of(source, book)


def with_macros(source: Path, target: Path) -> Path:
    """An .xlsm: the package of `source` with a VBA project (its bytes do not matter here)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            new.writestr(item, old.read(item))
        new.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not run, not copied")
    return target


def test_an_xlsm_is_copied_as_an_xlsx_without_its_macros(tmp_path: Path) -> None:
    source = with_macros(SAMPLES / "deb-loft-overskredet.xlsx", tmp_path / "makro.xlsm")
    result = run_check(source, "--annotate", tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["makro.kontrol.xlsx"]
    copy = tmp_path / "out" / "makro.kontrol.xlsx"
    book = assert_annotated(copy, result.report["files"][0])
    assert "Originalens makroer er ikke med i kopien (.xlsm → .xlsx)." in [
        row[1] for row in kontrol_rows(book)
    ]
    with zipfile.ZipFile(copy) as package:
        assert not [n for n in package.namelist() if "vba" in n.lower()]
        assert b"macroEnabled" not in package.read("[Content_Types].xml")


# --- Names, folders and files that get no copy ---------------------------------------------------


def test_files_of_the_same_name_in_different_folders_get_numbered_copies(tmp_path: Path) -> None:
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
    shutil.copy(SAMPLES / "innovation-korrekt.xlsx", tmp_path / "a" / "budget.xlsx")
    shutil.copy(SAMPLES / "deb-loft-overskredet.xlsx", tmp_path / "b" / "Budget.xlsm")
    shutil.copy(SAMPLES / "basis-korrekt.xlsx", tmp_path / "c" / "budget-2.xlsx")
    result = run_check(
        tmp_path / "a", tmp_path / "c", tmp_path / "b", "--annotate", tmp_path / "out"
    )
    copies = {p.name: kontrol_rows(load_workbook(p))[2][1] for p in (tmp_path / "out").iterdir()}
    # In path order (a, b, c); compared as a case-insensitive file system would.
    assert copies == {
        "budget.kontrol.xlsx": str(tmp_path / "a" / "budget.xlsx"),
        "Budget-2.kontrol.xlsx": str(tmp_path / "b" / "Budget.xlsm"),
        "budget-2-2.kontrol.xlsx": str(tmp_path / "c" / "budget-2.xlsx"),
    }
    assert len(result.report["files"]) == 3


def test_a_folder_where_a_copy_would_replace_an_input_is_refused(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "innovation-korrekt.xlsx", tmp_path / "x.xlsx")
    shutil.copy(SAMPLES / "basis-korrekt.xlsx", tmp_path / "x.kontrol.xlsx")
    before = sorted(tmp_path.iterdir())
    digests = [sha256(p) for p in before]
    # Named on the command line, a file called like a copy is an input like any other.
    result = run_check(tmp_path / "x.xlsx", tmp_path / "x.kontrol.xlsx", "--annotate", tmp_path)
    assert result.exit_code == 2
    assert "x.kontrol.xlsx" in result.stderr and "overskrive" in result.stderr
    assert sorted(tmp_path.iterdir()) == before
    assert [sha256(p) for p in before] == digests
    # The same folder is fine when no name meets an input.
    (tmp_path / "x.kontrol.xlsx").unlink()
    assert run_check(tmp_path, "--annotate", tmp_path).exit_code == 0
    assert (tmp_path / "x.kontrol.xlsx").is_file()


def test_copies_inside_the_checked_folder_are_skipped_on_the_next_run(tmp_path: Path) -> None:
    """`klynge check inbox --annotate inbox/kontrol` every morning: the second run skips the
    copies it wrote the day before (counted, with their reason) and writes them again."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "deb-loft-overskredet.xlsx", inbox / "a.xlsx")
    first = run_check(inbox, "--annotate", inbox / "kontrol")
    assert first.exit_code == 1 and (inbox / "kontrol" / "a.kontrol.xlsx").is_file()
    second = run_check(inbox, "--annotate", inbox / "kontrol")
    assert second.exit_code == 1, second.stderr
    assert [Path(f["path"]).name for f in second.report["files"]] == ["a.xlsx"]
    skipped = second.report["summary"]["skipped_paths"]
    assert [(Path(s["path"]).name, s["reason"]) for s in skipped] == [
        ("a.kontrol.xlsx", "annotated-copy")
    ]


def test_annotate_dir_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = run_check(SAMPLES / "innovation-korrekt.xlsx", "--annotate", tmp_path / "file")
    assert result.exit_code == 2 and "ikke en mappe" in result.stderr


def test_unreadable_files_get_no_copy_and_the_others_do(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tom.xlsx").write_bytes(b"")
    (tmp_path / "in" / "rod.xlsx").write_bytes(b"PK\x03\x04 not a workbook at all")
    shutil.copy(SAMPLES / "innovation-korrekt.xlsx", tmp_path / "in" / "ok.xlsx")
    result = run_check(tmp_path / "in", "--annotate", tmp_path / "out")
    assert result.codes == ["KL001", "KL001"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["ok.kontrol.xlsx"]
    assert result.stderr == ""


def test_standard_input_is_annotated_as_stdin(tmp_path: Path) -> None:
    data = (SAMPLES / "smv-tilskud-over-70-procent.xlsx").read_bytes()
    result = CliRunner().invoke(
        app, ["check", "-", "--format", "json", "--annotate", str(tmp_path)], input=data
    )
    assert result.exit_code == 1
    assert [p.name for p in tmp_path.iterdir()] == ["stdin.kontrol.xlsx"]
    book = load_workbook(tmp_path / "stdin.kontrol.xlsx")
    assert fill_of(book["SMV-samarbejder"], 3, 8) == FILL["error"]


# --- A copy that fails costs only itself ---------------------------------------------------------


def test_a_copy_that_cannot_be_made_is_a_line_on_stderr_and_the_exit_code_stays(
    tmp_path: Path,
) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLES / "innovation-korrekt.xlsx", tmp_path / "in" / "a.xlsx")
    shutil.copy(SAMPLES / "basis-korrekt.xlsx", tmp_path / "in" / "b.xlsx")
    (tmp_path / "out" / "a.kontrol.xlsx").mkdir(parents=True)  # a folder where a's copy goes
    result = run_check(tmp_path / "in", "--annotate", tmp_path / "out")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"klynge: kunne ikke skrive kontrolkopi af {tmp_path / 'in' / 'a.xlsx'}: "
    )
    assert (tmp_path / "out" / "a.kontrol.xlsx").is_dir()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "a.kontrol.xlsx",
        "b.kontrol.xlsx",
    ]  # and no temporary file


def test_a_file_changed_after_the_check_is_not_copied(tmp_path: Path) -> None:
    source = shutil.copy(SAMPLES / "innovation-korrekt.xlsx", tmp_path / "a.xlsx")
    report = api_check([source], jobs=1)
    shutil.copy(SAMPLES / "deb-loft-overskredet.xlsx", source)
    (tmp_path / "out").mkdir()
    errors = io.StringIO()
    assert annotate(report, tmp_path / "out", "en", errors=errors) == []
    assert errors.getvalue() == (
        f"klynge: could not write the annotated copy of {source}: "
        "the file changed after it was checked\n"
    )


def with_many_cells(tmp_path: Path, rows: int) -> Path:
    """A valid application with a further sheet of `rows` × 2 numbers: nothing for the checker,
    which reads only its four sheets, but much for openpyxl, which loads every sheet."""
    small = replace(App(), other_sheets={"Data": [[1]]}).write(tmp_path / "small.xlsx")
    cells = "".join(
        f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}"><v>{i}</v></c></row>'
        for i in range(1, rows + 1)
    )
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(small) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":  # Data, written first
                data = re.sub(
                    rb"<sheetData>.*</sheetData>",
                    f"<sheetData>{cells}</sheetData>".encode(),
                    data,
                    flags=re.S,
                )
            new.writestr(item, data)
    return path


# The memory limit is tried in a fresh klynge process, as a user's run has it. A child forked
# from this test process could also use the free space of the tests' larger heap without a new
# mapping (a limit on the address space does not see it), and load the whole sheet first.
_OVER_THE_LIMIT = """
import io, re, sys
from pathlib import Path
from klyngecli.api import check
from klyngecli.writer.annotate import annotate
report = check([Path(sys.argv[1])], jobs=1)
space = int(re.search(r"VmSize:\\s+(\\d+) kB", Path("/proc/self/status").read_text())[1]) << 10
limit = space + (24 << 20)  # room for Python to fail cleanly, far from what openpyxl needs
errors = io.StringIO()
written = annotate(report, Path(sys.argv[2]), "en", max_memory=limit, timeout=120, errors=errors)
print(limit >> 20, len(written), errors.getvalue())
"""


def test_a_copy_over_the_time_or_memory_limit_is_stopped(tmp_path: Path) -> None:
    source = with_many_cells(tmp_path, 150_000)  # openpyxl needs about 80 MiB more for it
    report = api_check([source], jobs=1)
    assert report.files[0].verdict is Verdict.PASSED
    out = tmp_path / "out"
    out.mkdir()
    errors = io.StringIO()
    assert annotate(report, out, "en", timeout=0.001, errors=errors) == []
    assert "took longer than 0.001 s (--timeout)" in errors.getvalue()
    run = subprocess.run(
        [sys.executable, "-c", _OVER_THE_LIMIT, str(source), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    limit, written, said = run.stdout.split(" ", 2)
    assert written == "0"
    # As a MemoryError in Python, or a native library's abort (SIGABRT) under the limit.
    assert f"over the memory limit of {limit} MiB (--max-memory)" in said
    assert list(out.iterdir()) == []  # no copy, no temporary file


def test_a_copy_being_made_ends_with_a_killed_klynge(tmp_path: Path) -> None:
    """klynge killed outright (SIGKILL) while a copy is being made takes the process making
    it along, as it does the batch's workers: a copy stuck at its memory limit would otherwise
    burn a core for ever."""
    source = with_many_cells(tmp_path, 150_000)  # openpyxl loads it for seconds
    command = [sys.executable, "-m", "klyngecli", "check", str(source), "--no-cache"]
    process = subprocess.Popen(
        [*command, "--annotate", str(tmp_path / "out")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    # The batch's worker checks the file in milliseconds; the copy's process loads the sheet
    # for seconds: the child that has been there for a second is the copy's.
    first_seen: dict[int, float] = {}
    copying: int | None = None
    while copying is None and process.poll() is None:
        with contextlib.suppress(OSError):
            for pid in map(int, children.read_text().split()):
                first_seen.setdefault(pid, time.monotonic())
                if time.monotonic() - first_seen[pid] >= 1.0:
                    copying = pid
        time.sleep(0.01)
    assert copying is not None, "klynge ended before the copy's process was seen"
    process.kill()
    process.wait()
    for _ in range(500):
        if not running(copying):
            break
        time.sleep(0.01)
    assert not running(copying)
