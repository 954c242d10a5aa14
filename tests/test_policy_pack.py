"""The policy pack, started the way the Pulumi CLI starts it and driven over its gRPC API.

The CLI runs ``python -u -m pulumi.policy <engine-address> .`` in ``policy/``, reads the port
the pack prints, then calls ``GetAnalyzerInfo``, ``Configure``, ``Analyze`` (once per
resource) and ``AnalyzeStack``. These tests do exactly that, against a coverage server on
127.0.0.1; one pack process per scenario, shared by the tests of that scenario. A few tests
import the policies directly (``policy/`` on ``sys.path``) for cases a process adds nothing to.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from google.protobuf import empty_pb2
from pack_util import (
    CUSTOM_VXC,
    EXAMPLE_SNAPSHOT,
    POLICY_DIR,
    PUBLIC_GATEWAY,
    RESTAPI,
    RULE_POLICIES,
    UNKNOWN_NUMBER,
    VXC,
    WIREGUARD,
    WIRELESS_GATEWAY,
    Pack,
    only,
    placed,
    start_pack,
    stop_pack,
    urn,
    violation_text,
    vxc,
    without,
)
from pulumi.runtime.proto import analyzer_pb2
from sarif_util import assert_valid_sarif

from telnyx_coverage.coverage_server import CoverageServer
from telnyx_coverage.sources import NO_SOURCE_MESSAGE

CONFIG_TOML = """
[resource_types."acme:network/crossConnect:CrossConnect"]
kind = "virtual_cross_connect"
attributes = { region_code = "pop", bandwidth_mbps = "speed" }

[[ignore]]
rule = "TNX004"
address = "*::lab-*"
reason = "lab circuits are resized by hand"

[[ignore]]
rule = "TNX006"
address = "*::defaults-*"
reason = "the provider defaults bgp_asn"
"""

DESCRIPTIONS = {
    "telnyx-required-attributes": (
        "TNX006 missing-attribute: every field the Telnyx API requires on create must be set"
    ),
    "telnyx-known-location": (
        "TNX001 unknown-location: region_code must be a location code in Telnyx coverage"
    ),
    "telnyx-service-available": (
        "TNX002 service-not-available: the resource's location must offer its service"
    ),
    "telnyx-vxc-cloud-region": (
        "TNX003 vxc-cloud-region-not-available: a VXC's location must reach its cloud provider "
        "region"
    ),
    "telnyx-vxc-bandwidth": (
        "TNX004 vxc-bandwidth-not-available: a VXC's bandwidth_mbps must be offered between its "
        "location and its cloud region"
    ),
    "telnyx-coverage-available": (
        "TNX007 coverage-unavailable: Telnyx coverage (snapshot or live API) and the "
        "telnyx-coverage config must load so placements can be checked"
    ),
    "telnyx-coverage-report": (
        "the telnyx-coverage report must be written to $TELNYX_COVERAGE_REPORT when it is set "
        "($TELNYX_COVERAGE_REPORT_FORMAT: json or sarif)"
    ),
}
"""What pulumi-policy prints on the line above each violation of the policy: a requirement."""


@pytest.fixture(scope="module")
def live_server() -> Iterator[CoverageServer]:
    """This module's own coverage server (the shared fixture is per test)."""
    with CoverageServer(EXAMPLE_SNAPSHOT) as server:
        yield server


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pack")


@pytest.fixture(scope="module")
def pack(live_server: CoverageServer, pack_dir: Path) -> Iterator[Pack]:
    """A pack on the live API (the test server), with a config and a JSON report file."""
    config = pack_dir / "telnyx-coverage.toml"
    config.write_text(CONFIG_TOML, encoding="utf-8")
    started = start_pack(
        {
            "TELNYX_API_KEY": "test-key",
            "TELNYX_BASE_URL": live_server.base_url,
            "TELNYX_COVERAGE_CONFIG": str(config),
            "TELNYX_COVERAGE_REPORT": str(pack_dir / "report.json"),
        },
        pack_dir,
    )
    yield started
    stop_pack(started)


# --- the pack as the CLI sees it -----------------------------------------------------------


def test_analyzer_info_lists_one_mandatory_policy_per_rule(pack: Pack) -> None:
    info = pack.stub.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "telnyx-coverage"
    assert info.supportsConfig
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert levels == {
        **dict.fromkeys(RULE_POLICIES, analyzer_pb2.MANDATORY),
        "telnyx-coverage-report": analyzer_pb2.ADVISORY,
    }
    assert {p.name: p.description for p in info.policies} == DESCRIPTIONS


def test_every_description_is_a_requirement_that_reads_right_above_a_violation(
    policies_module: Any,
) -> None:
    policies = policies_module.build_policies(environ={})
    assert {p.name: p.description for p in policies} == DESCRIPTIONS
    for policy in policies:
        assert " must " in policy.description, policy.name
        assert "could be loaded" not in policy.description
    # docs/pulumi.md shows a violation as pulumi prints it: this description, then the message.
    page = (POLICY_DIR.parent / "docs" / "pulumi.md").read_text(encoding="utf-8")
    assert f"{DESCRIPTIONS['telnyx-vxc-bandwidth']}\nTNX004: bandwidth_mbps 1000" in page


@pytest.mark.parametrize(
    ("type_token", "props"),
    [
        (VXC, vxc(bandwidth=500.0)),
        (WIREGUARD, placed("frankfurt-de")),
        (PUBLIC_GATEWAY, placed("chicago-il")),
        (WIRELESS_GATEWAY, placed("chicago-il")),
        (WIRELESS_GATEWAY, placed(None)),  # region_code is optional for this kind
        (CUSTOM_VXC, {"pop": "chicago-il", "speed": 200.0, **without(vxc(), "regionCode")}),
    ],
    ids=["vxc", "wireguard", "public-gateway", "wireless-gateway", "wireless-no-region", "custom"],
)
def test_resources_that_fit_coverage_pass(
    pack: Pack, type_token: str, props: dict[str, Any]
) -> None:
    assert pack.analyze(type_token, "passing", props) == []


@pytest.mark.parametrize(
    ("type_token", "props", "policy", "expected"),
    [
        (
            WIREGUARD,
            placed(None),
            "telnyx-required-attributes",
            "TNX006: missing required attribute region_code",
        ),
        (
            WIRELESS_GATEWAY,
            placed("CH1"),
            "telnyx-known-location",
            'TNX001: region_code "CH1" is not a Telnyx location code\n'
            "    did you mean: chicago-il (Chicago IL, US; pop CH1)",
        ),
        (
            PUBLIC_GATEWAY,
            placed("seattle-wa"),
            "telnyx-service-available",
            "TNX002: seattle-wa does not offer public_internet_gateway",
        ),
        (
            VXC,
            vxc("amsterdam-nl", "azure", "West Europe"),
            "telnyx-vxc-cloud-region",
            "TNX003: no VXC coverage from amsterdam-nl to azure West Europe\n"
            "    from amsterdam-nl, azure reaches: Amsterdam",
        ),
        (
            VXC,
            vxc(bandwidth=1000.0),
            "telnyx-vxc-bandwidth",
            "TNX004: bandwidth_mbps 1000 is not offered from chicago-il to aws us-east-1\n"
            "    offered from chicago-il to aws us-east-1: 50, 100, 200, 500 Mbps\n"
            "    nearest tier: 500\n"
            "    locations offering 1000 Mbps to aws us-east-1: ashburn-va, new_york-ny",
        ),
        (
            CUSTOM_VXC,
            {"pop": "chicago-il", "speed": 10000.0, **without(vxc(), "regionCode")},
            "telnyx-vxc-bandwidth",
            "TNX004: bandwidth_mbps 10000 is not offered from chicago-il to aws us-east-1",
        ),
        (
            RESTAPI,
            {
                "path": "/v2/virtual_cross_connects",
                "data": json.dumps(
                    {
                        "network_id": "n-1",
                        "region_code": "chicago-il",
                        "cloud_provider": "aws",
                        "cloud_provider_region": "us-east-2",
                        "bandwidth_mbps": 100,
                        "bgp_asn": 64512,
                        "primary_cloud_account_id": "123456789012",
                    }
                ),
            },
            "telnyx-vxc-bandwidth",
            "TNX004: bandwidth_mbps 100 is not offered from chicago-il to aws us-east-2",
        ),
    ],
    ids=["TNX006", "TNX001", "TNX002", "TNX003", "TNX004", "config-type", "restapi"],
)
def test_each_mistake_is_one_mandatory_violation_of_its_own_policy(
    pack: Pack, type_token: str, props: dict[str, Any], policy: str, expected: str
) -> None:
    diagnostic = only(pack.analyze(type_token, f"failing-{policy}", props))
    assert diagnostic.policyName == policy
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    rule_id = expected[:6]
    assert diagnostic.message.startswith(rule_id)
    assert violation_text(diagnostic).startswith(expected)
    # What `pulumi preview` shows: the requirement, then what breaks it.
    assert diagnostic.message.split("\n")[0] == DESCRIPTIONS[policy]
    assert diagnostic.description == DESCRIPTIONS[policy]


def test_values_unknown_during_preview_are_no_violation(pack: Pack) -> None:
    props = vxc(bandwidth=UNKNOWN_NUMBER)
    assert pack.analyze(VXC, "unknown-bandwidth", props) == []
    wireguard = {"networkId": "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "regionCode": "chicago-il"}
    assert pack.analyze(WIREGUARD, "unknown-network", wireguard) == []


def test_other_resources_are_left_alone(pack: Pack) -> None:
    assert pack.analyze("aws:ec2/instance:Instance", "web", {"regionCode": "nowhere"}) == []
    restapi_other = {"path": "/v2/networks", "data": json.dumps({"name": "core"})}
    assert pack.analyze(RESTAPI, "network", restapi_other) == []


def test_a_config_ignore_silences_the_policy(pack: Pack) -> None:
    assert pack.analyze(VXC, "lab-1", vxc(bandwidth=1000.0)) == []


def test_an_ignored_missing_attribute_leaves_the_placement_policies_on(pack: Pack) -> None:
    props = {k: v for k, v in vxc(region="nowhere").items() if k != "bgpAsn"}
    diagnostic = only(pack.analyze(VXC, "defaults-1", props))
    assert diagnostic.policyName == "telnyx-known-location"
    props = {k: v for k, v in vxc().items() if k != "bgpAsn"}
    assert pack.analyze(VXC, "defaults-2", props) == []


def test_coverage_is_fetched_once_for_many_resources(
    pack: Pack, live_server: CoverageServer
) -> None:
    for n in range(30):
        pack.analyze(VXC, f"many-{n}", vxc(bandwidth=float([100, 1000][n % 2])))
        pack.analyze(WIREGUARD, f"many-wg-{n}", placed("chicago-il"))
    # One page of each endpoint for the whole process, whatever the number of resources.
    assert len(live_server.requests_to("network_coverage")) == 1
    assert len(live_server.requests_to("virtual_cross_connects_coverage")) == 1


def test_enforcement_is_configurable_per_policy(pack: Pack) -> None:
    pack.configure(
        {
            "telnyx-vxc-bandwidth": "advisory",
            "telnyx-known-location": {"enforcementLevel": "disabled"},
        }
    )
    try:
        diagnostic = only(pack.analyze(VXC, "configured-bandwidth", vxc(bandwidth=1000.0)))
        assert diagnostic.policyName == "telnyx-vxc-bandwidth"
        assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY
        assert pack.analyze(WIRELESS_GATEWAY, "configured-location", placed("CH1")) == []
        # The other policies keep their default.
        diagnostic = only(pack.analyze(PUBLIC_GATEWAY, "configured-service", placed("denver-co")))
        assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    finally:
        pack.configure({})
    assert only(pack.analyze(VXC, "reconfigured", vxc(bandwidth=1000.0))).enforcementLevel == (
        analyzer_pb2.MANDATORY
    )


def test_the_stack_policy_writes_the_report_at_the_end(pack: Pack, pack_dir: Path) -> None:
    resources: list[tuple[str, str, Mapping[str, Any]]] = [
        (VXC, "report-ok", vxc(bandwidth=200.0)),
        (VXC, "report-bad", vxc(bandwidth=1000.0)),
        (VXC, "report-unknown", vxc(bandwidth=UNKNOWN_NUMBER)),
        (VXC, "lab-report", vxc(bandwidth=1000.0)),
        ("aws:s3/bucket:Bucket", "logs", {"bucket": "logs"}),
    ]
    for type_token, name, props in resources[:-1]:
        pack.analyze(type_token, name, props)
    assert pack.analyze_stack(resources) == []  # the report policy never judges

    report = json.loads((pack_dir / "report.json").read_text(encoding="utf-8"))
    statuses = {r["address"]: r["status"] for r in report["resources"]}
    assert statuses == {
        urn(VXC, "report-ok"): "passed",
        urn(VXC, "report-bad"): "failed",
        urn(VXC, "report-unknown"): "unresolved",
        urn(VXC, "lab-report"): "suppressed",
    }
    findings = {(f["rule"], f["address"], f["suppressed"]) for f in report["findings"]}
    assert findings == {
        ("TNX004", urn(VXC, "report-bad"), False),
        ("TNX005", urn(VXC, "report-unknown"), False),
        ("TNX004", urn(VXC, "lab-report"), True),
    }
    assert report["coverage"]["source"] == "api"
    assert report["summary"]["errors"] == 1


# --- failing closed ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def refused_pack(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Pack, CoverageServer]]:
    """A pack whose key the coverage API refuses."""
    tmp = tmp_path_factory.mktemp("refused")
    with CoverageServer(EXAMPLE_SNAPSHOT) as server:
        started = start_pack(
            {"TELNYX_API_KEY": "KEYzzWRONGzz0123", "TELNYX_BASE_URL": server.base_url}, tmp
        )
        yield started, server
        stop_pack(started)


def test_coverage_that_cannot_be_loaded_fails_every_telnyx_resource(
    refused_pack: tuple[Pack, CoverageServer],
) -> None:
    pack, server = refused_pack
    for type_token, props in [
        (VXC, vxc(bandwidth=500.0)),  # would pass
        (WIRELESS_GATEWAY, placed("CH1")),  # would fail TNX001: still only TNX007
        (WIREGUARD, placed("chicago-il")),
    ]:
        diagnostic = only(pack.analyze(type_token, "refused", props))
        assert diagnostic.policyName == "telnyx-coverage-available"
        assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
        assert violation_text(diagnostic).startswith("TNX007: ")
        # Shown on a failure, the description says what must hold, not that it held.
        assert diagnostic.message.split("\n")[0] == DESCRIPTIONS["telnyx-coverage-available"]
        assert "must load" in diagnostic.message.split("\n")[0]
        assert "TELNYX_API_KEY" in diagnostic.message
        assert "WRONG" not in diagnostic.message
    assert pack.analyze("aws:s3/bucket:Bucket", "logs", {}) == []
    # The failure is remembered: no request per resource.
    assert len(server.requests) == 1


# --- the policies imported directly --------------------------------------------------------


@pytest.fixture(scope="module")
def policies_module() -> ModuleType:
    sys.path.insert(0, str(POLICY_DIR))
    try:
        return importlib.import_module("telnyx_policies")
    finally:
        sys.path.remove(str(POLICY_DIR))


def run_policies(
    module: Any, environ: dict[str, str], type_token: str, props: dict[str, Any], cwd: Path
) -> list[tuple[str, str]]:
    """(policy, message) for every violation the rule policies report on one resource."""
    state = module.PackState(environ=environ, cwd=cwd)
    violations: list[tuple[str, str]] = []
    for policy in module.build_policies(state, environ=environ)[:-1]:
        args = SimpleNamespace(resource_type=type_token, urn=urn(type_token, "x"), props=props)
        policy.validate(
            args, lambda message, _urn=None, p=policy: violations.append((p.name, message))
        )
    return violations


def test_no_coverage_source_is_a_violation_saying_how_to_provide_one(
    policies_module: Any, tmp_path: Path
) -> None:
    violations = run_policies(policies_module, {}, VXC, vxc(), tmp_path)
    assert violations == [("telnyx-coverage-available", f"TNX007: {NO_SOURCE_MESSAGE}")]


def test_an_invalid_config_fails_closed_naming_the_file_and_line(
    policies_module: Any, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('fail_on = "error"\nunresolved = "sometimes"\n', encoding="utf-8")
    environ = {"TELNYX_COVERAGE_FILE": str(EXAMPLE_SNAPSHOT), "TELNYX_COVERAGE_CONFIG": str(bad)}
    [(policy, message)] = run_policies(policies_module, environ, VXC, vxc(), tmp_path)
    assert policy == "telnyx-coverage-available"
    assert message.startswith("TNX007: invalid telnyx-coverage config: ")
    assert "bad.toml:2" in message and "unresolved" in message


def test_restapi_data_that_is_no_json_is_a_required_attributes_violation(
    policies_module: Any, tmp_path: Path
) -> None:
    environ = {"TELNYX_COVERAGE_FILE": str(EXAMPLE_SNAPSHOT)}
    props = {"path": "/v2/wireguard_interfaces", "data": "{region_code: chicago-il"}
    [(policy, message)] = run_policies(policies_module, environ, RESTAPI, props, tmp_path)
    assert policy == "telnyx-required-attributes"
    assert message.startswith("TNX006: ") and "data is not valid JSON" in message


def test_the_report_can_be_sarif(policies_module: Any, tmp_path: Path) -> None:
    target = tmp_path / "out" / "telnyx.sarif"
    environ = {
        "TELNYX_COVERAGE_FILE": str(EXAMPLE_SNAPSHOT),
        "TELNYX_COVERAGE_REPORT": "out/telnyx.sarif",
        "PWD": str(tmp_path),  # relative to where pulumi was run, not to policy/
        "TELNYX_COVERAGE_MAX_AGE": "36500d",  # the example snapshot ages; not this test's topic
    }
    state = policies_module.PackState(environ=environ, cwd=POLICY_DIR)
    *rule_policies, report_policy = policies_module.build_policies(state, environ=environ)
    resources = [
        SimpleNamespace(resource_type=VXC, urn=urn(VXC, "aws"), props=vxc(bandwidth=1000.0)),
        SimpleNamespace(resource_type=WIREGUARD, urn=urn(WIREGUARD, "wg"), props=placed("CH1")),
    ]
    for resource in resources:
        for policy in rule_policies:
            policy.validate(resource, lambda *_: None)
    report_policy.validate(SimpleNamespace(resources=resources), lambda *_: pytest.fail())

    log = json.loads(target.read_text(encoding="utf-8"))
    assert_valid_sarif(log)
    results = [(r["ruleId"], r["message"]["text"]) for r in log["runs"][0]["results"]]
    assert [rule for rule, _ in results] == ["TNX004", "TNX001"]
    assert not list(target.parent.glob(".*.tmp"))  # written atomically, nothing left over


def test_stale_coverage_is_one_tnx008_in_the_report_whatever_the_resources(
    policies_module: Any, tmp_path: Path
) -> None:
    document = json.loads(EXAMPLE_SNAPSHOT.read_text(encoding="utf-8"))
    document["fetched_at"] = "2020-01-01T00:00:00Z"
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps(document), encoding="utf-8")
    environ = {
        "TELNYX_COVERAGE_FILE": str(stale),
        "TELNYX_COVERAGE_REPORT": "report.json",
        "PWD": str(tmp_path),
    }
    state = policies_module.PackState(environ=environ, cwd=POLICY_DIR)
    *rule_policies, report_policy = policies_module.build_policies(state, environ=environ)
    resources = [
        SimpleNamespace(
            resource_type=WIREGUARD, urn=urn(WIREGUARD, f"ok{i}"), props=placed("chicago-il")
        )
        for i in range(3)
    ] + [SimpleNamespace(resource_type=WIREGUARD, urn=urn(WIREGUARD, "bad"), props=placed("CH1"))]
    for resource in resources:
        for policy in rule_policies:
            policy.validate(resource, lambda *_: None)
    report_policy.validate(SimpleNamespace(resources=resources), lambda *_: pytest.fail())

    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert sorted(f["rule"] for f in report["findings"]) == ["TNX001", "TNX008"]
    assert report["summary"]["warnings"] == 1 and report["summary"]["passed"] == 3
