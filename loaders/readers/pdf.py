"""PDF → the text layer in reading order, without running heads, page numbers and line-end hyphens.

Library: pypdf in layout mode, which places text by its coordinates, so reading order does not depend on
the order of the content stream. Measured on a generated one-column ordinance (3 pages, running header,
"Strona N z M" footer, a date set right of the place name on the same baseline), sequence similarity of
the extracted lines to the true ones: content stream in visual order - pypdf layout 1.00, pypdf plain
1.00, pdfminer.six 0.91; content stream with footer, body, header written in reverse order - pypdf
layout 1.00, pypdf plain 0.92, pdfminer.six 0.91; pypdf ~8 ms vs pdfminer.six ~30 ms. pdfminer.six
split same-baseline text into separate lines, so it brought nothing and would be one more dependency.
Plain mode is the fallback for a page layout mode cannot read or finds no letters on.

Steps: per page, the layout text with vertical spacing (`_page_rows`): each line with the blank lines
layout mode puts before it, one per tenth of the font height of vertical distance, so a line's gap
measures how far it is below the one above. A gap clearly wider than the document's usual line pitch
(its median gap) is a paragraph break, written as one blank line, as a text file would have it; a
document set at one even pitch gets none. Table cells: a run of 3+ spaces between words is a column
boundary when the text after it starts in the same column (±1) as after such a run on the line above or
below, and one of the two lines also has ordinary one-space word gaps (a justified paragraph stretches
every gap and has none); the cells are joined with " | ", as the HTML and DOCX readers write table rows.
Then whitespace is collapsed (`page_lines`).
Lines are peeled off each page's top and bottom (at most three each, stopping at the first ordinary
line): a running header/footer is a line that, compared case- and space-insensitively, stands among
the first/last three lines of at least half of the pages (and 2+) - or, with digits read as '#', does
so with numbers that follow the page numbers ("Dziennik Urzędowy ... - 3 - Poz. 1234"); a page number
("Strona 2 z 5", "- 2 -", "2/5", "str. 2") goes too, even without repetition. Blank lines next to a
page's edge go with them, so a sentence runs on across a page break. Then hyphenation at
line ends is undone: "organiza-" + "cyjnych" → "organizacyjnych", but a capitalised continuation
("Informacyjno-" + "Promocyjnych") or a compound adjective ("społeczno-" + "gospodarczych", per
Morfeusz) keeps the hyphen; the word is moved up to the first line either way.

Noise spans: lines of all `page_lines` concatenated page after page (`raw_lines(data, name)`).
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

from pypdf import PageObject, PdfReader

from kompetencje.errors import InputError

from ..model import Finding, SourceText
from . import lexicon
from .common import collapse_blank_lines, finish, noise_blocks

MAX_PAGES = 3000
_EDGE = 3
_MIN_PAGE_LETTERS = 10
_PAGE_NUMBER = re.compile(
    r"^(?:(?:strona|str\.|s\.|page|seite)\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?"
    r"(?:\s*(?:z|/|of|\|)\s*\d{1,4})?\.?$", re.IGNORECASE)
_HYPHEN_END = re.compile(r"([^\W\d_]+)[-\u00ad\u2010]$")
_FIRST_TOKEN = re.compile(r"^\s*(\S+)\s*(.*)$")
_LEADING_LETTERS = re.compile(r"^[^\W\d_]+")
_WS = re.compile(r"[ \t\u00a0]+")
_WIDE_GAP = re.compile(r"[ \t\u00a0]{3,}(?=\S)")
_SINGLE_GAP = re.compile(r"\S[ \u00a0]\S")
_GAP_UNIT = 0.1  # layout mode writes one blank line per this many font heights of vertical distance
_PARAGRAPH_GAP = 1.25  # a gap this many times the usual line pitch (and more than one unit wider) breaks
_DIGITS = re.compile(r"\d+")
_NO_TEXT = "no text layer (scanned PDF? OCR it first)"


def read(data: bytes, name: str) -> SourceText:
    reader = _open(data, name)
    pages, findings = _extract(reader, name)
    findings += _empty_page_findings(pages)
    text_pages = sum(1 for page in pages if _letters(page) >= _MIN_PAGE_LETTERS)
    lines, reasons = strip_running_lines(pages)
    kept = join_hyphenated(_kept_lines(pages, lines, reasons))
    return finish("\n".join(collapse_blank_lines(kept)), fmt="pdf", name=name, title=_title(reader),
                  noise=noise_blocks(reasons), findings=findings, quality=text_pages / len(pages))


def raw_lines(data: bytes, name: str) -> list[str]:
    """All page lines in page order: the text NoiseBlock spans count lines of."""
    pages, _ = _extract(_open(data, name), name)
    return [line for page in pages for line in page]


def _open(data: bytes, name: str) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError("encrypted PDF: it needs a password", source=name)
        count = len(reader.pages)
    except InputError:
        raise
    except Exception as error:
        raise InputError(f"damaged PDF ({type(error).__name__}: {error})", source=name) from error
    if count == 0:
        raise InputError("PDF without pages", source=name)
    if count > MAX_PAGES:
        raise InputError(f"PDF with {count} pages; the limit is {MAX_PAGES}", source=name)
    return reader


def _extract(reader: PdfReader, name: str) -> tuple[list[list[str]], list[Finding]]:
    page_rows: list[list[Row]] = []
    failed: list[int] = []
    for number, page in enumerate(reader.pages, start=1):
        text = _page_text(page)
        if text is None:
            failed.append(number)
        page_rows.append(_page_rows(text or ""))
    pitch = _usual_gap(page_rows)
    pages = [page_lines(rows, pitch) for rows in page_rows]
    if sum(_letters(page) for page in pages) < 2 * _MIN_PAGE_LETTERS:
        raise InputError(_NO_TEXT, source=name)
    findings = [Finding(f"pages {_ranges(failed)} could not be read and are missing")] if failed else []
    return pages, findings


def _page_text(page: PageObject) -> str | None:
    """Layout mode (visual order, rotated margin text dropped, blank lines measuring vertical gaps);
    plain mode when layout mode fails or finds no letters (a page whose text is all rotated)."""
    layout = _try(lambda: page.extract_text(extraction_mode="layout", layout_mode_space_vertically=True,
                                            layout_mode_font_height_weight=_GAP_UNIT))
    if layout is not None and sum(ch.isalpha() for ch in layout) >= _MIN_PAGE_LETTERS:
        return layout
    plain = _try(page.extract_text)
    if plain is None or (layout is not None and sum(ch.isalpha() for ch in plain) <= sum(
            ch.isalpha() for ch in layout)):
        return layout
    return plain


def _try(extract: Callable[[], str]) -> str | None:
    try:
        return extract() or ""
    except Exception:  # pypdf on a damaged content stream or font
        return None


class Row(NamedTuple):
    text: str  # as layout mode set it: columns kept, whitespace not collapsed
    gap: int | None  # blank lines above it on its page (None: first line of the page)


def _page_rows(text: str) -> list[Row]:
    """The page's lines with text, each with the number of blank lines layout mode put above it."""
    rows: list[Row] = []
    blanks: int | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            blanks = None if blanks is None else blanks + 1
            continue
        rows.append(Row(line.rstrip(), blanks))
        blanks = 0
    return rows


def _usual_gap(pages: list[list[Row]]) -> int | None:
    """The document's usual distance between one line and the next: the median gap."""
    gaps = sorted(row.gap for rows in pages for row in rows if row.gap is not None)
    return gaps[len(gaps) // 2] if gaps else None


def _is_paragraph_break(gap: int | None, pitch: int | None) -> bool:
    return gap is not None and pitch is not None and gap > max(pitch * _PARAGRAPH_GAP, pitch + 1)


def page_lines(rows: list[Row], pitch: int | None = None) -> list[str]:
    """One page's lines: table cells joined by " | ", whitespace collapsed, a blank line for each
    paragraph break (a gap wider than the usual pitch)."""
    cells = _table_cells([row.text for row in rows])
    out: list[str] = []
    for row, text in zip(rows, cells, strict=True):
        if _is_paragraph_break(row.gap, pitch) and out:
            out.append("")
        out.append(_WS.sub(" ", text).strip())
    return collapse_blank_lines(out)


def _wide_gaps(line: str) -> list[re.Match[str]]:
    return [m for m in _WIDE_GAP.finditer(line) if line[:m.start()].strip()]


def _stretched(line: str) -> bool:
    """Every gap between words is wider than one space: a justified line, not a table row."""
    return not _SINGLE_GAP.search(line.strip())


def _table_cells(lines: list[str]) -> list[str]:
    """Lines with " | " at column boundaries (see the module docstring)."""
    starts = [[m.end() for m in _wide_gaps(line)] for line in lines]
    out = []
    for i, line in enumerate(lines):
        boundaries = []
        for match in _wide_gaps(line):
            for j in (i - 1, i + 1):
                if 0 <= j < len(lines) and not (_stretched(line) and _stretched(lines[j])) and any(
                        abs(match.end() - other) <= 1 for other in starts[j]):
                    boundaries.append(match)
                    break
        for match in reversed(boundaries):
            line = line[:match.start()] + " | " + line[match.end():]
        out.append(line)
    return out


def _letters(lines: list[str]) -> int:
    return sum(1 for line in lines for ch in line if ch.isalpha())


def _empty_page_findings(pages: list[list[str]]) -> list[Finding]:
    empty = [n for n, page in enumerate(pages, start=1) if _letters(page) < _MIN_PAGE_LETTERS]
    if not empty:
        return []
    return [Finding(f"pages {_ranges(empty)} have no text layer (scanned pages?); their text is missing",
                    confidence=0.9)]


def _ranges(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:20]) + (" ..." if len(numbers) > 20 else "")


# --- running headers, footers, page numbers -------------------------------------------------------


def _keys(line: str) -> tuple[str, str | None]:
    """The line compared case- and space-insensitively, and (for a line with words) with digits as '#'."""
    key = " ".join(line.lower().split())
    if sum(1 for ch in line if ch.isalpha()) < 6 or not any(ch.isdigit() for ch in line):
        return key, None
    return key, _DIGITS.sub("#", key)


def _zones(page: list[str]) -> tuple[list[int], list[int]]:
    filled = [i for i, line in enumerate(page) if line]
    return filled[:_EDGE], filled[-_EDGE:]


def _repeated(pages: list[list[str]], zone: int) -> set[str]:
    """Keys standing in the top (zone 0) or bottom (zone 1) zone of at least half the pages (and 2+).
    A digits-as-'#' key counts only when its numbers follow the page numbers ("- 3 -", "Poz. 12, str. 3")."""
    seen: Counter[str] = Counter()
    numbers: dict[str, list[tuple[int, list[int]]]] = {}
    for index, page in enumerate(pages):
        keys: set[str] = set()
        for i in _zones(page)[zone]:
            exact, digits = _keys(page[i])
            keys.add(exact)
            if digits and digits != exact:
                keys.add(digits)
                numbers.setdefault(digits, []).append((index, [int(n) for n in _DIGITS.findall(page[i])]))
        seen.update(keys)
    needed = max(2, math.ceil(0.5 * len(pages)))
    return {key for key, count in seen.items()
            if count >= needed and (key not in numbers or _tracks_pages(numbers[key]))}


def _tracks_pages(occurrences: list[tuple[int, list[int]]]) -> bool:
    """Does one of the line's numbers equal the page index plus a fixed offset on most pages?"""
    first_index, first_numbers = occurrences[0]
    for offset in {n - first_index for n in first_numbers}:
        hits = sum(1 for index, found in occurrences if index + offset in found)
        if hits >= 0.8 * len(occurrences):
            return True
    return False


def strip_running_lines(pages: list[list[str]]) -> tuple[list[str], list[str | None]]:
    """All lines, page after page, each with the reason it is noise (or None)."""
    heads, feet = _repeated(pages, 0), _repeated(pages, 1)
    lines: list[str] = []
    reasons: list[str | None] = []
    for page in pages:
        top, bottom = _zones(page)
        page_reasons: list[str | None] = [None] * len(page)
        _peel(page, top, heads, "page header", page_reasons)
        _peel(page, list(reversed(bottom)), feet, "page footer", page_reasons)
        lines.extend(page)
        reasons.extend(page_reasons)
    return lines, reasons


def _kept_lines(pages: list[list[str]], lines: list[str], reasons: list[str | None]) -> list[str]:
    """The lines that are not noise; blank lines at a page's top or bottom go (a paragraph break is only
    known between two lines of one page)."""
    kept: list[str] = []
    start = 0
    for page in pages:
        body = [line for line, reason in zip(lines[start:start + len(page)], reasons[start:start + len(page)],
                                              strict=True) if reason is None]
        while body and not body[0]:
            body.pop(0)
        while body and not body[-1]:
            body.pop()
        kept.extend(body)
        start += len(page)
    return kept


def _peel(page: list[str], zone: list[int], repeated: set[str], reason: str,
          reasons: list[str | None]) -> None:
    """Mark running lines from the page edge inwards; the first ordinary line stops the peeling."""
    for i in zone:
        if reasons[i] is not None:
            continue
        if set(_keys(page[i])) & repeated:
            reasons[i] = reason
        elif _PAGE_NUMBER.match(page[i]):
            reasons[i] = "page number"
        else:
            return


# --- hyphenation ----------------------------------------------------------------------------------


def join_hyphenated(lines: list[str]) -> list[str]:
    """Undo line-end hyphenation, moving the continuation up to the hyphenated line."""
    out = list(lines)
    emptied: set[int] = set()
    for i in range(len(out) - 1):
        end = _HYPHEN_END.search(out[i])
        first = _FIRST_TOKEN.match(out[i + 1])
        letters = _LEADING_LETTERS.match(first.group(1)) if first else None
        if not end or not first or not letters:
            continue
        hyphen = "-" if _keeps_hyphen(end.group(1), letters.group()) else ""
        out[i] = out[i][:end.end(1)] + hyphen + first.group(1)
        out[i + 1] = first.group(2)
        if not out[i + 1]:
            emptied.add(i + 1)
    return [line for i, line in enumerate(out) if i not in emptied]


def _keeps_hyphen(left: str, right: str) -> bool:
    """Is the line-end hyphen between `left` and `right` a real one?"""
    if right[0].isupper():
        return True  # Informacyjno-Promocyjnych, Bielsko-Biała
    if lexicon.is_compound_adjective(left, right):
        return True  # społeczno-gospodarczy
    if lexicon.is_word(left + right):
        return False  # organiza-cyjnych
    return lexicon.is_word(left) and lexicon.is_word(right) and lexicon.available()


def _title(reader: PdfReader) -> str | None:
    try:
        metadata = reader.metadata
        return str(metadata.title) if metadata and metadata.title else None
    except Exception:  # a damaged info dictionary is no reason to refuse the text
        return None
