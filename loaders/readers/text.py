"""Plain text: decode, repair, normalise. Line N of SourceText.text is line N of the file."""

from __future__ import annotations

from ..model import SourceText
from .common import finish
from .encoding import decode


def read(data: bytes, name: str) -> SourceText:
    decoded = decode(data, name)
    return finish(decoded.text, fmt="text", name=name, encoding=decoded.encoding, findings=decoded.findings)
