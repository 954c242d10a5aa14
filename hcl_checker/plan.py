"""The Terraform plan JSON front end: ``terraform show -json plan.out`` in, PlannedResources out.

A plan knows every value the HCL scanner has to guess, so this is the exact gate between
``terraform plan`` and ``terraform apply``. Every ``resource_changes[]`` entry that creates or
updates a resource of a mapped type (or a ``restapi_object`` with a Telnyx ``path``) becomes
one :class:`PlannedResource`, with the address Terraform prints, values from
``change.after``, and :data:`UNKNOWN` wherever ``change.after_unknown`` says so.

Back to the source: when the configuration sits beside the plan (or in ``tf_dir``), it is
scanned with the HCL front end and each plan resource is joined to its block by address
(``x["a"]`` and ``x[0]`` fall back to the block when the scan could not expand it, and a
resource of a module the scan does not descend into falls back to the module call), so
findings point at the ``.tf`` line and the ``.tf`` ignore comments apply. Otherwise findings
point at the plan file with no line.

Terraform 1.x and OpenTofu write the same shape (``format_version`` "1.x"). Module mappings
from config (``modules``) are not applied to a plan: the plan lists the resources a module
really creates, and those are checked by their own type.

Sensitive values (``after_sensitive``) are checked like any other; a finding quotes the
placement value it is about (a region code, a cloud region, a bandwidth), so a placement
field a provider marks sensitive would appear in the report.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from hcl_checker import hcl
from telnyx_coverage.config import ModuleMapping
from telnyx_coverage.errors import InputError
from telnyx_coverage.files import read_input_bytes
from telnyx_coverage.findings import ProblemReport
from telnyx_coverage.resources import (
    RESTAPI_TERRAFORM_TYPE,
    UNKNOWN,
    PlannedResource,
    ResourceKind,
    TypeMapping,
    kind_for_restapi_object,
)

CHECKED_ACTIONS: Final = frozenset({"create", "update"})
"""A change is checked when its actions hold one of these: create, update, and both orders
of replace (``["delete", "create"]``, ``["create", "delete"]``). ``no-op``, ``read``,
``delete`` and ``forget`` alone create nothing."""
MAX_PLAN_BYTES: Final = 1024 * 1024 * 1024
"""A larger file is refused rather than read into memory."""
MAX_NESTING: Final = 100
"""A change of ours nested deeper is refused: Terraform's own values stay far below it, and
the checks walk values recursively (Python's stack allows about a thousand levels)."""

_PLAN_KEYS: Final = ("resource_changes", "planned_values", "configuration", "prior_state")
_ZIP_MAGIC: Final = b"PK\x03\x04"
_VERSION_RE: Final = re.compile(r"(\d+)\.(\d+)")


@dataclass
class PlanResult:
    """What a plan held: resources to check and input errors (the run goes on with the rest)."""

    resources: list[PlannedResource]
    errors: list[ProblemReport]
    changes: int = 0
    """How many ``resource_changes`` entries the plan holds (of every type)."""
    source_dir: str | None = None
    """The configuration directory findings were mapped back to, if any."""
    unmatched: list[str] = field(default_factory=list)
    """Addresses that stayed on the plan file: no block or module call in the source matched."""


def is_plan_json(data: object) -> bool:
    """True when ``data`` (parsed JSON) is what ``terraform show -json PLANFILE`` prints."""
    return (
        isinstance(data, dict)
        and "format_version" in data
        and any(key in data for key in _PLAN_KEYS)
    )


def is_snapshot_json(data: object) -> bool:
    """True when ``data`` is a telnyx-coverage snapshot (``snapshot -o FILE``)."""
    return isinstance(data, dict) and (
        "network_coverage" in data or "virtual_cross_connects_coverage" in data
    )


def looks_like_json_file(path: Path) -> bool:
    """True for a file ``check`` hands to this front end: ``*.json`` but not ``*.tf.json``, or
    any other non-Terraform file whose content starts like JSON (or is a binary plan)."""
    name = path.name
    if name.endswith((".tf", ".tf.json", ".tofu", ".tofu.json", ".tfvars", ".tfvars.json")):
        return False
    if name.endswith(".json"):
        return True
    try:
        head = read_input_bytes(path, max_bytes=MAX_PLAN_BYTES, head=512)
    except OSError:
        return False
    return head.startswith(_ZIP_MAGIC) or head.lstrip().lstrip(b"\xef\xbb\xbf").startswith(b"{")


def display(path: Path, cwd: Path) -> str:
    """``path`` as reports show it: relative to ``cwd`` when inside it."""
    absolute = Path(os.path.abspath(cwd / path))
    try:
        return absolute.relative_to(Path(os.path.abspath(cwd))).as_posix()
    except ValueError:
        return absolute.as_posix()


def load_json(path: Path, shown: str) -> Any:
    """The parsed JSON in ``path``; InputError (exit 2) naming the file, line and column."""
    try:
        data = read_input_bytes(path, max_bytes=MAX_PLAN_BYTES)
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}", file=shown) from None
    if data.startswith(_ZIP_MAGIC):
        raise InputError(
            "this is a binary plan file; convert it first: "
            "terraform show -json plan.out > plan.json",
            file=shown,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not a JSON file (not valid UTF-8)", file=shown) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        ends_early = not text[error.pos :].strip()
        hint = "; the file ends early: was it truncated?" if ends_early else ""
        raise InputError(
            f"invalid JSON: {error.msg}{hint}", file=shown, line=error.lineno, column=error.colno
        ) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", file=shown) from None


def read_plan(
    path: Path,
    *,
    resource_types: Mapping[str, TypeMapping] = hcl.BUILTIN,
    modules: Sequence[ModuleMapping] = (),
    cwd: Path | None = None,
    tf_dir: Path | None = None,
) -> PlanResult:
    """The resources a plan JSON file would create or update, mapped back to their source.

    A file that is no plan JSON (a snapshot, a state, anything else), an unsupported
    ``format_version`` or JSON that does not parse raises InputError (exit 2); a bad entry
    (a ``restapi_object`` whose ``data`` is not JSON...) becomes a ProblemReport naming the
    file and the address, and the rest is checked.
    """
    base = Path(os.path.abspath(cwd or Path.cwd()))
    plan_path = Path(os.path.abspath(base / path))
    shown = display(plan_path, base)
    document = load_json(plan_path, shown)
    _require_plan(document, shown)

    changes = document.get("resource_changes")
    if changes is None:
        changes = []  # a plan with no changes: nothing to check
    if not isinstance(changes, list):
        raise InputError("resource_changes must be a list", file=shown)

    errors: list[ProblemReport] = []
    resources: list[PlannedResource] = []
    for index, entry in enumerate(changes):
        resource = _planned(entry, index, shown, resource_types, errors)
        if resource is not None:
            resources.append(resource)

    result = PlanResult(resources, errors, changes=len(changes))
    source_dir = _source_dir(plan_path, base, tf_dir)
    if source_dir is not None and resources:
        _map_to_source(result, source_dir, base, resource_types, modules)
        result.source_dir = display(source_dir, base)
    return result


def _require_plan(document: Any, shown: str) -> None:
    if not is_plan_json(document):
        if is_snapshot_json(document):
            raise InputError(
                "this is a coverage snapshot, not a plan: pass it with --coverage FILE",
                file=shown,
            )
        if isinstance(document, dict) and "values" in document and "format_version" in document:
            raise InputError(
                "this is Terraform state, not a plan: run terraform plan -out plan.out, then "
                "terraform show -json plan.out > plan.json",
                file=shown,
            )
        raise InputError(
            "not a Terraform plan JSON nor a coverage snapshot (a plan is what "
            "terraform show -json plan.out prints: format_version, resource_changes...)",
            file=shown,
        )
    version = document["format_version"]
    match = _VERSION_RE.fullmatch(version) if isinstance(version, str) else None
    if match is None or match.group(1) != "1":
        raise InputError(
            f"plan format_version {json.dumps(version)} is not supported; this tool reads "
            "format_version 1.x, as Terraform 1.x and OpenTofu write it",
            file=shown,
        )


def _planned(
    entry: Any,
    index: int,
    shown: str,
    resource_types: Mapping[str, TypeMapping],
    errors: list[ProblemReport],
) -> PlannedResource | None:
    """One ``resource_changes`` entry as a PlannedResource; None when it is not ours."""
    where = f"resource_changes[{index}]"
    if not isinstance(entry, dict):
        errors.append(ProblemReport(f"{where}: expected an object", shown))
        return None
    resource_type = entry.get("type")
    if entry.get("mode", "managed") != "managed":
        return None  # a data source reads; it creates nothing
    if not isinstance(resource_type, str) or (
        resource_type != RESTAPI_TERRAFORM_TYPE and resource_type not in resource_types
    ):
        return None  # not a Telnyx resource: not ours, not an error
    address = entry.get("address")
    if not isinstance(address, str) or not address:
        errors.append(ProblemReport(f"{where} ({resource_type}): no address", shown))
        return None
    change = entry.get("change")
    actions = change.get("actions") if isinstance(change, dict) else None
    if not isinstance(change, dict) or not isinstance(actions, list):
        errors.append(ProblemReport(f"{address}: no change.actions in {where}", shown))
        return None
    if not all(isinstance(action, str) for action in actions):
        errors.append(ProblemReport(f"{address}: change.actions must be a list of strings", shown))
        return None
    if not CHECKED_ACTIONS.intersection(actions):
        return None  # no-op, read, delete, forget
    after = change.get("after")
    if not isinstance(after, dict):
        errors.append(ProblemReport(f"{address}: change.after must be an object", shown))
        return None
    if _too_deep(change, MAX_NESTING):
        errors.append(
            ProblemReport(
                f"{address}: change is nested too deeply (over {MAX_NESTING} levels)", shown
            )
        )
        return None
    unknown = change.get("after_unknown", {})

    if resource_type == RESTAPI_TERRAFORM_TYPE:
        read = _restapi(after, unknown, address, shown, errors)
        if read is None:
            return None
        kind, values = read
    else:
        mapping = resource_types[resource_type]
        kind = mapping.kind
        values = {}
        for api_field, attribute in mapping.fields().items():
            value = _after_value(after, unknown, attribute)
            if value is not _ABSENT:
                values[api_field] = value
    return PlannedResource(
        address=address,
        kind=kind,
        values=values,
        file=shown,
        source_type=resource_type,
        origin="plan",
    )


def _too_deep(value: Any, limit: int) -> bool:
    """Whether ``value`` (parsed JSON) nests lists and objects more than ``limit`` levels deep.

    Walked with a stack of its own, so any depth json.loads accepts can be measured.
    """
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


class _Absent:
    """An attribute neither in ``after`` nor marked unknown."""


_ABSENT: Final = _Absent()
_TOO_DEEP: Final = object()
"""restapi ``data`` too deep for json.loads to parse."""


def _after_value(after: Mapping[str, Any], unknown: Any, attribute: str) -> Any:
    """``after[attribute]``, with the parts ``after_unknown`` marks replaced by UNKNOWN."""
    if unknown is True:
        return UNKNOWN  # the whole object is unknown
    marks = unknown.get(attribute) if isinstance(unknown, dict) else None
    if attribute not in after and not _has_unknown(marks):
        return _ABSENT
    return _merge_unknown(after.get(attribute), marks)


def _has_unknown(marks: Any) -> bool:
    if marks is True:
        return True
    if isinstance(marks, dict):
        return any(_has_unknown(m) for m in marks.values())
    if isinstance(marks, list):
        return any(_has_unknown(m) for m in marks)
    return False


def _merge_unknown(value: Any, marks: Any) -> Any:
    """``value`` with UNKNOWN where ``marks`` (the same shape) holds ``true``."""
    if marks is True:
        return UNKNOWN
    if isinstance(marks, dict) and _has_unknown(marks):
        base = value if isinstance(value, dict) else {}
        return {k: _merge_unknown(base.get(k), marks.get(k)) for k in {*base, *marks}}
    if isinstance(marks, list) and _has_unknown(marks):
        items = list(value) if isinstance(value, list) else []
        items += [None] * (len(marks) - len(items))
        return [
            _merge_unknown(v, marks[i] if i < len(marks) else None) for i, v in enumerate(items)
        ]
    return hcl.json_numbers(value)


def _restapi(
    after: Mapping[str, Any],
    unknown: Any,
    address: str,
    shown: str,
    errors: list[ProblemReport],
) -> tuple[ResourceKind, dict[str, Any]] | None:
    """A ``restapi_object`` change: its kind from ``path``, its fields from the ``data`` string.

    A ``path`` known only at apply cannot be told to be a Telnyx one: not ours.
    """
    path = _after_value(after, unknown, "path")
    kind = kind_for_restapi_object(path, _after_value(after, unknown, "create_path"))
    if kind is None:
        return None
    data = _after_value(after, unknown, "data")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            errors.append(
                ProblemReport(
                    f"{address}: data is not JSON ({error.msg} at line {error.lineno} column "
                    f"{error.colno} of the data); the restapi provider sends it as the request "
                    "body, so the API would refuse it",
                    shown,
                )
            )
            return None
        except RecursionError:  # json.loads recurses once per bracket
            data = _TOO_DEEP
        if data is _TOO_DEEP or _too_deep(data, MAX_NESTING):
            errors.append(
                ProblemReport(
                    f"{address}: data is nested too deeply (over {MAX_NESTING} levels) to be "
                    "a request body",
                    shown,
                )
            )
            return None
        data = hcl.json_numbers(data)
    elif data is _ABSENT:
        data = None

    def problem(message: str) -> None:
        errors.append(ProblemReport(f"{address}: {message}", shown))

    read = hcl.restapi_values(kind, data, {}, None, on_problem=problem)
    return None if read is None else (read[0], read[1])


# --- back to the source --------------------------------------------------------------------


def _source_dir(plan_path: Path, cwd: Path, tf_dir: Path | None) -> Path | None:
    """``tf_dir`` when given, else the plan's own folder when it holds Terraform files."""
    if tf_dir is not None:
        directory = Path(os.path.abspath(cwd / tf_dir))
        if not directory.is_dir():
            raise InputError("--tf-dir: not a directory", file=display(directory, cwd))
        return directory
    directory = plan_path.parent
    return directory if _terraform_files(directory) else None


def _terraform_files(directory: Path) -> list[Path]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    found = [directory / n for n in hcl.module_file_names(names)]
    return [path for path in found if path.is_file()]


def _map_to_source(
    result: PlanResult,
    directory: Path,
    cwd: Path,
    resource_types: Mapping[str, TypeMapping],
    modules: Sequence[ModuleMapping],
) -> None:
    """Point each plan resource at its block (or module call) in the configuration."""
    files = _terraform_files(directory)
    if not files:
        return
    # The root module's own files, not a recursive search: a folder of examples below the
    # configuration would hold other roots with look-alike addresses.
    scanned = hcl.scan(
        files,
        cwd=cwd,
        resource_types=resource_types,
        modules=modules,
        every_module=True,
    )
    result.errors.extend(scanned.errors)
    exact = {r.address: r for r in scanned.resources}
    by_block: dict[str, PlannedResource] = {}
    for resource in scanned.resources:
        by_block.setdefault(hcl.strip_instance_keys(resource.address), resource)

    for position, resource in enumerate(result.resources):
        block_address = hcl.strip_instance_keys(resource.address)
        source = exact.get(resource.address) or by_block.get(block_address)
        if source is not None:
            result.resources[position] = replace(
                resource,
                file=source.file,
                line=source.line,
                attribute_lines=dict(source.attribute_lines),
                attribute_files=dict(source.attribute_files),
                suppressions=source.suppressions,
            )
            continue
        call = _enclosing_call(block_address, scanned.calls)
        if call is not None:
            result.resources[position] = replace(
                resource, file=call.file, line=call.line, suppressions=call.suppressions
            )
            continue
        result.unmatched.append(resource.address)


def _enclosing_call(block_address: str, calls: Mapping[str, hcl.CallSite]) -> hcl.CallSite | None:
    """The innermost module call the scan knows on the way to ``block_address``."""
    parts = block_address.split(".")
    for end in range(len(parts) - 2, 0, -2):
        prefix = ".".join(parts[:end])
        if prefix in calls:
            return calls[prefix]
    return None
