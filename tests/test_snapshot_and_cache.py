"""Snapshots round-trip exactly and name the file when broken; the cache is never trusted."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from telnyx_coverage.cache import cache_path, default_cache_dir, read_cache, write_cache
from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.client import CoverageClient
from telnyx_coverage.coverage_server import CoverageServer
from telnyx_coverage.errors import CoverageUnavailableError, InputError
from telnyx_coverage.models import Snapshot
from telnyx_coverage.snapshot import read_snapshot, write_snapshot
from telnyx_coverage.sources import fetch_live

NOW = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
BASE_URL = "https://api.telnyx.com/v2"


def catalog_answers(catalog: CoverageCatalog) -> dict[str, Any]:
    """Every question the checks ask, for every location and cloud region in the catalog."""
    codes = [loc.code for loc in catalog.locations]
    clouds = [(p, r) for p in catalog.cloud_providers() for r in catalog.cloud_regions(p)]
    return {
        "locations": [loc.model_dump() for loc in catalog.locations],
        "services": {c: sorted(catalog.services(c)) for c in codes},
        "pairings": {c: catalog.pairings_from(c) for c in codes},
        "reaching": {f"{p}/{r}": catalog.locations_reaching(p, r) for p, r in clouds},
        "offering": {
            s: catalog.locations_offering(s) for s in ("cloud_vpn", "virtual_cross_connect")
        },
        "nearest": catalog.nearest_codes("chicago"),
    }


# -- snapshots -----------------------------------------------------------------------------------


def test_live_to_snapshot_to_catalog_round_trip(
    coverage_server: CoverageServer, example_snapshot_path: Path, tmp_path: Path
) -> None:
    with CoverageClient("test-key", coverage_server.base_url) as client:
        network = client.list_network_coverage()
        vxc = client.list_virtual_cross_connects_coverage()
    path = tmp_path / "coverage.json"
    write_snapshot(path, network, vxc, fetched_at=NOW, base_url=coverage_server.base_url)

    written = json.loads(path.read_text(encoding="utf-8"))
    served = json.loads(example_snapshot_path.read_text(encoding="utf-8"))
    # Items exactly as the API returned them: nothing invented, nothing dropped.
    assert written["network_coverage"] == served["network_coverage"]
    assert written["virtual_cross_connects_coverage"] == served["virtual_cross_connects_coverage"]
    assert written["schema_version"] == 1
    assert written["fetched_at"] == "2026-12-04T11:00:00Z"
    assert written["base_url"] == coverage_server.base_url

    snapshot = read_snapshot(path)
    from_file = CoverageCatalog(snapshot.network_coverage, snapshot.virtual_cross_connects_coverage)
    assert catalog_answers(from_file) == catalog_answers(CoverageCatalog(network, vxc))
    assert snapshot.fetched_at == NOW


def test_fields_the_api_sent_are_kept_and_none_are_invented(tmp_path: Path) -> None:
    raw_item = {"location": {"code": "x"}, "new_api_field": [1, {"a": None}]}
    snapshot = Snapshot.model_validate(
        {
            "schema_version": 1,
            "fetched_at": "2026-12-04T11:00:00Z",
            "base_url": BASE_URL,
            "network_coverage": [raw_item],
            "virtual_cross_connects_coverage": [],
        }
    )
    path = tmp_path / "s.json"
    write_snapshot(path, snapshot.network_coverage, [], fetched_at=NOW, base_url=BASE_URL)
    assert json.loads(path.read_text())["network_coverage"] == [raw_item]


def test_writing_replaces_atomically_and_leaves_no_temporary_files(
    tmp_path: Path, small_snapshot: Snapshot
) -> None:
    path = tmp_path / "coverage.json"
    path.write_text("old", encoding="utf-8")
    write_snapshot(
        path,
        small_snapshot.network_coverage,
        small_snapshot.virtual_cross_connects_coverage,
        fetched_at=NOW,
        base_url=BASE_URL,
    )
    assert [p.name for p in tmp_path.iterdir()] == ["coverage.json"]
    assert read_snapshot(path).network_coverage == small_snapshot.network_coverage


def test_an_unwritable_snapshot_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        write_snapshot(tmp_path / "no" / "such" / "dir.json", [], [], fetched_at=NOW, base_url="x")
    assert "dir.json" in str(caught.value)


def write(tmp_path: Path, document: Any, name: str = "coverage.json") -> Path:
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def valid_document() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "fetched_at": "2026-12-04T11:00:00Z",
        "base_url": BASE_URL,
        "network_coverage": [
            {"available_services": ["cloud_vpn"], "location": {"code": "chicago-il"}}
        ],
        "virtual_cross_connects_coverage": [],
    }


def test_a_snapshot_that_is_not_json_says_where(tmp_path: Path) -> None:
    path = write(tmp_path, '{\n  "schema_version": 1,\n  "fetched_at": oops\n}')
    with pytest.raises(CoverageUnavailableError) as caught:
        read_snapshot(path)
    assert str(caught.value).startswith(f"{path}:3:17: not valid JSON")


def test_a_snapshot_of_another_version_says_which(tmp_path: Path) -> None:
    path = write(tmp_path, {**valid_document(), "schema_version": 2})
    with pytest.raises(CoverageUnavailableError) as caught:
        read_snapshot(path)
    message = str(caught.value)
    assert str(path) in message
    assert "schema_version 2 is not supported" in message
    assert "reads schema_version 1" in message


@pytest.mark.parametrize(
    ("change", "field_path"),
    [
        (lambda d: d.pop("fetched_at"), "fetched_at: missing"),
        (lambda d: d["network_coverage"][0].pop("location"), "network_coverage[0].location"),
        (lambda d: d.update(network_coverage={"a": 1}), "network_coverage:"),
        (lambda d: d.update(fetched_at="yesterday"), "fetched_at:"),
        (lambda d: d.update(surprise=1), "surprise: not a snapshot field"),
    ],
)
def test_a_snapshot_with_a_bad_field_names_it(tmp_path: Path, change: Any, field_path: str) -> None:
    document = valid_document()
    change(document)
    path = write(tmp_path, document)
    with pytest.raises(CoverageUnavailableError) as caught:
        read_snapshot(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: invalid coverage snapshot")
    assert field_path in message
    assert "pydantic" not in message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "not found"),
        ("[]", "not a coverage snapshot"),
        ({"network_coverage": []}, "no schema_version"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_other_broken_snapshots_name_the_file(tmp_path: Path, content: Any, words: str) -> None:
    path = tmp_path / "coverage.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        write(tmp_path, content)
    with pytest.raises(CoverageUnavailableError) as caught:
        read_snapshot(path)
    assert str(path) in str(caught.value)
    assert words in str(caught.value)


def test_a_directory_is_not_a_snapshot(tmp_path: Path) -> None:
    with pytest.raises(CoverageUnavailableError, match="is a directory"):
        read_snapshot(tmp_path)


def test_a_time_without_a_zone_is_utc(tmp_path: Path) -> None:
    path = write(tmp_path, {**valid_document(), "fetched_at": "2026-12-04T11:00:00"})
    assert read_snapshot(path).fetched_at == NOW


# -- the cache -----------------------------------------------------------------------------------


def store(cache_dir: Path, snapshot: Snapshot, fetched_at: datetime = NOW) -> Path:
    path = write_cache(
        BASE_URL,
        snapshot.network_coverage,
        snapshot.virtual_cross_connects_coverage,
        fetched_at=fetched_at,
        cache_dir=cache_dir,
    )
    assert path is not None
    return path


def test_cache_round_trip_within_the_ttl(cache_dir: Path, small_snapshot: Snapshot) -> None:
    path = store(cache_dir, small_snapshot)
    found = read_cache(BASE_URL, cache_dir=cache_dir, now=NOW + timedelta(minutes=59))
    assert found is not None
    snapshot, found_path = found
    assert found_path == path
    assert snapshot.network_coverage == small_snapshot.network_coverage
    assert (
        snapshot.virtual_cross_connects_coverage == small_snapshot.virtual_cross_connects_coverage
    )


def test_cache_files_are_private_and_hold_no_key(cache_dir: Path, small_snapshot: Snapshot) -> None:
    path = store(cache_dir, small_snapshot)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Named by the base URL only, in the snapshot format.
    assert path.name == f"coverage-{hashlib.sha256(BASE_URL.encode()).hexdigest()[:32]}.json"
    assert read_snapshot(path).base_url == BASE_URL
    assert [p.name for p in cache_dir.iterdir()] == [path.name]


def test_the_key_is_in_no_cache_file(coverage_server: CoverageServer, cache_dir: Path) -> None:
    fetch_live(api_key="test-key", base_url=coverage_server.base_url, cache_dir=cache_dir)
    (path,) = cache_dir.iterdir()
    assert b"test-key" not in path.read_bytes()
    assert "test-key" not in path.name


def test_expired_cache_is_ignored(cache_dir: Path, small_snapshot: Snapshot) -> None:
    store(cache_dir, small_snapshot)
    assert read_cache(BASE_URL, cache_dir=cache_dir, now=NOW + timedelta(seconds=3601)) is None
    assert read_cache(BASE_URL, cache_dir=cache_dir, ttl=60, now=NOW + timedelta(minutes=2)) is None
    # Written "in the future" (beyond a little clock skew): not believed either.
    assert read_cache(BASE_URL, cache_dir=cache_dir, now=NOW - timedelta(hours=1)) is None


def test_another_base_url_has_its_own_cache(cache_dir: Path, small_snapshot: Snapshot) -> None:
    store(cache_dir, small_snapshot)
    assert read_cache("https://api.example.test/v2", cache_dir=cache_dir, now=NOW) is None
    assert read_cache(BASE_URL + "/", cache_dir=cache_dir, now=NOW) is not None


@pytest.mark.parametrize(
    "corrupt",
    [
        "",
        "{not json",
        json.dumps({"schema_version": 99}),
        json.dumps({"schema_version": 1, "fetched_at": "2026-12-04T11:00:00Z"}),
    ],
)
def test_a_corrupt_cache_is_ignored_never_an_error(
    cache_dir: Path, small_snapshot: Snapshot, corrupt: str
) -> None:
    path = store(cache_dir, small_snapshot)
    path.write_text(corrupt, encoding="utf-8")
    assert read_cache(BASE_URL, cache_dir=cache_dir, now=NOW) is None


def test_a_cache_that_cannot_be_written_is_no_error(
    tmp_path: Path, small_snapshot: Snapshot
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    written = write_cache(
        BASE_URL,
        small_snapshot.network_coverage,
        [],
        fetched_at=NOW,
        cache_dir=blocker / "cache",
    )
    assert written is None


def test_the_cache_dir_comes_from_the_environment_or_the_user_cache(tmp_path: Path) -> None:
    assert default_cache_dir({"TELNYX_COVERAGE_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert default_cache_dir({}).name == "telnyx-coverage"
    assert cache_path(BASE_URL, tmp_path).parent == tmp_path


def test_the_cache_is_rewritten_private_over_a_loose_file(
    cache_dir: Path, small_snapshot: Snapshot
) -> None:
    path = store(cache_dir, small_snapshot)
    os.chmod(path, 0o644)
    store(cache_dir, small_snapshot)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_snapshot_with_no_locations_is_invalid(tmp_path: Path) -> None:
    """Checked against it, every region_code would be "unknown": no coverage at all."""
    document = valid_document()
    document["network_coverage"] = []
    with pytest.raises(CoverageUnavailableError) as caught:
        read_snapshot(write(tmp_path, document))
    assert "holds no locations (network_coverage is empty)" in str(caught.value)


def test_a_live_answer_with_no_locations_fails_closed_and_is_not_cached(
    cache_dir: Path,
) -> None:
    empty = Snapshot.model_validate(valid_document() | {"network_coverage": []})
    with CoverageServer(empty) as server, pytest.raises(CoverageUnavailableError) as caught:
        fetch_live(api_key="test-key", base_url=server.base_url, cache_dir=cache_dir)
    assert "with no locations at all" in str(caught.value)
    assert not cache_dir.exists() or list(cache_dir.iterdir()) == []
