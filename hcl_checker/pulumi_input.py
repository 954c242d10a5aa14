"""The Pulumi front end: Pulumi resources (a type token and camelCase properties) in, the
same :class:`PlannedResource` list every other front end produces out.

Two callers share it:

- the policy pack (``policy/``), which gets each resource from the Pulumi engine, through
  :func:`planned_from_pulumi`;
- ``telnyx-coverage check --pulumi DIR``, which has no Pulumi CLI: :func:`scan_pulumi` runs the
  Python program under Pulumi's mocks (``pulumi.runtime.set_mocks``, as a preview) in a child
  process, captures every registered resource with its inputs, URN and the line that
  constructed it, and hands them to :func:`planned_from_pulumi`.

Values are taken as the engine sends them: numbers are floats (``500.0``), secrets are
wrapped, and a value known only after apply (another resource's output, during preview) is
Pulumi's unknown sentinel string. All three are turned into what the checks expect: ``500``,
the secret's value, :data:`~telnyx_coverage.resources.UNKNOWN`.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from telnyx_coverage.config import ResourceType
from telnyx_coverage.errors import InputError
from telnyx_coverage.files import loads_json, read_input_bytes
from telnyx_coverage.findings import ProblemReport
from telnyx_coverage.resources import (
    KINDS,
    PLACEMENT_ATTRIBUTES,
    UNKNOWN,
    PlannedResource,
    ResourceKind,
    kind_for_restapi_object,
)
from telnyx_coverage.secrets import redact
from telnyx_coverage.sources import API_KEY_ENV

__all__ = [
    "BUILTIN",
    "DEFAULT_TIMEOUT",
    "RESTAPI_OBJECT_TYPE",
    "PulumiProject",
    "PulumiScan",
    "camel_case",
    "planned_from_pulumi",
    "pulumi_resource_types",
    "read_project",
    "scan_pulumi",
]

RESTAPI_OBJECT_TYPE: Final = "restapi:index/object:Object"
"""The ``restapi`` provider's generic object, Telnyx's when its ``path`` is a Telnyx API path."""

DEFAULT_TIMEOUT: Final = 120.0
"""Seconds a Pulumi program may run under the mocks before it is taken for hung."""

# The engine's placeholders for values not known during preview, one per type
# (pulumi/sdk/go/common/resource/plugin/rpc.go; pulumi_policy.proxy has the same list).
UNKNOWN_SENTINELS: Final = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (and the generic one)
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)
_SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
_SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"

NOT_PYTHON_MESSAGE: Final = (
    "only Python Pulumi programs can be checked without the Pulumi CLI; for a program in "
    "another language, run the policy pack: pulumi preview --policy-pack policy/"
)
PULUMI_NEEDED_MESSAGE: Final = (
    "checking a Pulumi program needs the pulumi package in this Python: "
    "pip install 'telnyx-coverage[pulumi]' (and the program's own requirements)"
)


def camel_case(api_field: str) -> str:
    """The Pulumi property name of an API field: ``bandwidth_mbps`` -> ``bandwidthMbps``."""
    head, *rest = api_field.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _fields(kind: ResourceKind) -> tuple[str, ...]:
    """The API fields the checks may read on a resource of ``kind``."""
    info = KINDS[kind]
    return tuple(dict.fromkeys((*info.required, *PLACEMENT_ATTRIBUTES, "name")))


def _builtin() -> dict[str, ResourceType]:
    return {
        info.pulumi_type: ResourceType(info.kind, {f: camel_case(f) for f in _fields(info.kind)})
        for info in KINDS.values()
    }


BUILTIN: Final[Mapping[str, ResourceType]] = _builtin()
"""The four ``telnyx:index/...`` type tokens of SPEC.md, their properties camelCase."""


def pulumi_resource_types(extra: Mapping[str, ResourceType]) -> dict[str, ResourceType]:
    """The built-in tokens plus the config's ``resource_types`` (which win on the same token)."""
    return {**BUILTIN, **extra}


def _plain(value: Any) -> Any:
    """An engine value as the checks want it: unknowns as UNKNOWN, secrets unwrapped, whole
    floats as ints."""
    if isinstance(value, str):
        return UNKNOWN if value in UNKNOWN_SENTINELS else value
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        if _SIG_KEY in value:
            # A secret is checked by its value; an asset, archive or resource reference is
            # nothing a placement check can read.
            return _plain(value.get("value")) if value[_SIG_KEY] == _SECRET_SIG else UNKNOWN
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    # pulumi.output.Unknown (what the SDK deserialises an unknown to) and anything else a
    # program could hand over that is no plain value.
    return UNKNOWN


def planned_from_pulumi(
    type_token: str,
    name_or_urn: str,
    props: Mapping[str, Any],
    *,
    resource_types: Mapping[str, ResourceType] = BUILTIN,
    file: str | None = None,
    line: int | None = None,
) -> PlannedResource | None:
    """The planned resource for one Pulumi resource, or None when it is no Telnyx resource.

    ``props`` are the resource's inputs as the engine sends them (camelCase, numbers as floats,
    unknown sentinels, wrapped secrets). ``restapi:index/object:Object`` is recognised by its
    ``path``; its fields come from ``data``, a JSON string or a dict. Raises InputError when
    such a ``data`` string is no JSON object.
    """
    mapping = resource_types.get(type_token)
    if mapping is not None:
        values = _mapped_values(mapping, props)
        kind = mapping.kind
    elif type_token == RESTAPI_OBJECT_TYPE:
        restapi = _restapi_values(name_or_urn, props, file=file, line=line)
        if restapi is None:
            return None
        kind, values = restapi
    else:
        return None
    return PlannedResource(
        address=name_or_urn,
        kind=kind,
        values=values,
        file=file,
        line=line,
        source_type=type_token,
        origin="pulumi",
    )


def _mapped_values(mapping: ResourceType, props: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for api_field in _fields(mapping.kind):
        mapped = mapping.attributes.get(api_field)
        # A config mapping may name the property as written in the program or as the engine
        # sends it; unmapped fields go by their camelCase (then snake_case) API name.
        candidates = dict.fromkeys(
            n
            for n in (mapped, mapped and camel_case(mapped), camel_case(api_field), api_field)
            if n
        )
        for name in candidates:
            if name in props:
                value = _plain(props[name])
                if value is not None:
                    values[api_field] = value
                break
    return values


def _restapi_values(
    address: str, props: Mapping[str, Any], *, file: str | None, line: int | None
) -> tuple[ResourceKind, dict[str, Any]] | None:
    # A path not known before apply could be anything: nothing says it is Telnyx's.
    kind = kind_for_restapi_object(_plain(props.get("path")), _plain(props.get("createPath")))
    if kind is None:
        return None
    data = _plain(props.get("data"))
    if isinstance(data, str):
        try:
            data = _plain(loads_json(data))
        except json.JSONDecodeError as error:
            raise InputError(
                f"{address}: data is not valid JSON ({error.msg} at character {error.pos}); "
                "give the request body as json.dumps({...})",
                file=file,
                line=line,
            ) from None
    if data is UNKNOWN:
        # The whole body is known only after apply: so is every field in it.
        return kind, dict.fromkeys(_fields(kind), UNKNOWN)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(
            f"{address}: data must be a JSON object (the request body), not {type(data).__name__}",
            file=file,
            line=line,
        )
    fields = _fields(kind)
    return kind, {k: v for k, v in data.items() if k in fields and v is not None}


# --- running a program under the mocks ---------------------------------------------------


@dataclass
class PulumiScan:
    """What a scan of a Pulumi program found: resources to check and input errors."""

    resources: list[PlannedResource]
    errors: list[ProblemReport] = field(default_factory=list)


@dataclass(frozen=True)
class PulumiProject:
    """A Pulumi project as ``Pulumi.yaml`` describes it."""

    name: str
    directory: Path
    main: Path
    """The program: ``__main__.py``, or the file or folder ``main:`` names."""
    config: dict[str, Any]
    """Project-level config defaults, keys namespaced (``project:key``)."""
    stack_files: dict[str, Path]
    """Stack name to its ``Pulumi.<stack>.yaml``."""


def _display(path: Path, cwd: Path) -> str:
    """``path`` relative to ``cwd`` when inside it, as reports show files."""
    try:
        return os.fspath(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        return os.fspath(path)


def _load_yaml(path: Path, cwd: Path) -> Any:
    """A YAML file's content; InputError with the file and line when it does not parse."""
    # PyYAML comes with the pulumi package (the `pulumi` extra); only Pulumi input needs it,
    # and it has no type stubs here.
    shown = _display(path, cwd)
    try:
        yaml: Any = importlib.import_module("yaml")
    except ImportError:
        raise InputError(PULUMI_NEEDED_MESSAGE, file=shown) from None
    try:
        text = read_input_bytes(path, max_bytes=4 * 2**20).decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the file: {error}", file=shown) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(
            f"invalid YAML: {problem}",
            file=shown,
            line=mark.line + 1 if mark is not None else None,
            column=mark.column + 1 if mark is not None else None,
        ) from None


def read_project(directory: Path, *, cwd: Path) -> PulumiProject:
    """The project in ``directory`` (or the folder of a ``Pulumi.yaml`` path); InputError when
    it is missing, not Python, or has no program."""
    directory = directory.parent if directory.name in ("Pulumi.yaml", "Pulumi.yml") else directory
    if not directory.is_dir():
        raise InputError("no such directory", file=_display(directory, cwd))
    project_file = next(
        (directory / n for n in ("Pulumi.yaml", "Pulumi.yml") if (directory / n).is_file()), None
    )
    if project_file is None:
        raise InputError(
            "no Pulumi.yaml here: --pulumi takes the folder of a Pulumi project",
            file=_display(directory, cwd),
        )
    shown = _display(project_file, cwd)
    data = _load_yaml(project_file, cwd)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise InputError("not a Pulumi project file: it needs a `name:`", file=shown)
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise InputError(f"{NOT_PYTHON_MESSAGE} (runtime: {runtime_name})", file=shown)

    main = directory
    if isinstance(data.get("main"), str):
        main = directory / data["main"]
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise InputError(f"no Python program: {_display(main, cwd)} does not exist", file=shown)

    name = data["name"]
    config: dict[str, Any] = {}
    project_config = data.get("config")
    if isinstance(project_config, dict):
        for key, spec in project_config.items():
            # `key: {type, default}` declares a key with a default; `key: value` sets one.
            value = spec.get("default", spec.get("value")) if isinstance(spec, dict) else spec
            if value is not None:
                config[_namespaced(str(key), name)] = value

    stack_files = {
        path.name[len("Pulumi.") : -len(path.suffix)]: path
        for path in sorted(directory.glob("Pulumi.*.y*ml"))
        if path.suffix in (".yaml", ".yml")
    }
    return PulumiProject(name, directory, main, config, stack_files)


def _namespaced(key: str, project: str) -> str:
    """``region`` -> ``project:region``, as the Pulumi CLI reads a key without a namespace."""
    return key if ":" in key else f"{project}:{key}"


def _stack_config(
    project: PulumiProject, stack: str | None, cwd: Path
) -> tuple[str, dict[str, str]]:
    """The stack to run and its config, as the Pulumi CLI hands it to the program (strings;
    objects, lists, numbers and booleans JSON-encoded)."""
    if stack is None:
        if len(project.stack_files) != 1:
            found = ", ".join(project.stack_files) or "none"
            raise InputError(
                f"which stack? pass --stack NAME (stack config files found: {found})",
                file=_display(project.directory, cwd),
            )
        stack = next(iter(project.stack_files))
    values: dict[str, Any] = dict(project.config)
    stack_file = project.stack_files.get(stack)
    if stack_file is None and project.stack_files:
        raise InputError(
            f"no Pulumi.{stack}.yaml; stacks with a config file: {', '.join(project.stack_files)}",
            file=_display(project.directory, cwd),
        )
    if stack_file is not None:
        data = _load_yaml(stack_file, cwd) or {}
        config = data.get("config") if isinstance(data, dict) else None
        if isinstance(config, dict):
            for key, value in config.items():
                if isinstance(value, dict) and "secure" in value:
                    # Encrypted: without the Pulumi CLI it cannot be decrypted; a program that
                    # requires it says so with its own error.
                    continue
                values[_namespaced(str(key), project.name)] = value
    return stack, {
        key: value if isinstance(value, str) else json.dumps(value) for key, value in values.items()
    }


def scan_pulumi(
    directory: Path,
    *,
    stack: str | None,
    cwd: Path,
    resource_types: Mapping[str, ResourceType] = BUILTIN,
    timeout: float = DEFAULT_TIMEOUT,
) -> PulumiScan:
    """Every Telnyx resource a Python Pulumi program registers, run as a preview under mocks.

    The program runs in a child process (it may hang, exit or change the interpreter), with
    the stack's config from ``Pulumi.<stack>.yaml``; other resources' outputs are unknown, as
    in a preview. Project problems raise InputError; a program that raises or times out is a
    ProblemReport naming the file and line.
    """
    if importlib.util.find_spec("pulumi") is None:
        raise InputError(PULUMI_NEEDED_MESSAGE, file=_display(directory, cwd))
    project = read_project(directory, cwd=cwd)
    stack_name, config = _stack_config(project, stack, cwd)
    shown_main = _display(project.main, cwd)

    with tempfile.TemporaryDirectory(prefix="telnyx-coverage-pulumi-") as scratch:
        request_path = Path(scratch) / "request.json"
        result_path = Path(scratch) / "result.json"
        request = {
            "program": os.fspath(project.main.resolve()),
            "root": os.fspath(project.directory.resolve()),
            "project": project.name,
            "stack": stack_name,
            "config": config,
            "result": os.fspath(result_path),
        }
        request_path.write_text(json.dumps(request), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_CONFIG")}
        if API_KEY_ENV in env:
            # The program runs under mocks: a program reading the key (for a provider, say)
            # still finds one, and never the real one to print.
            env[API_KEY_ENV] = CHILD_KEY_PLACEHOLDER
        # The child imports this module by path, installed or not.
        package_root = os.fspath(Path(__file__).resolve().parents[1])
        bootstrap = (
            "import sys; sys.path.insert(1, sys.argv[1]); "
            "from hcl_checker.pulumi_input import _run_worker; _run_worker(sys.argv[2])"
        )
        try:
            completed = subprocess.run(
                [sys.executable, "-c", bootstrap, package_root, os.fspath(request_path)],
                cwd=project.main.parent,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return PulumiScan(
                [],
                [
                    ProblemReport(
                        f"the Pulumi program did not finish within {timeout:g} seconds under "
                        "the mocks; does it wait for something (input, network)?",
                        file=shown_main,
                    )
                ],
            )
        if not result_path.is_file():
            detail = _last_line(completed.stderr) or f"exit code {completed.returncode}"
            return PulumiScan(
                [],
                [ProblemReport(f"the Pulumi program could not be run: {detail}", file=shown_main)],
            )
        result = loads_json(result_path.read_text(encoding="utf-8"))

    return _scan_result(result, cwd, resource_types, shown_main)


def _last_line(output: bytes) -> str:
    lines = [line for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _call_arguments(path: str, line: int, trees: dict[str, ast.Module | None]) -> dict[str, int]:
    """The arguments written in the call on ``line`` of ``path``: keyword names and the string
    keys of a dict literal (a props dict), each with its line."""
    if path not in trees:
        try:
            trees[path] = ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            trees[path] = None
    tree = trees[path]
    if tree is None:
        return {}
    lines: dict[str, int] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or node.lineno != line:
            continue
        for keyword in node.keywords:
            if keyword.arg is not None:
                lines.setdefault(keyword.arg, keyword.value.lineno)
        for argument in node.args:
            if isinstance(argument, ast.Dict):
                for key in argument.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        lines.setdefault(key.value, key.lineno)
    return lines


def _attribute_lines(
    resource: PlannedResource,
    written: Mapping[str, int],
    resource_types: Mapping[str, ResourceType],
) -> dict[str, int]:
    mapping = resource_types.get(resource.source_type)
    renamed = mapping.attributes if mapping is not None else {}
    lines: dict[str, int] = {}
    for api_field in resource.values:
        names = (renamed.get(api_field), api_field, camel_case(api_field))
        found = next((written[n] for n in names if n and n in written), None)
        if found is not None:
            lines[api_field] = found
    return lines


def _scan_result(
    result: Mapping[str, Any],
    cwd: Path,
    resource_types: Mapping[str, ResourceType],
    shown_main: str,
) -> PulumiScan:
    scan = PulumiScan([])
    trees: dict[str, ast.Module | None] = {}
    for registered in result.get("resources", []):
        file = registered.get("file")
        shown = _display(Path(file), cwd) if file else None
        try:
            resource = planned_from_pulumi(
                registered["type"],
                registered["urn"],
                registered.get("inputs") or {},
                resource_types=resource_types,
                file=shown,
                line=registered.get("line"),
            )
        except InputError as error:
            scan.errors.append(ProblemReport(error.message, error.file, error.line, error.column))
            continue
        if resource is None:
            continue
        if file and resource.line is not None:
            written = _call_arguments(file, resource.line, trees)
            resource.attribute_lines = _attribute_lines(resource, written, resource_types)
        scan.resources.append(resource)
    scan.resources.sort(key=lambda r: (r.file or "", r.line or 0, r.address))
    failure = result.get("error")
    if failure:
        file = failure.get("file")
        message = redact(str(failure["message"]), os.environ.get(API_KEY_ENV))
        scan.errors.append(
            ProblemReport(
                f"the Pulumi program failed: {message}",
                file=_display(Path(file), cwd) if file else shown_main,
                line=failure.get("line"),
                column=failure.get("column"),
            )
        )
    return scan


# --- the child process ---------------------------------------------------------------------


def _user_frame(
    frames: Sequence[tuple[str, int]], root: Path
) -> tuple[str, int] | tuple[None, None]:
    """The first (file, line) in the user's project (not in a virtualenv inside it)."""
    for filename, line in frames:
        path = Path(filename)
        if not path.is_absolute():
            continue
        try:
            relative = path.resolve().relative_to(root)
        except ValueError:
            continue
        if "site-packages" in relative.parts or relative.parts[:1] in (("venv",), (".venv",)):
            continue
        return os.fspath(path.resolve()), line
    return None, None


CHILD_KEY_PLACEHOLDER = "telnyx-coverage-placeholder-key"
"""What a Pulumi program run under the mocks sees as ``TELNYX_API_KEY``."""


def _run_worker(request_path: str) -> None:  # pragma: no cover - runs in the child process
    """The child process: run the program under mocks and write what it registered as JSON."""
    import runpy
    import traceback

    import pulumi
    import pulumi.resource
    import pulumi.runtime

    json_format: Any = importlib.import_module("google.protobuf.json_format")
    from pulumi.runtime.mocks import MockMonitor, Mocks
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    job = loads_json(Path(request_path).read_text(encoding="utf-8"))
    root = Path(job["root"]).resolve()
    program = Path(job["program"])
    constructed: dict[tuple[str, str], list[tuple[str | None, int | None]]] = {}
    registered: list[dict[str, Any]] = []

    original_init = pulumi.resource.Resource.__init__

    def recording_init(self: Any, t: str, name: str, *args: Any, **kwargs: Any) -> None:
        # The line that constructed the resource: the first frame in the user's files, past
        # the constructors of the resource's own classes (a wrapper class's super().__init__).
        frames: list[tuple[str, int]] = []
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_locals.get("self") is not self:
                frames.append((frame.f_code.co_filename, frame.f_lineno))
            frame = frame.f_back  # type: ignore[assignment]
        constructed.setdefault((t, name), []).append(_user_frame(frames, root))
        original_init(self, t, name, *args, **kwargs)

    pulumi.resource.Resource.__init__ = recording_init  # type: ignore[method-assign]

    class PreviewMocks(Mocks):
        """Every resource is a create in preview: no id, no outputs, so they are unknown."""

        def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
            return "", {}

        def call(self, args: Any) -> tuple[dict[str, Any], None]:
            return {}, None

    class RecordingMonitor(MockMonitor):
        def make_urn(self, parent: str, type_: str, name: str) -> str:
            # As the engine makes them: a child's type is qualified by its parent's, except
            # under the root stack (the mock monitor would qualify by the stack too).
            if parent:
                parent_type = parent.split("::")[2]
                if parent_type != "pulumi:pulumi:Stack":
                    type_ = f"{parent_type}${type_}"
            return "::".join(("urn:pulumi:" + job["stack"], job["project"], type_, name))

        def RegisterResource(self, request: Any) -> Any:
            response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
            if request.custom:
                # As the engine would send them: the unknown sentinels kept, numbers floats.
                inputs = json_format.MessageToDict(request.object)
                registered.append(
                    {
                        "urn": response.urn,
                        "type": request.type,
                        "name": request.name,
                        "inputs": inputs,
                    }
                )
            return response

    for key, value in job["config"].items():
        pulumi.runtime.set_config(key, value)
    mocks = PreviewMocks()
    pulumi.runtime.set_mocks(
        mocks,
        project=job["project"],
        stack=job["stack"],
        preview=True,
        monitor=RecordingMonitor(mocks),
    )

    def run_program() -> None:
        if program.name == "__main__.py":
            # As Pulumi runs it: the folder on sys.path, so local modules import.
            runpy.run_path(os.fspath(program.parent), run_name="__main__")
        else:
            sys.path.insert(0, os.fspath(program.parent))
            runpy.run_path(os.fspath(program), run_name="__main__")

    error: dict[str, Any] | None = None
    try:
        _sync_await(run_pulumi_func(run_program))
    except SystemExit as exit_error:
        if exit_error.code not in (None, 0):
            error = {"message": f"the program exited with code {exit_error.code}"}
    except BaseException as exception:
        # Whatever the program raises is reported as an input error, never a traceback.
        frames = [
            (f.filename, f.lineno or 0) for f in traceback.extract_tb(exception.__traceback__)
        ]
        if isinstance(exception, SyntaxError) and exception.filename:
            # The place is the one the parser names, not a frame of the code that imported it.
            frames = [(os.path.abspath(exception.filename), exception.lineno or 0)]
        file, line = _user_frame(list(reversed(frames)), root)
        message = str(exception).strip() or type(exception).__name__
        column = None
        if isinstance(exception, SyntaxError):
            message = f"{type(exception).__name__}: {exception.msg}"
            column = exception.offset
        elif not isinstance(exception, pulumi.RunError):
            message = f"{type(exception).__name__}: {message}"
        error = {"message": message, "file": file, "line": line, "column": column}

    for entry in registered:
        places = constructed.get((entry["type"], entry["name"]))
        file, line = places.pop(0) if places else (None, None)
        entry.update(file=file, line=line)
    Path(job["result"]).write_text(
        json.dumps({"resources": registered, "error": error}), encoding="utf-8"
    )
    sys.stdout.flush()
    sys.stderr.flush()
    # The program may have left threads running; its work is done.
    os._exit(0)
