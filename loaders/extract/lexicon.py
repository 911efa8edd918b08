"""The words the extractor reasons with: kinds of organisational units and posts, by lemma.

These are the common nouns of Polish municipal administration (what a unit or a post IS), never the names
of any particular city's units. Grammatical facts the morphology module does not expose (is a word a
first name, is a noun plural) are read from morfeusz2 here.
"""

from __future__ import annotations

from kompetencje.loaders import morphology

DEPARTMENT_LEMMAS = frozenset({
    "wydział", "biuro", "kancelaria", "departament", "gabinet", "straż", "centrum", "zarząd", "urząd",
    "delegatura", "audyt",
})
SUBUNIT_LEMMAS = frozenset({
    "referat", "zespół", "oddział", "dział", "sekcja", "biuro", "pracownia", "kancelaria", "sekretariat",
    "punkt", "archiwum", "pion", "stanowisko", "samodzielny", "centrum", "kasa", "komórka",
    "ośrodek", "filia", "wieloosobowy", "jednoosobowy",
})
POST_UNIT_LEMMAS = frozenset({
    "stanowisko", "rzecznik", "pełnomocnik", "radca", "audytor", "inspektor", "koordynator", "doradca",
    "asystent", "specjalista", "informatyk", "administrator",
})
HEAD_TITLE_LEMMAS = frozenset({
    "naczelnik", "kierownik", "dyrektor", "zastępca", "komendant", "prezes", "kierowniczka", "dyrektorka",
    "naczelniczka", "p.o.",
})
DEPARTMENT_HEAD_LEMMAS = frozenset({"naczelnik", "dyrektor", "komendant", "naczelniczka", "dyrektorka"})
OFFICE_POST_LEMMAS = frozenset({
    "prezydent", "burmistrz", "wójt", "sekretarz", "skarbnik", "starosta", "marszałek",
})
OFFICE_HEAD_LEMMAS = frozenset({"prezydent", "burmistrz", "wójt", "starosta", "marszałek"})
EXTERNAL_DEPARTMENT_LEMMAS = frozenset({"wydział", "kancelaria", "biuro", "departament", "gabinet"})
OFFICE_WORDS = frozenset({"miasta", "miejski", "miejskiego", "gminy", "gminny", "gminnego", "dzielnicy"})
SMALL_WORDS = frozenset({
    "w", "we", "z", "ze", "i", "oraz", "do", "na", "dla", "o", "od", "po", "pod", "przy", "ds.", "a", "u",
    "nad", "spraw",
})


def _readings(word: str) -> tuple[morphology.Reading, ...]:
    probe = word if not word.isupper() or len(word) < 2 else word[:1] + word[1:].lower()
    return morphology.readings(probe)


def is_first_name(word: str) -> bool:
    """A nominative first name ("Agnieszka", "ANNA"), as morfeusz2's name qualifiers say."""
    if not word[:1].isupper():
        return False
    return any("imię" in r.qualifiers and "nom" in r.cases for r in _readings(word))


def is_surname_like(word: str) -> bool:
    """A capitalised word that can be a surname: a known one, or a word morfeusz2 does not know."""
    if not word[:1].isupper() or not word.replace("-", "").isalpha():
        return False
    found = _readings(word)
    return not found or any(r.pos == "ign" or "nazwisko" in r.qualifiers for r in found)


def is_plural_noun(word: str) -> bool:
    """The word reads only as a plural noun ("Radami", "mediami"), never as a singular one."""
    nouns = [r for r in _readings(word) if r.pos == "subst"]
    return bool(nouns) and all("sg" not in r.numbers for r in nouns)
