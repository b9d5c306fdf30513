"""GitHub Actions workflow commands (`--format github`): an annotation per finding.

    ::error file=PATH,title=KL401::Sheet!Cell message: fix

`error` for errors, `warning` for warnings, `notice` for infos (whatever `--fail-on` says: the
exit code is what fails the job). A workbook has no lines, so no `line=`; a finding about the
whole file has no `Sheet!Cell`. Values are escaped as the Actions runner reads them
(`toolkit/packages/core/src/command.ts`): the message `%` → `%25`, CR → `%0D`, LF → `%0A`;
property values also `:` → `%3A` and `,` → `%2C`. Text from a workbook or a path goes through
`shown()` first, so no control character reaches the log raw and an annotation is one line.
"""

from __future__ import annotations

from typing import TextIO

from klyngecli.findings import Severity
from klyngecli.report import Report
from klyngecli.reporters import Style
from klyngecli.reporters.lines import finding_text
from klyngecli.safetext import path_text

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_DATA = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_PROPERTY = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})


def escape_data(text: str) -> str:
    """A command's message, escaped as the runner unescapes it."""
    return text.translate(_DATA)


def escape_property(text: str) -> str:
    """A command's property value, escaped as the runner unescapes it."""
    return text.translate(_PROPERTY)


def render(report: Report, style: Style, out: TextIO) -> None:
    for result in report.files:
        path = escape_property(path_text(result.path))
        for finding in result.findings:
            out.write(
                f"::{COMMAND[finding.severity]} file={path},title={escape_property(finding.code)}"
                f"::{escape_data(finding_text(finding, report.lang))}\n"
            )
