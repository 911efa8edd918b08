"""What every reader shares: the final SourceText assembly, noise spans, line helpers, limits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from kompetencje.errors import InputError

from ..model import Finding, NoiseBlock, SourceText, Span
from .encoding import normalise
from .quality import assess

MAX_BYTES = 64 * 1024 * 1024
_WS = re.compile(r"\s+")
_FILE_NAME = re.compile(r"\.(?:docx?|odt|rtf|pdf|txt|html?)\s*$", re.IGNORECASE)


def finish(text: str, *, fmt: str, name: str, encoding: str | None = None, title: str | None = None,
           breadcrumb: Sequence[str] = (), noise: Sequence[NoiseBlock] = (),
           findings: Sequence[Finding] = (), quality: float = 1.0) -> SourceText:
    """Normalise `text`, refuse it when nothing readable is left, measure its quality."""
    text = normalise(text)
    require_text(text, name)
    measured, quality_findings = assess(text)
    return SourceText(text=text, format=fmt, encoding=encoding, title=clean_title(title),
                      breadcrumb=list(breadcrumb), noise=list(noise),
                      findings=[*findings, *quality_findings], quality=round(min(quality, measured), 3))


def require_text(text: str, name: str) -> None:
    if not any(ch.isalpha() for ch in text):
        raise InputError("no readable text in the document", source=name)


def one_line(text: str) -> str:
    """Collapse all whitespace, line breaks included, to single spaces."""
    return _WS.sub(" ", normalise(text)).strip()


def clean_title(title: str | None) -> str | None:
    """A metadata title, or None when it is empty or merely a file name ('Zarz_12.doc')."""
    if not title:
        return None
    title = one_line(title)
    if not title or _FILE_NAME.search(title):
        return None
    return title


def collapse_blank_lines(lines: Iterable[str]) -> list[str]:
    """At most one blank line in a row, none at the start or the end."""
    out: list[str] = []
    for line in lines:
        if line.strip() or (out and out[-1].strip()):
            out.append(line if line.strip() else "")
    while out and not out[-1]:
        out.pop()
    return out


def noise_blocks(reasons: Sequence[str | None]) -> list[NoiseBlock]:
    """Runs of equal non-None reasons (reasons[i] is line i+1) as NoiseBlocks."""
    blocks: list[NoiseBlock] = []
    start = 0
    for i in range(1, len(reasons) + 1):
        if i == len(reasons) or reasons[i] != reasons[start]:
            reason = reasons[start]
            if reason is not None:
                blocks.append(NoiseBlock(Span(start + 1, i), reason))
            start = i
    return blocks
