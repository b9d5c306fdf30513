"""The rules as the engine runs them, on hand-built models (tests/models.py): which rules are
about an application (`applies`), `run_rules` (selection, a rule that raises), the order of
findings, the folding of repeated findings, KL204 across the files of a batch on hand-built
`Facts`, and `check_file` on one written workbook, in-process."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import FrozenInstanceError, replace
from datetime import datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from klyngecli import engine
from klyngecli import findings as findings_module
from klyngecli.codes import KL006, KL007
from klyngecli.engine import Options, Selection, check_file, fold_repeats, run_rules, sort_key
from klyngecli.findings import Finding, Severity
from klyngecli.model import Application
from klyngecli.report import Figures, FileResult, Verdict
from klyngecli.rules import Context, Rule, always, caps, registry, rule, sme
from klyngecli.rules.crossfile import Facts, cross_file_findings, unique
from klyngecli.rules.registry import RULES
from tests.models import CALL, model, options
from tests.workbooks import App, basis_app

# --- which rules are about an application -----------------------------------------------------

ALWAYS = ("KL101", "KL102", "KL103", "KL104", "KL106", "KL304", "KL503", "KL504", "KL505")
ALWAYS += ("KL506", "KL601", "KL602", "KL603")
SHEET = ("KL401", "KL403", "KL404", "KL405", "KL406")  # need SMV-samarbejder


def _applies(code: str, app: App | Application, opts: Options | None = None) -> bool:
    application = model(app) if isinstance(app, App) else app
    return RULES[code].applies(application, opts or options())


# code: (clean innovation, clean basis, unknown grant type)
APPLIES = {
    **dict.fromkeys(ALWAYS, (True, True, True)),
    **dict.fromkeys(SHEET, (True, False, True)),
    "KL105": (True, False, False),
    "KL201": (True, False, False),
    "KL202": (False, True, False),
    "KL203": (True, True, False),
    "KL205": (True, True, False),
    "KL301": (True, False, False),
    "KL302": (False, True, False),
    "KL303": (False, True, False),
    "KL402": (True, False, False),
    "KL501": (True, True, True),
    "KL502": (True, True, True),
}


def test_every_rule_has_an_applies_row() -> None:
    assert sorted(APPLIES) == sorted(RULES)


@pytest.mark.parametrize("code", sorted(APPLIES))
def test_which_applications_a_rule_is_about(code: str) -> None:
    innovation, basis, unknown = APPLIES[code]
    assert _applies(code, App()) is innovation
    assert _applies(code, basis_app()) is basis
    assert _applies(code, replace(App(), grant="Tja")) is unknown


@pytest.mark.parametrize("code", ["KL501", "KL502"])
def test_the_deadline_rules_need_a_submission_time(code: str) -> None:
    assert not _applies(code, App(submitted=None))
    assert _applies(code, App(submitted=None), options(submitted_at=datetime.now(CALL.zone)))
    assert not _applies(code, replace(model(App()), applicant=None))


@pytest.mark.parametrize("code", SHEET)
def test_the_collaboration_rules_need_the_sheet(code: str) -> None:
    assert not _applies(code, App(collaborations=None))
    assert _applies(code, App(collaborations=[]))


# --- run_rules ---------------------------------------------------------------------------


def test_run_rules_lists_the_rules_that_ran_in_code_order() -> None:
    findings, ran = run_rules(model(App(end=datetime(2029, 1, 1).date())), options())
    assert ran == [code for code in sorted(RULES) if APPLIES[code][0]]
    assert [f.code for f in findings] == ["KL503", "KL504"]


def test_run_rules_leaves_out_what_is_not_selected() -> None:
    opts = replace(options(), selection=Selection(select=("KL5",), ignore=("KL504",)))
    findings, ran = run_rules(model(App(end=datetime(2029, 1, 1).date())), opts)
    assert ran == ["KL501", "KL502", "KL503", "KL505", "KL506"]
    assert [f.code for f in findings] == ["KL503"]


def test_run_rules_leaves_out_the_rules_about_other_applications() -> None:
    _, ran = run_rules(model(basis_app()), options())
    assert "KL201" not in ran and "KL202" in ran and "KL402" not in ran


def test_a_rule_that_raises_is_kl900_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(app: Application, ctx: Context) -> Iterator[Finding]:
        raise ZeroDivisionError("a bug in a rule")

    monkeypatch.setitem(RULES, "KL401", Rule(RULES["KL401"].code, broken))
    findings, ran = run_rules(model(App(end=datetime(2029, 1, 1).date())), options())
    assert [f.code for f in findings] == ["KL900", "KL503", "KL504"]
    assert "KL401" in ran
    crash = findings[0]
    assert crash.sheet is None and crash.found == "ZeroDivisionError: a bug in a rule"
    assert crash.message_en.startswith(
        "The checker itself failed during the check KL401 (test_rules_model_engine.py:"
    )
    assert crash.message_da.startswith(
        "Kontrolprogrammet fejlede under kontrollen KL401 (test_rules_model_engine.py:"
    )
    assert crash.message_en.endswith(
        ": ZeroDivisionError: a bug in a rule. The file's other checks are missing; check it by "
        "hand"
    )


def test_an_applies_that_raises_is_kl900_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(app: Application, ctx: Context) -> bool:
        raise KeyError("x")

    rule = RULES["KL101"]
    monkeypatch.setitem(RULES, "KL101", Rule(rule.code, rule.check, broken))
    findings, ran = run_rules(model(App()), options())
    assert [f.code for f in findings] == ["KL900"]
    assert "KL101" not in ran


def test_a_memory_error_is_not_contained(monkeypatch: pytest.MonkeyPatch) -> None:
    def hungry(app: Application, ctx: Context) -> Iterator[Finding]:
        raise MemoryError

    monkeypatch.setitem(RULES, "KL101", Rule(RULES["KL101"].code, hungry))
    with pytest.raises(MemoryError):
        run_rules(model(App()), options())


# --- the order of findings and the folding of repeats ----------------------------------------


def finding(sheet: str | None, row: int = -1, col: int = -1, code: str = "KL006") -> Finding:
    cell = None if sheet is None or row < 0 else f"{chr(65 + col)}{row + 1}"
    return Finding(
        code=code,
        severity=Severity.ERROR,
        sheet=sheet,
        cell=cell,
        row=row,
        col=col,
        message_da="fejl",
        message_en="error",
    )


def test_a_file_level_finding_comes_before_one_about_an_unknown_sheet() -> None:
    found = [finding("Ukendt", code="KL003"), finding(None, code="KL900")]
    found.sort(key=sort_key(("Ansøger",)))
    assert [f.code for f in found] == ["KL900", "KL003"]


def test_findings_are_sorted_in_reading_order() -> None:
    found = [
        finding("Budget", 3, 2, "KL101"),
        finding("Budget", 1, 5),
        finding("Ansøger", 4, 1),
        finding("Budget", 1, 2, "KL104"),
        finding("Budget", 1, 2, "KL101"),
        finding("Andet ark", 9, 0),
        finding(None, code="KL900"),
    ]
    found.sort(key=sort_key(("Ansøger", "Budget")))
    assert [(f.location, f.code) for f in found] == [
        ("", "KL900"),
        ("Andet ark!A10", "KL006"),  # a sheet the order does not know comes first
        ("Ansøger!B5", "KL006"),
        ("Budget!C2", "KL101"),
        ("Budget!C2", "KL104"),
        ("Budget!F2", "KL006"),
        ("Budget!C4", "KL101"),
    ]


def cell_finding(row: int, col: int, code: str = "KL007", **values: object) -> Finding:
    return KL007.finding(None, "formel", "formula").model_copy(
        update={"code": code, "sheet": "Budget", "cell": f"{chr(65 + col)}{row + 1}", "row": row,
                "col": col, **values}
    )  # fmt: skip


def cells(found: list[Finding]) -> list[tuple[str | None, str]]:
    return sorted((f.cell, f.message_en) for f in found)


@pytest.mark.parametrize(
    ("places", "expected"),
    [
        pytest.param([(1, 6)], [("G2", "formula")], id="one-cell"),
        pytest.param(
            [(1, 6), (2, 6), (3, 6)],
            [("G2:G4", "formula (the same in 3 cells)")],
            id="a-run-down-a-column",
        ),
        pytest.param(
            [(1, 2), (1, 3)], [("C2:D2", "formula (the same in 2 cells)")], id="a-run-along-a-row"
        ),
        pytest.param(
            [(1, 6), (3, 6)], [("G2", "formula"), ("G4", "formula")], id="a-gap-is-no-run"
        ),
        pytest.param(
            [(1, 6), (2, 6), (2, 7)],
            [("G2:G3", "formula (the same in 2 cells)"), ("H3", "formula")],
            id="columns-first",
        ),
        pytest.param(
            [(1, 6), (2, 6), (4, 6), (5, 6)],
            [
                ("G2:G3", "formula (the same in 2 cells)"),
                ("G5:G6", "formula (the same in 2 cells)"),
            ],
            id="two-runs",
        ),
        pytest.param(
            [(1, 6), (1, 6)], [("G2", "formula"), ("G2", "formula")], id="the-same-cell-twice"
        ),
        pytest.param(
            [(0, 1), (0, 2)], [("B1:C1", "formula (the same in 2 cells)")], id="on-the-first-row"
        ),
        pytest.param(
            [(300, 6), (301, 6)],
            [("G301:G302", "formula (the same in 2 cells)")],
            id="far-down-the-sheet",
        ),
        pytest.param(
            [(1, 0), (2, 0)],
            [("A2:A3", "formula (the same in 2 cells)")],
            id="in-the-first-column",
        ),
    ],
)
def test_repeated_findings_are_folded(
    places: list[tuple[int, int]], expected: list[tuple[str, str]]
) -> None:
    assert cells(fold_repeats([cell_finding(r, c) for r, c in places])) == expected


def test_folding_counts_in_danish_too() -> None:
    (folded,) = fold_repeats([cell_finding(1, 6), cell_finding(2, 6)])
    assert folded.message_da == "formel (samme fund i 2 celler)"
    assert (folded.row, folded.col) == (1, 6)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param({"code": "KL006"}, id="another-code"),
        pytest.param({"message_en": "other"}, id="another-message"),
        pytest.param({"message_da": "anden"}, id="another-danish-message"),
        pytest.param({"sheet": "Finansiering"}, id="another-sheet"),
    ],
)
def test_only_the_same_finding_is_folded(other: dict[str, object]) -> None:
    second = cell_finding(2, 6).model_copy(update=other)
    assert len(fold_repeats([cell_finding(1, 6), second])) == 2


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"found": "x"}, id="found"),
        pytest.param({"limit": 5}, id="limit"),
        pytest.param({"cell": "G2:G3"}, id="a-range-already"),
        pytest.param({"sheet": None, "cell": None}, id="file-level"),
    ],
)
def test_findings_with_values_of_their_own_are_kept(values: dict[str, object]) -> None:
    found = [cell_finding(1, 6, **values), cell_finding(2, 6, **values)]
    assert fold_repeats(found) == found


def test_a_finding_without_a_cell_is_kept() -> None:
    found = [
        cell_finding(1, 6).model_copy(update={"cell": None}),
        cell_finding(2, 6).model_copy(update={"cell": None}),
    ]
    assert fold_repeats(found) == found
    sheet_level = [KL006.finding("Budget", "a", "b"), KL006.finding("Budget", "a", "b")]
    assert fold_repeats(sheet_level) == sheet_level


# --- KL204 across files --------------------------------------------------------------------

CVR = "61405801"
AT = ("Ansøger", "B2", 1, 1)


def fact(index: int, request: D | None, **changes: object) -> Facts:
    base = Facts(
        index=index,
        path=f"{index}.xlsx",
        cvr=CVR,
        cvr_at=AT,
        grant="innovation",
        deb_request=request,
        content_hash=f"hash{index}",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def kl204(*facts: Facts) -> dict[int, list[tuple[str, object, object, object]]]:
    found = cross_file_findings(facts, CALL)
    return {
        i: [(f.location, f.found, f.limit, f.fix.amount if f.fix else None) for f in fs]
        for i, fs in found.items()
    }


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(
            (fact(0, D(11_500_000)), fact(1, D(11_500_000))), {}, id="exactly-the-cap-together-ok"
        ),
        pytest.param(
            (fact(0, D(11_500_000)), fact(1, D("11500000.01"))),
            {
                0: [("Ansøger!B2", D("23000000.01"), 23000000, D("0.01"))],
                1: [("Ansøger!B2", D("23000000.01"), 23000000, D("0.01"))],
            },
            id="1-ore-over-the-cap-together-fails-on-both",
        ),
        pytest.param((fact(0, D(30_000_000)),), {}, id="one-file-alone-is-kl201"),
        pytest.param(
            (fact(0, D(12_000_000)), fact(1, D(12_000_000), grant="basis")),
            {},
            id="grant-types-apart",
        ),
        pytest.param(
            (fact(0, D(12_000_000)), fact(1, D(12_000_000), cvr="12345682")),
            {},
            id="applicants-apart",
        ),
        pytest.param(
            (fact(0, D(12_000_000)), fact(1, D(12_000_000), cvr=None)), {}, id="no-cvr-no-group"
        ),
        pytest.param(
            (fact(0, D(1), cvr=None), fact(1, D(12_000_000)), fact(2, D(12_000_000))),
            {
                1: [("Ansøger!B2", 24000000, 23000000, 1000000)],
                2: [("Ansøger!B2", 24000000, 23000000, 1000000)],
            },
            id="a-file-without-cvr-first-does-not-stop-the-others",
        ),
        pytest.param(
            (fact(0, D(12_000_000)), fact(1, D(12_000_000), grant=None)),
            {},
            id="no-grant-no-group",
        ),
        pytest.param((fact(0, D(12_000_000)), fact(1, None)), {}, id="unknown-request-no-group"),
        pytest.param(
            (fact(0, D(12_000_000), grant="other"), fact(1, D(12_000_000), grant="other")),
            {},
            id="a-grant-type-the-call-does-not-have",
        ),
        pytest.param(
            (fact(0, D(7_000_000), grant="basis"), fact(1, D(6_000_001), grant="basis")),
            {
                0: [("Ansøger!B2", 13000001, 13000000, 1)],
                1: [("Ansøger!B2", 13000001, 13000000, 1)],
            },
            id="basis-cap",
        ),
        pytest.param(
            (fact(0, D(12_000_000)), fact(1, D(12_000_000), cvr_at=None)),
            {
                0: [("Ansøger!B2", 24000000, 23000000, 1000000)],
                1: [("", 24000000, 23000000, 1000000)],
            },
            id="no-cvr-cell-is-file-level",
        ),
        pytest.param(
            (
                fact(0, D(30_000_000), cvr="12345682"),
                fact(1, D(12_000_000)),
                fact(2, D(12_000_000)),
            ),
            {
                1: [("Ansøger!B2", 24000000, 23000000, 1000000)],
                2: [("Ansøger!B2", 24000000, 23000000, 1000000)],
            },
            id="a-group-of-one-first-does-not-stop-the-others",
        ),
        pytest.param(
            (
                fact(0, D(1), cvr="12345682"),
                fact(1, D(1), cvr="12345682"),
                fact(2, D(12_000_000)),
                fact(3, D(12_000_000)),
            ),
            {
                2: [("Ansøger!B2", 24000000, 23000000, 1000000)],
                3: [("Ansøger!B2", 24000000, 23000000, 1000000)],
            },
            id="a-group-under-the-cap-first-does-not-stop-the-others",
        ),
        pytest.param(
            (fact(0, D(1), content_hash="same"), fact(1, D(1), content_hash="same")),
            {1: [("", "0.xlsx", None, None)]},
            id="the-same-content-twice",
        ),
        pytest.param(
            (fact(0, D(1), content_hash=None), fact(1, D(1), content_hash=None)),
            {},
            id="no-content-hash-is-never-a-duplicate",
        ),
        pytest.param(
            (
                fact(0, D(1), content_hash=None),
                fact(1, D(1), content_hash="same"),
                fact(2, D(1), content_hash="same"),
            ),
            {2: [("", "1.xlsx", None, None)]},
            id="a-file-without-content-hash-first-does-not-stop-the-check",
        ),
        pytest.param(
            (fact(0, D(24_000_000)), fact(1, D(24_000_000))),
            {
                0: [("Ansøger!B2", 48000000, 23000000, 25000000)],
                1: [("Ansøger!B2", 48000000, 23000000, 25000000)],
            },
            id="more-than-twice-the-cap-together",
        ),
        pytest.param(
            (
                fact(0, D(12_000_000), content_hash="same"),
                fact(1, D(12_000_000), content_hash="same"),
            ),
            {1: [("", "0.xlsx", None, None)]},
            id="a-duplicate-counts-once-in-the-sum",
        ),
        pytest.param(
            (
                fact(2, D(12_000_000)),
                fact(1, D(12_000_000), content_hash="same"),
                fact(0, D(12_000_000), content_hash="same"),
            ),
            {
                0: [("Ansøger!B2", 24000000, 23000000, 1000000)],
                1: [("", "0.xlsx", None, None)],
                2: [("Ansøger!B2", 24000000, 23000000, 1000000)],
            },
            id="path-order-decides-which-is-the-duplicate",
        ),
    ],
)
def test_kl204_across_files(
    facts: tuple[Facts, ...], expected: dict[int, list[tuple[str, object, object, object]]]
) -> None:
    assert kl204(*facts) == expected


def test_kl204_messages() -> None:
    found = cross_file_findings([fact(0, D(12_000_000)), fact(1, D(12_000_000))], CALL)
    first = found[0][0]
    assert first.message_da == (
        f"Ansøgeren med CVR {CVR} søger i alt 24.000.000 kr. (innovation) i 2 ansøgninger "
        "(også 1.xlsx); loftet er 23.000.000 kr. pr. ansøger"
    )
    assert first.message_en == (
        f"The applicant with CVR {CVR} requests DKK 24,000,000 in total (innovation) in 2 "
        "applications (also 1.xlsx); the cap is DKK 23,000,000 per applicant"
    )
    assert first.fix is not None
    assert (first.fix.da, first.fix.en) == (
        "nedsæt ansøgningerne med i alt 1.000.000 kr.",
        "reduce the applications by DKK 1,000,000 in total",
    )
    assert (first.sheet, first.cell, first.row, first.col) == AT
    duplicate = cross_file_findings(
        [fact(0, D(1), content_hash="h"), fact(1, D(1), content_hash="h")], CALL
    )[1][0]
    assert duplicate.message_da == (
        "Samme ansøgning som 0.xlsx (de samme værdier): den er indsendt to gange"
    )
    assert duplicate.message_en == (
        "The same application as 0.xlsx (the same values): it was submitted twice"
    )
    assert duplicate.fix is not None
    assert (duplicate.fix.da, duplicate.fix.en) == (
        "træk den ene af 0.xlsx og 1.xlsx tilbage",
        "withdraw one of 0.xlsx and 1.xlsx",
    )


@pytest.mark.parametrize(
    ("members", "also"),
    [
        pytest.param(6, "1.xlsx, 2.xlsx, 3.xlsx, 4.xlsx, 5.xlsx)", id="five-others-all-named"),
        pytest.param(7, "1.xlsx, 2.xlsx, 3.xlsx, 4.xlsx, 5.xlsx (+1))", id="six-others-one-more"),
    ],
)
def test_kl204_names_at_most_five_other_files(members: int, also: str) -> None:
    found = cross_file_findings([fact(i, D(5_000_000)) for i in range(members)], CALL)
    assert f"(also {also}" in found[0][0].message_en


def test_kl204_facts_are_values() -> None:
    with pytest.raises(FrozenInstanceError):
        fact(0, D(1)).cvr = None  # type: ignore[misc]


def test_kl204_unique_keeps_the_first_of_each_content_in_path_order() -> None:
    facts = [fact(2, D(1), content_hash="a"), fact(0, D(1), content_hash="a"), fact(1, D(1))]
    assert [f.index for f in unique(facts)] == [0, 1]


@pytest.mark.parametrize(
    ("request_figure", "expected"),
    [
        pytest.param(18_000_000, D(18_000_000), id="int"),
        pytest.param(1234.5, D("1234.5"), id="float-exactly"),
        pytest.param(None, None, id="unknown"),
    ],
)
def test_kl204_facts_of_a_file_result(request_figure: object, expected: D | None) -> None:
    result = FileResult(
        path="a.xlsx",
        verdict=Verdict.PASSED,
        cvr=CVR,
        cvr_at=AT,
        grant="innovation",
        content_hash="h",
        figures=Figures(deb_request=request_figure),  # type: ignore[arg-type]
    )
    assert Facts.of(3, result) == Facts(3, "a.xlsx", CVR, AT, "innovation", expected, "h")


# --- check_file: one workbook through the whole flow, in-process ----------------------------


@pytest.fixture(scope="module")
def clean_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return App().write(tmp_path_factory.mktemp("engine") / "clean.xlsx")


def test_check_file_describes_a_clean_application(clean_xlsx: Path) -> None:
    result = check_file(clean_xlsx, options())
    assert result.path == str(clean_xlsx)
    assert result.sha256 == hashlib.sha256(clean_xlsx.read_bytes()).hexdigest()
    assert result.content_hash is not None and len(result.content_hash) == 64
    assert (result.verdict, result.findings) == (Verdict.PASSED, [])
    assert result.applicant == "Klyngen for Grøn Produktion"
    assert (result.cvr, result.cvr_at) == (CVR, ("Ansøger", "B2", 1, 1))
    assert result.grant == "innovation"
    assert result.figures.deb_request == 18_000_000
    assert result.rules_run == [code for code in sorted(RULES) if APPLIES[code][0]]
    assert check_file(clean_xlsx, options(), label="-").path == "-"


def test_check_file_without_a_cvr_number_has_no_cvr_cell(tmp_path: Path) -> None:
    result = check_file(App(cvr=None).write(tmp_path / "a.xlsx"), options())
    assert (result.cvr, result.cvr_at) == (None, None)
    assert [f.code for f in result.findings] == ["KL005"]


def test_check_file_sorts_and_selects_the_findings(tmp_path: Path) -> None:
    path = App(end=datetime(2029, 1, 1).date(), submitted=None).write(tmp_path / "a.xlsx")
    result = check_file(path, options())
    assert [(f.code, f.location) for f in result.findings] == [
        ("KL506", "Ansøger"),
        ("KL503", "Ansøger!B5"),
        ("KL504", "Ansøger!B5"),
    ]
    assert result.verdict == Verdict.FAILED
    only = check_file(path, replace(options(), selection=Selection(select=("KL506",))))
    assert [f.code for f in only.findings] == ["KL506"]
    assert only.verdict == Verdict.PASSED_WITH_WARNINGS


def test_a_reader_that_raises_is_kl900(clean_xlsx: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> object:
        raise ValueError("a bug in the reader")

    monkeypatch.setattr(engine, "read_workbook", broken)
    result = check_file(clean_xlsx, options())
    (crash,) = result.findings
    assert crash.code == "KL900"
    assert crash.message_da.startswith("Kontrolprogrammet fejlede under læsningen (")
    assert crash.message_en.startswith("The checker itself failed during reading (")
    assert (result.verdict, result.rules_run, result.applicant, result.grant) == (
        Verdict.FAILED,
        [],
        None,
        None,
    )
    assert result.figures == Figures()


def test_key_figures_that_raise_are_kl900(
    clean_xlsx: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> object:
        raise ValueError("a bug in the figures")

    monkeypatch.setattr(engine, "figures_of", broken)
    result = check_file(clean_xlsx, options())
    (crash,) = result.findings
    assert crash.message_en.startswith("The checker itself failed during the key figures (")
    assert crash.message_da.startswith("Kontrolprogrammet fejlede under nøgletallene (")
    assert result.content_hash is None and result.rules_run != []


@pytest.mark.parametrize("where", ["read_workbook", "figures_of"])
def test_a_memory_error_leaves_check_file(
    clean_xlsx: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    def hungry(*args: object) -> object:
        raise MemoryError

    monkeypatch.setattr(engine, where, hungry)
    with pytest.raises(MemoryError):
        check_file(clean_xlsx, options())


def test_a_file_that_cannot_be_read_has_no_hash(tmp_path: Path) -> None:
    result = check_file(tmp_path / "missing.xlsx", options())
    assert result.sha256 is None
    assert result.verdict == Verdict.UNREADABLE


def test_the_findings_per_code_are_capped(tmp_path: Path) -> None:
    app = App()
    for year in (2025, 2026, 2027, 2028):
        app.budget[0].amounts[year] = "abc"  # four KL006, capped at two
    opts = replace(options(), max_findings_per_code=2)
    codes = [f.code for f in check_file(app.write(tmp_path / "a.xlsx"), opts).findings]
    assert codes.count("KL006") == 3  # two, and one that says how many more


# --- the registry and the rule decorator ---------------------------------------------------

EVERY_RULE = [
    *(f"KL10{i}" for i in range(1, 7)),
    "KL201", "KL202", "KL203", "KL205",
    *(f"KL30{i}" for i in range(1, 5)),
    *(f"KL40{i}" for i in range(1, 7)),
    *(f"KL50{i}" for i in range(1, 7)),
    "KL601", "KL602", "KL603",
]  # fmt: skip


def test_the_registry_holds_every_rule_in_code_order() -> None:
    assert list(RULES) == EVERY_RULE
    assert list(registry.CODES) == sorted(registry.CODES)
    assert set(registry.CODES) == {*EVERY_RULE, *(c.code for c in registry.FILE_CODES)}
    assert {"KL001", "KL011", "KL204", "KL900"} <= set(registry.CODES)
    assert all(registry.CODES[code] is RULES[code].code for code in RULES)


def test_a_table_of_rules_is_sorted_and_refuses_a_rule_listed_twice() -> None:
    assert list(registry._table((sme.FAMILY, caps.FAMILY))) == [
        "KL201", "KL202", "KL203", "KL205", "KL401", "KL402", "KL403", "KL404", "KL405", "KL406",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="a rule is listed twice"):
        registry._table((caps.FAMILY, caps.FAMILY))


def test_a_rule_is_declared_with_its_documentation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(findings_module, "CATALOG", {})

    @rule("KL999", Severity.WARNING, "Titel", "Title", params=("tolerance_kr",))
    def example(app: Application, ctx: Context) -> Iterator[Finding]:
        """What it does: nothing.

        Indented."""
        yield example.finding("Budget", "da", "en", found=1)

    assert isinstance(example, Rule)
    assert findings_module.CATALOG["KL999"] is example.code
    assert example.code.doc == "What it does: nothing.\n\nIndented."  # cleaned
    assert (example.code.title_da, example.code.title_en) == ("Titel", "Title")
    assert (example.code.severity, example.code.params) == (Severity.WARNING, ("tolerance_kr",))
    assert example.applies is always and always(model(App()), options()) is True
    (found,) = example(model(App()), options())
    assert (found.code, found.severity, found.location, found.found) == (
        "KL999",
        Severity.WARNING,
        "Budget",
        1,
    )
    assert (found.message_da, found.message_en) == ("da", "en")


def test_a_rule_may_say_which_applications_it_is_about(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(findings_module, "CATALOG", {})

    def never(app: Application, ctx: Context) -> bool:
        return False

    @rule("KL998", Severity.INFO, "Titel", "Title", applies=never)
    def example(app: Application, ctx: Context) -> Iterator[Finding]:
        yield from ()

    assert example.applies is never
    assert example.code.doc == "" and example.code.params == ()


def test_a_one_letter_prefix_selects_its_codes() -> None:
    assert Selection(select=("K",)).wants("KL101")
    assert not Selection(select=("K",), ignore=("K",)).wants("KL101")
    assert Selection(select=("",)).wants("KL101")


def test_selection_and_options_are_values() -> None:
    with pytest.raises(FrozenInstanceError):
        Selection().select = ()  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        options().now = datetime(2026, 1, 1)  # type: ignore[misc]


def test_a_crash_message_is_cut_at_300_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(app: Application, ctx: Context) -> Iterator[Finding]:
        raise ValueError("x" * 400)

    monkeypatch.setitem(RULES, "KL101", Rule(RULES["KL101"].code, broken))
    (crash,) = run_rules(model(App()), options())[0]
    assert crash.found == "ValueError: " + "x" * 288
