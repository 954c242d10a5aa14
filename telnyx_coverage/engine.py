"""The check engine: planned resources and a catalog in, a report out.

It knows nothing about Terraform or Pulumi: every front end hands it PlannedResource lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.config import Config, address_matches
from telnyx_coverage.findings import (
    RULES,
    CoverageInfo,
    Finding,
    ProblemReport,
    Report,
    ResourceResult,
    ResourceStatus,
    Severity,
    describe_age,
)
from telnyx_coverage.resources import PlannedResource, Suppression
from telnyx_coverage.rules import check_resource
from telnyx_coverage.rules.attributes import missing_attribute


@dataclass(frozen=True)
class AddressIgnore:
    """A config ``ignore`` entry: a suppression for the resources whose address matches a glob
    (``*`` and ``?`` only: brackets are literal, as in ``aws["fra"]``)."""

    suppression: Suppression
    address: str = "*"


@dataclass(frozen=True)
class CheckOptions:
    """How findings are weighed: ``unresolved`` is ``warning``, ``error`` or ``ignore``."""

    unresolved: str = "warning"
    ignores: Sequence[AddressIgnore] = ()
    today: date | None = None
    max_coverage_age: float | None = None
    """Seconds after which the coverage used is stale (TNX008); None never."""


def options_from_config(config: Config, *, today: date | None = None) -> CheckOptions:
    """The config's ``unresolved`` and ``ignore`` entries, as the engine weighs findings."""
    return CheckOptions(
        unresolved=config.unresolved,
        ignores=[
            AddressIgnore(
                Suppression(
                    frozenset() if entry.rule == "*" else frozenset({entry.rule}),
                    until=entry.until.isoformat() if entry.until else None,
                    reason=entry.reason,
                    file=str(config.config_path) if config.config_path else None,
                ),
                entry.address,
            )
            for entry in config.ignore
        ],
        today=today,
        max_coverage_age=config.max_coverage_age,
    )


def check(
    resources: Iterable[PlannedResource],
    catalog: CoverageCatalog,
    *,
    coverage: CoverageInfo | None,
    options: CheckOptions = CheckOptions(),
    errors: Sequence[ProblemReport] = (),
) -> Report:
    """Run every rule over every resource and weigh the findings into a report."""
    report = Report(coverage=coverage, errors=list(errors))
    today = options.today or date.today()
    for resource in resources:
        finding = check_resource(resource, catalog)
        suppressed_before = False
        if finding is not None and finding.rule.id == "TNX006":
            _suppress(finding, resource, options.ignores, today)
            if finding.suppressed:
                # A missing attribute the user says is fine (a provider default, say) must not
                # switch off the placement checks: they run on, and the next finding decides.
                report.findings.append(finding)
                suppressed_before = True
                finding = check_resource(resource, catalog, skip=frozenset({"TNX006"}))
        _weigh(report, resource, finding, options, suppressed_before=suppressed_before)
    add_stale_coverage(report, options)
    return report


def check_without_coverage(
    resources: Iterable[PlannedResource],
    reason: str,
    *,
    options: CheckOptions = CheckOptions(),
    errors: Sequence[ProblemReport] = (),
    severity: Severity = Severity.WARNING,
) -> Report:
    """What can be checked when coverage could not be loaded (``--allow-unavailable``): the
    attributes the API requires (TNX006, which needs no coverage); every other resource is
    unresolved, never passed; and the run's one TNX007 (a warning by default) saying why."""
    report = Report(coverage=None, errors=list(errors))
    for resource in resources:
        finding = missing_attribute(resource)
        _weigh(report, resource, finding, options, unchecked=ResourceStatus.UNRESOLVED)
        if finding is not None and finding.suppressed:
            # An ignored TNX006 says nothing of the placement, which was not checked.
            report.resources[-1] = ResourceResult(resource, ResourceStatus.UNRESOLVED)
    report.findings.append(Finding(RULES["TNX007"], reason, severity=severity))
    return report


def _weigh(
    report: Report,
    resource: PlannedResource,
    finding: Finding | None,
    options: CheckOptions,
    *,
    unchecked: ResourceStatus = ResourceStatus.PASSED,
    suppressed_before: bool = False,
) -> None:
    """Add a resource and its finding (if any) to the report, as the options weigh it.

    ``suppressed_before``: an earlier finding on the resource was suppressed, so with no
    finding of its own now the resource counts as suppressed, not passed.
    """
    status = unchecked
    if finding is None and suppressed_before:
        status = ResourceStatus.SUPPRESSED
    if finding is not None:
        unresolved = finding.rule.id == "TNX005"
        if unresolved and options.unresolved == "error":
            finding.severity = Severity.ERROR
        _suppress(finding, resource, options.ignores, options.today or date.today())
        status = ResourceStatus.UNRESOLVED if unresolved else ResourceStatus.FAILED
        if finding.suppressed:
            status = ResourceStatus.SUPPRESSED
        if not (unresolved and options.unresolved == "ignore"):
            report.findings.append(finding)
    report.resources.append(ResourceResult(resource, status))


def add_stale_coverage(report: Report, options: CheckOptions) -> None:
    """Add the run's one TNX008 when its coverage is stale (a config ignore of ``*`` on
    TNX008 marks it suppressed)."""
    stale = stale_coverage(report, options.max_coverage_age)
    if stale is None:
        return
    active, _ = active_suppression(
        [i.suppression for i in options.ignores if i.address == "*"],
        stale.rule.id,
        options.today or date.today(),
    )
    if active is not None:
        stale.suppressed, stale.suppression_reason = True, active.reason or "suppressed"
    report.findings.append(stale)


def stale_coverage(report: Report, max_age: float | None) -> Finding | None:
    """TNX008 when the coverage the report was checked against is older than ``max_age``,
    or dated in the future (so that its age cannot be told)."""
    age = report.coverage_age
    if report.coverage is None or age is None or max_age is None:
        return None
    ahead = report.coverage_from_the_future
    if ahead is not None:
        where = f" {report.coverage.path}" if report.coverage.path else ""
        return Finding(
            RULES["TNX008"],
            f"the coverage used ({report.coverage.source}{where}) is dated {describe_age(ahead)} "
            "in the future: its age cannot be told, so it may be stale",
            suggestions=[
                "check this machine's clock, and the clock of the machine that took the snapshot",
                "take a fresh snapshot: telnyx-coverage snapshot -o FILE",
            ],
        )
    if age.total_seconds() <= max_age:
        return None
    limit = describe_age(timedelta(seconds=max_age))
    where = f" {report.coverage.path}" if report.coverage.path else ""
    return Finding(
        RULES["TNX008"],
        f"the coverage used ({report.coverage.source}{where}) is {describe_age(age)} old, "
        f"older than max_coverage_age ({limit}): Telnyx coverage may have changed since",
        suggestions=[
            "take a fresh snapshot: telnyx-coverage snapshot -o FILE",
            "or raise max_coverage_age in .telnyx-coverage.toml (or TELNYX_COVERAGE_MAX_AGE)",
        ],
    )


def active_suppression(
    suppressions: Iterable[Suppression], rule_id: str, today: date
) -> tuple[Suppression | None, Suppression | None]:
    """(the suppression silencing ``rule_id`` today, an expired one that no longer does)."""
    expired: Suppression | None = None
    for suppression in suppressions:
        if suppression.rules and rule_id not in suppression.rules:
            continue
        if suppression.until is not None and date.fromisoformat(suppression.until) < today:
            expired = expired or suppression
            continue
        return suppression, None
    return None, expired


def _suppress(
    finding: Finding,
    resource: PlannedResource,
    ignores: Sequence[AddressIgnore],
    today: date,
) -> None:
    candidates = list(resource.suppressions) + [
        entry.suppression for entry in ignores if address_matches(resource.address, entry.address)
    ]
    active, expired = active_suppression(candidates, finding.rule.id, today)
    if active is not None:
        finding.suppressed = True
        finding.suppression_reason = active.reason or "suppressed"
    elif expired is not None:
        if expired.line is None:
            where = f" in {expired.file}" if expired.file else ""
            what = f"the config [[ignore]] entry{where}"
        else:
            what = f"the ignore comment at {expired.file}:{expired.line}"
        finding.suggestions.append(f"{what} expired on {expired.until} and no longer silences this")


def exceeds(report: Report, fail_on: str) -> bool:
    """True when a finding not suppressed is at or above ``fail_on`` (error|warning|never).

    TNX007 never counts: a run that goes on without coverage (``--allow-unavailable``) exits 0
    for that, and fails only for what it could still check (TNX006).
    """
    if fail_on == "never":
        return False
    threshold = Severity.WARNING if fail_on == "warning" else Severity.ERROR
    return any(
        f.effective_severity.rank >= threshold.rank
        for f in report.findings
        if not f.suppressed and f.rule.id != "TNX007"
    )
