"""What the CI reporters share: one finding as one safe line, and the --fail-on threshold."""

from __future__ import annotations

from klyngecli.findings import Finding, Severity
from klyngecli.safetext import shown


def at_or_above(severity: Severity, fail_on: str) -> bool:
    """Whether a finding of this severity counts against `--fail-on` (error|warning|info|never)."""
    return fail_on != "never" and severity.rank >= Severity(fail_on).rank


def message_text(finding: Finding, lang: str) -> str:
    """The message and, when the message does not already say it, the fix; control characters
    escaped, since a message may quote a cell."""
    text = finding.message(lang)
    fix = "" if finding.fix is None else finding.fix.en if lang == "en" else finding.fix.da
    if fix and fix not in text:
        text = f"{text}: {fix}"
    return shown(text)


def finding_text(finding: Finding, lang: str) -> str:
    """`Sheet!Cell message: fix` on one line (no location for a finding about the whole file)."""
    message = message_text(finding, lang)
    return f"{shown(finding.location)} {message}" if finding.location else message
