"""Linked data: every IRI under the base dereferences at /id/{path}, negotiated, against the live server."""

from __future__ import annotations

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

pytestmark = pytest.mark.server

ID = "https://w3id.org/kompetencje/id/"
KS02 = ID + "1261011/ks-02"
KS05 = ID + "1261011/ks-05"
ACT = ID + "1261011/act/2399-2021"
ELI = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
KOMP = rdflib.Namespace("https://w3id.org/kompetencje/ontology#")
PARSERS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
           "application/rdf+xml": "xml"}


@pytest.fixture(scope="module")
def ld(live_server) -> httpx.Client:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


def fetch(client: httpx.Client, path: str, accept: str = "text/turtle") -> rdflib.Graph:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    media_type = response.headers["content-type"].split(";")[0]
    assert "accept" in response.headers["vary"].lower()
    return rdflib.Graph().parse(data=response.content, format=PARSERS[media_type])


@pytest.mark.parametrize("accept", list(PARSERS))
def test_unit_in_every_rdf_format(ld: httpx.Client, accept: str) -> None:
    graph = fetch(ld, "/id/1261011/ks-05", accept)
    unit = rdflib.URIRef(KS05)
    assert (unit, SKOS.notation, rdflib.Literal("KS-05")) in graph
    assert (unit, RDF.type, rdflib.URIRef("http://www.w3.org/ns/org#OrganizationalUnit")) in graph
    # labels of the linked resources come along (the superior post, the department)
    deputy = rdflib.URIRef(ID + "1261011/ks/post/zastepca-dyrektora-ds-promocji")
    assert graph.value(deputy, SKOS.prefLabel) == rdflib.Literal("Zastępca Dyrektora ds. Promocji", lang="pl")


def test_same_description_in_every_format(ld: httpx.Client) -> None:
    graphs = [fetch(ld, "/id/1261011/ks-02", accept) for accept in PARSERS]
    sizes = {len(g) for g in graphs}
    assert len(sizes) == 1, sizes
    assert isomorphic(graphs[0], graphs[2])


def test_a_triple_stated_by_two_documents_appears_once(ld: httpx.Client) -> None:
    response = ld.get("/id/1261011/ks-02", headers={"Accept": "application/n-triples"})
    label = f'<{KS02}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Biuro Prasowe"@pl .'
    assert response.text.count(label) == 1


def test_legal_act_brings_its_provisions(ld: httpx.Client) -> None:
    """Fragment IRIs ({act}#par8-pkt2) cannot be asked for on their own: the act's document holds them."""
    graph = fetch(ld, "/id/1261011/act/2399-2021")
    provision = rdflib.URIRef(ACT + "#par8-pkt2")
    assert graph.value(provision, ELI.number) == rdflib.Literal("§ 8 pkt 2")
    assert (rdflib.URIRef(ACT + "#par8-pkt3-lit-a"), ELI.is_part_of, rdflib.URIRef(ACT + "#par8-pkt3")) in graph


def test_source_document_brings_its_spans(ld: httpx.Client) -> None:
    graph = fetch(ld, "/id/source/001_5d749821937a7dbe")
    span = rdflib.URIRef(ID + "source/001_5d749821937a7dbe#line=135,135")
    assert graph.value(span, KOMP.startLine).toPython() == 135


def test_named_graph_iri_gives_its_content(ld: httpx.Client) -> None:
    graph = fetch(ld, "/id/graph/000_a7a7e54fe18a7d12")
    assert (rdflib.URIRef(KS02 + "/contact"), rdflib.URIRef("http://data.europa.eu/m8g/telephone"),
            rdflib.Literal("12-616-1360")) in graph


def test_iri_known_only_as_an_object_gets_what_points_at_it(ld: httpx.Client) -> None:
    graph = fetch(ld, "/id/law/art-33-ust-3-ustawy-o-samorzadzie-gminnym")
    law = rdflib.URIRef(ID + "law/art-33-ust-3-ustawy-o-samorzadzie-gminnym")
    assert (rdflib.URIRef(ACT), ELI.based_on, law) in graph
    assert graph.value(rdflib.URIRef(ACT), ELI.title) is not None


@pytest.mark.parametrize("path", ["/id/nie-ma-takiego", "/id/1261011/ks-99", "/id/%3Cscript%3E", "/id/"])
def test_unknown_is_404_problem(ld: httpx.Client, path: str) -> None:
    response = ld.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_browser_gets_html(ld: httpx.Client) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    response = ld.get("/id/1261011/act/2399-2021", headers=browser)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Zarządzenie Nr 2399/2021" in response.text
    assert 'href="/id/1261011"' in response.text  # links inside the graph stay on this server
    assert 'rel="alternate"' in response.headers["link"]
    unit = ld.get("/id/1261011/ks-02", headers=browser)
    assert unit.status_code == 200 and "Biuro Prasowe" in unit.text


def test_format_parameter_and_wildcard(ld: httpx.Client) -> None:
    assert ld.get("/id/1261011/ks-02").headers["content-type"].startswith("text/turtle")  # */*
    assert ld.get("/id/1261011/ks-02", params={"format": "jsonld"}).headers["content-type"].startswith(
        "application/ld+json")
    assert ld.get("/id/1261011/ks-02", headers={"Accept": "image/png"}).status_code == 406
