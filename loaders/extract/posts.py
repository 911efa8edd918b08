"""Posts: who heads a unit, and other roles a post holds.

- In an act: "Wydziałem X, zwanym dalej Wydziałem, kieruje Dyrektor przy pomocy Zastępców" → the head post
  "Dyrektor Wydziału" (the unit word in the genitive as the act itself writes it after the title);
  "Dyrektor Wydziału pełni jednocześnie obowiązki Pełnomocnika Prezydenta ds. Osób Starszych" → post.also.
- On a page: "Naczelnik: Anna Wiśniewska", "Kierownik Referatu: Jan Kowalski", "Jan Kowalski – Naczelnik
  Wydziału", "Naczelnik Wydziału Jan Kowalski", or "Kierownik:" with the name on the next line. The post
  belongs to the block's unit, or to its department when the title says so ("Naczelnik Wydziału") or is a
  department head's title ("Naczelnik", "Dyrektor"). Outside any unit's block only a title that names its
  unit ("Naczelnik Wydziału ...") is taken, so footers ("Redaktor: ...") never become posts.
"""

from __future__ import annotations

import re

from kompetencje.loaders import morphology
from kompetencje.loaders.extract.blocks import iter_blocks
from kompetencje.loaders.extract.contacts import add_contact_line
from kompetencje.loaders.extract.context import Extraction
from kompetencje.loaders.extract.lexicon import DEPARTMENT_HEAD_LEMMAS, HEAD_TITLE_LEMMAS, POST_UNIT_LEMMAS
from kompetencje.loaders.extract.names import clean_name, head_lemma_of, is_unit_lemma, name_run, person_name
from kompetencje.loaders.extract.pagelines import NAME_DASH_TITLE, TITLE_AND_NAME, is_bare_title, is_head_title
from kompetencje.loaders.extract.units import PageBlock, resolve_unit_mention
from kompetencje.loaders.model import OrgUnit, Span
from kompetencje.loaders.normalize import Line

LEADS = re.compile(r"^(?P<unit>.+?)\s+kieruje\s+(?P<title>[A-ZĄĆĘŁŃÓŚŹŻ][\w.]*(?:\s+[A-ZĄĆĘŁŃÓŚŹŻ][\w.]*)*)")
ALSO = re.compile(r"^(?P<title>.+?)\s+(?:pełni|sprawuje)\s+(?:jednocześnie\s+|również\s+|także\s+)?"
                  r"(?:obowiązki|funkcję)\s+(?P<role>.+)$")
ALSO_IS = re.compile(r"^(?P<title>.+?)\s+jest\s+(?:jednocześnie|również|także)\s+(?P<role>.+)$")


def read_act_posts(ext: Extraction) -> None:
    for block in iter_blocks(ext.outline):
        if block.provision is None:
            continue
        text = block.text
        if match := LEADS.match(text):
            _head_from_leads(ext, match, block.provision, block.lead_span)
        elif match := ALSO.match(text) or ALSO_IS.match(text):
            _also_role(ext, match, block.provision, block.lead_span)


def _head_from_leads(ext: Extraction, match: re.Match[str], provision, span: Span) -> None:
    unit_phrase = re.split(r",", match["unit"])[0]
    name = morphology.to_nominative(re.sub(r"^(?:pracą|pracami)\s+", "", unit_phrase, flags=re.I))
    unit = resolve_unit_mention(ext, name) or ext.department()
    if unit is None:
        return
    title = title_with_unit_word(ext, clean_name(match["title"].split()[0]), unit)
    ext.add_post(title, unit.key, is_head=True, provision=provision, span=span)
    ext.use(span)


def title_with_unit_word(ext: Extraction, title: str, unit: OrgUnit) -> str:
    """"Dyrektor" + the genitive of the unit's kind as the text writes it after that title ("Wydziału")."""
    if len(title.split()) > 1 or not unit.unit_type:
        return title
    stem_lemma = head_lemma_of(title)
    text = " ".join(line.text for line in ext.lines)
    for first, second in re.findall(r"\b([A-ZĄĆĘŁŃÓŚŹŻ]\w+)\s+(?=([A-ZĄĆĘŁŃÓŚŹŻ]\w+))", text):  # overlapping pairs
        if unit.unit_type in morphology.lemmas(second) and head_lemma_of(first) == stem_lemma:
            return f"{title} {second}"
    return title


def _also_role(ext: Extraction, match: re.Match[str], provision, span: Span) -> None:
    title = morphology.to_nominative(clean_name(match["title"]))
    post = next((p for p in ext.doc.posts if morphology.names_match(title, p.title)), None)
    if post is None:
        return
    role = name_run(match["role"])
    if role:
        post.also.append(morphology.to_nominative(role))
        post.provision = post.provision or provision
        ext.use(span)


def read_page_heads(ext: Extraction, blocks: list[PageBlock]) -> None:
    for block in blocks:
        unit = block.unit
        post_unit = unit is not None and unit.kind == "post-unit"
        for index, line in enumerate(block.lines):
            following = block.lines[index + 1] if index + 1 < len(block.lines) else None
            found = read_head_line(line, following, post_unit)
            if found:
                _add_head(ext, unit, found, line, following)


def read_head_line(line: Line, following: Line | None, post_unit: bool = False) -> tuple[str, str | None] | None:
    """(title, person) from one head line; the person may be on the following line. In a single-person
    post's block the post's own title counts as a head's ("Rzecznik: Monika Żurek")."""
    text = line.text.strip()
    if (match := TITLE_AND_NAME.match(text)) and is_head_title(match["title"], post_unit):
        name = person_name(re.split(r"[,;(]|\s+tel", match["name"])[0].split()) if match["name"] \
            else _name_on(following)
        if not match["name"] and not name and not is_bare_title(match["title"]):
            return None
        return _title_case(match["title"]), name
    if match := NAME_DASH_TITLE.match(text):
        for title, name in ((match["title"], match["name"]), (match["name"], match["title"])):
            person = person_name(name.split())
            if person and is_head_title(title, post_unit):
                return _title_case(title), person
        return None
    if not is_head_title(text, post_unit):
        return None
    words = text.split()
    for size in (3, 2):
        name = person_name(words[-size:]) if len(words) > size else None
        if name:
            return _title_case(" ".join(words[:-size])), name
    return (_title_case(text), _name_on(following)) if _name_on(following) else None


def _name_on(line: Line | None) -> str | None:
    return person_name(line.text.split()) if line is not None else None


def _title_case(title: str) -> str:
    title = clean_name(title)
    return title[:1].upper() + title[1:]


def _add_head(ext: Extraction, unit: OrgUnit | None, found: tuple[str, str | None], line: Line,
              following: Line | None) -> None:
    title, person = found
    lemma = head_lemma_of(title)
    if unit is not None and unit.kind == "post-unit" and lemma in POST_UNIT_LEMMAS - HEAD_TITLE_LEMMAS:
        # the one person a single-person post is: "Rzecznik: X" under "Rzecznik Prasowy Prezydenta"
        target = unit
        title = unit.name if unit.name and len(title.split()) == 1 and lemma == unit.unit_type else title
    else:
        target = unit_for_title(ext, title, unit)
    if target is None:
        return
    is_head = lemma != "zastępca"
    end = following.origin if following is not None and person and person not in line.text else line.origin
    span = Span(line.origin, end)
    ext.add_post(title, target.key, holder=person, is_head=is_head, span=span)
    ext.use(span)
    add_contact_line(ext, target.key, line)


def unit_for_title(ext: Extraction, title: str, block_unit: OrgUnit | None) -> OrgUnit | None:
    """The unit a head's title belongs to (see the module's docstring)."""
    department = _department_of(ext, block_unit)
    unit_words = [head_lemma_of(w) for w in title.split()[1:] if is_unit_lemma(head_lemma_of(w))]
    if unit_words:
        for candidate in (block_unit, department):
            if candidate is not None and candidate.unit_type in unit_words:
                return candidate
        if "wydział" in unit_words or block_unit is None:
            return department
        return block_unit
    if block_unit is None:
        return None
    if head_lemma_of(title) in DEPARTMENT_HEAD_LEMMAS:
        return department or block_unit
    return block_unit


def _department_of(ext: Extraction, unit: OrgUnit | None) -> OrgUnit | None:
    if unit is None:
        return ext.department()
    if unit.kind == "department":
        return unit
    return ext.doc.unit(unit.parent) if unit.parent else None
