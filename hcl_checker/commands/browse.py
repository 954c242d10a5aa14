"""``telnyx-coverage locations`` and ``telnyx-coverage vxc-coverage``: browse coverage.

Filters are applied to the full lists (loaded once and cached), with the API's meaning:
``--service`` is "available_services contains", ``--bandwidth`` is "available_bandwidth
contains"; location and cloud names compare without regard to case.

A filter that leaves nothing is fine when its value exists somewhere in the coverage (no
location offers that service in that region, say): the table is empty and the exit code 0.
When nothing matches and a value exists nowhere in the coverage (``--service cloud-vpn``,
``--cloud-provider gcp``, ``--region NA``), it is taken for a typo: a usage error (exit 2)
naming the value, a did-you-mean and the values there are.
"""

from __future__ import annotations

import argparse
import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hcl_checker.commands.common import (
    add_config_option,
    add_coverage_options,
    add_format_option,
    load,
)
from hcl_checker.table import render_table
from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.client import filter_network_coverage, filter_virtual_cross_connects_coverage
from telnyx_coverage.config import load_config
from telnyx_coverage.errors import InputError
from telnyx_coverage.models import Location, NetworkCoverage, VirtualCrossConnectsCoverage

LOCATION_FILTERS = (
    ("region", "R", "location.region: AMER, EMEA or APAC"),
    ("site", "S", "location.site, e.g. ORD"),
    ("pop", "P", "location.pop, e.g. CH1"),
    ("code", "C", "location.code (the region_code), e.g. chicago-il"),
)


def register(commands: Any) -> None:
    locations = commands.add_parser(
        "locations",
        help="list Telnyx locations and the services they offer",
        description="List Telnyx locations and the services they offer. "
        "Example: which PoPs offer cloud_vpn in AMER: "
        "telnyx-coverage locations --service cloud_vpn --region AMER",
    )
    locations.add_argument(
        "--service",
        metavar="S",
        help="only locations offering this service "
        "(virtual_cross_connect, cloud_vpn, public_internet_gateway, private_wireless_gateway)",
    )
    _add_location_filters(locations)
    add_format_option(locations, ("table", "json"))
    add_coverage_options(locations)
    add_config_option(locations)
    locations.set_defaults(run=run_locations)

    vxc = commands.add_parser(
        "vxc-coverage",
        help="list the cloud regions a VXC can reach from each location, and at what bandwidths",
        description="List VXC coverage. Examples: where can a VXC from CH1 go: "
        "telnyx-coverage vxc-coverage --pop CH1; which PoPs reach aws us-east-1: "
        "telnyx-coverage vxc-coverage --cloud-provider aws --cloud-region us-east-1",
    )
    _add_location_filters(vxc)
    vxc.add_argument("--cloud-provider", metavar="P", help="aws, azure or gce")
    vxc.add_argument(
        "--cloud-region",
        metavar="R",
        help="the cloud's own region name: us-east-1 (aws), europe-west3 (gce), Frankfurt (azure)",
    )
    vxc.add_argument("--bandwidth", metavar="N", type=float, help="only pairings offering N Mbps")
    add_format_option(vxc, ("table", "json"))
    add_coverage_options(vxc)
    add_config_option(vxc)
    vxc.set_defaults(run=run_vxc_coverage)


def _add_location_filters(parser: argparse.ArgumentParser) -> None:
    for name, metavar, help_text in LOCATION_FILTERS:
        parser.add_argument(f"--{name}", metavar=metavar, help=f"only {help_text}")


def _load_catalog(args: argparse.Namespace) -> CoverageCatalog:
    """Coverage from the same sources as ``check``, the config's ``coverage`` and
    ``cache_ttl`` included."""
    config = load_config(explicit=args.config, cwd=Path.cwd())
    return load(args, snapshot_path=config.coverage, cache_ttl=config.cache_ttl).catalog


def _location_filters(args: argparse.Namespace) -> dict[str, str | None]:
    return {name: getattr(args, name) for name, _, _ in LOCATION_FILTERS}


def run_locations(args: argparse.Namespace) -> int:
    """Print the matching network coverage items."""
    catalog = _load_catalog(args)
    items = filter_network_coverage(
        catalog.network_coverage, service=args.service, **_location_filters(args)
    )
    if not items:
        locations = _all_locations(catalog)
        _reject_unknown_values(
            [
                _Filter(
                    args.service,
                    "no location offers service",
                    "services",
                    [s for i in catalog.network_coverage for s in i.available_services],
                    case_sensitive=True,
                ),
                *_location_checks(args, locations),
            ]
        )
    items.sort(key=lambda i: (i.location.region or "", i.location.code))
    if args.format == "json":
        _print_json(items)
        return 0
    rows = [
        [
            i.location.code,
            i.location.region or "",
            i.location.site or "",
            i.location.pop or "",
            i.location.name or "",
            ", ".join(i.available_services),
        ]
        for i in items
    ]
    print(render_table(["CODE", "REGION", "SITE", "POP", "NAME", "SERVICES"], rows), end="")
    return 0


def run_vxc_coverage(args: argparse.Namespace) -> int:
    """Print the matching VXC coverage items."""
    catalog = _load_catalog(args)
    items = filter_virtual_cross_connects_coverage(
        catalog.virtual_cross_connects_coverage,
        cloud_provider=args.cloud_provider,
        cloud_provider_region=args.cloud_region,
        bandwidth=args.bandwidth,
        **_location_filters(args),
    )
    if not items:
        pairings = catalog.virtual_cross_connects_coverage
        provider = (args.cloud_provider or "").lower()
        same_provider = [i for i in pairings if i.cloud_provider.lower() == provider]
        _reject_unknown_values(
            [
                _Filter(
                    args.cloud_provider,
                    "no VXC coverage for cloud provider",
                    "cloud providers",
                    [i.cloud_provider for i in pairings],
                ),
                _Filter(
                    args.cloud_region,
                    "no VXC coverage for cloud region",
                    f"{same_provider[0].cloud_provider} regions"
                    if same_provider
                    else "cloud regions",
                    [i.cloud_provider_region for i in pairings],
                    shown=[i.cloud_provider_region for i in same_provider or pairings],
                ),
                *_location_checks(args, _all_locations(catalog)),
            ]
        )
    items.sort(key=lambda i: (i.location.code, i.cloud_provider, i.cloud_provider_region))
    if args.format == "json":
        _print_json(items)
        return 0
    rows = [
        [
            i.location.code,
            i.location.pop or "",
            i.cloud_provider,
            i.cloud_provider_region,
            ", ".join(_mbps(b) for b in i.available_bandwidth),
        ]
        for i in items
    ]
    headers = ["CODE", "POP", "CLOUD_PROVIDER", "CLOUD_REGION", "BANDWIDTH_MBPS"]
    print(render_table(headers, rows), end="")
    return 0


# -- a filter value that exists nowhere --------------------------------------------------------

_ALIASES = {
    "gcp": "gce",
    "google": "gce",
    "amazon": "aws",
    "microsoft": "azure",
    "na": "AMER",
    "us": "AMER",
    "americas": "AMER",
    "eu": "EMEA",
    "europe": "EMEA",
    "asia": "APAC",
}
"""What people write for a cloud provider or a Telnyx region, and how coverage spells it."""

MAX_SHOWN = 24
"""A longer list of known values is cut, with how many there are in all."""


@dataclass(frozen=True)
class _Filter:
    """One filter option's value and every value it can match in the coverage."""

    value: str | None
    nothing: str
    """``no location offers service``: said of the value when it exists nowhere."""
    plural: str
    """``services``: what the known values are."""
    known: Iterable[str | None]
    case_sensitive: bool = False
    shown: Iterable[str | None] | None = None
    """The values the message lists, when fewer than ``known`` are relevant."""


def _all_locations(catalog: CoverageCatalog) -> list[Location]:
    return [i.location for i in catalog.network_coverage] + [
        i.location for i in catalog.virtual_cross_connects_coverage
    ]


def _location_checks(args: argparse.Namespace, locations: Sequence[Location]) -> list[_Filter]:
    return [
        _Filter(
            getattr(args, name),
            "no location is in region" if name == "region" else f"no location has {name}",
            "regions" if name == "region" else f"{name}s",
            [getattr(location, name) for location in locations],
        )
        for name, _, _ in LOCATION_FILTERS
    ]


def _reject_unknown_values(filters: Sequence[_Filter]) -> None:
    """Raise a usage error for the first filter value that exists nowhere in the coverage."""
    for check in filters:
        if check.value is None:
            continue
        known = sorted({k for k in check.known if k})
        fold = (lambda text: text) if check.case_sensitive else str.lower
        if fold(check.value) in {fold(k) for k in known}:
            continue
        shown = sorted({k for k in (check.shown or known) if k})
        listed = ", ".join(shown[:MAX_SHOWN])
        if len(shown) > MAX_SHOWN:
            listed += f", ... ({len(shown)} in all)"
        suggestion = _did_you_mean(check.value, shown) or _did_you_mean(check.value, known)
        hint = f"; did you mean {suggestion}?" if suggestion else ";"
        raise InputError(
            f'{check.nothing} "{check.value}"{hint} {check.plural} in coverage: '
            f"{listed or '(none)'}"
        )


def _did_you_mean(value: str, known: Sequence[str]) -> str | None:
    """The known value (or the equally close ones) ``value`` most likely meant, if any."""
    by_fold = {k.lower(): k for k in known}
    alias = _ALIASES.get(value.lower())
    if alias is not None and alias.lower() in by_fold:
        return by_fold[alias.lower()]
    scored = []
    for folded, original in by_fold.items():
        matcher = difflib.SequenceMatcher(None, value.lower(), folded)
        if matcher.ratio() >= 0.6:
            scored.append((matcher.ratio(), original))
    if not scored:
        return None
    best = max(score for score, _ in scored)
    return " or ".join(sorted(k for score, k in scored if score == best)[:3])


def _mbps(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _print_json(items: list[NetworkCoverage] | list[VirtualCrossConnectsCoverage]) -> None:
    print(json.dumps([i.model_dump(mode="json") for i in items], indent=2))
