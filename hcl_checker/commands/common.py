"""What several subcommands share: the coverage options and loading coverage from them."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from telnyx_coverage.errors import InputError
from telnyx_coverage.sources import COVERAGE_FILE_ENV, LoadedCoverage, load_coverage


def add_coverage_options(parser: argparse.ArgumentParser) -> None:
    """``--coverage FILE`` and ``--no-cache``."""
    parser.add_argument(
        "--coverage",
        metavar="FILE",
        type=Path,
        help="read coverage from this snapshot file, with no network "
        "(default: $TELNYX_COVERAGE_FILE, else the live API with $TELNYX_API_KEY)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="always ask the live API; neither read nor write the local cache",
    )


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """``--config FILE``."""
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="config file (default: .telnyx-coverage.toml or [tool.telnyx-coverage] in "
        "pyproject.toml, from the working directory upwards)",
    )


def add_format_option(parser: argparse.ArgumentParser, choices: tuple[str, ...]) -> None:
    parser.add_argument(
        "--format",
        choices=choices,
        default=choices[0],
        help=f"output format (default: {choices[0]})",
    )


def shown_path(path: Path) -> str:
    """``path`` as messages show it: relative inside the working directory, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return os.fspath(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.fspath(absolute)


def load(
    args: argparse.Namespace,
    *,
    snapshot_path: Path | None = None,
    cache_ttl: float = 3600,
) -> LoadedCoverage:
    """Coverage from ``--coverage``, else $TELNYX_COVERAGE_FILE, else ``snapshot_path`` (the
    config's ``coverage``), else the live API: the command line beats the environment, which
    beats the config file."""
    path = args.coverage or (None if os.environ.get(COVERAGE_FILE_ENV) else snapshot_path)
    shown = None if path is None else shown_path(path)
    return load_coverage(snapshot_path=shown, use_cache=not args.no_cache, cache_ttl=cache_ttl)


def write_output(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` (or stdout); an unwritable path is an input error."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(
            f"cannot write the report: {error.strerror}", file=shown_path(output)
        ) from None
