"""The competence scheme (ontology/concepts.ttl) and the rules that classify duties by it
(ontology/concept-rules.toml).

`classify(text)` says which concepts a text is about and which rule said so; `classify_graph(graph)` gives
the triples that record it for every komp:Duty of a graph:

    ?duty dct:subject ?concept .
    <{duty}/classification/{slug}> a prov:Entity ; prov:wasDerivedFrom ?duty ; dct:subject ?concept ;
        komp:classificationRule "rule-id" .

A sub-item that no rule classifies inherits its parent's concepts (rule id "inherited:{rule}"), because a
sub-item such as "opracowanie wyników głosowania" is about what its parent is about.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kompetencje.loaders.morphology import fold
from kompetencje.search.analyzer import Analyzer, Token, acronym_definitions, default_analyzer
from kompetencje.vocab import KOMP

__all__ = [
    "CONCEPT_BASE",
    "Concept",
    "Rule",
    "classify",
    "classify_graph",
    "classify_tokens",
    "load_concepts",
    "load_rules",
    "load_scheme",
    "scheme_path",
]

CONCEPT_BASE = "https://w3id.org/kompetencje/concept/"
INHERITED = "inherited:"


def scheme_path() -> Path:
    return Path(str(resources.files("kompetencje.ontology").joinpath("concepts.ttl")))


def rules_path() -> Path:
    return Path(str(resources.files("kompetencje.ontology").joinpath("concept-rules.toml")))


# ---------------------------------------------------------------------------------------------- scheme

@dataclass(frozen=True)
class Concept:
    """A concept of the scheme with its labels by language ("pl", "en")."""

    iri: str
    pref_labels: Mapping[str, str]
    alt_labels: Mapping[str, tuple[str, ...]]
    broader: tuple[str, ...] = ()
    definition: Mapping[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.iri.removeprefix(CONCEPT_BASE)

    def labels(self) -> list[tuple[str, str, bool]]:
        """(label, language, preferred) for every label."""
        found = [(label, lang, True) for lang, label in self.pref_labels.items()]
        return found + [(label, lang, False) for lang, labels in self.alt_labels.items() for label in labels]

    def name(self, language: str = "pl") -> str:
        return self.pref_labels.get(language) or next(iter(self.pref_labels.values()), self.slug)


@cache
def load_scheme(path: Path | None = None) -> Graph:
    """The SKOS scheme as an rdflib graph (cached: do not modify it)."""
    return Graph().parse(path or scheme_path(), format="turtle")


@cache
def load_concepts(path: Path | None = None) -> dict[str, Concept]:
    """Every skos:Concept of the scheme by IRI."""
    graph = load_scheme(path)
    return {str(node): _concept(graph, node) for node in sorted(graph.subjects(RDF.type, SKOS.Concept))}


def _concept(graph: Graph, node: object) -> Concept:
    def by_language(predicate: URIRef) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for value in sorted(graph.objects(node, predicate)):
            found.setdefault(getattr(value, "language", None) or "", []).append(str(value))
        return found

    return Concept(
        iri=str(node),
        pref_labels={lang: values[0] for lang, values in by_language(SKOS.prefLabel).items()},
        alt_labels={lang: tuple(values) for lang, values in by_language(SKOS.altLabel).items()},
        broader=tuple(sorted(str(b) for b in graph.objects(node, SKOS.broader))),
        definition={lang: values[0] for lang, values in by_language(SKOS.definition).items()},
    )


# ---------------------------------------------------------------------------------------------- rules

@dataclass(frozen=True)
class Rule:
    """All `groups` (each a set of alternative folded lemmas) occur (in this order if `ordered`), within
    `near` words if given, and none of `exclude` does."""

    id: str
    concept: str
    groups: tuple[frozenset[str], ...]
    near: int | None = None
    exclude: frozenset[str] = frozenset()
    ordered: bool = False

    def matches(self, tokens: Sequence[Token]) -> bool:
        if any(term in self.exclude for token in tokens for term in token.terms):
            return False
        positions = [[t.position for t in tokens if group.intersection(t.terms)] for group in self.groups]
        if not all(positions):
            return False
        if self.ordered:
            span = ordered_span(positions)
            return span is not None and (self.near is None or span <= self.near)
        return self.near is None or minimal_span(positions) <= self.near


def minimal_span(positions: Sequence[Sequence[int]]) -> int:
    """The smallest max-min distance of a choice of one position from every list (lists non-empty)."""
    events = sorted((pos, group) for group, found in enumerate(positions) for pos in found)
    need, counts, covered, best, start = len(positions), [0] * len(positions), 0, float("inf"), 0
    for pos, group in events:
        counts[group] += 1
        covered += counts[group] == 1
        while covered == need:
            first_pos, first_group = events[start]
            best = min(best, pos - first_pos)
            counts[first_group] -= 1
            covered -= counts[first_group] == 0
            start += 1
    return int(best)


def ordered_span(positions: Sequence[Sequence[int]]) -> int | None:
    """The smallest last-first distance of increasing positions, one from each list in order; None if none."""
    best: int | None = None
    for start in positions[0]:
        current = start
        for found in positions[1:]:
            following = [pos for pos in found if pos > current]
            if not following:
                return best
            current = min(following)
        best = current - start if best is None else min(best, current - start)
    return best


class RuleError(ValueError):
    """The rules file is malformed."""


@cache
def load_rules(path: Path | None = None, concepts_path: Path | None = None) -> tuple[Rule, ...]:
    """The classification rules, checked: unique ids, known concepts, non-empty groups."""
    data = tomllib.loads((path or rules_path()).read_text(encoding="utf-8"))
    known = load_concepts(concepts_path)
    rules = tuple(_rule(entry, known) for entry in data.get("rule", []))
    ids = [rule.id for rule in rules]
    if len(ids) != len(set(ids)):
        raise RuleError(f"duplicate rule ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return rules


def _rule(entry: Mapping[str, object], known: Mapping[str, Concept]) -> Rule:
    rule_id = str(entry.get("id", ""))
    concept = CONCEPT_BASE + str(entry.get("concept", ""))
    if not rule_id or concept not in known:
        raise RuleError(f"rule {rule_id!r}: unknown concept {entry.get('concept')!r}")
    raw_groups = entry.get("all")
    if not isinstance(raw_groups, list) or not raw_groups:
        raise RuleError(f"rule {rule_id!r}: 'all' must be a non-empty list")
    groups = tuple(frozenset(fold(w) for w in ([g] if isinstance(g, str) else g)) for g in raw_groups)
    if not all(groups):
        raise RuleError(f"rule {rule_id!r}: empty group")
    near = entry.get("near")
    if near is not None and (not isinstance(near, int) or near < 1):
        raise RuleError(f"rule {rule_id!r}: 'near' must be a positive integer")
    exclude = frozenset(fold(w) for w in entry.get("none", []))  # type: ignore[union-attr]
    return Rule(rule_id, concept, groups, near, exclude, bool(entry.get("ordered", False)))


def rule_lemmas(rule_file: Path | None = None) -> list[tuple[str, str]]:
    """(rule id, lemma as written) for every lemma of the rules file (for checking them)."""
    data = tomllib.loads((rule_file or rules_path()).read_text(encoding="utf-8"))
    found = []
    for entry in data.get("rule", []):
        for group in entry.get("all", []):
            found += [(entry["id"], lemma) for lemma in ([group] if isinstance(group, str) else group)]
        found += [(entry["id"], lemma) for lemma in entry.get("none", [])]
    return found


# ---------------------------------------------------------------------------------------------- classify

def classify_tokens(tokens: Sequence[Token], rules: Iterable[Rule] | None = None) -> list[tuple[str, str]]:
    """(concept IRI, id of the first rule that gave it) for an analysed text, in rule order."""
    found: dict[str, str] = {}
    present = {term for token in tokens for term in token.terms}
    for rule in load_rules() if rules is None else rules:
        # every group must have a term in the text: a set test that spares most rules the positional match
        if rule.concept not in found and all(not group.isdisjoint(present) for group in rule.groups) \
                and rule.matches(tokens):
            found[rule.concept] = rule.id
    return list(found.items())


def classify(text: str, analyzer: Analyzer | None = None) -> list[tuple[str, str]]:
    """(concept IRI, rule id) for every concept a duty text is about; [] when no rule fires."""
    return classify_tokens((analyzer or default_analyzer()).analyze(text))


def classify_graph(graph: Graph) -> Graph:
    """The triples that classify every komp:Duty of `graph` (to be added to it), as described above."""
    analyzer = analyzer_for_texts(_texts(graph), _office_abbreviations(graph))
    duties = _duty_texts(graph)
    own = {duty: classify(text, analyzer) for duty, text in duties.items()}
    result = Graph()
    for duty in sorted(duties):
        for concept, rule_id in own[duty] or _inherited(graph, duty, own):
            _record(result, duty, concept, rule_id)
    return result


def analyzer_for_texts(texts: Iterable[str], abbreviations: Mapping[str, str] | None = None) -> Analyzer:
    """The default analyser, plus the acronyms the texts define and the given abbreviations."""
    learnt = dict(default_analyzer().abbreviations)
    for key, value in (abbreviations or {}).items():
        learnt.setdefault(key, value)
    for text in texts:
        for key, value in acronym_definitions(text).items():
            learnt.setdefault(key, value)
    return Analyzer(abbreviations=learnt)


def _texts(graph: Graph) -> list[str]:
    duties = graph.subjects(RDF.type, KOMP.Duty)
    return [str(text) for duty in duties for text in graph.objects(duty, DCTERMS.description)]


def _duty_texts(graph: Graph) -> dict[URIRef, str]:
    """One text per duty (the longest, when sources gave it in two versions)."""
    found: dict[URIRef, str] = {}
    for duty in graph.subjects(RDF.type, KOMP.Duty):
        texts = sorted((str(t) for t in graph.objects(duty, DCTERMS.description)), key=lambda t: (-len(t), t))
        if texts and isinstance(duty, URIRef):
            found[duty] = texts[0]
    return found


def _office_abbreviations(graph: Graph) -> dict[str, str]:
    """Alternative labels of offices that are acronyms ("UMK") → the office's name."""
    found: dict[str, str] = {}
    for office in graph.subjects(RDF.type, KOMP.Office):
        name = graph.value(office, SKOS.prefLabel)
        for alt in graph.objects(office, SKOS.altLabel):
            if name is not None and str(alt).isupper() and 2 <= len(str(alt)) <= 8:
                found.setdefault(fold(str(alt)), str(name))
    return found


def _inherited(graph: Graph, duty: URIRef, own: Mapping[URIRef, list[tuple[str, str]]],
               ) -> list[tuple[str, str]]:
    """The concepts of the nearest ancestor that has any, marked as inherited."""
    seen = {duty}
    parent = graph.value(duty, KOMP.subDutyOf)
    while isinstance(parent, URIRef) and parent not in seen:
        if own.get(parent):
            return [(concept, INHERITED + rule.removeprefix(INHERITED)) for concept, rule in own[parent]]
        seen.add(parent)
        parent = graph.value(parent, KOMP.subDutyOf)
    return []


def _record(result: Graph, duty: URIRef, concept: str, rule_id: str) -> None:
    node = URIRef(f"{duty}/classification/{concept.removeprefix(CONCEPT_BASE)}")
    result.add((duty, DCTERMS.subject, URIRef(concept)))
    result.add((node, RDF.type, PROV.Entity))
    result.add((node, PROV.wasDerivedFrom, duty))
    result.add((node, DCTERMS.subject, URIRef(concept)))
    result.add((node, KOMP.classificationRule, Literal(rule_id)))

