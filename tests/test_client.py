"""The coverage client: every page, retried within bounds, validated, and never leaking the key."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from telnyx_coverage.client import CoverageClient
from telnyx_coverage.coverage_server import CoverageServer, Fault
from telnyx_coverage.errors import CoverageUnavailableError
from telnyx_coverage.models import Snapshot

KEY = "KEY0123456789abcdefSECRET"
StartServer = Callable[..., CoverageServer]


def items_json(items: list[Any]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json", exclude_unset=True) for item in items]


@pytest.fixture
def server(start_coverage_server: StartServer, small_snapshot: Snapshot) -> CoverageServer:
    return start_coverage_server(small_snapshot, api_key=KEY)


@pytest.fixture
def client(server: CoverageServer, recorded_sleeps: list[float]) -> Iterator[CoverageClient]:
    with CoverageClient(KEY, server.base_url, sleep=recorded_sleeps.append) as client:
        yield client


def overlapping(intervals: list[tuple[float, float]]) -> bool:
    return any(
        a_start < b_end and b_start < a_end
        for i, (a_start, a_end) in enumerate(intervals)
        for b_start, b_end in intervals[i + 1 :]
    )


# -- pagination ----------------------------------------------------------------------------------


def test_all_pages_in_order_when_the_server_pages_smaller_than_asked(
    start_coverage_server: StartServer, generate_snapshot: Callable[..., Snapshot]
) -> None:
    snapshot = generate_snapshot(47)
    server = start_coverage_server(snapshot, max_page_size=5)
    with CoverageClient("test-key", server.base_url) as client:
        network = client.list_network_coverage()
        vxc = client.list_virtual_cross_connects_coverage()

    assert items_json(network) == items_json(snapshot.network_coverage)
    assert items_json(vxc) == items_json(snapshot.virtual_cross_connects_coverage)
    pages = [int(r.params["page[number]"]) for r in server.requests_to("/network_coverage")]
    assert sorted(pages) == list(range(1, 11))  # 47 items, 5 a page: each page exactly once
    assert len(server.requests_to("/virtual_cross_connects_coverage")) == 19  # 94 items
    assert {r.params["page[size]"] for r in server.requests} == {"250"}


def test_pages_after_the_first_are_fetched_concurrently(
    start_coverage_server: StartServer, generate_snapshot: Callable[..., Snapshot]
) -> None:
    server = start_coverage_server(generate_snapshot(30), max_page_size=5)
    server.inject(Fault(delay=0.15, times=6))  # every page answers slowly
    with CoverageClient("test-key", server.base_url) as client:
        assert len(client.list_network_coverage()) == 30

    log = sorted(server.requests, key=lambda r: r.started)
    assert log[0].params["page[number]"] == "1"  # page 1 says how many pages there are
    assert sorted(r.params["page[number]"] for r in log[1:]) == ["2", "3", "4", "5", "6"]
    assert overlapping([(r.started, r.finished) for r in log[1:]])


def test_a_server_returning_fewer_items_than_asked_is_followed_to_the_last_page() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page[number]"])
        data = [
            {"available_services": ["cloud_vpn"], "location": {"code": f"loc-{page}-{i}"}}
            for i in range(2)
        ]
        meta = {"page_number": page, "page_size": 2, "total_pages": 3, "total_results": 6}
        return httpx.Response(200, json={"data": data, "meta": meta})

    client = CoverageClient(KEY, transport=httpx.MockTransport(handler))
    codes = [item.location.code for item in client.list_network_coverage()]
    assert codes == ["loc-1-0", "loc-1-1", "loc-2-0", "loc-2-1", "loc-3-0", "loc-3-1"]


def test_an_empty_list_is_one_request(client: CoverageClient, server: CoverageServer) -> None:
    assert client.list_network_coverage(code="atlantis") == []
    assert len(server.requests) == 1


# -- filters -------------------------------------------------------------------------------------


def test_filters_are_sent_as_documented(client: CoverageClient, server: CoverageServer) -> None:
    found = client.list_network_coverage(region="AMER", site="ORD", pop="CH1", service="cloud_vpn")
    assert [item.location.code for item in found] == ["chicago-il"]
    params = server.requests[-1].params
    assert params["filter[location.region]"] == "AMER"
    assert params["filter[location.site]"] == "ORD"
    assert params["filter[location.pop]"] == "CH1"
    # Guides and spec disagree on the spelling: both are sent.
    assert params["filter[available_services][contains]"] == "cloud_vpn"
    assert params["filters[available_services][contains]"] == "cloud_vpn"

    pairings = client.list_virtual_cross_connects_coverage(
        cloud_provider="aws", cloud_provider_region="us-east-1", code="chicago-il", bandwidth=200.0
    )
    assert [(p.cloud_provider_region, p.available_bandwidth) for p in pairings] == [
        ("us-east-1", [50, 100, 200, 500])
    ]
    params = server.requests[-1].params
    assert params["filter[cloud_provider]"] == "aws"
    assert params["filter[cloud_provider_region]"] == "us-east-1"
    assert params["filter[location.code]"] == "chicago-il"
    assert params["filters[available_bandwidth][contains]"] == "200"


def test_filters_are_applied_locally_when_the_server_ignores_them(
    small_snapshot: Snapshot,
) -> None:
    every_item = items_json(small_snapshot.network_coverage)
    every_pairing = items_json(small_snapshot.virtual_cross_connects_coverage)

    def ignores_filters(request: httpx.Request) -> httpx.Response:
        data = every_item if request.url.path.endswith("/network_coverage") else every_pairing
        meta = {"page_number": 1, "page_size": 250, "total_pages": 1, "total_results": len(data)}
        return httpx.Response(200, json={"data": data, "meta": meta})

    client = CoverageClient(KEY, transport=httpx.MockTransport(ignores_filters))
    codes = [i.location.code for i in client.list_network_coverage(service="cloud_vpn")]
    assert codes == ["chicago-il", "frankfurt-de"]
    assert [i.location.code for i in client.list_network_coverage(region="EMEA")] == [
        "frankfurt-de"
    ]
    fast = client.list_virtual_cross_connects_coverage(bandwidth=100)
    assert [(p.location.code, p.cloud_provider_region) for p in fast] == [
        ("chicago-il", "us-east-1"),
        ("frankfurt-de", "europe-west3"),
    ]
    assert client.list_virtual_cross_connects_coverage(cloud_provider="AWS", bandwidth=50.0)


# -- retries -------------------------------------------------------------------------------------


def test_429_is_retried_after_the_backoff_then_succeeds(
    client: CoverageClient, server: CoverageServer, recorded_sleeps: list[float]
) -> None:
    server.inject(Fault(status=429, times=2))
    assert len(client.list_network_coverage()) == 3
    assert [r.status for r in server.requests] == [429, 429, 200]
    assert recorded_sleeps == [0.5, 1.0]


def test_503_is_retried_then_succeeds(
    client: CoverageClient, server: CoverageServer, recorded_sleeps: list[float]
) -> None:
    server.inject(Fault(status=503, times=1))
    assert len(client.list_virtual_cross_connects_coverage()) == 3
    assert [r.status for r in server.requests] == [503, 200]
    assert recorded_sleeps == [0.5]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After": "7"}, 7.0),
        ({"x-ratelimit-reset": "12"}, 12.0),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"Retry-After": "600"}, 0.5),  # beyond 60 s: the client's own backoff instead
        ({"Retry-After": "soon"}, 0.5),
    ],
)
def test_server_asked_waits_are_honoured_between_0_and_60_seconds(
    client: CoverageClient,
    server: CoverageServer,
    recorded_sleeps: list[float],
    headers: dict[str, str],
    expected: float,
) -> None:
    server.inject(Fault(status=429, headers=headers))
    client.list_network_coverage()
    assert recorded_sleeps == [expected]


def test_retry_after_as_an_http_date(
    client: CoverageClient, server: CoverageServer, recorded_sleeps: list[float]
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    server.inject(Fault(status=503, headers={"Retry-After": when}))
    client.list_network_coverage()
    assert len(recorded_sleeps) == 1
    assert 15 < recorded_sleeps[0] <= 20


def test_rate_limit_reset_says_nothing_about_a_5xx(
    client: CoverageClient, server: CoverageServer, recorded_sleeps: list[float]
) -> None:
    server.inject(Fault(status=502, headers={"x-ratelimit-reset": "30"}))
    client.list_network_coverage()
    assert recorded_sleeps == [0.5]


def test_gives_up_after_three_retries_with_a_clear_message(
    client: CoverageClient, server: CoverageServer, recorded_sleeps: list[float]
) -> None:
    server.inject(Fault(status=503, times=100))
    with pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
    message = str(caught.value)
    assert f"{server.base_url}/network_coverage" in message
    assert "4 attempts" in message
    assert "HTTP 503" in message
    assert "--coverage FILE" in message
    assert len(server.requests) == 4
    assert recorded_sleeps == [0.5, 1.0, 2.0]


def test_total_waiting_in_a_run_is_bounded(
    start_coverage_server: StartServer,
    generate_snapshot: Callable[..., Snapshot],
    recorded_sleeps: list[float],
) -> None:
    server = start_coverage_server(generate_snapshot(40), max_page_size=5)
    server.inject(Fault(times=1))  # page 1 answers; then every request is rate limited
    server.inject(Fault(status=429, headers={"retry-after": "9"}, times=1000))
    client = CoverageClient(
        "test-key", server.base_url, sleep=recorded_sleeps.append, max_total_wait=30
    )
    with pytest.raises(CoverageUnavailableError, match="the most one run waits is 30 s"):
        client.list_network_coverage()
    # Seven pages retried concurrently share one budget: three waits of 9 s, not 7 x 3.
    assert recorded_sleeps == [9.0, 9.0, 9.0]


def test_truncated_and_dropped_answers_are_retried(
    client: CoverageClient, server: CoverageServer, recorded_sleeps: list[float]
) -> None:
    server.inject(Fault(truncate=True))
    server.inject(Fault(drop=True))
    assert len(client.list_network_coverage()) == 3
    assert len(server.requests) == 3


def test_a_read_timeout_is_retried_and_reported(
    server: CoverageServer, recorded_sleeps: list[float]
) -> None:
    server.inject(Fault(delay=0.5, times=4))
    client = CoverageClient(KEY, server.base_url, timeout=0.1, sleep=recorded_sleeps.append)
    with pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
    assert "ReadTimeout" in str(caught.value)
    assert "4 attempts" in str(caught.value)


def test_connection_refused_names_the_url_and_attempts(recorded_sleeps: list[float]) -> None:
    with CoverageServer(Snapshot.model_validate(_empty_snapshot())) as stopped:
        base_url = stopped.base_url  # the port is free again once the server is gone
    client = CoverageClient(KEY, base_url, sleep=recorded_sleeps.append)
    with pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
    message = str(caught.value)
    assert f"{base_url}/network_coverage" in message
    assert "4 attempts" in message
    assert "ConnectError" in message


def _empty_snapshot() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "fetched_at": "2026-12-04T11:00:00Z",
        "base_url": "https://api.telnyx.com/v2",
        "network_coverage": [],
        "virtual_cross_connects_coverage": [],
    }


# -- bad answers ---------------------------------------------------------------------------------


def test_an_html_page_is_reported_with_status_type_and_start(
    client: CoverageClient, server: CoverageServer
) -> None:
    server.inject(Fault(status=200, body="<html><body>Captive portal login</body></html>"))
    with pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
    message = str(caught.value)
    assert "HTTP 200" in message
    assert "text/html" in message
    assert "not JSON" in message
    assert "<html><body>Captive portal" in message
    assert "pydantic" not in message
    assert len(server.requests) == 1  # a wrong answer is not retried


def test_json_of_the_wrong_shape_names_the_field(
    client: CoverageClient, server: CoverageServer
) -> None:
    body = json.dumps({"data": [{"available_services": []}], "meta": {"total_pages": 1}})
    server.inject(Fault(status=200, body=body, content_type="application/json"))
    with pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
    message = str(caught.value)
    assert "not a coverage page" in message
    assert "data[0].location" in message
    assert "meta.page_number" in message
    assert "validation error" not in message


def test_a_long_body_is_cut_short_in_the_message(
    client: CoverageClient, server: CoverageServer
) -> None:
    server.inject(Fault(status=200, body="x" * 10_000))
    with pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
    assert len(str(caught.value)) < 600


def test_a_wrong_path_is_not_retried_and_points_at_the_base_url(
    server: CoverageServer, recorded_sleeps: list[float]
) -> None:
    client = CoverageClient(KEY, server.base_url + "/v9", sleep=recorded_sleeps.append)
    with pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
    assert "HTTP 404" in str(caught.value)
    assert "TELNYX_BASE_URL" in str(caught.value)
    assert recorded_sleeps == []


# -- the key -------------------------------------------------------------------------------------


def test_401_explains_the_key_without_showing_it(
    server: CoverageServer, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "WRONGKEY-9f8e7d6c5b4a"
    caplog.set_level(logging.DEBUG)
    client = CoverageClient(wrong, server.base_url)
    with pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
    message = str(caught.value)
    assert "TELNYX_API_KEY" in message
    assert "missing, wrong, or lacks permission" in message
    assert "Authentication failed" in message
    assert wrong not in message and wrong[:6] not in message
    assert wrong not in repr(client)
    assert wrong not in caplog.text
    assert caught.value.__context__ is None and caught.value.__cause__ is None
    assert [r.auth_ok for r in server.requests] == [False]


def test_403_is_a_permission_problem(client: CoverageClient, server: CoverageServer) -> None:
    server.inject(Fault(status=403))
    with pytest.raises(CoverageUnavailableError, match="lacks permission"):
        client.list_network_coverage()


def test_the_key_never_reaches_messages_even_when_the_server_echoes_it(
    client: CoverageClient, server: CoverageServer
) -> None:
    echo = json.dumps({"errors": [{"code": "10009", "title": "Bad key", "detail": f"key {KEY}"}]})
    server.inject(Fault(status=401, body=echo, content_type="application/json"))
    with pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
    assert KEY not in str(caught.value)
    assert KEY not in repr(client)


def test_transport_errors_do_not_escape_with_their_text() -> None:
    def explode(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"boom {request.headers['authorization']}", request=request)

    client = CoverageClient(KEY, transport=httpx.MockTransport(explode), sleep=lambda s: None)
    with pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
    assert KEY not in str(caught.value)
    assert caught.value.__context__ is None


def test_a_key_that_cannot_be_a_header_is_refused_without_showing_it() -> None:
    with pytest.raises(CoverageUnavailableError) as caught:
        CoverageClient("abc\ndef-secret")
    assert "def-secret" not in str(caught.value)
    with pytest.raises(CoverageUnavailableError, match="TELNYX_API_KEY is missing"):
        CoverageClient("  ")


@pytest.mark.parametrize(
    "base_url", ["http://api.telnyx.com/v2", "http://10.0.0.5:8080/v2", "http://example.com"]
)
def test_plain_http_to_another_host_is_refused_before_any_request(base_url: str) -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    with pytest.raises(CoverageUnavailableError, match="Refusing to send the Telnyx API key"):
        CoverageClient(KEY, base_url, transport=httpx.MockTransport(record))
    assert sent == []


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:9/v2", "http://127.8.9.10/v2", "http://localhost:9/v2", "http://[::1]:9/v2"],
)
def test_plain_http_to_this_machine_is_allowed(base_url: str) -> None:
    client = CoverageClient(KEY, base_url)
    assert client.base_url == base_url
    assert repr(client) == f"CoverageClient(base_url={base_url!r})"


@pytest.mark.parametrize(
    ("base_url", "words"),
    [
        ("ftp://api.telnyx.com/v2", "is not an http(s) URL"),
        ("http://[::1", "is not an http(s) URL"),
        ("https://user:pass@api.telnyx.com/v2", "must not hold credentials"),
    ],
)
def test_a_base_url_that_cannot_be_used_is_explained(base_url: str, words: str) -> None:
    with pytest.raises(CoverageUnavailableError) as caught:
        CoverageClient(KEY, base_url)
    assert words in str(caught.value)
    assert "pass" not in str(caught.value)


def test_vxc_coverage_at_the_newer_documented_path_is_found_after_a_404(
    start_coverage_server: Any, example_snapshot_path: Path
) -> None:
    # The newest API reference shows /virtual_cross_connects/coverage; spec and SDKs the other.
    server = start_coverage_server(
        example_snapshot_path, vxc_path="/virtual_cross_connects/coverage"
    )
    with CoverageClient("test-key", server.base_url) as client:
        items = client.list_virtual_cross_connects_coverage()
        assert len(items) == 56
        assert len(client.list_virtual_cross_connects_coverage(code="chicago-il")) == 4
    paths = [r.path for r in server.requests]
    assert paths == [
        "/v2/virtual_cross_connects_coverage",
        "/v2/virtual_cross_connects/coverage",
        "/v2/virtual_cross_connects/coverage",  # remembered: no second 404
    ]


def test_a_404_on_both_vxc_paths_is_one_clear_error(
    start_coverage_server: Any, example_snapshot_path: Path
) -> None:
    server = start_coverage_server(example_snapshot_path, vxc_path="/elsewhere")
    with (
        CoverageClient("test-key", server.base_url) as client,
        pytest.raises(CoverageUnavailableError, match="virtual_cross_connects/coverage"),
    ):
        client.list_virtual_cross_connects_coverage()
