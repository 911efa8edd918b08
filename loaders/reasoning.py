"""Reasoning: the ontology's entailments for one document's graph, with owlrl (OWL 2 RL).

owlrl runs at about 1,000 triples/s here, so it runs per document over (document + ontology), and only the
entailments that users query are kept: types in the project's vocabularies, inverse, symmetric,
transitive and super-properties. Reflexive owl:sameAs, rdfs:Resource/owl:Thing types and statements about
the ontology's own terms are dropped.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import owlrl
from rdflib import OWL, RDF, Graph, Literal, URIRef

KEPT_NAMESPACES = (
    "https://w3id.org/kompetencje/ontology#",
    "http://www.w3.org/ns/org#",
    "http://data.europa.eu/m8g/",
    "http://data.europa.eu/eli/ontology#",
    "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/ns/locn#",
)
ONTOLOGY_FILES = ("kompetencje.ttl", "org-axioms.ttl")


@lru_cache(maxsize=1)
def load_ontology() -> Graph:
    """The TBox: the project ontology and the ORG axioms it builds on."""
    graph = Graph()
    folder = resources.files("kompetencje.ontology")
    for name in ONTOLOGY_FILES:
        graph.parse(data=(folder / name).read_text(encoding="utf-8"), format="turtle")
    return graph


def tbox_terms(ontology: Graph) -> frozenset[URIRef]:
    return frozenset(s for s in ontology.subjects() if isinstance(s, URIRef))


def is_kept(triple: tuple, terms: frozenset[URIRef]) -> bool:
    s, p, o = triple
    if isinstance(s, Literal) or s in terms or p == OWL.sameAs:
        return False
    if not str(p).startswith(KEPT_NAMESPACES) and p != RDF.type:
        return False
    if p == RDF.type:
        return isinstance(o, URIRef) and str(o).startswith(KEPT_NAMESPACES)
    return True


def reason(graph: Graph, ontology: Graph | None = None) -> Graph:
    """The graph plus its kept entailments (a new graph; the input is not changed)."""
    ontology = ontology if ontology is not None else load_ontology()
    work = Graph()
    for triple in graph:
        work.add(triple)
    for triple in ontology:
        work.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(work)
    terms = tbox_terms(ontology)
    result = Graph()
    for triple in graph:
        result.add(triple)
    for triple in work:
        if triple not in result and is_kept(triple, terms):
            result.add(triple)
    return result


