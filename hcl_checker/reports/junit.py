"""JUnit XML (``--format junit``), for CI systems that show test results.

One ``<testsuite name="telnyx-coverage">`` with one ``<testcase>`` per resource
(``classname`` is its kind, ``name`` its address, ``file`` and ``line`` where it is written):

- passed: an empty test case;
- failed: a ``<failure type="RULE">`` with the message, the suggestions in its text;
- unresolved: a ``<failure>`` when its TNX005 finding is at error severity
  (``unresolved = "error"`` in config), else ``<skipped>`` with the message: a value that is
  known only after apply could not be checked, which is neither a pass nor a failure;
- suppressed: ``<skipped message="suppressed: reason">``.

Findings about the run's coverage (TNX007, TNX008) are test cases of their own
(``classname="coverage"``), failed at error severity and skipped at warning severity, like
an unresolved resource. Each input error is a test case ``classname="input"`` named after
its file, with an ``<error>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from hcl_checker.reports.json_report import TOOL_NAME
from hcl_checker.reports.text import error_place, summary_line
from telnyx_coverage.findings import (
    Finding,
    ProblemReport,
    Report,
    ResourceResult,
    ResourceStatus,
    Severity,
)

# Characters XML 1.0 cannot hold at all, even escaped; ElementTree would write them as is.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _details(finding: Finding) -> str:
    lines = [finding.message, *finding.suggestions]
    place = finding.file
    if place is not None:
        lines.append(f"at {place}" + (f":{finding.line}" if finding.line is not None else ""))
    return _xml_text("\n".join(lines))


def _fail(case: ET.Element, finding: Finding) -> None:
    failure = ET.SubElement(
        case,
        "failure",
        {"type": finding.rule.id, "message": _xml_text(f"{finding.rule.id} {finding.message}")},
    )
    failure.text = _details(finding)


def _skip(case: ET.Element, message: str) -> None:
    ET.SubElement(case, "skipped", {"message": _xml_text(message)})


def _outcome(case: ET.Element, status: ResourceStatus, finding: Finding | None) -> None:
    """Fill a test case with what its finding means (see the module docstring)."""
    if status is ResourceStatus.SUPPRESSED:
        reason = finding.suppression_reason if finding is not None else ""
        _skip(case, f"suppressed: {reason or 'no reason given'}")
    elif finding is None:
        if status is ResourceStatus.UNRESOLVED:
            # unresolved = "ignore" in config drops the finding but not the status.
            _skip(case, "unresolved: a value is known only after apply")
        elif status is ResourceStatus.FAILED:
            ET.SubElement(case, "failure", {"message": "failed"})
    elif status is ResourceStatus.FAILED or finding.effective_severity is Severity.ERROR:
        _fail(case, finding)
    else:
        _skip(case, f"{finding.rule.id} {finding.message}")


def _resource_case(result: ResourceResult, findings: list[Finding]) -> ET.Element:
    resource = result.resource
    attributes = {"classname": str(resource.kind), "name": _xml_text(resource.address)}
    if resource.file is not None:
        attributes["file"] = _xml_text(resource.file)
    if resource.line is not None:
        attributes["line"] = str(resource.line)
    case = ET.Element("testcase", attributes)
    active = [f for f in findings if not f.suppressed]
    # The engine gives each resource one finding at most; should there be more, every
    # active one is a failure and the first decides the case's outcome.
    chosen = (active or findings)[0] if findings else None
    _outcome(case, result.status, chosen)
    for extra in active[1:]:
        _fail(case, extra)
    return case


def _coverage_case(finding: Finding) -> ET.Element:
    case = ET.Element("testcase", {"classname": "coverage", "name": finding.rule.name})
    if finding.suppressed:
        _skip(case, f"suppressed: {finding.suppression_reason or 'no reason given'}")
    elif finding.effective_severity is Severity.ERROR:
        _fail(case, finding)
    else:
        _skip(case, f"{finding.rule.id} {finding.message}")
    return case


def _error_case(error: ProblemReport) -> ET.Element:
    case = ET.Element("testcase", {"classname": "input", "name": _xml_text(error.file or "input")})
    if error.file is not None:
        case.set("file", _xml_text(error.file))
    if error.line is not None:
        case.set("line", str(error.line))
    failure = ET.SubElement(
        case, "error", {"type": "input-error", "message": _xml_text(error.message)}
    )
    failure.text = _xml_text(f"{error_place(error)}: {error.message}")
    return case


def as_element(report: Report) -> ET.Element:
    """The ``<testsuites>`` element holding the one ``<testsuite>``."""
    by_resource: dict[int, list[Finding]] = {}
    unattached: list[Finding] = []
    for finding in report.findings:
        if finding.resource is None:
            unattached.append(finding)
        else:
            by_resource.setdefault(id(finding.resource), []).append(finding)

    cases = [_error_case(e) for e in report.errors]
    cases += [_resource_case(r, by_resource.get(id(r.resource), [])) for r in report.resources]
    cases += [_coverage_case(f) for f in unattached]

    outcomes = Counter(child.tag for case in cases for child in case)
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(1 for case in cases if case.find("failure") is not None)),
        "errors": str(outcomes["error"]),
        "skipped": str(outcomes["skipped"]),
    }
    suites = ET.Element("testsuites", {"name": TOOL_NAME, **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": TOOL_NAME, **counts})
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "summary", "value": summary_line(report)})
    suite.extend(cases)
    return suites


def render(report: Report, *, color: bool = False) -> str:
    """The JUnit XML document, with its XML declaration (``color`` is ignored)."""
    root = as_element(report)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
