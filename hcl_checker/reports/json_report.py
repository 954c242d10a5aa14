"""The JSON report: the shape in SPEC.md, for scripts and CI (``--format json``).

It also holds the small helpers every other format shares, so that all of them agree on
where a finding points and how a time is written.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from telnyx_coverage import __version__
from telnyx_coverage.findings import Finding, ProblemReport, Report, ResourceResult

TOOL_NAME = "telnyx-coverage"
SCHEMA_VERSION = 1


def iso_utc(moment: datetime | None) -> str | None:
    """``2026-12-04T11:00:00Z``: ISO 8601 in UTC, or None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        # Coverage times are UTC; a naive one came from a snapshot that left out the zone.
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def coverage_dict(report: Report) -> dict[str, Any] | None:
    """``{"source", "fetched_at", "age_seconds"}``: where the coverage came from, how old."""
    info = report.coverage
    if info is None:
        return None
    age = report.coverage_age
    return {
        "source": info.source,
        "fetched_at": iso_utc(info.fetched_at),
        "age_seconds": None if age is None else int(age.total_seconds()),
    }


def _resource(result: ResourceResult) -> dict[str, Any]:
    resource = result.resource
    return {
        "address": resource.address,
        "kind": str(resource.kind),
        "file": resource.file,
        "line": resource.line,
        "status": str(result.status),
    }


def _finding(finding: Finding) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "rule": finding.rule.id,
        "name": finding.rule.name,
        "severity": str(finding.effective_severity),
        "address": finding.address,
        "kind": str(finding.kind) if finding.kind is not None else None,
        "file": finding.file,
        "line": finding.line,
        "attribute": finding.attribute,
        "message": finding.message,
        "suggestions": list(finding.suggestions),
        "suppressed": finding.suppressed,
    }
    if finding.suppressed:
        entry["suppression_reason"] = finding.suppression_reason
    return entry


def _error(error: ProblemReport) -> dict[str, Any]:
    return {
        "file": error.file,
        "line": error.line,
        "column": error.column,
        "message": error.message,
    }


def as_dict(report: Report) -> dict[str, Any]:
    """The report as the JSON object SPEC.md documents, keys in its order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "coverage": coverage_dict(report),
        "resources": [_resource(r) for r in report.resources],
        "findings": [_finding(f) for f in report.findings],
        "errors": [_error(e) for e in report.errors],
        "summary": report.summary(),
    }


def render(report: Report, *, color: bool = False) -> str:
    """The JSON report, indented, ASCII-only (any terminal or pipe takes it), newline-ended."""
    return json.dumps(as_dict(report), indent=2) + "\n"
