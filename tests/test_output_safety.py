"""Safe output and odd paths through the real CLI (issue 13; cli.md decided items 1, 4, 5):
hostile text from a workbook is shown escaped in every human format, a file name that is not
UTF-8 reaches every format, a cp1252 standard output never fails, FIFOs, devices, broken links
and link loops are named and never read, inputs stay unchanged and nothing is left beside them,
and a failure of klynge itself is exit code 2 without a traceback."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from tests.workbooks import innovation_app

# As Excel stores control characters in a cell: `_xHHHH_` escapes, which readers decode.
HOSTILE_NAME = (
    "Klyngen _x001B_[2J_x001B_]8;;http://x_x0007_[link=http://evil]ny[/link] [bold red]A/S"
    "_x000A_linje 2"
)
HOSTILE_TIME = "13-08-2024 kl. 12.00.01 _x001B_[31m"
HUMAN_FORMATS = ("text", "markdown", "github", "junit", "csv", "html")


def klynge(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "klyngecli", *map(os.fsencode, args)],
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    app = innovation_app(5)
    app.name = "NAME-PLACEHOLDER"
    app.submitted = "TIME-PLACEHOLDER"  # unreadable: its KL006 message quotes the cell
    path = app.write(folder / "ansøgning.xlsx")
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    for name, data in parts.items():
        parts[name] = data.replace(b"NAME-PLACEHOLDER", HOSTILE_NAME.encode()).replace(
            b"TIME-PLACEHOLDER", HOSTILE_TIME.encode()
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return folder


@pytest.mark.parametrize("fmt", HUMAN_FORMATS)
def test_hostile_applicant_name_is_escaped(hostile: Path, fmt: str) -> None:
    done = klynge("check", hostile, "--format", fmt, "--lang", "en")
    assert done.returncode == 1
    out = done.stdout.decode("utf-8")
    assert "\x1b" not in out and "\x07" not in out  # no terminal control reaches the screen
    assert "Traceback" not in done.stderr.decode("utf-8", "replace")
    if fmt in ("text", "markdown"):
        assert "\\x1b[2J" in out.replace("\\\\", "\\") or "\\x1b\\[2J" in out
    if fmt == "html":
        assert (
            "[link=http://evil]" in out
            and "<script" not in out.split("</style>")[-1].split("<script")[0]
        )
        assert "\\x1b[2J" in out
    if fmt == "text":
        # Rich markup from the cell is shown as it is, never interpreted.
        assert "[link=http://evil]" in out  # (a long name may be shortened with …)
        # The newline of the name is escaped: the header keeps to its lines.
        assert "\\nlinje 2" in out


def test_a_file_name_that_is_not_utf8_reaches_every_format(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/bud\xffget\nny.xlsx"
    late = innovation_app(6)
    late.submitted = datetime(2024, 8, 13, 12, 0, 1)  # KL501: every format lists the file
    late.write(Path(os.fsdecode(raw)))
    for fmt in ("json", *HUMAN_FORMATS, "sarif"):
        done = klynge("check", tmp_path, "--format", fmt)
        assert done.returncode == 1, (fmt, done.stderr)
        out = done.stdout.decode("utf-8")  # machine and text formats alike: valid UTF-8
        assert "Traceback" not in done.stderr.decode("utf-8", "replace")
        if fmt == "json":
            (result,) = json.loads(out)["files"]
            assert os.fsencode(result["path"]) == raw  # surrogateescape gives the bytes back
        elif fmt in ("text", "markdown", "csv", "github"):
            assert "bud\\xffget\\nny.xlsx" in out.replace("\\\\", "\\"), fmt


def test_text_report_on_a_cp1252_stream(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    with out.open("wb") as stream:
        done = subprocess.run(
            [sys.executable, "-m", "klyngecli", "check", str(SAMPLES)],
            stdout=stream,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
            env={**os.environ, "PYTHONIOENCODING": "cp1252", "NO_COLOR": "1"},
        )
    assert done.returncode == 1, done.stderr  # the samples hold errors on purpose
    assert done.stderr == b""
    text = out.read_bytes().decode("cp1252")
    assert "IKKE GODKENDT" in text and "Opsummering" in text
    assert "Sjællandsk Biotekklynge" in text  # cp1252 has the Danish letters


def test_a_fifo_and_a_device_named_on_the_command_line_are_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.xlsx"
    zero.symlink_to("/dev/zero")
    ok = innovation_app(7).write(tmp_path / "ok.xlsx")
    done = klynge("check", fifo, zero, ok, "--format", "json")
    report = json.loads(done.stdout)
    assert [Path(f["path"]).name for f in report["files"]] == ["ok.xlsx"]
    reasons = {Path(s["path"]).name: s["reason"] for s in report["summary"]["skipped_paths"]}
    assert reasons == {"pipe.xlsx": "not-a-regular-file", "zero.xlsx": "not-a-regular-file"}
    assert done.returncode == 1  # a path that may hide an application was not checked
    alone = klynge("check", fifo)
    assert alone.returncode == 2 and b"pipe.xlsx" in alone.stderr


def test_broken_links_and_loops_in_a_folder_are_named_and_count(tmp_path: Path) -> None:
    innovation_app(8).write(tmp_path / "ok.xlsx")
    (tmp_path / "gone.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    (tmp_path / "loop.xlsx").symlink_to(tmp_path / "loop.xlsx")
    done = klynge("check", tmp_path, "--format", "json")
    report = json.loads(done.stdout)
    reasons = {Path(s["path"]).name: s["reason"] for s in report["summary"]["skipped_paths"]}
    assert reasons == {"gone.xlsx": "broken-link", "loop.xlsx": "link-loop"}
    assert report["summary"]["passed"] == 1
    assert done.returncode == 1
    text = klynge("check", tmp_path, "--lang", "en").stdout.decode()
    assert "gone.xlsx" in text and "broken link" in text and "link loop" in text


def test_inputs_unchanged_and_nothing_left_beside_them(tmp_path: Path) -> None:
    for seed in range(4):
        innovation_app(20 + seed).write(tmp_path / f"f{seed}.xlsx")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    out = tmp_path.parent / f"{tmp_path.name}-report.json"
    done = klynge("check", tmp_path, "-j", "2", "--format", "json", "-o", out)
    assert done.returncode == 1
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    assert after == before  # no input changed, no lock or temporary file beside them
    assert json.loads(out.read_text("utf-8"))["summary"]["files"] == 5
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")] == []


def test_a_failure_of_klynge_itself_is_exit_2_without_a_traceback() -> None:
    # Standard output closed: klynge cannot report at all, whatever the file holds.
    command = f"{sys.executable} -m klyngecli check {SAMPLES / 'innovation-korrekt.xlsx'} >&-"
    done = subprocess.run(["sh", "-c", command], capture_output=True, timeout=120, check=False)
    assert done.returncode == 2
    stderr = done.stderr.decode()
    assert "Traceback" not in stderr and stderr.startswith("klynge:")
