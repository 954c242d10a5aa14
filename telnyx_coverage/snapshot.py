"""The snapshot file (version 1): both coverage lists as the API returned them, on disk.

Written atomically (a temporary file in the same directory, fsync, rename), so a reader never
sees half a snapshot. Every way a snapshot can be wrong is a :class:`CoverageUnavailableError`
that names the file and says what to do.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from telnyx_coverage.errors import CoverageUnavailableError, InputError
from telnyx_coverage.files import NotARegularFileError, read_input_bytes
from telnyx_coverage.models import NetworkCoverage, Snapshot, VirtualCrossConnectsCoverage

__all__ = [
    "SCHEMA_VERSION",
    "atomic_write_text",
    "parse_snapshot",
    "read_snapshot",
    "snapshot_json",
    "write_snapshot",
]

SCHEMA_VERSION: Final = 1
MAX_SNAPSHOT_BYTES: Final = 64 * 1024 * 1024
"""The whole coverage is ~100 kB: a file this big is no snapshot, and is not read into memory."""
_WRITE_HINT: Final = "write a new one with `telnyx-coverage snapshot -o FILE`"


def _item_json(item: BaseModel) -> dict[str, Any]:
    """The item as the API sent it: only the fields it had (extras included), no defaults."""
    return item.model_dump(mode="json", exclude_unset=True)


def _timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as the SPEC shows ``fetched_at``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def snapshot_json(
    network_coverage: Sequence[NetworkCoverage],
    vxc_coverage: Sequence[VirtualCrossConnectsCoverage],
    *,
    fetched_at: datetime,
    base_url: str,
) -> str:
    """The version-1 snapshot document as text."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "fetched_at": _timestamp(fetched_at),
        "base_url": base_url,
        "network_coverage": [_item_json(item) for item in network_coverage],
        "virtual_cross_connects_coverage": [_item_json(item) for item in vxc_coverage],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def atomic_write_text(path: Path, text: str, *, mode: int) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half.

    The temporary file is created 0600 by ``mkstemp`` and only then given ``mode``, so a file
    meant to be private is never readable by others, not even for a moment.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    # Make the rename itself durable; not every platform can open a directory.
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_snapshot(
    path: str | os.PathLike[str],
    network_coverage: Sequence[NetworkCoverage],
    vxc_coverage: Sequence[VirtualCrossConnectsCoverage],
    *,
    fetched_at: datetime,
    base_url: str,
) -> None:
    """Write a version-1 snapshot file atomically; an unwritable path is an InputError.

    A symlink is followed (the file it points at is replaced, the link kept); a pipe or a
    device such as ``/dev/stdout`` cannot be replaced, so it is written to as a stream.
    """
    shown = str(path)
    target = Path(os.path.realpath(path))
    text = snapshot_json(network_coverage, vxc_coverage, fetched_at=fetched_at, base_url=base_url)
    if target.is_dir():
        raise InputError("is a directory; give the snapshot a file name", file=shown)
    try:
        if target.exists() and not target.is_file():
            with open(target, "w", encoding="utf-8") as stream:
                stream.write(text)
        else:
            atomic_write_text(target, text, mode=0o644)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        error = InputError(f"cannot write the snapshot file: {reason}", file=shown)
    else:
        return
    raise error


def _field_path(loc: Sequence[int | str]) -> str:
    """``("network_coverage", 3, "location", "code")`` as ``network_coverage[3].location.code``."""
    path = ""
    for item in loc:
        path += f"[{item}]" if isinstance(item, int) else (f".{item}" if path else str(item))
    return path


def parse_snapshot(text: str, *, source: str) -> Snapshot:
    """Validate snapshot text; every problem is a CoverageUnavailableError naming ``source``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"{source}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); {_WRITE_HINT}"
    except RecursionError:
        problem = f"{source}: not a coverage snapshot (JSON nested too deeply); {_WRITE_HINT}"
    else:
        problem = _schema_problem(document, source)
        if not problem:
            try:
                snapshot = Snapshot.model_validate(document)
            except ValidationError as exc:
                problem = _invalid_fields(exc, source)
            except RecursionError:
                problem = f"{source}: invalid coverage snapshot (nested too deeply); {_WRITE_HINT}"
            else:
                if not snapshot.network_coverage:
                    # Checked against it, every region_code would be "unknown": not coverage.
                    raise CoverageUnavailableError(
                        f"{source}: holds no locations (network_coverage is empty), so nothing "
                        f"could be checked against it; {_WRITE_HINT}"
                    )
                # A time without a zone is taken as UTC, so that ages can always be computed.
                if snapshot.fetched_at.tzinfo is None:
                    fetched_at = snapshot.fetched_at.replace(tzinfo=UTC)
                    snapshot = snapshot.model_copy(update={"fetched_at": fetched_at})
                return snapshot
    raise CoverageUnavailableError(problem)


def _schema_problem(document: object, source: str) -> str:
    """What is wrong with the document's outline, or ``""``."""
    if not isinstance(document, dict):
        return (
            f"{source}: not a coverage snapshot (the top level is a JSON "
            f"{type(document).__name__}, not an object); {_WRITE_HINT}"
        )
    if "schema_version" not in document:
        return f"{source}: not a coverage snapshot (no schema_version); {_WRITE_HINT}"
    version = document["schema_version"]
    if version != SCHEMA_VERSION or isinstance(version, bool):
        return (
            f"{source}: snapshot schema_version {json.dumps(version)} is not supported; this "
            f"version of telnyx-coverage reads schema_version {SCHEMA_VERSION}. Upgrade "
            f"telnyx-coverage, or {_WRITE_HINT}"
        )
    return ""


def _invalid_fields(exc: ValidationError, source: str) -> str:
    details = []
    for error in exc.errors()[:5]:
        where = _field_path(error["loc"]) or "(top level)"
        message = "missing" if error["type"] == "missing" else error["msg"]
        if error["type"] == "extra_forbidden":
            message = "not a snapshot field"
        details.append(f"{where}: {message}")
    more = exc.error_count() - len(details)
    listed = "; ".join(details) + (f"; and {more} more" if more > 0 else "")
    return f"{source}: invalid coverage snapshot: {listed}. Fix the file, or {_WRITE_HINT}"


def read_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Read and validate a snapshot file; any problem is a CoverageUnavailableError naming it."""
    source = os.fspath(path)
    problem: str
    try:
        text = read_input_bytes(Path(path), max_bytes=MAX_SNAPSHOT_BYTES).decode("utf-8")
    except NotARegularFileError as exc:
        problem = (
            f"{source}: {exc.strerror}; point --coverage or TELNYX_COVERAGE_FILE at a snapshot file"
        )
    except FileNotFoundError:
        problem = (
            f"{source}: coverage snapshot not found; write one with "
            "`telnyx-coverage snapshot -o FILE`, or point --coverage / TELNYX_COVERAGE_FILE "
            "at an existing snapshot"
        )
    except IsADirectoryError:
        problem = f"{source}: is a directory, not a coverage snapshot file"
    except UnicodeDecodeError as exc:
        problem = f"{source}: not UTF-8 text (byte {exc.start}); {_WRITE_HINT}"
    except OSError as exc:
        problem = f"{source}: cannot read the coverage snapshot: {exc.strerror or exc}"
    else:
        return parse_snapshot(text, source=source)
    raise CoverageUnavailableError(problem)
