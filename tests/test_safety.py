"""KL011: safety limits checked on the raw file before any reader touches it. These files make
naive readers allocate hundreds of GiB or decompress without end; each must be a clean KL011."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from openpyxl import Workbook

from tests.conftest import run_check
from tests.workbooks import App


def sparse_extent(path: Path) -> Path:
    """Cells A1 and XFD1048576 on the Budget sheet: 17 billion cells between them."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Budget"
    sheet["A1"] = "Kategori"
    sheet["XFD1048576"] = 1
    book.create_sheet("Ansøger")["A1"] = "Ansøger"
    book.save(path)
    return path


def zip_bomb(source: Path, path: Path, padding: int = 150 << 20) -> Path:
    """A valid workbook whose Budget sheet part is padded with 150 MiB of one repeated byte."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"</sheetData>", b"<!--" + b"0" * padding + b"--></sheetData>")
            out.writestr(info, data)
    return path


def test_sparse_extent_is_kl011_not_a_crash(tmp_path: Path) -> None:
    result = run_check(sparse_extent(tmp_path / "sparse.xlsx"))
    assert result.codes == ["KL011"]
    finding = result.only("KL011")
    assert finding["found"] == 16384 * 1048576
    assert finding["limit"] == 2_000_000
    assert "Budget" in finding["message"]["en"]
    assert result.report["files"][0]["verdict"] == "unreadable"
    assert result.exit_code == 1


def test_zip_bomb_is_kl011(tmp_path: Path) -> None:
    clean = App().write(tmp_path / "clean.xlsx")
    result = run_check(zip_bomb(clean, tmp_path / "bomb.xlsx"))
    assert result.codes == ["KL011"]
    assert "compression ratio" in result.only("KL011")["message"]["en"]


def test_too_large_file_is_kl011(tmp_path: Path) -> None:
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as handle:
        handle.truncate(51 << 20)
    result = run_check(path)
    assert result.codes == ["KL011"]
    assert result.only("KL011")["found"] == 51 << 20


def test_too_many_zip_entries_is_kl011(tmp_path: Path) -> None:
    clean = App().write(tmp_path / "clean.xlsx")
    crowded = tmp_path / "crowded.xlsx"
    with zipfile.ZipFile(clean) as src, zipfile.ZipFile(crowded, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info.filename))
        for i in range(10_001):
            out.writestr(f"customXml/item{i}.xml", b"<a/>")
    result = run_check(crowded)
    assert result.codes == ["KL011"]
    assert result.only("KL011")["limit"] == 10_000


def test_a_normal_workbook_is_far_below_every_limit(tmp_path: Path) -> None:
    assert run_check(App().write(tmp_path / "clean.xlsx")).codes == []


def test_checking_never_changes_the_input(tmp_path: Path) -> None:
    paths = [App().write(tmp_path / "clean.xlsx"), sparse_extent(tmp_path / "sparse.xlsx")]
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    run_check(tmp_path)
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths] == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.xlsx", "sparse.xlsx"]
