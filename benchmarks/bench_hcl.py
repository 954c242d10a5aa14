"""Time the Terraform scanner, and a whole `telnyx-coverage check`, on a generated monorepo.

At scale 1: ~1,600 .tf files, ~100k lines, 400 root modules of which 20 hold Telnyx
resources (through a shared local module too). Target: under 1 s and 150 MB, linear at 10x.

    .venv/bin/python benchmarks/bench_hcl.py [--scale 10] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hcl_checker.hcl import scan

ROOTS = 400
TELNYX_ROOTS = 20
FILLER_RESOURCES = 15  # aws resources per main.tf: sets the line count

VXC_MODULE = """\
variable "region_code" {
  type = string
}

variable "cloud_region" {
  type = string
}

variable "bandwidth_mbps" {
  type    = number
  default = 100
}

resource "telnyx_virtual_cross_connect" "this" {
  network_id               = var.network_id
  name                     = "vxc-${var.region_code}"
  region_code              = var.region_code
  cloud_provider           = "aws"
  cloud_provider_region    = var.cloud_region
  primary_cloud_account_id = "123456789012"
  bgp_asn                  = 64512
  bandwidth_mbps           = var.bandwidth_mbps
}

variable "network_id" {
  type = string
}

output "id" {
  value = telnyx_virtual_cross_connect.this.id
}
"""

VPC_MODULE = """\
variable "cidr" {
  type = string
}

resource "aws_vpc" "this" {
  cidr_block = var.cidr
}

output "id" {
  value = aws_vpc.this.id
}
"""


def filler(index: int) -> str:
    blocks = []
    for n in range(FILLER_RESOURCES):
        blocks.append(
            f'resource "aws_instance" "app_{n}" {{\n'
            f'  ami           = "ami-{index:04d}{n:02d}"\n'
            f"  instance_type = var.instance_type\n"
            f"  subnet_id     = module.vpc.id\n"
            f"  tags = {{\n"
            f'    Name        = "app-{index}-{n}"\n'
            f"    Environment = var.environment\n"
            f'    Team        = "platform"\n'
            f"  }}\n"
            f"  root_block_device {{\n"
            f"    volume_size = 20\n"
            f'    volume_type = "gp3"\n'
            f"  }}\n"
            f"}}\n"
        )
    return "\n".join(blocks)


def telnyx_main(index: int) -> str:
    return f"""\
locals {{
  sites = {{
    fra = {{ region_code = "frankfurt-de", cloud_region = "eu-central-1" }}
    chi = {{ region_code = "chicago-il", cloud_region = "us-east-2" }}
  }}
}}

resource "telnyx_network" "core" {{
  name = "core-{index}"
}}

resource "telnyx_wireguard_interface" "office" {{
  count       = 2
  network_id  = telnyx_network.core.id
  name        = "office-${{count.index}}"
  region_code = var.wireguard_region
}}

module "vxc" {{
  source         = "../../modules/telnyx-vxc"
  for_each       = local.sites
  network_id     = telnyx_network.core.id
  region_code    = each.value.region_code
  cloud_region   = each.value.cloud_region
  bandwidth_mbps = lookup(var.bandwidth, var.environment, 100)
}}
"""


def variables(telnyx: bool) -> str:
    text = (
        'variable "environment" {\n  type    = string\n  default = "staging"\n}\n\n'
        'variable "instance_type" {\n  type    = string\n  default = "t3.micro"\n}\n'
    )
    if telnyx:
        text += (
            '\nvariable "wireguard_region" {\n  type    = string\n  default = "ashburn-va"\n}\n'
            '\nvariable "bandwidth" {\n  type    = map(number)\n'
            "  default = { staging = 200, production = 1000 }\n}\n"
        )
    return text


def generate(top: Path, scale: int) -> tuple[int, int]:
    """Write the monorepo; returns (files, lines)."""
    files = lines = 0

    def put(path: Path, text: str) -> None:
        nonlocal files, lines
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        files += 1
        lines += text.count("\n")

    put(top / "modules/telnyx-vxc/main.tf", VXC_MODULE)
    put(top / "modules/vpc/main.tf", VPC_MODULE)
    roots = ROOTS * scale
    every = roots // (TELNYX_ROOTS * scale)
    for i in range(roots):
        root = top / "envs" / f"service-{i:05d}"
        telnyx = i % every == 0
        main = 'module "vpc" {\n  source = "../../modules/vpc"\n  cidr   = "10.0.0.0/16"\n}\n\n'
        main += filler(i)
        if telnyx:
            main += "\n" + telnyx_main(i)
        put(root / "main.tf", main)
        put(root / "variables.tf", variables(telnyx))
        put(root / "outputs.tf", 'output "vpc_id" {\n  value = module.vpc.id\n}\n')
        put(
            root / "versions.tf",
            'terraform {\n  required_version = ">= 1.5"\n  required_providers {\n'
            '    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n'
            '    telnyx = {\n      source = "team-telnyx/telnyx"\n    }\n  }\n}\n',
        )
    return files, lines


def time_check(top: Path) -> tuple[float, float]:
    """Wall seconds and peak MB of ``telnyx-coverage check`` on ``top``, in its own process."""
    snapshot = Path(__file__).resolve().parent.parent / "examples" / "coverage-snapshot.json"
    command = [
        sys.executable,
        "-m",
        "hcl_checker",
        "check",
        str(top),
        "--coverage",
        str(snapshot),
        "--format",
        "json",
        "--output",
        os.devnull,
    ]
    start = time.perf_counter()
    subprocess.run(command, cwd=top, check=False, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kib / 1024


def main() -> None:
    """Generate, scan once, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the tree here and keep it")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    args = parser.parse_args()

    top = args.keep or Path(tempfile.mkdtemp(prefix="bench-hcl-"))
    try:
        files, lines = generate(top, args.scale)
        print(f"generated {files} files, {lines} lines, {ROOTS * args.scale} root modules")
        if args.tracemalloc:
            tracemalloc.start()
        start = time.perf_counter()
        result = scan([top], cwd=top, environ={})
        wall = time.perf_counter() - start
        traced = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
        max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(f"wall time       {wall:.3f} s")
        print(f"peak memory     {max_rss_mb:.0f} MB (max RSS of the process)")
        if traced is not None:
            print(f"traced peak     {traced / 2**20:.0f} MB (tracemalloc)")
        print(f"files seen      {result.files_seen} ({result.files_seen / wall:,.0f} files/s)")
        print(f"files parsed    {result.files_parsed}")
        print(f"resources       {len(result.resources)}")
        print(f"errors          {len(result.errors)}")
        check_wall, check_rss = time_check(top)
        print(
            f"check (CLI)     {check_wall:.3f} s wall, {check_rss:.0f} MB peak "
            "(a fresh `telnyx-coverage check --coverage examples/coverage-snapshot.json` "
            "process, imports included)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
