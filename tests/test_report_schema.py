"""docs/report.schema.json describes the JSON report the CLI really writes, and no other shape.

Every report validated here comes from a real ``telnyx-coverage check --format json`` run: the
bundled examples, input errors, suppressions, coverage unavailable, no resources, stale
coverage, the live API and its cache. The negative checks prove the schema is tight enough to
catch a report that drifts from it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import pytest

from hcl_checker.cli import main
from telnyx_coverage.coverage_server import CoverageServer
from telnyx_coverage.findings import RULES, ResourceStatus, Severity
from telnyx_coverage.resources import ResourceKind

REPO = Path(__file__).resolve().parents[1]
SCHEMA_PATH = REPO / "docs" / "report.schema.json"
SNAPSHOT = str(REPO / "examples" / "coverage-snapshot.json")

WIREGUARD = """
resource "telnyx_wireguard_interface" "wg" {{
  network_id  = "net-1"
  region_code = {region}
}}
"""


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        _schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def assert_valid(report: Any) -> None:
    """Fail with every schema violation, each with its JSON path."""
    problems = sorted(_validator().iter_errors(report), key=lambda e: list(e.absolute_path))
    assert not problems, "\n".join(
        f"{'/'.join(map(str, p.absolute_path)) or '(top)'}: {p.message}" for p in problems
    )


def rejected(report: Any) -> bool:
    return not _validator().is_valid(report)


RunReport = Callable[..., tuple[int, Any]]


@pytest.fixture
def run_report(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> RunReport:
    """``run_report(*argv)``: run ``check --format json`` from the repository root."""
    monkeypatch.chdir(REPO)

    def run(*argv: str) -> tuple[int, Any]:
        code = main(["check", *argv, "--format", "json"])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, json.loads(out)

    return run


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(_schema())


def test_the_schema_enums_are_the_codes() -> None:
    """Rule ids and names, kinds, statuses, severities: the schema lists exactly the code's."""
    defs = _schema()["$defs"]
    finding = defs["finding"]["properties"]
    assert set(finding["rule"]["enum"]) == set(RULES)
    assert set(finding["name"]["enum"]) == {r.name for r in RULES.values()}
    pairs = {
        (b["properties"]["rule"]["const"], b["properties"]["name"]["const"])
        for b in defs["rule"]["oneOf"]
    }
    assert pairs == {(r.id, r.name) for r in RULES.values()}
    assert set(defs["kind"]["enum"]) == {k.value for k in ResourceKind}
    assert set(defs["resource"]["properties"]["status"]["enum"]) == {
        s.value for s in ResourceStatus
    }
    assert set(defs["severity"]["enum"]) == {s.value for s in Severity}


# --- real reports ---------------------------------------------------------------------------


def test_the_terraform_example_report(run_report: RunReport) -> None:
    code, report = run_report("examples/terraform", "--coverage", SNAPSHOT)
    assert code == 1
    assert_valid(report)
    assert {f["rule"] for f in report["findings"]} == {"TNX001", "TNX002", "TNX003", "TNX004"}
    assert report["coverage"]["source"] == "snapshot"


def test_the_plan_example_report_with_its_suppressed_finding(run_report: RunReport) -> None:
    code, report = run_report("examples/plan/plan.json", "--coverage", SNAPSHOT)
    assert code == 1
    assert_valid(report)
    suppressed = [f for f in report["findings"] if f["suppressed"]]
    assert [f["suppression_reason"] for f in suppressed] == ["the us-east-2 port is upgraded in Q1"]
    assert "unresolved" in {r["status"] for r in report["resources"]}


def test_a_plan_without_its_configuration_has_null_lines(
    run_report: RunReport, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_bytes((REPO / "examples" / "plan" / "plan.json").read_bytes())
    _, report = run_report(str(plan), "--coverage", SNAPSHOT)
    assert_valid(report)
    assert report["findings"] and all(f["line"] is None for f in report["findings"])


def test_the_pulumi_example_report(run_report: RunReport) -> None:
    code, report = run_report("--pulumi", "examples/pulumi", "--coverage", SNAPSHOT)
    assert code == 1
    assert_valid(report)
    assert all(r["address"].startswith("urn:pulumi:") for r in report["resources"])


def test_a_report_with_input_errors(run_report: RunReport, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "good/main.tf": WIREGUARD.format(region='"frankfurt-de"'),
            "bad/main.tf": 'resource "telnyx_wireguard_interface" "b" {\n  region_code = \n}\n',
            "ignored/main.tf": "# telnyx-coverage:ignore TNX004 until=someday\n"
            + WIREGUARD.format(region='"chicago-il"'),
        },
    )
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "main.tf").write_bytes(b"\x89PNG\x00telnyx_wireguard_interface")
    code, report = run_report(str(tmp_path), "--coverage", SNAPSHOT)
    assert code == 2
    assert_valid(report)
    where = {(Path(e["file"]).parent.name, e["line"], e["column"]) for e in report["errors"]}
    assert ("bad", 2, 17) in where
    assert ("junk", None, None) in where  # not a text file: no line to point at
    assert ("ignored", 1, None) in where
    assert report["summary"]["resources"] == 2


def test_a_report_with_suppressed_findings_inline_and_from_config(
    run_report: RunReport, tmp_path: Path
) -> None:
    write(
        tmp_path,
        {
            "main.tf": "# telnyx-coverage:ignore TNX001 moving to frankfurt-de soon\n"
            + WIREGUARD.format(region='"atlantis-xx"').lstrip()
            + WIREGUARD.replace('"wg"', '"lab"').format(region='"nowhere-zz"'),
            ".telnyx-coverage.toml": '[[ignore]]\nrule = "*"\naddress = "*.lab"\n',
        },
    )
    code, report = run_report(
        str(tmp_path / "main.tf"),
        "--coverage",
        SNAPSHOT,
        "--config",
        str(tmp_path / ".telnyx-coverage.toml"),
    )
    assert code == 0
    assert_valid(report)
    reasons = {f["address"]: f["suppression_reason"] for f in report["findings"]}
    assert reasons == {
        "telnyx_wireguard_interface.wg": "moving to frankfurt-de soon",
        "telnyx_wireguard_interface.lab": "suppressed",  # a config entry with no reason
    }
    assert report["summary"]["suppressed"] == 2


def test_a_report_with_allow_unavailable(run_report: RunReport, tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": WIREGUARD.format(region='"frankfurt-de"')})
    code, report = run_report(str(tmp_path), "--allow-unavailable")
    assert code == 0
    assert_valid(report)
    assert report["coverage"] is None
    [finding] = report["findings"]
    assert (finding["rule"], finding["severity"], finding["address"]) == ("TNX007", "warning", None)
    assert [r["status"] for r in report["resources"]] == ["unresolved"]


def test_a_report_with_no_resources(run_report: RunReport, tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'})
    code, report = run_report(str(tmp_path))
    assert code == 0
    assert_valid(report)
    assert (report["coverage"], report["resources"], report["findings"]) == (None, [], [])


def test_a_report_with_stale_coverage_and_unresolved_as_error(
    run_report: RunReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELNYX_COVERAGE_MAX_AGE", "1s")
    write(
        tmp_path,
        {
            "main.tf": WIREGUARD.format(region="telnyx_network.core.region"),
            "cfg.toml": 'unresolved = "error"\n',
        },
    )
    code, report = run_report(
        str(tmp_path), "--coverage", SNAPSHOT, "--config", str(tmp_path / "cfg.toml")
    )
    assert code == 1
    assert_valid(report)
    severities = {f["rule"]: f["severity"] for f in report["findings"]}
    assert severities == {"TNX005": "error", "TNX008": "warning"}


def test_reports_from_the_live_api_and_then_the_cache(
    run_report: RunReport, coverage_server: CoverageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", "test-key")
    monkeypatch.setenv("TELNYX_BASE_URL", coverage_server.base_url)
    sources = []
    for _ in range(2):
        code, report = run_report("examples/terraform")
        assert code == 1
        assert_valid(report)
        sources.append(report["coverage"]["source"])
    assert sources == ["api", "cache"]


# --- the schema rejects what the report must never be ----------------------------------------


@pytest.fixture
def good_report(run_report: RunReport) -> Any:
    """The plan example's report: resources, findings (one suppressed), coverage."""
    _, report = run_report("examples/plan/plan.json", "--coverage", SNAPSHOT)
    assert_valid(report)
    return report


def _del(path: tuple[Any, ...]) -> Callable[[Any], None]:
    def mutate(report: Any) -> None:
        target = report
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Any], None]:
    def mutate(report: Any) -> None:
        target = report
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _first_not_suppressed(report: Any) -> dict[str, Any]:
    finding: dict[str, Any] = next(f for f in report["findings"] if not f["suppressed"])
    return finding


BROKEN: dict[str, Callable[[Any], None]] = {
    "a top-level key missing": _del(("summary",)),
    "an extra top-level key": _set(("extra",), 1),
    "another schema_version": _set(("schema_version",), 2),
    "an unknown coverage source": _set(("coverage", "source"), "live"),
    "fetched_at not in UTC": _set(("coverage", "fetched_at"), "2026-12-04T11:00:00+01:00"),
    "a negative age": _set(("coverage", "age_seconds"), -1),
    "an unknown resource status": _set(("resources", 0, "status"), "ok"),
    "an unknown kind": _set(("resources", 0, "kind"), "telnyx_network"),
    "line 0": _set(("resources", 0, "line"), 0),
    "a line as a string": _set(("resources", 0, "line"), "12"),
    "an extra key on a resource": _set(("resources", 0, "urn"), "x"),
    "a finding key missing": _del(("findings", 0, "attribute")),
    "an unknown rule": _set(("findings", 0, "rule"), "TNX999"),
    "a rule id with another rule's name": _set(("findings", 0, "name"), "unknown-location"),
    "an unknown severity": _set(("findings", 0, "severity"), "info"),
    "suggestions as a string": _set(("findings", 0, "suggestions"), "use 500"),
    "a suppressed finding without its reason": lambda r: next(
        f for f in r["findings"] if f["suppressed"]
    ).pop("suppression_reason"),
    "a reason on a finding not suppressed": lambda r: _first_not_suppressed(r).update(
        suppression_reason="x"
    ),
    "a resource finding with no kind": lambda r: _first_not_suppressed(r).update(kind=None),
    "an error without a message": _set(("errors",), [{"file": "a.tf", "line": 1, "column": 1}]),
    "a summary count negative": _set(("summary", "failed"), -1),
    "a summary count missing": _del(("summary", "warnings")),
}


@pytest.mark.parametrize("mutate", BROKEN.values(), ids=BROKEN.keys())
def test_the_schema_rejects_a_wrong_shape(good_report: Any, mutate: Callable[[Any], None]) -> None:
    broken = copy.deepcopy(good_report)
    mutate(broken)
    assert rejected(broken)
