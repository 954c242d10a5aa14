"""The ``telnyx-coverage:ignore`` comment grammar."""

from __future__ import annotations

import pytest

from telnyx_coverage.errors import InputError
from telnyx_coverage.resources import Suppression
from telnyx_coverage.suppress import parse_ignore_comment


def parse(text: str) -> Suppression | None:
    return parse_ignore_comment(text, file="main.tf", line=7)


def test_one_rule() -> None:
    suppression = parse(" telnyx-coverage:ignore TNX004")
    assert suppression is not None
    assert suppression.rules == frozenset({"TNX004"})
    assert suppression.until is None
    assert suppression.reason == ""
    assert (suppression.file, suppression.line) == ("main.tf", 7)


def test_rules_until_and_reason() -> None:
    suppression = parse("telnyx-coverage:ignore TNX004,TNX003 until=2030-01-31 waiting for AWS")
    assert suppression is not None
    assert suppression.rules == frozenset({"TNX004", "TNX003"})
    assert suppression.until == "2030-01-31"
    assert suppression.reason == "waiting for AWS"


def test_spaces_after_commas_and_lowercase_ids_are_accepted() -> None:
    suppression = parse("telnyx-coverage:ignore tnx004, TNX003 -- capacity on order")
    assert suppression is not None
    assert suppression.rules == frozenset({"TNX004", "TNX003"})
    assert suppression.reason == "capacity on order"


@pytest.mark.parametrize(
    "text",
    ["", "just a comment", "TODO telnyx-coverage:ignore TNX004", "telnyx-coverage:ignored TNX004"],
)
def test_other_comments_are_not_suppressions(text: str) -> None:
    assert parse(text) is None


def test_missing_rule_list_tells_the_user_to_name_rules() -> None:
    with pytest.raises(InputError) as error:
        parse("telnyx-coverage:ignore waiting for AWS")
    assert "names no rule" in error.value.message
    assert "TNX004" in error.value.message  # the example shows how
    assert (error.value.file, error.value.line) == ("main.tf", 7)


@pytest.mark.parametrize("text", ["telnyx-coverage:ignore TNX4", "telnyx-coverage:ignore TNX0042"])
def test_malformed_rule_id_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="not a rule id"):
        parse(text)


def test_unknown_rule_id_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no rule TNX999"):
        parse("telnyx-coverage:ignore TNX999")


@pytest.mark.parametrize("date", ["2030-13-01", "2030-02-30", "tomorrow", "2030/01/01", ""])
def test_bad_until_date_names_file_and_line(date: str) -> None:
    with pytest.raises(InputError) as error:
        parse(f"telnyx-coverage:ignore TNX004 until={date} reason")
    assert "YYYY-MM-DD" in error.value.message
    assert str(error.value).startswith("main.tf:7: ")
