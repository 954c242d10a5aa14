"""Every report format, as a user or a CI system reads it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sarif_util import assert_valid_sarif

from hcl_checker.reports import FORMATS, render
from hcl_checker.reports import github as github_format
from telnyx_coverage import __version__
from telnyx_coverage.findings import (
    RULES,
    CoverageInfo,
    Finding,
    ProblemReport,
    Report,
    ResourceResult,
    ResourceStatus,
    Severity,
)
from telnyx_coverage.resources import PlannedResource, ResourceKind

FETCHED_AT = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
SNAPSHOT = CoverageInfo(source="snapshot", fetched_at=FETCHED_AT, path="coverage.json")
GENERATED_AT = FETCHED_AT + timedelta(hours=3)
"""When the reports below were "made": their coverage is 3 hours old."""
ESC = "\033["


def vxc(address: str, line: int, **attribute_lines: int) -> PlannedResource:
    return PlannedResource(
        address,
        ResourceKind.VIRTUAL_CROSS_CONNECT,
        {},
        file="infra/main.tf",
        line=line,
        attribute_lines=attribute_lines,
    )


def realistic_report() -> Report:
    """Passed, failed with suggestions, unresolved, suppressed, an input error, a stale warning."""
    passed = vxc("module.edge.telnyx_virtual_cross_connect.aws[0]", 12)
    failed = vxc('telnyx_virtual_cross_connect.gcp["eu"]', 20, bandwidth_mbps=24)
    unresolved = PlannedResource(
        "telnyx_wireguard_interface.wg",
        ResourceKind.WIREGUARD_INTERFACE,
        {},
        file="infra/wg.tf",
        line=3,
        attribute_lines={"region_code": 5},
    )
    suppressed = vxc("telnyx_virtual_cross_connect.lab", 40, region_code=42)
    findings = [
        Finding(
            RULES["TNX004"],
            "bandwidth_mbps 10000 is not offered from chicago-il to aws us-east-1",
            resource=failed,
            attribute="bandwidth_mbps",
            suggestions=[
                "offered from chicago-il to aws us-east-1: 50, 100, 200 Mbps",
                "nearest tier: 200 Mbps",
            ],
        ),
        Finding(
            RULES["TNX005"],
            "region_code is known only after apply",
            resource=unresolved,
            attribute="region_code",
        ),
        Finding(
            RULES["TNX001"],
            'region_code "atlantis" is no coverage location',
            resource=suppressed,
            attribute="region_code",
            suggestions=["did you mean: ashburn-va"],
            suppressed=True,
            suppression_reason="lab only",
        ),
        Finding(RULES["TNX008"], "the coverage snapshot is 12 days old (max_coverage_age: 7d)"),
    ]
    return Report(
        generated_at=GENERATED_AT,
        coverage=SNAPSHOT,
        resources=[
            ResourceResult(passed, ResourceStatus.PASSED),
            ResourceResult(failed, ResourceStatus.FAILED),
            ResourceResult(unresolved, ResourceStatus.UNRESOLVED),
            ResourceResult(suppressed, ResourceStatus.SUPPRESSED),
        ],
        findings=findings,
        errors=[ProblemReport("Invalid expression", file="bad.tf", line=3, column=1)],
    )


NASTY = 'naïve "quoted" <tag> & 100% sure, a:b\nsecond line'


def nasty_report() -> Report:
    """Characters every format must escape, in addresses, messages and paths."""
    resource = PlannedResource(
        'module.x.telnyx_virtual_cross_connect.v["a,b:c<&>\\"ü"]',
        ResourceKind.VIRTUAL_CROSS_CONNECT,
        {},
        file="/abs/dir with space/ü,1:2%.tf",
        line=7,
    )
    return Report(
        coverage=CoverageInfo(source="api", fetched_at=None),
        resources=[ResourceResult(resource, ResourceStatus.FAILED)],
        findings=[
            Finding(
                RULES["TNX001"],
                NASTY,
                resource=resource,
                attribute="region_code",
                suggestions=[NASTY, "\x01control"],
            )
        ],
        errors=[ProblemReport(NASTY, file="C:\\tf\\bad %.tf", line=2, column=9)],
    )


EDGE_REPORTS = {
    "empty": Report(coverage=None),
    "only-errors": Report(
        coverage=None, errors=[ProblemReport("cannot read", file="x.tf"), ProblemReport("boom")]
    ),
    "no-coverage": Report(
        coverage=None,
        resources=[
            ResourceResult(vxc("telnyx_virtual_cross_connect.a", 1), ResourceStatus.UNRESOLVED)
        ],
        findings=[
            Finding(RULES["TNX007"], "coverage unavailable: timeout", severity=Severity.WARNING)
        ],
    ),
    "nasty": nasty_report(),
    "realistic": realistic_report(),
}


# ---------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("name", list(EDGE_REPORTS))
def test_every_format_renders_every_report(fmt: str, name: str) -> None:
    output = render(EDGE_REPORTS[name], fmt)
    assert output.endswith("\n")
    if fmt in ("json", "sarif"):
        json.loads(output)
    if fmt == "sarif":
        assert_valid_sarif(json.loads(output))
    if fmt == "junit":
        ET.fromstring(output.encode("utf-8"))
    if fmt != "text":
        assert ESC not in output


def test_registry_names_the_cli_formats() -> None:
    assert list(FORMATS) == ["text", "json", "sarif", "github", "junit"]
    with pytest.raises(ValueError, match="unknown report format 'yaml'"):
        render(Report(coverage=None), "yaml")


# ---------------------------------------------------------------- json

FINDING_KEYS = [
    "rule",
    "name",
    "severity",
    "address",
    "kind",
    "file",
    "line",
    "attribute",
    "message",
    "suggestions",
    "suppressed",
]


def test_json_has_the_spec_shape() -> None:
    data = json.loads(render(realistic_report(), "json"))
    assert list(data) == [
        "schema_version",
        "tool",
        "coverage",
        "resources",
        "findings",
        "errors",
        "summary",
    ]
    assert data["schema_version"] == 1
    assert data["tool"] == {"name": "telnyx-coverage", "version": __version__}
    assert data["coverage"] == {
        "source": "snapshot",
        "fetched_at": "2026-12-04T11:00:00Z",
        "age_seconds": 10800,
    }
    assert data["resources"][1] == {
        "address": 'telnyx_virtual_cross_connect.gcp["eu"]',
        "kind": "virtual_cross_connect",
        "file": "infra/main.tf",
        "line": 20,
        "status": "failed",
    }
    assert [r["status"] for r in data["resources"]] == [
        "passed",
        "failed",
        "unresolved",
        "suppressed",
    ]
    failed = data["findings"][0]
    assert list(failed) == FINDING_KEYS
    assert failed == {
        "rule": "TNX004",
        "name": "vxc-bandwidth-not-available",
        "severity": "error",
        "address": 'telnyx_virtual_cross_connect.gcp["eu"]',
        "kind": "virtual_cross_connect",
        "file": "infra/main.tf",
        "line": 24,
        "attribute": "bandwidth_mbps",
        "message": "bandwidth_mbps 10000 is not offered from chicago-il to aws us-east-1",
        "suggestions": [
            "offered from chicago-il to aws us-east-1: 50, 100, 200 Mbps",
            "nearest tier: 200 Mbps",
        ],
        "suppressed": False,
    }
    suppressed = data["findings"][2]
    assert suppressed["suppressed"] is True
    assert suppressed["suppression_reason"] == "lab only"
    assert list(suppressed)[: len(FINDING_KEYS)] == FINDING_KEYS
    stale = data["findings"][3]
    assert (stale["rule"], stale["severity"]) == ("TNX008", "warning")
    assert [stale[k] for k in ("address", "kind", "file", "line", "attribute")] == [None] * 5
    assert data["errors"] == [
        {"file": "bad.tf", "line": 3, "column": 1, "message": "Invalid expression"}
    ]
    assert data["summary"] == {
        "resources": 4,
        "passed": 1,
        "failed": 1,
        "unresolved": 1,
        "suppressed": 1,
        "errors": 1,
        "warnings": 2,
    }


def test_json_types_and_nulls() -> None:
    data = json.loads(render(EDGE_REPORTS["only-errors"], "json"))
    assert data["coverage"] is None
    assert data["resources"] == [] and data["findings"] == []
    assert data["errors"][1] == {"file": None, "line": None, "column": None, "message": "boom"}
    assert all(isinstance(v, int) for v in data["summary"].values())


def test_json_keeps_every_character() -> None:
    data = json.loads(render(nasty_report(), "json"))
    assert data["findings"][0]["message"] == NASTY
    assert data["findings"][0]["file"] == "/abs/dir with space/ü,1:2%.tf"
    assert data["coverage"] == {"source": "api", "fetched_at": None, "age_seconds": None}


@dataclass
class ModuleFedResource(PlannedResource):
    """A resource whose attributes are written in the module call, in another file."""

    def file_of(self, attribute: str | None) -> str | None:
        return "root.tf" if attribute == "bandwidth_mbps" else self.file


def test_findings_point_at_the_file_of_the_attribute_when_known() -> None:
    resource = ModuleFedResource(
        "module.m.telnyx_virtual_cross_connect.v",
        ResourceKind.VIRTUAL_CROSS_CONNECT,
        {},
        file="modules/m/main.tf",
        line=1,
        attribute_lines={"bandwidth_mbps": 9},
    )
    report = Report(
        generated_at=GENERATED_AT,
        coverage=SNAPSHOT,
        resources=[ResourceResult(resource, ResourceStatus.FAILED)],
        findings=[Finding(RULES["TNX004"], "no", resource=resource, attribute="bandwidth_mbps")],
    )
    assert json.loads(render(report, "json"))["findings"][0]["file"] == "root.tf"
    assert "root.tf:9: error TNX004" in render(report, "text")
    assert "file=root.tf,line=9" in render(report, "github")


# ---------------------------------------------------------------- text


def test_text_lines_a_user_reads() -> None:
    lines = render(realistic_report(), "text").splitlines()
    assert lines == [
        "bad.tf:3:1: error: Invalid expression",
        'infra/main.tf:24: error TNX004 telnyx_virtual_cross_connect.gcp["eu"]: '
        "bandwidth_mbps 10000 is not offered from chicago-il to aws us-east-1",
        "    offered from chicago-il to aws us-east-1: 50, 100, 200 Mbps",
        "    nearest tier: 200 Mbps",
        "infra/wg.tf:5: warning TNX005 telnyx_wireguard_interface.wg: "
        "region_code is known only after apply",
        "<coverage>: warning TNX008: the coverage snapshot is 12 days old (max_coverage_age: 7d)",
        "infra/main.tf:42: note TNX001 telnyx_virtual_cross_connect.lab: "
        'region_code "atlantis" is no coverage location (suppressed: lab only)',
        "4 resources: 1 passed, 1 failed, 1 unresolved, 1 suppressed; 1 error, 2 warnings; "
        "1 input error (coverage: snapshot from 2026-12-04T11:00:00Z, 3 hours old)",
    ]


def test_text_colour_only_when_asked() -> None:
    report = realistic_report()
    assert ESC not in render(report, "text")
    coloured = render(report, "text", color=True)
    assert ESC in coloured
    # The words are the same once the colour is taken away.
    assert re.sub(r"\033\[[0-9;]*m", "", coloured) == render(report, "text")


def test_text_without_resources_or_coverage() -> None:
    assert render(Report(coverage=None), "text") == (
        "0 resources: 0 passed, 0 failed, 0 unresolved, 0 suppressed; 0 errors, 0 warnings "
        "(no coverage loaded)\n"
    )
    only_errors = render(EDGE_REPORTS["only-errors"], "text").splitlines()
    assert only_errors[:2] == ["x.tf: error: cannot read", "<input>: error: boom"]


def test_text_keeps_multi_line_messages_under_their_finding() -> None:
    lines = render(nasty_report(), "text").splitlines()
    assert lines[:7] == [
        'C:\\tf\\bad %.tf:2:9: error: naïve "quoted" <tag> & 100% sure, a:b',
        "    second line",
        "/abs/dir with space/ü,1:2%.tf:7: error TNX001 "
        'module.x.telnyx_virtual_cross_connect.v["a,b:c<&>\\"ü"]: '
        'naïve "quoted" <tag> & 100% sure, a:b',
        "    second line",
        '    naïve "quoted" <tag> & 100% sure, a:b',
        "        second line",
        # A control character from the code under check is shown, never sent to the terminal.
        "    \\x01control",
    ]


# ---------------------------------------------------------------- sarif


def sarif(report: Report) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render(report, "sarif"))
    assert_valid_sarif(log)
    return log


def test_sarif_rules_and_results() -> None:
    log = sarif(realistic_report())
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("telnyx-coverage", __version__)
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    tnx004 = driver["rules"][list(RULES).index("TNX004")]
    assert tnx004["name"] == "vxc-bandwidth-not-available"
    assert tnx004["defaultConfiguration"] == {"level": "error"}
    assert "docs/rules/TNX004.md" in tnx004["help"]["text"]
    # No relative link: code scanning would resolve it against the scanned repository.
    assert "](" not in tnx004["help"]["markdown"]
    assert "`# telnyx-coverage:ignore TNX004" in tnx004["help"]["markdown"]
    tnx007 = driver["rules"][list(RULES).index("TNX007")]
    assert "cannot be silenced" in tnx007["help"]["text"]

    failed, unresolved, suppressed, stale = run["results"]
    assert driver["rules"][failed["ruleIndex"]]["id"] == failed["ruleId"] == "TNX004"
    assert failed["level"] == "error"
    assert "nearest tier: 200 Mbps" in failed["message"]["text"]
    location = failed["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 24},
    }
    assert location["logicalLocations"][0]["fullyQualifiedName"] == (
        'telnyx_virtual_cross_connect.gcp["eu"]'
    )
    assert "suppressions" not in failed
    assert unresolved["level"] == "warning"
    assert suppressed["suppressions"] == [{"kind": "inSource", "justification": "lab only"}]
    # GitHub rejects an upload whose results lack a location: the stale warning is anchored
    # at the snapshot it is about.
    assert stale["ruleId"] == "TNX008"
    assert stale["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ("coverage.json")
    assert len({r["partialFingerprints"]["telnyxCoverage/v1"] for r in run["results"]}) == 4
    assert run["properties"]["coverage"] == {
        "source": "snapshot",
        "fetched_at": "2026-12-04T11:00:00Z",
        "age_seconds": 10800,
    }


def test_sarif_input_errors_are_notifications() -> None:
    invocation = sarif(realistic_report())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == "Invalid expression"
    assert notification["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "bad.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 1},
    }
    clean = sarif(Report(coverage=None))["runs"][0]
    assert clean["invocations"][0]["executionSuccessful"] is True
    assert clean["results"] == []


def test_sarif_absolute_and_odd_paths() -> None:
    run = sarif(nasty_report())["runs"][0]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "file:///abs/dir%20with%20space/%C3%BC%2C1%3A2%25.tf"}
    notification = run["invocations"][0]["toolExecutionNotifications"][0]
    uri = notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "file:///C:/tf/bad%20%25.tf"


def test_sarif_fingerprint_survives_moved_lines() -> None:
    first, second = realistic_report(), realistic_report()
    resource = second.findings[0].resource
    assert resource is not None
    resource.attribute_lines["bandwidth_mbps"] = 99

    def fingerprint(report: Report) -> str:
        return str(sarif(report)["runs"][0]["results"][0]["partialFingerprints"])

    assert fingerprint(first) == fingerprint(second)


# ---------------------------------------------------------------- github


def test_github_workflow_commands() -> None:
    lines = render(realistic_report(), "github").splitlines()
    assert lines == [
        "::error file=bad.tf,line=3,col=1,title=input error::Invalid expression",
        "::error file=infra/main.tf,line=24,title=TNX004 vxc-bandwidth-not-available::"
        'telnyx_virtual_cross_connect.gcp["eu"]: bandwidth_mbps 10000 is not offered from '
        "chicago-il to aws us-east-1%0Aoffered from chicago-il to aws us-east-1: 50, 100, 200 "
        "Mbps%0Anearest tier: 200 Mbps",
        "::warning file=infra/wg.tf,line=5,title=TNX005 unresolved-value::"
        "telnyx_wireguard_interface.wg: region_code is known only after apply",
        "::warning title=TNX008 stale-coverage::"
        "the coverage snapshot is 12 days old (max_coverage_age: 7d)",
        "4 resources: 1 passed, 1 failed, 1 unresolved, 1 suppressed; 1 error, 2 warnings; "
        "1 input error (coverage: snapshot from 2026-12-04T11:00:00Z, 3 hours old)",
    ]


def test_github_escaping() -> None:
    assert github_format.escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert github_format.escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    lines = render(nasty_report(), "github").splitlines()
    assert lines[0] == (
        "::error file=C%3A\\tf\\bad %25.tf,line=2,col=9,title=input error::"
        'naïve "quoted" <tag> & 100%25 sure, a:b%0Asecond line'
    )
    assert lines[1].startswith("::error file=/abs/dir with space/ü%2C1%3A2%25.tf,line=7,")
    # Every command is one line: a newline in a message would end it early.
    assert len(lines) == 3


# ---------------------------------------------------------------- junit


def junit(report: Report) -> ET.Element:
    return ET.fromstring(render(report, "junit").encode("utf-8"))


def test_junit_one_case_per_resource_and_counts() -> None:
    root = junit(realistic_report())
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "telnyx-coverage"
    cases = suite.findall("testcase")
    # one input error, four resources, one coverage finding
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("input", "bad.tf"),
        ("virtual_cross_connect", "module.edge.telnyx_virtual_cross_connect.aws[0]"),
        ("virtual_cross_connect", 'telnyx_virtual_cross_connect.gcp["eu"]'),
        ("wireguard_interface", "telnyx_wireguard_interface.wg"),
        ("virtual_cross_connect", "telnyx_virtual_cross_connect.lab"),
        ("coverage", "stale-coverage"),
    ]
    for element in (root, suite):
        counts = {k: element.get(k) for k in ("tests", "failures", "errors", "skipped")}
        assert counts == {"tests": "6", "failures": "1", "errors": "1", "skipped": "3"}

    _input, passed, failed, unresolved, suppressed, stale = cases
    assert list(passed) == []
    assert passed.get("file") == "infra/main.tf"
    failure = failed.find("failure")
    assert failure is not None and failure.get("type") == "TNX004"
    assert "nearest tier: 200 Mbps" in (failure.text or "")
    skipped = unresolved.find("skipped")
    assert skipped is not None and "known only after apply" in (skipped.get("message") or "")
    skipped = suppressed.find("skipped")
    assert skipped is not None and skipped.get("message") == "suppressed: lab only"
    assert stale.find("skipped") is not None


def test_junit_unresolved_at_error_severity_fails() -> None:
    report = realistic_report()
    report.findings[1].severity = Severity.ERROR
    suite = junit(report).find("testsuite")
    assert suite is not None and suite.get("failures") == "2"


def test_junit_escapes_and_strips_what_xml_cannot_hold() -> None:
    case = junit(nasty_report()).findall("testsuite/testcase")[1]
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == f"TNX001 {NASTY}"
    assert "\ufffdcontrol" in (failure.text or "")
    assert case.get("file") == "/abs/dir with space/ü,1:2%.tf"


def test_junit_empty_report() -> None:
    root = junit(Report(coverage=None))
    assert root.get("tests") == "0"
