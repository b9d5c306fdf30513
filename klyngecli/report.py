"""The report model: per-file results and the batch summary, plain values that pickle and
serialise; every reporter renders this and nothing else."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from klyngecli.callspec import Call
from klyngecli.findings import Finding, Scalar, Severity

SCHEMA_ID = "klyngecli/report/2"
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


class Figures(BaseModel):
    """The key figures of one application, in kroner; None where they cannot be computed."""

    model_config = ConfigDict(frozen=True)

    deb_request: Scalar = None
    deb_cap: Scalar = None
    total_costs: Scalar = None
    total_financing: Scalar = None
    financing_by_source: dict[str, Scalar] = {}
    largest_sme_share: float | None = None  # Tilskud / FoU-omkostninger, as a fraction
    largest_sme_share_at: str | None = None  # Sheet!Cell of that Tilskud
    sme_ceiling: float | None = None


class FileResult(BaseModel):
    """Everything the checker says about one file."""

    model_config = ConfigDict(frozen=True)

    path: str
    sha256: str | None = None
    content_hash: str | None = None  # of the values read, for KL204's "the same workbook twice"
    verdict: Verdict
    applicant: str | None = None
    cvr: str | None = None
    cvr_at: tuple[str, str, int, int] | None = None  # the CVR cell: sheet, A1, row, column
    grant: str | None = None
    figures: Figures = Figures()
    findings: list[Finding] = []
    rules_run: list[str] = []  # the codes of the rules that ran on the application
    # Since the previous run over the same folder argument (the cache's change memory): "new",
    # "changed" or "unchanged"; None without that memory (the first run over the folder, a
    # file named directly or by a glob, standard input, --no-cache).
    change: str | None = None


def verdict_of(findings: list[Finding]) -> Verdict:
    if any(f.code in UNREADABLE_CODES for f in findings):
        return Verdict.UNREADABLE
    if any(f.severity is Severity.ERROR for f in findings):
        return Verdict.FAILED
    if any(f.severity is Severity.WARNING for f in findings):
        return Verdict.PASSED_WITH_WARNINGS
    return Verdict.PASSED


class FileLine(BaseModel):
    """One file of the batch summary that did not pass (cli.md decided item 6)."""

    model_config = ConfigDict(frozen=True)

    path: str
    verdict: Verdict
    applicant: str | None = None
    cvr: str | None = None
    grant: str | None = None
    deb_request: Scalar = None


class SkippedPath(BaseModel):
    """A path that was found but not checked, and why."""

    model_config = ConfigDict(frozen=True)

    path: str
    reason: str  # one of paths.SKIP_REASONS


class PoolUse(BaseModel):
    """The batch's total DEB request of one grant type against the call's pool."""

    model_config = ConfigDict(frozen=True)

    grant: str
    files: int
    requested: Scalar
    pool: Scalar


class Summary(BaseModel):
    model_config = ConfigDict(frozen=True)

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
    not_passed: list[FileLine] = []
    skipped_paths: list[SkippedPath] = []
    pools: list[PoolUse] = []
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


class ToolInfo(BaseModel):
    name: str = "klyngecli"
    version: str


class CallInfo(BaseModel):
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
