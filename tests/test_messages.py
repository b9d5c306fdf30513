"""Messages that say what is accepted, fixes that agree, repeated findings folded, numbers and
severities in the report's language, -v listing only the checks that apply, --help in both
languages, and `klynge template --lang en` (issue 16). Everything through the real CLI on real
workbooks built by tests/workbooks.py."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer.main
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from klyngecli.cli import app as cli
from klyngecli.findings import _grouped, kr, number, pct
from klyngecli.helptext import LocalisedGroup, danish, language
from tests.conftest import Checked, check, run_check
from tests.workbooks import App, Layout, basis_app, invalid_cvr

SME_LINE = "Tilskud til SMV-samarbejder"
OWN = "Egenfinansiering"
TERMOFLOW = 0  # FoU 1.320.000, Tilskud 924.000: exactly 70 %
FOODSENSE = 2  # FoU 1.000.000, Tilskud 650.000


def text_report(*args: str | Path, lang: str | None = None) -> tuple[int, str]:
    """`klynge check ARGS` as plain text: exit code and standard output."""
    env: dict[str, str | None] = {"NO_COLOR": "1", "FORCE_COLOR": None, "KLYNGE_LANG": lang}
    result = CliRunner().invoke(
        cli, ["check", *map(str, args), "--no-cache"], env=env, catch_exceptions=False
    )
    return result.exit_code, result.stdout


def move(app: App, line: str, amount: int | Decimal, financing: bool = False) -> None:
    """Add `amount` to a Budget (or Finansiering) line in 2025."""
    target = app.financing_line(line) if financing else app.budget_line(line)
    old = target.amounts[2025]
    assert isinstance(old, int | Decimal)
    target.amounts[2025] = old + amount


def set_tilskud(app: App, index: int, amount: int | Decimal) -> int | Decimal:
    """Set one collaboration's Tilskud; the difference to before."""
    assert app.collaborations is not None
    before = app.collaborations[index]["Tilskud"]
    assert isinstance(before, int | Decimal)
    app.collaborations[index]["Tilskud"] = amount
    return amount - before


def money(value: Any) -> Decimal:
    return Decimal(str(value))


# --- KL102 names the year that differs --------------------------------------------------------


def test_kl102_names_the_one_year_that_differs(tmp_path: Path) -> None:
    app = App()
    own = app.financing_line(OWN)
    own.amounts[2026] = 470_000 - 300_000
    finding = check(tmp_path, app).only("KL102")
    assert finding["message"]["da"].endswith(
        "300.000 kr. finansiering mangler; forskellen ligger i 2026"
    )
    assert finding["message"]["en"].endswith(
        "DKK 300,000 of financing is missing; the difference lies in 2026"
    )
    assert finding["fix"]["en"] == "increase the financing by DKK 300,000"


def test_kl102_names_each_year_with_its_share_when_several_differ(tmp_path: Path) -> None:
    app = App()
    own = app.financing_line(OWN)
    own.amounts[2025] = 370_000 - 100_000
    own.amounts[2027] = 470_000 + 300_000
    finding = check(tmp_path, app).only("KL102")
    assert finding["message"]["da"].endswith(
        "200.000 kr. finansiering er for meget; forskellen ligger i 2025 (mangler 100.000 kr.) "
        "og 2027 (for meget 300.000 kr.)"
    )
    assert finding["message"]["en"].endswith(
        "; the difference lies in 2025 (DKK 100,000 missing) and 2027 (DKK 300,000 too much)"
    )


# --- KL601 and KL405 say what a CVR number is -------------------------------------------------


@pytest.mark.parametrize(
    ("cvr", "why_da", "why_en"),
    [
        pytest.param(invalid_cvr(), "kontrolcifferet passer ikke", "the check digit does not match",
                     id="check-digit"),
        pytest.param("1234567", "det har 7 cifre", "it has 7 digits", id="seven-digits"),
        pytest.param("01234567", "det begynder med 0", "it starts with 0", id="leading-zero"),
    ],
)  # fmt: skip
def test_kl601_says_why_and_what_a_cvr_number_is(
    tmp_path: Path, cvr: str, why_da: str, why_en: str
) -> None:
    finding = check(tmp_path, App(cvr=cvr)).only("KL601")
    assert finding["message"]["da"].endswith(
        f": {why_da}; et CVR-nummer er 8 cifre med et kontrolciffer (modulus 11)"
    )
    assert finding["message"]["en"].endswith(
        f": {why_en}; a CVR number is 8 digits with a check digit (modulus 11)"
    )


def test_kl405_says_what_a_cvr_number_is(tmp_path: Path) -> None:
    app = App()
    assert app.collaborations is not None
    app.collaborations[FOODSENSE]["CVR"] = invalid_cvr(3)
    finding = check(tmp_path, app).only("KL405")
    assert "8 cifre med et kontrolciffer (modulus 11)" in finding["message"]["da"]
    assert "8 digits with a check digit (modulus 11)" in finding["message"]["en"]


# --- KL401 is the root cause; KL105 and KL102 name its consequences ---------------------------


def test_kl401_alone_names_the_cost_line_and_financing_it_moves(tmp_path: Path) -> None:
    """FoodSense's Tilskud raised to 74,5 % with the cost line and own financing raised too:
    only KL401, and its message says the cost line and the financing come down with it."""
    app = App()
    raised = set_tilskud(app, FOODSENSE, 745_000)
    move(app, SME_LINE, raised)
    move(app, OWN, raised, financing=True)
    result = check(tmp_path, app)
    assert result.codes == ["KL401"]
    finding = result.only("KL401")
    assert money(finding["fix"]["target"]) == 700_000
    assert finding["message"]["da"].endswith(
        "nedsæt det med 45.000 kr. til 700.000 kr.; Tilskud til SMV-samarbejder i Budget og "
        "finansieringen skal så også ned med 45.000 kr."
    )
    assert finding["message"]["en"].endswith(
        "reduce it by DKK 45,000 to DKK 700,000; the cost line Tilskud til SMV-samarbejder and "
        "the financing must then come down by DKK 45,000 too"
    )
    # Following the message gives a clean workbook.
    set_tilskud(app, FOODSENSE, money(finding["fix"]["target"]))
    move(app, SME_LINE, -45_000)
    move(app, OWN, -45_000, financing=True)
    assert check(tmp_path, app).codes == []


def test_kl105_does_not_contradict_kl401_when_kl401s_fix_settles_it(tmp_path: Path) -> None:
    """The issue's case: a Tilskud raised over the ceiling without the cost line. KL105 used to
    say "raise the cost line" while KL401 said "lower the Tilskud"; following both gave KL105
    again and KL102. Now KL105 names KL401 as the fix and prescribes nothing of its own."""
    app = App()
    set_tilskud(app, TERMOFLOW, 990_000)  # 75 % of 1.320.000; the cost line stays
    result = check(tmp_path, app)
    assert result.codes == ["KL105", "KL401"]
    kl105, kl401 = result.only("KL105"), result.only("KL401")
    assert kl105["fix"] is None
    assert kl105["message"]["da"].endswith(
        "rettelsen af KL401 (Tilskud over loftet) får dem til at stemme"
    )
    assert kl105["message"]["en"].endswith(
        "fixing KL401 (Tilskud above the ceiling) makes them agree"
    )
    assert "skal så også ned" not in kl401["message"]["da"]  # the cost line is KL105's business
    set_tilskud(app, TERMOFLOW, money(kl401["fix"]["target"]))
    assert check(tmp_path, app).codes == []


def test_kl105_gives_the_cost_line_after_kl401s_fix(tmp_path: Path) -> None:
    """FoodSense raised from 650.000 to 745.000 kr. without the cost line: KL401 cuts 45.000 kr.,
    so the cost line must rise by the other 50.000 kr. (and the financing with it)."""
    app = App()
    set_tilskud(app, FOODSENSE, 745_000)
    result = check(tmp_path, app)
    assert result.codes == ["KL105", "KL401"]
    kl105, kl401 = result.only("KL105"), result.only("KL401")
    assert money(kl105["fix"]["target"]) == 6_399_000 and money(kl105["fix"]["amount"]) == 50_000
    assert kl105["message"]["da"].endswith(
        "efter rettelsen af KL401 skal omkostningslinjen være 6.399.000 kr., og finansieringen "
        "op med det samme"
    )
    assert kl105["message"]["en"].endswith(
        "after fixing KL401 the cost line must be DKK 6,399,000, and the financing up by the same"
    )
    # Every fix followed: clean.
    set_tilskud(app, FOODSENSE, money(kl401["fix"]["target"]))
    move(app, SME_LINE, money(kl105["fix"]["amount"]))
    move(app, OWN, money(kl105["fix"]["amount"]), financing=True)
    assert check(tmp_path, app).codes == []


def test_kl102_leaves_the_fix_to_kl401_when_that_balances_the_budget(tmp_path: Path) -> None:
    """Tilskud and the cost line raised, the financing not: KL401 and KL102. KL102 no longer
    says "increase the financing"; KL401's fix (with the cost line) balances the budget."""
    app = App()
    raised = set_tilskud(app, TERMOFLOW, 990_000)
    move(app, SME_LINE, raised)
    result = check(tmp_path, app)
    assert result.codes == ["KL102", "KL401"]
    kl102, kl401 = result.only("KL102"), result.only("KL401")
    assert kl102["fix"] is None
    assert kl102["message"]["da"].endswith("; rettelsen af KL401 bringer dem i balance")
    assert kl102["message"]["en"].endswith("; fixing KL401 balances them")
    assert kl401["message"]["da"].endswith(
        "; Tilskud til SMV-samarbejder i Budget skal så også ned med 66.000 kr."
    )
    set_tilskud(app, TERMOFLOW, money(kl401["fix"]["target"]))
    move(app, SME_LINE, -66_000)
    assert check(tmp_path, app).codes == []


def test_kl102s_fix_counts_the_costs_after_kl401(tmp_path: Path) -> None:
    """Tilskud and the cost line raised, and 100.000 kr. of own financing missing besides:
    KL102's fix is what the financing must be once KL401 has lowered the costs."""
    app = App()
    raised = set_tilskud(app, TERMOFLOW, 990_000)
    move(app, SME_LINE, raised)
    move(app, OWN, -100_000, financing=True)
    result = check(tmp_path, app)
    kl102 = result.only("KL102")
    assert money(kl102["fix"]["amount"]) == 100_000
    assert "efter rettelsen af KL401 er omkostningerne" in kl102["message"]["da"]
    assert kl102["message"]["en"].endswith("so increase the financing by DKK 100,000")
    set_tilskud(app, TERMOFLOW, money(result.only("KL401")["fix"]["target"]))
    move(app, SME_LINE, -66_000)
    move(app, OWN, money(kl102["fix"]["amount"]), financing=True)
    assert check(tmp_path, app).codes == []


# --- repeated findings of one cause are one finding -------------------------------------------


def test_an_uncached_i_alt_column_is_one_kl007_per_column(tmp_path: Path) -> None:
    app = App(layout=Layout(formula_totals=True, totals_row=False))
    built = app.build()
    result = check(tmp_path, built)
    budget = f"{built.ref('Budget', 0, 'I alt')}:{built.ref('Budget', 7, 'I alt').split('!')[1]}"
    financing = (
        f"{built.ref('Finansiering', 0, 'I alt')}:"
        f"{built.ref('Finansiering', 4, 'I alt').split('!')[1]}"
    )
    assert result.at("KL007") == sorted([budget, financing])
    by_location = {f["location"]: f for f in result.findings}
    assert by_location[budget]["message"]["da"].endswith("(samme fund i 8 celler)")
    assert by_location[budget]["message"]["en"].endswith("(the same in 8 cells)")
    assert by_location[financing]["message"]["da"].endswith("(samme fund i 5 celler)")
    _, text = text_report(built.write(tmp_path / "formler.xlsx"))
    assert len([line for line in text.splitlines() if line.startswith("KL007 ")]) == 2


def test_cells_with_a_value_of_their_own_keep_their_own_finding(tmp_path: Path) -> None:
    """KL009 quotes each cell's text and the amount read: each cell stays a finding."""
    app = App()
    line = app.budget_line("Løn")
    line.amounts = {year: "3.000.000" for year in line.amounts}
    assert len(check(tmp_path, app).at("KL009")) == 4


# --- numbers and severities in the report's language ------------------------------------------


def test_numbers_the_languages_way() -> None:
    assert kr(Decimal("9850000"), "da") == "9.850.000 kr."
    assert kr(Decimal("9850000"), "en") == "DKK 9,850,000"
    assert kr(Decimal("1234.5"), "da") == "1.234,50 kr."
    assert kr(Decimal("-1234.5"), "en") == "DKK -1,234.50"
    assert pct(Decimal("428.261"), "da") == "42.826,1 %"
    assert pct(Decimal("428.261"), "en") == "42,826.1 %"
    assert pct(Decimal("0.7"), "da") == "70 %" and pct(Decimal("0.743"), "en") == "74.3 %"
    assert number(Decimal("1250.5"), "da") == "1.250,5" and number(Decimal("9.80"), "en") == "9.8"
    assert _grouped(12345, "da") == "12.345" and _grouped(12345, "en") == "12,345"


def test_english_output_writes_every_amount_the_english_way(tmp_path: Path) -> None:
    app = App()
    raised = set_tilskud(app, FOODSENSE, 745_000)
    move(app, SME_LINE, raised)
    app.financing_line("Regionalfonden").amounts[2025] = 2_200_000 + 6_000_000  # over the cap
    path = app.write(tmp_path / "english.xlsx")
    _, english = text_report(path, "--lang", "en")
    _, danish = text_report(path)
    assert "DKK 24,000,000 of at most DKK 23,000,000 (104.3 %)" in english
    assert "24.000.000 kr. af højst 23.000.000 kr. (104,3 %)" in danish
    assert not re.search(r"\d\.\d{3} kr\.|\d,\d %", english), english
    assert not re.search(r"DKK|\d,\d{3}\b", danish)


def test_severities_in_the_text_report_and_english_in_json(tmp_path: Path) -> None:
    app = App()
    set_tilskud(app, TERMOFLOW, 990_000)
    path = app.write(tmp_path / "a.xlsx")
    _, danish = text_report(path)
    _, english = text_report(path, lang="en")
    assert re.search(r"^KL401 fejl SMV-samarbejder!H2  ", danish, re.MULTILINE)
    assert re.search(r"^KL401 error SMV-samarbejder!H2  ", english, re.MULTILINE)
    assert check(tmp_path, app).only("KL401")["severity"] == "error"


# --- -v lists only the checks that apply -----------------------------------------------------


def passed_checks(text: str) -> set[str]:
    """The codes of the `Beståede kontroller:` lines (which may wrap)."""
    codes: set[str] = set()
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "Beståede kontroller:" in line)
    for line in lines[start:]:
        if not line.strip():
            break
        codes |= set(re.findall(r"KL\d{3}", line))
    return codes


def test_verbose_lists_only_the_rules_that_apply_to_the_grant_type(tmp_path: Path) -> None:
    _, basis = text_report(basis_app().write(tmp_path / "basis.xlsx"), "-v")
    _, innovation = text_report(App().write(tmp_path / "innovation.xlsx"), "-v")
    basis_codes, innovation_codes = passed_checks(basis), passed_checks(innovation)
    # A basis application: not the innovation cap, not the SME sheet's rules (it has none)
    assert not basis_codes & {"KL105", "KL201", "KL301", "KL401", "KL402", "KL403", "KL406"}
    assert {"KL202", "KL302", "KL303", "KL101", "KL601"} <= basis_codes
    assert not innovation_codes & {"KL202", "KL302", "KL303"}
    assert {"KL105", "KL201", "KL301", "KL401", "KL402", "KL406"} <= innovation_codes


def test_a_basis_application_with_an_sme_sheet_is_checked_by_the_sme_rules(
    tmp_path: Path,
) -> None:
    """decisions item 20: KL401/KL403-KL406 check a basis workbook's SMV-samarbejder too."""
    app = basis_app()
    app.collaborations = App().collaborations
    _, text = text_report(app.write(tmp_path / "basis-smv.xlsx"), "-v")
    codes = passed_checks(text)
    assert {"KL401", "KL403", "KL406"} <= codes and not codes & {"KL105", "KL402"}


def test_submission_rules_are_listed_only_with_a_submission_time(tmp_path: Path) -> None:
    _, text = text_report(App(submitted=None).write(tmp_path / "x.xlsx"), "-v")
    assert not passed_checks(text) & {"KL501", "KL502"}
    _, text = text_report(App().write(tmp_path / "y.xlsx"), "-v")
    assert {"KL501", "KL502"} <= passed_checks(text)


# --- --help in Danish and English ------------------------------------------------------------

HELP_ENV = {"NO_COLOR": "1", "COLUMNS": "100", "FORCE_COLOR": None}


def help_text(*args: str, lang: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), env={**HELP_ENV, "KLYNGE_LANG": lang})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("command", ["check", "watch", "template", "rules", "explain", "calls"])
def test_help_follows_the_language(command: str) -> None:
    danish_help = help_text(command, "--help")
    english_help = help_text(command, "--help", lang="en")
    assert "Tilvalg" in danish_help and "Vis denne hjælp og afslut." in danish_help
    assert "Options" in english_help and "Show this message and exit." in english_help
    assert help_text(command, "--lang", "en", "--help") == english_help
    assert help_text(command, "--help", "--lang=en", lang="da") == english_help
    # No type after a flag; a placeholder that says what to give after an option.
    for text, options in ((danish_help, "Tilvalg"), (english_help, "Options")):
        assert "<bool>" not in text and "<str>" not in text.split(options)[-1]


def test_the_group_help_in_both_languages() -> None:
    assert "Kommandoer" in help_text("--help")
    assert "Kontrollér budgetark" in help_text("--help")
    english = help_text("--help", lang="en")
    assert "Commands" in english and "Check budget workbooks" in english
    assert "Kontrollerer" not in english


def test_every_option_of_every_command_has_danish_help() -> None:
    group = typer.main.get_command(cli)
    assert isinstance(group, LocalisedGroup)
    assert danish("klynge") and all(danish("klynge", p.name) for p in group.params if p.name)
    for name, command in group.commands.items():
        assert danish(name), name
        for param in command.params:
            assert param.name and danish(name, param.name), f"{name} {param.name}"


def test_language_of_the_help_from_argv_and_environment() -> None:
    assert language(["check", "--help"], {}) == "da"
    assert language(["check", "--help"], {"KLYNGE_LANG": "en"}) == "en"
    assert language(["check", "--lang", "en", "--help"], {"KLYNGE_LANG": "da"}) == "en"
    assert language(["check", "--lang=EN"], {}) == "en"
    assert language(["check", "--", "--lang", "en"], {}) == "da"  # a path, not an option


# --- klynge template --lang en ----------------------------------------------------------------


def guide(path: Path) -> str:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Vejledning").to_python()
    return "\n".join(str(row[0]) for row in rows if row and row[0])


def test_template_in_english_has_english_instructions_and_danish_labels(tmp_path: Path) -> None:
    runner = CliRunner()
    for lang in ("da", "en"):
        out = tmp_path / f"skabelon-{lang}.xlsx"
        result = runner.invoke(cli, ["template", str(out), "--grant", "innovation", "--lang", lang])
        assert result.exit_code == 0, result.output
    english, danish_guide = (
        guide(tmp_path / "skabelon-en.xlsx"),
        guide(tmp_path / "skabelon-da.xlsx"),
    )
    assert "How to fill in the workbook" in english and "Key rules of the call" in english
    assert "DKK 23,000,000" in english and "70 %" in english
    assert "Sådan udfylder du arbejdsbogen" in danish_guide and "23.000.000 kr." in danish_guide
    assert "Sådan" not in english
    book = CalamineWorkbook.from_path(str(tmp_path / "skabelon-en.xlsx"))
    assert (
        book.sheet_names
        == CalamineWorkbook.from_path(str(tmp_path / "skabelon-da.xlsx")).sheet_names
    )
    labels = [row[0] for row in book.get_sheet_by_name("Ansøger").to_python()[1:] if row[0]]
    assert labels[:3] == ["Ansøger", "CVR-nummer", "Bevillingstype"]
    # The checker reads both the same way.
    checked: list[Checked] = [
        run_check(tmp_path / f"skabelon-{lang}.xlsx") for lang in ("da", "en")
    ]
    assert checked[0].codes == checked[1].codes
