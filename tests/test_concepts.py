"""The competence scheme (ontology/concepts.ttl), its classification rules (ontology/concept-rules.toml) and
`kompetencje.search.concepts`: classify(text), classify_graph(graph), and the concepts of the seed duties."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kompetencje.loaders.morphology import fold
from kompetencje.search.analyzer import default_analyzer
from kompetencje.search.concepts import (
    CONCEPT_BASE,
    Rule,
    RuleError,
    classify,
    classify_graph,
    load_concepts,
    load_rules,
    load_scheme,
    minimal_span,
    ordered_span,
    rule_lemmas,
)

KOMP = Namespace("https://w3id.org/kompetencje/ontology#")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEME = URIRef(CONCEPT_BASE)


def slug(iri: object) -> str:
    return str(iri).removeprefix(CONCEPT_BASE)


# ---------------------------------------------------------------------------------------------- scheme

def test_scheme_has_40_to_80_concepts_in_one_concept_scheme():
    graph = load_scheme()
    assert (SCHEME, RDF.type, SKOS.ConceptScheme) in graph
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert 40 <= len(concepts) <= 80
    assert all(str(c).startswith(CONCEPT_BASE) for c in concepts)
    assert all((c, SKOS.inScheme, SCHEME) in graph for c in concepts)


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_concept_has_labels_and_a_definition_in_polish_and_english(language):
    for concept in load_concepts().values():
        assert concept.pref_labels.get(language), concept.iri
        assert concept.alt_labels.get(language), concept.iri
        assert concept.definition.get(language), concept.iri


def test_broader_links_stay_inside_the_scheme_and_have_no_cycles():
    concepts = load_concepts()
    for concept in concepts.values():
        seen, todo = {concept.iri}, list(concept.broader)
        while todo:
            broader = todo.pop()
            assert broader in concepts, f"{concept.iri} → {broader}"
            assert broader != concept.iri, f"cycle through {concept.iri}"
            if broader not in seen:
                seen.add(broader)
                todo.extend(concepts[broader].broader)


def test_top_concepts_are_exactly_those_without_broader():
    graph = load_scheme()
    tops = set(graph.objects(SCHEME, SKOS.hasTopConcept))
    without_broader = {URIRef(c.iri) for c in load_concepts().values() if not c.broader}
    assert tops == without_broader
    assert all((top, SKOS.topConceptOf, SCHEME) in graph for top in tops)


def test_the_scheme_covers_the_competences_people_ask_about():
    wanted = {"press-conferences", "media-monitoring", "responses-to-criticism", "crisis-communication",
              "social-media", "city-web-portal", "city-newspaper", "public-information", "public-consultations",
              "participatory-budget", "residents-interventions", "meetings-with-residents", "honorary-patronage",
              "ceremonies-anniversaries", "city-brand", "visual-identity", "promotional-campaigns",
              "promotional-materials", "marketing-research", "international-cooperation", "procurement",
              "budget-finance", "human-resources", "archives", "information-security", "legal-drafting",
              "office-administration", "occupational-safety", "data-protection", "assets", "it-systems",
              "reporting-statistics", "ngo-cooperation", "tourism-promotion", "events", "civic-dialogue",
              "information-campaigns", "quality-management", "complaints", "mayor-secretariat",
              "council-relations", "delegated-tasks"}
    assert wanted <= {slug(iri) for iri in load_concepts()}


# ---------------------------------------------------------------------------------------------- rules

def test_rules_load_with_unique_ids_and_known_concepts():
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules) > 60
    assert all(r.concept in load_concepts() for r in rules)


def test_every_concept_below_the_top_has_a_rule():
    ruled = {r.concept for r in load_rules()}
    missing = [c.iri for c in load_concepts().values() if c.broader and c.iri not in ruled]
    assert not missing


def test_rule_lemmas_are_lemmas_the_analyser_gives():
    analyzer = default_analyzer()
    wrong = [(rule_id, lemma) for rule_id, lemma in rule_lemmas()
             if fold(lemma) not in (analyzer.terms(lemma)[:1] or [()])[0]]
    assert not wrong, f"not a lemma of itself (use the dictionary form): {wrong}"


def test_a_malformed_rule_is_refused(tmp_path):
    bad = tmp_path / "rules.toml"
    bad.write_text('[[rule]]\nid = "x"\nconcept = "no-such-concept"\nall = ["a"]\n', encoding="utf-8")
    with pytest.raises(RuleError):
        load_rules(bad)
    bad.write_text('[[rule]]\nid = "x"\nconcept = "archives"\nall = []\n', encoding="utf-8")
    with pytest.raises(RuleError):
        load_rules(bad)


def test_spans():
    assert minimal_span([[0, 9], [3, 10]]) == 1
    assert minimal_span([[5], [5]]) == 0
    assert ordered_span([[4], [1, 6]]) == 2
    assert ordered_span([[4], [1]]) is None


def test_rule_near_ordered_and_none():
    analyzer = default_analyzer()
    rule = Rule("t", CONCEPT_BASE + "council-relations", (frozenset({"rada"}), frozenset({"miasto"})), near=1,
                ordered=True)
    assert rule.matches(analyzer.analyze("sesja Rady Miasta"))
    assert not rule.matches(analyzer.analyze("urząd miasta oraz rady dzielnic"))
    excluded = Rule("t", CONCEPT_BASE + "budget-finance", (frozenset({"budzet"}),),
                    exclude=frozenset({"obywatelski"}))
    assert excluded.matches(analyzer.analyze("projekt budżetu"))
    assert not excluded.matches(analyzer.analyze("budżet obywatelski"))


# ---------------------------------------------------------------------------------------------- classify

@pytest.mark.parametrize(("text", "concept"), [
    ("Prowadzenie profilu Gminy na Facebooku i Instagramie", "social-media"),
    ("Organizacja konferencji prasowych Burmistrza", "press-conferences"),
    ("Przygotowywanie projektów uchwał Rady Miejskiej", "legal-drafting"),
    ("Przygotowywanie projektów uchwał Rady Miejskiej", "council-relations"),
    ("Obsługa sekretariatu Wójta", "mayor-secretariat"),
    ("Prowadzenie spraw kadrowych pracowników urzędu", "human-resources"),
    ("Rozpatrywanie skarg i wniosków mieszkańców", "complaints"),
    ("Współpraca z organizacjami pozarządowymi", "ngo-cooperation"),
    ("Przygotowanie planu zamówień publicznych", "procurement"),
    ("Wydawanie gazety samorządowej", "city-newspaper"),
    ("Wykonywanie innych zadań zleconych przez Burmistrza", "delegated-tasks"),
    ("Realizacja zadań z zakresu ochrony danych osobowych", "data-protection"),
    ("Koordynacja obchodów rocznic i świąt państwowych", "ceremonies-anniversaries"),
    ("Współpraca z miastami partnerskimi", "international-cooperation"),
    ("Prowadzenie strony internetowej gminy", "city-web-portal"),
    ("Publikowanie informacji w BIP", "public-information-bulletin"),
    ("Udostępnianie informacji publicznej na wniosek", "public-information"),
    ("Prowadzenie spraw z zakresu BHP", "occupational-safety"),
    ("prowadzenie spraw zwiazanych z budzetem obywatelskim", "participatory-budget"),
])
def test_classify_general_duty_texts(text, concept):
    found = classify(text)
    assert CONCEPT_BASE + concept in [c for c, _ in found], found
    assert all(rule_id.startswith(slug(c) + ".") for c, rule_id in found)


def test_classify_unrelated_text_gives_nothing():
    assert classify("Lorem ipsum dolor sit amet") == []
    assert classify("") == []


def test_the_participatory_budget_is_not_the_budget():
    found = {slug(c) for c, _ in classify("Prowadzenie spraw w zakresie Budżetu Obywatelskiego")}
    assert "participatory-budget" in found
    assert "budget-finance" not in found


def test_classify_graph_records_subject_and_rule():
    graph = Graph()
    duty = URIRef("https://example.org/id/u/duty/1")
    sub = URIRef("https://example.org/id/u/duty/1.a")
    graph.add((duty, RDF.type, KOMP.Duty))
    graph.add((duty, DCTERMS.description, Literal("Organizowanie konferencji prasowych Prezydenta", lang="pl")))
    graph.add((sub, RDF.type, KOMP.Duty))
    graph.add((sub, KOMP.subDutyOf, duty))
    graph.add((sub, DCTERMS.description, Literal("w dni robocze", lang="pl")))
    added = classify_graph(graph)
    concept = URIRef(CONCEPT_BASE + "press-conferences")
    assert (duty, DCTERMS.subject, concept) in added
    node = URIRef(f"{duty}/classification/press-conferences")
    assert (node, RDF.type, PROV.Entity) in added
    assert (node, PROV.wasDerivedFrom, duty) in added
    assert (node, DCTERMS.subject, concept) in added
    assert (node, KOMP.classificationRule, Literal("press-conferences.konferencja-prasowa")) in added
    # the sub-item says nothing a rule knows: it inherits its parent's concept, marked as inherited
    assert (sub, DCTERMS.subject, concept) in added
    inherited = URIRef(f"{sub}/classification/press-conferences")
    assert str(added.value(inherited, KOMP.classificationRule)).startswith("inherited:")


def test_classify_graph_uses_only_existing_ontology_terms():
    ontology = Graph().parse(Path(__file__).resolve().parent.parent / "ontology" / "kompetencje.ttl")
    store = ox.Store()
    store.load(path=str(FIXTURES / "mini.trig"), format=ox.RdfFormat.TRIG)
    flat = Graph()
    for name in store.named_graphs():
        flat.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name), format="nt")
    added = classify_graph(flat)
    assert len(added) > 0
    for predicate in set(added.predicates()):
        if str(predicate).startswith(str(KOMP)):
            assert (predicate, None, None) in ontology, predicate


# ---------------------------------------------------------------------------------------------- the seeds

SEED_CONCEPT_COUNTS = {
    "promotion": 33, "interdepartmental-cooperation": 17, "communication": 16, "public-consultations": 16,
    "city-web-portal": 14, "information-policy": 13, "civic-dialogue": 12, "reporting-statistics": 11,
    "information-campaigns": 10, "press-relations": 10, "delegated-tasks": 9, "image-building": 9,
    "city-newspaper": 8, "events": 8, "it-systems": 8, "mayor-representation": 8, "promotion-coordination": 8,
    "public-information": 8, "budget-finance": 7, "external-partners": 7, "participatory-budget": 7,
    "social-media": 7, "promotional-materials": 6, "internal-communication": 5, "legal-drafting": 5,
    "media-monitoring": 5, "press-materials": 5, "promotional-campaigns": 5, "advertising": 4,
    "audiovisual-production": 4, "crisis-management": 4, "regulatory-compliance": 4,
    "residents-interventions": 4, "archives": 3, "assets": 3, "city-brand": 3, "council-relations": 3,
    "crisis-communication": 3, "honorary-patronage": 3, "information-security": 3, "ngo-cooperation": 3,
    "press-conferences": 3, "responses-to-criticism": 3, "accessibility": 2, "ceremonies-anniversaries": 2,
    "contracts": 2, "customer-service": 2, "e-services": 2, "expert-opinions": 2, "human-resources": 2,
    "international-cooperation": 2, "media-patronage": 2, "meetings-with-residents": 2,
    "office-administration": 2, "procurement": 2, "public-opinion-research": 2, "residents-enquiries": 2,
    "staff-training": 2, "strategic-planning": 2, "visual-identity": 2, "work-discipline": 2,
    "public-information-bulletin": 4,
    "condolences-greetings": 1, "data-protection": 1, "marketing-research": 1, "mayor-secretariat": 1,
    "municipal-companies": 1, "occupational-safety": 1, "quality-management": 1, "tourism-promotion": 1,
}
"""How many of the 211 seed duties (top-level and sub-items) each concept classifies. A change to the rules
that moves these numbers is a change to review."""


@pytest.fixture(scope="module")
def seed_graph(request) -> Graph:
    """The seeds as built (every named graph of the store in one rdflib graph)."""
    try:
        store = request.getfixturevalue("built_store")
    except Exception as error:  # the build pipeline is not importable or fails: nothing to classify
        pytest.skip(f"no seed build: {error}")
    graph = Graph()
    for name in store.named_graphs():
        graph.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name), format="nt")
    return graph


def test_every_seed_duty_gets_a_concept_and_the_counts_are_as_listed(seed_graph):
    added = classify_graph(seed_graph)
    duties = set(seed_graph.subjects(RDF.type, KOMP.Duty))
    assert len(duties) == 211
    unclassified = [d for d in duties if (d, DCTERMS.subject, None) not in added]
    assert not unclassified
    counts = Counter(slug(c) for d in duties for c in added.objects(d, DCTERMS.subject))
    print("\nconcept counts over the seed duties:")
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {count:3d}  {name}")
    assert dict(counts) == SEED_CONCEPT_COUNTS


def test_seed_classifications_carry_their_rule(seed_graph):
    added = classify_graph(seed_graph)
    rule_ids = {r.id for r in load_rules()}
    for node in added.subjects(KOMP.classificationRule, None):
        rule = str(added.value(node, KOMP.classificationRule)).removeprefix("inherited:")
        assert rule in rule_ids


# make the shared seed-build fixtures available to this module
from build_fixtures import built_store, seed_build  # noqa: E402
