"""The files the benchmark measures, generated once per run into a temporary folder.

`distinct(folder, count)` writes `count` different applications with the test suite's builder
(tests/workbooks.py): innovation and basis, 10-200 budget rows, 0-40 SME rows, some in
English or under title rows, every fifth with one defect. Amounts are split over more rows so
that a clean application stays clean, whatever its size.

`batch(folder, bases, count)` makes `count` files from those by re-zipping each with another,
unique applicant CVR (about 2 ms a file, against about 15 ms to build one with openpyxl). Plain
copies would be KL204 duplicates of each other, and 50 files of one CVR one KL204 group whose
every message names the 49 others: not an inbox anyone has. So every file of a set is a
different application for the checker, while the reading work repeats that of the 100 bases.

`big_workbook(path, rows)` writes one application with `rows` budget rows with xlsxwriter.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from tests.workbooks import (
    BUDGET,
    App,
    CellValue,
    Layout,
    Line,
    basis_app,
    cvr_is_valid,
    innovation_app,
    invalid_cvr,
    valid_cvr,
)

MIN_BUDGET_ROWS, MAX_BUDGET_ROWS = 10, 200
MAX_SME_ROWS = 40
DEFECT_EVERY = 5  # every fifth application has one mistake
BASIS_EVERY = 4  # every fourth is a basis application (no SME sheet: 0 SME rows)
ENGLISH_EVERY = 7
TITLES_EVERY = 6
COPY_CVR_SEED = 200_000  # valid_cvr seeds of the copies; the bases use 1000*seed+1 or +2


def _split(lines: list[Line], rows: int) -> list[Line]:
    """`lines` spread over `rows` rows (at least one each), every year's amount kept exactly:
    a line in k parts gets amount // k in each part and the remainder in the last."""
    parts = [1] * len(lines)
    for i in range(max(0, rows - len(lines))):
        parts[i % len(lines)] += 1
    out: list[Line] = []
    for line, k in zip(lines, parts, strict=True):
        for j in range(k):
            amounts: dict[int, CellValue] = {}
            for year, value in line.amounts.items():
                assert isinstance(value, int)
                share = value // k
                amounts[year] = value - share * (k - 1) if j == k - 1 else share
            text = line.description if k == 1 else f"{line.description} (del {j + 1} af {k})"
            out.append(Line(line.label, amounts, text))
    return out


def _split_sme(collabs: list[dict[str, CellValue]], rows: int) -> list[dict[str, CellValue]]:
    """The named SMEs as they are, the last (planned, no SME named yet) row split so that
    there are `rows` rows; amounts kept exactly, so the 70 % and 15 % rules still pass."""
    named, planned = collabs[:-1], collabs[-1]
    k = max(1, rows - len(named))
    split: list[dict[str, CellValue]] = []
    for j in range(k):
        row = dict(planned)
        row["Samarbejde"] = f"Planlagt SMV-projekt {j + 1} af {k}"
        for column in ("FoU-omkostninger", "Tilskud", "Overhead"):
            value = planned[column]
            assert isinstance(value, int)
            share = value // k
            row[column] = value - share * (k - 1) if j == k - 1 else share
        split.append(row)
    return [*named, *split]


def _defect(app: App, kind: int, seed: int) -> None:
    """One mistake of five kinds, each a different part of the checker."""
    if kind == 0:
        app.cvr = invalid_cvr(seed)  # a CVR whose check digit is wrong
    elif kind == 1:
        app.budget[0].amounts[2025] = "1.234.567"  # KL009: a number stored as text
    elif kind == 2:
        app.budget[1].amounts[2026] = "=C2*2"  # KL007: a formula with no stored result
    elif kind == 3:
        app.end = date(2029, 6, 30)  # after the call's period
    else:
        app.budget[2].total = 1  # KL101: a stated total that is not the sum of its row


def has_defect(seed: int) -> bool:
    return seed % DEFECT_EVERY == DEFECT_EVERY - 1


def application(seed: int) -> App:
    """The seed-th application of the benchmark's set (deterministic)."""
    basis = seed % BASIS_EVERY == BASIS_EVERY - 1
    app = basis_app(seed) if basis else innovation_app(seed)
    span = MAX_BUDGET_ROWS - MIN_BUDGET_ROWS
    rows = MIN_BUDGET_ROWS + (seed * 37) % (span + 1)
    app.budget = _split(app.budget, rows)
    if app.collaborations is not None:
        app.collaborations = _split_sme(app.collaborations, 6 + (seed * 11) % (MAX_SME_ROWS - 5))
    if seed % ENGLISH_EVERY == ENGLISH_EVERY - 1:
        app = replace(app, lang="en")
    if seed % TITLES_EVERY == TITLES_EVERY - 1:
        app = replace(app, layout=Layout(title_rows=("Budget for {name}", None), header_row=4))
    if has_defect(seed):
        _defect(app, (seed // DEFECT_EVERY) % 5, seed)
    return app


def applicant_cvr(seed: int) -> str:
    """The applicant CVR that `application(seed)` writes (basis and innovation differ)."""
    app = application(seed)
    return str(app.cvr)


def distinct(folder: Path, count: int) -> list[Path]:
    """`count` different applications as .xlsx files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return [application(seed).write(folder / f"{seed:05d}.xlsx") for seed in range(count)]


def _with_cvr(data: bytes, old: str, new: str) -> bytes:
    """The .xlsx `data` with the applicant CVR text `old` replaced by `new` (same length)."""
    needle = f">{old}<".encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zout,
    ):
        found = 0
        for info in zin.infolist():
            content = zin.read(info)
            if needle in content:
                found += content.count(needle)
                content = content.replace(needle, f">{new}<".encode())
            zout.writestr(info, content)
    if found != 1:
        raise ValueError(f"expected the CVR {old} once in the workbook, found it {found} times")
    return out.getvalue()


def batch(folder: Path, bases: list[Path], count: int) -> list[Path]:
    """`count` files in `folder`: the bases first (hard-linked), then re-zipped copies of them,
    each with its own valid applicant CVR."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    contents = [path.read_bytes() for path in bases]
    cvrs = [applicant_cvr(seed) for seed in range(len(bases))]
    for i in range(count):
        target = folder / f"{i:05d}.xlsx"
        b = i % len(bases)
        if i < len(bases):
            os.link(bases[i], target)
        else:
            # A base with a wrong CVR (a defect) gets another wrong one, so it stays wrong.
            fresh = (valid_cvr if cvr_is_valid(cvrs[b]) else invalid_cvr)(COPY_CVR_SEED + i)
            target.write_bytes(_with_cvr(contents[b], cvrs[b], fresh))
        paths.append(target)
    return paths


def subset(folder: Path, paths: list[Path], count: int) -> Path:
    """A folder of hard links to the first `count` of `paths` (the 100-file set inside the
    5,000-file one: the same files, so that memory is compared on the same content)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths[:count]:
        os.link(path, folder / path.name)
    return folder


def big_workbook(path: Path, rows: int) -> Path:
    """One innovation application with `rows` budget rows, written by xlsxwriter (openpyxl
    would take a minute). The rows come from the same builder as every other file."""
    import xlsxwriter  # a dev dependency; only this workbook needs it

    app = innovation_app(4242)
    app.budget = _split(app.budget, rows)
    built = app.build()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    time_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, sheet_rows in built.sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(sheet_rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, time_format)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value))
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
    book.close()
    if BUDGET not in built.sheets:  # pragma: no cover - the builder always writes it
        raise AssertionError("no budget sheet")
    return path
