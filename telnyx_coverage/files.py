"""Reading input files safely: a FIFO must not block a run, /dev/zero must not fill memory."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any


class NotARegularFileError(OSError):
    """The path is a device, pipe or socket, or a file larger than the reader accepts."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.strerror = reason


def read_input_bytes(path: Path, *, max_bytes: int, head: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` (only its first ``head`` bytes, when given).

    Raises OSError (FileNotFoundError, IsADirectoryError, PermissionError, ...) or
    :class:`NotARegularFileError`, each with a ``strerror`` fit to show a user.
    """
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(descriptor, "rb", buffering=0) as handle:
        status = os.fstat(handle.fileno())
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(21, "is a directory, not a file", os.fspath(path))
        if not stat.S_ISREG(status.st_mode):
            raise NotARegularFileError("not a regular file (a device, pipe or socket)")
        if head is not None:
            return handle.read(head)
        if status.st_size > max_bytes:
            raise NotARegularFileError(f"file too large (over {max_bytes // 2**20} MB)")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise NotARegularFileError(f"file too large (over {max_bytes // 2**20} MB)")
    return data


def loads_json(text: str) -> Any:
    """``json.loads``, where nesting too deep to read is a JSONDecodeError too.

    (The standard parser recurses, so ``[[[[...`` thousands deep raises RecursionError.)
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
