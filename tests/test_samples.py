"""Acceptance: every workbook in sample_budgets/ gives exactly the findings of its .expected
file (in tests/expected/), through the real CLI; and the JSON report validates against the
shipped schema."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import EXPECTED, SAMPLES, run_check

SAMPLE_FILES = sorted(SAMPLES.glob("*.xlsx"))


def expected_lines(workbook: Path) -> list[str]:
    text = (EXPECTED / f"{workbook.stem}.expected").read_text("utf-8")
    return sorted(line.strip() for line in text.splitlines() if line.strip())


def test_there_are_enough_samples() -> None:
    assert len(SAMPLE_FILES) >= 8
    assert sorted(p.stem for p in EXPECTED.glob("*.expected")) == [p.stem for p in SAMPLE_FILES]


@pytest.mark.parametrize("workbook", SAMPLE_FILES, ids=lambda p: p.stem)
def test_sample_gives_its_expected_findings(workbook: Path) -> None:
    result = run_check(workbook)
    found = sorted(f"{f['code']} {f['location']}" for f in result.findings)
    assert found == expected_lines(workbook)
    errors = [f for f in result.findings if f["severity"] == "error"]
    assert result.exit_code == (1 if errors else 0)


def schema() -> dict[str, object]:
    text = resources.files("klyngecli").joinpath("schemas/report-3.schema.json").read_text("utf-8")
    loaded: dict[str, object] = json.loads(text)
    return loaded


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


def test_report_of_all_samples_validates_against_the_shipped_schema() -> None:
    result = run_check(SAMPLES)
    jsonschema.Draft202012Validator(schema()).validate(result.report)
    assert result.report["schema"] == "klyngecli/report/3"
    assert result.report["summary"]["files"] == len(SAMPLE_FILES)
    # Every finding of a readable workbook names its Sheet!Cell (or sheet) and both languages;
    # its range is the same cell or range, first and last cell (report/3).
    for finding in result.findings:
        assert finding["location"], finding
        if finding["cell"] is None:
            assert finding["range"] is None
        else:
            first, _, last = finding["cell"].partition(":")
            ends = finding["range"]["first"]["cell"], finding["range"]["last"]["cell"]
            assert ends == (first, last or first)
        assert finding["message"]["da"] and finding["message"]["en"]
        assert finding["message"]["da"] != finding["message"]["en"]


def test_every_finding_location_names_a_cell_where_it_is_about_a_value() -> None:
    result = run_check(SAMPLES)
    for finding in result.findings:
        if finding["code"] in {"KL101", "KL301", "KL302", "KL401", "KL501", "KL009"}:
            assert finding["cell"], finding
