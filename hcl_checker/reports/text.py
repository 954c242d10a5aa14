"""The text report, for people at a terminal (``--format text``, the default).

One line per problem, compiler style, so editors and terminals can jump to it::

    infra/main.tf:14: error TNX004 telnyx_virtual_cross_connect.aws: 10000 Mbps is not offered
        offered from chicago-il to aws us-east-1: 50, 100, 200 Mbps
    bad.tf:3:1: error: Invalid expression
    <coverage>: warning TNX008: the snapshot is 12 days old
    infra/edge.tf:9: note TNX003 telnyx_virtual_cross_connect.lab: ... (suppressed: lab only)
    5 resources: 3 passed, 1 failed, 0 unresolved, 1 suppressed; 1 error, 1 warning; ...

Input errors come first, then findings in report order, then suppressed findings as ``note``
lines (shown so an ignore is never invisible, but never with a failing severity word, so
``grep ': error '`` finds only what fails), then one summary line. Colour is ANSI, only when
the caller asks (the CLI asks on a terminal without ``NO_COLOR``).
"""

from __future__ import annotations

import re
from datetime import timedelta

from hcl_checker.reports.json_report import iso_utc
from telnyx_coverage.findings import (
    CoverageInfo,
    Finding,
    ProblemReport,
    Report,
    Severity,
    describe_age,
)

RESET = "\033[0m"
BOLD = "\033[1m"
DIM = "\033[2m"
RED = "\033[31m"
GREEN = "\033[32m"
YELLOW = "\033[33m"
SEVERITY_COLORS = {Severity.ERROR: RED + BOLD, Severity.WARNING: YELLOW + BOLD}

INDENT = "    "
COVERAGE_PLACE = "<coverage>"
"""Where findings about the run's coverage itself (TNX007, TNX008) are said to be."""


# Control characters from the code under check (a value, a path) could drive the terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\r\n", "\n"))


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{RESET}" if color else text


def _indent_continuation(text: str, indent: str) -> str:
    # A message spanning lines keeps its continuation under the line it belongs to.
    return _printable(text).replace("\n", "\n" + indent)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def error_place(error: ProblemReport) -> str:
    """``file:line:col`` with whatever is known of it (``<input>`` when no file)."""
    place = _printable(error.file or "<input>")
    if error.line is not None:
        place += f":{error.line}"
        if error.column is not None:
            place += f":{error.column}"
    return place


def finding_place(finding: Finding) -> str:
    """``file:line``, ``file``, ``-`` (a resource with no file) or ``<coverage>``."""
    if finding.resource is None:
        return COVERAGE_PLACE
    place = _printable(finding.file or "-")
    if finding.line is not None:
        place += f":{finding.line}"
    return place


def _finding_head(finding: Finding) -> str:
    subject = finding.rule.id
    if finding.address:
        subject += " " + _printable(finding.address)
    return f"{subject}: {_indent_continuation(finding.message, INDENT)}"


def describe_coverage(
    coverage: CoverageInfo | None, age: timedelta | None = None, ahead: timedelta | None = None
) -> str:
    """``coverage: snapshot from 2026-12-04T11:00:00Z, 3 days old``, or that none was loaded."""
    if coverage is None:
        return "no coverage loaded"
    source = {"api": "live API", "cache": "cached live API answer"}.get(
        coverage.source, coverage.source
    )
    fetched_at = iso_utc(coverage.fetched_at)
    if fetched_at is None:
        return f"coverage: {source}"
    joiner = "from" if coverage.source == "snapshot" else "fetched"
    old = "" if age is None else f", {describe_age(age)} old"
    if ahead is not None:
        old = f", dated {describe_age(ahead)} in the future"
    return f"coverage: {source} {joiner} {fetched_at}{old}"


def summary_line(report: Report) -> str:
    """The one summary line every human-facing format ends with."""
    counts = report.summary()
    line = (
        f"{_plural(counts['resources'], 'resource')}: {counts['passed']} passed, "
        f"{counts['failed']} failed, {counts['unresolved']} unresolved, "
        f"{counts['suppressed']} suppressed; "
        f"{_plural(counts['errors'], 'error')}, {_plural(counts['warnings'], 'warning')}"
    )
    if report.errors:
        line += f"; {_plural(len(report.errors), 'input error')}"
    ahead = report.coverage_from_the_future
    return f"{line} ({describe_coverage(report.coverage, report.coverage_age, ahead)})"


def render(report: Report, *, color: bool = False) -> str:
    """The text report; ANSI colour only when ``color`` is true."""
    lines: list[str] = []
    for error in report.errors:
        label = _paint("error", SEVERITY_COLORS[Severity.ERROR], color)
        message = _indent_continuation(error.message, INDENT)
        lines.append(f"{error_place(error)}: {label}: {message}")

    for finding in report.findings:
        if finding.suppressed:
            continue
        severity = finding.effective_severity
        label = _paint(str(severity), SEVERITY_COLORS[severity], color)
        lines.append(f"{finding_place(finding)}: {label} {_finding_head(finding)}")
        for suggestion in finding.suggestions:
            lines.append(INDENT + _indent_continuation(suggestion, INDENT * 2))

    for finding in report.findings:
        if not finding.suppressed:
            continue
        reason = _printable(finding.suppression_reason or "no reason given")
        text = f"{finding_place(finding)}: note {_finding_head(finding)} (suppressed: {reason})"
        lines.append(_paint(text, DIM, color))

    counts = report.summary()
    failing = counts["errors"] or report.errors
    style = RED + BOLD if failing else (YELLOW if counts["warnings"] else GREEN)
    lines.append(_paint(summary_line(report), style, color))
    return "\n".join(lines) + "\n"
