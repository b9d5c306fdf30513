"""openpyxl in read-only mode reading every sheet of every workbook given, in one process:
what a checker written on openpyxl would pay before any rule runs.

    python benchmarks/openpyxl_read.py FILE_OR_FOLDER...
"""

from __future__ import annotations

import sys
from pathlib import Path

from floor import workbooks  # benchmarks/ is this script's folder, so it is on sys.path
from openpyxl import load_workbook


def read(path: Path) -> int:
    """Every sheet's values; the number of cells."""
    cells = 0
    book = load_workbook(path, read_only=True, data_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
    book.close()
    return cells


def main(args: list[str]) -> int:
    print(sum(read(path) for path in workbooks(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
