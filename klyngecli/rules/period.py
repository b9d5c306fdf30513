"""Deadline and period — KL5xx: when the application was sent, and when the project runs."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from klyngecli.findings import Finding, Fix, Severity
from klyngecli.model import Application, CellRef, Value
from klyngecli.rules import Context, rule

E, W = Severity.ERROR, Severity.WARNING


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later; the last day when that month is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > date.max.year:
        return date.max  # a start in year 9999 has no later limit to exceed
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local(moment: datetime, ctx: Context) -> str:
    """A moment in the call's local time (its zone), to the second."""
    return moment.astimezone(ctx.call.zone).strftime("%d-%m-%Y %H:%M:%S")


def _submission(app: Application, ctx: Context) -> tuple[datetime, CellRef | str] | None:
    """The submission time to check and where it comes from: --submitted-at wins."""
    applicant = app.applicant
    if applicant is None:
        return None
    if ctx.submitted_at is not None:
        return ctx.submitted_at, applicant.sheet
    submitted = applicant.submitted
    if submitted.value is None:
        return None
    return submitted.value, submitted.ref or applicant.sheet


@rule(
    "KL501",
    E,
    "Indsendt efter ansøgningsfristen",
    "Submitted after the deadline",
    params=("deadline", "timezone"),
    applies=lambda app, ctx: _submission(app, ctx) is not None,
)
def late(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: compares the submission time (`--submitted-at`, else `Indsendt` on the
    Ansøger sheet) with the deadline, {deadline} in the call's time zone ({timezone}). The
    deadline itself is on time, one second later is late. A time without an offset is the
    call's local time; one with an offset or `Z` keeps it and is compared as the same instant.

    Why: the call ({title}): {authority} accepts applications until {deadline}. A late
    application is not assessed.

    Fix: none after the fact; for the next call, submit before the deadline.

    På dansk:
    Hvad den gør: sammenholder indsendelsestidspunktet (`--submitted-at`, ellers `Indsendt` på
    arket Ansøger) med ansøgningsfristen, {deadline} i opslagets tidszone ({timezone}). Selve
    fristen er rettidig, ét sekund senere er for sent. Et tidspunkt uden UTC-forskydning regnes i
    opslagets lokale tid; et tidspunkt med forskydning eller `Z` beholder sin egen og sammenlignes
    som det samme øjeblik.

    Hvorfor: opslaget ({title}): {authority} modtager ansøgninger frem til {deadline}. En
    ansøgning, der kommer for sent, bliver ikke vurderet.

    Sådan retter du: det kan ikke rettes bagefter; indsend inden fristen ved næste opslag.
    """
    found = _submission(app, ctx)
    if found is None or found[0] <= ctx.call.deadline_at:
        return
    moment, where = found
    late_by = moment - ctx.call.deadline_at
    yield late.finding(
        where,
        f"Indsendt {local(moment, ctx)}, efter fristen {local(ctx.call.deadline_at, ctx)} "
        f"(for sent med {_span(late_by, 'da')})",
        f"Submitted {local(moment, ctx)}, after the deadline {local(ctx.call.deadline_at, ctx)} "
        f"(late by {_span(late_by, 'en')})",
        found=moment.astimezone(ctx.call.zone),
        limit=ctx.call.deadline_at,
    )


_UNITS = {
    "da": (("dag", "dage"), ("time", "timer"), ("min.", "min."), ("sek.", "sek.")),
    "en": (("day", "days"), ("hour", "hours"), ("min", "min"), ("s", "s")),
}


def _span(delta: timedelta, lang: str) -> str:
    """How late, in its two largest units: `1 dag 2 timer`, `1 s`, `0,4 s`."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        fraction = f"{delta.total_seconds():.1f}"
        return (fraction.replace(".", ",") + " sek.") if lang == "da" else f"{fraction} s"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{n} {one if n == 1 else many}"
        for n, (one, many) in zip((days, hours, minutes, secs), _UNITS[lang], strict=True)
        if n
    ]
    return " ".join(parts[:2])


@rule(
    "KL502",
    E,
    "Indsendt før ansøgningsperioden",
    "Submitted before the application period",
    params=("opens", "deadline", "timezone"),
    applies=lambda app, ctx: _submission(app, ctx) is not None,
)
def early(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: reports a submission time before the application period opened
    ({opens}, {timezone}).

    Why: the call's application period runs from {opens} to {deadline}.

    Fix: check the `Indsendt` date: it is usually a typing error.

    På dansk:
    Hvad den gør: melder et indsendelsestidspunkt, der ligger før ansøgningsperioden åbnede
    ({opens}, {timezone}).

    Hvorfor: opslagets ansøgningsperiode løber fra {opens} til {deadline}.

    Sådan retter du: kontrollér datoen i `Indsendt`: det er som regel en tastefejl.
    """
    found = _submission(app, ctx)
    if found is None or found[0] >= ctx.call.opens_at:
        return
    moment, where = found
    yield early.finding(
        where,
        f"Indsendt {local(moment, ctx)}, før ansøgningsperioden åbnede "
        f"{local(ctx.call.opens_at, ctx)}",
        f"Submitted {local(moment, ctx)}, before the application period opened "
        f"{local(ctx.call.opens_at, ctx)}",
        found=moment.astimezone(ctx.call.zone),
        limit=ctx.call.opens_at,
    )


def _period(app: Application) -> tuple[Value[date], Value[date]] | None:
    applicant = app.applicant
    if applicant is None or applicant.start.value is None or applicant.end.value is None:
        return None
    return applicant.start, applicant.end


@rule(
    "KL503",
    E,
    "Projektperioden er for lang",
    "The project period is too long",
    params=("max_project_months",),
)
def too_long(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: reports a project whose end date is on or after the start date plus
    {max_project_months} months: ending the day before that date is exactly
    {max_project_months} months and passes, ending on it does not.

    Why: the call allows a project period of up to {max_project_months} months.

    Fix: end the project no later than the day before the start date plus
    {max_project_months} months (the message gives the date).

    På dansk:
    Hvad den gør: melder et projekt, hvis slutdato ligger på eller efter startdatoen plus
    {max_project_months} måneder: at slutte dagen før den dato er præcis {max_project_months}
    måneder og godkendes, at slutte på selve datoen godkendes ikke.

    Hvorfor: opslaget tillader en projektperiode på op til {max_project_months} måneder.

    Sådan retter du: lad projektet slutte senest dagen før startdatoen plus
    {max_project_months} måneder (meddelelsen angiver datoen).
    """
    period = _period(app)
    if period is None:
        return
    start, end = period
    assert start.value is not None and end.value is not None
    months = ctx.call.max_project_months.value
    limit = add_months(start.value, months)
    if end.value < limit or limit == date.max:
        return
    latest = limit - timedelta(days=1)
    yield too_long.finding(
        end.ref or app.sheet_order[0],
        f"Projektet løber {start.value:%d-%m-%Y} – {end.value:%d-%m-%Y}, længere end {months} "
        f"måneder: det skal slutte senest {latest:%d-%m-%Y}",
        f"The project runs {start.value:%d-%m-%Y} – {end.value:%d-%m-%Y}, longer than {months} "
        f"months: it must end on {latest:%d-%m-%Y} at the latest",
        found=end.value,
        limit=latest,
        fix=Fix.of(
            da=f"sæt Projektslut til senest {latest:%d-%m-%Y}",
            en=f"set Projektslut to {latest:%d-%m-%Y} at the latest",
        ),
    )


@rule(
    "KL504",
    E,
    "Projektet ligger uden for programperioden",
    "Project outside the programme",
    params=("programme_start", "programme_end"),
)
def outside_programme(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: reports a project that starts before or ends after the programme period,
    {programme_start} – {programme_end}; the finding points at the date that lies outside.

    Why: the call finances "{title}"; activities outside it are not covered.

    Fix: move the project start or end into the programme period.

    På dansk:
    Hvad den gør: melder et projekt, der starter før eller slutter efter programperioden,
    {programme_start} – {programme_end}; fundet peger på den dato, der ligger uden for.

    Hvorfor: opslaget finansierer "{title}"; aktiviteter uden for programmet er ikke dækket.

    Sådan retter du: flyt projektets start eller slut ind i programperioden.
    """
    applicant = app.applicant
    if applicant is None:
        return
    first, last = ctx.call.programme_start.value, ctx.call.programme_end.value
    for value, da, en, limit in (
        (applicant.start, "starter", "starts", first),
        (applicant.end, "slutter", "ends", last),
    ):
        # Each date on its own: an unreadable start does not hide an end outside the programme.
        if value.value is None or first <= value.value <= last:
            continue
        yield outside_programme.finding(
            value.ref or app.sheet_order[0],
            f"Projektet {da} {value.value:%d-%m-%Y}, uden for programperioden "
            f"{first:%d-%m-%Y} – {last:%d-%m-%Y}",
            f"The project {en} {value.value:%d-%m-%Y}, outside the programme period "
            f"{first:%d-%m-%Y} – {last:%d-%m-%Y}",
            found=value.value,
            limit=limit,
        )


@rule("KL505", E, "Projektet slutter før det starter", "The project ends before it starts")
def ends_before_start(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: reports a Projektslut before Projektstart.

    Why: the period is usually typed with day and month swapped, or the years mixed up.

    Fix: correct the dates (day first: 31-12-2028).

    På dansk:
    Hvad den gør: melder en Projektslut, der ligger før Projektstart.

    Hvorfor: perioden er som regel skrevet med dag og måned byttet om eller med årstallene
    forvekslet.

    Sådan retter du: ret datoerne (dagen først: 31-12-2028).
    """
    period = _period(app)
    if period is None:
        return
    start, end = period
    assert start.value is not None and end.value is not None
    if end.value >= start.value:
        return
    yield ends_before_start.finding(
        end.ref or app.sheet_order[0],
        f"Projektslut {end.value:%d-%m-%Y} ligger før Projektstart {start.value:%d-%m-%Y}",
        f"Project end {end.value:%d-%m-%Y} is before project start {start.value:%d-%m-%Y}",
        found=end.value,
        limit=start.value,
    )


@rule(
    "KL506",
    W,
    "Indsendelsestidspunktet er ukendt",
    "The submission time is unknown",
    params=("opens", "deadline"),
)
def submission_unknown(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: warns when neither `--submitted-at` nor `Indsendt` gives the submission
    time, so the deadline was not checked; the message says whether the call is open now.

    Why: a caseworker must know that the deadline holds; an applicant can ask "would it be on
    time if I sent it now" with `--submitted-at now`.

    Fix: fill in `Indsendt`, or run `klynge check --submitted-at now` (or an ISO time).

    På dansk:
    Hvad den gør: advarer, når hverken `--submitted-at` eller `Indsendt` angiver
    indsendelsestidspunktet, så fristen ikke er blevet kontrolleret; meddelelsen oplyser, om
    opslaget er åbent nu.

    Hvorfor: en sagsbehandler skal vide, at fristen er overholdt; en ansøger kan spørge "ville den
    nå frem rettidigt, hvis jeg sendte den nu?" med `--submitted-at now`.

    Sådan retter du: udfyld `Indsendt`, eller kør `klynge check --submitted-at now` (eller med et
    ISO-tidspunkt).
    """
    applicant = app.applicant
    if applicant is None or ctx.submitted_at is not None:
        return
    if applicant.submitted.given:
        return
    deadline, opens, now = ctx.call.deadline_at, ctx.call.opens_at, ctx.now
    if now < opens:
        da = f"ansøgningsperioden åbner {local(opens, ctx)}"
        en = f"the application period opens {local(opens, ctx)}"
    elif now <= deadline:
        da = f"opslaget er åbent nu, frist {local(deadline, ctx)}"
        en = f"the call is open now, deadline {local(deadline, ctx)}"
    else:
        da = f"opslaget lukkede {local(deadline, ctx)}"
        en = f"the call closed {local(deadline, ctx)}"
    yield submission_unknown.finding(
        applicant.submitted.ref or applicant.sheet,
        f"Indsendelsestidspunktet er ukendt, så fristen er ikke kontrolleret; {da}",
        f"The submission time is unknown, so the deadline was not checked; {en}",
        limit=deadline,
    )


FAMILY = (late, early, too_long, outside_programme, ends_before_start, submission_unknown)
