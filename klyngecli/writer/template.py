"""`klynge template`: an empty budget workbook in format 1 (shared/spec/workbook-format.md).

Labels come from the reader's vocabulary (`klyngecli.vocabulary`), so the template always holds the
canonical labels the checker reads. Every number in the instructions comes from the call.
The data sheets hold no formulas: openpyxl cannot store a formula's result, and the checker
reports formulas without one (KL007); the checker computes every total itself.

The cells and tables a checker needs are workbook defined names (`reader.names`: one per Ansøger
field on its value cell, `Budget_Tabel`, `Finansiering_Tabel`, `SMV_Tabel` over header and
rows), so the checker reads the workbook the same when the applicant moves rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from klyngecli.callspec import Call
from klyngecli.findings import kr, pct
from klyngecli.model import Category, GrantType, Source
from klyngecli.reader.names import FIELD_NAMES, TABLE_NAMES
from klyngecli.vocabulary import (
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

# The hints of Ansøger in English (`--lang en`); the labels themselves stay Danish.
_HINTS_EN: dict[str, str] = {
    "name": "The cluster organisation's name.",
    "cvr": "8 digits, e.g. 12345678.",
    "grant": "Choose Innovation or Basis. One workbook is one application.",
    "start": "The project's first day (dd-mm-yyyy).",
    "end": "The project's last day (dd-mm-yyyy).",
    "submitted": "Time of submission, Danish time (dd-mm-yyyy hh:mm).",
    "designation": "Udpeget (designated as a cluster organisation), Ansøgt (applied for "
    "designation) or Nej (no).",
    "unit": "The unit of every amount in Budget, Finansiering and SMV-samarbejder.",
    "contact": "The contact person's name.",
    "email": "The contact person's e-mail address.",
}
# Words of the sheets that are not labels of the format: (Danish, English).
_WORDS: dict[str, tuple[str, str]] = {
    "field": ("Felt", "Field"),
    "value": ("Værdi", "Value"),
    "hint": ("Vejledning", "Guidance"),
    "category": (
        "Vælg en omkostningskategori fra listen.",
        "Choose a cost category from the list.",
    ),
    "source": (
        "Vælg en finansieringskilde fra listen.",
        "Choose a source of financing from the list.",
    ),
    "grant": ("Innovation eller Basis.", "Innovation or Basis."),
    "designation": ("Status for udpegning.", "Designation status."),
    "unit": ("Enhed for alle beløb.", "The unit of every amount."),
    "invalid": ("Ugyldig værdi", "Invalid value"),
    "choose": ("Vælg en værdi fra listen.", "Choose a value from the list."),
}
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _word(key: str, lang: str) -> str:
    return _WORDS[key][1 if lang == "en" else 0]


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


def write_template(path: Path, grant: GrantType, call: Call, lang: str = "da") -> None:
    """Write an empty format-1 workbook for `grant` to `path`, replacing any file there; the
    instructions in `lang` (the sheet names and labels are the format's, in Danish)."""
    atomic_save(build_template(grant, call, lang), Path(path))


def build_template(grant: GrantType, call: Call, lang: str = "da") -> Workbook:
    """The empty workbook, in memory."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = GUIDE_SHEET
    _guide(guide, grant, call, lang)
    _applicant(workbook.create_sheet(APPLICANT_SHEET), grant, lang)
    years = programme_years(call)
    _table(
        workbook.create_sheet(BUDGET_SHEET),
        "Kategori",
        categories(grant),
        years,
        _word("category", lang),
    )
    _table(
        workbook.create_sheet(FINANCING_SHEET),
        "Kilde",
        sources(grant, call),
        years,
        _word("source", lang),
    )
    if grant is GrantType.INNOVATION:
        _collaborations(workbook.create_sheet(SME_SHEET))
    _name_ranges(workbook)
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


def list_validation(choices: Sequence[str], prompt: str, lang: str = "da") -> DataValidation:
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
        errorTitle=_word("invalid", lang),
        error=_word("choose", lang),
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


def _applicant(sheet: Worksheet, grant: GrantType, lang: str = "da") -> None:
    words = [_word(key, lang) for key in ("field", "value", "hint")]
    _header(sheet, words, [18, 36, 70])
    validations = {
        "grant": list_validation(list(GRANT_LABELS.values()), _word("grant", lang), lang),
        "designation": list_validation(DESIGNATION_CHOICES, _word("designation", lang), lang),
        "unit": list_validation(UNIT_CHOICES, _word("unit", lang), lang),
    }
    prefilled = {"grant": GRANT_LABELS[grant], "unit": UNIT_CHOICES[0]}
    for row, (key, (number_format, hint)) in enumerate(_FIELDS.items(), start=2):
        sheet.cell(row=row, column=1, value=FIELD_LABELS[key][0]).font = _BOLD
        value = sheet.cell(row=row, column=2, value=prefilled.get(key))
        if number_format:
            value.number_format = number_format
        value.alignment = Alignment(horizontal="left")
        text = _HINTS_EN[key] if lang == "en" else hint
        sheet.cell(row=row, column=3, value=text).alignment = Alignment(wrap_text=True)
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


def _name_ranges(workbook: Workbook) -> None:
    """The defined names of `reader.names`: each Ansøger field's value cell (found by its
    label in column A), and each table from its header to its last prepared row."""

    def name(key: str, sheet: Worksheet, area: str) -> None:
        reference = f"{quote_sheetname(sheet.title)}!{absolute_coordinate(area)}"
        workbook.defined_names[key] = DefinedName(key, attr_text=reference)

    applicant = workbook[APPLICANT_SHEET]
    rows = {applicant.cell(row=r, column=1).value: r for r in range(2, applicant.max_row + 1)}
    for key, defined in FIELD_NAMES.items():
        name(defined, applicant, f"B{rows[FIELD_LABELS[key][0]]}")
    for role, defined in TABLE_NAMES.items():
        if role in workbook.sheetnames:
            sheet = workbook[role]
            name(defined, sheet, f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}")


# --- instructions ----------------------------------------------------------------------------


def danish_date(day: date) -> str:
    return f"{day.day}. {_MONTHS[day.month - 1]} {day.year}"


def danish_time(moment: datetime) -> str:
    return f"{danish_date(moment.date())} kl. {moment:%H.%M}"


def _when(moment: datetime, lang: str) -> str:
    """`13. august 2024 kl. 12.00` (da), `13 August 2024 at 12:00` (en)."""
    if lang == "en":
        return f"{moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year} at {moment:%H:%M}"
    return danish_time(moment)


def guide_lines(grant: GrantType, call: Call, lang: str = "da") -> list[tuple[str, bool]]:
    """The instructions as (text, is_heading) lines in `lang`; every number is taken from
    `call`. Sheet names, labels and list values stay the canonical Danish ones (the format's),
    so an English text names them as the workbook writes them."""

    def t(da: str, en: str) -> str:
        return en if lang == "en" else da

    params = call.grants[grant]
    grant_name = t(
        "innovationsbevilling" if grant is GrantType.INNOVATION else "basisbevilling",
        "innovation grant" if grant is GrantType.INNOVATION else "basis grant",
    )
    start, end = call.programme_start.value, call.programme_end.value
    deb = t(" og ", " and ").join(
        SOURCE_LABELS[s][0] for s in params.deb_sources if s not in params.forbidden
    )
    lines: list[tuple[str, bool]] = [
        (
            t(
                f"{call.title_da} – budgetskabelon, {grant_name}",
                f"{call.title_en} – budget template, {grant_name}",
            ),
            True,
        ),
        (
            t(
                f"Udbyder: {call.authority}. Én arbejdsbog er én ansøgning om én bevillingstype.",
                f"Authority: {call.authority}. One workbook is one application for one grant type.",
            ),
            False,
        ),
        ("", False),
        (t("Sådan udfylder du arbejdsbogen", "How to fill in the workbook"), True),
        (
            t(
                f"{APPLICANT_SHEET}: udfyld kolonne B ud for hvert felt. Bevillingstype er "
                f"udfyldt ({GRANT_LABELS[grant]}). Enhed gælder for alle beløb i arbejdsbogen.",
                f"{APPLICANT_SHEET} (applicant): fill in column B next to each field. "
                f"Bevillingstype (grant type) is filled in ({GRANT_LABELS[grant]}). Enhed "
                "(unit) applies to every amount in the workbook.",
            ),
            False,
        ),
        (
            t(
                f"{BUDGET_SHEET}: ét beløb pr. omkostningskategori og år. Tomme celler tæller som "
                "0. Flere linjer: vælg kategorien i rullelisten i kolonne A.",
                f"{BUDGET_SHEET} (costs): one amount per cost category and year. Empty cells "
                "count as 0. More lines: choose the category from the drop-down list in "
                "column A.",
            ),
            False,
        ),
        (
            t(
                f"{FINANCING_SHEET}: ét beløb pr. finansieringskilde og år. De samlede "
                "omkostninger skal svare til den samlede finansiering.",
                f"{FINANCING_SHEET} (financing): one amount per source of financing and year. "
                "The total costs must equal the total financing.",
            ),
            False,
        ),
    ]
    if grant is GrantType.INNOVATION:
        lines.append(
            (
                t(
                    f"{SME_SHEET}: én række pr. planlagt innovationssamarbejde med SMV'er. Navn "
                    "og CVR på SMV'en kan udelades, hvis den endnu ikke er kendt; "
                    "FoU-omkostninger og Tilskud skal udfyldes.",
                    f"{SME_SHEET} (SME collaborations): one row per planned innovation "
                    "collaboration with SMEs. The SME's name and CVR number may be left out if "
                    "it is not known yet; FoU-omkostninger (R&D costs) and Tilskud (grant) must "
                    "be filled in.",
                ),
                False,
            )
        )
    lines += [
        (
            t(
                "Summer beregnes af kontrollen; der skal ikke være formler eller I alt-rækker. "
                "Bruger du alligevel formler, så gem filen i Excel eller LibreOffice, før den "
                "kontrolleres.",
                "The checker computes every sum; there should be no formulas or I alt (total) "
                "rows. If you use formulas anyway, save the file in Excel or LibreOffice before "
                "it is checked.",
            ),
            False,
        ),
        ("", False),
        (t("Centrale regler i opslaget", "Key rules of the call"), True),
        (
            t(
                f"Ansøgningsfrist: {_when(call.deadline.value, lang)} ({call.timezone.value}). "
                f"Ansøgningsperioden åbnede {_when(call.opens.value, lang)}.",
                f"Deadline: {_when(call.deadline.value, lang)} ({call.timezone.value}). The "
                f"application period opened {_when(call.opens.value, lang)}.",
            ),
            False,
        ),
        (
            t(
                f"Programperiode: {start:%d-%m-%Y} – {end:%d-%m-%Y}. Projektet skal ligge inden "
                f"for perioden og må højst vare {call.max_project_months.value} måneder.",
                f"Programme period: {start:%d-%m-%Y} – {end:%d-%m-%Y}. The project must lie "
                f"within it and last at most {call.max_project_months.value} months.",
            ),
            False,
        ),
        (
            t(
                f"Der kan højst søges {kr(params.cap)} pr. ansøger hos Danmarks "
                f"Erhvervsfremmebestyrelse ({deb}).",
                f"Each applicant may request at most {kr(params.cap, 'en')} from Danmarks "
                f"Erhvervsfremmebestyrelse (the Danish Board of Business Development) ({deb}).",
            ),
            False,
        ),
        (
            t(
                f"Puljen til {grant_name}er er {kr(params.pool)}",
                f"The pool for {grant_name}s is {kr(params.pool, 'en')}",
            )
            + _pool_split(params.source_pools, lang)
            + ".",
            False,
        ),
    ]
    for source in params.forbidden:
        name = SOURCE_LABELS[source][0]
        lines.append(
            (
                t(
                    f"{name} kan ikke søges til en {grant_name}.",
                    f"{name} may not be requested for a {grant_name}.",
                ),
                False,
            )
        )
    for source in params.not_alone:
        others = t(" eller ", " or ").join(
            SOURCE_LABELS[s][0] for s in params.deb_sources if s != source
        )
        name = SOURCE_LABELS[source][0]
        lines.append(
            (
                t(
                    f"{name} kan ikke søges alene: der skal også søges {others}.",
                    f"{name} may not be requested alone: {others} must be requested too.",
                ),
                False,
            )
        )
    if grant is GrantType.INNOVATION:
        lines.append(
            (
                t(
                    f"Klyngen kan højst finansiere {pct(call.sme_ceiling.value, 'da')} af en "
                    "SMV's FoU-omkostninger i et samarbejde; administrativt overhead kommer "
                    "oveni. Posten Tilskud til SMV-samarbejder i Budget skal svare til summen af "
                    f"Tilskud og Overhead i {SME_SHEET}.",
                    f"The cluster may finance at most {pct(call.sme_ceiling.value, 'en')} of an "
                    "SME's R&D costs in a collaboration; administrative overhead comes on top. "
                    f"The line Tilskud til SMV-samarbejder in {BUDGET_SHEET} must equal the sum "
                    f"of Tilskud and Overhead in {SME_SHEET}.",
                ),
                False,
            )
        )
    if params.private_cash_advised:
        lines.append(
            (
                t(
                    "Privat kontant medfinansiering af driften indgår i vurderingen af "
                    "basisbevillinger.",
                    "Private cash co-financing of the operation (Privat kontant "
                    "medfinansiering) counts in the assessment of basis grants.",
                ),
                False,
            )
        )
    lines += [
        (
            t(
                f"Indirekte omkostninger må højst udgøre {pct(call.indirect_ceiling.value, 'da')} "
                "af lønomkostningerne.",
                f"Indirect costs (Indirekte omkostninger) may be at most "
                f"{pct(call.indirect_ceiling.value, 'en')} of the staff costs (Løn).",
            ),
            False,
        ),
        (
            t(
                "Ansøgeren skal være udpeget som klyngeorganisation eller have ansøgt om "
                "udpegning.",
                "The applicant must be designated as a cluster organisation or have applied for "
                "designation (Udpegning: Udpeget or Ansøgt).",
            ),
            False,
        ),
        ("", False),
        (t("Kontrol", "Checking"), True),
        (
            t(
                "Kontrollér filen, før den sendes: klynge check FILNAVN.xlsx",
                "Check the file before you send it: klynge check --lang en FILENAME.xlsx",
            ),
            False,
        ),
        (
            t(
                "Kontrollen viser hver fejl med ark og celle (fx Budget!D5) og forslag til "
                "rettelse. Alle regler: klynge rules. En enkelt regel: klynge explain KODE.",
                "The check shows each problem with its sheet and cell (e.g. Budget!D5) and how "
                "to fix it. Every rule: klynge rules --lang en. One rule: klynge explain --lang "
                "en CODE.",
            ),
            False,
        ),
    ]
    return lines


def _pool_split(source_pools: dict[Source, Decimal], lang: str = "da") -> str:
    if not source_pools:
        return ""
    word = "from" if lang == "en" else "fra"
    parts = [
        f"{kr(amount, lang)} {word} {SOURCE_LABELS[s][0]}" for s, amount in source_pools.items()
    ]
    return " (" + ", ".join(parts) + ")"


def _guide(sheet: Worksheet, grant: GrantType, call: Call, lang: str = "da") -> None:
    sheet.column_dimensions["A"].width = 110
    for row, (text, heading) in enumerate(guide_lines(grant, call, lang), start=1):
        if not text:
            continue
        cell = sheet.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if heading:
            cell.font = _TITLE if row == 1 else _BOLD
