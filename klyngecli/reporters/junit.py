"""JUnit XML (`--format junit`): a test suite per file, a test case per rule.

`<testsuites name="klyngecli">` holds a `<testsuite name=PATH>` per file, in path order, with
the file's verdict, applicant, CVR and grant as `<properties>`. Every rule that ran on the file
is a `<testcase classname=PATH name="KL401 title">`, and so is every code found that is no rule
of the application (the reader's KL0xx, KL204, KL900), so an unreadable file is one failing
test. A case fails (`<failure type=CODE message=FIRST LINE>`, the body a line
`Sheet!Cell message: fix` per finding) when one of its findings is at or above `--fail-on`;
findings below it leave the case passed, their lines in `<system-out>`. Skipped paths end the
report as a suite `klynge: skipped` of `<skipped>` cases, so none is silently dropped.

Written with the standard library's ElementTree one suite at a time, as the batch yields files:
junitparser can write too, but builds the whole document in memory before it writes, and
junit-xml is unmaintained. The tests read the output with junitparser. No timestamps or
durations, so the output is deterministic. `<testsuites>` carries no totals (they are optional,
and unknown until the last file); readers add up the suites.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TextIO

from klyngecli.explain import catalogue
from klyngecli.findings import Finding
from klyngecli.report import FileResult, Report, SkippedPath
from klyngecli.reporters import Style
from klyngecli.reporters.lines import at_or_above, finding_text
from klyngecli.safetext import path_text, shown

# XML 1.0 allows no control characters but tab and line breaks (shown() escapes those already),
# no lone surrogates (also escaped), and not U+FFFE and U+FFFF.
_NOT_XML = str.maketrans({"\ufffe": "\\ufffe", "\uffff": "\\uffff"})


def xml_text(text: str) -> str:
    """Text from a file or a path, made safe for XML 1.0."""
    return shown(text).translate(_NOT_XML)


def _suite(result: FileResult, lang: str, fail_on: str) -> ET.Element:
    path = xml_text(path_text(result.path))
    found: dict[str, list[Finding]] = {}
    for finding in result.findings:
        found.setdefault(finding.code, []).append(finding)
    codes = sorted(set(result.rules_run) | set(found))
    suite = ET.Element("testsuite", name=path, tests=str(len(codes)), errors="0", skipped="0")
    properties = ET.SubElement(suite, "properties")
    for name, value in [
        ("verdict", result.verdict.value),
        ("change", result.change),
        ("applicant", result.applicant),
        ("cvr", result.cvr),
        ("grant", result.grant),
    ]:
        if value is not None:
            ET.SubElement(properties, "property", name=name, value=xml_text(value))
    failures = 0
    titles = catalogue()
    for code in codes:
        title = titles[code].title(lang) if code in titles else ""
        case = ET.SubElement(suite, "testcase", classname=path, name=f"{code} {title}".strip())
        findings = found.get(code, [])
        lines = [xml_text(finding_text(f, lang)) for f in findings]
        failing = [
            line
            for f, line in zip(findings, lines, strict=True)
            if at_or_above(f.severity, fail_on)
        ]
        if failing:
            failure = ET.SubElement(case, "failure", message=failing[0], type=code)
            failure.text = "\n".join(lines)
            failures += 1
        elif lines:
            ET.SubElement(case, "system-out").text = "\n".join(lines)
    suite.set("failures", str(failures))
    return suite


def _skipped(paths: list[SkippedPath]) -> ET.Element:
    count, name = str(len(paths)), "klynge: skipped"
    suite = ET.Element("testsuite", name=name, tests=count, failures="0", errors="0", skipped=count)
    for skipped in paths:
        case = ET.SubElement(
            suite, "testcase", classname=name, name=xml_text(path_text(skipped.path))
        )
        ET.SubElement(case, "skipped", message=xml_text(skipped.reason))
    return suite


def _write(suite: ET.Element, out: TextIO) -> None:
    ET.indent(suite, space="  ", level=1)
    out.write("  " + ET.tostring(suite, encoding="unicode") + "\n")


def render(report: Report, style: Style, out: TextIO) -> None:
    out.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites name="klyngecli">\n')
    for result in report.files:
        _write(_suite(result, report.lang, report.fail_on), out)
    if report.summary.skipped_paths:
        _write(_skipped(report.summary.skipped_paths), out)
    out.write("</testsuites>\n")
