"""Funding mix — KL3xx: which sources each grant type may be financed from."""

from __future__ import annotations

from collections.abc import Iterator

from klyngecli.findings import Finding, Fix, Severity, kr, pct, share_over
from klyngecli.model import Application, Category, Source
from klyngecli.rules import Context, rule
from klyngecli.rules.common import (
    GRANT_NAMES,
    first_line,
    floor_ore,
    grant_of,
    grant_where,
    joined,
    source_name,
)

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@rule(
    "KL301",
    E,
    "Innovation: decentrale midler uden Regionalfondsmidler",
    "Innovation: decentral funds without Regionalfond funds",
    params=("grants.innovation.not_alone", "grants.innovation.deb_sources"),
    applies=grant_where(lambda grant: grant.not_alone),
)
def decentral_alone(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for an innovation grant, reports money requested from
    {grants.innovation.not_alone} when it is the only one of the sources that count as a DEB
    request ({grants.innovation.deb_sources}) with money requested.

    Why: the call: {grants.innovation.not_alone} may not be requested alone for an innovation
    grant; the other DEB sources may be requested without it.

    Fix: finance part of the project from another DEB source, or apply for a basis grant.

    På dansk:
    Hvad den gør: ved en innovationsbevilling melder den, når der søges penge fra
    {grants.innovation.not_alone}, og det er den eneste af de kilder, der tæller som ansøgning til
    DEB ({grants.innovation.deb_sources}), der søges penge fra.

    Hvorfor: opslaget: der kan ikke søges {grants.innovation.not_alone} alene til en
    innovationsbevilling; de andre DEB-kilder kan søges uden.

    Sådan retter du: finansiér en del af projektet fra en anden DEB-kilde, eller søg en
    basisbevilling.
    """
    grant = grant_of(app, ctx.call)
    financing = app.financing
    if grant is None or financing is None:
        return
    other_sources = [s for s in grant.deb_sources if s not in grant.not_alone]
    others = [financing.sum_of(s) for s in other_sources]
    if any(other is None or other != 0 for other in others):
        return  # another DEB source is requested (or cannot be known): nothing is alone
    kind_da, kind_en = GRANT_NAMES[app.grant] if app.grant else ("bevilling", "a grant")
    without = [source_name(s) for s in other_sources]
    for source in grant.not_alone:
        alone = financing.sum_of(source)
        line = first_line(financing, source)
        name = source_name(source)
        if alone is not None and line is not None and alone > 0:
            yield decentral_alone.finding(
                line.label.ref,
                f"Der søges {kr(alone)} fra {name} uden {joined(without, 'da')}: {name} kan ikke "
                f"søges alene til en {kind_da}",
                f"{kr(alone, 'en')} is requested from {name} without "
                f"{joined(without, 'en')}: {name} may not be requested alone for {kind_en}",
                found=alone,
                limit=0,
            )


@rule(
    "KL302",
    E,
    "Basis: Regionalfondsmidler søgt",
    "Basis: Regionalfond funds requested",
    params=("grants.basis.forbidden",),
    applies=grant_where(lambda grant: grant.forbidden),
)
def basis_regionalfond(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for a basis grant, reports any financing from a source the grant type does
    not allow ({grants.basis.forbidden}).

    Why: Erhvervsstyrelsen's announcement of the call: the basis grants may not be financed by
    {grants.basis.forbidden}.

    Fix: finance the basis activities from the sources a basis grant allows (and
    co-financing), or apply for an innovation grant.

    På dansk:
    Hvad den gør: ved en basisbevilling melder den al finansiering fra en kilde, som
    bevillingstypen ikke tillader ({grants.basis.forbidden}).

    Hvorfor: Erhvervsstyrelsens annoncering af opslaget: basisbevillingerne kan ikke finansieres
    af {grants.basis.forbidden}.

    Sådan retter du: finansiér basisaktiviteterne fra de kilder, en basisbevilling tillader (og
    medfinansiering), eller søg en innovationsbevilling.
    """
    grant = grant_of(app, ctx.call)
    financing = app.financing
    if grant is None or financing is None:
        return
    for source in grant.forbidden:
        requested = financing.sum_of(source)
        line = first_line(financing, source)
        if requested is None or line is None or requested <= 0:
            continue
        name = source_name(source)
        yield basis_regionalfond.finding(
            line.label.ref,
            f"Der søges {kr(requested)} fra {name}, men en basisbevilling kan ikke finansieres "
            f"af {name}",
            f"{kr(requested, 'en')} is requested from {name}, but a basis grant may not be "
            f"financed by {name}",
            found=requested,
            limit=0,
            fix=Fix.of(
                amount=requested,
                target=0,
                da=f"fjern {kr(requested)} fra {name}",
                en=f"remove {kr(requested, 'en')} from {name}",
            ),
        )


@rule(
    "KL303",
    INFO,
    "Basis: ingen privat kontant medfinansiering",
    "Basis: no private cash",
    applies=grant_where(lambda grant: grant.private_cash_advised),
)
def no_private_cash(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for a basis grant, notes when no private cash co-financing is budgeted.

    Why: basis applications are assessed first on criterion A, "Private økonomiske bidrag til
    driften" (private contributions to the operation). It is advice, not a condition.

    Fix: budget the members' and companies' cash contributions as Privat kontant
    medfinansiering.

    På dansk:
    Hvad den gør: ved en basisbevilling gør den opmærksom på, når der ikke er budgetteret privat
    kontant medfinansiering.

    Hvorfor: basisansøgninger vurderes først på kriterium A, "Private økonomiske bidrag til
    driften". Det er et råd, ikke en betingelse.

    Sådan retter du: budgettér medlemmernes og virksomhedernes kontante bidrag som Privat kontant
    medfinansiering.
    """
    grant = grant_of(app, ctx.call)
    financing = app.financing
    if grant is None or financing is None or not grant.private_cash_advised:
        return
    if financing.sum_of(Source.PRIVATE_CASH) == 0:
        yield no_private_cash.finding(
            financing.area_of(financing.lines),
            "Der er ingen privat kontant medfinansiering; private bidrag til driften er "
            "kriterium A for basisbevillinger",
            "There is no private cash co-financing; private contributions to the operation are "
            "criterion A for basis grants",
            found=0,
        )


@rule(
    "KL304",
    W,
    "Indirekte omkostninger over loftet",
    "Indirect costs above the flat rate",
    params=("indirect_ceiling",),
)
def indirect_costs(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: compares the indirect costs (all years) with {indirect_ceiling} of the staff
    costs (Løn, all years): the totals over the whole period, not year by year.

    Why: the EU/ERST eligibility guidance for the 2021-2027 funds sets the flat rate for office
    and administration at {indirect_ceiling} of eligible direct staff costs; more is not
    covered.

    Example: Løn DKK 4,000,000 and indirect costs DKK 80,000 above {indirect_ceiling} of it:
    KL304, reduce them by DKK 80,000 (the message gives the largest allowed amount).

    Fix: reduce the indirect costs to {indirect_ceiling} of the staff costs.

    På dansk:
    Hvad den gør: sammenholder de indirekte omkostninger (alle år) med {indirect_ceiling} af
    lønomkostningerne (Løn, alle år): totalerne for hele perioden, ikke år for år.

    Hvorfor: EU's og Erhvervsstyrelsens vejledning om støtteberettigelse for fondene 2021-2027
    fastsætter standardsatsen for kontor og administration til {indirect_ceiling} af de
    støtteberettigede direkte lønomkostninger; mere dækkes ikke.

    Eksempel: Løn 4.000.000 kr. og indirekte omkostninger, der er 80.000 kr. over
    {indirect_ceiling} af den: KL304, nedsæt dem med 80.000 kr. (meddelelsen angiver det største
    tilladte beløb).

    Sådan retter du: nedsæt de indirekte omkostninger til {indirect_ceiling} af
    lønomkostningerne.
    """
    budget = app.budget
    if budget is None:
        return
    indirect, staff = budget.sum_of(Category.INDIRECT), budget.sum_of(Category.STAFF)
    line = first_line(budget, Category.INDIRECT)
    if indirect is None or staff is None or line is None:
        return
    ceiling = ctx.call.indirect_ceiling.value
    allowed = floor_ore(staff * ceiling)
    if indirect <= staff * ceiling:
        return
    share_da = share_over(indirect / staff, ceiling, "da") if staff else "∞ %"
    share_en = share_over(indirect / staff, ceiling, "en") if staff else "∞ %"
    cut = indirect - allowed
    yield indirect_costs.finding(
        line.stated_total.ref if line.stated_total else line.label.ref,
        f"Indirekte omkostninger er {kr(indirect)} = {share_da} af lønnen (højst "
        f"{pct(ceiling, 'da')}): nedsæt dem med {kr(cut)} til {kr(allowed)}",
        f"Indirect costs are {kr(indirect, 'en')} = {share_en} of staff costs (max "
        f"{pct(ceiling, 'en')}): reduce them by {kr(cut, 'en')} to {kr(allowed, 'en')}",
        found=indirect,
        limit=allowed,
        fix=Fix.of(
            amount=cut,
            target=allowed,
            da=f"nedsæt Indirekte omkostninger med {kr(cut)} til {kr(allowed)}",
            en=f"reduce indirect costs by {kr(cut, 'en')} to {kr(allowed, 'en')}",
        ),
    )


FAMILY = (decentral_alone, basis_regionalfond, no_private_cash, indirect_costs)
