"""Format 1's vocabulary, shared by the reader, the rules, the writer and the reporters: sheet
names, labels and their synonyms, how labels are matched, and the CVR check.

Matching (workbook-format.md, decided item 4): case-insensitive, æ/ø/å ↔ ae/oe/aa, white space
collapsed and stripped, one trailing colon dropped.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from typing import TypeVar

from klyngecli.model import Category, Designation, GrantType, Source

K = TypeVar("K")

_SPACES = re.compile(r"\s+")
_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "’": "'", "‘": "'", "´": "'", "–": "-"})


@functools.lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """The form labels are compared in (cached: the same labels recur in every workbook)."""
    folded = _SPACES.sub(" ", text.casefold().translate(_FOLD)).strip()
    return folded.removesuffix(":").strip()


def table(entries: Mapping[K, Iterable[str]]) -> dict[str, K]:
    """Normalised label → key, from key → canonical label and synonyms."""
    return {normalise(label): key for key, labels in entries.items() for label in labels}


def nearest(text: str, labels: Iterable[str], n: int = 3) -> list[str]:
    """The known labels nearest to an unknown one, for the message of KL008."""
    choices = list(dict.fromkeys(labels))
    by_norm = {normalise(c): c for c in choices}
    close = difflib.get_close_matches(normalise(text), list(by_norm), n=n, cutoff=0.5)
    return [by_norm[c] for c in close] or choices[:n]


# --- sheets ----------------------------------------------------------------------------------

APPLICANT_SHEET = "Ansøger"
BUDGET_SHEET = "Budget"
FINANCING_SHEET = "Finansiering"
SME_SHEET = "SMV-samarbejder"

SHEETS = table(
    {
        APPLICANT_SHEET: ["Ansøger", "Ansoeger", "Applicant", "Stamdata"],
        BUDGET_SHEET: ["Budget", "Omkostninger", "Costs", "Udgifter"],
        FINANCING_SHEET: ["Finansiering", "Financing", "Funding"],
        SME_SHEET: [
            "SMV-samarbejder",
            "SMV samarbejder",
            "SME collaborations",
            "Innovationssamarbejder",
        ],
    }
)

# --- Ansøger fields --------------------------------------------------------------------------

FIELD_LABELS: dict[str, list[str]] = {
    "name": ["Ansøger", "Organisation", "Klyngeorganisation", "Applicant", "Navn"],
    "cvr": ["CVR-nummer", "CVR", "CVR nr.", "CVR-nr.", "Company registration number"],
    "grant": ["Bevillingstype", "Grant type", "Bevilling"],
    "start": ["Projektstart", "Start", "Project start"],
    "end": ["Projektslut", "Slut", "Project end"],
    "submitted": ["Indsendt", "Indsendelsestidspunkt", "Submitted", "Submitted at"],
    "designation": ["Udpegning", "Designation"],
    "unit": ["Enhed", "Unit", "Beløb i"],
    "contact": ["Kontaktperson", "Contact"],
    "email": ["E-mail", "Email", "E-mail-adresse"],
}
FIELDS = table(FIELD_LABELS)
REQUIRED_FIELDS = ("name", "cvr", "grant", "start", "end")

GRANT_TYPES = table(
    {
        GrantType.INNOVATION: [
            "Innovation",
            "Innovationsbevilling",
            "Innovation grant",
            "Innovationsmidler",
        ],
        GrantType.BASIS: ["Basis", "Basisbevilling", "Basis grant", "Basic grant", "Basismidler"],
    }
)

DESIGNATIONS = table(
    {
        Designation.DESIGNATED: ["Udpeget", "Designated", "Ja", "Yes"],
        Designation.APPLIED: ["Ansøgt", "Applied", "Applied for"],
        Designation.NO: ["Nej", "No"],
    }
)

# --- units -----------------------------------------------------------------------------------

UNITS = table(
    {
        "1": ["kr.", "kr", "kroner", "DKK"],
        "1000": [
            "1.000 kr.",
            "1.000 kr",
            "1000 kr.",
            "1000 kr",
            "t.kr.",
            "t.kr",
            "tkr",
            "tkr.",
            "DKK 1,000",
            "DKK 1.000",
            "DKK 1000",
            "1.000 DKK",
            "kr. 1.000",
        ],
        "1000000": [
            "mio. kr.",
            "mio. kr",
            "mio kr",
            "mio.kr.",
            "mkr",
            "mkr.",
            "DKK m",
            "DKK million",
            "DKK 1,000,000",
        ],
    }
)

# --- tables ----------------------------------------------------------------------------------

# A totals row or column is named by the words of `tables.is_total_label` (decided item 15).

BUDGET_COLUMNS = table(
    {
        "key": ["Kategori", "Omkostningstype", "Category", "Cost category"],
        "description": ["Beskrivelse", "Tekst", "Description"],
        "total": ["I alt", "Total", "Sum", "Samlet"],
    }
)
FINANCING_COLUMNS = table(
    {
        "key": ["Kilde", "Finansieringskilde", "Source"],
        "description": ["Beskrivelse", "Tekst", "Description"],
        "total": ["I alt", "Total", "Sum", "Samlet"],
    }
)

CATEGORY_LABELS: dict[Category, list[str]] = {
    Category.STAFF: [
        "Løn",
        "Lønomkostninger",
        "Personaleomkostninger",
        "Staff costs",
        "Salaries",
    ],
    Category.CONSULTANTS: [
        "Eksterne konsulenter",
        "Ekstern bistand",
        "Konsulenter",
        "External services",
        "Consultants",
    ],
    Category.TRAVEL: ["Rejser", "Rejseomkostninger", "Travel"],
    Category.EQUIPMENT: ["Udstyr", "Equipment"],
    Category.AUDIT: ["Revision", "Audit"],
    Category.OTHER: ["Øvrige omkostninger", "Øvrige udgifter", "Andre omkostninger", "Other costs"],
    Category.INDIRECT: ["Indirekte omkostninger", "Overhead", "Indirect costs"],
    Category.SME_GRANTS: [
        "Tilskud til SMV-samarbejder",
        "SMV-tilskud",
        "Grants to SME collaborations",
    ],
}
CATEGORIES = table(CATEGORY_LABELS)

SOURCE_LABELS: dict[Source, list[str]] = {
    Source.REGIONALFONDEN: ["Regionalfonden", "EU's Regionalfond", "Regionalfondsmidler", "ERDF"],
    Source.DECENTRALE: [
        "Decentrale erhvervsfremmemidler",
        "Decentrale midler",
        "DEB decentrale midler",
        "Regional business development funds",
    ],
    Source.UFS: ["Uddannelses- og Forskningsstyrelsen", "UFS", "UFS-midler"],
    Source.PRIVATE_CASH: [
        "Privat kontant medfinansiering",
        "Private kontante bidrag",
        "Private cash",
    ],
    Source.PUBLIC_CASH: [
        "Offentlig kontant medfinansiering",
        "Offentlige kontante bidrag",
        "Public cash",
    ],
    Source.OWN: ["Egenfinansiering", "Egenfinansiering (timer)", "Own financing", "In-kind"],
    Source.SME_OWN: ["SMV'ernes egenfinansiering", "SMV egenfinansiering", "SME own financing"],
}
SOURCES = table(SOURCE_LABELS)

SME_COLUMN_LABELS: dict[str, list[str]] = {
    "name": ["Samarbejde", "Projekt", "Collaboration", "Project"],
    "sme": ["SMV", "Virksomhed", "SME", "Company"],
    "cvr": ["CVR", "CVR-nummer"],
    "employees": ["Ansatte", "Antal ansatte", "Employees"],
    "turnover": ["Omsætning (mio. EUR)", "Omsætning", "Turnover (EUR m)", "Turnover"],
    "balance": ["Balance (mio. EUR)", "Balance", "Balance sheet total (EUR m)"],
    "rd_costs": ["FoU-omkostninger", "FoU-budget", "Projektomkostninger", "R&D costs"],
    "grant": ["Tilskud", "Tilskud fra klyngen", "Støtte", "Grant"],
    "overhead": ["Overhead", "Administrationsoverhead", "Administrative overhead"],
}
SME_COLUMNS = table(SME_COLUMN_LABELS)
SME_REQUIRED = ("name", "rd_costs", "grant")
SME_AMOUNT_COLUMNS = ("rd_costs", "grant", "overhead")


CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def valid_cvr(digits: str) -> bool:
    """8 digits, no leading 0, weighted sum (2,7,6,5,4,3,2,1) divisible by 11."""
    if len(digits) != 8 or not digits.isascii() or not digits.isdigit() or digits[0] == "0":
        return False
    return sum(int(d) * w for d, w in zip(digits, CVR_WEIGHTS, strict=True)) % 11 == 0
