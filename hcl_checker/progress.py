"""A one-line progress indicator on stderr, for long runs on a terminal only."""

from __future__ import annotations

import time
from typing import TextIO

DELAY = 0.5
"""Seconds before anything is shown: a quick run shows nothing at all."""
INTERVAL = 0.1


class Progress:
    """Redraws ``scanning: 120/400 root modules, 15 Telnyx resources`` in place."""

    def __init__(self, stream: TextIO, *, enabled: bool, delay: float = DELAY) -> None:
        self._stream = stream
        self._enabled = enabled
        self._delay = delay
        self._started = time.monotonic()
        self._last = 0.0
        self._shown = False

    @classmethod
    def for_terminal(cls, stream: TextIO, *, quiet: bool, delay: float = DELAY) -> Progress:
        """Enabled only when ``stream`` is a terminal and ``--quiet`` was not given."""
        return cls(stream, enabled=not quiet and _isatty(stream), delay=delay)

    def modules(self, done: int, total: int, resources: int) -> None:
        """Report how far the scan is."""
        now = time.monotonic()
        if not self._enabled or now - self._started < self._delay or now - self._last < INTERVAL:
            return
        self._last = now
        plural = "" if resources == 1 else "s"
        self._stream.write(
            f"\r\x1b[Kscanning: {done}/{total} root modules, {resources} Telnyx resource{plural}"
        )
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Erase the line before the report is written."""
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
