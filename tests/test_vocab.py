"""kompetencje/vocab.py is generated from the ontology; this fails when the two drift apart."""

from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal

from kompetencje import vocabgen


def test_vocab_module_matches_the_ontology():
    graph = Graph().parse(vocabgen.ontology_path())
    generated = Path(vocabgen.__file__).with_name("vocab.py").read_text(encoding="utf-8")
    assert generated == vocabgen.render(graph), "run: python -m kompetencje.vocabgen"


def test_every_term_has_pl_and_en_labels_and_comments():
    graph = Graph().parse(vocabgen.ontology_path())
    for name in vocabgen.term_names(graph):
        iri = next(s for s in graph.subjects() if str(s) == vocabgen.KOMP_NS + name)
        for prop in (RDFS.label, RDFS.comment):
            languages = {o.language for o in graph.objects(iri, prop) if isinstance(o, Literal)}
            assert {"pl", "en"} <= languages, f"komp:{name} lacks {prop} in pl and en"


def test_ontology_declares_the_contract_alignment():
    graph = Graph().parse(vocabgen.ontology_path())
    ns = vocabgen.KOMP_NS
    org = "http://www.w3.org/ns/org#"

    def sub(a, p, b):
        from rdflib import URIRef
        return (URIRef(a), p, URIRef(b)) in graph

    assert sub(ns + "Department", RDFS.subClassOf, org + "OrganizationalUnit")
    assert sub(ns + "Unit", RDFS.subClassOf, org + "OrganizationalUnit")
    assert sub(ns + "Post", RDFS.subClassOf, org + "Post")
    assert sub(ns + "reportsTo", RDFS.subPropertyOf, org + "reportsTo")
    assert sub(ns + "cooperatesWith", RDFS.subPropertyOf, org + "linkedTo")
    assert sub(ns + "cooperatesWith", RDF.type, str(OWL.SymmetricProperty))
    assert sub(ns + "reportsToTransitive", RDF.type, str(OWL.TransitiveProperty))
