"""Files: atomic and concurrent-safe writes, a private cache dir, clear errors for odd inputs.

A writer killed at any moment leaves the old file or the new one, never a torn one; two
processes writing the same cache or snapshot at once leave one complete file; symlinked,
special or unreadable inputs give an error naming the file, never a hang or a traceback;
paths outside the working directory are shown absolute.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hcl_checker.cli import main
from telnyx_coverage.cache import write_cache
from telnyx_coverage.snapshot import read_snapshot

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO / "examples" / "coverage-snapshot.json"

WIREGUARD = """
resource "telnyx_wireguard_interface" "wg" {
  network_id  = "net-1"
  region_code = "atlantis"
}
"""

# A child that writes a snapshot (or the cache) of N locations to PATH, in a loop or once;
# with SLOW it writes half the text, says so on stdout, and waits to be killed.
WRITER = """
import os, sys, time
from datetime import UTC, datetime
from telnyx_coverage.models import NetworkCoverage
from telnyx_coverage import snapshot
from telnyx_coverage.cache import write_cache
from pathlib import Path

BASE_URL, NOW = "https://api.telnyx.com/v2", datetime.now(UTC)
kind, path = sys.argv[1], sys.argv[2]
count, rounds, slow = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "slow"
items = [
    NetworkCoverage.model_validate({"location": {"code": f"loc-{count}-{i}"}})
    for i in range(count)
]
if slow:
    real_fdopen = os.fdopen
    class Half:
        def __init__(self, handle): self.handle = handle
        def __enter__(self): return self
        def __exit__(self, *a): return self.handle.__exit__(*a)
        def write(self, text):
            self.handle.write(text[: len(text) // 2]); self.handle.flush()
            print("half written", flush=True)
            time.sleep(60)
        def __getattr__(self, name): return getattr(self.handle, name)
    os.fdopen = lambda *a, **k: Half(real_fdopen(*a, **k))
for _ in range(rounds):
    if kind == "snapshot":
        snapshot.write_snapshot(path, items, [], fetched_at=NOW, base_url=BASE_URL)
    else:
        write_cache(BASE_URL, items, [], fetched_at=NOW, cache_dir=Path(path))
print("done", flush=True)
"""


def writer(
    kind: str, path: Path, count: int, rounds: int = 1, slow: bool = False
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            WRITER,
            kind,
            str(path),
            str(count),
            str(rounds),
            "slow" if slow else "fast",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def codes_in(path: Path) -> int:
    """How many locations the complete snapshot at ``path`` holds (it must parse)."""
    return len(read_snapshot(path).network_coverage)


def the_cache_file(directory: Path) -> Path:
    (path,) = [p for p in directory.iterdir() if not p.name.startswith(".")]
    return path


# -- atomic writes -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["snapshot", "cache"])
def test_a_writer_killed_mid_write_leaves_the_old_file_whole(kind: str, tmp_path: Path) -> None:
    target = tmp_path / ("coverage.json" if kind == "snapshot" else "cache")
    first = writer(kind, target, 3)
    assert first.communicate(timeout=30)[0].strip() == "done"
    path = target if kind == "snapshot" else the_cache_file(target)
    before = path.read_bytes()

    child = writer(kind, target, 500, slow=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "half written"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()

    assert path.read_bytes() == before
    assert codes_in(path) == 3


@pytest.mark.parametrize("kind", ["snapshot", "cache"])
def test_two_processes_writing_at_once_leave_one_complete_file(kind: str, tmp_path: Path) -> None:
    target = tmp_path / ("coverage.json" if kind == "snapshot" else "cache")
    writers = [writer(kind, target, count, rounds=40) for count in (5, 400)]
    seen: set[int] = set()
    while any(w.poll() is None for w in writers):
        try:
            path = target if kind == "snapshot" else the_cache_file(target)
        except (FileNotFoundError, ValueError):
            continue  # the cache dir is not there yet
        if not path.exists():
            continue  # not written yet; once there, it is always there
        seen.add(codes_in(path))  # every read is one whole file, whoever wrote last
        time.sleep(0.001)
    for w in writers:
        assert w.communicate(timeout=30)[0].strip() == "done"
    path = target if kind == "snapshot" else the_cache_file(target)
    assert codes_in(path) in (5, 400)
    assert seen <= {5, 400}
    parent = path.parent
    assert [p.name for p in parent.iterdir() if p.name.endswith(".tmp")] == []


# -- the cache directory -----------------------------------------------------------------------


def test_the_cache_dir_is_created_0700_whatever_the_umask(tmp_path: Path) -> None:
    directory = tmp_path / "a" / "b" / "telnyx-coverage"
    old = os.umask(0)
    try:
        path = write_cache(
            "https://api.telnyx.com/v2",
            [],
            [],
            fetched_at=read_snapshot(SNAPSHOT).fetched_at,
            cache_dir=directory,
        )
    finally:
        os.umask(old)
    assert path is not None
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- odd inputs --------------------------------------------------------------------------------


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--format", "json", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_a_symlinked_tf_file_is_checked_through_its_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "real.tf.txt").write_text(WIREGUARD)
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").symlink_to(tmp_path / "real.tf.txt")
    code, out, _ = check(capsys, str(module), "--coverage", str(SNAPSHOT))
    assert code == 1
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["TNX001"]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.symlink_to(p.parent / "nowhere.tf"), "No such file or directory"),
        (lambda p: p.symlink_to(p), "Too many levels of symbolic links"),
    ],
    ids=["dangling_symlink", "symlink_loop"],
)
def test_a_tf_file_that_cannot_be_read_is_an_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, words: str
) -> None:
    (tmp_path / "ok.tf").write_text(WIREGUARD)
    make(tmp_path / "main.tf")  # type: ignore[operator]
    code, out, _ = check(capsys, str(tmp_path), "--coverage", str(SNAPSHOT))
    assert code == 2
    (error,) = json.loads(out)["errors"]
    assert error["file"].endswith("main.tf")
    assert words in error["message"]


def make_unreadable(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``chmod 000`` on ``path``; where that does not stop a read (root, CAP_DAC_OVERRIDE),
    opening it fails as it would for anyone else: PermissionError, "Permission denied".

    Every input is opened through ``os.open`` (``telnyx_coverage.files``), so refusing it
    there is what a user without the right would meet.
    """
    path.chmod(0)
    try:
        os.close(os.open(path, os.O_RDONLY))
    except PermissionError:
        return  # a real unreadable file
    locked = os.path.realpath(path)
    real_open = os.open

    def refusing_open(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if isinstance(file, str | bytes | os.PathLike) and os.path.realpath(file) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)


def test_an_unreadable_tf_file_is_an_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "main.tf").write_text(WIREGUARD)
    make_unreadable(tmp_path / "main.tf", monkeypatch)
    code, out, _ = check(capsys, str(tmp_path), "--coverage", str(SNAPSHOT))
    assert code == 2
    (error,) = json.loads(out)["errors"]
    assert error["file"].endswith("main.tf")
    assert "Permission denied" in error["message"]


def test_an_unreadable_snapshot_exits_3_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(WIREGUARD)
    locked = tmp_path / "locked.json"
    locked.write_text(SNAPSHOT.read_text())
    make_unreadable(locked, monkeypatch)
    code, out, err = check(capsys, "--coverage", str(locked))
    assert code == 3 and out == ""
    assert "Permission denied" in err and "locked.json" in err
    assert len(err.strip().splitlines()) == 1


def test_an_unreadable_config_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(WIREGUARD)
    config = tmp_path / ".telnyx-coverage.toml"
    config.write_text('fail_on = "error"\n')
    make_unreadable(config, monkeypatch)
    code, _, err = check(capsys, "--coverage", str(SNAPSHOT))
    assert code == 2
    assert "Permission denied" in err and ".telnyx-coverage.toml" in err


@pytest.mark.parametrize(
    ("special", "words"),
    [
        ("fifo", "not a regular file"),
        ("/dev/zero", "not a regular file"),
        ("dangling", "not found"),
        ("directory", "is a directory"),
    ],
)
def test_a_snapshot_that_is_no_regular_file_exits_3_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], special: str, words: str
) -> None:
    (tmp_path / "main.tf").write_text(WIREGUARD)
    if special == "fifo":
        path = tmp_path / "pipe.json"
        os.mkfifo(path)  # reading it would wait for a writer forever
    elif special == "dangling":
        path = tmp_path / "link.json"
        path.symlink_to(tmp_path / "gone.json")
    elif special == "directory":
        path = tmp_path
    else:
        path = Path(special)  # endless: read whole, it would fill the memory
    code, out, err = check(capsys, str(tmp_path), "--coverage", str(path))
    assert code == 3
    assert out == ""
    assert words in err and str(path) in err


def test_a_symlinked_snapshot_is_read_through_its_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "main.tf").write_text(WIREGUARD)
    (tmp_path / "link.json").symlink_to(SNAPSHOT)
    assert check(capsys, str(tmp_path), "--coverage", str(tmp_path / "link.json"))[0] == 1


def test_a_fifo_named_main_tf_is_an_error_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "main.tf")
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "hcl_checker",
                "check",
                str(tmp_path),
                "--coverage",
                str(SNAPSHOT),
            ],
            capture_output=True,
            text=True,
            timeout=3,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail("check hung on a FIFO named main.tf")
    assert result.returncode == 2
    assert "main.tf" in result.stderr + result.stdout


# -- paths outside the working directory -------------------------------------------------------


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A module beside the working directory (reached as ../other)."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    other = tmp_path / "other"
    other.mkdir()
    (other / "main.tf").write_text(WIREGUARD)
    monkeypatch.chdir(cwd)
    return other


def test_findings_outside_the_working_directory_have_absolute_paths(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = check(capsys, "../other", "--coverage", str(SNAPSHOT))
    assert code == 1
    report = json.loads(out)
    assert report["findings"][0]["file"] == str(elsewhere / "main.tf")
    assert report["resources"][0]["file"] == str(elsewhere / "main.tf")


@pytest.mark.parametrize(
    ("argv", "shown", "code"),
    [
        (["--coverage", "../missing.json"], "missing.json", 3),
        (["--config", "../missing.toml"], "missing.toml", 2),
        (["--var-file", "../missing.tfvars"], "missing.tfvars", 2),
        (["--output", "../no-such-dir/report.json"], "no-such-dir/report.json", 2),
    ],
    ids=["coverage", "config", "var_file", "output"],
)
def test_path_options_outside_the_working_directory_are_shown_absolute(
    elsewhere: Path, capsys: pytest.CaptureFixture[str], argv: list[str], shown: str, code: int
) -> None:
    extra = [] if argv[0] == "--coverage" else ["--coverage", str(SNAPSHOT)]
    result, _, err = check(capsys, "../other", *argv, *extra)
    assert result == code
    assert f"{elsewhere.parent}/{shown}" in err
    assert "../" not in err


def test_a_missing_path_outside_the_working_directory_is_shown_absolute(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = check(capsys, "../missing", "--coverage", str(SNAPSHOT))
    assert code == 2
    assert str(elsewhere.parent / "missing") in err


def test_names_terraform_ignores_are_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A directory called x.tf, editor locks, backups and autosaves: Terraform reads none."""
    (tmp_path / "main.tf").write_text(WIREGUARD)
    (tmp_path / "old.tf").mkdir()
    (tmp_path / ".#main.tf").symlink_to(tmp_path / "user@host.1234")  # an Emacs lock
    for name in ("main.tf~", "#main.tf#", ".main.tf.swp.tf"):
        (tmp_path / name).write_text(WIREGUARD.replace('"wg"', '"copy"'))
    code, out, _ = check(capsys, str(tmp_path), "--coverage", str(SNAPSHOT))
    report = json.loads(out)
    assert report["errors"] == []
    assert [r["address"] for r in report["resources"]] == ["telnyx_wireguard_interface.wg"]
    assert code == 1


def test_opentofu_files_are_read_and_a_tofu_file_hides_its_tf_twin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "main.tf").write_text(WIREGUARD.replace('"wg"', '"hidden"'))
    (tmp_path / "main.tofu").write_text(WIREGUARD)
    (tmp_path / "extra.tofu.json").write_text(
        json.dumps(
            {
                "resource": {
                    "telnyx_public_internet_gateway": {
                        "gw": {"network_id": "n", "region_code": "chicago-il"}
                    }
                }
            }
        )
    )
    code, out, _ = check(capsys, str(tmp_path), "--coverage", str(SNAPSHOT))
    assert code == 1
    report = json.loads(out)
    assert sorted(r["address"] for r in report["resources"]) == [
        "telnyx_public_internet_gateway.gw",
        "telnyx_wireguard_interface.wg",
    ]
    code, out, _ = check(capsys, str(tmp_path / "main.tofu"), "--coverage", str(SNAPSHOT))
    assert code == 1
    assert [r["address"] for r in json.loads(out)["resources"]] == ["telnyx_wireguard_interface.wg"]


def test_symlinked_directories_are_followed_once_without_looping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "live" / "prod"
    live.mkdir(parents=True)
    (live / "main.tf").write_text(WIREGUARD)
    envs = tmp_path / "repo" / "envs"
    envs.mkdir(parents=True)
    (envs / "prod").symlink_to(live)
    (envs / "loop").symlink_to(tmp_path / "repo")  # a link back up the tree
    code, out, _ = check(capsys, str(tmp_path / "repo"), "--coverage", str(SNAPSHOT))
    report = json.loads(out)
    assert code == 1
    assert [r["address"] for r in report["resources"]] == ["telnyx_wireguard_interface.wg"]
