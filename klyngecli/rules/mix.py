"""Funding mix — KL3xx: which sources each grant type may be financed from."""

from __future__ import annotations

from collections.abc import Iterator

from klyngecli.findings import Finding, Fix, Severity, kr, pct, share_over
from klyngecli.model import Application, Category, Source
from klyngecli.reader.labels import SOURCE_LABELS
from klyngecli.rules import Context, rule
from klyngecli.rules.common import first_line, floor_ore, grant_of

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def _name(source: str) -> str:
    return SOURCE_LABELS[Source(source)][0]


@rule(
    "KL301",
    E,
    "Innovation: decentrale midler uden Regionalfondsmidler",
    "Innovation: decentral funds without Regionalfond funds",
    params=("grants.innovation.not_alone",),
)
def decentral_alone(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for an innovation grant, reports decentral funds requested when no
    Regionalfond funds are requested.

    Why: the call: "det er muligt at ansøge Regionalfondsmidler uden samtidig at ansøge om
    decentrale erhvervsfremmemidler, men der kan ikke ansøges decentrale erhvervsfremmemidler
    alene."

    Fix: finance part of the project with Regionalfonden, or apply for a basis grant.

    På dansk:
    Hvad den gør: ved en innovationsbevilling melder den, når der søges decentrale midler, uden at
    der søges Regionalfondsmidler.

    Hvorfor: opslaget: "det er muligt at ansøge Regionalfondsmidler uden samtidig at ansøge om
    decentrale erhvervsfremmemidler, men der kan ikke ansøges decentrale erhvervsfremmemidler
    alene."

    Sådan retter du: finansiér en del af projektet med midler fra Regionalfonden, eller søg en
    basisbevilling.
    """
    grant = grant_of(app, ctx.call)
    financing = app.financing
    if grant is None or financing is None:
        return
    others = [financing.sum_of(s) for s in grant.deb_sources if s not in grant.not_alone]
    if any(other is None or other != 0 for other in others):
        return  # another DEB source is requested (or cannot be known): nothing is alone
    for source in grant.not_alone:
        alone = financing.sum_of(source)
        line = first_line(financing, source)
        if alone is not None and line is not None and alone > 0:
            yield decentral_alone.finding(
                line.label.ref,
                f"Der søges {kr(alone)} {_name(source)} uden Regionalfondsmidler: decentrale "
                "midler kan ikke søges alene til en innovationsbevilling",
                f"{kr(alone)} of {_name(source)} is requested without Regionalfond funds: "
                "decentral funds may not be requested alone for an innovation grant",
                found=alone,
                limit=0,
            )


@rule(
    "KL302",
    E,
    "Basis: Regionalfondsmidler søgt",
    "Basis: Regionalfond funds requested",
    params=("grants.basis.forbidden",),
)
def basis_regionalfond(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for a basis grant, reports any financing from a source the grant type does
    not allow (Regionalfonden).

    Why: ERST's announcement of 15 May 2024: the basis grants are financed by decentral funds
    only.

    Fix: finance the basis activities with Decentrale erhvervsfremmemidler (and
    co-financing), or apply for an innovation grant.

    På dansk:
    Hvad den gør: ved en basisbevilling melder den al finansiering fra en kilde, som
    bevillingstypen ikke tillader (Regionalfonden).

    Hvorfor: Erhvervsstyrelsens annoncering af 15. maj 2024: basisbevillingerne finansieres
    udelukkende af decentrale midler.

    Sådan retter du: finansiér basisaktiviteterne med Decentrale erhvervsfremmemidler (og
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
        yield basis_regionalfond.finding(
            line.label.ref,
            f"En basisbevilling finansieres kun af decentrale midler, men der søges "
            f"{kr(requested)} fra {_name(source)}",
            f"A basis grant is financed by decentral funds only, but {kr(requested)} is "
            f"requested from {_name(source)}",
            found=requested,
            limit=0,
            fix=Fix.of(
                amount=requested,
                target=0,
                da=f"fjern {kr(requested)} fra {_name(source)}",
                en=f"remove {kr(requested)} from {_name(source)}",
            ),
        )


@rule("KL303", INFO, "Basis: ingen privat kontant medfinansiering", "Basis: no private cash")
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
    """What it does: compares the indirect costs (all years) with 15 % of the staff costs (Løn,
    all years): the totals over the whole period, not year by year.

    Why: the EU/ERST eligibility guidance for the 2021-2027 funds sets the flat rate for office
    and administration at 15 % of eligible direct staff costs; more is not covered.

    Example: Løn 4.000.000 kr., Indirekte omkostninger 700.000 kr. (17,5 %): reduce by
    100.000 kr. to 600.000 kr.

    Fix: reduce the indirect costs to 15 % of the staff costs.

    På dansk:
    Hvad den gør: sammenholder de indirekte omkostninger (alle år) med 15 % af lønomkostningerne
    (Løn, alle år): totalerne for hele perioden, ikke år for år.

    Hvorfor: EU's og Erhvervsstyrelsens vejledning om støtteberettigelse for fondene 2021-2027
    fastsætter standardsatsen for kontor og administration til 15 % af de støtteberettigede direkte
    lønomkostninger; mere dækkes ikke.

    Eksempel: Løn 4.000.000 kr., Indirekte omkostninger 700.000 kr. (17,5 %): nedsæt med
    100.000 kr. til 600.000 kr.

    Sådan retter du: nedsæt de indirekte omkostninger til 15 % af lønomkostningerne.
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
        f"Indirect costs are {kr(indirect)} = {share_en} of staff costs (max "
        f"{pct(ceiling, 'en')}): reduce them by {kr(cut)} to {kr(allowed)}",
        found=indirect,
        limit=allowed,
        fix=Fix.of(
            amount=cut,
            target=allowed,
            da=f"nedsæt Indirekte omkostninger med {kr(cut)} til {kr(allowed)}",
            en=f"reduce indirect costs by {kr(cut)} to {kr(allowed)}",
        ),
    )
