"""The Terraform scanner: small trees of .tf files in, resources as terraform plan sees them."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from hcl_checker.hcl import ScanResult, TypeMapping, scan
from telnyx_coverage.errors import InputError
from telnyx_coverage.resources import UNKNOWN, PlannedResource, ResourceKind

WG = 'resource "telnyx_wireguard_interface" "wg" {{\n  network_id  = "n1"\n  region_code = {}\n}}\n'


def write(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def run(root: Path, files: Mapping[str, str | bytes], **options: object) -> ScanResult:
    write(root, files)
    options.setdefault("environ", {})
    return scan([root], cwd=root, **options)  # type: ignore[arg-type]


def resources(result: ScanResult) -> dict[str, PlannedResource]:
    return {r.address: r for r in result.resources}


def region(result: ScanResult, address: str = "telnyx_wireguard_interface.wg") -> object:
    return resources(result)[address].values["region_code"]


VAR = 'variable "region" {\n  type = string\n  default = "default-x"\n}\n'


# --- variables and their precedence ---------------------------------------------------------


def test_region_from_default(tmp_path: Path) -> None:
    result = run(tmp_path, {"main.tf": VAR + WG.format("var.region")})
    assert region(result) == "default-x"
    assert result.errors == []


def test_region_only_from_terraform_tfvars(tmp_path: Path) -> None:
    files = {"main.tf": VAR + WG.format("var.region"), "terraform.tfvars": 'region = "chicago-il"'}
    assert region(run(tmp_path, files)) == "chicago-il"


def test_region_only_from_tf_var_environment(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {"main.tf": VAR + WG.format("var.region")},
        environ={"TF_VAR_region": "ashburn-va"},
    )
    assert region(result) == "ashburn-va"


def test_region_only_from_auto_tfvars(tmp_path: Path) -> None:
    files = {"main.tf": VAR + WG.format("var.region"), "x.auto.tfvars": 'region = "dallas-tx"'}
    assert region(run(tmp_path, files)) == "dallas-tx"


def test_precedence_default_env_tfvars_json_auto_in_lexical_order(tmp_path: Path) -> None:
    files = {
        "main.tf": VAR + WG.format("var.region"),
        "terraform.tfvars": 'region = "from-tfvars"',
        "terraform.tfvars.json": '{"region": "from-tfvars-json"}',
        "a.auto.tfvars": 'region = "from-a-auto"',
        "b.auto.tfvars.json": '{"region": "from-b-auto"}',
    }
    env = {"TF_VAR_region": "from-env"}
    assert region(run(tmp_path, files, environ=env)) == "from-b-auto"
    (tmp_path / "b.auto.tfvars.json").unlink()
    assert region(scan([tmp_path], cwd=tmp_path, environ=env)) == "from-a-auto"
    (tmp_path / "a.auto.tfvars").unlink()
    assert region(scan([tmp_path], cwd=tmp_path, environ=env)) == "from-tfvars-json"
    (tmp_path / "terraform.tfvars.json").unlink()
    assert region(scan([tmp_path], cwd=tmp_path, environ=env)) == "from-tfvars"
    (tmp_path / "terraform.tfvars").unlink()
    assert region(scan([tmp_path], cwd=tmp_path, environ=env)) == "from-env"


def test_cli_var_files_and_vars_win_in_command_line_order(tmp_path: Path) -> None:
    files = {
        "main.tf": VAR + WG.format("var.region"),
        "x.auto.tfvars": 'region = "from-auto"',
        "one.tfvars": 'region = "from-one"',
        "two.tfvars": 'region = "from-two"',
    }
    write(tmp_path, files)

    def with_cli(*cli: tuple[str, str]) -> object:
        return region(scan([tmp_path], cwd=tmp_path, environ={}, cli_vars=cli))

    assert with_cli(("file", "one.tfvars")) == "from-one"
    assert with_cli(("file", "one.tfvars"), ("var", "region=from-cli")) == "from-cli"
    assert with_cli(("var", "region=from-cli"), ("file", "two.tfvars")) == "from-two"
    # The keyword form: var files first, then --var values.
    result = scan(
        [tmp_path],
        cwd=tmp_path,
        environ={},
        var_files=[tmp_path / "two.tfvars"],
        variables={"region": "v"},
    )
    assert region(result) == "v"


def test_complex_cli_var_is_read_as_hcl_and_numbers_convert(tmp_path: Path) -> None:
    main = """
        variable "regions" { type = map(string) }
        variable "bandwidth" { type = number }
        resource "telnyx_virtual_cross_connect" "v" {
          region_code    = var.regions["eu"]
          bandwidth_mbps = var.bandwidth
        }
    """
    result = run(
        tmp_path,
        {"main.tf": main},
        cli_vars=[("var", 'regions={eu = "frankfurt-de"}'), ("var", "bandwidth=500")],
    )
    vxc = resources(result)["telnyx_virtual_cross_connect.v"]
    assert vxc.values["region_code"] == "frankfurt-de"
    assert vxc.values["bandwidth_mbps"] == 500


def test_missing_variable_is_unknown(tmp_path: Path) -> None:
    result = run(tmp_path, {"main.tf": 'variable "region" {}\n' + WG.format("var.region")})
    assert region(result) is UNKNOWN


def test_bad_cli_input_raises(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": VAR + WG.format("var.region"), "broken.tfvars": "region = \n"})
    with pytest.raises(InputError, match="NAME=VALUE"):
        scan([tmp_path], cwd=tmp_path, environ={}, cli_vars=[("var", "region")])
    with pytest.raises(InputError, match="no such file"):
        scan([tmp_path], cwd=tmp_path, environ={}, var_files=[tmp_path / "missing.tfvars"])
    with pytest.raises(InputError) as error:
        scan([tmp_path], cwd=tmp_path, environ={}, var_files=[tmp_path / "broken.tfvars"])
    assert error.value.file == "broken.tfvars"
    assert (error.value.line, error.value.column) == (1, 10)


# --- expressions that decide the value ------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("local.region", "frankfurt-de"),
        ('var.env == "prod" ? "chicago-il" : "dallas-tx"', "chicago-il"),
        ('lookup(local.by_env, var.env, "none")', "ashburn-va"),
        ("local.by_env[var.env]", "ashburn-va"),
        ('[for r in local.list : r if startswith(r, "sea")][0]', "seattle-wa"),
        ('format("%s-%s", "chicago", "il")', "chicago-il"),
        ('join("-", ["chicago", "il"])', "chicago-il"),
        ('"${lower("CHICAGO")}-il"', "chicago-il"),
        ("local.derived", "frankfurt-de"),
    ],
)
def test_region_from_expressions(tmp_path: Path, expression: str, expected: str) -> None:
    main = """
        variable "env" { default = "prod" }
        locals {
          derived = local.region
          region  = "frankfurt-de"
          by_env  = { prod = "ashburn-va", dev = "dallas-tx" }
          list    = ["chicago-il", "seattle-wa"]
        }
    """
    result = run(tmp_path, {"main.tf": main + WG.format(expression)})
    assert region(result) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "telnyx_network.core.region",  # another resource's attribute
        "data.telnyx_location.x.code",  # a data source
        'cidrhost("x", 1)',  # a function this checker does not implement
        "module.remote.region",  # a remote module's output
        "local.a",  # a reference cycle
    ],
)
def test_unknowable_values_are_unknown(tmp_path: Path, expression: str) -> None:
    main = """
        module "remote" {
          source  = "terraform-aws-modules/vpc/aws"
          version = "5.0.0"
        }
        locals {
          a = local.b
          b = local.a
        }
    """
    result = run(tmp_path, {"main.tf": main + WG.format(expression)})
    assert region(result) is UNKNOWN


# --- count and for_each ---------------------------------------------------------------------


def test_count_expands_with_count_index(tmp_path: Path) -> None:
    main = """
        locals { regions = ["chicago-il", "dallas-tx"] }
        resource "telnyx_wireguard_interface" "wg" {
          count       = length(local.regions)
          region_code = local.regions[count.index]
        }
    """
    found = resources(run(tmp_path, {"main.tf": main}))
    assert found["telnyx_wireguard_interface.wg[0]"].values["region_code"] == "chicago-il"
    assert found["telnyx_wireguard_interface.wg[1]"].values["region_code"] == "dallas-tx"
    assert len(found) == 2


def test_count_zero_plans_nothing(tmp_path: Path) -> None:
    main = 'resource "telnyx_wireguard_interface" "wg" {\n  count = 0\n  region_code = "x"\n}\n'
    assert run(tmp_path, {"main.tf": main}).resources == []


def test_for_each_map_gives_each_instance_its_value(tmp_path: Path) -> None:
    main = """
        resource "telnyx_virtual_cross_connect" "aws" {
          for_each    = { fra = "frankfurt-de", chi = "chicago-il" }
          region_code = each.value
          name        = "vxc-${each.key}"
        }
    """
    found = resources(run(tmp_path, {"main.tf": main}))
    assert found['telnyx_virtual_cross_connect.aws["fra"]'].values["region_code"] == "frankfurt-de"
    assert found['telnyx_virtual_cross_connect.aws["chi"]'].values["region_code"] == "chicago-il"
    assert found['telnyx_virtual_cross_connect.aws["chi"]'].values["name"] == "vxc-chi"


def test_for_each_set_of_strings(tmp_path: Path) -> None:
    main = """
        resource "telnyx_public_internet_gateway" "gw" {
          for_each    = toset(["seattle-wa", "frankfurt-de"])
          region_code = each.key
        }
    """
    found = resources(run(tmp_path, {"main.tf": main}))
    assert (
        found['telnyx_public_internet_gateway.gw["seattle-wa"]'].values["region_code"]
        == "seattle-wa"
    )
    assert len(found) == 2


def test_unknown_count_or_for_each_gives_one_resource_with_what_is_known(
    tmp_path: Path,
) -> None:
    """How many instances there will be is unknown; what every instance gets is still known,
    and what depends on the instance (count.index, each.*) is not."""
    main = """
        variable "regions" { default = ["chicago-il", "nowhere"] }
        resource "telnyx_wireguard_interface" "wg" {
          count       = length(data.x.y.ids)
          network_id  = "n"
          region_code = "nowhere"
        }
        resource "telnyx_wireguard_interface" "by_index" {
          count       = length(data.x.y.ids)
          network_id  = "n"
          region_code = var.regions[count.index]
        }
        resource "telnyx_wireguard_interface" "by_key" {
          for_each    = toset(data.x.y.ids)
          network_id  = "n"
          region_code = try(each.value.region, "chicago-il")
        }
    """
    found = resources(run(tmp_path, {"main.tf": main}))
    assert list(found) == [
        "telnyx_wireguard_interface.wg",
        "telnyx_wireguard_interface.by_index",
        "telnyx_wireguard_interface.by_key",
    ]
    assert found["telnyx_wireguard_interface.wg"].values["region_code"] == "nowhere"
    assert found["telnyx_wireguard_interface.by_index"].values["region_code"] is UNKNOWN
    assert found["telnyx_wireguard_interface.by_key"].values["region_code"] is UNKNOWN


# --- modules --------------------------------------------------------------------------------


VXC_MODULE = """
    variable "region" { type = string }
    variable "bandwidth" { default = 100 }
    resource "telnyx_virtual_cross_connect" "this" {
      region_code    = var.region
      bandwidth_mbps = var.bandwidth
      cloud_provider = "aws"
    }
    output "region" { value = var.region }
"""


def test_module_input_and_attribute_line_in_the_call(tmp_path: Path) -> None:
    main = """
        module "edge" {
          source = "./modules/vxc"
          region = "frankfurt-de"
        }
    """
    result = run(tmp_path, {"main.tf": main, "modules/vxc/main.tf": VXC_MODULE})
    vxc = resources(result)["module.edge.telnyx_virtual_cross_connect.this"]
    assert vxc.values == {
        "region_code": "frankfurt-de",
        "bandwidth_mbps": 100,
        "cloud_provider": "aws",
    }
    assert (vxc.file, vxc.line) == ("modules/vxc/main.tf", 4)
    # Fed by the call: the finding points where the user fixes it.
    assert (vxc.file_of("region_code"), vxc.line_of("region_code")) == ("main.tf", 4)
    # Not passed: the default, so the attribute inside the module.
    assert (vxc.file_of("bandwidth_mbps"), vxc.line_of("bandwidth_mbps")) == (
        "modules/vxc/main.tf",
        6,
    )
    assert (vxc.file_of("cloud_provider"), vxc.line_of("cloud_provider")) == (
        "modules/vxc/main.tf",
        7,
    )


@pytest.mark.parametrize("written", ['"${var.region}"', "(var.region)", '"${ var.region }"'])
def test_a_module_input_passed_through_a_wrapper_still_points_at_the_call(
    tmp_path: Path, written: str
) -> None:
    main = 'module "edge" {\n  source = "./m"\n  region = "frankfurt-de"\n}\n'
    module = (
        'variable "region" {}\n'
        'resource "telnyx_wireguard_interface" "wg" {\n'
        '  network_id  = "n"\n'
        f"  region_code = {written}\n"
        "}\n"
    )
    result = run(tmp_path, {"main.tf": main, "m/main.tf": module})
    wg = resources(result)["module.edge.telnyx_wireguard_interface.wg"]
    assert wg.values["region_code"] == "frankfurt-de"
    assert (wg.file_of("region_code"), wg.line_of("region_code")) == ("main.tf", 3)


def test_module_for_each_and_count_addresses(tmp_path: Path) -> None:
    main = """
        module "edge" {
          source   = "./modules/vxc"
          for_each = { eu = "frankfurt-de", us = "chicago-il" }
          region   = each.value
        }
        module "spare" {
          source = "./modules/vxc"
          count  = 2
          region = "dallas-tx"
        }
    """
    found = resources(run(tmp_path, {"main.tf": main, "modules/vxc/main.tf": VXC_MODULE}))
    assert (
        found['module.edge["eu"].telnyx_virtual_cross_connect.this'].values["region_code"]
        == "frankfurt-de"
    )
    assert (
        found['module.edge["us"].telnyx_virtual_cross_connect.this'].values["region_code"]
        == "chicago-il"
    )
    assert "module.spare[0].telnyx_virtual_cross_connect.this" in found
    assert "module.spare[1].telnyx_virtual_cross_connect.this" in found
    assert len(found) == 4


def test_nested_modules_point_at_the_outermost_call(tmp_path: Path) -> None:
    files = {
        "main.tf": 'module "a" {\n  source = "./a"\n  region = "ashburn-va"\n}\n',
        "a/main.tf": (
            'variable "region" {}\nmodule "b" {\n  source = "../b"\n  region = var.region\n}\n'
        ),
        "b/main.tf": VXC_MODULE,
    }
    result = run(tmp_path, files)
    vxc = resources(result)["module.a.module.b.telnyx_virtual_cross_connect.this"]
    assert vxc.values["region_code"] == "ashburn-va"
    assert (vxc.file_of("region_code"), vxc.line_of("region_code")) == ("main.tf", 3)
    # a/ and b/ are called as modules: not scanned again as roots.
    assert len(result.resources) == 1


def test_module_output_feeds_a_root_resource(tmp_path: Path) -> None:
    files = {
        "main.tf": 'module "site" {\n  source = "./site"\n}\n' + WG.format("module.site.code"),
        "site/main.tf": 'locals { c = "chicago-il" }\noutput "code" { value = local.c }\n',
    }
    assert region(run(tmp_path, files)) == "chicago-il"


def test_required_module_input_missing_is_unknown(tmp_path: Path) -> None:
    files = {"main.tf": 'module "e" {\n  source = "./vxc"\n}\n', "vxc/main.tf": VXC_MODULE}
    vxc = resources(run(tmp_path, files))["module.e.telnyx_virtual_cross_connect.this"]
    assert vxc.values["region_code"] is UNKNOWN


def test_module_directory_alone_is_a_root(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'module "e" {\n  source = "./vxc"\n  region = "x"\n}\n',
            "vxc/main.tf": VXC_MODULE,
        },
    )
    result = scan([tmp_path / "vxc"], cwd=tmp_path, environ={})
    assert [r.address for r in result.resources] == ["telnyx_virtual_cross_connect.this"]


# --- file and line --------------------------------------------------------------------------


def test_exact_lines_of_block_and_attributes(tmp_path: Path) -> None:
    main = "\n\n# a comment\n" + WG.format('"chicago-il"')
    wg = resources(run(tmp_path, {"network/main.tf": main}))["telnyx_wireguard_interface.wg"]
    assert (wg.file, wg.line) == ("network/main.tf", 4)
    assert wg.attribute_lines == {"network_id": 5, "region_code": 6}
    assert wg.kind is ResourceKind.WIREGUARD_INTERFACE
    assert wg.source_type == "telnyx_wireguard_interface"


def test_single_file_path_reports_that_file_only(tmp_path: Path) -> None:
    write(tmp_path, {"a.tf": WG.format('"x"'), "b.tf": WG.replace('"wg"', '"other"').format('"y"')})
    result = scan([tmp_path / "b.tf"], cwd=tmp_path, environ={})
    assert [r.address for r in result.resources] == ["telnyx_wireguard_interface.other"]


def test_tf_json_module(tmp_path: Path) -> None:
    main = """{
      "variable": {"region": {"default": "frankfurt-de"}},
      "resource": {
        "telnyx_wireguard_interface": {
          "wg": {
            "//": "telnyx-coverage:ignore TNX002",
            "count": 1,
            "region_code": "${var.region}",
            "name": "wg-${count.index}"
          }
        }
      }
    }"""
    wg = resources(run(tmp_path, {"main.tf.json": main}))["telnyx_wireguard_interface.wg[0]"]
    assert wg.values == {"region_code": "frankfurt-de", "name": "wg-0"}
    assert (wg.line, wg.attribute_lines["region_code"]) == (5, 8)
    assert [s.rules for s in wg.suppressions] == [frozenset({"TNX002"})]


def test_custom_resource_type_mapping(tmp_path: Path) -> None:
    main = 'resource "acme_vxc" "v" {\n  location = "chicago-il"\n}\n'
    types = {
        "acme_vxc": TypeMapping(ResourceKind.VIRTUAL_CROSS_CONNECT, {"region_code": "location"})
    }
    vxc = resources(run(tmp_path, {"main.tf": main}, resource_types=types))["acme_vxc.v"]
    assert vxc.values == {"region_code": "chicago-il"}
    assert vxc.attribute_lines == {"region_code": 2}


# --- suppression ----------------------------------------------------------------------------


def test_suppressions_above_inside_and_on_modules(tmp_path: Path) -> None:
    main = """
        # telnyx-coverage:ignore TNX001 until=2030-01-31 moving soon
        # another comment line
        resource "telnyx_wireguard_interface" "wg" {
          region_code = "x" // telnyx-coverage:ignore TNX002
        }

        # telnyx-coverage:ignore TNX003

        resource "telnyx_wireguard_interface" "far" {
          region_code = "x"
        }

        /* telnyx-coverage:ignore TNX004 big pipe */
        module "edge" {
          source = "./vxc"
          region = "x"
        }
    """
    found = resources(run(tmp_path, {"main.tf": main, "vxc/main.tf": VXC_MODULE}))
    wg = found["telnyx_wireguard_interface.wg"]
    assert {(tuple(s.rules), s.until, s.reason, s.line) for s in wg.suppressions} == {
        (("TNX001",), "2030-01-31", "moving soon", 2),
        (("TNX002",), None, "", 5),
    }
    assert found["telnyx_wireguard_interface.far"].suppressions == ()  # a blank line between
    inner = found["module.edge.telnyx_virtual_cross_connect.this"]
    assert [(s.rules, s.reason, s.file) for s in inner.suppressions] == [
        (frozenset({"TNX004"}), "big pipe", "main.tf")
    ]


def test_malformed_ignore_comment_is_reported_and_scan_goes_on(tmp_path: Path) -> None:
    main = "# telnyx-coverage:ignore TNX004 until=someday\n" + WG.format('"x"')
    result = run(tmp_path, {"main.tf": main})
    assert len(result.resources) == 1
    assert [(e.file, e.line) for e in result.errors] == [("main.tf", 1)]
    assert "YYYY-MM-DD" in result.errors[0].message


# --- bad input ------------------------------------------------------------------------------


def test_broken_file_is_reported_and_good_modules_still_scanned(tmp_path: Path) -> None:
    files = {
        "good/main.tf": WG.format('"chicago-il"'),
        "bad/main.tf": 'resource "telnyx_wireguard_interface" "b" {\n  region_code = \n}\n',
    }
    result = run(tmp_path, files)
    assert [r.address for r in result.resources] == ["telnyx_wireguard_interface.wg"]
    [error] = result.errors
    assert (error.file, error.line, error.column) == ("bad/main.tf", 2, 17)
    assert error.message.startswith("syntax error: unexpected")
    assert "Token(" not in error.message and "\n" not in error.message


def test_bom_crlf_and_empty_files(tmp_path: Path) -> None:
    crlf = ("\ufeff" + VAR + WG.format('"${var.region}-crlf"')).replace("\n", "\r\n")
    result = run(tmp_path, {"main.tf": crlf.encode(), "empty.tf": b"", "blank.tf.json": b""})
    assert region(result) == "default-x-crlf"
    assert resources(result)["telnyx_wireguard_interface.wg"].line == 5
    assert result.errors == []


def test_binary_junk_and_deep_nesting_are_problems_not_tracebacks(tmp_path: Path) -> None:
    deep = (
        'resource "telnyx_wireguard_interface" "d" {\n  region_code = '
        + "[" * 3000
        + "]" * 3000
        + "\n}\n"
    )
    files: dict[str, str | bytes] = {
        "junk/main.tf": b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe telnyx_wireguard_interface",
        "deep/main.tf": deep,
        "good/main.tf": WG.format('"chicago-il"'),
    }
    result = run(tmp_path, files)
    assert [e.file for e in result.errors] == ["junk/main.tf"]
    assert "not a text file" in result.errors[0].message
    found = resources(result)
    assert found["telnyx_wireguard_interface.d"].values["region_code"] is UNKNOWN
    assert found["telnyx_wireguard_interface.wg"].values["region_code"] == "chicago-il"


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        scan([tmp_path / "nope"], cwd=tmp_path, environ={})


def test_a_missing_local_module_is_an_input_error_at_its_source(tmp_path: Path) -> None:
    """Terraform's init would fail; a module that cannot be read is never passed as clean."""
    files = {
        "main.tf": 'module "edge" {\n  count  = 1\n  source = "./modules/edge"\n}\n',
        "modules/file.tf": "# a file, not a module directory\n",
        "other/main.tf": 'module "x" {\n  source = "../modules/file.tf"\n}\n',
    }
    result = run(tmp_path, files)
    assert [(e.file, e.line) for e in result.errors] == [("main.tf", 3), ("other/main.tf", 2)]
    missing, not_a_dir = (e.message for e in result.errors)
    assert missing == (
        'module "edge": source "./modules/edge" does not exist (modules/edge), '
        "so nothing in it can be checked; fix the path"
    )
    assert 'source "../modules/file.tf" is not a directory' in not_a_dir


def test_override_files_merge_into_their_base_blocks_as_terraform_does(tmp_path: Path) -> None:
    files = {
        "main.tf": VAR
        + WG.format("var.region")
        + 'locals {\n  pop = "x"\n}\n'
        + 'module "edge" {\n  source = "./edge"\n  region = "x"\n}\n',
        "edge/main.tf": 'variable "region" {}\n' + WG.format("var.region"),
        "override.tf": (
            'variable "region" {\n  default = "chicago-il"\n}\n'
            'resource "telnyx_wireguard_interface" "wg" {\n'
            "  # telnyx-coverage:ignore TNX001 moving soon\n"
            "  region_code = local.pop\n"
            "}\n"
        ),
        "z_override.tf.json": json.dumps(
            {"locals": {"pop": "frankfurt-de"}, "module": {"edge": {"region": "${var.region}"}}}
        ),
    }
    result = run(tmp_path, files)
    assert result.errors == []
    wg = resources(result)["telnyx_wireguard_interface.wg"]
    # The override's own attribute, pointing at the override file; the rest kept.
    assert wg.values == {"network_id": "n1", "region_code": "frankfurt-de"}
    assert (wg.file, wg.line) == ("main.tf", 5)
    assert (wg.attribute_lines["region_code"], wg.attribute_files["region_code"]) == (
        6,
        "override.tf",
    )
    assert [s.reason for s in wg.suppressions] == ["moving soon"]
    # A variable default and a module input replaced by overrides (JSON ones included).
    assert region(result, "module.edge.telnyx_wireguard_interface.wg") == "chicago-il"


def test_duplicates_and_overrides_without_a_base_are_input_errors(tmp_path: Path) -> None:
    files = {
        "a.tf": WG.format('"chicago-il"') + "locals {\n  x = 1\n}\n",
        "b.tf": WG.format('"nowhere"') + "locals {\n  x = 2\n}\n",
        "override.tf": 'module "missing" {\n  source = "./m"\n}\n',
    }
    result = run(tmp_path, files)
    assert [(e.file, e.line) for e in result.errors] == [
        ("b.tf", 1),
        ("b.tf", 6),
        ("override.tf", 1),
    ]
    duplicate, local, missing = (e.message for e in result.errors)
    assert duplicate.startswith(
        'duplicate resource "telnyx_wireguard_interface" "wg": already declared at a.tf:1'
    )
    assert local.startswith('duplicate local value "x": already declared at a.tf:6')
    assert missing.startswith('missing base module "missing" to override')
    # The first declaration is the one checked.
    assert region(result) == "chicago-il"


def test_terraform_input_mistakes_are_input_errors_not_unknowns(tmp_path: Path) -> None:
    """What Terraform refuses at plan is an input error naming the place, never a quiet TNX005
    that a pre-commit run would pass."""
    files = {
        "main.tf": (
            'variable "bw" {\n  type    = number\n  default = 100\n}\n'
            'module "edge" {\n  source = "./mod"\n  regoin = "chicago-il"\n}\n'
        ),
        "mod/main.tf": 'variable "region" {}\n' + WG.format("var.region"),
    }
    result = run(tmp_path, files, cli_vars=[("var", "bw=abc"), ("var", "nope=1")])
    messages = {(e.file, e.line): e.message for e in result.errors}
    assert messages == {
        ("main.tf", 1): 'variable "bw": invalid value "abc": cannot convert string to number '
        "(Terraform rejects it at plan)",
        ("main.tf", 7): 'module "edge": "regoin" is no input of ./mod (it declares no variable '
        'of that name); did you mean "region"?',
        ("main.tf", 5): 'module "edge": missing required input "region" (the variable in ./mod '
        "has no default)",
        (None, None): '--var nope=...: no root module here declares a variable "nope" '
        "(Terraform refuses a value for an undeclared variable); check the name",
    }


def test_a_declared_var_in_a_root_with_nothing_of_telnyx_is_no_error(tmp_path: Path) -> None:
    files = {
        "net/main.tf": WG.format('"chicago-il"'),
        "app/main.tf": 'variable "image" {}\nresource "aws_instance" "x" {}\n',
    }
    result = run(tmp_path, files, cli_vars=[("var", "image=ami-1")])
    assert result.errors == []


def test_what_the_text_tests_cannot_see_still_gets_parsed(tmp_path: Path) -> None:
    """The cheap text tests that skip irrelevant files must never skip a Telnyx resource."""
    files = {
        # A comment before the block on its line.
        "a/main.tf": "/* gateway */ " + WG.format('"bad-inline"'),
        # A type spelt with an escape, in HCL and in JSON.
        "b/main.tf": WG.format('"bad-escaped"').replace(
            "telnyx_wireguard_interface", "telnyx_wireguard\\u005finterface"
        ),
        "c/main.tf.json": json.dumps(
            {"resource": {"telnyx_wireguard_interface": {"wg": {"region_code": "bad-json"}}}}
        ).replace("wireguard_interface", "wireguard\\u005finterface"),
        # A local module source written ".\/mod", as some JSON writers do.
        "d/main.tf.json": '{"module": {"wg": {"source": ".\\/mod", "region": "bad-module"}}}',
        "d/mod/main.tf": 'variable "region" {\n  default = "chicago-il"\n}\n'
        + WG.format("var.region"),
    }
    result = run(tmp_path, files)
    assert result.errors == []
    assert sorted((r.address, r.values["region_code"]) for r in result.resources) == [
        ("module.wg.telnyx_wireguard_interface.wg", "bad-module"),
        ("telnyx_wireguard_interface.wg", "bad-escaped"),
        ("telnyx_wireguard_interface.wg", "bad-inline"),
        ("telnyx_wireguard_interface.wg", "bad-json"),
    ]


def test_terraform_workspace_from_tf_workspace_or_the_selected_one(tmp_path: Path) -> None:
    main = WG.format('{ default = "chicago-il", prod = "bad-prod" }[terraform.workspace]')
    assert region(run(tmp_path, {"main.tf": main})) == "chicago-il"
    # `terraform workspace select prod` leaves its choice in .terraform/environment.
    assert region(run(tmp_path, {".terraform/environment": "prod\n"})) == "bad-prod"
    result = run(tmp_path, {}, environ={"TF_WORKSPACE": "default"})
    assert region(result) == "chicago-il"
    files = {".terraform/environment": "default\n", "data/environment": "prod"}
    result = run(tmp_path, files, environ={"TF_DATA_DIR": "data"})
    assert region(result) == "bad-prod"


def test_template_strip_markers_in_quoted_strings(tmp_path: Path) -> None:
    """Terraform strips the spaces next to ${~ and ~}; a quoted string may use them too."""
    main = (
        VAR
        + WG.format('"  ${~ var.region ~}  "').replace('"wg"', '"a"')
        + WG.format('"${var.region~}   -x"')
    )
    result = run(tmp_path, {"main.tf": main})
    assert result.errors == []
    assert region(result, "telnyx_wireguard_interface.a") == "default-x"
    assert region(result) == "default-x-x"
    assert resources(result)["telnyx_wireguard_interface.wg"].attribute_lines["region_code"] == 11


def test_a_remote_module_terraform_init_installed_is_read_from_there(tmp_path: Path) -> None:
    manifest = {
        "Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {
                "Key": "net",
                "Source": "registry.terraform.io/acme/telnyx-net/telnyx",
                "Version": "1.2.0",
                "Dir": ".terraform/modules/net",
            },
            {"Key": "net.edge", "Source": "./edge", "Dir": ".terraform/modules/net/edge"},
        ]
    }
    files = {
        "main.tf": 'module "net" {\n  source  = "acme/telnyx-net/telnyx"\n'
        '  version = "1.2.0"\n  region  = "bad-region"\n}\n',
        ".terraform/modules/modules.json": json.dumps(manifest),
        ".terraform/modules/net/main.tf": 'variable "region" {}\n'
        'module "edge" {\n  source = "./edge"\n  region = var.region\n}\n',
        ".terraform/modules/net/edge/main.tf": 'variable "region" {}\n' + WG.format("var.region"),
    }
    result = run(tmp_path, files)
    assert result.errors == []
    [resource] = result.resources
    assert resource.address == "module.net.module.edge.telnyx_wireguard_interface.wg"
    assert resource.values["region_code"] == "bad-region"
    # The finding points at the call in the user's own code.
    assert (
        resource.attribute_files.get("region_code"),
        resource.attribute_lines["region_code"],
    ) == (
        "main.tf",
        4,
    )


@pytest.mark.parametrize(
    "manifest",
    [
        "{not json",
        '{"Modules": 7}',
        '{"Modules": [7, {"Key": 1}, {"Key": "net", "Dir": 3}]}',
        "\xff",
    ],
)
def test_a_broken_modules_manifest_is_taken_as_no_module_installed(
    tmp_path: Path, manifest: str
) -> None:
    """Terraform would say `terraform init` is needed; here the modules are just not seen."""
    files = {
        "main.tf": 'module "net" {\n  source = "acme/telnyx-net/telnyx"\n}\n'
        + WG.format('"chicago-il"'),
        ".terraform/modules/modules.json": manifest,
    }
    result = run(tmp_path, files)
    assert result.errors == []
    assert [r.address for r in result.resources] == ["telnyx_wireguard_interface.wg"]


def test_a_remote_module_not_installed_is_not_seen(tmp_path: Path) -> None:
    files = {"main.tf": 'module "net" {\n  source = "acme/telnyx-net/telnyx"\n}\n'}
    result = run(tmp_path, files)
    assert result.resources == [] and result.errors == []


def test_hidden_and_terraform_dirs_are_skipped(tmp_path: Path) -> None:
    files = {".terraform/modules/x/main.tf": WG.format('"x"'), ".git/main.tf": WG.format('"x"')}
    result = run(tmp_path, files)
    assert result.resources == [] and result.files_seen == 0


def test_modules_without_telnyx_resources_are_not_parsed(tmp_path: Path) -> None:
    files = {f"other{i}/main.tf": 'resource "aws_s3_bucket" "b" {}\n' for i in range(5)}
    files["net/main.tf"] = WG.format('"chicago-il"')
    files["net/versions.tf"] = 'terraform {\n  required_version = ">= 1.5"\n}\n'
    result = run(tmp_path, files)
    assert len(result.resources) == 1
    assert (result.files_seen, result.files_parsed) == (7, 1)


def test_an_ignore_comment_in_any_case_is_seen(tmp_path: Path) -> None:
    main = WG.format('"bad"').replace(
        '  network_id  = "n1"\n', '  # Telnyx-Coverage:Ignore TNX001 legacy\n  network_id  = "n1"\n'
    )
    [resource] = run(tmp_path, {"main.tf": main}).resources
    assert [s.reason for s in resource.suppressions] == ["legacy"]


def test_a_module_installed_inside_an_installed_module_is_read(tmp_path: Path) -> None:
    manifest = {
        "Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "vpc_module", "Source": "acme/vpc/telnyx", "Dir": ".terraform/modules/vpc"},
            {
                "Key": "vpc_module.edge",
                "Source": "acme/edge/telnyx",
                "Dir": ".terraform/modules/vpc_module.edge",
            },
        ]
    }
    files = {
        "main.tf": 'module "vpc_module" {\n  source = "acme/vpc/telnyx"\n}\n',
        ".terraform/modules/modules.json": json.dumps(manifest),
        ".terraform/modules/vpc/main.tf": 'module "edge" {\n  source = "acme/edge/telnyx"\n'
        '  region = "bad-region"\n}\n',
        ".terraform/modules/vpc_module.edge/main.tf": 'variable "region" {}\n'
        + WG.format("var.region"),
    }
    result = run(tmp_path, files)
    assert result.errors == []
    assert [(r.address, r.values["region_code"]) for r in result.resources] == [
        ("module.vpc_module.module.edge.telnyx_wireguard_interface.wg", "bad-region")
    ]


def test_a_module_reached_through_a_symlink_first_is_still_only_called(tmp_path: Path) -> None:
    files = {
        "modules/gw/main.tf": 'variable "region" {\n  default = "bad-default"\n}\n'
        + WG.format("var.region"),
        "live/main.tf": 'module "gw" {\n  source = "../modules/gw"\n  region = "chicago-il"\n}\n',
    }
    write(tmp_path, files)
    (tmp_path / "common").symlink_to(tmp_path / "modules")  # sorts before "live" and "modules"
    result = scan([tmp_path], cwd=tmp_path, environ={})
    assert [(r.address, r.values["region_code"]) for r in result.resources] == [
        ("module.gw.telnyx_wireguard_interface.wg", "chicago-il")
    ]


def test_an_invalid_sensitive_value_is_not_shown(tmp_path: Path) -> None:
    main = 'variable "db_password" {\n  type      = number\n  sensitive = true\n}\n'
    main += WG.format('"chicago-il"')
    result = run(tmp_path, {"main.tf": main}, environ={"TF_VAR_db_password": "hunter2-secret"})
    [error] = result.errors
    assert "hunter2" not in error.message
    assert error.message.startswith('variable "db_password": invalid value (sensitive value)')


def test_strip_markers_fixed_in_strings_leave_heredocs_as_written(tmp_path: Path) -> None:
    main = (
        'locals {\n  name = "gw-${~ "a" ~}"\n  hd = <<-EOT\n'
        '    %{~ for s in ["chicago", "-il"] ~}\n    ${s}\n    %{~ endfor ~}\n    EOT\n}\n'
        + WG.format("local.hd")
    )
    result = run(tmp_path, {"main.tf": main})
    assert result.errors == []
    assert region(result) == "chicago-il"
