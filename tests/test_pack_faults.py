"""The policy pack under a misbehaving coverage API: it fails closed, in one line, keyless.

For each fault the project's coverage server can play (telnyx_coverage.coverage_server.Fault),
one pack process is started the way the Pulumi CLI starts it (tests/pack_util.py) and asked,
as a preview would, about a batch of Telnyx resources (some that would pass, some that would
fail another rule, one with a value unknown during preview) and a few that are not Telnyx's,
all at once from several threads. Every Telnyx resource must get exactly one violation, the
mandatory ``telnyx-coverage-available`` one, whose text is ``TNX007: <reason>`` on one line
naming the fault; no other policy may pass it silently; other resources get nothing; the
coverage is tried once per process, not once per resource; the run's report shows nothing
passed; the cache keeps nothing; and the API key appears in no diagnostic, report or stderr.

The pack's client is the real one (real sockets, real retries), with two test seams set by
a ``sitecustomize.py`` the pack process imports at start, as ``test_faults.py`` sets them for
the CLI in-process: the timeout is cut to :data:`TIMEOUT`, and the waits between retries are
written to a file instead of slept (so the retries can be counted). Neither the pack nor the
CLI has a setting for these; one scenario runs the client as shipped, real waits included.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pack_util import (
    EXAMPLE_SNAPSHOT,
    PUBLIC_GATEWAY,
    RESTAPI,
    UNKNOWN_NUMBER,
    VXC,
    WIREGUARD,
    WIRELESS_GATEWAY,
    Diagnostic,
    Pack,
    placed,
    start_pack,
    stop_pack,
    violation_text,
    vxc,
)
from pulumi.runtime.proto import analyzer_pb2

from telnyx_coverage.coverage_server import CoverageServer, Fault

KEY = "KEY0190-sekrit-NEVER-SHOWN-4f9c2a"
"""A recognisable API key: the coverage server accepts it, no output may show it."""
TIMEOUT = 0.5
"""The pack's client timeout in these tests: well above a loopback answer, below a fault."""
PAGE_SIZE = 7
"""The server's page size: the example's 30 locations are 5 pages, its 56 pairings 8."""
STORM = 10_000
NETWORK = "/network_coverage"
VXC_PATH = "/virtual_cross_connects_coverage"
ATTEMPTS = 4
"""The client's attempts per page (``max_retries`` 3): a storm is retried three times."""

SITECUSTOMIZE = """\
# Test seam, imported by the pack process at start: the coverage client's timeout cut, and
# its waits between retries recorded in a file instead of slept.
from telnyx_coverage import client as _client


def _record(seconds):
    with open({sleeps!r}, "a", encoding="utf-8") as _file:
        _file.write(f"{{seconds}}\\n")


_init = _client.CoverageClient.__init__
_init.__kwdefaults__ = {{**_init.__kwdefaults__, "timeout": {timeout!r}, "sleep": _record}}
"""

TELNYX_RESOURCES: list[tuple[str, str, Mapping[str, Any]]] = [
    (VXC, "would-pass", vxc(bandwidth=500.0)),
    (VXC, "would-fail-bandwidth", vxc(bandwidth=1000.0)),
    (VXC, "unknown-bandwidth", vxc(bandwidth=UNKNOWN_NUMBER)),
    (WIREGUARD, "no-region-code", placed(None)),
    (WIRELESS_GATEWAY, "a-pop-not-a-code", placed("CH1")),
    (PUBLIC_GATEWAY, "would-pass-gateway", placed("chicago-il")),
    (
        RESTAPI,
        "restapi-wireguard",
        {
            "path": "/v2/wireguard_interfaces",
            "data": json.dumps({"network_id": "n-1", "region_code": "frankfurt-de"}),
        },
    ),
]
OTHER_RESOURCES: list[tuple[str, str, Mapping[str, Any]]] = [
    ("aws:s3/bucket:Bucket", "logs", {"bucket": "logs"}),
    (RESTAPI, "network", {"path": "/v2/networks", "data": json.dumps({"name": "core"})}),
]


@dataclass(frozen=True)
class Scenario:
    """A fault (or several, served in turn) and the words the reason must hold."""

    faults: tuple[Fault, ...]
    words: tuple[str, ...]
    retried: bool = False
    """Whether the client retries this fault (then the waits are recorded)."""
    waits: tuple[float, ...] | None = None
    """The waits between retries the client must ask for, when they matter."""
    fast_client: bool = True
    """Whether the pack runs with the test seams (else the client exactly as shipped)."""


HTML_WITH_KEY = f"<html>\n<h1>Sign in</h1>\n<p>Authorization: Bearer {KEY}</p>\n</html>"
"""A page that echoes the key back, as a misconfigured proxy might."""

SCENARIOS: dict[str, Scenario] = {
    "429_storm_without_retry_after": Scenario(
        (Fault(status=429, times=STORM),),
        ("HTTP 429", f"{ATTEMPTS} attempts"),
        retried=True,
        waits=(0.5, 1.0, 2.0),
    ),
    "429_storm_with_retry_after": Scenario(
        (Fault(status=429, headers={"Retry-After": "2"}, times=STORM),),
        ("HTTP 429", f"{ATTEMPTS} attempts"),
        retried=True,
        waits=(2.0, 2.0, 2.0),
    ),
    "5xx_storm": Scenario(
        (
            Fault(status=500),
            Fault(status=502),
            Fault(status=503),
            Fault(status=504, times=STORM),
        ),
        ("HTTP 504", f"{ATTEMPTS} attempts"),
        retried=True,
    ),
    "503_storm_with_the_client_as_shipped": Scenario(
        (Fault(status=503, times=STORM),),
        ("HTTP 503", f"{ATTEMPTS} attempts"),
        fast_client=False,
    ),
    "connection_refused": Scenario((), ("ConnectError", f"{ATTEMPTS} attempts"), retried=True),
    "truncated_body": Scenario(
        (Fault(truncate=True, times=STORM),), (f"{ATTEMPTS} attempts",), retried=True
    ),
    "reset_mid_body": Scenario(
        (Fault(reset=True, times=STORM),), (f"{ATTEMPTS} attempts",), retried=True
    ),
    "html_error_page": Scenario(
        (Fault(status=502, body=HTML_WITH_KEY, content_type="text/html", times=STORM),),
        ("HTTP 502", f"{ATTEMPTS} attempts"),
        retried=True,
    ),
    "html_page_with_200": Scenario(
        (Fault(status=200, body=HTML_WITH_KEY, content_type="text/html"),), ("text/html",)
    ),
    "slow_past_the_timeout": Scenario(
        (Fault(delay=TIMEOUT * 4, times=STORM),), ("ReadTimeout", f"{ATTEMPTS} attempts"), True
    ),
    "total_pages_grows_after_a_full_list": Scenario(
        (Fault(meta={"total_pages": 12}, page_number=2, path=VXC_PATH),),
        ("do not add up", "page 1 said there are 8 pages, page 2 says 12"),
    ),
    "an_empty_page": Scenario(
        (Fault(empty=True, page_number=2, path=NETWORK),), ("do not add up", "no items")
    ),
    "duplicates_across_pages": Scenario(
        (Fault(serve_page=2, page_number=3, path=VXC_PATH),), ("do not add up", "again")
    ),
    "meta_missing_on_a_later_page": Scenario(
        (Fault(omit_meta=True, page_number=3, path=VXC_PATH),), ("meta",)
    ),
}


@dataclass
class Run:
    """One pack process against one faulty coverage server."""

    pack: Pack
    server: CoverageServer | None
    tmp: Path
    sleeps: Path

    def recorded_sleeps(self) -> list[float]:
        """The waits between retries the pack's client asked for (fast client only)."""
        if not self.sleeps.exists():
            return []
        return [float(line) for line in self.sleeps.read_text().split()]

    def request_count(self) -> int:
        """How many requests the coverage server has seen (0 when nothing listens)."""
        return len(self.server.requests) if self.server is not None else 0


@pytest.fixture
def run(scenario_name: str, tmp_path: Path) -> Iterator[Run]:
    """The scenario's server with its faults armed, and a pack pointed at it with ``KEY``."""
    scenario = SCENARIOS[scenario_name]
    sleeps = tmp_path / "sleeps.txt"
    pythonpath: list[Path] = []
    if scenario.fast_client:
        seam = tmp_path / "seam"
        seam.mkdir()
        (seam / "sitecustomize.py").write_text(
            SITECUSTOMIZE.format(sleeps=str(sleeps), timeout=TIMEOUT), encoding="utf-8"
        )
        pythonpath.append(seam)
    env = {"TELNYX_API_KEY": KEY, "TELNYX_COVERAGE_REPORT": str(tmp_path / "report.json")}
    with socket.socket() as silent:
        server: CoverageServer | None = None
        if scenario_name == "connection_refused":
            # Bound but never listening: the port stays ours, and a connect is refused.
            silent.bind(("127.0.0.1", 0))
            env["TELNYX_BASE_URL"] = f"http://127.0.0.1:{silent.getsockname()[1]}/v2"
        else:
            server = CoverageServer(EXAMPLE_SNAPSHOT, api_key=KEY, max_page_size=PAGE_SIZE)
            server.start()
            for fault in scenario.faults:
                server.inject(fault)
            env["TELNYX_BASE_URL"] = server.base_url
        pack = start_pack(env, tmp_path, pythonpath=pythonpath)
        try:
            yield Run(pack, server, tmp_path, sleeps)
        finally:
            stop_pack(pack)
            if server is not None:
                server.stop()


def analyze_all(
    pack: Pack, resources: Sequence[tuple[str, str, Mapping[str, Any]]]
) -> dict[str, list[Diagnostic]]:
    """Each resource's diagnostics, asked for at once from several threads, as a preview does."""
    with ThreadPoolExecutor(max_workers=len(resources)) as pool:
        answers = pool.map(lambda r: pack.analyze(*r), resources)
        return {
            name: diagnostics for (_, name, _), diagnostics in zip(resources, answers, strict=True)
        }


def coverage_reasons(
    answers: Mapping[str, list[Diagnostic]],
    resources: Sequence[tuple[str, str, Mapping[str, Any]]],
) -> set[str]:
    """The TNX007 reasons given on ``resources``, each checked to be the only violation."""
    reasons = set()
    for _, name, _ in resources:
        diagnostics = answers[name]
        # One violation, of the mandatory coverage policy: no other policy passed it silently.
        assert [(d.policyName, d.enforcementLevel) for d in diagnostics] == [
            ("telnyx-coverage-available", analyzer_pb2.MANDATORY)
        ], (name, [d.message for d in diagnostics])
        text = violation_text(diagnostics[0])
        assert text.startswith("TNX007: ")
        assert "\n" not in text, text
        assert KEY not in diagnostics[0].message
        reasons.add(text)
    return reasons


@pytest.mark.parametrize("scenario_name", list(SCENARIOS))
def test_every_telnyx_resource_fails_closed_in_one_keyless_line(
    scenario_name: str, run: Run
) -> None:
    scenario = SCENARIOS[scenario_name]
    answers = analyze_all(run.pack, TELNYX_RESOURCES + OTHER_RESOURCES)
    # The same reason for all: the coverage was loaded once, and failed once.
    (reason,) = coverage_reasons(answers, TELNYX_RESOURCES)
    for word in scenario.words:
        assert word in reason, reason
    for _, name, _ in OTHER_RESOURCES:
        assert answers[name] == [], name

    # The failure is remembered: more resources cost no request.
    requests = run.request_count()
    late = [(VXC, "late", vxc(bandwidth=200.0)), (WIREGUARD, "late-wg", placed("chicago-il"))]
    assert coverage_reasons(analyze_all(run.pack, late), late) == {reason}
    assert run.request_count() == requests
    if scenario.retried:
        assert len(run.recorded_sleeps()) == ATTEMPTS - 1
    if scenario.waits is not None:
        assert tuple(run.recorded_sleeps()) == scenario.waits

    # The run's report passes nothing and holds no key; the cache keeps nothing.
    stack = TELNYX_RESOURCES + late + OTHER_RESOURCES
    assert run.pack.analyze_stack(stack) == []
    report_text = (run.tmp / "report.json").read_text(encoding="utf-8")
    assert KEY not in report_text
    report = json.loads(report_text)
    assert {r["status"] for r in report["resources"]} == {"unresolved"}
    assert len(report["resources"]) == len(TELNYX_RESOURCES) + len(late)
    assert {f["rule"] for f in report["findings"]} == {"TNX007"}
    assert report["summary"]["passed"] == 0
    assert not [p for p in (run.tmp / "cache").rglob("*") if p.is_file()]

    stderr = run.pack.stderr()
    assert KEY not in stderr
    assert "Traceback" not in stderr
