"""DOCX → paragraphs and tables in document order, with Word's automatic numbering written out.

Safety: before python-docx sees the package, the ZIP is checked (unpacked size limit) and every XML
part is refused if it declares a DTD (a DOCX never needs one); python-docx's own lxml parser runs with
resolve_entities=False and without network access, so entities would stay unexpanded anyway.

Numbering: a paragraph's w:numPr (numId, ilvl) - or its style's, following basedOn - points through
numbering.xml (w:num → w:abstractNum, numStyleLink followed, lvlOverride/startOverride honoured) to a
level with w:start, w:numFmt, w:lvlText ("%1)", "%1.%2.") and w:lvlRestart. Counters are kept per
abstract numbering, as Word does; a deeper level restarts when a shallower one advances. The marker is
written before the text with two spaces of indent per level: "1)", "a)", bullets as "-".
Text: runs, hyperlinks, tracked insertions, fields' results; deleted and hidden (w:vanish) text is left
out; tabs become spaces, soft breaks new lines; text boxes follow their anchor paragraph. Tables: one
"cell | cell" line per row; a one-column table renders as ordinary paragraphs. Headers, footers,
footnotes and comments are not read. Title: the core properties' title.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import docx as python_docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from kompetencje.errors import InputError

from ..model import SourceText
from .common import collapse_blank_lines, finish

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_UNPACKED = 256 * 1024 * 1024
_DTD_MARKERS = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))
_SKIP_IN_TEXT = frozenset({W + "pPr", W + "rPr", W + "del", W + "moveFrom", _MC_FALLBACK, W + "txbxContent",
                           W + "instrText", W + "delText", W + "footnoteReference", W + "endnoteReference",
                           W + "commentReference"})
_WRAPPERS = frozenset({W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag", W + "ins", W + "moveTo"})

Element = Any  # an lxml element of python-docx's oxml classes


def read(data: bytes, name: str) -> SourceText:
    check_package(data, name)
    document = _open(data, name)
    numbering = Numbering(_related(document, RT.NUMBERING), _related(document, RT.STYLES))
    lines = _Body(numbering).blocks(document.element.body)
    return finish("\n".join(collapse_blank_lines(lines)), fmt="docx", name=name,
                  title=document.core_properties.title)


def check_package(data: bytes, name: str) -> None:
    """Refuse ZIP bombs and XML parts that declare a DTD (XXE, billion laughs)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > MAX_UNPACKED:
                raise InputError(f"DOCX unpacks to more than {MAX_UNPACKED} bytes", source=name)
            for info in infos:
                if info.filename.endswith((".xml", ".rels")) and _declares_dtd(archive, info):
                    raise InputError(f"DOCX part {info.filename} declares a DTD; refused", source=name)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as error:
        raise InputError(f"damaged DOCX ({error})", source=name) from error


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    with archive.open(info) as part:
        head = part.read(1 << 16)
    upper = head.upper()
    return any(marker in upper or marker in head for marker in _DTD_MARKERS)


def _open(data: bytes, name: str) -> Any:
    try:
        return python_docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx and lxml raise many kinds on damaged packages
        raise InputError(f"damaged DOCX ({type(error).__name__}: {error})", source=name) from error


def _related(document: Any, relationship: str) -> Element | None:
    try:
        return document.part.part_related_by(relationship).element
    except (KeyError, AttributeError):
        return None


def _val(element: Element | None, child: str) -> str | None:
    if element is None:
        return None
    node = element.find(W + child)
    return None if node is None else node.get(W + "val")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# --- numbering ------------------------------------------------------------------------------------


@dataclass
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level; 0 never; None: any
    legal: bool = False
    style: str | None = None


def _level(lvl: Element) -> Level:
    restart = _val(lvl, "lvlRestart")
    return Level(fmt=_val(lvl, "numFmt") or "decimal", text=_val(lvl, "lvlText") or "",
                 start=_int(_val(lvl, "start"), 1), restart=None if restart is None else _int(restart, 0),
                 legal=lvl.find(W + "isLgl") is not None, style=_val(lvl, "pStyle"))


def _levels(parent: Element) -> dict[int, Level]:
    return {_int(lvl.get(W + "ilvl"), 0): _level(lvl) for lvl in parent.iter(W + "lvl")}


@dataclass
class _Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # startOverride per level
    levels: dict[int, Level] = field(default_factory=dict)  # whole-level overrides


class Numbering:
    """numbering.xml and the numbering of styles; hands out markers in document order."""

    def __init__(self, numbering: Element | None, styles: Element | None) -> None:
        self.abstract: dict[str, dict[int, Level]] = {}
        self.style_links: dict[str, str] = {}  # abstractNumId → numbering style it defers to
        self.nums: dict[str, _Num] = {}
        self.style_num: dict[str, tuple[str | None, str | None]] = {}  # styleId → (numId, ilvl)
        self.based_on: dict[str, str] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            self._read_styles(styles)

    def _read_numbering(self, root: Element) -> None:
        for abstract in root.iter(W + "abstractNum"):
            key = abstract.get(W + "abstractNumId") or ""
            self.abstract[key] = _levels(abstract)
            link = _val(abstract, "numStyleLink")
            if link:
                self.style_links[key] = link
        for num in root.iter(W + "num"):
            entry = _Num(_val(num, "abstractNumId") or "")
            for override in num.iter(W + "lvlOverride"):
                ilvl = _int(override.get(W + "ilvl"), 0)
                start = _val(override, "startOverride")
                if start is not None:
                    entry.starts[ilvl] = _int(start, 1)
                entry.levels.update(_levels(override))
            self.nums[num.get(W + "numId") or ""] = entry

    def _read_styles(self, root: Element) -> None:
        for style in root.iter(W + "style"):
            style_id = style.get(W + "styleId") or ""
            based = _val(style, "basedOn")
            if based:
                self.based_on[style_id] = based
            num_pr = style.find(f"{W}pPr/{W}numPr")
            if num_pr is not None:
                self.style_num[style_id] = (_val(num_pr, "numId"), _val(num_pr, "ilvl"))

    def paragraph_numbering(self, p: Element) -> tuple[str, int] | None:
        """(numId, ilvl) of a paragraph, from its own properties or its style chain."""
        ppr = p.find(W + "pPr")
        style = _val(ppr, "pStyle")
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        num_id, ilvl = (_val(num_pr, "numId"), _val(num_pr, "ilvl")) if num_pr is not None else (None, None)
        style_num, style_ilvl = self._style_numbering(style)
        num_id = num_id or style_num
        if not num_id or num_id == "0" or num_id not in self.nums:
            return None
        level = ilvl or style_ilvl
        return num_id, _int(level, self._level_of_style(num_id, style))

    def _style_numbering(self, style: str | None) -> tuple[str | None, str | None]:
        seen: set[str] = set()
        while style and style not in seen:
            seen.add(style)
            if style in self.style_num:
                return self.style_num[style]
            style = self.based_on.get(style)
        return None, None

    def _level_of_style(self, num_id: str, style: str | None) -> int:
        levels = self._levels_for(self._abstract_id(num_id), self.nums[num_id])
        return next((ilvl for ilvl, level in levels.items() if style and level.style == style), 0)

    def _abstract_id(self, num_id: str) -> str:
        """Follow numStyleLink: the abstract numbering may defer to a numbering style's list."""
        abstract = self.nums[num_id].abstract
        for _ in range(5):
            style = self.style_links.get(abstract)
            linked = self._style_numbering(style)[0] if style else None
            if not linked or linked not in self.nums or self.nums[linked].abstract == abstract:
                break
            abstract = self.nums[linked].abstract
        return abstract

    def _levels_for(self, abstract: str, num: _Num) -> dict[int, Level]:
        return {**self.abstract.get(abstract, {}), **num.levels}

    def marker(self, num_id: str, ilvl: int) -> str | None:
        """Advance the counter of (numId, ilvl) and return the rendered marker ("3)", "b)", "-")."""
        num = self.nums[num_id]
        abstract = self._abstract_id(num_id)
        levels = self._levels_for(abstract, num)
        if ilvl not in levels:
            return None
        counters = self.counters.setdefault(abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for level, start in num.starts.items():
                counters[level] = start - 1
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else levels[ilvl].start
        for deeper in [lvl for lvl in counters if lvl > ilvl]:
            restart = levels.get(deeper, Level()).restart
            if restart is None or (restart > 0 and ilvl < restart):
                del counters[deeper]
        return _render_marker(levels[ilvl], levels, counters)


def _render_marker(level: Level, levels: dict[int, Level], counters: dict[int, int]) -> str:
    if level.fmt == "bullet":
        return "-"

    def value(match: re.Match[str]) -> str:
        ilvl = int(match.group(1)) - 1
        other = levels.get(ilvl, Level())
        return format_number("decimal" if level.legal else other.fmt, counters.get(ilvl, other.start))

    return re.sub(r"%([1-9])", value, level.text).strip()


def format_number(fmt: str, number: int) -> str:
    if fmt in {"lowerLetter", "upperLetter"}:
        letter = chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1) if number > 0 else str(number)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in {"lowerRoman", "upperRoman"}:
        roman = _roman(number)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalZero":
        return f"{number:02d}"
    if fmt == "none":
        return ""
    return str(number)


def _roman(number: int) -> str:
    out = ""
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        out += digits * count
    return out or str(number)


# --- body -----------------------------------------------------------------------------------------


class _Body:
    def __init__(self, numbering: Numbering) -> None:
        self.numbering = numbering

    def blocks(self, container: Element) -> list[str]:
        lines: list[str] = []
        for child in container:
            tag = child.tag
            if tag == W + "p":
                lines.extend(self.paragraph(child))
            elif tag == W + "tbl":
                lines.extend(self.table(child))
            elif tag in _WRAPPERS:
                lines.extend(self.blocks(child))
        return lines

    def paragraph(self, p: Element) -> list[str]:
        lines = paragraph_text(p).split("\n")
        numbered = self.numbering.paragraph_numbering(p)
        marker = self.numbering.marker(*numbered) if numbered else None
        if marker:
            first = lines[0].strip()
            lines[0] = "  " * numbered[1] + marker + (" " + first if first else "")
        for box in _text_boxes(p):
            lines.extend(self.blocks(box))
        return lines

    def table(self, tbl: Element) -> list[str]:
        rows = [[self.blocks(cell) for cell in _children(row, W + "tc")] for row in _children(tbl, W + "tr")]
        if max((len(cells) for cells in rows), default=0) <= 1:
            return [line for cells in rows for cell in cells for line in cell]
        out = []
        for cells in rows:
            texts = [" ".join(line.strip() for line in cell if line.strip()) for cell in cells]
            if any(texts):
                out.append(" | ".join(texts))
        return out


def _children(parent: Element, tag: str) -> list[Element]:
    """Children with `tag`, looking through content controls and custom XML wrappers."""
    found = []
    for child in parent:
        if child.tag == tag:
            found.append(child)
        elif child.tag in _WRAPPERS:
            found.extend(_children(child, tag))
    return found


def paragraph_text(p: Element) -> str:
    parts: list[str] = []
    _collect(p, parts)
    return "".join(parts)


def _collect(element: Element, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP_IN_TEXT:
            continue
        if tag == W + "r" and _hidden(child):
            continue
        if tag == W + "t":
            parts.append(child.text or "")
        elif tag == W + "tab":
            parts.append("\t")
        elif tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif tag == W + "noBreakHyphen":
            parts.append("-")
        else:
            _collect(child, parts)


def _hidden(run: Element) -> bool:
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and vanish.get(W + "val") not in {"0", "false", "off"}


def _text_boxes(p: Element) -> list[Element]:
    """Text boxes anchored in this paragraph (not their VML fallback copies, not boxes within boxes)."""
    return [box for box in p.iter(W + "txbxContent") if _outermost_box(box, p)]


def _outermost_box(box: Element, p: Element) -> bool:
    for ancestor in box.iterancestors():
        if ancestor is p:
            return True
        if ancestor.tag in (_MC_FALLBACK, W + "txbxContent"):
            return False
    return True
