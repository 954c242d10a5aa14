"""The README's two set-up commands are the ones CI runs and the ones that work."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def setup_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.S)


def test_the_readme_starts_with_exactly_two_setup_commands() -> None:
    commands = setup_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)


def test_ci_runs_the_readme_test_command() -> None:
    ci_lines = (REPO / ".ci" / "run").read_text().splitlines()
    assert setup_commands()[1] in ci_lines


def test_the_main_job_runs_on_the_bundled_example_with_no_key_and_no_network() -> None:
    main_job = setup_commands()[0].split(" && ")[-1]
    assert main_job.startswith(".venv/bin/telnyx-coverage check examples/terraform ")
    argv = main_job.split()[1:]
    result = subprocess.run(
        [sys.executable, "-m", "hcl_checker", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "TELNYX_BASE_URL": "http://127.0.0.1:9/v2"},
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "4 failed" in result.stdout
    assert "Traceback" not in result.stderr
