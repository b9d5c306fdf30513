"""Robustness: every real-world file of ../shared/corpus/realworld whose MANIFEST kind is ok-xlsx,
ok-other-format, corrupt or encrypted, checked in ONE batch through the real CLI (each file in
its own worker under the default time and memory limits), gives a report with clean KL0xx
findings: no traceback, no crash, no KL900, no file missing, and no input changed."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass

import pytest

from tests.conftest import REPO

CORPUS = REPO.parent / "shared" / "corpus" / "realworld"
KINDS = {"ok-xlsx", "ok-other-format", "corrupt", "encrypted"}


@dataclass(frozen=True)
class Outcome:
    path: str
    kind: str
    returncode: int
    stderr: str
    codes: tuple[str, ...]
    severities: tuple[str, ...]


def manifest() -> list[tuple[str, str]]:
    rows = (CORPUS / "MANIFEST.tsv").read_text("utf-8").splitlines()[1:]
    entries = [(cols[0], cols[5]) for cols in (row.split("\t") for row in rows)]
    return [(path, kind) for path, kind in entries if kind in KINDS]


def _digests() -> dict[str, str]:
    return {
        str(p.relative_to(CORPUS)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(CORPUS.rglob("*"))
        if p.is_file()
    }


@dataclass(frozen=True)
class Batch:
    outcomes: list[Outcome]
    before: dict[str, str]
    after: dict[str, str]


@pytest.fixture(scope="module")
def batch() -> Batch:
    if not CORPUS.is_dir():
        pytest.fail(f"the corpus is missing: {CORPUS}")
    entries = manifest()
    before = _digests()
    done = subprocess.run(
        [sys.executable, "-m", "klyngecli", "check", "--format", "json", "-j", "2",
         *(str(CORPUS / path) for path, _ in entries)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )  # fmt: skip
    files = {f["path"]: f for f in json.loads(done.stdout)["files"]} if done.stdout else {}
    outcomes = []
    for path, kind in entries:
        findings = files.get(str(CORPUS / path), {}).get("findings", [])
        outcomes.append(
            Outcome(
                path,
                kind,
                done.returncode,
                done.stderr,
                tuple(sorted(f["code"] for f in findings)),
                tuple(f["severity"] for f in findings),
            )
        )
    return Batch(outcomes, before, _digests())


@pytest.fixture(scope="module")
def outcomes(batch: Batch) -> list[Outcome]:
    return batch.outcomes


def test_corpus_is_complete(outcomes: list[Outcome]) -> None:
    assert len(outcomes) == 394


def test_no_file_crashes_or_prints_a_traceback(outcomes: list[Outcome]) -> None:
    bad = [
        (o.path, o.returncode, o.stderr[-300:])
        for o in outcomes
        if o.returncode not in (0, 1) or "Traceback" in o.stderr or not o.codes
    ]
    assert bad == []


def test_no_file_makes_the_checker_fail(outcomes: list[Outcome]) -> None:
    assert [o.path for o in outcomes if "KL900" in o.codes] == []


def test_every_file_fails_with_an_error_and_exit_code_1(outcomes: list[Outcome]) -> None:
    # None of these files is a budget workbook: each must be an error, never a pass.
    assert [o.path for o in outcomes if "error" not in o.severities or o.returncode != 1] == []


def test_encrypted_files_are_reported_as_password_protected(outcomes: list[Outcome]) -> None:
    encrypted = [o for o in outcomes if o.kind == "encrypted"]
    assert len(encrypted) == 29
    assert [(o.path, o.codes) for o in encrypted if o.codes != ("KL002",)] == []


def test_corrupt_files_get_a_file_or_format_finding(outcomes: list[Outcome]) -> None:
    allowed = {"KL001", "KL002", "KL003", "KL011"}
    corrupt = [o for o in outcomes if o.kind == "corrupt"]
    assert [(o.path, o.codes) for o in corrupt if not set(o.codes) <= allowed] == []


def test_readable_files_are_never_called_encrypted(outcomes: list[Outcome]) -> None:
    readable = [o for o in outcomes if o.kind in {"ok-xlsx", "ok-other-format"}]
    assert [o.path for o in readable if "KL002" in o.codes] == []
    # Misnamed files are read by their content: an xls named .xlsx is not KL001.
    by_path = {o.path: o for o in readable}
    for misnamed in ("roo/type_excel.xlsx", "roo/type_openoffice.xlsx", "roo/type_excelx.ods"):
        assert "KL001" not in by_path[misnamed].codes, by_path[misnamed]


def test_inputs_are_not_modified(batch: Batch) -> None:
    assert batch.after == batch.before
    assert not list(CORPUS.rglob("~$*"))
