"""Polish morphology for kompetencje: the one place that talks to morfeusz2.

Used by the document parser (inflected unit names -> nominative names, matching inflected mentions against
known names) and by the search analyser (index and query terms). Everything is done by morphology: there is no
list of any city's unit names here.

What morfeusz2 (1.99, SGJP dictionary) does, and how this module copes:

- `analyse(word)` returns *all* interpretations as `(start, end, (orth, lemma, tag, qualifiers, marks))`,
  in no useful order: the first analysis of "Dyrektorowi" is the rare adjective "dyrektorowy" (marked
  'rzad.'), the right one is the noun "dyrektor". We always consider every interpretation and prefer the
  unmarked ones (marks like 'rzad.', 'daw.', 'pot.', 'indyw.'; 'hom.' only flags a homonym and is ignored).
- Lemmas carry a homonym suffix: "dyrektor:Sm1", "prasowy:A", "Straż:Sf~y". `lemma` strips it; generation
  needs the full one ("prasowy" generates the adjective *and* the noun "prasowy:S").
- Tags are "pos:number:case:gender:..." and any of those fields may list alternatives with dots
  ("adj:sg:gen:m1.m2.m3.n:pos", "subst:sg.pl:nom.gen...:m3").
- The 4th field names the kind of noun: 'nazwa_pospolita' (common noun), 'nazwa_geograficzna',
  'człon_nazwy_geograficznej' (part of a place name: "Białej" in Bielsko-Biała, "Sączu"), 'imię',
  'nazwisko', 'nazwa_instytucji' ("UMK"). There is no separate proper-noun tag: proper nouns are 'subst'.
- Case handling is "conditionally case sensitive": "krakowa" still gives Kraków (no common reading exists),
  but "łodzi" gives only the boat "łódź" - the city Łódź needs the capital letter.
- Punctuation splits segments: "MIASTO.PL" is three segments, "OR-02" is "OR" 'ign' + "-" + "02" 'dig',
  "Informacyjno-Promocyjnych" is 'adja' + "-" + 'adj'. So words are analysed one by one and hyphenated
  compounds part by part (only the last part inflects).
- Abbreviations need their period: "ds." is 'brev:pun' lemma "do_spraw", but "ds" alone is a noun "DS";
  "m.in." is one 'brev' segment "między_innymi" (without the final period it is "metr" + "in").
  Some abbreviations are several: "r." is rok/rocznik/rodzaj/R.
- Words that lost their diacritics ("spoleczne") are unknown ('ign'); morfeusz has no fuzzy lookup.
  `folded_lemmas` therefore tries a bounded diacritic restoration (see `restore_diacritics`), and the search
  side matches folded lemmas of the indexed words against folded lemmas of the query words.
- Some gerunds are listed twice: "Zarządzania" is the noun "zarządzanie" and the gerund of "zarządzać".

The Morfeusz instance is created lazily, once, and every call goes through a lock (it is not thread-safe);
word-level results are cached with `functools.lru_cache`.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import combinations, islice, product
from typing import Any, NamedTuple

import morfeusz2

__all__ = [
    "STOP_WORDS",
    "Reading",
    "analyse_for_search",
    "fold",
    "folded_lemmas",
    "head_lemma",
    "is_abbreviation",
    "is_known_word",
    "lemmas",
    "match_score",
    "name_key",
    "names_match",
    "nominative_candidates",
    "place_name",
    "readings",
    "restore_diacritics",
    "slugify",
    "split_glued_words",
    "to_nominative",
    "tokens",
]

# ---------------------------------------------------------------------------------------------- morfeusz

_LOCK = threading.Lock()
_MORFEUSZ: list[Any] = []  # the one instance, created on first use


def _morfeusz() -> Any:
    """The shared instance; call only while holding _LOCK."""
    if not _MORFEUSZ:
        _MORFEUSZ.append(morfeusz2.Morfeusz(expand_tags=False))
    return _MORFEUSZ[0]


def _analyse_raw(text: str) -> list[tuple[int, int, tuple[Any, ...]]]:
    with _LOCK:
        return _morfeusz().analyse(text)


@lru_cache(maxsize=8192)
def _generate(lemma_full: str) -> tuple[Reading, ...]:
    """All forms of a lemma (as returned by analyse: "dyrektor:Sm1"), as Readings whose orth is the form."""
    with _LOCK:
        try:
            forms = _morfeusz().generate(lemma_full)
        except RuntimeError:
            return ()
    return tuple(_reading(form) for form in forms)


# ---------------------------------------------------------------------------------------------- readings

_IGNORED_MARKS = frozenset({"hom."})
_ADJECTIVAL = frozenset({"adj", "pact", "ppas"})
_NOUN = frozenset({"subst"})
_GEO = frozenset({"nazwa_geograficzna", "człon_nazwy_geograficznej"})


class Reading(NamedTuple):
    """One morfeusz2 interpretation of a word, with the tag split into its grammatical categories."""

    orth: str
    lemma_full: str  # "dyrektor:Sm1" (what the generator needs)
    lemma: str  # "dyrektor"; multi-word abbreviation expansions use spaces: "do spraw"
    tag: str
    pos: str  # "subst", "adj", "brev", "ign", ...
    numbers: frozenset[str]
    cases: frozenset[str]
    genders: frozenset[str]
    rest: tuple[str, ...]  # the tag fields after gender: ("pos",) for adj, ("ncol",) for subst
    qualifiers: tuple[str, ...]  # 'nazwa_pospolita', 'nazwa_geograficzna', 'nazwisko', ...
    marks: tuple[str, ...]  # 'rzad.', 'daw.', ...

    @property
    def marked(self) -> bool:
        """A rare, old or colloquial form (to be used only when nothing else fits)."""
        return bool(set(self.marks) - _IGNORED_MARKS)

    @property
    def common(self) -> bool:
        """A common noun (or a word without a proper-name qualifier)."""
        return not self.qualifiers or "nazwa_pospolita" in self.qualifiers

    @property
    def geographic(self) -> bool:
        return bool(_GEO & set(self.qualifiers))


def _strip_lemma(lemma_full: str) -> str:
    lemma = lemma_full.split(":", 1)[0] if not lemma_full.startswith(":") else lemma_full
    return lemma.replace("_", " ")


def _reading(interp: tuple[Any, ...]) -> Reading:
    orth, lemma_full, tag, qualifiers, marks = interp
    fields = tag.split(":")
    inflects = fields[0] in _NOUN | _ADJECTIVAL | {"depr", "ger"} and len(fields) >= 4

    def alternatives(index: int) -> frozenset[str]:
        return frozenset(fields[index].split(".")) if inflects else frozenset()

    return Reading(orth, lemma_full, _strip_lemma(lemma_full), tag, fields[0], alternatives(1),
                   alternatives(2), alternatives(3), tuple(fields[4:]) if inflects else (), tuple(qualifiers),
                   tuple(marks))


def _segments(word: str) -> dict[tuple[int, int], list[Reading]]:
    found: dict[tuple[int, int], list[Reading]] = {}
    for start, end, interp in _analyse_raw(word):
        found.setdefault((start, end), []).append(_reading(interp))
    return found


@lru_cache(maxsize=65536)
def readings(word: str) -> tuple[Reading, ...]:
    """All interpretations of one word (empty when morfeusz splits it into several words, e.g. "KRAKÓW.PL").

    A trailing period is part of the word only for abbreviations ("ds.", "m.in."): then the abbreviation
    readings are returned. Words with a glued-on clitic ("dlań", "byłem") give the readings of the main part.
    A word that is both a whole word and a host with a clitic gives both, the whole word's first: "Działem"
    is the noun "dział" in the instrumental (one segment) and "dział" + "-em", a past tense of "dziać"
    (two segments); morfeusz lists the two-segment path first, which made a unit's name read as a verb.
    """
    if not word:
        return ()
    segments = _segments(word)
    keys = sorted(segments)
    if keys == [(0, 1)]:
        return tuple(segments[(0, 1)])
    if word.endswith(".") and keys == [(0, 1), (1, 2)]:
        return tuple(r for r in segments[(0, 1)] if r.pos == "brev")
    if word.isalpha() and (0, 1) in segments:
        final = max(end for _, end in keys)
        whole = segments.get((0, final), []) if final > 1 else []
        return tuple(whole) + tuple(segments[(0, 1)])
    return ()


@lru_cache(maxsize=16384)
def _is_period_abbreviation(word: str) -> bool:
    """"ds" -> True: "ds." is an abbreviation that takes a period."""
    return any(r.pos == "brev" and r.tag.endswith(":pun") for r in readings(word + "."))


@lru_cache(maxsize=16384)
def is_abbreviation(word: str) -> bool:
    """"ds.", "m.in.", "tj.", "np.", "ul.", "pkt.", "ust.": a word morfeusz reads as an abbreviation ('brev'),
    with its period or without it ("pkt" and "nr" are abbreviations written without one, often with one)."""
    bare = word.rstrip(".")
    if not bare or not bare.replace(".", "").isalpha():
        return False
    return any(r.pos == "brev" for r in (*readings(bare + "."), *readings(bare)))


@lru_cache(maxsize=65536)
def _parts(word: str) -> tuple[tuple[str, tuple[Reading, ...]], ...]:
    """The parts of a hyphenated compound with their readings, read from the analysis of the whole word
    (morfeusz knows "Informacyjno" only before a hyphen, as 'adja'); any other word -> one part."""
    whole = readings(word)
    parts = [part for part in word.split("-") if part]
    if "-" not in word or whole or not parts:
        return ((word, whole),)
    segments = _segments(word)
    chain = [segments[key] for key in sorted(segments) if any(r.pos != "interp" for r in segments[key])]
    if len(chain) == len(parts) and all(rs[0].orth == part for rs, part in zip(chain, parts, strict=True)):
        return tuple((part, tuple(rs)) for part, rs in zip(parts, chain, strict=True))
    return tuple((part, readings(part)) for part in parts)


def _compound_parts(word: str) -> list[str]:
    """"Informacyjno-Promocyjnych" -> its parts; a word morfeusz knows as a whole ("e-mail") -> [word]."""
    return [part for part, _ in _parts(word)]


def _split_last(word: str) -> tuple[str, str]:
    """"Informacyjno-Promocyjnych" -> ("Informacyjno-", "Promocyjnych"): only the last part inflects."""
    last = _parts(word)[-1][0]
    cut = len(word) - len(last)
    return word[:cut], word[cut:]


def _inflecting_readings(word: str) -> tuple[Reading, ...]:
    return _parts(word)[-1][1]


# ---------------------------------------------------------------------------------------------- text basics

def fold(text: str) -> str:
    """Case-fold and drop diacritics (ł -> l too): "Łódź Społeczna" -> "lodz spoleczna"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ł", "l"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def slugify(text: str) -> str:
    """IRI slug: folded, runs of non-[a-z0-9] -> "-", no "-" at the ends: "Wydział KS" -> "wydzial-ks"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


_WORD = re.compile(r"[^\W_]+(?:(?:[-.'’][^\W_]+)|(?:/\d+))*")


def _token_spans(text: str) -> Iterator[tuple[str, int, int]]:
    for match in _WORD.finditer(text):
        word, end = match.group(), match.end()
        if text[end:end + 1] == "." and _is_period_abbreviation(word):
            word, end = word + ".", end + 1
        yield word, match.start(), end


def tokens(text: str) -> list[str]:
    """Words of a text: hyphenated compounds ("Informacyjno-Promocyjnych"), symbols ("OR-02", "123/2020"),
    dotted names ("KRAKÓW.PL") stay one token; abbreviations keep their period ("ds.", "m.in.", "ul.")."""
    return [word for word, _, _ in _token_spans(text)]


# ---------------------------------------------------------------------------------------------- lemmas

@lru_cache(maxsize=65536)
def lemmas(word: str) -> frozenset[str]:
    """All lemmas of a word, lower-cased ("Dyrektorowi" -> {"dyrektor", "dyrektorowy"}); unknown -> the word.

    Hyphenated compounds give the combinations of their parts' lemmas ("Informacyjno-Promocyjnych" ->
    "informacyjny-promocyjny"); abbreviations give their expansion ("ds." -> "do spraw").
    """
    options = [sorted(_lemma_set(part, found)) for part, found in _parts(word)]
    return frozenset("-".join(combo) for combo in islice(product(*options), 32))


def _lemma_set(word: str, found: tuple[Reading, ...]) -> frozenset[str]:
    known = [r.lemma.lower() for r in found if r.pos != "ign"]
    return frozenset(known) if known else frozenset({word.lower()})


@lru_cache(maxsize=65536)
def is_known_word(word: str) -> bool:
    """Morfeusz knows the word (some reading other than 'ign'); compounds: every part is known."""
    return all(any(r.pos != "ign" for r in found) for _, found in _parts(word))


_DIACRITICS = {"a": "ą", "c": "ć", "e": "ę", "l": "ł", "n": "ń", "o": "ó", "s": "ś", "z": "źż"}


def _variants(word: str, changes: int) -> Iterator[str]:
    """The word with exactly `changes` letters given a diacritic."""
    positions = [i for i, char in enumerate(word) if char in _DIACRITICS]
    for chosen in combinations(positions, changes):
        for letters in product(*(_DIACRITICS[word[i]] for i in chosen)):
            chars = list(word)
            for i, letter in zip(chosen, letters, strict=True):
                chars[i] = letter
            yield "".join(chars)


@lru_cache(maxsize=4096)
def restore_diacritics(word: str, max_changes: int = 3) -> frozenset[str]:
    """Known words that differ from an unknown ASCII word only by diacritics ("spoleczne" -> {"społeczne"}).

    Tries 1, then 2, ... up to `max_changes` letters and stops at the first number of changes that gives a
    known word. Empty for known words, words with non-ASCII letters and words shorter than 3 letters.
    """
    lowered = word.lower()
    if len(lowered) < 3 or not (lowered.isascii() and lowered.isalpha()) or is_known_word(lowered):
        return frozenset()
    for changes in range(1, max_changes + 1):
        found = frozenset(v for v in _variants(lowered, changes) if is_known_word(v))
        if found:
            return found
    return frozenset()


@lru_cache(maxsize=65536)
def folded_lemmas(word: str) -> frozenset[str]:
    """`lemmas` folded (diacritic-insensitive). An unknown ASCII word also gets the folded lemmas of its
    diacritic restorations: "spoleczne" -> {"spoleczne", "spoleczny"}."""
    found = {fold(lemma) for lemma in lemmas(word)}
    if not is_known_word(word):
        for restored in restore_diacritics(word):
            found |= {fold(lemma) for lemma in lemmas(restored)}
    return frozenset(found)


# ---------------------------------------------------------------------------------------------- nominative

_MAX_PREMODIFIERS = 3
_COORDINATORS = frozenset({"i", "oraz", "lub", "albo"})


class _Parse(NamedTuple):
    score: tuple[int, ...]
    head: int  # index of the head noun among the words
    noun: Reading
    number: str
    gender: str
    modifiers: tuple[tuple[int, Reading], ...]  # agreeing adjectives, before and after the head


def _agreeing(word: str, number: str, case: str, gender: str) -> Reading | None:
    """An adjectival reading of word in this number, case and gender (unmarked ones first)."""
    fits = [r for r in _inflecting_readings(word) if r.pos in _ADJECTIVAL and number in r.numbers
            and case in r.cases and gender in r.genders]
    return min(fits, key=lambda r: r.marked) if fits else None


def _has_noun_reading(word: str, number: str, case: str) -> bool:
    return any(r.pos in _NOUN and number in r.numbers and case in r.cases for r in _inflecting_readings(word))


def _postmodifiers(words: list[str], head: int, agreement: tuple[str, str, str]) -> list[tuple[int, Reading]]:
    """Agreeing adjectives right after the head ("Biura *Prasowego*"), through "i"/"oraz" between them.

    When a later one of them can be a noun in the same case ("Zastępcy *Głównego Księgowego*"), they form a
    complement noun phrase, not modifiers: nothing is returned.
    """
    found: list[tuple[int, Reading]] = []
    index = head + 1
    while index < len(words):
        reading = _agreeing(words[index], *agreement)
        step = 1
        if reading is None and found and words[index].lower() in _COORDINATORS and index + 1 < len(words):
            reading, step = _agreeing(words[index + 1], *agreement), 2
        if reading is None:
            break
        found.append((index + step - 1, reading))
        index += step
    if any(_has_noun_reading(words[i], agreement[0], agreement[1]) for i, _ in found[1:]):
        return []
    return found


def _support(nouns: list[Reading], lemma_full: str, vocative: bool = False) -> int:
    """How many (number, case) pairs of the word a lemma explains, vocative aside: "Radzie" is "rada" (dat,
    loc) rather than the radium "rad" (loc). For place names the vocative counts: the loc = voc syncretism
    of town names in -ów makes "Piotrkowie" Piotrków (loc, voc) rather than the village Piotrkowo (loc)."""
    return len({(n, c) for r in nouns if r.lemma_full == lemma_full
                for n, c in product(r.numbers, r.cases) if vocative or c != "voc"})


def _score(noun: Reading, modifiers: list[tuple[int, Reading]], position: tuple[str, int, int, int],
           prefer_proper: bool) -> tuple[int, ...]:
    """Unmarked forms, then most words covered, then a common (or, for places, geographic) noun, then the
    lemma explaining most of the word, then singular, then an earlier head, then morfeusz's order."""
    number, head, support, order = position
    marks = noun.marked + sum(r.marked for _, r in modifiers)
    kind = noun.geographic if prefer_proper else noun.common
    return (-marks, len(modifiers) + 1, int(kind), support, int(number == "sg"), -head, -order)


def _head_parses(words: list[str], head: int, prefer_proper: bool) -> Iterator[_Parse]:
    nouns = [r for r in _inflecting_readings(words[head]) if r.pos in _NOUN]
    for order, noun in enumerate(nouns):
        support = _support(nouns, noun.lemma_full, vocative=prefer_proper)
        for number, case, gender in product(sorted(noun.numbers), sorted(noun.cases), sorted(noun.genders)):
            agreement = (number, case, gender)
            before = [_agreeing(word, *agreement) for word in words[:head]]
            if case == "voc" or any(reading is None for reading in before):
                continue
            modifiers = [(i, r) for i, r in enumerate(before) if r is not None]
            modifiers += _postmodifiers(words, head, agreement)
            score = _score(noun, modifiers, (number, head, support, order), prefer_proper)
            yield _Parse(score, head, noun, number, gender, tuple(modifiers))


def _parses(words: list[str], prefer_proper: bool = False) -> list[_Parse]:
    """Readings of a name phrase as [adjectives] head noun [adjectives] ..., best first."""
    found: list[_Parse] = []
    for head in range(min(len(words), _MAX_PREMODIFIERS + 1)):
        found.extend(_head_parses(words, head, prefer_proper))
        if not any(r.pos in _ADJECTIVAL for r in _inflecting_readings(words[head])):
            break  # a later head needs every word before it to be an adjective
    return sorted(found, key=lambda parse: parse.score, reverse=True)


def _already_nominative(word: str, reading: Reading, number: str, gender: str) -> bool:
    return any(r.lemma_full == reading.lemma_full and r.pos == reading.pos and number in r.numbers
               and "nom" in r.cases and gender in r.genders for r in _inflecting_readings(word))


@lru_cache(maxsize=16384)
def _nominative_form(reading: Reading, number: str, gender: str) -> str | None:
    forms = [f for f in _generate(reading.lemma_full) if f.pos == reading.pos and number in f.numbers
             and "nom" in f.cases and gender in f.genders
             and (reading.pos in _NOUN or f.rest == reading.rest)]
    return min(forms, key=lambda f: f.marked).orth if forms else None


def _apply_style(model: str, form: str) -> str:
    """Write form the way model is written: "KRAKOWA" -> upper, "Biurem" -> capitalised, else as generated."""
    if len(model) > 1 and model.isupper():
        return form.upper()
    if model[:1].isupper():
        return form[:1].upper() + form[1:]
    return form


def _to_nominative_word(word: str, reading: Reading, number: str, gender: str) -> str:
    prefix, last = _split_last(word)
    if _already_nominative(last, reading, number, gender):
        return word
    form = _nominative_form(reading, number, gender)
    return word if form is None else prefix + _apply_style(last, form)


def _render(phrase: str, spans: list[tuple[str, int, int]], parse: _Parse, keep_after: int | None) -> str:
    """The phrase with the parse's head and modifiers (up to word index keep_after) in the nominative."""
    changes = [(parse.head, parse.noun)] + [(i, r) for i, r in parse.modifiers
                                            if keep_after is None or i <= keep_after]
    text = phrase
    for index, reading in sorted(changes, reverse=True):
        word, start, end = spans[index]
        text = text[:start] + _to_nominative_word(word, reading, parse.number, parse.gender) + text[end:]
    return text


def _candidates(phrase: str, prefer_proper: bool = False) -> list[str]:
    spans = list(_token_spans(phrase))
    words = [word for word, _, _ in spans]
    parses = _parses(words, prefer_proper)
    if not parses:
        return []
    best = parses[0]
    renderings = [_render(phrase, spans, best, None)]
    after = [i for i, _ in best.modifiers if i > best.head]
    if after and after[-1] + 1 < len(words) and _inflecting_readings(words[after[-1] + 1]):
        renderings.append(_render(phrase, spans, best, best.head))  # "Biuro Miejskiego Konserwatora"
    renderings += [_render(phrase, spans, parse, None) for parse in parses[1:]]
    return list(dict.fromkeys(renderings))


def nominative_candidates(phrase: str) -> list[str]:
    """Possible nominative forms of a name phrase, most likely first (see `to_nominative`).

    Morphology cannot tell "Rzecznika Prasowego Prezydenta" (-> "Rzecznik Prasowy Prezydenta") from
    "Biura Miejskiego Konserwatora" (-> "Biuro Miejskiego Konserwatora"): the first candidate always takes
    an agreeing adjective after the head as its modifier; the candidates after it do not. A caller that knows
    the names of a document can pick the candidate that `names_match` one of them.
    """
    return _candidates(phrase) or [phrase]


def to_nominative(phrase: str) -> str:
    """A name phrase in any case -> nominative, the way a person writes the name.

    The head noun and the adjectives agreeing with it (before or after it) go to the nominative (same
    number and gender; singular when the case is ambiguous), keeping their capitalisation; everything from the
    first word that does not agree stays verbatim: "Referatem Mediów Miejskich" -> "Referat Mediów Miejskich",
    "Samodzielnego stanowiska Redakcja ..." -> "Samodzielne stanowisko Redakcja ...". A phrase that does
    not start with a noun (or adjectives and a noun) is returned unchanged.
    """
    return nominative_candidates(phrase)[0]


def head_lemma(phrase: str) -> str | None:
    """Lemma of the head noun of a name phrase: "Samodzielnego stanowiska Redakcja ..." -> "stanowisko",
    "Naczelnikowi Wydziału" -> "naczelnik"; None when the phrase has no noun."""
    words = tokens(phrase)
    parses = _parses(words)
    if parses:
        return parses[0].noun.lemma.lower()
    for word in words:
        nouns = [r for r in _inflecting_readings(word) if r.pos in _NOUN]
        if nouns:
            return min(nouns, key=lambda r: (r.marked, not r.common)).lemma.lower()
    return None


# ---------------------------------------------------------------------------------------------- places

def _geographic_readings(word: str, strict: bool) -> list[Reading]:
    found = [r for r in _inflecting_readings(word) if r.pos in _NOUN and r.geographic]
    if strict and any(r.common for r in _inflecting_readings(word)):
        return []
    return found


def _best_place_lemma(word: str, found: list[Reading]) -> str:
    """Of several place lemmas prefer one that is also a common noun ("Łodzi": Łódź like łódź, not Łodzia),
    then the one explaining most (number, case) pairs, then a masculine one (the many town names in -ów:
    "Tarnowie" is Tarnów rather than the villages Tarnowa, Tarnowo), then morfeusz's order."""
    common = {r.lemma.lower() for r in _inflecting_readings(word) if r.pos in _NOUN and r.common}
    names = list(dict.fromkeys(r.lemma_full for r in found))

    def rank(name: str) -> tuple[int, int, int, int]:
        masculine = any(r.lemma_full == name and "m3" in r.genders for r in found)
        return (_strip_lemma(name).lower() in common, _support(found, name, vocative=True), masculine,
                -names.index(name))

    return _strip_lemma(max(names, key=rank))


def _place_lemma_cases(word_readings: tuple[Reading, ...]) -> dict[str, frozenset[str]]:
    """Place-name lemmas of a word with all the cases each explains: "Bielsku" -> Bielsk {loc},
    Bielsko {dat, loc} (vocative aside)."""
    found: dict[str, frozenset[str]] = {}
    for r in word_readings:
        if r.pos in _NOUN and r.geographic:
            found[r.lemma] = found.get(r.lemma, frozenset()) | (r.cases - {"voc"})
    return found


def _place_compound(word: str) -> str | None:
    """"Bielsku-Białej" -> "Bielsko-Biała": every part a place name (or part of one), in the case shared by
    most readings."""
    parts = _parts(word)
    options = [list(_place_lemma_cases(found).items()) for _, found in parts]
    if len(parts) < 2 or not all(options):
        return None
    combos = list(islice(product(*options), 256))
    best = max(combos, key=lambda combo: len(frozenset.intersection(*(cases for _, cases in combo))))
    if not frozenset.intersection(*(cases for _, cases in best)):
        return None
    return "-".join(lemma for lemma, _ in best)


def _place_phrase(phrase: str, strict: bool) -> str | None:
    """"w Gorzowie Wielkopolskim" -> "Gorzów Wielkopolski": a phrase headed by a place name (after an
    optional preposition), the head and its adjectives in the nominative."""
    spans = list(_token_spans(phrase))
    start = 0  # skip a leading preposition or conjunction: "w", "z", "i"
    while start < len(spans) and not any(r.numbers for r in _inflecting_readings(spans[start][0])):
        start += 1
    parses = _parses([word for word, _, _ in spans[start:]], prefer_proper=True)
    if not parses or not parses[0].noun.geographic:
        return None
    best = parses[0]
    if strict and any(r.common for r in _inflecting_readings(spans[start + best.head][0])):
        return None
    covered = [start + i for i in (best.head, *(i for i, _ in best.modifiers))]
    return _candidates(phrase[spans[min(covered)][1]:spans[max(covered)][2]], prefer_proper=True)[0]


def place_name(word_or_phrase: str, *, strict: bool = False) -> str | None:
    """The nominative of a geographic proper name, None when it is not one.

    A word with a 'nazwa_geograficzna' reading gives that lemma ("Krakowa" -> "Kraków", "Świętochłowicach" ->
    "Świętochłowice"); "Bielsku-Białej" -> "Bielsko-Biała"; a phrase whose head noun can be a place name gives
    that noun and its adjectives in the nominative ("Zielonej Górze" -> "Zielona Góra", "Gorzowie
    Wielkopolskim" -> "Gorzów Wielkopolski"; "Urzędzie Miasta Łodzi" -> None: ask about "Łodzi").
    Many common nouns are also village names ("Oddziałem" -> "Oddział"); morfeusz only offers those readings
    for capitalised words. With strict=True a word that is also a common noun gives None (so "Łodzi" too).
    """
    words = tokens(word_or_phrase)
    if len(words) != 1:
        return _place_phrase(word_or_phrase, strict) if words else None
    if len(_compound_parts(words[0])) > 1:
        return _place_compound(words[0])
    found = _geographic_readings(words[0], strict)
    return _best_place_lemma(words[0], found) if found else None


# ---------------------------------------------------------------------------------------------- matching

def _token_key(word: str) -> frozenset[str]:
    key = folded_lemmas(word) | {fold(word.rstrip("."))}
    return frozenset(key)


def name_key(phrase: str) -> tuple[frozenset[str], ...]:
    """Per word of a name the set of its folded lemmas (and folded form); punctuation dropped, abbreviations
    kept as words: "Referatu ds. Kadr" -> ({"referat", "referatu"}, {"do spraw", "ds"}, {"kadry", ...})."""
    return tuple(_token_key(word) for word in tokens(phrase))


def names_match(mention: str, name: str, *, allow_prefix: bool = False) -> bool:
    """The same name in any inflection: as many words, each pair sharing a lemma. With allow_prefix the
    shorter may be the beginning of the longer ("rzecznikiem prasowym prezydenta miasta" ~ "Rzecznik
    Prasowy Prezydenta Miasta Krakowa")."""
    left, right = name_key(mention), name_key(name)
    if not left or not right or (len(left) != len(right) and not allow_prefix):
        return False
    return all(a & b for a, b in zip(left, right, strict=False))


def _common_words(left: tuple[frozenset[str], ...], right: tuple[frozenset[str], ...]) -> int:
    """Length of the longest common subsequence, words being equal when they share a lemma."""
    previous = [0] * (len(right) + 1)
    for a in left:
        current = [0]
        for j, b in enumerate(right):
            current.append(previous[j] + 1 if a & b else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def match_score(mention: str, name: str) -> float:
    """0..1 similarity of two names for ranking candidates: 1.0 for the same name in any inflection, less
    for a prefix or partial overlap (2 * shared words in order / all words)."""
    left, right = name_key(mention), name_key(name)
    if not left or not right:
        return 0.0
    return 2 * _common_words(left, right) / (len(left) + len(right))


# ---------------------------------------------------------------------------------------------- glued words

_URLISH = re.compile(r"@|://|^www\.|\.(?:pl|eu|com|org|net|gov|edu|info|html?|php)(?:$|[/:?#])",
                     re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]+")
_GLUED_PERIOD = re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_])")


def _name_like(piece: str) -> bool:
    return len(piece) >= 3 and piece[0].isupper() and piece[1:].islower()


def _split_case_run(run: str) -> str:
    """"PromocjiDane" -> "Promocji\\nDane" when the pieces are words (or a word and a name)."""
    cuts = [i for i in range(1, len(run)) if run[i - 1].islower() and run[i].isupper()]
    if not cuts or is_known_word(run):
        return run
    pieces = [run[a:b] for a, b in zip([0, *cuts], [*cuts, len(run)], strict=True)]
    if any(len(piece) < 3 for piece in pieces):
        return run
    known = [is_known_word(piece) for piece in pieces]
    if not any(known) or not all(k or _name_like(p) for k, p in zip(known, pieces, strict=True)):
        return run
    return "\n".join(pieces)


def _split_period(chunk: str) -> str:
    """"Wydziału.Naczelnik" -> "Wydziału.\\nNaczelnik" (not after an abbreviation: "ul.Długa")."""
    parts: list[str] = []
    start = 0
    for match in _GLUED_PERIOD.finditer(chunk):
        left, right = chunk[start:match.start()], chunk[match.end():]
        if (left[-1:].islower() and _name_like(_LETTERS.match(right).group())  # type: ignore[union-attr]
                and len(left) >= 2 and not _is_period_abbreviation(chunk[:match.start()])):
            parts.append(chunk[start:match.end()])
            start = match.end()
    parts.append(chunk[start:])
    return "\n".join(parts)


def _split_chunk(match: re.Match[str]) -> str:
    chunk = match.group()
    if _URLISH.search(chunk):
        return chunk
    chunk = _split_period(chunk)
    return _LETTERS.sub(lambda run: _split_case_run(run.group()), chunk)


def split_glued_words(line: str) -> str:
    """Insert "\\n" where HTML extraction glued two blocks together:
    "KowalskaReferat" -> "Kowalska\\nReferat", "Wydziału.Naczelnik" -> "Wydziału.\\nNaczelnik".
    Leaves "KRAKÓW.PL", "www.krakow.pl", "m.in.", "McDonald", "eUsługi", "ePUAP", "iPhone", "e-mail" alone.

    A letter run is split at its lower->Upper boundaries when morfeusz does not know the whole run, every
    piece has 3+ letters and each piece is a known word or a capitalised name, at least one known. Known
    limitation: English CamelCase names whose parts morfeusz knows as loanwords are split too
    ("PowerPoint", "SharePoint"); "YouTube", "TikTok" are known as wholes and stay.
    """
    return re.sub(r"\S+", _split_chunk, line)


# ---------------------------------------------------------------------------------------------- search

STOP_WORDS = frozenset(fold(word) for word in (
    "a", "aby", "albo", "ale", "ani", "aż", "bez", "bo", "by", "być", "był", "była", "było", "byli", "co",
    "czy", "czyli", "dla", "do", "gdy", "gdzie", "go", "i", "ich", "im", "inny", "innymi", "ja", "jak",
    "jaki", "jako", "je", "jeden", "jego", "jej", "jest", "jeśli", "jeżeli", "już", "każdy", "ku", "który",
    "która", "które", "których", "którym", "lub", "ma", "mają", "na", "nad", "natomiast", "nie", "niż",
    "o", "od", "on", "ona", "one", "oni", "ono", "oraz", "po", "pod", "poprzez", "poza", "przed", "przez",
    "przy", "również", "się", "sobie", "swój", "są", "ta", "tak", "także", "tam", "te", "tego", "tej",
    "ten", "to", "tu", "tych", "tym", "u", "w", "we", "wraz", "wszystko", "z", "za", "zaś", "ze", "że",
    "itd", "itp", "np", "tj",
))
"""Polish function words (folded); dropped from search terms, as words and as lemmas."""

_INDEXED = frozenset({
    "subst", "depr", "ger", "adj", "adja", "adjp", "adjc", "pact", "ppas", "pcon", "pant", "fin", "praet",
    "inf", "impt", "imps", "bedzie", "winien", "pred", "dig", "romandig", "xxx", "brev",
})


def _is_acronym(word: str) -> bool:
    return 2 <= len(word) <= 6 and word.isupper() and word.isalnum()


def _expansion(word: str) -> list[str]:
    """An abbreviation with one multi-word expansion becomes its words: "ds." -> ["do", "spraw"]."""
    if not word.endswith("."):
        return [word]
    meanings = {r.lemma for r in readings(word) if r.pos == "brev"}
    if len(meanings) == 1 and " " in next(iter(meanings)):
        return next(iter(meanings)).split()
    return [word]


@lru_cache(maxsize=65536)
def _search_terms(word: str) -> tuple[str, ...]:
    """Index terms of one word; a compound's are those of its parts."""
    if fold(word) in STOP_WORDS:
        return ()
    terms = [term for part, found in _parts(word) for term in _part_terms(part, found)]
    return tuple(t for t in dict.fromkeys(terms) if t not in STOP_WORDS)


def _part_terms(word: str, found: tuple[Reading, ...]) -> list[str]:
    terms = [fold(word)] if _is_acronym(word) else []
    indexed = [r for r in found if r.pos in _INDEXED]
    if indexed:
        return terms + [fold(r.lemma) for r in indexed if " " not in r.lemma]
    if all(r.pos == "ign" for r in found):  # unknown (or split by morfeusz): with diacritics restored
        return terms + sorted(folded_lemmas(word), key=lambda term: term != fold(word))
    return terms  # only function-word readings: "w", "przy"


def analyse_for_search(text: str) -> list[list[str]]:
    """Per word of a text its index terms: folded lemmas of all its analyses (nouns, adjectives, verbs,
    gerunds, numbers, unknown words), stop words dropped; "ds." -> "do spraw" (-> "sprawa"), acronyms kept
    ("UMK" -> ["umk"]). The same function analyses documents and queries."""
    words: Iterable[str] = (part for word in tokens(text) for part in _expansion(word))
    return [list(terms) for terms in map(_search_terms, words) if terms]
