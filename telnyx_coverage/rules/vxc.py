"""TNX003 vxc-cloud-region-not-available and TNX004 vxc-bandwidth-not-available: does the
pairing between the Telnyx location and the cloud region exist, at that bandwidth?"""

from __future__ import annotations

from telnyx_coverage.catalog import CoverageCatalog, Number
from telnyx_coverage.findings import RULES, Finding
from telnyx_coverage.resources import PlannedResource, ResourceKind
from telnyx_coverage.suggestions import listing


def cloud_region_not_available(
    resource: PlannedResource, catalog: CoverageCatalog
) -> Finding | None:
    """TNX003: no VXC coverage for (location, cloud_provider, cloud_provider_region)."""
    if resource.kind is not ResourceKind.VIRTUAL_CROSS_CONNECT:
        return None
    code = resource.values.get("region_code")
    provider = resource.values.get("cloud_provider")
    cloud_region = resource.values.get("cloud_provider_region")
    if not (isinstance(code, str) and isinstance(provider, str) and isinstance(cloud_region, str)):
        return None
    if catalog.pairing(code, provider, cloud_region) is not None:
        return None

    suggestions: list[str] = []
    providers = catalog.cloud_providers()
    if provider not in providers:
        attribute = "cloud_provider"
        message = f'cloud_provider "{provider}" has no VXC coverage'
        spelling = catalog.provider_spelling(provider)
        if spelling is not None:
            suggestions.append(f'did you mean: {spelling} (coverage spells it "{spelling}")')
        suggestions.append(f"cloud_provider is one of: {', '.join(providers)}")
    else:
        attribute = "cloud_provider_region"
        message = f"no VXC coverage from {code} to {provider} {cloud_region}"
        spelling = catalog.region_spelling(provider, cloud_region)
        if spelling is not None:
            suggestions.append(
                f'did you mean: {spelling} ({provider} regions are spelt exactly as "{spelling}")'
            )
        reached = [
            p.cloud_provider_region
            for p in catalog.pairings_from(code)
            if p.cloud_provider == provider
        ]
        if reached:
            suggestions.append(f"from {code}, {provider} reaches: {listing(reached)}")
        else:
            suggestions.append(f"VXCs from {code} reach no {provider} region")
        target = spelling or cloud_region
        reaching = catalog.locations_reaching(provider, target)
        if reaching:
            suggestions.append(f"locations reaching {provider} {target}: {listing(reaching)}")
        else:
            known = catalog.cloud_regions(provider)
            suggestions.append(
                f'no location reaches {provider} region "{cloud_region}"; '
                f"{provider} regions with coverage: {listing(known)}"
            )
    return Finding(
        RULES["TNX003"], message, resource=resource, attribute=attribute, suggestions=suggestions
    )


def bandwidth_not_available(resource: PlannedResource, catalog: CoverageCatalog) -> Finding | None:
    """TNX004: ``bandwidth_mbps`` is not in that pairing's ``available_bandwidth``."""
    if resource.kind is not ResourceKind.VIRTUAL_CROSS_CONNECT:
        return None
    raw = resource.values.get("bandwidth_mbps")
    code = resource.values.get("region_code")
    provider = resource.values.get("cloud_provider")
    cloud_region = resource.values.get("cloud_provider_region")
    if raw is None or not (
        isinstance(code, str) and isinstance(provider, str) and isinstance(cloud_region, str)
    ):
        return None
    pairing = catalog.pairing(code, provider, cloud_region)
    if pairing is None:
        return None
    offered = pairing.available_bandwidth
    offered_text = ", ".join(_mbps(b) for b in offered) + " Mbps"
    bandwidth = _as_number(raw)
    if bandwidth is None:
        return Finding(
            RULES["TNX004"],
            f"bandwidth_mbps must be a number of Mbps, not {raw!r}",
            resource=resource,
            attribute="bandwidth_mbps",
            suggestions=[f"offered from {code} to {provider} {cloud_region}: {offered_text}"],
        )
    if bandwidth in offered:
        return None
    suggestions = [f"offered from {code} to {provider} {cloud_region}: {offered_text}"]
    nearest = catalog.nearest_bandwidth(bandwidth, offered)
    if nearest is not None:
        suggestions.append(f"nearest tier: {_mbps(nearest)}")
    elsewhere = [
        c
        for c in catalog.locations_reaching(provider, cloud_region)
        if (p := catalog.pairing(c, provider, cloud_region)) and bandwidth in p.available_bandwidth
    ]
    if elsewhere:
        target = f"{_mbps(bandwidth)} Mbps to {provider} {cloud_region}"
        suggestions.append(f"locations offering {target}: {listing(elsewhere)}")
    return Finding(
        RULES["TNX004"],
        f"bandwidth_mbps {_mbps(bandwidth)} is not offered"
        f" from {code} to {provider} {cloud_region}",
        resource=resource,
        attribute="bandwidth_mbps",
        suggestions=suggestions,
    )


def _as_number(value: object) -> Number | None:
    """Terraform converts ``"500"`` to a number for a number attribute; so do we."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None


def _mbps(value: Number) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
