"""Mutated copies of workbooks in every container format the reader accepts: the sample
budgets (xlsx, and their LibreOffice re-saves as ods and xls when LibreOffice is installed) and
small real ods, xls and xlsb files of the corpus. Bytes flipped, files truncated, zip entries
dropped, duplicated or with damaged XML, the OLE header damaged; a fixed seed makes the same
cases every time."""

from __future__ import annotations

import io
import random
import warnings
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = sorted((REPO / "sample_budgets").glob("*.xlsx"))
CORPUS = REPO.parent / "shared" / "corpus" / "realworld"
# Small real files of the other formats, from other programs' test suites (MANIFEST kind ok-*).
CORPUS_SEEDS = (
    "calamine/any_sheets.ods",
    "xlrd/sample.ods",
    "calamine/issues.xlsb",
    "frictionless-py/table-with-ints-floats-dates.xls",
    "xlrd/issue20.xls",
    "PhpSpreadsheet/bug-pr-3734.xls",
)
ZIP_KINDS = ("flip", "truncate", "drop", "duplicate", "damage-xml")
OLE_KINDS = ("flip", "truncate", "ole-header")


def seeds(extra: list[Path] = []) -> list[Path]:  # noqa: B006 - read only
    """Every seed workbook: the samples, the corpus files and any re-saves given."""
    return [*SAMPLES, *(CORPUS / name for name in CORPUS_SEEDS), *extra]


def _zip_mutation(data: bytes, kind: str, rng: random.Random) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    infos = source.infolist()
    victim = rng.choice(infos).filename
    buffer = io.BytesIO()
    with (
        warnings.catch_warnings(action="ignore"),  # "Duplicate name": on purpose
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in infos:
            part = source.read(info.filename)
            if info.filename == victim:
                if kind == "drop":
                    continue
                if kind == "duplicate":
                    target.writestr(info, part[: len(part) // 2])  # a first, different copy
                elif kind == "damage-xml":
                    damaged = bytearray(part)
                    for _ in range(rng.randint(1, 5)):
                        if damaged:
                            damaged[rng.randrange(len(damaged))] = rng.choice(b'<>"/=&;x0 ')
                    part = bytes(damaged)
            target.writestr(info, part)
    return buffer.getvalue()


def mutate(data: bytes, kind: str, rng: random.Random) -> bytes:
    if kind == "flip":
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        return bytes(flipped)
    if kind == "truncate":
        return data[: rng.randrange(len(data))]
    if kind == "ole-header":
        # The header, the DIFAT and the first FAT sector: chains that loop or point nowhere.
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(min(len(damaged), 1536))] = rng.randrange(256)
        return bytes(damaged)
    return _zip_mutation(data, kind, rng)


def make_cases(seed: int, count: int, folder: Path, sources: list[Path]) -> dict[str, str]:
    """Write `count` damaged workbooks into `folder`; file name → kind of damage."""
    rng = random.Random(seed)
    cases: dict[str, str] = {}
    for index in range(count):
        source = sources[index % len(sources)]
        data = source.read_bytes()
        kinds = ZIP_KINDS if data[:2] == b"PK" else OLE_KINDS
        kind = kinds[(index // len(sources)) % len(kinds)]
        name = f"case{index:04d}-{kind}{source.suffix.lower()}"
        (folder / name).write_bytes(mutate(data, kind, rng))
        cases[name] = kind
    return cases
