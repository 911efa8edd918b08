"""Organisational units: from a page's headings, an act's title, lists of units and symbol glossaries.

- An act "w sprawie ... zakresu działania Wydziału X" is about department "Wydział X".
- A page names what it is about in heading lines: the first unit-name heading is the page's subject (a
  department unless its kind is only ever inside one: referat, zespół, ...); later headings of the same kind
  are sibling departments, other headings are units of the first. "Symbol: AB-02" under a heading gives
  the unit its symbol. A heading "Place - Name" names the municipality and the unit.
- "W skład Wydziału wchodzą: 1) Referat A | AB-01; ..." lists units (with symbols in cells, parentheses
  or after a dash); so do glossary lines "AB-01 – Referat A" anywhere in the text.

`page_blocks` also cuts a page into blocks: a unit heading and the contact, symbol and head lines after it.
Any other line closes the block, so a portal's footer is never taken as a unit's contact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kompetencje.loaders import morphology
from kompetencje.loaders.extract.blocks import iter_blocks
from kompetencje.loaders.extract.context import Extraction
from kompetencje.loaders.extract.lexicon import DEPARTMENT_LEMMAS, POST_UNIT_LEMMAS
from kompetencje.loaders.extract.names import (
    UNIT_SYMBOL,
    clean_name,
    department_symbol_of,
    head_lemma_of,
    is_office_name,
    looks_like_unit_name,
    name_run,
    resolve_inflected_name,
    split_symbol,
    without_office,
)
from kompetencje.loaders.extract.pagelines import is_block_line
from kompetencje.loaders.model import OrgUnit, Span
from kompetencje.loaders.normalize import Line, collapse_spaces

INSIDE_ONLY_LEMMAS = frozenset({"referat", "zespół", "oddział", "dział", "sekcja", "stanowisko", "pracownia",
                                "samodzielny", "komórka", "pion"})
UNIT_LIST_LEAD = re.compile(r"(?:^w\s+skład\s+(?P<holder>.+?)\s+wchodz\w*|^(?P<holder2>.+?)\s+(?:dzieli\s+się\s+na|"
                            r"składa\s+się\s+z)|komórki\s+organizacyjne\s*:?\s*$|struktur\w*\s+organizacyjn\w*)",
                            re.IGNORECASE)
SYMBOL_LINE = re.compile(r"^(?:symbol|oznaczenie|symbol\s+komórki)\s*:\s*(?P<symbol>\S+)\s*$", re.IGNORECASE)
ANY_SYMBOL = rf"{UNIT_SYMBOL.pattern}|[A-ZĄĆĘŁŃÓŚŹŻ]{{2,5}}(?![\w-])"
GLOSSARY_SYMBOL_FIRST = re.compile(rf"^(?P<symbol>{ANY_SYMBOL})\s*(?:[–—-]|\|)\s*(?P<name>\S.*)$")
GLOSSARY_NAME_FIRST = re.compile(rf"^(?P<name>\S.*?)\s*(?:[–—-]|\|)\s*(?:[sS]ymbol\s*:?\s*)?"
                                 rf"(?P<symbol>{ANY_SYMBOL})\s*[;,.]?$")
GLOSSARY_HEADER = re.compile(r"^symbol\s*[–—|-]\s*nazwa\b", re.IGNORECASE)
PLACE_PREFIX = re.compile(r"^(?P<place>[^-–—|]+?)\s+[-–—|]\s+(?P<name>\S.*)$")
SUBJECT_UNIT = re.compile(r"\b(?:zakres\w*\s+(?:działania|zadań)|regulamin\w*(?:\s+(?:organizacyjn|wewnętrzn)\w*)?|"
                          r"organizacji|zadania)\s+(?P<name>[A-ZĄĆĘŁŃÓŚŹŻ].+)$", re.IGNORECASE)
ACT_TITLE = re.compile(r"^(?:zarządzeni|uchwał|regulamin|statut|instrukcj)\w*\b", re.IGNORECASE)
NOT_A_UNIT_LIST = re.compile(r"\bpodlega(?:ją)?\b|\bnadz(?:oruje|ór)\b|\bkoordynuje\b", re.IGNORECASE)


@dataclass
class PageBlock:
    unit: OrgUnit | None  # the unit whose heading opened the block (an object: keys change on rekeying)
    heading: Line | None
    lines: list[Line] = field(default_factory=list)


def department_from_act(ext: Extraction) -> None:
    """The unit an act regulates, from its subject or a title line ("Regulamin wewnętrzny Wydziału X ...").

    Only for acts: a legal act the text opens with, a source whose metadata says it is an ordinance, or a
    text whose first lines name a kind of act ("Regulamin organizacyjny Wydziału X"); a web page's first
    lines are its menu as often as its title. The name must be a unit's noun phrase as the lexicon knows
    them ("Wydział Kadr", "Urząd Stanu Cywilnego", "Samodzielne stanowisko ds. X"), never one word
    ("zakres działania Wydziału" names no department)."""
    act = ext.doc.act
    candidates = [(act.subject, act.span)] if act is not None and act.subject else []
    title_lines = [(line.text, Span(line.origin, line.origin)) for line in ext.lines[:12] if line.text][:3]
    if act is not None or ext.doc.meta.kind == "ordinance" or any(ACT_TITLE.match(t) for t, _ in title_lines):
        candidates += title_lines
    for text, span in candidates:
        match = SUBJECT_UNIT.search(text)
        if not match or not match["name"][:1].isupper():
            continue
        name, symbol = resolve_inflected_name(without_office(name_run(match["name"])))
        if not looks_like_unit_name(name):
            continue
        lemma = head_lemma_of(name)
        kind = "department" if lemma in DEPARTMENT_LEMMAS else ext.unit_kind_for(name, True)
        unit = ext.add_unit(name, kind, symbol, span=span)
        ext.subject = ext.subject or unit.key
        ext.use(span)
        return


def read_unit_lists(ext: Extraction) -> None:
    for block in iter_blocks(ext.outline):
        if not block.items or NOT_A_UNIT_LIST.search(block.text):
            continue
        lead = UNIT_LIST_LEAD.search(block.text)
        entries = [(item, parse_unit_entry(item.text)) for item in block.items]
        with_symbols = sum(1 for _, entry in entries if entry and entry[1])
        if not lead and (not entries or with_symbols < max(2, len(entries) * 2 // 3)):
            continue
        parent = _list_holder(ext, lead)
        for item, entry in entries:
            if entry:
                _add_listed_unit(ext, entry, parent, item.span)
        ext.use(block.span)


def _list_holder(ext: Extraction, lead: re.Match[str] | None) -> str | None:
    phrase = (lead["holder"] or lead["holder2"]) if lead else None
    if phrase and is_office_name(phrase + " Miasta") and len(phrase.split()) <= 3:
        return None  # "W skład Urzędu wchodzą": departments of the office itself
    if phrase:
        name, symbol = resolve_inflected_name(phrase)
        found = resolve_unit_mention(ext, name, symbol)
        if found:
            return found.key
    department = ext.department()
    return department.key if department else None


def _add_listed_unit(ext: Extraction, entry: tuple[str, str | None], parent: str | None, span: Span) -> None:
    name, symbol = entry
    ext.add_unit(name, ext.unit_kind_for(name, parent is not None), symbol, parent, span)


def parse_unit_entry(text: str) -> tuple[str, str | None] | None:
    """"Referat A | AB-01", "Referat A (AB-01)", "AB-01 – Referat A", "Referat A – AB-01" → (name, symbol)."""
    text = collapse_spaces(text).rstrip(" ;,.")
    for pattern in (GLOSSARY_SYMBOL_FIRST, GLOSSARY_NAME_FIRST):
        if match := pattern.match(text):
            name = morphology.to_nominative(clean_name(match["name"]))
            return (name, match["symbol"]) if looks_like_unit_name(name) else None
    name, symbol = split_symbol(text)
    name = morphology.to_nominative(clean_name(name))
    return (name, symbol) if looks_like_unit_name(name) else None


def read_glossary_lines(ext: Extraction) -> None:
    for line in ext.lines:
        if GLOSSARY_HEADER.match(line.text):
            ext.use(Span(line.origin, line.origin))
        match = GLOSSARY_SYMBOL_FIRST.match(line.text) or GLOSSARY_NAME_FIRST.match(line.text)
        if match and not line.text[:1].isdigit():
            name = clean_name(match["name"])
            if looks_like_unit_name(name):
                _add_glossary_unit(ext, name, match["symbol"], Span(line.origin, line.origin))
                ext.use(Span(line.origin, line.origin))


def _add_glossary_unit(ext: Extraction, name: str, symbol: str, span: Span) -> None:
    """A glossary of the whole office ("OR – Wydział Organizacyjny", "OR-I – Referat Kadr") names
    departments by symbols without a prefix and their units by the department's symbol and a suffix
    (the unit is put in that department); a unit's symbol without a prefix ("RK – Referat Kadr") in the
    glossary of one department is that department's."""
    lemma = head_lemma_of(name)
    if department_symbol_of(symbol) is None and lemma in DEPARTMENT_LEMMAS - INSIDE_ONLY_LEMMAS:
        ext.add_unit(name, "department", symbol, None, span)
        return
    department = ext.department() if department_symbol_of(symbol) is None else None
    ext.add_unit(name, ext.unit_kind_for(name, True), symbol, department.key if department else None, span)


def resolve_unit_mention(ext: Extraction, name: str, symbol: str | None = None,
                         near: OrgUnit | None = None) -> OrgUnit | None:
    """A unit named in the text: by symbol, by name in any inflection, or (a bare "Wydziału") by its kind,
    preferring the unit whose page block the mention is in (`near`), then the page's subject."""
    found = ext.find_unit(name, symbol)
    if found or not name or len(name.split()) > 1:
        return found
    lemma = head_lemma_of(name)
    subject = ext.doc.unit(ext.subject) if ext.subject else None
    around = [near, ext.doc.unit(near.parent) if near and near.parent else None]
    candidates = [u for u in (*around, subject, ext.department(), *ext.units) if u is not None]
    return next((u for u in candidates if u.unit_type == lemma), None) or (
        ext.department() if lemma in DEPARTMENT_LEMMAS and ext.department() and
        ext.department().unit_type is None else None)


def unit_heading(text: str) -> tuple[str, str | None] | None:
    """A heading that is a unit's name, with the place name it was prefixed by ("Place - Biuro X")."""
    text = collapse_spaces(text).strip()
    if looks_like_unit_name(text):
        return text, None
    match = PLACE_PREFIX.match(text)
    if match and looks_like_unit_name(match["name"]) and morphology.place_name(match["place"]):
        return match["name"].strip(), match["place"].strip()
    return None


def page_text_lines(ext: Extraction) -> list[Line | None]:
    """The lines of the page's unmarked text blocks in reading order; None where a list or § intervenes."""
    found: list[Line | None] = []
    for block in iter_blocks(ext.outline):
        if block.node.kind != "text" or block.provision is not None:
            found.append(None)
            continue
        found.extend(block.node.lines)
        if block.items:
            found.append(None)
    return found


def page_blocks(ext: Extraction) -> list[PageBlock]:
    """Read headings into units (first = the page's subject) and cut the page into unit blocks."""
    blocks: list[PageBlock] = []
    current: PageBlock | None = None
    for line in page_text_lines(ext):
        heading = unit_heading(line.text) if line else None
        if line is not None and heading:
            unit = _heading_unit(ext, heading[0], Span(line.origin, line.origin))
            ext.headings.append((line.origin, unit))
            current = PageBlock(unit, line)
            blocks.append(current)
            ext.use(Span(line.origin, line.origin))
        elif line is not None and is_block_line(line.text, post_unit=_in_post_unit(current)):
            if current is None:
                current = PageBlock(None, None)
                blocks.append(current)
            current.lines.append(line)
            _read_symbol_line(ext, current, line)
        else:
            current = None
    return blocks


def _in_post_unit(block: PageBlock | None) -> bool:
    return block is not None and block.unit is not None and block.unit.kind == "post-unit"


TITLE_SEPARATORS = re.compile(r"\s+[-–—|›>»/]\s+|\s*[|›>»]\s*")


def subject_from_titles(ext: Extraction, blocks: list[PageBlock]) -> None:
    """No heading named the page's unit: take it from the page title or breadcrumb ("Biuro X (AB-02) – ...").
    Another part of the same title or trail that names a department is the unit's department ("Referat
    X – Wydział Y – BIP ..."); the page's lines before any heading are the unit's (its head, its contact)."""
    if ext.subject is not None:
        return
    for title in ext.titles:
        parts = [split_symbol(clean_name(part)) for part in TITLE_SEPARATORS.split(title)]
        for index, (name, symbol) in enumerate(parts):
            if not looks_like_unit_name(name):
                continue
            lemma = head_lemma_of(name)
            inside = lemma in INSIDE_ONLY_LEMMAS or bool(symbol)
            parent = _title_department(ext, [p for i, p in enumerate(parts) if i != index]) if inside else None
            kind = ext.unit_kind_for(name, True) if inside else "department"
            ext.subject = ext.add_unit(name, kind, symbol, parent.key if parent else None).key
            subject = ext.doc.unit(ext.subject)
            if not ext.headings:
                for block in blocks:
                    block.unit = block.unit or subject
            return


def _title_department(ext: Extraction, parts: list[tuple[str, str | None]]) -> OrgUnit | None:
    for name, symbol in parts:
        if looks_like_unit_name(name) and head_lemma_of(name) in DEPARTMENT_LEMMAS - INSIDE_ONLY_LEMMAS:
            return ext.add_unit(name, "department", symbol)
    return None


def _heading_unit(ext: Extraction, name: str, span: Span) -> OrgUnit:
    name = clean_name(name)
    lemma = head_lemma_of(name)
    first = ext.doc.unit(ext.subject) if ext.subject else None
    if first is None:
        inside = lemma in INSIDE_ONLY_LEMMAS or lemma in POST_UNIT_LEMMAS
        unit = ext.add_unit(name, ext.unit_kind_for(name, True) if inside else "department", span=span)
        ext.subject = unit.key
        return unit
    department = ext.department()
    if department is None and first.kind == "post-unit":  # a page of single-person posts, side by side
        return ext.add_unit(name, ext.unit_kind_for(name, False), span=span)
    if department and lemma == department.unit_type and lemma not in INSIDE_ONLY_LEMMAS:
        return ext.add_unit(name, "department", span=span)
    parent = department.key if department else None
    return ext.add_unit(name, ext.unit_kind_for(name, True), parent=parent, span=span)


def _read_symbol_line(ext: Extraction, block: PageBlock, line: Line) -> None:
    match = SYMBOL_LINE.match(line.text)
    if not match or block.unit is None:
        return
    ext.use(Span(line.origin, line.origin))
    unit = block.unit
    if not unit.symbol:
        ext.add_unit(unit.name, unit.kind, match["symbol"].rstrip(".;,"))
