"""Findings: what a check says about one place in a workbook, in Danish and English.

Every code is declared once in `CATALOG` with its severity and titles; the reader and the rules
make findings through the declared `Code`, so a code cannot be emitted with another severity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import overload

from klyngecli.model import Area, CellRef, column_index
from klyngecli.plain import Plain

# A found or limit value. Money is a Decimal, exact to the øre (never a float); a share or a
# count may be an int or a float; a date is ISO text.
Scalar = str | int | float | bool | Decimal | None


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]

    def word(self, lang: str) -> str:
        """The severity in a human report's language: `fejl`/`advarsel`/`info` (da). Machine
        formats keep the value (`error`), which the schemas and CI tools know."""
        return SEVERITY_WORDS[self][1 if lang == "en" else 0]


SEVERITY_WORDS = {
    Severity.ERROR: ("fejl", "error"),
    Severity.WARNING: ("advarsel", "warning"),
    Severity.INFO: ("info", "info"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Fix(Plain):
    """How to fix a finding, in kroner where it can be computed."""

    amount: Decimal | None = None  # the change, in kr. (always positive)
    target: Decimal | None = None  # the value to set, in kr.
    da: str
    en: str

    def __post_init__(self) -> None:
        exact_money(self, "amount", "target")

    @classmethod
    def of(
        cls,
        *,
        da: str,
        en: str,
        amount: Decimal | int | None = None,
        target: Decimal | int | None = None,
    ) -> Fix:
        return cls(amount=money(amount), target=money(target), da=da, en=en)


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding(Plain):
    """One finding about one place of one workbook; a plain value that pickles and serialises."""

    code: str
    severity: Severity
    sheet: str | None = None
    cell: str | None = None  # "H7", or a range "A5:F5"; None for a whole sheet or the file
    row: int = -1  # 0-based, for sorting; -1 when the finding is about a sheet or the file
    col: int = -1
    message_da: str
    message_en: str
    found: Scalar = None
    limit: Scalar = None
    fix: Fix | None = None

    def __post_init__(self) -> None:
        if type(self.severity) is not Severity:  # given as its value ("error")
            object.__setattr__(self, "severity", Severity(self.severity))

    @property
    def location(self) -> str:
        if self.sheet is None:
            return ""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    # The last cell of the range, 0-based like `row`/`col`: equal to them for one cell, -1
    # without a cell. Read from `cell`, so every finding made on a range (a rule's Area, the
    # engine's folded runs, KL204 on the CVR cell) has it without saying it twice.
    @property
    def end_row(self) -> int:
        span = self.span
        return span[1][0] if span else -1

    @property
    def end_col(self) -> int:
        span = self.span
        return span[1][1] if span else -1

    @property
    def span(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """The first and last cell, each (row, col) 0-based; None without a cell."""
        if not self.cell:
            return None
        first, _, last = self.cell.partition(":")
        start = cell_index(first) or (self.row, self.col)
        end = cell_index(last) if last else start
        if start[0] < 0 or start[1] < 0 or end is None:
            return None
        return start, end

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_da


@overload
def scalar(value: Decimal | None) -> Decimal | None: ...


@overload
def scalar(value: object) -> Scalar: ...


def scalar(value: object) -> Scalar:
    """A plain form of a found or limit value that pickles and serialises: a Decimal stays
    exact, a date or time becomes ISO text, anything else unknown its text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool | Decimal):
        return value
    return str(value)


def money(value: object) -> Decimal | None:
    """An amount of kroner as an exact Decimal; None stays None. An int, or a float as a report
    built by hand may give, is read as its shortest decimal (`0.1` is 0.1, not the double)."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise TypeError(f"not an amount: {value!r:.40}")


def exact_money(plain: object, *names: str) -> None:
    """In a frozen dataclass's `__post_init__`: make the named amounts Decimal, so every
    reporter reads money exactly, however the value was built."""
    for name in names:
        value = getattr(plain, name)
        if value is not None and not isinstance(value, Decimal):
            object.__setattr__(plain, name, money(value))


_A1 = re.compile(r"([A-Z]{1,3})([0-9]+)")


def cell_index(a1: str) -> tuple[int, int] | None:
    """`F5` → (4, 5): the 0-based row and column of a cell's A1 name; None for anything else."""
    match = _A1.fullmatch(a1)
    return None if match is None else (int(match[2]) - 1, column_index(match[1]))


Where = CellRef | Area | str | None
DANISH_SECTION = "\nPå dansk:\n"


@dataclass(frozen=True)
class Code:
    """A declared finding code: severity, titles and the documentation `klynge explain` shows."""

    code: str
    severity: Severity
    title_da: str
    title_en: str
    doc: str
    params: tuple[str, ...] = ()  # the call parameters the rule uses, as dotted paths

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_da

    def text(self, lang: str) -> str:
        """The documentation in one language: the doc is English, then a `På dansk:` section."""
        english, _, danish = self.doc.partition(DANISH_SECTION)
        return english.strip() if lang == "en" or not danish.strip() else danish.strip()

    def finding(
        self,
        where: Where,
        da: str,
        en: str,
        *,
        found: object = None,
        limit: object = None,
        fix: Fix | None = None,
    ) -> Finding:
        sheet, cell, row, col = _place(where)
        found, limit = _one_kind(found, limit)
        return Finding(
            code=self.code,
            severity=self.severity,
            sheet=sheet,
            cell=cell,
            row=row,
            col=col,
            message_da=da,
            message_en=en,
            found=scalar(found),
            limit=scalar(limit),
            fix=fix,
        )


def _one_kind(found: object, limit: object) -> tuple[object, object]:
    """A found amount and its limit are of one kind: when one is an exact Decimal (written as a
    decimal string in JSON), a whole-number limit or found value is too (`"2000000"` against
    `"0"`, never against `0`)."""
    if isinstance(found, Decimal) and type(limit) is int:
        return found, Decimal(limit)
    if isinstance(limit, Decimal) and type(found) is int:
        return Decimal(found), limit
    return found, limit


def _place(where: Where) -> tuple[str | None, str | None, int, int]:
    if isinstance(where, CellRef):
        return where.sheet, where.a1, where.row, where.col
    if isinstance(where, Area):
        first = where.first
        return where.sheet, where.a1, (first.row if first else -1), (first.col if first else -1)
    return where, None, -1, -1


CATALOG: dict[str, Code] = {}


def declare(
    code: str,
    severity: Severity,
    title_da: str,
    title_en: str,
    doc: str,
    params: tuple[str, ...] = (),
) -> Code:
    """Add a code to the catalogue; a code is declared exactly once."""
    if code in CATALOG:
        raise ValueError(f"{code} is declared twice")
    CATALOG[code] = Code(code, severity, title_da, title_en, doc, params)
    return CATALOG[code]


# The one code of neither the reader nor a rule: the engine and the batch emit it.
KL900 = declare(
    "KL900",
    Severity.ERROR,
    "Kontrolprogrammet fejlede på denne fil",
    "The checker itself failed on this file",
    """What it does: reports that klyngecli itself failed while checking this file: a bug, or a
reader that gave up. The other files of a batch are still checked.

Why: a file the checker could not finish must never pass silently.

Fix: check the file by hand, and report the problem to the klyngecli maintainers with the
message (it names the step that failed).

På dansk:
Hvad den gør: melder, at klyngecli selv fejlede under kontrollen af denne fil: en programfejl,
eller en læser, der gav op. De øvrige filer i en samlet kørsel bliver stadig kontrolleret.

Hvorfor: en fil, som kontrollen ikke kunne gøre færdig, må aldrig slippe igennem i det stille.

Sådan retter du: kontrollér filen manuelt, og meld problemet til dem, der vedligeholder
klyngecli, sammen med meddelelsen (den nævner det trin, der fejlede).""",
)


# --- Formatting of numbers in messages -------------------------------------------------------
# Each language writes numbers its own way throughout (decided item 28): Danish `9.850.000 kr.`,
# `42.826,1 %`; English `DKK 9,850,000`, `42,826.1 %`. A percentage has one decimal where one is
# needed (`70 %`, `74,3 %`).

ORE = Decimal("0.01")
_DANISH_MARKS = str.maketrans(",.", ".,")


def _marks(text: str, lang: str) -> str:
    """Python's `1,234.5` with the language's marks: `1.234,5` in Danish."""
    return text if lang == "en" else text.translate(_DANISH_MARKS)


def kr(amount: Decimal, lang: str = "da") -> str:
    """Kroner the language's way: `45.000 kr.`, `1.234,50 kr.` (da); `DKK 45,000`,
    `DKK 1,234.50` (en). Øre only when there are any."""
    amount = amount.quantize(ORE, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    text = f"{abs(amount):,.2f}".removesuffix(".00")
    if lang == "en":
        return f"DKK {sign}{text}"
    return f"{sign}{_marks(text, lang)} kr."


def number(value: Decimal, lang: str) -> str:
    """A plain number the language's way, its decimals as given: 250, 1.250, 50,01 (da) /
    1,250, 50.01 (en)."""
    text = f"{value.normalize():,f}"
    return _marks(text, lang)


def pct(fraction: Decimal, lang: str) -> str:
    """A fraction as a percentage, one decimal where needed: 0.743 → 74,3 % (da), 74.3 % (en);
    428.261 → 42.826,1 % (da), 42,826.1 % (en)."""
    value = (fraction * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return _marks(f"{value:,.1f}".removesuffix(".0"), lang) + " %"


def share_over(share: Decimal, ceiling: Decimal, lang: str) -> str:
    """A share above a ceiling, never shown as equal to it: 70,00008 % reads "lidt over 70 %"."""
    if pct(share, lang) != pct(ceiling, lang):
        return pct(share, lang)
    return f"lidt over {pct(ceiling, lang)}" if lang == "da" else f"just over {pct(ceiling, lang)}"


def _grouped(count: int, lang: str) -> str:
    """A whole number with thousands grouped the language's way: 12.345 (da), 12,345 (en)."""
    return _marks(f"{count:,}", lang)


# --- A bounded list of findings ---------------------------------------------------------------

MAX_FINDINGS_PER_CODE = 100


class FindingSink(list[Finding]):
    """The findings of one file, at most `cap` of each code: a sheet of a million bad cells
    must not make a million findings. `folded()` adds one finding per code saying how many more
    there were."""

    def __init__(self, cap: int = MAX_FINDINGS_PER_CODE) -> None:
        super().__init__()
        self.cap = cap
        self.kept: dict[str, int] = {}
        self.dropped: dict[str, int] = {}

    def append(self, finding: Finding) -> None:
        if self.kept.get(finding.code, 0) >= self.cap:
            self.dropped[finding.code] = self.dropped.get(finding.code, 0) + 1
            return
        self.kept[finding.code] = self.kept.get(finding.code, 0) + 1
        super().append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.append(finding)

    def __iadd__(self, findings: Iterable[Finding]) -> FindingSink:  # type: ignore[override,misc]
        self.extend(findings)
        return self

    def folded(self) -> list[Finding]:
        """The kept findings, and one more per code that went over the cap."""
        more = [
            CATALOG[code].finding(
                None,
                f"Og {_grouped(n, 'da')} fund mere af samme slags ({code}); kun de første "
                f"{self.cap} er vist",
                f"And {_grouped(n, 'en')} more findings of the same kind ({code}); only the "
                f"first {self.cap} are shown",
                found=n,
                limit=self.cap,
            )
            for code, n in sorted(self.dropped.items())
        ]
        return [*self, *more]
