"""The hand-built models of tests/models.py are what the reader reads from the same `App`
written as a workbook: the rule tests on models test what the CLI would see."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from klyngecli.model import State
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


def test_every_cell_state_is_read_as_such(tmp_path: Path) -> None:
    """The reader says what it found in each cell (`State`), and the hand-built model agrees: a
    value, nothing, something it could not read (with the text, for messages), or a formula
    without a stored result. Rules match on this, never on `value is None` plus text."""
    app = App(designation="Måske", submitted="=NOW()", start="snart", contact="", cvr="ukendt")
    read, _found = read_workbook(app.write(tmp_path / "app.xlsx"), CALL, Limits())
    assert read == model(app)
    applicant = read.applicant
    assert applicant is not None
    expected = {
        "name": (State.READ, "Klyngen for Grøn Produktion"),
        "designation": (State.REPORTED, None),
        "submitted": (State.PENDING, None),
        "start": (State.REPORTED, None),
        "end": (State.READ, date(2028, 12, 31)),
        "contact": (State.BLANK, None),
        "cvr": (State.READ, "ukendt"),  # read as it stands: KL601 says it is invalid
    }
    for name, (state, value) in expected.items():
        got = getattr(applicant, name)
        assert (got.state, got.value) == (state, value), name
    assert applicant.designation.text == "Måske" and applicant.start.text == "snart"
    assert applicant.designation.given and applicant.submitted.given
    assert not applicant.contact.given and applicant.end.known and not applicant.start.known


def test_a_tables_sums_are_computed_once_and_are_no_part_of_its_value() -> None:
    from klyngecli.fingerprint import content_hash
    from klyngecli.model import total

    first, second = model(App()), model(App())
    before = content_hash(first)
    budget = first.budget
    assert budget is not None and second.budget is not None
    every = total(a for line in budget.lines for a in line.all_amounts())
    assert budget.sum_all() == every and budget.sum_all() is budget.sum_all()  # kept, not redone
    assert budget.sum_year(2025) == total(
        line.amounts[2025] for line in budget.lines if 2025 in line.amounts
    )
    assert budget.sum_of("løn") == total(
        a for line in budget.lines_with("løn") for a in line.all_amounts()
    )
    assert first == second  # second's table has computed nothing
    assert content_hash(first) == before == content_hash(second)
