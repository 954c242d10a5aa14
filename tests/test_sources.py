"""Coverage comes from a snapshot, the cache or the live API, in that order, at bounded cost."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from telnyx_coverage.cache import cache_path, write_cache
from telnyx_coverage.coverage_server import CoverageServer, Fault
from telnyx_coverage.errors import CoverageUnavailableError
from telnyx_coverage.models import Snapshot
from telnyx_coverage.sources import fetch_live, load_coverage

StartServer = Callable[..., CoverageServer]


def live_env(server: CoverageServer) -> dict[str, str]:
    return {"TELNYX_API_KEY": "test-key", "TELNYX_BASE_URL": server.base_url}


def test_an_explicit_snapshot_comes_first(
    example_snapshot_path: Path, tmp_path: Path, coverage_server: CoverageServer
) -> None:
    environ = {**live_env(coverage_server), "TELNYX_COVERAGE_FILE": str(tmp_path / "nope.json")}
    loaded = load_coverage(snapshot_path=example_snapshot_path, environ=environ)
    assert loaded.info.source == "snapshot"
    assert loaded.info.path == str(example_snapshot_path)
    assert loaded.info.fetched_at == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    assert loaded.catalog.is_known("chicago-il")
    assert coverage_server.requests == []


def test_the_snapshot_from_the_environment_comes_before_the_api(
    example_snapshot_path: Path, coverage_server: CoverageServer
) -> None:
    environ = {**live_env(coverage_server), "TELNYX_COVERAGE_FILE": str(example_snapshot_path)}
    loaded = load_coverage(environ=environ)
    assert loaded.info.source == "snapshot"
    assert coverage_server.requests == []


def test_a_broken_snapshot_is_an_error_not_a_fallback_to_the_api(
    tmp_path: Path, coverage_server: CoverageServer
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[", encoding="utf-8")
    with pytest.raises(CoverageUnavailableError, match=r"bad\.json"):
        load_coverage(snapshot_path=bad, environ=live_env(coverage_server))
    assert coverage_server.requests == []


def test_no_key_and_no_snapshot_says_how_to_provide_one() -> None:
    with pytest.raises(CoverageUnavailableError) as caught:
        load_coverage(environ={})
    message = str(caught.value)
    for way in ("--coverage FILE", "TELNYX_COVERAGE_FILE", "TELNYX_API_KEY"):
        assert way in message


def test_live_then_cache_costs_one_request_per_page_then_none(
    start_coverage_server: StartServer,
    generate_snapshot: Callable[..., Snapshot],
    cache_dir: Path,
) -> None:
    server = start_coverage_server(generate_snapshot(60), max_page_size=25)
    cold = load_coverage(environ=live_env(server), cache_dir=cache_dir)
    assert cold.info.source == "api"
    assert cold.info.fetched_at is not None
    assert len(cold.catalog.locations) == 60
    assert len(server.requests_to("/network_coverage")) == 3  # 60 items, 25 a page
    assert len(server.requests_to("/virtual_cross_connects_coverage")) == 5  # 120 pairings

    server.reset_requests()
    warm = load_coverage(environ=live_env(server), cache_dir=cache_dir)
    assert warm.info.source == "cache"
    assert warm.info.fetched_at == cold.info.fetched_at
    assert warm.info.path == str(cache_path(server.base_url, cache_dir))
    assert server.requests == []
    assert warm.catalog.locations == cold.catalog.locations
    assert warm.catalog.pairings_from("loc-00007") == cold.catalog.pairings_from("loc-00007")


def test_the_default_cache_dir_comes_from_the_environment(
    coverage_server: CoverageServer, tmp_path: Path
) -> None:
    environ = {**live_env(coverage_server), "TELNYX_COVERAGE_CACHE_DIR": str(tmp_path / "c")}
    load_coverage(environ=environ)
    assert load_coverage(environ=environ).info.source == "cache"
    assert len(list((tmp_path / "c").iterdir())) == 1


def test_an_expired_cache_is_refetched(
    coverage_server: CoverageServer, small_snapshot: Snapshot, cache_dir: Path
) -> None:
    write_cache(
        coverage_server.base_url,
        small_snapshot.network_coverage,
        small_snapshot.virtual_cross_connects_coverage,
        fetched_at=datetime.now(UTC) - timedelta(hours=2),
        cache_dir=cache_dir,
    )
    loaded = load_coverage(environ=live_env(coverage_server), cache_dir=cache_dir)
    assert loaded.info.source == "api"
    assert len(coverage_server.requests) == 2
    assert loaded.catalog.is_known("ashburn-va") and not loaded.catalog.is_known("loc-00001")
    # ...and the refreshed answer is what the next run uses.
    assert load_coverage(environ=live_env(coverage_server), cache_dir=cache_dir).info.source == (
        "cache"
    )


def test_a_shorter_ttl_refetches_sooner(coverage_server: CoverageServer, cache_dir: Path) -> None:
    load_coverage(environ=live_env(coverage_server), cache_dir=cache_dir)
    again = load_coverage(environ=live_env(coverage_server), cache_dir=cache_dir, cache_ttl=-1)
    assert again.info.source == "api"


def test_a_corrupt_cache_is_ignored_and_replaced(
    coverage_server: CoverageServer, cache_dir: Path
) -> None:
    cache_dir.mkdir(parents=True)
    path = cache_path(coverage_server.base_url, cache_dir)
    path.write_text('{"schema_version": 1, "network_coverage": "garbage"', encoding="utf-8")
    loaded = load_coverage(environ=live_env(coverage_server), cache_dir=cache_dir)
    assert loaded.info.source == "api"
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == 1


def test_no_cache_neither_reads_nor_writes_it(
    coverage_server: CoverageServer, cache_dir: Path
) -> None:
    environ = live_env(coverage_server)
    first = load_coverage(environ=environ, cache_dir=cache_dir, use_cache=False)
    assert first.info.source == "api"
    assert not cache_dir.exists()
    load_coverage(environ=environ, cache_dir=cache_dir)
    assert load_coverage(environ=environ, cache_dir=cache_dir, use_cache=False).info.source == "api"


def test_fetch_live_ignores_a_fresh_cache_and_refreshes_it(
    coverage_server: CoverageServer, cache_dir: Path
) -> None:
    environ = live_env(coverage_server)
    load_coverage(environ=environ, cache_dir=cache_dir)
    coverage_server.reset_requests()
    snapshot = fetch_live(environ=environ, cache_dir=cache_dir)
    assert len(coverage_server.requests) == 2
    assert snapshot.base_url == coverage_server.base_url
    assert snapshot.fetched_at.tzinfo is not None
    cached = json.loads(cache_path(coverage_server.base_url, cache_dir).read_text("utf-8"))
    assert cached["fetched_at"] == snapshot.fetched_at.isoformat().replace("+00:00", "Z")


def test_explicit_arguments_beat_the_environment(
    coverage_server: CoverageServer, cache_dir: Path
) -> None:
    environ = {"TELNYX_API_KEY": "wrong", "TELNYX_BASE_URL": "https://api.example.test/v2"}
    loaded = load_coverage(
        api_key="test-key", base_url=coverage_server.base_url, environ=environ, cache_dir=cache_dir
    )
    assert loaded.info.source == "api"


def test_a_failing_api_is_one_coverage_error(
    coverage_server: CoverageServer, cache_dir: Path
) -> None:
    coverage_server.inject(Fault(status=401))
    with pytest.raises(CoverageUnavailableError, match="TELNYX_API_KEY"):
        load_coverage(environ=live_env(coverage_server), cache_dir=cache_dir)
    assert not cache_dir.exists()


def test_plain_http_to_a_remote_host_is_refused_before_any_request(cache_dir: Path) -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    environ = {"TELNYX_API_KEY": "secret-key-1234", "TELNYX_BASE_URL": "http://api.telnyx.com/v2"}
    with pytest.raises(CoverageUnavailableError) as caught:
        load_coverage(environ=environ, transport=httpx.MockTransport(record), cache_dir=cache_dir)
    assert "plain http" in str(caught.value)
    assert "secret-key-1234" not in str(caught.value)
    assert sent == []


def test_the_transport_can_be_swapped(small_snapshot: Snapshot, cache_dir: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer k-123456"
        items = (
            small_snapshot.network_coverage
            if request.url.path.endswith("/network_coverage")
            else small_snapshot.virtual_cross_connects_coverage
        )
        data = [i.model_dump(mode="json", exclude_unset=True) for i in items]
        meta = {"page_number": 1, "total_pages": 1}
        return httpx.Response(200, json={"data": data, "meta": meta})

    loaded = load_coverage(
        environ={"TELNYX_API_KEY": "k-123456"},
        transport=httpx.MockTransport(answer),
        cache_dir=cache_dir,
    )
    assert loaded.catalog.offers("frankfurt-de", "private_wireless_gateway")
    assert cache_path("https://api.telnyx.com/v2", cache_dir).exists()
