"""The Pulumi front end: engine properties to planned resources, and Python programs run
under Pulumi's mocks (no Pulumi CLI) to the resources they would register."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pulumi.output import Unknown

from hcl_checker.pulumi_input import (
    BUILTIN,
    PulumiScan,
    planned_from_pulumi,
    pulumi_resource_types,
    scan_pulumi,
)
from telnyx_coverage.config import ResourceType
from telnyx_coverage.engine import check
from telnyx_coverage.errors import InputError
from telnyx_coverage.resources import UNKNOWN, ResourceKind
from telnyx_coverage.sources import load_coverage

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pulumi"

VXC = "telnyx:index/virtualCrossConnect:VirtualCrossConnect"
WIREGUARD = "telnyx:index/wireguardInterface:WireguardInterface"
RESTAPI = "restapi:index/object:Object"
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "x"}


# --- engine properties -----------------------------------------------------------------------


def test_properties_become_api_fields_with_numbers_as_the_checks_read_them() -> None:
    props = {
        "networkId": "n-1",
        "regionCode": "chicago-il",
        "cloudProvider": "aws",
        "cloudProviderRegion": "us-east-1",
        "bandwidthMbps": 500.0,
        "bgpAsn": 64512.0,
        "primaryCloudAccountId": SECRET,
        "tags": ["kept", "out"],
    }
    resource = planned_from_pulumi(VXC, "urn:x", props)
    assert resource is not None
    assert resource.kind is ResourceKind.VIRTUAL_CROSS_CONNECT
    assert resource.address == "urn:x"
    assert resource.source_type == VXC
    assert resource.values == {
        "network_id": "n-1",
        "region_code": "chicago-il",
        "cloud_provider": "aws",
        "cloud_provider_region": "us-east-1",
        "bandwidth_mbps": 500,
        "bgp_asn": 64512,
        "primary_cloud_account_id": "x",
    }
    assert type(resource.values["bandwidth_mbps"]) is int


def test_values_unknown_during_preview_are_unknown() -> None:
    props = {"networkId": UNKNOWN_STRING, "regionCode": Unknown(), "name": None}
    resource = planned_from_pulumi(WIREGUARD, "wg", props)
    assert resource is not None
    assert resource.values == {"network_id": UNKNOWN, "region_code": UNKNOWN}


def test_other_types_are_not_telnyx_resources() -> None:
    assert planned_from_pulumi("aws:ec2/vpc:Vpc", "vpc", {"regionCode": "x"}) is None


def test_config_types_map_their_own_property_names() -> None:
    types = pulumi_resource_types(
        {
            "acme:net/vxc:Vxc": ResourceType(
                ResourceKind.VIRTUAL_CROSS_CONNECT,
                {"region_code": "pop", "bandwidth_mbps": "speed_mbps"},
            )
        }
    )
    assert set(BUILTIN) < set(types)
    props = {"pop": "chicago-il", "speedMbps": 100.0, "cloudProvider": "aws"}
    resource = planned_from_pulumi("acme:net/vxc:Vxc", "v", props, resource_types=types)
    assert resource is not None
    assert resource.values == {
        "region_code": "chicago-il",
        "bandwidth_mbps": 100,
        "cloud_provider": "aws",
    }


@pytest.mark.parametrize(
    "data",
    [
        json.dumps({"network_id": "n", "region_code": "chicago-il", "ignored": 1}),
        {"network_id": "n", "region_code": "chicago-il"},
    ],
    ids=["json-string", "dict"],
)
def test_restapi_objects_are_recognised_by_path(data: Any) -> None:
    resource = planned_from_pulumi(
        RESTAPI, "r", {"path": "/v2/wireguard_interfaces/", "data": data}
    )
    assert resource is not None
    assert resource.kind is ResourceKind.WIREGUARD_INTERFACE
    assert resource.values == {"network_id": "n", "region_code": "chicago-il"}


def test_restapi_create_path_decides_the_kind() -> None:
    props = {
        "path": "/v2/virtual_cross_connects/{id}",
        "createPath": "/v2/virtual_cross_connects?source=pulumi",
        "data": "{}",
    }
    resource = planned_from_pulumi(RESTAPI, "r", props)
    assert resource is not None and resource.kind is ResourceKind.VIRTUAL_CROSS_CONNECT


def test_restapi_objects_elsewhere_or_with_an_unknown_path_are_not_telnyx() -> None:
    assert planned_from_pulumi(RESTAPI, "r", {"path": "/v2/networks", "data": "{}"}) is None
    assert planned_from_pulumi(RESTAPI, "r", {"path": UNKNOWN_STRING, "data": "{}"}) is None


def test_restapi_data_unknown_before_apply_makes_every_field_unknown() -> None:
    props = {"path": "/v2/virtual_cross_connects", "data": UNKNOWN_STRING}
    resource = planned_from_pulumi(RESTAPI, "r", props)
    assert resource is not None
    assert resource.values["region_code"] is UNKNOWN
    assert resource.values["bandwidth_mbps"] is UNKNOWN


def test_restapi_data_that_is_no_json_object_is_an_input_error() -> None:
    with pytest.raises(InputError, match="data is not valid JSON"):
        planned_from_pulumi(RESTAPI, "r", {"path": "/v2/wireguard_interfaces", "data": "{"})
    with pytest.raises(InputError, match="must be a JSON object"):
        planned_from_pulumi(RESTAPI, "r", {"path": "/v2/wireguard_interfaces", "data": "[1]"})


# --- programs under the mocks ------------------------------------------------------------------


def test_the_example_program_has_one_deliberate_mistake(example_snapshot_path: Path) -> None:
    scan = scan_pulumi(EXAMPLE, stack=None, cwd=ROOT)
    assert scan.errors == []
    prefix = "urn:pulumi:dev::telnyx-example::"
    by_address = {r.address: r for r in scan.resources}
    assert list(by_address) == [
        f"{prefix}telnyx:index/wireguardInterface:WireguardInterface::office",
        f"{prefix}{VXC}::aws-east",
        f"{prefix}{VXC}::gce-frankfurt",
    ]
    office = by_address[f"{prefix}telnyx:index/wireguardInterface:WireguardInterface::office"]
    assert office.values["region_code"] == "chicago-il"  # from Pulumi.dev.yaml
    assert office.values["network_id"] is UNKNOWN  # another resource's output
    assert (office.file, office.line) == ("examples/pulumi/__main__.py", 19)
    # The project's config default (Pulumi.yaml) reaches config.get_int.
    assert by_address[f"{prefix}{VXC}::gce-frankfurt"].values["bandwidth_mbps"] == 100

    coverage = load_coverage(snapshot_path=example_snapshot_path)
    report = check(scan.resources, coverage.catalog, coverage=coverage.info)
    [finding] = report.findings
    assert finding.rule.id == "TNX004"
    assert finding.address == f"{prefix}{VXC}::aws-east"
    assert (finding.file, finding.line) == ("examples/pulumi/__main__.py", 33)
    assert finding.message == (
        "bandwidth_mbps 1000 is not offered from chicago-il to aws us-east-1"
    )
    assert report.summary()["passed"] == 2


def write_program(
    directory: Path,
    program: str,
    *,
    stacks: dict[str, str] | None = None,
    project: str = "name: net\nruntime: python\n",
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(project, encoding="utf-8")
    (directory / "__main__.py").write_text(textwrap.dedent(program), encoding="utf-8")
    for name, text in (stacks or {"dev": "config: {}\n"}).items():
        (directory / f"Pulumi.{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def scan(directory: Path, **kwargs: Any) -> PulumiScan:
    kwargs.setdefault("stack", None)
    return scan_pulumi(directory, cwd=directory, **kwargs)


def test_a_placement_from_another_resources_output_is_unresolved(
    tmp_path: Path, example_snapshot_path: Path
) -> None:
    program = write_program(
        tmp_path,
        """\
        import pulumi

        site = pulumi.CustomResource("acme:index/site:Site", "site", {"code": "chicago-il"})
        pulumi.CustomResource(
            "telnyx:index/wireguardInterface:WireguardInterface",
            "wg",
            {"networkId": "n-1", "regionCode": site.code},
        )
        """,
    )
    result = scan(program)
    [resource] = result.resources
    assert resource.values == {"network_id": "n-1", "region_code": UNKNOWN}
    assert resource.attribute_lines == {"network_id": 7, "region_code": 7}
    coverage = load_coverage(snapshot_path=example_snapshot_path)
    [finding] = check(result.resources, coverage.catalog, coverage=coverage.info).findings
    assert finding.rule.id == "TNX005"


def test_components_qualify_the_urn_and_lines_point_into_the_component(tmp_path: Path) -> None:
    program = write_program(
        tmp_path,
        """\
        import pulumi
        from edge import Edge

        Edge("fra", "frankfurt-de")
        """,
    )
    (program / "edge.py").write_text(
        textwrap.dedent(
            """\
            import pulumi


            class Edge(pulumi.ComponentResource):
                def __init__(self, name, region):
                    super().__init__("acme:net:Edge", name)
                    pulumi.CustomResource(
                        "telnyx:index/publicInternetGateway:PublicInternetGateway",
                        f"{name}-gw",
                        {"networkId": "n", "regionCode": region},
                        pulumi.ResourceOptions(parent=self),
                    )
            """
        ),
        encoding="utf-8",
    )
    [resource] = scan(program).resources
    assert resource.address == (
        "urn:pulumi:dev::net::acme:net:Edge$"
        "telnyx:index/publicInternetGateway:PublicInternetGateway::fra-gw"
    )
    assert (resource.file, resource.line) == ("edge.py", 7)


def test_a_program_that_raises_is_an_error_at_its_line_without_a_traceback(
    tmp_path: Path,
) -> None:
    program = write_program(
        tmp_path,
        """\
        import pulumi

        def region():
            return {"fra": "frankfurt-de"}["ams"]

        region()
        """,
    )
    result = scan(program)
    [error] = result.errors
    assert (error.file, error.line) == ("__main__.py", 4)
    assert error.message == "the Pulumi program failed: KeyError: 'ams'"


def test_a_syntax_error_points_at_its_file_line_and_column(tmp_path: Path) -> None:
    program = write_program(tmp_path, "import pulumi\nimport edge\n")
    (tmp_path / "edge.py").write_text("x = 1\ndef f(:\n    pass\n", encoding="utf-8")
    [error] = scan(program).errors
    assert (error.file, error.line, error.column) == ("edge.py", 2, 7)
    assert error.message == "the Pulumi program failed: SyntaxError: invalid syntax"


def test_missing_stack_config_names_the_key_and_line(tmp_path: Path) -> None:
    program = write_program(
        tmp_path,
        """\
        import pulumi

        config = pulumi.Config()
        region = config.require("region")
        """,
        stacks={"dev": "config:\n  net:other: x\n  net:secret:\n    secure: AAEAAQ==\n"},
    )
    [error] = scan(program).errors
    assert (error.file, error.line) == ("__main__.py", 4)
    assert "net:region" in error.message
    assert "Traceback" not in error.message


def test_the_stack_is_chosen_by_name_when_there_are_several(tmp_path: Path) -> None:
    program = write_program(
        tmp_path,
        """\
        import pulumi

        pulumi.CustomResource(
            "telnyx:index/wireguardInterface:WireguardInterface",
            "wg",
            {"networkId": "n", "regionCode": pulumi.Config().require("region")},
        )
        """,
        stacks={"dev": "config:\n  net:region: chicago-il\n", "prod": "config:\n  region: 7\n"},
    )
    with pytest.raises(
        InputError, match=r"pass --stack NAME \(stack config files found: dev, prod"
    ):
        scan(program)
    with pytest.raises(
        InputError, match=re.escape("no Pulumi.qa.yaml; stacks with a config file: dev, prod")
    ):
        scan(program, stack="qa")
    [resource] = scan(program, stack="prod").resources
    assert resource.values["region_code"] == "7"
    assert resource.address.startswith("urn:pulumi:prod::net::")


@pytest.mark.parametrize(
    ("project", "main", "message"),
    [
        (None, True, "no Pulumi.yaml here"),
        ("name: net\nruntime: nodejs\n", True, "only Python Pulumi programs can be checked"),
        (
            "name: net\nruntime:\n  name: go\n",
            True,
            "only Python Pulumi programs can be checked without the Pulumi CLI",
        ),
        ("name: net\nruntime: python\n", False, "no Python program"),
        ("name: net\nruntime: python\nmain: src/\n", True, "no Python program: src does not exist"),
        ("runtime: python\n", True, "it needs a `name:`"),
    ],
    ids=["no-project", "nodejs", "go", "no-main", "main-elsewhere", "no-name"],
)
def test_projects_that_cannot_be_run_are_input_errors(
    tmp_path: Path, project: str | None, main: bool, message: str
) -> None:
    if project is not None:
        (tmp_path / "Pulumi.yaml").write_text(project, encoding="utf-8")
    if main:
        (tmp_path / "__main__.py").write_text("import pulumi\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        scan_pulumi(tmp_path, stack="dev", cwd=tmp_path)


def test_broken_yaml_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    program = write_program(tmp_path, "import pulumi\n", stacks={"dev": "config:\n  a: [1\n"})
    with pytest.raises(InputError) as caught:
        scan(program)
    assert caught.value.file == "Pulumi.dev.yaml"
    assert caught.value.line is not None
    assert str(caught.value).startswith("Pulumi.dev.yaml:")


def test_a_program_that_exits_or_hangs_is_reported(tmp_path: Path) -> None:
    exits = write_program(tmp_path / "exits", "import sys\nsys.exit(3)\n")
    [error] = scan(exits).errors
    assert error.message == "the Pulumi program failed: the program exited with code 3"

    hangs = write_program(tmp_path / "hangs", "import time\ntime.sleep(30)\n")
    [error] = scan(hangs, timeout=1).errors
    assert error.message.startswith("the Pulumi program did not finish within 1 seconds")
    assert error.file == "__main__.py"


def test_restapi_objects_in_a_program(tmp_path: Path) -> None:
    program = write_program(
        tmp_path,
        """\
        import json
        import pulumi

        pulumi.CustomResource(
            "restapi:index/object:Object",
            "wg",
            {
                "path": "/v2/wireguard_interfaces",
                "data": json.dumps({"network_id": "n", "region_code": "CH1"}),
            },
        )
        pulumi.CustomResource(
            "restapi:index/object:Object",
            "broken",
            {"path": "/v2/wireguard_interfaces", "data": "{"},
        )
        """,
    )
    result = scan(program)
    [resource] = result.resources
    assert resource.values == {"network_id": "n", "region_code": "CH1"}
    [error] = result.errors
    assert (error.file, error.line) == ("__main__.py", 12)
    assert "data is not valid JSON" in error.message
