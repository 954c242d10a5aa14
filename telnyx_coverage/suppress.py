"""Inline suppression comments: ``telnyx-coverage:ignore TNX004[,TNX003] [until=DATE] [reason]``.

Front ends find the comments (``#``, ``//``, ``/* */`` in Terraform) that hold :data:`MARKER`
and hand their text here; this module knows nothing about where a comment came from beyond
the file and line it names.

What a comment that starts with ``telnyx-coverage`` means:

- ``telnyx-coverage:ignore ...``, with any case of ``ignore`` and spaces around the ``:``
  (``telnyx-coverage: Ignore ...``), is an ignore comment;
- ``telnyx-coverage:<word>`` for any other word (``telnyx-coverage:ignroe``,
  ``telnyx-coverage:disable``), a near miss of ``ignore`` after ``: ``, a bare
  ``telnyx-coverage ignore``, or another word followed by rules, is an input error that says
  what to write instead, so a typo never silently silences nothing;
- anything else (``telnyx-coverage: runs in CI``) is prose, not a directive.

Rules are listed by id (``TNX004``) or by name (``vxc-bandwidth-not-available``), in any case,
separated by commas, as the config's ``ignore.rule`` takes them.
"""

from __future__ import annotations

import difflib
import re
from datetime import date

from telnyx_coverage.errors import InputError
from telnyx_coverage.findings import RULES
from telnyx_coverage.resources import Suppression

MARKER = "telnyx-coverage"
"""Text every directive comment holds: a front end hands any comment holding it to
:func:`parse_ignore_comment`, which tells an ignore comment and a mistyped one from prose."""

DIRECTIVE = "telnyx-coverage:ignore"
"""The one directive there is, as the documentation writes it."""

_EXAMPLE = f"{DIRECTIVE} TNX004 until=2030-01-31 waiting for capacity"
_RULE_ID_RE = re.compile(r"TNX\d{3}", re.IGNORECASE)
_BY_NAME = {rule.name: rule.id for rule in RULES.values()}
_TOOL_RE = re.compile(r"telnyx-coverage(?![\w-])", re.IGNORECASE)
_WORD_RE = re.compile(r"[A-Za-z][\w-]*")
_RULE_LIST_RE = re.compile(r"([A-Za-z0-9][\w-]*(?:\s*,\s*[A-Za-z0-9][\w-]*)*)(?:\s*,)?\s*")
_UNTIL_RE = re.compile(r"until\s*=\s*(\S*)\s*", re.IGNORECASE)
_UNTIL_LATER_RE = re.compile(r"(?:^|\s)until\s*=", re.IGNORECASE)


def parse_ignore_comment(text: str, *, file: str | None, line: int | None) -> Suppression | None:
    """The suppression a comment body spells, None if it is no ignore comment.

    ``text`` is the comment without its ``#``, ``//`` or ``/* */``. A malformed ignore comment
    (no rules, a rule that does not exist, a bad ``until=`` date, ``until=`` after the reason)
    or a mistyped directive (``telnyx-coverage:ignroe``) raises InputError naming ``file`` and
    ``line``, so that a typo never silently silences nothing.
    """
    body = text.strip()
    tool = _TOOL_RE.match(body)
    if tool is None:
        return None
    rest = _directive_rest(body[tool.end() :], file=file, line=line)
    if rest is None:
        return None

    rules, rest = _take_rules(rest, file=file, line=line)
    until: str | None = None
    match = _UNTIL_RE.match(rest)
    if match:
        until = _valid_date(match.group(1), file=file, line=line)
        rest = rest[match.end() :]
    reason = rest.strip().lstrip("-:\u2013\u2014 \t").strip()
    if _UNTIL_LATER_RE.search(reason):
        raise InputError(
            f"{DIRECTIVE}: until= must come right after the rule list, before the reason "
            f"(e.g. '{_EXAMPLE}'); written after the reason it is read as part of the reason "
            "and the suppression never expires",
            file=file,
            line=line,
        )
    first = reason.split(maxsplit=1)[0].rstrip(",;.") if reason else ""
    if _rule_id(first) is not None:
        raise InputError(
            f"{DIRECTIVE}: separate the rules with commas ('{DIRECTIVE} "
            f"{','.join(sorted(rules))},{_rule_id(first)}'): '{first}' after a space is read "
            "as the start of the reason and is not silenced",
            file=file,
            line=line,
        )
    return Suppression(rules=frozenset(rules), until=until, reason=reason, file=file, line=line)


def _directive_rest(after_tool: str, *, file: str | None, line: int | None) -> str | None:
    """What follows ``telnyx-coverage:ignore`` in ``after_tool`` (the text after the tool's
    name); None when the comment is prose; InputError when it is a mistyped directive."""
    colon = re.match(r"\s*:(\s*)", after_tool)
    if colon is None:
        # "telnyx-coverage ignore TNX004": the colon is missing.
        if re.match(r"\s+ignore(?![\w-])", after_tool, re.IGNORECASE):
            raise InputError(
                f"'telnyx-coverage ignore' is missing its colon: write '{DIRECTIVE} ...', "
                f"e.g. '{_EXAMPLE}'",
                file=file,
                line=line,
            )
        return None
    rest = after_tool[colon.end() :]
    word = _WORD_RE.match(rest)
    if word is None:
        return None  # "telnyx-coverage: 2 findings" and the like: prose
    name = word.group(0)
    rest = rest[word.end() :]
    if name.lower() == "ignore" and (not rest or rest[0].isspace() or rest[0] in ":="):
        return rest.lstrip(":= \t")
    spaced = bool(colon.group(1))
    if spaced and not _looks_like_directive(name, rest):
        return None  # "telnyx-coverage: checks this module in CI"
    if not spaced and rest and not rest[0].isspace() and rest[0] != "=":
        return None  # "telnyx-coverage:https://...": not a word on its own
    raise InputError(
        f"unknown directive 'telnyx-coverage:{name}'; did you mean {DIRECTIVE}? It is the only "
        f"one: '{DIRECTIVE} RULE[,RULE] [until=YYYY-MM-DD] [reason]', e.g. '{_EXAMPLE}'",
        file=file,
        line=line,
    )


def _looks_like_directive(word: str, rest: str) -> bool:
    """After ``telnyx-coverage: ``, a near miss of ``ignore`` or a word followed by rules."""
    if difflib.get_close_matches(word.lower(), ["ignore"], n=1, cutoff=0.6):
        return True
    following = re.match(r"[\s:=]*([\w-]+)", rest)
    return following is not None and _rule_id(following.group(1)) is not None


def _rule_id(token: str) -> str | None:
    """The id of the rule ``token`` names by id or by name, in any case; None if none."""
    upper = token.upper()
    if upper in RULES:
        return upper
    return _BY_NAME.get(token.lower())


def _take_rules(text: str, *, file: str | None, line: int | None) -> tuple[list[str], str]:
    """Split ``TNX004, vxc-bandwidth-not-available until=... reason`` into rule ids and the
    rest; InputError when there is no rule list or a token in it names no rule."""
    known = ", ".join(
        f"{rule.id} ({rule.name})" for rule in sorted(RULES.values(), key=lambda r: r.id)
    )
    match = _RULE_LIST_RE.match(text)
    tokens = [t.strip() for t in match.group(1).split(",")] if match else []
    if not tokens or _UNTIL_RE.match(text):
        hint = ""
        if _UNTIL_RE.match(text):
            hint = " (until= comes after the rule list)"
        raise InputError(
            f"{DIRECTIVE} names no rule{hint}: list the rules to silence by id or name, "
            f"e.g. '{_EXAMPLE}'",
            file=file,
            line=line,
        )
    assert match is not None
    ids = []
    for position, token in enumerate(tokens):
        rule_id = _rule_id(token)
        if rule_id is not None:
            ids.append(rule_id)
            continue
        suggestion = _did_you_mean(token)
        if _RULE_ID_RE.fullmatch(token):
            problem = f"there is no rule {token.upper()}"
        elif re.fullmatch(r"TNX\w*", token, re.IGNORECASE):
            problem = f"'{token}' is not a rule id (rule ids look like TNX004)"
        elif position == 0 and suggestion is None:
            # "telnyx-coverage:ignore waiting for AWS": a reason where the rules should be.
            raise InputError(
                f"{DIRECTIVE} names no rule: '{token}' is no rule id or name; list the rules "
                f"to silence first, e.g. '{_EXAMPLE}' (the rules are {known})",
                file=file,
                line=line,
            )
        else:
            problem = f"there is no rule named '{token}'"
        did_you_mean = f"; did you mean {suggestion}?" if suggestion else ""
        raise InputError(
            f"{DIRECTIVE}: {problem}{did_you_mean} (the rules are {known})",
            file=file,
            line=line,
        )
    return ids, text[match.end() :]


def _did_you_mean(token: str) -> str | None:
    names = [*RULES, *_BY_NAME]
    close = difflib.get_close_matches(token.lower(), [n.lower() for n in names], n=1, cutoff=0.75)
    if not close:
        return None
    return next(n for n in names if n.lower() == close[0])


def _valid_date(text: str, *, file: str | None, line: int | None) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass  # 2026-02-30 and the like: reported below like any other bad date
    raise InputError(
        f"{DIRECTIVE}: until='{text}' is not a date; write it as YYYY-MM-DD, e.g. until=2030-01-31",
        file=file,
        line=line,
    )
