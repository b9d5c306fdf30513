"""The hand-built models of tests/models.py are what the reader reads from the same `App`
written as a workbook: the rule tests on models test what the CLI would see."""

from __future__ import annotations

from pathlib import Path

import pytest

from klyngecli.reader.prescreen import Limits
from klyngecli.reader.workbook import read_workbook
from tests.models import CALL, model
from tests.workbooks import App, Layout, basis_app


@pytest.mark.parametrize(
    "app",
    [
        pytest.param(App(), id="innovation"),
        pytest.param(basis_app(), id="basis"),
        pytest.param(App(lang="en"), id="english"),
        pytest.param(App(unit="1.000 kr."), id="in-1.000-kr"),
        pytest.param(
            App(designation=None, submitted=None, collaborations=[]), id="fields-left-out"
        ),
        pytest.param(
            App(layout=Layout(sme_totals_row=True, header_row=3, notes_column=True)),
            id="totals-row-header-lower-notes",
        ),
        pytest.param(App(layout=Layout(stated_totals=False, totals_row=False)), id="no-totals"),
    ],
)
def test_the_model_is_what_the_reader_reads(tmp_path: Path, app: App) -> None:
    read, found = read_workbook(app.write(tmp_path / "app.xlsx"), CALL, Limits())
    assert found == []
    assert read == model(app)
