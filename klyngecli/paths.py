"""Which files a `klynge check PATH...` means: files, folders searched recursively, globs.
Lock files, hidden files and folders, links to folders and other files are skipped and counted,
never silently dropped; links to files are followed, links to folders are not."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
GLOB_CHARS = frozenset("*?[")


class PathError(Exception):
    """A path on the command line names nothing."""


@dataclass
class Selected:
    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)

    def add(self, path: Path) -> None:
        """A file found in a folder or by a glob: checked when it is a workbook."""
        if _hidden(path) or path.suffix.lower() not in SUPPORTED or not path.is_file():
            self.skipped.append(path)  # also a dangling link: is_file() follows it
        else:
            self.files.append(path)


def _hidden(path: Path) -> bool:
    return path.name.startswith(("~$", "."))


def _walk(folder: Path, selected: Selected) -> None:
    for root, dirs, names in os.walk(folder, followlinks=False):
        searched = []
        for name in sorted(dirs):
            path = Path(root) / name
            if name.startswith(".") or path.is_symlink():
                selected.skipped.append(path)  # hidden folders and links to folders
            else:
                searched.append(name)
        dirs[:] = searched
        for name in sorted(names):
            selected.add(Path(root) / name)


def _glob_base(pattern: str) -> Path:
    """The part of a glob before its first wildcard: the folder the user named."""
    parts = Path(pattern).parts
    first_wild = next((i for i, part in enumerate(parts) if GLOB_CHARS & set(part)), len(parts))
    return Path(*parts[:first_wild])


def _through_a_link(path: Path, base: Path) -> bool:
    """The match lies below a link to a folder that the glob itself went through."""
    return any(
        parent.is_symlink() for parent in path.parents if len(parent.parts) > len(base.parts)
    )


def select_files(arguments: list[str]) -> Selected:
    """The workbooks to check, sorted and without duplicates; PathError for a path that names
    nothing."""
    selected = Selected()
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            _walk(path, selected)
        elif path.is_file():
            # A file named on the command line is checked whatever its extension (an unsupported
            # one gets KL001), except an Office lock file.
            (selected.skipped if path.name.startswith("~$") else selected.files).append(path)
        elif GLOB_CHARS & set(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                raise PathError(argument)
            base = _glob_base(argument)
            for match in map(Path, matches):
                if _through_a_link(match, base) or (match.is_dir() and match.is_symlink()):
                    selected.skipped.append(match)
                elif match.is_dir():
                    _walk(match, selected)
                else:
                    selected.add(match)
        else:
            raise PathError(argument)
    selected.files = sorted(set(selected.files), key=str)
    selected.skipped = sorted(set(selected.skipped) - set(selected.files), key=str)
    return selected
