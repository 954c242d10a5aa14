"""The coverage server speaks the Telnyx coverage API: filters, pages, auth, errors, faults."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from telnyx_coverage.coverage_server import CoverageServer, Fault
from telnyx_coverage.errors import CoverageUnavailableError
from telnyx_coverage.models import Snapshot

AUTH = {"Authorization": "Bearer test-key"}
StartServer = Callable[..., CoverageServer]


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(headers=AUTH, trust_env=False) as client:
        yield client


@pytest.fixture
def small_server(start_coverage_server: StartServer, small_snapshot: Snapshot) -> CoverageServer:
    return start_coverage_server(small_snapshot)


def get(http: httpx.Client, server: CoverageServer, endpoint: str, **params: Any) -> Any:
    response = http.get(f"{server.base_url}/{endpoint}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def codes(body: Any) -> list[str]:
    return [item["location"]["code"] for item in body["data"]]


def test_serves_the_example_exactly_as_the_snapshot_holds_it(
    coverage_server: CoverageServer, example_snapshot_path: Path, http: httpx.Client
) -> None:
    document = json.loads(example_snapshot_path.read_text(encoding="utf-8"))
    body = get(http, coverage_server, "network_coverage", **{"page[size]": 250})
    assert body["data"] == document["network_coverage"]
    total = len(document["network_coverage"])
    assert body["meta"] == {
        "page_number": 1,
        "page_size": 250,
        "total_pages": 1,
        "total_results": total,
    }
    body = get(http, coverage_server, "virtual_cross_connects_coverage", **{"page[size]": 250})
    assert body["data"] == document["virtual_cross_connects_coverage"]


def test_pages_default_to_20_and_are_clamped_to_the_max_page_size(
    start_coverage_server: StartServer,
    generate_snapshot: Callable[..., Snapshot],
    http: httpx.Client,
) -> None:
    server = start_coverage_server(generate_snapshot(45), max_page_size=30)
    first = get(http, server, "network_coverage")
    assert first["meta"] == {
        "page_number": 1,
        "page_size": 20,
        "total_pages": 3,
        "total_results": 45,
    }
    last = get(http, server, "network_coverage", **{"page[number]": 3})
    assert codes(last) == [f"loc-{n:05d}" for n in range(40, 45)]
    clamped = get(http, server, "network_coverage", **{"page[size]": 250, "page[number]": 2})
    assert clamped["meta"]["page_size"] == 30
    assert clamped["meta"]["total_pages"] == 2
    assert len(clamped["data"]) == 15
    beyond = get(http, server, "network_coverage", **{"page[number]": 9})
    assert beyond["data"] == []


@pytest.mark.parametrize("spelling", ["filter", "filters"])
def test_service_filter_in_both_spellings(
    small_server: CoverageServer, http: httpx.Client, spelling: str
) -> None:
    params = {f"{spelling}[available_services][contains]": "cloud_vpn"}
    body = get(http, small_server, "network_coverage", **params)
    assert codes(body) == ["chicago-il", "frankfurt-de"]
    assert body["meta"]["total_results"] == 2


def test_location_filters(small_server: CoverageServer, http: httpx.Client) -> None:
    assert codes(get(http, small_server, "network_coverage", **{"filter[location.region]": "AMER"}))
    assert codes(
        get(http, small_server, "network_coverage", **{"filter[location.site]": "FRA"})
    ) == ["frankfurt-de"]
    assert codes(
        get(http, small_server, "network_coverage", **{"filter[location.pop]": "DC2"})
    ) == ["ashburn-va"]
    both = {"filter[location.region]": "AMER", "filter[location.code]": "frankfurt-de"}
    assert codes(get(http, small_server, "network_coverage", **both)) == []


def test_vxc_filters_and_numeric_bandwidth(
    small_server: CoverageServer, http: httpx.Client
) -> None:
    def pairs(**params: Any) -> list[tuple[str, str]]:
        body = get(http, small_server, "virtual_cross_connects_coverage", **params)
        return [(i["location"]["code"], i["cloud_provider_region"]) for i in body["data"]]

    assert pairs(**{"filter[cloud_provider]": "gce"}) == [("frankfurt-de", "europe-west3")]
    assert pairs(**{"filter[cloud_provider_region]": "us-east-2"}) == [("chicago-il", "us-east-2")]
    # 200.0 in the snapshot and "200" in the query are the same tier, and so is "200.0".
    for value in ("200", "200.0"):
        assert pairs(**{"filters[available_bandwidth][contains]": value}) == [
            ("chicago-il", "us-east-1")
        ]
    assert pairs(**{"filter[available_bandwidth][contains]": "1000"}) == [
        ("frankfurt-de", "europe-west3")
    ]
    assert pairs(**{"filter[location.code]": "chicago-il", "filter[cloud_provider]": "aws"}) == [
        ("chicago-il", "us-east-2"),
        ("chicago-il", "us-east-1"),
    ]


def test_authentication_is_bearer_and_fails_in_telnyx_format(
    small_server: CoverageServer,
) -> None:
    url = f"{small_server.base_url}/network_coverage"
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "test-key"}):
        response = httpx.get(url, headers=headers, trust_env=False)
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "10009"
        assert response.json()["errors"][0]["title"] == "Authentication failed"
    assert [r.auth_ok for r in small_server.requests] == [False, False, False]


def test_no_api_key_means_no_auth(
    start_coverage_server: StartServer, small_snapshot: Snapshot
) -> None:
    server = start_coverage_server(small_snapshot, api_key=None)
    response = httpx.get(f"{server.base_url}/network_coverage", trust_env=False)
    assert response.status_code == 200


def test_unknown_path_is_a_telnyx_404(small_server: CoverageServer, http: httpx.Client) -> None:
    response = http.get(f"{small_server.base_url}/virtual_cross_connects/coverage")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "10005"


@pytest.mark.parametrize(
    "params", [{"page[number]": "0"}, {"page[size]": "-1"}, {"page[number]": "two"}]
)
def test_bad_page_parameters_are_a_400(
    small_server: CoverageServer, http: httpx.Client, params: dict[str, str]
) -> None:
    response = http.get(f"{small_server.base_url}/network_coverage", params=params)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "10015"
    assert error["source"]["parameter"] == next(iter(params))


def test_request_log(small_server: CoverageServer, http: httpx.Client) -> None:
    get(http, small_server, "network_coverage", **{"filter[location.code]": "chicago-il"})
    get(http, small_server, "virtual_cross_connects_coverage")
    (first, second) = small_server.requests
    assert (first.method, first.path, first.auth_ok, first.status) == (
        "GET",
        "/v2/network_coverage",
        True,
        200,
    )
    assert first.params == {"filter[location.code]": "chicago-il"}
    assert first.started <= first.finished
    assert small_server.requests_to("virtual_cross_connects_coverage") == [second]
    small_server.reset_requests()
    assert small_server.requests == []


def test_faults_are_consumed_in_order_then_answers_are_normal(
    small_server: CoverageServer, http: httpx.Client
) -> None:
    small_server.inject(
        Fault(status=429, headers={"retry-after": "1", "x-ratelimit-reset": "1"}, times=2)
    )
    small_server.inject(Fault(status=503))
    url = f"{small_server.base_url}/network_coverage"
    limited = http.get(url)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "1"
    assert limited.json()["errors"][0]["code"] == "10011"
    assert http.get(url).status_code == 429
    assert http.get(url).status_code == 503
    assert http.get(url).status_code == 200


def test_a_fault_can_target_one_endpoint(small_server: CoverageServer, http: httpx.Client) -> None:
    small_server.inject(Fault(status=500, path="/virtual_cross_connects_coverage"))
    assert http.get(f"{small_server.base_url}/network_coverage").status_code == 200
    assert http.get(f"{small_server.base_url}/virtual_cross_connects_coverage").status_code == 500


def test_html_and_truncated_answers(small_server: CoverageServer, http: httpx.Client) -> None:
    url = f"{small_server.base_url}/network_coverage"
    small_server.inject(Fault(status=502, body="<html>Bad gateway</html>"))
    response = http.get(url)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == "<html>Bad gateway</html>"

    small_server.inject(Fault(truncate=True))
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(url)
    small_server.inject(Fault(drop=True))
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(url)
    assert http.get(url).status_code == 200


def test_runs_as_a_module_and_stops_cleanly_on_ctrl_c(example_snapshot_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen(
        [sys.executable, "-m", "telnyx_coverage.coverage_server", "--snapshot",
         str(example_snapshot_path), "--api-key", "demo-key", "--max-page-size", "10"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        base_url = first_line.rsplit(" ", 1)[-1].strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v2")
        response = httpx.get(
            f"{base_url}/network_coverage",
            params={"page[size]": "250"},
            headers={"Authorization": "Bearer demo-key"},
            trust_env=False,
        )
        assert response.status_code == 200
        assert response.json()["meta"]["page_size"] == 10
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "Stopped." in out
    assert "Traceback" not in err


def test_a_broken_snapshot_is_refused_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CoverageUnavailableError, match=r"bad\.json"):
        CoverageServer(bad)
