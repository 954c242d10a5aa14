"""Each rule firing and not firing, with the suggestions a user sees."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.config import Config, IgnoreRule
from telnyx_coverage.engine import (
    AddressIgnore,
    CheckOptions,
    check,
    check_resource,
    check_without_coverage,
    exceeds,
    options_from_config,
)
from telnyx_coverage.findings import ResourceStatus, Severity
from telnyx_coverage.models import Snapshot
from telnyx_coverage.resources import UNKNOWN, PlannedResource, ResourceKind, Suppression

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "coverage-snapshot.json"


@pytest.fixture(scope="module")
def catalog() -> CoverageCatalog:
    snapshot = Snapshot.model_validate(json.loads(EXAMPLE.read_text()))
    return CoverageCatalog(snapshot.network_coverage, snapshot.virtual_cross_connects_coverage)


def vxc(**overrides: Any) -> PlannedResource:
    values: dict[str, Any] = {
        "network_id": "net-1",
        "region_code": "chicago-il",
        "cloud_provider": "aws",
        "cloud_provider_region": "us-east-1",
        "bgp_asn": 64512,
        "primary_cloud_account_id": "123456789012",
        "bandwidth_mbps": 100,
    }
    values.update(overrides)
    values = {k: v for k, v in values.items() if v is not None}
    return PlannedResource(
        "telnyx_virtual_cross_connect.aws",
        ResourceKind.VIRTUAL_CROSS_CONNECT,
        values,
        file="main.tf",
        line=10,
        attribute_lines={"region_code": 12, "bandwidth_mbps": 15},
    )


def wireguard(region_code: Any = "frankfurt-de") -> PlannedResource:
    return PlannedResource(
        "telnyx_wireguard_interface.wg",
        ResourceKind.WIREGUARD_INTERFACE,
        {"network_id": "net-1", "region_code": region_code},
    )


def test_a_valid_vxc_passes(catalog: CoverageCatalog) -> None:
    assert check_resource(vxc(), catalog) is None


def test_float_bandwidth_matches_integer_tier(catalog: CoverageCatalog) -> None:
    assert check_resource(vxc(bandwidth_mbps=500.0), catalog) is None
    assert check_resource(vxc(bandwidth_mbps="500"), catalog) is None


def test_missing_required_attribute_is_tnx006(catalog: CoverageCatalog) -> None:
    finding = check_resource(vxc(bgp_asn=None, primary_cloud_account_id=None), catalog)
    assert finding is not None
    assert finding.rule.id == "TNX006"
    assert finding.attribute == "bgp_asn"
    assert "bgp_asn, primary_cloud_account_id" in finding.message


def test_missing_attribute_comes_before_unresolved(catalog: CoverageCatalog) -> None:
    finding = check_resource(vxc(bgp_asn=None, region_code=UNKNOWN), catalog)
    assert finding is not None and finding.rule.id == "TNX006"


def test_unknown_value_is_tnx005_warning_and_never_a_pass(catalog: CoverageCatalog) -> None:
    finding = check_resource(vxc(cloud_provider_region=UNKNOWN), catalog)
    assert finding is not None
    assert finding.rule.id == "TNX005"
    assert finding.attribute == "cloud_provider_region"
    assert finding.effective_severity is Severity.WARNING


@pytest.mark.parametrize(
    ("overrides", "rule", "attribute"),
    [
        # A known, wrong value is found before a later check would need the unknown one.
        ({"region_code": "nowhere", "bandwidth_mbps": UNKNOWN}, "TNX001", "region_code"),
        ({"region_code": "denver-co", "cloud_provider_region": UNKNOWN}, "TNX002", "region_code"),
        ({"cloud_provider_region": "mars-1", "bandwidth_mbps": UNKNOWN}, "TNX003", None),
        # Every check passed up to the one that needs it: unresolved, never a pass.
        ({"bandwidth_mbps": UNKNOWN}, "TNX005", "bandwidth_mbps"),
        ({"region_code": UNKNOWN, "bandwidth_mbps": 7}, "TNX005", "region_code"),
    ],
)
def test_an_unknown_value_never_hides_a_mistake_found_before_it_is_needed(
    catalog: CoverageCatalog, overrides: dict[str, Any], rule: str, attribute: str | None
) -> None:
    finding = check_resource(vxc(**overrides), catalog)
    assert finding is not None and finding.rule.id == rule
    if attribute is not None:
        assert finding.attribute == attribute


def test_tnx005_names_every_placement_value_still_unknown(catalog: CoverageCatalog) -> None:
    finding = check_resource(vxc(region_code=UNKNOWN, bandwidth_mbps=UNKNOWN), catalog)
    assert finding is not None and finding.rule.id == "TNX005"
    assert finding.message.startswith("region_code, bandwidth_mbps are not known before apply")


def test_unknown_value_in_a_field_no_check_reads_is_fine(catalog: CoverageCatalog) -> None:
    assert check_resource(vxc(network_id=UNKNOWN), catalog) is None


def test_unknown_location_suggests_the_code_for_a_pop_site_or_city(
    catalog: CoverageCatalog,
) -> None:
    for written in ("CH1", "ORD", "Chicago", "chicago"):
        finding = check_resource(vxc(region_code=written), catalog)
        assert finding is not None and finding.rule.id == "TNX001", written
        assert finding.line == 12
        assert finding.suggestions[0].startswith(
            "did you mean: chicago-il (Chicago IL, US; pop CH1)"
        )


def test_unknown_location_with_nothing_near_lists_locations_offering_the_service(
    catalog: CoverageCatalog,
) -> None:
    finding = check_resource(wireguard("atlantis"), catalog)
    assert finding is not None and finding.rule.id == "TNX001"
    assert finding.suggestions[-1].startswith("locations offering cloud_vpn: ")


def test_non_string_region_code_is_tnx001(catalog: CoverageCatalog) -> None:
    finding = check_resource(wireguard(42), catalog)
    assert finding is not None and finding.rule.id == "TNX001"
    assert "not 42" in finding.message


def test_service_not_available_is_tnx002_with_locations_in_the_same_region(
    catalog: CoverageCatalog,
) -> None:
    finding = check_resource(vxc(region_code="miami-fl"), catalog)
    assert finding is not None and finding.rule.id == "TNX002"
    assert "miami-fl does not offer virtual_cross_connect" in finding.message
    assert finding.suggestions == [
        "locations offering virtual_cross_connect in AMER: ashburn-va, chicago-il, dallas-tx, "
        "los_angeles-ca, montreal-qc, new_york-ny, sao_paulo-br, seattle-wa and 2 more"
    ]
    assert check_resource(wireguard("miami-fl"), catalog) is None


def test_cloud_region_not_reached_is_tnx003_with_both_directions(catalog: CoverageCatalog) -> None:
    finding = check_resource(vxc(cloud_provider_region="eu-central-1"), catalog)
    assert finding is not None and finding.rule.id == "TNX003"
    assert finding.message == "no VXC coverage from chicago-il to aws eu-central-1"
    assert finding.suggestions == [
        "from chicago-il, aws reaches: us-east-1, us-east-2",
        "locations reaching aws eu-central-1: amsterdam-nl, frankfurt-de",
    ]


def test_unknown_cloud_provider_is_tnx003_on_cloud_provider(catalog: CoverageCatalog) -> None:
    finding = check_resource(vxc(cloud_provider="oracle"), catalog)
    assert finding is not None and finding.rule.id == "TNX003"
    assert finding.attribute == "cloud_provider"
    assert finding.suggestions == ["cloud_provider is one of: aws, azure, gce"]


def test_cloud_provider_and_region_must_be_spelt_as_coverage_spells_them(
    catalog: CoverageCatalog,
) -> None:
    finding = check_resource(vxc(cloud_provider="azure", cloud_provider_region="chicago"), catalog)
    assert finding is not None and finding.rule.id == "TNX003"
    assert finding.attribute == "cloud_provider_region"
    assert finding.suggestions[0] == (
        'did you mean: Chicago (azure regions are spelt exactly as "Chicago")'
    )
    assert "locations reaching azure Chicago: chicago-il" in finding.suggestions

    finding = check_resource(vxc(cloud_provider_region="US_EAST_1"), catalog)
    assert finding is not None and finding.suggestions[0].startswith("did you mean: us-east-1")

    finding = check_resource(vxc(cloud_provider="AWS"), catalog)
    assert finding is not None and finding.attribute == "cloud_provider"
    assert finding.suggestions[0] == 'did you mean: aws (coverage spells it "aws")'


def test_bandwidth_not_offered_is_tnx004_with_nearest_tier(catalog: CoverageCatalog) -> None:
    finding = check_resource(vxc(bandwidth_mbps=1000), catalog)
    assert finding is not None and finding.rule.id == "TNX004"
    assert finding.line == 15
    assert finding.message == "bandwidth_mbps 1000 is not offered from chicago-il to aws us-east-1"
    assert finding.suggestions == [
        "offered from chicago-il to aws us-east-1: 50, 100, 200, 500 Mbps",
        "nearest tier: 500",
        "locations offering 1000 Mbps to aws us-east-1: ashburn-va, new_york-ny",
    ]


def test_non_numeric_bandwidth_is_tnx004(catalog: CoverageCatalog) -> None:
    finding = check_resource(vxc(bandwidth_mbps="fast"), catalog)
    assert finding is not None and finding.rule.id == "TNX004"
    assert "must be a number" in finding.message


def test_absent_bandwidth_is_not_checked(catalog: CoverageCatalog) -> None:
    assert check_resource(vxc(bandwidth_mbps=None), catalog) is None


def test_report_statuses_and_summary(catalog: CoverageCatalog) -> None:
    resources = [vxc(), vxc(bandwidth_mbps=1000), vxc(region_code=UNKNOWN)]
    report = check(resources, catalog, coverage=None)
    assert [r.status for r in report.resources] == [
        ResourceStatus.PASSED,
        ResourceStatus.FAILED,
        ResourceStatus.UNRESOLVED,
    ]
    assert report.summary() == {
        "resources": 3,
        "passed": 1,
        "failed": 1,
        "unresolved": 1,
        "suppressed": 0,
        "errors": 1,
        "warnings": 1,
    }
    assert exceeds(report, "error") and exceeds(report, "warning") and not exceeds(report, "never")


def test_unresolved_can_be_an_error_or_ignored(catalog: CoverageCatalog) -> None:
    as_error = check(
        [vxc(region_code=UNKNOWN)], catalog, coverage=None, options=CheckOptions(unresolved="error")
    )
    assert as_error.findings[0].effective_severity is Severity.ERROR
    ignored = check(
        [vxc(region_code=UNKNOWN)],
        catalog,
        coverage=None,
        options=CheckOptions(unresolved="ignore"),
    )
    assert ignored.findings == []
    assert ignored.resources[0].status is ResourceStatus.UNRESOLVED


def test_inline_suppression_silences_only_its_rules_until_its_date(
    catalog: CoverageCatalog,
) -> None:
    resource = vxc(bandwidth_mbps=1000)
    resource.suppressions = (
        Suppression(
            frozenset({"TNX004"}), until="2027-01-31", reason="tier ordered", file="main.tf", line=9
        ),
    )
    before = check(
        [resource], catalog, coverage=None, options=CheckOptions(today=date(2027, 1, 31))
    )
    assert before.findings[0].suppressed and before.findings[0].suppression_reason == "tier ordered"
    assert before.resources[0].status is ResourceStatus.SUPPRESSED
    assert not exceeds(before, "warning")

    after = check([resource], catalog, coverage=None, options=CheckOptions(today=date(2027, 2, 1)))
    assert not after.findings[0].suppressed
    assert after.findings[0].suggestions[-1] == (
        "the ignore comment at main.tf:9 expired on 2027-01-31 and no longer silences this"
    )
    assert exceeds(after, "error")


def test_suppression_for_another_rule_does_not_silence(catalog: CoverageCatalog) -> None:
    resource = vxc(bandwidth_mbps=1000)
    resource.suppressions = (Suppression(frozenset({"TNX003"})),)
    report = check([resource], catalog, coverage=None)
    assert not report.findings[0].suppressed


def test_config_ignore_by_rule_and_address_glob(catalog: CoverageCatalog) -> None:
    ignore = AddressIgnore(Suppression(frozenset({"TNX004"}), reason="legacy"), "telnyx_virtual_*")
    report = check(
        [vxc(bandwidth_mbps=1000)], catalog, coverage=None, options=CheckOptions(ignores=[ignore])
    )
    assert report.findings[0].suppressed
    other = AddressIgnore(Suppression(frozenset({"TNX004"})), "module.other.*")
    report = check(
        [vxc(bandwidth_mbps=1000)], catalog, coverage=None, options=CheckOptions(ignores=[other])
    )
    assert not report.findings[0].suppressed


def test_config_ignore_glob_treats_brackets_literally(catalog: CoverageCatalog) -> None:
    resource = vxc(bandwidth_mbps=1000)
    resource.address = 'module.edge["fra"].telnyx_virtual_cross_connect.aws[0]'
    ignore = AddressIgnore(Suppression(frozenset({"TNX004"})), 'module.edge["fra"].*[*]')
    report = check([resource], catalog, coverage=None, options=CheckOptions(ignores=[ignore]))
    assert report.findings[0].suppressed


def test_config_ignore_entries_as_the_engine_weighs_them(catalog: CoverageCatalog) -> None:
    """``[[ignore]]`` entries from the config: rule or ``*``, address glob, last day included."""
    lab = IgnoreRule("TNX004", "module.lab.*", "lab", date(2026, 12, 31))
    legacy = IgnoreRule("*", "telnyx_virtual_cross_connect.legacy[*]", "legacy")
    config = Config(ignore=(lab, legacy))

    def suppressed(address: str, today: date, **overrides: Any) -> bool:
        resource = vxc(**overrides)
        resource.address = address
        report = check(
            [resource], catalog, coverage=None, options=options_from_config(config, today=today)
        )
        return report.findings[0].suppressed

    june = date(2026, 6, 1)
    assert suppressed("module.lab.telnyx_virtual_cross_connect.a[0]", june, bandwidth_mbps=1000)
    assert not suppressed(
        "module.lab.telnyx_virtual_cross_connect.a[0]", june, cloud_provider_region="mars-1"
    )
    assert not suppressed("module.prod.telnyx_virtual_cross_connect.a", june, bandwidth_mbps=1000)
    assert suppressed("telnyx_virtual_cross_connect.legacy[3]", june, region_code="nowhere")
    # The last day still silences; the day after no longer does.
    assert suppressed("module.lab.x", date(2026, 12, 31), bandwidth_mbps=1000)
    assert not suppressed("module.lab.x", date(2027, 1, 1), bandwidth_mbps=1000)


@pytest.mark.parametrize(
    ("overrides", "rules", "status"),
    [
        ({"region_code": "bad-region"}, ["TNX006", "TNX001"], ResourceStatus.FAILED),
        ({"bandwidth_mbps": UNKNOWN}, ["TNX006", "TNX005"], ResourceStatus.UNRESOLVED),
        ({}, ["TNX006"], ResourceStatus.SUPPRESSED),
    ],
)
def test_a_suppressed_missing_attribute_leaves_the_placement_checks_on(
    catalog: CoverageCatalog,
    overrides: dict[str, Any],
    rules: list[str],
    status: ResourceStatus,
) -> None:
    """`ignore TNX006` (the provider defaults bgp_asn) must not pass a wrong region."""
    resource = vxc(bgp_asn=None, **overrides)
    resource.suppressions = (Suppression(frozenset({"TNX006"}), reason="provider default"),)
    report = check([resource], catalog, coverage=None)
    assert [f.rule.id for f in report.findings] == rules
    assert report.findings[0].suppressed
    assert all(not f.suppressed for f in report.findings[1:])
    assert report.resources[0].status is status


def test_an_expired_config_ignore_is_not_called_a_comment(catalog: CoverageCatalog) -> None:
    config = Config(
        ignore=(IgnoreRule("TNX004", "*", "old", date(2020, 1, 1)),),
        config_path=Path(".telnyx-coverage.toml"),
    )
    report = check(
        [vxc(bandwidth_mbps=1000)],
        catalog,
        coverage=None,
        options=options_from_config(config, today=date(2026, 12, 4)),
    )
    assert report.findings[0].suggestions[-1] == (
        "the config [[ignore]] entry in .telnyx-coverage.toml expired on 2020-01-01 "
        "and no longer silences this"
    )


def test_without_coverage_an_ignored_tnx006_leaves_the_resource_unresolved() -> None:
    resource = vxc(bgp_asn=None)
    resource.suppressions = (Suppression(frozenset({"TNX006"}), reason="provider default"),)
    report = check_without_coverage([resource], "no coverage")
    assert report.resources[0].status is ResourceStatus.UNRESOLVED
    assert [(f.rule.id, f.suppressed) for f in report.findings] == [
        ("TNX006", True),
        ("TNX007", False),
    ]
