"""Shared fixtures: a real coverage server on 127.0.0.1, snapshots, a private cache dir.

Every test runs with the Telnyx environment variables removed and the coverage cache pointed
at a temporary directory, so a developer's real key or cache can never leak into a test and no
test can reach the real API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from telnyx_coverage.coverage_server import CoverageServer
from telnyx_coverage.models import NetworkCoverage, Snapshot, VirtualCrossConnectsCoverage

EXAMPLE_SNAPSHOT = Path(__file__).resolve().parents[1] / "examples" / "coverage-snapshot.json"

TELNYX_ENV = (
    "TELNYX_API_KEY",
    "TELNYX_BASE_URL",
    "TELNYX_COVERAGE_FILE",
    "TELNYX_COVERAGE_CACHE_DIR",
    "TELNYX_COVERAGE_MAX_AGE",
    "TELNYX_COVERAGE_CONFIG",
    "TELNYX_COVERAGE_REPORT",
    "TELNYX_COVERAGE_REPORT_FORMAT",
)


@pytest.fixture(autouse=True)
def _isolated_telnyx_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No real key, base URL or snapshot from the developer's shell; a throwaway cache dir."""
    for name in TELNYX_ENV:
        monkeypatch.delenv(name, raising=False)
    cache = tmp_path_factory.mktemp("isolated-cache") / "telnyx-coverage"
    monkeypatch.setenv("TELNYX_COVERAGE_CACHE_DIR", str(cache))
    # The bundled example snapshot grows older every day; tests that are not about staleness
    # must not start failing a week after it was taken (TNX008 tests set their own age).
    monkeypatch.setenv("TELNYX_COVERAGE_MAX_AGE", "36500d")


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """A temporary cache directory (not created yet: the cache creates it, 0700)."""
    return tmp_path / "cache" / "telnyx-coverage"


@pytest.fixture(scope="session")
def example_snapshot_path() -> Path:
    """examples/coverage-snapshot.json: the SPEC's snapshot format, version 1."""
    return EXAMPLE_SNAPSHOT


@pytest.fixture
def coverage_server(example_snapshot_path: Path) -> Iterator[CoverageServer]:
    """The coverage API on 127.0.0.1 (ephemeral port) serving the example snapshot.

    Its key is ``"test-key"``: ``CoverageClient("test-key", coverage_server.base_url)``.
    """
    with CoverageServer(example_snapshot_path) as server:
        yield server


StartServer = Callable[..., CoverageServer]


@pytest.fixture
def start_coverage_server() -> Iterator[StartServer]:
    """Start more servers: ``start_coverage_server(snapshot_or_path, max_page_size=3, ...)``.

    Takes ``CoverageServer``'s arguments; every server started is stopped after the test.
    """
    started: list[CoverageServer] = []

    def start(snapshot: Snapshot | str | Path, **kwargs: Any) -> CoverageServer:
        server = CoverageServer(snapshot, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def make_snapshot(
    network_coverage: Sequence[dict[str, Any]] = (),
    virtual_cross_connects_coverage: Sequence[dict[str, Any]] = (),
    *,
    fetched_at: datetime | None = None,
    base_url: str = "https://api.telnyx.com/v2",
) -> Snapshot:
    """A Snapshot from raw API items (dicts as the API returns them)."""
    return Snapshot(
        schema_version=1,
        fetched_at=fetched_at or datetime.now(UTC),
        base_url=base_url,
        network_coverage=[NetworkCoverage.model_validate(i) for i in network_coverage],
        virtual_cross_connects_coverage=[
            VirtualCrossConnectsCoverage.model_validate(i) for i in virtual_cross_connects_coverage
        ],
    )


def location(
    code: str, region: str = "AMER", site: str = "ORD", pop: str = "CH1"
) -> dict[str, Any]:
    """A raw ``location`` object."""
    return {"region": region, "site": site, "pop": pop, "name": code.title(), "code": code}


def generated_snapshot(locations: int, *, pairings_per_location: int = 2) -> Snapshot:
    """A synthetic snapshot with ``locations`` locations, for paging and scale."""
    regions = ("AMER", "EMEA", "APAC")
    services = ("virtual_cross_connect", "cloud_vpn", "public_internet_gateway")
    clouds = (("aws", "us-east-1"), ("gce", "europe-west3"), ("azure", "Frankfurt"))
    network = []
    vxc = []
    for n in range(locations):
        loc = location(f"loc-{n:05d}", regions[n % 3], f"S{n % 50:02d}", f"P{n:05d}")
        network.append(
            {
                "available_services": list(services[: 1 + n % 3]),
                "location": loc,
                "record_type": "network_coverage",
            }
        )
        for k in range(pairings_per_location):
            provider, cloud_region = clouds[(n + k) % 3]
            vxc.append(
                {
                    "cloud_provider": provider,
                    "cloud_provider_region": cloud_region,
                    "location": loc,
                    "available_bandwidth": [50, 100, 200, 500][: 1 + (n + k) % 4],
                    "record_type": "virtual_cross_connects_coverage",
                }
            )
    return make_snapshot(network, vxc)


@pytest.fixture
def small_snapshot() -> Snapshot:
    """Three locations with known services and pairings (independent of the example file)."""
    return make_snapshot(
        [
            {
                "available_services": ["virtual_cross_connect", "cloud_vpn"],
                "location": location("chicago-il", "AMER", "ORD", "CH1"),
                "record_type": "network_coverage",
            },
            {
                "available_services": ["cloud_vpn", "private_wireless_gateway"],
                "location": location("frankfurt-de", "EMEA", "FRA", "FR5"),
                "record_type": "network_coverage",
                "future_field": {"kept": True},
            },
            {
                "available_services": ["virtual_cross_connect"],
                "location": location("ashburn-va", "AMER", "IAD", "DC2"),
                "record_type": "network_coverage",
            },
        ],
        [
            {
                "cloud_provider": "aws",
                "cloud_provider_region": "us-east-2",
                "location": location("chicago-il", "AMER", "ORD", "CH1"),
                "available_bandwidth": [50],
                "record_type": "virtual_cross_connects_coverage",
            },
            {
                "cloud_provider": "aws",
                "cloud_provider_region": "us-east-1",
                "location": location("chicago-il", "AMER", "ORD", "CH1"),
                "available_bandwidth": [50, 100, 200.0, 500],
                "record_type": "virtual_cross_connects_coverage",
            },
            {
                "cloud_provider": "gce",
                "cloud_provider_region": "europe-west3",
                "location": location("frankfurt-de", "EMEA", "FRA", "FR5"),
                "available_bandwidth": [100, 1000],
                "record_type": "virtual_cross_connects_coverage",
            },
        ],
        fetched_at=datetime(2026, 12, 4, 11, 0, tzinfo=UTC),
    )


@pytest.fixture
def recorded_sleeps() -> list[float]:
    """A list to pass as ``sleep=recorded_sleeps.append``: backoff recorded, never waited."""
    return []


@pytest.fixture
def snapshot_from_items() -> Callable[..., Snapshot]:
    """``make_snapshot`` as a fixture: a Snapshot from raw API item dicts."""
    return make_snapshot


@pytest.fixture
def generate_snapshot() -> Callable[..., Snapshot]:
    """``generated_snapshot`` as a fixture: ``generate_snapshot(600)`` for paging and scale."""
    return generated_snapshot
