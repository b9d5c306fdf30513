"""The report model: per-file results and the batch summary, plain values that pickle and
serialise; every reporter renders this and nothing else."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from klyngecli.findings import Finding, Scalar, Severity

SCHEMA_ID = "klyngecli/report/1"
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
    verdict: Verdict
    applicant: str | None = None
    cvr: str | None = None
    grant: str | None = None
    figures: Figures = Figures()
    findings: list[Finding] = []
    rules_run: list[str] = []  # the codes of the rules that ran on the application


def verdict_of(findings: list[Finding]) -> Verdict:
    if any(f.code in UNREADABLE_CODES for f in findings):
        return Verdict.UNREADABLE
    if any(f.severity is Severity.ERROR for f in findings):
        return Verdict.FAILED
    if any(f.severity is Severity.WARNING for f in findings):
        return Verdict.PASSED_WITH_WARNINGS
    return Verdict.PASSED


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


def summarise(results: list[FileResult], skipped: int = 0) -> Summary:
    verdicts = Counter(r.verdict for r in results)
    severities = Counter(f.severity for r in results for f in r.findings)
    codes = Counter(f.code for r in results for f in r.findings)
    return Summary(
        files=len(results),
        passed=verdicts[Verdict.PASSED],
        passed_with_warnings=verdicts[Verdict.PASSED_WITH_WARNINGS],
        failed=verdicts[Verdict.FAILED],
        unreadable=verdicts[Verdict.UNREADABLE],
        skipped=skipped,
        errors=severities[Severity.ERROR],
        warnings=severities[Severity.WARNING],
        infos=severities[Severity.INFO],
        codes=dict(sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


class ToolInfo(BaseModel):
    name: str = "klyngecli"
    version: str


class CallInfo(BaseModel):
    id: str
    title: str
    deadline: str


class Report(BaseModel):
    """The whole report of one run."""

    model_config = ConfigDict(populate_by_name=True)

    schema_id: str = Field(default=SCHEMA_ID, alias="schema")
    tool: ToolInfo
    call: CallInfo
    lang: str
    fail_on: str
    files: list[FileResult]
    summary: Summary
