"""Hand-built models for rule tests: the `Application` the reader makes of an `App`
(tests/workbooks.py), built directly, without writing or reading a workbook.

`model(App())` is the clean innovation application and `model(basis_app())` the clean basis
one; change the `App` the way the CLI tests do and build again::

    app = App(end=date(2029, 1, 1))
    app.budget_line("Løn").amounts[2025] = 3_500_000
    findings(model(app), "KL503")

Every value has the CellRef the workbook builder writes it to, so a finding's location is the
one `klynge check` reports for the written workbook (`Budget!C2`). Amounts are kroner, as in
`App`. A str where the model holds a typed value is a cell the reader could not read, and has
said so: "=SUM(C2:F2)" is a formula without a stored result (`State.PENDING`), anything else
unreadable text (`State.REPORTED`, with the text). Text numbers and dates are the reader's
business (tests/test_parsers.py), not this builder's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, NamedTuple, TypeVar

from openpyxl.utils.cell import coordinate_to_tuple

from klyngecli.callspec import load_call
from klyngecli.engine import Options
from klyngecli.findings import Finding, Scalar
from klyngecli.model import (
    Amount,
    Applicant,
    Application,
    Category,
    CellRef,
    Collaboration,
    Collaborations,
    Designation,
    GrantType,
    Line,
    Source,
    Table,
    TotalsRow,
    Value,
)
from klyngecli.rules.registry import RULES
from tests import workbooks as wb

K = TypeVar("K", GrantType, Designation)

CALL: Final = load_call()
NOW: Final = datetime(2026, 1, 1, tzinfo=CALL.zone)  # after the call closed
ORE: Final = Decimal("0.01")

CATEGORIES: Final = {
    "Løn": Category.STAFF,
    "Eksterne konsulenter": Category.CONSULTANTS,
    "Rejser": Category.TRAVEL,
    "Udstyr": Category.EQUIPMENT,
    "Revision": Category.AUDIT,
    "Øvrige omkostninger": Category.OTHER,
    "Indirekte omkostninger": Category.INDIRECT,
    "Tilskud til SMV-samarbejder": Category.SME_GRANTS,
}
SOURCES: Final = {
    "Regionalfonden": Source.REGIONALFONDEN,
    "Decentrale erhvervsfremmemidler": Source.DECENTRALE,
    "Uddannelses- og Forskningsstyrelsen": Source.UFS,
    "Privat kontant medfinansiering": Source.PRIVATE_CASH,
    "Offentlig kontant medfinansiering": Source.PUBLIC_CASH,
    "Egenfinansiering": Source.OWN,
    "SMV'ernes egenfinansiering": Source.SME_OWN,
}
SME_KEYS: Final = {
    "Samarbejde": "name",
    "SMV": "sme",
    "CVR": "cvr",
    "Ansatte": "employees",
    "Omsætning (mio. EUR)": "turnover",
    "Balance (mio. EUR)": "balance",
    "FoU-omkostninger": "rd_costs",
    "Tilskud": "grant",
    "Overhead": "overhead",
}
GRANTS: Final = {"innovation": GrantType.INNOVATION, "basis": GrantType.BASIS}
DESIGNATIONS: Final = {
    "udpeget": Designation.DESIGNATED,
    "ansøgt": Designation.APPLIED,
    "nej": Designation.NO,
}


def options(*, now: datetime = NOW, submitted_at: datetime | None = None) -> Options:
    return Options(call=CALL, now=now, submitted_at=submitted_at)


def findings(app: Application, code: str, opts: Options | None = None) -> list[Finding]:
    """What the rule of `code` finds in `app`, in-process."""
    return list(RULES[code](app, opts or options()))


def model(app: wb.App) -> Application:
    """The application the reader reads from `app`'s workbook."""
    built = app.build()
    return Application(
        sheet_order=tuple(built.sheets),
        applicant=_applicant(app, built),
        budget=_table(app, built, wb.BUDGET, "Kategori", app.budget, CATEGORIES),
        financing=_table(app, built, wb.FINANCING, "Kilde", app.financing, SOURCES),
        collaborations=_collaborations(app, built),
    )


# --- cells -----------------------------------------------------------------------------------


def _ref(built: wb.Built, role: str, row: str | int, col: wb.ColKey) -> CellRef:
    r, c = coordinate_to_tuple(built.cells[(role, row, col)])
    return CellRef(built.sheet_names[role], r - 1, c - 1)


def _field_ref(built: wb.Built, label: str) -> CellRef | None:
    key = (wb.APPLICANT, label, "value")
    return _ref(built, wb.APPLICANT, label, "value") if key in built.cells else None


def _factor(app: wb.App) -> int:
    """What the reader multiplies the written numbers by: the unit's factor."""
    if app.unit is None:
        return 1
    return wb.UNIT_FACTORS.get(" ".join(app.unit.casefold().split()), 1)


def _kroner(value: wb.CellValue, app: wb.App) -> Decimal | None:
    """A number of the App in kroner (None for anything else), rounded as the reader does."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not app.scale_to_unit:
        number *= _factor(app)
    return number.quantize(ORE, rounding=ROUND_HALF_UP)


def _unread(text: str, ref: CellRef | None) -> Value[object]:
    return Value.pending(ref) if text.startswith("=") else Value.reported(ref, text)


def amount(value: wb.CellValue, ref: CellRef, app: wb.App) -> Amount:
    """An amount cell: blank is 0 kr."""
    if value is None:
        return Value.read(Decimal(0), ref)
    if isinstance(value, str):
        return _unread(value, ref)  # type: ignore[return-value]
    number = _kroner(value, app)  # a bool or another odd type: unreadable, as the reader says
    return Value.read(number, ref) if number is not None else Value.reported(ref, str(value))


def _number(value: wb.CellValue, ref: CellRef) -> Value[Decimal]:
    """A plain number (employees, mio. EUR): blank is None."""
    if isinstance(value, str):
        return _unread(value, ref)  # type: ignore[return-value]
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return Value.blank(ref)
    return Value.read(Decimal(str(value)) if isinstance(value, float) else Decimal(value), ref)


def _text(value: wb.CellValue, ref: CellRef | None) -> Value[str]:
    if value is None:
        return Value.blank(ref)
    text = str(value).strip()
    return Value.read(text, ref, text) if text else Value.blank(ref)


# --- sheets ----------------------------------------------------------------------------------


def _applicant(app: wb.App, built: wb.Built) -> Applicant:
    def ref(label: str) -> CellRef | None:
        return _field_ref(built, label)

    def day(value: date | str | None, label: str) -> Value[date]:
        if isinstance(value, str):
            return _unread(value, ref(label))  # type: ignore[return-value]
        if isinstance(value, datetime):
            return Value.read(value.date(), ref(label), value.isoformat())
        return (
            Value.read(value, ref(label), value.isoformat()) if value else Value.blank(ref(label))
        )

    submitted: Value[datetime]
    if isinstance(app.submitted, str):
        submitted = _unread(app.submitted, ref("Indsendt"))  # type: ignore[assignment]
    elif app.submitted is None:
        submitted = Value.blank(ref("Indsendt"))
    else:
        moment = app.submitted
        aware = moment if moment.tzinfo else moment.replace(tzinfo=CALL.zone)
        submitted = Value.read(aware, ref("Indsendt"), moment.isoformat())
    cvr = Value.blank(ref("CVR-nummer")) if app.cvr is None else _text(app.cvr, ref("CVR-nummer"))
    return Applicant(
        sheet=built.sheet_names[wb.APPLICANT],
        name=_text(app.name, ref("Ansøger")),
        cvr=cvr,
        grant=_choice(app.grant, GRANTS, built, "Bevillingstype"),
        start=day(app.start, "Projektstart"),
        end=day(app.end, "Projektslut"),
        submitted=submitted,
        designation=_choice(app.designation, DESIGNATIONS, built, "Udpegning"),
        contact=_text(app.contact, ref("Kontaktperson")),
        email=_text(app.email, ref("E-mail")),
    )


def _choice(value: str | None, table: Mapping[str, K], built: wb.Built, label: str) -> Value[K]:
    """A value from a fixed list (grant type, designation), by its canonical Danish name;
    unreadable when it is not on the list. Its text is what the cell shows (`Designated`)."""
    ref = _field_ref(built, label)
    if value is None:
        return Value.blank(ref)
    key = table.get(value.strip().casefold())
    if key is None:
        return _unread(value, ref)  # type: ignore[return-value]
    return Value.read(key, ref, str(built.cell(wb.APPLICANT, label)))


def _years(app: wb.App) -> list[int]:
    used = {year for line in [*app.budget, *app.financing] for year in line.amounts}
    return sorted(set(app.years) | used)


def _sum(amounts: Iterable[wb.CellValue], app: wb.App) -> Decimal:
    return sum((_kroner(a, app) or Decimal(0) for a in amounts), Decimal(0))


def _stated(app: wb.App, value: wb.CellValue | wb.Auto, auto: Decimal, ref: CellRef) -> Amount:
    """A stated total as the builder writes it: computed (or a formula) unless given."""
    if isinstance(value, wb.Auto):
        return Value.pending(ref) if app.layout.formula_totals else Value.read(auto, ref)
    return amount(value, ref, app)


def _table(
    app: wb.App,
    built: wb.Built,
    role: str,
    key_header: str,
    lines: Sequence[wb.Line],
    keys: dict[str, Category] | dict[str, Source],
) -> Table:
    years = _years(app)
    year_cols = {year: _ref(built, role, "header", year).col for year in years}
    stated_totals = app.layout.stated_totals
    total_col = _ref(built, role, "header", wb.TOTAL).col if stated_totals else None
    model_lines = []
    for i, line in enumerate(lines):
        amounts = {
            year: amount(line.amounts.get(year), _ref(built, role, i, year), app) for year in years
        }
        stated = None
        if stated_totals and line.total is not None:
            auto = _sum(line.amounts.values(), app)
            stated = _stated(app, line.total, auto, _ref(built, role, i, wb.TOTAL))
        label = built.cell(role, i, key_header)
        key = keys.get(line.label, "")  # type: ignore[call-overload]
        model_lines.append(
            Line(key, Value.read(str(label), _ref(built, role, i, key_header)), amounts, stated)
        )
    totals = []
    if app.layout.totals_row:
        cells = {
            str(year): _stated(
                app,
                wb.AUTO,
                _sum((line.amounts.get(year) for line in lines), app),
                _ref(built, role, wb.TOTAL, year),
            )
            for year in years
        }
        if stated_totals:
            every = (a for line in lines for a in line.amounts.values())
            cells["total"] = _stated(
                app, wb.AUTO, _sum(every, app), _ref(built, role, wb.TOTAL, wb.TOTAL)
            )
        label_ref = _ref(built, role, wb.TOTAL, key_header)
        totals.append(
            TotalsRow(Value.read(str(built.cell(role, wb.TOTAL, key_header)), label_ref), cells)
        )
    key_col = _ref(built, role, "header", key_header).col
    return Table(
        sheet=built.sheet_names[role],
        header_row=_ref(built, role, "header", key_header).row,
        year_cols=year_cols,
        total_col=total_col,
        lines=tuple(model_lines),
        totals=tuple(totals),
        width=max([*year_cols.values(), *([total_col] if total_col is not None else []), key_col])
        + 1,
        in_kroner=_factor(app) == 1 and app.layout.year_header is None,
    )


def _collaborations(app: wb.App, built: wb.Built) -> Collaborations | None:
    if app.collaborations is None:
        return None
    role = wb.SME
    cols = {
        SME_KEYS[header]: _ref(built, role, "header", header).col
        for header in wb.SME_COLUMNS
        if (role, "header", header) in built.cells
    }
    rows = []
    for i, c in enumerate(app.collaborations):
        if c.get("Samarbejde") is None and all(c.get(k) is None for k in wb.SME_AMOUNT_COLUMNS):
            continue  # the reader takes such a row for a note below the table

        def ref(header: str, i: int = i) -> CellRef:
            return _ref(built, role, i, header)

        rows.append(
            Collaboration(
                name=_text(c.get("Samarbejde"), ref("Samarbejde")),
                sme=_text(c.get("SMV"), ref("SMV")),
                cvr=_text(c.get("CVR"), ref("CVR")),
                employees=_number(c.get("Ansatte"), ref("Ansatte")),
                turnover_meur=_number(c.get("Omsætning (mio. EUR)"), ref("Omsætning (mio. EUR)")),
                balance_meur=_number(c.get("Balance (mio. EUR)"), ref("Balance (mio. EUR)")),
                rd_costs=amount(c.get("FoU-omkostninger"), ref("FoU-omkostninger"), app),
                grant=amount(c.get("Tilskud"), ref("Tilskud"), app),
                overhead=amount(c.get("Overhead"), ref("Overhead"), app),
                row=ref("Samarbejde").row,
            )
        )
    totals = []
    if app.layout.sme_totals_row:
        cells = {
            SME_KEYS[header]: _stated(
                app,
                wb.AUTO,
                _sum((c.get(header) for c in app.collaborations), app),
                _ref(built, role, wb.TOTAL, header),
            )
            for header in wb.SME_AMOUNT_COLUMNS
        }
        label_ref = _ref(built, role, wb.TOTAL, "Samarbejde")
        totals.append(
            TotalsRow(Value.read(str(built.cell(role, wb.TOTAL, "Samarbejde")), label_ref), cells)
        )
    return Collaborations(
        sheet=built.sheet_names[role],
        header_row=_ref(built, role, "header", "Samarbejde").row,
        rows=tuple(rows),
        totals=tuple(totals),
        cols=cols,
    )


# --- what a rule found, and changes to an App in one expression ------------------------------


class Seen(NamedTuple):
    """The checkable part of a finding: where, what was found, the limit, the fix's amount and
    target (None where the finding has none)."""

    location: str
    found: Scalar = None
    limit: Scalar = None
    fix: Scalar = None
    target: Scalar = None

    @classmethod
    def of(cls, finding: Finding) -> Seen:
        fix = finding.fix
        return cls(
            finding.location,
            finding.found,
            finding.limit,
            fix.amount if fix else None,
            fix.target if fix else None,
        )


def seen(app: wb.App | Application, code: str, opts: Options | None = None) -> list[Seen]:
    application = model(app) if isinstance(app, wb.App) else app
    return [Seen.of(f) for f in findings(application, code, opts)]


def line(app: wb.App, label: str) -> wb.Line:
    """The first Budget or Finansiering line with this canonical label."""
    for candidate in [*app.budget, *app.financing]:
        if candidate.label == label:
            return candidate
    raise KeyError(label)


def put(app: wb.App, label: str, year: int, value: wb.CellValue) -> wb.App:
    line(app, label).amounts[year] = value
    return app


def add(app: wb.App, label: str, kroner: int | Decimal, year: int = 2025) -> wb.App:
    """`kroner` more on the line in `year`."""
    before = line(app, label).amounts.get(year) or 0
    assert isinstance(before, int | Decimal)
    return put(app, label, year, before + kroner)


def zero(app: wb.App, *labels: str) -> wb.App:
    """Every amount of these lines 0."""
    for label in labels:
        amounts = line(app, label).amounts
        for year in amounts:
            amounts[year] = 0
    return app


def stated(app: wb.App, label: str, total: wb.CellValue) -> wb.App:
    """The line's `I alt` cell."""
    line(app, label).total = total
    return app


def sme(app: wb.App, index: int, **values: wb.CellValue) -> wb.App:
    """Set cells of a collaboration by column key (`grant=...`, `turnover=...`)."""
    assert app.collaborations is not None
    headers = {key: header for header, key in SME_KEYS.items()}
    for key, value in values.items():
        app.collaborations[index][headers[key]] = value
    return app


def restated(
    app: Application, part: str, column: str, value: Decimal | None, row: int | None = None
) -> Application:
    """`app` with one cell of the first totals row of `part` ("budget", "financing",
    "collaborations") stated as `value`; `row` moves that totals row (0-based)."""
    table = getattr(app, part)
    totals = table.totals[0]
    cells = {**totals.cells, column: replace(totals.cells[column], value=value)}
    label = totals.label
    if row is not None:  # the moved row states only this column
        assert label.ref is not None and cells[column].ref is not None
        label = label.located(replace(label.ref, row=row))
        cells = {column: cells[column].located(replace(cells[column].ref, row=row))}
    moved = replace(totals, label=label, cells=cells)
    return replace(app, **{part: replace(table, totals=(moved, *table.totals[1:]))})


def with_call(opts: Options | None = None, **values: object) -> Options:
    """`opts` under a call whose parameters `values` differ (`tolerance_kr=Decimal(0)`): the
    numbers are the call's data, so a rule must follow them."""
    base = opts or options()
    params = {
        name: getattr(base.call, name).model_copy(update={"value": value})
        for name, value in values.items()
    }
    return replace(base, call=base.call.model_copy(update=params))
