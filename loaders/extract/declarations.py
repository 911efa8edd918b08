"""Duty lists: the sentence that introduces a list names its holder; the items under it are its duties.

Recognised lead-ins (holder X inflected as the sentence requires, symbol in parentheses optional):
  "Do (podstawowego) zakresu działania X należą sprawy:" / "... należy (prowadzenie spraw ..., w tym) w
  szczególności:", "Do zadań X należy:", "X realizuje (następujące) zadania:", "X odpowiada za:",
  "Wszystkie (wewnętrzne) komórki organizacyjne X są odpowiedzialne za:" (shared by all units of X),
  and bare headings "Zadania:", "Zakres spraw", "Zakres działania:" (holder = the unit the page is about).
A bare word ("Wydziału") refers back to the unit of that kind the document is about.

After a declaration, numbered groups ("I. ZADANIA WŁASNE") and short headings ("W zakresie kadr:") with
items of their own are further lists of the same holder, each with its group name; numbering restarts.
A short heading under a numbered group without items of its own gets the path of both headings as its
group ("ZADANIA WŁASNE › W zakresie kadr") and the group's number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kompetencje.loaders.extract.blocks import Block, iter_blocks
from kompetencje.loaders.extract.context import OFFICE_UNIT, Extraction
from kompetencje.loaders.extract.lexicon import HEAD_TITLE_LEMMAS, OFFICE_POST_LEMMAS
from kompetencje.loaders.extract.names import (
    clean_name,
    head_lemma_of,
    is_unit_lemma,
    looks_like_unit_name,
    resolve_inflected_name,
)
from kompetencje.loaders.extract.units import resolve_unit_mention
from kompetencje.loaders.model import DutyList, Span
from kompetencje.loaders.structure import to_duty_items

OF_HOLDER = (r"(?:podstawowego\s+|szczegółowego\s+|ogólnego\s+)?(?:zakresu\s+(?:działania|zadań|obowiązków|spraw|"
             r"kompetencji)|(?:podstawowych\s+)?(?:zadań|obowiązków|kompetencji))")
GENITIVE_LEADS = (
    re.compile(rf"^do\s+{OF_HOLDER}\s+(?P<holder>.+?)\s+należ(?:y|ą)\b", re.IGNORECASE),
    re.compile(r"^(?:zadania|zakres\s+(?:działania|spraw|zadań|obowiązków)|obowiązki|kompetencje)\s+"
               r"(?P<holder>[A-ZĄĆĘŁŃÓŚŹŻ].*?)\s*:?$"),
)
SHARED_LEAD = re.compile(r"^wszystkie\s+(?:wewnętrzne\s+)?komórki(?:\s+organizacyjne)?\s+(?P<holder>.+?)\s+"
                         r"(?:są\s+odpowiedzialne\s+za|odpowiadają\s+za|realizują|wykonują)", re.IGNORECASE)
NOMINATIVE_LEAD = re.compile(r"^(?P<holder>[A-ZĄĆĘŁŃÓŚŹŻ].+?)\s+(?:realizuje|wykonuje|prowadzi|odpowiada\s+za|"
                             r"zajmuje\s+się)\b(?:\s+(?:w\s+szczególności|następujące|m\.\s?in\.))*"
                             r"(?:\s+(?:zadania|sprawy))?\b.*:$")
BARE_LEAD = re.compile(r"^(?:zadania|zakres\s+(?:działania|spraw|zadań|obowiązków|czynności)|obowiązki|"
                       r"kompetencje|do\s+zadań\s+należy|do\s+(?:podstawowych\s+)?zadań\s+należą)\s*:?$",
                       re.IGNORECASE)
HOLDER_TAIL = re.compile(r"(?:\s+(?:w\s+szczególności|m\.\s?in\.|między\s+innymi|przede\s+wszystkim|"
                         r"również|także|ponadto))+\s*$", re.IGNORECASE)
GROUP_HEADING = re.compile(r"^(?:w\s+zakresie|w\s+sprawach|w\s+obszarze|w\s+ramach|zadania\s+\w+)\b.*:?$",
                           re.IGNORECASE)


@dataclass
class Declaration:
    holder: str | None  # key; None until resolved
    text: str
    shared: bool = False


def read_declaration(ext: Extraction, text: str, span: Span | None = None) -> Declaration | None:
    """The holder a lead-in sentence gives its list to, or None when the text is no declaration."""
    if BARE_LEAD.match(text):
        near = ext.unit_at(span.start) if span else None
        return Declaration(near.key if near else ext.subject, text)
    if match := SHARED_LEAD.match(text):
        unit = _resolve_holder(ext, match["holder"], span)
        return Declaration(unit, text, shared=True) if unit else None
    for pattern in GENITIVE_LEADS:
        if match := pattern.match(text):
            holder = _resolve_holder(ext, match["holder"], span)
            return Declaration(holder, text) if holder else None
    if match := NOMINATIVE_LEAD.match(text):
        holder = _resolve_holder(ext, match["holder"], span)
        return Declaration(holder, text) if holder else None
    return None


def _resolve_holder(ext: Extraction, phrase: str, span: Span | None) -> str | None:
    name, symbol = resolve_inflected_name(trim_holder(phrase))
    lemma = head_lemma_of(name)
    if lemma in HEAD_TITLE_LEMMAS or lemma in OFFICE_POST_LEMMAS:
        return _post_holder(ext, name)
    if not is_unit_lemma(lemma) and not symbol:
        return None
    unit = resolve_unit_mention(ext, name, symbol, near=ext.unit_at(span.start) if span else None)
    if unit is None and len(name.split()) == 1 and not symbol:
        return ext.subject
    if unit is None:
        department = ext.department()
        parent = department.key if department and is_unit_lemma(lemma) and lemma != department.unit_type else None
        unit = ext.add_unit(name, ext.unit_kind_for(name, bool(parent or symbol)), symbol, parent, span)
    elif symbol and not unit.symbol:
        unit = ext.add_unit(unit.name, unit.kind, symbol)
    ext.subject = ext.subject or unit.key
    return unit.key


def trim_holder(phrase: str) -> str:
    """"Wydziału X, zwanego dalej Wydziałem," / "Wydziału w szczególności" → "Wydziału X"."""
    phrase = re.split(r",|\s[–—-]\s", phrase)[0]
    return HOLDER_TAIL.sub("", phrase).strip()


def _post_holder(ext: Extraction, title: str) -> str:
    lemma = head_lemma_of(title)
    department = ext.department()
    unit = OFFICE_UNIT if lemma in OFFICE_POST_LEMMAS or department is None else department.key
    return ext.add_post(title, unit).key


def read_duty_lists(ext: Extraction) -> None:
    current: Declaration | None = None
    enclosing = None  # a numbered group heading without items of its own ("I. ZADANIA WŁASNE")
    for block in iter_blocks(ext.outline):
        declaration = read_declaration(ext, block.text, block.lead_span) if block.text else None
        if declaration is None and block.items and looks_like_unit_name(block.text):
            declaration = _heading_as_declaration(ext, block)
        if declaration is not None:
            ext.use(block.lead_span)
            current, enclosing = (declaration if declaration.holder else None), None
            if block.items and current:
                _add_list(ext, current, block, group=None)
        elif block.is_group and not block.items and current:
            enclosing = block.node
            ext.use(block.lead_span)
        elif block.items and current and (block.is_group or _is_group_heading(block.text)):
            _add_list(ext, current, block, group=block.node, enclosing=None if block.is_group else enclosing)
        elif block.text and not block.is_group:
            current = None


def _heading_as_declaration(ext: Extraction, block: Block) -> Declaration | None:
    """A unit's heading with a numbered list right under it: the list is that unit's duties."""
    unit = ext.find_unit(clean_name(block.text))
    return Declaration(unit.key, block.text) if unit else None


def _heading_text(node) -> str:
    return (node.first_text if node.marker else node.text).rstrip(":").strip()


def _is_group_heading(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.7
    return len(text.split()) <= 14 and (text.endswith(":") or shouting or bool(GROUP_HEADING.match(text)))


def _add_list(ext: Extraction, declaration: Declaration, block: Block, group, enclosing=None) -> None:
    """One list of the holder; under a numbered group's sub-heading ("I. ZADANIA WŁASNE" / "W zakresie
    kadr:") the group is the path of headings, "ZADANIA WŁASNE › W zakresie kadr", numbered "I"."""
    items = to_duty_items(block.items)
    if not items or declaration.holder is None:
        return
    group_name = _heading_text(group) if group else None
    numbered = enclosing if enclosing is not None else group
    if enclosing is not None and group_name:
        group_name = f"{_heading_text(enclosing)} › {group_name}"
    duties = DutyList(holder=declaration.holder, items=items, span=Span(block.lead_span.start, block.span.end),
                      provision=block.provision, group=group_name,
                      group_number=numbered.number if numbered is not None and numbered.marker else None,
                      shared=declaration.shared, declaration=declaration.text)
    ext.doc.duty_lists.append(duties)
    ext.use(duties.span)
