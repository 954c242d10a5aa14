"""The expression evaluator: what terraform plan would know, UNKNOWN for the rest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hcl_checker.cli import main
from hcl_checker.hcl_eval import (
    MAX_BUILT,
    MAX_REGEX_COST,
    MAX_REGEX_SUBJECT,
    MAX_STEPS,
    EvalContext,
    JsonExpr,
    Lazy,
    Scope,
    convert,
    evaluate,
    parse_expression,
    parse_type,
    regex_cost,
    size,
)
from telnyx_coverage.resources import UNKNOWN

SNAPSHOT = str(Path(__file__).resolve().parents[1] / "examples" / "coverage-snapshot.json")

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


# --- bounds: every evaluation ends soon, in little memory, as UNKNOWN when it would not ------
#
# None of these tests measures time: each input is refused before the costly work starts, or
# runs into a budget small enough (or cut small here) that the test is fast by construction.


def ev_locals(text: str, local_values: dict[str, str], context: EvalContext | None = None) -> Any:
    """``text`` evaluated with ``local.NAME`` computed from ``local_values`` on first use, as
    the scanner does (one shared budget, each local computed once)."""
    scope: Scope
    memo: dict[str, Any] = {}

    def local(name: str) -> Any:
        if name not in memo:
            memo[name] = evaluate(parse_expression(local_values[name]), scope)
        return memo[name]

    scope = Scope({"local": Lazy(local_values, local)}, context or EvalContext())
    return evaluate(parse_expression(text), scope)


S = "a" * 47 + "c"


@pytest.mark.parametrize(
    ("pattern", "subject"),
    [
        ("(a|a)*b", S),  # the reviewer's repro: minutes with Python's re, alternation in a loop
        ("(a|aa)+$", S),
        ("(a+)+$", S),
        ("(a*)*b", S),
        ("(?:a+)+b", S),
        ("(x+x+)+y", "x" * 48),
        ("(?:a|a?)+b", S),
        ("(.*a){12}!", S),
        ("a*a*a*a*a*a*b", "a" * 3000),  # no nesting, still n**7
        ("[-a]+[-b]*x", "-" * 8000),  # n**3: minutes
        ("-+x", "-" * 20000),  # n**2 on a long subject
    ],
)
def test_catastrophic_regular_expressions_are_unknown_not_a_hang(
    pattern: str, subject: str
) -> None:
    assert regex_cost(pattern, len(subject)) > MAX_REGEX_COST
    names = {"s": subject}
    hcl_pattern = pattern.replace("\\", "\\\\")
    assert (
        evaluate(parse_expression(f'replace(s, "/{hcl_pattern}/", "x")'), Scope(names)) is UNKNOWN
    )


def test_the_redos_repro_is_unknown_even_inside_try_and_can() -> None:
    locals_ = {"s": f'"{S}"'}
    assert ev_locals('replace(local.s, "/(a|a)*b/", "x")', locals_) is UNKNOWN
    # Terraform (RE2) would answer: falling back to "chicago-il" would be a wrong answer.
    assert ev_locals('try(replace(local.s, "/(a|a)*b/", "x"), "chicago-il")', locals_) is UNKNOWN
    assert ev_locals('can(replace(local.s, "/(a|a)*b/", "x"))', locals_) is UNKNOWN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('replace("Acme_Office 1", "/[^a-z0-9-]/", "")', "cmeffice1"),
        ('replace("aws-us-east", "/^(aws|gce)-(.*)$/", "$2")', "us-east"),
        ('replace("aws-us-east", "/^(aws|gce)-(.*)$/", "$${1}:$${2}")', "aws:us-east"),
        ('replace("a--b---c", "/-+/", "-")', "a-b-c"),
        ('replace("10.0.0.12", "/^(\\\\d{1,3}\\\\.){3}\\\\d{1,3}$/", "ip")', "ip"),
        ('replace("office-7", "/(?P<n>\\\\d+)/", "#$n")', "office-#7"),
        ('replace("a.b", "/\\\\./", "$$")', "a$b"),  # $$ is a dollar, as in Go
        ('replace("abc", "/(b)/", "[$9]")', "a[]c"),  # no group 9: nothing, as in Go
        ('replace("abc", "/(b)/", "$1x")', "ac"),  # the group named "1x": none
        ('replace("abxd", "/x*/", "-")', "-a-b-d-"),  # no empty match right after a match
        ('replace("CHI-il", "/(?i)chi/", "chicago")', "chicago-il"),
        ('replace(format("%1000s", "x"), "/ +/", "")', "x"),
        ('replace("office-7", "/(?<n>[0-9]+)/", "#$${n}")', "office-#7"),  # Go's named group
    ],
)
def test_ordinary_regular_expressions_work_as_in_terraform(text: str, expected: str) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'replace("abc", "/a(?=b)/", "x")',  # lookahead
        'replace("abab", "/(ab)\\\\1/", "x")',  # backreference
        'replace("abc", "/a{1001}/", "x")',  # Go refuses counts above 1000
    ],
)
def test_what_re2_does_not_have_is_a_terraform_error(text: str) -> None:
    assert ev(text) is UNKNOWN
    assert ev(f'try({text}, "fallback")') == "fallback"


def test_a_regular_expression_runs_on_at_most_64_kib() -> None:
    names = {"short": "a" * MAX_REGEX_SUBJECT, "long": "a" * (MAX_REGEX_SUBJECT + 1)}
    assert evaluate(parse_expression('replace(short, "/a/", "b")'), Scope(names)) == "b" * (
        MAX_REGEX_SUBJECT
    )
    assert evaluate(parse_expression('replace(long, "/a/", "b")'), Scope(names)) is UNKNOWN
    # A plain search string has no such limit.
    assert evaluate(parse_expression('replace(long, "a", "b")'), Scope(names)) == "b" * (
        MAX_REGEX_SUBJECT + 1
    )


BIG = {
    "k": 'format("%1000s", "x")',
    "big": 'join("", [for i in range(999) : local.k])',
}


def test_repro_a_jsonencode_of_3000_copies_of_a_1mb_string_is_unknown() -> None:
    # Was 36 s and 5.9 GB: the list of 3000 references was free, its JSON 3 GB.
    locals_ = {**BIG, "lst": "[for i in range(3000) : local.big]"}
    text = 'length(jsonencode(local.lst)) > 0 ? "bad-x" : "y"'
    assert ev_locals(text, locals_) is UNKNOWN
    assert ev_locals("length(local.big)", locals_) == 999_000  # the 1 MB string itself is fine


def test_repro_b_replace_with_a_replacement_that_explodes_is_unknown() -> None:
    # Was 130 s and 2.7 GB: 1000 spaces of each 1000-char chunk each became 1500 copies of it.
    text = 'replace(local.big, "/ /", join("", [for i in range(1500) : "$0"]))'
    assert ev_locals(text, BIG) is UNKNOWN
    # The same on a subject short enough for a regular expression: its output is bounded
    # as it grows, before it is built.
    text = 'replace(local.k, "/ /", join("", [for i in range(1500) : "$0"]))'
    assert ev_locals(text, BIG) is UNKNOWN
    assert ev_locals('length(replace(local.k, "/ /", "$0$0"))', BIG) == 1999


@pytest.mark.parametrize(
    "text",
    [
        # each would build more than MAX_STRING, MAX_ITEMS or MAX_BUILT: refused before
        '[for i in range(100000) : format("%1000s", "x")]',
        'formatlist("%1000s", range(100000))',
        'join(",", [for i in range(100000) : format("%20s", i)])',
        'length(jsonencode([for i in range(100000) : "0123456789"]))',
        'length(jsonencode([for i in range(20) : [for j in range(100000) : "0123456789"]]))',
        '"%{for i in range(100000)}${format("%100s", i)}%{endfor}"',
        'replace(format("%1000s", "x"), " ", format("%1000s%1000s", "y", "z"))',
        "[for i in range(100) : range(100000)]",
        'split("", join("", [for i in range(200) : format("%1000s", "x")]))',
        "{for i in range(100000) : i => [i, i, i, i, i, i, i, i, i, i]}",
        'length(format("%.99999f", 1))',
    ],
)
def test_values_too_big_are_refused_before_they_are_built(text: str) -> None:
    assert ev(text) is UNKNOWN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('length(format("%1000s%1000s", "x", "y"))', 2000),
        ('length([for i in range(10000) : "site-${i}"])', 10_000),
        ('length(jsonencode({for i in range(10000) : "k${i}" => [i, "v"]}))', 187_781),
        ("length(range(100000))", 100_000),
        ('length(join(",", formatlist("%05d", range(10000))))', 59_999),
        ('length(replace(format("%1000s", "x"), " ", "ab"))', 1999),
    ],
)
def test_big_values_under_the_bounds_are_still_known(text: str, expected: int) -> None:
    assert ev(text) == expected


def test_values_shared_by_reference_count_every_time() -> None:
    # Each level is 100 references to the one before: 100**4 copies of a 1 KB string.
    locals_ = {
        "k": 'format("%1000s", "x")',
        "a": "[for i in range(100) : local.k]",
        "b": "[for i in range(100) : local.a]",
        "c": "[for i in range(100) : local.b]",
        "d": "[for i in range(100) : local.c]",
    }
    assert ev_locals("length(local.b)", locals_) == 100
    assert ev_locals("length(local.d)", locals_) is UNKNOWN
    assert ev_locals("local.d == local.d", locals_) is UNKNOWN


def test_the_budget_is_shared_by_every_evaluation_of_one_context() -> None:
    # Each evaluation builds 1007: "%1000s", "x" and the result.
    scope = Scope({}, EvalContext(built_left=4_100))
    text = 'format("%1000s", "x")'
    assert [evaluate(parse_expression(text), scope) for _ in range(4)] == [" " * 999 + "x"] * 4
    assert evaluate(parse_expression(text), scope) is UNKNOWN
    # Once spent, it stays spent: a refused value cannot be tried again for free by each of
    # 10,000 instances.
    assert evaluate(parse_expression('"short"'), scope) is UNKNOWN
    assert evaluate(parse_expression(text), Scope({})) == " " * 999 + "x"


def test_passing_over_a_value_costs_steps() -> None:
    locals_ = {"l": "range(100000)"}
    small = EvalContext(steps_left=50_000)
    assert ev_locals("[for i in range(1000) : contains(local.l, -1)]", locals_, small) is UNKNOWN
    small = EvalContext(steps_left=50_000)
    assert ev_locals("[for i in range(1000) : local.l == local.l]", locals_, small) is UNKNOWN
    # Reading a big value is free: only passing over it costs (this used to be quadratic).
    lengths = ev_locals("[for i in range(1000) : length(local.l)]", locals_)
    assert lengths == [100_000] * 1000


def test_a_template_for_with_nothing_inside_costs_steps() -> None:
    text = '"%{for a in range(1000)}%{for b in range(1000)}%{endfor}%{endfor}"'
    assert evaluate(parse_expression(text), Scope({}, EvalContext(steps_left=50_000))) is UNKNOWN
    assert ev('"%{for a in range(3)}%{for b in range(3)}%{endfor}%{endfor}"') == ""


def test_distinct_and_toset_take_one_pass() -> None:
    assert ev("length(distinct(range(100000)))") == 100_000
    assert ev("length(toset(concat(range(50000), range(50000))))") == 50_000
    assert ev('distinct([1, "1", true, [1], [1], {a = 1}, {a = 1}, null, null])') == [
        1,
        "1",
        True,
        [1],
        {"a": 1},
        None,
    ]


def test_module_instances_in_a_list_are_still_computed() -> None:
    def instance(name: str) -> Lazy:
        return Lazy(["id"], lambda _: name)

    module = Lazy(["edge"], lambda _: [instance("a"), instance("b")])
    scope = Scope({"module": module})
    assert evaluate(parse_expression("module.edge"), scope) == [{"id": "a"}, {"id": "b"}]
    assert evaluate(parse_expression("module.edge[*].id"), scope) == ["a", "b"]
    assert evaluate(parse_expression("length(module.edge)"), scope) == 2


def test_size_counts_shared_parts_and_stops_past_its_limit() -> None:
    chunk = "x" * 1000
    value = [chunk] * 10
    assert size(value) == 10 * 1000 + 11 * 16
    assert size([value] * 1000, limit=50_000) <= 50_000 + 10 * 1000 + 11 * 16 + 1000 * 16
    assert size([value] * 1000) > MAX_BUILT / 2


def test_the_repro_files_end_unresolved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    resource = """
resource "telnyx_wireguard_interface" "office" {
  network_id  = "n"
  name        = "x"
  region_code = %s
}
"""
    repros = {
        "redos": (f'locals {{\n  s = "{S}"\n}}\n', 'replace(local.s, "/(a|a)*b/", "x")'),
        "a": (
            'locals {\n  k = format("%1000s","x")\n  big = join("", [for i in range(999): local.k])'
            "\n  lst = [for i in range(3000): local.big]\n}\n",
            'length(jsonencode(local.lst)) > 0 ? "bad-x" : "y"',
        ),
        "b": (
            'locals {\n  k = format("%1000s","x")\n  big = join("", [for i in range(999): local.k])'
            "\n}\n",
            'replace(local.big, "/ /", join("", [for i in range(1500): "$0"]))',
        ),
    }
    for name, (locals_block, region_code) in repros.items():
        directory = tmp_path / name
        directory.mkdir()
        (directory / "main.tf").write_text(locals_block + resource % region_code)
        code = main(["check", str(directory), "--coverage", SNAPSHOT, "--format", "json"])
        report = json.loads(capsys.readouterr().out)
        assert code == 0, name
        assert report["resources"][0]["status"] == "unresolved", name
        assert [f["rule"] for f in report["findings"]] == ["TNX005"], name


@pytest.mark.parametrize(
    "text", ['replace("abc", "/[[:alpha:]]/", "x")', 'replace("a-b", "/[^[:alnum:]-]/", "")']
)
def test_posix_classes_python_would_misread_are_unknown(text: str) -> None:
    """Python reads [[:alpha:]] as another set: a wrong answer must not pass for Terraform's."""
    assert ev(text) is UNKNOWN


def test_hundreds_of_ordinary_replace_calls_leave_the_budget_for_the_rest() -> None:
    """Regex work is paid by the time it takes, not by its worst case."""
    hosts = 'format("edge_router_%06d_primary_interface_gigabit_ethernet_%03d", i, i % 48)'
    values = {
        "hosts": f"[for i in range(300) : {hosts}]",
        "roles": '[for h in local.hosts : replace(h, "/^(\\\\w+)_(\\\\w+)_(\\\\w+)$/", "$3")]',
    }
    context = EvalContext()
    assert ev_locals("length(local.roles)", values, context) == 300
    assert ev_locals("local.roles[1]", values, context) == "001"
    assert ev_locals('"dallas-tx"', values, context) == "dallas-tx"
    assert context.steps_left > MAX_STEPS // 2
