"""Keeping the API key out of every message: the one place that knows how it can show up."""

from __future__ import annotations

import json
import re
from typing import Final

REDACTED: Final = "[redacted]"

_FREE_LENGTH: Final = 8
"""A key this long is taken out wherever it appears; a shorter one (no real key, but a test
or a typo) only where it stands alone, so that ``k`` does not garble every word."""

_PREFIX_LENGTH: Final = 4
"""A text cut short may end in the start of the key: that much of it is taken out too."""


def redact(text: str, secret: str | None) -> str:
    """``text`` with ``secret`` replaced by ``[redacted]``: as written, as ``repr`` or JSON
    would escape it, and a start of it left at the end of a text that was cut short."""
    if not secret:
        return text
    forms = {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]}
    for form in sorted(forms, key=len, reverse=True):
        if len(form) >= _FREE_LENGTH:
            text = text.replace(form, REDACTED)
        else:
            text = re.sub(rf"(?<![\w-]){re.escape(form)}(?![\w-])", REDACTED, text)
    if len(secret) >= _FREE_LENGTH:
        for end in range(len(secret) - 1, _PREFIX_LENGTH - 1, -1):
            if text.endswith(secret[:end]):
                return text[:-end] + REDACTED
    return text
