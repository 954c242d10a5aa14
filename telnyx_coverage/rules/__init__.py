"""The rule table: each rule a small function of (resource, catalog), run in SPEC order.

A check returns a :class:`~telnyx_coverage.findings.Finding` when its rule fails, else None.
The engine stops at the first failing check so that one mistake gives one finding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.findings import Finding
from telnyx_coverage.resources import PlannedResource
from telnyx_coverage.rules import attributes, location, vxc

Check = Callable[[PlannedResource, CoverageCatalog], Finding | None]

CHECKS: Final[tuple[tuple[str, Check], ...]] = (
    ("TNX006", attributes.missing_attribute),
    ("TNX005", attributes.unresolved_value),
    ("TNX001", location.unknown_location),
    ("TNX002", location.service_not_available),
    ("TNX003", vxc.cloud_region_not_available),
    ("TNX004", vxc.bandwidth_not_available),
)
"""(rule id, check) in the order SPEC.md runs them."""
