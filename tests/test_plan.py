"""Plan JSON input: `telnyx-coverage check plan.json`, the gate between plan and apply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hcl_checker.cli import main
from hcl_checker.hcl import strip_instance_keys
from hcl_checker.plan import is_plan_json, read_plan
from telnyx_coverage.errors import InputError
from telnyx_coverage.resources import UNKNOWN, ResourceKind, TypeMapping

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = str(REPO / "examples" / "coverage-snapshot.json")
NET = "3f1d7b52-1c0e-4f0a-9a57-0c4e2b7d9e11"


def change(
    address: str,
    after: dict[str, Any] | None,
    *,
    actions: tuple[str, ...] = ("create",),
    unknown: Any = None,
    mode: str = "managed",
) -> dict[str, Any]:
    """One resource_changes entry, shaped as terraform show -json prints it."""
    *_, resource_type, name = strip_instance_keys(address).split(".")
    return {
        "address": address,
        "mode": mode,
        "type": resource_type,
        "name": name,
        "provider_name": "registry.terraform.io/team-telnyx/telnyx",
        "change": {
            "actions": list(actions),
            "before": None,
            "after": after,
            "after_unknown": unknown if unknown is not None else {"id": True},
            "before_sensitive": False,
            "after_sensitive": {} if after is not None else False,
        },
    }


def wireguard(region: Any = "frankfurt-de") -> dict[str, Any]:
    return {"network_id": NET, "name": "wg", "region_code": region}


def vxc(
    region: str = "chicago-il", cloud_region: str = "us-east-1", bandwidth: int = 100
) -> dict[str, Any]:
    return {
        "network_id": NET,
        "name": "vxc",
        "region_code": region,
        "cloud_provider": "aws",
        "cloud_provider_region": cloud_region,
        "bandwidth_mbps": bandwidth,
        "bgp_asn": 64512,
        "primary_cloud_account_id": "123456789012",
    }


def plan(*changes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": list(changes),
        "configuration": {"root_module": {}},
    }
    document.update(extra)
    return document


def write_plan(directory: Path, document: Any, name: str = "plan.json") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str, fmt: str = "json") -> tuple[int, Any, str]:
    code = main(["check", *argv, "--format", fmt, "--coverage", SNAPSHOT])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, (json.loads(out) if fmt == "json" and out else out), err


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- which changes are checked ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("actions", "checked"),
    [
        (("create",), True),
        (("update",), True),
        (("delete", "create"), True),
        (("create", "delete"), True),
        (("no-op",), False),
        (("read",), False),
        (("delete",), False),
        (("forget",), False),
    ],
)
def test_every_action_kind(tmp_path: Path, actions: tuple[str, ...], checked: bool) -> None:
    address = "telnyx_wireguard_interface.wg"
    after = None if actions in (("delete",), ("forget",)) else wireguard()
    path = write_plan(tmp_path, plan(change(address, after, actions=actions)))
    result = read_plan(path, cwd=tmp_path)
    assert [r.address for r in result.resources] == ([address] if checked else [])
    assert result.errors == []


def test_a_delete_with_a_bad_region_is_not_reported(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = plan(
        change("telnyx_wireguard_interface.old", None, actions=("delete",)),
        change("telnyx_wireguard_interface.new", wireguard("frankfurt-de")),
    )
    write_plan(in_tmp, document)
    code, report, _ = run(capsys, "plan.json")
    assert code == 0
    assert [r["address"] for r in report["resources"]] == ["telnyx_wireguard_interface.new"]


def test_data_sources_and_unmapped_types_are_not_ours(tmp_path: Path) -> None:
    document = plan(
        change("data.telnyx_wireguard_interface.existing", wireguard("nowhere"), mode="data"),
        change("aws_vpc.main", {"cidr_block": "10.0.0.0/16"}),
        change("telnyx_network.core", {"name": "core"}),
    )
    result = read_plan(write_plan(tmp_path, document), cwd=tmp_path)
    assert result.resources == [] and result.errors == [] and result.changes == 3


def test_a_plan_with_no_changes_is_valid(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = plan()
    del document["resource_changes"]
    write_plan(in_tmp, document)
    code, report, _ = run(capsys, "plan.json")
    assert code == 0
    assert report["summary"]["resources"] == 0 and report["errors"] == []


def test_format_version_1_0_as_opentofu_writes_it(tmp_path: Path) -> None:
    document = plan(change("telnyx_wireguard_interface.wg", wireguard()), format_version="1.0")
    document["terraform_version"] = "1.8.5"  # OpenTofu reports its own version here
    result = read_plan(write_plan(tmp_path, document), cwd=tmp_path)
    assert [r.values["region_code"] for r in result.resources] == ["frankfurt-de"]


# --- values and unknowns --------------------------------------------------------------------


def test_values_come_from_after_and_types_map_by_config(tmp_path: Path) -> None:
    document = plan(change("acme_vxc.v", {"pop": "chicago-il", "speed": 200.0}))
    types = {
        "acme_vxc": TypeMapping(
            ResourceKind.VIRTUAL_CROSS_CONNECT, {"region_code": "pop", "bandwidth_mbps": "speed"}
        )
    }
    result = read_plan(write_plan(tmp_path, document), cwd=tmp_path, resource_types=types)
    (resource,) = result.resources
    assert resource.values == {"region_code": "chicago-il", "bandwidth_mbps": 200}
    assert resource.source_type == "acme_vxc"


def test_after_unknown_gives_tnx005_on_the_right_attribute(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    after = vxc()
    del after["cloud_provider_region"]  # terraform leaves out what it cannot know
    document = plan(
        change(
            "telnyx_virtual_cross_connect.v",
            after,
            unknown={"id": True, "cloud_provider_region": True},
        )
    )
    write_plan(in_tmp, document)
    code, report, _ = run(capsys, "plan.json")
    assert code == 0  # a warning
    (finding,) = report["findings"]
    assert (finding["rule"], finding["attribute"]) == ("TNX005", "cloud_provider_region")
    assert (finding["file"], finding["line"]) == ("plan.json", None)
    assert report["resources"][0]["status"] == "unresolved"


def test_part_of_a_value_unknown_is_unknown(tmp_path: Path) -> None:
    document = plan(
        change(
            "acme_gw.g",
            {"site": {"code": None, "tier": "gold"}, "tags": ["a", None]},
            unknown={"site": {"code": True}, "tags": [False, True]},
        )
    )
    types = {
        "acme_gw": TypeMapping(
            ResourceKind.PUBLIC_INTERNET_GATEWAY, {"region_code": "site", "name": "tags"}
        )
    }
    result = read_plan(write_plan(tmp_path, document), cwd=tmp_path, resource_types=types)
    values = result.resources[0].values
    assert values["region_code"] == {"code": UNKNOWN, "tier": "gold"}
    assert values["name"] == ["a", UNKNOWN]


def test_a_wholly_unknown_after_makes_every_field_unknown(tmp_path: Path) -> None:
    document = plan(change("telnyx_wireguard_interface.wg", {}, unknown={"region_code": True}))
    result = read_plan(write_plan(tmp_path, document), cwd=tmp_path)
    assert result.resources[0].values == {"region_code": UNKNOWN}


def test_module_and_indexed_addresses_are_kept_exactly(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    addresses = [
        'module.edge["eu"].telnyx_virtual_cross_connect.aws[0]',
        'module.edge["eu"].module.inner[2].telnyx_wireguard_interface.wg["a.b]"]',
        "telnyx_wireguard_interface.office[1]",
    ]
    document = plan(
        change(addresses[0], vxc()),
        change(addresses[1], wireguard()),
        change(addresses[2], wireguard()),
    )
    write_plan(in_tmp, document)
    code, report, _ = run(capsys, "plan.json")
    assert code == 0
    assert sorted(r["address"] for r in report["resources"]) == sorted(addresses)


# --- back to the source ---------------------------------------------------------------------


def test_the_example_points_at_tf_lines_and_honours_tf_suppressions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    code, report, _ = run(capsys, "examples/plan/plan.json")
    assert code == 1
    found = {
        (f["rule"], f["address"], f["file"], f["line"], f["attribute"], f["suppressed"])
        for f in report["findings"]
    }
    assert found == {
        (
            "TNX002",
            "restapi_object.iot_gateway",
            "examples/plan/main.tf",
            57,
            "region_code",
            False,
        ),
        (
            "TNX005",
            "telnyx_public_internet_gateway.egress",
            "examples/plan/main.tf",
            37,
            "region_code",
            False,
        ),
        (
            "TNX004",
            'module.edge["us"].telnyx_virtual_cross_connect.aws[0]',
            "examples/plan/main.tf",
            48,
            "bandwidth_mbps",
            True,
        ),
    }
    statuses = {r["address"]: r["status"] for r in report["resources"]}
    assert statuses == {
        "restapi_object.iot_gateway": "failed",
        "telnyx_public_internet_gateway.egress": "unresolved",
        "telnyx_wireguard_interface.office[0]": "passed",
        "telnyx_wireguard_interface.office[1]": "passed",
        'module.edge["eu"].telnyx_virtual_cross_connect.aws[0]': "passed",
        'module.edge["us"].telnyx_virtual_cross_connect.aws[0]': "suppressed",
    }
    assert "telnyx_virtual_cross_connect.legacy" not in statuses  # deleted: never checked


def test_without_configuration_findings_point_at_the_plan_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_plan(tmp_path / "out", plan(change("telnyx_wireguard_interface.wg", wireguard("x"))))
    monkeypatch.chdir(tmp_path)
    code, report, _ = run(capsys, "out/plan.json")
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["rule"], finding["file"], finding["line"]) == ("TNX001", "out/plan.json", None)
    code, text, _ = run(capsys, "out/plan.json", fmt="text")
    assert text.startswith("out/plan.json: error TNX001 telnyx_wireguard_interface.wg:")


def test_tf_dir_maps_a_plan_kept_elsewhere(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "infra").mkdir()
    (in_tmp / "infra" / "main.tf").write_text(
        'resource "telnyx_wireguard_interface" "wg" {\n'
        '  network_id  = "n"\n'
        "  # telnyx-coverage:ignore TNX002 moving soon\n"
        '  region_code = "chicago-il"\n'
        "}\n"
    )
    write_plan(in_tmp / "ci", plan(change("telnyx_wireguard_interface.wg", wireguard("x"))))
    code, report, _ = run(capsys, "ci/plan.json", "--tf-dir", "infra")
    (finding,) = report["findings"]
    assert (finding["file"], finding["line"]) == ("infra/main.tf", 4)
    assert code == 1  # TNX001: the comment silences TNX002 only
    code, _, err = run(capsys, "ci/plan.json", "--tf-dir", "missing")
    assert code == 2 and "missing: --tf-dir: not a directory" in err


def test_instances_the_scan_could_not_expand_map_to_their_block(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "main.tf").write_text(
        'variable "sites" {\n  type = set(string)\n}\n\n'
        "# telnyx-coverage:ignore TNX001 until=2099-01-01 known typo\n"
        'resource "telnyx_wireguard_interface" "wg" {\n'
        "  for_each    = var.sites\n"
        '  network_id  = "n"\n'
        "  region_code = each.value\n"
        "}\n"
    )
    write_plan(
        in_tmp,
        plan(
            change('telnyx_wireguard_interface.wg["x"]', wireguard("x")),
            change('telnyx_wireguard_interface.wg["seattle-wa"]', wireguard("seattle-wa")),
        ),
    )
    code, report, _ = run(capsys, "plan.json")
    assert code == 0
    assert {(r["address"], r["file"], r["line"], r["status"]) for r in report["resources"]} == {
        ('telnyx_wireguard_interface.wg["x"]', "main.tf", 6, "suppressed"),
        ('telnyx_wireguard_interface.wg["seattle-wa"]', "main.tf", 6, "passed"),
    }
    assert report["findings"][0]["line"] == 9


def test_resources_of_a_remote_module_map_to_the_module_call(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "main.tf").write_text(
        "# telnyx-coverage:ignore TNX004 until=2099-01-01 upgrade booked\n"
        'module "vxc" {\n'
        '  source  = "app.terraform.io/acme/telnyx-vxc/aws"\n'
        '  version = "~> 1.0"\n'
        "}\n"
    )
    address = "module.vxc.telnyx_virtual_cross_connect.this[0]"
    write_plan(in_tmp, plan(change(address, vxc(bandwidth=1000))))
    code, report, _ = run(capsys, "plan.json")
    assert code == 0
    (finding,) = report["findings"]
    assert (finding["rule"], finding["file"], finding["line"], finding["suppressed"]) == (
        "TNX004",
        "main.tf",
        2,
        True,
    )


# --- bad input ------------------------------------------------------------------------------


def test_is_plan_json_by_content() -> None:
    assert is_plan_json(plan())
    assert not is_plan_json({"schema_version": 1, "network_coverage": []})
    assert not is_plan_json([plan()])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            json.dumps({"schema_version": 1, "network_coverage": []}),
            "bad.json: this is a coverage snapshot, not a plan: pass it with --coverage FILE",
        ),
        (json.dumps({"hello": "world"}), "bad.json: not a Terraform plan JSON"),
        (
            json.dumps({"format_version": "1.0", "terraform_version": "1.9.0", "values": {}}),
            "bad.json: this is Terraform state, not a plan",
        ),
        (json.dumps(plan(format_version="2.0")), 'plan format_version "2.0" is not supported'),
        (json.dumps(plan(format_version="0.2")), 'plan format_version "0.2" is not supported'),
        (json.dumps(plan())[:-40], "bad.json:1:"),
        ('{\n  "format_version": "1.2",\n  "resource_changes": [\n', "was it truncated?"),
        ("PK\x03\x04binary", "this is a binary plan file; convert it first"),
        ("{not json", "bad.json:1:2: invalid JSON"),
    ],
)
def test_bad_input_is_a_clear_error_with_exit_2(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    (in_tmp / "bad.json").write_text(content)
    code, out, err = run(capsys, "bad.json")
    assert code == 2
    assert expected in err
    assert out == ""


def test_read_plan_raises_input_errors_naming_the_file(tmp_path: Path) -> None:
    path = write_plan(tmp_path, plan(format_version=2))
    with pytest.raises(InputError) as raised:
        read_plan(path, cwd=tmp_path)
    assert raised.value.file == "plan.json" and "2" in raised.value.message


def test_a_malformed_entry_of_ours_is_reported_not_skipped(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = change("telnyx_wireguard_interface.wg", wireguard())
    del broken["change"]["actions"]
    write_plan(in_tmp, plan(broken, change("telnyx_wireguard_interface.ok", wireguard())))
    code, report, _ = run(capsys, "plan.json")
    assert code == 2
    assert report["errors"] == [
        {
            "file": "plan.json",
            "line": None,
            "column": None,
            "message": "telnyx_wireguard_interface.wg: no change.actions in resource_changes[0]",
        }
    ]
    assert [r["address"] for r in report["resources"]] == ["telnyx_wireguard_interface.ok"]


def test_a_tf_json_path_stays_terraform(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "main.tf.json").write_text(
        json.dumps(
            {
                "resource": {
                    "telnyx_wireguard_interface": {
                        "wg": {"network_id": "n", "region_code": "frankfurt-de"}
                    }
                }
            }
        )
    )
    code, report, _ = run(capsys, "main.tf.json")
    assert code == 0
    assert report["resources"][0]["file"] == "main.tf.json"


def test_tf_dir_without_a_plan_is_a_usage_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "main.tf").write_text("")
    code, _, err = run(capsys, "main.tf", "--tf-dir", ".")
    assert code == 2 and "--tf-dir applies to a plan JSON PATH" in err
