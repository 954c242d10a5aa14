"""The CI examples and the composite action run as written.

Every ``telnyx-coverage ...`` command line in examples/ci/github-actions.yml and
examples/ci/gitlab-ci.yml is run for real, with bash, in a copy of the repository's
``examples/`` layout, with the environment the YAML gives it (workflow/job/step ``env:``,
GitLab ``variables:``), in job order: the ``snapshot`` job fetches from the project's coverage
server on 127.0.0.1 and writes the file the later jobs download, and those check against it
with ``--coverage`` without asking the API again (the air-gapped flow of docs/offline.md).
The composite action's scripts run the same way, with their inputs in the environment.
Some workflow steps also run whole: the coverage step with and without the secret (a pull
request from a fork falls back on the committed snapshot), the plan gate refusing that
snapshot, and the lint job on an input error (the SARIF is written and uploaded, the job fails).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
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


# What the workflow's expressions see on a run of this repository's own branch: the secret set,
# so the coverage job took a live snapshot.
WITH_THE_SECRET = {"TELNYX_API_KEY": TEST_KEY}
LIVE = {"coverage.outputs.source": "live"}


def step_env(
    workflow: Mapping[str, Any],
    job: Mapping[str, Any],
    step: Mapping[str, Any],
    *,
    secrets: Mapping[str, str] = WITH_THE_SECRET,
    needs: Mapping[str, str] = LIVE,
) -> dict[str, str]:
    """A step's environment: workflow, then job, then step ``env:``, expressions resolved."""
    env: dict[str, str] = {}
    for scope in (workflow, job, step):
        for name, value in (scope.get("env") or {}).items():
            env[name] = resolve(value, {"env": env, "secrets": secrets, "needs": needs})
    return env


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
            env = step_env(workflow, job, step)
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


# --- the workflow without the secret, and on input errors -----------------------------------

SNAPSHOT_STEP = "Snapshot the live coverage once for the whole workflow"
GATE_STEP = "Gate apply on Telnyx coverage"
# What a pull request from a fork gets: every secret empty.
NO_SECRET = {"TELNYX_API_KEY": ""}


def workflow_step(job: str, name: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    workflow = load(GITHUB)
    job_spec = workflow["jobs"][job]
    step = next(s for s in job_spec["steps"] if s.get("name") == name)
    return workflow, job_spec, step


def run_workflow_step(
    job: str,
    name: str,
    *,
    checkout: Path,
    env: Mapping[str, str],
    secrets: Mapping[str, str] = WITH_THE_SECRET,
    needs: Mapping[str, str] = LIVE,
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """A ``run:`` step of the workflow, whole, as the runner runs it (no ``shell:``: ``bash -e``).

    Returns the result and what the step wrote to ``$GITHUB_OUTPUT``.
    """
    workflow, job_spec, step = workflow_step(job, name)
    assert "shell" not in step
    output = checkout / "github-output"
    output.write_text("")
    variables = step_env(workflow, job_spec, step, secrets=secrets, needs=needs)
    directory = resolve(step.get("working-directory", "."), {"env": variables})
    result = run_shell(
        step["run"],
        cwd=checkout / directory,
        env=dict(env) | variables | {"GITHUB_OUTPUT": str(output)},
        options=("-e",),
    )
    assert "Traceback" not in result.stderr and "usage:" not in result.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return result, outputs


def test_the_workflow_wires_the_coverage_source_to_the_plan_gate() -> None:
    workflow = load(GITHUB)
    coverage = workflow["jobs"]["coverage"]
    step = next(s for s in coverage["steps"] if s.get("name") == SNAPSHOT_STEP)
    assert coverage["outputs"]["source"] == f"${{{{ steps.{step['id']}.outputs.source }}}}"
    _, plan, gate = workflow_step("plan", GATE_STEP)
    assert gate["env"]["COVERAGE_SOURCE"] == "${{ needs.coverage.outputs.source }}"
    # A pull request from a fork has no credentials to plan with: the plan job skips it.
    assert plan["if"] == "${{ !github.event.pull_request.head.repo.fork }}"
    assert plan["needs"] == "coverage"
    # lint runs on every pull request, forks included: no condition on the job.
    assert "if" not in workflow["jobs"]["lint"]


def test_with_the_secret_the_coverage_job_takes_a_live_snapshot(
    checkout: Path, coverage_server: CoverageServer
) -> None:
    result, outputs = run_workflow_step(
        "coverage", SNAPSHOT_STEP, checkout=checkout, env=base_env(coverage_server)
    )
    assert result.returncode == 0, result.stderr
    assert outputs == {"source": "live"}
    assert "::warning" not in result.stdout
    snapshot = json.loads((checkout / load(GITHUB)["env"]["COVERAGE"]).read_text())
    assert snapshot["base_url"] == coverage_server.base_url
    assert coverage_server.requests


def test_a_fork_without_the_secret_is_linted_against_the_committed_snapshot(
    checkout: Path, coverage_server: CoverageServer
) -> None:
    workflow = load(GITHUB)
    env = base_env(coverage_server)
    result, outputs = run_workflow_step(
        "coverage", SNAPSHOT_STEP, checkout=checkout, env=env, secrets=NO_SECRET
    )
    assert result.returncode == 0, result.stderr
    assert outputs == {"source": "committed"}
    committed = workflow["env"]["COMMITTED_COVERAGE"]
    warning = result.stdout.strip()
    assert warning.startswith("::warning ") and committed in warning
    coverage_file = checkout / workflow["env"]["COVERAGE"]
    assert coverage_file.read_bytes() == (checkout / committed).read_bytes()
    assert coverage_server.requests == []  # no key: the API is not asked

    # The lint job downloads that file and runs as with the live coverage: same exit codes
    # (run_pipeline asserts them), no key, and the API never asked.
    lint = [c for c in github_commands() if c.job == "lint"]
    assert lint and all("TELNYX_API_KEY" not in c.env for c in lint)
    results = run_pipeline(lint, checkout, coverage_server)
    annotate = next(r for k, r in results.items() if "--format github" in k[2])
    assert "::error file=examples/terraform/main.tf,line=39,title=TNX002" in annotate.stdout

    # The plan gate refuses the committed snapshot (exit 3, coverage unavailable), with an
    # error saying why, and checks nothing.
    gate, _ = run_workflow_step(
        "plan",
        GATE_STEP,
        checkout=checkout,
        env=env,
        secrets=NO_SECRET,
        needs={"coverage.outputs.source": "committed"},
    )
    assert gate.returncode == 3
    assert gate.stdout.startswith("::error ") and "TELNYX_API_KEY" in gate.stdout
    assert "examples/plan/main.tf" not in gate.stdout


def test_without_the_secret_nor_a_committed_snapshot_the_coverage_job_says_what_to_do(
    checkout: Path, coverage_server: CoverageServer
) -> None:
    committed = checkout / load(GITHUB)["env"]["COMMITTED_COVERAGE"]
    committed.unlink()
    result, outputs = run_workflow_step(
        "coverage",
        SNAPSHOT_STEP,
        checkout=checkout,
        env=base_env(coverage_server),
        secrets=NO_SECRET,
    )
    assert result.returncode == 3  # coverage unavailable: lint and plan do not run
    assert result.stdout.startswith("::error ") and "TELNYX_API_KEY" in result.stdout
    assert outputs == {}
    assert not (checkout / load(GITHUB)["env"]["COVERAGE"]).exists()


def test_the_plan_gate_checks_the_plan_with_the_live_snapshot(
    checkout: Path, coverage_server: CoverageServer
) -> None:
    env = base_env(coverage_server)
    taken, _ = run_workflow_step("coverage", SNAPSHOT_STEP, checkout=checkout, env=env)
    assert taken.returncode == 0, taken.stderr
    coverage_server.reset_requests()
    gate, _ = run_workflow_step("plan", GATE_STEP, checkout=checkout, env=env)
    assert gate.returncode == 1, gate.stderr  # the example's deliberate mistake
    assert "::error file=examples/plan/main.tf,line=57,title=TNX002" in gate.stdout
    assert coverage_server.requests == []


def test_lint_uploads_the_sarif_after_input_errors_and_still_fails(
    checkout: Path, coverage_server: CoverageServer
) -> None:
    env = base_env(coverage_server)
    taken, _ = run_workflow_step("coverage", SNAPSHOT_STEP, checkout=checkout, env=env)
    assert taken.returncode == 0, taken.stderr
    broken = checkout / "examples" / "terraform" / "broken.tf"
    broken.write_text('resource "telnyx_wireguard_interface" "b" {\n  region_code = \n}\n')

    _, lint, upload = workflow_step("lint", "Upload SARIF to code scanning")
    sarif_file = upload["with"]["sarif_file"]
    sarif, _ = run_workflow_step("lint", "SARIF for code scanning", checkout=checkout, env=env)
    assert sarif.returncode == 2  # the step fails on the input error...
    report = json.loads((checkout / sarif_file).read_text())  # ...and the report is written
    assert_valid_sarif(report)
    notifications = report["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("broken.tf" in json.dumps(n) for n in notifications)

    # So the upload runs whenever the report exists, after a failed step too, and an upload
    # that fails (read-only token, code scanning off) neither stops the annotations nor
    # decides the job. Pull requests from forks cannot upload: skipped there.
    assert upload["if"] == (
        f"${{{{ !cancelled() && hashFiles('{sarif_file}') != '' "
        "&& !github.event.pull_request.head.repo.fork }}"
    )
    assert upload["continue-on-error"] is True
    annotate_step = next(s for s in lint["steps"] if "--format github" in s.get("run", ""))
    assert annotate_step["if"] == "${{ !cancelled() }}"
    assert "continue-on-error" not in annotate_step
    names = [s.get("name") for s in lint["steps"]]
    assert names.index("SARIF for code scanning") < names.index(upload["name"])
    assert names.index(upload["name"]) < names.index(annotate_step["name"])

    annotate, _ = run_workflow_step("lint", annotate_step["name"], checkout=checkout, env=env)
    assert annotate.returncode == 2  # the job fails on the input error
    assert "examples/terraform/broken.tf" in annotate.stdout
    assert "::error file=examples/terraform/main.tf,line=39,title=TNX002" in annotate.stdout


def test_the_docs_name_the_committed_snapshot_the_workflow_falls_back_to() -> None:
    workflow = load(GITHUB)
    github_md = (REPO / "docs" / "github.md").read_text(encoding="utf-8")
    offline_md = (REPO / "docs" / "offline.md").read_text(encoding="utf-8")
    assert "COMMITTED_COVERAGE" in github_md
    assert workflow["env"]["COMMITTED_COVERAGE"] in github_md
    assert "COMMITTED_COVERAGE" in offline_md


# --- examples/plan: terraform plan can run ---------------------------------------------------

PLAN_TF = REPO / "examples" / "plan" / "main.tf"


def _block(text: str, header: str) -> str:
    match = re.search(rf"^{re.escape(header)} \{{\n(.*?)^\}}", text, re.M | re.S)
    assert match, f"examples/plan/main.tf has no {header} block"
    return match.group(1)


def _attribute(body: str, name: str) -> str:
    match = re.search(rf"^\s*{name}\s*=\s*(.+?)\s*$", body, re.M)
    assert match, f"no {name}"
    return match.group(1)


def test_the_plan_example_configures_the_restapi_provider() -> None:
    text = PLAN_TF.read_text(encoding="utf-8")
    provider = _block(text, 'provider "restapi"')
    # The provider sends uri + path: the resource's path already holds /v2.
    uri = json.loads(_attribute(provider, "uri"))
    path = json.loads(_attribute(_block(text, 'resource "restapi_object" "iot_gateway"'), "path"))
    assert uri + path == "https://api.telnyx.com/v2/private_wireless_gateways"
    assert _attribute(provider, "write_returns_object") == "true"
    assert _attribute(provider, "id_attribute") == '"data/id"'  # Telnyx answers {"data": {...}}
    assert _attribute(provider, "Authorization") == '"Bearer ${var.telnyx_api_key}"'
    variable = _block(text, 'variable "telnyx_api_key"')
    assert _attribute(variable, "sensitive") == "true"
    assert not re.search(r"^\s*default\s*=", variable, re.M)  # the CI gives it

    # Both CI examples give the variable from the API key secret to terraform plan.
    workflow, job, step = workflow_step("plan", "terraform plan")
    assert step["env"]["TF_VAR_telnyx_api_key"] == "${{ secrets.TELNYX_API_KEY }}"
    assert step_env(workflow, job, step)["TF_VAR_telnyx_api_key"] == TEST_KEY
    assert "terraform plan" in step["run"]
    gitlab = load(GITLAB)["plan-gate"]
    assert gitlab["variables"]["TF_VAR_telnyx_api_key"] == "$TELNYX_API_KEY"
    assert any(line.startswith("terraform plan") for line in gitlab["script"])


def test_the_plan_example_is_formatted_hcl() -> None:
    """Every .tf file of the plan example parses; where terraform is installed, it is also
    `terraform fmt` clean (which parses it too, without providers or network)."""
    for path in sorted(PLAN_TF.parent.glob("*.tf")):
        hcl2.loads(path.read_text(encoding="utf-8"))
    if shutil.which("terraform") is None:
        return
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-diff", "-recursive", str(PLAN_TF.parent)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


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
    inputs_env = {k: resolve(v, {"inputs": given}) for k, v in step.get("env", {}).items()}
    result = run_shell(
        step["run"],
        cwd=checkout,
        env=dict(env) | inputs_env | {"GITHUB_OUTPUT": str(output)},
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


def test_the_action_annotates_and_gates_whatever_the_sarif_upload_did() -> None:
    action = load(ACTION)
    steps = action["runs"]["steps"]
    install = action_step(action, "Install telnyx-coverage")
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    report = action_step(action, "Report a failed SARIF upload")
    check = action_step(action, "Check")
    assert steps.index(action_step(action, "SARIF report")) < steps.index(upload)
    assert steps.index(upload) < steps.index(report) < steps.index(check)
    # The upload runs whenever the report was written, and may fail (a fork's read-only token,
    # code scanning off) without failing the action...
    assert upload["id"] == "upload"
    assert upload["continue-on-error"] is True
    assert upload["if"] == (
        "${{ !cancelled() && inputs.sarif == 'true' && steps.sarif.outputs.file != '' }}"
    )
    # ...and not silently: a warning says so.
    assert report["if"] == "${{ !cancelled() && steps.upload.outcome == 'failure' }}"
    # The check (annotations and gate) runs whatever the SARIF steps did, once installed.
    assert check["if"] == (f"${{{{ !cancelled() && steps.{install['id']}.outcome == 'success' }}}}")
    assert "continue-on-error" not in check


def test_the_action_warns_when_the_upload_failed(checkout: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    result, outputs = run_action_step(
        "Report a failed SARIF upload", {}, checkout=checkout, env=env
    )
    assert result.returncode == 0
    assert result.stdout.startswith("::warning ") and "annotations" in result.stdout
    assert outputs == ""


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


# --- docs/pre-commit.md and docs/pulumi.md: the commands and snippets as documented ----------


def test_the_pre_commit_docs_keep_pulumi_in_additional_dependencies() -> None:
    """A hook's additional_dependencies in .pre-commit-config.yaml replace the manifest's."""
    manifest = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    pinned = next(h for h in manifest if h["id"] == "telnyx-coverage-pulumi")
    required = set(pinned["additional_dependencies"])
    assert any(d.startswith("pulumi") for d in required)
    page = (REPO / "docs" / "pre-commit.md").read_text(encoding="utf-8")
    hooks: list[dict[str, Any]] = []
    for block in re.findall(r"^( *)```yaml\n(.*?)^\1```", page, re.M | re.S):
        document = yaml.safe_load(textwrap.dedent(block[1]))
        if isinstance(document, dict):
            document = [h for r in document.get("repos", []) for h in r.get("hooks", [])]
        hooks += [h for h in document if isinstance(h, dict) and "id" in h]
    listed = [h for h in hooks if "additional_dependencies" in h]
    assert listed, "docs/pre-commit.md shows additional_dependencies"
    for hook in listed:
        assert required <= set(hook["additional_dependencies"]), hook


def _sh_lines(page: Path) -> list[tuple[Path, str]]:
    """Each line of the page's sh blocks, with the directory it runs in.

    Every block starts at the repository root; ``cd DIR`` lines move it.
    """
    found = []
    for block in re.findall(r"```sh\n(.*?)\n```", page.read_text(encoding="utf-8"), re.S):
        cwd = REPO
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["cd"]:
                cwd = (cwd / words[1]).resolve()
            found.append((cwd, line))
    return found


def test_the_pulumi_docs_run_the_policy_pack_from_the_pulumi_project() -> None:
    lines = _sh_lines(REPO / "docs" / "pulumi.md")
    commands = [
        (cwd, line)
        for cwd, line in lines
        if "--policy-pack" in line and {"preview", "up"} & set(shlex.split(line, comments=True))
    ]
    assert len(commands) >= 4
    for cwd, line in commands:
        assert (cwd / "Pulumi.yaml").is_file(), f"`{line}` does not run in a Pulumi project"
        words = shlex.split(line, comments=True)
        pack = cwd / words[words.index("--policy-pack") + 1]
        assert (pack / "PulumiPolicy.yaml").is_file(), f"`{line}`: no policy pack at {pack}"
    # A snapshot given to the pack (in a comment too) resolves against $PWD, where pulumi runs.
    snapshots = [
        (cwd, value)
        for cwd, line in lines
        for value in re.findall(r"TELNYX_COVERAGE_FILE=(\S+)", line)
    ]
    assert snapshots
    for cwd, value in snapshots:
        assert (cwd / value.replace("$PWD", str(cwd))).resolve().is_file(), value


def test_check_with_pulumi_alone_leaves_out_the_current_directory(
    checkout: Path, coverage_server: CoverageServer
) -> None:
    """As docs/pulumi.md says: `check --pulumi DIR` checks the program only; `check . --pulumi DIR`
    both."""
    env = base_env(coverage_server)
    args = "--pulumi examples/pulumi --coverage examples/coverage-snapshot.json --format json"
    shutil.copytree(checkout / "examples" / "terraform", checkout, dirs_exist_ok=True)
    alone = run_shell(f"telnyx-coverage check {args}", cwd=checkout, env=env)
    both = run_shell(f"telnyx-coverage check . {args}", cwd=checkout, env=env)
    assert (alone.returncode, both.returncode) == (1, 1), alone.stderr + both.stderr
    files = {r["file"] for r in json.loads(alone.stdout)["resources"]}
    assert files == {"examples/pulumi/__main__.py"}
    files = {r["file"] for r in json.loads(both.stdout)["resources"]}
    assert "main.tf" in files and "examples/pulumi/__main__.py" in files
    page = (REPO / "docs" / "pulumi.md").read_text(encoding="utf-8")
    assert "check . --pulumi examples/pulumi" in page
