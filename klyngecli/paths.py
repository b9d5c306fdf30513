"""Which files a `klynge check PATH...` means: files, folders searched recursively, globs.
Lock files, hidden files and folders, links to folders and other files are skipped and counted,
never silently dropped; links to files are followed, links to folders are not."""

from __future__ import annotations

import errno
import glob
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
GLOB_CHARS = frozenset("*?[")


class PathError(Exception):
    """A path on the command line names nothing."""


# Why a path was not checked. The first five are a user's ordinary files; the others are paths
# that may hide an application, so they make the exit code 1 like an unreadable file.
SKIP_REASONS = (
    "lock-file",
    "hidden",
    "not-a-workbook",
    "annotated-copy",
    "link-to-folder",
    "broken-link",
    "link-loop",
    "not-a-regular-file",
)
ANNOTATED_SUFFIXES = (".kontrol.xlsx",)
UNREADABLE_SKIPS = frozenset({"broken-link", "link-loop", "not-a-regular-file"})


@dataclass
class Selected:
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, one of SKIP_REASONS)

    def add(self, path: Path) -> None:
        """A file found in a folder or by a glob: checked when it is a workbook."""
        reason = _not_a_file(path) or _ordinary_skip(path)
        if reason:
            self.skipped.append((path, reason))
        else:
            self.files.append(path)


def _ordinary_skip(path: Path) -> str | None:
    if path.name.startswith("~$"):
        return "lock-file"
    if path.name.startswith("."):
        return "hidden"
    if path.suffix.lower() not in SUPPORTED:
        return "not-a-workbook"
    if path.name.lower().endswith(ANNOTATED_SUFFIXES):
        return "annotated-copy"  # klynge's own --annotate output, in a folder being checked
    return None


def _not_a_file(path: Path) -> str | None:
    """Why `path` is not a regular file to read (following a link to a file), or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "link-loop"
        return "broken-link" if os.path.lexists(path) else "not-a-regular-file"
    if stat.S_ISDIR(mode):
        return "link-to-folder"
    return None if stat.S_ISREG(mode) else "not-a-regular-file"


def _walk(folder: Path, selected: Selected) -> None:
    for root, dirs, names in os.walk(folder, followlinks=False):
        searched = []
        for name in sorted(dirs):
            path = Path(root) / name
            if name.startswith("."):
                selected.skipped.append((path, "hidden"))
            elif path.is_symlink():
                selected.skipped.append((path, "link-to-folder"))
            else:
                searched.append(name)
        dirs[:] = searched
        for name in sorted(names):
            selected.add(Path(root) / name)


def _one_doublestar(pattern: str) -> str:
    """`**/**` means what `**` means, and the standard glob walks the tree once for each: four in
    a row over /tmp did not end in a minute."""
    parts: list[str] = []
    for part in pattern.split("/"):
        if not (part == "**" and parts and parts[-1] == "**"):
            parts.append(part)
    return "/".join(parts)


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


def _select(argument: str, selected: Selected) -> None:
    """What one argument names, added to `selected`."""
    path = Path(argument)
    if path.is_dir():
        _walk(path, selected)
    elif os.path.lexists(path):
        # A file named on the command line is checked whatever its extension (an unsupported
        # one gets KL001), except an Office lock file; a FIFO, a device or a broken link is
        # skipped with its reason, never read (reading a FIFO would wait for ever).
        reason = _not_a_file(path) or ("lock-file" if path.name.startswith("~$") else None)
        if reason:
            selected.skipped.append((path, reason))
        else:
            selected.files.append(path)
    elif GLOB_CHARS & set(argument):
        matches = sorted(glob.glob(_one_doublestar(argument), recursive=True))
        if not matches:
            raise PathError(argument)
        base = _glob_base(argument)
        for match in map(Path, matches):
            if _through_a_link(match, base) or (match.is_dir() and match.is_symlink()):
                selected.skipped.append((match, "link-to-folder"))
            elif match.is_dir():
                _walk(match, selected)
            else:
                selected.add(match)
    else:
        raise PathError(argument)


def select_files(arguments: list[str]) -> Selected:
    """The workbooks to check, sorted and without duplicates; PathError for a path that names
    nothing."""
    selected = Selected()
    for argument in arguments:
        try:
            _select(argument, selected)
        except OSError as exc:  # a name too long for the file system
            raise PathError(f"{argument} ({exc.strerror})") from exc
    selected.files = sorted(set(selected.files), key=str)
    checked = set(selected.files)
    selected.skipped = sorted(
        {(p, r) for p, r in selected.skipped if p not in checked}, key=lambda s: str(s[0])
    )
    return selected
