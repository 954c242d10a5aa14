"""telnyx-coverage: check Telnyx networking placements against Telnyx coverage before apply."""

from telnyx_coverage.catalog import CoverageCatalog, Pairing
from telnyx_coverage.errors import CoverageUnavailableError, InputError, TelnyxCoverageError
from telnyx_coverage.findings import (
    RULES,
    CoverageInfo,
    Finding,
    ProblemReport,
    Report,
    ResourceResult,
    ResourceStatus,
    Rule,
    Severity,
)
from telnyx_coverage.resources import (
    KINDS,
    UNKNOWN,
    PlannedResource,
    ResourceKind,
    Suppression,
    is_unknown,
)

__version__ = "0.1.0"

__all__ = [
    "KINDS",
    "RULES",
    "UNKNOWN",
    "CoverageCatalog",
    "CoverageInfo",
    "CoverageUnavailableError",
    "Finding",
    "InputError",
    "Pairing",
    "PlannedResource",
    "ProblemReport",
    "Report",
    "ResourceKind",
    "ResourceResult",
    "ResourceStatus",
    "Rule",
    "Severity",
    "Suppression",
    "TelnyxCoverageError",
    "__version__",
    "is_unknown",
]
