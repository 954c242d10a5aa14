"""TNX006 missing-attribute and TNX005 unresolved-value: can the resource be checked at all?"""

from __future__ import annotations

from collections.abc import Sequence

from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.findings import RULES, Finding
from telnyx_coverage.resources import KINDS, PlannedResource, ResourceKind, is_unknown


def needed_attributes(resource: PlannedResource) -> tuple[str, ...]:
    """The fields the placement checks read for this resource, in the order they read them."""
    if resource.kind is ResourceKind.VIRTUAL_CROSS_CONNECT:
        return ("region_code", "cloud_provider", "cloud_provider_region", "bandwidth_mbps")
    return ("region_code",)


def missing_attribute(
    resource: PlannedResource, catalog: CoverageCatalog | None = None
) -> Finding | None:
    """TNX006: a field the API requires on create is absent (or null)."""
    required = KINDS[resource.kind].required if resource.required is None else resource.required
    missing = [
        f for f in required if resource.values.get(f) is None and f not in _unknowns(resource)
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


def unresolved_value(resource: PlannedResource, reads: Sequence[str]) -> Finding | None:
    """TNX005: a value the next check ``reads`` is known only after apply, so it cannot be
    checked. The message names every placement value still unknown, not only that one."""
    unknowns = _unknowns(resource)
    if not any(f in unknowns for f in reads):
        return None
    unknown = [f for f in needed_attributes(resource) if f in unknowns]
    names = ", ".join(unknown)
    return Finding(
        RULES["TNX005"],
        f"{names} {'is' if len(unknown) == 1 else 'are'} not known before apply, "
        "so the placement cannot be checked",
        resource=resource,
        attribute=unknown[0],
        suggestions=list(
            _UNRESOLVED_HINTS.get((resource.origin, resource.source_type))
            or _UNRESOLVED_HINTS[(resource.origin, "")]
        ),
    )


_UNRESOLVED_HINTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("hcl", ""): (
        "give the value as a literal, a variable or a local the checker can evaluate",
        "or check the plan instead: terraform show -json plan.out > plan.json",
    ),
    ("hcl", "module"): (
        "pass the module's input explicitly, as a literal, a variable or a local "
        "(a remote module's defaults are not read)",
        "or check the plan instead: terraform show -json plan.out > plan.json",
    ),
    ("plan", ""): (
        "the plan marks it known only after apply (after_unknown): give it as a literal or a "
        "variable in the configuration",
        "or, when it truly cannot be known before apply, suppress TNX005 for this resource",
    ),
    ("pulumi", ""): (
        "it is another resource's output, known only after pulumi up: give it from stack "
        "config or as a literal",
        "or, when it truly cannot be known before apply, suppress TNX005 for this resource",
    ),
}


def _unknowns(resource: PlannedResource) -> set[str]:
    return {name for name, value in resource.values.items() if is_unknown(value)}
