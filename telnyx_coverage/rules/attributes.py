"""TNX006 missing-attribute and TNX005 unresolved-value: can the resource be checked at all?"""

from __future__ import annotations

from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.findings import RULES, Finding
from telnyx_coverage.resources import KINDS, PlannedResource, ResourceKind, is_unknown


def needed_attributes(resource: PlannedResource) -> tuple[str, ...]:
    """The fields the placement checks read for this resource, in the order they read them."""
    if resource.kind is ResourceKind.VIRTUAL_CROSS_CONNECT:
        return ("region_code", "cloud_provider", "cloud_provider_region", "bandwidth_mbps")
    return ("region_code",)


def missing_attribute(resource: PlannedResource, catalog: CoverageCatalog) -> Finding | None:
    """TNX006: a field the API requires on create is absent (or null)."""
    info = KINDS[resource.kind]
    missing = [
        f for f in info.required if resource.values.get(f) is None and f not in _unknowns(resource)
    ]
    if not missing:
        return None
    names = ", ".join(missing)
    plural = "s" if len(missing) > 1 else ""
    return Finding(
        RULES["TNX006"],
        f"missing required attribute{plural} {names}: the API refuses to create a "
        f"{resource.kind.value} without {'them' if plural else 'it'}",
        resource=resource,
        attribute=missing[0],
        suggestions=[f"set {field}" for field in missing],
    )


def unresolved_value(resource: PlannedResource, catalog: CoverageCatalog) -> Finding | None:
    """TNX005: a value a check needs is known only after apply, so it cannot be checked."""
    unknown = [f for f in needed_attributes(resource) if f in _unknowns(resource)]
    if not unknown:
        return None
    names = ", ".join(unknown)
    return Finding(
        RULES["TNX005"],
        f"{names} {'is' if len(unknown) == 1 else 'are'} not known before apply, "
        "so the placement cannot be checked",
        resource=resource,
        attribute=unknown[0],
        suggestions=[
            "give the value as a literal, a variable or a local the checker can evaluate",
            "or check the plan instead: terraform show -json plan.out > plan.json",
        ],
    )


def _unknowns(resource: PlannedResource) -> set[str]:
    return {name for name, value in resource.values.items() if is_unknown(value)}
