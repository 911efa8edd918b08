"""Reporting lines: "Dyrektorowi Wydziału podlegają bezpośrednio: 1) ...; 2) ..." and the like.

The superior is named in the dative and is resolved to a post of the document by title; when the act slips
("Naczelnikowi Biura" in the regulation of a Wydział headed by a Naczelnik Wydziału) it is resolved to the
department's head post with the same title noun, with a note and a finding. The subordinates are posts
(a title noun: Zastępca, Kierownik, ...) or units, resolved against the document's units by symbol or
name in any inflection.

Inline: "Referat A podlega Zastępcy Naczelnika", "Zastępcy Naczelnika podlega Referat A" (the dative is the
superior), "Sekretarz Miasta nadzoruje Wydział Organizacyjny" (the accusative the subordinate).

Org-structure acts that list departments per member of the office's management (Prezydent, Zastępca
Prezydenta, Sekretarz, Skarbnik) give posts of the office itself: Post.unit = OFFICE_UNIT ("office").
"""

from __future__ import annotations

import re

from kompetencje.loaders import morphology
from kompetencje.loaders.extract.blocks import Block, iter_blocks
from kompetencje.loaders.extract.context import OFFICE_UNIT, Extraction
from kompetencje.loaders.extract.lexicon import (
    DEPARTMENT_HEAD_LEMMAS,
    HEAD_TITLE_LEMMAS,
    OFFICE_HEAD_LEMMAS,
    OFFICE_POST_LEMMAS,
)
from kompetencje.loaders.extract.names import clean_name, head_lemma_of, is_unit_lemma, resolve_inflected_name
from kompetencje.loaders.extract.units import resolve_unit_mention
from kompetencje.loaders.model import Post, ReportingLine, Span
from kompetencje.loaders.structure import Node, strip_list_punctuation

REPORTS_TO = re.compile(r"^(?P<superior>.+?)\s+podlega(?:ją)?(?:\s+(?:bezpośrednio|służbowo|merytorycznie|"
                        r"organizacyjnie))*\s*:?\s*$", re.IGNORECASE)
SUPERVISES = re.compile(r"^(?P<superior>.+?)\s+(?:nadzoruje(?:\s+(?:bezpośrednio|pracę|działalność))*|"
                        r"sprawuje\s+(?:bezpośredni\s+)?nadzór\s+nad|koordynuje\s+pracę)\s*:?\s*$",
                        re.IGNORECASE)
SUPERVISES_INLINE = re.compile(r"^(?P<superior>[A-ZĄĆĘŁŃÓŚŹŻ].+?)\s+(?:nadzoruje|koordynuje\s+pracę|sprawuje\s+"
                               r"(?:bezpośredni\s+)?nadzór\s+nad)(?:\s+bezpośrednio)?\s+"
                               r"(?P<subordinate>[A-ZĄĆĘŁŃÓŚŹŻ].+?)\.?$")
REPORTS_INLINE = re.compile(r"^(?P<subordinate>[A-ZĄĆĘŁŃÓŚŹŻ].+?)\s+(?P<verb>podlega(?:ją)?)(?:\s+bezpośrednio)?\s+"
                            r"(?P<superior>[A-ZĄĆĘŁŃÓŚŹŻ].+?)\.?$")


def read_reporting(ext: Extraction) -> None:
    for block in iter_blocks(ext.outline):
        text = block.text
        match = REPORTS_TO.match(text) or SUPERVISES.match(text)
        if match and block.items:
            superior = resolve_superior(ext, match["superior"], block)
            if superior is not None:
                post, note = superior
                for item in block.items:
                    _add_line(ext, item, post, block, note)
                ext.use(block.span)
        elif (match := REPORTS_INLINE.match(text)) and not block.items:
            _inline_line(ext, match, block)
        elif (match := SUPERVISES_INLINE.match(text)) and not block.items:
            _supervised_inline(ext, match, block)


def resolve_superior(ext: Extraction, phrase: str, block: Block) -> tuple[Post, str | None] | None:
    title = morphology.to_nominative(clean_name(phrase))
    lemma = head_lemma_of(title)
    if lemma is None:
        return None
    found = find_post_by_title(ext, title)
    if found:
        return found, None
    if _is_office_title(title):
        return ext.add_post(title, OFFICE_UNIT, is_head=lemma in OFFICE_HEAD_LEMMAS), None
    department = ext.department()
    if department is None:
        return None
    head = ext.head_post(department.key)
    if head is not None and head_lemma_of(head.title) == lemma and lemma != "zastępca":
        holder_name = department.name or department.key
        note = f"the text says {clean_name(phrase)!r}; read as {head.title!r}, the head of {holder_name}"
        ext.finding(f"reporting: {note}", block.lead_span, confidence=0.8)
        return head, note
    is_head = lemma in DEPARTMENT_HEAD_LEMMAS
    return ext.add_post(title, department.key, is_head=is_head, span=block.lead_span), None


def find_post_by_title(ext: Extraction, title: str) -> Post | None:
    """A post by its title in any inflection, or by the beginning of it ("Sekretarz" → "Sekretarz Miasta")."""
    found = ext.find_post(title)
    if found or len(title.split()) > 2:
        return found
    size = len(morphology.tokens(title))
    return next((p for p in ext.doc.posts if size < len(morphology.tokens(p.title))
                 and morphology.names_match(title, p.title, allow_prefix=True)), None)


def _is_office_title(title: str) -> bool:
    words = title.split()
    lemma = head_lemma_of(words[0]) if words else None
    if lemma in OFFICE_POST_LEMMAS:
        return True
    return lemma == "zastępca" and len(words) > 1 and head_lemma_of(words[1]) in OFFICE_POST_LEMMAS


def _add_line(ext: Extraction, item: Node, superior: Post, block: Block, note: str | None) -> None:
    text = strip_list_punctuation(item.first_text or item.text)
    subordinate = resolve_subordinate(ext, text, superior, item, block)
    if subordinate and subordinate != superior.key:
        ext.doc.reporting.append(ReportingLine(subordinate, superior.key, item.span, block.provision, note))


def resolve_subordinate(ext: Extraction, text: str, superior: Post, item: Node, block: Block) -> str | None:
    name, symbol = resolve_inflected_name(text)
    lemma = head_lemma_of(name)
    if lemma in HEAD_TITLE_LEMMAS or lemma in OFFICE_POST_LEMMAS:
        unit = OFFICE_UNIT if _is_office_title(name) else superior.unit
        is_head = False if lemma == "zastępca" else None
        return ext.add_post(name, unit, is_head=is_head, provision=block.provision, span=item.span).key
    unit = resolve_unit_mention(ext, name, symbol)
    if unit is None and lemma is not None:
        parent = None if superior.unit == OFFICE_UNIT else superior.unit
        kind = "department" if parent is None else ext.unit_kind_for(name, True)
        unit = ext.add_unit(name, kind, symbol, parent, Span(item.span.start, item.span.end))
        if parent is not None:
            ext.finding(f"reporting names a unit not listed elsewhere: {name}", item.span, confidence=0.7)
    return unit.key if unit else None


def _inline_line(ext: Extraction, match: re.Match[str], block: Block) -> None:
    """"Referat A i Referat B podlegają Zastępcy ..." / "Zastępca, Sekretarz i Skarbnik podlegają Prezydentowi";
    also with the superior first: "Zastępcy Naczelnika podlega Referat A" (the dative tells them apart)."""
    subordinates, superior_phrase = match["subordinate"], match["superior"]
    if _superior_first(subordinates, superior_phrase, plural=match["verb"].endswith("ją")):
        subordinates, superior_phrase = superior_phrase, subordinates
    superior = resolve_superior(ext, superior_phrase, block)
    if superior is None:
        return
    post, note = superior
    for part in _coordinated(subordinates):
        key = _inline_subordinate(ext, part, post)
        if key and key != post.key:
            ext.doc.reporting.append(ReportingLine(key, post.key, block.lead_span, block.provision, note))
            ext.use(block.lead_span)


def _coordinated(phrase: str) -> list[str]:
    """"Referat A, Referat B i Zastępca Naczelnika" → the three; a part that names no unit or post continues
    the name before it ("Referat Sportu i Rekreacji")."""
    pieces = re.split(r"(,\s+|\s+(?:i|oraz)\s+)(?=[A-ZĄĆĘŁŃÓŚŹŻ])", phrase)
    parts = [pieces[0]]
    for separator, text in zip(pieces[1::2], pieces[2::2], strict=True):
        lemma = head_lemma_of(text.split()[0]) if text.split() else None
        if is_unit_lemma(lemma) or lemma in HEAD_TITLE_LEMMAS | OFFICE_POST_LEMMAS:
            parts.append(text)
        else:
            parts[-1] += separator + text
    return parts


def _superior_first(before: str, after: str, plural: bool) -> bool:
    """Is the phrase before "podlega" the superior? The superior is in the dative, the subordinates are
    the verb's subject: in the nominative, singular with "podlega" (plural or several with "podlegają")."""
    def can_be(phrase: str, case: str, number: str | None = None) -> bool:
        word = phrase.split()[0].strip(",;")
        return any(r.pos in ("subst", "adj") and case in r.cases and (number is None or number in r.numbers)
                   for r in morphology.readings(word))

    def subject(phrase: str) -> bool:
        several = bool(re.search(r",|\s(?:i|oraz)\s", phrase))
        return can_be(phrase, "nom", None if plural and several else "pl" if plural else "sg")

    if not can_be(after, "dat") and can_be(before, "dat"):
        return True
    return not subject(before) and subject(after) and can_be(before, "dat")


def _supervised_inline(ext: Extraction, match: re.Match[str], block: Block) -> None:
    """"Sekretarz Miasta nadzoruje Wydział Organizacyjny i Biuro Rady." (the units in the accusative)."""
    superior = resolve_superior(ext, match["superior"], block)
    if superior is None:
        return
    post, note = superior
    for part in _coordinated(match["subordinate"]):
        key = _inline_subordinate(ext, part, post)
        if key and key != post.key:
            ext.doc.reporting.append(ReportingLine(key, post.key, block.lead_span, block.provision, note))
            ext.use(block.lead_span)


def _inline_subordinate(ext: Extraction, part: str, superior: Post) -> str | None:
    name, symbol = resolve_inflected_name(part)
    lemma = head_lemma_of(name)
    if lemma in HEAD_TITLE_LEMMAS or lemma in OFFICE_POST_LEMMAS:
        found = find_post_by_title(ext, name)
        if found is None and _is_office_title(name):
            found = ext.add_post(name, OFFICE_UNIT, is_head=False if lemma == "zastępca" else None,
                                 provision=None, span=None)
        return found.key if found else None
    unit = resolve_unit_mention(ext, name, symbol)
    if unit is None and is_unit_lemma(lemma):  # named here first: a unit of the superior's unit
        parent = None if superior.unit == OFFICE_UNIT else superior.unit
        unit = ext.add_unit(name, "department" if parent is None else ext.unit_kind_for(name, True), symbol, parent)
    return unit.key if unit else None
