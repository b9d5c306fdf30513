"""One file through the whole flow: read → rules → selected, sorted findings → FileResult.
A rule (or the reader) that raises becomes KL900 for that file; nothing escapes."""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from klyngecli.callspec import Call
from klyngecli.figures import figures_of
from klyngecli.findings import KL900 as KL900  # re-exported: batch.py imports it from here
from klyngecli.findings import MAX_FINDINGS_PER_CODE, Finding, FindingSink
from klyngecli.fingerprint import content_hash
from klyngecli.model import Application
from klyngecli.reader.prescreen import Limits
from klyngecli.reader.workbook import read_workbook
from klyngecli.report import UNREADABLE_CODES, Figures, FileResult, verdict_of
from klyngecli.rules.registry import RULES

# Findings that say the file could not be checked at all are reported whatever is selected.
ALWAYS_REPORTED = UNREADABLE_CODES | {KL900.code}


@dataclass(frozen=True)
class Selection:
    """--select/--ignore by prefix, flake8's way: the longest matching prefix decides, and
    ignore wins a tie."""

    select: tuple[str, ...] = ("KL",)
    ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        if code in ALWAYS_REPORTED:
            return True
        chosen = max((len(p) for p in self.select if code.startswith(p)), default=-1)
        dropped = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        return chosen > dropped


@dataclass(frozen=True)
class Options:
    """Everything a file's check depends on besides the file; it pickles, so that it crosses
    to the batch's worker processes. The rules see it as their `Context` (call, submitted_at,
    now)."""

    call: Call
    now: datetime
    submitted_at: datetime | None = None
    selection: Selection = field(default_factory=Selection)
    limits: Limits = field(default_factory=Limits)
    max_findings_per_code: int = MAX_FINDINGS_PER_CODE


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _crash(step_da: str, step_en: str, exc: BaseException) -> Finding:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    origin = f" ({Path(where.filename).name}:{where.lineno})" if where else ""
    text = f"{type(exc).__name__}: {exc}"[:300]
    return KL900.finding(
        None,
        f"Kontrolprogrammet fejlede under {step_da}{origin}: {text}. Filens øvrige kontroller "
        "mangler; kontrollér den manuelt",
        f"The checker itself failed during {step_en}{origin}: {text}. The file's other checks are "
        "missing; check it by hand",
        found=text,
    )


def sort_key(sheets: tuple[str, ...]) -> Callable[[Finding], tuple[int, int, int, int, str]]:
    """Findings in reading order: file-level first, then by sheet, row, column and code."""
    order = {name: i for i, name in enumerate(sheets)}

    def key(f: Finding) -> tuple[int, int, int, int, str]:
        file_level = 0 if f.sheet is None else 1
        return (file_level, order.get(f.sheet or "", -1), f.row, f.col, f.code)

    return key


def run_rules(app: Application, options: Options) -> tuple[list[Finding], list[str]]:
    """The findings of the selected rules, in code order, and the codes of the rules that ran."""
    findings: list[Finding] = []
    ran: list[str] = []
    for code, rule in RULES.items():
        if not options.selection.wants(code):
            continue
        try:
            if not rule.applies(app, options):
                continue  # not about this application (another grant type): not listed as run
            ran.append(code)
            findings.extend(rule(app, options))
        except MemoryError:
            raise
        except Exception as exc:
            findings.append(_crash(f"kontrollen {code}", f"the check {code}", exc))
    return findings, ran


def fold_repeats(findings: list[Finding]) -> list[Finding]:
    """One finding for a run of cells that have the same finding next to each other down a
    column, else along a row: eight formulas without a result in an `I alt` column are one
    KL007 on `G2:G9` that says how many cells. Only findings that say what kind of problem a
    cell has are folded: one with a value of its own (found, limit, fix) is its own case and is
    kept, as is every finding that forms no run."""
    groups: dict[tuple[str, str, str, str], list[Finding]] = {}
    kept: list[Finding] = []
    for f in findings:
        single = f.cell is None or ":" in f.cell or f.row < 0 or f.col < 0
        if f.sheet is None or single or (f.found, f.limit, f.fix) != (None, None, None):
            kept.append(f)
            continue
        groups.setdefault((f.code, f.sheet, f.message_da, f.message_en), []).append(f)
    for members in groups.values():
        kept.extend(_runs(members) if len(members) > 1 else members)
    return kept


def _runs(members: list[Finding]) -> list[Finding]:
    """`fold_repeats` for the findings of one group: runs down columns first, then along rows."""
    at: dict[tuple[int, int], Finding] = {}
    result: list[Finding] = []
    for f in members:
        if (f.row, f.col) in at:
            result.append(f)  # the same cell twice: not a run
        else:
            at[(f.row, f.col)] = f
    left = set(at)
    for down in (True, False):
        lines: dict[int, list[int]] = {}
        for row, col in left:
            lines.setdefault(col if down else row, []).append(row if down else col)
        for fixed, places in lines.items():
            places.sort()
            start = 0
            for i in range(1, len(places) + 1):
                if i < len(places) and places[i] == places[i - 1] + 1:
                    continue
                run = [(p, fixed) if down else (fixed, p) for p in places[start:i]]
                start = i
                if len(run) > 1:
                    result.append(_spanning(at[run[0]], at[run[-1]], len(run)))
                    left.difference_update(run)
    result.extend(at[cell] for cell in left)
    return result


def _spanning(first: Finding, last: Finding, cells: int) -> Finding:
    return first.model_copy(
        update={
            "cell": f"{first.cell}:{last.cell}",
            "message_da": f"{first.message_da} (samme fund i {cells} celler)",
            "message_en": f"{first.message_en} (the same in {cells} cells)",
        }
    )


def check_file(path: Path, options: Options, label: str | None = None) -> FileResult:
    """Check one workbook; every outcome, including a bug, is a FileResult. `label` is the name
    the report shows (the path by default; `-` for standard input). A MemoryError is not
    contained here: the batch's worker turns it into KL011 naming its memory limit."""
    app: Application | None = None
    figures = Figures()
    fingerprint: str | None = None
    findings = FindingSink(options.max_findings_per_code)
    try:
        app, read = read_workbook(path, options.call, options.limits)
        findings += read
    except MemoryError:
        raise
    except Exception as exc:
        findings.append(_crash("læsningen", "reading", exc))
    ran: list[str] = []
    if app is not None:
        rule_findings, ran = run_rules(app, options)
        findings += rule_findings
        try:
            figures = figures_of(app, options.call)
            fingerprint = content_hash(app)
        except MemoryError:
            raise
        except Exception as exc:
            findings.append(_crash("nøgletallene", "the key figures", exc))
    kept = fold_repeats([f for f in findings.folded() if options.selection.wants(f.code)])
    kept.sort(key=sort_key(app.sheet_order if app else ()))
    applicant = app.applicant if app else None
    cvr_ref = applicant.cvr.ref if applicant and applicant.cvr.value else None
    return FileResult(
        path=label if label is not None else str(path),
        sha256=_sha256(path),
        content_hash=fingerprint,
        verdict=verdict_of(kept),
        applicant=applicant.name.value if applicant else None,
        cvr=applicant.cvr.value if applicant else None,
        cvr_at=(cvr_ref.sheet, cvr_ref.a1, cvr_ref.row, cvr_ref.col) if cvr_ref else None,
        grant=app.grant.value if app and app.grant else None,
        figures=figures,
        findings=kept,
        rules_run=ran,
    )
