"""Texts set as the documents a city hall would publish: a PDF (fpdf2) and a DOCX (python-docx).

Used by tests that need a PDF or DOCX whose content is known exactly (tests/test_extract_general.py,
tests/test_pdf_equivalence.py). The text is laid out the way an office prints it, not copied character
by character: paragraphs are justified and wrapped (long words carry soft hyphens, so some lines end in
a hyphenated word), list items are indented (a Markdown-style "- " before a marker is a bullet, not
text), `**bold**` is set in bold, Markdown table rows become a real table, a blank line is paragraph
spacing. Every page has a running head and a "Strona N z M" footer.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
]
FONT = next((p for p in FONT_CANDIDATES if p.exists()), None)
BOLD = FONT.with_name("DejaVuSans-Bold.ttf") if FONT is not None else None
needs_font = pytest.mark.skipif(FONT is None, reason="no TTF with Polish glyphs (apt-get install fonts-dejavu-core)")

TABLE_ROW = re.compile(r"^\s*(?:-\s+)?\|")
TABLE_RULE = re.compile(r"^\s*(?:-\s+)?\|?[\s:|-]*-{2,}[\s:|-]*\|?$")
BULLET = re.compile(r"^(?P<indent>\s*)[-–•*]\s+(?=(?:§|\d{1,3}[.)]|[a-ząćęłńóśźż][)/]|[-–•]\s))")
MARKER = re.compile(r"^(?:\d{1,3}[.)]|[a-ząćęłńóśźż][)/]|[-–•])\s")
LONG_WORD = re.compile(r"(?<![\w-])[a-ząćęłńóśźż]{11,}(?![\w-])")
VOWELS = set("aąeęioóuy")


def soft_hyphens(text: str) -> str:
    """One soft hyphen in each long lower-case word, between a vowel and a consonant near its middle."""
    def hyphenate(match: re.Match[str]) -> str:
        word = match.group()
        cuts = [i for i in range(4, len(word) - 4) if word[i - 1] in VOWELS and word[i] not in VOWELS]
        if not cuts:
            return word
        cut = cuts[len(cuts) // 2]
        return word[:cut] + "\u00ad" + word[cut:]
    return LONG_WORD.sub(hyphenate, text)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.sub(r"^\s*-\s+", "", line).strip().strip("|").split("|")]


def _indent_of(line: str) -> tuple[float, str]:
    """(left indent in mm, the line without its bullet): items by their marker, deeper when indented."""
    nested = len(line) - len(line.lstrip()) > 0
    match = BULLET.match(line)
    if match:
        line = line[match.end():]
    text = line.strip()
    if match or MARKER.match(text):
        return (12.0 if nested else 6.0), text
    return 0.0, text


def print_pdf(text: str, *, running_head: str | None = None, font_size: float = 10) -> bytes:
    """The text as an A4 PDF (see the module docstring); the running head defaults to the first three
    non-blank lines."""
    from fpdf import FPDF

    if FONT is None:
        pytest.skip("no TTF with Polish glyphs")
    head = running_head if running_head is not None else " ".join(
        [line.strip() for line in text.splitlines() if line.strip()][:3])

    class Printed(FPDF):
        def header(self) -> None:
            self.set_font("dejavu", size=8)
            self.cell(0, 5, head, align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)
            self.set_font("dejavu", size=font_size)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("dejavu", size=8)
            self.cell(0, 5, f"Strona {self.page_no()} z {{nb}}", align="C")
            self.set_font("dejavu", size=font_size)

    pdf = Printed(format="A4")
    pdf.add_font("dejavu", "", str(FONT))
    pdf.add_font("dejavu", "B", str(BOLD if BOLD and BOLD.exists() else FONT))
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_font("dejavu", size=font_size)
    pdf.add_page()
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            pdf.ln(2)
            index += 1
            continue
        if TABLE_ROW.match(line):
            rows, index = _table_rows(lines, index)
            width = max(len(row) for row in rows)
            last = 30.0
            with pdf.table(col_widths=(*([(pdf.epw - last) / (width - 1)] * (width - 1)), last),
                           first_row_as_headings=False, line_height=5) as table:
                for cells in rows:
                    row = table.row()
                    for cell in cells + [""] * (width - len(cells)):
                        row.cell(cell)
            continue
        indent, body = _indent_of(line)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, 5, soft_hyphens(body), align="J", markdown=True, new_x="LMARGIN",
                       new_y="NEXT")
        index += 1
    return bytes(pdf.output())


def _table_rows(lines: list[str], index: int) -> tuple[list[list[str]], int]:
    """The cells of the Markdown table rows from `index` on (rule rows and empty rows left out), and the
    index of the first line after the table."""
    rows = []
    while index < len(lines) and TABLE_ROW.match(lines[index]):
        if not TABLE_RULE.match(lines[index]) and any(_cells(lines[index])):
            rows.append(_cells(lines[index]))
        index += 1
    return rows, index


def print_docx(text: str, *, title: str | None = None) -> bytes:
    """The text as a Word document: the first line a heading, Markdown table rows a table, every other
    line a paragraph (list markers written out, as many offices type them), bold as bold runs."""
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if TABLE_ROW.match(line):
            rows, index = _table_rows(lines, index)
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for row, cells in zip(table.rows, rows, strict=True):
                for cell, value in zip(row.cells, cells, strict=False):
                    cell.text = value
            continue
        _, body = _indent_of(line)
        if index == first:
            document.add_heading(body, level=1)
        else:
            paragraph = document.add_paragraph()
            for number, part in enumerate(re.split(r"\*\*", body)):
                paragraph.add_run(part).bold = number % 2 == 1
        index += 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
