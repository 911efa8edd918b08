"""Names in the text: unit symbols, inflected unit and post names, people, capitalisation."""

from __future__ import annotations

import re

from kompetencje.loaders import morphology
from kompetencje.loaders.extract.lexicon import (
    DEPARTMENT_LEMMAS,
    HEAD_TITLE_LEMMAS,
    OFFICE_POST_LEMMAS,
    OFFICE_WORDS,
    POST_UNIT_LEMMAS,
    SMALL_WORDS,
    SUBUNIT_LEMMAS,
    is_first_name,
    is_surname_like,
)
from kompetencje.loaders.morphology import is_abbreviation
from kompetencje.loaders.normalize import collapse_spaces

UPPER = "A-ZĄĆĘŁŃÓŚŹŻ"
UNIT_SYMBOL = re.compile(rf"(?<![\w-])[{UPPER}]{{1,6}}(?:-(?:\d{{1,3}}|[{UPPER}]{{1,4}})){{1,2}}(?![\w-])")
SYMBOL_IN_PARENS = re.compile(rf"\(\s*(?P<symbol>[{UPPER}]{{1,6}}(?:-[{UPPER}0-9]{{1,4}}){{0,2}})\s*\)")
NAME_WORD = re.compile(rf"^[{UPPER}][{UPPER}a-ząćęłńóśźż'’]+(?:-[{UPPER}][{UPPER}a-ząćęłńóśźż]+)?$")
UNIT_LEMMAS = DEPARTMENT_LEMMAS | SUBUNIT_LEMMAS | POST_UNIT_LEMMAS


def department_symbol_of(unit_symbol: str) -> str | None:
    """"AB-06" → "AB": a unit's symbol starts with its department's."""
    head, _, tail = unit_symbol.rpartition("-")
    return head if head and tail else None


def split_symbol(phrase: str) -> tuple[str, str | None]:
    """"Referatu X (AB-01)" → ("Referatu X", "AB-01")."""
    match = SYMBOL_IN_PARENS.search(phrase)
    if not match:
        return collapse_spaces(phrase), None
    rest = phrase[: match.start()] + phrase[match.end():]
    return collapse_spaces(rest).strip(" ,;:–-"), match["symbol"]


def ends_with_full_stop(text: str) -> bool:
    """A final "." that ends a sentence, not one inside a name like "MIASTO.PL" or ending an abbreviation
    ("m.in.", "ds.", "pkt.")."""
    last = text.rstrip().split()[-1] if text.strip() else ""
    return last.endswith(".") and "." not in last[:-1] and len(last) > 2 and not is_abbreviation(last)


def clean_name(text: str) -> str:
    text = collapse_spaces(text.replace("**", "").replace("__", "")).strip(" ,;:|")
    return text[:-1] if ends_with_full_stop(text) else text


def resolve_inflected_name(phrase: str) -> tuple[str, str | None]:
    """An inflected mention of a unit → (its nominative name, its symbol if written in parentheses)."""
    text, symbol = split_symbol(clean_name(phrase))
    return (morphology.to_nominative(text) if text else text), symbol


def head_lemma_of(name: str) -> str | None:
    lemma = morphology.head_lemma(name)
    return lemma.lower() if lemma else None


def is_unit_lemma(lemma: str | None) -> bool:
    return lemma in UNIT_LEMMAS


def without_office(name: str) -> str:
    """"Wydziału Organizacyjnego Urzędu Miasta X" → "Wydziału Organizacyjnego": the office is not part of it."""
    words = name.split()
    for index, word in enumerate(words[1:], start=1):
        if head_lemma_of(word) == "urząd" and word[:1].isupper():
            return " ".join(words[:index])
    return name


def without_place(name: str) -> str:
    """"Biuro Rady Miejskiej Kalisza" → "Biuro Rady Miejskiej": a town's name in the genitive at the end of a
    unit's name (of three words or more) is the office's town, not part of what tells units apart."""
    words = name.split()
    if len(words) < 3 or not words[-1][:1].isupper():
        return name
    place = morphology.place_name(words[-1], strict=True)
    if place and place != words[-1]:
        return " ".join(words[:-1])
    return name


def is_office_name(name: str) -> bool:
    """"Urząd Miasta Gniezna", "Urzędu Miejskiego w X": the office itself, not a unit of it."""
    words = name.split()
    return len(words) >= 2 and head_lemma_of(words[0]) == "urząd" and words[1].lower() in OFFICE_WORDS


def looks_like_unit_name(text: str) -> bool:
    """A line that is nothing but a unit's name: "Referat Podatków", "Samodzielne stanowisko ds. X"."""
    text = text.strip()
    words = text.split()
    if len(words) < 2 or not words[0][:1].isupper() or len(words) > 14 or ":" in text or "|" in text:
        return False
    if text.endswith((";", ",")) or ends_with_full_stop(text) or is_office_name(text):
        return False
    first = head_lemma_of(words[0])
    if is_unit_lemma(first):
        return _can_be_nominative_singular(words[0])  # "Stanowiska samodzielne ..." heads a list of them
    return first is None and len(words) > 1 and is_unit_lemma(head_lemma_of(words[1])) \
        and not is_office_name(" ".join(words[1:]))  # "BIP Urzędu Miasta X" names the office


def _can_be_nominative_singular(word: str) -> bool:
    found = [r for r in morphology.readings(word) if r.pos == "subst"]
    return not found or any("nom" in r.cases and "sg" in r.numbers for r in found)


ACADEMIC_TITLES = frozenset({"mgr", "mgr.", "inż.", "inż", "dr", "dr.", "hab.", "prof.", "lic.", "p.", "pani", "pan"})


def person_name(words: list[str]) -> str | None:
    """Two or three capitalised words that read as a person's name, in normal capitalisation
    (academic titles before it dropped: "mgr inż. Anna Wiśniewska" → "Anna Wiśniewska")."""
    while words and words[0].lower() in ACADEMIC_TITLES:
        words = words[1:]
    if not 2 <= len(words) <= 3 or not all(NAME_WORD.match(w) for w in words):
        return None
    if not is_first_name(words[0]) or not all(is_surname_like(w) or is_first_name(w) for w in words[1:]):
        return None
    return " ".join(normal_case_word(w) for w in words)


def normal_case_word(word: str) -> str:
    if not word.isupper() or len(word) < 2:
        return word
    return "-".join(part[:1] + part[1:].lower() for part in word.split("-"))


def normal_case(text: str) -> str:
    """"PREZYDENTA MIASTA GNIEZNA" → "Prezydenta Miasta Gniezna" (small words stay lower case)."""
    words = []
    for index, word in enumerate(text.split()):
        if index and word.lower() in SMALL_WORDS:
            words.append(word.lower())
        else:
            words.append(normal_case_word(word) if word.isupper() else word)
    return " ".join(words)


def initials(phrase: str) -> str:
    return "".join(w[0].upper() for w in phrase.split() if w[:1].isupper())


NAME_JOINERS = frozenset({"ds.", "do", "spraw", "i", "z", "w", "we", "na", "dla"})


def name_run(text: str) -> str:
    """The leading words of a proper name: capitalised words and the short joiners between them
    ("Pełnomocnika Prezydenta ds. Dowodów Osobistych prezentując ..." → up to "Osobistych"). A comma
    ends the name unless it separates the parts of an enumeration inside it ("Wydziału Kultury, Sportu
    i Turystyki, zwanego dalej ..." → up to "Turystyki")."""
    words = text.split()
    kept: list[str] = []
    for index, word in enumerate(words):
        next_upper = index + 1 < len(words) and words[index + 1][:1].isupper()
        unit_noun = len(kept) == 1 and is_unit_lemma(head_lemma_of(word))  # "Samodzielne stanowisko ..."
        if word[:1].isupper() or word[:1] == "(" or unit_noun or (kept and next_upper and word.lower() in NAME_JOINERS):
            kept.append(word)
            if word[-1:] in ",;.:" and not word.endswith("ds.") and not (
                    word.endswith(",") and enumeration_follows(words[index + 1:])):
                break
        else:
            break
    return " ".join(kept).strip(",;.:")


def enumeration_follows(words: list[str]) -> bool:
    """The words after a comma go on naming the same thing: capitalised words that are not another unit,
    post or office ("Sportu, Rekreacji"), closed by "i"/"oraz" and a capitalised word ("... i Turystyki")."""
    for index, word in enumerate(words):
        if not word[:1].isupper():
            return (index > 0 and word.lower() in ("i", "oraz") and index + 1 < len(words)
                    and words[index + 1][:1].isupper())
        lemma = head_lemma_of(word.strip(",;.:"))
        if is_unit_lemma(lemma) or lemma in HEAD_TITLE_LEMMAS | OFFICE_POST_LEMMAS or word[-1:] in ";.:":
            return False
    return False
