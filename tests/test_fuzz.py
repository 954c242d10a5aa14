"""Fuzzing: whatever the input, the tool exits 0/1/2/3 with a message, never a traceback or a hang.

Inputs: Terraform HCL (valid, broken, deep, huge, odd Unicode, BOM/CRLF) and .tf.json through
the whole `check` command; HCL expressions through the evaluator; suppression comments;
snapshot files; config files. Each example runs in-process under a time bound (a thread
joined with a timeout); a few run as real processes to prove stderr never shows a traceback.

The default run is small enough for every test run; ``TELNYX_COVERAGE_FUZZ=long`` runs ~30
times as many examples (docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hcl_checker.cli import main
from hcl_checker.hcl_eval import (
    MAX_BUILT,
    EvalContext,
    Scope,
    evaluate,
    parse_expression,
    size,
)
from hcl_checker.pulumi_input import planned_from_pulumi
from telnyx_coverage.config import load_config
from telnyx_coverage.errors import CoverageUnavailableError, InputError
from telnyx_coverage.resources import UNKNOWN
from telnyx_coverage.snapshot import parse_snapshot
from telnyx_coverage.suppress import parse_ignore_comment

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO / "examples" / "coverage-snapshot.json"
LONG = os.environ.get("TELNYX_COVERAGE_FUZZ", "").strip().lower() == "long"
EXAMPLE_SECONDS = 60.0 if LONG else 20.0
"""A generous bound on one example: a normal one takes milliseconds."""


def fuzz(default: int) -> settings:
    """``default`` examples (x30 with TELNYX_COVERAGE_FUZZ=long), no per-example deadline."""
    return settings(
        max_examples=default * 30 if LONG else default,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


T = TypeVar("T")


def bounded(call: Callable[[], T], seconds: float = EXAMPLE_SECONDS) -> T:
    """``call()`` in a thread; fails the example when it has not returned within ``seconds``."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # re-raised below, in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"no answer within {seconds:g} s: the input makes the tool hang")
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` in-process and time-bounded: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()

    def call() -> int:
        try:
            return main(argv)
        except SystemExit as exit:  # argparse's own exit, as the real process would end
            return exit.code if isinstance(exit.code, int) else 2

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = bounded(call)
    return code, out.getvalue(), err.getvalue()


def assert_clean_exit(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2, 3), (code, err)
    assert "Traceback" not in out + err
    if code in (2, 3):
        assert err.strip() or out.strip(), "an error exit says why"


# -- HCL -----------------------------------------------------------------------------------------

ODD = st.sampled_from(
    [
        "\ufeff",
        "\u200b",
        "\u202e",
        "é",
        "\u0301",
        "\U0001d4e3",
        "🚀",
        "\u2028",
        "\x0b",
        "\t",
        "\uff52",
        "\r",
    ]
)
text_chars = st.one_of(st.characters(codec="utf-8", exclude_characters="\x00"), ODD)
identifiers = st.from_regex(r"[a-z_][a-z0-9_-]{0,10}", fullmatch=True)
strings = st.text(text_chars, max_size=30).map(
    lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
)
references = st.sampled_from(
    [
        "var.region",
        "local.code",
        "each.key",
        "each.value",
        "count.index",
        'var.m["x"]',
        "module.x.out",
        "var.list[0]",
        "path.module",
        "terraform.workspace",
        "self.id",
    ]
)
calls = st.sampled_from(
    [
        "lower",
        "upper",
        "lookup",
        "merge",
        "concat",
        "jsonencode",
        "jsondecode",
        "format",
        "element",
        "length",
        "coalesce",
        "try",
        "can",
        "tostring",
        "tonumber",
        "flatten",
        "replace",
        "split",
        "join",
        "range",
        "toset",
        "keys",
        "values",
        "max",
        "min",
        "substr",
    ]
)
atoms = st.one_of(
    strings,
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(
        [
            "true",
            "false",
            "null",
            '"chicago-il"',
            "50",
            "1e400",
            '"${var.region}"',
            '"%{ if true }x%{ endif }"',
            "<<EOT\nheredoc ${var.x}\nEOT\n",
        ]
    ),
    references,
)


def _compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(identifiers, children), max_size=4).map(
            lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}"
        ),
        st.tuples(calls, st.lists(children, max_size=3)).map(
            lambda c: f"{c[0]}({', '.join(c[1])})"
        ),
        st.tuples(children, children, children).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
        st.tuples(
            children, st.sampled_from(["+", "-", "*", "/", "%", "==", "&&", "||", "<"]), children
        ).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        children.map(lambda x: f"[for v in {x} : v]"),
        children.map(lambda x: f"{{for k, v in {x} : k => v}}"),
        children.map(lambda x: f"{x}[*].id"),
        children.map(lambda x: f'"prefix-${{{x}}}"'),
    )


expressions = st.recursive(atoms, _compound, max_leaves=12)
RESOURCE_TYPES = [
    "telnyx_virtual_cross_connect",
    "telnyx_wireguard_interface",
    "telnyx_public_internet_gateway",
    "telnyx_private_wireless_gateway",
    "restapi_object",
]
ATTRIBUTES = [
    "region_code",
    "network_id",
    "cloud_provider",
    "cloud_provider_region",
    "bandwidth_mbps",
    "bgp_asn",
    "primary_cloud_account_id",
    "name",
    "count",
    "for_each",
    "path",
    "data",
]
ignore_comments = st.one_of(
    st.text(text_chars, max_size=40),
    st.tuples(
        st.sampled_from(["TNX004", "TNX001,TNX003", "tnx002", "TNX999", "", "XYZ", "TNX004 ,"]),
        st.sampled_from(["", "until=2030-01-31", "until=2020-02-30", "until=", "until=soon"]),
        st.text(text_chars, max_size=20),
    ).map(lambda t: f"telnyx-coverage:ignore {t[0]} {t[1]} {t[2]}"),
)
attributes = st.tuples(st.sampled_from(ATTRIBUTES) | identifiers, expressions).map(
    lambda a: f"  {a[0]} = {a[1]}"
)
blocks = st.one_of(
    st.tuples(
        st.lists(ignore_comments, max_size=2),
        st.sampled_from(RESOURCE_TYPES),
        identifiers,
        st.lists(attributes, max_size=6),
    ).map(
        lambda b: (
            "".join(f"# {c}\n" for c in b[0])
            + f'resource "{b[1]}" "{b[2]}" {{\n'
            + "\n".join(b[3])
            + "\n}\n"
        )
    ),
    st.tuples(identifiers, expressions).map(
        lambda v: f'variable "{v[0]}" {{\n  default = {v[1]}\n}}\n'
    ),
    st.lists(attributes, max_size=4).map(lambda a: "locals {\n" + "\n".join(a) + "\n}\n"),
    st.tuples(identifiers, st.lists(attributes, max_size=3)).map(
        lambda m: f'module "{m[0]}" {{\n  source = "./{m[0]}"\n' + "\n".join(m[1]) + "\n}\n"
    ),
    st.tuples(identifiers, expressions).map(
        lambda o: f'output "{o[0]}" {{\n  value = {o[1]}\n}}\n'
    ),
)
hcl_documents = st.lists(blocks, min_size=1, max_size=5).map("\n".join)


@st.composite
def mutated(draw: st.DrawFn, documents: st.SearchStrategy[str]) -> str:
    """A document, maybe broken: cut short, a character spliced in, BOM, CRLF, deep, huge."""
    text = draw(documents)
    for mutation in draw(
        st.lists(
            st.sampled_from(["cut", "splice", "bom", "crlf", "deep", "huge", "cr"]), max_size=3
        )
    ):
        if mutation == "cut" and text:
            text = text[: draw(st.integers(0, len(text)))]
        elif mutation == "splice":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.text(text_chars, min_size=1, max_size=3)) + text[at:]
        elif mutation == "bom":
            text = "\ufeff" + text
        elif mutation == "crlf":
            text = text.replace("\n", "\r\n")
        elif mutation == "cr":
            text = text.replace("\n", "\r")
        elif mutation == "deep":
            depth = draw(st.sampled_from([50, 400, 3000]))
            opener, closer = draw(
                st.sampled_from([("[", "]"), ("{a=", "}"), ("(", ")"), ("f(", ")"), ('"${', '}"')])
            )
            text += f"\nlocals {{\n  deep = {opener * depth}1{closer * depth}\n}}\n"
        elif mutation == "huge":
            size = draw(st.sampled_from([10_000, 1_000_000]))
            text += f'\nlocals {{\n  huge = "{"x" * size}"\n}}\n'
    return text


def check_directory(files: dict[str, str], *options: str) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as directory:
        for name, text in files.items():
            Path(directory, name).write_text(text, encoding="utf-8", newline="")
        return run_cli(["check", directory, "--coverage", str(SNAPSHOT), *options])


@fuzz(200)
@given(mutated(hcl_documents), st.sampled_from(["text", "json", "sarif", "github", "junit"]))
def test_fuzzed_hcl_exits_cleanly(text: str, fmt: str) -> None:
    assert_clean_exit(*check_directory({"main.tf": text}, "--format", fmt))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(text_chars),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(ATTRIBUTES) | st.text(text_chars, max_size=8), children, max_size=4
        )
    ),
    max_leaves=15,
)
tf_json = st.one_of(
    json_values.map(json.dumps),
    st.tuples(
        st.sampled_from(RESOURCE_TYPES),
        identifiers,
        st.dictionaries(st.sampled_from(ATTRIBUTES), json_values, max_size=5),
    ).map(lambda r: json.dumps({"resource": {r[0]: {r[1]: r[2]}}})),
)


@fuzz(80)
@given(mutated(tf_json))
def test_fuzzed_tf_json_exits_cleanly(text: str) -> None:
    assert_clean_exit(*check_directory({"main.tf.json": text}))


@fuzz(40)
@given(
    st.lists(mutated(hcl_documents), min_size=2, max_size=3),
    st.lists(st.tuples(identifiers, expressions), max_size=3),
)
def test_fuzzed_modules_vars_and_tfvars_exit_cleanly(
    texts: list[str], variables: list[tuple[str, str]]
) -> None:
    files = {f"f{i}.tf": text for i, text in enumerate(texts)}
    files["terraform.tfvars"] = "\n".join(f"{k} = {v}" for k, v in variables)
    options = [item for k, v in variables for item in ("--var", f"{k}={v}")]
    assert_clean_exit(*check_directory(files, *options))


@fuzz(400)
@given(expressions)
def test_the_evaluator_never_raises_on_any_expression(text: str) -> None:
    def evaluate_text() -> None:
        try:
            tree = parse_expression(text)
        except Exception:
            return  # a parse error is the scanner's to report (proved above)
        evaluate(tree, Scope({"var": {"region": "chicago-il", "list": [1]}}, EvalContext()))

    bounded(evaluate_text)


# Regular expressions: Python's re backtracks, so a hostile pattern could take hours (Terraform's
# RE2 takes linear time). Whatever the pattern, subject and replacement, replace() ends: with
# UNKNOWN, or with what Python's re gives where Go's rules agree with it (no empty match).
REGEX_ATOMS = ["a", "b", "-", ".", "\\w", "\\d", "\\s", "[ab]", "[^a]", "\\b", "^", "$"]
REGEX_QUANTIFIERS = ["", "", "*", "+", "?", "*?", "+?", "{2}", "{1,3}", "{0,40}", "{3,}"]


def _regex_strategy(depth: int) -> st.SearchStrategy[str]:
    atom = st.tuples(st.sampled_from(REGEX_ATOMS), st.sampled_from(REGEX_QUANTIFIERS)).map("".join)
    if depth == 0:
        return st.lists(atom, min_size=1, max_size=4).map("".join)
    inner = _regex_strategy(depth - 1)
    group = st.tuples(
        st.lists(inner, min_size=1, max_size=3).map("|".join),
        st.sampled_from(["(", "(?:"]),
        st.sampled_from(REGEX_QUANTIFIERS),
    ).map(lambda g: f"{g[1]}{g[0]}){g[2]}")
    return st.lists(atom | group, min_size=1, max_size=4).map("".join)


regex_patterns = _regex_strategy(2)
regex_subjects = st.tuples(
    st.sampled_from(["a", "ab", "a-", "aab", " a", "1."]),
    st.integers(0, 3000),
    st.sampled_from(["", "!", "b", "\n"]),
).map(lambda t: (t[0] * t[1])[: t[1]] + t[2])
regex_replacements = st.sampled_from(["", "x", "$0", "[$1]", "$${1}$$", "$2$0$0$0", "$name"])


def _hcl_string(text: str) -> str:
    """``text`` as an HCL string literal (no interpolation, no directive in it)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'


@fuzz(150)
@given(regex_patterns, regex_subjects, regex_replacements)
@example("(a|a)*b", "a" * 47 + "c", "x")  # the reviewer's repro: minutes before
@example("[-a]+[-b]*x", "-" * 3000, "x")
def test_replace_with_any_regular_expression_ends(pattern: str, subject: str, new: str) -> None:
    text = f"replace(s, {_hcl_string('/' + pattern + '/')}, {_hcl_string(new)})"
    result = bounded(lambda: evaluate(parse_expression(text), Scope({"s": subject})))
    assert result is UNKNOWN or isinstance(result, str)
    if isinstance(result, str) and "$" not in new:
        compiled = re.compile(pattern)
        if all(m.end() > m.start() for m in compiled.finditer(subject)):
            assert result == compiled.sub(lambda _: new, subject)


# Values that grow: whatever the nesting of repetitions, widths, joins, replacements and JSON,
# the evaluator ends, hands out nothing bigger than MAX_BUILT, and never holds much memory.
def _growing(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(st.integers(0, 5000), children).map(
            lambda t: f"[for i in range({t[0]}) : {t[1]}]"
        ),
        children.map(lambda x: f'join("", {x})'),
        children.map(lambda x: f"jsonencode({x})"),
        children.map(lambda x: f'split(" ", {x})'),
        children.map(lambda x: f'formatlist("%1000s", {x})'),
        children.map(lambda x: f"flatten([{x}, {x}])"),
        children.map(lambda x: f"concat({x}, {x})"),
        children.map(lambda x: f"distinct({x})"),
        children.map(lambda x: f"length({x})"),
        st.tuples(children, children).map(lambda t: f'replace({t[0]}, " ", {t[1]})'),
        st.tuples(children, children).map(lambda t: f'replace({t[0]}, "/ /", {t[1]})'),
        st.tuples(children, children).map(lambda t: f'format("%v%1000v", {t[0]}, {t[1]})'),
        st.tuples(children, children).map(lambda t: f'"${{{t[0]}}}${{{t[1]}}}"'),
        st.tuples(children, children).map(lambda t: f"{{a = {t[0]}, b = [{t[1]}, {t[1]}]}}"),
        st.tuples(children, children).map(lambda t: f"{t[0]} == {t[1]}"),
    )


growing_expressions = st.recursive(
    st.sampled_from(['"x"', '"$0 $0"', 'format("%1000s", "x")', "range(1000)", "1", "[]"]),
    _growing,
    max_leaves=8,
)


@fuzz(60)
@given(growing_expressions)
@example(  # the reviewer's repro A, in one expression: 36 s and 5.9 GB before
    "length(jsonencode([for i in range(3000) : "
    'join("", [for j in range(999) : format("%1000s", "x")])]))'
)
def test_growing_values_end_small(text: str) -> None:
    def evaluate_traced() -> tuple[Any, int]:
        tracemalloc.start()
        try:
            # Fewer steps than a run has, to keep the example quick; the size budget is whole.
            value = evaluate(parse_expression(text), Scope({}, EvalContext(steps_left=200_000)))
            return value, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    value, peak = bounded(evaluate_traced)
    assert value is UNKNOWN or size(value) <= MAX_BUILT
    assert peak < 256 * 1024 * 1024, f"{peak / 2**20:.0f} MB held evaluating {text}"


# -- suppression comments ------------------------------------------------------------------------


@fuzz(1000)
@given(ignore_comments | st.text(text_chars, max_size=200))
def test_the_suppression_parser_returns_or_says_what_is_wrong(text: str) -> None:
    try:
        result = bounded(lambda: parse_ignore_comment(text, file="main.tf", line=3))
    except InputError as error:
        assert str(error).startswith("main.tf:3: ")
    else:
        assert result is None or result.rules


# -- snapshots -----------------------------------------------------------------------------------

VALID_SNAPSHOT = json.loads(SNAPSHOT.read_text())


@st.composite
def snapshot_documents(draw: st.DrawFn) -> str:
    """The example snapshot with fields replaced by random JSON, or random JSON, maybe cut."""
    document: Any = json.loads(json.dumps(VALID_SNAPSHOT))
    choice = draw(st.integers(0, 3))
    if choice == 0:
        document = draw(json_values)
    else:
        for _ in range(draw(st.integers(1, 4))):
            key = draw(
                st.sampled_from(
                    [
                        "schema_version",
                        "fetched_at",
                        "base_url",
                        "network_coverage",
                        "virtual_cross_connects_coverage",
                        "extra",
                    ]
                )
            )
            items = document.get(key) if isinstance(document, dict) else None
            if not isinstance(document, dict):
                break
            if (
                key.endswith("coverage")
                and isinstance(items, list)
                and items
                and draw(st.booleans())
            ):
                index = draw(st.integers(0, len(items) - 1))
                if not isinstance(items[index], dict) or not isinstance(
                    items[index].get("location"), dict
                ):
                    continue
                field = draw(
                    st.sampled_from(
                        [
                            "location",
                            "available_services",
                            "cloud_provider",
                            "available_bandwidth",
                            "code",
                            "x",
                        ]
                    )
                )
                target = items[index]["location"] if field == "code" else items[index]
                target[field] = draw(json_values)
            else:
                document[key] = draw(json_values)
    text = json.dumps(document)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    if draw(st.integers(0, 9)) == 0:
        text = "[" * 5000 + text
    return text


@fuzz(300)
@given(snapshot_documents())
def test_the_snapshot_loader_loads_or_says_what_is_wrong(text: str) -> None:
    try:
        bounded(lambda: parse_snapshot(text, source="cov.json"))
    except CoverageUnavailableError as error:
        assert str(error).startswith("cov.json")
        assert "\n" not in str(error)


@fuzz(60)
@given(snapshot_documents(), st.sampled_from(["locations", "vxc-coverage", "check"]))
def test_a_fuzzed_snapshot_file_exits_cleanly(text: str, command: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory, "cov.json")
        path.write_text(text, encoding="utf-8")
        tf = Path(directory, "main.tf")
        tf.write_text(
            'resource "telnyx_wireguard_interface" "w" {\n  region_code = "chicago-il"\n'
            '  network_id = "n"\n}\n'
        )
        argv = [command, "--coverage", str(path)]
        if command == "check":
            argv.insert(1, directory)
        code, out, err = run_cli(argv)
    assert_clean_exit(code, out, err)
    assert code in (0, 1, 3)


# -- config --------------------------------------------------------------------------------------

CONFIG_KEYS = [
    "fail_on",
    "unresolved",
    "coverage",
    "cache_ttl",
    "max_coverage_age",
    "ignore",
    "resource_types",
    "modules",
    "unknown",
]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if value == value and abs(value) != float("inf") else "nan"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return '""'


config_values = st.one_of(
    json_values.filter(lambda v: v is not None),
    st.sampled_from(["error", "warning", "never", "ignore", "1h", "30m", "2d", "-1", "1x", "0"]),
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "rule": st.sampled_from(["TNX004", "*", "nope", "vxc-bandwidth-not-available"]),
                "address": st.text(text_chars, max_size=10),
                "until": st.sampled_from(["2030-01-01", "not a date", "2020-02-30"]),
                "reason": st.text(text_chars, max_size=10),
            },
        ),
        max_size=2,
    ),
)


@st.composite
def config_texts(draw: st.DrawFn) -> str:
    lines = [
        f"{draw(st.sampled_from(CONFIG_KEYS))} = {toml_value(draw(config_values))}"
        for _ in range(draw(st.integers(0, 5)))
    ]
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = draw(mutated(st.just(text)))
    if draw(st.integers(0, 9)) == 0:
        text += "\nx = " + "[" * 3000 + "]" * 3000
    return text


@fuzz(300)
@given(config_texts(), st.booleans())
def test_the_config_loader_loads_or_says_what_is_wrong(text: str, as_pyproject: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        name = "pyproject.toml" if as_pyproject else ".telnyx-coverage.toml"
        if as_pyproject:
            text = "[tool.telnyx-coverage]\n" + text
        path = Path(directory, name)
        path.write_text(text, encoding="utf-8", newline="")
        try:
            bounded(lambda: load_config(explicit=None, cwd=Path(directory)))
        except InputError as error:
            assert str(error).startswith(name)


# -- plan JSON -----------------------------------------------------------------------------------

PLAN_DIR = REPO / "examples" / "plan"
VALID_PLAN = json.loads((PLAN_DIR / "plan.json").read_text(encoding="utf-8"))
Path_ = tuple[str | int, ...]


def _paths(value: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every place in a JSON document, as the keys and indexes leading to it."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _get(document: Any, path: Path_) -> Any:
    for step in path:
        document = document[step]
    return document


odd_strings = st.one_of(
    st.text(text_chars, max_size=30),
    st.sampled_from(
        [
            "",
            "\ufeff",
            "\u202e",
            "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
            "1e400",
            "-0",
            "NaN",
            "null",
            "{}",
            "[",
            "chicago-il\u200b",
        ]
    ),
)
PLAN_MUTATIONS = ["drop", "retype", "truncate", "deep", "huge", "odd"]


@st.composite
def plan_documents(draw: st.DrawFn) -> Any:
    """examples/plan/plan.json with a few places dropped, retyped, cut, nested, huge or odd."""
    document: Any = json.loads(json.dumps(VALID_PLAN))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(document)
        # Mostly where the reader looks: resource_changes and what is under it.
        ours = [p for p in paths if p[:1] == ("resource_changes",)] or paths
        path = draw(st.sampled_from(ours if draw(st.integers(0, 4)) else paths))
        mutation = draw(st.sampled_from(PLAN_MUTATIONS))
        if not path:
            if mutation in ("retype", "deep"):
                document = draw(json_values)
            continue
        parent, last = _get(document, path[:-1]), path[-1]
        value = parent[last]
        if mutation == "drop":
            del parent[last]
        elif mutation == "retype":
            parent[last] = draw(json_values)
        elif mutation == "truncate" and isinstance(value, str | list):
            parent[last] = value[: draw(st.integers(0, len(value)))]
        elif mutation == "deep":
            depth = draw(st.sampled_from([50, 900, 3000]))
            for _ in range(depth):
                value = [value] if draw(st.booleans()) or depth > 50 else {"a": value}
            parent[last] = value
        elif mutation == "huge":
            parent[last] = "x" * draw(st.sampled_from([10_000, 1_000_000]))
        elif mutation == "odd":
            parent[last] = draw(odd_strings)
    return document


@st.composite
def restapi_data_plans(draw: st.DrawFn) -> Any:
    """The example plan with the ``data`` (and maybe ``path``) of its restapi_object changed."""
    document: Any = json.loads(json.dumps(VALID_PLAN))
    (entry,) = [c for c in document["resource_changes"] if c["type"] == "restapi_object"]
    after = entry["change"]["after"]
    good = after["data"]
    after["data"] = draw(
        st.one_of(
            st.text(text_chars, max_size=60),
            st.integers(0, len(good)).map(lambda n: good[:n]),  # cut short
            st.sampled_from(
                ["", "null", "[]", '"x"', "1", "{", "{'a': 1}", "NaN", "[" * 5000, good + "}"]
            ),
            json_values.map(json.dumps),  # JSON, but maybe no object
            json_values,  # not even a string
        )
    )
    if draw(st.booleans()):
        after["path"] = draw(
            st.sampled_from(
                ["/v2/wireguard_interfaces", "/v2/virtual_cross_connects", "/v2/networks", "", 7]
            )
        )
    if draw(st.booleans()):
        entry["change"]["after_unknown"] = draw(
            st.sampled_from([{"data": True}, {"path": True}, True, [], {"data": [True]}])
        )
    return document


def plan_texts(documents: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    """A document as JSON text, maybe cut short, maybe with a BOM."""

    @st.composite
    def text(draw: st.DrawFn) -> str:
        try:
            written = json.dumps(draw(documents), ensure_ascii=draw(st.booleans()))
        except RecursionError:
            written = "[" * 5000 + "]" * 5000
        if draw(st.integers(0, 4)) == 0:
            written = written[: draw(st.integers(0, len(written)))]
        if draw(st.integers(0, 9)) == 0:
            written = "\ufeff" + written
        return written

    return text()


def check_plan(text: str, *options: str, beside_source: bool = False) -> tuple[int, str, str]:
    """``check plan.json`` on ``text``; with ``beside_source`` the example's .tf files too."""
    with tempfile.TemporaryDirectory() as directory:
        if beside_source:
            shutil.copytree(PLAN_DIR, directory, dirs_exist_ok=True)
        Path(directory, "plan.json").write_text(text, encoding="utf-8", errors="surrogatepass")
        argv = ["check", str(Path(directory, "plan.json")), "--coverage", str(SNAPSHOT)]
        code, out, err = run_cli([*argv, *options])
    assert_clean_exit(code, out, err)
    return code, out, err


@fuzz(150)
@given(
    plan_texts(
        json_values
        | st.fixed_dictionaries(
            {"format_version": json_values},
            optional={"resource_changes": json_values, "planned_values": json_values},
        )
    ),
    st.sampled_from(["text", "json"]),
)
def test_fuzzed_json_as_a_plan_exits_cleanly(text: str, fmt: str) -> None:
    code, out, err = check_plan(text, "--format", fmt)
    if code == 2:
        assert "plan.json" in out + err  # the error names the file


@fuzz(200)
@given(plan_texts(plan_documents()), st.booleans(), st.sampled_from(["text", "json", "sarif"]))
def test_a_mutated_example_plan_exits_cleanly(text: str, beside_source: bool, fmt: str) -> None:
    check_plan(text, "--format", fmt, beside_source=beside_source)


@fuzz(150)
@given(plan_texts(restapi_data_plans()), st.booleans())
def test_restapi_data_that_is_no_json_object_exits_cleanly(text: str, beside_source: bool) -> None:
    code, out, _ = check_plan(text, "--format", "json", beside_source=beside_source)
    if code in (0, 1) and out.strip():
        json.loads(out)  # a report, not a crash half-way through one


OFFICE = "telnyx_wireguard_interface.office[0]"


def _example_plan_with(change: Callable[[dict[str, Any]], None]) -> str:
    """The example plan with ``change`` applied to its ``OFFICE`` entry."""
    document: Any = json.loads(json.dumps(VALID_PLAN))
    (entry,) = [c for c in document["resource_changes"] if c["address"] == OFFICE]
    change(entry)
    return json.dumps(document)


def _restapi_entry(document: Any) -> Any:
    (entry,) = [c for c in document["resource_changes"] if c["type"] == "restapi_object"]
    return entry


def _nested(depth: int) -> Any:
    value: Any = "chicago-il"
    for _ in range(depth):
        value = [value]
    return value


FOUND_BY_FUZZING = {
    # TypeError: unhashable type, out of the actions check.
    "an_action_that_is_an_object": (
        _example_plan_with(lambda e: e["change"].update(actions=[{"create": True}])),
        f"{OFFICE}: change.actions must be a list of strings",
    ),
    # RecursionError in the rules, which walk values recursively.
    "a_value_nested_900_deep": (
        _example_plan_with(lambda e: e["change"]["after"].update(region_code=_nested(900))),
        f"{OFFICE}: change is nested too deeply",
    ),
    # RecursionError out of json.loads on the restapi data string.
    "restapi_data_of_5000_brackets": (
        json.dumps(
            {
                **VALID_PLAN,
                "resource_changes": [
                    {
                        **_restapi_entry(VALID_PLAN),
                        "change": {
                            "actions": ["create"],
                            "after": {"path": "/v2/wireguard_interfaces", "data": "[" * 5000},
                        },
                    }
                ],
            }
        ),
        "restapi_object.iot_gateway: data is nested too deeply",
    ),
}


@pytest.mark.parametrize("case", list(FOUND_BY_FUZZING))
def test_plan_input_fuzzing_found_is_an_input_error_naming_the_address(case: str) -> None:
    text, words = FOUND_BY_FUZZING[case]
    code, out, err = check_plan(text, "--format", "json")
    assert code == 2, err
    assert words in json.loads(out)["errors"][0]["message"]


# -- Pulumi properties through the policy pack's policies ---------------------------------------

PULUMI_TYPES = [
    "telnyx:index/virtualCrossConnect:VirtualCrossConnect",
    "telnyx:index/wireguardInterface:WireguardInterface",
    "telnyx:index/privateWirelessGateway:PrivateWirelessGateway",
    "restapi:index/object:Object",
]
PULUMI_PROPERTIES = [
    "regionCode",
    "networkId",
    "cloudProvider",
    "cloudProviderRegion",
    "bandwidthMbps",
    "bgpAsn",
    "primaryCloudAccountId",
    "name",
    "path",
    "data",
]
PREVIEW_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown string
restapi_data = st.one_of(
    st.text(text_chars, max_size=40),
    json_values.map(json.dumps),
    st.sampled_from(["", "{", "null", "[]", "[" * 5000, '{"region_code": "chicago-il"}']),
)
pulumi_values = st.one_of(
    json_values, restapi_data, st.sampled_from([PREVIEW_UNKNOWN, "/v2/wireguard_interfaces"])
)


@functools.cache
def pack_policies() -> list[Any]:
    """The pack's rule policies over the example snapshot, imported as ``__main__.py`` does."""
    sys.path.insert(0, str(REPO / "policy"))
    try:
        module = importlib.import_module("telnyx_policies")
    finally:
        sys.path.remove(str(REPO / "policy"))
    environ = {"TELNYX_COVERAGE_FILE": str(SNAPSHOT)}
    state = module.PackState(environ=environ, cwd=REPO)
    policies: list[Any] = module.build_policies(state, environ=environ)[:-1]
    return policies


@fuzz(300)
@given(
    st.sampled_from(PULUMI_TYPES),
    st.dictionaries(st.sampled_from(PULUMI_PROPERTIES), pulumi_values, max_size=8),
)
# Found by this test: a RecursionError out of Analyze failed the whole preview.
@example("restapi:index/object:Object", {"path": "/v2/wireguard_interfaces", "data": "[" * 5000})
def test_the_pack_judges_any_properties_without_raising(
    type_token: str, props: dict[str, Any]
) -> None:
    violations: list[tuple[str, str]] = []
    args = SimpleNamespace(resource_type=type_token, urn=f"urn:pulumi:dev::p::{type_token}::x")
    args.props = props

    def validate_all() -> None:
        for policy in pack_policies():
            policy.validate(
                args, lambda message, _urn=None, p=policy: violations.append((p.name, message))
            )

    bounded(validate_all)
    for _, message in violations:
        assert message[:3] == "TNX" and message[6:8] == ": ", message


def test_pulumi_restapi_data_nested_too_deeply_is_an_input_error() -> None:
    props = {"path": "/v2/wireguard_interfaces", "data": "[" * 5000}
    with pytest.raises(InputError):
        planned_from_pulumi("restapi:index/object:Object", "urn:x", props)


def test_hcl_restapi_data_nested_too_deeply_is_an_error_at_its_line() -> None:
    text = (
        'resource "restapi_object" "w" {\n  path = "/v2/wireguard_interfaces"\n'
        f'  data = "{"[" * 5000}"\n}}\n'
    )
    code, out, _ = check_directory({"main.tf": text}, "--format", "json")
    assert code == 2
    (error,) = json.loads(out)["errors"]
    assert error["file"].endswith("main.tf") and error["line"] == 3


# -- real processes: nothing reaches stderr as a traceback --------------------------------------

PROCESS_CASES = {
    "broken_hcl": {"main.tf": 'resource "telnyx_wireguard_interface" "w" {\n  region_code = \n'},
    "deep_hcl": {"main.tf": "locals {\n  d = " + "[" * 5000 + "]" * 5000 + "\n}\n"},
    "bom_crlf_unicode": {
        "main.tf": '\ufeffresource "telnyx_wireguard_interface" "w" {\r\n'
        '  region_code = "chicago-il\u202e"\r\n  network_id = "🚀"\r\n}\r\n'
    },
    "not_utf8": {"main.tf": "resource \udcff"},
    "broken_tf_json": {"main.tf.json": '{"resource": {"telnyx_wireguard_interface": ['},
}


@pytest.mark.parametrize("case", list(PROCESS_CASES))
def test_a_real_process_never_prints_a_traceback(case: str, tmp_path: Path) -> None:
    for name, text in PROCESS_CASES[case].items():
        (tmp_path / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    result = subprocess.run(
        [sys.executable, "-m", "hcl_checker", "check", str(tmp_path), "--coverage", str(SNAPSHOT)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode in (0, 1, 2, 3)
    assert "Traceback" not in result.stderr
    assert result.returncode != 2 or result.stderr.strip() or result.stdout.strip()
