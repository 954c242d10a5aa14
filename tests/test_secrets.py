"""The API key: never in an output, a log line, a message, a cache file, a snapshot or a report.

A recognisable key is set, every command and format is run (also under faults, also with a
server that echoes the key back), with every logger at DEBUG, and then every byte the run
produced is searched for it. The key only ever travels to the configured base URL, and only
over https unless that is this machine (tests/test_client.py proves the refusals of plain
http and of a key that cannot be a header; tests/test_sources.py that no request is sent).
"""

from __future__ import annotations

import functools
import json
import logging
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from hcl_checker.cli import main
from telnyx_coverage import sources
from telnyx_coverage.client import CoverageClient
from telnyx_coverage.coverage_server import CoverageServer, Fault
from telnyx_coverage.errors import CoverageUnavailableError
from telnyx_coverage.secrets import redact

StartServer = Callable[..., CoverageServer]
KEY = "KEY01SECRETzq7Xw_recognisable-9f3c1e"
PIECES = (KEY, KEY[:12], KEY[-12:])
"""The key, and enough of either end of it to identify it."""

MAIN_TF = """
resource "telnyx_wireguard_interface" "ok" {
  network_id  = "net-1"
  region_code = "chicago-il"
}

resource "telnyx_virtual_cross_connect" "aws" {
  network_id               = "net-1"
  region_code              = "chicago-il"
  cloud_provider           = "aws"
  cloud_provider_region    = "us-east-1"
  bgp_asn                  = 64512
  primary_cloud_account_id = "123456789012"
  bandwidth_mbps           = 300
}
"""
FORMATS = ("text", "json", "sarif", "github", "junit")


@pytest.fixture
def server(
    start_coverage_server: StartServer,
    example_snapshot_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> CoverageServer:
    server = start_coverage_server(example_snapshot_path, api_key=KEY, max_page_size=9)
    monkeypatch.setenv("TELNYX_API_KEY", KEY)
    monkeypatch.setenv("TELNYX_BASE_URL", server.base_url)
    return server


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "work"
    root.mkdir()
    (root / "main.tf").write_text(MAIN_TF)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("TELNYX_COVERAGE_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, httpx and httpcore included: the most verbose run there is."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telnyx_coverage", "hcl_checker"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as a handler would write it, with its arguments and any traceback."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(
        formatter.format(record) + repr(record.args) + repr(record.__dict__)
        for record in caplog.records
    )


def files_text(*roots: Path) -> str:
    """The names and bytes of every file under ``roots``."""
    parts = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            parts.append(str(path))
            if path.is_file():
                parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def assert_no_key(text: str) -> None:
    for piece in PIECES:
        assert piece not in text


def test_the_key_is_in_no_output_log_cache_snapshot_or_report(
    server: CoverageServer,
    workdir: Path,
    cache: Path,
    tmp_path: Path,
    all_logs: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outputs: list[str] = []
    codes = []
    reports = tmp_path / "reports"
    reports.mkdir()
    for fmt in FORMATS:
        codes.append(main(["check", "--format", fmt]))
        codes.append(main(["check", "--format", fmt, "--no-cache", "--output", str(reports / fmt)]))
    codes.append(main(["snapshot", "-o", str(tmp_path / "snapshot.json")]))
    for argv in (["locations"], ["locations", "--format", "json", "--no-cache"], ["vxc-coverage"]):
        codes.append(main(argv))
    codes.append(main(["rules"]))
    out, err = capsys.readouterr()
    outputs.append(out + err)

    assert codes == [1] * 10 + [0] * 5  # every run did its work: the key was used
    assert all(r.auth_ok for r in server.requests)
    assert logged_text(all_logs)  # the DEBUG logs were on
    assert_no_key("\n".join(outputs))
    assert_no_key(logged_text(all_logs))
    assert_no_key(files_text(cache, tmp_path / "snapshot.json", reports, workdir))


ECHOES = {
    "401_echoing_the_key": Fault(status=401, body=f'{{"errors":[{{"detail":"bad key {KEY}"}}]}}'),
    "503_storm_echoing_the_key": Fault(
        status=503,
        body=f'{{"errors":[{{"title":"down","detail":"Authorization: Bearer {KEY}"}}]}}',
        content_type="application/json",
        times=100,
    ),
    "html_200_echoing_the_key": Fault(status=200, body=f"<html>Bearer {KEY}</html>"),
    "html_200_with_the_key_across_the_preview_cut": Fault(
        status=200, body="<html>" + "x" * 100 + " " + KEY + " </html>", content_type="text/html"
    ),
    "redirect_echoing_the_key": Fault(
        status=302, headers={"Location": f"https://evil.example/?key={KEY}"}
    ),
    "reset_mid_body": Fault(reset=True, times=100),
    "meta_missing": Fault(omit_meta=True),
    "pages_that_change": Fault(meta={"total_pages": 7}, page_number=2),
}


@pytest.mark.parametrize("fault_name", list(ECHOES))
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_key_is_in_no_error_message_or_log_under_faults(
    fault_name: str,
    fmt: str,
    server: CoverageServer,
    workdir: Path,
    cache: Path,
    all_logs: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Backoff recorded instead of waited.
    monkeypatch.setattr(
        sources, "CoverageClient", functools.partial(CoverageClient, sleep=lambda s: None)
    )
    server.inject(ECHOES[fault_name])
    code = main(["check", "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 3, err
    assert "telnyx-coverage: error:" in err
    assert_no_key(out + err)
    assert_no_key(logged_text(all_logs))
    assert_no_key(files_text(cache, workdir))


@pytest.mark.parametrize("fault_name", list(ECHOES))
def test_the_key_is_in_no_exception_its_chain_or_its_traceback(
    fault_name: str, server: CoverageServer, recorded_sleeps: list[float]
) -> None:
    server.inject(ECHOES[fault_name])
    client = CoverageClient(KEY, server.base_url, sleep=recorded_sleeps.append)
    with client, pytest.raises(CoverageUnavailableError) as caught:
        client.list_network_coverage()
    error: BaseException | None = caught.value
    texts = [repr(client), "".join(traceback.format_exception(caught.value))]
    while error is not None:
        texts += [str(error), repr(error), repr(error.args)]
        error = error.__cause__ or error.__context__
    assert_no_key("\n".join(texts))


def test_a_redirect_never_carries_the_key_elsewhere(
    server: CoverageServer,
    start_coverage_server: StartServer,
    example_snapshot_path: Path,
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    elsewhere = start_coverage_server(example_snapshot_path, api_key=None)
    server.inject(Fault(status=307, headers={"Location": f"{elsewhere.base_url}/network_coverage"}))
    assert main(["check"]) == 3
    assert "redirected" in capsys.readouterr().err
    assert elsewhere.requests == []  # not followed: the key went nowhere but the base URL


def test_a_proxy_from_the_environment_never_sees_a_loopback_request(
    server: CoverageServer,
    start_coverage_server: StartServer,
    example_snapshot_path: Path,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    proxy = start_coverage_server(example_snapshot_path, api_key=None)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert main(["check", "--no-cache"]) == 1
    capsys.readouterr()
    assert proxy.requests == []
    assert server.requests and all(r.auth_ok for r in server.requests)


@pytest.mark.parametrize(
    "base_url",
    ["http://api.telnyx.com/v2", "http://10.0.0.7/v2", "ftp://api.telnyx.com/v2", "api.telnyx.com"],
)
def test_the_cli_refuses_to_send_the_key_in_clear_text_before_any_request(
    base_url: str,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_request(*args: object, **kwargs: object) -> httpx.Response:
        raise AssertionError("a request was sent")

    monkeypatch.setattr(httpx.Client, "send", no_request)
    monkeypatch.setenv("TELNYX_API_KEY", KEY)
    monkeypatch.setenv("TELNYX_BASE_URL", base_url)
    assert main(["check", "--no-cache"]) == 3
    out, err = capsys.readouterr()
    assert "TELNYX_BASE_URL" in err or "https" in err
    assert_no_key(out + err)


def test_the_key_goes_only_to_the_base_url_host_in_the_authorization_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        meta = {"page_number": 1, "page_size": 250, "total_pages": 1, "total_results": 0}
        return httpx.Response(200, json={"data": [], "meta": meta})

    client = CoverageClient(
        KEY, "https://api.telnyx.com/v2", transport=httpx.MockTransport(handler)
    )
    with client:
        client.list_network_coverage(code="chicago-il", service="cloud_vpn")
        client.list_virtual_cross_connects_coverage(cloud_provider="aws", bandwidth=50)
    assert {(r.url.scheme, r.url.host) for r in seen} == {("https", "api.telnyx.com")}
    for request in seen:
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert_no_key(str(request.url))
        without_auth = {k: v for k, v in request.headers.items() if k != "authorization"}
        assert_no_key(repr(without_auth))


@pytest.mark.parametrize(
    ("secret", "text", "expected"),
    [
        (KEY, f"Bearer {KEY}.", "Bearer [redacted]."),
        # As repr() or JSON escapes it.
        ("KEY\\back\\slash", repr("KEY\\back\\slash"), "'[redacted]'"),
        ('KEY"quoted"01', json.dumps('KEY"quoted"01'), '"[redacted]"'),
        # The start of the key left at the end of a text cut short.
        (KEY, "the body starts with <html>KEY01SEC", "the body starts with <html>[redacted]"),
        # A key too short to be real garbles no word, but never shows on its own.
        ("k", "network_coverage: key k is wrong", "network_coverage: key [redacted] is wrong"),
        ("", "nothing to hide", "nothing to hide"),
    ],
)
def test_redact_takes_out_every_form_of_the_key(secret: str, text: str, expected: str) -> None:
    assert redact(text, secret) == expected


def test_a_pulumi_program_never_sees_the_real_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", KEY)
    (tmp_path / "Pulumi.yaml").write_text("name: net\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import os\nraise RuntimeError('key: ' + os.environ['TELNYX_API_KEY'])\n"
    )
    code = main(["check", "--pulumi", str(tmp_path), "--stack", "dev", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "the Pulumi program failed: RuntimeError: key: telnyx-coverage-placeholder-key" in out
    assert_no_key(out + err)
