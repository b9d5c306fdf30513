"""A zip package as python-calamine looks parts up in it, for the screens.

calamine (utils.rs, `build_zip_path_cache`) finds a part by its name lower-cased (ASCII only)
with `\\` read as `/`, and falls back to the exact name. Two entries that meet under that
reading are ambiguous — which copy a reader takes is an accident — so the package is KL001
(workbook-format.md, decided item 18).
"""

from __future__ import annotations

import zipfile
from typing import IO

from klyngecli.reader.limits import damaged

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def folded(name: str) -> str:
    """The form calamine compares part names in."""
    return name.replace("\\", "/").translate(_ASCII_LOWER)


class Package:
    """The entries of a zip, each reachable by the name calamine would use for it."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self._folded: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            key = folded(info.filename)
            if key in self._folded:
                raise damaged(
                    f"zip-arkivet har to filer med navnet {info.filename}",
                    f"the zip holds two entries named {info.filename}",
                )
            self._folded[key] = info

    def lookup(self, path: str) -> zipfile.ZipInfo | None:
        """The entry calamine opens for `path` (case-insensitive, `\\` as `/`)."""
        found = self._folded.get(path.translate(_ASCII_LOWER))
        return found if found is not None else self.exact(path)

    def exact(self, path: str) -> zipfile.ZipInfo | None:
        """The entry of exactly this name (calamine's ods and some xlsb look-ups)."""
        return self.archive.NameToInfo.get(path)

    def open(self, info: zipfile.ZipInfo) -> IO[bytes]:
        return self.archive.open(info)
