"""The one text analyser of competence search: documents, queries and concept labels go through it.

Built on `kompetencje.loaders.morphology.analyse_for_search` (morfeusz2 lemmas of every analysis, folded
with ł→l, stop words dropped, "ds." → "sprawa", acronyms kept, diacritics restored for unknown ASCII words).
On top of it this module adds what search needs:

- **Positions**: every word keeps its position, so a ranker can reward query words that stand close together.
- **Abbreviations**: a token that is a known abbreviation ("BIP", "NGO", "ppoż") also yields the terms of
  its expansion, at the following positions, so "BIP" and "Biuletyn Informacji Publicznej" meet. Besides the
  general ones below, an `Analyzer` takes abbreviations learnt from the data: an office's alternative labels
  ("UMK" → "Urząd Miasta Krakowa") and definitions in the text ("Miejska Platforma Internetowa (MPI)").
- **Spacing of dotted abbreviations**: "m. in." is read as "m.in." (otherwise it is "metr"/"miasto" + "in.").
- **English**: an unknown ASCII word also yields a light English stem ("conferences" → "conference"), so
  queries and the English concept labels meet in the plural and the singular.
- **Corpus forms**: an `Analyzer` may know the folded surface forms of the indexed texts ("swiat" → the
  lemma of "świąt"); an ASCII word then also yields the lemmas of the corpus words it is a folding of. This
  catches diacritic-less words that morfeusz reads as another known word ("swiat" = world, not holidays).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from kompetencje.loaders.morphology import (
    STOP_WORDS,
    analyse_for_search,
    fold,
    is_known_word,
    restore_diacritics,
    tokens,
)

__all__ = [
    "ENGLISH_STOP_WORDS",
    "GENERAL_ABBREVIATIONS",
    "Analyzer",
    "Token",
    "acronym_definitions",
    "default_analyzer",
    "english_stem",
    "sanitize",
]

MAX_WORD_LENGTH = 64
"""Longer "words" (base64, URLs without dots) are not analysed: they are kept folded, as one term."""

GENERAL_ABBREVIATIONS: Mapping[str, str] = {
    "bip": "Biuletyn Informacji Publicznej",
    "bhp": "bezpieczeństwo i higiena pracy",
    "ppoż": "ochrona przeciwpożarowa",
    "ngo": "organizacja pozarządowa",
    "pr": "public relations",
    "rodo": "ochrona danych osobowych",
    "epuap": "elektroniczna Platforma Usług Administracji Publicznej",
    "csr": "społeczna odpowiedzialność biznesu",
    "siwz": "specyfikacja istotnych warunków zamówienia",
    "swz": "specyfikacja warunków zamówienia",
    "pzp": "prawo zamówień publicznych",
    "ue": "Unia Europejska",
    "jst": "jednostka samorządu terytorialnego",
    "um": "urząd miasta",
    "ug": "urząd gminy",
    "rm": "rada miasta",
    "sod": "system obiegu dokumentów",
    "ezd": "elektroniczne zarządzanie dokumentacją",
}
"""Abbreviations of Polish public administration (keys folded, without the period), with their expansion."""

ENGLISH_STOP_WORDS = frozenset({
    "a", "about", "an", "and", "are", "at", "by", "do", "does", "for", "from", "how", "in", "into", "is", "of",
    "on", "or", "that", "the", "this", "to", "what", "where", "which", "who", "with",
})
"""English function words: dropped like the Polish stop words (queries and concept labels may be English)."""

_SHORT_NEEDS_CAPITALS = 2  # abbreviations this short count only when written in capitals ("PR", not "pr")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACED_ABBREVIATIONS = (
    (re.compile(r"\bm\.\s+in\.", re.IGNORECASE), "m.in."),
    (re.compile(r"\bt\.\s+j\.", re.IGNORECASE), "t.j."),
)
_ENGLISH_SUFFIXES = (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"))


@dataclass(frozen=True, slots=True)
class Token:
    """One word of an analysed text: its position and its index terms (folded lemmas of every reading)."""

    position: int
    terms: tuple[str, ...]
    expanded: bool = False  # comes from an abbreviation's expansion, not from the text itself
    word: str = ""  # the word of the text it was read from

    @property
    def foreign(self) -> bool:
        """A word morfeusz does not know, read as is (English, a name, a typo)."""
        return bool(self.word) and not self.expanded and not is_known_word(self.word) and not restore_diacritics(
            self.word)


def sanitize(text: str) -> str:
    """Control and invisible format characters and lone surrogates → spaces; Unicode NFC."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    for pattern, replacement in _SPACED_ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return text


def english_stem(word: str) -> str:
    """A light English plural stem of a folded word: "conferences" → "conference", "policies" → "policy"."""
    for suffix, replacement in _ENGLISH_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + replacement
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def _word_terms(word: str) -> tuple[tuple[str, ...], ...]:
    """The terms of one token, as analyse_for_search gives them (an abbreviation may give several words)."""
    folded = fold(word)
    if folded in ENGLISH_STOP_WORDS:
        return ()
    if len(word) > MAX_WORD_LENGTH:
        return () if folded in STOP_WORDS else ((folded,),)
    found = [tuple(terms) for terms in analyse_for_search(word)]
    if word.isascii() and word.isalpha() and not is_known_word(word):
        found = [_with_english_stem(terms, fold(word)) for terms in found]
    return tuple(found)


def _with_english_stem(terms: tuple[str, ...], folded: str) -> tuple[str, ...]:
    stem = english_stem(folded)
    return terms if stem in terms else (*terms, stem)


def _abbreviation_key(word: str) -> str:
    return fold(word.rstrip("."))


@dataclass
class Analyzer:
    """Text → tokens. `abbreviations` (folded key → expansion) and `forms` (folded surface form → terms)
    extend the general behaviour with what the indexed data teaches."""

    abbreviations: Mapping[str, str] = field(default_factory=lambda: dict(GENERAL_ABBREVIATIONS))
    forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def analyze(self, text: str) -> list[Token]:
        """Tokens of a text, in order; stop words and punctuation are dropped, positions count words."""
        result: list[Token] = []
        for word in tokens(sanitize(text)):
            for terms, expanded in self._token_terms(word):
                result.append(Token(len(result), terms, expanded, word))
        return result

    def terms(self, text: str) -> list[tuple[str, ...]]:
        """Per word its terms (positions dropped)."""
        return [token.terms for token in self.analyze(text)]

    def flat_terms(self, text: str) -> list[str]:
        """Every term of every word, in order (what a bag-of-words index stores)."""
        return [term for token in self.analyze(text) for term in token.terms]

    def _token_terms(self, word: str) -> Iterable[tuple[tuple[str, ...], bool]]:
        own = _word_terms(word)
        restored = self._corpus_terms(word)
        for index, terms in enumerate(own):
            yield (_merge(terms, restored) if index == 0 else terms), False
        if not own and restored:
            yield restored, False
        expansion = self._expansion(word)
        if expansion:
            for terms in _expansion_terms(expansion):
                yield terms, True

    def _corpus_terms(self, word: str) -> tuple[str, ...]:
        if not self.forms or not word.isascii():
            return ()
        return self.forms.get(fold(word), ())

    def _expansion(self, word: str) -> str | None:
        key = _abbreviation_key(word)
        expansion = self.abbreviations.get(key)
        if expansion is None:
            return None
        if len(key) <= _SHORT_NEEDS_CAPITALS and not word.rstrip(".").isupper():
            return None
        return expansion


def _merge(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return first if not second else tuple(dict.fromkeys((*first, *second)))


@lru_cache(maxsize=4096)
def _expansion_terms(expansion: str) -> tuple[tuple[str, ...], ...]:
    return tuple(terms for word in tokens(expansion) for terms in _word_terms(word))


_DEFAULT: list[Analyzer] = []


def default_analyzer() -> Analyzer:
    """The analyser with the general abbreviations only (no data-specific knowledge)."""
    if not _DEFAULT:
        _DEFAULT.append(Analyzer())
    return _DEFAULT[0]


# ---------------------------------------------------------------------------------------------- learning

_DEFINITION = re.compile(r"\(\s*([A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż]{2,8})\s*\)")
_WORD_BEFORE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def acronym_definitions(text: str) -> dict[str, str]:
    """Acronyms the text defines: "… Miejską Platformą Internetową (MPI)" → {"mpi": "Miejską Platformą
    Internetową"}. The words before the parenthesis must give the acronym's capitals by their initials (stop
    words may be skipped: "Bezpieczeństwa i Higieny Pracy (BHP)"); lower-case letters of the acronym may be
    initials too ("ePUAP" → "elektronicznej Platformy Usług Administracji Publicznej")."""
    found: dict[str, str] = {}
    for match in _DEFINITION.finditer(text):
        acronym = match.group(1)
        if sum(char.isupper() for char in acronym) < 2:
            continue
        words = _WORD_BEFORE.findall(text[max(0, match.start() - 300): match.start()])
        expansion = _expansion_for(acronym, words)
        if expansion:
            found.setdefault(fold(acronym), expansion)
    return found


def _expansion_for(acronym: str, words: list[str]) -> str | None:
    letters = fold(acronym)
    chosen: list[str] = []
    remaining = letters
    for word in reversed(words):
        if not remaining:
            break
        if fold(word)[0] == remaining[-1]:
            chosen.append(word)
            remaining = remaining[:-1]
        elif fold(word) in STOP_WORDS and chosen:
            chosen.append(word)
        else:
            return None
    if remaining or not chosen or fold(chosen[-1]) in STOP_WORDS:
        return None
    return " ".join(reversed(chosen))
