"""The telnyx-coverage CrossGuard policies: one ResourceValidationPolicy per rule, and a
StackValidationPolicy that writes the run's report.

``__main__.py`` only builds the PolicyPack from :func:`build_policies`; this module is
importable on its own (put ``policy/`` on ``sys.path``), so the policies can be tested without
starting a pack.

Every policy asks one shared :class:`PackState` for the resource's finding. The state checks
each resource once (the engine stops at the first failing rule, so one mistake gives one
finding) and each policy reports the finding only when it is its own rule. Coverage is loaded
once per pack process, on the first Telnyx resource, from the CLI's sources; when it cannot
be loaded (or the config is invalid) ``telnyx-coverage-available`` reports the reason on every
Telnyx resource, mandatory, so the gate fails closed. A value unknown during preview (TNX005)
is no violation.

Environment: ``TELNYX_API_KEY``, ``TELNYX_BASE_URL``, ``TELNYX_COVERAGE_FILE`` (coverage, as
the CLI); ``TELNYX_COVERAGE_CONFIG`` (a config file; default: found from the pack's folder
upwards); ``TELNYX_COVERAGE_REPORT`` (write the run's report there) and
``TELNYX_COVERAGE_REPORT_FORMAT`` (``json`` or ``sarif``, or any CLI ``--format``; default
``sarif`` for a ``.sarif`` file, else ``json``). Relative paths are taken from the directory
``pulumi`` was run in (``$PWD``), since the pack itself runs in ``policy/``.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import serialize_properties

from hcl_checker.pulumi_input import BUILTIN, planned_from_pulumi, pulumi_resource_types
from hcl_checker.reports import FORMATS, render
from telnyx_coverage.config import Config, ResourceType, load_config
from telnyx_coverage.engine import CheckOptions, add_stale_coverage, check, options_from_config
from telnyx_coverage.errors import InputError, TelnyxCoverageError
from telnyx_coverage.findings import (
    RULES,
    CoverageInfo,
    Finding,
    ProblemReport,
    Report,
    ResourceResult,
    ResourceStatus,
)
from telnyx_coverage.resources import PlannedResource
from telnyx_coverage.sources import COVERAGE_FILE_ENV, LoadedCoverage, load_coverage

PACK_NAME: Final = "telnyx-coverage"
CONFIG_ENV: Final = "TELNYX_COVERAGE_CONFIG"
REPORT_ENV: Final = "TELNYX_COVERAGE_REPORT"
REPORT_FORMAT_ENV: Final = "TELNYX_COVERAGE_REPORT_FORMAT"
REPORT_POLICY: Final = "telnyx-coverage-report"

POLICY_NAMES: Final[dict[str, str]] = {
    "TNX006": "telnyx-required-attributes",
    "TNX001": "telnyx-known-location",
    "TNX002": "telnyx-service-available",
    "TNX003": "telnyx-vxc-cloud-region",
    "TNX004": "telnyx-vxc-bandwidth",
    "TNX007": "telnyx-coverage-available",
}
"""Rule id to the name of the policy reporting it, in the order the engine runs the rules."""

_DESCRIPTIONS: Final[dict[str, str]] = {
    "TNX006": "every field the Telnyx API requires on create must be set",
    "TNX001": "region_code must be a location code in Telnyx coverage",
    "TNX002": "the resource's location must offer its service",
    "TNX003": "a VXC's location must reach its cloud provider region",
    "TNX004": "a VXC's bandwidth_mbps must be offered between its location and its cloud region",
    "TNX007": (
        "Telnyx coverage (snapshot or live API) and the telnyx-coverage config must load "
        "so placements can be checked"
    ),
}
"""What each rule policy requires. pulumi-policy shows the description on the line above
every violation of the policy, so each reads as the requirement the violation breaks."""

INDENT: Final = "    "

CoverageLoader = Callable[..., LoadedCoverage]


def violation_message(finding: Finding) -> str:
    """``TNX004: <message>`` and the suggestions below it, as the CLI's text report gives them."""
    return "\n".join(
        [f"{finding.rule.id}: {finding.message}", *(INDENT + s for s in finding.suggestions)]
    )


@dataclass
class Checked:
    """One Telnyx resource checked: its result, its one finding, and which policies ran on it."""

    resource: PlannedResource | None
    result: ResourceResult | None
    finding: Finding | None = None
    problem: ProblemReport | None = None
    """Its properties could not be read (a restapi ``data`` that is no JSON object)."""
    policies_run: set[str] = field(default_factory=set)


@dataclass
class _Settings:
    config: Config | None
    config_error: InputError | None
    resource_types: Mapping[str, ResourceType]


class PackState:
    """What the policies of one pack process share: config, coverage and checked resources.

    Thread-safe: the analyzer answers gRPC calls from a thread pool.
    """

    def __init__(
        self,
        *,
        environ: Mapping[str, str] = os.environ,
        cwd: Path | None = None,
        loader: CoverageLoader = load_coverage,
    ) -> None:
        self._environ = environ
        self._cwd = cwd
        self._loader = loader
        self._lock = threading.RLock()
        self._settings: _Settings | None = None
        self._coverage: LoadedCoverage | str | None = None
        self._checked: dict[tuple[str, str, str], Checked | None] = {}
        self._latest: dict[str, Checked] = {}

    def _path(self, value: str) -> Path:
        """A path from the environment: relative to where ``pulumi`` was run (``$PWD``)."""
        path = Path(value).expanduser()
        if path.is_absolute():
            return path
        base = self._environ.get("PWD") or os.fspath(self._cwd or Path.cwd())
        return Path(base) / path

    def settings(self) -> _Settings:
        """The config, loaded once; an invalid config is kept as the error to report."""
        with self._lock:
            if self._settings is None:
                explicit = self._environ.get(CONFIG_ENV, "").strip()
                try:
                    config = load_config(
                        explicit=self._path(explicit) if explicit else None,
                        cwd=self._cwd or Path.cwd(),
                        environ=self._environ,
                    )
                except InputError as error:
                    self._settings = _Settings(None, error, BUILTIN)
                else:
                    types = pulumi_resource_types(config.resource_types)
                    self._settings = _Settings(config, None, types)
            return self._settings

    def coverage(self, config: Config) -> LoadedCoverage | str:
        """The coverage, loaded once; a failure is kept as its reason (never retried)."""
        with self._lock:
            if self._coverage is None:
                from_env = self._environ.get(COVERAGE_FILE_ENV, "").strip()
                # As the CLI: the environment beats the config file's `coverage`.
                snapshot = self._path(from_env) if from_env else config.coverage
                try:
                    self._coverage = self._loader(
                        snapshot_path=snapshot, cache_ttl=config.cache_ttl, environ=self._environ
                    )
                except TelnyxCoverageError as error:
                    self._coverage = str(error)
                except Exception as error:  # fail closed on anything else, never a crash
                    self._coverage = f"coverage could not be loaded: {type(error).__name__}"
            return self._coverage

    def coverage_info(self) -> CoverageInfo | None:
        """Where the coverage came from, once loaded."""
        loaded = self._coverage
        return loaded.info if isinstance(loaded, LoadedCoverage) else None

    def check(self, type_token: str, urn: str, props: Mapping[str, Any]) -> Checked | None:
        """The resource checked (once per URN and properties), or None when it is not Telnyx's."""
        plain = _plain_props(props)
        key = (urn, type_token, json.dumps(plain, sort_keys=True, default=str))
        with self._lock:
            if key not in self._checked:
                checked = self._check(type_token, urn, plain)
                self._checked[key] = checked
                if checked is not None:
                    self._latest[urn] = checked
            return self._checked[key]

    def mark_run(self, checked: Checked, policy_name: str) -> None:
        """Note that ``policy_name`` ran on the resource (so it is not disabled)."""
        with self._lock:
            checked.policies_run.add(policy_name)

    def resolve_path(self, value: str) -> Path:
        """A path from the environment: relative to where ``pulumi`` was run (``$PWD``)."""
        return self._path(value)

    def latest(self, urn: str) -> Checked | None:
        """The last check of the resource with this URN, if it was analyzed."""
        with self._lock:
            return self._latest.get(urn)

    def _check(self, type_token: str, urn: str, props: Mapping[str, Any]) -> Checked | None:
        settings = self.settings()
        try:
            resource = planned_from_pulumi(
                type_token, urn, props, resource_types=settings.resource_types
            )
        except InputError as error:
            return Checked(None, None, problem=ProblemReport(error.message))
        except RecursionError:
            # A restapi `data` of a few thousand brackets overflows json.loads; an exception
            # here would fail the whole preview with a gRPC error instead of a violation.
            message = f"{urn}: properties nested too deeply to read"
            return Checked(None, None, problem=ProblemReport(message))
        if resource is None:
            return None
        if settings.config is None:
            assert settings.config_error is not None
            return _unavailable(
                resource, f"invalid telnyx-coverage config: {settings.config_error}"
            )
        coverage = self.coverage(settings.config)
        if isinstance(coverage, str):
            return _unavailable(resource, coverage)
        report = check(
            [resource],
            coverage.catalog,
            coverage=coverage.info,
            options=_options(settings.config),
        )
        # The finding that decides (after a suppressed TNX006 the placement checks ran on);
        # stale coverage (TNX008) is the run's, added once by report().
        finding = next((f for f in reversed(report.findings) if f.resource is not None), None)
        return Checked(resource, report.resources[0], finding)

    def report(self, stack: Iterable[tuple[str, str, Mapping[str, Any]]]) -> Report:
        """The run's report over the stack's resources, as the CLI would write it.

        A finding whose policy was disabled by the policy pack config is kept, marked
        suppressed, as the CLI keeps findings silenced by an ignore.
        """
        settings = self.settings()
        report = Report(coverage=self.coverage_info())
        if settings.config_error is not None:
            error = settings.config_error
            report.errors.append(ProblemReport(error.message, error.file, error.line, error.column))
        for type_token, urn, props in stack:
            checked = self.latest(urn) or self.check(type_token, urn, props)
            if checked is None:
                continue
            if checked.problem is not None:
                report.errors.append(checked.problem)
                continue
            assert checked.result is not None
            report.resources.append(checked.result)
            finding = checked.finding
            if finding is None:
                continue
            policy = POLICY_NAMES.get(finding.rule.id)
            if (
                policy is not None
                and checked.policies_run
                and policy not in checked.policies_run
                and not finding.suppressed
            ):
                finding = _copy_suppressed(finding, f"policy {policy} is disabled")
                report.resources[-1] = ResourceResult(
                    checked.result.resource, ResourceStatus.SUPPRESSED
                )
            report.findings.append(finding)
        if settings.config is not None:
            add_stale_coverage(report, _options(settings.config))
        return report


def _plain_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """The properties with the SDK's unknown-checking proxies unwrapped (unknowns kept as the
    engine's sentinel strings, which :func:`planned_from_pulumi` understands)."""
    try:
        return dict(serialize_properties(props))
    except TypeError:
        # Something the SDK cannot serialise (only from a test passing Python objects).
        return dict(props)


def _unavailable(resource: PlannedResource, reason: str) -> Checked:
    finding = Finding(RULES["TNX007"], reason, resource=resource)
    return Checked(resource, ResourceResult(resource, ResourceStatus.UNRESOLVED), finding)


def _copy_suppressed(finding: Finding, reason: str) -> Finding:
    return Finding(
        finding.rule,
        finding.message,
        resource=finding.resource,
        attribute=finding.attribute,
        suggestions=list(finding.suggestions),
        severity=finding.severity,
        suppressed=True,
        suppression_reason=reason,
    )


def _options(config: Config) -> CheckOptions:
    return options_from_config(config)


# --- the policies --------------------------------------------------------------------------


def _rule_validation(
    state: PackState, rule_id: str, policy_name: str
) -> Callable[[ResourceValidationArgs, Callable[..., None]], None]:
    def validate(args: ResourceValidationArgs, report_violation: Callable[..., None]) -> None:
        checked = state.check(args.resource_type, args.urn, args.props)
        if checked is None:
            return
        state.mark_run(checked, policy_name)
        if checked.problem is not None:
            if rule_id == "TNX006":
                report_violation(f"TNX006: {checked.problem.message}", None)
            return
        finding = checked.finding
        if finding is not None and finding.rule.id == rule_id and not finding.suppressed:
            report_violation(violation_message(finding), None)

    return validate


def _report_validation(
    state: PackState, environ: Mapping[str, str]
) -> Callable[[StackValidationArgs, Callable[..., None]], None]:
    def validate(args: StackValidationArgs, report_violation: Callable[..., None]) -> None:
        target = environ.get(REPORT_ENV, "").strip()
        if not target:
            return
        path = state.resolve_path(target)
        fmt = environ.get(REPORT_FORMAT_ENV, "").strip().lower()
        fmt = fmt or ("sarif" if path.suffix.lower() == ".sarif" else "json")
        if fmt not in FORMATS:
            report_violation(
                f"{REPORT_FORMAT_ENV}={fmt} is no report format; use one of: {', '.join(FORMATS)}",
                None,
            )
            return
        report = state.report((r.resource_type, r.urn, r.props) for r in args.resources)
        try:
            _write_atomically(path, render(report, fmt))
        except OSError as error:
            # Advisory: the gate's verdict is the other policies'; this says the file is missing.
            report_violation(f"could not write the report to {path}: {error.strerror}", None)

    return validate


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build_policies(
    state: PackState | None = None, *, environ: Mapping[str, str] = os.environ
) -> list[Policy]:
    """One mandatory ResourceValidationPolicy per rule, then the advisory report policy."""
    state = state or PackState(environ=environ)
    policies: list[Policy] = []
    for rule_id, name in POLICY_NAMES.items():
        rule = RULES[rule_id]
        policies.append(
            ResourceValidationPolicy(
                name=name,
                description=f"{rule.id} {rule.name}: {_DESCRIPTIONS[rule_id]}",
                validate=_rule_validation(state, rule_id, name),
                enforcement_level=EnforcementLevel.MANDATORY,
            )
        )
    policies.append(
        StackValidationPolicy(
            name=REPORT_POLICY,
            description=(
                f"the telnyx-coverage report must be written to ${REPORT_ENV} when it is set "
                f"(${REPORT_FORMAT_ENV}: json or sarif)"
            ),
            validate=_report_validation(state, environ),
            enforcement_level=EnforcementLevel.ADVISORY,
        )
    )
    return policies
