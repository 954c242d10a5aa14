"""``telnyx-coverage locations`` and ``telnyx-coverage vxc-coverage``: browse coverage.

Filters are applied to the full lists (loaded once and cached), with the API's meaning:
``--service`` is "available_services contains", ``--bandwidth`` is "available_bandwidth
contains"; location and cloud names compare without regard to case.
"""

from __future__ import annotations

import argparse
import json
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
from telnyx_coverage.models import NetworkCoverage, VirtualCrossConnectsCoverage

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


def _mbps(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _print_json(items: list[NetworkCoverage] | list[VirtualCrossConnectsCoverage]) -> None:
    print(json.dumps([i.model_dump(mode="json") for i in items], indent=2))
