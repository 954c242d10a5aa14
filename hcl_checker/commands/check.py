"""``telnyx-coverage check [PATH ...]``: find every placement mistake, with the line and the fix."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from hcl_checker import hcl, plan
from hcl_checker.commands.common import add_coverage_options, load, write_output
from hcl_checker.reports import FORMATS, render
from telnyx_coverage.config import Config, load_config
from telnyx_coverage.engine import check, exceeds, options_from_config
from telnyx_coverage.errors import CoverageUnavailableError, InputError
from telnyx_coverage.findings import (
    RULES,
    Finding,
    ProblemReport,
    Report,
    ResourceResult,
    ResourceStatus,
    Severity,
)
from telnyx_coverage.resources import PlannedResource, TypeMapping


class _InOrder(argparse.Action):
    """Keeps ``--var`` and ``--var-file`` in one list, in command-line order (as Terraform)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        kind = "file" if option_string == "--var-file" else "var"
        ordered = list(getattr(namespace, self.dest) or [])
        ordered.append((kind, values))
        setattr(namespace, self.dest, ordered)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check",
        help="check Terraform code against Telnyx coverage",
        description="Check every Telnyx networking resource in Terraform code against Telnyx "
        "coverage. PATH is a directory (searched for root modules), a .tf/.tf.json file or a "
        "plan JSON file; no PATH means the current directory.",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    parser.add_argument(
        "--tf-dir",
        type=Path,
        metavar="DIR",
        help="the configuration a plan JSON PATH was planned from, to point findings at .tf "
        "lines and apply their ignore comments (default: the plan's own folder, when it holds "
        ".tf files)",
    )
    parser.add_argument(
        "--var",
        dest="cli_vars",
        action=_InOrder,
        metavar="NAME=VALUE",
        help="set a root module variable, as terraform plan -var (repeatable)",
    )
    parser.add_argument(
        "--var-file",
        dest="cli_vars",
        action=_InOrder,
        metavar="FILE",
        help="read root module variables from a .tfvars file (repeatable)",
    )
    add_coverage_options(parser)
    parser.add_argument(
        "--format",
        choices=tuple(FORMATS),
        default="text",
        help="report format (default: text)",
    )
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report here")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        help="exit 1 when a finding is at or above this severity (default: error)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="config file (default: .telnyx-coverage.toml or [tool.telnyx-coverage] in "
        "pyproject.toml, from the working directory upwards)",
    )
    parser.add_argument(
        "--allow-unavailable",
        action="store_true",
        help="when coverage cannot be loaded, report a TNX007 warning and exit 0 instead of 3",
    )
    parser.set_defaults(run=run, cli_vars=[])


def run(args: argparse.Namespace) -> int:
    """Scan, load coverage (only when there is something to check), check, report."""
    cwd = Path.cwd()
    config = load_config(explicit=args.config, cwd=cwd)
    fail_on = args.fail_on or config.fail_on
    paths: list[Path] = args.paths or [Path(".")]
    for path in paths:
        if not path.exists():
            raise InputError("no such file or directory", file=str(path))

    resource_types = {**hcl.BUILTIN, **_config_types(config)}
    plan_paths = [p for p in paths if p.is_file() and plan.looks_like_json_file(p)]
    hcl_paths = [p for p in paths if p not in plan_paths]
    if args.tf_dir is not None and not plan_paths:
        raise InputError("--tf-dir applies to a plan JSON PATH (terraform show -json output)")
    resources: list[PlannedResource] = []
    errors: list[ProblemReport] = []
    for path in plan_paths:
        planned = plan.read_plan(
            path,
            resource_types=resource_types,
            modules=config.modules,
            cwd=cwd,
            tf_dir=args.tf_dir,
        )
        resources += planned.resources
        errors += planned.errors
    if hcl_paths:
        scanned = hcl.scan(
            hcl_paths,
            cli_vars=args.cli_vars,
            cwd=cwd,
            resource_types=resource_types,
            modules=config.modules,
        )
        resources += scanned.resources
        errors += scanned.errors
    report = _check(args, config, resources, errors)
    color = args.output is None and args.format == "text" and _use_color()
    write_output(render(report, args.format, color=color), args.output)

    if report.errors:
        return 2
    if any(f.rule.id == "TNX007" for f in report.findings):
        return 0
    return 1 if exceeds(report, fail_on) else 0


def _check(
    args: argparse.Namespace,
    config: Config,
    resources: list[PlannedResource],
    errors: list[ProblemReport],
) -> Report:
    options = options_from_config(config)
    if not resources:
        return Report(coverage=None, errors=list(errors))
    try:
        loaded = load(args, snapshot_path=config.coverage, cache_ttl=config.cache_ttl)
    except CoverageUnavailableError as error:
        if not args.allow_unavailable:
            raise
        rule = RULES["TNX007"]
        finding = Finding(rule, str(error), severity=Severity.WARNING)
        return Report(
            coverage=None,
            resources=[ResourceResult(r, ResourceStatus.UNRESOLVED) for r in resources],
            findings=[finding],
            errors=list(errors),
        )
    return check(
        resources,
        loaded.catalog,
        coverage=loaded.info,
        options=options,
        errors=errors,
    )


def _config_types(config: Config) -> dict[str, TypeMapping]:
    """The config's ``resource_types``: they add to, and may override, the built-in types."""
    return dict(config.resource_types)


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ
