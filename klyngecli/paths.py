"""Which files a `klynge check PATH...` means: files, folders searched recursively, globs.
Lock files, hidden files and other files found in folders are skipped and counted."""

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


def _skippable(path: Path) -> bool:
    return path.name.startswith("~$") or path.name.startswith(".")


def _walk(folder: Path, selected: Selected) -> None:
    # Symbolic links to files are followed; links to folders are not (no cycles, no escapes).
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(root) / name
            if _skippable(path) or path.suffix.lower() not in SUPPORTED or not path.is_file():
                selected.skipped.append(path)
            else:
                selected.files.append(path)


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
            for match in matches:
                match_path = Path(match)
                if match_path.is_dir():
                    _walk(match_path, selected)
                elif _skippable(match_path) or match_path.suffix.lower() not in SUPPORTED:
                    selected.skipped.append(match_path)
                else:
                    selected.files.append(match_path)
        else:
            raise PathError(argument)
    selected.files = sorted(set(selected.files), key=lambda p: str(p))
    selected.skipped = sorted(set(selected.skipped) - set(selected.files), key=lambda p: str(p))
    return selected
