"""Noise: runs of lines no structure claimed (menus, accessibility bars, search boxes, cookie notices,
footers, slogans, "Wstecz"), each with a reason guessed from where it is and what it looks like."""

from __future__ import annotations

import re

from kompetencje.loaders.extract.context import Extraction
from kompetencje.loaders.model import NoiseBlock, Span

COOKIES = re.compile(r"cookie|ciasteczk|polityk\w*\s+prywatności", re.IGNORECASE)
ACCESSIBILITY = re.compile(r"słabowidząc|kontrast|wielkość\s+(?:czcionki|tekstu)|\bA+\+|przeskocz|pomiń|"
                           r"przejdź\s+do", re.IGNORECASE)
SEARCH = re.compile(r"wyszuk|szukaj", re.IGNORECASE)
NAV_WORDS = re.compile(r"^(?:wstecz|powrót|wróć|drukuj|do\s+góry|top|menu|zamknij|udostępnij|więcej)\b",
                       re.IGNORECASE)


def find_noise(ext: Extraction) -> list[NoiseBlock]:
    runs = _unclaimed_runs(ext)
    if not runs:
        return []
    first_used = min(ext.used) if ext.used else None
    last_used = max(ext.used) if ext.used else None
    return [NoiseBlock(span, _reason(ext, span, first_used, last_used)) for span in runs]


def _unclaimed_runs(ext: Extraction) -> list[Span]:
    """Runs of original lines with content (after normalisation: a table rule has none) nobody claimed."""
    with_content = {line.origin for line in ext.lines if line.text}
    runs: list[Span] = []
    start = end = None
    for number in range(1, len(ext.doc.lines) + 1):
        if number not in with_content:
            continue
        if number in ext.used:
            if start is not None:
                runs.append(Span(start, end))
            start = end = None
            continue
        start = number if start is None else start
        end = number
    if start is not None:
        runs.append(Span(start, end))
    return runs


def _reason(ext: Extraction, span: Span, first_used: int | None, last_used: int | None) -> str:
    text = "\n".join(ext.doc.lines[span.start - 1: span.end])
    lines = [t.strip() for t in text.splitlines() if t.strip()]
    if COOKIES.search(text) and (last_used is None or span.start > last_used):
        return "portal footer and cookie notice"
    if COOKIES.search(text):
        return "cookie notice"
    if first_used is not None and span.end < first_used:
        if ACCESSIBILITY.search(text) or SEARCH.search(text):
            return "navigation, accessibility bar and search"
        return "page header or navigation"
    if last_used is not None and span.start > last_used:
        return "navigation link" if len(lines) == 1 and NAV_WORDS.match(lines[0]) else "portal footer"
    if len(lines) == 1 and NAV_WORDS.match(lines[0]):
        return "navigation link"
    if all(len(line.split()) <= 6 and not line.endswith((".", ";")) for line in lines):
        return "unrecognised short lines (heading, breadcrumb or slogan)"
    return "text outside any recognised structure"
