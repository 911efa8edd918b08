"""Generate kompetencje/vocab.py from ontology/kompetencje.ttl (run: python -m kompetencje.vocabgen).

The ontology is the single source of vocabulary: code imports `KOMP.Duty`, never types the IRI.
tests/test_vocab.py fails when vocab.py drifts from the ontology.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from rdflib import OWL, RDF, Graph

KOMP_NS = "https://w3id.org/kompetencje/ontology#"
HEADER = '''"""Vocabulary constants generated from ontology/kompetencje.ttl by kompetencje.vocabgen. Do not edit."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, DefinedNamespace
from rdflib.term import URIRef

ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
CV = Namespace("http://data.europa.eu/m8g/")
LOCN = Namespace("http://www.w3.org/ns/locn#")
DCT = DCTERMS
KOMP_NS = "{ns}"

PREFIXES = {{
    "komp": KOMP_NS, "org": str(ORG), "skos": str(SKOS), "dct": str(DCTERMS), "prov": str(PROV),
    "eli": str(ELI), "cv": str(CV), "foaf": str(FOAF), "locn": str(LOCN), "rdf": str(RDF),
    "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD), "dcat": str(DCAT), "void": str(VOID),
}}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, to put in front of a query."""
    return "".join(f"PREFIX {{p}}: <{{iri}}>\\n" for p, iri in PREFIXES.items())


class KOMP(DefinedNamespace):
    """Terms of the kompetencje ontology."""

    _NS = Namespace(KOMP_NS)
    _fail = True
'''


def ontology_path() -> Path:
    return Path(str(resources.files("kompetencje.ontology") / "kompetencje.ttl"))


def term_names(graph: Graph) -> list[str]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.TransitiveProperty,
             OWL.SymmetricProperty, OWL.AnnotationProperty)
    names = {str(s)[len(KOMP_NS):] for k in kinds for s in graph.subjects(RDF.type, k)
             if str(s).startswith(KOMP_NS)}
    return sorted(names)


def render(graph: Graph) -> str:
    lines = [HEADER.format(ns=KOMP_NS)]
    lines += [f"    {name}: URIRef" for name in term_names(graph)]
    return "\n".join(lines) + "\n"


def main() -> int:
    graph = Graph().parse(ontology_path())
    target = Path(__file__).with_name("vocab.py")
    target.write_text(render(graph), encoding="utf-8")
    print(f"wrote {target} ({len(term_names(graph))} terms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
