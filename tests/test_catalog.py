"""The catalog's answers, and the models' handling of the API's JSON."""

from __future__ import annotations

from telnyx_coverage.catalog import CoverageCatalog
from telnyx_coverage.models import NetworkCoverage, VirtualCrossConnectsCoverage


def location(code: str, pop: str, site: str, name: str, region: str = "AMER") -> dict[str, str]:
    return {"region": region, "site": site, "pop": pop, "name": name, "code": code}


CHICAGO = location("chicago-il", "CH1", "ORD", "Chicago IL, US")
FRANKFURT = location("frankfurt-de", "FR5", "FRA", "Frankfurt, DE", "EMEA")


def make_catalog() -> CoverageCatalog:
    network = [
        NetworkCoverage.model_validate(
            {
                "available_services": ["virtual_cross_connect", "cloud_vpn", "quantum_link"],
                "location": CHICAGO,
                "record_type": "network_coverage",
            }
        ),
        NetworkCoverage.model_validate(
            {
                "available_services": ["cloud_vpn"],
                "location": FRANKFURT,
                "record_type": "network_coverage",
            }
        ),
    ]
    vxc = [
        VirtualCrossConnectsCoverage.model_validate(
            {
                "cloud_provider": "aws",
                "cloud_provider_region": "us-east-1",
                "location": CHICAGO,
                "available_bandwidth": [50.0, 100, 200.0, 500],
                "record_type": "x",
            }
        ),
        VirtualCrossConnectsCoverage.model_validate(
            {
                "cloud_provider": "aws",
                "cloud_provider_region": "us-east-2",
                "location": CHICAGO,
                "available_bandwidth": [50],
            }
        ),
    ]
    return CoverageCatalog(network, vxc)


def test_unknown_services_are_kept_as_data() -> None:
    catalog = make_catalog()
    assert "quantum_link" in catalog.services("chicago-il")
    assert catalog.locations_offering("cloud_vpn") == ["chicago-il", "frankfurt-de"]


def test_bandwidth_floats_and_ints_are_one_tier() -> None:
    pairing = make_catalog().pairing("chicago-il", "aws", "us-east-1")
    assert pairing is not None
    assert pairing.available_bandwidth == (50, 100, 200, 500)
    assert 50.0 in pairing.available_bandwidth


def test_pairings_and_reverse_lookup() -> None:
    catalog = make_catalog()
    assert [p.cloud_provider_region for p in catalog.pairings_from("chicago-il")] == [
        "us-east-1",
        "us-east-2",
    ]
    assert catalog.locations_reaching("aws", "us-east-2") == ["chicago-il"]
    assert catalog.locations_reaching("aws", "eu-central-1") == []


def test_nearest_codes_from_misspellings_pops_sites_and_cities() -> None:
    catalog = make_catalog()
    assert catalog.nearest_codes("chicago-l") == ["chicago-il"]
    assert catalog.nearest_codes("CH1") == ["chicago-il"]
    assert catalog.nearest_codes("ord") == ["chicago-il"]
    assert catalog.nearest_codes("Chicago") == ["chicago-il"]
    assert catalog.nearest_codes("FRA") == ["frankfurt-de"]
    assert catalog.nearest_codes("zzz") == []
    assert catalog.nearest_codes("") == []


def test_region_code_is_exact() -> None:
    catalog = make_catalog()
    assert catalog.is_known("chicago-il")
    assert not catalog.is_known("Chicago-IL")


def test_nearest_bandwidth_prefers_larger_on_tie() -> None:
    assert CoverageCatalog.nearest_bandwidth(150, [50, 100, 200]) == 200
    assert CoverageCatalog.nearest_bandwidth(1000, [50, 500]) == 500
    assert CoverageCatalog.nearest_bandwidth(10, []) is None


def test_extra_api_fields_survive_a_round_trip() -> None:
    item = {
        "available_services": ["cloud_vpn"],
        "location": {**CHICAGO, "latitude": 41.8},
        "record_type": "network_coverage",
        "new_field": True,
    }
    model = NetworkCoverage.model_validate(item)
    assert model.model_dump(mode="json") == item
