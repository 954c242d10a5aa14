"""``telnyx-coverage check [PATH ...]``: find every placement mistake, with the line and the fix."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from hcl_checker import hcl, plan
from hcl_checker.commands.common import (
    add_config_option,
    add_coverage_options,
    load,
    shown_path,
    write_output,
)
from hcl_checker.progress import Progress
from hcl_checker.reports import FORMATS, render
from telnyx_coverage.config import Config, load_config
from telnyx_coverage.engine import check, check_without_coverage, exceeds, options_from_config
from telnyx_coverage.errors import CoverageUnavailableError, InputError
from telnyx_coverage.findings import ProblemReport, Report, Severity
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
        "coverage. PATH is a directory (searched for root modules), a .tf/.tf.json (or OpenTofu "
        ".tofu/.tofu.json) file or a plan JSON file; no PATH means the current directory (with "
        "--pulumi and no PATH, only the Pulumi program is checked).",
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
    add_config_option(parser)
    parser.add_argument(
        "--allow-unavailable",
        action="store_true",
        help="when coverage cannot be loaded, report a TNX007 warning and exit 0 instead of 3",
    )
    parser.add_argument(
        "--pulumi",
        type=Path,
        metavar="DIR",
        help="also check the Python Pulumi program in DIR, run under Pulumi's mocks "
        "(no Pulumi CLI needed)",
    )
    parser.add_argument(
        "--stack",
        metavar="NAME",
        help="with --pulumi: the stack whose Pulumi.NAME.yaml config is used "
        "(default: the only stack config in DIR)",
    )
    parser.add_argument(
        "--changed",
        action="store_true",
        help="PATHs are changed files (as pre-commit passes them): check each module holding "
        "one, once, evaluated from the working directory, and report only those modules",
    )
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no progress indicator on a terminal"
    )
    parser.set_defaults(run=run, cli_vars=[])


def run(args: argparse.Namespace) -> int:
    """Scan, load coverage (only when there is something to check), check, report."""
    cwd = Path.cwd()
    config = load_config(explicit=args.config, cwd=cwd)
    fail_on = args.fail_on or config.fail_on
    if args.stack is not None and args.pulumi is None:
        raise InputError("--stack goes with --pulumi DIR")
    paths: list[Path] = args.paths or ([] if args.pulumi else [Path(".")])
    for path in paths:
        if not path.exists():
            raise InputError("no such file or directory", file=shown_path(path))

    progress = Progress.for_terminal(sys.stderr, quiet=args.quiet)
    try:
        resources, errors = _collect(args, config, paths, cwd, progress)
    finally:
        progress.clear()
    try:
        report = _check(args, config, resources, errors)
    except CoverageUnavailableError as error:
        if args.output is not None and str(args.output) != "-":
            # Exit 3 prints no report, but a report file from an earlier run must not be left
            # for a CI step to upload as this run's: write this run's, which says why.
            options = options_from_config(config)
            unavailable = check_without_coverage(
                resources, str(error), options=options, errors=errors, severity=Severity.ERROR
            )
            write_output(render(unavailable, args.format, color=False), args.output)
        raise
    color = args.output is None and args.format == "text" and _use_color()
    write_output(render(report, args.format, color=color), args.output)

    if report.errors:
        return 2
    return 1 if exceeds(report, fail_on) else 0


def _collect(
    args: argparse.Namespace,
    config: Config,
    paths: list[Path],
    cwd: Path,
    progress: Progress,
) -> tuple[list[PlannedResource], list[ProblemReport]]:
    """Every planned resource (and input problem) from the plan, HCL and Pulumi inputs."""
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
            [cwd] if args.changed else hcl_paths,
            cli_vars=args.cli_vars,
            cwd=cwd,
            resource_types=resource_types,
            modules=config.modules,
            progress=progress.modules,
            syntax_check=[p for p in hcl_paths if p.is_file()],
        )
        found, problems = scanned.resources, scanned.errors
        if args.changed:
            found, problems = _in_changed_modules(hcl_paths, found, problems, cwd)
        resources += found
        errors += problems
    if args.pulumi is not None:
        # Imported here: the Pulumi SDK is an optional extra, and slow to import.
        from hcl_checker import pulumi_input

        if not args.pulumi.is_dir():
            raise InputError(
                "--pulumi needs a directory holding Pulumi.yaml", file=shown_path(args.pulumi)
            )
        program = pulumi_input.scan_pulumi(
            args.pulumi,
            stack=args.stack,
            cwd=cwd,
            resource_types=pulumi_input.pulumi_resource_types(config.resource_types),
        )
        resources += program.resources
        errors += program.errors
    return resources, errors


def _in_changed_modules(
    changed: list[Path],
    resources: list[PlannedResource],
    errors: list[ProblemReport],
    cwd: Path,
) -> tuple[list[PlannedResource], list[ProblemReport]]:
    """Only what the modules holding the changed files declare, or feed through a call."""
    modules = {Path(os.path.abspath(p if p.is_dir() else p.parent)) for p in changed}

    def in_modules(file: str | None) -> bool:
        return file is not None and Path(os.path.abspath(cwd / file)).parent in modules

    kept = [
        r
        for r in resources
        if in_modules(r.file) or any(in_modules(f) for f in r.attribute_files.values())
    ]
    return kept, [e for e in errors if in_modules(e.file)]


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
        return check_without_coverage(resources, str(error), options=options, errors=errors)
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
