"""Caps and pools — KL2xx: what one applicant may ask the board (DEB) for."""

from __future__ import annotations

from collections.abc import Iterator

from klyngecli.findings import Finding, Fix, Severity, kr
from klyngecli.model import Application, GrantType, Source
from klyngecli.reader.labels import SOURCE_LABELS
from klyngecli.rules import Context, Rule, rule
from klyngecli.rules.common import deb_request, first_line, grant_of

E = Severity.ERROR


def _over_cap(app: Application, ctx: Context, kind: GrantType, this: Rule) -> Iterator[Finding]:
    grant = grant_of(app, ctx.call)
    request = deb_request(app, ctx.call)
    if app.grant is not kind or grant is None or request is None or app.financing is None:
        return
    if request <= grant.cap:
        return
    excess = request - grant.cap
    name_da = "innovationsbevilling" if kind is GrantType.INNOVATION else "basisbevilling"
    name_en = "an innovation grant" if kind is GrantType.INNOVATION else "a basis grant"
    deb_lines = [line for line in app.financing.lines if line.key in grant.deb_sources]
    yield this.finding(
        app.financing.area_of(deb_lines),
        f"Ansøgningen beder DEB om {kr(request)}, men loftet for en {name_da} er {kr(grant.cap)}: "
        f"nedsæt Regionalfonden/decentrale midler med {kr(excess)}",
        f"The application asks DEB for {kr(request)}, but the cap for {name_en} is "
        f"{kr(grant.cap)}: reduce Regionalfonden/decentral funds by {kr(excess)}",
        found=request,
        limit=grant.cap,
        fix=Fix.of(
            amount=excess,
            target=grant.cap,
            da=f"nedsæt DEB-ansøgningen med {kr(excess)} til {kr(grant.cap)}",
            en=f"reduce the DEB request by {kr(excess)} to {kr(grant.cap)}",
        ),
    )


@rule(
    "KL201",
    E,
    "Innovation: DEB-ansøgningen er over loftet",
    "Innovation: DEB request over cap",
    params=("grants.innovation.cap", "grants.innovation.deb_sources"),
)
def innovation_cap(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for an innovation grant, adds up the financing from the sources that count
    as a request to Danmarks Erhvervsfremmebestyrelse (Regionalfonden and Decentrale
    erhvervsfremmemidler, all years) and compares it with the cap per applicant.

    Why: the call (Det danske klyngeprogram 2025-2028): "Hver ansøger kan maksimalt søge om
    23 mio. kr. til innovationsbevillinger". Exactly the cap passes.

    Example: 14.000.000 kr. Regionalfonden + 9.500.000 kr. decentral = 23.500.000 kr.: KL201,
    reduce by 500.000 kr.

    Fix: reduce the DEB financing by the excess, and cover the costs with other financing or
    reduce them.

    På dansk:
    Hvad den gør: ved en innovationsbevilling lægger den finansieringen fra de kilder, der tæller
    som ansøgning til Danmarks Erhvervsfremmebestyrelse (Regionalfonden og Decentrale
    erhvervsfremmemidler, alle år), sammen og sammenholder den med loftet pr. ansøger.

    Hvorfor: opslaget (Det danske klyngeprogram 2025-2028): "Hver ansøger kan maksimalt søge om
    23 mio. kr. til innovationsbevillinger". Et beløb præcis på loftet godkendes.

    Eksempel: 14.000.000 kr. fra Regionalfonden + 9.500.000 kr. i decentrale midler =
    23.500.000 kr.: KL201, nedsæt med 500.000 kr.

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
)
def basis_cap(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: for a basis grant, compares the DEB request (the financing from the DEB
    sources, all years) with the cap per applicant.

    Why: the call: "maksimalt 13 mio. kr. til basisbevillinger" per applicant. Exactly the cap
    passes.

    Fix: reduce the decentral funds requested by the excess.

    På dansk:
    Hvad den gør: ved en basisbevilling sammenholder den det beløb, der søges hos DEB
    (finansieringen fra DEB-kilderne, alle år), med loftet pr. ansøger.

    Hvorfor: opslaget: "maksimalt 13 mio. kr. til basisbevillinger" pr. ansøger. Et beløb præcis på
    loftet godkendes.

    Sådan retter du: nedsæt de ansøgte decentrale erhvervsfremmemidler med det overskydende beløb.
    """
    return _over_cap(app, ctx, GrantType.BASIS, basis_cap)


@rule(
    "KL203",
    E,
    "Ansøgningen overstiger en pulje",
    "Request exceeds a source's pool",
    params=("grants.innovation.source_pools", "grants.basis.source_pools"),
)
def pool(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: compares the amount requested from each source with that source's pool for
    the grant type: for innovation 102 mio. kr. from Regionalfonden and 128 mio. kr. decentral;
    for basis 130 mio. kr. decentral (ERST's announcement of 15 May 2024).

    Why: no application can be granted more than the pool it is paid from. Under this call a
    request over a pool is always also over the cap (KL201/KL202); both are reported.

    Fix: reduce the request from that source.

    På dansk:
    Hvad den gør: sammenholder det beløb, der søges fra hver kilde, med kildens pulje for
    bevillingstypen: til innovation 102 mio. kr. fra Regionalfonden og 128 mio. kr. i decentrale
    midler; til basis 130 mio. kr. i decentrale midler (Erhvervsstyrelsens annoncering af
    15. maj 2024).

    Hvorfor: ingen ansøgning kan få bevilget mere end den pulje, den betales af. Under dette opslag
    er en ansøgning over en pulje altid også over loftet (KL201/KL202); begge meldes.

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
        name = SOURCE_LABELS[Source(source)][0]
        yield pool.finding(
            line.label.ref,
            f"Der søges {kr(requested)} fra {name}, men puljen er {kr(size)}",
            f"{kr(requested)} is requested from {name}, but its pool is {kr(size)}",
            found=requested,
            limit=size,
            fix=Fix.of(
                amount=requested - size,
                target=size,
                da=f"nedsæt {name} med {kr(requested - size)}",
                en=f"reduce {name} by {kr(requested - size)}",
            ),
        )


@rule(
    "KL205",
    E,
    "Ansøgningen beder ikke DEB om noget",
    "The application asks DEB for nothing",
    params=("grants.innovation.deb_sources",),
)
def nothing_requested(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: reports an application whose DEB request (Regionalfonden plus Decentrale
    erhvervsfremmemidler, all years) is 0.

    Why: an application to Danmarks Erhvervsfremmebestyrelse must ask it for money; a request
    of 0 usually means the financing rows use a source name the checker did not expect, or the
    amounts are in another sheet.

    Fix: enter the amounts requested from Regionalfonden and/or Decentrale
    erhvervsfremmemidler in Finansiering.

    På dansk:
    Hvad den gør: melder en ansøgning, hvor det beløb, der søges hos DEB (Regionalfonden plus
    Decentrale erhvervsfremmemidler, alle år), er 0.

    Hvorfor: en ansøgning til Danmarks Erhvervsfremmebestyrelse skal søge bestyrelsen om penge; et
    ansøgt beløb på 0 betyder som regel, at finansieringsrækkerne bruger et kildenavn, som
    kontrollen ikke forventede, eller at beløbene står i et andet ark.

    Sådan retter du: indtast de beløb, der søges fra Regionalfonden og/eller Decentrale
    erhvervsfremmemidler, i Finansiering.
    """
    request = deb_request(app, ctx.call)
    if request is None or app.financing is None or request != 0:
        return
    yield nothing_requested.finding(
        app.financing.area_of(app.financing.lines),
        "Ansøgningen beder ikke DEB om noget: Regionalfonden og decentrale erhvervsfremmemidler "
        "er 0 kr.",
        "The application asks DEB for nothing: Regionalfonden and decentral funds are 0 kr.",
        found=request,
    )
