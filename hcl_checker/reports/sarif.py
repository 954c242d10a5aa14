"""SARIF 2.1.0 (``--format sarif``), for GitHub code scanning and other SARIF viewers.

Valid against the official schema. One rule descriptor per rule in :data:`RULES`; one result
per finding, suppressed ones included with ``suppressions`` of kind ``inSource``; input
errors as the invocation's ``toolExecutionNotifications``.

GitHub rejects a whole upload when any result has no location, so findings about the run's
coverage (TNX007, TNX008), which belong to no resource, are anchored at the coverage
snapshot file when there is one, else at the first checked resource's file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from hcl_checker.reports.json_report import TOOL_NAME, coverage_dict
from telnyx_coverage import __version__
from telnyx_coverage.findings import RULES, Finding, ProblemReport, Report, Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/telnyx-coverage/"
SRCROOT = "%SRCROOT%"
RULE_IDS = list(RULES)
"""Rule descriptors in this order; a result's ``ruleIndex`` points into it."""


def artifact_location(path: str) -> dict[str, str]:
    """A SARIF artifactLocation: a relative URI under ``%SRCROOT%``, or an absolute file URI."""
    windows = PureWindowsPath(path)
    if windows.drive and windows.is_absolute():
        return {"uri": windows.as_uri()}
    posix = PurePosixPath(path.replace("\\", "/"))
    if posix.is_absolute():
        return {"uri": posix.as_uri()}
    # A relative reference: forward slashes, and anything a URI cannot hold percent-encoded.
    return {"uri": quote(posix.as_posix(), safe="/"), "uriBaseId": SRCROOT}


def _physical_location(path: str, line: int | None, column: int | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(path)}
    if line is not None and line >= 1:
        region: dict[str, int] = {"startLine": line}
        if column is not None and column >= 1:
            region["startColumn"] = column
        physical["region"] = region
    return physical


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.id} {rule.name}: {rule.summary}."},
        # No link: a relative one would resolve against the scanned repository in code
        # scanning, where the page is not. The help says where the page is, and how to
        # silence the rule, on its own.
        "help": {
            "text": f"{rule.summary}. {_help_more(rule)}",
            "markdown": f"{rule.summary}. {_help_more(rule, markdown=True)}",
        },
        "defaultConfiguration": {"level": str(rule.severity)},
        "properties": {"tags": ["telnyx", "coverage"]},
    }


_SILENCE = {
    "TNX007": "It cannot be silenced: check against a snapshot (--coverage FILE) instead.",
    "TNX008": "Take a fresh snapshot, or raise max_coverage_age in .telnyx-coverage.toml.",
}
"""How to silence the rules that are about the run, not about one resource."""


def _help_more(rule: Rule, *, markdown: bool = False) -> str:
    code = "`" if markdown else ""
    silence = _SILENCE.get(rule.id) or (
        f"Every finding says what would pass. To silence it for one resource, write "
        f"{code}# telnyx-coverage:ignore {rule.id} [until=YYYY-MM-DD] reason{code} above the "
        "block."
    )
    return (
        f"{silence} More: {code}{rule.doc_path}{code} in the telnyx-coverage documentation "
        f"({INFORMATION_URI})."
    )


def fingerprint(finding: Finding) -> str:
    """A hash of rule, address and attribute: stable when lines move, so alerts keep identity."""
    key = "\0".join([finding.rule.id, finding.address or "", finding.attribute or ""])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _message(finding: Finding) -> str:
    subject = f"{finding.address}: " if finding.address else ""
    return "\n".join([subject + finding.message, *finding.suggestions])


def _run_anchor(report: Report) -> str | None:
    """Where findings about the run itself are anchored (see the module docstring)."""
    if report.coverage is not None and report.coverage.path:
        return report.coverage.path
    return next((r.resource.file for r in report.resources if r.resource.file), None)


def _result(finding: Finding, anchor: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule.id,
        "ruleIndex": RULE_IDS.index(finding.rule.id),
        "level": str(finding.effective_severity),
        "message": {"text": _message(finding)},
    }
    file = finding.file if finding.resource is not None else anchor
    location: dict[str, Any] = {}
    if file:
        line = finding.line if finding.resource is not None else None
        location["physicalLocation"] = _physical_location(file, line)
    if finding.address:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.address, "kind": "resource"}]
    if location:
        result["locations"] = [location]
    result["partialFingerprints"] = {"telnyxCoverage/v1": fingerprint(finding)}
    if finding.suppressed:
        result["suppressions"] = [
            {"kind": "inSource", "justification": finding.suppression_reason or "suppressed"}
        ]
    properties: dict[str, Any] = {"name": finding.rule.name}
    if finding.kind is not None:
        properties["kind"] = str(finding.kind)
    if finding.attribute is not None:
        properties["attribute"] = finding.attribute
    if finding.suggestions:
        properties["suggestions"] = list(finding.suggestions)
    result["properties"] = properties
    return result


def _notification(error: ProblemReport) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "error",
        "message": {"text": error.message},
        "descriptor": {"id": "input-error"},
    }
    if error.file:
        physical = _physical_location(error.file, error.line, error.column)
        notification["locations"] = [{"physicalLocation": physical}]
    return notification


def as_dict(report: Report) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    anchor = _run_anchor(report)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(RULES[rule_id]) for rule_id in RULE_IDS],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not report.errors,
                "toolExecutionNotifications": [_notification(e) for e in report.errors],
            }
        ],
        "results": [_result(f, anchor) for f in report.findings],
        "columnKind": "unicodeCodePoints",
    }
    properties: dict[str, Any] = {"summary": report.summary()}
    if report.coverage is not None:
        properties["coverage"] = coverage_dict(report)
    run["properties"] = properties
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render(report: Report, *, color: bool = False) -> str:
    """The SARIF log, indented, newline-ended (``color`` is ignored)."""
    return json.dumps(as_dict(report), indent=2) + "\n"
