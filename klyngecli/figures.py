"""The key figures of an application for the report: DEB request against the cap, the
financing by source, the largest SME financing share against the ceiling."""

from __future__ import annotations

from decimal import Decimal

from klyngecli.callspec import Call
from klyngecli.findings import scalar
from klyngecli.model import Application
from klyngecli.report import Figures
from klyngecli.rules.common import deb_request, grant_of


def figures_of(app: Application, call: Call) -> Figures:
    grant = grant_of(app, call)
    by_source: dict[str, Decimal | None] = {}
    if app.financing is not None:
        for line in app.financing.lines:
            if line.key:
                by_source[line.key] = app.financing.sum_of(line.key)
    share: Decimal | None = None
    share_at: str | None = None
    if app.collaborations is not None:
        for c in app.collaborations.rows:
            rd, given = c.rd_costs.value, c.grant.value
            if rd and given is not None and rd > 0 and (share is None or given / rd > share):
                share, share_at = given / rd, str(c.grant.ref) if c.grant.ref else None
    return Figures(
        deb_request=scalar(deb_request(app, call)),
        deb_cap=scalar(grant.cap) if grant else None,
        total_costs=scalar(app.budget.sum_all()) if app.budget else None,
        total_financing=scalar(app.financing.sum_all()) if app.financing else None,
        financing_by_source={k: scalar(v) for k, v in by_source.items()},
        largest_sme_share=float(share) if share is not None else None,
        largest_sme_share_at=share_at,
        sme_ceiling=float(call.sme_ceiling.value),
    )
