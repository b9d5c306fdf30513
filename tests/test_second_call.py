"""A second call is made by data alone: a rules file with other caps, ceilings, deadline, project
length and names changes every number and name `klynge explain` shows and every message, and
none of the built-in call's remain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klyngecli.callspec import DEFAULT_CALL, load_call
from klyngecli.cli import app
from klyngecli.model import GrantType
from tests.conftest import check, money
from tests.test_rules_caps import REGIONALFONDEN, raise_source
from tests.workbooks import App

CALLS = Path(__file__).resolve().parent.parent / "klyngecli" / "calls"

# The second call's values, as the rules file writes them.
CHANGES = {
    ("title_da",): '"Prøveopslaget 2029"',
    ("title_en",): '"The trial call 2029"',
    ("authority",): '"Prøvebestyrelsen (PB)"',
    ("grants.innovation", "cap"): "20000000",
    ("grants.basis", "cap"): "11000000",
    ("sme_ceiling", "value"): '"0.60"',
    ("indirect_ceiling", "value"): '"0.12"',
    ("deadline", "value"): "2024-09-20T16:45:00",
    ("max_project_months", "value"): "36",
}

# What `klynge explain` must show under the second call, per code and language.
SHOWN = {
    "KL201": (["20.000.000 kr.", "Prøvebestyrelsen (PB)", "Prøveopslaget 2029"],
              ["DKK 20,000,000", "Prøvebestyrelsen (PB)", "The trial call 2029"]),
    "KL202": (["11.000.000 kr."], ["DKK 11,000,000"]),
    "KL401": (["60 %"], ["60 %"]),
    "KL501": (["20. september 2024 kl. 16.45", "Prøvebestyrelsen (PB)"],
              ["20 September 2024 16:45", "Prøvebestyrelsen (PB)"]),
    "KL503": (["36 måneder"], ["36 months"]),
    "KL304": (["12 %"], ["12 %"]),
}  # fmt: skip

# The built-in call's numbers and names, in every form a text could write them.
OLD = [
    r"\b23\b",
    r"\b13\b",
    r"\b70\b",
    r"\b15\b",
    r"\b48\b",
    r"23\.000\.000",
    r"13\.000\.000",
    r"0\.70",
    r"0\.15",
    r"august",
    r"August",
    r"12[.:]00",
    r"Det danske klyngeprogram",
    r"Danish cluster programme",
    r"Danmarks Erhvervsfremmebestyrelse",
]


def second_call(tmp_path: Path) -> Path:
    """The built-in rules file with the values of CHANGES, and every source text replaced, so
    that no old number can come from the file itself."""
    text = (CALLS / f"{DEFAULT_CALL}.toml").read_text("utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    text = re.sub(r'^(\w*source) = ".*"$', r'\1 = "the trial call"', text, flags=re.MULTILINE)
    text = text.replace('id = "klyngeprogram-2025-2028"', 'id = "trial-2029"')
    for key, value in CHANGES.items():
        if len(key) == 1:  # a top-level key
            pattern = rf"^{key[0]} = .*$"
        else:  # a key of a [table]
            table, name = key
            pattern = rf"(?<=^\[{re.escape(table)}\]\n)((?:(?!\[).*\n)*?){name} = .*$"
        replacement = f"{key[0]} = {value}" if len(key) == 1 else rf"\g<1>{key[1]} = {value}"
        text, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
        assert count == 1, key
    path = tmp_path / "trial-2029.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def call_file(tmp_path: Path) -> Path:
    return second_call(tmp_path)


def test_the_second_rules_file_holds_the_new_values(call_file: Path) -> None:
    call = load_call(str(call_file))
    assert call.grants[GrantType.INNOVATION].cap == 20_000_000
    assert call.grants[GrantType.BASIS].cap == 11_000_000
    assert str(call.sme_ceiling.value) == "0.60" and str(call.indirect_ceiling.value) == "0.12"
    assert call.max_project_months.value == 36
    assert call.deadline.value.isoformat() == "2024-09-20T16:45:00"
    assert call.authority == "Prøvebestyrelsen (PB)"


def explain(code: str, call_file: Path, lang: str) -> str:
    result = CliRunner().invoke(
        app, ["explain", code, "--call", str(call_file), "--lang", lang], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("code", list(SHOWN))
@pytest.mark.parametrize("lang", ["da", "en"])
def test_explain_shows_the_second_calls_numbers_and_none_of_the_first(
    call_file: Path, code: str, lang: str
) -> None:
    text = explain(code, call_file, lang)
    da, en = SHOWN[code]
    for wanted in da if lang == "da" else en:
        assert wanted in text, (wanted, text)
    assert [old for old in OLD if re.search(old, text)] == []


@pytest.mark.parametrize("code", list(SHOWN))
def test_the_built_in_call_still_shows_its_own_numbers(code: str) -> None:
    # The counterpart: the old numbers are in the texts because the call has them.
    default = CALLS / f"{DEFAULT_CALL}.toml"
    old = {"KL201": "DKK 23,000,000", "KL202": "DKK 13,000,000", "KL401": "70 %"}
    old |= {"KL501": "13 August 2024 12:00", "KL503": "48 months", "KL304": "15 %"}
    assert old[code] in explain(code, default, "en")


def test_a_request_over_the_new_cap_is_kl201_naming_it(tmp_path: Path, call_file: Path) -> None:
    # 18 mio. kr. + 3 mio. kr. = 21 mio. kr.: over the trial call's 20 mio., under 23 mio.
    over = raise_source(App(), REGIONALFONDEN, 3_000_000)
    assert "KL201" not in check(tmp_path, over).codes  # the built-in call lets it pass
    result = check(tmp_path, over, "--call", call_file)
    finding = result.only("KL201")
    assert money(finding["limit"]) == 20_000_000 and money(finding["found"]) == 21_000_000
    assert (
        money(finding["fix"]["amount"]) == 1_000_000
        and money(finding["fix"]["target"]) == 20_000_000
    )
    danish, english = finding["message"]["da"], finding["message"]["en"]
    assert "20.000.000 kr." in danish and "21.000.000 kr." in danish
    assert "DKK 20,000,000" in english and "DKK 21,000,000" in english
    assert "23.000.000" not in danish and "23,000,000" not in english
    assert result.report["call"]["id"] == "trial-2029"


def test_every_message_follows_the_second_call(tmp_path: Path, call_file: Path) -> None:
    # The clean application, checked under the trial call: its collaborations at 65-70 % are
    # over 60 %, its 48-month project is over 36 months; the messages say the trial call's.
    result = check(tmp_path, App(), "--call", call_file)
    assert "KL503" in result.codes and "KL401" in result.codes
    kl503 = result.only("KL503")["message"]
    assert "36 måneder" in kl503["da"] and "36 months" in kl503["en"]
    assert "31-12-2027" in kl503["da"]  # the last day of 36 months from 1 January 2025
    for finding in result.findings:
        for message in finding["message"].values():
            assert not re.search(r"(højst|max) 70 %|\b48\b|23\.000\.000", message), message
            if finding["code"] == "KL401":
                assert "(højst 60 %)" in message or "(max 60 %)" in message
