"""Rules, findings and the report every output format renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

from telnyx_coverage.resources import PlannedResource, ResourceKind


class Severity(StrEnum):
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return 2 if self is Severity.ERROR else 1


@dataclass(frozen=True)
class Rule:
    """A rule's id and name never change; its doc page is ``docs/rules/<id>.md``."""

    id: str
    name: str
    severity: Severity
    summary: str

    @property
    def doc_path(self) -> str:
        return f"docs/rules/{self.id}.md"


RULES: Final[dict[str, Rule]] = {
    rule.id: rule
    for rule in (
        Rule(
            "TNX006",
            "missing-attribute",
            Severity.ERROR,
            "a field the API requires on create is absent",
        ),
        Rule(
            "TNX005",
            "unresolved-value",
            Severity.WARNING,
            "a value a check needs is not known before apply",
        ),
        Rule(
            "TNX001",
            "unknown-location",
            Severity.ERROR,
            "region_code is no coverage location.code",
        ),
        Rule(
            "TNX002",
            "service-not-available",
            Severity.ERROR,
            "the location does not offer the resource's service",
        ),
        Rule(
            "TNX003",
            "vxc-cloud-region-not-available",
            Severity.ERROR,
            "no VXC coverage for (location, cloud_provider, cloud_provider_region)",
        ),
        Rule(
            "TNX004",
            "vxc-bandwidth-not-available",
            Severity.ERROR,
            "bandwidth_mbps is not in that pairing's available_bandwidth",
        ),
        Rule(
            "TNX007",
            "coverage-unavailable",
            Severity.ERROR,
            "coverage could not be loaded (only where the run goes on without it)",
        ),
        Rule(
            "TNX008",
            "stale-coverage",
            Severity.WARNING,
            "the snapshot or cache used is older than max_coverage_age (default 7 days)",
        ),
    )
}


@dataclass
class Finding:
    """One mistake (or one thing that could not be checked) on one resource."""

    rule: Rule
    message: str
    resource: PlannedResource | None = None
    attribute: str | None = None
    suggestions: list[str] = field(default_factory=list)
    severity: Severity | None = None
    """The severity in force, when config changed the rule's default."""
    suppressed: bool = False
    suppression_reason: str = ""

    @property
    def effective_severity(self) -> Severity:
        return self.severity or self.rule.severity

    @property
    def address(self) -> str | None:
        return self.resource.address if self.resource else None

    @property
    def kind(self) -> ResourceKind | None:
        return self.resource.kind if self.resource else None

    @property
    def file(self) -> str | None:
        return self.resource.file_of(self.attribute) if self.resource else None

    @property
    def line(self) -> int | None:
        return self.resource.line_of(self.attribute) if self.resource else None


class ResourceStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNRESOLVED = "unresolved"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class CoverageInfo:
    """Where the coverage a run used came from, and how old it is."""

    source: str
    """``api``, ``cache`` or ``snapshot``."""
    fetched_at: datetime | None
    path: str | None = None


@dataclass(frozen=True)
class ProblemReport:
    """An input error reported in the run's ``errors`` (the run goes on with the rest)."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass
class ResourceResult:
    """A checked resource and its overall status."""

    resource: PlannedResource
    status: ResourceStatus


@dataclass
class Report:
    """Everything one run found: what every output format renders."""

    coverage: CoverageInfo | None
    resources: list[ResourceResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ProblemReport] = field(default_factory=list)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def coverage_age(self) -> timedelta | None:
        """How old the coverage was when the run checked against it (never negative)."""
        if self.coverage is None:
            return None
        return coverage_age(self.coverage, self.generated_at)

    @property
    def coverage_from_the_future(self) -> timedelta | None:
        """How far the coverage's ``fetched_at`` lies ahead of this run's clock, beyond a few
        minutes of skew; None when it does not (its age is then what ``coverage_age`` says)."""
        elapsed = None if self.coverage is None else _elapsed(self.coverage, self.generated_at)
        if elapsed is None or -elapsed <= CLOCK_SKEW:
            return None
        return -elapsed

    def summary(self) -> dict[str, int]:
        """Counts as the JSON report's ``summary`` gives them (suppressed findings not counted)."""
        statuses = [r.status for r in self.resources]
        active = [f for f in self.findings if not f.suppressed]
        return {
            "resources": len(self.resources),
            "passed": statuses.count(ResourceStatus.PASSED),
            "failed": statuses.count(ResourceStatus.FAILED),
            "unresolved": statuses.count(ResourceStatus.UNRESOLVED),
            "suppressed": statuses.count(ResourceStatus.SUPPRESSED),
            "errors": sum(f.effective_severity is Severity.ERROR for f in active),
            "warnings": sum(f.effective_severity is Severity.WARNING for f in active),
        }


CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of this machine's clock a ``fetched_at`` may be and still count as now."""


def coverage_age(coverage: CoverageInfo, now: datetime) -> timedelta | None:
    """``now - fetched_at``, never negative; None without a time."""
    elapsed = _elapsed(coverage, now)
    return None if elapsed is None else max(elapsed, timedelta(0))


def _elapsed(coverage: CoverageInfo, now: datetime) -> timedelta | None:
    """``now - fetched_at`` (a naive time is UTC), negative for a time in the future."""
    fetched_at = coverage.fetched_at
    if fetched_at is None:
        return None
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    return now - fetched_at


def describe_age(age: timedelta) -> str:
    """``3 days``, ``5 hours``, ``12 minutes``, ``under a minute``."""
    seconds = int(age.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "under a minute"
