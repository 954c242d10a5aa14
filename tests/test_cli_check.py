"""`telnyx-coverage check` end to end: findings, lines, formats, exit codes, config."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from sarif_util import assert_valid_sarif

from hcl_checker.cli import main
from telnyx_coverage.coverage_server import CoverageServer

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = str(REPO / "examples" / "coverage-snapshot.json")

WIREGUARD = """
resource "telnyx_wireguard_interface" "wg" {
  network_id  = "net-1"
  region_code = var.region
}

variable "region" {
  type    = string
  default = "frankfurt-de"
}
"""


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code, out, err = check(capsys, *argv, "--format", "json", "--coverage", SNAPSHOT)
    assert "Traceback" not in err
    return code, json.loads(out)


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_example_finds_its_four_mistakes_with_exact_addresses_and_lines(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = check_json(capsys, "examples/terraform")
    assert code == 1
    found = {
        (f["rule"], f["address"], f["file"], f["line"], f["attribute"]) for f in report["findings"]
    }
    assert found == {
        (
            "TNX002",
            'telnyx_public_internet_gateway.egress["seattle-wa"]',
            "examples/terraform/main.tf",
            39,
            "region_code",
        ),
        (
            "TNX001",
            "telnyx_private_wireless_gateway.iot",
            "examples/terraform/main.tf",
            45,
            "region_code",
        ),
        (
            "TNX004",
            'module.cloud_vxc["aws_east"].telnyx_virtual_cross_connect.this',
            "examples/terraform/main.tf",
            58,
            "bandwidth_mbps",
        ),
        (
            "TNX003",
            'module.cloud_vxc["azure_amsterdam"].telnyx_virtual_cross_connect.this',
            "examples/terraform/main.tf",
            56,
            "cloud_provider_region",
        ),
    }
    assert report["summary"] == {
        "resources": 7,
        "passed": 3,
        "failed": 4,
        "unresolved": 0,
        "suppressed": 0,
        "errors": 4,
        "warnings": 0,
    }
    coverage = report["coverage"]
    assert (coverage["source"], coverage["fetched_at"]) == ("snapshot", "2026-12-04T11:00:00Z")
    assert isinstance(coverage["age_seconds"], int) and coverage["age_seconds"] >= 0
    statuses = {r["address"]: r["status"] for r in report["resources"]}
    assert statuses["telnyx_wireguard_interface.office"] == "passed"
    assert (
        statuses['module.cloud_vxc["gce_frankfurt"].telnyx_virtual_cross_connect.this'] == "passed"
    )


def test_a_variable_on_the_command_line_changes_the_outcome(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = check_json(capsys, "examples/terraform", "--var", "environment=staging")
    rules = sorted(f["rule"] for f in report["findings"])
    assert rules == ["TNX001", "TNX002", "TNX003"]  # 200 Mbps is offered to aws us-east-1
    assert code == 1


def test_text_report_is_file_line_severity_rule_address_message(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = check(capsys, "examples/terraform", "--coverage", SNAPSHOT)
    assert code == 1
    assert (
        'examples/terraform/main.tf:58: error TNX004 module.cloud_vxc["aws_east"]'
        ".telnyx_virtual_cross_connect.this: bandwidth_mbps 1000 is not offered from chicago-il"
        " to aws us-east-1"
    ) in out.splitlines()
    assert "    nearest tier: 500" in out.splitlines()
    assert "\x1b[" not in out
    assert out.splitlines()[-1].startswith("7 resources: 3 passed, 4 failed")


def test_sarif_output_is_schema_valid(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "examples/terraform", "--coverage", SNAPSHOT, "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    assert_valid_sarif(log)
    assert len(log["runs"][0]["results"]) == 4


def test_github_and_junit_formats(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = check(capsys, "examples/terraform", "--coverage", SNAPSHOT, "--format", "github")
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert len(errors) == 4
    assert any(
        line.startswith("::error file=examples/terraform/main.tf,line=58,title=TNX004 ")
        for line in errors
    )

    _, out, _ = check(capsys, "examples/terraform", "--coverage", SNAPSHOT, "--format", "junit")
    suite = ET.fromstring(out)
    if suite.tag == "testsuites":
        suite = suite[0]
    assert suite.get("tests") == "7" and suite.get("failures") == "4"


def test_output_file(in_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    code, out, _ = check(
        capsys,
        "examples/terraform",
        "--coverage",
        SNAPSHOT,
        "--format",
        "json",
        "--output",
        str(target),
    )
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["summary"]["failed"] == 4


def test_a_clean_module_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"main.tf": WIREGUARD})
    code, report = check_json(capsys, str(tmp_path))
    assert code == 0
    assert report["summary"]["passed"] == 1


def test_no_telnyx_resources_needs_no_coverage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"main.tf": 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'})
    code, out, err = check(capsys, str(tmp_path))
    assert code == 0, err
    assert "0 resources" in out


def test_unresolved_is_a_warning_that_fail_on_warning_turns_into_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"main.tf": WIREGUARD.replace("var.region", "data.telnyx_region.x.code")})
    code, report = check_json(capsys, str(tmp_path))
    assert code == 0
    (finding,) = report["findings"]
    assert (finding["rule"], finding["severity"], finding["attribute"]) == (
        "TNX005",
        "warning",
        "region_code",
    )
    assert report["resources"][0]["status"] == "unresolved"
    code, _ = check_json(capsys, str(tmp_path), "--fail-on", "warning")
    assert code == 1


def test_fail_on_never_exits_0_with_errors(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = check_json(capsys, "examples/terraform", "--fail-on", "never")
    assert code == 0 and report["summary"]["errors"] == 4


def test_a_broken_file_is_reported_and_every_other_module_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            "good/main.tf": WIREGUARD.replace("frankfurt-de", "atlantis"),
            "bad/main.tf": 'resource "telnyx_wireguard_interface" "wg" {\n  region_code = \n}\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    code, report = check_json(capsys, ".")
    assert code == 2
    (error,) = report["errors"]
    assert error["file"] == "bad/main.tf" and error["line"] == 2 and error["column"]
    assert [f["rule"] for f in report["findings"]] == ["TNX001"]


def test_a_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = check(capsys, str(tmp_path / "nope"), "--coverage", SNAPSHOT)
    assert code == 2
    assert "nope: no such file or directory" in err


def test_a_bad_config_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"main.tf": WIREGUARD, ".telnyx-coverage.toml": 'fail_on = "sometimes"\n'})
    monkeypatch.chdir(tmp_path)
    code, _, err = check(capsys, ".", "--coverage", SNAPSHOT)
    assert code == 2
    assert ".telnyx-coverage.toml" in err and "fail_on" in err


def test_config_sets_coverage_unresolved_and_ignores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            "a/main.tf": WIREGUARD.replace("var.region", "data.x.y.z"),
            "b/main.tf": WIREGUARD.replace("frankfurt-de", "atlantis"),
            ".telnyx-coverage.toml": (
                f'coverage = "{SNAPSHOT}"\n'
                'unresolved = "error"\n'
                "[[ignore]]\n"
                'rule = "TNX001"\n'
                'address = "telnyx_wireguard_interface.*"\n'
                'reason = "moving soon"\n'
            ),
        },
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = check(capsys, ".", "--format", "json")
    assert code == 1, err
    report = json.loads(out)
    by_rule = {f["rule"]: f for f in report["findings"]}
    assert by_rule["TNX005"]["severity"] == "error"
    assert by_rule["TNX001"]["suppressed"] is True
    assert report["summary"]["suppressed"] == 1


def test_inline_suppression_and_its_expiry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ignored = "# telnyx-coverage:ignore TNX001 until=2999-01-01 migrating\n" + WIREGUARD.lstrip(
        "\n"
    ).replace("frankfurt-de", "atlantis")
    write(tmp_path, {"main.tf": ignored})
    code, report = check_json(capsys, str(tmp_path))
    assert code == 0
    assert report["findings"][0]["suppressed"] is True
    assert report["resources"][0]["status"] == "suppressed"

    write(tmp_path, {"main.tf": ignored.replace("2999-01-01", "2020-01-01")})
    code, report = check_json(capsys, str(tmp_path))
    assert code == 1
    assert "expired on 2020-01-01" in report["findings"][0]["suggestions"][-1]


def test_no_coverage_exits_3_and_allow_unavailable_exits_0_with_tnx007(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"main.tf": WIREGUARD})
    code, _, err = check(capsys, str(tmp_path))
    assert code == 3
    assert "TELNYX_API_KEY" in err

    code, out, _ = check(capsys, str(tmp_path), "--allow-unavailable", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert [f["rule"] for f in report["findings"]] == ["TNX007"]
    assert report["findings"][0]["severity"] == "warning"
    assert report["resources"][0]["status"] == "unresolved"


def test_exit_3_replaces_an_old_report_file_with_one_saying_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A SARIF file from an earlier run must not be uploaded as this run's."""
    write(tmp_path, {"main.tf": WIREGUARD})
    sarif = tmp_path / "report.sarif"
    sarif.write_text("an old report")
    code, out, err = check(capsys, str(tmp_path), "--format", "sarif", "--output", str(sarif))
    assert code == 3
    assert out == "" and len(err.strip().splitlines()) == 1
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("TNX007", "error")]
    assert "TELNYX_API_KEY" in results[0]["message"]["text"]


def test_allow_unavailable_still_checks_what_needs_no_coverage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Missing required attributes (TNX006) need no coverage: they still fail the run."""
    write(tmp_path, {"main.tf": 'resource "telnyx_wireguard_interface" "bare" {}\n' + WIREGUARD})
    code, out, _ = check(capsys, str(tmp_path), "--allow-unavailable", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert sorted(f["rule"] for f in report["findings"]) == ["TNX006", "TNX007"]
    assert {r["address"]: r["status"] for r in report["resources"]} == {
        "telnyx_wireguard_interface.bare": "failed",
        "telnyx_wireguard_interface.wg": "unresolved",
    }
    # The coverage failure alone never fails the run, even under --fail-on warning.
    write(tmp_path / "ok", {"main.tf": WIREGUARD})
    code, _, _ = check(capsys, str(tmp_path / "ok"), "--allow-unavailable", "--fail-on", "warning")
    assert code == 0


def test_check_against_the_live_api_costs_one_request_per_page(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    coverage_server: CoverageServer,
) -> None:
    many = (
        "\n".join(WIREGUARD.split("variable")[0].replace('"wg"', f'"wg{i}"') for i in range(50))
        + '\nvariable "region" {\n  default = "frankfurt-de"\n}\n'
    )
    write(tmp_path, {"main.tf": many})
    monkeypatch.setenv("TELNYX_API_KEY", "test-key")
    monkeypatch.setenv("TELNYX_BASE_URL", coverage_server.base_url)
    code, out, err = check(capsys, str(tmp_path), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["summary"]["passed"] == 50
    assert len(coverage_server.requests) == 2
    assert json.loads(out)["coverage"]["source"] == "api"


def test_a_wrong_location_fails_the_gate_even_when_bandwidth_and_count_are_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unknown values never hide a mistake the known ones already show."""
    write(
        tmp_path,
        {
            "main.tf": """
resource "telnyx_virtual_cross_connect" "aws" {
  count                    = length(data.aws_vpcs.all.ids)
  network_id               = "net-1"
  region_code              = "nowhere"
  cloud_provider           = "aws"
  cloud_provider_region    = "us-east-1"
  bgp_asn                  = 64512
  primary_cloud_account_id = "123456789012"
  bandwidth_mbps           = aws_dx_connection.main.bandwidth
}
"""
        },
    )
    code, report = check_json(capsys, str(tmp_path))
    assert code == 1
    [finding] = report["findings"]
    assert (finding["rule"], finding["line"]) == ("TNX001", 5)


def test_a_named_file_that_does_not_parse_exits_2_even_with_no_telnyx_resource(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A directory's modules with no Telnyx text are not parsed (that is what keeps a
    monorepo fast); a file the user names (or pre-commit passes) always is."""
    write(
        tmp_path,
        {"infra/main.tf": 'resource "aws_instance" "x" {\n', "infra/x.tf.json": '{"resource": '},
    )
    code, out, _ = check(
        capsys,
        str(tmp_path / "infra" / "main.tf"),
        str(tmp_path / "infra" / "x.tf.json"),
        "--coverage",
        SNAPSHOT,
    )
    assert code == 2
    assert "main.tf:2:1: error: syntax error: unexpected end of file" in out
    assert "x.tf.json:1:14: error: invalid JSON" in out


@pytest.mark.parametrize("changed", ["net/b.auto.tfvars.json", "net/terraform.tfvars"])
def test_a_changed_tfvars_file_checks_its_module(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    changed: str,
) -> None:
    write(tmp_path, {"net/main.tf": WIREGUARD})
    if changed.endswith(".json"):
        write(tmp_path, {changed: '{"region": "nowhere"}'})
    else:
        write(tmp_path, {changed: 'region = "nowhere"\n'})
    monkeypatch.chdir(tmp_path)
    code, out, _ = check(capsys, "--changed", changed, "--coverage", SNAPSHOT)
    assert code == 1, out
    assert 'region_code "nowhere" is not a Telnyx location code' in out
    # Named without --changed, a variables file says how it is used.
    code, _, err = check(capsys, changed, "--coverage", SNAPSHOT)
    assert code == 2
    assert "a variables file, not configuration: pass it with --var-file" in err
