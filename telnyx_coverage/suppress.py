"""Inline suppression comments: ``telnyx-coverage:ignore TNX004[,TNX003] [until=DATE] [reason]``.

Front ends find the comments (``#``, ``//``, ``/* */`` in Terraform) and hand their text here;
this module knows nothing about where a comment came from beyond the file and line it names.
"""

from __future__ import annotations

import re
from datetime import date

from telnyx_coverage.errors import InputError
from telnyx_coverage.findings import RULES
from telnyx_coverage.resources import Suppression

MARKER = "telnyx-coverage:ignore"
"""What a comment starts with to silence rules."""

_RULE_RE = re.compile(r"TNX\d{3}")
_EXAMPLE = f"{MARKER} TNX004 until=2030-01-31 waiting for capacity"


def parse_ignore_comment(text: str, *, file: str | None, line: int | None) -> Suppression | None:
    """The suppression a comment body spells, None if it is no ignore comment.

    ``text`` is the comment without its ``#``, ``//`` or ``/* */``. A malformed ignore comment
    (no rule ids, an id that is no rule, a bad ``until=`` date) raises InputError naming
    ``file`` and ``line``, so that a typo never silently silences nothing.
    """
    body = text.strip()
    if not body.lower().startswith(MARKER):
        return None
    rest = body[len(MARKER) :]
    if rest and not rest[0].isspace() and rest[0] not in ":=":
        return None  # some other word that merely starts like the marker
    rest = rest.lstrip(":= \t")

    rules_text, rest = _take_rules(rest)
    if not rules_text:
        raise InputError(
            f"{MARKER} names no rule: list the rules to silence, e.g. '{_EXAMPLE}'",
            file=file,
            line=line,
        )
    rules = [r.strip().upper() for r in rules_text.split(",") if r.strip()]
    for rule in rules:
        if not _RULE_RE.fullmatch(rule):
            raise InputError(
                f"{MARKER}: '{rule}' is not a rule id (rule ids look like TNX004)",
                file=file,
                line=line,
            )
        if rule not in RULES:
            known = ", ".join(sorted(RULES))
            raise InputError(
                f"{MARKER}: there is no rule {rule} (the rules are {known})",
                file=file,
                line=line,
            )

    until: str | None = None
    match = re.match(r"until=(\S*)\s*", rest, re.IGNORECASE)
    if match:
        until = _valid_date(match.group(1), file=file, line=line)
        rest = rest[match.end() :]
    reason = rest.strip().lstrip("-:\u2013\u2014 \t").strip()
    return Suppression(rules=frozenset(rules), until=until, reason=reason, file=file, line=line)


def _take_rules(text: str) -> tuple[str, str]:
    """Split ``TNX004, TNX003 until=... reason`` into the rule list and the rest."""
    match = re.match(r"([A-Za-z]+\d*(?:\s*,\s*[A-Za-z]+\d*)*)\s*", text)
    if match is None:
        return "", text
    candidate = match.group(1)
    # A reason right after the marker ("ignore waiting for AWS") is no rule list: only words
    # that look like rule ids (TNX...) are taken as one.
    if not all(part.strip().upper().startswith("TNX") for part in candidate.split(",")):
        return "", text
    return candidate, text[match.end() :]


def _valid_date(text: str, *, file: str | None, line: int | None) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass  # 2026-02-30 and the like: reported below like any other bad date
    raise InputError(
        f"{MARKER}: until='{text}' is not a date; write it as YYYY-MM-DD, e.g. until=2030-01-31",
        file=file,
        line=line,
    )
