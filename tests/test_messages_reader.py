"""The reader's messages say what is accepted, in plain words and the chosen language's numbers
(issue 16): each way a file can be unreadable (KL001), the sheets found and the nearest one
(KL003), the values a field accepts (KL006), amounts and counts written the language's way;
`klynge explain`/`calls` with kroner and severities in the chosen language. Everything through
the real CLI on real workbooks built by tests/workbooks.py or bytes written here."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from klyngecli.cli import app as cli
from tests.conftest import Checked, check, run_check
from tests.workbooks import App

LIBRARY_WORDS = (
    "Cannot detect",
    "Parse float",
    "invalid float",
    "File is not a zip",
    "Error",
    "/ empty",
)


def unreadable(result: Checked) -> tuple[str, str, dict[str, Any]]:
    """The file's one finding, a KL001 about the whole file: its Danish and English texts."""
    assert result.codes == ["KL001"], result.findings
    finding = result.findings[0]
    assert not finding["location"]
    da, en = finding["message"]["da"], finding["message"]["en"]
    for word in LIBRARY_WORDS:
        assert word not in da and word not in en
    return da, en, finding


def xlsx_bytes(tmp_path: Path) -> bytes:
    return App().write(tmp_path / "source.xlsx").read_bytes()


def test_an_empty_file_says_so_in_each_language(tmp_path: Path) -> None:
    path = tmp_path / "tom.xlsx"
    path.write_bytes(b"")
    da, en, _ = unreadable(run_check(path))
    assert da.startswith("Filen er tom (0 byte)") and "empty" not in da
    assert en.startswith("The file is empty (0 bytes)") and "tom" not in en


def test_a_truncated_xlsx_is_damaged_not_a_format_to_save_as(tmp_path: Path) -> None:
    data = xlsx_bytes(tmp_path)
    path = tmp_path / "afbrudt.xlsx"
    path.write_bytes(data[: len(data) // 2])
    da, en, _ = unreadable(run_check(path))
    assert "beskadiget eller ikke gemt færdig" in da and "bed om en ny kopi" in da
    assert "damaged or was not saved completely" in en and "ask for a new copy" in en
    assert "gem den som" not in da and "save it as" not in en


def test_a_part_that_is_not_xml_is_damaged_and_the_parser_text_stays_in_found(
    tmp_path: Path,
) -> None:
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(tmp_path)))
    path = tmp_path / "halv.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            out.writestr(info, data)
    da, en, finding = unreadable(run_check(path))
    assert "beskadiget eller ikke gemt færdig" in da and "xl/worksheets/sheet1.xml" in da
    assert "not well-formed XML)" in en  # our words end the reason; expat's are in `found`
    assert str(finding["found"]).startswith("the part xl/worksheets/sheet1.xml")
    assert len(str(finding["found"])) > len("the part xl/worksheets/sheet1.xml is not well-formed")


def test_a_doctype_is_refused_in_plain_words(tmp_path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(tmp_path)))
    path = tmp_path / "doctype.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                head, mark, body = data.partition(b"?>")
                data = (
                    head + mark + b"<!DOCTYPE workbook>" + body if mark else b"<!DOCTYPE w>" + data
                )
            out.writestr(info, data)
    da, en, _ = unreadable(run_check(path))
    assert "DOCTYPE" in da and "gem den igen fra Excel eller LibreOffice" in da
    assert "DOCTYPE" in en and "save it again from Excel or LibreOffice" in en


@pytest.mark.parametrize("name", ["budget.xlsx", "budget.csv"])
def test_a_file_that_is_no_spreadsheet_lists_the_formats_read(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("Kategori;2025\nLøn;45000\n", encoding="utf-8")
    da, en, finding = unreadable(run_check(path))
    assert (
        da.startswith("Filen er ikke et regneark") and ".xlsx, .xlsm, .xls, .xlsb eller .ods" in da
    )
    assert (
        en.startswith("The file is not a spreadsheet") and ".xlsx, .xlsm, .xls, .xlsb or .ods" in en
    )
    assert finding["found"]  # the reader's own reason, for whoever debugs it


def test_a_zip_without_a_workbook_is_one_kl001_not_three_kl003(tmp_path: Path) -> None:
    path = tmp_path / "mappe.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("[Content_Types].xml", "<Types/>")
        out.writestr("docs/budget.txt", "Løn 45000")
    da, en, _ = unreadable(run_check(path))
    assert da.startswith("Filen er en zip-fil, men ikke et regneark")
    assert en.startswith("The file is a zip file, but not a spreadsheet")


def test_a_missing_sheet_lists_the_sheets_and_the_nearest_one(tmp_path: Path) -> None:
    app = App(sheet_names={"Budget": "Budget 2025-2028"}, other_sheets={"Forside": [["Ansøgning"]]})
    finding = check(tmp_path, app).only("KL003")
    da, en = finding["message"]["da"], finding["message"]["en"]
    assert "'Forside'" in da and "'Ansøger'" in da and "'Forside'" in en
    assert da.endswith("mener du 'Budget 2025-2028'? Omdøb det til 'Budget'")
    assert en.endswith("did you mean 'Budget 2025-2028'? Rename it to 'Budget'")


def test_a_missing_sheet_with_no_near_name_suggests_none(tmp_path: Path) -> None:
    app = App(sheet_names={"Budget": "Noter"})
    finding = check(tmp_path, app).only("KL003")
    assert "'Noter'" in finding["message"]["da"]
    assert "mener du" not in finding["message"]["da"]
    assert "did you mean" not in finding["message"]["en"]


def test_sheet_names_from_the_file_are_shown_safely(tmp_path: Path) -> None:
    app = App(sheet_names={"Budget": "Budget\u202e2025"})
    finding = check(tmp_path, app).only("KL003")
    assert "\u202e" not in finding["message"]["da"] and "\u202e" not in finding["message"]["en"]
    assert "Budget" in finding["message"]["en"]


def kl006(result: Checked, starts: str) -> dict[str, Any]:
    found = [f for f in result.findings if f["code"] == "KL006"]
    hits = [f for f in found if f["message"]["da"].startswith(starts)]
    assert len(hits) == 1, found
    return hits[0]


def test_an_unknown_grant_type_names_the_grant_types(tmp_path: Path) -> None:
    message = kl006(check(tmp_path, App(grant="Innovasjon")), "Bevillingstypen")["message"]
    assert message["da"].endswith("'Innovasjon'; skriv Innovation eller Basis")
    assert message["en"].endswith("'Innovasjon'; write Innovation or Basis")


def test_an_unknown_designation_names_the_choices(tmp_path: Path) -> None:
    message = kl006(check(tmp_path, App(designation="Måske")), "Udpegningen")["message"]
    assert message["da"].endswith("'Måske'; skriv Udpeget, Ansøgt eller Nej")
    assert message["en"].endswith("'Måske'; write Udpeget, Ansøgt or Nej")


def test_an_unknown_unit_lists_the_units(tmp_path: Path) -> None:
    app = App(unit="euro", scale_to_unit=False)
    message = kl006(check(tmp_path, app), "Enheden")["message"]
    assert message["da"].endswith("'euro'; skriv kr., 1.000 kr. eller mio. kr.")
    assert message["en"].endswith("'euro'; write kr., 1.000 kr. or mio. kr.")


def test_amounts_in_reader_messages_are_written_the_languages_way(tmp_path: Path) -> None:
    app = App()
    app.budget[0].amounts[2025] = -150_000
    app.budget[1].amounts[2025] = "45.000,50"
    result = check(tmp_path, app)
    negative = result.only("KL010")["message"]
    assert "-150.000 kr." in negative["da"] and "DKK -150,000" in negative["en"]
    assert " kr." not in negative["en"]
    as_text = result.only("KL009")["message"]
    assert "45.000,50 kr." in as_text["da"] and "DKK 45,000.50" in as_text["en"]


def test_a_safety_limit_is_grouped_the_languages_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = App().write(tmp_path / "stor.xlsx")
    (tmp_path / "klynge.toml").write_text("[limits]\nmax-file-bytes = 1000\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    finding = run_check(path.name).only("KL011")
    size = path.stat().st_size
    assert size >= 1000
    assert f"{size:,}".replace(",", ".") in finding["message"]["da"]
    assert f"{size:,}" in finding["message"]["en"] and "(limit 1,000)" in finding["message"]["en"]
    assert "(grænse 1.000)" in finding["message"]["da"]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_explain_shows_kroner_and_the_severity_in_the_chosen_language() -> None:
    english = run("explain", "KL401", "--lang", "en")
    danish = run("explain", "KL401", "--lang", "da")
    assert english.startswith("KL401 (error):") and danish.startswith("KL401 (fejl):")
    assert "DKK " in english and " kr." not in english
    assert " kr." in danish and "DKK 2" not in danish


def test_explain_writes_million_euro_the_english_way() -> None:
    assert "EUR 50 million" in run("explain", "KL403", "--lang", "en")
    assert "50 mio. EUR" in run("explain", "KL403", "--lang", "da")


def test_rules_and_calls_in_the_chosen_language() -> None:
    assert "advarsel" in run("rules", "--lang", "da") and "warning" in run("rules", "--lang", "en")
    calls_en, calls_da = run("calls", "--lang", "en"), run("calls", "--lang", "da")
    assert "DKK " in calls_en and " kr." not in calls_en
    assert " kr." in calls_da and "DKK" not in calls_da
