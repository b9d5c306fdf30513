"""Caps and pools — KL2xx: what one applicant may ask the board (DEB) for."""

from __future__ import annotations

from collections.abc import Iterator

from klyngecli.findings import Finding, Fix, Severity, kr
from klyngecli.model import Application, GrantType
from klyngecli.rules import Context, Rule, rule
from klyngecli.rules.common import (
    GRANT_NAMES,
    deb_request,
    first_line,
    for_grant,
    grant_of,
    grant_where,
    joined,
    source_name,
    with_grant,
)

E = Severity.ERROR


def _over_cap(app: Application, ctx: Context, kind: GrantType, this: Rule) -> Iterator[Finding]:
    grant = grant_of(app, ctx.call)
    request = deb_request(app, ctx.call)
    if app.grant is not kind or grant is None or request is None or app.financing is None:
        return
    if request <= grant.cap:
        return
    excess = request - grant.cap
    name_da, name_en = GRANT_NAMES[kind]
    deb_lines = [line for line in app.financing.lines if line.key in grant.deb_sources]
    sources = "/".join(source_name(s) for s in grant.deb_sources)
    yield this.finding(
        app.financing.area_of(deb_lines),
        f"Ansøgningen beder DEB om {kr(request)}, men loftet for en {name_da} er {kr(grant.cap)}: "
        f"nedsæt {sources} med {kr(excess)}",
        f"The application asks DEB for {kr(request, 'en')}, but the cap for {name_en} is "
        f"{kr(grant.cap, 'en')}: reduce {sources} by {kr(excess, 'en')}",
        found=request,
        limit=grant.cap,
        fix=Fix.of(
            amount=excess,
            target=grant.cap,
            da=f"nedsæt DEB-ansøgningen med {kr(excess)} til {kr(grant.cap)}",
            en=f"reduce the DEB request by {kr(excess, 'en')} to {kr(grant.cap, 'en')}",
        ),
    )


@rule(
    "KL201",
    E,
    "Innovation: DEB-ansøgningen er over loftet",
    "Innovation: DEB request over cap",
    params=("grants.innovation.cap", "grants.innovation.deb_sources"),
    applies=for_grant(GrantType.INNOVATION),
)
def innovation_cap(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for an innovation grant, adds up the financing (all years) from the sources
    that count as a request to {authority}, {grants.innovation.deb_sources}, and compares it
    with the cap per applicant, {grants.innovation.cap}.

    Why: the call ({title}) caps what each applicant may request for innovation grants at
    {grants.innovation.cap}. Exactly the cap passes.

    Example: a request of exactly {grants.innovation.cap} passes; DKK 500,000 more is KL201,
    reduce the request by DKK 500,000.

    Fix: reduce the DEB financing by the excess, and cover the costs with other financing or
    reduce them.

    På dansk:
    Hvad den gør: ved en innovationsbevilling lægger den finansieringen (alle år) fra de kilder,
    der tæller som ansøgning til {authority}, {grants.innovation.deb_sources}, sammen og
    sammenholder den med loftet pr. ansøger, {grants.innovation.cap}.

    Hvorfor: opslaget ({title}) sætter loftet for, hvad hver ansøger kan søge til
    innovationsbevillinger, til {grants.innovation.cap}. Et beløb præcis på loftet godkendes.

    Eksempel: en ansøgning på præcis {grants.innovation.cap} godkendes; 500.000 kr. mere er KL201,
    nedsæt ansøgningen med 500.000 kr.

    Sådan retter du: nedsæt DEB-finansieringen med det overskydende beløb, og dæk omkostningerne
    med anden finansiering, eller nedsæt dem.
    """
    return _over_cap(app, ctx, GrantType.INNOVATION, innovation_cap)


@rule(
    "KL202",
    E,
    "Basis: DEB-ansøgningen er over loftet",
    "Basis: DEB request over cap",
    params=("grants.basis.cap", "grants.basis.deb_sources"),
    applies=for_grant(GrantType.BASIS),
)
def basis_cap(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for a basis grant, compares the DEB request (the financing from
    {grants.basis.deb_sources}, all years) with the cap per applicant, {grants.basis.cap}.

    Why: the call ({title}) caps what each applicant may request for basis grants at
    {grants.basis.cap}. Exactly the cap passes.

    Fix: reduce the DEB financing by the excess.

    På dansk:
    Hvad den gør: ved en basisbevilling sammenholder den det beløb, der søges hos DEB
    (finansieringen fra {grants.basis.deb_sources}, alle år), med loftet pr. ansøger,
    {grants.basis.cap}.

    Hvorfor: opslaget ({title}) sætter loftet for, hvad hver ansøger kan søge til
    basisbevillinger, til {grants.basis.cap}. Et beløb præcis på loftet godkendes.

    Sådan retter du: nedsæt DEB-finansieringen med det overskydende beløb.
    """
    return _over_cap(app, ctx, GrantType.BASIS, basis_cap)


@rule(
    "KL203",
    E,
    "Ansøgningen overstiger en pulje",
    "Request exceeds a source's pool",
    params=("grants.innovation.source_pools", "grants.basis.source_pools"),
    applies=grant_where(lambda grant: grant.source_pools),
)
def pool(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: compares the amount requested from each source with that source's pool for
    the grant type: for innovation {grants.innovation.source_pools}; for basis
    {grants.basis.source_pools} (the call and Erhvervsstyrelsen's announcement of the pools).

    Why: no application can be granted more than the pool it is paid from. When a pool is
    larger than the cap, a request over the pool is also over the cap (KL201/KL202); both are
    reported.

    Fix: reduce the request from that source.

    På dansk:
    Hvad den gør: sammenholder det beløb, der søges fra hver kilde, med kildens pulje for
    bevillingstypen: til innovation {grants.innovation.source_pools}; til basis
    {grants.basis.source_pools} (opslaget og Erhvervsstyrelsens annoncering af puljerne).

    Hvorfor: ingen ansøgning kan få bevilget mere end den pulje, den betales af. Når en pulje er
    større end loftet, er en ansøgning over puljen også over loftet (KL201/KL202); begge meldes.

    Sådan retter du: nedsæt det beløb, der søges fra den kilde.
    """
    grant = grant_of(app, ctx.call)
    financing = app.financing
    if grant is None or financing is None:
        return
    for source, size in grant.source_pools.items():
        requested = financing.sum_of(source)
        line = first_line(financing, source)
        if requested is None or line is None or requested <= size:
            continue
        name = source_name(source)
        yield pool.finding(
            line.label.ref,
            f"Der søges {kr(requested)} fra {name}, men puljen er {kr(size)}",
            f"{kr(requested, 'en')} is requested from {name}, but its pool is {kr(size, 'en')}",
            found=requested,
            limit=size,
            fix=Fix.of(
                amount=requested - size,
                target=size,
                da=f"nedsæt {name} med {kr(requested - size)}",
                en=f"reduce {name} by {kr(requested - size, 'en')}",
            ),
        )


@rule(
    "KL205",
    E,
    "Ansøgningen beder ikke DEB om noget",
    "The application asks DEB for nothing",
    params=("grants.innovation.deb_sources", "grants.basis.deb_sources"),
    applies=with_grant,
)
def nothing_requested(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: reports an application whose DEB request (all years) is 0: nothing is
    requested from the sources that count as a request to the board
    ({grants.innovation.deb_sources} for an innovation grant; {grants.basis.deb_sources} for a
    basis grant).

    Why: an application to {authority} must ask it for money; a request of 0 usually means the
    financing rows use a source name the checker did not expect, or the amounts are in another
    sheet.

    Fix: enter the amounts requested from those sources in Finansiering.

    På dansk:
    Hvad den gør: melder en ansøgning, hvor det beløb, der søges hos DEB (alle år), er 0: der
    søges intet fra de kilder, der tæller som ansøgning til bestyrelsen
    ({grants.innovation.deb_sources} ved en innovationsbevilling; {grants.basis.deb_sources} ved
    en basisbevilling).

    Hvorfor: en ansøgning til {authority} skal søge bestyrelsen om penge; et ansøgt beløb på 0
    betyder som regel, at finansieringsrækkerne bruger et kildenavn, som kontrollen ikke
    forventede, eller at beløbene står i et andet ark.

    Sådan retter du: indtast de beløb, der søges fra de kilder, i Finansiering.
    """
    grant, request = grant_of(app, ctx.call), deb_request(app, ctx.call)
    if grant is None or request is None or app.financing is None or request != 0:
        return
    names = [source_name(s) for s in grant.deb_sources]
    yield nothing_requested.finding(
        app.financing.area_of(app.financing.lines),
        f"Ansøgningen beder ikke DEB om noget: {joined(names, 'da')} er 0 kr.",
        f"The application asks DEB for nothing: {joined(names, 'en')} "
        f"{'is' if len(names) == 1 else 'are'} 0 kr.",
        found=request,
    )


FAMILY = (innovation_cap, basis_cap, pool, nothing_requested)
