"""Time the plan JSON front end, and a whole `telnyx-coverage check plan.json`, on a big plan.

At scale 1: 10,000 resource changes, of which 500 are Telnyx resources (VXCs in modules with
for_each, WireGuard interfaces with count, restapi_object gateways), the rest AWS resources
with realistic attribute sets, some deletes and no-ops. Target: under 1 s with a snapshot.

    .venv/bin/python benchmarks/bench_plan.py [--scale 10] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hcl_checker.plan import read_plan

CHANGES = 10_000
TELNYX = 500
SNAPSHOT = Path(__file__).resolve().parent.parent / "examples" / "coverage-snapshot.json"
SITES = [
    ("frankfurt-de", "eu-central-1", 500),
    ("chicago-il", "us-east-2", 200),  # only 50 offered: a TNX004 finding
    ("ashburn-va", "us-east-1", 1000),
    ("london-gb", "eu-west-2", 100),
]


def _change(
    address: str,
    type_: str,
    after: dict[str, Any] | None,
    unknown: dict[str, Any],
    actions: list[str],
    module: str = "",
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "address": address,
        "mode": "managed",
        "type": type_,
        "name": address.rsplit(".", 1)[-1].split("[")[0],
        "provider_name": "registry.terraform.io/team-telnyx/telnyx",
        "change": {
            "actions": actions,
            "before": None if actions == ["create"] else after,
            "after": after,
            "after_unknown": unknown,
            "before_sensitive": False,
            "after_sensitive": {} if after is not None else False,
        },
    }
    if module:
        entry["module_address"] = module
    return entry


def telnyx_change(n: int) -> dict[str, Any]:
    region, cloud_region, bandwidth = SITES[n % len(SITES)]
    if n % 5 == 0:
        after: dict[str, Any] = {"network_id": "net", "name": f"wg-{n}", "region_code": region}
        return _change(
            f"telnyx_wireguard_interface.office[{n}]",
            "telnyx_wireguard_interface",
            after,
            {"id": True, "public_key": True, "endpoint": True},
            ["create"],
        )
    if n % 7 == 0:
        data = json.dumps({"network_id": "net", "name": f"gw-{n}", "region_code": region})
        return _change(
            f"restapi_object.gateway[{n}]",
            "restapi_object",
            {"path": "/v2/public_internet_gateways", "data": data},
            {"id": True, "api_data": True, "api_response": True},
            ["create"],
        )
    after = {
        "network_id": "net",
        "name": f"vxc-{n}",
        "region_code": region,
        "cloud_provider": "aws",
        "cloud_provider_region": cloud_region,
        "bandwidth_mbps": bandwidth,
        "bgp_asn": 64512,
        "primary_cloud_account_id": "123456789012",
    }
    unknown = {"id": True, "status": True, "created_at": True}
    if n % 50 == 0:
        del after["region_code"]
        unknown["region_code"] = True
    return _change(
        f'module.edge["site-{n}"].telnyx_virtual_cross_connect.aws[0]',
        "telnyx_virtual_cross_connect",
        after,
        unknown,
        ["update"] if n % 3 == 0 else ["create"],
        module=f'module.edge["site-{n}"]',
    )


def filler_change(n: int) -> dict[str, Any]:
    after = {
        "ami": f"ami-{n:08x}",
        "instance_type": "t3.micro",
        "subnet_id": f"subnet-{n % 97:04d}",
        "tags": {"Name": f"app-{n}", "Environment": "production", "Team": "platform"},
        "root_block_device": [{"volume_size": 20, "volume_type": "gp3", "encrypted": True}],
        "monitoring": False,
        "user_data": None,
    }
    actions = [["create"], ["no-op"], ["update"], ["delete"]][n % 4]
    return _change(
        f'module.service["svc-{n // 20}"].aws_instance.app[{n % 20}]',
        "aws_instance",
        None if actions == ["delete"] else after,
        {"id": True, "arn": True, "private_ip": True, "public_ip": True},
        actions,
        module=f'module.service["svc-{n // 20}"]',
    )


def generate(path: Path, scale: int) -> tuple[int, int]:
    """Write the plan; returns (resource changes, Telnyx changes)."""
    telnyx = TELNYX * scale
    total = CHANGES * scale
    every = total // telnyx
    changes = []
    t = 0
    for n in range(total):
        if n % every == 0 and t < telnyx:
            changes.append(telnyx_change(t))
            t += 1
        else:
            changes.append(filler_change(n))
    document = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": changes,
        "configuration": {"root_module": {}},
        "timestamp": "2026-12-04T11:30:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }
    path.write_text(json.dumps(document, separators=(",", ":")))
    return total, t


def time_check(plan: Path) -> tuple[float, float, int]:
    """Wall seconds, peak MB and exit code of ``telnyx-coverage check plan.json``."""
    command = [
        sys.executable,
        "-m",
        "hcl_checker",
        "check",
        str(plan),
        "--coverage",
        str(SNAPSHOT),
        "--format",
        "json",
        "--output",
        os.devnull,
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=plan.parent, check=False, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kib / 1024, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the plan here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plan = args.keep or Path(tmp) / "plan.json"
        total, telnyx = generate(plan, args.scale)
        size_mb = plan.stat().st_size / 2**20
        start = time.perf_counter()
        result = read_plan(plan, cwd=plan.parent)
        read_s = time.perf_counter() - start
        wall, peak, code = time_check(plan)
        print(f"plan: {total:,} resource changes ({telnyx:,} Telnyx), {size_mb:.1f} MB")
        print(f"read_plan: {read_s * 1000:.0f} ms, {len(result.resources):,} resources to check")
        print(
            f"telnyx-coverage check plan.json --coverage snapshot: {wall:.2f} s wall "
            f"(process start included), peak {peak:.0f} MB, exit {code}"
        )


if __name__ == "__main__":
    main()
