"""The first line of defence (issue 13): each class of hostile file, built here at test time,
is answered by the screen with a clean KL001 or KL011 before python-calamine touches it, and
quickly; ordinary workbooks (and their LibreOffice re-saves) pass the screen untouched."""

from __future__ import annotations

import os
import struct
import time
import zipfile
from pathlib import Path

import pytest

from klyngecli.callspec import load_call
from klyngecli.findings import Finding
from klyngecli.reader.limits import Limits
from klyngecli.reader.prescreen import Screened, prescreen
from klyngecli.reader.workbook import read_workbook
from tests.conftest import EXPECTED, SAMPLES
from tests.hostile import (
    MAIN,
    Parts,
    biff,
    brt,
    dimensions,
    number,
    ods,
    ole,
    real_cell,
    row_header,
    shared_strings,
    wide,
    workbook_rels,
    workbook_xml,
    worksheet,
    write_zip,
    xls_stream,
    xlsb,
    xlsb_sheet,
    xlsb_strings,
    xlsx,
)

HANG = 20.0  # seconds: a generous bound that only a hang or a quadratic walk exceeds
FAR = 16384 * 1048576  # A1:XFD1048576


def answer(path: Path, limits: Limits | None = None) -> Finding:
    """The one finding the reader gives the file, which must come quickly."""
    start = time.monotonic()
    application, findings = read_workbook(path, load_call(), limits)
    assert time.monotonic() - start < HANG
    assert application is None
    assert len(findings) == 1, [f.code for f in findings]
    return findings[0]


def refused(path: Path, code: str, limits: Limits | None = None) -> Finding:
    finding = answer(path, limits)
    assert finding.code == code, finding.message_en
    assert finding.message_da != finding.message_en
    return finding


def far_cell(tmp_path: Path, cell: str, prefix: str = "") -> Path:
    rows = f'<row r="1"><c r="A1"><v>1</v></c></row>{cell}'
    sheet = (
        worksheet(rows)
        if not prefix
        else (
            f'<{prefix}:worksheet xmlns:{prefix}="{MAIN}"><{prefix}:sheetData>{rows}'
            f"</{prefix}:sheetData></{prefix}:worksheet>"
        ).encode()
    )
    return write_zip(tmp_path / "far.xlsx", xlsx({"Budget": sheet, "Ansøger": worksheet("")}))


# --- xlsx: the extent, however the XML is written ----------------------------------------------


@pytest.mark.parametrize(
    ("cell", "prefix"),
    [
        pytest.param('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "", id="plain"),
        pytest.param(
            "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>", "", id="single-quotes"
        ),
        pytest.param('<row r = "1048576"><c r = "XFD1048576"><v>1</v></c></row>', "", id="spaces"),
        pytest.param('<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>', "", id="lower-case"),
        pytest.param(
            '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>', "x", id="prefix"
        ),
        pytest.param(
            '<row r="1048576"><c r="XFD1048576"><f>1+1</f></c></row>', "", id="formula-only"
        ),
    ],
)
def test_a_far_cell_is_kl011_however_it_is_written(tmp_path: Path, cell: str, prefix: str) -> None:
    finding = refused(far_cell(tmp_path, cell, prefix), "KL011")
    assert finding.found == FAR
    assert finding.limit == 2_000_000
    assert "Budget" in finding.message_en and "Budget" in finding.message_da


def test_cells_without_a_reference_are_placed_by_counting(tmp_path: Path) -> None:
    """Cells without `r` in row 200, one after the other: the 10,001st makes 200 × 10,001 cells,
    the first extent over the limit (the screen stops there)."""
    cells = "<c><v>1</v></c>" * 16384
    finding = refused(far_cell(tmp_path, f'<row r="200">{cells}</row>'), "KL011")
    assert finding.found == 200 * 10_001


def test_a_row_without_a_reference_follows_the_row_before(tmp_path: Path) -> None:
    rows = '<row r="2999999"><c r="A2999999"/></row><row/><row><c><v>1</v></c></row>'
    assert refused(far_cell(tmp_path, rows), "KL011").found == 3_000_001


def test_empty_far_cells_are_not_counted(tmp_path: Path) -> None:
    """A styled empty cell far away (`<c r="XFD9" s="1"/>`) holds nothing: calamine builds no
    value for it, and the screen does not count it."""
    path = far_cell(tmp_path, '<row r="1048576"><c r="XFD1048576" s="1"/></row>')
    assert isinstance(prescreen(path, Limits(), lambda name: True), Screened)


def test_a_far_cell_in_a_sheet_the_reader_never_loads_is_not_screened(tmp_path: Path) -> None:
    far = worksheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    path = write_zip(tmp_path / "notes.xlsx", xlsx({"Noter": far, "Budget": worksheet("")}))
    assert isinstance(prescreen(path, Limits(), lambda name: name == "Budget"), Screened)


# --- xlsx: what the screen cannot see is not read ----------------------------------------------

DOCTYPE = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'


@pytest.mark.parametrize(
    "part",
    [
        pytest.param("workbook", id="doctype-in-workbook"),
        pytest.param("rels", id="doctype-in-relationships"),
        pytest.param("sheet", id="doctype-in-sheet"),
        pytest.param("entity", id="undefined-entity-in-relationships"),
        pytest.param("broken", id="sheet-not-well-formed"),
        pytest.param("encoding", id="sheet-in-an-unknown-encoding"),
    ],
)
def test_a_part_the_screen_cannot_read_is_kl001(tmp_path: Path, part: str) -> None:
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    sheet = worksheet(far)
    workbook, rels = workbook_xml(["Budget"]), workbook_rels(["worksheets/sheet1.xml"])
    if part == "workbook":
        workbook = workbook_xml(["Budget"], head=DOCTYPE)
    elif part == "rels":
        rels = workbook_rels(["worksheets/sheet1.xml"], head=DOCTYPE)
    elif part == "sheet":
        sheet = DOCTYPE.encode() + sheet.replace(b"<v>1</v>", b"<v>&b;</v>")
    elif part == "entity":
        rels = rels.replace(b'Target="', b'Target="&unknown;')
    elif part == "broken":
        sheet = sheet.replace(b"<sheetData>", b"<sheetData><row></sheet>")
    else:
        sheet = b'<?xml version="1.0" encoding="UTb-8"?>' + sheet
    parts = xlsx({"Budget": sheet}, workbook=workbook, rels=rels)
    refused(write_zip(tmp_path / f"{part}.xlsx", parts), "KL001")


def test_two_entries_of_the_same_name_are_kl001(tmp_path: Path) -> None:
    """Decided item 18: the first copy asks 30 mio. kr., the second passes; neither is read."""
    parts = xlsx({"Budget": worksheet('<row r="1"><c r="A1"><v>1</v></c></row>')})
    parts.append(("xl/worksheets/sheet1.xml", worksheet('<row r="1"><c r="A1"><v>2</v></c></row>')))
    finding = refused(write_zip(tmp_path / "twice.xlsx", parts), "KL001")
    assert "xl/worksheets/sheet1.xml" in finding.message_en


def test_two_entries_that_differ_only_in_case_are_kl001(tmp_path: Path) -> None:
    parts = [*xlsx({"Budget": worksheet("")}), ("XL/Worksheets/Sheet1.xml", worksheet(""))]
    refused(write_zip(tmp_path / "case.xlsx", parts), "KL001")


def test_two_sheets_on_one_part_are_kl001(tmp_path: Path) -> None:
    sheet = worksheet('<row r="1"><c r="A1"><v>1</v></c></row>')
    rels = workbook_rels(["worksheets/sheet1.xml", "worksheets/sheet1.xml"])
    parts = xlsx({"Budget": sheet, "Finansiering": sheet}, rels=rels)
    assert "same part" in refused(write_zip(tmp_path / "one.xlsx", parts), "KL001").message_en


def test_two_sheets_of_one_name_are_kl001(tmp_path: Path) -> None:
    workbook = workbook_xml(["Budget", "Budget"])
    parts = xlsx({"Budget": worksheet(""), "Ansøger": worksheet("")}, workbook=workbook)
    refused(write_zip(tmp_path / "names.xlsx", parts), "KL001")


def test_a_cell_reference_calamine_cannot_read_is_kl001(tmp_path: Path) -> None:
    refused(far_cell(tmp_path, '<row r="2"><c r="$B$2"><v>1</v></c></row>'), "KL001")


# --- xlsx: amplification under the size limits -------------------------------------------------


def test_a_million_references_to_one_shared_string_is_over_the_cells_limit(
    tmp_path: Path,
) -> None:
    """One shared string, referenced by a million cells in rows that do not compress well."""
    rows = "".join(
        f'<row r="{r}">' + '<c t="s"><v>0</v></c>' * 100 + f"<!--{r * 2654435761 % 2**32:x}-->"
        "</row>"
        for r in range(1, 10_001)
    )
    path = write_zip(
        tmp_path / "refs.xlsx", xlsx({"Budget": worksheet(rows)}, shared_strings(["x"]))
    )
    assert path.stat().st_size < 1 << 20
    finding = refused(path, "KL011")
    assert finding.limit == 200_000
    assert "cells holding a value" in finding.message_en


def test_a_long_shared_string_referenced_often_is_over_the_text_limit(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 2001))
    strings = shared_strings(["ab" * 15_000])
    path = write_zip(tmp_path / "long.xlsx", xlsx({"Budget": worksheet(rows)}, strings))
    finding = refused(path, "KL011")
    assert finding.limit == 50_000_000
    assert "text characters" in finding.message_en


def test_a_declared_string_count_calamine_would_reserve_is_kl011(tmp_path: Path) -> None:
    strings = shared_strings(["a"], declared=30_000_000)
    path = write_zip(tmp_path / "count.xlsx", xlsx({"Budget": worksheet("")}, strings))
    assert refused(path, "KL011").found == 30_000_000


def test_many_tiny_shared_strings_are_counted(tmp_path: Path) -> None:
    strings = shared_strings([f"{i:x}" for i in range(2_001)], declared=1)
    path = write_zip(tmp_path / "tiny.xlsx", xlsx({"Budget": worksheet("")}, strings))
    finding = refused(path, "KL011", Limits(max_shared_strings=2_000))
    assert (finding.found, finding.limit) == (2_001, 2_000)


def test_many_sheets_are_kl011(tmp_path: Path) -> None:
    sheets = {f"S{i}": worksheet("") for i in range(257)}
    assert refused(write_zip(tmp_path / "sheets.xlsx", xlsx(sheets)), "KL011").limit == 256


def test_a_huge_element_count_is_bounded(tmp_path: Path) -> None:
    junk = "".join(f"<j{i % 997}/>" for i in range(20_001))
    sheet = worksheet("").replace(b"<sheetData>", f"<extLst>{junk}</extLst><sheetData>".encode())
    path = write_zip(tmp_path / "junk.xlsx", xlsx({"Budget": sheet}))
    assert refused(path, "KL011", Limits(max_records=20_000)).limit == 20_000


# --- ods ---------------------------------------------------------------------------------------


def ods_file(tmp_path: Path, rows: str, name: str = "Budget") -> Path:
    table = f'<table:table table:name="{name}">{rows}</table:table>'
    return write_zip(tmp_path / "book.ods", ods(table), zipfile.ZIP_STORED)


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(
            '<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
            'table:number-columns-repeated="16384" office:value-type="float" office:value="1"/>'
            "</table:table-row>",
            id="repeated-rows-and-columns-of-a-value",
        ),
        pytest.param(
            '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
            'office:value-type="float" office:value="1"/><table:table-cell '
            'office:value-type="float" office:value="2"/><table:table-cell '
            'office:value-type="float" office:value="3"/></table:table-row>',
            id="a-dense-sheet-under-the-container-limits",
        ),
        pytest.param(
            "<table:table-row><table:table-cell/></table:table-row>"
            * 3
            + '<table:table-row table:number-rows-repeated="3000000"><table:table-cell/>'
            '</table:table-row><table:table-row><table:table-cell office:value-type="float" '
            'office:value="1"/></table:table-row>',
            id="a-value-after-a-million-empty-rows",
        ),
        pytest.param(
            '<table:table-row table:number-rows-repeated="200"><table:table-cell '
            'table:number-columns-repeated="16000"/><table:table-cell office:value-type="float" '
            'office:value="1"/></table:table-row>',
            id="a-value-after-thousands-of-empty-cells",
        ),
    ],
)
def test_ods_repeats_that_make_a_huge_range_are_kl011(tmp_path: Path, rows: str) -> None:
    refused(ods_file(tmp_path, rows), "KL011")


def test_ods_repeats_multiply_a_long_text(tmp_path: Path) -> None:
    text = "x" * 10_000
    rows = (
        '<table:table-row table:number-rows-repeated="100"><table:table-cell '
        f'table:number-columns-repeated="100" office:value-type="string" '
        f'office:string-value="{text}"/></table:table-row>'
    )
    finding = refused(ods_file(tmp_path, rows), "KL011")
    assert "text characters" in finding.message_en
    assert finding.found == 100_000_000


def test_ods_spaces_count_as_text(tmp_path: Path) -> None:
    rows = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>a'
        '<text:s text:c="100000000"/></text:p></table:table-cell></table:table-row>'
    )
    assert "text characters" in refused(ods_file(tmp_path, rows), "KL011").message_en


def test_ods_trailing_empty_rows_and_columns_are_normal(tmp_path: Path) -> None:
    """LibreOffice ends each sheet with a million empty rows and columns: not a range."""
    rows = (
        '<table:table-row><table:table-cell office:value-type="float" office:value="1"/>'
        '<table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
    )
    assert isinstance(prescreen(ods_file(tmp_path, rows), Limits(), lambda n: True), Screened)


def test_ods_two_tables_of_one_name_are_kl001(tmp_path: Path) -> None:
    table = '<table:table table:name="Budget"></table:table>'
    path = write_zip(tmp_path / "twice.ods", ods(table * 2))
    refused(path, "KL001")


# --- xlsb --------------------------------------------------------------------------------------


def xlsb_file(tmp_path: Path, parts: Parts) -> Path:
    return write_zip(tmp_path / "book.xlsb", parts)


def test_xlsb_far_cell_is_kl011(tmp_path: Path) -> None:
    sheet = xlsb_sheet(row_header(1048575) + real_cell(16383, 1.0))
    assert refused(xlsb_file(tmp_path, xlsb(sheet)), "KL011").found == FAR


def test_xlsb_column_past_excel_is_kl011(tmp_path: Path) -> None:
    sheet = xlsb_sheet(row_header(0) + real_cell(0xFFFF_FFF0, 1.0))
    refused(xlsb_file(tmp_path, xlsb(sheet)), "KL011")


def test_xlsb_short_cell_record_is_kl001_not_read_from_stale_bytes(tmp_path: Path) -> None:
    """A BrtCellReal cut to its column: calamine would take the double from the record before."""
    short = brt(0x05, struct.pack("<I", 1) + bytes(4))
    sheet = xlsb_sheet(row_header(0) + real_cell(0, 30_000_000.0) + short)
    refused(xlsb_file(tmp_path, xlsb(sheet)), "KL001")


def test_xlsb_record_past_the_end_of_its_part_is_kl001(tmp_path: Path) -> None:
    sheet = xlsb_sheet(row_header(0) + b"\x05\xff\xff\x7f" + bytes(20))
    refused(xlsb_file(tmp_path, xlsb(sheet)), "KL001")


def test_xlsb_huge_shared_string_count_is_kl011(tmp_path: Path) -> None:
    parts = xlsb(xlsb_sheet(row_header(0)), xlsb_strings(["a"], declared=50_000_000))
    assert refused(xlsb_file(tmp_path, parts), "KL011").found == 50_000_000


def test_xlsb_index_past_the_shared_strings_is_kl001(tmp_path: Path) -> None:
    isst = brt(0x07, struct.pack("<I", 0) + bytes(4) + struct.pack("<I", 5))
    parts = xlsb(xlsb_sheet(row_header(0) + isst), xlsb_strings(["a"]))
    refused(xlsb_file(tmp_path, parts), "KL001")


def test_xlsb_shared_string_references_count_as_text(tmp_path: Path) -> None:
    isst = brt(0x07, struct.pack("<I", 0) + bytes(4) + struct.pack("<I", 0))
    parts = xlsb(xlsb_sheet(row_header(0) + isst * 100), xlsb_strings(["ab" * 500]))
    finding = refused(xlsb_file(tmp_path, parts), "KL011", Limits(max_text_chars=50_000))
    assert finding.found == 51_000


def test_xlsb_sheet_without_its_relationship_is_kl001(tmp_path: Path) -> None:
    parts = [
        (name, data.replace(wide("rId1"), wide("rId9")) if name == "xl/workbook.bin" else data)
        for name, data in xlsb(xlsb_sheet(row_header(0)))
    ]
    refused(xlsb_file(tmp_path, parts), "KL001")


def test_an_ordinary_xlsb_passes_the_screen(tmp_path: Path) -> None:
    sheet = xlsb_sheet(row_header(1) + real_cell(2, 7.5))
    path = xlsb_file(tmp_path, xlsb(sheet, xlsb_strings(["a", "b"])))
    assert isinstance(prescreen(path, Limits(), lambda n: True), Screened)
    _, findings = read_workbook(path, load_call())
    assert "KL001" not in [f.code for f in findings] and "KL011" not in [f.code for f in findings]


# --- xls ---------------------------------------------------------------------------------------


def xls_file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "book.xls"
    path.write_bytes(data)
    return path


def test_xls_far_dimensions_are_kl011(tmp_path: Path) -> None:
    """calamine reserves rows × columns for a DIMENSIONS record before it reads one cell."""
    stream = xls_stream(dimensions(0xFFFF_FFFF, 0xFF) + number(0, 0, 1.0))
    finding = refused(xls_file(tmp_path, ole(stream)), "KL011")
    assert finding.found == 0xFFFF_FFFF * 0xFF
    assert "DIMENSIONS" in finding.message_en


def test_xls_far_cell_is_kl011(tmp_path: Path) -> None:
    stream = xls_stream(dimensions(1, 1) + number(0, 0, 1.0) + number(65535, 255, 2.0))
    assert refused(xls_file(tmp_path, ole(stream)), "KL011").found == 65536 * 256


def test_xls_shared_strings_are_counted(tmp_path: Path) -> None:
    stream = xls_stream(dimensions(1, 1), sst=[f"{i}" for i in range(101)])
    finding = refused(xls_file(tmp_path, ole(stream)), "KL011", Limits(max_shared_strings=100))
    assert finding.found == 101


def test_xls_many_continue_records_are_kl011(tmp_path: Path) -> None:
    sst = biff(0x00FC, struct.pack("<II", 1, 1)) + biff(0x003C, b"\0") * 20
    stream = xls_stream(dimensions(1, 1)).replace(biff(0x000A), sst + biff(0x000A), 1)
    limits = Limits(max_continue_records=10)
    assert refused(xls_file(tmp_path, ole(stream)), "KL011", limits).limit == 10


@pytest.mark.parametrize("loop", ["fat_loop", "difat_loop"])
def test_a_looping_sector_table_is_kl001_at_once(tmp_path: Path, loop: str) -> None:
    stream = xls_stream(dimensions(1, 1) + number(0, 0, 1.0))
    finding = refused(xls_file(tmp_path, ole(stream, **{loop: True})), "KL001")
    assert "loops" in finding.message_en


def test_an_ordinary_xls_passes_the_screen(tmp_path: Path) -> None:
    path = xls_file(tmp_path, ole(xls_stream(dimensions(2, 3) + number(1, 2, 4.5))))
    assert isinstance(prescreen(path, Limits(), lambda n: True), Screened)


# --- NaN (decided item 17) ---------------------------------------------------------------------


def test_a_nan_number_is_reported_with_the_error_values(tmp_path: Path) -> None:
    """calamine reads NaN as a number, and under a date format as 1899-12-30; the screen names
    it so the reader can give KL006."""
    sheet = worksheet('<row r="2"><c r="B2"><v>NaN</v></c><c r="C2" t="e"><v>#N/A</v></c></row>')
    path = write_zip(tmp_path / "nan.xlsx", xlsx({"Budget": sheet}))
    screened = prescreen(path, Limits(), lambda n: True)
    assert isinstance(screened, Screened)
    assert screened.errors["Budget"] == {(1, 1): "NaN", (1, 2): "#N/A"}
    stream = xls_stream(dimensions(1, 1) + number(0, 0, float("nan")))
    screened = prescreen(xls_file(tmp_path, ole(stream)), Limits(), lambda n: True)
    assert isinstance(screened, Screened)
    assert screened.errors["Budget"] == {(0, 0): "NaN"}


# --- ordinary workbooks ------------------------------------------------------------------------


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.xlsx")), ids=lambda p: p.stem)
def test_sample_budgets_pass_the_screen(sample: Path) -> None:
    """Every sheet screened; the reader then gets the very bytes the screen saw."""
    screened = prescreen(sample, Limits(), lambda n: True)
    assert isinstance(screened, Screened)
    assert screened.data == sample.read_bytes()
    _, findings = read_workbook(sample, load_call())
    assert not {"KL001", "KL011"} & {f.code for f in findings}


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A sample re-saved by LibreOffice as .ods and .xls (its own trailing repeats and all)."""
    from tests.libreoffice import resave_one

    folder = tmp_path_factory.mktemp("resave")
    source = SAMPLES / "innovation-korrekt.xlsx"
    return [resave_one(source, extension, folder) for extension in ("ods", "xls")]


def test_libreoffice_resaves_pass_the_screen_and_read_as_the_xlsx(resaved: list[Path]) -> None:
    for path in resaved:
        assert isinstance(prescreen(path, Limits(), lambda n: True), Screened), path.name
        application, findings = read_workbook(path, load_call())
        assert application is not None and findings == [], (path.name, findings)


def test_a_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    assert "not a regular file" in refused(fifo, "KL001").message_en


def test_a_nan_date_cell_is_kl006_never_1899_12_30(tmp_path: Path) -> None:
    """Decided item 17 end to end: a program wrote NaN into the date cell of Projektstart (a
    date format): KL006 at that cell, never the date 1899-12-30, and no cascade of KL50x."""
    from tests.conftest import run_check
    from tests.workbooks import App

    path = App().write(tmp_path / "nan.xlsx")
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    serial = b"<v>45658</v>"  # 2025-01-01, the start date
    assert parts["xl/worksheets/sheet1.xml"].count(serial) == 1
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        serial, b"<v>NaN</v>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    result = run_check(path)
    assert result.codes == ["KL006"], result.codes
    assert "NaN" in result.only("KL006")["message"]["en"]


def test_every_limit_is_documented_with_its_default() -> None:
    """The README's Safety table and `klynge explain KL011` name every limit of the screen
    with its default, so neither can drift from `Limits`."""
    from klyngecli.codes import KL011
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text("utf-8")
    doc = KL011.text("en")
    for name, field in Limits.model_fields.items():
        kebab = name.replace("_", "-")
        default = f"{field.default:,}".replace(",", ".")
        assert f"`{kebab}`" in readme, kebab
        assert kebab in doc and default in doc, (kebab, default)


# --- All classes in one batch with ordinary workbooks (the worker isolation behind the screen) --


def _hostile_inbox(folder: Path) -> dict[str, str]:
    """One file of each hostile class under the default limits, named after it: name → the code
    the batch must answer with."""
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    expected: dict[str, str] = {}

    def add(name: str, code: str, parts: Parts | bytes, method: int = zipfile.ZIP_DEFLATED) -> None:
        path = folder / name
        if isinstance(parts, bytes):
            path.write_bytes(parts)
        else:
            write_zip(path, parts, method)
        expected[name] = code

    add("far-single-quotes.xlsx", "KL011", xlsx({"Budget": worksheet(far.replace('"', "'"))}))
    add("far-spaces.xlsx", "KL011", xlsx({"Budget": worksheet(far.replace("r=", "r = "))}))
    add("far-lower-case.xlsx", "KL011", xlsx({"Budget": worksheet(far.replace("XFD", "xfd"))}))
    prefixed = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1048576"><x:c r="XFD1048576">'
        "<x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>"
    ).encode()
    add("far-prefix.xlsx", "KL011", xlsx({"Budget": prefixed}))
    add(
        "doctype-workbook.xlsx",
        "KL001",
        xlsx({"Budget": worksheet(far)}, workbook=workbook_xml(["Budget"], head=DOCTYPE)),
    )
    twice = xlsx({"Budget": worksheet("")})
    twice.append(("xl/worksheets/sheet1.xml", worksheet('<row r="1"><c r="A1"><v>2</v></c></row>')))
    add("duplicate-entry.xlsx", "KL001", twice)
    rows = "".join(
        f'<row r="{r}">' + '<c t="s"><v>0</v></c>' * 100 + f"<!--{r * 2654435761 % 2**32:x}-->"
        "</row>"
        for r in range(1, 3_001)
    )
    add("string-references.xlsx", "KL011", xlsx({"Budget": worksheet(rows)}, shared_strings(["x"])))
    add(
        "declared-strings.xlsx",
        "KL011",
        xlsx({"Budget": worksheet("")}, shared_strings(["a"], declared=30_000_000)),
    )
    add(
        "ods-repeats.ods",
        "KL011",
        ods(
            '<table:table table:name="Budget"><table:table-row table:number-rows-repeated='
            '"1048576"><table:table-cell table:number-columns-repeated="16384" '
            'office:value-type="float" office:value="1"/></table:table-row></table:table>'
        ),
        zipfile.ZIP_STORED,
    )
    add("xlsb-far.xlsb", "KL011", xlsb(xlsb_sheet(row_header(1048575) + real_cell(16383, 1.0))))
    short = brt(0x05, struct.pack("<I", 1) + bytes(4))
    stale = xlsb_sheet(row_header(0) + real_cell(0, 30_000_000.0) + short)
    add("xlsb-short-record.xlsb", "KL001", xlsb(stale))
    add("xls-far.xls", "KL011", ole(xls_stream(dimensions(0xFFFF_FFFF, 0xFF))))
    looping = ole(xls_stream(dimensions(1, 1) + number(0, 0, 1.0)), fat_loop=True)
    add("xls-fat-loop.xls", "KL001", looping)
    add("xls-difat-loop.xls", "KL001", ole(xls_stream(dimensions(1, 1)), difat_loop=True))
    return expected


def test_every_hostile_class_in_one_batch_with_ordinary_samples(tmp_path: Path) -> None:
    import json
    import shutil
    import subprocess
    import sys

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    expected = _hostile_inbox(inbox)
    samples = sorted(SAMPLES.glob("*.xlsx"))
    for sample in samples:
        shutil.copy(sample, inbox / sample.name)
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "klyngecli", "check", str(inbox), "-j", "2", "--format", "json",
         "--no-cache"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert time.monotonic() - start < 10 * HANG
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    files = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
    assert sorted(files) == sorted([*expected, *(s.name for s in samples)])
    answers = {name: [f["code"] for f in files[name]["findings"]] for name in expected}
    assert answers == {name: [code] for name, code in expected.items()}
    for sample in samples:  # the ordinary files are reported as if alone
        reported = files[sample.name]
        assert reported["verdict"] != "unreadable", sample.name
        expected_codes = (EXPECTED / f"{sample.stem}.expected").read_text("utf-8")
        for finding in reported["findings"]:
            assert finding["code"] in expected_codes, (sample.name, finding["code"])
