"""Regenerate sample_budgets/: realistic workbooks with the findings each one should give.

    python scripts/make_samples.py        (or: make samples)

Every sample NAME.xlsx gets tests/expected/NAME.expected: one line per expected finding,
`CODE Sheet!Cell` (or `CODE Sheet` for a finding about a whole sheet), sorted; an empty file
for a clean sample. They are test data, kept out of the folder `make demo` checks, where each
would be listed as a skipped path. The expected lines are written out by hand below and
checked against where the builder actually put the values, so a change of layout cannot
silently move them. The README.md of the folder is written from the same list.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.workbooks import (  # noqa: E402
    YEARS,
    App,
    Built,
    CellValue,
    Layout,
    Line,
    add_control_row,
    basis_app,
    dk_amount,
    innovation_app,
    reproducible,
    valid_cvr,
)

OUT = ROOT / "sample_budgets"
EXPECTED = ROOT / "tests" / "expected"


@dataclass(frozen=True)
class Sample:
    name: str
    """File name without .xlsx."""
    shows: str
    """One line for the README: what the sample is and what it shows."""
    make: Callable[[], App]
    expected: tuple[str, ...]
    """The findings, written out by hand from rules.md and workbook-format.md."""
    derive: Callable[[Built], list[str]]
    """The same findings, from where the builder put the values."""
    libreoffice: bool = False
    """Open and save the written file with LibreOffice (which stores the formulas' results)."""
    finish: Callable[[Built], None] | None = None
    """A change to the built sheets before they are written (a row the `App` cannot express)."""


def no_findings(_: Built) -> list[str]:
    return []


# --- clean applications ----------------------------------------------------------------------


def innovation_clean() -> App:
    app = innovation_app(1)
    app.name = "Klyngen for Grøn Produktion"
    return app


def basis_clean() -> App:
    return basis_app(2)


_ENGLISH_DESCRIPTIONS = {
    "Løn": "Cluster secretariat: project management and innovation advisers (4.5 FTE)",
    "Eksterne konsulenter": "Process facilitation and market studies",
    "Rejser": "Matchmaking events and international fairs",
    "Udstyr": "Demonstration equipment for the cluster's test facility",
    "Revision": "Auditor's statement on the project accounts",
    "Øvrige omkostninger": "Network meetings, venues and communication",
    "Indirekte omkostninger": "14 % of staff costs",
    "Tilskud til SMV-samarbejder": "Grants and overhead for the SMEs' innovation projects",
    "Regionalfonden": "European Regional Development Fund, applied for at DEB",
    "Decentrale erhvervsfremmemidler": "Applied for at the Danish Business Promotion Board",
    "Privat kontant medfinansiering": "Membership fees from companies",
    "Offentlig kontant medfinansiering": "Municipal co-financing",
    "Egenfinansiering": "The cluster organisation's own funds",
}


_ENGLISH_PROJECTS = (
    "Digital twin of a district heating plant",
    "Recycling of composite materials",
    "AI-based quality control in food production",
    "Hydrogen storage for small ports",
    "Sensor-based water management in agriculture",
    "4 SME projects in the green transition",
)


def innovation_english() -> App:
    app = innovation_app(3)
    app.lang = "en"
    app.name = "West Coast Maritime Cluster"
    assert isinstance(app.cvr, str)
    app.cvr = int(app.cvr)  # typed into Excel as a number
    app.submitted = "2024-08-12T14:30:00+02:00"
    app.contact = "Anna Holm"
    app.email = "anna.holm@maritimecluster.example"
    for line in [*app.budget, *app.financing]:
        line.description = _ENGLISH_DESCRIPTIONS[line.label]
    for collab, project in zip(app.collaborations or [], _ENGLISH_PROJECTS, strict=True):
        collab["Samarbejde"] = project
    return app


def innovation_messy() -> App:
    """Everything of the Tolerance list of workbook-format.md at once; still clean."""
    app = innovation_app(4)
    app.name = "Sydjysk Energiklynge"
    cvr = str(app.cvr)
    app.cvr = f"DK {cvr[0:2]} {cvr[2:4]} {cvr[4:6]} {cvr[6:8]}"
    app.start = "01-01-2025"
    app.submitted = "12-08-2024 kl. 14.30"
    app.unit = "1.000 kr."
    app.contact = "Jens Brandt"
    app.email = "jb@sydjyskenergi.example"
    app.layout = Layout(
        title_rows=(
            "Det danske klyngeprogram 2025-2028 – {sheet}",
            None,
            "{name}",
            "Alle beløb i 1.000 kr.",
        ),
        header_row=7,
        blank_rows_between=True,
        notes_column=True,
        reverse_years=True,
        helper_column=True,
        text_number_format=True,
        label_colons=True,
        sme_totals_row=True,
    )
    app.sheet_names = {"Budget": "Budget "}
    app.budget_line("Løn").note = "Inkl. pension og feriepenge"
    app.budget_line("Udstyr").note = "Jf. tilbud af 3. juni 2024"
    app.financing_line("Privat kontant medfinansiering").note = "Kontingent 2025 vedtaget"
    app.other_sheets = {
        "Vejledning": [
            ["Vejledning til budgetskabelonen"],
            [],
            ["Udfyld fanerne i rækkefølge og indsend senest 13. august 2024 kl. 12.00."],
            ["Beløb angives i den enhed, der står under Enhed på fanen Ansøger."],
        ],
        "Lister": [
            ["Kategorier", *[line.label for line in app.budget]],
            ["Kilder", *[line.label for line in app.financing]],
            ["Bevillingstyper", "Innovation", "Basis"],
        ],
    }
    app.hidden_sheets = ("Lister",)
    return app


def innovation_merged() -> App:
    """Merged cells as people make them: each Ansøger label merged over two columns with its
    value in the third; `Løn` merged down over three cost lines, `Regionalfonden` over two
    sources, a collaboration with two SMEs under one merged `Samarbejde`."""
    app = innovation_app(13)
    app.name = "Klyngen for Maritim Automation"
    app.contact = "Peter Vestergaard"
    app.email = "pv@maritimautomation.example"
    app.layout = Layout(
        title_rows=("{sheet} – {name}", None), header_row=3, merged_labels=True, merge_runs=True
    )
    app.budget[0:1] = [
        Line("Løn", dict.fromkeys(YEARS, 1_800_000), "Projektledelse og sekretariat (2,5 årsværk)"),
        Line("Løn", dict.fromkeys(YEARS, 1_000_000), "Innovationskonsulenter (1,5 årsværk)"),
        Line("Løn", dict.fromkeys(YEARS, 200_000), "Studentermedhjælp"),
    ]  # 3.000.000 kr. a year, as in innovation_app
    app.financing[0:1] = [
        Line("Regionalfonden", _years(1_100_000, 1_300_000, 1_300_000, 1_150_000),
             "Prioritetsakse 1: innovation"),
        Line("Regionalfonden", _years(1_100_000, 1_300_000, 1_300_000, 1_150_000),
             "Prioritetsakse 2: grøn omstilling"),
    ]  # fmt: skip
    assert app.collaborations is not None
    first = app.collaborations[0]
    first.update({"FoU-omkostninger": 1_000_000, "Tilskud": 700_000, "Overhead": 40_000})
    app.collaborations.insert(
        1,
        {
            **first,
            "SMV": "Skibsstyring ApS",
            "CVR": valid_cvr(13_777),
            "Ansatte": 9,
            "FoU-omkostninger": 320_000,
            "Tilskud": 224_000,
            "Overhead": 20_000,
        },
    )
    return app


def innovation_two_row_header() -> App:
    """Headers over two rows in every table: `Beløb (1.000 kr.)` merged over the year columns
    above the years, `Kategori`, `Beskrivelse` and `I alt` merged down over both rows."""
    app = innovation_app(14)
    app.name = "Klyngen for Life Science Produktion"
    app.contact = "Ida Kragh"
    app.email = "ik@lifescienceproduktion.example"
    app.unit = "1.000 kr."
    app.layout = Layout(two_row_header="Beløb (1.000 kr.)")
    return app


def basis_sections() -> App:
    """Section headings in the budget (one with its amounts typed as 0) and, under the financing
    totals, a control row whose formulas give 0."""
    app = basis_app(15)
    app.name = "Klyngen for Turisme og Oplevelser"
    app.contact = "Birgitte Dahl"
    app.email = "bd@turismeklynge.example"
    headings = {
        "Løn": "A. Personale",
        "Eksterne konsulenter": "B. Drift",
        "Revision": "C. Revision og indirekte omkostninger",
    }
    for label, text in headings.items():
        amounts: dict[int, CellValue] = dict.fromkeys(YEARS, 0) if text.startswith("B") else {}
        app.budget.insert(app.budget.index(app.budget_line(label)), Line(text, amounts, total=None))
    return app


# --- typical mistakes ------------------------------------------------------------------------


def sme_share_above_70() -> App:
    """Komposit Nord A/S gets 600.000 of 800.000 kr. (75 %); sums are kept consistent."""
    app = innovation_app(5)
    app.name = "Klyngen for Digital Sundhed"
    assert app.collaborations is not None
    app.collaborations[1]["Tilskud"] = 600_000
    _add(app.budget_line("Tilskud til SMV-samarbejder"), 2026, 100_000)
    _add(app.financing_line("Regionalfonden"), 2026, 100_000)
    return app


def decentral_only() -> App:
    """Innovation financed by decentral funds alone: the Regionalfond row is deleted and its
    amounts moved to the decentral row (the DEB request stays 18 mio. kr.)."""
    app = innovation_app(6)
    app.name = "Nordjysk Robotklynge"
    regional = app.financing_line("Regionalfonden")
    app.financing.remove(regional)
    for year, amount in regional.amounts.items():
        _add(app.financing_line("Decentrale erhvervsfremmemidler"), year, amount)
    return app


def deb_cap_exceeded() -> App:
    """A bigger budget (staff + 1 mio. kr. a year) asking DEB for 24.5 mio. kr. (cap 23)."""
    app = innovation_app(7)
    app.name = "Klyngen for Cirkulært Byggeri"
    for year in YEARS:
        _add(app.budget_line("Løn"), year, 1_000_000)
    amounts = {
        "Regionalfonden": (3_000_000, 3_400_000, 3_400_000, 3_000_000),
        "Decentrale erhvervsfremmemidler": (2_700_000, 3_100_000, 3_100_000, 2_800_000),
        "Privat kontant medfinansiering": (300_000, 350_000, 350_000, 400_000),
        "Offentlig kontant medfinansiering": (100_000, 100_000, 100_000, 100_000),
        "Egenfinansiering": (170_000, 220_000, 220_000, 219_000),
    }
    for label, per_year in amounts.items():
        app.financing_line(label).amounts = dict(zip(YEARS, per_year, strict=True))
    return app


def innovation_libreoffice() -> App:
    """Stated totals as =SUM formulas, saved by LibreOffice Calc: the results are stored."""
    app = innovation_app(12)
    app.name = "Klyngen for Fødevareteknologi"
    app.contact = "Sofie Lund"
    app.email = "sl@foedevareteknologi.example"
    app.layout = Layout(formula_totals=True, sme_totals_row=True)
    return app


def submitted_late() -> App:
    app = innovation_app(8)
    app.name = "Fynsk Droneklynge"
    app.submitted = datetime(2024, 8, 13, 12, 0, 1)
    return app


def wrong_stated_total() -> App:
    """Udstyr is 150.000 + 50.000 + 50.000 + 50.000 = 300.000, but its I alt says 250.000.
    No totals row, so that exactly one stated total is wrong."""
    app = innovation_app(9)
    app.name = "Sjællandsk Biotekklynge"
    app.layout = Layout(totals_row=False)
    app.budget_line("Udstyr").total = 250_000
    return app


def basis_with_regional_fund() -> App:
    """Basis application that asks for 2 mio. kr. from Regionalfonden (DEB request unchanged)."""
    app = basis_app(10)
    app.name = "Bornholmsk Turismeklynge"
    app.grant = "Basisbevilling"
    app.contact = "Karen Mortensen"
    app.email = "km@turismeklynge.example"
    app.financing_line("Decentrale erhvervsfremmemidler").amounts = dict.fromkeys(YEARS, 1_800_000)
    regional = Line(
        "Regionalfonden",
        dict.fromkeys(YEARS, 500_000),
        "EU's Regionalfond, ansøgt hos Danmarks Erhvervsfremmebestyrelse",
    )
    app.financing.insert(0, regional)
    return app


def amounts_as_text() -> App:
    """The Løn row pasted from a payroll export: amounts stored as text ("3.000.000")."""
    app = innovation_app(11)
    app.name = "Klyngen for Vandteknologi"
    staff = app.budget_line("Løn")
    staff.amounts = dict.fromkeys(YEARS, dk_amount(3_000_000))
    staff.total = dk_amount(12_000_000)
    return app


def _years(*amounts: int) -> dict[int, CellValue]:
    return dict(zip(YEARS, amounts, strict=True))


def _add(line: Line, year: int, amount: CellValue) -> None:
    current = line.amounts.get(year) or 0
    assert isinstance(current, int) and isinstance(amount, int)
    line.amounts[year] = current + amount


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "innovation-korrekt",
        "A clean innovation application: 23.1 mio. kr., DEB request 18 mio. kr. "
        "(Regionalfonden + decentral), six SME collaborations, one of them at exactly 70 %.",
        innovation_clean,
        (),
        no_findings,
    ),
    Sample(
        "basis-korrekt",
        "A clean basis application: 11 mio. kr., decentral funds 9.2 mio. kr., "
        "private cash co-financing, no SMV-samarbejder sheet.",
        basis_clean,
        (),
        no_findings,
    ),
    Sample(
        "innovation-english",
        "A clean innovation application written entirely in English (sheet names, labels, "
        "categories, sources); CVR as a number cell, `Submitted at` as ISO text with offset.",
        innovation_english,
        (),
        no_findings,
    ),
    Sample(
        "innovation-rodet-layout",
        "Clean, but laid out the way real files are: merged title rows and an empty logo row, "
        "header on row 7, empty rows between lines, a `Noter` column, years in reverse order, "
        "a hidden `Kontonr.` column of numbers, a sheet named `Budget ` (trailing space), "
        "`Enhed: 1.000 kr.` with amounts in thousands, numbers with the Text format `@`, "
        "labels ending in a colon, dates as text, a totals row under the SME table, and a "
        "cover sheet and a hidden list sheet that are not part of the format.",
        innovation_messy,
        (),
        no_findings,
    ),
    Sample(
        "innovation-libreoffice",
        "Clean; every stated total (`I alt` column and rows, also under the SME table) is a "
        "`=SUM(...)` formula, and the file was opened and saved by LibreOffice Calc, so the "
        "formulas' results are stored (no KL007).",
        innovation_libreoffice,
        (),
        no_findings,
        libreoffice=True,
    ),
    Sample(
        "innovation-flettede-celler",
        "Clean, with merged cells as people make them: each Ansøger label merged over two "
        "columns and its value in the third; `Løn` merged down over three cost lines, "
        "`Regionalfonden` over two sources, one collaboration with two SMEs under one merged "
        "`Samarbejde` cell; merged title rows.",
        innovation_merged,
        (),
        no_findings,
    ),
    Sample(
        "innovation-to-raekkers-overskrift",
        "Clean, with two-row headers in Budget, Finansiering and SMV-samarbejder: "
        "`Beløb (1.000 kr.)` merged over the year (amount) columns in the upper row, the years "
        "in the lower row, the other headers merged down over both; `Enhed` 1.000 kr.",
        innovation_two_row_header,
        (),
        no_findings,
    ),
    Sample(
        "basis-afsnit-og-kontrolraekke",
        "Clean, with section headings in the budget (`A. Personale`, `B. Drift` with its "
        "amounts typed as 0, …) and a control row `Difference til budget (skal være 0)` under "
        "the financing totals, whose formulas' stored results are 0.",
        basis_sections,
        (),
        no_findings,
        finish=add_control_row,
    ),
    Sample(
        "smv-tilskud-over-70-procent",
        "One SME collaboration is financed at 75 % (600.000 of 800.000 kr. R&D costs); the "
        "SME cost line and the financing were raised to match, so only KL401 fires.",
        sme_share_above_70,
        ("KL401 SMV-samarbejder!H3",),
        lambda b: [f"KL401 {b.ref('SMV-samarbejder', 1, 'Tilskud')}"],
    ),
    Sample(
        "innovation-kun-decentrale-midler",
        "An innovation application financed by decentral funds alone (no Regionalfonden row), "
        "which the call does not allow.",
        decentral_only,
        ("KL301 Finansiering!A2",),
        lambda b: [f"KL301 {b.ref('Finansiering', 'Decentrale erhvervsfremmemidler', 'Kilde')}"],
    ),
    Sample(
        "deb-loft-overskredet",
        "Asks DEB for 24.5 mio. kr. (Regionalfonden 12.8 + decentral 11.7), above the "
        "23 mio. kr. cap; costs and financing still balance every year.",
        deb_cap_exceeded,
        ("KL201 Finansiering!C2:G3",),
        lambda b: [
            f"KL201 {b.ref('Finansiering', 'Regionalfonden', 2025)}:"
            + b.ref("Finansiering", "Decentrale erhvervsfremmemidler", "I alt").split("!")[1]
        ],
    ),
    Sample(
        "indsendt-for-sent",
        "Submitted 2024-08-13 12:00:01, one second after the deadline.",
        submitted_late,
        ("KL501 Ansøger!B6",),
        lambda b: [f"KL501 {b.ref('Ansøger', 'Indsendt')}"],
    ),
    Sample(
        "forkert-i-alt",
        "The stated total of the Udstyr line says 250.000 kr.; its years add up to 300.000 kr.",
        wrong_stated_total,
        ("KL101 Budget!G5",),
        lambda b: [f"KL101 {b.ref('Budget', 'Udstyr', 'I alt')}"],
    ),
    Sample(
        "basis-med-regionalfond",
        "A basis application that requests 2 mio. kr. from Regionalfonden; the basis grant is "
        "decentral funds only.",
        basis_with_regional_fund,
        ("KL302 Finansiering!A2",),
        lambda b: [f"KL302 {b.ref('Finansiering', 'Regionalfonden', 'Kilde')}"],
    ),
    Sample(
        "beloeb-som-tekst",
        "The Løn row was pasted from a payroll export with the amounts stored as text "
        '("3.000.000", "12.000.000"): read, but each cell is reported.',
        amounts_as_text,
        (
            "KL009 Budget!C2",
            "KL009 Budget!D2",
            "KL009 Budget!E2",
            "KL009 Budget!F2",
            "KL009 Budget!G2",
        ),
        lambda b: [f"KL009 {b.ref('Budget', 'Løn', col)}" for col in (*YEARS, "I alt")],
    ),
)


def check_model(sample: Sample, app: App) -> None:
    """What every sample keeps true unless it is about it: costs equal financing each year."""
    costs, financing = app.costs_by_year(), app.financing_by_year()
    if costs != financing:
        raise AssertionError(f"{sample.name}: costs {costs} != financing {financing}")
    if app.collaborations is not None:
        line = app.budget_line("Tilskud til SMV-samarbejder")
        passed_on = app.line_total(line)
        if passed_on != app.sme_grants():
            raise AssertionError(f"{sample.name}: SMV line {passed_on} != {app.sme_grants()}")


def save_with_libreoffice(built: Built, target: Path) -> None:
    """Write the workbook, open and save it with LibreOffice, keep its output. Without
    LibreOffice the checked-in file is kept as it is."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print(f"LibreOffice not found: keeping {target.relative_to(ROOT)} as it is")
        if not target.exists():
            raise SystemExit(f"{target} is missing and cannot be made without LibreOffice")
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = built.write(work / target.name)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(work / "out"),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        target.write_bytes(reproducible((work / "out" / target.name).read_bytes()))


README_HEAD = """\
# Sample budgets

Realistic budget workbooks (format 1) for the call *Det danske klyngeprogram 2025-2028*, as
Danish cluster organisations send them: clean ones, and ones with a typical mistake each. They
are made by `scripts/make_samples.py` (`make samples`); do not edit them by hand, change the
script. The applicants and companies are fictional; every CVR number passes the mod-11 check,
and every sample has its own applicant, so that checking the whole folder as one batch gives
no KL204.

The table below says what `klynge check NAME.xlsx` must find in each; the tests hold it to
that with `tests/expected/NAME.expected`: one finding per line, `CODE Sheet!Cell` (or
`CODE Sheet` for a finding about a whole sheet), sorted; an empty file means no finding at all,
not even a warning or an info. Every sample carries an
`Indsendt` time before the deadline (so no KL506) unless it is about the deadline.

`make demo` checks this folder; exit code 1 is expected there, as some samples contain
mistakes on purpose.

| file | shows | expected findings |
|---|---|---|
"""


def main() -> None:
    OUT.mkdir(exist_ok=True)
    EXPECTED.mkdir(exist_ok=True)
    written: set[str] = {"README.md"}
    table: list[str] = []
    for sample in SAMPLES:
        app = sample.make()
        check_model(sample, app)
        built = app.build()
        if sample.finish is not None:
            sample.finish(built)
        expected = sorted(sample.expected)
        derived = sorted(sample.derive(built))
        if expected != derived:
            raise AssertionError(f"{sample.name}: expected {expected}, the layout says {derived}")
        target = OUT / f"{sample.name}.xlsx"
        if sample.libreoffice:
            save_with_libreoffice(built, target)
        else:
            built.write(target)
        text = "".join(f"{line}\n" for line in expected)
        (EXPECTED / f"{sample.name}.expected").write_text(text, encoding="utf-8")
        written |= {f"{sample.name}.xlsx", f"{sample.name}.expected"}
        codes = "<br>".join(f"`{line}`" for line in expected) or "none"
        table.append(f"| `{sample.name}.xlsx` | {sample.shows} | {codes} |\n")
    (OUT / "README.md").write_text(README_HEAD + "".join(table), encoding="utf-8")
    stale = sorted(p.name for d in (OUT, EXPECTED) for p in d.iterdir() if p.name not in written)
    print(f"wrote {len(SAMPLES)} samples to {OUT.relative_to(ROOT)}/")
    if stale:
        print(f"not made by this script (remove if stale): {', '.join(stale)}")


if __name__ == "__main__":
    main()
