"""Wording shared by the rules' suggestions: what would pass, in Telnyx's words."""

from __future__ import annotations

from telnyx_coverage.catalog import CoverageCatalog

MAX_LISTED = 8


def describe(catalog: CoverageCatalog, code: str) -> str:
    """``chicago-il (Chicago IL, US; pop CH1)``."""
    location = catalog.location(code)
    if location is None:
        return code
    details = "; ".join(
        part for part in (location.name, f"pop {location.pop}" if location.pop else None) if part
    )
    return f"{code} ({details})" if details else code


def listing(items: list[str]) -> str:
    """A comma list cut at :data:`MAX_LISTED` with the count of the rest."""
    if len(items) <= MAX_LISTED:
        return ", ".join(items)
    return ", ".join(items[:MAX_LISTED]) + f" and {len(items) - MAX_LISTED} more"


def offering_service(
    catalog: CoverageCatalog, service: str, *, prefer_region: str | None = None
) -> str:
    """``locations offering cloud_vpn: ...``, those in ``prefer_region`` first."""
    codes = catalog.locations_offering(service)
    if not codes:
        return f"no location offers {service} in the coverage used"
    if prefer_region:
        same = [c for c in codes if (loc := catalog.location(c)) and loc.region == prefer_region]
        if same:
            return f"locations offering {service} in {prefer_region}: {listing(same)}"
    return f"locations offering {service}: {listing(codes)}"
