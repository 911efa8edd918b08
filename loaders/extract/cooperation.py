"""Cooperation stated in duty texts: "we współpracy z X", "ścisła współpraca z X oraz Y", "współpracy z ...".

After "z/ze" come partners in the instrumental, separated by commas, "oraz", "i"; the list ends at the first
part that is not an instrumental noun phrase ("... z Kancelarią Prezydenta i publikowanie ...") or at a
clause ("w zakresie", "w celu", ..., a full stop; the period of "ds.", "m.in.", "tj." ends nothing).
Each partner is resolved:
- a unit or post of this document, by name in any inflection (a lower-case description may name the
  beginning of a post's other role: "z pełnomocnikiem prezydenta ds. zdrowia");
- "z pozostałymi/innymi referatami (komórkami) Wydziału" → every other unit of the same department;
- a capitalised proper name not in the document → an ExternalOrganisation (kind "department" when it is
  a Wydział/Biuro/Kancelaria named by its head noun first, i.e. a unit of the same office; else
  "organisation", e.g. "Miejski Ośrodek Sportu", a city's own institution);
- generic partners ("z mediami", "z innymi komórkami organizacyjnymi Urzędu") give nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kompetencje.loaders import morphology
from kompetencje.loaders.extract.context import Extraction
from kompetencje.loaders.extract.lexicon import EXTERNAL_DEPARTMENT_LEMMAS, OFFICE_POST_LEMMAS, is_plural_noun
from kompetencje.loaders.extract.names import (
    clean_name,
    head_lemma_of,
    is_abbreviation,
    is_unit_lemma,
    name_run,
)
from kompetencje.loaders.extract.units import resolve_unit_mention
from kompetencje.loaders.model import Cooperation, DutyItem, DutyRef

LEAD = re.compile(r"(?:\b(?:we|w|przy)\s+)?(?:\b(?:ścisł|stał|bieżąc|bezpośredni|blisk|aktywn|wszechstronn)\w*\s+)?"
                  r"\b(?:współprac(?:a|y|ę|ą|ach)|współdziałani(?:e|a|u|em))\s+(?:z|ze)\s+", re.IGNORECASE)
CLAUSE_END = re.compile(r"[;:()„\"]|\.(?=\s|$)|\s[-–—]\s|\s(?:w\s+zakresie|w\s+celu|w\s+sprawach|w\s+sprawie|przy\s|"
                        r"dotycząc\w*|na\s+rzecz|w\s+ramach|w\s+tym|poprzez|polegając\w*|mając\w*|"
                        r"zgodnie|a\s+także\s+w)\b", re.IGNORECASE)
SEPARATOR = re.compile(r",\s+|\s+(?:oraz|i|a\s+także)\s+(?:(?:z|ze)\s+)?")
OTHER_UNITS = re.compile(r"^(?:pozostał|inn|wszystk)\w*\s+(?:\w+\s+)?(?:referat|komór|stanowisk|zesp|dział|"
                         r"oddział|sekcj|biur)\w*(?:\s+organizacyjn\w*)?\s+(?P<of>\S+)", re.IGNORECASE)


def read_cooperation(ext: Extraction) -> None:
    for index, duties in enumerate(ext.doc.duty_lists):
        for path, item in _walk(duties.items, ()):
            for lead in LEAD.finditer(item.text):
                _read_partners(ext, duties.holder, DutyRef(index, path), item, lead)


def _walk(items: list[DutyItem], prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], DutyItem]]:
    for item in items:
        path = (*prefix, item.number)
        yield path, item
        yield from _walk(item.subitems, path)


def _read_partners(ext: Extraction, party: str, ref: DutyRef, item: DutyItem, lead: re.Match[str]) -> None:
    for part, start in partner_parts(item.text, lead.end()):
        mention, partners = resolve_partner(ext, part, party)
        phrase = item.text[lead.start():start + len(mention)]
        for partner in partners:
            if partner != party:
                ext.doc.cooperation.append(Cooperation(party, partner, ref, phrase, item.span))


def partner_parts(text: str, start: int) -> list[tuple[str, int]]:
    """The partner phrases after "współpracy z", with where each starts in the text. A part that is not an
    instrumental phrase belongs to the name before it after "i"/"oraz" ("z Referatem Promocji i
    Turystyki") and after a comma when it is capitalised ("z Wydziałem Kultury, Sportu i Turystyki");
    otherwise it ends the list."""
    segment_end = clause_end(text, start)
    spans: list[tuple[int, int]] = []
    position, after_comma = start, False
    for separator in [*SEPARATOR.finditer(text, start, segment_end), None]:
        part_end = separator.start() if separator else segment_end
        part = text[position:part_end].strip()
        if part and _is_instrumental_phrase(part):
            spans.append((position, part_end))
        elif part and spans and (not after_comma or part[:1].isupper()):
            spans[-1] = (spans[-1][0], part_end)  # "z Wydziałem Kultury, Sportu i Turystyki"
        else:
            break
        if separator is None:
            break
        position, after_comma = separator.end(), separator.group().startswith(",")
    return [(text[a:b].strip(), a + len(text[a:b]) - len(text[a:b].lstrip())) for a, b in spans]


def clause_end(text: str, start: int) -> int:
    """Where the clause that starts at `start` ends: at a semicolon, colon, bracket, quote, dash, a phrase
    opening a new clause ("w zakresie", "w celu", ...) or a full stop - not the period of an abbreviation
    ("ds.", "m.in.", "tj.", "np.", "ul.", "pkt.", "ust."), nor one inside a word ("KRAKÓW.PL")."""
    for match in CLAUSE_END.finditer(text, start):
        if match.group() == "." and is_abbreviation(text[:match.end()].split()[-1]):
            continue
        return match.start()
    return len(text)


def _is_instrumental_phrase(part: str) -> bool:
    first = part.split()[0].strip(",")
    if first.isupper() and len(first) >= 2:
        return True  # an acronym: "z MOPS"
    found = morphology.readings(first)
    return not found or any("inst" in r.cases for r in found) or all(r.pos == "ign" for r in found)


def resolve_partner(ext: Extraction, part: str, party: str) -> tuple[str, list[str]]:
    """(the words naming the partner, the keys they resolve to)."""
    if (other := OTHER_UNITS.match(part)) is not None:
        return other.group().rstrip(",.;"), _other_units(ext, other["of"], party)
    if part[:1].isupper():
        mention = name_run(part)
        return mention, _proper_partner(ext, mention) if mention else []
    return part, _described_partner(ext, part)


def _other_units(ext: Extraction, of_word: str, party: str) -> list[str]:
    """"pozostałymi referatami Wydziału": the other units of the department the party is in."""
    department = ext.department()
    if department is None or department.unit_type not in morphology.lemmas(of_word.strip(",.;")):
        return []
    return [u.key for u in ext.units if u.parent == department.key and u.key != party]


def _proper_partner(ext: Extraction, mention: str) -> list[str]:
    name = morphology.to_nominative(mention)
    unit = resolve_unit_mention(ext, name) if len(name.split()) > 1 else None
    if unit is not None:
        return [unit.key]
    post = ext.find_post(name)
    if post is not None:
        return [post.key]
    return _external(ext, name, mention)


def _external(ext: Extraction, name: str, mention: str) -> list[str]:
    words = name.split()
    lemma = head_lemma_of(name)
    plural = any(is_plural_noun(word) for word in mention.split()[:2] if head_lemma_of(word) == lemma)
    if (len(words) < 2 and not words[0].isupper()) or lemma in OFFICE_POST_LEMMAS or plural:
        return []
    if lemma is not None and not morphology.is_known_word(words[-1]) and not words[-1][:1].isupper():
        return []
    starts_with_head = head_lemma_of(words[0]) == lemma
    kind = "department" if lemma in EXTERNAL_DEPARTMENT_LEMMAS and starts_with_head else "organisation"
    if lemma is not None and not is_unit_lemma(lemma) and lemma not in ("zespół", "komitet", "rada", "centrum"):
        kind = "organisation"
    return [ext.add_external(clean_name(name), kind).key]


def _described_partner(ext: Extraction, part: str) -> list[str]:
    """A lower-case description that names a post of the document ("z pełnomocnikiem prezydenta ...")."""
    mention = clean_name(part)
    if len(mention.split()) < 2:
        return []
    size = len(morphology.tokens(mention))
    for post in ext.doc.posts:
        for known in (post.title, *post.also):
            if size <= len(morphology.tokens(known)) and morphology.names_match(mention, known, allow_prefix=True):
                return [post.key]
    return []
