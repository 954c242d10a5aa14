"""Validation of SARIF output against the official 2.1.0 schema kept in ``../shared/schemas``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import pytest

SARIF_SCHEMA = (
    Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
)


@cache
def _validator() -> jsonschema.Draft7Validator:
    # The official schema ships in ../shared beside the repository (CI has it there too);
    # without it the SARIF output would go unchecked, so that is a failure, not a skip.
    if not SARIF_SCHEMA.is_file():
        pytest.fail(f"the official SARIF schema is missing: expected it at {SARIF_SCHEMA}")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


def assert_valid_sarif(log: Any) -> None:
    """Fail with every schema violation, each with its JSON path, when ``log`` is not valid."""
    errors = sorted(_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{e.json_path}: {e.message}" for e in errors)
