"""GitHub Actions workflow commands (``--format github``): annotations on the pull request.

Each finding not suppressed becomes ``::error file=F,line=L,title=RULE name::message`` (or
``::warning``), its suggestions on the following lines of the annotation; each input error
``::error file=F,line=L,col=C,title=input error::message``. Suppressed findings are left
out: an annotation is a request for action. The last line is the plain summary, which the
log shows as is.
"""

from __future__ import annotations

from hcl_checker.reports.text import summary_line
from telnyx_coverage.findings import Finding, ProblemReport, Report


def escape_data(text: str) -> str:
    """Escape a command's message as the Actions runner reads it back."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``): also ``:`` and ``,``, its separators."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(name: str, properties: list[tuple[str, str | int | None]], message: str) -> str:
    given = ",".join(
        f"{key}={escape_property(str(value))}" for key, value in properties if value is not None
    )
    head = f"::{name} {given}" if given else f"::{name}"
    return f"{head}::{escape_data(message)}"


def _finding(finding: Finding) -> str:
    subject = f"{finding.address}: " if finding.address else ""
    message = "\n".join([subject + finding.message, *finding.suggestions])
    return _command(
        str(finding.effective_severity),
        [
            ("file", finding.file),
            ("line", finding.line),
            ("title", f"{finding.rule.id} {finding.rule.name}"),
        ],
        message,
    )


def _error(error: ProblemReport) -> str:
    return _command(
        "error",
        [
            ("file", error.file),
            ("line", error.line),
            ("col", error.column),
            ("title", "input error"),
        ],
        error.message,
    )


def render(report: Report, *, color: bool = False) -> str:
    """Workflow commands, one per input error and active finding, then the summary line."""
    lines = [_error(e) for e in report.errors]
    lines += [_finding(f) for f in report.findings if not f.suppressed]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
