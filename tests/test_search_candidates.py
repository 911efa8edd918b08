"""Search scores only its candidates (the duties a query's terms occur in, those classified with a matched
concept) and gives exactly what scoring every duty gave: the same hits, in the same order, with the same
scores and explanations.

The oracle is the dense implementation as it was before (`DenseReference`: its scoring methods copied
verbatim, every array one value per indexed duty, `bm25s.BM25.get_scores` for every term), over the same
documents and BM25 indexes; it is compared on the seeds as built and on a synthetic corpus (bench/generate.py)
indexed three times over (ties between identical duties), for the dev and extra queries and more, with and
without a municipality, at several dates."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kompetencje.search.index import (
    BONUS_FLOOR,
    FIELDS,
    MAX_MUNICIPALITY_CHARS,
    Expansion,
    Hit,
    ParsedQuery,
    QueryGroup,
    Ref,
    SearchIndex,
    _is_municipality,
    _ref_dict,
)

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
if str(ROOT) not in sys.path:  # `bench` is a top-level folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from build_fixtures import built_store, seed_build  # noqa: E402

from bench.generate import generate_corpus  # noqa: E402
from kompetencje.loaders.pipeline import build  # noqa: E402

QUERY_FILES = (TESTS / "eval" / "queries.dev.jsonl", TESTS / "search_queries.extra.jsonl")
MORE_QUERIES = (
    "podatek od nieruchomości", "gospodarka odpadami komunalnymi", "rejestracja pojazdów", "zieleń miejska",
    "nabór na wolne stanowiska urzędnicze", "budżet gminy", "archiwum zakładowe", "tablice rejestracyjne",
    "kto się zajmuje promocją miasta", "kto odpowiada za konsultacje społeczne w Krakowie",
    "konferencje prasowe w Katowicach", "obsługa BIP", "strona internetowa urzędu", "ochrona środowiska",
    "zezwolenia na sprzedaż alkoholu", "współpraca z organizacjami pozarządowymi", "promocja miasta",
    "who handles press conferences", "social media", "journalists", "public consultations", "city brand",
    "relations with journalists", "obituaries", "crisis communication", "PR", "UMK",
    "konsultacje spoleczne", "budzet obywatelski", "w i oraz", "xyzzy", "",
)
DATES = (None, "2000-01-01", "2021-08-31", "2024-06-30", "2100-01-01")
BASE = "https://w3id.org/kompetencje/id/"


# ---------------------------------------------------------------------------------------------- the oracle

class DenseReference(SearchIndex):
    """`SearchIndex` as it scored before: dense arrays over every document (the methods below are the
    original ones, verbatim)."""

    def __init__(self, index: SearchIndex) -> None:
        super().__init__(index.docs, index.analyzer, index.field_terms, index.text_tokens, index.weights,
                         index.retrievers)
        self.concept_docs = self._concept_docs()

    def search(self, q: str, municipality: str | None = None, limit: int = 10, at: str | None = None) -> list[Hit]:
        """The best duties for a need, best first; [] for an empty query or an unknown municipality. Without
        `municipality`, a capitalised municipality name in the query ("… w Katowicach") filters. Only duties
        in force on `at` (ISO date, default today) count."""
        if limit <= 0 or not self.docs:
            return []
        parsed = self.parse(q)
        if not parsed.groups and not parsed.expansions:
            return []
        mask = self.municipality_mask(municipality or parsed.municipality)
        if mask is not None and not mask.any():
            return []
        scores, details = self._score(parsed)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        scores = np.where(self.in_force_mask(at or date.today().isoformat()), scores, 0.0)
        return self._hits(scores, details, parsed, limit)

    def municipality_mask(self, municipality: str | None) -> np.ndarray | None:
        """Which documents belong to the municipality (by name in any inflection, TERYT or office IRI)."""
        if not municipality or not municipality.strip():
            return None
        wanted = municipality.strip()[:MAX_MUNICIPALITY_CHARS]
        offices = {key for key, ref in self._municipality_keys.items() if _is_municipality(ref, wanted)}
        return np.array([doc.municipality.id in offices for doc in self.docs], dtype=bool)

    def _term_scores(self, name: str, terms: Iterable[str], cache: dict[tuple[str, str], np.ndarray],
                     ) -> np.ndarray:
        """Per document the best BM25 score of any of the terms in one field."""
        best = np.zeros(len(self.docs), dtype=np.float32)
        for term in terms:
            key = (name, term)
            if key not in cache:
                known = term in self.vocab[name]
                cache[key] = self.retrievers[name].get_scores([term]) if known else np.zeros(len(self.docs))
            best = np.maximum(best, cache[key])
        return best

    def _group_scores(self, group: QueryGroup, cache: dict[tuple[str, str], np.ndarray]) -> dict[str, np.ndarray]:
        return {name: self._term_scores(name, group.terms, cache) for name in FIELDS}

    def _score(self, parsed: ParsedQuery) -> tuple[np.ndarray, dict[str, Any]]:
        cache: dict[tuple[str, str], np.ndarray] = {}
        weights = dict(zip(FIELDS, self.weights.fields, strict=True))
        lexical = np.zeros(len(self.docs), dtype=np.float32)
        per_group = []
        for group in parsed.groups:
            by_field = self._group_scores(group, cache)
            per_group.append(by_field)
            lexical += group.weight * sum(weights[name] * by_field[name] for name in FIELDS)
        proximity = self._proximity_factor(parsed.groups, per_group)
        lexical *= proximity
        expansion, expansion_in_text = self._expansion_scores(parsed.expansions, weights, cache)
        scores = lexical + expansion
        boosted = self._concept_bonus(parsed.concepts)
        if boosted is not None:
            scores = scores + boosted * self.weights.concept_bonus * max(float(scores.max()), BONUS_FLOOR)
        own = sum((g.weight * (pg["text"] > 0) for g, pg in zip(parsed.groups, per_group, strict=True)),
                  np.zeros(len(self.docs), dtype=np.float32)) if parsed.groups else (expansion_in_text > 0)
        return scores, {"per_group": per_group, "expansion": expansion, "boosted": boosted, "own": own,
                        "proximity": proximity}

    def _proximity_factor(self, groups: Sequence[QueryGroup], per_group: Sequence[dict[str, np.ndarray]],
                          ) -> np.ndarray:
        factor = np.ones(len(self.docs), dtype=np.float32)
        own = [g for g in groups if g.weight >= 1.0]
        if len(own) < 2:
            return factor
        in_text = np.all([pg["text"] > 0 for g, pg in zip(groups, per_group, strict=True) if g.weight >= 1.0],
                         axis=0)
        for index in np.flatnonzero(in_text):
            if _span(self.text_tokens[index], own) <= len(own):
                factor[index] += self.weights.proximity
        return factor

    def _expansion_scores(self, expansions: Sequence[Expansion], weights: Mapping[str, float],
                          cache: dict[tuple[str, str], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Per concept the best of its labels (a label counts only when all its words match one field);
        and the part of it from the documents' own text."""
        best: dict[str, np.ndarray] = {}
        in_text = np.zeros(len(self.docs), dtype=np.float32)
        for expansion in expansions:
            label_score = np.zeros(len(self.docs), dtype=np.float32)
            for name in FIELDS:
                parts = [self._term_scores(name, g.terms, cache) for g in expansion.groups]
                complete = np.all([p > 0 for p in parts], axis=0)
                total = np.where(complete, sum(g.weight * p for g, p in zip(expansion.groups, parts, strict=True)), 0)
                label_score += weights[name] * total
                if name == "text":
                    in_text = np.maximum(in_text, total)
            current = best.get(expansion.concept)
            best[expansion.concept] = label_score if current is None else np.maximum(current, label_score)
        return sum(best.values(), np.zeros(len(self.docs), dtype=np.float32)), in_text

    def _concept_bonus(self, concepts: Mapping[str, float]) -> np.ndarray | None:
        """Per document the largest coverage of a matched concept it is classified with (or below)."""
        if not concepts:
            return None
        bonus = np.zeros(len(self.docs), dtype=np.float32)
        for concept, coverage in concepts.items():
            hit = self.concept_docs.get(concept)
            if hit is not None:
                bonus = np.maximum(bonus, np.where(hit, coverage, 0.0))
        return bonus

    def _concept_docs(self) -> dict[str, np.ndarray]:
        """Concept → which documents are classified with it or a narrower concept."""
        return {concept: np.array([bool(below & found) for found in self.doc_concepts], dtype=bool)
                for concept, below in self.narrower.items()}

    def _hits(self, scores: np.ndarray, details: Mapping[str, Any], parsed: ParsedQuery, limit: int) -> list[Hit]:
        """Families (a top-level duty and its sub-items) ranked by their best member; each shown once, by
        the member whose own text answers most of the query, the shallower one on a tie: "budżet
        obywatelski" shows the duty "Prowadzenie spraw w zakresie Budżetu Obywatelskiego", not its sub-item
        about the vote, while "media społecznościowe" shows the sub-item that mentions them."""
        positive = np.flatnonzero(scores > 0)  # usually a small part of the corpus: sort only those
        order = positive[np.argsort(-scores[positive], kind="stable")]
        hits: list[Hit] = []
        seen_families: set[int] = set()
        for index in order:
            if len(hits) >= limit:
                break
            family = int(self.top_index[index])
            if family in seen_families:
                continue
            seen_families.add(family)
            shown = self._representative(family, scores, details["own"])
            hit = self._hit(shown, float(scores[index]), details, parsed)
            if shown != index:
                hit.explanation["best_scoring_item"] = self.docs[int(index)].id
            hits.append(hit)
        return hits

    def _representative(self, family: int, scores: np.ndarray, own: np.ndarray) -> int:
        members = [m for m in self.families[family] if scores[m] > 0]
        return max(members, key=lambda m: (round(float(own[m]), 6), -self.depth[m], float(scores[m]), -m))

    def _hit(self, index: int, score: float, details: Mapping[str, Any], parsed: ParsedQuery) -> Hit:
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
            score=round(score, 4), explanation=self._explain(index, details, parsed),
        )

    def _explain(self, index: int, details: Mapping[str, Any], parsed: ParsedQuery) -> dict[str, Any]:
        matched: dict[str, list[str]] = {name: [] for name in FIELDS}
        for group, by_field in zip(parsed.groups, details["per_group"], strict=True):
            for name in FIELDS:
                if by_field[name][index] > 0:
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
                "via_concept_labels": round(float(details["expansion"][index]), 4),
                "words_together": bool(details["proximity"][index] > 1),
                "duty_concepts": sorted(doc_concepts)}


def _span(doc_tokens: Sequence[tuple[str, ...]], groups: Sequence[QueryGroup]) -> int:
    """Smallest window (in words) of the document holding a term of every group (large when none)."""
    positions = [[i for i, terms in enumerate(doc_tokens) if set(terms) & set(g.terms)] for g in groups]
    if not all(positions):
        return 1 << 30
    events = sorted((pos, k) for k, found in enumerate(positions) for pos in found)
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


# ---------------------------------------------------------------------------------------------- the cases

def queries() -> list[tuple[str, str | None]]:
    """The dev and extra queries (with their municipality), and more."""
    found = [(row["q"], row.get("municipality")) for path in QUERY_FILES
             for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if row]
    return found + [(q, None) for q in MORE_QUERIES]


def filters(index: SearchIndex) -> list[str | None]:
    """No municipality, every office (by IRI, name or TERYT in turn), an inflected name, an unknown one."""
    refs = sorted({doc.municipality.id: doc.municipality for doc in index.docs}.values(), key=lambda r: r.id)
    ways = [ref.id if i % 3 == 0 else (ref.name or ref.id) if i % 3 == 1 else (ref.symbol or ref.id)
            for i, ref in enumerate(refs)]
    return [None, *ways[:6], "Krakowie", "Katowicach", "Gmina Nieistniejąca", "   "]


def compare(index: SearchIndex, oracle: DenseReference) -> dict[str, int]:
    """Every query under every filter and date: the same hits (as the API shows them) from both."""
    counts = {"searches": 0, "with_hits": 0, "hits": 0}
    for q, own_filter in queries():
        for municipality in dict.fromkeys([own_filter, *filters(index)]):
            for at in DATES:
                expected = [hit.to_dict() for hit in oracle.search(q, municipality=municipality, limit=15, at=at)]
                found = [hit.to_dict() for hit in index.search(q, municipality=municipality, limit=15, at=at)]
                assert found == expected, (q, municipality, at)
                counts["searches"] += 1
                counts["with_hits"] += bool(found)
                counts["hits"] += len(found)
    return counts


def tiled(index: SearchIndex, copies: int) -> SearchIndex:
    """The index's duties `copies` times over (renamed, under renamed units and offices): identical duties
    that score alike, and more of them."""
    docs, fields, tokens = [], {name: [] for name in FIELDS}, []
    for copy in range(copies):
        docs += [_renamed(doc, f"-{copy}" if copy else "") for doc in index.docs]
        for name in FIELDS:
            fields[name] += index.field_terms[name]
        tokens += index.text_tokens
    return SearchIndex(docs, index.analyzer, fields, tokens, index.weights)


def _renamed(doc: Any, suffix: str) -> Any:
    def ref(r: Ref) -> Ref:
        return Ref(r.id + suffix, r.name, r.symbol)

    return dataclasses.replace(doc, id=doc.id + suffix, parent=doc.parent and doc.parent + suffix,
                               top=doc.top + suffix, children=[c + suffix for c in doc.children],
                               concepts=list(doc.concepts), unit=ref(doc.unit),
                               department=ref(doc.department), municipality=ref(doc.municipality))


# ---------------------------------------------------------------------------------------------- the tests

@pytest.fixture(scope="module")
def seed_index(request) -> SearchIndex:
    try:
        store = request.getfixturevalue("built_store")
    except Exception as error:  # the build pipeline is not importable or fails
        pytest.skip(f"no seed build: {error}")
    return SearchIndex.build(store)


@pytest.fixture(scope="module")
def synthetic_index(tmp_path_factory) -> SearchIndex:
    """A synthetic corpus (seven gminas) built as `kompetencje build` builds it; its saved index loaded."""
    folder = tmp_path_factory.mktemp("synthetic")
    generate_corpus(0.003, 7, folder / "corpus")
    result = build(folder / "corpus" / "sources", folder / "build", base_iri=BASE)
    assert result.failures == []
    return SearchIndex.load(result.out_dir / "search")


def test_seed_search_is_the_dense_search(seed_index):
    counts = compare(seed_index, DenseReference(seed_index))
    assert counts["with_hits"] > counts["searches"] // 3, counts


def test_synthetic_search_is_the_dense_search(synthetic_index):
    index = tiled(synthetic_index, 3)
    counts = compare(index, DenseReference(index))
    assert counts["with_hits"] > counts["searches"] // 4, counts


def test_municipality_masks_are_the_dense_masks(seed_index, synthetic_index):
    for index in (seed_index, synthetic_index):
        oracle = DenseReference(index)
        for municipality in filters(index):
            expected, found = oracle.municipality_mask(municipality), index.municipality_mask(municipality)
            assert (found is None and expected is None) or np.array_equal(found, expected), municipality


def test_the_concept_bonus_counts_the_best_score_of_filtered_out_duties(seed_index):
    """The bonus scales with the best score of all duties, those a filter leaves out too: a filtered
    search scores its duties as the unfiltered one does."""
    cases = 0
    for q in (q for q, _ in queries() if seed_index.parse(q).municipality is None):
        everywhere = {hit.duty: hit.score for hit in seed_index.search(q, limit=1000)}
        for municipality in filters(seed_index)[1:4]:
            hits = seed_index.search(q, municipality=municipality, limit=1000)
            assert all(everywhere[hit.duty] == hit.score for hit in hits), (q, municipality)
            cases += bool(hits and seed_index.parse(q).concepts)
    assert cases > 10


def test_candidates_are_the_duties_that_can_score(synthetic_index):
    """A query word in any field, every word of an expansion label in one field, or a matched concept."""
    index = synthetic_index
    sizes = []
    for q, _ in queries():
        parsed = index.parse(q)
        expected = {i for i in range(len(index.docs)) if _can_score(index, parsed, i)}
        candidates = index._candidates(parsed)
        assert candidates.tolist() == sorted(expected), q
        sizes.append(len(candidates))
    assert 0 < min(s for s in sizes if s) < len(index.docs) // 10 and max(sizes) < len(index.docs), sizes


def _can_score(index: SearchIndex, parsed: ParsedQuery, i: int) -> bool:
    fields = [set(index.field_terms[name][i]) for name in FIELDS]
    if any(set(group.terms) & terms for group in parsed.groups for terms in fields):
        return True
    if any(all(set(g.terms) & terms for g in e.groups) for e in parsed.expansions for terms in fields):
        return True
    return any(index.narrower[c] & index.doc_concepts[i] for c in parsed.concepts)
