"""``telnyx-coverage snapshot -o FILE``: save live coverage for offline and air-gapped runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from telnyx_coverage.snapshot import snapshot_json, write_snapshot
from telnyx_coverage.sources import fetch_live


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "snapshot",
        help="write the live coverage to a snapshot file",
        description="Fetch both coverage lists from the live API ($TELNYX_API_KEY, "
        "$TELNYX_BASE_URL) and write them to FILE (atomically). Check with --coverage FILE "
        "later, with no network.",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        required=True,
        help="the snapshot file to write; - writes the snapshot to stdout",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="do not refresh the local cache with the answer"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Fetch live coverage and write it as a version-1 snapshot."""
    snapshot = fetch_live(use_cache=not args.no_cache)
    lists = (snapshot.network_coverage, snapshot.virtual_cross_connects_coverage)
    if str(args.output) == "-":
        text = snapshot_json(*lists, fetched_at=snapshot.fetched_at, base_url=snapshot.base_url)
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_snapshot(
            args.output, *lists, fetched_at=snapshot.fetched_at, base_url=snapshot.base_url
        )
    shown = "the snapshot to stdout" if str(args.output) == "-" else args.output
    print(
        f"wrote {shown}: {len(snapshot.network_coverage)} locations, "
        f"{len(snapshot.virtual_cross_connects_coverage)} VXC pairings "
        f"(fetched {snapshot.fetched_at.isoformat().replace('+00:00', 'Z')})",
        file=sys.stderr,
    )
    return 0
