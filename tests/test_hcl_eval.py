"""The expression evaluator: what terraform plan would know, UNKNOWN for the rest."""

from __future__ import annotations

from typing import Any

import pytest

from hcl_checker.hcl_eval import (
    EvalContext,
    JsonExpr,
    Scope,
    convert,
    evaluate,
    parse_expression,
    parse_type,
)
from telnyx_coverage.resources import UNKNOWN

NAMES: dict[str, Any] = {
    "var": {
        "env": "prod",
        "regions": {"eu": "frankfurt-de", "us": "chicago-il"},
        "links": [{"code": "fra", "mbps": 100}, {"code": "chi", "mbps": 200}],
        "nothing": None,
        "list": ["b", "a", "b"],
    },
    "local": {"prefix": "acme"},
    "count": {"index": 1},
    "each": {"key": "fra", "value": "frankfurt-de"},
}


def ev(text: str, names: dict[str, Any] | None = None) -> Any:
    return evaluate(parse_expression(text), Scope(NAMES if names is None else names))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # literals and operators
        ("1 + 2 * 3", 7),
        ("7 / 2", 3.5),
        ("8 / 2", 4),
        ("-7 % 3", -1),
        ("-(2)", -2),
        ("1.5e3", 1500),
        ("!false && true", True),
        ("1 < 2 || false", True),
        ('"1" + 1', 2),
        ('1 == "1"', False),
        ("null", None),
        ('var.env == "prod" ? "chicago-il" : "dallas-tx"', "chicago-il"),
        # templates
        ('"${local.prefix}-${each.key}-${count.index}"', "acme-fra-1"),
        ('"$${literal}"', "${literal}"),
        ('"\\u00e9\\t\\"q\\""', 'é\t"q"'),
        ('"%{if var.env == "prod"}big%{else}small%{endif}"', "big"),
        ('"%{ for r in ["a", "b"] ~} ${r} %{~ endfor }"', "ab"),
        ('"${var.regions}"', {"eu": "frankfurt-de", "us": "chicago-il"}),
        # access
        ('var.regions["eu"]', "frankfurt-de"),
        ("var.regions.us", "chicago-il"),
        ("var.links[1].mbps", 200),
        ("var.links.0.code", "fra"),
        ("var.links[*].code", ["fra", "chi"]),
        ("var.links.*.mbps", [100, 200]),
        ("var.nothing[*]", []),
        # for expressions
        ("[for l in var.links : upper(l.code)]", ["FRA", "CHI"]),
        ("[for i, l in var.links : i if l.mbps > 150]", [1]),
        ("{for l in var.links : l.code => l.mbps}", {"fra": 100, "chi": 200}),
        ("{for k, v in var.regions : v => k}", {"frankfurt-de": "eu", "chicago-il": "us"}),
        ('{for s in ["a", "b", "a"] : s => 1...}', {"a": [1, 1], "b": [1]}),
        # functions
        ('lower("CHI")', "chi"),
        ('upper("chi")', "CHI"),
        ('format("%s-%03d-%q-%v-%.1f", "a", 7, "q", true, 2.25)', 'a-007-"q"-true-2.2'),
        ('join(",", ["a", 1, true])', "a,1,true"),
        ('split(",", "a,b")', ["a", "b"]),
        ('replace("a-b", "-", "_")', "a_b"),
        ('replace("vxc123", "/[0-9]+/", "N")', "vxcN"),
        ('trimspace("  x ")', "x"),
        ('lookup(var.regions, "eu")', "frankfurt-de"),
        ('lookup(var.regions, "ap", "none")', "none"),
        ("merge({a = 1}, {b = 2}, {a = 3})", {"a": 3, "b": 2}),
        ("concat([1], [2, 3])", [1, 2, 3]),
        ('element(["a", "b"], 3)', "b"),
        ('coalesce(null, "", "x")', "x"),
        ('try(var.regions.ap, "fallback")', "fallback"),
        ("can(var.regions.ap)", False),
        ("tostring(5)", "5"),
        ('tonumber("12")', 12),
        ("toset(var.list)", ["a", "b"]),
        ("tolist(var.list)", ["b", "a", "b"]),
        ("tomap(var.regions)", {"eu": "frankfurt-de", "us": "chicago-il"}),
        ("keys({b = 1, a = 2})", ["a", "b"]),
        ("values({b = 1, a = 2})", [2, 1]),
        ("length(var.links)", 2),
        ('jsonencode({b = [1, 2], a = "<x>"})', '{"a":"\\u003cx\\u003e","b":[1,2]}'),
        ('contains(["a"], "a")', True),
        ("distinct([1, 1, 2])", [1, 2]),
        ("flatten([[1, [2]], 3])", [1, 2, 3]),
        ("min(3, 1, 2)", 1),
        ("max(3, 1, 2)", 3),
        ("abs(-3)", 3),
        ('substr("hello", 1, 3)', "ell"),
        ('startswith("chicago-il", "chi")', True),
        ('endswith("chicago-il", "-il")', True),
        ("range(3)", [0, 1, 2]),
    ],
)
def test_known_values(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "aws_vpc.main.id",  # another resource
        "data.telnyx_location.x.code",  # a data source
        'cidrsubnet("10.0.0.0/8", 8, 1)',  # not implemented
        "provider::telnyx::region()",  # a provider function
        "data.x.ok ? 1 : 2",  # unknown condition
        '"pre-${aws_vpc.main.id}"',  # unknown part of a template
        'try(data.x.y, "fallback")',  # try does not skip an unknown: it might be the value
        "[for x in data.x.list : x]",
        # errors terraform would report at plan: unresolved, never a crash
        "var.links[5]",
        'var.regions["ap"]',
        "var.nothing.x",
        '1 + "a"',
        "1 / 0",
        '"x${null}"',
        'lookup(var.regions, "ap")',
        "var.undeclared",
    ],
)
def test_unknown_values(text: str) -> None:
    assert ev(text) is UNKNOWN


def test_heredocs_with_indent_stripping() -> None:
    text = "<<-EOT\n    hello ${local.prefix}\n      indented\n    EOT\n"
    assert ev(text) == "hello acme\n  indented\n"
    assert ev("<<EOT\n  kept\nEOT\n") == "  kept\n"


def test_json_syntax_templates() -> None:
    scope = Scope(NAMES)
    assert evaluate(JsonExpr("${var.regions.eu}"), scope) == "frankfurt-de"
    assert evaluate(JsonExpr({"a": ["x-${each.key}", 1.0]}), scope) == {"a": ["x-fra", 1]}
    assert evaluate(JsonExpr("${aws_vpc.main.id}"), scope) is UNKNOWN


def test_type_conversion_of_variable_values() -> None:
    spec = parse_type(parse_expression("object({region = string, mbps = optional(number, 100)})"))
    assert convert({"region": "fra", "extra": 1}, spec) == {"region": "fra", "mbps": 100}
    assert convert("500", parse_type(parse_expression("number"))) == 500
    assert convert(["b", "a", "b"], parse_type(parse_expression("set(string)"))) == ["a", "b"]
    assert parse_type(JsonExpr("map(number)")).kind == "map"


def test_hostile_input_is_bounded() -> None:
    deep = "[" * 5000 + "]" * 5000
    assert ev(deep) is UNKNOWN
    # A billion steps: stopped by the step budget (a small one here, to keep the test fast).
    nest = "[for a in range(1000) : [for b in range(1000) : [for c in range(1000) : 1]]]"
    assert evaluate(parse_expression(nest), Scope({}, EvalContext(steps_left=50_000))) is UNKNOWN
    assert ev('format("%999999999d", 1)') is UNKNOWN
    assert ev('replace("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "/(a+)+$/", "x")') is UNKNOWN


def test_doubling_string_cannot_grow_without_bound() -> None:
    names: dict[str, Any] = {"x": "a" * 600_000}
    assert evaluate(parse_expression('"${x}${x}"'), Scope(names)) is UNKNOWN
