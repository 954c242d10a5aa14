"""Where a run's coverage comes from: a snapshot file, the cache, or the live API.

Precedence: an explicit snapshot path, else ``TELNYX_COVERAGE_FILE``, else the live API
(``TELNYX_API_KEY``, ``TELNYX_BASE_URL``) through the cache. A live run fetches each
endpoint's full list once, whatever the number of resources; every check is then local.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import httpx

from telnyx_coverage.cache import DEFAULT_CACHE_TTL, read_cache, write_cache
from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.client import DEFAULT_BASE_URL, CoverageClient
from telnyx_coverage.errors import CoverageUnavailableError
from telnyx_coverage.findings import CoverageInfo
from telnyx_coverage.models import Snapshot
from telnyx_coverage.snapshot import read_snapshot

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "COVERAGE_FILE_ENV",
    "LoadedCoverage",
    "fetch_live",
    "load_coverage",
]

API_KEY_ENV: Final = "TELNYX_API_KEY"
BASE_URL_ENV: Final = "TELNYX_BASE_URL"
COVERAGE_FILE_ENV: Final = "TELNYX_COVERAGE_FILE"

NO_SOURCE_MESSAGE: Final = (
    "No Telnyx coverage to check against: set TELNYX_API_KEY to an API v2 key to use the live "
    "API, or pass --coverage FILE (or set TELNYX_COVERAGE_FILE=FILE) to use a snapshot written "
    "by `telnyx-coverage snapshot -o FILE`."
)


@dataclass(frozen=True)
class LoadedCoverage:
    """The catalog a run checks against, and where its coverage came from."""

    catalog: CoverageCatalog
    info: CoverageInfo


def _env(environ: Mapping[str, str], name: str) -> str | None:
    """An environment variable, with an empty value taken as unset."""
    value = environ.get(name, "").strip()
    return value or None


def _catalog(snapshot: Snapshot) -> CoverageCatalog:
    return CoverageCatalog(snapshot.network_coverage, snapshot.virtual_cross_connects_coverage)


def load_coverage(
    *,
    snapshot_path: str | os.PathLike[str] | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    use_cache: bool = True,
    cache_ttl: float = DEFAULT_CACHE_TTL,
    cache_dir: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    environ: Mapping[str, str] = os.environ,
) -> LoadedCoverage:
    """The run's coverage from the first source available; CoverageUnavailableError if none."""
    path = snapshot_path if snapshot_path is not None else _env(environ, COVERAGE_FILE_ENV)
    if path is not None:
        snapshot = read_snapshot(path)
        info = CoverageInfo(source="snapshot", fetched_at=snapshot.fetched_at, path=os.fspath(path))
        return LoadedCoverage(_catalog(snapshot), info)

    key = api_key or _env(environ, API_KEY_ENV)
    if not key:
        raise CoverageUnavailableError(NO_SOURCE_MESSAGE)
    url = (base_url or _env(environ, BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")

    if use_cache:
        cached = read_cache(url, cache_dir=cache_dir, ttl=cache_ttl, environ=environ)
        if cached is not None:
            snapshot, cache_file = cached
            info = CoverageInfo(
                source="cache", fetched_at=snapshot.fetched_at, path=str(cache_file)
            )
            return LoadedCoverage(_catalog(snapshot), info)

    snapshot = fetch_live(
        api_key=key,
        base_url=url,
        use_cache=use_cache,
        cache_dir=cache_dir,
        transport=transport,
        environ=environ,
    )
    return LoadedCoverage(_catalog(snapshot), CoverageInfo("api", snapshot.fetched_at))


def fetch_live(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    environ: Mapping[str, str] = os.environ,
    client: CoverageClient | None = None,
) -> Snapshot:
    """Both full lists from the live API (never the cache), and the cache refreshed with them.

    The ``snapshot`` command writes the result with ``write_snapshot``. ``client`` lets a
    caller bring its own configured client (then ``api_key``/``base_url``/``transport`` are
    not used).
    """
    own_client = client is None
    if client is None:
        key = api_key or _env(environ, API_KEY_ENV)
        if not key:
            raise CoverageUnavailableError(
                "The live Telnyx API needs TELNYX_API_KEY: set it to a Telnyx API v2 key."
            )
        url = base_url or _env(environ, BASE_URL_ENV) or DEFAULT_BASE_URL
        client = CoverageClient(key, url, transport=transport)
    # The time the fetch started: the answer is at least this fresh, never fresher.
    fetched_at = datetime.now(UTC).replace(microsecond=0)
    try:
        network_coverage = client.list_network_coverage()
        vxc_coverage = client.list_virtual_cross_connects_coverage()
    finally:
        if own_client:
            client.close()
    if not network_coverage:
        # Checked against it, every region_code would be "unknown": fail closed, cache nothing.
        raise CoverageUnavailableError(
            f"The Telnyx coverage API answered GET {client.base_url}/network_coverage with no "
            "locations at all: that is no coverage to check against. Try again later, or check "
            "against a snapshot with --coverage FILE."
        )
    if use_cache:
        write_cache(
            client.base_url,
            network_coverage,
            vxc_coverage,
            fetched_at=fetched_at,
            cache_dir=cache_dir,
            environ=environ,
        )
    return Snapshot(
        schema_version=1,
        fetched_at=fetched_at,
        base_url=client.base_url,
        network_coverage=network_coverage,
        virtual_cross_connects_coverage=vxc_coverage,
    )
