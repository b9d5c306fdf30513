"""Saving a workbook atomically: a temporary file in the target's folder, then os.replace.

A reader of `path` sees either the old file or the complete new one, never a half-written file,
and a failed save leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol


class Saveable(Protocol):
    """Anything with openpyxl's `Workbook.save`, which accepts a binary file object."""

    def save(self, filename: IO[bytes]) -> None: ...


def _create_temp(folder: Path, name: str) -> tuple[int, Path]:
    """A new, exclusively created file next to the target. Mode 0o666 masked by the umask,
    like any file the user creates (mkstemp would make it 0o600)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file in {folder}")


def atomic_save(workbook: Saveable, path: Path) -> None:
    """Save `workbook` to `path`, replacing an existing file atomically."""
    atomic_write(path, workbook.save)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a report to `path` atomically, as UTF-8."""
    atomic_write(path, lambda stream: stream.write(text.encode("utf-8")))


def atomic_write(path: Path, fill: Callable[[IO[bytes]], object]) -> None:
    """Write `path` through `fill`, replacing an existing file atomically.

    The folder of `path` must exist. An existing file's permission bits are kept. A symbolic
    link is followed: its target is replaced, the link kept. A device or a named pipe
    (`/dev/null`, `/dev/stdout`, a FIFO a script reads) is written into as it is: a rename
    would put a regular file in its place (as root, in place of /dev/null for everyone).
    """
    path = Path(path)
    try:
        found = os.stat(path)  # follows a link
    except OSError:
        found = None
    if found is not None and not stat.S_ISREG(found.st_mode):
        with open(path, "wb") as stream:
            fill(stream)
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent
    old_mode = None if found is None else stat.S_IMODE(found.st_mode)
    fd, temp = _create_temp(folder, path.name)
    try:
        with os.fdopen(fd, "wb") as stream:
            fill(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if old_mode is not None:
            os.chmod(temp, old_mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable where the platform allows it (POSIX); best effort."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
