"""The DCAT-AP 3 catalog at /catalog validates against the DCAT-AP 3.0.1 shapes; VoID at /.well-known/void."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import rdflib
from pyshacl import validate
from rdflib import namespace as ns

pytestmark = pytest.mark.server

SHAPES = Path(__file__).parent / "standards" / "dcat-ap-3.0.1"
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
GOVE = rdflib.URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE")
CC_BY = rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")


@pytest.fixture(scope="module")
def client(live_server) -> httpx.Client:
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def catalog(client: httpx.Client) -> rdflib.Graph:
    response = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.text, format="turtle")


def violations(data: rdflib.Graph, *shape_files: str) -> list[str]:
    shapes = rdflib.Graph()
    for name in shape_files:
        shapes.parse(SHAPES / name, format="turtle")
    _, report, text = validate(data, shacl_graph=shapes, inference="none", abort_on_first=False,
                               allow_warnings=True)
    found = [r for r in report.subjects(ns.RDF.type, ns.SH.ValidationResult)
             if report.value(r, ns.SH.resultSeverity) == ns.SH.Violation]
    return [text] if found else []


def test_catalog_conforms_to_dcat_ap_shapes_and_ranges(catalog: rdflib.Graph) -> None:
    assert violations(catalog, "shapes.ttl", "range.ttl") == []


def test_catalog_has_no_violation_of_the_recommended_shapes(catalog: rdflib.Graph) -> None:
    assert violations(catalog, "shapes_recommended.ttl") == []


def test_catalog_content(catalog: rdflib.Graph, client: httpx.Client) -> None:
    cat = next(catalog.subjects(ns.RDF.type, ns.DCAT.Catalog))
    dataset = catalog.value(cat, ns.DCAT.dataset)
    assert {t.language for t in catalog.objects(dataset, ns.DCTERMS.title)} == {"pl", "en"}
    assert {t.language for t in catalog.objects(dataset, ns.DCTERMS.description)} == {"pl", "en"}
    assert (dataset, ns.DCAT.theme, GOVE) in catalog
    assert (dataset, ns.DCTERMS.license, CC_BY) in catalog
    assert (CC_BY, ns.RDF.type, ns.DCTERMS.LicenseDocument) in catalog
    publisher = catalog.value(dataset, ns.DCTERMS.publisher)
    assert (publisher, ns.RDF.type, ns.FOAF.Agent) in catalog and catalog.value(publisher, ns.FOAF.name)
    assert catalog.value(dataset, ns.DCTERMS.issued) and catalog.value(dataset, ns.DCTERMS.modified)
    downloads = {str(u) for d in catalog.objects(dataset, ns.DCAT.distribution)
                 if (u := catalog.value(d, ns.DCAT.downloadURL)) is not None}
    index = client.get("/dumps/").json()["dumps"]
    assert {d["url"] for d in index} <= downloads
    media_types = {str(t) for d in catalog.objects(dataset, ns.DCAT.distribution)
                   if (t := catalog.value(d, ns.DCAT.mediaType)) is not None}
    assert "http://www.iana.org/assignments/media-types/text/turtle" in media_types
    service = catalog.value(cat, ns.DCAT.service)
    assert (service, ns.RDF.type, ns.DCAT.DataService) in catalog
    assert str(catalog.value(service, ns.DCAT.endpointURL)).endswith("/sparql")
    assert (service, ns.DCAT.servesDataset, dataset) in catalog
    for url in downloads:  # every download URL works
        assert client.get(urlsplit(url).path).status_code == 200


@pytest.mark.parametrize("accept", list(FORMATS))
def test_catalog_in_every_format(client: httpx.Client, catalog: rdflib.Graph, accept: str) -> None:
    response = client.get("/catalog", headers={"Accept": accept})
    assert response.headers["content-type"].split(";")[0] == accept
    graph = rdflib.Graph().parse(data=response.content, format=FORMATS[accept])
    assert len(graph) == len(catalog)


def test_void(client: httpx.Client, live_server) -> None:
    response = client.get("/.well-known/void")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    dataset = next(s for s in graph.subjects(ns.RDF.type, ns.VOID.Dataset) if graph.value(s, ns.VOID.sparqlEndpoint))
    assert str(graph.value(dataset, ns.VOID.sparqlEndpoint)).endswith("/sparql")
    dumps = {str(d).rsplit("/", 1)[1] for d in graph.objects(dataset, ns.VOID.dataDump)}
    assert dumps == {"kompetencje.ttl", "kompetencje.nt", "kompetencje.trig", "kompetencje.jsonld"}
    subsets = {str(s): int(graph.value(s, ns.VOID.triples)) for s in graph.objects(dataset, ns.VOID.subset)}
    source_graph = "https://w3id.org/kompetencje/id/graph/001_5d749821937a7dbe"
    assert subsets[source_graph] > 0
    assert str(graph.value(rdflib.URIRef(source_graph), ns.DCTERMS.source)).endswith("/source/001_5d749821937a7dbe")
    triples = int(graph.value(dataset, ns.VOID.triples))
    assert 0 < triples <= sum(subsets.values())
