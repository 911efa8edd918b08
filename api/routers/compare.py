"""Router: compare — two units side by side, and the units of other municipalities most like one.

Both read the build's *similarity corpus* (`load_corpus`, made once per store and kept): every duty with
its holder and office (Q.DUTY_CANDIDATES), its concepts (``dct:subject``) and the set of its text's lemmas
(the search analyser's terms: every reading of every word; taken from the build's search index when it has
the duty, else analysed here). N is the number of duties, H the number of holders.

Scoring (the weights and thresholds are the constants below):

- term weight: ``idf(t) = ln(1 + N / df(t))``, df = duties whose text has the lemma; a concept's weight
  over holders: ``cidf(c) = ln(1 + H / h(c))``, h = holders with a duty classified under c.
- a **duty pair**: ``text`` = cosine of the two lemma vectors, each lemma weighted by idf (a word with k
  readings gives each of its lemmas idf/√k, so an ambiguous word counts once); ``concepts`` = Jaccard index
  of the two duties' concept sets; ``score = 0.8·text + 0.2·concepts``. A pair is kept when
  ``text >= MIN_PAIR_TEXT`` (0.2: some distinctive wording in common, shared concepts alone are not enough)
  and ``score >= PAIR_THRESHOLD`` (0.28, set on the seeds: above it the pairs read as the same task), best
  first.
- **similar units**: a unit's concept vector has ``(1 + ln n_c)·cidf(c)`` per concept (n_c = its duties
  classified under c); its text vector ``(1 + ln n_t)·idf(t)`` per lemma (n_t = its duties with the lemma);
  ``score = 0.6·cos(concepts) + 0.4·cos(texts)``, over the holders of other offices, ``score >= MIN_SIMILAR``.

Nothing depends on names: a unit is only its duties. User input reaches SPARQL only as bound IRIs.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from kompetencje.api import queries as Q
from kompetencje.api.concept_views import (
    Comparison,
    ConceptDuties,
    DutyBrief,
    DutyPair,
    SharedConcept,
    SimilarUnit,
    SimilarUnits,
    UnitInMunicipality,
)
from kompetencje.api.deps import SearchIndexDep, SettingsDep, StoreDep
from kompetencje.api.problems import NotFound, OrjsonResponse
from kompetencje.api.routers.concepts import SchemeConcept, concept_ref, load_scheme_concepts
from kompetencje.api.routers.units import UNIT_KINDS, iri_for, load_node
from kompetencje.api.store import Store
from kompetencje.api.views import ProvisionRef, Ref, UnitRef
from kompetencje.search.analyzer import default_analyzer

router = APIRouter(prefix="/api", tags=["compare"], default_response_class=OrjsonResponse)

PAIR_TEXT_WEIGHT, PAIR_CONCEPT_WEIGHT = 0.8, 0.2
MIN_PAIR_TEXT = 0.2
PAIR_THRESHOLD = 0.28
UNIT_CONCEPT_WEIGHT, UNIT_TEXT_WEIGHT = 0.6, 0.4
MIN_SIMILAR = 0.05
SHARED_TERMS = 8
MAX_CORPORA = 2

DUTY_SUBJECTS = Q.PREFIXES + """
SELECT DISTINCT ?duty ?concept WHERE { ?duty a komp:Duty ; dct:subject ?concept . ?concept a skos:Concept . }
"""

Vector = dict[str, float]


# --- the corpus -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CorpusDuty:
    id: str
    holder: str
    text: str
    provision: str | None
    provision_label: str | None
    order: tuple[int, str, str]
    concepts: frozenset[str]
    words: tuple[tuple[str, ...], ...]

    @cached_property
    def terms(self) -> frozenset[str]:
        return frozenset(term for word in self.words for term in word)

    def brief(self) -> DutyBrief:
        provision = ProvisionRef(id=self.provision, label=self.provision_label) if self.provision else None
        return DutyBrief(id=self.id, text=self.text or None, provision=provision)


@dataclass(frozen=True)
class CorpusHolder:
    id: str
    name: str | None
    symbol: str | None
    office: str
    municipality: str | None

    def ref(self) -> UnitRef:
        return UnitRef(id=self.id, name=self.name, symbol=self.symbol)


@dataclass
class Corpus:
    holders: dict[str, CorpusHolder]
    duties: dict[str, list[CorpusDuty]]  # by holder, in list order
    idf: dict[str, float]
    concepts: dict[str, SchemeConcept]
    duty_vectors: dict[str, Vector]  # by duty IRI, unit length
    text_vectors: dict[str, Vector]  # by holder, unit length
    concept_vectors: dict[str, Vector]  # by holder, unit length


def normalized(weights: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {k: w / norm for k, w in weights.items() if w} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    """Dot product of two unit vectors (sparse dicts)."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(w * large.get(k, 0.0) for k, w in small.items())


def idf_of(sets: Iterable[Iterable[str]], n: int) -> dict[str, float]:
    df = Counter(key for found in sets for key in set(found))
    return {key: math.log(1 + n / count) for key, count in df.items()}


def counts_vector(counts: Counter[str], idf: Mapping[str, float]) -> Vector:
    return normalized({k: (1 + math.log(c)) * idf.get(k, 0.0) for k, c in counts.items() if c > 0})


def duty_words(index: Any, duty: str, text: str) -> tuple[tuple[str, ...], ...]:
    """Per word of a duty's text its lemmas: the search index's when it has the duty, else analysed now."""
    tokens = getattr(index, "text_tokens", None)
    position = getattr(index, "position", {}).get(duty) if tokens is not None else None
    if position is not None:
        return tuple(tuple(word) for word in tokens[position])
    return tuple(default_analyzer().terms(text))


def duty_vector(words: tuple[tuple[str, ...], ...], idf: Mapping[str, float]) -> Vector:
    """idf-weighted lemma vector; a word with k readings gives each idf/sqrt(k), so it counts once."""
    weights: dict[str, float] = {}
    for word in words:
        for term in word:
            weights[term] = max(weights.get(term, 0.0), idf.get(term, 0.0) / math.sqrt(len(word)))
    return normalized(weights)


def optional_str(value: Q.Value) -> str | None:
    return str(value) if value is not None and value != "" else None


def corpus_duties(rows: list[Q.Row], subjects: list[Q.Row], index: Any) -> list[CorpusDuty]:
    concepts: dict[str, set[str]] = {}
    for row in subjects:
        concepts.setdefault(str(row["duty"]), set()).add(str(row["concept"]))
    duties = []
    for row in sorted(rows, key=lambda r: (str(r["holder"]), Q.list_order(r))):
        duty, text = str(row["duty"]), str(row.get("text") or "")
        duties.append(CorpusDuty(
            id=duty, holder=str(row["holder"]), text=text, provision=optional_str(row.get("provision")),
            provision_label=optional_str(row.get("provision_label")), order=Q.list_order(row),
            concepts=frozenset(concepts.get(duty, ())), words=duty_words(index, duty, text)))
    return duties


def corpus_holders(rows: list[Q.Row]) -> dict[str, CorpusHolder]:
    holders: dict[str, CorpusHolder] = {}
    for row in sorted(rows, key=lambda r: (str(r["holder"]), str(r["office"]))):
        holders.setdefault(str(row["holder"]), CorpusHolder(
            id=str(row["holder"]), name=row.get("holder_name"), symbol=row.get("holder_symbol"),
            office=str(row["office"]), municipality=row.get("municipality") or row.get("office_name")))
    return holders


def build_corpus(rows: list[Q.Row], subjects: list[Q.Row], concepts: dict[str, SchemeConcept],
                 index: Any) -> Corpus:
    """The corpus of all duties (pure Python; run it in a thread)."""
    holders, by_holder = corpus_holders(rows), dict[str, list[CorpusDuty]]()
    for duty in corpus_duties(rows, subjects, index):
        by_holder.setdefault(duty.holder, []).append(duty)
    unique = {d.id: d for found in by_holder.values() for d in found}
    idf = idf_of((d.terms for d in unique.values()), len(unique))
    concept_idf = idf_of(({c for d in found for c in d.concepts} for found in by_holder.values()), len(holders))
    return Corpus(
        holders=holders, duties=by_holder, idf=idf, concepts=concepts,
        duty_vectors={d.id: duty_vector(d.words, idf) for d in unique.values()},
        text_vectors={h: counts_vector(Counter(t for d in found for t in d.terms), idf)
                      for h, found in by_holder.items()},
        concept_vectors={h: counts_vector(Counter(c for d in found for c in d.concepts), concept_idf)
                         for h, found in by_holder.items()})


_CORPORA: list[tuple[Store, Corpus]] = []


async def load_corpus(store: Store, index: Any) -> Corpus:
    """The similarity corpus of the store's build: made on first use, kept for the latest stores."""
    for owner, corpus in _CORPORA:
        if owner is store:
            return corpus
    rows, subjects, concepts = await asyncio.gather(
        Q.select(store, Q.DUTY_CANDIDATES), Q.select(store, DUTY_SUBJECTS), load_scheme_concepts(store))
    corpus = await asyncio.to_thread(build_corpus, rows, subjects, concepts, index)
    if not any(owner is store for owner, _ in _CORPORA):
        _CORPORA.append((store, corpus))
        del _CORPORA[:-MAX_CORPORA]
    return corpus


# --- units ----------------------------------------------------------------------------------------------

def unit_iri(base: str, id: str) -> str:
    """The IRI a unit id names: a full http(s) IRI as is, else the path after the base (``1261011/ks-02``)."""
    text = id.strip()
    if text.startswith(("http://", "https://")):
        if Q.iri_or_none(text) is None:
            raise NotFound(f"No unit {id!r} in the graph.")
        return text
    return iri_for(base, text)


async def load_unit_ref(store: Store, iri: str, id: str) -> UnitInMunicipality:
    """The unit (department, unit or post) an IRI names; NotFound when it is none."""
    row = await load_node(store, iri)
    if row is None or row.get("kind") not in UNIT_KINDS:
        raise NotFound(f"No unit {id!r} in the graph.")
    office = Ref(id=str(row["office"]), name=row.get("municipality")) if row.get("office") else None
    return UnitInMunicipality(id=iri, name=row.get("name"), symbol=row.get("symbol"), municipality=office)


# --- compare --------------------------------------------------------------------------------------------

def by_concept(duties: list[CorpusDuty]) -> dict[str, list[CorpusDuty]]:
    found: dict[str, list[CorpusDuty]] = {}
    for duty in duties:
        for concept in sorted(duty.concepts):
            found.setdefault(concept, []).append(duty)
    return found


def concept_sort_key(corpus: Corpus, iri: str) -> tuple[str, str]:
    concept = corpus.concepts.get(iri)
    return (Q.fold(concept.pref.get("pl")) if concept else "", iri)


def only_in(corpus: Corpus, mine: dict[str, list[CorpusDuty]], other: Mapping[str, object]) -> list[ConceptDuties]:
    return [ConceptDuties(concept=concept_ref(corpus.concepts, c), duties=[d.brief() for d in mine[c]])
            for c in sorted(set(mine) - set(other), key=lambda c: concept_sort_key(corpus, c))]


def pair_view(corpus: Corpus, a: CorpusDuty, b: CorpusDuty) -> DutyPair | None:
    """The pair when its texts are alike enough (see the module docstring), else None."""
    text = cosine(corpus.duty_vectors.get(a.id, {}), corpus.duty_vectors.get(b.id, {}))
    if text < MIN_PAIR_TEXT:
        return None
    union = a.concepts | b.concepts
    overlap = len(a.concepts & b.concepts) / len(union) if union else 0.0
    score = PAIR_TEXT_WEIGHT * text + PAIR_CONCEPT_WEIGHT * overlap
    if score < PAIR_THRESHOLD:
        return None
    terms = sorted(a.terms & b.terms, key=lambda t: (-corpus.idf.get(t, 0.0), t))[:SHARED_TERMS]
    return DutyPair(a=a.brief(), b=b.brief(), score=round(score, 4), text_similarity=round(text, 4),
                    concept_overlap=round(overlap, 4), shared_terms=terms,
                    shared_concepts=sorted(a.concepts & b.concepts))


def duty_pairs(corpus: Corpus, a: list[CorpusDuty], b: list[CorpusDuty], limit: int) -> list[DutyPair]:
    pairs = [p for x in a for y in b if x.id != y.id and (p := pair_view(corpus, x, y)) is not None]
    pairs.sort(key=lambda p: (-p.score, p.a.id, p.b.id))
    return pairs[:limit]


def comparison(corpus: Corpus, a: UnitInMunicipality, b: UnitInMunicipality, limit: int) -> Comparison:
    """Shared concepts with both sides' duties, the concepts of one side only, and the alike duty pairs."""
    duties_a, duties_b = corpus.duties.get(a.id, []), corpus.duties.get(b.id, [])
    concepts_a, concepts_b = by_concept(duties_a), by_concept(duties_b)
    shared = [SharedConcept(concept=concept_ref(corpus.concepts, c), a=[d.brief() for d in concepts_a[c]],
                            b=[d.brief() for d in concepts_b[c]])
              for c in sorted(set(concepts_a) & set(concepts_b), key=lambda c: concept_sort_key(corpus, c))]
    return Comparison(a=a, b=b, shared=shared, only_a=only_in(corpus, concepts_a, concepts_b),
                      only_b=only_in(corpus, concepts_b, concepts_a),
                      pairs=duty_pairs(corpus, duties_a, duties_b, limit), threshold=PAIR_THRESHOLD)


async def load_comparison(store: Store, index: Any, base: str, a: str, b: str, limit: int) -> Comparison:
    unit_a = await load_unit_ref(store, unit_iri(base, a), a)
    unit_b = await load_unit_ref(store, unit_iri(base, b), b)
    corpus = await load_corpus(store, index)
    return await asyncio.to_thread(comparison, corpus, unit_a, unit_b, limit)


# --- similar units --------------------------------------------------------------------------------------

def similar_view(corpus: Corpus, own: str, other: CorpusHolder) -> SimilarUnit | None:
    mine, theirs = corpus.concept_vectors.get(own, {}), corpus.concept_vectors.get(other.id, {})
    concepts = cosine(mine, theirs)
    text = cosine(corpus.text_vectors.get(own, {}), corpus.text_vectors.get(other.id, {}))
    score = UNIT_CONCEPT_WEIGHT * concepts + UNIT_TEXT_WEIGHT * text
    if score < MIN_SIMILAR:
        return None
    shared = sorted(set(mine) & set(theirs), key=lambda c: (-mine[c] * theirs[c], c))
    return SimilarUnit(unit=other.ref(), municipality=Ref(id=other.office, name=other.municipality),
                       score=round(score, 4), concept_similarity=round(concepts, 4),
                       text_similarity=round(text, 4),
                       shared_concepts=[concept_ref(corpus.concepts, c) for c in shared])


def similar_units(corpus: Corpus, unit: UnitInMunicipality, limit: int) -> list[SimilarUnit]:
    """The holders of other offices most like the unit, best first."""
    office = unit.municipality.id if unit.municipality else None
    found = [view for other in corpus.holders.values()
             if other.id != unit.id and other.office != office
             and (view := similar_view(corpus, unit.id, other)) is not None]
    found.sort(key=lambda v: (-v.score, v.unit.id))
    return found[:limit]


async def load_similar(store: Store, index: Any, iri: str, limit: int, id: str | None = None) -> SimilarUnits:
    """The view of /api/units/{id}/similar (and of the unit page's section); NotFound for a non-unit."""
    unit = await load_unit_ref(store, iri, id or iri)
    corpus = await load_corpus(store, index)
    return SimilarUnits(unit=unit, results=await asyncio.to_thread(similar_units, corpus, unit, limit))


# --- endpoints ------------------------------------------------------------------------------------------

UnitParam = Annotated[str, Query(min_length=1, max_length=1000,
                                 description="Unit id as in /api/units/{id} (1261011/ks-02) or its full IRI")]


@router.get("/compare", response_model=Comparison,
            summary="Two units side by side: shared concepts, concepts of one only, duty pairs that say the same")
async def compare(
    store: StoreDep, index: SearchIndexDep, settings: SettingsDep, a: UnitParam, b: UnitParam,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many duty pairs")] = 50,
) -> Comparison:
    return await load_comparison(store, index, settings.base_iri, a, b, limit)


@router.get("/units/{id:path}/similar", response_model=SimilarUnits,
            summary="The most similar units of other municipalities (concept and text similarity)")
async def similar(
    store: StoreDep, index: SearchIndexDep, settings: SettingsDep,
    id: Annotated[str, Path(description="IRI path after the base, e.g. 1261011/ks-02")],
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many units")] = 10,
) -> SimilarUnits:
    return await load_similar(store, index, unit_iri(settings.base_iri, id), limit, id)
