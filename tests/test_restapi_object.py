"""restapi_object (Mastercard/restapi): recognised by path, read from data, in HCL and plan JSON."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from hcl_checker.cli import main
from hcl_checker.hcl import scan
from hcl_checker.plan import read_plan
from telnyx_coverage.resources import UNKNOWN, ResourceKind

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = str(REPO / "examples" / "coverage-snapshot.json")


def scan_text(root: Path, text: str, name: str = "main.tf") -> Any:
    (root / name).write_text(textwrap.dedent(text))
    return scan([root], cwd=root, environ={})


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(["check", *argv, "--format", "json", "--coverage", SNAPSHOT])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out) if out else None, err


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- HCL ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/virtual_cross_connects", ResourceKind.VIRTUAL_CROSS_CONNECT),
        ("/v2/virtual_cross_connects/", ResourceKind.VIRTUAL_CROSS_CONNECT),
        ("/v2/wireguard_interfaces", ResourceKind.WIREGUARD_INTERFACE),
        ("/public_internet_gateways/", ResourceKind.PUBLIC_INTERNET_GATEWAY),
        ("/v2/private_wireless_gateways", ResourceKind.PRIVATE_WIRELESS_GATEWAY),
        ("/v2/wireguard_interfaces?page[size]=1", ResourceKind.WIREGUARD_INTERFACE),
        ("/v2/virtual_cross_connects/#create", ResourceKind.VIRTUAL_CROSS_CONNECT),
    ],
)
def test_recognised_by_path(tmp_path: Path, path: str, kind: ResourceKind) -> None:
    result = scan_text(
        tmp_path,
        f"""
        resource "restapi_object" "r" {{
          path = "{path}"
          data = jsonencode({{ region_code = "chicago-il" }})
        }}
        """,
    )
    (resource,) = result.resources
    assert (resource.address, resource.kind, resource.source_type) == (
        "restapi_object.r",
        kind,
        "restapi_object",
    )
    assert resource.values == {"region_code": "chicago-il"}


def test_create_path_is_where_the_object_is_created(tmp_path: Path) -> None:
    """restapi POSTs to create_path when it is set; path is then the object's own URL."""
    result = scan_text(
        tmp_path,
        """
        resource "restapi_object" "wg" {
          path        = "/v2/wireguard_interfaces/{id}"
          create_path = "/v2/wireguard_interfaces"
          data        = jsonencode({ region_code = "chicago-il" })
        }
        """,
    )
    (resource,) = result.resources
    assert resource.kind is ResourceKind.WIREGUARD_INTERFACE


def test_other_paths_and_unknown_paths_are_not_ours(tmp_path: Path) -> None:
    result = scan_text(
        tmp_path,
        """
        resource "restapi_object" "user" {
          path = "/v2/users"
          data = "not even json"
        }
        resource "restapi_object" "computed" {
          path = "/v2/${random_pet.p.id}"
          data = jsonencode({ region_code = "x" })
        }
        """,
    )
    assert result.resources == [] and result.errors == []


def test_jsonencode_keeps_known_keys_and_their_lines(tmp_path: Path) -> None:
    result = scan_text(
        tmp_path,
        """
        resource "restapi_object" "vxc" {
          count = 1
          path  = "/v2/virtual_cross_connects"
          data = jsonencode({
            network_id            = telnyx_network.core.id
            region_code           = "chicago-il"
            "cloud_provider"      = "aws"
            cloud_provider_region = var.cloud_region
            bandwidth_mbps        = 200
            unrelated             = { nested = true }
          })
        }
        variable "cloud_region" {
          default = "us-east-1"
        }
        """,
    )
    (resource,) = result.resources
    assert resource.address == "restapi_object.vxc[0]"
    assert resource.values == {
        "network_id": UNKNOWN,
        "region_code": "chicago-il",
        "cloud_provider": "aws",
        "cloud_provider_region": "us-east-1",
        "bandwidth_mbps": 200,
    }
    assert resource.attribute_lines == {
        "network_id": 6,
        "region_code": 7,
        "cloud_provider": 8,
        "cloud_provider_region": 9,
        "bandwidth_mbps": 10,
    }


def test_json_string_and_heredoc_data(tmp_path: Path) -> None:
    result = scan_text(
        tmp_path,
        """
        resource "restapi_object" "plain" {
          path = "/wireguard_interfaces"
          data = "{\\"region_code\\": \\"frankfurt-de\\", \\"network_id\\": \\"n\\"}"
        }
        resource "restapi_object" "heredoc" {
          path = "/public_internet_gateways"
          data = <<-EOT
            {
              "network_id": "n",
              "region_code": "${var.site}",
              "bandwidth_mbps": 100.0
            }
          EOT
        }
        variable "site" {
          default = "ashburn-va"
        }
        """,
    )
    by_address = {r.address: r for r in result.resources}
    assert by_address["restapi_object.plain"].values == {
        "region_code": "frankfurt-de",
        "network_id": "n",
    }
    assert by_address["restapi_object.heredoc"].values == {
        "network_id": "n",
        "region_code": "ashburn-va",
        "bandwidth_mbps": 100,
    }
    assert by_address["restapi_object.heredoc"].attribute_lines["region_code"] == 8
    assert result.errors == []


def test_data_only_known_at_apply_is_unresolved(tmp_path: Path) -> None:
    result = scan_text(
        tmp_path,
        """
        resource "restapi_object" "wg" {
          path = "/wireguard_interfaces"
          data = data.template_file.body.rendered
        }
        """,
    )
    values = result.resources[0].values
    assert values["region_code"] is UNKNOWN and values["network_id"] is UNKNOWN


def test_tf_json_restapi_object(tmp_path: Path) -> None:
    document = {
        "resource": {
            "restapi_object": {
                "wg": {
                    "path": "/v2/wireguard_interfaces",
                    "data": '${jsonencode({ region_code = "frankfurt-de", network_id = "n" })}',
                }
            }
        }
    }
    result = scan_text(tmp_path, json.dumps(document, indent=2), name="main.tf.json")
    assert result.resources[0].values == {"region_code": "frankfurt-de", "network_id": "n"}


def test_data_that_is_not_json_is_an_input_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "main.tf").write_text(
        'resource "restapi_object" "wg" {\n'
        "  count = 2\n"
        '  path  = "/wireguard_interfaces"\n'
        '  data  = "{region_code: frankfurt-de}"\n'
        "}\n"
    )
    code, report, _ = run(capsys, ".")
    assert code == 2
    (error,) = report["errors"]  # once, however many instances
    assert (error["file"], error["line"]) == ("main.tf", 4)
    assert error["message"].startswith("restapi_object.wg: data is not JSON")


def test_data_that_is_json_but_no_object_is_an_input_error(tmp_path: Path) -> None:
    result = scan_text(
        tmp_path,
        """
        resource "restapi_object" "wg" {
          path = "/wireguard_interfaces"
          data = jsonencode(["frankfurt-de"])
        }
        """,
    )
    assert result.resources == []
    assert "data must be a JSON object with the API's fields, not a list" in (
        result.errors[0].message
    )


def test_hcl_findings_point_at_the_key_in_data(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "main.tf").write_text(
        'resource "restapi_object" "pig" {\n'
        '  path = "/v2/private_wireless_gateways"\n'
        "  data = jsonencode({\n"
        '    network_id  = "n"\n'
        '    name        = "iot"\n'
        '    region_code = "los_angeles-ca"\n'
        "  })\n"
        "}\n"
    )
    code, report, _ = run(capsys, ".")
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["rule"], finding["line"], finding["kind"]) == (
        "TNX002",
        6,
        "private_wireless_gateway",
    )


# --- plan JSON ------------------------------------------------------------------------------


def restapi_change(address: str, after: dict[str, Any], unknown: dict[str, Any]) -> dict[str, Any]:
    return {
        "address": address,
        "mode": "managed",
        "type": "restapi_object",
        "name": address.split(".")[-1],
        "provider_name": "registry.terraform.io/mastercard/restapi",
        "change": {
            "actions": ["create"],
            "before": None,
            "after": after,
            "after_unknown": unknown,
            "before_sensitive": False,
            "after_sensitive": {},
        },
    }


def write_plan(directory: Path, *changes: dict[str, Any]) -> Path:
    path = directory / "plan.json"
    path.write_text(
        json.dumps({"format_version": "1.2", "resource_changes": list(changes)}, indent=2)
    )
    return path


def test_plan_restapi_object_data_string(tmp_path: Path) -> None:
    data = json.dumps({"network_id": "n", "region_code": "frankfurt-de", "bandwidth_mbps": 100})
    path = write_plan(
        tmp_path,
        restapi_change(
            "module.net.restapi_object.vxc",
            {"path": "/v2/virtual_cross_connects/", "data": data},
            {"id": True, "api_data": True},
        ),
        restapi_change("restapi_object.user", {"path": "/v2/users", "data": "{}"}, {}),
        restapi_change("restapi_object.later", {"data": "{}"}, {"path": True}),
        restapi_change(
            "restapi_object.pig",
            {
                "path": "/v2/public_internet_gateways/{id}",
                "create_path": "/v2/public_internet_gateways",
                "data": json.dumps({"region_code": "ashburn-va"}),
            },
            {},
        ),
    )
    result = read_plan(path, cwd=tmp_path)
    resource, pig = result.resources
    assert pig.kind is ResourceKind.PUBLIC_INTERNET_GATEWAY
    assert resource.address == "module.net.restapi_object.vxc"
    assert resource.kind is ResourceKind.VIRTUAL_CROSS_CONNECT
    assert resource.values == {
        "network_id": "n",
        "region_code": "frankfurt-de",
        "bandwidth_mbps": 100,
    }


def test_plan_restapi_object_unknown_data_is_unresolved(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_plan(
        in_tmp,
        restapi_change(
            "restapi_object.wg",
            {"path": "/wireguard_interfaces"},
            {"data": True, "id": True},
        ),
    )
    code, report, _ = run(capsys, "plan.json")
    assert code == 0
    (finding,) = report["findings"]
    assert (finding["rule"], finding["attribute"]) == ("TNX005", "region_code")


def test_plan_restapi_object_data_not_json_names_file_and_address(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_plan(
        in_tmp,
        restapi_change(
            'restapi_object.wg["eu"]', {"path": "/wireguard_interfaces", "data": "{oops"}, {}
        ),
    )
    code, report, _ = run(capsys, "plan.json")
    assert code == 2
    (error,) = report["errors"]
    assert error["file"] == "plan.json"
    assert error["message"].startswith('restapi_object.wg["eu"]: data is not JSON')
