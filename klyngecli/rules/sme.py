"""SME co-financing — KL4xx: the planned collaborations of SMV-samarbejder."""

from __future__ import annotations

from collections.abc import Iterator

from klyngecli.findings import Finding, Fix, Severity, kr, number, pct, share_over
from klyngecli.model import Application, Area, Collaboration
from klyngecli.rules import Context, rule
from klyngecli.rules.common import (
    balanced,
    cvr_problem,
    exceeds,
    grant_of,
    grant_where,
    sme_cut,
    sme_line,
    with_collaborations,
)
from klyngecli.vocabulary import valid_cvr

E, W = Severity.ERROR, Severity.WARNING


def _who(c: Collaboration) -> str:
    return c.sme.value or c.name.value or f"række {c.row + 1}"


def _who_en(c: Collaboration) -> str:
    return c.sme.value or c.name.value or f"row {c.row + 1}"


@rule(
    "KL401",
    E,
    "SMV-tilskud over loftet",
    "SME grant above the ceiling",
    params=("sme_ceiling",),
    applies=with_collaborations,
)
def sme_ceiling(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for each collaboration, compares `Tilskud` with {sme_ceiling} of the SME's
    R&D activity costs (`FoU-omkostninger`). `Overhead` is paid on top and is not counted.
    Exactly {sme_ceiling} passes: amounts are compared exactly, in kroner and øre.

    Why: DFIR's brief on the programme: the clusters may finance up to {sme_ceiling} of an SME's
    R&D activity costs, plus administrative overhead.

    Example: FoU-omkostninger DKK 1,000,000 and a Tilskud DKK 45,000 above {sme_ceiling} of
    them: KL401, reduce Tilskud by DKK 45,000 (the message gives the largest allowed amount).

    A Tilskud over the ceiling is the root cause of the SME findings: when the cost line
    Tilskud til SMV-samarbejder agrees with the collaborations now, the message says that it
    must come down by the same amount (and the financing with it, when the budget balances
    now); when it does not, KL105 says what it must be after this fix.

    Fix: reduce Tilskud to the largest allowed amount the message gives (and the cost line
    Tilskud til SMV-samarbejder with it), or raise the SME's own financing of its costs.

    På dansk:
    Hvad den gør: sammenholder for hvert samarbejde `Tilskud` med {sme_ceiling} af SMV'ens
    omkostninger til FoU-aktiviteter (`FoU-omkostninger`). `Overhead` betales oveni og tælles
    ikke med. Præcis {sme_ceiling} godkendes: beløbene sammenlignes præcist, i kroner og øre.

    Hvorfor: DFIR's notat om programmet: klyngerne kan finansiere op til {sme_ceiling} af en
    SMV's omkostninger til FoU-aktiviteter samt et administrativt overhead.

    Eksempel: FoU-omkostninger 1.000.000 kr. og et Tilskud, der er 45.000 kr. over {sme_ceiling}
    af dem: KL401, nedsæt Tilskud med 45.000 kr. (meddelelsen angiver det største tilladte
    beløb).

    Et Tilskud over loftet er den egentlige årsag til SMV-fundene: når omkostningsposten Tilskud
    til SMV-samarbejder stemmer med samarbejderne nu, siger meddelelsen, at den skal ned med det
    samme beløb (og finansieringen med den, når budgettet balancerer nu); når den ikke gør, siger
    KL105, hvad den skal være efter denne rettelse.

    Sådan retter du: nedsæt Tilskud til det største tilladte beløb, som meddelelsen angiver (og
    omkostningsposten Tilskud til SMV-samarbejder tilsvarende), eller hæv SMV'ens egenfinansiering
    af sine omkostninger.
    """
    collaborations = app.collaborations
    if collaborations is None:
        return
    ceiling = ctx.call.sme_ceiling.value
    then_da, then_en = _consequences(app, ctx)
    for c in collaborations.rows:
        fix = sme_cut(c, ctx.call)
        if fix is None:
            continue
        allowed, cut = fix
        rd, grant = c.rd_costs.value, c.grant.value
        assert rd is not None and grant is not None
        share_da = share_over(grant / rd, ceiling, "da") if rd > 0 else "∞ %"
        share_en = share_over(grant / rd, ceiling, "en") if rd > 0 else "∞ %"
        yield sme_ceiling.finding(
            c.grant.ref,
            f"Tilskud til {_who(c)} er {share_da} af FoU-omkostningerne (højst "
            f"{pct(ceiling, 'da')}): nedsæt det med {kr(cut)} til {kr(allowed)}"
            + then_da.format(cut=kr(cut)),
            f"Tilskud for {_who_en(c)} is {share_en} of the R&D costs (max "
            f"{pct(ceiling, 'en')}): reduce it by {kr(cut, 'en')} to {kr(allowed, 'en')}"
            + then_en.format(cut=kr(cut, "en")),
            found=grant,
            limit=allowed,
            fix=Fix.of(
                amount=cut,
                target=allowed,
                da=f"nedsæt Tilskud med {kr(cut)} til {kr(allowed)}",
                en=f"reduce Tilskud by {kr(cut, 'en')} to {kr(allowed, 'en')}",
            ),
        )


def _consequences(app: Application, ctx: Context) -> tuple[str, str]:
    """What else a cut of a Tilskud changes, named in KL401's message (with `{cut}` to fill):
    when the Budget line Tilskud til SMV-samarbejder agrees with the collaborations now, it must
    come down with the Tilskud (else KL105 says what it must be), and with it the financing when
    the budget balances now (else KL102 says what it must be)."""
    line = sme_line(app, ctx.call)
    if line is None or exceeds(line.budgeted, line.passed_on, ctx.call):
        return "", ""
    if balanced(app, ctx.call):
        return (
            "; Tilskud til SMV-samarbejder i Budget og finansieringen skal så også ned med {cut}",
            "; the cost line Tilskud til SMV-samarbejder and the financing must then come down "
            "by {cut} too",
        )
    return (
        "; Tilskud til SMV-samarbejder i Budget skal så også ned med {cut}",
        "; the cost line Tilskud til SMV-samarbejder must then come down by {cut} too",
    )


@rule(
    "KL402",
    E,
    "Innovation: ingen SMV-samarbejder",
    "Innovation: no SME collaborations",
    params=("grants.innovation.requires_collaborations", "grants.basis.requires_collaborations"),
    applies=grant_where(lambda grant: grant.requires_collaborations),
)
def no_collaborations(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for an innovation grant, requires at least one row in SMV-samarbejder.

    Why: the innovation grant ("Bevilling til konkrete innovationssamarbejder") pays for
    concrete SME innovation collaborations; without them there is nothing to grant.

    Fix: list the planned collaborations, one row each (an SME may be named later).

    På dansk:
    Hvad den gør: ved en innovationsbevilling kræver den mindst én række i SMV-samarbejder.

    Hvorfor: innovationsbevillingen ("Bevilling til konkrete innovationssamarbejder") betaler for
    konkrete innovationssamarbejder med SMV'er; uden dem er der intet at bevilge.

    Sådan retter du: anfør de planlagte samarbejder, ét pr. række (SMV'en kan navngives senere).
    """
    collaborations, grant = app.collaborations, grant_of(app, ctx.call)
    if grant is None or not grant.requires_collaborations:
        return
    if collaborations is None or collaborations.rows:
        return
    yield no_collaborations.finding(
        Area.row_span(
            collaborations.sheet, collaborations.header_row, collaborations.cols.values()
        ),
        f"Arket {collaborations.sheet} har ingen samarbejder: en innovationsbevilling kræver "
        "mindst ét planlagt SMV-samarbejde",
        f"The sheet {collaborations.sheet} lists no collaborations: an innovation grant needs "
        "at least one planned SME collaboration",
    )


@rule(
    "KL403",
    E,
    "Partneren er ikke en SMV",
    "The partner is not an SME",
    params=("sme_max_employees", "sme_max_turnover_meur", "sme_max_balance_meur"),
    applies=with_collaborations,
)
def not_sme(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: applies the EU SME definition to each partner: {sme_max_employees} or more
    employees, or both a turnover above {sme_max_turnover_meur} and a balance sheet total above
    {sme_max_balance_meur}, is not an SME.

    Why: the programme finances SMEs' innovation; a large company's costs are not eligible.

    Fix: replace the partner with an SME, or correct the figures if they are wrong.

    På dansk:
    Hvad den gør: anvender EU's SMV-definition på hver partner: en virksomhed med
    {sme_max_employees} ansatte eller flere, eller med både en omsætning over
    {sme_max_turnover_meur} og en balance over {sme_max_balance_meur}, er ikke en SMV.

    Hvorfor: programmet finansierer SMV'ers innovation; en stor virksomheds omkostninger er ikke
    støtteberettigede.

    Sådan retter du: erstat partneren med en SMV, eller ret tallene, hvis de er forkerte.
    """
    collaborations = app.collaborations
    if collaborations is None:
        return
    call = ctx.call
    for c in collaborations.rows:
        employees, turnover, balance = (
            c.employees.value,
            c.turnover_meur.value,
            c.balance_meur.value,
        )
        if employees is not None and employees >= call.sme_max_employees.value:
            yield not_sme.finding(
                c.employees.ref,
                f"{_who(c)} har {number(employees, 'da')} ansatte: en SMV har færre end "
                f"{call.sme_max_employees.value}",
                f"{_who_en(c)} has {number(employees, 'en')} employees: an SME has fewer than "
                f"{call.sme_max_employees.value}",
                found=employees,
                limit=call.sme_max_employees.value,
            )
        elif (
            turnover is not None
            and balance is not None
            and turnover > call.sme_max_turnover_meur.value
            and balance > call.sme_max_balance_meur.value
        ):
            most_turnover, most_balance = (
                call.sme_max_turnover_meur.value,
                call.sme_max_balance_meur.value,
            )
            yield not_sme.finding(
                c.turnover_meur.ref,
                f"{_who(c)} har en omsætning på {number(turnover, 'da')} mio. EUR og en balance "
                f"på {number(balance, 'da')} mio. EUR (en SMV højst "
                f"{number(most_turnover, 'da')} eller {number(most_balance, 'da')})",
                f"{_who_en(c)} has a turnover of EUR {number(turnover, 'en')} million and a "
                f"balance sheet total of EUR {number(balance, 'en')} million (an SME at most "
                f"EUR {number(most_turnover, 'en')} million or EUR "
                f"{number(most_balance, 'en')} million)",
                found=turnover,
                limit=call.sme_max_turnover_meur.value,
            )


@rule(
    "KL404",
    W,
    "SMV-status kan ikke bekræftes",
    "SME status cannot be confirmed",
    params=("sme_max_turnover_meur", "sme_max_balance_meur"),
    applies=with_collaborations,
)
def sme_unconfirmed(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: warns when a partner's turnover is above {sme_max_turnover_meur} and no
    balance sheet total is given: by the EU definition it is an SME only if the balance is at
    most {sme_max_balance_meur}.

    Why: the caseworker cannot confirm the partner's SME status.

    Fix: add the balance sheet total (Balance, mio. EUR).

    På dansk:
    Hvad den gør: advarer, når en partners omsætning er over {sme_max_turnover_meur}, og der ikke
    er angivet nogen balance: efter EU's definition er partneren kun en SMV, hvis balancen højst
    er {sme_max_balance_meur}.

    Hvorfor: sagsbehandleren kan ikke bekræfte partnerens SMV-status.

    Sådan retter du: tilføj balancen (Balance, mio. EUR).
    """
    collaborations = app.collaborations
    if collaborations is None:
        return
    call = ctx.call
    for c in collaborations.rows:
        turnover, employees = c.turnover_meur.value, c.employees.value
        if turnover is None or turnover <= call.sme_max_turnover_meur.value:
            continue
        if c.balance_meur.given:
            continue
        if employees is not None and employees >= call.sme_max_employees.value:
            continue  # already not an SME (KL403)
        yield sme_unconfirmed.finding(
            c.turnover_meur.ref,
            f"{_who(c)} har en omsætning over {number(call.sme_max_turnover_meur.value, 'da')} "
            "mio. EUR og ingen balance: angiv balancen, så SMV-status kan bekræftes",
            f"{_who_en(c)} has a turnover above EUR "
            f"{number(call.sme_max_turnover_meur.value, 'en')} million and no balance sheet "
            "total: give it so that the SME status can be confirmed",
            found=turnover,
            limit=call.sme_max_turnover_meur.value,
        )


@rule(
    "KL405",
    E,
    "Partnerens CVR-nummer er ugyldigt",
    "The partner's CVR number is invalid",
    applies=with_collaborations,
)
def partner_cvr(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: checks each partner's CVR number: 8 digits, no leading 0, and the weighted
    sum of the digits (weights 2, 7, 6, 5, 4, 3, 2, 1) divisible by 11. `DK`, spaces and dashes
    are allowed. A blank CVR is allowed (the SME may not be chosen yet).

    Why: a mistyped CVR number points at another company or none.

    Fix: copy the CVR number from the Central Business Register (cvr.dk).

    På dansk:
    Hvad den gør: kontrollerer hver partners CVR-nummer: 8 cifre, intet 0 forrest, og den vægtede
    sum af cifrene (vægte 2, 7, 6, 5, 4, 3, 2, 1) skal være delelig med 11. `DK`, mellemrum og
    bindestreger er tilladt. Et tomt CVR-nummer er tilladt (SMV'en er måske ikke valgt endnu).

    Hvorfor: et fejlindtastet CVR-nummer peger på en anden virksomhed eller på ingen.

    Sådan retter du: kopiér CVR-nummeret fra Det Centrale Virksomhedsregister (cvr.dk).
    """
    collaborations = app.collaborations
    if collaborations is None:
        return
    for c in collaborations.rows:
        if c.cvr.value is not None and not valid_cvr(c.cvr.value):
            why_da, why_en = cvr_problem(c.cvr.value)
            yield partner_cvr.finding(
                c.cvr.ref,
                f"CVR-nummeret '{c.cvr.text}' for {_who(c)} er ugyldigt: {why_da}",
                f"The CVR number '{c.cvr.text}' of {_who_en(c)} is invalid: {why_en}",
                found=c.cvr.text,
            )


@rule(
    "KL406",
    W,
    "Samme SMV i flere samarbejder",
    "The same SME in several collaborations",
    params=("sme_ceiling",),
    applies=with_collaborations,
)
def repeated_sme(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: warns when one CVR number appears in more than one collaboration; the
    finding stands on each later occurrence and names the first.

    Why: the same SME twice is often a copied row, and its {sme_ceiling} ceiling applies to its
    R&D costs in each collaboration separately.

    Fix: delete the copied row, or confirm that the SME has two separate projects.

    På dansk:
    Hvad den gør: advarer, når det samme CVR-nummer optræder i mere end ét samarbejde; fundet står
    ved hver senere forekomst og nævner den første.

    Hvorfor: den samme SMV to gange er ofte en kopieret række, og loftet på {sme_ceiling} gælder
    for SMV'ens FoU-omkostninger i hvert samarbejde for sig.

    Sådan retter du: slet den kopierede række, eller bekræft, at SMV'en har to separate projekter.
    """
    collaborations = app.collaborations
    if collaborations is None:
        return
    first_seen: dict[str, Collaboration] = {}
    for c in collaborations.rows:
        cvr = c.cvr.value
        if cvr is None:
            continue
        if cvr not in first_seen:
            first_seen[cvr] = c
            continue
        first = first_seen[cvr]
        where = str(first.cvr.ref) if first.cvr.ref else ""
        yield repeated_sme.finding(
            c.cvr.ref,
            f"CVR {cvr} står også i {where} ({_who(first)})",
            f"CVR {cvr} also appears in {where} ({_who_en(first)})",
            found=cvr,
        )


FAMILY = (
    sme_ceiling,
    no_collaborations,
    not_sme,
    sme_unconfirmed,
    partner_cvr,
    repeated_sme,
)
