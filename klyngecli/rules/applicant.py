"""Applicant — KL6xx: who applies."""

from __future__ import annotations

from collections.abc import Iterator

from klyngecli.findings import Finding, Severity
from klyngecli.model import Application, Designation
from klyngecli.rules import Context, rule
from klyngecli.rules.common import cvr_problem
from klyngecli.vocabulary import valid_cvr

E, W = Severity.ERROR, Severity.WARNING


@rule("KL601", E, "Ansøgerens CVR-nummer er ugyldigt", "The applicant's CVR number is invalid")
def applicant_cvr(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: checks the applicant's CVR-nummer: 8 digits, no leading 0, and the weighted
    sum of the digits (weights 2, 7, 6, 5, 4, 3, 2, 1) divisible by 11. `DK`, spaces and dashes
    are allowed, and so is a number cell.

    Why: the grant is paid to the legal entity with that number.

    Fix: copy the cluster organisation's CVR number from cvr.dk.

    På dansk:
    Hvad den gør: kontrollerer ansøgerens CVR-nummer: 8 cifre, intet 0 forrest, og den vægtede sum
    af cifrene (vægte 2, 7, 6, 5, 4, 3, 2, 1) skal være delelig med 11. `DK`, mellemrum og
    bindestreger er tilladt, og det er en talcelle også.

    Hvorfor: bevillingen udbetales til den juridiske enhed med det nummer.

    Sådan retter du: kopiér klyngeorganisationens CVR-nummer fra cvr.dk.
    """
    applicant = app.applicant
    if applicant is None or applicant.cvr.value is None or valid_cvr(applicant.cvr.value):
        return
    why_da, why_en = cvr_problem(applicant.cvr.value)
    yield applicant_cvr.finding(
        applicant.cvr.ref or applicant.sheet,
        f"Ansøgerens CVR-nummer '{applicant.cvr.text}' er ugyldigt: {why_da}",
        f"The applicant's CVR number '{applicant.cvr.text}' is invalid: {why_en}",
        found=applicant.cvr.text,
    )


@rule(
    "KL602",
    E,
    "Ansøgeren er ikke udpeget",
    "The applicant is not designated",
    params=("programme_start", "programme_end"),
)
def not_designated(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: reports `Udpegning` = `Nej`. `Udpeget` (designated) and `Ansøgt` (applied
    for designation) pass.

    Why: the call: the Minister for Higher Education and Science designates the cluster
    organisations for the programme period ({programme_start} – {programme_end}); designation, or
    an application for it, is a precondition for a grant from the board.

    Fix: apply for designation with Uddannelses- og Forskningsstyrelsen and write `Ansøgt`.

    På dansk:
    Hvad den gør: melder `Udpegning` = `Nej`. `Udpeget` og `Ansøgt` (der er søgt om udpegning)
    godkendes.

    Hvorfor: ifølge opslaget udpeger uddannelses- og forskningsministeren klyngeorganisationerne
    for programperioden ({programme_start} – {programme_end}); udpegning, eller en ansøgning om
    udpegning, er en forudsætning for en bevilling fra bestyrelsen.

    Sådan retter du: søg om udpegning hos Uddannelses- og Forskningsstyrelsen, og skriv `Ansøgt`.
    """
    applicant = app.applicant
    if applicant is None or applicant.designation.value is not Designation.NO:
        return
    yield not_designated.finding(
        applicant.designation.ref or applicant.sheet,
        "Udpegning er 'Nej': udpegning som klyngeorganisation (eller en ansøgning om den) er en "
        "forudsætning for en bevilling",
        "Designation is 'No': designation as a cluster organisation (or an application for it) "
        "is a precondition for a grant",
        found=applicant.designation.text,
    )


@rule("KL603", W, "Udpegning er ikke angivet", "Designation is not given")
def designation_missing(app: Application, ctx: Context) -> Iterator[Finding]:
    """What it does: warns when the Ansøger sheet does not say whether the applicant is
    designated (`Udpeget`), has applied (`Ansøgt`) or not (`Nej`).

    Why: designation is a precondition for the grant, so the caseworker needs to know.

    Fix: add the row `Udpegning` with one of the three values.

    På dansk:
    Hvad den gør: advarer, når arket Ansøger ikke angiver, om ansøgeren er udpeget (`Udpeget`), har
    søgt om udpegning (`Ansøgt`) eller ingen af delene (`Nej`).

    Hvorfor: udpegning er en forudsætning for bevillingen, så sagsbehandleren har brug for at vide
    det.

    Sådan retter du: tilføj rækken `Udpegning` med en af de tre værdier.
    """
    applicant = app.applicant
    if applicant is None:
        return
    designation = applicant.designation
    if designation.given:
        return
    yield designation_missing.finding(
        designation.ref or applicant.sheet,
        "Udpegning er ikke angivet: skriv Udpeget, Ansøgt eller Nej",
        "Designation is not given: write Udpeget (designated), Ansøgt (applied) or Nej (no)",
    )


FAMILY = (applicant_cvr, not_designated, designation_missing)
