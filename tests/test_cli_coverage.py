"""The CLI's coverage sources end to end: live API, cache, snapshot, and their failures."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from hcl_checker.cli import main
from telnyx_coverage.coverage_server import CoverageServer, Fault


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, coverage_server: CoverageServer) -> CoverageServer:
    monkeypatch.setenv("TELNYX_API_KEY", "test-key")
    monkeypatch.setenv("TELNYX_BASE_URL", coverage_server.base_url)
    return coverage_server


def test_snapshot_round_trip_gives_the_same_answers(
    live: CoverageServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "coverage.json"
    assert main(["snapshot", "-o", str(target)]) == 0
    assert "30 locations, 56 VXC pairings" in capsys.readouterr().err
    snapshot = json.loads(target.read_text())
    assert snapshot["schema_version"] == 1
    assert snapshot["base_url"] == live.base_url

    assert main(["vxc-coverage", "--pop", "CH1", "--no-cache"]) == 0
    from_api = capsys.readouterr().out
    assert main(["vxc-coverage", "--pop", "CH1", "--coverage", str(target)]) == 0
    assert capsys.readouterr().out == from_api


def test_a_warm_cache_costs_no_request(
    live: CoverageServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["locations", "--service", "cloud_vpn"]) == 0
    first = capsys.readouterr().out
    requests = len(live.requests)
    assert requests == 2  # one page of each endpoint
    assert main(["locations", "--service", "cloud_vpn"]) == 0
    assert capsys.readouterr().out == first
    assert len(live.requests) == requests


def test_no_key_and_no_snapshot_says_how_to_provide_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["locations"]) == 3
    err = capsys.readouterr().err
    assert "TELNYX_API_KEY" in err and "--coverage" in err
    assert "Traceback" not in err


def test_a_wrong_key_exits_3_without_printing_it(
    monkeypatch: pytest.MonkeyPatch,
    coverage_server: CoverageServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = "KEYzzSECRETzz0123456789"
    monkeypatch.setenv("TELNYX_API_KEY", secret)
    monkeypatch.setenv("TELNYX_BASE_URL", coverage_server.base_url)
    assert main(["locations"]) == 3
    out, err = capsys.readouterr()
    assert "TELNYX_API_KEY" in err
    assert secret not in out + err
    assert secret[:6] not in out + err


def test_server_errors_after_retries_exit_3(
    live: CoverageServer, capsys: pytest.CaptureFixture[str]
) -> None:
    live.inject(Fault(status=503, headers={"retry-after-ms": "1"}, times=100))
    assert main(["vxc-coverage", "--no-cache"]) == 3
    err = capsys.readouterr().err
    assert "503" in err and "Traceback" not in err


def test_corrupt_snapshot_exits_3_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"schema_version": 1, "fetched_at": ')
    assert main(["locations", "--coverage", str(bad)]) == 3
    assert "broken.json" in capsys.readouterr().err

    bad.write_text(json.dumps({"schema_version": 2}))
    assert main(["locations", "--coverage", str(bad)]) == 3
    assert "version" in capsys.readouterr().err


def test_snapshot_from_the_environment_needs_no_network(
    monkeypatch: pytest.MonkeyPatch,
    example_snapshot_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TELNYX_COVERAGE_FILE", str(example_snapshot_path))
    monkeypatch.setenv("TELNYX_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    assert main(["locations", "--code", "chicago-il"]) == 0
    assert "chicago-il" in capsys.readouterr().out


def test_snapshot_to_an_unwritable_path_exits_2(
    live: CoverageServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["snapshot", "-o", str(tmp_path / "missing-dir" / "c.json")]) == 2
    assert "missing-dir" in capsys.readouterr().err


def test_snapshot_to_stdout_with_a_dash(
    live: CoverageServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["snapshot", "-o", "-"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["schema_version"] == 1
    assert "wrote the snapshot to stdout: 30 locations" in err
    assert not (Path.cwd() / "-").exists()


def test_snapshot_to_a_directory_says_to_name_a_file(
    live: CoverageServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["snapshot", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a directory; give the snapshot a file name" in err
    assert str(tmp_path) in err


def test_snapshot_through_a_symlink_keeps_the_link(
    live: CoverageServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "coverage.json"
    link.symlink_to(real)
    assert main(["snapshot", "-o", str(link)]) == 0
    assert link.is_symlink()
    assert json.loads(real.read_text())["schema_version"] == 1


def test_snapshot_into_a_pipe_streams_it(live: CoverageServer, tmp_path: Path) -> None:
    """A FIFO (or /dev/stdout) cannot be replaced by a rename; it is written to instead."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    assert main(["snapshot", "-o", str(fifo)]) == 0
    reader.join(timeout=10)
    assert json.loads(received[0])["schema_version"] == 1
    assert fifo.exists() and not fifo.is_file()
