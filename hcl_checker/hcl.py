"""The Terraform HCL front end: a tree of ``.tf``/``.tf.json`` files in, PlannedResources out.

It evaluates statically what ``terraform plan`` would see: root modules and the local
modules they call, variables in Terraform's precedence order, locals, ``count`` and
``for_each`` expanded into the addresses ``terraform plan`` prints. Parsing costs ~10 ms a
file, so only the modules that can hold a mapped resource type are parsed: every file is
read, a cheap substring test and the ``source = "./..."`` call graph decide the rest.
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from hcl_checker.hcl_eval import (
    ANY,
    EvalContext,
    EvalError,
    HclTree,
    JsonExpr,
    Lazy,
    Node,
    Scope,
    TypeSpec,
    _unescape,
    convert,
    evaluate,
    function_argument,
    identifier_name,
    object_key_lines,
    parse_expression,
    parse_type,
    to_number,
    to_string,
    traversal,
    unwrapped,
)
from telnyx_coverage.config import ModuleMapping
from telnyx_coverage.errors import InputError
from telnyx_coverage.files import loads_json, read_input_bytes
from telnyx_coverage.findings import ProblemReport
from telnyx_coverage.resources import (
    KINDS,
    MAPPABLE_FIELDS,
    PLACEMENT_ATTRIBUTES,
    RESTAPI_TERRAFORM_TYPE,
    UNKNOWN,
    PlannedResource,
    ResourceKind,
    Suppression,
    TypeMapping,
    is_unknown,
    kind_for_restapi_object,
)
from telnyx_coverage.suppress import MARKER, parse_ignore_comment

MAX_FILE_BYTES = 8 * 1024 * 1024
"""A larger ``.tf`` file is reported, not read: no real configuration is that big."""
MAX_INSTANCES = 10_000
"""``count``/``for_each`` expanded beyond this are checked as one unexpanded resource."""
MAX_MODULE_DEPTH = 24
"""Module calls nested deeper than this are taken for a cycle."""

_META_ARGUMENTS = frozenset(
    {"source", "version", "count", "for_each", "providers", "depends_on", "lifecycle"}
)
_SYNTAX_ERRORS = (UnexpectedToken, UnexpectedCharacters, UnexpectedEOF)
_SKIP_DIRS = frozenset({".terraform", ".git", "node_modules"})
_LOCAL_SOURCE_RE = re.compile(r"""\bsource"?\s*[=:]\s*"(\.\.?/[^"$]*|\.\.?)"\s*""")
_ANY_SOURCE_RE = re.compile(r'\bsource"?\s*[=:]\s*"([^"]*)"')
_BLOCKS_RE = re.compile(r"""\b(resource|variable|locals|module|output)\b""")
"""A file that can declare something the scan reads (a comment may come first on the line)."""
_ESCAPE_RE = re.compile(r"\\[uU]")
"""A ``\\u`` escape can spell any name: the text tests cannot see through it, a parse can."""


BUILTIN: Mapping[str, TypeMapping] = {
    info.terraform_type: TypeMapping(info.kind) for info in KINDS.values()
}
"""The four ``telnyx_*`` resource types, their attributes named as in the API."""


@dataclass(frozen=True)
class CallSite:
    """A ``module`` block as written: where it is and the ignore comments on it."""

    file: str
    line: int
    suppressions: tuple[Suppression, ...]


@dataclass
class ScanResult:
    """What a scan found: resources to check, input errors, and what it cost."""

    resources: list[PlannedResource]
    errors: list[ProblemReport]
    files_seen: int
    files_parsed: int
    calls: dict[str, CallSite] = field(default_factory=dict)
    """Every module call evaluated, by its address without instance keys (``module.a.module.b``)."""


# --- what a module declares ----------------------------------------------------------------


@dataclass(frozen=True)
class _Attr:
    name: str
    expr: Node
    line: int
    file: str


@dataclass
class _Block:
    """A ``resource`` (of a mapped type) or a ``module`` call, as written."""

    type: str
    name: str
    attrs: dict[str, _Attr]
    file: str
    line: int
    suppressions: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class _Variable:
    name: str
    default: Node | None
    type: TypeSpec
    nullable: bool
    attrs: Mapping[str, _Attr] = field(default_factory=dict)
    """As written, for an override file to replace some of them."""


_WHAT = {
    "resources": "resource",
    "calls": "module",
    "variables": "variable",
    "locals": "local value",
    "outputs": "output",
}
"""How Terraform names each kind of declaration in its messages."""


@dataclass
class _Module:
    dir: Path
    variables: dict[str, _Variable] = field(default_factory=dict)
    locals: dict[str, _Attr] = field(default_factory=dict)
    outputs: dict[str, _Attr] = field(default_factory=dict)
    calls: dict[str, _Block] = field(default_factory=dict)
    resources: dict[tuple[str, str], _Block] = field(default_factory=dict)
    places: dict[tuple[str, Any], tuple[str, int]] = field(default_factory=dict)
    """Where each declaration was first made: (table, key) -> (file, line)."""

    def declare(
        self, table: str, key: Any, item: Any, place: tuple[str, int], loader: _Loader
    ) -> None:
        """Add a declaration; a second one of the same name is Terraform's own error."""
        entries: dict[Any, Any] = getattr(self, table)
        first = self.places.get((table, key))
        if first is not None:
            loader.problem(
                f"duplicate {_WHAT[table]} {_label_text(key)}: already declared at "
                f"{first[0]}:{first[1]} (Terraform refuses both; only the first is checked). "
                "Rename or remove one, or put a change in an override file",
                *place,
            )
            return
        entries[key] = item
        self.places[(table, key)] = place

    def override(self, part: _Module, loader: _Loader) -> None:
        """Merge an override file's declarations, as Terraform does: each argument replaces
        the one of the same name in the block of the same name, which must exist."""
        for table in _WHAT:
            entries: dict[Any, Any] = getattr(self, table)
            for key, item in getattr(part, table).items():
                place = part.places[(table, key)]
                if key not in entries:
                    loader.problem(
                        f"missing base {_WHAT[table]} {_label_text(key)} to override: an "
                        "override file only changes what another file of the module declares",
                        *place,
                    )
                elif table in ("locals", "outputs"):
                    entries[key] = item
                elif table == "variables":
                    base = entries[key]
                    entries[key] = _variable(key, {**base.attrs, **item.attrs})
                else:
                    base = entries[key]
                    entries[key] = replace(
                        base,
                        attrs={**base.attrs, **item.attrs},
                        suppressions=base.suppressions + item.suppressions,
                    )


def _label_text(key: Any) -> str:
    """``"telnyx_vxc" "aws"`` for a resource key, ``"edge"`` for a name."""
    return " ".join(f'"{k}"' for k in key) if isinstance(key, tuple) else f'"{key}"'


CONFIG_SUFFIXES: Final = (".tf", ".tf.json", ".tofu", ".tofu.json")
"""Terraform's configuration files, and OpenTofu's."""


def is_config_file_name(name: str) -> bool:
    """``main.tf``, ``main.tf.json``, ``main.tofu``, ``main.tofu.json``."""
    return name.endswith(CONFIG_SUFFIXES)


def _is_json_config(name: str) -> bool:
    return name.endswith((".tf.json", ".tofu.json"))


def _stem(name: str) -> str:
    """``main`` of ``main.tf``/``main.tofu.json``."""
    return name.removesuffix(".json").removesuffix(".tf").removesuffix(".tofu")


def module_file_names(names: Iterable[str]) -> list[str]:
    """The configuration files Terraform or OpenTofu reads of a directory's names, sorted.

    Names Terraform ignores are left out (``.#main.tf`` editor locks, ``main.tf~`` backups,
    ``#main.tf#`` autosaves); a ``main.tofu`` hides ``main.tf`` (and ``.tofu.json`` hides
    ``.tf.json``), as OpenTofu reads them.
    """
    kept = [
        n
        for n in names
        if is_config_file_name(n)
        and not n.startswith(".")
        and not n.endswith("~")
        and not (n.startswith("#") and n.endswith("#"))
    ]
    tofu = set(n for n in kept if n.endswith((".tofu", ".tofu.json")))
    hidden = {n.replace(".tofu", ".tf") for n in tofu}
    return sorted(n for n in kept if n not in hidden)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """A directory (through a symlink too); a link that cannot be followed is a file to read,
    so that reading it reports why."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def is_override_file(name: str) -> bool:
    """``override.tf``, ``*_override.tf``, in their ``.tf.json``/``.tofu``/``.tofu.json`` forms."""
    stem = _stem(name)
    return stem == "override" or stem.endswith("_override")


@dataclass
class _Source:
    """One file's text, read once."""

    path: Path
    text: str | None
    """None when it could not be read (the problem is already reported)."""


# --- public entry point --------------------------------------------------------------------


def scan(
    paths: Sequence[Path],
    *,
    variables: Mapping[str, str] | None = None,
    var_files: Sequence[Path] = (),
    cli_vars: Sequence[tuple[str, str]] = (),
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    resource_types: Mapping[str, TypeMapping] = BUILTIN,
    modules: Sequence[ModuleMapping] = (),
    every_module: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
    syntax_check: Sequence[Path] = (),
) -> ScanResult:
    """Find every resource of a mapped type in the Terraform code under ``paths``.

    Variables are set in Terraform's order, later wins: defaults, ``TF_VAR_*``,
    ``terraform.tfvars``, ``terraform.tfvars.json``, ``*.auto.tfvars[.json]``, then
    ``var_files``, ``variables`` and ``cli_vars`` (``("file", PATH)`` / ``("var", "N=V")``
    in command-line order). A missing or broken var file or a ``--var`` without ``=``
    raises InputError; any other bad input becomes a ProblemReport and the scan goes on.

    ``restapi_object`` resources are recognised by their ``path``. A ``module`` call whose
    ``source`` matches one of ``modules`` is one resource of that mapping's kind, read from
    its inputs; the mapping is authoritative, so even a local module it matches is not
    descended into (its resources would be counted twice). ``every_module`` parses every
    module, not only those that can hold a mapped type, so that ``calls`` knows them all
    (a plan's resources are mapped back to their source through it). ``progress`` is told
    ``(root modules done, root modules in all, resources found)`` after each root module.
    The ``.tf``/``.tf.json`` files in ``syntax_check`` (those the user named) are parsed even
    when nothing in them can be a Telnyx resource, so that a syntax error in them is reported.
    """
    base = Path(os.path.abspath(cwd or Path.cwd()))
    env = os.environ if environ is None else environ
    assignments: list[tuple[str, str]] = [("file", str(p)) for p in var_files]
    assignments += [("var", f"{k}={v}") for k, v in (variables or {}).items()]
    assignments += list(cli_vars)
    loader = _Loader(base, resource_types, env, modules, every_module=every_module)
    cli_values = [loader.read_cli_assignment(kind, value) for kind, value in assignments]

    roots: dict[Path, set[str] | None] = {}
    scanned_dirs: list[Path] = []
    for path in paths:
        absolute = Path(os.path.abspath(base / path))
        if absolute.is_dir():
            scanned_dirs.extend(loader.discover(absolute))
        elif absolute.is_file():
            if absolute.name.endswith((".tfvars", ".tfvars.json")):
                raise InputError(
                    "a variables file, not configuration: pass it with --var-file, and check "
                    "the module directory it is for",
                    file=loader.display(absolute),
                )
            if not is_config_file_name(absolute.name):
                raise InputError(
                    "not a Terraform file (expected a directory, or a .tf, .tf.json, .tofu or "
                    ".tofu.json file)",
                    file=loader.display(absolute),
                )
            files = roots.setdefault(absolute.parent, set())
            if files is not None:
                files.add(loader.display(absolute))
        else:
            raise InputError("no such file or directory", file=loader.display(absolute))

    # By real path: a module reached through a symlink is still the module its caller calls.
    called: set[str] = set()
    for directory in scanned_dirs:
        real = os.path.realpath(directory)
        called.update(
            r for r in (os.path.realpath(c) for c in loader.local_calls(directory)) if r != real
        )
    for directory in scanned_dirs:
        if os.path.realpath(directory) not in called:
            roots[directory] = None  # the whole module, whatever file filter was asked

    resources: list[PlannedResource] = []
    for done, directory in enumerate(sorted(roots), start=1):
        if progress is not None:
            progress(done, len(roots), len(resources))
        if not loader.relevant(directory):
            continue
        only_files = roots[directory]
        try:
            root = _Instance.root(loader, directory, cli_values)
            root.check_variables()
            for entry_file, resource in root.planned_resources():
                if only_files is None or entry_file in only_files:
                    resources.append(resource)
        except RecursionError:
            loader.problem("configuration nested too deeply to evaluate", loader.display(directory))
    for path in syntax_check:
        loader.check_syntax(Path(os.path.abspath(base / path)))
    cli_names = [v.partition("=")[0].strip() for kind, v in assignments if kind == "var"]
    for name in dict.fromkeys(cli_names):
        if roots and not any(loader.declares_variable(d, name) for d in roots):
            loader.problem(
                f'--var {name}=...: no root module here declares a variable "{name}" '
                "(Terraform refuses a value for an undeclared variable); check the name",
                None,
            )
    return ScanResult(
        resources, loader.errors, loader.files_seen, loader.files_parsed, loader.calls
    )


# --- reading and parsing -------------------------------------------------------------------


class _Loader:
    """Reads and parses files once each, and knows which modules can matter."""

    def __init__(
        self,
        cwd: Path,
        resource_types: Mapping[str, TypeMapping],
        environ: Mapping[str, str],
        modules: Sequence[ModuleMapping] = (),
        *,
        every_module: bool = False,
    ) -> None:
        self.cwd = cwd
        self.resource_types = resource_types
        self.environ = environ
        self.module_mappings = tuple(modules)
        self.every_module = every_module
        self.calls: dict[str, CallSite] = {}
        self._reported: set[tuple[str, int, str]] = set()
        self.errors: list[ProblemReport] = []
        self.files_seen = 0
        self.files_parsed = 0
        self.parsed: set[Path] = set()
        self._workspaces: dict[Path, str] = {}
        self._installed: dict[Path, dict[str, Path]] = {}
        self._local_calls: dict[Path, list[Path]] = {}
        self._sources: dict[Path, list[_Source]] = {}
        self._relevant: dict[Path, bool] = {}
        self._modules: dict[Path, _Module] = {}
        self._trees: dict[Path, HclTree | _JObject | None] = {}
        types = sorted({*resource_types, RESTAPI_TERRAFORM_TYPE})
        self._type_re = re.compile("|".join(re.escape(t) for t in types))

    def is_mapped_type(self, resource_type: str) -> bool:
        """True for a resource type this scan reads: mapped, or ``restapi_object``."""
        return resource_type in self.resource_types or resource_type == RESTAPI_TERRAFORM_TYPE

    def module_mapping(self, source: object) -> TypeMapping | None:
        """The config mapping of a module call whose ``source`` matches a configured glob."""
        if not isinstance(source, str):
            return None
        for mapping in self.module_mappings:
            if mapping.matches(source):
                return mapping.mapping()
        return None

    def problem_once(self, message: str, file: str, line: int) -> None:
        """Record an input error once, however many instances of a block hit it."""
        if (file, line, message) not in self._reported:
            self._reported.add((file, line, message))
            self.problem(message, file, line)

    def display(self, path: Path) -> str:
        """``path`` as findings show it: relative to the working directory when inside it."""
        try:
            return path.relative_to(self.cwd).as_posix()
        except ValueError:
            return path.as_posix()

    def problem(
        self, message: str, file: str | None, line: int | None = None, column: int | None = None
    ) -> None:
        """Record an input error; the scan goes on."""
        self.errors.append(ProblemReport(message, file, line, column))

    def discover(self, top: Path) -> list[Path]:
        """Every directory under ``top`` holding Terraform files (hidden ones skipped).

        Symlinked directories are followed (an ``envs/prod -> ../live/prod`` layout), each
        real directory once: a link back up the tree cannot loop.
        """
        found = []
        seen: set[str] = set()
        for directory, dirnames, filenames in os.walk(top, followlinks=True):
            real = os.path.realpath(directory)
            if real in seen:
                dirnames[:] = []
                continue
            seen.add(real)
            dirnames[:] = sorted(
                d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS
            )
            if module_file_names(filenames):
                found.append(Path(directory))
                self.sources(Path(directory))
        return found

    def sources(self, directory: Path) -> list[_Source]:
        """The configuration files of one module directory, read once (a directory that
        happens to be called ``x.tf`` is none)."""
        if directory not in self._sources:
            try:
                # scandir: telling a directory from a file costs no stat for most entries.
                with os.scandir(directory) as listing:
                    entries = {entry.name: entry for entry in listing}
            except OSError:
                entries = {}
            names = [n for n in module_file_names(entries) if not _is_dir(entries[n])]
            self._sources[directory] = [self._read(directory / n) for n in names]
        return self._sources[directory]

    def _read(self, path: Path) -> _Source:
        self.files_seen += 1
        shown = self.display(path)
        text = self.read_text(path, shown, report=self.problem)
        return _Source(path, text)

    @staticmethod
    def read_text(path: Path, shown: str, report: Callable[[str, str | None], None]) -> str | None:
        """The file's text (BOM stripped, CRLF made LF), or None after reporting why not."""
        try:
            data = read_input_bytes(path, max_bytes=MAX_FILE_BYTES)
        except OSError as error:
            report(f"cannot read file: {error.strerror or error}", shown)
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            report("not a text file (not valid UTF-8)", shown)
            return None
        if "\x00" in text:
            report("not a text file (it holds NUL bytes)", shown)
            return None
        return text.replace("\r\n", "\n")

    def local_calls(self, directory: Path) -> list[Path]:
        """Directories this module calls with a local ``source`` (cheap regex, no parse)."""
        if directory not in self._local_calls:
            calls = []
            for source in self.sources(directory):
                text = source.text or ""
                if source.path.name.endswith(".json"):
                    text = text.replace("\\/", "/")  # JSON may write "./mod" as ".\/mod"
                for match in _LOCAL_SOURCE_RE.finditer(text):
                    calls.append(Path(os.path.normpath(directory / match.group(1))))
            self._local_calls[directory] = calls
        return self._local_calls[directory]

    def relevant(self, directory: Path) -> bool:
        """True when the module declares a mapped type or (transitively) calls one that does."""
        if directory in self._relevant:
            return self._relevant[directory]
        self._relevant[directory] = False  # a call cycle adds nothing
        sources = self.sources(directory)
        found = self.every_module or any(
            s.text is None
            or self._type_re.search(s.text)
            or self._mapped_call(s.text)
            or _ESCAPE_RE.search(s.text)
            for s in sources
        )
        if not found:
            # A local module that is missing might hold anything: the caller is parsed, so
            # that the missing directory is reported rather than silently passed over.
            found = any(not c.is_dir() or self.relevant(c) for c in self.local_calls(directory))
        if not found:
            # Remote modules `terraform init` installed for it (if it is a root).
            found = any(self.relevant(d) for d in self.installed_modules(directory).values())
        self._relevant[directory] = found
        return found

    def _mapped_call(self, text: str) -> bool:
        if not self.module_mappings:
            return False
        return any(self.module_mapping(m.group(1)) for m in _ANY_SOURCE_RE.finditer(text))

    def module(self, directory: Path) -> _Module:
        """The parsed declarations of one module directory."""
        if directory not in self._modules:
            module = _Module(directory)
            overrides = []
            for source in self.sources(directory):
                if source.text is None:
                    continue
                # A file with nothing but provider or terraform blocks is not worth a parse.
                if _is_json_config(source.path.name) or _BLOCKS_RE.search(source.text):
                    if is_override_file(source.path.name):
                        overrides.append(_Module(directory))
                        self._declare(overrides[-1], source)
                    else:
                        self._declare(module, source)
            # Override files merge in last, in name order, as Terraform merges them.
            for part in overrides:
                module.override(part, self)
            self._modules[directory] = module
        return self._modules[directory]

    def _declare(self, module: _Module, source: _Source) -> None:
        assert source.text is not None
        shown = self.display(source.path)
        if _is_json_config(source.path.name):
            document = self._parse_json(source.path, source.text, shown)
            if document is not None:
                _declare_json(module, document, shown, self)
            return
        tree = self._parse_hcl(source.path, source.text, shown)
        if tree is not None:
            comments = (
                _comments(tree, source.text, shown, self) if MARKER in source.text.lower() else []
            )
            _declare_hcl(module, tree, source.text, shown, comments, self)

    def installed_modules(self, root_dir: Path) -> dict[str, Path]:
        """The modules ``terraform init`` installed for ``root_dir``, by call path (``net``,
        ``net.sub``), from ``.terraform/modules/modules.json`` (under ``TF_DATA_DIR``)."""
        if root_dir not in self._installed:
            data_dir = root_dir / self.environ.get("TF_DATA_DIR", ".terraform")
            found: dict[str, Path] = {}
            try:
                manifest = loads_json(
                    read_input_bytes(
                        data_dir / "modules" / "modules.json", max_bytes=MAX_FILE_BYTES
                    ).decode("utf-8")
                )
            except (OSError, ValueError, RecursionError):
                manifest = None  # none, or unreadable: remote modules stay unseen
            entries = manifest.get("Modules") if isinstance(manifest, dict) else None
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict):
                    continue
                key, directory = entry.get("Key"), entry.get("Dir")
                if isinstance(key, str) and key and isinstance(directory, str):
                    path = Path(os.path.normpath(root_dir / directory))
                    if path.is_dir():
                        found[key] = path
            self._installed[root_dir] = found
        return self._installed[root_dir]

    def workspace(self, root_dir: Path) -> str:
        """``terraform.workspace`` as ``terraform plan`` in ``root_dir`` sees it:
        ``TF_WORKSPACE``, else the one ``terraform workspace select`` left in
        ``.terraform/environment`` (under ``TF_DATA_DIR`` when set), else ``default``."""
        if self.environ.get("TF_WORKSPACE"):
            return self.environ["TF_WORKSPACE"]
        if root_dir not in self._workspaces:
            data_dir = root_dir / self.environ.get("TF_DATA_DIR", ".terraform")
            try:
                selected = read_input_bytes(data_dir / "environment", max_bytes=4096)
                name = selected.decode("utf-8", "replace").strip()
            except OSError:
                name = ""
            self._workspaces[root_dir] = name or "default"
        return self._workspaces[root_dir]

    def declares_variable(self, directory: Path, name: str) -> bool:
        """True when the module declares ``variable "name"`` (a text test: no parse needed)."""
        if directory in self._modules:
            return name in self._modules[directory].variables
        declared = re.compile(rf'\bvariable\s+"?{re.escape(name)}"?\s*\{{|"{re.escape(name)}"\s*:')
        return any(s.text and declared.search(s.text) for s in self.sources(directory))

    def check_syntax(self, path: Path) -> None:
        """Parse a Terraform file not parsed yet, only to report its syntax errors."""
        if path in self.parsed or not is_config_file_name(path.name):
            return
        source = next((s for s in self.sources(path.parent) if s.path == path), None)
        if source is None or source.text is None:
            return  # not there, or not readable (already reported)
        shown = self.display(path)
        if _is_json_config(path.name):
            self._parse_json(path, source.text, shown)
        else:
            self._parse_hcl(path, source.text, shown)

    def _parse_hcl(self, path: Path, text: str, shown: str) -> HclTree | None:
        self.files_parsed += 1
        self.parsed.add(path)
        try:
            tree: HclTree = hcl2.parses_to_tree(text)
            return tree
        except _SYNTAX_ERRORS as error:
            stripped = _without_strip_markers(text)
            if stripped != text:
                # python-hcl2 reads "${~ x ~}" only in heredocs; Terraform, in any template.
                with contextlib.suppress(*_SYNTAX_ERRORS, RecursionError, LarkError):
                    retried: HclTree = hcl2.parses_to_tree(stripped)
                    return retried
            self.problem(
                _syntax_message(error),
                shown,
                getattr(error, "line", None),
                getattr(error, "column", None),
            )
        except RecursionError:
            self.problem("nested too deeply to read", shown)
        except LarkError as error:
            self.problem(f"cannot parse: {str(error).splitlines()[0][:200]}", shown)
        return None

    def _parse_json(self, path: Path, text: str, shown: str) -> _JObject | None:
        self.files_parsed += 1
        self.parsed.add(path)
        try:
            document = _JsonReader(text).document()
        except _JsonSyntaxError as error:
            self.problem(error.message, shown, error.line, error.column)
            return None
        if not isinstance(document, _JObject):
            self.problem("a JSON configuration file must hold a JSON object", shown, 1, 1)
            return None
        return document

    def read_tfvars(self, path: Path, *, strict: bool) -> dict[str, Any]:
        """The values a ``.tfvars`` or ``.tfvars.json`` file sets (evaluated, no references)."""
        shown = self.display(path)
        problems: list[tuple[str, str | None, int | None, int | None]] = []

        def report(
            message: str, file: str | None, line: int | None = None, col: int | None = None
        ) -> None:
            problems.append((message, file, line, col))

        self.files_seen += 1
        text = self.read_text(path, shown, report=report)
        values: dict[str, Any] = {}
        if text is not None:
            self.files_parsed += 1
            if path.name.endswith(".json"):
                try:
                    document = loads_json(text or "{}")
                    if not isinstance(document, dict):
                        report("a .tfvars.json file must hold a JSON object", shown, 1, 1)
                    else:
                        values = {k: json_numbers(v) for k, v in document.items()}
                except json.JSONDecodeError as error:
                    report(f"invalid JSON: {error.msg}", shown, error.lineno, error.colno)
            else:
                try:
                    tree = hcl2.parses_to_tree(text)
                    body = _subtrees(tree)[0]
                    for attribute in _subtrees(body):
                        if attribute.data == "attribute":
                            name_node, expr = _subtrees(attribute)
                            values[identifier_name(name_node)] = evaluate(expr, Scope({}))
                        else:
                            report(
                                "a .tfvars file holds only NAME = VALUE lines",
                                shown,
                                attribute.meta.line,
                                attribute.meta.column,
                            )
                except _SYNTAX_ERRORS as error:
                    report(
                        _syntax_message(error),
                        shown,
                        getattr(error, "line", None),
                        getattr(error, "column", None),
                    )
                except (LarkError, RecursionError):
                    report("cannot parse this variables file", shown)
        if problems:
            if strict:
                message, file, line, col = problems[0]
                raise InputError(f"--var-file: {message}", file=file, line=line, column=col)
            for problem in problems:
                self.problem(*problem)
        return values

    def read_cli_assignment(self, kind: str, value: str) -> dict[str, _Raw]:
        """A ``--var-file`` (evaluated) or a ``--var NAME=VALUE`` (raw until its type is known)."""
        if kind == "file":
            path = Path(os.path.abspath(self.cwd / value))
            if not path.is_file():
                raise InputError("--var-file: no such file", file=self.display(path))
            return {
                k: _Raw(v, literal=False) for k, v in self.read_tfvars(path, strict=True).items()
            }
        name, equals, text = value.partition("=")
        if not equals or not name.strip():
            raise InputError(
                f"--var {value!r}: write it as NAME=VALUE, e.g. --var region_code=chicago-il"
            )
        return {name.strip(): _Raw(text, literal=True)}


@dataclass(frozen=True)
class _Raw:
    """A variable value from outside the code: a ``--var``/``TF_VAR_`` string or a tfvars value."""

    value: Any
    literal: bool
    """True for a string still to be read as the variable's type says (HCL for complex types)."""


_TOKEN_NAMES = {
    "RBRACE": "'}'",
    "LBRACE": "'{'",
    "RSQB": "']'",
    "LSQB": "'['",
    "RPAR": "')'",
    "LPAR": "'('",
    "EQ": "'='",
    "COMMA": "','",
    "COLON": "':'",
    "DBLQUOTE": "'\"'",
    "NAME": "a name",
    "NL_OR_COMMENT": "a new line",
    "QMARK": "'?'",
    "FOR_OBJECT_ARROW": "'=>'",
    "INTERP_START": "'${'",
    "$END": "end of file",
}
_EXPRESSION_STARTS = frozenset(
    {"NAME", "INT_LITERAL", "FLOAT_LITERAL", "DBLQUOTE", "LSQB", "LBRACE", "LPAR", "NOT", "MINUS"}
)


def _syntax_message(error: Exception) -> str:
    """A parser error as one short line: what was found, what was expected."""
    if isinstance(error, UnexpectedToken):
        token = error.token
        found = "end of file" if token.type == "$END" else _describe_token(str(token))
        expected = set(error.expected)
    elif isinstance(error, UnexpectedCharacters):
        found = _describe_token(error.char)
        expected = set(error.allowed or ())
    else:
        found = "end of file"
        expected = set(getattr(error, "expected", ()) or ())
    described: list[str] = []
    if len(expected & _EXPRESSION_STARTS) >= 4:
        described.append("an expression")
        expected -= _EXPRESSION_STARTS
    described += sorted({_TOKEN_NAMES[t] for t in expected if t in _TOKEN_NAMES})
    message = f"syntax error: unexpected {found}"
    if described:
        message += "; expected " + (" or ".join(described[:4]))
    return message


def _describe_token(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    if not first:
        return "end of line"
    if len(first) > 20:
        first = first[:20] + "..."
    return repr(first)


# --- HCL declarations ----------------------------------------------------------------------


def _subtrees(node: HclTree) -> list[HclTree]:
    return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _label(node: HclTree) -> str:
    if node.data == "string":
        raw = "".join(
            str(part.children[0])
            for part in node.children
            if isinstance(part, Tree) and isinstance(part.children[0], Token)
        )
        return _unescape(raw) if "\\" in raw else raw  # "telnyx\u005fvxc" is a label too
    return identifier_name(node)


def _declare_hcl(
    module: _Module,
    tree: HclTree,
    text: str,
    shown: str,
    comments: list[tuple[int, Suppression]],
    loader: _Loader,
) -> None:
    body = _subtrees(tree)[0]
    lines = text.split("\n")
    for block in _subtrees(body):
        if block.data != "block":
            continue
        parts = _subtrees(block)
        block_type = identifier_name(parts[0])
        labels = [_label(p) for p in parts[1:] if p.data in ("identifier", "string")]
        inner = next(p for p in parts if p.data == "body")
        attrs = {
            identifier_name(_subtrees(a)[0]): _Attr(
                identifier_name(_subtrees(a)[0]), _subtrees(a)[1], a.meta.line, shown
            )
            for a in _subtrees(inner)
            if a.data == "attribute"
        }
        line = block.meta.line
        place = (shown, line)
        if block_type == "resource" and len(labels) == 2 and loader.is_mapped_type(labels[0]):
            suppressions = _block_suppressions(comments, lines, line, block.meta.end_line)
            resource = _Block(labels[0], labels[1], attrs, shown, line, suppressions)
            module.declare("resources", (labels[0], labels[1]), resource, place, loader)
        elif block_type == "module" and len(labels) == 1:
            suppressions = _block_suppressions(comments, lines, line, block.meta.end_line)
            call = _Block("module", labels[0], attrs, shown, line, suppressions)
            module.declare("calls", labels[0], call, place, loader)
        elif block_type == "variable" and len(labels) == 1:
            module.declare("variables", labels[0], _variable(labels[0], attrs), place, loader)
        elif block_type == "locals":
            for name, attr in attrs.items():
                module.declare("locals", name, attr, (shown, attr.line), loader)
        elif block_type == "output" and len(labels) == 1 and "value" in attrs:
            module.declare("outputs", labels[0], attrs["value"], place, loader)


def _variable(name: str, attrs: Mapping[str, _Attr]) -> _Variable:
    nullable = True
    if "nullable" in attrs:
        nullable = evaluate(attrs["nullable"].expr, Scope({})) is not False
    return _Variable(
        name,
        attrs["default"].expr if "default" in attrs else None,
        parse_type(attrs["type"].expr) if "type" in attrs else ANY,
        nullable,
        dict(attrs),
    )


_COMMENT_RE = re.compile(r"#[^\n]*|//[^\n]*|/\*.*?\*/", re.DOTALL)
_COMMENT_TOKENS = frozenset(
    {"NL_OR_COMMENT", "DOUBLE_EQ", "NEQ", "LT", "GT", "LEQ", "GEQ", "ASTERISK", "SLASH",
     "PERCENT", "DOUBLE_AMP", "DOUBLE_PIPE", "PLUS", "QMARK"}
)  # fmt: skip
"""Tokens that can carry comments (python-hcl2 merges a newline into a following operator)."""


def _comments(
    tree: HclTree, text: str, shown: str, loader: _Loader
) -> list[tuple[int, Suppression]]:
    """Every ignore comment in the file with its line; malformed ones become problems."""
    found = []
    for node in tree.iter_subtrees_topdown():  # type: ignore[no-untyped-call]
        for token in node.children:
            if not isinstance(token, Token) or token.type not in _COMMENT_TOKENS:
                continue
            value = str(token)
            if MARKER not in value.lower():
                continue
            for match in _COMMENT_RE.finditer(value):
                comment = match.group(0)
                body = comment[2:-2] if comment.startswith("/*") else comment.lstrip("#/")
                line = (token.line or 1) + value[: match.start()].count("\n")
                for offset, piece in enumerate(body.split("\n")):
                    piece = piece.strip().lstrip("*").strip()
                    try:
                        suppression = parse_ignore_comment(piece, file=shown, line=line + offset)
                    except InputError as error:
                        loader.problem(error.message, shown, line + offset)
                        continue
                    if suppression is not None:
                        found.append((line + offset, suppression))
    return found


def _is_comment_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("#", "//", "/*", "*")) or stripped.endswith("*/")


def _block_suppressions(
    comments: list[tuple[int, Suppression]], lines: list[str], start: int, end: int | None
) -> tuple[Suppression, ...]:
    """The ignore comments directly above the block header (contiguous) or inside the block."""
    if not comments:
        return ()
    first = start
    while first > 1 and _is_comment_line(lines[first - 2]):
        first -= 1
    last = end or start
    return tuple(s for line, s in comments if first <= line <= last)


# --- JSON declarations ---------------------------------------------------------------------


@dataclass
class _JObject:
    items: list[tuple[str, int, Any]]
    line: int

    def plain(self) -> dict[str, Any]:
        return {k: _jplain(v) for k, _, v in self.items}


def _jplain(value: Any) -> Any:
    if isinstance(value, _JObject):
        return value.plain()
    if isinstance(value, list):
        return [_jplain(v) for v in value]
    return value


def json_numbers(value: Any) -> Any:
    """``value`` with whole floats made ints, as Terraform numbers are (``100.0`` is ``100``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [json_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: json_numbers(v) for k, v in value.items()}
    return value


class _JsonSyntaxError(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_JSON_WS = re.compile(r"[ \t\n\r]*")


class _JsonReader:
    """A small JSON reader that keeps the line of every object key (json.loads loses them)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, pos)
        return line, pos - self.line_starts[line - 1] + 1

    def fail(self, message: str) -> _JsonSyntaxError:
        line, column = self.where(self.pos)
        return _JsonSyntaxError(f"invalid JSON: {message}", line, column)

    def document(self) -> Any:
        if not self.text.strip():
            return _JObject([], 1)
        value = self.value(0)
        self.skip()
        if self.pos != len(self.text):
            raise self.fail("unexpected text after the document")
        return value

    def skip(self) -> None:
        match = _JSON_WS.match(self.text, self.pos)
        self.pos = match.end() if match else self.pos

    def value(self, depth: int) -> Any:
        if depth > 200:
            raise self.fail("nested too deeply")
        self.skip()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of file")
        char = self.text[self.pos]
        if char == "{":
            return self.object(depth)
        if char == "[":
            return self.array(depth)
        if char == '"':
            return self.string()
        for word, result in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return result
        match = _JSON_NUMBER.match(self.text, self.pos)
        if match is None:
            raise self.fail(f"unexpected {self.text[self.pos]!r}")
        self.pos = match.end()
        if match.group(1) or match.group(2):
            number = float(match.group(0))
            return int(number) if number.is_integer() and abs(number) < 2**63 else number
        return int(match.group(0))

    def string(self) -> str:
        try:
            text, self.pos = json.decoder.scanstring(self.text, self.pos + 1)  # type: ignore[attr-defined]
        except json.JSONDecodeError as error:
            self.pos = error.pos
            raise self.fail(error.msg) from error
        return str(text)

    def object(self, depth: int) -> _JObject:
        line = self.where(self.pos)[0]
        self.pos += 1
        items: list[tuple[str, int, Any]] = []
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return _JObject(items, line)
        while True:
            self.skip()
            if not self.text.startswith('"', self.pos):
                raise self.fail("expected a quoted key")
            key_line = self.where(self.pos)[0]
            key = self.string()
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise self.fail("expected ':'")
            self.pos += 1
            items.append((key, key_line, self.value(depth + 1)))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("}", self.pos):
                self.pos += 1
                return _JObject(items, line)
            else:
                raise self.fail("expected ',' or '}'")

    def array(self, depth: int) -> list[Any]:
        self.pos += 1
        items: list[Any] = []
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return items
        while True:
            items.append(self.value(depth + 1))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("]", self.pos):
                self.pos += 1
                return items
            else:
                raise self.fail("expected ',' or ']'")


def _jobjects(value: Any) -> Iterator[_JObject]:
    """Terraform JSON allows a block as an object or a list of objects."""
    if isinstance(value, _JObject):
        yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, _JObject):
                yield item


def _json_attrs(body: _JObject, shown: str) -> dict[str, _Attr]:
    return {
        k: _Attr(k, JsonExpr(_jplain(v)), line, shown) for k, line, v in body.items if k != "//"
    }


def _json_suppressions(body: _JObject, shown: str, loader: _Loader) -> tuple[Suppression, ...]:
    found = []
    for key, line, value in body.items:
        if key == "//" and isinstance(value, str) and MARKER in value.lower():
            try:
                suppression = parse_ignore_comment(value, file=shown, line=line)
            except InputError as error:
                loader.problem(error.message, shown, line)
                continue
            if suppression is not None:
                found.append(suppression)
    return tuple(found)


def _declare_json(module: _Module, document: _JObject, shown: str, loader: _Loader) -> None:
    for block_type, _, content in document.items:
        for group in _jobjects(content):
            if block_type == "locals":
                for name, attr in _json_attrs(group, shown).items():
                    module.declare("locals", name, attr, (shown, attr.line), loader)
                continue
            for label, line, value in group.items:
                for body in _jobjects(value):
                    _declare_json_block(module, block_type, label, line, body, shown, loader)


def _declare_json_block(
    module: _Module,
    block_type: str,
    label: str,
    line: int,
    body: _JObject,
    shown: str,
    loader: _Loader,
) -> None:
    if block_type == "resource" and loader.is_mapped_type(label):
        for name, name_line, inner in body.items:
            for resource in _jobjects(inner):
                attrs = _json_attrs(resource, shown)
                suppressions = _json_suppressions(resource, shown, loader)
                block = _Block(label, name, attrs, shown, name_line, suppressions)
                module.declare("resources", (label, name), block, (shown, name_line), loader)
    elif block_type == "module":
        attrs = _json_attrs(body, shown)
        suppressions = _json_suppressions(body, shown, loader)
        call = _Block("module", label, attrs, shown, line, suppressions)
        module.declare("calls", label, call, (shown, line), loader)
    elif block_type == "variable":
        variable = _variable(label, _json_attrs(body, shown))
        module.declare("variables", label, variable, (shown, line), loader)
    elif block_type == "output":
        attrs = _json_attrs(body, shown)
        if "value" in attrs:
            module.declare("outputs", label, attrs["value"], (shown, line), loader)


# --- evaluation ----------------------------------------------------------------------------


_STRIP_BEFORE_RE = re.compile(r"[ \t]*([$%]\{)~")
_STRIP_AFTER_RE = re.compile(r"~\}[ \t]*")


_HEREDOC_START_RE = re.compile(r"<<-?\s*([A-Za-z_][\w-]*)\s*$")


def _without_strip_markers(text: str) -> str:
    """Template strip markers (``${~ x ~}``, ``%{~ if ~}``) in quoted strings applied by hand:
    the marker gone with the spaces it strips on its line (lines never join, so line numbers
    stay). Heredocs, which python-hcl2 reads with their markers, are left as written."""
    lines = text.split("\n")
    closing: str | None = None
    for number, line in enumerate(lines):
        if closing is not None:
            if line.strip() == closing:
                closing = None
            continue
        start = _HEREDOC_START_RE.search(line)
        head = line[: start.start()] if start else line
        head = _STRIP_AFTER_RE.sub("}", _STRIP_BEFORE_RE.sub(r"\1", head))
        lines[number] = head + (line[start.start() :] if start else "")
        if start:
            closing = start.group(1)
    return "\n".join(lines)


def _preview(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: JSON, cut short."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _instance_key(key: int | str | None) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return "[" + json.dumps(key, ensure_ascii=False) + "]"


@dataclass
class _Expansion:
    """The instances ``count``/``for_each`` make: (key, names bound for it) each."""

    instances: list[tuple[int | str | None, dict[str, Any]]]
    known: bool = True


_VAR_TEMPLATE_RE = re.compile(r"\$\{\s*var\.([A-Za-z_][\w-]*)\s*\}")


def _var_reference(expr: Node) -> str | None:
    """``x`` when the expression is exactly ``var.x`` (a value passed straight through)."""
    if isinstance(expr, JsonExpr):
        if isinstance(expr.value, str) and (m := _VAR_TEMPLATE_RE.fullmatch(expr.value)):
            return m.group(1)
        return None
    names = traversal(unwrapped(expr))
    return names[1] if names and len(names) == 2 and names[0] == "var" else None


class _Instance:
    """One instance of a module: variables, locals, module calls, outputs, all lazy."""

    def __init__(
        self,
        loader: _Loader,
        module: _Module,
        *,
        address: str,
        root_dir: Path,
        context: EvalContext,
        variable_value: Callable[[str], Any],
        origins: Mapping[str, tuple[str, int]],
        suppressions: tuple[Suppression, ...] = (),
        unexpanded: bool = False,
        depth: int = 0,
        entry_file: str | None = None,
    ) -> None:
        self.loader = loader
        self.module = module
        self.address = address
        self.root_dir = root_dir
        self.context = context
        self.origins = origins
        self.suppressions = suppressions
        self.unexpanded = unexpanded
        self.depth = depth
        self.entry_file = entry_file
        """The root module's file whose module call created this instance (None for the root)."""
        self._variable_value = variable_value
        self._values: dict[tuple[str, str], Any] = {}
        self._busy: set[tuple[str, str]] = set()
        self._children: dict[str, list[tuple[int | str | None, _Instance]] | None] = {}
        relative = os.path.relpath(module.dir, root_dir)
        self.scope = Scope(
            {
                "var": Lazy(module.variables, lambda n: self._memo("var", n, self._variable)),
                "local": Lazy(module.locals, lambda n: self._memo("local", n, self._local)),
                "module": Lazy(module.calls, lambda n: self._memo("module", n, self._module_value)),
                "path": {
                    "module": Path(relative).as_posix(),
                    "root": ".",
                    "cwd": root_dir.as_posix(),
                },
                "terraform": {"workspace": loader.workspace(root_dir)},
            },
            context,
        )

    @classmethod
    def root(cls, loader: _Loader, directory: Path, cli_values: list[dict[str, _Raw]]) -> _Instance:
        """The root module in ``directory``, its variables set from tfvars, env and CLI."""
        module = loader.module(directory)
        raw: dict[str, _Raw] = {}
        for name in module.variables:
            env_value = loader.environ.get(f"TF_VAR_{name}")
            if env_value is not None:
                raw[name] = _Raw(env_value, literal=True)
        auto = sorted(
            n for n in os.listdir(directory) if n.endswith((".auto.tfvars", ".auto.tfvars.json"))
        )
        for name in ("terraform.tfvars", "terraform.tfvars.json", *auto):
            path = directory / name
            if path.is_file():
                values = loader.read_tfvars(path, strict=False)
                raw.update({k: _Raw(v, literal=False) for k, v in values.items()})
        for assignment in cli_values:
            raw.update(assignment)
        context = EvalContext()

        def variable_value(name: str) -> Any:
            variable = module.variables[name]
            if name in raw:
                return _read_raw(raw[name], variable.type, context)
            if variable.default is not None:
                return evaluate(variable.default, Scope({}, context))
            return UNKNOWN  # terraform would prompt for it

        return cls(
            loader,
            module,
            address="",
            root_dir=directory,
            context=context,
            variable_value=variable_value,
            origins={},
        )

    def check_variables(self) -> None:
        """Read every variable once, so that a value Terraform would refuse (a string for a
        number) is reported even when no Telnyx resource reads it."""
        for name in self.module.variables:
            self._memo("var", name, self._variable)

    def _memo(self, kind: str, name: str, compute: Callable[[str], Any]) -> Any:
        key = (kind, name)
        if key in self._values:
            return self._values[key]
        if key in self._busy:
            return UNKNOWN  # a reference cycle: terraform refuses it, we cannot know it
        self._busy.add(key)
        try:
            value = compute(name)
        finally:
            self._busy.discard(key)
        self._values[key] = value
        return value

    def _variable(self, name: str) -> Any:
        variable = self.module.variables[name]
        value = self._variable_value(name)
        if value is None and not variable.nullable and variable.default is not None:
            value = evaluate(variable.default, Scope({}, self.context))
        try:
            return convert(value, variable.type)
        except (EvalError, ValueError, TypeError) as error:
            # Terraform rejects the value at plan: say so, and check nothing with it.
            file, line = self.module.places.get(("variables", name), (None, None))
            if file is not None and line is not None:
                reason = str(error) if isinstance(error, EvalError) else "wrong type"
                sensitive = "sensitive" in variable.attrs and evaluate(
                    variable.attrs["sensitive"].expr, Scope({})
                )
                shown = "(sensitive value)" if sensitive is True else _preview(value)
                self.loader.problem_once(
                    f'variable "{name}"{self._where()}: invalid value {shown}: '
                    f"{reason} (Terraform rejects it at plan)",
                    file,
                    line,
                )
            return UNKNOWN

    def _local(self, name: str) -> Any:
        return evaluate(self.module.locals[name].expr, self.scope)

    def _module_value(self, name: str) -> Any:
        children = self.children(name)
        call = self.module.calls[name]
        if children is None:
            return UNKNOWN
        if "count" not in call.attrs and "for_each" not in call.attrs:
            return children[0][1].outputs() if children else UNKNOWN
        if any(child.unexpanded for _, child in children):
            return UNKNOWN
        if "count" in call.attrs:
            return [child.outputs() for _, child in children]
        return {str(key): child.outputs() for key, child in children}

    def outputs(self) -> Lazy:
        """This instance's ``output`` values, computed when read."""
        return Lazy(self.module.outputs, lambda n: self._memo("output", n, self._output))

    def _output(self, name: str) -> Any:
        return evaluate(self.module.outputs[name].expr, self.scope)

    def expansion(self, block: _Block, scope: Scope) -> _Expansion:
        """The instances of a resource or module call in ``scope``."""
        unknown = _Expansion(
            [(None, {"count": {"index": UNKNOWN}, "each": {"key": UNKNOWN, "value": UNKNOWN}})],
            known=False,
        )
        if "count" in block.attrs:
            value = evaluate(block.attrs["count"].expr, scope)
            try:
                count = to_number(value) if not is_unknown(value) and value is not None else None
            except EvalError:
                count = None
            if not isinstance(count, int) or count < 0:
                return unknown
            if count > MAX_INSTANCES:
                self._too_many(block, count)
                return unknown
            return _Expansion([(i, {"count": {"index": i}}) for i in range(count)])
        if "for_each" in block.attrs:
            value = evaluate(block.attrs["for_each"].expr, scope)
            if isinstance(value, dict):
                pairs = [(k, value[k]) for k in sorted(value)]
            elif isinstance(value, list) and not is_unknown(value) and None not in value:
                # A set of strings (toset() gives a list here): each.key == each.value.
                try:
                    pairs = [(k, k) for k in sorted({to_string(v) for v in value})]
                except EvalError:
                    return unknown
            else:
                return unknown
            if len(pairs) > MAX_INSTANCES:
                self._too_many(block, len(pairs))
                return unknown
            return _Expansion([(k, {"each": {"key": k, "value": v}}) for k, v in pairs])
        return _Expansion([(None, {})])

    def _too_many(self, block: _Block, count: int) -> None:
        self.loader.problem(
            f"{block.type}.{block.name}: {count} instances are too many to check one by one "
            f"(limit {MAX_INSTANCES}); checked as one unexpanded resource",
            block.file,
            block.line,
        )

    def children(self, name: str) -> list[tuple[int | str | None, _Instance]] | None:
        """The instances of module call ``name``; None for a remote or missing module."""
        if name in self._children:
            return self._children[name]
        self._children[name] = None
        call = self.module.calls[name]
        source_attr = call.attrs.get("source")
        source = evaluate(source_attr.expr, Scope({})) if source_attr else None
        if not isinstance(source, str):
            return None
        if not (source in (".", "..") or source.startswith(("./", "../"))):
            # A registry, git or http module is never downloaded; one `terraform init` already
            # installed is read from where it put it, else what it creates is not seen.
            installed = self._installed_dir(name)
            if installed is None:
                return None
            directory = installed
        else:
            directory = Path(os.path.normpath(self.module.dir / source))
        if not directory.is_dir():
            where = source_attr.line if source_attr else call.line
            what = "is not a directory" if directory.exists() else "does not exist"
            self.loader.problem(
                f'module "{name}": source "{source}" {what} ({self.loader.display(directory)}), '
                "so nothing in it can be checked; fix the path",
                call.file,
                where,
            )
            return None
        if self.depth >= MAX_MODULE_DEPTH:
            self.loader.problem(
                f'module "{name}": modules nested too deeply (a module calling itself?)',
                call.file,
                call.line,
            )
            return None
        module = self.loader.module(directory)
        self._check_inputs(name, call, module, source)
        expansion = self.expansion(call, self.scope)
        instances = []
        for key, names in expansion.instances:
            call_scope = self.scope.with_names(names)
            instances.append((key, self._child(module, call, key, call_scope, expansion.known)))
        self._children[name] = instances
        return instances

    def _where(self) -> str:
        """`` (in module.edge["eu"])`` inside a module instance; nothing at the root."""
        return f" (in {self.address.rstrip('.')})" if self.address else ""

    def _check_inputs(self, name: str, call: _Block, module: _Module, source: str) -> None:
        """Terraform's own errors on a local module call: an argument the module declares no
        variable for (a typo would otherwise leave the real input at its default), and a
        variable with no default that the call does not set."""
        for input_name, attr in call.attrs.items():
            if input_name in _META_ARGUMENTS or input_name in module.variables:
                continue
            close = difflib.get_close_matches(input_name, list(module.variables), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            self.loader.problem_once(
                f'module "{name}": "{input_name}" is no input of {source} '
                f"(it declares no variable of that name){hint}",
                attr.file,
                attr.line,
            )
        for variable in module.variables.values():
            if "default" not in variable.attrs and variable.name not in call.attrs:
                self.loader.problem_once(
                    f'module "{name}": missing required input "{variable.name}" '
                    f"(the variable in {source} has no default)",
                    call.file,
                    call.line,
                )

    def _child(
        self, module: _Module, call: _Block, key: int | str | None, call_scope: Scope, known: bool
    ) -> _Instance:
        inputs = {n: a for n, a in call.attrs.items() if n not in _META_ARGUMENTS}
        origins: dict[str, tuple[str, int]] = {}
        for input_name, attr in inputs.items():
            passed = _var_reference(attr.expr)
            if passed is not None and passed in self.origins:
                origins[input_name] = self.origins[passed]  # the outermost call that sets it
            else:
                origins[input_name] = (attr.file, attr.line)

        def variable_value(name: str) -> Any:
            if name in inputs:
                return evaluate(inputs[name].expr, call_scope)
            default = module.variables[name].default
            if default is not None:
                return evaluate(default, Scope({}, self.context))
            return UNKNOWN  # a required input the call does not pass: terraform refuses it

        return _Instance(
            self.loader,
            module,
            address=f"{self.address}module.{call.name}{_instance_key(key)}.",
            root_dir=self.root_dir,
            context=self.context,
            variable_value=variable_value,
            origins=origins,
            suppressions=self.suppressions + call.suppressions,
            unexpanded=self.unexpanded or not known,
            depth=self.depth + 1,
            entry_file=self.entry_file or call.file,
        )

    def planned_resources(self) -> Iterator[tuple[str, PlannedResource]]:
        """Every mapped resource this instance and the modules it calls would plan.

        Each comes with the root module file it stems from: its own, or the module call's.
        """
        for block in self.module.resources.values():
            for resource in self._resource_instances(block):
                yield self.entry_file or block.file, resource
        for name, call in self.module.calls.items():
            self.loader.calls[strip_instance_keys(f"{self.address}module.{name}")] = CallSite(
                call.file, call.line, self.suppressions + call.suppressions
            )
            source_attr = call.attrs.get("source")
            source = evaluate(source_attr.expr, Scope({})) if source_attr else None
            mapping = self.loader.module_mapping(source)
            if mapping is not None:
                for resource in self._module_instances(call, mapping):
                    yield self.entry_file or call.file, resource
                continue  # the mapping is authoritative: never descend as well
            callee = self._callee_dir(name)
            if callee is None or (
                callee.is_dir()
                and not self.loader.relevant(callee)
                and not self._installed_relevant(name)
            ):
                continue  # nothing to check in there: do not even parse it
            for _, child in self.children(name) or []:
                yield from child.planned_resources()

    def _callee_dir(self, name: str) -> Path | None:
        source_attr = self.module.calls[name].attrs.get("source")
        source = evaluate(source_attr.expr, Scope({})) if source_attr else None
        if isinstance(source, str) and (source in (".", "..") or source.startswith(("./", "../"))):
            return Path(os.path.normpath(self.module.dir / source))
        return self._installed_dir(name)

    def _installed_key(self, name: str) -> str:
        """``a.b`` for call ``b`` in ``module.a``: the key ``modules.json`` gives it."""
        parts = strip_instance_keys(f"{self.address}module.{name}").split(".")
        return ".".join(parts[1::2])  # module.a.module.b -> a.b

    def _installed_dir(self, name: str) -> Path | None:
        """Where ``terraform init`` installed the remote module of call ``name``, if it did."""
        return self.loader.installed_modules(self.root_dir).get(self._installed_key(name))

    def _installed_relevant(self, name: str) -> bool:
        """True when the installed module of call ``name``, or one installed below it, can
        hold a Telnyx resource."""
        key = self._installed_key(name)
        return any(
            self.loader.relevant(directory)
            for k, directory in self.loader.installed_modules(self.root_dir).items()
            if k == key or k.startswith(key + ".")
        )

    def _resource_instances(self, block: _Block) -> Iterator[PlannedResource]:
        expansion = self.expansion(block, self.scope)
        for key, names in expansion.instances:
            scope = self.scope.with_names(names)
            address = f"{self.address}{block.type}.{block.name}{_instance_key(key)}"
            if block.type == RESTAPI_TERRAFORM_TYPE:
                read = self._restapi_fields(block, scope)
                if read is None:
                    continue  # not a Telnyx path, or a data problem already reported
                kind, values, lines = read
                data = block.attrs.get("data")
                files: dict[str, str] = {}
                if data is not None and data.file != block.file:
                    files = dict.fromkeys(lines, data.file)  # data set in an override file
            else:
                mapping = self.loader.resource_types[block.type]
                kind = mapping.kind
                values, lines, files = self._read_fields(block, mapping, scope)
            yield PlannedResource(
                address=address,
                kind=kind,
                values=values,
                file=block.file,
                line=block.line,
                attribute_lines=lines,
                source_type=block.type,
                suppressions=self.suppressions + block.suppressions,
                attribute_files=files,
            )

    def _module_instances(self, call: _Block, mapping: TypeMapping) -> Iterator[PlannedResource]:
        """A module call mapped in config: one resource per instance, read from its inputs."""
        expansion = self.expansion(call, self.scope)
        for key, names in expansion.instances:
            scope = self.scope.with_names(names)
            values, lines, files = self._read_fields(call, mapping, scope)
            # An input the call leaves out takes the module's own default, which a remote
            # module's source (never downloaded) would tell: unknown, never a pass.
            for api_field in mapping.attributes:
                values.setdefault(api_field, UNKNOWN)
            yield PlannedResource(
                address=f"{self.address}module.{call.name}{_instance_key(key)}",
                kind=mapping.kind,
                values=values,
                file=call.file,
                line=call.line,
                attribute_lines=lines,
                source_type="module",
                required=(),  # the module supplies what the API requires
                suppressions=self.suppressions + call.suppressions,
                attribute_files=files,
            )

    def _read_fields(
        self, block: _Block, mapping: TypeMapping, scope: Scope
    ) -> tuple[dict[str, Any], dict[str, int], dict[str, str]]:
        """(values, lines, files) of the API fields a block carries under ``mapping``'s names."""
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
        files: dict[str, str] = {}
        for api_field, attribute in mapping.fields().items():
            attr = block.attrs.get(attribute)
            if attr is None or attribute in _META_ARGUMENTS:
                continue
            values[api_field] = evaluate(attr.expr, scope)
            lines[api_field] = attr.line
            if attr.file != block.file:
                files[api_field] = attr.file  # set in an override file
            passed = _var_reference(attr.expr)
            if passed is not None and passed in self.origins:
                origin_file, lines[api_field] = self.origins[passed]
                files.pop(api_field, None)
                if origin_file != block.file:
                    files[api_field] = origin_file
        return values, lines, files

    def _restapi_fields(
        self, block: _Block, scope: Scope
    ) -> tuple[ResourceKind, dict[str, Any], dict[str, int]] | None:
        """A ``restapi_object``'s kind (from ``path``) and the API fields in its ``data``.

        None when the path is not a Telnyx one, or is only known at apply (nothing says the
        object is a Telnyx resource then), or when ``data`` is no JSON object (reported).
        """
        paths = [block.attrs.get(name) for name in ("path", "create_path")]
        path, create_path = (evaluate(a.expr, scope) if a else None for a in paths)
        kind = kind_for_restapi_object(path, create_path)
        if kind is None:
            return None
        data_attr = block.attrs.get("data")
        if data_attr is None:
            return kind, {}, {}
        address = f"{self.address}{block.type}.{block.name}"
        argument = function_argument(data_attr.expr, "jsonencode")
        key_lines: dict[str, int] = {}
        if argument is not None:
            data = evaluate(argument, scope)
            key_lines = object_key_lines(argument)
        else:
            data = evaluate(data_attr.expr, scope)
            if isinstance(data, str):
                try:
                    data = json_numbers(loads_json(data))
                except json.JSONDecodeError as error:
                    self.loader.problem_once(
                        f"{address}: data is not JSON ({error.msg} at line {error.lineno} "
                        f"column {error.colno} of the data); write it as jsonencode({{...}}) "
                        "or a JSON string",
                        data_attr.file,
                        data_attr.line,
                    )
                    return None
        return restapi_values(
            kind,
            data,
            key_lines,
            data_attr.line,
            on_problem=lambda message: self.loader.problem_once(
                f"{address}: {message}", data_attr.file, data_attr.line
            ),
        )


def _read_raw(raw: _Raw, spec: TypeSpec, context: EvalContext) -> Any:
    """A ``--var``/``TF_VAR_`` string read as Terraform does: HCL for complex types."""
    if not raw.literal:
        return raw.value
    if spec.is_primitive:
        return raw.value
    try:
        return evaluate(parse_expression(raw.value), Scope({}, context))
    except Exception:  # any parser failure: terraform would refuse the value, so unknown
        return UNKNOWN


def restapi_values(
    kind: ResourceKind,
    data: Any,
    key_lines: Mapping[str, int],
    data_line: int | None,
    *,
    on_problem: Callable[[str], None],
) -> tuple[ResourceKind, dict[str, Any], dict[str, int]] | None:
    """The API fields of a ``restapi_object``'s decoded ``data``, with their lines.

    ``data`` known only at apply makes every field the kind needs unknown (TNX005, never a
    pass); ``data`` that is no JSON object is reported through ``on_problem`` (None).
    """
    if data is UNKNOWN:
        needed = dict.fromkeys((*KINDS[kind].required, *PLACEMENT_ATTRIBUTES), UNKNOWN)
        lines = {f: data_line for f in needed} if data_line is not None else {}
        return kind, needed, lines
    if data is None:
        return kind, {}, {}
    if not isinstance(data, dict):
        on_problem(f"data must be a JSON object with the API's fields, not {_kind_of(data)}")
        return None
    values = {f: data[f] for f in MAPPABLE_FIELDS if f in data}
    lines = {f: key_lines[f] for f in values if f in key_lines}
    if data_line is not None:
        lines = {f: lines.get(f, data_line) for f in values}
    return kind, values, lines


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


_KEY_RE = re.compile(r"""\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]""")


def strip_instance_keys(address: str) -> str:
    """An address without its instance keys: ``module.a["x"].t.n[0]`` -> ``module.a.t.n``."""
    return _KEY_RE.sub("", address)
