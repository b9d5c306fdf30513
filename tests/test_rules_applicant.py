"""Applicant KL601-KL603 (rules.md "Applicant — KL6xx"), through the real CLI.

The boundary cases of these codes are tested on hand-built models in
tests/test_rules_model_period.py (with the deadline and period group). This module keeps one
end-to-end case per code and side of its boundary (the found case asserting its Sheet!Cell and
both messages as the JSON report prints them), and the cases that need a real workbook: CVR
numbers as number cells or written with `DK`, spaces and dashes, `Udpegning` values in English
or another case, blank and space-only cells, the English workbook, other labels and rows for
`Udpegning`, the reader's own findings (KL005, KL006), and `--fail-on warning`; and the CVR
numbers the models lack (7 or 9 digits, letters, a leading 0 whose checksum passes, a check
digit of 0). `Udpeget` is in every clean workbook here; `Ansøgt` passes on the models
(test_kl602_not_designated[ansoegt-ok]), and its ASCII, English and upper-case spellings here.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import assert_messages, check
from tests.workbooks import APPLICANT_CVR, App, CellValue, cvr_is_valid, invalid_cvr

APPLICANT = "Ansøger"
GOOD = APPLICANT_CVR
WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def weighted(digits: str) -> int:
    return sum(w * int(d) for w, d in zip(WEIGHTS, digits, strict=True))


def leading_zero_cvr() -> str:
    """8 digits whose weighted sum is divisible by 11, but with a leading 0."""
    for n in range(1_000_000, 10_000_000):
        text = f"0{n}"
        if weighted(text) % 11 == 0:
            return text
    raise AssertionError("unreachable")  # pragma: no cover


def test_cvr_fixtures() -> None:
    """The numbers below are what their names say."""
    assert cvr_is_valid(GOOD)
    bad = invalid_cvr(1)
    assert len(bad) == 8 and bad[0] != "0" and weighted(bad) % 11 != 0
    zero = leading_zero_cvr()
    assert len(zero) == 8 and zero[0] == "0" and weighted(zero) % 11 == 0


# --- KL601: the applicant's CVR number -------------------------------------------------------


@pytest.mark.parametrize(
    "cvr",
    [
        pytest.param(invalid_cvr(1), id="wrong-check-digit"),
        pytest.param(GOOD[:7], id="7-digits"),
        pytest.param(leading_zero_cvr(), id="leading-0-checksum-ok"),
        pytest.param(GOOD + "0", id="9-digits"),
        pytest.param("DK" + invalid_cvr(1), id="dk-wrong-check-digit"),
        pytest.param(f"{GOOD[:4]} {GOOD[4:7]}", id="7-digits-with-space"),
        pytest.param("ABCDEFGH", id="letters"),
        pytest.param(int(GOOD[:7]), id="7-digit-number-cell"),
        pytest.param(int(invalid_cvr(1)), id="number-cell-wrong-check-digit"),
    ],
)
def test_kl601_invalid_cvr(tmp_path: Path, cvr: str | int) -> None:
    built = replace(App(), cvr=cvr).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL601"]
    assert result.exit_code == 1
    finding = result.only("KL601")
    assert finding["location"] == built.ref(APPLICANT, "CVR-nummer") == "Ansøger!B2"
    assert finding["severity"] == "error"
    assert finding["found"] == str(cvr)  # as the applicant wrote it
    assert f"'{cvr}'" in finding["message"]["da"]
    assert f"'{cvr}'" in finding["message"]["en"]
    assert_messages(finding)


def test_kl601_english_workbook(tmp_path: Path) -> None:
    built = replace(App(), lang="en", cvr=invalid_cvr(1)).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL601"]
    assert result.at("KL601") == ["Applicant!B2"]


@pytest.mark.parametrize(
    "cvr",
    [
        pytest.param(int(GOOD), id="number-cell"),
        pytest.param(float(GOOD), id="float-number-cell"),
        pytest.param("DK" + GOOD, id="dk-prefix"),
        pytest.param("DK " + GOOD, id="dk-space"),
        pytest.param("DK-" + GOOD, id="dk-dash"),
        pytest.param(f"{GOOD[:2]} {GOOD[2:4]} {GOOD[4:6]} {GOOD[6:]}", id="spaces"),
        pytest.param(f"{GOOD[:4]}-{GOOD[4:]}", id="dash"),
        pytest.param(f"dk {GOOD[:2]}-{GOOD[2:4]}-{GOOD[4:6]}-{GOOD[6:]}", id="dk-and-dashes"),
        pytest.param(f"  {GOOD}  ", id="surrounding-spaces"),
    ],
)
def test_kl601_valid_cvr_in_any_spelling(tmp_path: Path, cvr: CellValue) -> None:
    result = check(tmp_path, replace(App(), cvr=cvr))
    assert result.codes == []
    assert result.exit_code == 0


def test_kl601_other_valid_numbers(tmp_path: Path) -> None:
    """A valid number whose check digit is 0 (the weighted sum of the first seven is 0 mod 11)."""
    cvr = next(
        str(n)
        for n in range(10_000_000, 99_999_999, 10)
        if weighted(str(n)) % 11 == 0 and str(n)[-1] == "0"
    )
    assert check(tmp_path, replace(App(), cvr=cvr)).codes == []


def test_kl601_not_for_a_missing_cvr(tmp_path: Path) -> None:
    """A missing CVR is KL005; KL601 says nothing about a value it does not have."""
    result = check(tmp_path, replace(App(), cvr=None))
    assert result.codes == ["KL005"]


# --- KL602: Udpegning = Nej ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("Nej", id="nej"),
        pytest.param("No", id="no"),
        pytest.param("nej", id="lower-case"),
        pytest.param(" NEJ ", id="upper-case-spaces"),
    ],
)
def test_kl602_not_designated(tmp_path: Path, value: str) -> None:
    built = replace(App(), designation=value).build()
    result = check(tmp_path, built)
    assert result.codes == ["KL602"]
    assert result.exit_code == 1
    finding = result.only("KL602")
    assert finding["location"] == built.ref(APPLICANT, "Udpegning") == "Ansøger!B7"
    assert finding["severity"] == "error"
    assert finding["found"] == value.strip()
    assert_messages(finding)


def test_kl602_english_workbook(tmp_path: Path) -> None:
    built = replace(App(), lang="en", designation="Nej").build()
    assert built.cell(APPLICANT, "Udpegning") == "No"
    result = check(tmp_path, built)
    assert result.codes == ["KL602"]
    assert result.at("KL602") == ["Applicant!B7"]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("Designated", id="designated"),
        pytest.param("Applied", id="applied"),
        pytest.param("ansoegt", id="ansoegt-ascii"),
        pytest.param("APPLIED", id="applied-upper-case"),
    ],
)
def test_kl602_designated_or_applied_passes(tmp_path: Path, value: str) -> None:
    """Decided item 5: `Ansøgt` (applied for designation) is acceptable; only `Nej` is KL602."""
    result = check(tmp_path, replace(App(), designation=value))
    assert result.codes == []
    assert result.exit_code == 0


def test_kl602_unreadable_designation_is_kl006_only(tmp_path: Path) -> None:
    """A value that is neither yes, applied nor no cannot be read (KL006); it is not guessed to be
    `Nej` (KL602) nor treated as missing (KL603)."""
    built = replace(App(), designation="Måske").build()
    result = check(tmp_path, built)
    assert result.codes == ["KL006"]
    assert result.at("KL006") == [built.ref(APPLICANT, "Udpegning")]


# --- KL603: Udpegning not given --------------------------------------------------------------


def test_kl603_udpegning_row_missing(tmp_path: Path) -> None:
    result = check(tmp_path, replace(App(), designation=None))
    assert result.codes == ["KL603"]
    assert result.exit_code == 0  # a warning only
    finding = result.only("KL603")
    assert finding["location"] == APPLICANT  # no row: the sheet
    assert finding["severity"] == "warning"
    assert_messages(finding)


@pytest.mark.parametrize(
    "empty", [pytest.param(None, id="blank"), pytest.param("   ", id="spaces")]
)
def test_kl603_udpegning_empty(tmp_path: Path, empty: CellValue) -> None:
    built = App().build()
    built.set(APPLICANT, "Udpegning", "value", empty)
    result = check(tmp_path, built)
    assert result.codes == ["KL603"]
    assert result.exit_code == 0
    finding = result.only("KL603")
    assert finding["location"] == built.ref(APPLICANT, "Udpegning") == "Ansøger!B7"
    assert finding["severity"] == "warning"


def test_kl603_fails_with_fail_on_warning(tmp_path: Path) -> None:
    result = check(tmp_path, replace(App(), designation=None), "--fail-on", "warning")
    assert result.codes == ["KL603"]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("label", "value"),
    [
        pytest.param("Udpegning", "Ansøgt", id="udpegning-ansoegt"),
        pytest.param("Designation", "Applied", id="designation-applied"),
        pytest.param("Udpegning:", "Udpeget", id="label-with-colon"),
    ],
)
def test_kl603_given_under_any_label(tmp_path: Path, label: str, value: str) -> None:
    app = replace(App(), designation=None, extra_fields=[(label, value)])
    result = check(tmp_path, app)
    assert result.codes == []
    assert result.exit_code == 0
