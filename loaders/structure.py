"""Normalised lines → an outline: paragraphs (§), sections (ust.), groups, text blocks and numbered items.

The outline is what a reader of a legal act or a BIP page sees: `§ 5.` opens a paragraph, `§ 3. 1.` a
paragraph whose numbered sections (`2.`, `3.`) follow, `I. ZADANIA WŁASNE` a group that restarts the
numbering, and every other unmarked line a text block. Numbered items (`1.`, `1)`, `a)`, `a/`, `-`) hang
under the block they follow, nested by marker style: a style already open is a sibling (the numbering
continues, whatever the indentation), a new style is a child. Up to four levels: 1. › 1) › a) › -.

A line without a marker continues the item above it when it reads as the rest of that item's sentence
(see `continues_item`), even across a blank line or a page break; otherwise it is a new text block.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from kompetencje.loaders import morphology
from kompetencje.loaders.model import DutyItem, Span
from kompetencje.loaders.normalize import Line

NodeKind = Literal["paragraph", "section", "group", "text", "item"]
ITEM_STYLES = ("number-dot", "decimal-N", "number-paren", "letter", "dash")  # decimal-2: "1.1.", ...
POLISH_LETTERS = "aąbcćdeęfghijklłmnńoóprqsśtuvwxyzźż"
LIST_PUNCTUATION = ";,."

PARAGRAPH = re.compile(r"^§\s*(?P<number>\d+[a-z]?)\s*\.?\s*(?:(?P<section>\d{1,3}[a-z]?)\.(?!\d)\s*)?(?P<rest>.*)$")
ROMAN = re.compile(r"^(?P<number>[IVXLC]{1,6})\.\s+(?P<rest>\S.*)$")
DECIMAL = re.compile(r"^(?P<number>\d{1,3}(?:\.\d{1,3})+)\.?(?!\d)\s+(?P<rest>\S.*)$")
NUMBER = re.compile(r"^(?P<number>\d{1,3})(?P<punct>[.)])(?!\d)\s*(?P<rest>\S.*)?$")
LETTER = re.compile(rf"^(?P<number>[{POLISH_LETTERS}])(?P<punct>[)/])\s*(?P<rest>\S.*)?$")
DASH = re.compile(r"^(?P<dash>[-–—•·▪◦○*])\s+(?P<rest>\S.*)$")
LABEL_LINE = re.compile(r"^[^\s:]+(?:\s+[^\s:]+){0,3}:\s*\S")
PAGE_FURNITURE = re.compile(r"^(?:(?:strona|str\.)\s*\d+(?:\s*(?:z|/)\s*\d+)?|[-–]?\s*\d{1,3}\s*[-–]?)$",
                            re.IGNORECASE)


@dataclass(frozen=True)
class Marker:
    style: str  # "paragraph", "roman", one of ITEM_STYLES
    number: str
    written: str  # as in the text: "5)", "a/", "-", "§ 3."
    rest: str  # the text after the marker
    section: str | None = None  # "§ 3. 1." opens section 1


@dataclass
class Node:
    kind: NodeKind
    number: str | None = None
    marker: str | None = None
    style: str | None = None
    lines: list[Line] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    first_text: str = ""  # the text after the marker on the marker's own line

    @property
    def text(self) -> str:
        """The node's own words, lines joined by one space (verbatim inside)."""
        parts = [self.first_text] if self.first_text else []
        parts.extend(line.text for line in self.lines[1:] if line.text)
        if not self.marker:
            parts = [line.text for line in self.lines if line.text]
        return " ".join(parts)

    @property
    def items(self) -> list[Node]:
        return [child for child in self.children if child.kind == "item"]

    @property
    def span(self) -> Span:
        origins = [line.origin for line in self.all_lines()]
        return Span(min(origins), max(origins))

    @property
    def own_span(self) -> Span:
        origins = [line.origin for line in self.lines] or [self.span.start]
        return Span(min(origins), max(origins))

    def all_lines(self) -> Iterator[Line]:
        yield from self.lines
        for child in self.children:
            yield from child.all_lines()

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Outline:
    blocks: list[Node]  # top level, in reading order
    anomalies: list[tuple[Span, str]] = field(default_factory=list)  # numbering gaps and the like

    def walk(self) -> Iterator[Node]:
        for block in self.blocks:
            yield from block.walk()


def parse_marker(text: str) -> Marker | None:
    """The list or provision marker a line starts with, if any."""
    if match := PARAGRAPH.match(text):
        return Marker("paragraph", match["number"], f"§ {match['number']}.", match["rest"].strip(),
                      match["section"])
    if (match := ROMAN.match(text)) and _reads_as_heading(match["rest"]):
        return Marker("roman", match["number"], f"{match['number']}.", match["rest"].strip())
    if match := DECIMAL.match(text):
        parts = match["number"].split(".")
        return Marker(f"decimal-{len(parts)}", parts[-1], match["number"] + ".", match["rest"].strip())
    if match := NUMBER.match(text):
        style = "number-dot" if match["punct"] == "." else "number-paren"
        return Marker(style, match["number"], match["number"] + match["punct"], (match["rest"] or "").strip())
    if match := LETTER.match(text):
        return Marker("letter", match["number"], match["number"] + match["punct"], (match["rest"] or "").strip())
    if match := DASH.match(text):
        return Marker("dash", "", match["dash"], match["rest"].strip())
    return None


def _reads_as_heading(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.7
    return shouting or text.rstrip().endswith(":") or len(text.split()) <= 6


def is_page_furniture(text: str) -> bool:
    """A page number or running header line that a page break left between two halves of an item."""
    return bool(PAGE_FURNITURE.match(text.strip()))


def strip_list_punctuation(text: str) -> str:
    return text.rstrip().rstrip(LIST_PUNCTUATION).rstrip()


def final_punctuation(text: str) -> str:
    """The text's last character, or "" when it is the period of an abbreviation ("m. in.", "ds.", "pkt."):
    a line broken after one goes on (PDF and DOCX lines are wrapped anywhere). A date's "2020 r." may as
    well end the sentence, and is read as a full stop."""
    stripped = text.rstrip()
    words = stripped.split()
    if stripped.endswith(".") and morphology.is_abbreviation(words[-1]) and not (
            words[-1] == "r." and len(words) > 1 and words[-2].isdigit()):
        return ""
    return stripped[-1:]


def continues_item(item_text: str, line: str, after_gap: bool) -> bool:
    """Whether an unmarked line is the rest of the item above it rather than a new block."""
    ending = final_punctuation(item_text)
    first = next((c for c in line if c.isalpha()), "")
    starts_lower = bool(first) and first.islower() and line[:1] not in "([„\"'"
    if after_gap:
        return starts_lower and ending not in (".", ";", ":")
    if ending in (".", ";", ":"):
        return starts_lower and ending != "."
    return True


def letter_follows(previous: str, current: str) -> bool:
    if previous not in POLISH_LETTERS or current not in POLISH_LETTERS:
        return False
    return POLISH_LETTERS.index(current) > POLISH_LETTERS.index(previous)


def number_follows(previous: str, current: str) -> bool:
    if previous.isdigit() and current.isdigit():
        return int(current) == int(previous) + 1
    return letter_follows(previous, current)


def is_first_number(number: str) -> bool:
    return number in ("1", "a", "")


def starts_lowercase(text: str) -> bool:
    first = next((c for c in text if c.isalpha()), "")
    return bool(first) and first.islower()


class OutlineParser:
    """One pass over the lines, keeping the open paragraph, section, block and item stack."""

    def __init__(self) -> None:
        self.outline = Outline([])
        self.paragraph: Node | None = None
        self.section: Node | None = None
        self.owner: Node | None = None  # the block numbered items hang under
        self.stack: list[Node] = []  # open items, outermost first
        self.gap = False

    def parse(self, lines: list[Line]) -> Outline:
        for line in lines:
            self.feed(line)
        return self.outline

    def feed(self, line: Line) -> None:
        if line.blank or is_page_furniture(line.text):
            self.gap = self.gap or line.blank
            return
        marker = parse_marker(line.text)
        if marker is None:
            self.add_text(line)
        elif marker.style == "paragraph":
            self.open_paragraph(marker, line)
        elif marker.style == "number-dot" and self.opens_section(marker):
            self.open_section(marker, line)
        elif marker.style == "roman":
            self.open_block(Node("group", marker.number, marker.written, "roman", [line], first_text=marker.rest))
        else:
            self.add_item(marker, line)
        self.gap = False

    def container(self) -> list[Node]:
        holder = self.section or self.paragraph
        return holder.children if holder else self.outline.blocks

    def open_block(self, node: Node) -> None:
        self.container().append(node)
        self.owner, self.stack = node, []

    def open_paragraph(self, marker: Marker, line: Line) -> None:
        paragraph = Node("paragraph", marker.number, marker.written, "paragraph", [line],
                         first_text="" if marker.section else marker.rest)
        self.outline.blocks.append(paragraph)
        self.paragraph, self.section, self.owner, self.stack = paragraph, None, paragraph, []
        if marker.section:
            self.open_section(Marker("number-dot", marker.section, f"{marker.section}.", marker.rest), line)

    def opens_section(self, marker: Marker) -> bool:
        if self.paragraph is None:
            return False
        sections = [c for c in self.paragraph.children if c.kind == "section"]
        return bool(sections) and number_follows(sections[-1].number or "", marker.number)

    def open_section(self, marker: Marker, line: Line) -> None:
        assert self.paragraph is not None
        section = Node("section", marker.number, marker.written, "number-dot", [line], first_text=marker.rest)
        self.paragraph.children.append(section)
        self.section, self.owner, self.stack = section, section, []

    def add_text(self, line: Line) -> None:
        if self.stack and continues_item(self.stack[-1].text, line.text, self.gap):
            self.stack[-1].lines.append(line)
        elif self.owner is not None and self.extends_owner(line):
            self.owner.lines.append(line)
        else:
            self.open_block(Node("text", lines=[line]))

    def extends_owner(self, line: Line) -> bool:
        """A lead-in sentence broken over two lines: no items yet, no gap, no full stop or colon."""
        owner = self.owner
        if owner is None or owner.children or self.gap or owner.kind == "group":
            return False
        previous = owner.lines[-1].text if owner.lines else owner.first_text
        if not previous or ":" in previous or LABEL_LINE.match(line.text):
            return False
        return starts_lowercase(line.text) or (len(previous.split()) >= 6 and final_punctuation(previous) not in
                                               (".", ";", "!", "?"))


    def add_item(self, marker: Marker, line: Line) -> None:
        if self.owner is None:
            self.open_block(Node("text"))
        level = self.sibling_level(marker)
        if level is not None:
            previous = self.stack[level]
            self.check_sequence(previous, marker, line)
            del self.stack[level:]
        parent = self.stack[-1] if self.stack else self.owner
        assert parent is not None
        number = marker.number or str(1 + sum(c.style == "dash" for c in parent.children))
        item = Node("item", number, marker.written, marker.style, [line], first_text=marker.rest)
        parent.children.append(item)
        self.stack.append(item)

    def sibling_level(self, marker: Marker) -> int | None:
        for level in range(len(self.stack) - 1, -1, -1):
            open_item = self.stack[level]
            if open_item.style != marker.style:
                continue
            if marker.style == "dash" or not is_first_number(marker.number):
                return level
            return level if is_first_number(open_item.number or "") and marker.number == open_item.number \
                else None
        return None

    def check_sequence(self, previous: Node, marker: Marker, line: Line) -> None:
        if marker.style == "dash" or number_follows(previous.number or "", marker.number):
            return
        message = f"numbering: {marker.written} follows {previous.marker}"
        self.outline.anomalies.append((Span(line.origin, line.origin), message))


def parse_outline(lines: list[Line]) -> Outline:
    """The outline of a whole document."""
    return OutlineParser().parse(lines)


def to_duty_items(nodes: list[Node]) -> list[DutyItem]:
    """Item nodes → DutyItem trees (verbatim text, list punctuation at the end removed)."""
    return [to_duty_item(node) for node in nodes if node.kind == "item"]


def to_duty_item(node: Node) -> DutyItem:
    return DutyItem(number=node.number or "", marker=node.marker or "", text=strip_list_punctuation(node.text),
                    span=node.span, subitems=to_duty_items(node.children))


def parse_numbered_items(lines: list[Line]) -> list[DutyItem]:
    """The numbered items of a run of lines (whatever text leads into them), as DutyItem trees."""
    items: list[DutyItem] = []
    for block in parse_outline(lines).blocks:
        items.extend(to_duty_items(block.children))
    return items
