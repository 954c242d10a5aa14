"""The config file: ``.telnyx-coverage.toml``, or ``[tool.telnyx-coverage]`` in ``pyproject.toml``.

Discovery: ``--config FILE`` when given (a missing file is an input error). Otherwise the
walk goes from the working directory up to the filesystem root and, in each directory,
takes ``.telnyx-coverage.toml`` first, then ``pyproject.toml`` if it holds a
``[tool.telnyx-coverage]`` table; it stops at the first directory holding either. A
``pyproject.toml`` without that table belongs to some other Python project and says nothing
about this tool, so it is passed over (as ruff and black do) rather than ending the walk.
With no file found, the defaults apply.

Every problem is an :class:`InputError` naming the file, the key path (``ignore[2].rule``),
what is allowed, and the line when a cheap look at the text finds it.

An example::

    fail_on = "error"              # error | warning | never
    unresolved = "warning"         # warning | error | ignore
    coverage = "coverage.json"     # a snapshot, relative to this file
    cache_ttl = "1h"               # seconds, or 30m, 1h, 2d, 1w
    max_coverage_age = "7d"

    [[ignore]]
    rule = "TNX004"                # a rule id, a rule name, or "*"
    address = "module.lab.*"       # fnmatch glob on the address, default "*"
    reason = "lab circuits are resized by hand"
    until = 2026-12-31

    [resource_types.acme_vxc]      # a Terraform type or a Pulumi type token
    kind = "virtual_cross_connect"
    attributes = { region_code = "pop", bandwidth_mbps = "speed" }

    [[modules]]
    source = "git::https://example.com/net//vxc*"
    kind = "virtual_cross_connect"
    inputs = { region_code = "location" }
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, Literal, cast

from telnyx_coverage.errors import InputError
from telnyx_coverage.files import read_input_bytes
from telnyx_coverage.findings import RULES
from telnyx_coverage.resources import (
    MAPPABLE_FIELDS,
    RESTAPI_TERRAFORM_TYPE,
    ResourceKind,
    TypeMapping,
)

CONFIG_FILE: Final = ".telnyx-coverage.toml"
PYPROJECT_FILE: Final = "pyproject.toml"
TOOL_TABLE: Final = "telnyx-coverage"

FailOn = Literal["error", "warning", "never"]
Unresolved = Literal["warning", "error", "ignore"]
FAIL_ON_VALUES: Final[tuple[FailOn, ...]] = ("error", "warning", "never")
UNRESOLVED_VALUES: Final[tuple[Unresolved, ...]] = ("warning", "error", "ignore")

DEFAULT_CACHE_TTL: Final = 3600
DEFAULT_MAX_COVERAGE_AGE: Final = 7 * 24 * 3600
MAX_AGE_ENV: Final = "TELNYX_COVERAGE_MAX_AGE"


MAX_CONFIG_BYTES: Final = 4 * 2**20

DURATION_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"\s*(\d+)\s*([smhdw])\s*")


@dataclass(frozen=True)
class IgnoreRule:
    """A config ``ignore`` entry: silence ``rule`` (or every rule) on addresses matching a glob."""

    rule: str
    """A rule id, or ``*`` for every rule."""
    address: str = "*"
    """A glob on the resource address: ``*`` and ``?`` are wildcards, brackets are literal."""
    reason: str = ""
    until: date | None = None
    """The last day it silences; None means no end."""


ResourceType = TypeMapping
"""An extra resource type (``resource_types``): the one core mapping class, by its config name."""


@dataclass(frozen=True)
class ModuleMapping:
    """Modules whose ``source`` matches a glob, taken as creating one resource of ``kind``."""

    source: str
    kind: ResourceKind
    inputs: Mapping[str, str] = field(default_factory=dict)
    """API field (``region_code``) to the module input that feeds it (default: its own name)."""

    def mapping(self) -> TypeMapping:
        """The module's inputs as a :class:`TypeMapping`, as a resource type's attributes are."""
        return TypeMapping(self.kind, self.inputs)

    def matches(self, source: str) -> bool:
        """True when a module call's ``source`` (as written) matches this glob."""
        return address_matches(source.strip(), self.source.strip())


@dataclass(frozen=True)
class Config:
    """The settings of one run, with the defaults SPEC.md gives."""

    fail_on: FailOn = "error"
    unresolved: Unresolved = "warning"
    coverage: Path | None = None
    """A snapshot file to check against (relative paths were taken from the config's folder)."""
    cache_ttl: int = DEFAULT_CACHE_TTL
    """Seconds a cached live answer is used for."""
    max_coverage_age: int = DEFAULT_MAX_COVERAGE_AGE
    """Seconds after which a snapshot or cache is stale (TNX008)."""
    ignore: tuple[IgnoreRule, ...] = ()
    resource_types: Mapping[str, TypeMapping] = field(default_factory=dict)
    modules: tuple[ModuleMapping, ...] = ()
    config_path: Path | None = None
    """The file this came from; None when the defaults apply."""


def address_matches(address: str, glob: str) -> bool:
    """True when ``address`` matches ``glob``: ``*`` any run of characters, ``?`` any one.

    Unlike fnmatch, ``[...]`` is no character class: Terraform addresses are full of
    brackets (``aws[0]``, ``v["eu"]``), and ``legacy[*]`` must mean every instance.
    """
    pattern = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in glob
    )
    return re.fullmatch(pattern, address, re.DOTALL) is not None


def parse_duration(value: object) -> int:
    """Seconds from an int, or a string like ``90``, ``30m``, ``1h``, ``2d``, ``1w``, ``1h30m``.

    Raises ValueError with what is allowed.
    """
    allowed = 'a whole number of seconds (>= 0) or a duration like "30m", "1h", "2d"'
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"expected {allowed}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{value} is negative; expected {allowed}")
        return value
    text = value.strip().lower()
    if text.isdigit():
        return int(text)
    parts = list(_DURATION.finditer(text))
    if not text or "".join(m.group(0) for m in parts) != text:
        raise ValueError(f'"{value}" is not a duration; expected {allowed}')
    return sum(int(m.group(1)) * DURATION_UNITS[m.group(2)] for m in parts)


def load_config(
    *, explicit: Path | None, cwd: Path, environ: Mapping[str, str] = os.environ
) -> Config:
    """The config from ``--config``, else the one found from ``cwd`` upwards, else defaults;
    ``$TELNYX_COVERAGE_MAX_AGE`` overrides ``max_coverage_age`` (the environment beats the
    file)."""
    if explicit is not None:
        path = explicit if explicit.is_absolute() else cwd / explicit
        if not path.is_file():
            raise InputError(
                "config file not found; check the --config path", file=_display(path, cwd)
            )
        config = _load_file(path, cwd, required_table=path.name == PYPROJECT_FILE)
    else:
        found = find_config(cwd)
        config = (
            Config()
            if found is None
            else _load_file(found, cwd, required_table=found.name == PYPROJECT_FILE)
        )
    max_age = environ.get(MAX_AGE_ENV, "").strip()
    if max_age:
        try:
            config = replace(config, max_coverage_age=parse_duration(max_age))
        except ValueError as error:
            raise InputError(f"{MAX_AGE_ENV}={max_age!r}: {error}") from None
    return config


def find_config(cwd: Path) -> Path | None:
    """The config file the walk from ``cwd`` upwards finds (see the module docstring)."""
    start = cwd.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / PYPROJECT_FILE
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        text = read_input_bytes(pyproject, max_bytes=MAX_CONFIG_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    # Most pyproject.toml files never name this tool: no need to parse them (or to fail on
    # a broken one that belongs to someone else).
    if TOOL_TABLE not in text:
        return False
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        # Names the tool but does not parse: load it, so the user sees the syntax error.
        return True
    tool = data.get("tool")
    return isinstance(tool, dict) and TOOL_TABLE in tool


def _display(path: Path, cwd: Path) -> str:
    """``path`` relative to ``cwd`` when inside it, as error messages and reports show files."""
    try:
        return os.fspath(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        # Outside the working directory: absolute and without "..", so it can be found.
        return os.path.abspath(path)


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")


def _load_file(path: Path, cwd: Path, *, required_table: bool) -> Config:
    shown = _display(path, cwd)
    try:
        text = read_input_bytes(path, max_bytes=MAX_CONFIG_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("config file is not UTF-8 text", file=shown) from None
    except OSError as error:
        raise InputError(f"cannot read the config file: {error.strerror}", file=shown) from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise InputError("invalid TOML: nested too deeply", file=shown) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line: int | None = None
        column: int | None = None
        if where := _TOML_WHERE.search(message):
            line, column = int(where.group(1)), int(where.group(2))
            message = message[: where.start()]
        elif end := _TOML_END.search(message):
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
            message = message[: end.start()] + " at the end of the file"
        raise InputError(f"invalid TOML: {message}", file=shown, line=line, column=column) from None

    prefix: tuple[str, ...] = ()
    if path.name == PYPROJECT_FILE:
        prefix = ("tool", TOOL_TABLE)
        tool = data.get("tool")
        table = tool.get(TOOL_TABLE) if isinstance(tool, dict) else None
        if table is None:
            if required_table:
                raise InputError(
                    f"no [tool.{TOOL_TABLE}] table in this pyproject.toml; add one, or point "
                    "--config at a .telnyx-coverage.toml",
                    file=shown,
                )
            return Config(config_path=path)
        data = table
    reader = _Reader(shown, text, prefix)
    return reader.config(data, path, cwd)


@dataclass(frozen=True)
class _Reader:
    """Validates the parsed TOML, raising InputErrors that say file, key, line and what to do."""

    file: str
    text: str
    prefix: tuple[str, ...]

    def fail(self, key_path: Sequence[str | int], problem: str) -> InputError:
        return InputError(
            f"{_key_path(key_path)}: {problem}",
            file=self.file,
            line=_find_line(self.text, [*self.prefix, *key_path]),
        )

    def table(
        self, value: object, key_path: Sequence[str | int], allowed: Sequence[str]
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key_path, f"expected a table, got {_type_name(value)}")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    [*key_path, key], f"unknown key; allowed keys: {', '.join(allowed)}"
                )
        return value

    def string(self, value: object, key_path: Sequence[str | int]) -> str:
        if not isinstance(value, str):
            raise self.fail(key_path, f"expected a string, got {_type_name(value)}")
        return value

    def nonempty(self, value: object, key_path: Sequence[str | int]) -> str:
        text = self.string(value, key_path)
        if not text.strip():
            raise self.fail(key_path, "must not be empty")
        return text

    def choice(self, value: object, key_path: Sequence[str | int], allowed: Sequence[str]) -> str:
        text = self.string(value, key_path)
        if text not in allowed:
            raise self.fail(key_path, f'"{text}" is not allowed; use one of: {", ".join(allowed)}')
        return text

    def duration(self, value: object, key_path: Sequence[str | int]) -> int:
        try:
            return parse_duration(value)
        except ValueError as error:
            raise self.fail(key_path, str(error)) from None

    def kind(self, value: object, key_path: Sequence[str | int]) -> ResourceKind:
        return ResourceKind(self.choice(value, key_path, [k.value for k in ResourceKind]))

    def field_map(self, value: object, key_path: Sequence[str | int]) -> dict[str, str]:
        mapping = self.table(value, key_path, MAPPABLE_FIELDS)
        fields = {
            key: self.nonempty(name, [*key_path, key]).strip() for key, name in mapping.items()
        }
        seen: dict[str, str] = {}
        for key, name in fields.items():
            if name in seen:
                raise self.fail(
                    [*key_path, key],
                    f'"{name}" already carries {seen[name]}; one name can carry one field',
                )
            seen[name] = key
        return fields

    def list_of_tables(self, value: object, key_path: Sequence[str | int]) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(
                key_path, f"expected a list of tables ([[{key_path[-1]}]]), got {_type_name(value)}"
            )
        return value

    def config(self, data: dict[str, Any], path: Path, cwd: Path) -> Config:
        keys = (
            "fail_on",
            "unresolved",
            "coverage",
            "cache_ttl",
            "max_coverage_age",
            "ignore",
            "resource_types",
            "modules",
        )
        self.table(data, [], keys)
        coverage: Path | None = None
        if "coverage" in data:
            given = Path(self.nonempty(data["coverage"], ["coverage"]))
            coverage = given if given.is_absolute() else path.parent / given
            shown = _display(coverage, cwd)
            coverage = Path(shown)
        return Config(
            fail_on=cast(
                FailOn, self.choice(data.get("fail_on", "error"), ["fail_on"], FAIL_ON_VALUES)
            ),
            unresolved=cast(
                Unresolved,
                self.choice(data.get("unresolved", "warning"), ["unresolved"], UNRESOLVED_VALUES),
            ),
            coverage=coverage,
            cache_ttl=self.duration(data.get("cache_ttl", DEFAULT_CACHE_TTL), ["cache_ttl"]),
            max_coverage_age=self.duration(
                data.get("max_coverage_age", DEFAULT_MAX_COVERAGE_AGE), ["max_coverage_age"]
            ),
            ignore=tuple(
                self.ignore_rule(entry, ["ignore", index])
                for index, entry in enumerate(
                    self.list_of_tables(data.get("ignore", []), ["ignore"])
                )
            ),
            resource_types=self.resource_types(data.get("resource_types", {})),
            modules=tuple(
                self.module(entry, ["modules", index])
                for index, entry in enumerate(
                    self.list_of_tables(data.get("modules", []), ["modules"])
                )
            ),
            config_path=path,
        )

    def ignore_rule(self, value: object, key_path: list[str | int]) -> IgnoreRule:
        entry = self.table(value, key_path, ("rule", "address", "reason", "until"))
        if "rule" not in entry:
            raise self.fail(key_path, 'missing "rule": a rule id such as TNX004, or "*"')
        rule = self.rule_id(entry["rule"], [*key_path, "rule"])
        address = self.nonempty(entry.get("address", "*"), [*key_path, "address"])
        reason = self.string(entry.get("reason", ""), [*key_path, "reason"])
        return IgnoreRule(
            rule, address, reason, self.until(entry.get("until"), [*key_path, "until"])
        )

    def rule_id(self, value: object, key_path: Sequence[str | int]) -> str:
        text = self.string(value, key_path).strip()
        if text == "*":
            return text
        by_name = {rule.name: rule.id for rule in RULES.values()}
        rule_id = by_name.get(text.lower(), text.upper())
        if rule_id not in RULES:
            raise self.fail(
                key_path,
                f'"{text}" is no rule; use a rule id ({", ".join(sorted(RULES))}), '
                'its name, or "*"',
            )
        return rule_id

    def until(self, value: object, key_path: Sequence[str | int]) -> date | None:
        if value is None:
            return None
        allowed = "expected a date like 2026-12-31"
        # A TOML date-time is a datetime, itself a date: an end of ignore is a whole day.
        if isinstance(value, datetime):
            raise self.fail(key_path, f"{allowed} (a day, without a time)")
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise self.fail(key_path, f'"{value}" is not a date; {allowed}') from None
        raise self.fail(key_path, f"{allowed}, got {_type_name(value)}")

    def resource_types(self, value: object) -> dict[str, TypeMapping]:
        if not isinstance(value, dict):
            raise self.fail(["resource_types"], f"expected a table, got {_type_name(value)}")
        types: dict[str, TypeMapping] = {}
        for name, spec in value.items():
            key_path: list[str | int] = ["resource_types", name]
            if not name.strip():
                raise self.fail(key_path, "a resource type name must not be empty")
            if name == RESTAPI_TERRAFORM_TYPE:
                raise self.fail(
                    key_path,
                    f"{name} is recognised by its path (/virtual_cross_connects, ...) and read "
                    "from its data; remove this mapping",
                )
            entry = self.table(spec, key_path, ("kind", "attributes"))
            if "kind" not in entry:
                raise self.fail(
                    key_path, f'missing "kind": one of {", ".join(k.value for k in ResourceKind)}'
                )
            types[name] = TypeMapping(
                kind=self.kind(entry["kind"], [*key_path, "kind"]),
                attributes=self.field_map(entry.get("attributes", {}), [*key_path, "attributes"]),
            )
        return types

    def module(self, value: object, key_path: list[str | int]) -> ModuleMapping:
        entry = self.table(value, key_path, ("source", "kind", "inputs"))
        for required in ("source", "kind"):
            if required not in entry:
                raise self.fail(key_path, f'missing "{required}"')
        return ModuleMapping(
            source=self.nonempty(entry["source"], [*key_path, "source"]),
            kind=self.kind(entry["kind"], [*key_path, "kind"]),
            inputs=self.field_map(entry.get("inputs", {}), [*key_path, "inputs"]),
        )


def _key_path(parts: Sequence[str | int]) -> str:
    """``ignore[2].rule``; a key that is no bare TOML key is quoted."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        name = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else f'"{part}"'
        text += f".{name}" if text else name
    return text or "(top level)"


def _type_name(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "a list",
        dict: "a table",
    }
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    return names.get(type(value), type(value).__name__)


def _find_line(text: str, key_path: Sequence[str | int]) -> int | None:
    """The line of ``key_path`` in the TOML ``text``, found cheaply; None when not found.

    Follows the path through the text: each key is looked for after the previous one; an
    index counts ``[[array]]`` headers when the array is written that way, else the inline
    tables of ``key = [{...}, {...}]``. Good enough to point a user at the line.
    """
    position = 0
    found = False
    dotted: list[str] = []
    for index, part in enumerate(key_path):
        if isinstance(part, int):
            header = re.compile(
                r"^[ \t]*\[\[[ \t]*"
                + r"[ \t]*\.[ \t]*".join(_key_pattern(p) for p in dotted)
                + r"[ \t]*\]\]",
                re.MULTILINE,
            )
            headers = list(header.finditer(text))
            if headers:
                if part >= len(headers):
                    break
                position = headers[part].start()
            else:
                inline = _nth_inline_table(text, position, part)
                if inline is None:
                    break
                position = inline
            found = True
            dotted = []
            continue
        dotted.append(part)
        key = re.compile(r"(?<![\w\"'-])" + _key_pattern(part) + r"[ \t]*(=|\.|\])")
        match = key.search(text, position)
        if match is None:
            break
        # A header like [tool.telnyx-coverage] names the key itself; a later key may sit
        # right after it, so move past the key, not past the whole line.
        position = match.start()
        if index < len(key_path) - 1:
            position = match.end() - 1
        found = True
    if not found:
        return None
    return text.count("\n", 0, position) + 1


def _key_pattern(key: str) -> str:
    escaped = re.escape(key)
    return f"(?:{escaped}|\"{escaped}\"|'{escaped}')"


def _nth_inline_table(text: str, position: int, index: int) -> int | None:
    """Where the ``index``-th ``{`` of the inline array after ``position`` starts."""
    start = text.find("[", position)
    if start < 0:
        return None
    depth = 0
    count = -1
    quote: str | None = None
    for offset in range(start, len(text)):
        char = text[offset]
        if quote is not None:
            if char == quote:
                quote = None
            continue
        if char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            if char == "{" and depth == 2:
                count += 1
                if count == index:
                    return offset
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return None
    return None
