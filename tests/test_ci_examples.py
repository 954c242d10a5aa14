"""The CI examples and the composite action run as written.

Every ``telnyx-coverage ...`` command line in examples/ci/github-actions.yml and
examples/ci/gitlab-ci.yml is run for real, with bash, in a copy of the repository's
``examples/`` layout, with the environment the YAML gives it (workflow/job/step ``env:``,
GitLab ``variables:``), in job order: the ``snapshot`` job fetches from the project's coverage
server on 127.0.0.1 and writes the file the later jobs download, and those check against it
with ``--coverage`` without asking the API again (the air-gapped flow of docs/offline.md).
The composite action's scripts run the same way, with their inputs in the environment.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped,unused-ignore]
from sarif_util import assert_valid_sarif

from telnyx_coverage.coverage_server import CoverageServer

REPO = Path(__file__).resolve().parents[1]
ACTION = REPO / "action.yml"
GITHUB = REPO / "examples" / "ci" / "github-actions.yml"
GITLAB = REPO / "examples" / "ci" / "gitlab-ci.yml"
VENV_BIN = Path(sys.executable).parent
TEST_KEY = "test-key"

# What each command line of the examples must exit with, and why. A command line added to an
# example without an entry here fails test_every_command_line_is_documented.
EXPECTED_EXIT: dict[tuple[str, str, str], tuple[int, str]] = {
    (GITHUB.name, "coverage", 'telnyx-coverage snapshot -o "$COVERAGE"'): (
        0,
        "writes the snapshot the other jobs download",
    ),
    (
        GITHUB.name,
        "lint",
        'telnyx-coverage check "$TF_DIR" --coverage "$COVERAGE" --format sarif '
        "--output telnyx-coverage.sarif --fail-on never",
    ): (0, "SARIF for code scanning: --fail-on never, the findings go to code scanning"),
    (
        GITHUB.name,
        "lint",
        'telnyx-coverage check "$TF_DIR" --coverage "$COVERAGE" --format github',
    ): (1, "examples/terraform holds four deliberate mistakes: annotated, and the job fails"),
    (
        GITHUB.name,
        "plan",
        'telnyx-coverage check "$TF_DIR/plan.json" --coverage "$COVERAGE" --format github',
    ): (1, "examples/plan plans a private wireless gateway where none is offered: no apply"),
    (GITLAB.name, "coverage", 'telnyx-coverage snapshot -o "$COVERAGE"'): (
        0,
        "writes the snapshot artifact",
    ),
    (
        GITLAB.name,
        "telnyx-coverage",
        'telnyx-coverage check "$TF_DIR" --coverage "$COVERAGE" --format junit '
        "--output telnyx-coverage.xml --fail-on never",
    ): (0, "the JUnit report for the merge request never fails the job by itself"),
    (GITLAB.name, "telnyx-coverage", 'telnyx-coverage check "$TF_DIR" --coverage "$COVERAGE"'): (
        1,
        "examples/terraform holds four deliberate mistakes: the lint job fails",
    ),
    (
        GITLAB.name,
        "plan-gate",
        'telnyx-coverage check "$TF_DIR/plan.json" --coverage "$COVERAGE"',
    ): (1, "examples/plan plans a private wireless gateway where none is offered: no apply"),
}


@dataclass(frozen=True)
class Command:
    """One ``telnyx-coverage`` command line of a CI file, with the environment it runs in."""

    file: str
    job: str
    line: str
    env: dict[str, str]
    working_directory: str = "."

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.job, self.line)


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), f"{path.name} is no YAML mapping"
    return document


def invokes_the_cli(line: str) -> bool:
    """True for a shell line whose command is ``telnyx-coverage`` (any directory in front)."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        return False
    return bool(words) and Path(words[0]).name == "telnyx-coverage"


_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def resolve(value: object, contexts: Mapping[str, Mapping[str, str]]) -> str:
    """A GitHub ``${{ context.name }}`` expression (or text holding some) resolved."""

    def one(match: re.Match[str]) -> str:
        context, _, name = match.group(1).partition(".")
        assert context in contexts and name in contexts[context], (
            f"the test does not know ${{{{ {match.group(1)} }}}}"
        )
        return contexts[context][name]

    return _EXPRESSION.sub(one, str(value))


def _in_needs_order(jobs: Mapping[str, Any]) -> list[str]:
    done: list[str] = []
    while len(done) < len(jobs):
        ready = [
            name
            for name, job in jobs.items()
            if name not in done and all(n in done for n in _as_list(job.get("needs", [])))
        ]
        assert ready, "the jobs' needs form a cycle"
        done += ready
    return done


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value]


def github_commands() -> list[Command]:
    """The workflow's command lines in job order, each with workflow + job + step env."""
    workflow = load(GITHUB)
    jobs = workflow["jobs"]
    commands = []
    for job_name in _in_needs_order(jobs):
        job = jobs[job_name]
        for step in job["steps"]:
            if "run" not in step:
                continue
            env: dict[str, str] = {}
            for scope in (workflow, job, step):
                for name, value in (scope.get("env") or {}).items():
                    env[name] = resolve(
                        value, {"env": env, "secrets": {"TELNYX_API_KEY": TEST_KEY}}
                    )
            directory = resolve(step.get("working-directory", "."), {"env": env})
            for line in step["run"].splitlines():
                if invokes_the_cli(line):
                    commands.append(Command(GITHUB.name, job_name, line.strip(), env, directory))
    return commands


GITLAB_KEYWORDS = frozenset(
    {"stages", "variables", "default", "include", "workflow", "image", "services", "cache"}
)


def gitlab_commands() -> list[Command]:
    """The pipeline's command lines in stage order, each with global + job variables.

    TELNYX_API_KEY is a masked CI/CD variable of the project: every job has it.
    """
    pipeline = load(GITLAB)
    stages = pipeline["stages"]
    jobs = {
        name: job
        for name, job in pipeline.items()
        if name not in GITLAB_KEYWORDS and not name.startswith(".")
    }
    commands = []
    for name in sorted(jobs, key=lambda n: stages.index(jobs[n]["stage"])):
        job = jobs[name]
        env = {"TELNYX_API_KEY": TEST_KEY}
        env |= {k: str(v) for k, v in (pipeline.get("variables") or {}).items()}
        env |= {k: str(v) for k, v in (job.get("variables") or {}).items()}
        for entry in [*job.get("before_script", []), *job["script"]]:
            for line in entry.splitlines():
                if invokes_the_cli(line):
                    commands.append(Command(GITLAB.name, name, line.strip(), env))
    return commands


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A fresh copy of the repository's examples/, as a job's checkout would have it."""
    root = tmp_path / "checkout"
    shutil.copytree(REPO / "examples", root / "examples")
    return root


def base_env(server: CoverageServer) -> dict[str, str]:
    """What every job's shell has: the venv's tools, a private cache, the API's address."""
    return {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "TELNYX_COVERAGE_CACHE_DIR": os.environ["TELNYX_COVERAGE_CACHE_DIR"],
        # Stands in for https://api.telnyx.com/v2: reachable, but only the snapshot job may ask.
        "TELNYX_BASE_URL": server.base_url,
    }


def run_shell(
    script: str,
    *,
    cwd: Path,
    env: Mapping[str, str],
    options: tuple[str, ...] = ("-euo", "pipefail"),
) -> subprocess.CompletedProcess[str]:
    """``script`` run by bash as a CI runner does; ``-u`` also catches a variable no YAML sets."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", *options, "-c", script],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_pipeline(
    commands: list[Command], checkout: Path, server: CoverageServer
) -> dict[tuple[str, str, str], subprocess.CompletedProcess[str]]:
    """Run every command in order; after the snapshot, the API must not be asked again."""
    results = {}
    for command in commands:
        if "snapshot" not in shlex.split(command.line):
            server.reset_requests()
        result = run_shell(
            command.line,
            cwd=checkout / command.working_directory,
            env=base_env(server) | command.env,
        )
        results[command.key] = result
        expected, why = EXPECTED_EXIT[command.key]
        assert result.returncode == expected, (
            f"{command.file} job {command.job}: `{command.line}` exited {result.returncode}, "
            f"expected {expected} ({why})\n{result.stdout}\n{result.stderr}"
        )
        assert "usage:" not in result.stderr and "Traceback" not in result.stderr
        if "snapshot" not in shlex.split(command.line):
            assert server.requests == [], f"`{command.line}` asked the API despite --coverage"
    return results


def test_every_command_line_is_documented() -> None:
    found = [c.key for c in github_commands() + gitlab_commands()]
    assert len(found) == len(set(found))
    assert set(found) == set(EXPECTED_EXIT)


def test_the_github_workflow_runs_as_written(
    checkout: Path, coverage_server: CoverageServer
) -> None:
    workflow = load(GITHUB)
    commands = github_commands()
    coverage_file = checkout / commands[0].env["COVERAGE"]
    assert not coverage_file.exists()
    results = run_pipeline(commands, checkout, coverage_server)

    # The coverage job wrote the snapshot it uploads, from the API it was given.
    snapshot = json.loads(coverage_file.read_text())
    assert (snapshot["schema_version"], snapshot["base_url"]) == (1, coverage_server.base_url)
    upload = next(
        s for s in workflow["jobs"]["coverage"]["steps"] if "upload-artifact" in s.get("uses", "")
    )
    assert resolve(upload["with"]["path"], {"env": commands[0].env}) == coverage_file.name
    for job in ("lint", "plan"):
        steps = workflow["jobs"][job]["steps"]
        download = next(s for s in steps if "download-artifact" in s.get("uses", ""))
        assert download["with"]["name"] == upload["with"]["name"]

    # lint: SARIF uploaded to code scanning, with the permission it needs; annotations.
    lint = workflow["jobs"]["lint"]
    assert lint["permissions"]["security-events"] == "write"
    sarif_upload = next(s for s in lint["steps"] if "upload-sarif" in s.get("uses", ""))
    sarif = json.loads((checkout / sarif_upload["with"]["sarif_file"]).read_text())
    assert_valid_sarif(sarif)
    assert len(sarif["runs"][0]["results"]) == 4
    annotate = next(r for k, r in results.items() if k[1] == "lint" and "github" in k[2])
    assert "::error file=examples/terraform/main.tf,line=39,title=TNX002" in annotate.stdout

    # plan: the gate reads the plan of examples/plan and points at its .tf lines.
    gate = next(r for k, r in results.items() if k[1] == "plan")
    assert "::error file=examples/plan/main.tf,line=57,title=TNX002" in gate.stdout


def test_the_gitlab_pipeline_runs_as_written(
    checkout: Path, coverage_server: CoverageServer
) -> None:
    pipeline = load(GITLAB)
    commands = gitlab_commands()
    coverage_file = checkout / commands[0].env["COVERAGE"]
    run_pipeline(commands, checkout, coverage_server)

    assert json.loads(coverage_file.read_text())["base_url"] == coverage_server.base_url
    assert pipeline["coverage"]["artifacts"]["paths"] == [coverage_file.name]
    # The JUnit report the merge request shows: one test case per resource.
    lint = pipeline["telnyx-coverage"]
    assert lint["artifacts"]["when"] == "always"
    junit = ET.parse(checkout / lint["artifacts"]["reports"]["junit"]).getroot()
    cases = junit.findall(".//testcase")
    assert len(cases) == 7
    assert len([c for c in cases if c.find("failure") is not None]) == 4


# --- the composite action --------------------------------------------------------------------


def action_step(action: dict[str, Any], name: str) -> dict[str, Any]:
    step: dict[str, Any] = next(s for s in action["runs"]["steps"] if s.get("name") == name)
    return step


def test_the_action_declares_its_inputs_and_passes_them_safely() -> None:
    action = load(ACTION)
    inputs = action["inputs"]
    assert {"paths", "format", "fail-on", "snapshot", "sarif"} <= set(inputs)
    assert all(spec.get("description") for spec in inputs.values())
    defaults = {name: spec.get("default") for name, spec in inputs.items()}
    assert defaults["paths"] == "."
    assert defaults["format"] == "github"
    assert defaults["fail-on"] == "error"
    assert defaults["snapshot"] == ""
    assert defaults["sarif"] == "false"
    assert action["runs"]["using"] == "composite"
    text = ACTION.read_text()
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert used == set(inputs), "every input is used, and only declared inputs are"
    for step in action["runs"]["steps"]:
        # An input pasted into a script could inject shell code: they go through env.
        assert "${{" not in step.get("run", "")
    assert action["outputs"]["sarif-file"]["value"] == "${{ steps.sarif.outputs.file }}"
    assert any(s.get("id") == "sarif" for s in action["runs"]["steps"])
    install = action_step(action, "Install telnyx-coverage")
    assert resolve(install["env"]["ACTION_PATH"], {"github": {"action_path": str(REPO)}})
    assert (REPO / "pyproject.toml").is_file()  # the action path is installable


def run_action_step(
    name: str,
    inputs: Mapping[str, str],
    *,
    checkout: Path,
    env: Mapping[str, str],
) -> tuple[subprocess.CompletedProcess[str], str]:
    """One of the action's scripts, as GitHub runs ``shell: bash``; returns its GITHUB_OUTPUT."""
    action = load(ACTION)
    given = {n: str(spec.get("default", "")) for n, spec in action["inputs"].items()} | dict(inputs)
    step = action_step(action, name)
    assert step["shell"] == "bash"
    output = checkout / "github-output"
    output.write_text("")
    step_env = {k: resolve(v, {"inputs": given}) for k, v in step["env"].items()}
    result = run_shell(
        step["run"],
        cwd=checkout,
        env=dict(env) | step_env | {"GITHUB_OUTPUT": str(output)},
        options=("-eo", "pipefail"),
    )
    assert "Traceback" not in result.stderr and "usage:" not in result.stderr
    return result, output.read_text()


@pytest.fixture
def snapshot_file(checkout: Path, coverage_server: CoverageServer) -> str:
    """A snapshot written by ``telnyx-coverage snapshot`` from the coverage server."""
    env = base_env(coverage_server) | {"TELNYX_API_KEY": TEST_KEY}
    result = run_shell("telnyx-coverage snapshot -o coverage.json", cwd=checkout, env=env)
    assert result.returncode == 0, result.stderr
    coverage_server.reset_requests()
    return "coverage.json"


def test_the_action_scripts_sarif_then_check(
    checkout: Path, coverage_server: CoverageServer, snapshot_file: str
) -> None:
    env = base_env(coverage_server)
    inputs = {"paths": "examples/terraform", "snapshot": snapshot_file, "sarif": "true"}
    sarif, outputs = run_action_step("SARIF report", inputs, checkout=checkout, env=env)
    assert sarif.returncode == 0, sarif.stderr
    assert outputs == "file=telnyx-coverage.sarif\n"
    assert_valid_sarif(json.loads((checkout / "telnyx-coverage.sarif").read_text()))

    check, _ = run_action_step("Check", inputs, checkout=checkout, env=env)
    assert check.returncode == 1  # the example's four mistakes fail the step
    assert check.stdout.count("::error file=examples/terraform/main.tf") == 4
    assert coverage_server.requests == []  # the snapshot input: no API call


def test_the_action_splits_paths_and_honours_fail_on(
    checkout: Path, coverage_server: CoverageServer, snapshot_file: str
) -> None:
    inputs = {
        "paths": "examples/terraform examples/plan/plan.json",
        "snapshot": snapshot_file,
        "fail-on": "never",
    }
    check, _ = run_action_step("Check", inputs, checkout=checkout, env=base_env(coverage_server))
    assert check.returncode == 0, check.stderr
    assert "::error file=examples/terraform/main.tf" in check.stdout
    assert "::error file=examples/plan/main.tf" in check.stdout


def test_the_action_without_a_snapshot_uses_the_live_api_key_from_the_step_env(
    checkout: Path, coverage_server: CoverageServer
) -> None:
    # `env: {TELNYX_API_KEY: ...}` on the step that uses the action reaches its scripts.
    env = base_env(coverage_server) | {"TELNYX_API_KEY": TEST_KEY}
    inputs = {"paths": "examples/terraform", "format": "json"}
    check, _ = run_action_step("Check", inputs, checkout=checkout, env=env)
    assert check.returncode == 1, check.stderr
    assert json.loads(check.stdout)["coverage"]["source"] == "api"
    assert coverage_server.requests


def test_the_action_sarif_step_keeps_going_on_input_errors_and_check_fails_them(
    checkout: Path, coverage_server: CoverageServer, snapshot_file: str
) -> None:
    broken = checkout / "infra" / "main.tf"
    broken.parent.mkdir()
    broken.write_text('resource "telnyx_wireguard_interface" "b" {\n  region_code = \n}\n')
    inputs = {"paths": "infra examples/terraform", "snapshot": snapshot_file, "sarif": "true"}
    env = base_env(coverage_server)
    sarif, outputs = run_action_step("SARIF report", inputs, checkout=checkout, env=env)
    assert sarif.returncode == 0, sarif.stderr  # the SARIF is still uploaded
    assert outputs == "file=telnyx-coverage.sarif\n"
    assert_valid_sarif(json.loads((checkout / "telnyx-coverage.sarif").read_text()))
    check, _ = run_action_step("Check", inputs, checkout=checkout, env=env)
    assert check.returncode == 2
    assert "infra/main.tf" in check.stdout + check.stderr


def test_the_action_fails_both_steps_when_coverage_is_unavailable(
    checkout: Path, coverage_server: CoverageServer
) -> None:
    inputs = {"paths": "examples/terraform", "snapshot": "missing.json", "sarif": "true"}
    env = base_env(coverage_server)
    for step in ("SARIF report", "Check"):
        result, outputs = run_action_step(step, inputs, checkout=checkout, env=env)
        assert result.returncode == 3, f"{step}: {result.stderr}"
        assert "missing.json" in result.stderr and outputs == ""


# --- docs/offline.md: the air-gapped flow as documented ------------------------------------


def test_the_documented_air_gapped_flow_needs_no_network_after_the_snapshot(
    checkout: Path, coverage_server: CoverageServer
) -> None:
    page = (REPO / "docs" / "offline.md").read_text(encoding="utf-8")
    take, check = re.findall(r"```sh\n(.*?)\n```", page, re.S)
    assert "telnyx-coverage snapshot" in take and "--coverage" in check

    env = base_env(coverage_server)
    taken = run_shell(take, cwd=checkout, env=env | {"TELNYX_API_KEY": TEST_KEY})
    assert taken.returncode == 0, taken.stderr
    assert "wrote coverage-snapshot.json" in taken.stderr
    fetched_at = json.loads((checkout / "coverage-snapshot.json").read_text())["fetched_at"]

    coverage_server.stop()  # the network is gone, and there is no key
    checked = run_shell(check, cwd=checkout, env=env)
    assert checked.returncode == 1, checked.stderr  # the example's deliberate mistakes
    report = json.loads((checkout / "telnyx-coverage.json").read_text())
    assert report["coverage"]["source"] == "snapshot"
    assert report["coverage"]["fetched_at"] == fetched_at
    assert report["summary"]["failed"] == 4


# --- the docs these examples belong to: every page indexed, every link resolves ------------

_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#{1,6}\s+(.*?)\s*$", page.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def _doc_pages() -> list[Path]:
    return sorted(p for p in (REPO / "docs").rglob("*") if p.is_file())


@pytest.mark.parametrize(
    "page",
    [REPO / "README.md", *[p for p in _doc_pages() if p.suffix == ".md"]],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_every_relative_link_resolves(page: Path) -> None:
    for target in _LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page.name}: {target} does not exist"
        if anchor and linked.suffix == ".md":
            assert anchor in _anchors(linked), f"{page.name}: no heading for #{anchor}"


def test_the_docs_index_and_the_readme_link_every_page() -> None:
    pages = {p for p in _doc_pages() if p.name != "README.md"}
    for index in (REPO / "docs" / "README.md", REPO / "README.md"):
        linked = {
            (index.parent / t.partition("#")[0]).resolve()
            for t in _LINK.findall(index.read_text(encoding="utf-8"))
            if not re.match(r"[a-z]+:", t)
        }
        assert pages <= linked, f"{index}: not linked: {sorted(p.name for p in pages - linked)}"
