"""``telnyx-coverage rules``: the rule table, with each rule's doc page."""

from __future__ import annotations

import argparse
import json
from typing import Any

from hcl_checker.commands.common import add_format_option
from hcl_checker.table import render_table
from telnyx_coverage.findings import RULES


def register(commands: Any) -> None:
    parser = commands.add_parser("rules", help="list the rules", description="List the rules.")
    add_format_option(parser, ("table", "json"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print every rule in SPEC order."""
    if args.format == "json":
        rows: Any = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity.value,
                "summary": r.summary,
                "doc": r.doc_path,
            }
            for r in RULES.values()
        ]
        print(json.dumps(rows, indent=2))
        return 0
    table = [[r.id, r.name, r.severity.value, r.summary, r.doc_path] for r in RULES.values()]
    print(render_table(["ID", "NAME", "SEVERITY", "WHEN", "DOC"], table), end="")
    return 0
