"""`klynge template`: an empty budget workbook in format 1 (shared/spec/workbook-format.md).

Labels come from the reader's vocabulary (`reader.labels`), so the template always holds the
canonical labels the checker reads. Every number in the instructions comes from the call.
The data sheets hold no formulas: openpyxl cannot store a formula's result, and the checker
reports formulas without one (KL007); the checker computes every total itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from klyngecli.callspec import Call
from klyngecli.findings import kr, pct
from klyngecli.model import Category, GrantType, Source
from klyngecli.reader.labels import (
    APPLICANT_SHEET,
    BUDGET_SHEET,
    CATEGORY_LABELS,
    FIELD_LABELS,
    FINANCING_SHEET,
    SME_COLUMN_LABELS,
    SME_SHEET,
    SOURCE_LABELS,
)
from klyngecli.writer.atomic import atomic_save

GUIDE_SHEET = "Vejledning"

GRANT_LABELS: dict[GrantType, str] = {GrantType.INNOVATION: "Innovation", GrantType.BASIS: "Basis"}
DESIGNATION_CHOICES = ("Udpeget", "Ansøgt", "Nej")
UNIT_CHOICES = ("kr.", "1.000 kr.", "mio. kr.")

EXTRA_ROWS = 10
SME_ROWS = 20

KR = "#,##0"
DATE = "dd-mm-yyyy"
DATE_TIME = "dd-mm-yyyy hh:mm"
TEXT = "@"

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)

# Ansøger: field key → (number format, hint). Order is the order of the rows.
_FIELDS: dict[str, tuple[str | None, str]] = {
    "name": (None, "Klyngeorganisationens navn."),
    "cvr": (TEXT, "8 cifre, fx 12345678."),
    "grant": (None, "Vælg Innovation eller Basis. Én arbejdsbog er én ansøgning."),
    "start": (DATE, "Projektets første dag (dd-mm-åååå)."),
    "end": (DATE, "Projektets sidste dag (dd-mm-åååå)."),
    "submitted": (DATE_TIME, "Tidspunkt for indsendelse, dansk tid (dd-mm-åååå tt:mm)."),
    "designation": (None, "Udpeget som klyngeorganisation, Ansøgt (om udpegning) eller Nej."),
    "unit": (None, "Enheden for alle beløb i Budget, Finansiering og SMV-samarbejder."),
    "contact": (None, "Navn på kontaktperson."),
    "email": (None, "Kontaktpersonens e-mailadresse."),
}

# SMV-samarbejder: column key → (width, number format).
_SME_COLUMNS: dict[str, tuple[int, str | None]] = {
    "name": (36, None),
    "sme": (28, None),
    "cvr": (12, TEXT),
    "employees": (10, "0"),
    "turnover": (20, "#,##0.0"),
    "balance": (18, "#,##0.0"),
    "rd_costs": (18, KR),
    "grant": (16, KR),
    "overhead": (16, KR),
}


def write_template(path: Path, grant: GrantType, call: Call) -> None:
    """Write an empty format-1 workbook for `grant` to `path`, replacing any file there."""
    atomic_save(build_template(grant, call), Path(path))


def build_template(grant: GrantType, call: Call) -> Workbook:
    """The empty workbook, in memory."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = GUIDE_SHEET
    _guide(guide, grant, call)
    _applicant(workbook.create_sheet(APPLICANT_SHEET), grant)
    years = programme_years(call)
    _table(
        workbook.create_sheet(BUDGET_SHEET),
        "Kategori",
        categories(grant),
        years,
        "Vælg en omkostningskategori fra listen.",
    )
    _table(
        workbook.create_sheet(FINANCING_SHEET),
        "Kilde",
        sources(grant, call),
        years,
        "Vælg en finansieringskilde fra listen.",
    )
    if grant is GrantType.INNOVATION:
        _collaborations(workbook.create_sheet(SME_SHEET))
    workbook.properties.title = f"Budget – {call.title_da}"
    workbook.properties.creator = "klyngecli"
    return workbook


def programme_years(call: Call) -> list[int]:
    return list(range(call.programme_start.value.year, call.programme_end.value.year + 1))


def categories(grant: GrantType) -> list[str]:
    """The canonical cost categories of `grant`, in the order of the Budget sheet."""
    return [
        CATEGORY_LABELS[category][0]
        for category in Category
        if grant is GrantType.INNOVATION or category is not Category.SME_GRANTS
    ]


def sources(grant: GrantType, call: Call) -> list[str]:
    """The canonical financing sources of `grant`; a source the call forbids is left out."""
    forbidden = set(call.grants[grant].forbidden)
    return [SOURCE_LABELS[source][0] for source in Source if source not in forbidden]


def list_validation(choices: Sequence[str], prompt: str) -> DataValidation:
    """A drop-down list (data validation of type "list") with the choices inline."""
    if any("," in c or '"' in c for c in choices):
        raise ValueError(f"a choice of a drop-down list holds ',' or '\"': {choices}")
    formula = '"' + ",".join(choices) + '"'
    if len(formula) - 2 > 255:  # Excel's limit for an inline list
        raise ValueError(f"drop-down list too long for Excel ({len(formula) - 2} characters)")
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Ugyldig værdi",
        error="Vælg en værdi fra listen.",
        showInputMessage=True,
        prompt=prompt,
    )


# --- sheets ----------------------------------------------------------------------------------


def _header(sheet: Worksheet, labels: Sequence[str | int], widths: Sequence[int]) -> None:
    for col, (label, width) in enumerate(zip(labels, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=col, value=label)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def _applicant(sheet: Worksheet, grant: GrantType) -> None:
    _header(sheet, ["Felt", "Værdi", "Vejledning"], [18, 36, 70])
    validations = {
        "grant": list_validation(list(GRANT_LABELS.values()), "Innovation eller Basis."),
        "designation": list_validation(DESIGNATION_CHOICES, "Status for udpegning."),
        "unit": list_validation(UNIT_CHOICES, "Enhed for alle beløb."),
    }
    prefilled = {"grant": GRANT_LABELS[grant], "unit": UNIT_CHOICES[0]}
    for row, (key, (number_format, hint)) in enumerate(_FIELDS.items(), start=2):
        sheet.cell(row=row, column=1, value=FIELD_LABELS[key][0]).font = _BOLD
        value = sheet.cell(row=row, column=2, value=prefilled.get(key))
        if number_format:
            value.number_format = number_format
        value.alignment = Alignment(horizontal="left")
        sheet.cell(row=row, column=3, value=hint).alignment = Alignment(wrap_text=True)
        if key in validations:
            validations[key].add(value.coordinate)
    for validation in validations.values():
        sheet.add_data_validation(validation)


def _table(
    sheet: Worksheet, key_label: str, keys: list[str], years: list[int], prompt: str
) -> None:
    """Budget or Finansiering: a row per canonical key, then empty rows with the drop-down."""
    _header(sheet, [key_label, "Beskrivelse", *years], [38, 40, *[15] * len(years)])
    last_row = 1 + len(keys) + EXTRA_ROWS
    for row in range(2, last_row + 1):
        if row - 2 < len(keys):
            sheet.cell(row=row, column=1, value=keys[row - 2])
        for col in range(3, 3 + len(years)):
            sheet.cell(row=row, column=col).number_format = KR
    validation = list_validation(keys, prompt)
    validation.add(f"A2:A{last_row}")
    sheet.add_data_validation(validation)


def _collaborations(sheet: Worksheet) -> None:
    keys = list(_SME_COLUMNS)
    _header(
        sheet,
        [SME_COLUMN_LABELS[key][0] for key in keys],
        [_SME_COLUMNS[key][0] for key in keys],
    )
    for row in range(2, SME_ROWS + 2):
        for col, key in enumerate(keys, start=1):
            number_format = _SME_COLUMNS[key][1]
            if number_format:
                sheet.cell(row=row, column=col).number_format = number_format


# --- instructions ----------------------------------------------------------------------------


def danish_date(day: date) -> str:
    return f"{day.day}. {_MONTHS[day.month - 1]} {day.year}"


def danish_time(moment: datetime) -> str:
    return f"{danish_date(moment.date())} kl. {moment:%H.%M}"


def guide_lines(grant: GrantType, call: Call) -> list[tuple[str, bool]]:
    """The instructions as (text, is_heading) lines; every number is taken from `call`."""
    params = call.grants[grant]
    grant_name = "innovationsbevilling" if grant is GrantType.INNOVATION else "basisbevilling"
    start, end = call.programme_start.value, call.programme_end.value
    deb = " og ".join(SOURCE_LABELS[s][0] for s in params.deb_sources if s not in params.forbidden)
    lines: list[tuple[str, bool]] = [
        (f"{call.title_da} – budgetskabelon, {grant_name}", True),
        (f"Udbyder: {call.authority}. Én arbejdsbog er én ansøgning om én bevillingstype.", False),
        ("", False),
        ("Sådan udfylder du arbejdsbogen", True),
        (
            f"{APPLICANT_SHEET}: udfyld kolonne B ud for hvert felt. Bevillingstype er udfyldt "
            f"({GRANT_LABELS[grant]}). Enhed gælder for alle beløb i arbejdsbogen.",
            False,
        ),
        (
            f"{BUDGET_SHEET}: ét beløb pr. omkostningskategori og år. Tomme celler tæller som 0. "
            "Flere linjer: vælg kategorien i rullelisten i kolonne A.",
            False,
        ),
        (
            f"{FINANCING_SHEET}: ét beløb pr. finansieringskilde og år. De samlede omkostninger "
            "skal svare til den samlede finansiering.",
            False,
        ),
    ]
    if grant is GrantType.INNOVATION:
        lines.append(
            (
                f"{SME_SHEET}: én række pr. planlagt innovationssamarbejde med SMV'er. Navn og CVR "
                "på SMV'en kan udelades, hvis den endnu ikke er kendt; FoU-omkostninger og "
                "Tilskud skal udfyldes.",
                False,
            )
        )
    lines += [
        (
            "Summer beregnes af kontrollen; der skal ikke være formler eller I alt-rækker. "
            "Bruger du alligevel formler, så gem filen i Excel eller LibreOffice, før den "
            "kontrolleres.",
            False,
        ),
        ("", False),
        ("Centrale regler i opslaget", True),
        (
            f"Ansøgningsfrist: {danish_time(call.deadline.value)} ({call.timezone.value}). "
            f"Ansøgningsperioden åbnede {danish_time(call.opens.value)}.",
            False,
        ),
        (
            f"Programperiode: {start:%d-%m-%Y} – {end:%d-%m-%Y}. Projektet skal ligge inden for "
            f"perioden og må højst vare {call.max_project_months.value} måneder.",
            False,
        ),
        (
            f"Der kan højst søges {kr(params.cap)} pr. ansøger hos Danmarks "
            f"Erhvervsfremmebestyrelse ({deb}).",
            False,
        ),
        (
            f"Puljen til {grant_name}er er {kr(params.pool)}"
            + _pool_split(params.source_pools)
            + ".",
            False,
        ),
    ]
    for source in params.forbidden:
        lines.append((f"{SOURCE_LABELS[source][0]} kan ikke søges til en {grant_name}.", False))
    for source in params.not_alone:
        lines.append(
            (
                f"{SOURCE_LABELS[source][0]} kan ikke søges alene: der skal også søges "
                + " eller ".join(SOURCE_LABELS[s][0] for s in params.deb_sources if s != source)
                + ".",
                False,
            )
        )
    if grant is GrantType.INNOVATION:
        lines.append(
            (
                f"Klyngen kan højst finansiere {pct(call.sme_ceiling.value, 'da')} af en SMV's "
                "FoU-omkostninger i et samarbejde; administrativt overhead kommer oveni. "
                "Posten Tilskud til SMV-samarbejder i Budget skal svare til summen af Tilskud og "
                f"Overhead i {SME_SHEET}.",
                False,
            )
        )
    if params.private_cash_advised:
        lines.append(
            (
                "Privat kontant medfinansiering af driften indgår i vurderingen af "
                "basisbevillinger.",
                False,
            )
        )
    lines += [
        (
            f"Indirekte omkostninger må højst udgøre {pct(call.indirect_ceiling.value, 'da')} af "
            "lønomkostningerne.",
            False,
        ),
        (
            "Ansøgeren skal være udpeget som klyngeorganisation eller have ansøgt om udpegning.",
            False,
        ),
        ("", False),
        ("Kontrol", True),
        ("Kontrollér filen, før den sendes: klynge check FILNAVN.xlsx", False),
        (
            "Kontrollen viser hver fejl med ark og celle (fx Budget!D5) og forslag til rettelse. "
            "Alle regler: klynge rules. En enkelt regel: klynge explain KODE.",
            False,
        ),
    ]
    return lines


def _pool_split(source_pools: dict[Source, Decimal]) -> str:
    if not source_pools:
        return ""
    parts = [f"{kr(amount)} fra {SOURCE_LABELS[s][0]}" for s, amount in source_pools.items()]
    return " (" + ", ".join(parts) + ")"


def _guide(sheet: Worksheet, grant: GrantType, call: Call) -> None:
    sheet.column_dimensions["A"].width = 110
    for row, (text, heading) in enumerate(guide_lines(grant, call), start=1):
        if not text:
            continue
        cell = sheet.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if heading:
            cell.font = _TITLE if row == 1 else _BOLD
