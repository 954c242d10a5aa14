"""The config file: where it is found, what it may say, and what a mistake in it tells the user."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from telnyx_coverage.config import (
    DEFAULT_CACHE_TTL,
    DEFAULT_MAX_COVERAGE_AGE,
    Config,
    IgnoreRule,
    ModuleMapping,
    ResourceType,
    address_matches,
    load_config,
    parse_duration,
)
from telnyx_coverage.errors import InputError
from telnyx_coverage.resources import ResourceKind

FULL = """\
fail_on = "warning"
unresolved = "error"
coverage = "snapshots/coverage.json"
cache_ttl = "30m"
max_coverage_age = "2d"

[[ignore]]
rule = "TNX004"
address = "module.lab.*"
reason = "lab circuits are resized by hand"
until = 2026-12-31

[[ignore]]
rule = "stale-coverage"

[resource_types.acme_vxc]
kind = "virtual_cross_connect"
attributes = { region_code = "pop", bandwidth_mbps = "speed" }

[resource_types."acme:index/gw:Gateway"]
kind = "public_internet_gateway"

[[modules]]
source = "git::https://example.com/net//vxc*"
kind = "virtual_cross_connect"
inputs = { region_code = "location" }
"""


@pytest.fixture(autouse=True)
def _no_max_age_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about config files: the suite's default TELNYX_COVERAGE_MAX_AGE is off."""
    monkeypatch.delenv("TELNYX_COVERAGE_MAX_AGE", raising=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str, name: str = ".telnyx-coverage.toml") -> InputError:
    write(tmp_path / name, text)
    with pytest.raises(InputError) as caught:
        load_config(explicit=None, cwd=tmp_path)
    return caught.value


# ---------------------------------------------------------------- discovery


def test_defaults_when_no_config_anywhere(tmp_path: Path) -> None:
    config = load_config(explicit=None, cwd=tmp_path)
    assert config == Config()
    assert (config.fail_on, config.unresolved) == ("error", "warning")
    assert config.coverage is None and config.config_path is None
    assert config.cache_ttl == DEFAULT_CACHE_TTL == 3600
    assert config.max_coverage_age == DEFAULT_MAX_COVERAGE_AGE == 7 * 86400
    assert config.ignore == () and config.modules == () and dict(config.resource_types) == {}


def test_every_key_read(tmp_path: Path) -> None:
    path = write(tmp_path / ".telnyx-coverage.toml", FULL)
    config = load_config(explicit=None, cwd=tmp_path)
    assert config.config_path == path.resolve()
    assert (config.fail_on, config.unresolved) == ("warning", "error")
    assert config.coverage == Path("snapshots/coverage.json")
    assert (config.cache_ttl, config.max_coverage_age) == (1800, 2 * 86400)
    assert config.ignore == (
        IgnoreRule(
            "TNX004", "module.lab.*", "lab circuits are resized by hand", date(2026, 12, 31)
        ),
        IgnoreRule("TNX008"),
    )
    assert dict(config.resource_types) == {
        "acme_vxc": ResourceType(
            ResourceKind.VIRTUAL_CROSS_CONNECT,
            {"region_code": "pop", "bandwidth_mbps": "speed"},
        ),
        "acme:index/gw:Gateway": ResourceType(ResourceKind.PUBLIC_INTERNET_GATEWAY, {}),
    }
    assert config.modules == (
        ModuleMapping(
            "git::https://example.com/net//vxc*",
            ResourceKind.VIRTUAL_CROSS_CONNECT,
            {"region_code": "location"},
        ),
    )


def test_found_from_a_subdirectory_upwards(tmp_path: Path) -> None:
    write(tmp_path / ".telnyx-coverage.toml", 'fail_on = "never"\ncoverage = "cov.json"\n')
    deep = tmp_path / "infra" / "envs" / "prod"
    deep.mkdir(parents=True)
    config = load_config(explicit=None, cwd=deep)
    assert config.fail_on == "never"
    assert config.config_path == (tmp_path / ".telnyx-coverage.toml").resolve()
    # Relative to the config file, not to where the run started.
    assert config.coverage == (tmp_path / "cov.json").resolve()


def test_pyproject_table(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "infra"\n\n[tool.telnyx-coverage]\nunresolved = "ignore"\n',
    )
    config = load_config(explicit=None, cwd=tmp_path)
    assert config.unresolved == "ignore"
    assert config.config_path == (tmp_path / "pyproject.toml").resolve()


def test_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path / ".telnyx-coverage.toml", 'fail_on = "warning"\n')
    inner = tmp_path / "pkg"
    # Someone else's pyproject.toml, even a broken one, does not stop the walk.
    write(inner / "pyproject.toml", '[project]\nname = "pkg"\n[tool.black]\nline-length = 99\n')
    write(inner / "sub" / "pyproject.toml", "this is [not toml\n")
    assert load_config(explicit=None, cwd=inner / "sub").fail_on == "warning"


def test_nearest_directory_wins_and_dot_file_before_pyproject(tmp_path: Path) -> None:
    write(tmp_path / ".telnyx-coverage.toml", 'fail_on = "warning"\n')
    inner = tmp_path / "inner"
    write(inner / "pyproject.toml", '[tool.telnyx-coverage]\nfail_on = "never"\n')
    assert load_config(explicit=None, cwd=inner).fail_on == "never"
    write(inner / ".telnyx-coverage.toml", 'fail_on = "error"\n')
    assert load_config(explicit=None, cwd=inner).fail_on == "error"


def test_explicit_config_overrides_discovery(tmp_path: Path) -> None:
    write(tmp_path / ".telnyx-coverage.toml", 'fail_on = "warning"\n')
    write(tmp_path / "ci" / "strict.toml", 'fail_on = "never"\ncoverage = "c.json"\n')
    config = load_config(explicit=Path("ci/strict.toml"), cwd=tmp_path)
    assert config.fail_on == "never"
    assert config.coverage == Path("ci/c.json")


def test_explicit_pyproject_needs_the_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(InputError, match=r"no \[tool.telnyx-coverage\] table") as caught:
        load_config(explicit=tmp_path / "pyproject.toml", cwd=tmp_path)
    assert caught.value.file == "pyproject.toml"


def test_explicit_config_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="config file not found") as caught:
        load_config(explicit=Path("nope.toml"), cwd=tmp_path)
    assert caught.value.file == "nope.toml"
    assert str(caught.value).startswith("nope.toml: ")


# ---------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("given", "seconds"),
    [
        (0, 0),
        (90, 90),
        ("90", 90),
        ("45s", 45),
        ("30m", 1800),
        ("1h", 3600),
        ("2d", 172800),
        ("1w", 604800),
        ("1h30m", 5400),
        (" 1H ", 3600),
    ],
)
def test_durations(given: object, seconds: int) -> None:
    assert parse_duration(given) == seconds


@pytest.mark.parametrize("given", [-1, 1.5, True, "", "1y", "h", "1h 2", "-5m", "30 minutes"])
def test_bad_durations(given: object) -> None:
    with pytest.raises(ValueError, match=r'duration like "30m"'):
        parse_duration(given)


def test_duration_keys_accept_integers(tmp_path: Path) -> None:
    write(tmp_path / ".telnyx-coverage.toml", "cache_ttl = 0\nmax_coverage_age = 3600\n")
    config = load_config(explicit=None, cwd=tmp_path)
    assert (config.cache_ttl, config.max_coverage_age) == (0, 3600)


# ---------------------------------------------------------------- mistakes


@pytest.mark.parametrize(
    ("text", "key", "line", "allowed"),
    [
        ('fail_on = "error"\nfial_on = "x"\n', "fial_on", 2, "allowed keys: fail_on"),
        ('fail_on = "sometimes"\n', "fail_on", 1, "use one of: error, warning, never"),
        ("fail_on = 1\n", "fail_on", 1, "expected a string, got an integer"),
        ('unresolved = "maybe"\n', "unresolved", 1, "use one of: warning, error, ignore"),
        ("coverage = 3\n", "coverage", 1, "expected a string"),
        ('coverage = ""\n', "coverage", 1, "must not be empty"),
        ('\ncache_ttl = "soon"\n', "cache_ttl", 2, 'duration like "30m"'),
        ("max_coverage_age = -1\n", "max_coverage_age", 1, "negative"),
        ('ignore = "TNX004"\n', "ignore", 1, "expected a list of tables"),
        (
            '[[ignore]]\nrule = "TNX004"\n\n[[ignore]]\nrule = "TNX004"\n\n'
            '[[ignore]]\nrule = "TNX999"\n',
            "ignore[2].rule",
            8,
            "use a rule id (TNX001",
        ),
        ('[[ignore]]\nreason = "x"\n', "ignore[0]", 1, 'missing "rule"'),
        ('[[ignore]]\nrule = "*"\nadress = "x"\n', "ignore[0].adress", 3, "allowed keys: rule"),
        ('[[ignore]]\nrule = "*"\nuntil = "soon"\n', "ignore[0].until", 3, "a date like"),
        (
            '[[ignore]]\nrule = "*"\nuntil = 2026-01-01T10:00:00\n',
            "ignore[0].until",
            3,
            "without a time",
        ),
        (
            'ignore = [\n  { rule = "*" },\n  { rule = "*", address = 5 },\n]\n',
            "ignore[1].address",
            3,
            "expected a string",
        ),
        ("resource_types = 1\n", "resource_types", 1, "expected a table"),
        ("[resource_types.x]\nattributes = {}\n", "resource_types.x", 1, 'missing "kind"'),
        (
            '[resource_types.x]\nkind = "vxc"\n',
            "resource_types.x.kind",
            2,
            "use one of: virtual_cross_connect, wireguard_interface",
        ),
        (
            '[resource_types."a:b/c:D"]\nkind = "wireguard_interface"\n'
            'attributes = { region = "r" }\n',
            'resource_types."a:b/c:D".attributes.region',
            3,
            "allowed keys: region_code, cloud_provider",
        ),
        (
            '[[modules]]\nsource = "./vxc"\n',
            "modules[0]",
            1,
            'missing "kind"',
        ),
        (
            '[[modules]]\nsource = "./vxc"\nkind = "public_internet_gateway"\n'
            "inputs = { region_code = 1 }\n",
            "modules[0].inputs.region_code",
            4,
            "expected a string",
        ),
    ],
)
def test_mistakes_name_file_key_line_and_what_is_allowed(
    tmp_path: Path, text: str, key: str, line: int, allowed: str
) -> None:
    error = load_error(tmp_path, text)
    assert error.file == ".telnyx-coverage.toml"
    assert error.message.startswith(f"{key}: ")
    assert allowed in error.message
    assert error.line == line
    assert str(error).startswith(f".telnyx-coverage.toml:{line}: {key}: ")


def test_mistake_in_pyproject_points_into_its_table(tmp_path: Path) -> None:
    text = '[project]\nfail_on = "x"\n\n[tool.telnyx-coverage]\nfail_on = "often"\n'
    error = load_error(tmp_path, text, name="pyproject.toml")
    assert (error.file, error.line) == ("pyproject.toml", 5)
    assert error.message.startswith("fail_on: ")


def test_toml_syntax_error_keeps_line_and_column(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'fail_on = "error"\nunresolved = "warning\n')
    assert (error.file, error.line, error.column) == (".telnyx-coverage.toml", 2, 22)
    assert error.message.startswith("invalid TOML: ")
    assert "(at line" not in error.message


def test_toml_error_at_end_of_file(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'fail_on = "error"\ncache_ttl =')
    assert (error.line, error.column) == (2, None)
    assert "at the end of the file" in error.message


def test_error_from_a_config_above_names_its_path(tmp_path: Path) -> None:
    write(tmp_path / "outer" / ".telnyx-coverage.toml", "bogus = 1\n")
    cwd = tmp_path / "outer" / "inner"
    cwd.mkdir()
    with pytest.raises(InputError) as caught:
        load_config(explicit=None, cwd=cwd)
    assert caught.value.file == str((tmp_path / "outer" / ".telnyx-coverage.toml").resolve())


def test_rule_names_and_lowercase_ids_are_accepted(tmp_path: Path) -> None:
    write(
        tmp_path / ".telnyx-coverage.toml",
        '[[ignore]]\nrule = "tnx003"\n[[ignore]]\nrule = "vxc-bandwidth-not-available"\n',
    )
    config = load_config(explicit=None, cwd=tmp_path)
    assert [entry.rule for entry in config.ignore] == ["TNX003", "TNX004"]


# ---------------------------------------------------------------- ignore matching


@pytest.mark.parametrize(
    ("address", "glob", "matches"),
    [
        ("module.edge.telnyx_virtual_cross_connect.aws[0]", "module.edge.*", True),
        ("module.edge.telnyx_virtual_cross_connect.aws[0]", "*aws[0]", True),
        ("module.edge.telnyx_virtual_cross_connect.aws[1]", "*aws[0]", False),
        ('telnyx_virtual_cross_connect.v["eu"]', 'telnyx_virtual_cross_connect.v["e?"]', True),
        ("telnyx_virtual_cross_connect.a", "telnyx_virtual_cross_connect.a[*]", False),
        ("telnyx_virtual_cross_connect.a", "*", True),
        ("module.edge.telnyx_vxc.a", "module.edge", False),
    ],
)
def test_address_globs_keep_brackets_literal(address: str, glob: str, matches: bool) -> None:
    assert address_matches(address, glob) is matches
