"""Every rule has its doc page, and each page's example really fires its rule."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hcl_checker.cli import main
from telnyx_coverage.findings import RULES

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = str(REPO / "examples" / "coverage-snapshot.json")


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_a_doc_page_with_its_name(rule_id: str) -> None:
    page = REPO / RULES[rule_id].doc_path
    assert page.is_file()
    assert page.read_text().startswith(f"# {rule_id} {RULES[rule_id].name}\n")


@pytest.mark.parametrize("rule_id", ["TNX001", "TNX002", "TNX003", "TNX004", "TNX005", "TNX006"])
def test_the_doc_example_fires_its_rule(
    rule_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (REPO / RULES[rule_id].doc_path).read_text()
    example = re.search(r"```hcl\n(.*?)```", page, re.S)
    assert example is not None
    (tmp_path / "main.tf").write_text(example.group(1))
    main(["check", str(tmp_path), "--coverage", SNAPSHOT, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in report["findings"]] == [rule_id]
    shown = re.search(r"```text\n(.*?)\n", page)
    assert shown is not None
    assert report["findings"][0]["message"] in shown.group(1)
