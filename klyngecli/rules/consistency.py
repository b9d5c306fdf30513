"""Consistency — KL1xx: the workbook adds up, in kroner, cell by cell."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from klyngecli.findings import Finding, Fix, Severity, kr
from klyngecli.model import (
    Amount,
    Application,
    Category,
    CellRef,
    Table,
    TotalsRow,
)
from klyngecli.rules import Context, rule
from klyngecli.rules.common import (
    balanced,
    exceeds,
    first_line,
    grant_where,
    joined,
    settled_costs,
    sme_line,
)

K = TypeVar("K", bound=Hashable)  # a column of a totals row: a year, "total", an SME column

E, W = Severity.ERROR, Severity.WARNING


def _wrong_total(stated: Amount, computed: Decimal, what_da: str, what_en: str) -> Finding:
    assert stated.value is not None
    diff = computed - stated.value
    return stated_total.finding(
        stated.ref,
        f"{what_da} er {kr(stated.value)}, men summen er {kr(computed)} (forskel {kr(diff)}): "
        f"ret den til {kr(computed)}",
        f"{what_en} is {kr(stated.value, 'en')}, but the sum is {kr(computed, 'en')} "
        f"(difference {kr(diff, 'en')}): change it to {kr(computed, 'en')}",
        found=stated.value,
        limit=computed,
        fix=Fix.of(
            amount=abs(diff),
            target=computed,
            da=f"ret totalen til {kr(computed)}",
            en=f"change the total to {kr(computed, 'en')}",
        ),
    )


def _table_totals(table: Table) -> Iterator[tuple[Amount, Decimal, str, str]]:
    items: list[tuple[int, dict[object, Decimal | None]]] = []
    for line in table.lines:
        whole = line.sum()
        own = line.stated_total  # the row's `I alt` cell
        if own is not None and own.value is not None and whole is not None:
            yield own, whole, "Rækkens I alt", "The row's total"
        values: dict[object, Decimal | None] = {"total": whole}
        values.update((year, amount.value) for year, amount in line.amounts.items())
        items.append((line.row, values))
    limits = [_row_of(row) for row in table.totals]
    for row, above in zip(table.totals, _sums_above(items, limits), strict=True):
        for column, stated in row.cells.items():
            if stated.value is None:
                continue
            if column == "total":
                computed = above.get("total", Decimal(0))
                what = ("Totalrækkens I alt", "The totals row's total")
            else:
                year = int(column)
                computed = above.get(year, Decimal(0))
                what = (f"Totalrækkens sum for {year}", f"The totals row's sum for {year}")
            if computed is not None:
                yield stated, computed, what[0], what[1]


def _sums_above(
    items: Iterable[tuple[int, Mapping[K, Decimal | None]]], limits: Sequence[int]
) -> list[dict[K, Decimal | None]]:
    """For each row of `limits`, in that order: by key, the sum of the values of the items (row,
    values) on the rows above it; a key no item above has is absent (a sum of nothing, 0), and
    one whose value is unknown (None) anywhere above is None. One pass down the items: a sheet
    of lines each followed by a totals row made a sum per totals row quadratic (30,000 rows
    took 83 s)."""
    ordered = sorted(items, key=lambda item: item[0])
    running: dict[K, Decimal | None] = {}
    sums: dict[int, dict[K, Decimal | None]] = {}
    done = 0
    for index in sorted(range(len(limits)), key=limits.__getitem__):
        while done < len(ordered) and ordered[done][0] < limits[index]:
            for key, value in ordered[done][1].items():
                running[key] = _plus(running.get(key, Decimal(0)), value)
            done += 1
        sums[index] = dict(running)
    return [sums[index] for index in range(len(limits))]


def _plus(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a + b


def _row_of(row: TotalsRow) -> int:
    return row.label.row  # 0 when not read from a cell


@rule(
    "KL101",
    E,
    "En angivet total stemmer ikke med summen",
    "A stated total differs from its sum",
    params=("tolerance_kr",),
)
def stated_total(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: compares every stated total with the sum of its parts: the `I alt` column
    of each Budget and Finansiering row (the sum of its year amounts), a totals row (`I alt`,
    `Total`, `Sum`, `Samlet`) against the rows above it, and the totals row of SMV-samarbejder.

    Why: a total that does not add up means the applicant and the caseworker read different
    budgets; the checker always computes from the parts.

    Example: four year columns hold DKK 120,000 each and `I alt` says DKK 470,000: KL101, the
    fix is to change it to DKK 480,000.

    Fix: correct the total (or the part that is wrong). Differences up to the tolerance
    ({tolerance_kr}) are rounding and pass.

    På dansk:
    Hvad den gør: sammenholder hver angivet total med summen af dens dele: kolonnen `I alt` i hver
    række i Budget og Finansiering (summen af rækkens årsbeløb), en I alt-række (`I alt`, `Total`,
    `Sum`, `Samlet`) med rækkerne over den, og I alt-rækken i SMV-samarbejder.

    Hvorfor: en total, der ikke stemmer, betyder, at ansøgeren og sagsbehandleren læser to
    forskellige budgetter; kontrollen regner altid ud fra delene.

    Eksempel: fire årskolonner har hver 120.000 kr., og `I alt` siger 470.000 kr.: KL101, og
    rettelsen er at ændre totalen til 480.000 kr.

    Sådan retter du: ret totalen (eller den del, der er forkert). Forskelle op til tolerancen
    ({tolerance_kr}) er afrunding og godkendes.
    """
    for table in (app.budget, app.financing):
        if table is None:
            continue
        for stated, computed, what_da, what_en in _table_totals(table):
            assert stated.value is not None
            if exceeds(stated.value, computed, ctx.call):
                yield _wrong_total(stated, computed, what_da, what_en)
    collaborations = app.collaborations
    if collaborations is None:
        return
    columns = {column for row in collaborations.totals for column in row.cells}
    items = [
        (c.row, {column: getattr(c, column).value for column in columns})
        for c in collaborations.rows
    ]
    limits = [_row_of(row) for row in collaborations.totals]
    for row, above in zip(collaborations.totals, _sums_above(items, limits), strict=True):
        for column, stated in row.cells.items():
            column_sum = above.get(column, Decimal(0))
            if stated.value is None or column_sum is None:
                continue
            if exceeds(stated.value, column_sum, ctx.call):
                yield _wrong_total(stated, column_sum, "Totalrækkens sum", "The totals row's sum")


@rule(
    "KL102",
    E,
    "Omkostninger og finansiering balancerer ikke",
    "Costs and financing differ",
    params=("tolerance_kr",),
)
def balance(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: compares the total costs (all Budget rows, all years) with the total
    financing (all Finansiering rows, all years).

    Why: a budget must be fully financed, and the financing may not exceed the costs.

    The message names the year the difference lies in (each year with its share when several
    differ). When a Tilskud above the ceiling (KL401) or the cost line Tilskud til
    SMV-samarbejder (KL105) will change the costs, their fixes come first: the fix here is what
    the financing must be after them, or none when their fixes balance the budget.

    Example: costs DKK 20,000,000, financing DKK 19,500,000, all of the difference in 2026:
    KL102, DKK 500,000 is missing, in 2026.

    Fix: add the missing financing, or reduce the costs or the financing, so that they are
    equal (differences up to {tolerance_kr} pass).

    På dansk:
    Hvad den gør: sammenholder de samlede omkostninger (alle rækker i Budget, alle år) med den
    samlede finansiering (alle rækker i Finansiering, alle år).

    Hvorfor: et budget skal være fuldt finansieret, og finansieringen må ikke overstige
    omkostningerne.

    Meddelelsen nævner det år, forskellen ligger i (hvert år med sin del, når flere år
    afviger). Når et Tilskud over loftet (KL401) eller omkostningslinjen Tilskud til
    SMV-samarbejder (KL105) vil ændre omkostningerne, kommer deres rettelser først: rettelsen her
    er det, finansieringen skal være efter dem, eller ingen, når deres rettelser bringer budgettet
    i balance.

    Eksempel: omkostninger 20.000.000 kr., finansiering 19.500.000 kr., hele forskellen i 2026:
    KL102, der mangler 500.000 kr., i 2026.

    Sådan retter du: tilføj den manglende finansiering, eller nedsæt omkostningerne eller
    finansieringen, så de er lige store (forskelle op til {tolerance_kr} godkendes).
    """
    if app.budget is None or app.financing is None:
        return
    costs, funding = app.budget.sum_all(), app.financing.sum_all()
    if costs is None or funding is None or not exceeds(costs, funding, ctx.call):
        return
    diff = costs - funding
    years_da, years_en = _years_apart(app, ctx)
    short_da, short_en = ("mangler", "is missing") if diff > 0 else ("er for meget", "is too much")
    da = (
        f"Omkostningerne er {kr(costs)}, finansieringen {kr(funding)}: {kr(abs(diff))} "
        f"finansiering {short_da}{years_da}"
    )
    en = (
        f"Costs are {kr(costs, 'en')}, financing is {kr(funding, 'en')}: "
        f"{kr(abs(diff), 'en')} of financing {short_en}{years_en}"
    )
    # KL401 and KL105 are the root cause when they change the costs: the fix here is what the
    # financing must be after theirs, so that following every fix balances the budget.
    codes = _sme_codes(app, ctx)
    settled = settled_costs(app, ctx.call) if codes else None
    target = costs if settled is None else settled
    first_da = first_en = ""
    if target != costs:
        if not exceeds(target, funding, ctx.call):
            yield balance.finding(
                app.financing.area_of(app.financing.lines),
                f"{da}; rettelsen af {joined(codes, 'da')} bringer dem i balance",
                f"{en}; fixing {joined(codes, 'en')} balances them",
                found=funding,
                limit=costs,
            )
            return
        first_da = f"efter rettelsen af {joined(codes, 'da')} er omkostningerne {kr(target)}, så "
        first_en = f"after fixing {joined(codes, 'en')} the costs are {kr(target, 'en')}, so "
    need = target - funding
    more_da, more_en = ("øg", "increase") if need > 0 else ("nedsæt", "reduce")
    yield balance.finding(
        app.financing.area_of(app.financing.lines),
        f"{da}; {first_da}{more_da} finansieringen med {kr(abs(need))}" if first_da else da,
        f"{en}; {first_en}{more_en} the financing by {kr(abs(need), 'en')}" if first_en else en,
        found=funding,
        limit=target,
        fix=Fix.of(
            amount=abs(need),
            target=target,
            da=f"{first_da}{more_da} finansieringen med {kr(abs(need))}",
            en=f"{first_en}{more_en} the financing by {kr(abs(need), 'en')}",
        ),
    )


def _years_apart(app: Application, ctx: Context) -> tuple[str, str]:
    """Where KL102's difference lies, year by year: `; forskellen ligger i 2026` (one year), or
    each year with its share when several differ; nothing when no year column shows it."""
    assert app.budget is not None and app.financing is not None
    gaps: list[tuple[int, Decimal]] = []
    for year in sorted(set(app.budget.year_cols) | set(app.financing.year_cols)):
        costs, funding = app.budget.sum_year(year), app.financing.sum_year(year)
        if costs is not None and funding is not None and exceeds(costs, funding, ctx.call):
            gaps.append((year, costs - funding))
    if not gaps:
        return "", ""
    if len(gaps) == 1:
        return f"; forskellen ligger i {gaps[0][0]}", f"; the difference lies in {gaps[0][0]}"
    da = [f"{y} ({'mangler' if d > 0 else 'for meget'} {kr(abs(d))})" for y, d in gaps]
    en = [f"{y} ({kr(abs(d), 'en')} {'missing' if d > 0 else 'too much'})" for y, d in gaps]
    return (
        f"; forskellen ligger i {joined(da, 'da')}",
        f"; the difference lies in {joined(en, 'en')}",
    )


def _sme_codes(app: Application, ctx: Context) -> list[str]:
    """The SME findings that change the costs: KL401 (a Tilskud over the ceiling) and KL105
    (the cost line against the collaborations)."""
    line = sme_line(app, ctx.call)
    if line is None:
        return []
    codes = ["KL401"] if line.cuts else []
    return codes + (["KL105"] if exceeds(line.budgeted, line.passed_on, ctx.call) else [])


@rule(
    "KL103",
    W,
    "Budgettet balancerer ikke i et enkelt år",
    "Costs and financing differ in a year",
    params=("tolerance_kr",),
)
def yearly_balance(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: when costs and financing balance over the whole period (no KL102), compares
    them year by year.

    Why: money requested for one year pays that year's costs; a surplus in one year and a
    deficit in the next is usually a row typed in the wrong column.

    Fix: move the amounts to the year they belong to.

    På dansk:
    Hvad den gør: sammenholder omkostninger og finansiering år for år, når de balancerer over hele
    perioden (ingen KL102).

    Hvorfor: penge, der søges til et år, betaler det års omkostninger; et overskud i ét år og et
    underskud i det næste skyldes som regel en række, der er skrevet i den forkerte kolonne.

    Sådan retter du: flyt beløbene til det år, de hører til.
    """
    if app.budget is None or app.financing is None:
        return
    costs, funding = app.budget.sum_all(), app.financing.sum_all()
    if costs is None or funding is None or exceeds(costs, funding, ctx.call):
        return
    for year in sorted(set(app.budget.year_cols) | set(app.financing.year_cols)):
        year_costs, year_funding = app.budget.sum_year(year), app.financing.sum_year(year)
        if year_costs is None or year_funding is None:
            continue
        if exceeds(year_costs, year_funding, ctx.call):
            col = app.financing.year_cols.get(year)
            ref = (
                None if col is None else CellRef(app.financing.sheet, app.financing.header_row, col)
            )
            diff = year_costs - year_funding
            yield yearly_balance.finding(
                ref or app.financing.sheet,
                f"I {year} er omkostningerne {kr(year_costs)} og finansieringen "
                f"{kr(year_funding)} (forskel {kr(diff)})",
                f"In {year} costs are {kr(year_costs, 'en')} and financing is "
                f"{kr(year_funding, 'en')} (difference {kr(diff, 'en')})",
                found=year_funding,
                limit=year_costs,
                fix=Fix.of(
                    amount=abs(diff),
                    target=year_costs,
                    da=f"flyt {kr(abs(diff))} finansiering {'til' if diff > 0 else 'fra'} {year}",
                    en=f"move {kr(abs(diff), 'en')} of financing "
                    f"{'to' if diff > 0 else 'from'} {year}",
                ),
            )


@rule("KL104", E, "Beløb i et år uden for projektperioden", "Amount in a year outside the project")
def outside_period(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: reports every amount other than 0 in a year column before the year of
    Projektstart or after the year of Projektslut, in Budget and Finansiering.

    Why: costs outside the project period are not eligible, and financing there finances
    nothing.

    Example: the project ends in its third year and Løn has DKK 300,000 in the fourth year's
    column: KL104 on that cell.

    Fix: move the amount into the project period, or change the project period.

    På dansk:
    Hvad den gør: melder ethvert beløb forskelligt fra 0 i en årskolonne før året for Projektstart
    eller efter året for Projektslut, i Budget og Finansiering.

    Hvorfor: omkostninger uden for projektperioden er ikke støtteberettigede, og finansiering dér
    finansierer ingenting.

    Eksempel: projektet slutter i sit tredje år, og Løn har 300.000 kr. i det fjerde års kolonne:
    KL104 på den celle.

    Sådan retter du: flyt beløbet ind i projektperioden, eller ret projektperioden.
    """
    applicant = app.applicant
    if applicant is None or applicant.start.value is None or applicant.end.value is None:
        return
    first, last = applicant.start.value.year, applicant.end.value.year
    if last < first:
        return
    for table in (app.budget, app.financing):
        if table is None:
            continue
        for line in table.lines:
            for year, amount in sorted(line.amounts.items()):
                if amount.value and not first <= year <= last:
                    yield outside_period.finding(
                        amount.ref,
                        f"{kr(amount.value)} i {year}, men projektet løber {first}-{last}: flyt "
                        "beløbet ind i projektperioden",
                        f"{kr(amount.value, 'en')} in {year}, but the project runs "
                        f"{first}-{last}: move the amount into the project period",
                        found=year,
                        limit=f"{first}-{last}",
                        fix=Fix.of(
                            amount=amount.value,
                            da=f"flyt {kr(amount.value)} til et år i {first}-{last}",
                            en=f"move {kr(amount.value, 'en')} to a year in {first}-{last}",
                        ),
                    )


@rule(
    "KL105",
    E,
    "Tilskud til SMV-samarbejder stemmer ikke med arket SMV-samarbejder",
    "SME grant cost line differs from the SME collaborations",
    params=("tolerance_kr",),
    applies=grant_where(lambda grant: grant.requires_collaborations),
)
def sme_grant_line(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for an innovation grant, compares the Budget line `Tilskud til
    SMV-samarbejder` (all years) with the sum of `Tilskud` and `Overhead` over the rows of
    SMV-samarbejder.

    Why: the money passed on to SMEs is budgeted once as a cost line and once per
    collaboration; the two must be the same money.

    A Tilskud above the ceiling (KL401) is the root cause when there is one: the message then
    says what the cost line must be after KL401's fix, or that KL401's fix alone makes the two
    agree (and gives no fix of its own), so that following every fix never brings KL105 back.

    Fix: make the cost line equal to the collaborations' Tilskud plus Overhead (differences up
    to {tolerance_kr} pass).

    På dansk:
    Hvad den gør: ved en innovationsbevilling sammenholder den budgetposten
    `Tilskud til SMV-samarbejder` (alle år) med summen af `Tilskud` og `Overhead` over rækkerne i
    SMV-samarbejder.

    Hvorfor: de penge, der gives videre til SMV'erne, budgetteres én gang som en omkostningspost og
    én gang pr. samarbejde; det skal være de samme penge.

    Et Tilskud over loftet (KL401) er den egentlige årsag, når der er et: meddelelsen siger så,
    hvad omkostningsposten skal være efter rettelsen af KL401, eller at rettelsen af KL401 alene
    får de to til at stemme (og giver ingen egen rettelse), så KL105 aldrig kommer igen, når man
    følger alle rettelser.

    Sådan retter du: gør omkostningsposten lig med samarbejdernes Tilskud plus Overhead (forskelle
    op til {tolerance_kr} godkendes).
    """
    sides = sme_line(app, ctx.call)
    if sides is None or not exceeds(sides.budgeted, sides.passed_on, ctx.call):
        return
    assert app.budget is not None and app.collaborations is not None
    line = first_line(app.budget, Category.SME_GRANTS)
    where = (
        (line.stated_total.ref if line.stated_total else line.label.ref)
        if line
        else app.budget.sheet
    )
    budgeted, passed_on, settled = sides.budgeted, sides.passed_on, sides.settled
    sheet = app.collaborations.sheet
    da = (
        f"Tilskud til SMV-samarbejder er {kr(budgeted)} i Budget, men Tilskud + Overhead i "
        f"{sheet} er {kr(passed_on)}"
    )
    en = (
        f"The cost line Tilskud til SMV-samarbejder is {kr(budgeted, 'en')}, but Tilskud + "
        f"Overhead in {sheet} is {kr(passed_on, 'en')}"
    )
    # A Tilskud over the ceiling (KL401) is the root cause: the cost line follows its fix.
    if sides.cuts and not exceeds(budgeted, settled, ctx.call):
        yield sme_grant_line.finding(
            where,
            f"{da}: rettelsen af KL401 (Tilskud over loftet) får dem til at stemme",
            f"{en}: fixing KL401 (Tilskud above the ceiling) makes them agree",
            found=budgeted,
            limit=passed_on,
        )
        return
    after_da = (
        "efter rettelsen af KL401 skal omkostningslinjen være"
        if sides.cuts
        else ("ret omkostningslinjen til")
    )
    after_en = (
        "after fixing KL401 the cost line must be" if sides.cuts else ("change the cost line to")
    )
    then_da = then_en = ""
    if balanced(app, ctx.call):
        up = settled > budgeted
        then_da = f", og finansieringen {'op' if up else 'ned'} med det samme"
        then_en = f", and the financing {'up' if up else 'down'} by the same"
    yield sme_grant_line.finding(
        where,
        f"{da}: {after_da} {kr(settled)}{then_da}",
        f"{en}: {after_en} {kr(settled, 'en')}{then_en}",
        found=budgeted,
        limit=settled,
        fix=Fix.of(
            amount=abs(settled - budgeted),
            target=settled,
            da=f"ret Tilskud til SMV-samarbejder til {kr(settled)}{then_da}",
            en=f"change Tilskud til SMV-samarbejder to {kr(settled, 'en')}{then_en}",
        ),
    )


@rule(
    "KL106",
    W,
    "Beløbene står måske i forkert enhed",
    "Amounts look like the wrong unit",
    params=("unit_sanity_min_kr", "unit_sanity_max_kr"),
)
def wrong_unit(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: warns when the total costs are under {unit_sanity_min_kr} while the amounts
    are in unit kr., or over {unit_sanity_max_kr} (both limits are parameters of the call).

    Why: a cluster budget is millions of kroner; a budget of "DKK 18,500" was almost certainly
    typed in thousands (`1.000 kr.`).

    Fix: set `Enhed` on the Ansøger sheet to the unit the amounts are typed in (`1.000 kr.`,
    `mio. kr.`), or a unit in the year headers (`2025 (t.kr.)`).

    På dansk:
    Hvad den gør: advarer, når de samlede omkostninger er under {unit_sanity_min_kr}, mens
    beløbene står i enheden kr., eller over {unit_sanity_max_kr} (begge grænser er parametre i
    opslaget).

    Hvorfor: et klyngebudget er på millioner af kroner; et budget på 18.500 "kr." er næsten helt
    sikkert skrevet i 1.000 kr.

    Sådan retter du: sæt `Enhed` på arket Ansøger til den enhed, beløbene er skrevet i
    (`1.000 kr.`, `mio. kr.`), eller angiv en enhed i årsoverskrifterne (`2025 (t.kr.)`).
    """
    budget = app.budget
    if budget is None:
        return
    costs = budget.sum_all()
    if costs is None or costs <= 0:
        return
    low, high = ctx.call.unit_sanity_min_kr.value, ctx.call.unit_sanity_max_kr.value
    if budget.in_kroner and costs < low:
        yield wrong_unit.finding(
            budget.area_of(budget.lines),
            f"Budgettet er i alt kun {kr(costs)}: står beløbene i 1.000 kr.? Angiv i så fald "
            "Enhed '1.000 kr.' på arket Ansøger",
            f"The whole budget is only {kr(costs, 'en')}: are the amounts in 1.000 kr.? If so, set "
            "Enhed (unit) to '1.000 kr.' on the Ansøger sheet",
            found=costs,
            limit=low,
        )
    elif costs > high:
        yield wrong_unit.finding(
            budget.area_of(budget.lines),
            f"Budgettet er i alt {kr(costs)}: står beløbene i en anden enhed end angivet?",
            f"The whole budget is {kr(costs, 'en')}: are the amounts in another unit than stated?",
            found=costs,
            limit=high,
        )


FAMILY = (stated_total, balance, yearly_balance, outside_period, sme_grant_line, wrong_unit)
