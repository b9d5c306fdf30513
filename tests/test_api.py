"""The public Python API, the README's example of it, and the CI integrations (pre-commit hook
manifest, the workflow files in docs/ci.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pre_commit.clientlib import load_manifest

import klyngecli
from tests.conftest import REPO, SAMPLES


def test_check_returns_the_report_in_path_order() -> None:
    report = klyngecli.check([SAMPLES], submitted_at="2024-08-13T11:00:00", jobs=2)
    workbooks = sorted(SAMPLES.glob("*.xlsx"))
    assert [Path(r.path).name for r in report.files] == [p.name for p in workbooks]
    assert report.summary.files == len(workbooks)
    verdicts = {Path(r.path).name: r.verdict for r in report.files}
    assert verdicts["innovation-korrekt.xlsx"] == "passed"
    assert verdicts["deb-loft-overskredet.xlsx"] == "failed"
    # --submitted-at decides KL501 for every file, as on the command line.
    assert "KL501" not in report.summary.codes


def test_check_file_selects_and_runs_isolated() -> None:
    result = klyngecli.check_file(SAMPLES / "deb-loft-overskredet.xlsx", select=["KL2"])
    assert [f.code for f in result.findings] == ["KL201"]
    assert result.rules_run and all(code.startswith("KL2") for code in result.rules_run)


def test_check_of_a_missing_path_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        klyngecli.check([tmp_path / "nothing.xlsx"])


def _code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_the_readme_example_runs() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    (example,) = [b for b in _code_blocks(readme, "python") if "klyngecli.check(" in b]
    done = subprocess.run(
        [sys.executable, "-c", example], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert re.match(r"\d+ files, \d+ failed", done.stdout)
    assert "deb-loft-overskredet.xlsx failed ['KL201']" in done.stdout


def test_pre_commit_hook_manifest_is_valid_and_its_entry_works(tmp_path: Path) -> None:
    (hook,) = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "klynge-check"
    matches = re.compile(hook["files"]).search
    for name in ("a.xlsx", "B.XLSM", "c.xls", "d.ods"):
        assert matches(name), name
    for name in ("README.md", "a.xlsx.bak", "budget.csv"):
        assert not matches(name), name
    # pre-commit runs `entry FILES...` with the matching files of the commit.
    entry = hook["entry"].split()
    assert entry[0] == "klynge"
    klynge = Path(sys.executable).parent / "klynge"
    clean = [str(SAMPLES / "innovation-korrekt.xlsx"), str(SAMPLES / "basis-korrekt.xlsx")]
    done = subprocess.run([klynge, *entry[1:], *clean], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout
    failing = [*clean, str(SAMPLES / "deb-loft-overskredet.xlsx")]
    done = subprocess.run([klynge, *entry[1:], *failing], capture_output=True, timeout=120)
    assert done.returncode == 1


def test_ci_docs_hold_valid_workflows() -> None:
    text = (REPO / "docs" / "ci.md").read_text("utf-8")
    github, gitlab, precommit = (yaml.safe_load(b) for b in _code_blocks(text, "yaml"))
    steps = github["jobs"]["budgets"]["steps"]
    runs = " ".join(step.get("run", "") for step in steps)
    assert "--format sarif" in runs and "--format github" in runs
    assert any(
        step.get("uses", "").startswith("github/codeql-action/upload-sarif") for step in steps
    )
    assert gitlab["klynge"]["artifacts"]["reports"]["junit"] == "klynge-junit.xml"
    assert "--format junit -o klynge-junit.xml" in " ".join(gitlab["klynge"]["script"])
    assert precommit["repos"][0]["hooks"][0]["id"] == "klynge-check"
