"""The policy pack as the Pulumi CLI runs it: a subprocess driven over its gRPC analyzer API.

The CLI runs ``python -u -m pulumi.policy <engine-address> .`` in ``policy/``, reads the port
the pack prints, then calls ``GetAnalyzerInfo``, ``Configure``, ``Analyze`` (once per
resource) and ``AnalyzeStack``. :func:`start_pack` does the same; :class:`Pack` makes the
calls. Shared by test_policy_pack.py and test_pack_faults.py.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc  # type: ignore[import-untyped]
import pytest
from google.protobuf import empty_pb2, struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

ROOT = Path(__file__).resolve().parents[1]
POLICY_DIR = ROOT / "policy"
EXAMPLE_SNAPSHOT = ROOT / "examples" / "coverage-snapshot.json"
ENGINE_ADDRESS = "127.0.0.1:50051"  # the pack never dials it; the CLI always passes one

VXC = "telnyx:index/virtualCrossConnect:VirtualCrossConnect"
WIREGUARD = "telnyx:index/wireguardInterface:WireguardInterface"
PUBLIC_GATEWAY = "telnyx:index/publicInternetGateway:PublicInternetGateway"
WIRELESS_GATEWAY = "telnyx:index/privateWirelessGateway:PrivateWirelessGateway"
RESTAPI = "restapi:index/object:Object"
CUSTOM_VXC = "acme:network/crossConnect:CrossConnect"
UNKNOWN_NUMBER = "3eeb2bf0-c639-47a8-9e75-3b44932eb421"  # the engine's placeholder in preview

RULE_POLICIES = (
    "telnyx-required-attributes",
    "telnyx-known-location",
    "telnyx-service-available",
    "telnyx-vxc-cloud-region",
    "telnyx-vxc-bandwidth",
    "telnyx-coverage-available",
)
LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}

Diagnostic = Any
"""An ``analyzer_pb2.AnalyzeDiagnostic`` (the generated protobuf classes carry no types)."""


def urn(type_token: str, name: str) -> str:
    """A URN as the engine makes it for a resource under the stack."""
    return f"urn:pulumi:dev::telnyx-example::{type_token}::{name}"


def vxc(
    region: str = "chicago-il",
    provider: str = "aws",
    cloud_region: str = "us-east-1",
    bandwidth: Any = 500.0,
) -> dict[str, Any]:
    """VXC properties as the engine sends them: camelCase, numbers as floats."""
    return {
        "networkId": "6a09cdc3-8948-47f0-aa62-74ac943d6c58",
        "name": "acme-vxc",
        "regionCode": region,
        "cloudProvider": provider,
        "cloudProviderRegion": cloud_region,
        "bandwidthMbps": bandwidth,
        "bgpAsn": 64512.0,
        "primaryCloudAccountId": "123456789012",
    }


def placed(region: str | None) -> dict[str, Any]:
    """A WireGuard interface or gateway: a network and (unless None) a region_code."""
    props: dict[str, Any] = {"networkId": "6a09cdc3", "name": "acme-edge"}
    if region is not None:
        props["regionCode"] = region
    return props


def without(props: dict[str, Any], *names: str) -> dict[str, Any]:
    """``props`` without the given keys."""
    return {k: v for k, v in props.items() if k not in names}


@dataclass
class Pack:
    """A running policy pack and a client for its analyzer API."""

    process: subprocess.Popen[bytes]
    channel: grpc.Channel
    stub: analyzer_pb2_grpc.AnalyzerStub
    stderr_path: Path

    def analyze(self, type_token: str, name: str, props: Mapping[str, Any]) -> list[Diagnostic]:
        """The diagnostics for one resource, as the engine asks for them during preview."""
        properties = struct_pb2.Struct()
        properties.update(dict(props))
        response = self.stub.Analyze(
            analyzer_pb2.AnalyzeRequest(
                type=type_token, properties=properties, urn=urn(type_token, name), name=name
            )
        )
        return list(response.diagnostics)

    def analyze_stack(
        self, resources: Sequence[tuple[str, str, Mapping[str, Any]]]
    ) -> list[Diagnostic]:
        """The stack policies' diagnostics, at the end of the run."""
        request = analyzer_pb2.AnalyzeStackRequest()
        for type_token, name, props in resources:
            resource = request.resources.add(type=type_token, urn=urn(type_token, name), name=name)
            resource.properties.update(dict(props))
        return list(self.stub.AnalyzeStack(request).diagnostics)

    def configure(self, given: Mapping[str, Any]) -> None:
        """``--policy-pack-config``, reconciled as the Pulumi CLI does before Configure: every
        policy gets its default level from GetAnalyzerInfo, then ``all``, then its own entry."""
        info = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        levels = {policy.name: policy.enforcementLevel for policy in info.policies}
        for name, value in given.items():
            level = value if isinstance(value, str) else value.get("enforcementLevel")
            if level is None:
                continue
            targets = list(levels) if name == "all" else [name]
            for target in targets:
                levels[target] = LEVELS[level]
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, level in levels.items():
            request.policyConfig[name].enforcementLevel = level
        self.stub.Configure(request)

    def stderr(self) -> str:
        """What the pack has written to stderr so far."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


def start_pack(env: Mapping[str, str], tmp: Path, *, pythonpath: Sequence[Path] = ()) -> Pack:
    """``python -u -m pulumi.policy <engine> .`` in ``policy/``, as the Pulumi CLI runs it.

    The pack gets this process's environment without any ``TELNYX_``/``PULUMI_`` variable,
    a cache dir under ``tmp``, then ``env``; ``pythonpath`` goes before the project on
    ``PYTHONPATH`` (a test's ``sitecustomize.py``, say).
    """
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELNYX_", "PULUMI_"))}
    paths = [*map(str, pythonpath), str(ROOT), environ.get("PYTHONPATH", "")]
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    environ["TELNYX_COVERAGE_CACHE_DIR"] = str(tmp / "cache")
    environ.update(env)
    stderr_path = tmp / "pack-stderr.txt"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, "."],
            cwd=POLICY_DIR,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 60)
    line = process.stdout.readline() if ready else b""
    if not line.strip().isdigit():
        process.kill()
        process.wait()
        pytest.fail(f"the pack printed no port: {line!r}\n{stderr_path.read_text()}")
    channel = grpc.insecure_channel(f"127.0.0.1:{int(line)}")
    return Pack(process, channel, analyzer_pb2_grpc.AnalyzerStub(channel), stderr_path)


def stop_pack(pack: Pack) -> None:
    """Close the channel and end the pack's process (it serves until killed, as under the CLI)."""
    pack.channel.close()
    pack.process.kill()
    pack.process.wait()
    if pack.process.stdout is not None:
        pack.process.stdout.close()


def only(diagnostics: list[Diagnostic]) -> Diagnostic:
    """The one diagnostic in ``diagnostics``."""
    assert len(diagnostics) == 1, [d.message for d in diagnostics]
    return diagnostics[0]


def violation_text(diagnostic: Diagnostic) -> str:
    """What the pack reported, without the description the SDK puts before it."""
    text: str = diagnostic.message.split("\n", 1)[1]
    return text
