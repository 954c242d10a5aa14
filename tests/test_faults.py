"""Fault injection: `check` against a misbehaving coverage API is right, or exits 3 in one line.

Every fault the real API or the network between can produce is played by the project's
coverage server (telnyx_coverage.coverage_server.Fault). For each one the run either gives
exactly the findings a snapshot gives, or exits 3 with a one-line reason and no report;
never exit 0 or 1 on coverage it did not get. The cache never keeps a partial answer.

The client's retries are real (real sockets, real timeouts); only the waits between retries
are recorded instead of slept, and the timeouts are cut to fractions of a second.
(The Pulumi policy pack's fault tests belong with the pack, which is built elsewhere.)
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from samples import MIXED_MODULE

from hcl_checker.cli import main
from telnyx_coverage import sources
from telnyx_coverage.cache import cache_path
from telnyx_coverage.client import CoverageClient
from telnyx_coverage.coverage_server import CoverageServer, Fault
from telnyx_coverage.errors import CoverageUnavailableError

StartServer = Callable[..., CoverageServer]
KEY = "test-key"
TIMEOUT = 0.4
"""The client's timeout in these tests: well above a loopback answer, well below a fault."""
PAGE_SIZE = 7
"""The server's page size: the example's 30 locations are 5 pages, its 56 pairings 8."""
VXC = "/virtual_cross_connects_coverage"
NETWORK = "/network_coverage"
STORM = 10_000


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A module with one passing and two failing resources; the working directory."""
    root = tmp_path / "infra"
    root.mkdir()
    (root / "main.tf").write_text(MIXED_MODULE)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def server(
    start_coverage_server: StartServer, example_snapshot_path: Path, monkeypatch: pytest.MonkeyPatch
) -> CoverageServer:
    """The example coverage, in pages of 7, as TELNYX_BASE_URL with a valid key."""
    server = start_coverage_server(example_snapshot_path, max_page_size=PAGE_SIZE)
    monkeypatch.setenv("TELNYX_API_KEY", KEY)
    monkeypatch.setenv("TELNYX_BASE_URL", server.base_url)
    return server


@pytest.fixture(autouse=True)
def fast_client(monkeypatch: pytest.MonkeyPatch, recorded_sleeps: list[float]) -> None:
    """The CLI's client with short timeouts and recorded (not slept) backoff."""
    monkeypatch.setattr(
        sources,
        "CoverageClient",
        functools.partial(
            CoverageClient, timeout=TIMEOUT, max_total_time=20.0, sleep=recorded_sleeps.append
        ),
    )


@pytest.fixture
def expected(project: Path, example_snapshot_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    """The JSON report the same coverage gives from a snapshot (no network): the truth."""
    code = main(["check", "--format", "json", "--coverage", str(example_snapshot_path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["summary"]["passed"] == 1 and report["summary"]["failed"] == 2
    return without_coverage(report)


def without_coverage(report: Any) -> Any:
    """The report without its ``coverage`` source and time: what a run found."""
    return {k: v for k, v in report.items() if k != "coverage"}


def run_check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--format", "json", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def cache_files(environ_cache: Path) -> list[Path]:
    return sorted(environ_cache.iterdir()) if environ_cache.is_dir() else []


@pytest.fixture
def cache_dir_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("TELNYX_COVERAGE_CACHE_DIR", str(directory))
    return directory


def assert_unavailable(code: int, out: str, err: str, *words: str) -> None:
    """Exit 3, no report at all, and one line on stderr saying why."""
    assert code == 3, err
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("telnyx-coverage: error: ")
    for word in words:
        assert word in lines[0]


# -- faults that never clear: exit 3 ------------------------------------------------------------

PERSISTENT_FAULTS = {
    "429_storm_without_retry_after": (Fault(status=429, times=STORM), "HTTP 429"),
    "429_storm_with_retry_after": (
        Fault(status=429, headers={"Retry-After": "2"}, times=STORM),
        "HTTP 429",
    ),
    "500_storm": (Fault(status=500, times=STORM), "HTTP 500"),
    "502_storm": (Fault(status=502, times=STORM), "HTTP 502"),
    "503_storm": (Fault(status=503, times=STORM), "HTTP 503"),
    "504_storm": (Fault(status=504, times=STORM), "HTTP 504"),
    "html_error_page": (
        Fault(status=502, body="<html>\n<h1>502 Bad Gateway</h1>\n</html>", times=STORM),
        "HTTP 502",
    ),
    "reset_mid_body": (Fault(reset=True, times=STORM), "4 attempts"),
    "truncated_body": (Fault(truncate=True, times=STORM), "4 attempts"),
    "slow_past_the_timeout": (Fault(delay=TIMEOUT * 3, times=STORM), "ReadTimeout"),
    "body_trickled_past_the_timeout": (Fault(trickle=0.1, times=STORM), "to arrive in full"),
    "html_page_with_200": (
        Fault(status=200, body="<html><body>Captive portal</body></html>"),
        "text/html",
    ),
    "non_json_body": (
        Fault(status=200, body="OK", content_type="text/plain"),
        "not JSON",
    ),
    "truncated_json_with_a_right_length": (
        Fault(status=200, body='{"data": [{"location": ', content_type="application/json"),
        "not JSON",
    ),
    "meta_missing_on_page_1": (Fault(omit_meta=True), "meta"),
    "meta_missing_on_a_later_page": (Fault(omit_meta=True, page_number=3, path=VXC), "meta"),
    "total_pages_grows": (
        Fault(meta={"total_pages": 12}, page_number=2, path=VXC),
        "page 1 said there are 8 pages, page 2 says 12",
    ),
    "total_pages_shrinks": (
        Fault(meta={"total_pages": 6}, page_number=5, path=VXC),
        "page 1 said there are 8 pages, page 5 says 6",
    ),
    "total_results_changes": (
        Fault(meta={"total_results": 57}, page_number=4, path=VXC),
        "56 items, page 4 says 57",
    ),
    "duplicates_across_pages": (
        Fault(serve_page=2, page_number=3, path=VXC),
        "on page 3 again",
    ),
    "an_empty_page": (Fault(empty=True, page_number=2, path=NETWORK), "page 2 of 5 holds no items"),
    "a_page_answered_as_another": (
        Fault(meta={"page_number": 1}, page_number=2, path=NETWORK),
        "page 2 was answered as page 1",
    ),
}


@pytest.mark.parametrize("fault_name", list(PERSISTENT_FAULTS))
def test_a_persistent_fault_exits_3_in_one_line_and_caches_nothing(
    fault_name: str,
    server: CoverageServer,
    project: Path,
    cache_dir_env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fault, words = PERSISTENT_FAULTS[fault_name]
    server.inject(fault)
    code, out, err = run_check(capsys)
    assert_unavailable(code, out, err, words)
    assert cache_files(cache_dir_env) == []


def test_connection_refused_exits_3(
    monkeypatch: pytest.MonkeyPatch,
    project: Path,
    cache_dir_env: Path,
    capsys: pytest.CaptureFixture[str],
    example_snapshot_path: Path,
) -> None:
    with CoverageServer(example_snapshot_path) as stopped:
        base_url = stopped.base_url  # nothing listens there once it has stopped
    monkeypatch.setenv("TELNYX_API_KEY", KEY)
    monkeypatch.setenv("TELNYX_BASE_URL", base_url)
    code, out, err = run_check(capsys)
    assert_unavailable(code, out, err, "ConnectError", "4 attempts")
    assert cache_files(cache_dir_env) == []


def test_429_backoff_is_exponential_without_retry_after_and_as_asked_with_it(
    server: CoverageServer,
    project: Path,
    recorded_sleeps: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.inject(Fault(status=429, times=STORM))
    assert run_check(capsys)[0] == 3
    assert recorded_sleeps == [0.5, 1.0, 2.0]

    recorded_sleeps.clear()
    server.clear_faults()
    server.inject(Fault(status=429, headers={"Retry-After": "3"}, times=STORM))
    assert run_check(capsys, "--no-cache")[0] == 3
    assert recorded_sleeps == [3.0, 3.0, 3.0]


# -- faults that clear: the same findings as the snapshot gives ---------------------------------

TRANSIENT_FAULTS = {
    "429_burst": Fault(status=429, times=2),
    "429_burst_with_retry_after": Fault(status=429, headers={"retry-after": "1"}, times=3),
    "500_once": Fault(status=500),
    "502_once": Fault(status=502, page_number=4, path=VXC),
    "503_twice": Fault(status=503, times=2, path=VXC),
    "504_once": Fault(status=504, page_number=2, path=NETWORK),
    "html_502_once": Fault(status=502, body="<html>Bad gateway</html>"),
    "reset_mid_body_once": Fault(reset=True, page_number=3, path=VXC),
    "truncated_once": Fault(truncate=True, page_number=2, path=NETWORK),
    "dropped_once": Fault(drop=True),
    "slow_once": Fault(delay=TIMEOUT * 3, page_number=5, path=VXC),
    "trickled_once": Fault(trickle=0.1, page_number=2, path=VXC),
    "slow_but_within_the_timeout": Fault(delay=TIMEOUT / 4, times=3),
}


@pytest.mark.parametrize("fault_name", list(TRANSIENT_FAULTS))
def test_a_fault_that_clears_gives_exactly_the_snapshot_findings(
    fault_name: str,
    server: CoverageServer,
    project: Path,
    expected: Any,
    cache_dir_env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.inject(TRANSIENT_FAULTS[fault_name])
    code, out, err = run_check(capsys)
    assert code == 1, err
    report = json.loads(out)
    assert report["coverage"]["source"] == "api"
    assert without_coverage(report) == expected
    assert len(cache_files(cache_dir_env)) == 1  # the complete answer, and only it


# -- the cache ---------------------------------------------------------------------------------


def test_a_failure_after_one_full_list_leaves_the_old_cache_untouched(
    server: CoverageServer,
    project: Path,
    cache_dir_env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A complete answer from an hour ago: expired (default TTL 1 h), so the run refetches.
    stale = cache_path(server.base_url, cache_dir_env)
    stale.parent.mkdir(parents=True)
    document = json.loads(Path(_example()).read_text())
    document["fetched_at"] = "2020-01-01T00:00:00Z"
    document["base_url"] = server.base_url
    stale.write_text(json.dumps(document))
    before = stale.read_bytes()

    # The network list arrives in full; the VXC list breaks on its last page.
    server.inject(Fault(status=503, page_number=8, path=VXC, times=STORM))
    code, out, err = run_check(capsys)
    assert_unavailable(code, out, err, "HTTP 503")
    assert len(server.requests_to(NETWORK)) == 5
    assert stale.read_bytes() == before
    assert cache_files(cache_dir_env) == [stale]  # no temporary file left behind either


def _example() -> str:
    return str(Path(__file__).resolve().parents[1] / "examples" / "coverage-snapshot.json")


def test_a_page_fault_on_a_warm_cache_costs_nothing(
    server: CoverageServer,
    project: Path,
    expected: Any,
    cache_dir_env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_check(capsys)[0] == 1
    server.inject(Fault(status=503, times=STORM))
    code, out, _ = run_check(capsys)
    assert code == 1
    assert json.loads(out)["coverage"]["source"] == "cache"
    assert without_coverage(json.loads(out)) == expected


# -- allow-unavailable: the one way to go on without coverage, never as a pass ------------------


def test_allow_unavailable_under_a_fault_reports_tnx007_and_passes_nothing(
    server: CoverageServer, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.inject(Fault(status=503, times=STORM))
    code, out, err = run_check(capsys, "--allow-unavailable")
    assert code == 0, err
    report = json.loads(out)
    assert [f["rule"] for f in report["findings"]] == ["TNX007"]
    assert {r["status"] for r in report["resources"]} == {"unresolved"}
    assert report["summary"]["passed"] == 0


# -- bounded time ------------------------------------------------------------------------------


def worst_case_seconds(client: CoverageClient) -> float:
    """The documented bound (docs/reliability.md): max_total_time + 4 x timeout."""
    return client.max_total_time + 4 * client.timeout


@pytest.fixture
def always_slow(start_coverage_server: StartServer, example_snapshot_path: Path) -> Iterator[Any]:
    server = start_coverage_server(example_snapshot_path, max_page_size=PAGE_SIZE)
    yield server


@pytest.mark.parametrize(
    "fault",
    [
        Fault(delay=2.0, times=STORM),
        Fault(trickle=0.05, times=STORM),
        Fault(status=429, headers={"retry-after": "0.2"}, times=STORM),
        Fault(delay=2.0, times=STORM, page_number=2),
    ],
    ids=["silent", "trickling", "rate_limited", "later_pages_silent"],
)
def test_a_run_under_faults_ends_within_the_documented_bound(
    always_slow: CoverageServer, fault: Fault
) -> None:
    always_slow.inject(fault)
    # Real sleeps and real timeouts, cut down so that the deadline is what ends the run.
    client = CoverageClient(
        KEY,
        always_slow.base_url,
        timeout=0.3,
        max_retries=50,
        max_total_wait=50.0,
        max_total_time=1.5,
    )
    started = time.monotonic()
    with client, pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
        client.list_virtual_cross_connects_coverage()
    elapsed = time.monotonic() - started
    assert "\n" not in str(caught.value)
    # An upper-bound sanity check with a wide margin, not a timing measurement.
    assert elapsed < worst_case_seconds(client) + 5.0
