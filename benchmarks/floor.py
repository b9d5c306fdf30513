"""The floor: python-calamine reading every sheet of every workbook given, in one process.

    python benchmarks/floor.py FILE_OR_FOLDER...

This is the least any checker built on python-calamine has to do: open each file and turn each
sheet into Python values (`to_python()`), nothing more. Its wall time, start-up included, is what
`klynge check` is compared with.
"""

from __future__ import annotations

import sys
from pathlib import Path

from python_calamine import CalamineWorkbook


def workbooks(args: list[str]) -> list[Path]:
    """The .xlsx files named, folders expanded (sorted, like klynge does)."""
    paths: list[Path] = []
    for arg in args:
        path = Path(arg)
        paths.extend(sorted(path.glob("*.xlsx")) if path.is_dir() else [path])
    return paths


def read(path: Path) -> int:
    """Every sheet of `path` as Python values; the number of cells (so nothing is optimised
    away and a reader can see the work was done)."""
    cells = 0
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False):
            cells += len(row)
    book.close()
    return cells


def main(args: list[str]) -> int:
    cells = sum(read(path) for path in workbooks(args))
    print(cells)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
