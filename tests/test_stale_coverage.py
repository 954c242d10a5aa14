"""TNX008 stale-coverage: every report shows the coverage's age, and old coverage warns."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hcl_checker.cli import main

WIREGUARD = """resource "telnyx_wireguard_interface" "wg" {
  network_id  = "net-1"
  region_code = "frankfurt-de"
}
"""


@pytest.fixture
def aged_snapshot(tmp_path: Path, example_snapshot_path: Path) -> Path:
    """The example snapshot, fetched 10 days ago; and a module to check against it."""
    document = json.loads(example_snapshot_path.read_text())
    fetched = datetime.now(UTC) - timedelta(days=10)
    document["fetched_at"] = fetched.strftime("%Y-%m-%dT%H:%M:%SZ")
    path = tmp_path / "old-coverage.json"
    path.write_text(json.dumps(document))
    (tmp_path / "main.tf").write_text(WIREGUARD)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["check", *argv])
    return code, capsys.readouterr().out


def test_old_coverage_is_a_tnx008_warning_with_its_age(
    aged_snapshot: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELNYX_COVERAGE_MAX_AGE")
    code, out = run(
        capsys, str(aged_snapshot.parent), "--coverage", str(aged_snapshot), "--format", "json"
    )
    assert code == 0
    report = json.loads(out)
    (stale,) = report["findings"]
    assert (stale["rule"], stale["name"], stale["severity"]) == (
        "TNX008",
        "stale-coverage",
        "warning",
    )
    assert stale["address"] is None and stale["file"] is None
    assert "10 days old, older than max_coverage_age (7 days)" in stale["message"]
    assert 10 * 86400 <= report["coverage"]["age_seconds"] < 10 * 86400 + 3600
    assert report["resources"][0]["status"] == "passed"

    code, _ = run(
        capsys, str(aged_snapshot.parent), "--coverage", str(aged_snapshot), "--fail-on", "warning"
    )
    assert code == 1


def test_the_age_is_in_the_text_summary(
    aged_snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, str(aged_snapshot.parent), "--coverage", str(aged_snapshot))
    assert code == 0
    assert out.splitlines()[-1].endswith(", 10 days old)")


def test_max_coverage_age_from_config_and_environment(
    aged_snapshot: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELNYX_COVERAGE_MAX_AGE")
    monkeypatch.chdir(aged_snapshot.parent)
    Path(".telnyx-coverage.toml").write_text('max_coverage_age = "30d"\n')
    _, out = run(capsys, ".", "--coverage", str(aged_snapshot), "--format", "json")
    assert json.loads(out)["findings"] == []

    monkeypatch.setenv("TELNYX_COVERAGE_MAX_AGE", "2d")  # the environment beats the file
    _, out = run(capsys, ".", "--coverage", str(aged_snapshot), "--format", "json")
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["TNX008"]

    monkeypatch.setenv("TELNYX_COVERAGE_MAX_AGE", "soon")
    assert main(["check", ".", "--coverage", str(aged_snapshot)]) == 2
    assert "TELNYX_COVERAGE_MAX_AGE='soon'" in capsys.readouterr().err


def test_a_config_ignore_silences_stale_coverage(
    aged_snapshot: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELNYX_COVERAGE_MAX_AGE")
    monkeypatch.chdir(aged_snapshot.parent)
    Path(".telnyx-coverage.toml").write_text(
        '[[ignore]]\nrule = "TNX008"\nreason = "refreshed monthly"\n'
    )
    code, out = run(
        capsys, ".", "--coverage", str(aged_snapshot), "--format", "json", "--fail-on", "warning"
    )
    assert code == 0
    (stale,) = json.loads(out)["findings"]
    assert stale["suppressed"] is True


def test_fresh_live_coverage_is_not_stale(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    coverage_server: object,
) -> None:
    monkeypatch.delenv("TELNYX_COVERAGE_MAX_AGE")
    monkeypatch.setenv("TELNYX_API_KEY", "test-key")
    monkeypatch.setenv("TELNYX_BASE_URL", coverage_server.base_url)  # type: ignore[attr-defined]
    (tmp_path / "main.tf").write_text(WIREGUARD)
    code, out = run(capsys, str(tmp_path), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["findings"] == []
    assert report["coverage"]["source"] == "api" and report["coverage"]["age_seconds"] < 60


@pytest.mark.parametrize(
    ("ahead", "warns"), [(timedelta(days=3, hours=1), True), (timedelta(minutes=2), False)]
)
def test_coverage_dated_in_the_future_warns_beyond_clock_skew(
    tmp_path: Path,
    example_snapshot_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    ahead: timedelta,
    warns: bool,
) -> None:
    """A fetched_at ahead of the clock (skew, or a hand-edited file) is never "fresh"."""
    monkeypatch.delenv("TELNYX_COVERAGE_MAX_AGE")
    document = json.loads(example_snapshot_path.read_text())
    document["fetched_at"] = (datetime.now(UTC) + ahead).strftime("%Y-%m-%dT%H:%M:%SZ")
    snapshot = tmp_path / "future.json"
    snapshot.write_text(json.dumps(document))
    (tmp_path / "main.tf").write_text(WIREGUARD)

    code, out = run(capsys, str(tmp_path), "--coverage", str(snapshot), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["coverage"]["age_seconds"] == 0
    if not warns:
        assert report["findings"] == []
        return
    (stale,) = report["findings"]
    assert stale["rule"] == "TNX008"
    assert "is dated 3 days in the future: its age cannot be told" in stale["message"]
    assert any("clock" in s for s in stale["suggestions"])

    code, out = run(capsys, str(tmp_path), "--coverage", str(snapshot))
    assert "in the future)" in out.splitlines()[-1]
