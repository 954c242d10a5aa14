"""The pre-commit hook, run by the real pre-commit against this repository."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO / "examples" / "coverage-snapshot.json"

VXC = """resource "telnyx_virtual_cross_connect" "aws" {{
  network_id               = "net-1"
  region_code              = "chicago-il"
  cloud_provider           = "aws"
  cloud_provider_region    = "us-east-1"
  bgp_asn                  = 64512
  primary_cloud_account_id = "123456789012"
  bandwidth_mbps           = {bandwidth}
}}
"""


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def try_repo(project: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo`` this repository's ``telnyx-coverage`` hook on ``files``."""
    env = {
        **os.environ,
        # Offline: pre-commit builds the hook's environment from this repository with no
        # index and no dependencies; they come from the test's own environment instead, so
        # the test never reaches a package registry.
        "PIP_NO_INDEX": "1",
        "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads "0" here as: no build isolation
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "PRE_COMMIT_HOME": str(home),
        "TELNYX_COVERAGE_FILE": str(SNAPSHOT),
        "TELNYX_COVERAGE_MAX_AGE": "36500d",
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(REPO),
            "telnyx-coverage",
            "--files",
            *files,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_hook_fails_on_a_mistake_then_passes_once_fixed(tmp_path: Path) -> None:
    project, home = tmp_path / "project", tmp_path / "pre-commit-home"
    (project / "network").mkdir(parents=True)
    (project / "legacy").mkdir()
    git(project, "init", "-q")
    (project / "network" / "main.tf").write_text(VXC.format(bandwidth=1000))
    # A mistake in a module that did not change is not this commit's business.
    (project / "legacy" / "main.tf").write_text(VXC.format(bandwidth=3))
    git(project, "add", "-A")

    failed = try_repo(project, home, "network/main.tf")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "telnyx-coverage (Terraform)" in failed.stdout and "Failed" in failed.stdout
    assert (
        "network/main.tf:8: error TNX004 telnyx_virtual_cross_connect.aws: bandwidth_mbps 1000"
        " is not offered from chicago-il to aws us-east-1"
    ) in failed.stdout
    assert "legacy" not in failed.stdout

    (project / "network" / "main.tf").write_text(VXC.format(bandwidth=500))
    git(project, "add", "-A")
    passed = try_repo(project, home, "network/main.tf")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_the_manifest_is_valid_and_each_hook_entry_runs(tmp_path: Path) -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(REPO / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"telnyx-coverage", "telnyx-coverage-pulumi"}
    assert hooks["telnyx-coverage"]["files"] == r"\.(tf|tfvars)$|\.tf\.json$"

    # The Pulumi hook as pre-commit would run it (no file names), with args pointing at the
    # example program: its deliberate mistake fails the hook.
    pulumi = hooks["telnyx-coverage-pulumi"]
    assert pulumi["pass_filenames"] is False
    entry = pulumi["entry"].split()
    assert entry[0] == "telnyx-coverage"
    result = subprocess.run(
        [sys.executable, "-m", "hcl_checker", *entry[1:], "examples/pulumi"],
        cwd=REPO,
        env={**os.environ, "TELNYX_COVERAGE_FILE": str(SNAPSHOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert "TNX004" in result.stdout
