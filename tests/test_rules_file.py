"""File and format KL001-KL010 (rules.md "File and format — KL0xx", workbook-format.md), and the
unit handling of `Enhed` and of units in headers, through the real CLI.

Every workbook is a clean application (no findings) with one thing changed, so each test can
assert the whole set of codes it expects.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import zipfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_from_string

from tests.conftest import REPO, assert_messages, check, money, run_check
from tests.libreoffice import convert
from tests.workbooks import (
    App,
    Built,
    CellValue,
    Layout,
    Line,
    basis_app,
    innovation_app,
    parse_amount_text,
)

CORPUS = REPO.parent / "shared" / "corpus" / "realworld"
APPLICANT, BUDGET, FINANCING, SME = "Ansøger", "Budget", "Finansiering", "SMV-samarbejder"
OWN = "Egenfinansiering"
PRIVATE = "Privat kontant medfinansiering"
SME_GRANTS = "Tilskud til SMV-samarbejder"


def assert_quoted(finding: dict[str, Any], text: str) -> None:
    """The message quotes the cell's text in both languages."""
    assert f"'{text}'" in finding["message"]["da"]
    assert f"'{text}'" in finding["message"]["en"]


def add(app: App, kind: str, label: str, year: int, extra: int | Decimal) -> None:
    """Add `extra` kr. to one amount of a Budget ("budget") or Finansiering line."""
    line = app.budget_line(label) if kind == "budget" else app.financing_line(label)
    before = line.amounts[year]
    assert isinstance(before, int | Decimal)
    line.amounts[year] = before + extra


def without_row(built: Built, role: str, label: str) -> Built:
    """Delete the Ansøger row of `label` (its canonical Danish name)."""
    _, row = coordinate_from_string(built.ref(role, label, "label").split("!")[1])
    del built.sheets[built.sheet_names[role]][row - 1]
    return built


# --- the starting point ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(App, id="innovation"),
        pytest.param(basis_app, id="basis"),
        pytest.param(lambda: innovation_app(3), id="innovation-seed-3"),
    ],
)
def test_clean_applications_have_no_findings(tmp_path: Path, make: Any) -> None:
    result = check(tmp_path, make())
    assert result.codes == []
    assert result.exit_code == 0


# --- KL001: not a workbook ---------------------------------------------------------------------


def _text_file() -> bytes:
    return "Kategori;2025;2026\nLøn;3000000;3000000\n".encode()


def _clean_bytes(tmp_path: Path) -> bytes:
    return App().write(tmp_path / "clean.xlsx").read_bytes()


def _truncated(tmp_path: Path, keep: float) -> bytes:
    data = _clean_bytes(tmp_path)
    return data[: int(len(data) * keep)]


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("budget.txt", "Løn 3000000")
    return out.getvalue()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda tmp: _text_file(), id="text-file-renamed-xlsx"),
        pytest.param(lambda tmp: _truncated(tmp, 0.5), id="truncated-to-half"),
        pytest.param(lambda tmp: _truncated(tmp, 0.98), id="truncated-end-missing"),
        pytest.param(lambda tmp: _clean_bytes(tmp)[:100], id="truncated-to-100-bytes"),
        pytest.param(lambda tmp: _zip_without_workbook(), id="zip-without-workbook"),
        pytest.param(lambda tmp: b"\x00" * 4096, id="zero-bytes"),
    ],
)
def test_kl001_not_a_workbook(tmp_path: Path, make: Any) -> None:
    path = tmp_path / "application.xlsx"
    path.write_bytes(make(tmp_path))
    result = run_check(path)
    assert result.codes == ["KL001"]
    assert result.exit_code == 1
    finding = result.only("KL001")
    assert finding["severity"] == "error"
    assert finding["location"] is None  # about the whole file
    assert finding["sheet"] is None and finding["cell"] is None
    assert isinstance(finding["found"], str) and finding["found"]
    assert finding["file"] == str(path)
    assert_messages(finding)


def test_kl001_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "application.xlsx"
    path.write_bytes(b"")
    result = run_check(path)
    assert result.codes == ["KL001"]
    assert result.exit_code == 1
    finding = result.only("KL001")
    assert finding["severity"] == "error"
    assert finding["location"] is None
    assert "tom" in finding["message"]["da"]
    assert "empty" in finding["message"]["en"]
    assert_messages(finding)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("application.xlsx", id="valid-xlsx"),
        pytest.param("application.xls", id="valid-xlsx-named-xls"),
        pytest.param("application.dat", id="valid-xlsx-named-dat"),
    ],
)
def test_kl001_valid_workbook_is_read_by_content(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(_clean_bytes(tmp_path))
    result = run_check(path)
    assert result.codes == []
    assert result.exit_code == 0


# --- KL002: encrypted ----------------------------------------------------------------------


def _manifest() -> dict[str, tuple[str, str]]:
    """Corpus path -> (kind, sha256)."""
    rows = (CORPUS / "MANIFEST.tsv").read_text("utf-8").splitlines()[1:]
    return {cols[0]: (cols[5], cols[10]) for cols in (row.split("\t") for row in rows)}


MANIFEST = _manifest()
ENCRYPTED = sorted(
    path
    for path, (kind, _) in MANIFEST.items()
    if kind == "encrypted"
    and (path.startswith("msoffcrypto-tool/") or path == "poi/protected_passtika.xlsx")
)
DECRYPTED = sorted(
    path
    for path, (kind, _) in MANIFEST.items()
    if path.startswith("msoffcrypto-tool/") and kind in ("ok-xlsx", "ok-other-format")
)


def copy_from_corpus(tmp_path: Path, corpus_path: str) -> Path:
    """A copy in tmp_path; the corpus file itself is checked against its MANIFEST hash."""
    source = CORPUS / corpus_path
    assert hashlib.sha256(source.read_bytes()).hexdigest() == MANIFEST[corpus_path][1]
    target = tmp_path / Path(corpus_path).name
    shutil.copyfile(source, target)
    return target


def test_kl002_corpus_selection() -> None:
    """The encrypted files this module uses, as the MANIFEST's kind column names them."""
    assert ENCRYPTED == [
        "msoffcrypto-tool/example_password.xlsx",
        "msoffcrypto-tool/rc4cryptoapi_password.xls",
        "msoffcrypto-tool/xor_password_123456789012345.xls",
        "poi/protected_passtika.xlsx",
    ]
    assert DECRYPTED == [
        "msoffcrypto-tool/example.xlsx",
        "msoffcrypto-tool/xor_password_123456789012345_plain.xls",
    ]


@pytest.mark.parametrize("corpus_path", ENCRYPTED)
def test_kl002_encrypted_workbook(tmp_path: Path, corpus_path: str) -> None:
    path = copy_from_corpus(tmp_path, corpus_path)
    result = run_check(path)
    assert result.codes == ["KL002"]
    assert result.exit_code == 1
    finding = result.only("KL002")
    assert finding["severity"] == "error"
    assert finding["location"] is None
    assert finding["file"] == str(path)
    assert_messages(finding)
    assert (
        MANIFEST[corpus_path][1] == hashlib.sha256((CORPUS / corpus_path).read_bytes()).hexdigest()
    )


@pytest.mark.parametrize("corpus_path", ENCRYPTED)
def test_kl002_encrypted_workbook_whatever_its_extension(tmp_path: Path, corpus_path: str) -> None:
    """An encrypted .xls renamed .xlsx (or the other way round) is still KL002, not KL001."""
    path = copy_from_corpus(tmp_path, corpus_path)
    renamed = path.rename(path.with_suffix(".xls" if path.suffix == ".xlsx" else ".xlsx"))
    assert run_check(renamed).codes == ["KL002"]


@pytest.mark.parametrize("corpus_path", DECRYPTED)
def test_kl002_decrypted_copy_is_read(tmp_path: Path, corpus_path: str) -> None:
    """The same workbooks without the password open: they are simply not budgets (KL003)."""
    result = run_check(copy_from_corpus(tmp_path, corpus_path))
    assert result.codes == ["KL003", "KL003", "KL003"]
    assert result.at("KL003") == [APPLICANT, BUDGET, FINANCING]


# --- KL003: sheets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "role"),
    [
        pytest.param(App, APPLICANT, id="innovation-no-ansoeger"),
        pytest.param(App, BUDGET, id="innovation-no-budget"),
        pytest.param(App, FINANCING, id="innovation-no-finansiering"),
        pytest.param(App, SME, id="innovation-no-smv-samarbejder"),
        pytest.param(basis_app, BUDGET, id="basis-no-budget"),
        pytest.param(basis_app, FINANCING, id="basis-no-finansiering"),
    ],
)
def test_kl003_required_sheet_missing(tmp_path: Path, make: Any, role: str) -> None:
    app = make()
    if role == SME:
        app = replace(app, collaborations=None)
    built = app.build()
    built.sheets.pop(built.sheet_names[role], None)
    result = check(tmp_path, built)
    assert result.codes == ["KL003"]
    assert result.exit_code == 1
    finding = result.only("KL003")
    assert finding["severity"] == "error"
    assert finding["location"] == role  # the missing sheet is named as the location
    assert role in finding["message"]["da"] and role in finding["message"]["en"]
    assert_messages(finding)


def test_kl003_smv_samarbejder_not_needed_for_basis(tmp_path: Path) -> None:
    app = basis_app()
    assert app.collaborations is None
    assert check(tmp_path, app).codes == []


def _stub(sheet: str) -> list[list[CellValue]]:
    return [[f"Gammel version af {sheet}"], ["Bruges ikke"]]


def _copy_of(role: str) -> Any:
    def make(built: Built) -> list[list[CellValue]]:
        return [list(row) for row in built.sheets[built.sheet_names[role]]]

    return make


@pytest.mark.parametrize(
    ("role", "extra", "content", "first", "where"),
    [
        pytest.param(BUDGET, "Costs", _copy_of(BUDGET), False, "Costs", id="budget-and-costs-copy"),
        pytest.param(BUDGET, "Costs", _copy_of(BUDGET), True, BUDGET, id="costs-copy-first"),
        pytest.param(BUDGET, "Omkostninger", None, False, "Omkostninger", id="budget-and-stub"),
        pytest.param(BUDGET, "Udgifter", None, True, BUDGET, id="stub-before-budget"),
        pytest.param(FINANCING, "Funding", None, False, "Funding", id="finansiering-and-funding"),
        pytest.param(APPLICANT, "Applicant", None, True, APPLICANT, id="applicant-stub-first"),
        pytest.param(APPLICANT, "Stamdata", None, False, "Stamdata", id="ansoeger-and-stamdata"),
        pytest.param(SME, "SME collaborations", None, False, "SME collaborations", id="two-smv"),
    ],
)
def test_kl003_two_sheets_claim_one_role(
    tmp_path: Path, role: str, extra: str, content: Any, first: bool, where: str
) -> None:
    """Two claimants are KL003 and nothing else: the checker never guesses which one is meant,
    so neither sheet is read (no KL004/KL005 about the one it did not mean)."""
    built = App().build()
    rows = content(built) if content else _stub(extra)
    built.sheets = {extra: rows, **built.sheets} if first else {**built.sheets, extra: rows}
    result = check(tmp_path, built)
    assert result.codes == ["KL003"]
    assert result.exit_code == 1
    finding = result.only("KL003")
    assert finding["location"] == where  # the later of the two sheets
    assert finding["severity"] == "error"
    for name in (extra, built.sheet_names[role]):
        assert f"'{name}'" in finding["message"]["da"]
        assert f"'{name}'" in finding["message"]["en"]
    assert_messages(finding)


@pytest.mark.parametrize(
    "names",
    [
        pytest.param({BUDGET: "Budget "}, id="trailing-space"),
        pytest.param({APPLICANT: " Ansøger", FINANCING: "Finansiering  "}, id="spaces-around"),
        pytest.param({APPLICANT: "ANSOEGER", BUDGET: "budget"}, id="case-and-oe"),
        pytest.param({SME: "SMV samarbejder"}, id="smv-without-dash"),
        pytest.param(
            {
                APPLICANT: "Stamdata",
                BUDGET: "Omkostninger",
                FINANCING: "Funding",
                SME: "Innovationssamarbejder",
            },
            id="danish-synonyms",
        ),
        pytest.param({BUDGET: "Udgifter"}, id="udgifter"),
    ],
)
def test_kl003_sheet_names_match_by_synonym(tmp_path: Path, names: dict[str, str]) -> None:
    result = check(tmp_path, replace(App(), sheet_names=names))
    assert result.codes == []


def test_kl003_english_workbook(tmp_path: Path) -> None:
    built = replace(App(), lang="en").build()
    assert set(built.sheets) == {"Applicant", "Costs", "Financing", "SME collaborations"}
    assert check(tmp_path, built).codes == []


def test_kl003_other_and_hidden_sheets(tmp_path: Path) -> None:
    """Other sheets are ignored; hidden sheets are read like visible ones."""
    app = replace(
        App(),
        other_sheets={"Forside": [["Ansøgning til klyngeprogrammet"]], "Vejledning": [["Udfyld"]]},
        hidden_sheets=("Vejledning", BUDGET),
    )
    assert check(tmp_path, app).codes == []


# --- KL004: header row and columns ---------------------------------------------------------


def _no_header(sheet: str) -> Any:
    def edit(built: Built) -> None:
        built.sheets[sheet].pop(0)

    return edit


def _years_as_text(sheet: str) -> Any:
    def edit(built: Built) -> None:
        for year in (2025, 2026, 2027, 2028):
            built.set(sheet, "header", year, f"Beløb {year - 2024}")

    return edit


def _no_key_column(built: Built) -> None:
    built.set(BUDGET, "header", "Kategori", "Post")


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        pytest.param(_no_header(BUDGET), BUDGET, id="budget-no-header-row"),
        pytest.param(_no_header(FINANCING), FINANCING, id="finansiering-no-header-row"),
        pytest.param(_years_as_text(BUDGET), BUDGET, id="budget-header-without-years"),
        pytest.param(_years_as_text(FINANCING), FINANCING, id="finansiering-without-years"),
        pytest.param(_no_key_column, BUDGET, id="budget-header-without-kategori"),
        pytest.param(_no_header(SME), SME, id="smv-no-header-row"),
    ],
)
def test_kl004_no_header_row(tmp_path: Path, edit: Any, where: str) -> None:
    built = App().build()
    edit(built)
    result = check(tmp_path, built)
    assert result.codes == ["KL004"]
    assert result.exit_code == 1
    finding = result.only("KL004")
    assert finding["severity"] == "error"
    assert finding["location"] == where
    assert_messages(finding)


@pytest.mark.parametrize(
    ("column", "name_en"),
    [
        pytest.param("Tilskud", "Grant", id="no-tilskud"),
        pytest.param("FoU-omkostninger", "R&D costs", id="no-fou-omkostninger"),
        pytest.param("Samarbejde", "Collaboration", id="no-samarbejde"),
    ],
)
def test_kl004_smv_required_column_missing(tmp_path: Path, column: str, name_en: str) -> None:
    built = App().build()
    built.set(SME, "header", column, "Bemærkning")
    result = check(tmp_path, built)
    assert result.codes == ["KL004"]
    assert result.exit_code == 1
    finding = result.only("KL004")
    assert finding["location"] == "SMV-samarbejder!A1:I1"  # the header row
    assert f"'{column}'" in finding["message"]["da"]
    assert name_en in finding["message"]["en"]
    assert_messages(finding)


def test_kl004_header_on_row_31_is_not_found(tmp_path: Path) -> None:
    result = check(tmp_path, replace(App(), layout=Layout(header_row=31)))
    assert result.codes == ["KL004", "KL004", "KL004"]
    assert result.at("KL004") == [BUDGET, FINANCING, SME]


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(Layout(header_row=30), id="header-on-row-30"),
        pytest.param(
            Layout(title_rows=("Budget for {name}", None, "Beløb i kr."), header_row=7),
            id="titles-and-header-on-row-7",
        ),
        pytest.param(Layout(year_header="År {year}"), id="aar-2025"),
        pytest.param(Layout(year_header="{year} (kr.)"), id="2025-kr"),
        pytest.param(Layout(reverse_years=True), id="years-reversed"),
        pytest.param(Layout(helper_column=True, notes_column=True), id="extra-columns"),
        pytest.param(Layout(blank_rows_between=True, sme_totals_row=True), id="blank-rows"),
    ],
)
def test_kl004_header_found(tmp_path: Path, layout: Layout) -> None:
    assert check(tmp_path, replace(App(), layout=layout)).codes == []


def test_kl004_smv_optional_columns_may_be_missing(tmp_path: Path) -> None:
    built = App().build()
    for column in ("SMV", "CVR", "Ansatte", "Omsætning (mio. EUR)", "Balance (mio. EUR)"):
        built.set(SME, "header", column, None)
    assert check(tmp_path, built).codes == []


# --- KL005: required Ansøger fields --------------------------------------------------------

REQUIRED = [
    pytest.param("name", "Ansøger", id="ansoeger"),
    pytest.param("cvr", "CVR-nummer", id="cvr-nummer"),
    pytest.param("grant", "Bevillingstype", id="bevillingstype"),
    pytest.param("start", "Projektstart", id="projektstart"),
    pytest.param("end", "Projektslut", id="projektslut"),
]


@pytest.mark.parametrize(("attr", "label"), REQUIRED)
def test_kl005_required_field_missing(tmp_path: Path, attr: str, label: str) -> None:
    result = check(tmp_path, replace(App(), **{attr: None}))
    assert result.codes == ["KL005"]
    assert result.exit_code == 1
    finding = result.only("KL005")
    assert finding["severity"] == "error"
    assert finding["location"] == APPLICANT  # the row is not there: the sheet
    assert f"'{label}'" in finding["message"]["da"]
    assert f"'{label}'" in finding["message"]["en"]
    assert_messages(finding)


@pytest.mark.parametrize(("attr", "label"), REQUIRED)
@pytest.mark.parametrize(
    "empty", [pytest.param(None, id="blank"), pytest.param("   ", id="spaces")]
)
def test_kl005_required_field_empty(
    tmp_path: Path, attr: str, label: str, empty: CellValue
) -> None:
    built = App().build()
    built.set(APPLICANT, label, "value", empty)
    result = check(tmp_path, built)
    assert result.codes == ["KL005"]
    finding = result.only("KL005")
    assert finding["location"] == built.ref(APPLICANT, label)  # the empty value cell
    assert finding["location"].startswith("Ansøger!B")
    assert_messages(finding)


def test_kl005_english_labels(tmp_path: Path) -> None:
    built = replace(App(), lang="en").build()
    built.set(APPLICANT, "Projektslut", "value", None)
    result = check(tmp_path, built)
    assert result.codes == ["KL005"]
    assert result.at("KL005") == ["Applicant!B5"]


@pytest.mark.parametrize(
    "app",
    [
        pytest.param(replace(App(), contact=None, email=None), id="optional-fields-missing"),
        pytest.param(replace(App(), layout=Layout(label_colons=True)), id="labels-with-colons"),
        pytest.param(replace(App(), lang="en"), id="english-labels"),
        pytest.param(
            replace(App(), layout=Layout(title_rows=("Stamdata for {name}", None), header_row=4)),
            id="title-rows-above",
        ),
    ],
)
def test_kl005_fields_found(tmp_path: Path, app: App) -> None:
    assert check(tmp_path, app).codes == []


# --- KL006: unreadable values ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("12,3456", id="four-decimals"),
        pytest.param("1.2.3", id="groups-of-one"),
        pytest.param("abc", id="letters"),
        pytest.param("1.234,567", id="mixed-separators"),
        pytest.param("3 mio.", id="words"),
        pytest.param("kr.", id="unit-without-number"),
        pytest.param("-", id="sign-without-number"),
        pytest.param("()", id="empty-parentheses"),
    ],
)
def test_kl006_unreadable_amount(tmp_path: Path, text: str) -> None:
    app = App()
    app.budget_line("Løn").amounts[2025] = text
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL006"]  # never guessed, never read as 0 (no KL101/KL102)
    assert result.exit_code == 1
    finding = result.only("KL006")
    assert finding["location"] == built.ref(BUDGET, "Løn", 2025) == "Budget!C2"
    assert finding["severity"] == "error"
    assert finding["found"] == text
    assert_quoted(finding, text)
    assert_messages(finding)


def test_kl006_unreadable_amount_in_finansiering(tmp_path: Path) -> None:
    app = App()
    app.financing_line("Regionalfonden").amounts[2026] = "2,6 mio"
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL006"]
    assert (
        result.at("KL006") == [built.ref(FINANCING, "Regionalfonden", 2026)] == ["Finansiering!D2"]
    )
    assert_quoted(result.only("KL006"), "2,6 mio")


def test_kl006_unreadable_amount_in_smv_samarbejder(tmp_path: Path) -> None:
    app = App()
    assert app.collaborations is not None
    app.collaborations[1]["Tilskud"] = "ca. 500.000"
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL006"]
    assert result.at("KL006") == [built.ref(SME, 1, "Tilskud")] == ["SMV-samarbejder!H3"]
    assert_quoted(result.only("KL006"), "ca. 500.000")


@pytest.mark.parametrize(
    ("attr", "value", "label"),
    [
        pytest.param("start", "32-13-2025", "Projektstart", id="start-no-such-date"),
        pytest.param("start", "primo 2025", "Projektstart", id="start-words"),
        pytest.param("end", "2028-12-32", "Projektslut", id="end-day-32"),
        pytest.param("end", "snart", "Projektslut", id="end-words"),
        pytest.param("submitted", "i går", "Indsendt", id="indsendt-words"),
        pytest.param("grant", "Drift", "Bevillingstype", id="unknown-grant-type"),
        pytest.param("grant", "Innovation og basis", "Bevillingstype", id="two-grant-types"),
        pytest.param("unit", "euro", "Enhed", id="unknown-unit"),
        pytest.param("unit", "10 kr.", "Enhed", id="unit-10-kr"),
    ],
)
def test_kl006_unreadable_applicant_value(
    tmp_path: Path, attr: str, value: str, label: str
) -> None:
    built = replace(App(), **{attr: value}).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL006"]  # and no cascade from the value the rules lack
    assert result.exit_code == 1
    finding = result.only("KL006")
    assert finding["location"] == built.ref(APPLICANT, label)
    assert finding["severity"] == "error"
    assert finding["found"] == value
    assert_quoted(finding, value)
    assert_messages(finding)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param("2025-01-01", "2028-12-31", id="iso"),
        pytest.param("01-01-2025", "31-12-2028", id="day-first-dashes"),
        pytest.param("1.1.2025", "31.12.2028", id="day-first-dots"),
        pytest.param("01/01/2025", "31/12/2028", id="day-first-slashes"),
    ],
)
def test_kl006_dates_as_text_are_read(tmp_path: Path, start: str, end: str) -> None:
    assert check(tmp_path, replace(App(), start=start, end=end)).codes == []


def test_kl006_text_dates_are_day_first(tmp_path: Path) -> None:
    """`01/02/2025` is 1 February: a project from then to 2029-01-31 is exactly 48 months, and
    passes KL503; read month first (2 January) it would not."""
    result = check(tmp_path, replace(App(), start="01/02/2025", end="31/01/2029"))
    assert result.codes == ["KL504"]  # only: the end lies after the programme period


@pytest.mark.parametrize(
    ("make", "grant"),
    [
        pytest.param(App, "Innovationsbevilling", id="innovationsbevilling"),
        pytest.param(App, " innovation ", id="lower-case-spaces"),
        pytest.param(basis_app, "Basisbevilling", id="basisbevilling"),
        pytest.param(basis_app, "BASIS", id="upper-case"),
    ],
)
def test_kl006_grant_type_synonyms(tmp_path: Path, make: Any, grant: str) -> None:
    assert check(tmp_path, replace(make(), grant=grant)).codes == []


# --- KL007: formulas without a stored result -------------------------------------------------


@pytest.mark.parametrize(
    ("field", "formula", "location"),
    [
        pytest.param("submitted", "=NOW()", "Ansøger!B6", id="indsendt-not-kl506"),
        pytest.param(
            "designation", '=IF(1,"Udpeget","Nej")', "Ansøger!B7", id="udpegning-not-kl603"
        ),
        pytest.param("unit", '="kr."', "Ansøger!B8", id="enhed-amounts-unknown"),
        pytest.param("grant", '="Innovation"', "Ansøger!B3", id="bevillingstype"),
        pytest.param("cvr", "=12345678", "Ansøger!B2", id="cvr-not-kl601"),
    ],
)
def test_kl007_in_an_applicant_field_is_not_read_as_blank(
    tmp_path: Path, field: str, formula: str, location: str
) -> None:
    """A formula without a result is neither a value nor 'not given' (no KL005/KL506/KL603)."""
    result = check(tmp_path, replace(App(), **{field: formula}))
    assert result.codes == ["KL007"]
    assert result.at("KL007") == [location]


@pytest.mark.parametrize(
    ("column", "location"),
    [
        pytest.param("Balance (mio. EUR)", "SMV-samarbejder!F2", id="balance-not-kl404"),
        pytest.param("CVR", "SMV-samarbejder!C2", id="cvr"),
        pytest.param("Ansatte", "SMV-samarbejder!D2", id="employees"),
    ],
)
def test_kl007_in_an_sme_column_a_check_needs(tmp_path: Path, column: str, location: str) -> None:
    app = App()
    assert app.collaborations
    app.collaborations[0]["Omsætning (mio. EUR)"] = 60  # KL404 would fire on a blank balance
    app.collaborations[0][column] = "=1+1"
    result = check(tmp_path, app)
    assert result.codes == ["KL007"]
    assert result.at("KL007") == [location]


def test_a_formula_in_the_sme_name_column_needs_no_result(tmp_path: Path) -> None:
    app = App()
    assert app.collaborations
    app.collaborations[0]["SMV"] = '="Firma"'
    assert check(tmp_path, app).codes == []


def test_kl007_amount_formula_without_result(tmp_path: Path) -> None:
    app = App()
    app.budget_line("Rejser").amounts[2025] = "=50000*2"
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL007"]  # never read as 0: no KL101/KL102 follow
    assert result.exit_code == 1
    finding = result.only("KL007")
    assert finding["location"] == built.ref(BUDGET, "Rejser", 2025) == "Budget!C4"
    assert finding["severity"] == "error"
    assert_messages(finding)


def test_kl007_smv_amount_formula_without_result(tmp_path: Path) -> None:
    app = App()
    assert app.collaborations is not None
    app.collaborations[0]["Tilskud"] = "=G2*0.7"
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL007"]
    assert result.at("KL007") == [built.ref(SME, 0, "Tilskud")] == ["SMV-samarbejder!H2"]


@pytest.mark.parametrize(
    ("attr", "label"),
    [
        pytest.param("start", "Projektstart", id="projektstart"),
        pytest.param("end", "Projektslut", id="projektslut"),
    ],
)
def test_kl007_date_formula_without_result(tmp_path: Path, attr: str, label: str) -> None:
    built = replace(App(), **{attr: "=DATE(2025,1,1)"}).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL007"]  # not KL005 (it is not empty), no KL503/KL505
    finding = result.only("KL007")
    assert finding["location"] == built.ref(APPLICANT, label)
    assert finding["severity"] == "error"
    assert_messages(finding)


def _attr(tag: str, name: str) -> str:
    found = re.search(rf'\b{re.escape(name)}="([^"]*)"', tag)
    assert found is not None, f"no {name} in {tag}"
    return found.group(1)


def store_results(path: Path, results: dict[str, dict[str, str]]) -> Path:
    """Write the cached result `<v>` of formula cells into the sheet XML, as a spreadsheet
    application does when it saves: {"Budget": {"C4": "100000"}}."""
    with zipfile.ZipFile(path) as zin:
        rels = zin.read("xl/_rels/workbook.xml.rels").decode()
        targets = {
            _attr(tag, "Id"): _attr(tag, "Target")
            for tag in re.findall(r"<Relationship\b[^>]*>", rels)
        }
        parts = {
            "xl/" + targets[_attr(tag, "r:id")].removeprefix("/xl/"): results[_attr(tag, "name")]
            for tag in re.findall(r"<sheet\b[^>]*>", zin.read("xl/workbook.xml").decode())
            if _attr(tag, "name") in results
        }
        assert len(parts) == len(results)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                for cell, value in parts.get(info.filename, {}).items():
                    pattern = rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v\s*/>'.encode()
                    data, count = re.subn(pattern, rb"\g<1><v>" + value.encode() + b"</v>", data)
                    assert count == 1, f"no formula without a result in {cell}"
                zout.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path


def _formula_app() -> Built:
    """Rejser 2025 and Projektstart as formulas; no stated totals, so nothing else depends on
    how the formulas are read but the balance of costs and financing."""
    app = replace(
        App(),
        start="=DATE(2025,1,1)",
        layout=Layout(stated_totals=False, totals_row=False),
    )
    app.budget_line("Rejser").amounts[2025] = "=50000*2"
    built = app.build()
    built.number_formats[APPLICANT] = {
        built.ref(APPLICANT, "Projektstart").split("!")[1]: "d-m-yyyy"
    }
    return built


def test_kl007_the_same_formulas_with_stored_results(tmp_path: Path) -> None:
    built = _formula_app()
    path = built.write(tmp_path / "application.xlsx")
    assert run_check(path).codes == ["KL007", "KL007"]
    # 100000 = 50000*2, 45658 = 2025-01-01 as an Excel date serial
    store_results(path, {BUDGET: {"C4": "100000"}, APPLICANT: {"B4": "45658"}})
    result = run_check(path)
    assert result.codes == []  # read, and read as 100.000 kr. (0 would unbalance: KL102)
    assert result.exit_code == 0


def test_kl007_stored_result_is_the_value_read(tmp_path: Path) -> None:
    """The stored result is what counts: a result of 0 for Rejser 2025 leaves 100.000 kr. of
    financing unmatched."""
    path = _formula_app().write(tmp_path / "application.xlsx")
    store_results(path, {BUDGET: {"C4": "0"}, APPLICANT: {"B4": "45658"}})
    result = run_check(path)
    assert "KL007" not in result.codes
    assert "KL102" in result.codes


def test_kl007_soffice_saved_copy_has_results(tmp_path: Path) -> None:
    """A program-written workbook opened and saved by LibreOffice stores its formula results."""
    built = _formula_app()
    source = built.write(tmp_path / "written.xlsx")
    outdir = tmp_path / "saved"
    outdir.mkdir()
    convert([source], "xlsx", outdir)  # LibreOffice itself, never a recording
    saved = outdir / "written.xlsx"
    with zipfile.ZipFile(saved) as archive:
        sheets = b"".join(
            archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")
        )
    # still formulas, now with their results
    assert re.search(rb"<f[^>]*>50000\*2</f><v>100000</v>", sheets)
    assert re.search(rb"<f[^>]*>DATE\(2025,1,1\)</f><v>45658</v>", sheets)
    result = run_check(saved)
    assert result.codes == []


# --- KL008: unknown category or source -----------------------------------------------------


@pytest.mark.parametrize(
    ("app", "sheet", "label", "unknown"),
    [
        pytest.param(App(), FINANCING, "Regionalfonden", "Regionalfondne", id="regional-no-kl301"),
        pytest.param(App(), BUDGET, "Løn", "Lønninger", id="staff-no-kl304"),
        pytest.param(
            App(), BUDGET, "Tilskud til SMV-samarbejder", "SMV tilskud", id="sme-line-no-kl105"
        ),
        pytest.param(
            basis_app(),
            FINANCING,
            "Privat kontant medfinansiering",
            "Private bidrag",
            id="private-cash-no-kl303",
        ),
    ],
)
def test_kl008_alone_no_cascade_from_an_unknown_label(
    tmp_path: Path, app: App, sheet: str, label: str, unknown: str
) -> None:
    """rules.md decided item 6: the rules that need the category or source stay silent."""
    line = app.financing_line(label) if sheet == FINANCING else app.budget_line(label)
    line.label = unknown
    result = check(tmp_path, app)
    assert result.codes == ["KL008"]
    assert result.only("KL008")["found"] == unknown


@pytest.mark.parametrize(
    ("kind", "label", "typo", "nearest"),
    [
        pytest.param("budget", "Rejser", "Rejsr", "Rejser", id="category-typo"),
        pytest.param("budget", "Revision", "Revisor", "Revision", id="category-revisor"),
        pytest.param("financing", OWN, "Egen finansiering", OWN, id="source-typo"),
        pytest.param("financing", PRIVATE, "Privat medfinansiering", PRIVATE, id="source-short"),
    ],
)
def test_kl008_unknown_label(
    tmp_path: Path, kind: str, label: str, typo: str, nearest: str
) -> None:
    app = App()
    line = app.budget_line(label) if kind == "budget" else app.financing_line(label)
    line.label = typo
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL008"]  # the amounts still count: no KL102 follows
    assert result.exit_code == 1
    finding = result.only("KL008")
    role, key = (BUDGET, "Kategori") if kind == "budget" else (FINANCING, "Kilde")
    assert finding["location"] == built.ref(role, typo, key)
    assert finding["severity"] == "error"
    assert finding["found"] == typo
    assert_quoted(finding, typo)
    assert f"'{nearest}'" in finding["message"]["da"]  # the nearest known name
    assert f"'{nearest}'" in finding["message"]["en"]
    assert_messages(finding)


def test_kl008_row_with_amounts_and_no_label(tmp_path: Path) -> None:
    app = App()
    app.budget.insert(2, Line("", {2025: 5_000}))
    add(app, "financing", OWN, 2025, 5_000)
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL008"]
    assert result.at("KL008") == ["Budget!A4"]


@pytest.mark.parametrize(
    "heading",
    [
        pytest.param(Line("Drift og aktiviteter", {}, total=None), id="heading"),
        pytest.param(
            Line("Sekretariat", {}, description="Omkostninger til sekretariatet", total=None),
            id="heading-with-description",
        ),
        pytest.param(Line("Alle beløb er ekskl. moms", {}, total=None), id="note"),
    ],
)
def test_kl008_heading_row_without_amounts(tmp_path: Path, heading: Line) -> None:
    app = App()
    app.budget.insert(0, heading)
    app.financing.insert(1, Line("Offentlige midler", {}, total=None))
    assert check(tmp_path, app).codes == []


@pytest.mark.parametrize(
    ("kind", "label", "synonym"),
    [
        pytest.param("budget", "Løn", "Staff costs", id="staff-costs"),
        pytest.param("budget", "Løn", "Lønomkostninger", id="loenomkostninger"),
        pytest.param("budget", "Indirekte omkostninger", "Overhead", id="overhead"),
        pytest.param("budget", "Øvrige omkostninger", "oevrige omkostninger:", id="ascii-colon"),
        pytest.param("financing", "Regionalfonden", "ERDF", id="erdf"),
        pytest.param("financing", OWN, "In-kind", id="in-kind"),
        pytest.param("financing", PRIVATE, "  PRIVATE   CASH ", id="case-and-spaces"),
    ],
)
def test_kl008_synonyms_are_known(tmp_path: Path, kind: str, label: str, synonym: str) -> None:
    app = App()
    line = app.budget_line(label) if kind == "budget" else app.financing_line(label)
    line.label = synonym
    assert check(tmp_path, app).codes == []


# --- KL009: amounts stored as text -----------------------------------------------------------


def test_kl009_amount_stored_as_text(tmp_path: Path) -> None:
    app = App()
    app.budget_line("Løn").amounts[2025] = "3.000.000"
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL009"]
    assert result.exit_code == 0  # a warning only
    finding = result.only("KL009")
    assert finding["location"] == built.ref(BUDGET, "Løn", 2025) == "Budget!C2"
    assert finding["severity"] == "warning"
    assert finding["found"] == "3.000.000"
    assert "3.000.000 kr." in finding["message"]["da"]  # what it was read as
    assert "DKK 3,000,000" in finding["message"]["en"]
    assert_messages(finding)


def test_kl009_fails_with_fail_on_warning(tmp_path: Path) -> None:
    app = App()
    app.budget_line("Løn").amounts[2025] = "3.000.000"
    result = check(tmp_path, app, "--fail-on", "warning")
    assert result.codes == ["KL009"]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1.234.567,50", id="danish"),
        pytest.param("1 234 567,50", id="danish-spaces"),
        pytest.param("1,234,567.50", id="english"),
        pytest.param("kr. 1.234.567", id="kr-before"),
        pytest.param("1.234.567 kr.", id="kr-after"),
        pytest.param("1234567,5", id="no-thousands-one-decimal"),
    ],
)
def test_kl009_text_formats_are_read(tmp_path: Path, text: str) -> None:
    """The spec's text formats are read (KL009), not KL006: `Øvrige omkostninger` 2025 becomes
    the text, and own financing 2025 grows by the same amount, so a misread amount would show
    as KL102/KL103."""
    value = parse_amount_text(text)
    assert value is not None
    app = App()
    app.budget_line("Øvrige omkostninger").amounts[2025] = text
    add(app, "financing", OWN, 2025, value - 150_000)
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL009"]
    finding = result.only("KL009")
    assert finding["location"] == built.ref(BUDGET, "Øvrige omkostninger", 2025)
    assert finding["found"] == text
    read_as = "DKK 1,234,567.50" if value % 1 else "DKK 1,234,567"
    assert read_as in finding["message"]["en"]


@pytest.mark.parametrize(
    ("where", "cell"),
    [
        pytest.param("financing", "Finansiering!C2", id="finansiering"),
        pytest.param("sme", "SMV-samarbejder!H2", id="smv-tilskud"),
    ],
)
def test_kl009_in_other_sheets(tmp_path: Path, where: str, cell: str) -> None:
    app = App()
    if where == "financing":
        app.financing_line("Regionalfonden").amounts[2025] = "2.200.000"
    else:
        assert app.collaborations is not None
        app.collaborations[0]["Tilskud"] = "924.000"
    result = check(tmp_path, app)
    assert result.codes == ["KL009"]
    assert result.at("KL009") == [cell]


def test_kl009_not_for_numbers_with_text_format(tmp_path: Path) -> None:
    """Decided item 3: numeric cells with the Text number format `@` are numbers, no finding."""
    built = replace(App(), layout=Layout(text_number_format=True)).build()
    path = built.write(tmp_path / "application.xlsx")
    sheet = load_workbook(path)[BUDGET]
    cell = sheet[built.ref(BUDGET, "Løn", 2025).split("!")[1]]
    assert cell.number_format == "@" and cell.data_type == "n"  # a number, formatted as text
    result = run_check(path)
    assert result.codes == []
    assert result.exit_code == 0


# --- KL010: negative amounts -------------------------------------------------------------------


def _negative_budget(app: App) -> tuple[str, str | int, str | int]:
    app.budget_line("Rejser").amounts[2025] = -100_000
    add(app, "budget", "Øvrige omkostninger", 2025, 200_000)  # costs in 2025 unchanged
    return BUDGET, "Rejser", 2025


def _negative_financing(app: App) -> tuple[str, str | int, str | int]:
    app.financing_line(OWN).amounts[2025] = -100_000
    add(app, "financing", PRIVATE, 2025, 470_000)
    return FINANCING, OWN, 2025


def _negative_overhead(app: App) -> tuple[str, str | int, str | int]:
    assert app.collaborations is not None
    app.collaborations[0]["Overhead"] = -100_000  # was 60.000
    add(app, "budget", SME_GRANTS, 2025, -160_000)
    add(app, "financing", OWN, 2025, -160_000)
    return SME, 0, "Overhead"


@pytest.mark.parametrize(
    ("make", "cell"),
    [
        pytest.param(_negative_budget, "Budget!C4", id="budget"),
        pytest.param(_negative_financing, "Finansiering!C6", id="finansiering"),
        pytest.param(_negative_overhead, "SMV-samarbejder!I2", id="smv-overhead"),
    ],
)
def test_kl010_negative_amount(tmp_path: Path, make: Any, cell: str) -> None:
    app = App()
    role, row, col = make(app)
    built = app.build()
    result = check(tmp_path, built)
    assert result.codes == ["KL010"]
    assert result.exit_code == 1
    finding = result.only("KL010")
    assert finding["location"] == built.ref(role, row, col) == cell
    assert finding["severity"] == "error"
    assert money(finding["found"]) == -100_000
    assert money(finding["limit"]) == 0
    assert "-100.000 kr." in finding["message"]["da"]
    assert_messages(finding)


def test_kl010_negative_text_amount(tmp_path: Path) -> None:
    """`-100.000` as text: read (KL009) and negative (KL010). No stated totals: the builder
    cannot add a signed text amount."""
    app = replace(App(), layout=Layout(stated_totals=False, totals_row=False))
    _negative_budget(app)
    app.budget_line("Rejser").amounts[2025] = "-100.000"
    result = check(tmp_path, app)
    assert result.codes == ["KL009", "KL010"]
    assert result.at("KL010") == ["Budget!C4"]
    assert money(result.only("KL010")["found"]) == -100_000


@pytest.mark.parametrize(
    "amount",
    [pytest.param(0, id="zero"), pytest.param(None, id="blank"), pytest.param(1, id="one-krone")],
)
def test_kl010_zero_or_blank_is_not_negative(tmp_path: Path, amount: int | None) -> None:
    app = App()
    app.budget_line("Rejser").amounts[2025] = amount
    add(app, "budget", "Øvrige omkostninger", 2025, 100_000 - (amount or 0))
    assert check(tmp_path, app).codes == []


# --- units: Enhed and units in headers -----------------------------------------------------


def _over_ceiling(app: App) -> App:
    """The first collaboration's Tilskud 1.000 kr. over 70 % (925.000 of 1.320.000), with the
    SMV cost line and own financing raised to match."""
    assert app.collaborations is not None
    app.collaborations[0]["Tilskud"] = 925_000
    add(app, "budget", SME_GRANTS, 2025, 1_000)
    add(app, "financing", OWN, 2025, 1_000)
    return app


@pytest.mark.parametrize(
    ("unit", "factor"),
    [
        pytest.param("1.000 kr.", 1_000, id="1.000-kr"),
        pytest.param("t.kr.", 1_000, id="t.kr"),
        pytest.param("tkr", 1_000, id="tkr"),
        pytest.param("DKK 1,000", 1_000, id="dkk-1000"),
        pytest.param("mio. kr.", 1_000_000, id="mio-kr"),
        pytest.param("kr.", 1, id="kr"),
    ],
)
def test_unit_clean_app_in_unit_stays_clean(tmp_path: Path, unit: str, factor: int) -> None:
    """`Enhed` scales every amount of Budget, Finansiering and SMV-samarbejder alike; left
    unscaled, the budget would be 23.129 kr. (KL106) or the SMV line off (KL105)."""
    built = replace(App(), unit=unit).build()
    assert Decimal(str(built.cell(BUDGET, "Løn", 2025))) == Decimal(3_000_000) / factor
    assert Decimal(str(built.cell(SME, 0, "Tilskud"))) == Decimal(924_000) / factor
    result = check(tmp_path, built)
    assert result.codes == []


def test_unit_basis_in_thousands_stays_clean(tmp_path: Path) -> None:
    assert check(tmp_path, replace(basis_app(), unit="1.000 kr.")).codes == []


@pytest.mark.parametrize(
    ("unit", "layout"),
    [
        pytest.param(None, Layout(), id="kroner"),
        pytest.param("1.000 kr.", Layout(), id="enhed-1000-kr"),
        pytest.param("1.000 kr.", Layout(year_header="{year} (t.kr.)"), id="header-agrees"),
        pytest.param("t.kr.", Layout(year_header="{year} (1.000 kr.)"), id="header-agrees-2"),
    ],
)
def test_unit_kl401_fix_in_kroner(tmp_path: Path, unit: str | None, layout: Layout) -> None:
    """The same application, its amounts written in kroner or thousands: the SME ceiling fix is
    in kroner; a header unit that agrees with Enhed scales once, not twice."""
    built = _over_ceiling(replace(App(), unit=unit, layout=layout)).build()
    if unit:
        assert built.cell(SME, 0, "Tilskud") == 925
        built.set(SME, "header", "Tilskud", "Tilskud (t.kr.)" if layout.year_header else "Tilskud")
    result = check(tmp_path, built)
    assert result.codes == ["KL401"]
    finding = result.only("KL401")
    assert finding["location"] == built.ref(SME, 0, "Tilskud") == "SMV-samarbejder!H2"
    assert money(finding["found"]) == 925_000
    assert money(finding["limit"]) == 924_000
    assert money(finding["fix"]["amount"]) == 1_000
    assert money(finding["fix"]["target"]) == 924_000
    assert "1.000 kr." in finding["fix"]["da"] and "924.000 kr." in finding["fix"]["da"]


def test_unit_applies_to_text_and_negative_amounts(tmp_path: Path) -> None:
    app = replace(App(), unit="1.000 kr.")
    app.budget_line("Løn").amounts[2025] = "3.000"  # text, in t.kr.: 3.000.000 kr.
    app.budget_line("Rejser").amounts[2025] = -100_000  # written as -100 (t.kr.)
    add(app, "budget", "Øvrige omkostninger", 2025, 200_000)
    built = app.build()
    assert built.cell(BUDGET, "Rejser", 2025) == -100
    result = check(tmp_path, built)
    assert result.codes == ["KL009", "KL010"]
    assert "DKK 3,000,000" in result.only("KL009")["message"]["en"]
    assert money(result.only("KL010")["found"]) == -100_000


def test_unit_header_unit_without_enhed_is_the_column_unit(tmp_path: Path) -> None:
    """Decided item 2: with no Enhed row, `2025 (t.kr.)` is the unit of that column."""
    built = without_row(
        replace(App(), unit="1.000 kr.", layout=Layout(year_header="{year} (t.kr.)")).build(),
        APPLICANT,
        "Enhed",
    )
    for role in (BUDGET, FINANCING):
        built.set(role, "header", "I alt", "I alt (t.kr.)")
    for column in ("FoU-omkostninger", "Tilskud", "Overhead"):
        built.set(SME, "header", column, f"{column} (t.kr.)")
    assert check(tmp_path, built).codes == []


def test_unit_header_contradicting_enhed(tmp_path: Path) -> None:
    """`2025 (mio. kr.)` under Enhed 1.000 kr.: KL006 on that header cell, and the column's
    amounts are not read (no cascade)."""
    built = replace(App(), unit="1.000 kr.").build()
    built.set(BUDGET, "header", 2025, "2025 (mio. kr.)")
    result = check(tmp_path, built)
    assert result.codes == ["KL006"]
    assert result.exit_code == 1
    finding = result.only("KL006")
    assert finding["location"] == built.ref(BUDGET, "header", 2025) == "Budget!C1"
    assert finding["found"] == "2025 (mio. kr.)"
    assert_quoted(finding, "2025 (mio. kr.)")
    assert_messages(finding)


def test_unit_every_contradicting_header_is_reported(tmp_path: Path) -> None:
    built = replace(App(), unit="kr.", layout=Layout(year_header="{year} (t.kr.)")).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL006"] * 8
    assert result.at("KL006") == [
        *(f"Budget!{c}1" for c in "CDEF"),
        *(f"Finansiering!{c}1" for c in "CDEF"),
    ]


def test_unit_unknown_enhed_is_reported_once(tmp_path: Path) -> None:
    """An unreadable Enhed leaves every amount unknown; the rules then say nothing."""
    built = replace(App(), unit="DKK 10").build()
    result = check(tmp_path, built)
    assert result.codes == ["KL006"]
    assert result.at("KL006") == [built.ref(APPLICANT, "Enhed")]


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param(1e300, id="float-1e300"),
        pytest.param("1000000000000000000000000000", id="text-1e27"),
        pytest.param(10**16, id="int-1e16"),
    ],
)
def test_kl006_an_implausibly_large_amount_is_unreadable_not_a_crash(
    tmp_path: Path, amount: CellValue
) -> None:
    app = App()
    app.budget_line("Løn").amounts[2025] = amount
    built = app.build()
    result = check(tmp_path, built)
    assert "KL900" not in result.codes
    assert built.ref(BUDGET, "Løn", 2025) in result.at("KL006")
    assert set(result.codes) == {"KL006"}  # the sums that include it stay silent


def test_a_project_in_year_9999_is_not_a_crash(tmp_path: Path) -> None:
    result = check(tmp_path, replace(App(), start=date(9999, 1, 1), end=date(9999, 12, 31)))
    assert "KL900" not in result.codes
    assert "KL504" in result.codes and "KL503" not in result.codes


# --- error values (#DIV/0!, #N/A): neither blank nor a number ---------------------------------


def test_kl006_an_error_value_in_an_amount_is_never_read_as_0(tmp_path: Path) -> None:
    app = App()
    app.budget_line("Løn").amounts[2025] = "#DIV/0!"  # openpyxl stores it as an error cell
    built = app.build()
    result = check(tmp_path, built)
    assert "KL900" not in result.codes
    assert built.ref(BUDGET, "Løn", 2025) in result.at("KL006")
    assert set(result.codes) == {"KL006"}  # no KL101/KL102 from reading it as 0
    assert "#DIV/0!" in result.findings[0]["message"]["en"]


@pytest.mark.parametrize(
    ("field", "location"),
    [
        pytest.param("end", "Ansøger!B5", id="projektslut-not-kl005"),
        pytest.param("cvr", "Ansøger!B2", id="cvr-not-kl601"),
    ],
)
def test_kl006_an_error_value_in_an_applicant_field(
    tmp_path: Path, field: str, location: str
) -> None:
    result = check(tmp_path, replace(App(), **{field: "#N/A"}))
    assert result.codes == ["KL006"]
    assert result.at("KL006") == [location]


@pytest.mark.parametrize("header", ["2025 budget", "#REF!", "År 2025 ialt"])
def test_kl006_an_unreadable_year_header_without_a_cascade(tmp_path: Path, header: str) -> None:
    built = App().build()
    built.sheets[BUDGET][0][2] = header
    result = check(tmp_path, built)
    assert result.codes == ["KL006"]  # the sums over that column are unknown: no KL101/KL102
    assert result.at("KL006") == ["Budget!C1"]


def test_a_column_with_an_unknown_label_is_still_ignored(tmp_path: Path) -> None:
    built = App().build()
    for row in built.sheets[BUDGET]:
        row.append(None)
    built.sheets[BUDGET][0][-1] = "Kontonr."
    built.sheets[BUDGET][1][-1] = 4711
    assert check(tmp_path, built).codes == []


def test_kl007_found_in_a_cell_without_a_reference(tmp_path: Path) -> None:
    """OOXML allows cells without `r` (they follow the cell before); a formula there that has
    no stored result is still KL007 at the right cell, never 0."""
    source = App().write(tmp_path / "clean.xlsx")
    target = tmp_path / "no-r.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":  # Budget
                data, count = re.subn(rb'<c r="D3"[^>]*>.*?</c>', b"<c><f>1+1</f></c>", data)
                assert count == 1
            out.writestr(info, data)
    result = run_check(target)
    assert result.codes == ["KL007"]
    assert result.at("KL007") == ["Budget!D3"]


# --- found in review: layouts where a literal reading of the rules went wrong -----------------


def test_kl005_points_at_the_field_row_not_at_a_title_repeating_the_label(tmp_path: Path) -> None:
    app = replace(App(), name="  ", layout=Layout(title_rows=("{sheet}",), header_row=3))
    built = app.build()
    assert built.sheets[APPLICANT][0][0] == "Ansøger"  # the title repeats the label
    result = check(tmp_path, built)
    assert result.codes == ["KL005"]
    assert result.at("KL005") == [built.ref(APPLICANT, "Ansøger")]
    assert result.at("KL005") != ["Ansøger!B1"]


def test_a_totals_row_behind_a_hidden_helper_column_is_still_a_totals_row(tmp_path: Path) -> None:
    built = replace(App(), layout=Layout(helper_column=True)).build()
    totals = next(r for r in built.sheets[BUDGET] if "I alt" in r[:3] and r[0] != "Kontonr.")
    totals[0] = 9999  # the helper column holds an account number on the totals row too
    assert check(tmp_path, built).codes == []


@pytest.mark.parametrize("text", ["0,924", "0.500.000"])
def test_kl006_a_thousands_group_cannot_start_with_0(tmp_path: Path, text: str) -> None:
    app = App()
    app.budget_line("Løn").amounts[2025] = text
    result = check(tmp_path, app.build())
    assert "Budget!C2" in result.at("KL006")


def _with_unit_note(app: App, note: str) -> Built:
    """The app written in t.kr. with `Enhed` left out, and `note` above every table."""
    built = replace(app, unit="1.000 kr.", layout=Layout(title_rows=(note,), header_row=3)).build()
    built.sheets[APPLICANT] = [r for r in built.sheets[APPLICANT] if not r or r[0] != "Enhed"]
    return built


@pytest.mark.parametrize("note", ["Alle beløb i 1.000 kr.", "Enhed: t.kr.", "Beløb i tkr"])
def test_a_unit_written_above_the_tables_scales_them(tmp_path: Path, note: str) -> None:
    built = _with_unit_note(App(), note)
    assert built.sheets[BUDGET][0][0] == note
    assert not any(row and row[0] == "Enhed" for row in built.sheets[APPLICANT])
    result = check(tmp_path, built)
    assert result.codes == []  # read in thousands: no KL106, and the figures are in kroner
    assert money(result.report["files"][0]["figures"]["deb_request"]) == App().deb_request()


def test_a_unit_above_a_table_that_contradicts_enhed_is_kl006(tmp_path: Path) -> None:
    layout = Layout(title_rows=("Alle beløb i mio. kr.",), header_row=3)
    built = replace(App(), unit="kr.", layout=layout).build()  # Enhed says kr.
    result = check(tmp_path, built)
    assert set(result.codes) == {"KL006"}  # the amounts' unit is unknown: no cascade
    assert "Budget!A1" in result.at("KL006")
    assert "above the table" in result.findings[0]["message"]["en"]
