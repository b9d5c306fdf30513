"""--select/--ignore (docs/decisions.md items 24 and 25): a table of `Selection.wants` in the
style of flake8's decision-engine tests, and the same decisions through the CLI on the findings
of the reader (KL0xx), which are filtered like the rules' findings."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from klyngecli.engine import Selection
from tests.conftest import check
from tests.workbooks import App

DEFAULT = ("KL",)  # what the CLI selects when --select is not given


@pytest.mark.parametrize(
    ("select", "ignore", "code", "expected"),
    [
        # the default selects every code, the reader's and the rules'
        pytest.param(DEFAULT, (), "KL401", True, id="default-selects-a-rule"),
        pytest.param(DEFAULT, (), "KL009", True, id="default-selects-a-reader-code"),
        pytest.param((), (), "KL401", False, id="nothing-selected-nothing-wanted"),
        # a family
        pytest.param(("KL4",), (), "KL401", True, id="family-selects-its-code"),
        pytest.param(("KL4",), (), "KL406", True, id="family-selects-its-last-code"),
        pytest.param(("KL4",), (), "KL501", False, id="family-leaves-other-families"),
        pytest.param(("KL4",), (), "KL009", False, id="family-leaves-reader-codes"),
        pytest.param(("KL0",), (), "KL009", True, id="reader-family-selects-kl009"),
        # one code
        pytest.param(("KL401",), (), "KL401", True, id="code-selects-itself"),
        pytest.param(("KL401",), (), "KL402", False, id="code-leaves-its-neighbour"),
        pytest.param(("KL401", "KL5"), (), "KL502", True, id="code-and-family"),
        # ignore
        pytest.param(DEFAULT, ("KL4",), "KL401", False, id="ignored-family"),
        pytest.param(DEFAULT, ("KL4",), "KL501", True, id="ignore-leaves-other-families"),
        pytest.param(DEFAULT, ("KL401",), "KL402", True, id="ignored-code-leaves-neighbour"),
        pytest.param(DEFAULT, ("KL009",), "KL009", False, id="ignored-reader-code"),
        pytest.param(DEFAULT, ("KL0",), "KL005", False, id="ignored-reader-family"),
        # the longest matching prefix decides
        pytest.param(("KL4",), ("KL40",), "KL401", False, id="longer-ignore-wins"),
        pytest.param(("KL40",), ("KL4",), "KL401", True, id="longer-select-wins"),
        pytest.param(("KL",), ("KL4",), "KL401", False, id="family-ignore-beats-all"),
        pytest.param(("KL", "KL304"), ("KL3",), "KL304", True, id="code-select-beats-family"),
        pytest.param(("KL", "KL304"), ("KL3",), "KL301", False, id="family-ignore-keeps-rest"),
        pytest.param(("KL401",), ("KL4",), "KL401", True, id="code-select-beats-family-ignore"),
        pytest.param(("KL4",), ("KL401",), "KL401", False, id="code-ignore-beats-family-select"),
        pytest.param(("KL4",), ("KL401",), "KL402", True, id="code-ignore-keeps-family"),
        # ignore wins a tie (the same prefix length on both sides)
        pytest.param(("KL4",), ("KL4",), "KL401", False, id="tie-family-ignore-wins"),
        pytest.param(("KL401",), ("KL401",), "KL401", False, id="tie-code-ignore-wins"),
        pytest.param(("KL0",), ("KL0",), "KL009", False, id="tie-reader-family-ignore-wins"),
        pytest.param(("KL4", "KL5"), ("KL4",), "KL501", True, id="tie-leaves-other-select"),
        # always reported: the file could not be checked
        pytest.param(("KL4",), (), "KL001", True, id="kl001-whatever-is-selected"),
        pytest.param(("KL4",), (), "KL002", True, id="kl002-whatever-is-selected"),
        pytest.param(("KL4",), (), "KL011", True, id="kl011-whatever-is-selected"),
        pytest.param(("KL4",), (), "KL900", True, id="kl900-whatever-is-selected"),
        pytest.param((), (), "KL001", True, id="kl001-with-nothing-selected"),
        pytest.param(DEFAULT, ("KL0",), "KL001", True, id="kl001-with-its-family-ignored"),
        pytest.param(DEFAULT, ("KL001",), "KL001", True, id="kl001-ignored-by-code"),
        pytest.param(DEFAULT, ("KL002",), "KL002", True, id="kl002-ignored-by-code"),
        pytest.param(DEFAULT, ("KL01",), "KL011", True, id="kl011-ignored-by-prefix"),
        pytest.param(DEFAULT, ("KL9",), "KL900", True, id="kl900-ignored-by-family"),
        pytest.param(("KL5",), ("KL",), "KL011", True, id="kl011-with-everything-ignored"),
        pytest.param(("KL001",), ("KL001",), "KL001", True, id="kl001-in-a-tie"),
        # the reader's other codes are not always reported
        pytest.param(("KL4",), (), "KL003", False, id="kl003-follows-select"),
        pytest.param(("KL4",), (), "KL007", False, id="kl007-follows-select"),
        pytest.param(DEFAULT, ("KL010",), "KL010", False, id="kl010-follows-ignore"),
        pytest.param(DEFAULT, ("KL01",), "KL010", False, id="kl010-follows-prefix-ignore"),
        # unrelated prefixes decide nothing
        pytest.param(("KL1",), (), "KL201", False, id="select-kl1-not-kl201"),
        pytest.param(("KL2",), ("KL1",), "KL201", True, id="ignore-kl1-not-kl201"),
        pytest.param(DEFAULT, ("KL50",), "KL401", True, id="ignore-kl50-not-kl401"),
        pytest.param(("KL50",), (), "KL405", False, id="select-kl50-not-kl405"),
    ],
)
def test_selection_wants(
    select: tuple[str, ...], ignore: tuple[str, ...], code: str, expected: bool
) -> None:
    assert Selection(select=select, ignore=ignore).wants(code) is expected


def test_the_default_selection_selects_everything() -> None:
    assert Selection() == Selection(select=DEFAULT, ignore=())


# --- through the CLI: the reader's findings follow --select/--ignore ------------------------


def reader_and_rule_findings() -> App:
    """KL005 (no applicant name, error), KL009 (Løn 2025 as text, warning) from the reader, and
    KL501 (one second late, error) from a rule."""
    app = replace(App(), name=None, submitted=datetime(2024, 8, 13, 12, 0, 1))
    app.budget_line("Løn").amounts[2025] = "3.000.000"
    return app


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        pytest.param((), ["KL005", "KL009", "KL501"], id="everything"),
        pytest.param(("--select", "KL5"), ["KL501"], id="select-rule-family"),
        pytest.param(("--select", "KL0"), ["KL005", "KL009"], id="select-reader-family"),
        pytest.param(("--select", "KL009"), ["KL009"], id="select-reader-code"),
        pytest.param(("--ignore", "KL0"), ["KL501"], id="ignore-reader-family"),
        pytest.param(("--ignore", "KL009"), ["KL005", "KL501"], id="ignore-reader-code"),
        pytest.param(("--select", "KL0", "--ignore", "KL005"), ["KL009"], id="longest-ignore"),
        pytest.param(
            ("--select", "KL005", "--ignore", "KL0"), ["KL005"], id="longest-select-beats-family"
        ),
        pytest.param(("--select", "KL0", "--ignore", "KL0"), [], id="tie-ignore-wins"),
    ],
)
def test_select_and_ignore_apply_to_reader_findings(
    tmp_path: Path, args: tuple[str, ...], codes: list[str]
) -> None:
    result = check(tmp_path, reader_and_rule_findings(), *args)
    assert result.codes == codes
    # KL005 and KL501 are errors, KL009 a warning: what is left out cannot fail the run
    assert result.exit_code == (1 if {"KL005", "KL501"} & set(codes) else 0)
