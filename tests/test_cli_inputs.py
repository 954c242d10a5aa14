"""`check --pulumi`, `check --changed` (pre-commit's way) and the progress indicator."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hcl_checker.cli import main
from hcl_checker.progress import INTERVAL, Progress

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = str(REPO / "examples" / "coverage-snapshot.json")

WIREGUARD = """resource "telnyx_wireguard_interface" "wg" {{
  network_id  = "net-1"
  region_code = {region}
}}
"""


def check_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main(["check", *argv, "--coverage", SNAPSHOT, "--format", "json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out) if out else {"stderr": err}


def test_pulumi_program_is_checked_under_mocks(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    code, report = check_json(capsys, "--pulumi", "examples/pulumi")
    assert code == 1
    findings = report["findings"]
    assert isinstance(findings, list)
    assert [(f["rule"], f["file"], f["line"]) for f in findings] == [
        ("TNX004", "examples/pulumi/__main__.py", 33)
    ]
    assert findings[0]["address"].startswith("urn:pulumi:dev::")


def test_stack_needs_pulumi(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--stack", "dev", "--coverage", SNAPSHOT]) == 2
    assert "--stack goes with --pulumi" in capsys.readouterr().err


def test_pulumi_needs_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--pulumi", str(tmp_path / "main.py"), "--coverage", SNAPSHOT]) == 2
    assert "--pulumi needs a directory" in capsys.readouterr().err


def test_changed_checks_only_the_modules_holding_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(WIREGUARD.format(region='"atlantis"'))
    (tmp_path / "a" / "terraform.tfvars").write_text("")
    monkeypatch.chdir(tmp_path)
    code, report = check_json(capsys, "--changed", "a/terraform.tfvars")
    assert code == 1
    assert [(r["file"], r["status"]) for r in report["resources"]] == [("a/main.tf", "failed")]


def test_changed_reaches_a_child_module_through_its_caller(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "modules" / "wg").mkdir(parents=True)
    (tmp_path / "modules" / "wg" / "main.tf").write_text(
        'variable "region" {}\n' + WIREGUARD.format(region="var.region")
    )
    (tmp_path / "main.tf").write_text(
        'module "wg" {\n  source = "./modules/wg"\n  region = "frankfurt-de"\n}\n'
    )
    monkeypatch.chdir(tmp_path)
    code, report = check_json(capsys, "--changed", "modules/wg/main.tf")
    assert code == 0
    assert [(r["address"], r["status"]) for r in report["resources"]] == [
        ("module.wg.telnyx_wireguard_interface.wg", "passed")
    ]


def _run_on_a_terminal(argv: list[str], cwd: Path) -> tuple[int, str]:
    """Run the CLI with stdout and stderr on a pseudo-terminal; what the terminal showed."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TELNYX_COVERAGE_MAX_AGE": "36500d"}
    process = subprocess.Popen(
        [sys.executable, "-m", "hcl_checker", *argv],
        cwd=cwd,
        stdout=follower,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=120), shown.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def many_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("many")
    for i in range(400):
        (top / f"m{i:03}").mkdir()
        (top / f"m{i:03}" / "main.tf").write_text(WIREGUARD.format(region='"frankfurt-de"'))
    return top


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_redraws_one_line_on_a_terminal_and_clears_it() -> None:
    terminal = _Terminal()
    progress = Progress.for_terminal(terminal, quiet=False, delay=0)
    progress.modules(1, 400, 0)
    time.sleep(INTERVAL)
    progress.modules(120, 400, 15)
    progress.clear()
    assert terminal.getvalue() == (
        "\r\x1b[Kscanning: 1/400 root modules, 0 Telnyx resources"
        "\r\x1b[Kscanning: 120/400 root modules, 15 Telnyx resources"
        "\r\x1b[K"
    )


def test_progress_is_silent_when_quiet_not_a_terminal_or_quick() -> None:
    for progress, stream in [
        (Progress.for_terminal(s := _Terminal(), quiet=True, delay=0), s),
        (Progress.for_terminal(s := io.StringIO(), quiet=False, delay=0), s),
        (Progress.for_terminal(s := _Terminal(), quiet=False), s),
    ]:
        progress.modules(1, 2, 0)
        progress.clear()
        assert stream.getvalue() == ""


def test_no_progress_with_quiet_or_when_not_a_terminal(many_modules: Path) -> None:
    code, shown = _run_on_a_terminal(
        ["check", ".", "--coverage", SNAPSHOT, "--quiet"], many_modules
    )
    assert code == 0 and "scanning: " not in shown
    result = subprocess.run(
        [sys.executable, "-m", "hcl_checker", "check", ".", "--coverage", SNAPSHOT],
        cwd=many_modules,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TELNYX_COVERAGE_MAX_AGE": "36500d"},
    )
    assert result.returncode == 0
    assert result.stderr == ""
    assert "scanning: " not in result.stdout
