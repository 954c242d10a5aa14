"""The two kinds of failure a user can hit, each mapped to an exit code."""

from __future__ import annotations


class TelnyxCoverageError(Exception):
    """Base of every error this tool reports to a user (never shown as a traceback)."""

    exit_code = 2


class InputError(TelnyxCoverageError):
    """Bad input: an option, a path, HCL or JSON that does not parse, an invalid config (exit 2)."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return f"{where}{self.message}"


class CoverageUnavailableError(TelnyxCoverageError):
    """Coverage could not be loaded: network, timeout, 401/403, 5xx, bad snapshot (exit 3)."""

    exit_code = 3
