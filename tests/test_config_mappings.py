"""Config mappings: `resource_types` and `modules`, in HCL and plan JSON, and their errors."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from hcl_checker.cli import main
from hcl_checker.hcl import scan
from telnyx_coverage.config import ModuleMapping, load_config
from telnyx_coverage.resources import UNKNOWN, ResourceKind, TypeMapping

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = str(REPO / "examples" / "coverage-snapshot.json")

CONFIG = """
[resource_types.acme_vxc]
kind = "virtual_cross_connect"
attributes = { region_code = "pop", bandwidth_mbps = "speed" }

[[modules]]
source = "app.terraform.io/acme/telnyx-vxc/*"
kind = "virtual_cross_connect"
inputs.region_code = "location"
inputs.cloud_provider_region = "cloud_region"
inputs.bandwidth_mbps = "speed"

[[modules]]
source = "git::https://example.com/net//wireguard*"
kind = "wireguard_interface"
"""

REGISTRY_MODULE = """
# telnyx-coverage:ignore TNX003 until=2099-01-01 new region requested
module "vxc" {
  source  = "app.terraform.io/acme/telnyx-vxc/aws"
  version = "~> 2.1"

  network_id               = "net-1"
  location                 = "chicago-il"
  cloud_provider           = "aws"
  cloud_region             = "us-east-1"
  speed                    = 1000
  bgp_asn                  = 64512
  primary_cloud_account_id = "123456789012"
}

module "wg" {
  source   = "git::https://example.com/net//wireguard?ref=v1.4.0"
  for_each = toset(["frankfurt-de", "nowhere"])

  network_id  = "net-1"
  region_code = each.key
}

module "unrelated" {
  source = "terraform-aws-modules/vpc/aws"
}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(["check", *argv, "--format", "json", "--coverage", SNAPSHOT])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out) if out else None, err


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_type_mapping_fields_default_to_their_own_names() -> None:
    mapping = TypeMapping(ResourceKind.VIRTUAL_CROSS_CONNECT, {"region_code": "pop"})
    assert mapping.attribute("region_code") == "pop"
    assert mapping.attribute("bandwidth_mbps") == "bandwidth_mbps"
    assert mapping.fields()["cloud_provider"] == "cloud_provider"


def test_config_resource_types_are_the_core_mapping(in_tmp: Path) -> None:
    write(in_tmp, {".telnyx-coverage.toml": CONFIG})
    config = load_config(explicit=None, cwd=in_tmp)
    assert isinstance(config.resource_types["acme_vxc"], TypeMapping)
    assert config.modules[0].matches("app.terraform.io/acme/telnyx-vxc/aws")
    assert not config.modules[0].matches("app.terraform.io/acme/other/aws")


def test_a_registry_module_mapped_by_config_is_checked_from_its_inputs(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, {".telnyx-coverage.toml": CONFIG, "main.tf": REGISTRY_MODULE})
    code, report, _ = run(capsys, ".")
    assert code == 1
    statuses = {(r["address"], r["kind"], r["line"], r["status"]) for r in report["resources"]}
    assert statuses == {
        ("module.vxc", "virtual_cross_connect", 3, "failed"),
        ('module.wg["frankfurt-de"]', "wireguard_interface", 16, "passed"),
        ('module.wg["nowhere"]', "wireguard_interface", 16, "failed"),
    }
    findings = {(f["address"], f["rule"], f["line"], f["suppressed"]) for f in report["findings"]}
    assert findings == {
        ("module.vxc", "TNX004", 11, False),  # the speed input's line
        ('module.wg["nowhere"]', "TNX001", 21, False),
    }


def test_module_block_suppression_applies_to_the_mapped_module(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main_tf = REGISTRY_MODULE.replace('"us-east-1"', '"us-west-9"').replace("1000", "100")
    write(in_tmp, {".telnyx-coverage.toml": CONFIG, "main.tf": main_tf})
    _, report, _ = run(capsys, ".")
    vxc = next(f for f in report["findings"] if f["address"] == "module.vxc")
    assert (vxc["rule"], vxc["line"], vxc["suppressed"]) == ("TNX003", 10, True)


def test_a_local_module_matched_by_a_mapping_is_not_descended(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'module "edge" {\n  source = "./modules/edge"\n  site = "chicago-il"\n}\n',
            "modules/edge/main.tf": (
                'variable "site" {}\n'
                'resource "telnyx_wireguard_interface" "wg" {\n'
                "  region_code = var.site\n"
                "}\n"
            ),
        },
    )
    mapping = ModuleMapping(
        "./modules/*", ResourceKind.WIREGUARD_INTERFACE, {"region_code": "site"}
    )
    result = scan([tmp_path], cwd=tmp_path, environ={}, modules=[mapping])
    assert [(r.address, r.values, r.source_type) for r in result.resources] == [
        ("module.edge", {"region_code": "chicago-il"}, "module")
    ]
    plain = scan([tmp_path], cwd=tmp_path, environ={})
    assert [r.address for r in plain.resources] == ["module.edge.telnyx_wireguard_interface.wg"]


def test_a_module_with_an_unknown_count_keeps_what_every_instance_gets(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": (
                'module "wg" {\n'
                '  source      = "git::https://example.com/net//wireguard"\n'
                "  count       = length(data.x.y.ids)\n"
                '  region_code = "frankfurt-de"\n'
                '  name        = "wg-${count.index}"\n'
                "}\n"
            )
        },
    )
    mapping = ModuleMapping("git::*//wireguard", ResourceKind.WIREGUARD_INTERFACE)
    result = scan([tmp_path], cwd=tmp_path, environ={}, modules=[mapping])
    (resource,) = result.resources
    assert resource.address == "module.wg"
    assert resource.values["region_code"] == "frankfurt-de"
    assert resource.values["name"] is UNKNOWN


def test_resource_types_from_config_apply_to_hcl_and_plan(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        in_tmp,
        {
            ".telnyx-coverage.toml": CONFIG,
            "hcl/main.tf": (
                'resource "acme_vxc" "v" {\n'
                '  network_id = "n"\n'
                '  pop = "chicago-il"\n'
                '  cloud_provider = "aws"\n'
                '  cloud_provider_region = "us-east-1"\n'
                "  speed = 1000\n"
                "  bgp_asn = 1\n"
                '  primary_cloud_account_id = "1"\n'
                "}\n"
            ),
        },
    )
    after = {
        "network_id": "n",
        "pop": "chicago-il",
        "cloud_provider": "aws",
        "cloud_provider_region": "us-east-1",
        "speed": 1000,
        "bgp_asn": 1,
        "primary_cloud_account_id": "1",
    }
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "acme_vxc.p",
                "mode": "managed",
                "type": "acme_vxc",
                "name": "p",
                "change": {"actions": ["create"], "after": after, "after_unknown": {}},
            }
        ],
    }
    (in_tmp / "plan.json").write_text(json.dumps(plan))
    code, report, _ = run(capsys, "hcl", "plan.json")
    assert code == 1
    assert {(f["address"], f["rule"], f["file"], f["line"]) for f in report["findings"]} == {
        ("acme_vxc.v", "TNX004", "hcl/main.tf", 6),
        ("acme_vxc.p", "TNX004", "plan.json", None),
    }


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        (
            '[resource_types.acme]\nkind = "vxc"\n',
            "resource_types.acme.kind",
        ),
        (
            '[resource_types.acme]\nkind = "wireguard_interface"\nattributes = { region = "r" }\n',
            "resource_types.acme.attributes.region",
        ),
        (
            '[resource_types.acme]\nkind = "virtual_cross_connect"\n'
            'attributes = { region_code = "x", cloud_provider = "x" }\n',
            "resource_types.acme.attributes.cloud_provider",
        ),
        (
            '[resource_types.restapi_object]\nkind = "wireguard_interface"\n',
            "resource_types.restapi_object",
        ),
        ('[[modules]]\nkind = "wireguard_interface"\n', "modules[0]"),
        ('[[modules]]\nsource = ""\nkind = "wireguard_interface"\n', "modules[0].source"),
        (
            '[[modules]]\nsource = "x"\nkind = "wireguard_interface"\ninputs = { region = "r" }\n',
            "modules[0].inputs.region",
        ),
    ],
)
def test_invalid_mappings_are_config_errors_naming_the_key(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], toml: str, key: str
) -> None:
    write(in_tmp, {".telnyx-coverage.toml": toml, "main.tf": ""})
    code, _, err = run(capsys, ".")
    assert code == 2
    assert re.search(rf"\.telnyx-coverage\.toml:\d+: {re.escape(key)}: ", err), err


def test_a_mapped_module_needs_only_its_inputs_and_a_left_out_one_is_unresolved(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        in_tmp,
        {
            ".telnyx-coverage.toml": CONFIG,
            "main.tf": textwrap.dedent(
                """
                module "vxc" {
                  source   = "app.terraform.io/acme/telnyx-vxc/aws"
                  location = "chicago-il"
                  speed    = 50
                }
                """
            ),
        },
    )
    code, report, _ = run(capsys, ".")
    assert code == 0
    (finding,) = report["findings"]
    # No TNX006: the module supplies network_id, bgp_asn and the account itself.
    assert (finding["rule"], finding["attribute"]) == ("TNX005", "cloud_provider_region")
    assert finding["suggestions"][0].startswith("pass the module's input explicitly")


def test_an_unknown_value_in_a_plan_gets_the_plans_own_hint(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    main(["check", "examples/plan/plan.json", "--coverage", SNAPSHOT, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    (unresolved,) = [f for f in report["findings"] if f["rule"] == "TNX005"]
    assert "after_unknown" in unresolved["suggestions"][0]
    assert not any("terraform show -json" in s for s in unresolved["suggestions"])
