"""The ``telnyx-coverage:ignore`` comment grammar, and what a user sees from it in a check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hcl_checker.cli import main
from telnyx_coverage.errors import InputError
from telnyx_coverage.resources import Suppression
from telnyx_coverage.suppress import parse_ignore_comment


def parse(text: str) -> Suppression | None:
    return parse_ignore_comment(text, file="main.tf", line=7)


def test_one_rule() -> None:
    suppression = parse(" telnyx-coverage:ignore TNX004")
    assert suppression is not None
    assert suppression.rules == frozenset({"TNX004"})
    assert suppression.until is None
    assert suppression.reason == ""
    assert (suppression.file, suppression.line) == ("main.tf", 7)


def test_rules_until_and_reason() -> None:
    suppression = parse("telnyx-coverage:ignore TNX004,TNX003 until=2030-01-31 waiting for AWS")
    assert suppression is not None
    assert suppression.rules == frozenset({"TNX004", "TNX003"})
    assert suppression.until == "2030-01-31"
    assert suppression.reason == "waiting for AWS"


def test_spaces_after_commas_and_lowercase_ids_are_accepted() -> None:
    suppression = parse("telnyx-coverage:ignore tnx004, TNX003 -- capacity on order")
    assert suppression is not None
    assert suppression.rules == frozenset({"TNX004", "TNX003"})
    assert suppression.reason == "capacity on order"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "just a comment",
        "TODO telnyx-coverage:ignore TNX004",
        "checked by telnyx-coverage in CI",
        "telnyx-coverage runs in CI",
        "telnyx-coverage: checks this module in CI",
        "telnyx-coverage: 2 findings last week",
        "telnyx-coverage:",
        "see telnyx-coverage:ignore in the docs",
        "telnyx-coverage:https://github.com/team-telnyx/telnyx-coverage",
        "telnyx-coverage.toml holds the config",
        "telnyx-coverage-action pins v1",
    ],
)
def test_other_comments_are_not_suppressions(text: str) -> None:
    assert parse(text) is None


def test_missing_rule_list_tells_the_user_to_name_rules() -> None:
    with pytest.raises(InputError) as error:
        parse("telnyx-coverage:ignore waiting for AWS")
    assert "names no rule" in error.value.message
    assert "TNX004" in error.value.message  # the example shows how
    assert (error.value.file, error.value.line) == ("main.tf", 7)


@pytest.mark.parametrize("text", ["telnyx-coverage:ignore TNX4", "telnyx-coverage:ignore TNX0042"])
def test_malformed_rule_id_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="not a rule id"):
        parse(text)


def test_unknown_rule_id_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no rule TNX999"):
        parse("telnyx-coverage:ignore TNX999")


@pytest.mark.parametrize("date", ["2030-13-01", "2030-02-30", "tomorrow", "2030/01/01", ""])
def test_bad_until_date_names_file_and_line(date: str) -> None:
    with pytest.raises(InputError) as error:
        parse(f"telnyx-coverage:ignore TNX004 until={date} reason")
    assert "YYYY-MM-DD" in error.value.message
    assert str(error.value).startswith("main.tf:7: ")


# --- until= after the reason ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "telnyx-coverage:ignore TNX004 old reason until=2020-01-01",
        "telnyx-coverage:ignore TNX004 old reason UNTIL = 2020-01-01",
        "telnyx-coverage:ignore TNX004 until=2030-01-01 reason until=2020-01-01",
    ],
)
def test_until_after_the_reason_is_an_input_error_not_part_of_the_reason(text: str) -> None:
    with pytest.raises(InputError) as error:
        parse(text)
    assert "until= must come right after the rule list" in error.value.message
    assert "never expires" in error.value.message
    assert str(error.value).startswith("main.tf:7: ")


def test_until_before_the_rules_says_rules_come_first() -> None:
    with pytest.raises(InputError) as error:
        parse("telnyx-coverage:ignore until=2030-01-01 TNX004")
    assert "names no rule" in error.value.message
    assert "until= comes after the rule list" in error.value.message


def test_the_word_until_without_equals_in_a_reason_is_just_the_reason() -> None:
    suppression = parse("telnyx-coverage:ignore TNX004 until AWS adds capacity")
    assert suppression is not None
    assert (suppression.until, suppression.reason) == (None, "until AWS adds capacity")


def test_spaces_around_the_until_equals_are_accepted() -> None:
    suppression = parse("telnyx-coverage:ignore TNX004 until = 2030-01-31 on order")
    assert suppression is not None
    assert (suppression.until, suppression.reason) == ("2030-01-31", "on order")


def test_rules_separated_by_a_space_are_an_input_error() -> None:
    with pytest.raises(InputError) as error:
        parse("telnyx-coverage:ignore TNX004 TNX003 reason")
    assert "separate the rules with commas" in error.value.message
    assert "telnyx-coverage:ignore TNX004,TNX003" in error.value.message


# --- rule names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rules",
    [
        "vxc-bandwidth-not-available",
        "VXC-Bandwidth-Not-Available",
        "vxc-bandwidth-not-available,vxc-cloud-region-not-available",
        "TNX004, vxc-cloud-region-not-available",
    ],
)
def test_rule_names_are_accepted_like_ids_in_any_case(rules: str) -> None:
    suppression = parse(f"telnyx-coverage:ignore {rules} until=2030-01-31 capacity on order")
    assert suppression is not None
    expected = {"TNX004", "TNX003"} if "," in rules else {"TNX004"}
    assert suppression.rules == frozenset(expected)
    assert (suppression.until, suppression.reason) == ("2030-01-31", "capacity on order")


def test_a_misspelt_rule_name_is_an_input_error_with_a_suggestion() -> None:
    with pytest.raises(InputError) as error:
        parse("telnyx-coverage:ignore vxc-bandwith-not-available")
    message = error.value.message
    assert "there is no rule named 'vxc-bandwith-not-available'" in message
    assert "did you mean vxc-bandwidth-not-available?" in message
    assert "TNX004 (vxc-bandwidth-not-available)" in message  # the known rules, ids and names


def test_a_second_rule_that_is_no_rule_is_an_input_error() -> None:
    with pytest.raises(InputError, match="there is no rule named 'waiting'"):
        parse("telnyx-coverage:ignore TNX004,waiting for AWS")


# --- the marker and its near misses -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "telnyx-coverage: ignore TNX004",
        "telnyx-coverage : ignore TNX004",
        "telnyx-coverage:Ignore TNX004",
        "telnyx-coverage:IGNORE TNX004",
        "Telnyx-Coverage:ignore TNX004",
        "telnyx-coverage:ignore:TNX004",
    ],
)
def test_spacing_around_the_colon_and_case_are_tolerated(text: str) -> None:
    suppression = parse(text)
    assert suppression is not None
    assert suppression.rules == frozenset({"TNX004"})


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("telnyx-coverage:ignroe TNX004", "ignroe"),
        ("telnyx-coverage:ignored TNX004", "ignored"),
        ("telnyx-coverage:ingore", "ingore"),
        ("telnyx-coverage:disable TNX004", "disable"),
        ("telnyx-coverage:ignore-next-line TNX004", "ignore-next-line"),
        ("telnyx-coverage: ignroe TNX004", "ignroe"),
        ("telnyx-coverage: skip TNX004", "skip"),
        ("telnyx-coverage: suppress vxc-bandwidth-not-available", "suppress"),
    ],
)
def test_an_unknown_directive_is_an_input_error_with_a_did_you_mean(text: str, word: str) -> None:
    with pytest.raises(InputError) as error:
        parse(text)
    message = error.value.message
    assert f"unknown directive 'telnyx-coverage:{word}'" in message
    assert "did you mean telnyx-coverage:ignore?" in message
    assert str(error.value).startswith("main.tf:7: ")


def test_the_marker_without_its_colon_is_an_input_error() -> None:
    with pytest.raises(InputError) as error:
        parse("telnyx-coverage ignore TNX004")
    assert "missing its colon" in error.value.message
    assert "'telnyx-coverage:ignore ...'" in error.value.message


# --- end to end: what `telnyx-coverage check` shows -----------------------------------------------

SNAPSHOT = str(Path(__file__).resolve().parents[1] / "examples" / "coverage-snapshot.json")
VXC_BODY = {
    "network_id": "n",
    "region_code": "chicago-il",
    "cloud_provider": "aws",
    "cloud_provider_region": "us-east-1",
    "bgp_asn": 64512,
    "primary_cloud_account_id": "123456789012",
    "bandwidth_mbps": 1000,
}
"""A VXC whose 1000 Mbps chicago-il does not offer to aws us-east-1: TNX004 fires."""


def vxc_tf(comment: str) -> str:
    attributes = "\n".join(f"  {k} = {json.dumps(v)}" for k, v in VXC_BODY.items())
    return f'{comment}\nresource "telnyx_virtual_cross_connect" "aws" {{\n{attributes}\n}}\n'


def vxc_tf_json(comment: str) -> str:
    body = {"//": comment, **VXC_BODY}
    return json.dumps({"resource": {"telnyx_virtual_cross_connect": {"aws": body}}}, indent=2)


def run_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str
) -> tuple[int, dict[str, Any], str]:
    (tmp_path / name).write_text(text)
    code = main(["check", str(tmp_path), "--coverage", SNAPSHOT, "--format", "json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


@pytest.mark.parametrize(
    ("name", "render", "comment"),
    [
        ("main.tf", vxc_tf, "# telnyx-coverage: ignore TNX004 on order"),
        ("main.tf", vxc_tf, "#telnyx-coverage:Ignore TNX004 on order"),
        ("main.tf", vxc_tf, "# telnyx-coverage:ignore vxc-bandwidth-not-available on order"),
        (
            "main.tf",
            vxc_tf,
            "// checked by telnyx-coverage in CI\n# telnyx-coverage:ignore tnx004 on order",
        ),
        (
            "main.tf.json",
            vxc_tf_json,
            "telnyx-coverage: ignore Vxc-Bandwidth-Not-Available on order",
        ),
    ],
)
def test_a_check_honours_names_case_and_spacing_in_ignore_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, render: Any, comment: str
) -> None:
    code, report, _ = run_check(tmp_path, capsys, name, render(comment))
    assert code == 0
    assert [(f["rule"], f["suppressed"]) for f in report["findings"]] == [("TNX004", True)]
    assert report["findings"][0]["suppression_reason"] == "on order"
    assert report["errors"] == []


@pytest.mark.parametrize(
    ("name", "render", "comment", "expected"),
    [
        (
            "main.tf",
            vxc_tf,
            "# telnyx-coverage:ignroe TNX004",
            "did you mean telnyx-coverage:ignore?",
        ),
        (
            "main.tf.json",
            vxc_tf_json,
            "telnyx-coverage:ignroe TNX004",
            "did you mean telnyx-coverage:ignore?",
        ),
        (
            "main.tf",
            vxc_tf,
            "# telnyx-coverage:ignore TNX004 old reason until=2020-01-01",
            "until= must come right after the rule list",
        ),
        (
            "main.tf.json",
            vxc_tf_json,
            "telnyx-coverage:ignore TNX004 old reason until=2020-01-01",
            "until= must come right after the rule list",
        ),
    ],
)
def test_a_check_exits_2_on_a_mistyped_ignore_comment_and_still_reports_the_finding(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    render: Any,
    comment: str,
    expected: str,
) -> None:
    code, report, _ = run_check(tmp_path, capsys, name, render(comment))
    assert code == 2
    [error] = report["errors"]
    assert expected in error["message"]
    assert error["file"].endswith(name)
    assert [(f["rule"], f["suppressed"]) for f in report["findings"]] == [("TNX004", False)]


def test_prose_mentioning_the_tool_is_no_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    comment = "# checked by telnyx-coverage in CI\n# telnyx-coverage: runs on every pull request"
    code, report, _ = run_check(tmp_path, capsys, "main.tf", vxc_tf(comment))
    assert code == 1  # the unsuppressed TNX004 fails the run, nothing else
    assert report["errors"] == []
    assert [(f["rule"], f["suppressed"]) for f in report["findings"]] == [("TNX004", False)]
