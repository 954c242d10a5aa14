"""The browse commands answer the everyday questions in one command each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hcl_checker.cli import main

EXAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "coverage-snapshot.json")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--coverage", EXAMPLE])
    out, err = capsys.readouterr()
    return code, out, err


def test_which_pops_offer_cloud_vpn_in_amer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "locations", "--service", "cloud_vpn", "--region", "AMER")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["CODE", "REGION", "SITE", "POP", "NAME", "SERVICES"]
    codes = [line.split()[0] for line in lines[1:]]
    assert "chicago-il" in codes and "denver-co" in codes
    assert "frankfurt-de" not in codes
    assert len(codes) == 13


def test_where_can_a_vxc_from_ch1_go(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "vxc-coverage", "--pop", "CH1")
    assert code == 0
    rows = [line.split(None, 4) for line in out.splitlines()[1:]]
    assert [(r[2], r[3]) for r in rows] == [
        ("aws", "us-east-1"),
        ("aws", "us-east-2"),
        ("azure", "Chicago"),
        ("gce", "us-central1"),
    ]
    assert rows[0][4] == "50, 100, 200, 500"


def test_which_pops_reach_aws_us_east_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "vxc-coverage",
        "--cloud-provider",
        "aws",
        "--cloud-region",
        "us-east-1",
        "--format",
        "json",
    )
    assert code == 0
    items = json.loads(out)
    assert [i["location"]["code"] for i in items] == ["ashburn-va", "chicago-il", "new_york-ny"]
    assert items[0]["record_type"] == "virtual_cross_connects_coverage"


def test_bandwidth_filter_compares_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "vxc-coverage",
        "--cloud-provider",
        "aws",
        "--cloud-region",
        "us-east-1",
        "--bandwidth",
        "1000",
        "--format",
        "json",
    )
    assert code == 0
    assert [i["location"]["code"] for i in json.loads(out)] == ["ashburn-va", "new_york-ny"]


def test_locations_json_keeps_items_as_the_api_returns_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "locations", "--code", "amsterdam-nl", "--format", "json")
    assert code == 0
    (item,) = json.loads(out)
    assert "ip_transit" in item["available_services"]
    assert item["location"] == {
        "region": "EMEA",
        "site": "AMS",
        "pop": "AM3",
        "name": "Amsterdam, NL",
        "code": "amsterdam-nl",
    }


def test_valid_values_that_match_nothing_print_only_the_header(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # ip_transit is offered, and APAC has locations, but no APAC location offers ip_transit.
    code, out, err = run(capsys, "locations", "--service", "ip_transit", "--region", "APAC")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["CODE  REGION  SITE  POP  NAME  SERVICES"]
    # us-east-1 is an aws region: gce has no region of that name.
    code, out, err = run(
        capsys, "vxc-coverage", "--cloud-provider", "gce", "--cloud-region", "us-east-1"
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == ["CODE  POP  CLOUD_PROVIDER  CLOUD_REGION  BANDWIDTH_MBPS"]
    code, out, err = run(
        capsys, "locations", "--service", "ip_transit", "--region", "APAC", "--format", "json"
    )
    assert (code, out.strip(), err) == (0, "[]", "")


@pytest.mark.parametrize(
    ("argv", "note"),
    [
        (
            ["locations", "--service", "cloud-vpn"],
            'no location offers service "cloud-vpn"; did you mean cloud_vpn? services in '
            "coverage: cloud_vpn, ip_transit, private_wireless_gateway, public_internet_gateway, "
            "virtual_cross_connect",
        ),
        (
            ["locations", "--service", "CLOUD_VPN", "--region", "AMER"],
            'no location offers service "CLOUD_VPN"; did you mean cloud_vpn?',
        ),
        (
            ["locations", "--region", "NA"],
            'no location is in region "NA"; did you mean AMER? regions in coverage: AMER, APAC, '
            "EMEA",
        ),
        (
            ["vxc-coverage", "--region", "europe"],
            'no location is in region "europe"; did you mean EMEA?',
        ),
        (
            ["vxc-coverage", "--cloud-provider", "gcp"],
            'no VXC coverage for cloud provider "gcp"; did you mean gce? cloud providers in '
            "coverage: aws, azure, gce",
        ),
        (
            ["vxc-coverage", "--cloud-provider", "aws", "--cloud-region", "us-est-1"],
            'no VXC coverage for cloud region "us-est-1"; did you mean us-east-1 or us-west-1? '
            "aws regions in coverage: ap-northeast-1,",
        ),
        (
            ["locations", "--code", "chicago-ill"],
            'no location has code "chicago-ill"; did you mean chicago-il? codes in coverage: '
            "amsterdam-nl,",
        ),
        (["locations", "--pop", "XX9"], 'no location has pop "XX9"; pops in coverage: AM3,'),
        (["vxc-coverage", "--site", "ORX"], 'no location has site "ORX"; did you mean ORD?'),
    ],
)
@pytest.mark.parametrize("output", ["table", "json"])
def test_a_filter_value_that_exists_nowhere_is_a_usage_error_with_a_did_you_mean(
    capsys: pytest.CaptureFixture[str], argv: list[str], note: str, output: str
) -> None:
    code, out, err = run(capsys, *argv, "--format", output)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(f"telnyx-coverage: error: {note}")


def test_a_long_list_of_known_values_is_cut_and_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, _, err = run(capsys, "locations", "--code", "nowhere-xx")
    assert err.rstrip().endswith(", ... (30 in all)")
    assert "did you mean" not in err


def test_a_known_value_in_another_case_is_no_typo(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "vxc-coverage", "--cloud-provider", "AWS", "--pop", "ch1")
    assert (code, err) == (0, "")
    assert "us-east-1" in out


def test_rules_lists_every_rule_with_its_doc(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for rule_id in ("TNX001", "TNX002", "TNX003", "TNX004", "TNX005", "TNX006", "TNX007"):
        assert rule_id in out
    assert "docs/rules/TNX004.md" in out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["locations", "--bogus"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_browse_reads_coverage_from_the_config_like_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".telnyx-coverage.toml").write_text(f'coverage = "{EXAMPLE}"\n')
    monkeypatch.chdir(tmp_path)
    for argv in (["locations", "--pop", "CH1"], ["vxc-coverage", "--pop", "CH1"]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 0, err
        assert "chicago-il" in out


def test_browse_names_a_bad_config_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("cache_ttl = -5\n")
    code = main(["locations", "--config", str(config), "--coverage", EXAMPLE])
    _, err = capsys.readouterr()
    assert code == 2
    assert "cache_ttl" in err and "bad.toml" in err
