"""The on-disk cache of live coverage answers: one snapshot-format file per base URL.

The cache is an optimisation and never a source of truth: a file that is missing, corrupt,
unreadable, of another version, for another base URL, not ours, or older than the TTL is
ignored (and the caller refetches). Nothing here raises for a bad cache. The API key is never
part of the cache: not in the file, not in its name.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import platformdirs

from telnyx_coverage.errors import CoverageUnavailableError
from telnyx_coverage.models import NetworkCoverage, Snapshot, VirtualCrossConnectsCoverage
from telnyx_coverage.snapshot import atomic_write_text, read_snapshot, snapshot_json

__all__ = [
    "CACHE_DIR_ENV",
    "DEFAULT_CACHE_TTL",
    "cache_path",
    "default_cache_dir",
    "read_cache",
    "write_cache",
]

logger = logging.getLogger(__name__)

CACHE_DIR_ENV: Final = "TELNYX_COVERAGE_CACHE_DIR"
DEFAULT_CACHE_TTL: Final = 3600.0
CLOCK_SKEW: Final = timedelta(minutes=5)
"""A cache written this far in the future is still believed (clocks differ a little)."""


def default_cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$TELNYX_COVERAGE_CACHE_DIR``, else the user cache dir for telnyx-coverage."""
    override = environ.get(CACHE_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir("telnyx-coverage", appauthor=False))


def _normal_base_url(base_url: str) -> str:
    return base_url.strip().rstrip("/")


def cache_path(base_url: str, cache_dir: Path) -> Path:
    """The cache file for ``base_url``: named by a sha256 of the base URL and nothing else."""
    digest = hashlib.sha256(_normal_base_url(base_url).encode("utf-8")).hexdigest()
    return cache_dir / f"coverage-{digest[:32]}.json"


def read_cache(
    base_url: str,
    *,
    cache_dir: Path | None = None,
    ttl: float = DEFAULT_CACHE_TTL,
    now: datetime | None = None,
    environ: Mapping[str, str] = os.environ,
) -> tuple[Snapshot, Path] | None:
    """The cached coverage for ``base_url`` and its file, or None when there is none to trust."""
    path = cache_path(base_url, cache_dir or default_cache_dir(environ))
    why = _untrusted(path)
    if why:
        logger.debug("coverage cache %s ignored: %s", path, why)
        return None
    try:
        # read_snapshot refuses what is no regular file: a FIFO here must not hang a run.
        snapshot = read_snapshot(path)
    except (OSError, UnicodeDecodeError, CoverageUnavailableError) as exc:
        logger.info("coverage cache %s ignored: %s", path, exc)
        return None
    if _normal_base_url(snapshot.base_url) != _normal_base_url(base_url):
        logger.info("coverage cache %s ignored: it is for another base URL", path)
        return None
    current = now or datetime.now(UTC)
    age = current - snapshot.fetched_at
    if age > timedelta(seconds=ttl) or age < -CLOCK_SKEW:
        logger.debug("coverage cache %s expired (fetched %s)", path, snapshot.fetched_at)
        return None
    return snapshot, path


def _untrusted(path: Path) -> str:
    """Why the file must not be read, or ``""``."""
    try:
        status = path.stat()
    except OSError as exc:
        return exc.strerror or "cannot stat"
    # Someone else's file in our cache dir could be planted data: never believe it.
    getuid = getattr(os, "getuid", None)
    if getuid is not None and status.st_uid != getuid():
        return "owned by another user"
    return ""


def write_cache(
    base_url: str,
    network_coverage: Sequence[NetworkCoverage],
    vxc_coverage: Sequence[VirtualCrossConnectsCoverage],
    *,
    fetched_at: datetime,
    cache_dir: Path | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Path | None:
    """Store a live answer (dir 0700, file 0600, atomically); None when it cannot be written."""
    directory = cache_dir or default_cache_dir(environ)
    path = cache_path(base_url, directory)
    text = snapshot_json(
        network_coverage, vxc_coverage, fetched_at=fetched_at, base_url=_normal_base_url(base_url)
    )
    try:
        if not directory.is_dir():
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            # mkdir's mode is filtered by the umask; the cache is private whatever the umask.
            with contextlib.suppress(OSError):
                directory.chmod(0o700)
        atomic_write_text(path, text, mode=0o600)
    except OSError as exc:
        # A cache that cannot be written costs the next run a refetch, nothing more.
        logger.info("coverage cache %s not written: %s", path, exc.strerror or exc)
        return None
    return path
