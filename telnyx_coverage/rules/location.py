"""TNX001 unknown-location and TNX002 service-not-available: is the region_code a place that
offers the resource's service?"""

from __future__ import annotations

from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.findings import RULES, Finding
from telnyx_coverage.resources import KINDS, PlannedResource
from telnyx_coverage.suggestions import describe, offering_service


def unknown_location(resource: PlannedResource, catalog: CoverageCatalog) -> Finding | None:
    """TNX001: ``region_code`` is no coverage ``location.code``."""
    region_code = resource.values.get("region_code")
    if region_code is None or (isinstance(region_code, str) and catalog.is_known(region_code)):
        return None
    service = KINDS[resource.kind].service
    suggestions: list[str] = []
    if isinstance(region_code, str):
        message = f'region_code "{region_code}" is not a Telnyx location code'
        nearest = [c for c in catalog.nearest_codes(region_code) if catalog.offers(c, service)]
        nearest = nearest or catalog.nearest_codes(region_code)
        if nearest:
            suggestions.append("did you mean: " + ", ".join(describe(catalog, c) for c in nearest))
    else:
        message = f"region_code must be a location code string, not {region_code!r}"
    suggestions.append(offering_service(catalog, service))
    return Finding(
        RULES["TNX001"],
        message,
        resource=resource,
        attribute="region_code",
        suggestions=suggestions,
    )


def service_not_available(resource: PlannedResource, catalog: CoverageCatalog) -> Finding | None:
    """TNX002: the location does not offer the resource's service."""
    region_code = resource.values.get("region_code")
    if not isinstance(region_code, str):
        return None
    service = KINDS[resource.kind].service
    if catalog.offers(region_code, service):
        return None
    offered = sorted(catalog.services(region_code))
    needed_by = "" if service == resource.kind.value else f", which a {resource.kind.value} needs"
    offers = f"it offers {', '.join(offered)}" if offered else "it offers no service"
    message = f"{region_code} does not offer {service}{needed_by} ({offers})"
    location = catalog.location(region_code)
    region = location.region if location else None
    return Finding(
        RULES["TNX002"],
        message,
        resource=resource,
        attribute="region_code",
        suggestions=[offering_service(catalog, service, prefer_region=region)],
    )
