"""The rule table: each rule a small function of (resource, catalog), run in SPEC order.

A check returns a :class:`~telnyx_coverage.findings.Finding` when its rule fails, else None.
The engine stops at the first failing check so that one mistake gives one finding.

TNX005 unresolved-value is no check of its own: it stands in for the first placement check
that would need a value known only after apply. So a ``region_code`` that is known and wrong
is TNX001 even when the VXC's bandwidth is unknown, and a known, valid location with an
unknown bandwidth is TNX005, never a pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.findings import Finding
from telnyx_coverage.resources import PlannedResource
from telnyx_coverage.rules import attributes, location, vxc

Check = Callable[[PlannedResource, CoverageCatalog], Finding | None]

_PAIRING = ("region_code", "cloud_provider", "cloud_provider_region")

CHECKS: Final[tuple[tuple[str, Check, tuple[str, ...]], ...]] = (
    ("TNX006", attributes.missing_attribute, ()),
    ("TNX001", location.unknown_location, ("region_code",)),
    ("TNX002", location.service_not_available, ("region_code",)),
    ("TNX003", vxc.cloud_region_not_available, _PAIRING),
    ("TNX004", vxc.bandwidth_not_available, (*_PAIRING, "bandwidth_mbps")),
)
"""(rule id, check, the fields it reads) in the order SPEC.md runs them."""


def check_resource(
    resource: PlannedResource, catalog: CoverageCatalog, *, skip: frozenset[str] = frozenset()
) -> Finding | None:
    """The first failing rule's finding for ``resource``, or None when it passes; TNX005 when
    a check it reaches needs a value known only after apply. Rules in ``skip`` are not run."""
    needed = attributes.needed_attributes(resource)
    for rule_id, check, reads in CHECKS:
        if rule_id in skip:
            continue
        waiting = [f for f in reads if f in needed]
        unresolved = attributes.unresolved_value(resource, waiting)
        if unresolved is not None:
            return unresolved
        finding = check(resource, catalog)
        if finding is not None:
            return finding
    return None
