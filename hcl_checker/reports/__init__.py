"""The report formats: one module per format, each exposing ``render(report, *, color)``.

Adding a format means adding one module and one line in :data:`FORMATS`.
"""

from __future__ import annotations

from typing import Final, Protocol

from hcl_checker.reports import github, json_report, junit, sarif, text
from telnyx_coverage.findings import Report


class Renderer(Protocol):
    """What every format module's ``render`` is."""

    def __call__(self, report: Report, *, color: bool = False) -> str: ...


FORMATS: Final[dict[str, Renderer]] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
}
"""Format name (as ``--format`` takes it) to its renderer; ``text`` first, the default."""


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """``report`` in format ``fmt``; ``color`` matters only to ``text``."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; one of: {', '.join(FORMATS)}") from None
    return renderer(report, color=color)


__all__ = ["FORMATS", "Renderer", "render"]
