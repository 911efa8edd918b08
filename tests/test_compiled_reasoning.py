"""Compiled reasoning gives exactly what owlrl gives (`reasoning.reason`), in Python and in the store;
compiled validation gives exactly the report pySHACL gives (`validation.validate_graph`).

The reference is `reason(graph, ontology)`; the compiled routes are `apply_in_python` and `apply_in_store`.
They are compared triple for triple (set equality) on each seed document's un-reasoned graph, on the
shapes fixtures, on all seeds in one store at once, and on random small graphs over the ontology's terms.
The store route is compared with owlrl's graph loaded into a store the same way, because the store writes
some literals in canonical form ("1.0"^^xsd:decimal as "1") whoever reasons.

The reference for validation is `validate_graph` (pySHACL); the compiled route is `validate_graph_compiled`
(one graph) and `validate_in_store` + `report_for` (many graphs in one store). Reports are compared as text
and as dicts on the reasoned seeds, on every shapes fixture (as written, without the ontology, reasoned), on
all fixtures in one store, on badly typed values, and on randomly damaged seeds.
"""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from functools import cache, lru_cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kompetencje.loaders.compiled_reasoning import (
    Rule,
    UnsupportedAxiom,
    apply_in_python,
    apply_in_store,
    compile_rules,
    entailments,
)
from kompetencje.loaders.compiled_validation import (
    Check,
    UnsupportedShape,
    compile_shapes,
    load_graph,
    report_for,
    validate_graph_compiled,
    validate_in_store,
)
from kompetencje.loaders.iris import DocumentIris, IriMinter
from kompetencje.loaders.pipeline import discover_sources, load_documents
from kompetencje.loaders.reasoning import load_ontology, reason
from kompetencje.loaders.resolve import build_registry, choose_canonical
from kompetencje.loaders.to_graph import document_to_graph
from kompetencje.validation import ValidationReport, validate_graph
from kompetencje.vocab import DCT, KOMP, ORG, SKOS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
SEED_IDS = [p.stem for p in discover_sources(SOURCES)]
SHAPE_CASES = sorted((Path(__file__).parent / "shapes").glob("*/*.ttl"))
BASE = "https://w3id.org/kompetencje/id/"
ID = Namespace(BASE)
MAX_DIFF_LINES = 40


# ----------------------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    return tuple(compile_rules(load_ontology()))


@lru_cache(maxsize=1)
def seed_graphs() -> dict[str, Graph]:
    """Each seed document's graph before reasoning, made the way `pipeline.graphs_for` makes it."""
    loaded, failures = load_documents(discover_sources(SOURCES), keep_going=False)
    assert not failures
    minter = IriMinter(BASE)
    documents = [item.document for item in loaded]
    registry = build_registry(documents, minter)
    iris = {d.meta.doc_id: DocumentIris(d, minter, registry) for d in documents}
    canon, _ = choose_canonical(documents, iris)
    return {item.document.meta.doc_id: document_to_graph(item.document, iris[item.document.meta.doc_id],
                                                         canon, item.content)
            for item in loaded}


@cache
def seed_reference(doc_id: str) -> Graph:
    """owlrl's closure of a seed document (the slow part of these tests, so made once)."""
    return reason(seed_graphs()[doc_id], load_ontology())


def graph_name(doc_id: str) -> str:
    return f"{BASE}graph/{doc_id}"


def load_into(store: ox.Store, graph: Graph, name: str) -> None:
    store.load(graph.serialize(format="nt").encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))


def quads_of(store: ox.Store, name: str) -> set[str]:
    return {f"{q.subject} {q.predicate} {q.object} ." for q in store.quads_for_pattern(None, None, None,
                                                                                       ox.NamedNode(name))}


def as_stored(graph: Graph) -> set[str]:
    """The graph as the store holds it (canonical literals), in N-Triples lines."""
    store = ox.Store()
    load_into(store, graph, "urn:x-test:g")
    return quads_of(store, "urn:x-test:g")


def closure_in_store(graph: Graph) -> set[str]:
    store = ox.Store()
    load_into(store, graph, "urn:x-test:g")
    apply_in_store(store, rules(), ["urn:x-test:g"])
    return quads_of(store, "urn:x-test:g")


def n3(triple: tuple[Node, Node, Node]) -> str:
    return " ".join(term.n3() for term in triple) + " ."


def diff_text(label: str, expected: set[str], actual: set[str]) -> str:
    lines = [f"{label}: {len(expected - actual)} missing, {len(actual - expected)} extra"]
    lines += [f"  - {t}" for t in sorted(expected - actual)[:MAX_DIFF_LINES]]
    lines += [f"  + {t}" for t in sorted(actual - expected)[:MAX_DIFF_LINES]]
    return "\n".join(lines)


def assert_same(label: str, expected: set[str], actual: set[str]) -> None:
    assert expected == actual, diff_text(label, expected, actual)


def assert_all_routes_agree(graph: Graph, label: str, reference: Graph | None = None) -> None:
    reference = reference if reference is not None else reason(graph, load_ontology())
    assert_same(f"{label}: apply_in_python vs owlrl", {n3(t) for t in reference},
                {n3(t) for t in apply_in_python(graph, rules())})
    assert_same(f"{label}: apply_in_store vs owlrl", as_stored(reference), closure_in_store(graph))


# ----------------------------------------------------------------------------------------------------------
# Equivalence on real data
# ----------------------------------------------------------------------------------------------------------


def test_there_are_seeds_and_cases() -> None:
    assert len(SEED_IDS) >= 5
    assert len(SHAPE_CASES) >= 20


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_seed_document_closure_is_owlrl_closure(doc_id: str) -> None:
    graph, reference = seed_graphs()[doc_id], seed_reference(doc_id)
    assert len(reference) > len(graph), "the seed should have entailments to compare"
    assert_all_routes_agree(graph, doc_id, reference)


@pytest.mark.parametrize("path", SHAPE_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shapes_fixture_closure_is_owlrl_closure(path: Path) -> None:
    assert_all_routes_agree(Graph().parse(path, format="turtle"), path.stem)


@pytest.mark.parametrize("mode", ["bulk-update", "bulk-load", "graph-by-graph"])
def test_all_seeds_in_one_store_each_graph_on_its_own(mode: str, tmp_path: Path) -> None:
    """Over every named graph at once (updates, or selects and a bulk load) or graph by graph, in a store on
    disk: nothing leaks from one graph to another, and the graphs left out (the ontology's) are left alone."""
    store = ox.Store(str(tmp_path / "store"))
    for doc_id, graph in seed_graphs().items():
        load_into(store, graph, graph_name(doc_id))
    load_into(store, load_ontology(), f"{BASE}graph/ontology")
    ontology_before = quads_of(store, f"{BASE}graph/ontology")
    if mode == "graph-by-graph":
        apply_in_store(store, rules(), [graph_name(d) for d in seed_graphs()])
    else:
        apply_in_store(store, rules(), exclude=[f"{BASE}graph/ontology"], bulk_load=mode == "bulk-load")
    for doc_id in seed_graphs():
        assert_same(doc_id, as_stored(seed_reference(doc_id)), quads_of(store, graph_name(doc_id)))
    assert quads_of(store, f"{BASE}graph/ontology") == ontology_before


def test_store_over_every_named_graph() -> None:
    doc_id, graph = next(iter(seed_graphs().items()))
    store = ox.Store()
    load_into(store, graph, graph_name(doc_id))
    apply_in_store(store, rules(), None)
    assert_same(doc_id, as_stored(seed_reference(doc_id)), quads_of(store, graph_name(doc_id)))


def test_rules_run_in_a_process_pool() -> None:
    """Rules and triples go to worker processes and entailments come back (pickled both ways)."""
    graphs = list(seed_graphs().values())[:2]
    with ProcessPoolExecutor(max_workers=2) as pool:
        found = list(pool.map(entailments, [list(g) for g in graphs], [rules()] * len(graphs)))
    for graph, derived in zip(graphs, found, strict=True):
        assert set(graph) | derived == set(apply_in_python(graph, rules()))


# ----------------------------------------------------------------------------------------------------------
# Equivalence on random graphs over the ontology's terms
# ----------------------------------------------------------------------------------------------------------


def vocabulary() -> tuple[list[URIRef], list[URIRef]]:
    """The ontology's classes and properties, plus a few outside terms (no entailments expected)."""
    ontology = load_ontology()
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    classes |= {c for c in ontology.objects(None, RDFS.subClassOf) if isinstance(c, URIRef)}
    properties = {p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
                  for p in ontology.subjects(RDF.type, kind) if isinstance(p, URIRef)}
    properties |= {p for p in ontology.objects(None, RDFS.subPropertyOf) if isinstance(p, URIRef)}
    classes |= {OWL.Thing, OWL.Nothing, SKOS.Concept}
    properties |= {DCT.source, SKOS.prefLabel}
    return sorted(classes), sorted(properties)


CLASSES, PROPERTIES = vocabulary()
INDIVIDUALS = [ID[f"n{i}"] for i in range(6)]
# An ontology term used as an individual (its entailments must be dropped) and a literal as a value.
OBJECTS = [*INDIVIDUALS, KOMP.Unit, Literal("x"), Literal(2), Literal("x", lang="pl")]

type_triples = st.tuples(st.sampled_from([*INDIVIDUALS, KOMP.reportsTo]), st.just(RDF.type),
                         st.sampled_from(CLASSES))
edge_triples = st.tuples(st.sampled_from([*INDIVIDUALS, ORG.Post]), st.sampled_from(PROPERTIES),
                         st.sampled_from(OBJECTS))
# Chains and cycles are the interesting cases for transitivity: favour the reporting and org properties.
chain_triples = st.tuples(st.sampled_from(INDIVIDUALS),
                          st.sampled_from([KOMP.reportsTo, KOMP.reportsToTransitive, ORG.subOrganizationOf,
                                           ORG.unitOf, ORG.hasUnit, ORG.hasSubOrganization,
                                           KOMP.cooperatesWith]),
                          st.sampled_from(INDIVIDUALS))


@st.composite
def instance_graphs(draw: st.DrawFn) -> Graph:
    triples = draw(st.lists(st.one_of(type_triples, edge_triples, chain_triples, chain_triples),
                            max_size=14))
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instance_graphs())
def test_random_graph_closure_is_owlrl_closure(graph: Graph) -> None:
    assert_all_routes_agree(graph, "random graph:\n" + "\n".join(sorted(n3(t) for t in graph)))


# ----------------------------------------------------------------------------------------------------------
# The rules themselves
# ----------------------------------------------------------------------------------------------------------


def test_rules_are_small_inserts_over_named_graphs() -> None:
    assert 20 <= len(rules()) <= 200
    names = [r.name for r in rules()]
    assert len(names) == len(set(names))
    for rule in rules():
        text = rule.sparql
        assert "INSERT {" in text and "GRAPH ?g" in text and "DELETE" not in text, text
        ox.Store().update(text)  # parses


def test_rule_for_reports_to() -> None:
    rule = next(r for r in rules() if r.name == "forward komp:reportsTo")
    assert set(rule.properties) == {ORG.reportsTo, KOMP.reportsToTransitive}
    closure = next(r for r in rules() if r.name == "forward closure komp:reportsToTransitive")
    assert (KOMP.reportsTo, False) in closure.match.steps
    assert "(komp:reportsTo|komp:reportsToTransitive)+" in closure.sparql


def test_update_over_one_graph_or_all_but_some() -> None:
    assert "GRAPH <urn:a> {" in rules()[0].update("urn:a") and "?g" not in rules()[0].update("urn:a")
    assert "?g NOT IN (<urn:b>, <urn:c>)" in rules()[0].update(None, ["urn:b", "urn:c"])


def test_rules_pickle() -> None:
    assert pickle.loads(pickle.dumps(list(rules()))) == list(rules())


def test_ontology_with_unsupported_axiom_is_refused() -> None:
    ontology = Graph()
    for triple in load_ontology():
        ontology.add(triple)
    ontology.add((ORG.unitOf, RDF.type, OWL.FunctionalProperty))
    with pytest.raises(UnsupportedAxiom, match="FunctionalProperty"):
        compile_rules(ontology)


def test_data_with_schema_axiom_is_refused() -> None:
    graph = Graph()
    graph.add((ID["a"], RDF.type, KOMP.Unit))
    graph.add((KOMP.Unit, RDFS.subClassOf, ID["SomethingElse"]))
    with pytest.raises(UnsupportedAxiom, match="subClassOf"):
        apply_in_python(graph, rules())


def test_input_graph_is_not_changed() -> None:
    graph = seed_graphs()[SEED_IDS[0]]
    before = set(graph)
    apply_in_python(graph, rules())
    assert set(graph) == before


def test_no_entailment_across_named_graphs() -> None:
    """A reporting chain split over two documents' graphs is not closed inside either (that is the closure
    graph's job, `pipeline.close_over_union`)."""
    store = ox.Store()
    first, second = "urn:x-test:a", "urn:x-test:b"
    store.add(ox.Quad(ox.NamedNode(ID["a"]), ox.NamedNode(KOMP.reportsTo), ox.NamedNode(ID["b"]),
                      ox.NamedNode(first)))
    store.add(ox.Quad(ox.NamedNode(ID["b"]), ox.NamedNode(KOMP.reportsTo), ox.NamedNode(ID["c"]),
                      ox.NamedNode(second)))
    apply_in_store(store, rules(), [first, second])
    transitive = {(q.subject.value, q.object.value, q.graph_name.value)
                  for q in store.quads_for_pattern(None, ox.NamedNode(KOMP.reportsToTransitive), None)}
    assert transitive == {(str(ID["a"]), str(ID["b"]), first), (str(ID["b"]), str(ID["c"]), second)}


# ----------------------------------------------------------------------------------------------------------
# Compiled validation (loaders/compiled_validation.py) gives pySHACL's report
# ----------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def checks(with_ontology: bool = True) -> tuple[Check, ...]:
    return tuple(compile_shapes(ontology=load_ontology() if with_ontology else None))


def assert_same_report(data: Graph, label: str, *, with_ontology: bool = True) -> ValidationReport:
    ontology = load_ontology() if with_ontology else None
    expected = validate_graph(data, ontology=ontology, source=label)
    actual = validate_graph_compiled(data, ontology=ontology, source=label, checks=checks(with_ontology))
    assert_same(f"{label}: compiled validation vs pySHACL", set(expected.to_text().split("\n\n")),
                set(actual.to_text().split("\n\n")))
    assert actual.as_dicts() == expected.as_dicts()
    assert actual.conforms == expected.conforms
    return actual


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_seed_document_report_is_pyshacl_report(doc_id: str) -> None:
    assert_same_report(seed_reference(doc_id), doc_id)


@pytest.mark.parametrize("form", ["as-written", "without-ontology", "reasoned"])
@pytest.mark.parametrize("path", SHAPE_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shapes_fixture_report_is_pyshacl_report(path: Path, form: str) -> None:
    """As written (with and without the ontology, as test_shapes.py validates them) and reasoned (as the
    build validates: both directions of inverse properties, so SPARQL constraints meet repeated solutions)."""
    graph = Graph().parse(path, format="turtle")
    if form == "reasoned":
        graph = apply_in_python(graph, rules())
    report = assert_same_report(graph, path.stem, with_ontology=form != "without-ontology")
    found = report.violations + report.warnings
    assert bool(found) == (path.parent.name == "invalid"), report.to_text()


XSD_NS = "http://www.w3.org/2001/XMLSchema#"
ELI = Namespace("http://data.europa.eu/eli/ontology#")


@pytest.mark.parametrize(("predicate", "value"), [
    (ELI.date_document, Literal("2021-13-45", datatype=URIRef(XSD_NS + "date"))),
    (ELI.date_document, Literal("1.9.2021", datatype=URIRef(XSD_NS + "date"))),
    (ELI.date_document, Literal("2021-09-01")),
    (KOMP.sequence, Literal("abc", datatype=URIRef(XSD_NS + "integer"))),
    (KOMP.sequence, Literal("2.5", datatype=URIRef(XSD_NS + "decimal"))),
    (KOMP.quality, Literal("0.9", datatype=URIRef(XSD_NS + "double"))),
    (KOMP.itemNumber, Literal("2", lang="pl")),
    (SKOS.prefLabel, Literal("Wydział", lang="PL")),
])
def test_badly_typed_value_report_is_pyshacl_report(predicate: URIRef, value: Literal) -> None:
    """A value of the wrong or of an ill-formed datatype (rdflib cannot read it; the store keeps it as is)."""
    doc_id = next(d for d in SEED_IDS if (None, predicate, None) in seed_reference(d))
    graph = Graph()
    for s, p, o in seed_reference(doc_id):
        graph.add((s, p, value if p == predicate else o))
    report = assert_same_report(graph, doc_id)
    assert report.violations or predicate == SKOS.prefLabel, report.to_text()


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "graph-by-graph"])
def test_fixtures_in_one_store_are_validated_each_on_its_own(bulk: bool) -> None:
    """The invalid fixtures share their IRIs (all of them describe Kraków's KS-05): in one store, each named
    graph must still get exactly its own report."""
    store, graphs = ox.Store(), {}
    for path in SHAPE_CASES:
        name = f"urn:x-test:{path.parent.name}/{path.stem}"
        graphs[name] = Graph().parse(path, format="turtle")
        load_graph(store, graphs[name], name)
    load_graph(store, load_ontology(), "urn:x-test:ontology")
    if bulk:
        findings = validate_in_store(store, checks(), exclude=["urn:x-test:ontology"])
    else:
        findings = validate_in_store(store, checks(), list(graphs))
    assert set(findings) <= set(graphs)
    for name, graph in graphs.items():
        expected = validate_graph(graph, ontology=load_ontology(), source=name)
        actual = report_for(findings.get(name, []), graph, source=name)
        assert actual.to_text() == expected.to_text(), name


# Values a loader might get wrong, put in place of a literal of a seed (the comparisons of sh:minInclusive,
# sh:maxInclusive and sh:lessThanOrEquals only get numbers: pySHACL raises or stays silent on values it
# cannot compare, where SHACL asks for a result).
ODD_LITERALS = [Literal(""), Literal(" "), Literal("1) Prowadzenie", lang="pl"), Literal("KS 02"),
                Literal("x", lang="en"), Literal("X", lang="PL"), Literal("a", lang="pl"), Literal(-1), Literal(3),
                Literal("abc", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")),
                Literal("2021-13-45", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
                Literal("1.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))]
COMPARED = (KOMP.startLine, KOMP.endLine, KOMP.quality, KOMP.sequence)


@st.composite
def damaged_seeds(draw: st.DrawFn) -> tuple[str, Graph]:
    """A reasoned seed graph with some triples dropped, some literals replaced, some objects swapped."""
    doc_id = draw(st.sampled_from(sorted(SEED_IDS, key=lambda d: len(seed_graphs()[d]))[:4]))
    triples = sorted(seed_reference(doc_id))
    subjects = sorted({s for s, _, _ in triples})
    graph = Graph()
    for s, p, o in triples:
        action = draw(st.sampled_from(["keep"] * 24 + ["drop", "replace", "replace"]))
        if action == "drop":
            continue
        if action == "replace" and isinstance(o, Literal):
            o = draw(st.sampled_from([Literal(2), Literal(7)] if p in COMPARED else ODD_LITERALS))
        elif action == "replace":
            o = draw(st.sampled_from(subjects))
        graph.add((s, p, o))
    return doc_id, graph


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(damaged_seeds())
def test_damaged_seed_report_is_pyshacl_report(case: tuple[str, Graph]) -> None:
    doc_id, graph = case
    assert_same_report(graph, doc_id)


def test_unsupported_shape_is_refused() -> None:
    shapes = Graph()
    shape = URIRef("urn:x-test:shape")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, KOMP.Duty))
    shapes.add((shape, SH.closed, Literal(True)))
    with pytest.raises(UnsupportedShape, match="closed"):
        compile_shapes(shapes)


def test_checks_are_selects_over_one_or_every_named_graph() -> None:
    assert len(checks()) >= 100
    for check in checks():
        one = check.query("urn:x-test:a")
        assert "GRAPH <urn:x-test:a>" in one and "?g" not in one, one
        bulk = check.query(None, ["urn:x-test:b"])
        assert "GRAPH ?g" in bulk and "?g NOT IN (<urn:x-test:b>)" in bulk, bulk
        list(ox.Store().query(one))  # parses and runs
        list(ox.Store().query(bulk))
