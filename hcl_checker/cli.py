"""The ``telnyx-coverage`` command line: argument parsing and exit codes.

Exit codes (SPEC.md): 0 nothing at or above ``--fail-on``; 1 findings at or above it;
2 usage or input error; 3 coverage unavailable. No user-facing failure prints a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from hcl_checker.commands import browse, check, rules, snapshot
from telnyx_coverage import __version__
from telnyx_coverage.errors import TelnyxCoverageError

PROG = "telnyx-coverage"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error says how to get help (and still exits 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The full CLI: ``check``, ``snapshot``, ``locations``, ``vxc-coverage``, ``rules``."""
    parser = _Parser(
        prog=PROG,
        description="Check Telnyx networking placements (region_code, cloud region, bandwidth) "
        "in Terraform against Telnyx coverage before apply.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    check.register(commands)
    snapshot.register(commands)
    browse.register(commands)
    rules.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except TelnyxCoverageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): nothing left to say to it.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
