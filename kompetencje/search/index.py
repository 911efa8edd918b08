"""Competence search: which unit's duty answers a need asked in Polish (any inflection, with or without
diacritics) or English.

Documents are the duties of the store, top-level items and sub-items alike, each with three fields:

- `text`: the duty's own text;
- `context`: its sub-items' texts (top-level duty) or its parents' texts (sub-item);
- `org`: the names of its unit and department.

Every field is a BM25 index (bm25s) over the analyser's terms (`kompetencje.search.analyzer`). A query word
scores with the best of its lemmas, so a word with several readings counts once. On top of that:

- **concepts**: query words that make up a label (pl or en, preferred or alternative) of a competence concept
  (ontology/concepts.ttl) bring in the concept's other labels as phrases of lower weight ("social media" finds
  "portale społecznościowe"), and duties classified with that concept (or a narrower one) get a bonus;
- **foreign words**: English words an English label accounts for are left to the concept (matched literally
  they would only find "public relations" in Polish texts); an English word no document has and no label
  match covers stands for the one or two concepts whose labels have it ("journalists");
- **proximity**: the query's words standing close together in a duty's own text raise its score;
- **one answer per duty**: a top-level duty and its sub-items form a family ranked by its best member and shown
  once, by the member whose own text answers most of the query (the shallower one on a tie). A sub-item
  carries `parent_text`: its parent's text, or for a deeper item the chain from the top-level duty joined by
  " › ", so the competence it belongs to is always named.

Each hit explains itself: the matched terms per field, the concepts that matched the query (with the label
and the share of the query it covers, and whether the duty is classified with it), the score that came from
concept labels, and whether the query's words stand together in the duty's text.
"""

from __future__ import annotations

import json
import pickle
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import pyoxigraph as ox

from kompetencje.codedigest import packages_digest
from kompetencje.loaders.morphology import fold, names_match, tokens
from kompetencje.search.analyzer import Analyzer, Token, acronym_definitions, sanitize
from kompetencje.search.concepts import Concept, classify, load_concepts
from kompetencje.vocab import sparql_prefixes

__all__ = ["FIELDS", "Hit", "SearchIndex", "Weights"]

FORMAT_VERSION = 1
FIELDS = ("text", "context", "org")
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 24
MAX_MUNICIPALITY_CHARS = 200
MAX_CONCEPTS_PER_WORD = 2  # a lone foreign word stands for a concept only when it is this distinctive
BONUS_FLOOR = 1.0  # the concept bonus is relative to the best score, but not to less than this
QUERY_NOISE = frozenset({
    "kto", "zajmowac", "odpowiadac", "odpowiedzialny", "wlasciwy", "handle", "deal", "responsible", "charge",
    "competent", "take", "care",
})
"""Folded terms of question words ("kto się zajmuje…", "who handles…"): dropped from queries that have more."""


@dataclass(frozen=True)
class Weights:
    """The knobs of the ranking (see the module docstring); the defaults were set on the seeds."""

    fields: tuple[float, float, float] = (1.0, 0.35, 0.25)  # text, context, org
    expansion: float = 0.5  # a concept's other labels, relative to the query's own words
    abbreviation: float = 0.8  # words from expanding an abbreviation of the query ("BIP")
    concept_bonus: float = 0.2  # times the best score, for duties classified with a matched concept
    proximity: float = 0.3  # the query's words within len+1 words in the duty's own text
    bm25_k1: float = 1.2
    bm25_b: float = 0.75


# ---------------------------------------------------------------------------------------------- documents

@dataclass(slots=True)
class Ref:
    id: str
    name: str | None = None
    symbol: str | None = None


@dataclass(slots=True)
class DutyDoc:
    """One duty as the index keeps it."""

    id: str
    text: str
    number: str | None
    sequence: int | None
    provision_id: str | None
    provision_label: str | None
    parent: str | None
    top: str
    unit: Ref
    department: Ref
    municipality: Ref  # id = office IRI, name = municipality name, symbol = TERYT
    concepts: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    in_force: list[list[str | None]] = field(default_factory=list)  # [from, until) of each source; [] = always

    def in_force_at(self, day: str) -> bool:
        """Whether a source stating this duty is in force on `day` (ISO date; unknown bounds are open)."""
        return not self.in_force or any((start is None or start <= day) and (end is None or day < end)
                                        for start, end in self.in_force)


_DUTIES_QUERY = """
SELECT DISTINCT ?duty ?text ?number ?sequence ?provision ?provisionLabel ?parent ?top ?holder ?holderName ?holderSymbol
       ?dept ?deptName ?deptSymbol ?office ?municipality ?teryt ?concept
WHERE {
  ?holder komp:hasDuty|komp:hasSharedDuty ?top .
  FILTER NOT EXISTS { ?top komp:subDutyOf ?anything }
  ?holder org:subOrganizationOf* ?dept .
  ?dept a komp:Department ; org:unitOf ?office .
  ?duty komp:subDutyOf* ?top ; dct:description ?text .
  OPTIONAL { ?duty komp:subDutyOf ?parent }
  OPTIONAL { ?duty komp:itemNumber ?number }
  OPTIONAL { ?duty komp:sequence ?sequence }
  OPTIONAL { ?duty komp:provision ?provision OPTIONAL { ?provision eli:number ?provisionLabel } }
  OPTIONAL { ?holder skos:prefLabel ?holderName }
  OPTIONAL { ?holder skos:notation ?holderSymbol }
  OPTIONAL { ?dept skos:prefLabel ?deptName }
  OPTIONAL { ?dept skos:notation ?deptSymbol }
  OPTIONAL { ?office komp:municipalityName ?municipality }
  OPTIONAL { ?office komp:teryt ?teryt }
  OPTIONAL { ?duty dct:subject ?concept }
}
"""

EMPTY_FIELD = "\x00empty"  # the analyser strips control characters: no query term can be this

_IN_FORCE_QUERY = """
SELECT DISTINCT ?duty ?from ?until WHERE {
  ?duty a komp:Duty ; prov:wasDerivedFrom ?span . ?span a komp:SourceSpan ; dct:isPartOf ?document .
  OPTIONAL { ?document komp:inForceFrom ?from } OPTIONAL { ?document komp:inForceUntil ?until }
}
"""

_OFFICES_QUERY = """
SELECT ?office ?name ?alt WHERE { ?office a komp:Office ; skos:prefLabel ?name ; skos:altLabel ?alt }
"""


def _value(solution: Any, name: str) -> str | None:
    term = solution[name]
    return None if term is None else str(term.value)


def _shared(solution: Any, name: str) -> str | None:
    """`_value`, one string object per distinct value: a unit's names repeat in every duty of the unit."""
    value = _value(solution, name)
    return None if value is None else sys.intern(value)


def _select(store: Any, query: str) -> Any:
    """Run a SELECT over the store's default graph: the union of the named graphs as the build materialises
    it, or, for a store whose default graph is empty (a test store of named graphs), oxigraph's union view."""
    empty = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None
    return store.query(sparql_prefixes() + query, use_default_graph_as_union=empty)


def read_duties(store: Any) -> list[DutyDoc]:
    """Every duty of a pyoxigraph store (its default graph: the union of the named graphs), one SPARQL
    query."""
    solutions = _select(store, _DUTIES_QUERY)
    docs: dict[str, DutyDoc] = {}
    texts: dict[str, set[str]] = {}
    for row in solutions:
        duty = _value(row, "duty") or ""
        texts.setdefault(duty, set()).add(_value(row, "text") or "")
        doc = docs.get(duty)
        if doc is None or _prefer(row, doc):
            docs[duty] = doc = _doc(row, doc.concepts if doc else [])
        concept = _shared(row, "concept")
        if concept and concept not in doc.concepts:
            doc.concepts.append(concept)
    for duty, doc in docs.items():
        doc.text = max(texts[duty], key=lambda t: (len(t), t))  # two sources, two spellings: the fuller one
    for row in _select(store, _IN_FORCE_QUERY):
        doc = docs.get(_value(row, "duty") or "")
        if doc is not None:
            doc.in_force.append([_value(row, "from"), _value(row, "until")])
    _link_children(docs)
    return sorted(docs.values(), key=_doc_order)


def _prefer(row: Any, doc: DutyDoc) -> bool:
    """Deterministic choice when the store gives a duty twice (two holders, two provisions): smaller IRIs."""
    key = (_value(row, "holder") or "", _value(row, "provision") or "", _value(row, "provisionLabel") or "")
    return key < (doc.unit.id, doc.provision_id or "", doc.provision_label or "")


def _doc(row: Any, concepts: list[str]) -> DutyDoc:
    sequence = _value(row, "sequence")
    return DutyDoc(
        id=_value(row, "duty") or "", text=_value(row, "text") or "", number=_value(row, "number"),
        sequence=int(sequence) if sequence and sequence.lstrip("-").isdigit() else None,
        provision_id=_value(row, "provision"), provision_label=_value(row, "provisionLabel"),
        parent=_value(row, "parent"), top=_value(row, "top") or "",
        unit=Ref(_shared(row, "holder") or "", _shared(row, "holderName"), _shared(row, "holderSymbol")),
        department=Ref(_shared(row, "dept") or "", _shared(row, "deptName"), _shared(row, "deptSymbol")),
        municipality=Ref(_shared(row, "office") or "", _shared(row, "municipality"), _shared(row, "teryt")),
        concepts=list(concepts),
    )


def _doc_order(doc: DutyDoc) -> tuple[str, str, int, str]:
    return (doc.municipality.id, doc.unit.id, doc.sequence if doc.sequence is not None else 1 << 30, doc.id)


def _link_children(docs: dict[str, DutyDoc]) -> None:
    for doc in sorted(docs.values(), key=_doc_order):
        if doc.parent in docs:
            docs[doc.parent].children.append(doc.id)


def read_office_abbreviations(store: Any) -> dict[str, str]:
    """Offices' acronym alternative labels ("UMK") → the office's name ("Urząd Miasta Krakowa")."""
    found: dict[str, str] = {}
    for row in _select(store, _OFFICES_QUERY):
        alt, name = _value(row, "alt") or "", _value(row, "name") or ""
        if alt.isupper() and 2 <= len(alt) <= 8 and name:
            found.setdefault(fold(alt), name)
    return found


# ---------------------------------------------------------------------------------------------- hits

@dataclass
class Hit:
    """One answer: a duty, where it sits, how well and why it matched."""

    duty: str
    text: str
    provision: dict[str, str | None] | None
    subitems: list[dict[str, str | None]]
    parent_text: str | None  # a sub-item's parent; for deeper items the chain from the top-level duty, " › "
    parent: dict[str, str] | None
    unit: dict[str, str | None]
    department: dict[str, str | None]
    municipality: dict[str, str | None]
    score: float
    explanation: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the competences endpoint (`duty.text`, `duty.parent_text`, ...)."""
        return {
            "duty": {"id": self.duty, "text": self.text, "provision": self.provision,
                     "subitems": self.subitems, "parent_text": self.parent_text, "parent": self.parent},
            "unit": self.unit, "department": self.department, "municipality": self.municipality,
            "score": self.score, "explanation": self.explanation,
        }


# ---------------------------------------------------------------------------------------------- query

@dataclass(frozen=True)
class QueryGroup:
    """One query word (its alternative terms) or one word of an expansion label."""

    terms: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class Expansion:
    """A concept's label brought in by a query: its words must all match for it to count."""

    concept: str
    label: str
    groups: tuple[QueryGroup, ...]


@dataclass(frozen=True)
class LabelEntry:
    concept: str
    label: str
    language: str
    words: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class ConceptMatch:
    """A concept label found in the query: which query words make it up, all of the label's or all but one."""

    concept: str
    label: str
    language: str
    covered: frozenset[int]
    complete: bool


@dataclass
class ParsedQuery:
    groups: list[QueryGroup]
    concepts: dict[str, float]  # matched concept → share of the query's words its labels cover
    expansions: list[Expansion]
    matches: list[ConceptMatch] = field(default_factory=list)
    municipality: str | None = None  # the office of the one municipality the query names ("… w Katowicach")


# ---------------------------------------------------------------------------------------------- index

class SearchIndex:
    """BM25 over the duties of a store, with the competence concepts for expansion and boosting."""

    def __init__(self, docs: list[DutyDoc], analyzer: Analyzer, field_terms: dict[str, list[list[str]]],
                 text_tokens: list[list[tuple[str, ...]]], weights: Weights | None = None,
                 retrievers: dict[str, bm25s.BM25] | None = None) -> None:
        self.docs = docs
        self.analyzer = analyzer
        self.weights = weights or Weights()
        self.field_terms = field_terms
        self.text_tokens = text_tokens
        self.position = {doc.id: i for i, doc in enumerate(docs)}
        self.retrievers = retrievers or {name: self._bm25(field_terms[name]) for name in FIELDS}
        self.vocab = {name: retriever.vocab_dict for name, retriever in self.retrievers.items()}
        self.concepts = load_concepts()
        self.narrower = _narrower_closure(self.concepts)
        self.labels = self._label_entries()
        self.label_index = _label_index(self.labels)
        self.concept_labels: dict[str, list[LabelEntry]] = {}
        for entry in self.labels:
            self.concept_labels.setdefault(entry.concept, []).append(entry)
        self.doc_concepts = [frozenset(doc.concepts) for doc in docs]
        self.concept_ids = self._concept_ids()
        self.top_index = np.array([self.position.get(doc.top, i) for i, doc in enumerate(docs)])
        self.families: dict[int, list[int]] = {}
        for i, top in enumerate(self.top_index):
            self.families.setdefault(int(top), []).append(i)
        self.depth = [len(self._ancestors(doc)) for doc in docs]
        self._municipality_keys = {doc.municipality.id: doc.municipality for doc in docs}
        self._municipality_words = {office: [frozenset(t) for t in analyzer.terms(ref.name or "")]
                                    for office, ref in self._municipality_keys.items()}
        self._municipality_terms: dict[str, set[str]] = {}
        for office, words in self._municipality_words.items():
            for term in words[0] if words else ():
                self._municipality_terms.setdefault(term, set()).add(office)
        self._office_codes = {office: code for code, office in enumerate(self._municipality_keys)}
        self._doc_office = np.array([self._office_codes[doc.municipality.id] for doc in docs], dtype=np.int32)
        self._office_cache: dict[str, frozenset[str]] = {}
        self._sparse = all(getattr(r, "nonoccurrence_array", None) is None for r in self.retrievers.values())

    # ------------------------------------------------------------------------------------------ building

    @classmethod
    def build(cls, store: Any, weights: Weights | None = None) -> SearchIndex:
        """Index every duty of a pyoxigraph store (read with one SPARQL query). When no duty has dct:subject
        (a store built before the classification step) the duties are classified here with the same rules."""
        docs = read_duties(store)
        return cls.from_docs(docs, read_office_abbreviations(store), weights)

    @classmethod
    def from_docs(cls, docs: list[DutyDoc], abbreviations: Mapping[str, str] | None = None,
                  weights: Weights | None = None) -> SearchIndex:
        analyzer = _corpus_analyzer(docs, abbreviations or {})
        if not any(doc.concepts for doc in docs):  # the build classifies: a duty it left without a concept
            _classify_docs(docs, analyzer)  # stays without one
        field_terms, text_tokens = _analyse_docs(docs, analyzer)
        return cls(docs, analyzer, field_terms, text_tokens, weights)

    def _bm25(self, corpus: list[list[str]]) -> bm25s.BM25:
        retriever = bm25s.BM25(k1=self.weights.bm25_k1, b=self.weights.bm25_b)
        if not any(corpus):  # a field no duty has words in (no sub-items anywhere), or no duties: bm25s needs
            corpus = [[EMPTY_FIELD] for _ in corpus] or [[EMPTY_FIELD]]  # a vocabulary; no query yields this
        retriever.index(corpus, show_progress=False)
        return retriever

    def _label_entries(self) -> list[LabelEntry]:
        entries = []
        for concept in self.concepts.values():
            for label, language, _preferred in concept.labels():
                analysed = self.analyzer.analyze(label)
                words = tuple(frozenset(t.terms) for t in analysed if not t.expanded) or tuple(
                    frozenset(t.terms) for t in analysed)
                if words:
                    entries.append(LabelEntry(concept.iri, label, language, words))
        return entries

    # ------------------------------------------------------------------------------------------ persistence

    def save(self, folder: str | Path) -> Path:
        """Write the index to `folder` (replaced as a whole): meta.json and one bm25s folder per field."""
        target = Path(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".search-", dir=target.parent))
        try:
            meta = {
                "format": FORMAT_VERSION, "weights": asdict(self.weights),
                "docs": [doc_record(doc) for doc in self.docs],
                "abbreviations": dict(self.analyzer.abbreviations), "forms": dict(self.analyzer.forms),
                "field_terms": self.field_terms, "text_tokens": self.text_tokens,
            }
            (work / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            for name, retriever in self.retrievers.items():
                retriever.save(str(work / f"bm25-{name}"), show_progress=False)
            ready = (FORMAT_VERSION, code_digest(), self)  # the whole object, for a fast start (see `load`)
            (work / READY_FILE).write_bytes(pickle.dumps(ready, protocol=pickle.HIGHEST_PROTOCOL))
            if target.exists():
                shutil.rmtree(target)
            work.rename(target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return target

    @classmethod
    def load(cls, folder: str | Path) -> SearchIndex:
        """An index written by `save`: the ready object when it was saved by this code (a server starts in a
        tenth of the time), else built again from meta.json and the bm25s folders."""
        source = Path(folder)
        ready = _ready_index(source / READY_FILE)
        if ready is not None:
            return ready
        meta = json.loads((source / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"search index format {meta.get('format')!r}, expected {FORMAT_VERSION}: rebuild it")
        weights = Weights(**{k: tuple(v) if isinstance(v, list) else v for k, v in meta["weights"].items()})
        shared = _Interner()  # the same few words, units and concepts occur in many duties: one copy of each
        docs = [shared.doc(entry) for entry in meta["docs"]]
        analyzer = Analyzer(abbreviations=meta["abbreviations"], forms={k: tuple(v) for k, v in meta["forms"].items()})
        retrievers = {name: bm25s.BM25.load(str(source / f"bm25-{name}"), show_progress=False) for name in FIELDS}
        text_tokens = [[shared.words(terms) for terms in doc] for doc in meta["text_tokens"]]
        field_terms = {name: [shared.strings(terms) for terms in docs] for name, docs in meta["field_terms"].items()}
        return cls(docs, analyzer, field_terms, text_tokens, weights, retrievers)

    # ------------------------------------------------------------------------------------------ search

    def search(self, q: str, municipality: str | None = None, limit: int = 10, at: str | None = None) -> list[Hit]:
        """The best duties for a need, best first; [] for an empty query or an unknown municipality. Without
        `municipality`, a capitalised municipality name in the query ("… w Katowicach") filters. Only duties
        in force on `at` (ISO date, default today) count.

        Scoring runs on the candidates only: the duties a term of the query (or of a concept label it brings
        in) occurs in and the duties classified with a matched concept; every other duty scores 0."""
        if limit <= 0 or not self.docs:
            return []
        parsed = self.parse(q)
        if not parsed.groups and not parsed.expansions:
            return []
        offices = self._offices(municipality or parsed.municipality)
        if offices is not None and not offices:
            return []
        ids = self._candidates(parsed)
        allowed = self._allowed(ids, offices, at or date.today().isoformat())
        if not self._needs_best_score(parsed):  # no concept bonus: nothing depends on the duties left out
            ids, allowed = ids[allowed], np.ones(int(allowed.sum()), dtype=bool)
        scores, details = self._score(parsed, ids, allowed)
        scores = np.where(allowed, scores, 0.0)
        return self._hits(scores, details, parsed, limit, ids)

    def parse(self, q: str) -> ParsedQuery:
        """Query → weighted word groups, matched concepts and their label expansions.

        Question words ("kto", "who handles") are dropped when other words remain. Foreign words that an
        English concept label accounts for ("public consultations") are left to the concept: matched
        literally, they would only find English words in Polish texts ("public relations")."""
        text = sanitize(q[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS]
        words = self.analyzer.analyze(text)[: MAX_QUERY_WORDS * 2]
        office, named = self._named_municipality(words)
        words = [w for w in words if w.position not in named] or words
        own = [w for w in words if not w.expanded][:MAX_QUERY_WORDS] or words
        content = [w for w in own if not set(w.terms) <= QUERY_NOISE] or own
        matches = self._concept_matches(content)
        consumed = {p for m in matches if m.language == "en" for p in m.covered}
        kept = [w for w in words if w.position not in consumed or not w.foreign]
        kept = [w for w in kept if not set(w.terms) <= QUERY_NOISE] or kept
        groups = [QueryGroup(w.terms, self.weights.abbreviation if w.expanded else 1.0) for w in kept]
        concepts = _coverage(matches, len(content))
        return ParsedQuery(groups, concepts, self._expansions(concepts, groups), matches, office)

    def _named_municipality(self, words: Sequence[Token]) -> tuple[str | None, set[int]]:
        """The office of the one municipality whose name a capitalised query word gives ("Katowicach"), and
        the positions of those words; (None, set()) when none or several are named."""
        found: dict[str, set[int]] = {}
        for i, word in enumerate(words):
            if not word.word[:1].isupper() or word.expanded:
                continue
            for office in self._municipality_terms.get(word.terms[0] if word.terms else "", ()):
                span = self._municipality_words[office]
                window = words[i:i + len(span)]
                if len(window) == len(span) and all(set(w.terms) & s for w, s in zip(window, span, strict=True)):
                    found.setdefault(office, set()).update(w.position for w in window)
        if len(found) != 1:
            return None, set()
        office, positions = next(iter(found.items()))
        return office, positions

    def in_force_mask(self, day: str) -> np.ndarray:
        """Which duties are in force on `day`; the last few days asked are kept (most ask for today)."""
        masks = self.__dict__.setdefault("_in_force_masks", {})
        if day not in masks:
            if len(masks) >= 8:
                masks.pop(next(iter(masks)))
            masks[day] = np.array([doc.in_force_at(day) for doc in self.docs], dtype=bool)
        return masks[day]

    def municipality_mask(self, municipality: str | None) -> np.ndarray | None:
        """Which documents belong to the municipality (by name in any inflection, TERYT or office IRI)."""
        offices = self._offices(municipality)
        if offices is None:
            return None
        return np.isin(self._doc_office, [self._office_codes[office] for office in offices])

    def _offices(self, municipality: str | None) -> frozenset[str] | None:
        """The offices a municipality filter names (by name in any inflection, TERYT or office IRI); None
        for no filter. Kept per filter: matching names against every office is not cheap."""
        if not municipality or not municipality.strip():
            return None
        wanted = municipality.strip()[:MAX_MUNICIPALITY_CHARS]
        found = self._office_cache.get(wanted)
        if found is None:
            found = frozenset(key for key, ref in self._municipality_keys.items() if _is_municipality(ref, wanted))
            if len(self._office_cache) >= 1024:
                self._office_cache.clear()
            self._office_cache[wanted] = found
        return found

    def _allowed(self, ids: np.ndarray, offices: frozenset[str] | None, day: str) -> np.ndarray:
        """Which of the documents `ids` pass the filters: in force on `day`, in one of `offices` (if given)."""
        allowed = self.in_force_mask(day)[ids]
        if offices is not None:
            allowed &= np.isin(self._doc_office[ids], [self._office_codes[office] for office in offices])
        return allowed

    def municipalities(self) -> list[dict[str, str | None]]:
        """The municipalities with indexed duties: id (office IRI), name, teryt."""
        return [{"id": ref.id, "name": ref.name, "teryt": ref.symbol}
                for ref in sorted(self._municipality_keys.values(), key=lambda r: r.id)]

    # ------------------------------------------------------------------------------------------ concepts

    def _concept_matches(self, words: Sequence[Token]) -> list[ConceptMatch]:
        """Concept labels the query's words make up (every label word, or all but one of a label of three or
        more words). A match inside a larger match of another concept is dropped: "budżet obywatelski" is the
        participatory budget, not also the budget."""
        matches = []
        candidates = sorted({i for w in words for term in w.terms for i in self.label_index.get(term, ())})
        for entry in (self.labels[i] for i in candidates):
            covered = _cover(entry.words, words)
            if covered is None:
                continue
            complete = len(covered) == len(entry.words)
            if complete or (len(entry.words) >= 3 and len(covered) >= len(entry.words) - 1):
                matches.append(ConceptMatch(entry.concept, entry.label, entry.language, covered, complete))
        matches = [m for m in matches if not any(_dominates(other, m) for other in matches)]
        return matches + self._unknown_word_matches(words, matches)

    def _unknown_word_matches(self, words: Sequence[Token], matches: Sequence[ConceptMatch]) -> list[ConceptMatch]:
        """A query word that no document has and no label match accounts for (English, or a Polish word the
        texts do not use) stands for the concepts whose labels have it: when they are one or two
        ("journalists" in "relations with journalists", "reklama" in "Reklama i zakup mediów"), the one above
        all the others ("promotion": City promotion, above Tourism promotion, ...), or else those whose
        preferred label has it ("brand": City brand)."""
        covered = {p for m in matches for p in m.covered}
        found = []
        for word in words:
            if word.position in covered or self._in_corpus(word.terms):
                continue
            concepts = {self.labels[i].concept for t in word.terms for i in self.label_index.get(t, ())}
            if len(concepts) > MAX_CONCEPTS_PER_WORD:
                concepts = ({c for c in concepts if concepts <= self.narrower.get(c, set())}
                            or {c for c in concepts if self._in_preferred_label(c, word.terms)})
            if 1 <= len(concepts) <= MAX_CONCEPTS_PER_WORD:
                language = "en" if word.foreign else "pl"
                found += [ConceptMatch(c, word.word, language, frozenset({word.position}), False)
                          for c in sorted(concepts)]
        return found

    def _in_corpus(self, terms: Sequence[str]) -> bool:
        return any(term in self.vocab[name] for term in terms for name in FIELDS)

    def _in_preferred_label(self, concept: str, terms: Sequence[str]) -> bool:
        labels = self.concepts[concept].pref_labels.values()
        return any(set(terms) & set(words) for label in labels for words in self.analyzer.terms(label))

    def _expansions(self, concepts: Mapping[str, float], groups: Sequence[QueryGroup]) -> list[Expansion]:
        """The labels of the matched concepts that the query's own words do not already make up."""
        own_terms = {term for group in groups for term in group.terms}
        found = []
        for entry in (e for concept in concepts for e in self.concept_labels.get(concept, ())):
            if not all(words & own_terms for words in entry.words):
                expansion_groups = tuple(QueryGroup(tuple(sorted(words)), self.weights.expansion)
                                         for words in entry.words)
                found.append(Expansion(entry.concept, entry.label, expansion_groups))
        return found

    # ------------------------------------------------------------------------------------------ scoring
    #
    # A query is scored on its candidates `ids` (sorted document indices): every array below has one value
    # per candidate, and a document outside them scores 0. The values are those a dense scoring over every
    # document would give them, bit for bit (same operations, same dtypes).

    def _candidates(self, parsed: ParsedQuery) -> np.ndarray:
        """The documents that can score: those a term of the query occurs in (any field), those with every
        word of an expansion label in one field, and those classified with a matched concept (they get the
        concept bonus without any word of the query). Sorted indices."""
        if not self._sparse:
            return np.arange(len(self.docs))
        terms = sorted({t for g in parsed.groups for t in g.terms})
        parts = [self._term_documents(name, terms) for name in FIELDS]
        parts += [self._label_documents(expansion, name) for expansion in parsed.expansions for name in FIELDS]
        parts += [self.concept_ids[c] for c in parsed.concepts if c in self.concept_ids]
        return _union(parts)

    def _term_documents(self, name: str, terms: Iterable[str]) -> np.ndarray:
        """The documents any of the terms occurs in (one field): sorted indices."""
        return _union([self._postings(name, term)[0] for term in terms if term in self.vocab[name]])

    def _label_documents(self, expansion: Expansion, name: str) -> np.ndarray:
        """The documents one field of which has every word of an expansion label: only there does it score."""
        found = self._term_documents(name, expansion.groups[0].terms)
        for group in expansion.groups[1:]:
            if not len(found):
                break
            found = found[_locate(self._term_documents(name, group.terms), found)[1]]
        return found

    def _postings(self, name: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The documents a known term occurs in (in one field) and its BM25 score in each: a column of the
        scores bm25s computed when indexing, those its `get_scores` adds up."""
        retriever = self.retrievers[name]
        token = retriever.vocab_dict[term]
        start, end = retriever.scores["indptr"][token], retriever.scores["indptr"][token + 1]
        return retriever.scores["indices"][start:end], retriever.scores["data"][start:end]

    def _known_term_scores(self, name: str, term: str, ids: np.ndarray) -> np.ndarray:
        """`retriever.get_scores([term])` at the documents `ids`."""
        retriever = self.retrievers[name]
        if not self._sparse:  # a BM25 variant that scores the terms a document lacks: every document counts
            return retriever.get_scores([term])[ids]
        documents, values = self._postings(name, term)
        scores = np.zeros(len(ids), dtype=np.dtype(retriever.dtype))
        where, found = _locate(ids, documents)
        np.add.at(scores, where[found], values[found])
        return scores

    def _term_scores(self, name: str, terms: Iterable[str], cache: dict[tuple[str, str], np.ndarray],
                     ids: np.ndarray) -> np.ndarray:
        """Per document the best BM25 score of any of the terms in one field."""
        best = np.zeros(len(ids), dtype=np.float32)
        for term in terms:
            key = (name, term)
            if key not in cache:
                known = term in self.vocab[name]
                cache[key] = self._known_term_scores(name, term, ids) if known else np.zeros(len(ids))
            best = np.maximum(best, cache[key])
        return best

    def _group_scores(self, group: QueryGroup, cache: dict[tuple[str, str], np.ndarray],
                      ids: np.ndarray) -> dict[str, np.ndarray]:
        return {name: self._term_scores(name, group.terms, cache, ids) for name in FIELDS}

    def _score(self, parsed: ParsedQuery, ids: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        """Scores of the documents `ids`; exact for those `allowed` (the others only count for the best score,
        which scales the concept bonus)."""
        cache: dict[tuple[str, str], np.ndarray] = {}
        weights = dict(zip(FIELDS, self.weights.fields, strict=True))
        lexical = np.zeros(len(ids), dtype=np.float32)
        per_group = []
        for group in parsed.groups:
            by_field = self._group_scores(group, cache, ids)
            per_group.append(by_field)
            lexical += group.weight * sum(weights[name] * by_field[name] for name in FIELDS)
        proximity, pending = self._proximity_factor(parsed.groups, per_group, ids, allowed)
        lexical *= proximity
        expansion, expansion_in_text = self._expansion_scores(parsed.expansions, weights, cache, ids)
        scores = lexical + expansion
        boosted = self._concept_bonus(parsed.concepts, ids)
        if boosted is not None:
            best = self._best_score(scores, lexical, expansion, pending, parsed.groups, ids)
            scores = scores + boosted * self.weights.concept_bonus * max(best, BONUS_FLOOR)
        own = sum((g.weight * (pg["text"] > 0) for g, pg in zip(parsed.groups, per_group, strict=True)),
                  np.zeros(len(ids), dtype=np.float32)) if parsed.groups else (expansion_in_text > 0)
        return scores, {"per_group": per_group, "expansion": expansion, "boosted": boosted, "own": own,
                        "proximity": proximity}

    def _proximity_factor(self, groups: Sequence[QueryGroup], per_group: Sequence[dict[str, np.ndarray]],
                          ids: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The proximity factor of the `allowed` documents; and which others have all the words in their text
        (their factor is left at 1: `_best_score` looks at them only if they could hold the best score)."""
        factor = np.ones(len(ids), dtype=np.float32)
        own = [g for g in groups if g.weight >= 1.0]
        if len(own) < 2:
            return factor, np.zeros(len(ids), dtype=bool)
        in_text = np.all([pg["text"] > 0 for g, pg in zip(groups, per_group, strict=True) if g.weight >= 1.0],
                         axis=0)
        for position in np.flatnonzero(in_text & allowed):
            if _span(self.text_tokens[int(ids[position])], own) <= len(own):
                factor[position] += self.weights.proximity
        return factor, in_text & ~allowed

    def _best_score(self, scores: np.ndarray, lexical: np.ndarray, expansion: np.ndarray, pending: np.ndarray,
                    groups: Sequence[QueryGroup], ids: np.ndarray) -> float:
        """The best score of any document, the filtered-out ones too; those `pending` (proximity not checked)
        are checked from the one that would score best with it, as long as that could beat the best."""
        best = float(scores.max(initial=0.0))
        waiting = np.flatnonzero(pending)
        if not len(waiting):
            return best
        factor = np.ones(1, dtype=np.float32)
        factor += self.weights.proximity  # as `_proximity_factor` raises it
        near = lexical[waiting] * factor[0] + expansion[waiting]
        own = [g for g in groups if g.weight >= 1.0]
        for k in np.argsort(-near, kind="stable"):
            if float(near[k]) <= best:
                break
            if _span(self.text_tokens[int(ids[waiting[k]])], own) <= len(own):
                return float(near[k])
        return best

    def _expansion_scores(self, expansions: Sequence[Expansion], weights: Mapping[str, float],
                          cache: dict[tuple[str, str], np.ndarray], ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per concept the best of its labels (a label counts only when all its words match one field);
        and the part of it from the documents' own text."""
        best: dict[str, np.ndarray] = {}
        in_text = np.zeros(len(ids), dtype=np.float32)
        for expansion in expansions:
            label_score = np.zeros(len(ids), dtype=np.float32)
            for name in FIELDS:
                parts = [self._term_scores(name, g.terms, cache, ids) for g in expansion.groups]
                complete = np.all([p > 0 for p in parts], axis=0)
                total = np.where(complete, sum(g.weight * p for g, p in zip(expansion.groups, parts, strict=True)), 0)
                label_score += weights[name] * total
                if name == "text":
                    in_text = np.maximum(in_text, total)
            current = best.get(expansion.concept)
            best[expansion.concept] = label_score if current is None else np.maximum(current, label_score)
        return sum(best.values(), np.zeros(len(ids), dtype=np.float32)), in_text

    def _concept_bonus(self, concepts: Mapping[str, float], ids: np.ndarray) -> np.ndarray | None:
        """Per document the largest coverage of a matched concept it is classified with (or below)."""
        if not concepts:
            return None
        bonus = np.zeros(len(ids), dtype=np.float32)
        for concept, coverage in concepts.items():
            members = self.concept_ids.get(concept)
            if members is not None:
                hit = _locate(members, ids)[1]
                bonus = np.maximum(bonus, np.where(hit, coverage, 0.0))
        return bonus

    def _needs_best_score(self, parsed: ParsedQuery) -> bool:
        """Whether a concept bonus applies: it scales with the best score of all documents, filtered or not."""
        return any(len(self.concept_ids.get(concept, ())) for concept in parsed.concepts)

    def _concept_ids(self) -> dict[str, np.ndarray]:
        """Concept → the documents classified with it or a narrower concept (sorted indices)."""
        broader: dict[str, set[str]] = {}
        for concept, below in self.narrower.items():
            for narrower in below:
                broader.setdefault(narrower, set()).add(concept)
        found: dict[str, list[int]] = {concept: [] for concept in self.narrower}
        for index, classified in enumerate(self.doc_concepts):
            for concept in set().union(*(broader.get(c, ()) for c in classified)):
                found[concept].append(index)
        return {concept: np.array(indices, dtype=np.intp) for concept, indices in found.items()}

    # ------------------------------------------------------------------------------------------ hits

    def _hits(self, scores: np.ndarray, details: Mapping[str, Any], parsed: ParsedQuery, limit: int,
              ids: np.ndarray) -> list[Hit]:
        """Families (a top-level duty and its sub-items) ranked by their best member; each shown once, by
        the member whose own text answers most of the query, the shallower one on a tie: "budżet
        obywatelski" shows the duty "Prowadzenie spraw w zakresie Budżetu Obywatelskiego", not its sub-item
        about the vote, while "media społecznościowe" shows the sub-item that mentions them."""
        positive = np.flatnonzero(scores > 0)  # usually a small part of the candidates: sort only those
        order = positive[np.argsort(-scores[positive], kind="stable")]
        hits: list[Hit] = []
        seen_families: set[int] = set()
        for position in order:
            if len(hits) >= limit:
                break
            index = int(ids[position])
            family = int(self.top_index[index])
            if family in seen_families:
                continue
            seen_families.add(family)
            shown, at = self._representative(family, scores, details["own"], ids)
            hit = self._hit(shown, at, float(scores[position]), details, parsed)
            if shown != index:
                hit.explanation["best_scoring_item"] = self.docs[index].id
            hits.append(hit)
        return hits

    def _representative(self, family: int, scores: np.ndarray, own: np.ndarray, ids: np.ndarray) -> tuple[int, int]:
        """The member shown for a family (a document index) and its position among `ids`; a member that is
        not a candidate scores 0."""
        members = np.asarray(self.families[family])
        where, found = _locate(ids, members)
        scored = [(int(m), int(p)) for m, p in zip(members[found], where[found], strict=True) if scores[p] > 0]
        return max(scored, key=lambda mp: (round(float(own[mp[1]]), 6), -self.depth[mp[0]], float(scores[mp[1]]),
                                           -mp[0]))

    def _hit(self, index: int, at: int, score: float, details: Mapping[str, Any], parsed: ParsedQuery) -> Hit:
        """The hit for document `index`, whose scoring details are at position `at`."""
        doc = self.docs[index]
        ancestors = self._ancestors(doc)
        children = [self.docs[self.position[c]] for c in doc.children if c in self.position]
        return Hit(
            duty=doc.id, text=doc.text,
            provision={"id": doc.provision_id, "label": doc.provision_label} if doc.provision_id else None,
            subitems=[{"id": c.id, "text": c.text, "item_number": c.number} for c in children],
            parent_text=" › ".join(a.text for a in ancestors) if ancestors else None,
            parent={"id": ancestors[-1].id, "text": ancestors[-1].text} if ancestors else None,
            unit=_ref_dict(doc.unit), department=_ref_dict(doc.department),
            municipality={"id": doc.municipality.id, "name": doc.municipality.name, "teryt": doc.municipality.symbol},
            score=round(score, 4), explanation=self._explain(index, at, details, parsed),
        )

    def _ancestors(self, doc: DutyDoc) -> list[DutyDoc]:
        """The duties a sub-item belongs to, from the top-level duty down to its direct parent."""
        found: list[DutyDoc] = []
        current = doc
        while current.parent in self.position and len(found) < 16:
            current = self.docs[self.position[current.parent]]
            found.insert(0, current)
        return found

    def _explain(self, index: int, at: int, details: Mapping[str, Any], parsed: ParsedQuery) -> dict[str, Any]:
        matched: dict[str, list[str]] = {name: [] for name in FIELDS}
        for group, by_field in zip(parsed.groups, details["per_group"], strict=True):
            for name in FIELDS:
                if by_field[name][at] > 0:
                    matched[name].append(self._matched_term(name, group.terms, index))
        doc_concepts = self.doc_concepts[index]
        labels: dict[str, str] = {}
        for match in sorted(parsed.matches, key=lambda m: (not m.complete, -len(m.covered))):
            labels.setdefault(match.concept, match.label)
        concepts = [{"id": c, "name": self.concepts[c].name("pl"), "name_en": self.concepts[c].name("en"),
                     "query_label": labels.get(c), "coverage": round(coverage, 3),
                     "duty_classified": bool(self.narrower.get(c, {c}) & doc_concepts)}
                    for c, coverage in parsed.concepts.items() if c in self.concepts]
        return {"matched": {k: v for k, v in matched.items() if v}, "concepts": concepts,
                "via_concept_labels": round(float(details["expansion"][at]), 4),
                "words_together": bool(details["proximity"][at] > 1),
                "duty_concepts": sorted(doc_concepts)}

    def _matched_term(self, name: str, terms: Sequence[str], index: int) -> str:
        for term in terms:
            if term in self.vocab[name] and term in self.field_terms[name][index]:
                return term
        return terms[0]


# ---------------------------------------------------------------------------------------------- helpers

READY_FILE = "index.pickle"


def doc_record(doc: DutyDoc) -> dict[str, Any]:
    """`dataclasses.asdict(doc)` without its recursive deep copy (ten times quicker on a national index)."""
    record = {name: getattr(doc, name) for name in DOC_FIELDS}
    for name in ("unit", "department", "municipality"):
        ref = record[name]
        record[name] = {"id": ref.id, "name": ref.name, "symbol": ref.symbol}
    record["in_force"] = [list(bounds) for bounds in doc.in_force]
    return record


DOC_FIELDS = [f.name for f in fields(DutyDoc)]


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the search package's code and the concept scheme: a pickled index is only as good as the
    code that made it."""
    return packages_digest("kompetencje.search", "kompetencje.ontology")


def _ready_index(path: Path) -> SearchIndex | None:
    """The pickled index when it is there and was written by this code, else None. The file is the build's
    own output (as trusted as the store beside it), never a user's upload."""
    try:
        version, digest, index = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if version != FORMAT_VERSION or digest != code_digest() or not isinstance(index, SearchIndex):
        return None
    return index


class _Interner:
    """One object per distinct string and per distinct word (tuple of lemmas) read from the saved index."""

    def __init__(self) -> None:
        self._words: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._refs: dict[tuple[str, str | None, str | None], Ref] = {}

    def doc(self, entry: Mapping[str, Any]) -> DutyDoc:
        values = dict(entry)
        for key in ("unit", "department", "municipality"):
            ref = values[key]
            key_of = (ref["id"], ref.get("name"), ref.get("symbol"))
            values[key] = self._refs.setdefault(key_of, Ref(*key_of))
        values["concepts"] = self.strings(values.get("concepts") or [])
        return DutyDoc(**values)

    def strings(self, values: Sequence[str]) -> list[str]:
        return [sys.intern(value) for value in values]

    def words(self, terms: Sequence[str]) -> tuple[str, ...]:
        word = tuple(sys.intern(term) for term in terms)
        return self._words.setdefault(word, word)


def _corpus_analyzer(docs: Sequence[DutyDoc], office_abbreviations: Mapping[str, str]) -> Analyzer:
    """An analyser that knows the data: the acronyms it defines, the offices' acronyms, and the folded forms
    of its words (so that diacritic-less query words find the words they stand for)."""
    base = Analyzer()
    abbreviations = dict(base.abbreviations)
    for key, value in office_abbreviations.items():
        abbreviations.setdefault(key, value)
    for doc in docs:
        for key, value in acronym_definitions(doc.text).items():
            abbreviations.setdefault(key, value)
    learner = Analyzer(abbreviations=abbreviations)
    forms: dict[str, set[str]] = {}
    texts = {doc.text for doc in docs} | {name for doc in docs for name in (doc.unit.name, doc.department.name) if name}
    for text in texts:
        for word in tokens(sanitize(text)):
            folded = fold(word)
            if folded != word.lower() and folded.isascii():
                for terms in learner.terms(word)[:1]:
                    forms.setdefault(folded, set()).update(terms)
    return Analyzer(abbreviations=abbreviations, forms={k: tuple(sorted(v)) for k, v in sorted(forms.items())})


def _classify_docs(docs: Sequence[DutyDoc], analyzer: Analyzer) -> None:
    """Concepts for the duties the store gave none (a store built before the classification step); a
    sub-item that no rule classifies inherits its parent's, as `concepts.classify_graph` does."""
    by_id = {doc.id: doc for doc in docs}
    for doc in docs:
        if not doc.concepts:
            doc.concepts = [concept for concept, _ in classify(doc.text, analyzer)]
    for doc in docs:
        parent = by_id.get(doc.parent or "")
        seen = {doc.id}
        while not doc.concepts and parent is not None and parent.id not in seen:
            doc.concepts = list(parent.concepts)
            seen.add(parent.id)
            parent = by_id.get(parent.parent or "")


def _analyse_docs(docs: Sequence[DutyDoc], analyzer: Analyzer,
                  ) -> tuple[dict[str, list[list[str]]], list[list[tuple[str, ...]]]]:
    by_id = {doc.id: doc for doc in docs}
    own = {doc.id: analyzer.analyze(doc.text) for doc in docs}
    org_cache: dict[tuple[str | None, str | None], list[str]] = {}
    fields: dict[str, list[list[str]]] = {name: [] for name in FIELDS}
    text_tokens: list[list[tuple[str, ...]]] = []
    for doc in docs:
        fields["text"].append(_flat(own[doc.id]))
        fields["context"].append([t for other in _context(doc, by_id) for t in _flat(own[other.id])])
        key = (doc.unit.name, doc.department.name)
        if key not in org_cache:
            names = [n for n in dict.fromkeys(key) if n]
            org_cache[key] = [t for name in names for t in analyzer.flat_terms(name)]
        fields["org"].append(org_cache[key])
        text_tokens.append([token.terms for token in own[doc.id]])
    return fields, text_tokens


def _context(doc: DutyDoc, by_id: Mapping[str, DutyDoc]) -> list[DutyDoc]:
    """A top-level duty's sub-items (all levels); a sub-item's ancestors."""
    if doc.parent is None:
        found, stack = [], list(doc.children)
        while stack:
            child = by_id.get(stack.pop(0))
            if child is not None and child not in found:
                found.append(child)
                stack.extend(child.children)
        return found
    ancestors, parent = [], by_id.get(doc.parent)
    while parent is not None and parent not in ancestors:
        ancestors.append(parent)
        parent = by_id.get(parent.parent or "")
    return ancestors


def _flat(words: Sequence[Token]) -> list[str]:
    return [term for word in words for term in word.terms]


def _cover(label_words: Sequence[frozenset[str]], query: Sequence[Token]) -> frozenset[int] | None:
    """Positions of the query words that match words of a label (each label word by a distinct query word);
    None when at most one label word of a longer label (or none) is matched."""
    used: set[int] = set()
    for words in label_words:
        position = next((t.position for t in query if t.position not in used and words.intersection(t.terms)), None)
        if position is not None:
            used.add(position)
    if not used or (len(used) < len(label_words) and len(used) < 2):
        return None
    return frozenset(used)


def _label_index(labels: Sequence[LabelEntry]) -> dict[str, list[int]]:
    """Term → the labels one of whose words has it."""
    found: dict[str, list[int]] = {}
    for i, entry in enumerate(labels):
        for term in {t for words in entry.words for t in words}:
            found.setdefault(term, []).append(i)
    return found


def _dominates(other: ConceptMatch, match: ConceptMatch) -> bool:
    """`other` makes `match` redundant: another concept's match over more query words, or over the same
    words but complete where `match` is partial."""
    if other.concept == match.concept:
        return False
    return other.covered > match.covered or (other.covered == match.covered and other.complete
                                             and not match.complete)


def _coverage(matches: Sequence[ConceptMatch], words: int) -> dict[str, float]:
    """Matched concept → the share of the query's words its matches cover."""
    covered: dict[str, set[int]] = {}
    for match in matches:
        covered.setdefault(match.concept, set()).update(match.covered)
    return {concept: len(found) / max(1, words) for concept, found in covered.items()}


def _union(parts: Sequence[np.ndarray]) -> np.ndarray:
    """The sorted distinct document indices of the parts (sorting is much faster than numpy's hashing
    `np.unique` on these arrays)."""
    if not parts:
        return np.zeros(0, dtype=np.intp)
    found = np.sort(np.concatenate(parts).astype(np.intp))
    return found[np.concatenate(([True], found[1:] != found[:-1]))] if len(found) else found


def _locate(ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the `values` are in the sorted array `ids`, and which of them are there at all."""
    where = np.searchsorted(ids, values)
    found = where < len(ids)
    found[found] = ids[where[found]] == values[found]
    return where, found


def _span(doc_tokens: Sequence[tuple[str, ...]], groups: Sequence[QueryGroup]) -> int:
    """Smallest window (in words) of the document holding a term of every group (large when none)."""
    wanted = [frozenset(g.terms) for g in groups]
    events = [(pos, k) for pos, terms in enumerate(doc_tokens) for k, w in enumerate(wanted) if not w.isdisjoint(terms)]
    if len({k for _, k in events}) < len(groups):
        return 1 << 30
    counts, covered, best, start = [0] * len(groups), 0, 1 << 30, 0
    for pos, k in events:
        counts[k] += 1
        covered += counts[k] == 1
        while covered == len(groups):
            best = min(best, pos - events[start][0] + 1)
            counts[events[start][1]] -= 1
            covered -= counts[events[start][1]] == 0
            start += 1
    return best


def _narrower_closure(concepts: Mapping[str, Concept]) -> dict[str, set[str]]:
    """Concept → itself and every concept below it."""
    children: dict[str, set[str]] = {}
    for concept in concepts.values():
        for broader in concept.broader:
            children.setdefault(broader, set()).add(concept.iri)
    closure: dict[str, set[str]] = {}
    for iri in concepts:
        found, stack = {iri}, [iri]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        closure[iri] = found
    return closure


_TERYT = re.compile(r"\d{7}")


def _is_municipality(ref: Ref, wanted: str) -> bool:
    if wanted == ref.id or (_TERYT.fullmatch(wanted) and wanted == ref.symbol):
        return True
    if not ref.name:
        return False
    return fold(wanted) == fold(ref.name) or names_match(wanted, ref.name)


def _ref_dict(ref: Ref) -> dict[str, str | None]:
    return {"id": ref.id, "name": ref.name, "symbol": ref.symbol}
