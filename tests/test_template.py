"""`klynge template`: the empty format-1 workbook, read back with openpyxl and python-calamine."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from klyngecli import vocabulary as labels
from klyngecli.callspec import Call, Param, load_call
from klyngecli.model import GrantType
from klyngecli.writer.atomic import atomic_save
from klyngecli.writer.template import write_template

FIELDS = [
    "Ansøger",
    "CVR-nummer",
    "Bevillingstype",
    "Projektstart",
    "Projektslut",
    "Indsendt",
    "Udpegning",
    "Enhed",
    "Kontaktperson",
    "E-mail",
]
CATEGORIES = [
    "Løn",
    "Eksterne konsulenter",
    "Rejser",
    "Udstyr",
    "Revision",
    "Øvrige omkostninger",
    "Indirekte omkostninger",
]
SME_GRANTS = "Tilskud til SMV-samarbejder"
SOURCES = [
    "Regionalfonden",
    "Decentrale erhvervsfremmemidler",
    "Uddannelses- og Forskningsstyrelsen",
    "Privat kontant medfinansiering",
    "Offentlig kontant medfinansiering",
    "Egenfinansiering",
    "SMV'ernes egenfinansiering",
]
SME_HEADER = [
    "Samarbejde",
    "SMV",
    "CVR",
    "Ansatte",
    "Omsætning (mio. EUR)",
    "Balance (mio. EUR)",
    "FoU-omkostninger",
    "Tilskud",
    "Overhead",
]
DATA_SHEETS = ["Ansøger", "Budget", "Finansiering", "SMV-samarbejder"]


@pytest.fixture(scope="module")
def call() -> Call:
    return load_call()


def expected_categories(grant: GrantType) -> list[str]:
    return [*CATEGORIES, SME_GRANTS] if grant is GrantType.INNOVATION else CATEGORIES


def expected_sources(grant: GrantType) -> list[str]:
    return SOURCES if grant is GrantType.INNOVATION else SOURCES[1:]


@pytest.fixture(params=list(GrantType), ids=str)
def written(request: pytest.FixtureRequest, tmp_path: Path, call: Call) -> tuple[GrantType, Path]:
    grant: GrantType = request.param
    path = tmp_path / f"{grant}.xlsx"
    write_template(path, grant, call)
    return grant, path


def list_validations(sheet: Any) -> dict[str, tuple[list[str], str]]:
    """sqref → (choices, raw formula) of the sheet's list validations."""
    found = {}
    for dv in sheet.data_validations.dataValidation:
        assert dv.type == "list"
        assert not dv.showDropDown  # openpyxl: True would *hide* the drop-down arrow
        formula = dv.formula1
        assert formula.startswith('"') and formula.endswith('"')
        assert len(formula) - 2 <= 255  # Excel's limit for an inline list
        found[str(dv.sqref)] = (formula[1:-1].split(","), formula)
    return found


# --- structure -------------------------------------------------------------------------------


def test_sheet_names_and_order(written: tuple[GrantType, Path]) -> None:
    grant, path = written
    expected = ["Vejledning", "Ansøger", "Budget", "Finansiering"]
    if grant is GrantType.INNOVATION:
        expected.append("SMV-samarbejder")
    assert openpyxl.load_workbook(path).sheetnames == expected
    assert CalamineWorkbook.from_path(str(path)).sheet_names == expected


def test_applicant_sheet(written: tuple[GrantType, Path]) -> None:
    grant, path = written
    sheet = openpyxl.load_workbook(path)["Ansøger"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(1, sheet.max_row + 1)}
    assert [label for label in rows if label in FIELDS] == FIELDS
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(row=1, column=1).font.bold

    def value(label: str) -> Any:
        return sheet.cell(row=rows[label], column=2)

    assert value("Bevillingstype").value == (
        "Innovation" if grant is GrantType.INNOVATION else "Basis"
    )
    assert value("Enhed").value == "kr."
    for label in FIELDS:
        if label not in ("Bevillingstype", "Enhed"):
            assert value(label).value is None, label
        hint = sheet.cell(row=rows[label], column=3).value
        assert isinstance(hint, str) and hint.strip(), f"no hint for {label}"
    assert value("Projektstart").number_format == "dd-mm-yyyy"
    assert value("Projektslut").number_format == "dd-mm-yyyy"
    assert value("Indsendt").number_format == "dd-mm-yyyy hh:mm"

    validations = list_validations(sheet)
    assert validations[value("Bevillingstype").coordinate][0] == ["Innovation", "Basis"]
    assert validations[value("Udpegning").coordinate][0] == ["Udpeget", "Ansøgt", "Nej"]
    assert validations[value("Enhed").coordinate][0] == ["kr.", "1.000 kr.", "mio. kr."]


@pytest.mark.parametrize("sheet_name", ["Budget", "Finansiering"])
def test_budget_and_financing_tables(
    written: tuple[GrantType, Path], call: Call, sheet_name: str
) -> None:
    grant, path = written
    sheet = openpyxl.load_workbook(path)[sheet_name]
    years = list(range(call.programme_start.value.year, call.programme_end.value.year + 1))
    key_label, keys = (
        ("Kategori", expected_categories(grant))
        if sheet_name == "Budget"
        else ("Kilde", expected_sources(grant))
    )
    header = [c.value for c in sheet[1]]
    assert header == [key_label, "Beskrivelse", *years]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"

    key_cells = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    assert key_cells[: len(keys)] == keys
    extra = key_cells[len(keys) :]
    assert len(extra) >= 8 and all(v is None for v in extra)
    last_row = sheet.max_row

    for row in range(2, last_row + 1):
        for col in range(3, 3 + len(years)):
            cell = sheet.cell(row=row, column=col)
            assert cell.value is None, cell.coordinate
            assert cell.number_format == "#,##0", cell.coordinate

    validations = list_validations(sheet)
    assert list(validations) == [f"A2:A{last_row}"]
    assert validations[f"A2:A{last_row}"][0] == keys
    assert "I alt" not in header and "Total" not in header


def test_basis_has_no_regionalfond_and_no_sme_grants(tmp_path: Path, call: Call) -> None:
    path = tmp_path / "basis.xlsx"
    write_template(path, GrantType.BASIS, call)
    book = CalamineWorkbook.from_path(str(path))
    cells = {
        v
        for name in book.sheet_names
        if name != "Vejledning"
        for row in book.get_sheet_by_name(name).to_python()
        for v in row
    }
    assert "Regionalfonden" not in cells
    assert SME_GRANTS not in cells
    workbook = openpyxl.load_workbook(path)
    for name in ("Budget", "Finansiering"):
        for choices, _ in list_validations(workbook[name]).values():
            assert "Regionalfonden" not in choices and SME_GRANTS not in choices


def test_sme_sheet(tmp_path: Path, call: Call) -> None:
    path = tmp_path / "innovation.xlsx"
    write_template(path, GrantType.INNOVATION, call)
    sheet = openpyxl.load_workbook(path)["SMV-samarbejder"]
    assert [c.value for c in sheet[1]] == SME_HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row >= 21
    formats = {h: sheet.cell(row=2, column=i).number_format for i, h in enumerate(SME_HEADER, 1)}
    assert formats["FoU-omkostninger"] == formats["Tilskud"] == formats["Overhead"] == "#,##0"
    assert formats["Ansatte"] == "0"
    assert formats["Omsætning (mio. EUR)"] != "General"
    for row in sheet.iter_rows(min_row=2):
        assert all(c.value is None for c in row)
        assert row[SME_HEADER.index("Tilskud")].number_format == "#,##0"


def test_read_back_with_calamine(written: tuple[GrantType, Path], call: Call) -> None:
    grant, path = written
    book = CalamineWorkbook.from_path(str(path))
    applicant = book.get_sheet_by_name("Ansøger").to_python()
    values = {row[0]: row[1] for row in applicant if row and row[0] in FIELDS}
    assert list(values) == FIELDS
    assert values["Bevillingstype"] == ("Innovation" if grant is GrantType.INNOVATION else "Basis")
    assert values["Enhed"] == "kr."
    assert values["Ansøger"] == ""  # empty

    budget = book.get_sheet_by_name("Budget").to_python()
    assert budget[0][:2] == ["Kategori", "Beskrivelse"]
    assert budget[0][2:] == [2025, 2026, 2027, 2028]  # this call's period, as numbers
    assert [row[0] for row in budget[1:] if row[0]] == expected_categories(grant)
    assert all(v == "" for row in budget[1:] for v in row[2:])  # every amount blank

    financing = book.get_sheet_by_name("Finansiering").to_python()
    assert [row[0] for row in financing[1:] if row[0]] == expected_sources(grant)
    if grant is GrantType.INNOVATION:
        assert book.get_sheet_by_name("SMV-samarbejder").to_python()[0] == SME_HEADER


def test_labels_are_known_to_the_reader(written: tuple[GrantType, Path]) -> None:
    """What the template writes, the checker's vocabulary reads as the canonical key."""
    grant, path = written
    workbook = openpyxl.load_workbook(path)
    for name in DATA_SHEETS[: 4 if grant is GrantType.INNOVATION else 3]:
        assert labels.normalise(name) in labels.SHEETS
    assert all(labels.normalise(f) in labels.FIELDS for f in FIELDS)
    assert labels.normalise("Innovation") in labels.GRANT_TYPES
    assert labels.normalise("Basis") in labels.GRANT_TYPES
    vocabularies: dict[str, Mapping[str, object]] = {
        "Bevillingstype": labels.GRANT_TYPES,
        "Udpegning": labels.DESIGNATIONS,
        "Enhed": labels.UNITS,
    }
    for sqref, (choices, _) in list_validations(workbook["Ansøger"]).items():
        vocab = vocabularies[workbook["Ansøger"].cell(row=int(sqref[1:]), column=1).value]
        assert all(labels.normalise(c) in vocab for c in choices), choices
    assert all(labels.normalise(c) in labels.CATEGORIES for c in expected_categories(grant))
    assert all(labels.normalise(s) in labels.SOURCES for s in expected_sources(grant))
    assert all(labels.normalise(h) in labels.SME_COLUMNS for h in SME_HEADER)


# --- no formulas -----------------------------------------------------------------------------


def test_no_formula_anywhere(written: tuple[GrantType, Path]) -> None:
    _, path = written
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}"
                assert not (isinstance(cell.value, str) and cell.value.startswith("="))
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            assert not any(isinstance(v, str) and v.startswith("=") for v in row)
            if name in DATA_SHEETS:
                assert not any(v in ("I alt", "Total", "Sum", "Samlet") for v in row)


# --- instructions come from the call ---------------------------------------------------------


def _guide_text(path: Path) -> str:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Vejledning").to_python()
    return "\n".join(str(v) for row in rows for v in row if v != "")


def test_guide_states_the_calls_numbers(written: tuple[GrantType, Path]) -> None:
    grant, path = written
    text = _guide_text(path)
    cap = "23.000.000 kr." if grant is GrantType.INNOVATION else "13.000.000 kr."
    assert cap in text
    assert "15 %" in text
    assert "48 måneder" in text
    assert "13. august 2024 kl. 12.00" in text
    assert "01-01-2025" in text and "31-12-2028" in text
    assert "klynge check" in text
    assert ("70 %" in text) == (grant is GrantType.INNOVATION)


def test_guide_and_years_follow_another_call(tmp_path: Path, call: Call) -> None:
    """No number of the call is hard-coded: change the call and the template follows."""
    innovation = call.grants[GrantType.INNOVATION].model_copy(update={"cap": Decimal(17_500_000)})
    other = call.model_copy(
        update={
            "grants": {**call.grants, GrantType.INNOVATION: innovation},
            "programme_start": Param[date](value=date(2029, 1, 1), source="test"),
            "programme_end": Param[date](value=date(2031, 6, 30), source="test"),
            "deadline": Param[datetime](value=datetime(2028, 9, 1, 9, 30), source="test"),
            "max_project_months": Param[int](value=30, source="test"),
            "sme_ceiling": Param[Decimal](value=Decimal("0.655"), source="test"),
            "indirect_ceiling": Param[Decimal](value=Decimal("0.20"), source="test"),
        }
    )
    path = tmp_path / "other.xlsx"
    write_template(path, GrantType.INNOVATION, other)
    text = _guide_text(path)
    for expected in (
        "17.500.000 kr.",
        "65,5 %",
        "20 %",
        "30 måneder",
        "1. september 2028 kl. 09.30",
        "01-01-2029",
        "30-06-2031",
    ):
        assert expected in text, expected
    for stale in ("23.000.000", "70 %", "15 %", "48 måneder", "13. august 2024"):
        assert stale not in text, stale
    workbook = openpyxl.load_workbook(path)
    for name in ("Budget", "Finansiering"):
        assert [c.value for c in workbook[name][1]][2:] == [2029, 2030, 2031]


# --- writing the file ------------------------------------------------------------------------


def test_overwrites_an_existing_file(tmp_path: Path, call: Call) -> None:
    path = tmp_path / "budget.xlsx"
    path.write_bytes(b"not a workbook")
    write_template(path, GrantType.BASIS, call)
    assert openpyxl.load_workbook(path)["Ansøger"]["B4"].value == "Basis"
    write_template(path, GrantType.INNOVATION, call)
    assert "SMV-samarbejder" in openpyxl.load_workbook(path).sheetnames
    assert [p.name for p in tmp_path.iterdir()] == ["budget.xlsx"]  # no temporary file left


class _FailingWorkbook:
    def save(self, filename: IO[bytes]) -> None:
        filename.write(b"PK half a zip")
        raise OSError("disk full")


def test_failed_save_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsx"
    path.write_bytes(b"old content")
    with pytest.raises(OSError, match="disk full"):
        atomic_save(_FailingWorkbook(), path)
    assert path.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["budget.xlsx"]


def test_missing_folder_is_an_error(tmp_path: Path, call: Call) -> None:
    with pytest.raises(FileNotFoundError):
        write_template(tmp_path / "no-such-folder" / "x.xlsx", GrantType.BASIS, call)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_file_mode_follows_umask_and_existing_file(tmp_path: Path, call: Call) -> None:
    umask = os.umask(0)
    os.umask(umask)
    path = tmp_path / "new.xlsx"
    write_template(path, GrantType.BASIS, call)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    path.chmod(0o640)
    write_template(path, GrantType.BASIS, call)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
