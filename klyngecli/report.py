"""The report model: per-file results and the batch summary, plain values that pickle and
serialise; every reporter renders this and nothing else."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from klyngecli.callspec import Call
from klyngecli.findings import Finding, Fix, Severity, exact_money, money
from klyngecli.plain import Plain, jsonable

SCHEMA_ID = "klyngecli/report/3"
UNREADABLE_CODES = frozenset({"KL001", "KL002", "KL011"})


class Verdict(StrEnum):
    PASSED = "passed"
    PASSED_WITH_WARNINGS = "passed_with_warnings"
    FAILED = "failed"
    UNREADABLE = "unreadable"


VERDICT_TEXT = {
    Verdict.PASSED: ("GODKENDT", "PASSED"),
    Verdict.PASSED_WITH_WARNINGS: ("GODKENDT MED ADVARSLER", "PASSED WITH WARNINGS"),
    Verdict.FAILED: ("IKKE GODKENDT", "FAILED"),
    Verdict.UNREADABLE: ("IKKE GODKENDT (kan ikke læses)", "FAILED (unreadable)"),
}


def verdict_text(verdict: Verdict, lang: str) -> str:
    da, en = VERDICT_TEXT[verdict]
    return en if lang == "en" else da


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures(Plain):
    """The key figures of one application, in kroner (exact Decimals); None where they cannot
    be computed."""

    deb_request: Decimal | None = None
    deb_cap: Decimal | None = None
    total_costs: Decimal | None = None
    total_financing: Decimal | None = None
    financing_by_source: dict[str, Decimal | None] = field(default_factory=dict)
    largest_sme_share: float | None = None  # Tilskud / FoU-omkostninger, as a fraction
    largest_sme_share_at: str | None = None  # Sheet!Cell of that Tilskud
    sme_ceiling: float | None = None

    def __post_init__(self) -> None:
        exact_money(self, "deb_request", "deb_cap", "total_costs", "total_financing")
        sources = self.financing_by_source
        if not all(v is None or isinstance(v, Decimal) for v in sources.values()):
            object.__setattr__(
                self, "financing_by_source", {k: money(v) for k, v in sources.items()}
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class FileResult(Plain):
    """Everything the checker says about one file."""

    path: str
    sha256: str | None = None
    content_hash: str | None = None  # of the values read, for KL204's "the same workbook twice"
    verdict: Verdict
    applicant: str | None = None
    cvr: str | None = None
    cvr_at: tuple[str, str, int, int] | None = None  # the CVR cell: sheet, A1, row, column
    grant: str | None = None
    figures: Figures = field(default_factory=Figures)
    findings: list[Finding] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)  # the codes of the rules that ran
    # Since the previous run over the same folder argument (the cache's change memory): "new",
    # "changed" or "unchanged"; None without that memory (the first run over the folder, a
    # file named directly or by a glob, standard input, --no-cache).
    change: str | None = None

    def __post_init__(self) -> None:
        if type(self.verdict) is not Verdict:  # given as its value ("passed")
            object.__setattr__(self, "verdict", Verdict(self.verdict))


def verdict_of(findings: list[Finding]) -> Verdict:
    if any(f.code in UNREADABLE_CODES for f in findings):
        return Verdict.UNREADABLE
    if any(f.severity is Severity.ERROR for f in findings):
        return Verdict.FAILED
    if any(f.severity is Severity.WARNING for f in findings):
        return Verdict.PASSED_WITH_WARNINGS
    return Verdict.PASSED


@dataclass(frozen=True, slots=True, kw_only=True)
class FileLine(Plain):
    """One file of the batch summary that did not pass (cli.md decided item 6)."""

    path: str
    verdict: Verdict
    applicant: str | None = None
    cvr: str | None = None
    grant: str | None = None
    deb_request: Decimal | None = None

    def __post_init__(self) -> None:
        if type(self.verdict) is not Verdict:
            object.__setattr__(self, "verdict", Verdict(self.verdict))
        exact_money(self, "deb_request")


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedPath(Plain):
    """A path that was found but not checked, and why."""

    path: str
    reason: str  # one of paths.SKIP_REASONS


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolUse(Plain):
    """The batch's total DEB request of one grant type against the call's pool."""

    grant: str
    files: int
    requested: Decimal
    pool: Decimal

    def __post_init__(self) -> None:
        exact_money(self, "requested", "pool")


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary(Plain):
    files: int
    passed: int
    passed_with_warnings: int
    failed: int
    unreadable: int
    skipped: int
    errors: int
    warnings: int
    infos: int
    codes: dict[str, int]  # code → number of findings, most frequent first
    not_passed: list[FileLine] = field(default_factory=list)
    skipped_paths: list[SkippedPath] = field(default_factory=list)
    pools: list[PoolUse] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C: the counts are of the files checked until then
    # Files new, changed and unchanged since the previous run over the same folder arguments,
    # of every file of the run. Under --changed the counts above are of the new and changed files
    # only (of every file with -v), and `unchanged` says how many were left out.
    new: int = 0
    changed: int = 0
    unchanged: int = 0


def summarise(results: Iterable[FileResult], skipped: Sequence[SkippedPath] = ()) -> Summary:
    """The summary of whole results (the batch builds the same from its running tally)."""
    tally = Tally()
    for result in results:
        tally.add(result)
    return tally.summary(skipped)


class Tally:
    """The summary's counters, added to one file at a time, so a batch never holds every
    result to summarise it."""

    def __init__(self) -> None:
        self.verdicts: Counter[Verdict] = Counter()
        self.severities: Counter[Severity] = Counter()
        self.codes: Counter[str] = Counter()
        self.not_passed: list[FileLine] = []

    def add(self, result: FileResult) -> None:
        self.verdicts[result.verdict] += 1
        self.severities.update(f.severity for f in result.findings)
        self.codes.update(f.code for f in result.findings)
        self.codes = +self.codes  # drop the codes that amend() took to zero
        if result.verdict is not Verdict.PASSED:
            self.not_passed.append(
                FileLine(
                    path=result.path,
                    verdict=result.verdict,
                    applicant=result.applicant,
                    cvr=result.cvr,
                    grant=result.grant,
                    deb_request=result.figures.deb_request,
                )
            )

    def amend(self, before: FileResult, after: FileResult) -> None:
        """Count a file as `after` instead of `before` (the batch added KL204 to it)."""
        self.verdicts[before.verdict] -= 1
        self.severities.subtract(f.severity for f in before.findings)
        self.codes.subtract(f.code for f in before.findings)
        self.not_passed = [line for line in self.not_passed if line.path != before.path]
        self.add(after)

    def summary(
        self,
        skipped: Sequence[SkippedPath] = (),
        pools: Sequence[PoolUse] = (),
        interrupted: bool = False,
    ) -> Summary:
        return Summary(
            files=sum(self.verdicts.values()),
            passed=self.verdicts[Verdict.PASSED],
            passed_with_warnings=self.verdicts[Verdict.PASSED_WITH_WARNINGS],
            failed=self.verdicts[Verdict.FAILED],
            unreadable=self.verdicts[Verdict.UNREADABLE],
            skipped=len(skipped),
            errors=self.severities[Severity.ERROR],
            warnings=self.severities[Severity.WARNING],
            infos=self.severities[Severity.INFO],
            codes=dict(sorted(self.codes.items(), key=lambda kv: (-kv[1], kv[0]))),
            not_passed=sorted(self.not_passed, key=lambda line: line.path),
            skipped_paths=list(skipped),
            pools=list(pools),
            interrupted=interrupted,
        )


@dataclass(slots=True, kw_only=True)
class ToolInfo(Plain):
    name: str = "klyngecli"
    version: str


@dataclass(slots=True, kw_only=True)
class CallInfo(Plain):
    id: str
    title: str
    deadline: str


@dataclass
class Report:
    """The whole report of one run. `files` may be backed by a spool on disk (a batch never
    holds every result in memory): reporters iterate it once, in path order."""

    tool: ToolInfo
    call: CallInfo
    lang: str
    fail_on: str
    files: Sequence[FileResult]
    summary: Summary
    schema_id: str = SCHEMA_ID
    # The call itself, for the reporters that show rule documentation with its numbers (SARIF);
    # None in a report built by hand, and then the built-in call's numbers are shown.
    spec: Call | None = None


# --- the result cache's form of a result --------------------------------------------------------


# A Decimal in the stored form: tagged, so it is never read back as text (`found` may be either).
DECIMAL_TAG = "decimal"


def result_json(result: FileResult) -> str:
    """A result as JSON text (ASCII, so any text of a file's name or content survives); each
    Decimal as `{"decimal": "1234.50"}`, its exact text."""
    return json.dumps(jsonable(result, _tagged), separators=(",", ":"))


def result_from_json(text: str) -> FileResult:
    """A result that `result_json` wrote, every field checked; ValueError for anything else."""
    try:
        result: FileResult = _load(FileResult, json.loads(text))
    except (TypeError, KeyError, AttributeError, RecursionError, InvalidOperation) as exc:
        raise ValueError(f"not a stored result: {exc}") from None
    return result


def _tagged(value: Decimal) -> dict[str, str]:
    return {DECIMAL_TAG: str(value)}


def _decimal(value: Any) -> Decimal:
    if not isinstance(value, dict) or set(value) != {DECIMAL_TAG}:
        raise TypeError(f"{value!r:.40} is not a decimal")
    number = Decimal(_is(value[DECIMAL_TAG], str))
    if not number.is_finite():
        raise TypeError(f"{number} is not an amount")
    return number


def _scalar(value: Any) -> Any:
    return _decimal(value) if isinstance(value, dict) else _is(value, *_SCALARS)


def _money(value: Any) -> Decimal | None:
    return None if value is None else _decimal(value)


_NONE = type(None)
_SCALARS = (str, int, float, bool, _NONE)
# Each annotation of the result's dataclasses → how a JSON value of it is read.
_READ: dict[str, Callable[[Any], Any]] = {
    "str": lambda v: _is(v, str),
    "str | None": lambda v: _is(v, str, _NONE),
    "int": lambda v: _is(v, int),
    "Scalar": _scalar,
    "Decimal | None": _money,
    "float | None": lambda v: _is(v, float, int, _NONE),
    "Severity": Severity,
    "Verdict": Verdict,
    "Figures": lambda v: _load(Figures, v),
    "Fix | None": lambda v: None if v is None else _load(Fix, v),
    "list[Finding]": lambda v: [_load(Finding, item) for item in _is(v, list)],
    "list[str]": lambda v: [_is(item, str) for item in _is(v, list)],
    "dict[str, Decimal | None]": lambda v: {
        _is(k, str): _money(i) for k, i in _is(v, dict).items()
    },
    "tuple[str, str, int, int] | None": lambda v: (
        None
        if v is None
        else tuple(_is(i, t) for i, t in zip(_is(v, list), (str, str, int, int), strict=True))
    ),
}


def _is(value: Any, *kinds: type) -> Any:
    if not isinstance(value, kinds) or (type(value) is bool and bool not in kinds):
        raise TypeError(f"{value!r:.40} is not a {kinds[0].__name__}")
    return value


def _load(kind: type[Any], data: Any) -> Any:
    fields = {f.name: f for f in dataclasses.fields(kind)}
    if not isinstance(data, dict) or not set(data) <= set(fields):
        raise TypeError(f"not a {kind.__name__}")
    return kind(**{name: _READ[str(fields[name].type)](value) for name, value in data.items()})
