"""Workbooks as LibreOffice Calc saves them, for the tests: recorded re-saves.

A test that needs a workbook opened and saved by LibreOffice (as xlsx, ods or xls) calls
`resave`. Starting LibreOffice costs about 1.6 s of CPU and each file about 0.3 s more, a fifth
of the whole suite, so every re-save is recorded in `tests/data/libreoffice/`, named by the
SHA-256 of its source and the target format, and a test reads the recording: the bytes
LibreOffice wrote. The sources are reproducible (the builders fix every time stamp), so the
same test finds the same recording on every run.

A re-save that is not recorded (a builder or a sample changed) is made by LibreOffice when it is
installed, else the test is skipped, saying so; `make resaves` records what is missing
(`KLYNGE_RECORD_LIBREOFFICE=1`). `test_rules_file.py`'s KL007 test always runs LibreOffice
itself, so a LibreOffice that saves differently is still noticed in CI, which installs it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

RECORDINGS = Path(__file__).resolve().parent / "data" / "libreoffice"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
RECORD = os.environ.get("KLYNGE_RECORD_LIBREOFFICE") == "1"


def recording(source: Path, extension: str) -> Path:
    """Where the re-save of these bytes as `extension` is recorded."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:24]
    return RECORDINGS / f"{digest}.{extension}"


def available(sources: Sequence[Path], extension: str) -> bool:
    """Whether `resave` can give these re-saves: recorded, or LibreOffice is installed."""
    return SOFFICE is not None or all(recording(s, extension).is_file() for s in sources)


def resave(sources: Sequence[Path], extension: str, folder: Path) -> list[Path]:
    """Each source as LibreOffice saves it as `extension`: `folder/STEM.EXTENSION`, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    targets = [folder / f"{source.stem}.{extension}" for source in sources]
    if len(set(targets)) != len(targets):
        raise ValueError("two sources of one stem would be saved over each other")
    missing = []
    for source, target in zip(sources, targets, strict=True):
        recorded = recording(source, extension)
        if recorded.is_file() and not RECORD:
            shutil.copyfile(recorded, target)
        else:
            missing.append(source)
    if missing:
        convert(missing, extension, folder)
        for source in missing:
            made = folder / f"{source.stem}.{extension}"
            assert made.is_file(), f"LibreOffice did not write {made.name}"
            if RECORD:
                RECORDINGS.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(made, recording(source, extension))
    return targets


def convert(sources: Sequence[Path], extension: str, folder: Path) -> None:
    """Open and save every source in LibreOffice Calc (headless), in one run, into `folder`;
    the test is skipped, saying why, when LibreOffice is not installed."""
    if SOFFICE is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed, and this test needs it to save a workbook "
            "(no recording in tests/data/libreoffice/ stands in): "
            "`apt-get install libreoffice-calc-nogui`"
        )
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                SOFFICE,
                "--headless",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--convert-to",
                extension,
                "--outdir",
                str(folder),
                *map(str, sources),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )


def resave_one(source: Path, extension: str, folder: Path) -> Path:
    """`source` as LibreOffice saves it as `extension`, in `folder`."""
    return resave([source], extension, folder)[0]
