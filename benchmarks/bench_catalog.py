"""Figures for the cost of loading coverage: API requests per run, and catalog build time.

Run: ``.venv/bin/python benchmarks/bench_catalog.py`` (from the repository root). Prints
figures only; it asserts nothing. Everything runs against the local coverage server.
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.coverage_server import CoverageServer
from telnyx_coverage.models import (
    NetworkCoverage,
    Snapshot,
    VirtualCrossConnectsCoverage,
)
from telnyx_coverage.snapshot import read_snapshot, write_snapshot
from telnyx_coverage.sources import load_coverage

LOCATIONS = 5_000
PAIRINGS_PER_LOCATION = 3
PAGE_SIZE = 250
REPEATS = 5


def generated_snapshot(locations: int) -> Snapshot:
    """``locations`` synthetic locations, each with a few VXC pairings."""
    regions = ("AMER", "EMEA", "APAC")
    services = ("virtual_cross_connect", "cloud_vpn", "public_internet_gateway")
    clouds = (("aws", "us-east-1"), ("gce", "europe-west3"), ("azure", "Frankfurt"))
    network = []
    vxc = []
    for n in range(locations):
        location = {
            "region": regions[n % 3],
            "site": f"S{n % 97:02d}",
            "pop": f"P{n:05d}",
            "name": f"City {n}, XX",
            "code": f"city-{n:05d}",
        }
        network.append(
            NetworkCoverage.model_validate(
                {"available_services": list(services[: 1 + n % 3]), "location": location}
            )
        )
        for k in range(PAIRINGS_PER_LOCATION):
            provider, region = clouds[(n + k) % 3]
            vxc.append(
                VirtualCrossConnectsCoverage.model_validate(
                    {
                        "cloud_provider": provider,
                        "cloud_provider_region": region,
                        "location": location,
                        "available_bandwidth": [50, 100, 200, 500, 1000][: 1 + (n + k) % 5],
                    }
                )
            )
    return Snapshot(
        schema_version=1,
        fetched_at=datetime.now(UTC),
        base_url="https://api.telnyx.com/v2",
        network_coverage=network,
        virtual_cross_connects_coverage=vxc,
    )


def requests_per_run(snapshot: Snapshot, work: Path) -> None:
    """Cold (no cache) and warm (cache) runs of load_coverage against the coverage server."""
    cache_dir = work / "cache"
    with CoverageServer(snapshot, max_page_size=PAGE_SIZE) as server:
        environ = {"TELNYX_API_KEY": "test-key", "TELNYX_BASE_URL": server.base_url}
        started = time.perf_counter()
        load_coverage(environ=environ, cache_dir=cache_dir)
        cold_seconds = time.perf_counter() - started
        cold = server.requests
        server.reset_requests()
        started = time.perf_counter()
        load_coverage(environ=environ, cache_dir=cache_dir)
        warm_seconds = time.perf_counter() - started
        warm = server.requests

    print(f"requests per run ({LOCATIONS} locations, page[size] {PAGE_SIZE}):")
    for endpoint, items in (
        ("network_coverage", snapshot.network_coverage),
        ("virtual_cross_connects_coverage", snapshot.virtual_cross_connects_coverage),
    ):
        pages = math.ceil(len(items) / PAGE_SIZE)
        sent = sum(1 for r in cold if r.path.endswith("/" + endpoint))
        print(f"  cold {endpoint:33} {sent:4d} requests for {pages:4d} pages ({len(items)} items)")
    print(f"  cold total {len(cold):4d} requests in {cold_seconds * 1000:8.1f} ms")
    print(f"  warm total {len(warm):4d} requests in {warm_seconds * 1000:8.1f} ms (cache)")


def catalog_build_time(snapshot: Snapshot, work: Path) -> None:
    """Time to read the snapshot file and to build a CoverageCatalog from it."""
    path = work / "coverage.json"
    write_snapshot(
        path,
        snapshot.network_coverage,
        snapshot.virtual_cross_connects_coverage,
        fetched_at=snapshot.fetched_at,
        base_url=snapshot.base_url,
    )
    reads, builds = [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        loaded = read_snapshot(path)
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        CoverageCatalog(loaded.network_coverage, loaded.virtual_cross_connects_coverage)
        builds.append(time.perf_counter() - started)
    size_kib = path.stat().st_size / 1024
    print(
        f"catalog from a {LOCATIONS}-location snapshot ({size_kib:.0f} KiB), median of {REPEATS}:"
    )
    print(f"  read_snapshot            {statistics.median(reads) * 1000:8.1f} ms")
    print(f"  CoverageCatalog(...)     {statistics.median(builds) * 1000:8.1f} ms")


def main() -> None:
    """Print the figures."""
    snapshot = generated_snapshot(LOCATIONS)
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        requests_per_run(snapshot, Path(tmp))
        catalog_build_time(snapshot, Path(tmp))


if __name__ == "__main__":
    main()
