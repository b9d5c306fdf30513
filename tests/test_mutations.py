"""Mutation fuzzing: a few hundred damaged copies of the sample workbooks, fixed seed; each ends
in findings or a clean KL0xx error, never KL900, a traceback or a crash."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

CASES = 400


def test_damaged_workbooks_give_findings_never_a_crash(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.mutations", "20261124", str(CASES), str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == CASES
    assert [r for r in results if "KL900" in r["codes"]] == []
    # Truncated packages and dropped parts are never read as a clean application.
    for result in results:
        if result["kind"] == "truncate":
            assert result["codes"], result
    kinds = {r["kind"] for r in results}
    assert kinds == {"flip", "truncate", "drop", "damage-xml"}
