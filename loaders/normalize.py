"""Source text → lines ready for structure parsing, each traceable to its line in the original text.

What is undone here is presentation, not content: words glued together by a lost line break, markdown
emphasis, table pipes, and the markdown bullet written in front of a numbered marker ("- 1) Tekst").
One original line may become several lines (a glued heading is split); each keeps `origin`, the 1-based
number of the original line, so every span of the document model points into the source as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kompetencje.loaders import morphology

EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
TABLE_RULE = re.compile(r"^\|?[\s:|-]*-{2,}[\s:|-]*\|?$")
BULLET_BEFORE_MARKER = re.compile(
    r"^(?P<indent>\s*)[-–•*]\s+(?=(?:§|\d{1,3}[.)]|[a-ząćęłńóśźż][)/]|[IVXLC]+\.\s))")
INVISIBLE = str.maketrans({"\u00a0": " ", "\u200b": None, "\ufeff": None, "\f": None, "\t": "    "})


@dataclass(frozen=True)
class Line:
    """One normalised line: its text, where it came from and how far it was indented."""

    text: str
    origin: int  # 1-based line number in the original text
    indent: int = 0
    cells: tuple[str, ...] = ()  # the cells, when the line was a table row

    @property
    def blank(self) -> bool:
        return not self.text


def original_lines(text: str) -> list[str]:
    """The source's lines as the document model keeps them (Document.lines)."""
    return text.splitlines()


def normalize_lines(text: str) -> list[Line]:
    """Every original line, cleaned and split where words were glued, in order."""
    lines: list[Line] = []
    for number, raw in enumerate(original_lines(text), start=1):
        lines.extend(normalize_line(raw, number))
    return lines


def normalize_line(raw: str, origin: int) -> list[Line]:
    cleaned = raw.translate(INVISIBLE).rstrip()
    cleaned = EMPHASIS.sub(r"\2", cleaned)
    if "|" in cleaned and _is_table_row(cleaned):
        return [_table_row(cleaned, origin)]
    pieces = morphology.split_glued_words(cleaned).split("\n") if cleaned.strip() else [""]
    return [_plain_line(piece, origin, index == 0) for index, piece in enumerate(pieces)]


def _plain_line(text: str, origin: int, first_piece: bool) -> Line:
    indent = len(text) - len(text.lstrip()) if first_piece else 0
    text = BULLET_BEFORE_MARKER.sub(r"\g<indent>", text)
    return Line(text.strip(), origin, indent)


def _is_table_row(text: str) -> bool:
    stripped = text.strip()
    stripped = stripped[1:].strip() if stripped.startswith(("- ", "* ")) else stripped
    return stripped.startswith("|") or stripped.count("|") >= 2


def _table_row(text: str, origin: int) -> Line:
    stripped = text.strip()
    if stripped.startswith(("- ", "* ")):
        stripped = stripped[2:]
    if TABLE_RULE.match(stripped):
        return Line("", origin)
    cells = tuple(cell.strip() for cell in stripped.strip("|").split("|") if cell.strip())
    joined = " | ".join(cells)
    return Line(BULLET_BEFORE_MARKER.sub("", joined).strip(), origin, 0, cells)


def collapse_spaces(text: str) -> str:
    """One space between words: for names and matching, never for the verbatim duty text."""
    return re.sub(r"\s+", " ", text).strip()
