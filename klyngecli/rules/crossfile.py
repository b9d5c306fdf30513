"""KL204, the one rule across the files of a batch (rules.md decided item 3).

It runs in the batch after every file has been checked, on a few facts kept per file (`Facts`),
never on the workbooks themselves, so a batch of thousands of files holds no more than those."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from klyngecli.callspec import Call
from klyngecli.findings import Finding, Fix, Severity, declare, kr
from klyngecli.report import FileResult

NAMES_SHOWN = 5  # at most this many other files are named in one message

KL204 = declare(
    "KL204",
    Severity.ERROR,
    "Samme ansøger over loftet i flere ansøgninger, eller samme ansøgning to gange",
    "Same applicant over the cap across applications, or the same application twice",
    """What it does: only when several files are checked together (a caseworker's inbox). It adds
up the DEB request of every application of one applicant (the same CVR number) and one grant
type, and compares the sum with the cap per applicant; every file of such a group gets the
finding, naming the other files and the summed request. It also finds the same workbook content
submitted twice: the same values read (not the same bytes, so an .xlsx and its .ods re-save are
the same); the later file in path order names the earlier one. A duplicate counts once in the
applicant's sum.

Why: the call caps what each applicant may request at {grants.innovation.cap} for innovation
grants and {grants.basis.cap} for basis grants: the cap is per applicant, not per application,
so splitting one request over several applications does not raise it.

Example: CVR 12345678 sends two innovation applications whose DEB requests add up to
1.000.000 kr. more than {grants.innovation.cap}: KL204 on both, reduce by 1.000.000 kr. in
total.

Fix: withdraw the duplicate, or reduce the applications' DEB requests so that their sum is at
most the cap.

På dansk:
Hvad den gør: kun når flere filer kontrolleres sammen (en sagsbehandlers indbakke). Den lægger
DEB-ansøgningen fra alle ansøgninger fra samme ansøger (samme CVR-nummer) og samme
bevillingstype sammen og sammenholder summen med loftet pr. ansøger; hver fil i gruppen får
fundet med de andre filer og den samlede ansøgning. Den finder også samme ansøgning indsendt to
gange: de samme værdier læst (ikke de samme bytes, så en .xlsx og den samme gemt som .ods er ens);
den senere fil i stiorden nævner den første. En dublet tæller kun én gang i ansøgerens sum.

Hvorfor: opslaget sætter loftet for, hvad hver ansøger kan søge, til {grants.innovation.cap}
til innovationsbevillinger og {grants.basis.cap} til basisbevillinger: loftet gælder pr.
ansøger, ikke pr. ansøgning, så et beløb delt over flere ansøgninger hæver det ikke.

Eksempel: CVR 12345678 sender to innovationsansøgninger, hvis DEB-beløb tilsammen er
1.000.000 kr. over {grants.innovation.cap}: KL204 på begge, nedsæt med i alt 1.000.000 kr.

Sådan retter du: træk dubletten tilbage, eller nedsæt ansøgningernes DEB-beløb, så summen højst
er loftet.""",
    params=("grants.innovation.cap", "grants.basis.cap"),
)


@dataclass(frozen=True, slots=True)
class Facts:
    """What KL204 needs of one checked file."""

    index: int  # the file's place in path order
    path: str
    cvr: str | None
    cvr_at: tuple[str, str, int, int] | None
    grant: str | None
    deb_request: Decimal | None
    content_hash: str | None

    @classmethod
    def of(cls, index: int, result: FileResult) -> Facts:
        return cls(
            index=index,
            path=result.path,
            cvr=result.cvr,
            cvr_at=result.cvr_at,
            grant=result.grant,
            deb_request=result.figures.deb_request,  # exact: a Decimal (report.Figures)
            content_hash=result.content_hash,
        )


def _names(paths: list[str]) -> str:
    shown = ", ".join(paths[:NAMES_SHOWN])
    more = len(paths) - NAMES_SHOWN
    return shown + (f" (+{more})" if more > 0 else "")


def _duplicates(facts: list[Facts]) -> Iterator[tuple[int, Finding]]:
    first: dict[str, Facts] = {}
    for fact in facts:
        if fact.content_hash is None:
            continue
        earlier = first.setdefault(fact.content_hash, fact)
        if earlier is fact:
            continue
        yield (
            fact.index,
            KL204.finding(
                None,
                f"Samme ansøgning som {earlier.path} (de samme værdier): den er indsendt to gange",
                f"The same application as {earlier.path} (the same values): it was submitted twice",
                found=earlier.path,
                fix=Fix.of(
                    da=f"træk den ene af {earlier.path} og {fact.path} tilbage",
                    en=f"withdraw one of {earlier.path} and {fact.path}",
                ),
            ),
        )


def unique(facts: Iterable[Facts]) -> Iterator[Facts]:
    """The files in path order without the later copies of the same content: a duplicate is
    the same application, so it counts once in a sum."""
    seen: set[str] = set()
    for fact in sorted(facts, key=lambda f: f.index):
        if fact.content_hash is not None:
            if fact.content_hash in seen:
                continue
            seen.add(fact.content_hash)
        yield fact


def _over_cap(facts: list[Facts], call: Call) -> Iterator[tuple[int, Finding]]:
    groups: dict[tuple[str, str], list[Facts]] = defaultdict(list)
    for fact in unique(facts):
        if fact.cvr is None or fact.grant is None or fact.deb_request is None:
            continue
        groups[(fact.cvr, fact.grant)].append(fact)
    for (cvr, grant), members in sorted(groups.items()):
        params = call.grants.get(grant)  # type: ignore[call-overload]
        if len(members) < 2 or params is None:
            continue
        summed = sum((m.deb_request for m in members if m.deb_request is not None), Decimal(0))
        if summed <= params.cap:
            continue
        excess = summed - params.cap
        for member in members:
            others = _names([m.path for m in members if m is not member])
            yield (
                member.index,
                KL204.finding(
                    member.cvr_at[0] if member.cvr_at else None,
                    f"Ansøgeren med CVR {cvr} søger i alt {kr(summed)} ({grant}) i "
                    f"{len(members)} ansøgninger (også {others}); loftet er {kr(params.cap)} "
                    "pr. ansøger",
                    f"The applicant with CVR {cvr} requests {kr(summed, 'en')} in total "
                    f"({grant}) in {len(members)} applications (also {others}); the cap is "
                    f"{kr(params.cap, 'en')} per applicant",
                    found=summed,
                    limit=params.cap,
                    fix=Fix.of(
                        da=f"nedsæt ansøgningerne med i alt {kr(excess)}",
                        en=f"reduce the applications by {kr(excess, 'en')} in total",
                        amount=excess,
                    ),
                ).model_copy(update=_place(member)),
            )


def _place(fact: Facts) -> dict[str, object]:
    if fact.cvr_at is None:
        return {}
    sheet, cell, row, col = fact.cvr_at
    return {"sheet": sheet, "cell": cell, "row": row, "col": col}


def cross_file_findings(facts: Iterable[Facts], call: Call) -> dict[int, list[Finding]]:
    """KL204 findings by the index of the file they belong to."""
    ordered = sorted(facts, key=lambda f: f.index)
    found: dict[int, list[Finding]] = defaultdict(list)
    for index, finding in (*_duplicates(ordered), *_over_cap(ordered, call)):
        found[index].append(finding)
    return dict(found)
