"""Two `check` runs at once on one cache give identical results, cold cache or warm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from samples import MIXED_MODULE

from telnyx_coverage.coverage_server import CoverageServer, Fault
from telnyx_coverage.snapshot import read_snapshot

REPO = Path(__file__).resolve().parents[1]


def start_checks(module: Path, env: dict[str, str], *extra: tuple[str, ...]) -> list[Any]:
    """Start one `check` process per entry of ``extra`` (its extra arguments), all at once."""
    return [
        subprocess.Popen(
            [sys.executable, "-m", "hcl_checker", "check", str(module), "--format", "json", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=module,
            env=env,
        )
        for args in extra
    ]


def results(processes: list[Any]) -> list[tuple[int, Any]]:
    """Each run's exit code and report without its coverage source (api or cache)."""
    found = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert "Traceback" not in err
        report = json.loads(out)
        found.append((process.returncode, {k: v for k, v in report.items() if k != "coverage"}))
    return found


def test_two_checks_at_once_on_one_cache_give_identical_results(
    start_coverage_server: Any, example_snapshot_path: Path, tmp_path: Path
) -> None:
    server: CoverageServer = start_coverage_server(example_snapshot_path, max_page_size=7)
    # Every page answers a little slowly, so that both runs are fetching at the same time.
    server.inject(Fault(delay=0.05, times=10_000))
    module = tmp_path / "infra"
    module.mkdir()
    (module / "main.tf").write_text(MIXED_MODULE)
    cache = tmp_path / "cache"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TELNYX_API_KEY": "test-key",
        "TELNYX_BASE_URL": server.base_url,
        "TELNYX_COVERAGE_CACHE_DIR": str(cache),
    }

    cold = results(start_checks(module, env, (), ()))
    warm = results(start_checks(module, env, (), ()))
    mixed = results(start_checks(module, env, (), ("--no-cache",)))

    assert cold[0][0] == 1
    assert {json.dumps(r, sort_keys=True) for r in cold + warm + mixed} == {
        json.dumps(cold[0], sort_keys=True)
    }
    # Both cold runs wrote the cache at once: one complete file is left, and no temporary one.
    (cache_file,) = cache.iterdir()
    assert len(read_snapshot(cache_file).network_coverage) == 30
