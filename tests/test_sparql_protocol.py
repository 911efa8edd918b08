"""The SPARQL 1.1 Protocol at /sparql, against live servers, with real clients.

- The W3C protocol test suite (tests/standards/sparql11-protocol/manifest.ttl): every query test passes;
  every update test gets the refusal of a read-only service (403 problem), after the protocol's own checks
  (malformed update, wrong media type, ... are 4xx before anything is refused).
- rdflib's SPARQLStore (CONSTRUCT asked as RDF/XML, as dane.gov.pl harvests) and SPARQLWrapper.
- Content negotiation, SERVICE and update refusal, the time limit (a query past it is stopped: its worker
  process is killed) and the row cap.
"""

from __future__ import annotations

import asyncio
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, RDFXML, SPARQLWrapper

from kompetencje.api import query_text
from kompetencje.api.conneg import OFFERS, Kind, negotiate
from kompetencje.api.problems import NotAcceptable
from kompetencje.api.store import EmbeddedStore, bind, iri
from kompetencje.errors import InputError, QueryTimeout

pytestmark = pytest.mark.server

PROTOCOL = Path(__file__).parent / "standards" / "sparql11-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
PROBLEM = "application/problem+json"
ID = "https://w3id.org/kompetencje/id/"
KS02 = ID + "1261011/ks-02"
P = ("PREFIX org: <http://www.w3.org/ns/org#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
     "PREFIX komp: <https://w3id.org/kompetencje/ontology#> ")
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld"}
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(10)) + " }"  # 10^10 rows: minutes of work


# --------------------------------------------------------------------------------------------------------
# The W3C manifest
# --------------------------------------------------------------------------------------------------------

@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # acceptable status classes: 2, 3, 4
    format: str | None
    boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    title: str
    requests: list[Request] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.name.startswith("update_")


def load_manifest() -> list[ProtocolTest]:
    graph = rdflib.Graph()
    graph.parse(PROTOCOL / "manifest.ttl", publicID="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
                                                   "protocol/manifest.ttl")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in graph.items(graph.value(manifest, MF.entries)):
        test = ProtocolTest(name=str(entry).rsplit("#", 1)[-1], title=str(graph.value(entry, MF.name)))
        action = graph.value(entry, MF.action)
        for request in graph.items(graph.value(action, HT.requests)):
            test.requests.append(_request(graph, request))
        tests.append(test)
    return tests


def _request(graph: rdflib.Graph, node) -> Request:
    headers = {}
    if (header_list := graph.value(node, HT.headers)) is not None:
        for header in graph.items(header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = None
    if (content := graph.value(node, HT.body)) is not None:
        encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(content, CNT.chars)).encode(encoding.lower())
    response = graph.value(node, HT.resp)
    statuses = {int(str(s).rsplit("StatusCode", 1)[1][0]) for s in graph.objects(response, MF.expectedStatus)}
    expected_boolean = graph.value(response, MF.expectedBoolean)
    expected_format = graph.value(response, MF.expectedFormat)
    return Request(method=str(graph.value(node, HT.methodName)), path=str(graph.value(node, HT.absolutePath)),
                   headers=headers, body=body, statuses=statuses,
                   format=str(expected_format) if expected_format is not None else None,
                   boolean=expected_boolean.toPython() if expected_boolean is not None else None)


MANIFEST = load_manifest()


@pytest.fixture(scope="module")
def w3c(server_factory) -> httpx.Client:
    """A server over the protocol tests' data: data1-3.nt as the graphs http://kasei.us/.../dataN.rdf."""
    graphs = {f"http://kasei.us/2009/09/sparql/data/data{n}.rdf": PROTOCOL / f"data{n}.nt" for n in (1, 2, 3)}
    server = server_factory("w3c", named_graphs=graphs)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def send(client: httpx.Client, request: Request) -> httpx.Response:
    path = request.path.replace("/sparql/", "/sparql", 1)  # the manifest's endpoint path is /sparql/
    return client.request(request.method, path, headers=request.headers, content=request.body)


def result_kind(response: httpx.Response) -> tuple[str, bool | None]:
    """("boolean", value), ("tabular", None) or ("RDF", None), from the body, checked by parsing it."""
    media_type = response.headers["content-type"].split(";")[0].strip()
    if media_type == "application/sparql-results+json":
        data = response.json()
        return ("boolean", data["boolean"]) if "boolean" in data else ("tabular", _vars(data))
    if media_type == "application/sparql-results+xml":
        root = ET.fromstring(response.content)
        boolean = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
        return ("boolean", boolean.text == "true") if boolean is not None else ("tabular", None)
    if media_type in ("text/csv", "text/tab-separated-values"):
        assert response.text.splitlines(), "an empty table has at least a header line"
        return "tabular", None
    if media_type in RDF_TYPES:
        rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media_type])
        return "RDF", None
    raise AssertionError(f"not a SPARQL result: {media_type}")


def _vars(data: dict) -> None:
    assert isinstance(data["head"]["vars"], list) and isinstance(data["results"]["bindings"], list)


def assert_problem(response: httpx.Response, status: int, title: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == status and problem["detail"]
    if title:
        assert problem["title"] == title, problem
    return problem


@pytest.mark.parametrize("test", [t for t in MANIFEST if not t.is_update], ids=lambda t: t.name)
def test_w3c_query_and_bad_request(w3c: httpx.Client, test: ProtocolTest) -> None:
    for request in test.requests:
        response = send(w3c, request)
        assert response.status_code // 100 in request.statuses, (test.title, response.status_code, response.text)
        if request.format:
            kind, value = result_kind(response)
            assert kind == request.format, test.title
            if request.boolean is not None:
                assert value is request.boolean, test.title
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith(PROBLEM)
        if test.name.startswith("bad_update"):  # the protocol's 4xx for a malformed request, not the refusal
            assert response.status_code != 403, (test.title, response.text)


@pytest.mark.parametrize("test", [t for t in MANIFEST if t.is_update], ids=lambda t: t.name)
def test_w3c_update_is_refused_by_a_read_only_service(w3c: httpx.Client, test: ProtocolTest) -> None:
    """The update itself gets 403 (what HTTP prescribes for a refused request; the protocol allows other 4xx
    for other failures). The requests that check its effect still get well-formed answers (their value
    is not asserted: the update did not happen)."""
    update, *checks = test.requests
    assert_problem(send(w3c, update), 403, "Read-only service")
    for request in checks:
        response = send(w3c, request)
        assert response.status_code == 200, response.text
        assert result_kind(response)[0] == request.format


def test_the_manifest_is_complete() -> None:
    assert len(MANIFEST) == 34
    assert sum(t.is_update for t in MANIFEST) == 7


# --------------------------------------------------------------------------------------------------------
# Real clients on the fixture data
# --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def api(live_server) -> httpx.Client:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


def test_rdflib_sparqlstore_construct_as_rdfxml(live_server) -> None:
    """How dane.gov.pl harvests: rdflib's SPARQLStore, CONSTRUCT, the answer in RDF/XML."""
    store = SPARQLStore(query_endpoint=live_server.url + "/sparql", returnFormat="xml", method="GET")
    result = store.query(P + "CONSTRUCT { ?u a org:OrganizationalUnit ; skos:prefLabel ?l } "
                             "WHERE { ?u a org:OrganizationalUnit ; skos:prefLabel ?l }")
    graph = result.graph
    assert (rdflib.URIRef(KS02), rdflib.namespace.SKOS.prefLabel, rdflib.Literal("Biuro Prasowe", lang="pl")) \
        in graph
    assert len(set(graph.subjects(RDF.type, rdflib.URIRef("http://www.w3.org/ns/org#OrganizationalUnit")))) >= 3


def test_rdflib_sparqlstore_select(live_server) -> None:
    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=live_server.url + "/sparql"))
    rows = list(graph.query(P + "SELECT ?l WHERE { ?u skos:notation 'KS-05' ; skos:prefLabel ?l }"))
    assert str(rows[0][0]) == "Referat Kampanii Informacyjno-Promocyjnych Miasta"


def test_sparqlwrapper_select_ask_construct(live_server) -> None:
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setQuery(P + "SELECT DISTINCT ?symbol WHERE { ?u skos:notation ?symbol } ORDER BY ?symbol")
    client.setReturnFormat(JSON)
    symbols = [b["symbol"]["value"] for b in client.queryAndConvert()["results"]["bindings"]]
    assert {"KS", "KS-02", "KS-05"} <= set(symbols) and symbols == sorted(symbols)
    client.setQuery(P + f"ASK {{ <{KS02}> org:subOrganizationOf ?d }}")
    assert client.queryAndConvert()["boolean"] is True
    client.setQuery(P + f"CONSTRUCT {{ <{KS02}> ?p ?o }} WHERE {{ <{KS02}> ?p ?o }}")
    client.setReturnFormat(RDFXML)
    graph = client.queryAndConvert()
    assert isinstance(graph, rdflib.Graph) and len(graph) > 10


def test_post_form_and_direct(api: httpx.Client) -> None:
    query = P + "SELECT ?l WHERE { ?u skos:notation 'KS-02' ; skos:prefLabel ?l }"
    form = api.post("/sparql", data={"query": query})
    direct = api.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert form.status_code == direct.status_code == 200
    assert form.json()["results"] == direct.json()["results"]


# --------------------------------------------------------------------------------------------------------
# Content negotiation
# --------------------------------------------------------------------------------------------------------

SELECT = P + "SELECT ?u ?l WHERE { ?u skos:notation 'KS-02' ; skos:prefLabel ?l }"
CONSTRUCT = P + f"CONSTRUCT {{ <{KS02}> skos:prefLabel ?l }} WHERE {{ <{KS02}> skos:prefLabel ?l }}"


@pytest.mark.parametrize(("query", "accept", "expected"), [
    (SELECT, None, "application/sparql-results+json"),
    (SELECT, "*/*", "application/sparql-results+json"),
    (SELECT, "application/sparql-results+xml", "application/sparql-results+xml"),
    (SELECT, "text/csv;q=0.9, application/sparql-results+xml;q=0.5", "text/csv"),
    (SELECT, "application/sparql-results+json;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
    (SELECT, "application/json", "application/sparql-results+json"),
    (SELECT, "text/*", "text/csv"),
    (SELECT, "text/turtle, application/sparql-results+xml;q=0.2", "application/sparql-results+xml"),
    (CONSTRUCT, None, "text/turtle"),
    (CONSTRUCT, "application/rdf+xml", "application/rdf+xml"),
    (CONSTRUCT, "application/ld+json, text/turtle;q=0.5", "application/ld+json"),
    (CONSTRUCT, "application/n-triples;q=1, text/turtle;q=0.99", "application/n-triples"),
    (CONSTRUCT, "application/sparql-results+json, */*;q=0.1", "text/turtle"),
])
def test_negotiates_with_q_values(api: httpx.Client, query: str, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = api.get("/sparql", params={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    assert "accept" in response.headers["vary"].lower()
    result_kind(response)


@pytest.mark.parametrize(("query", "value", "expected"), [
    (SELECT, "xml", "application/sparql-results+xml"), (SELECT, "csv", "text/csv"),
    (SELECT, "tsv", "text/tab-separated-values"), (SELECT, "json", "application/sparql-results+json"),
    (CONSTRUCT, "xml", "application/rdf+xml"), (CONSTRUCT, "json", "application/ld+json"),
    (CONSTRUCT, "turtle", "text/turtle"), (CONSTRUCT, "nt", "application/n-triples"),
    (CONSTRUCT, "text/turtle", "text/turtle"),
])
def test_format_parameter_overrides_accept(api: httpx.Client, query: str, value: str, expected: str) -> None:
    response = api.get("/sparql", params={"query": query, "format": value}, headers={"Accept": "text/html"})
    assert response.headers["content-type"].split(";")[0] == expected


def test_unacceptable_format_is_406(api: httpx.Client) -> None:
    assert_problem(api.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/turtle"}), 406)
    assert_problem(api.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"}), 406)
    assert_problem(api.get("/sparql", params={"query": SELECT, "format": "png"}), 406)


def test_cors_for_get(api: httpx.Client) -> None:
    response = api.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"


# --------------------------------------------------------------------------------------------------------
# What is refused
# --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
    "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { SERVICEex:x { ?s ?p ?o } }",
    "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { {}SERVICE:x{} }",
    "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?g) sErViCe ?g { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o # comment\n SERVICE <http://127.0.0.1:9/> {} }",
])
def test_federated_queries_are_refused(api: httpx.Client, query: str) -> None:
    problem = assert_problem(api.get("/sparql", params={"query": query}), 403, "Query refused")
    assert "SERVICE" in problem["detail"]


@pytest.mark.parametrize("query", [
    'SELECT ?s WHERE { ?s ?p "SERVICE <http://x/> {}" }',
    "SELECT ?service WHERE { ?service <http://example.org/SERVICE> ?o } # SERVICE",
    "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?s schema:serviceType ?o }",
])
def test_service_in_strings_iris_and_names_is_not_refused(api: httpx.Client, query: str) -> None:
    assert api.get("/sparql", params={"query": query}).status_code == 200


@pytest.mark.parametrize(("request_kwargs", "status"), [
    ({"params": {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}}, 403),
    ({"params": {"query": "PREFIX a: <http://a/> DELETE WHERE { ?s ?p ?o }"}}, 403),
    ({"method": "POST", "data": {"update": "LOAD <http://example.org/x.ttl>"}}, 403),
    ({"method": "POST", "content": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}}, 403),
    ({"method": "POST", "data": {"update": "LOAD LOAD"}}, 400),
    ({"params": {"update": "CLEAR ALL"}}, 400),
])
def test_updates_are_refused(api: httpx.Client, request_kwargs: dict, status: int) -> None:
    kwargs = dict(request_kwargs)
    response = api.request(kwargs.pop("method", "GET"), "/sparql", **kwargs)
    assert_problem(response, status)


def test_malformed_query_gives_the_parser_message(api: httpx.Client) -> None:
    problem = assert_problem(api.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}), 400, "Bad query")
    assert "error at 1:" in problem["detail"]


def test_too_long_query_is_413(api: httpx.Client) -> None:
    query = "ASK {} #" + "x" * 1_100_000
    assert_problem(api.post("/sparql", content=query.encode(),
                            headers={"Content-Type": "application/sparql-query"}), 413)


# --------------------------------------------------------------------------------------------------------
# Service description and editor
# --------------------------------------------------------------------------------------------------------

def test_service_description_in_turtle(api: httpx.Client) -> None:
    response = api.get("/sparql")
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    service = next(graph.subjects(RDF.type, SD.Service))
    assert graph.value(service, SD.endpoint) == service and str(service).endswith("/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    dataset = graph.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, rdflib.namespace.VOID.Dataset) in graph
    names = {str(graph.value(n, SD.name)) for n in graph.objects(dataset, SD.namedGraph)}
    assert ID + "graph/001_5d749821937a7dbe" in names


def test_browser_gets_the_editor_with_the_query_escaped(api: httpx.Client) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = api.get("/sparql", headers=browser)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<textarea" in page.text and "org:OrganizationalUnit" in page.text
    hostile = 'ASK {} # </textarea><script>alert("x")</script>'
    page = api.get("/sparql", params={"query": hostile}, headers=browser)
    assert "<script>alert" not in page.text and "&lt;/textarea&gt;&lt;script&gt;" in page.text


# --------------------------------------------------------------------------------------------------------
# Limits: the time limit stops a query; the row cap; the union default graph as a set
# --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def limited(server_factory):
    """A server with a 1 s time limit and a 50-row cap, over a store whose union default graph is
    materialized (as `materialize_union_default_graph` writes it)."""
    server = server_factory("limited", [Path(__file__).parent / "fixtures" / "mini.trig"], materialize_union=True,
                            env={"KOMPETENCJE_QUERY_TIMEOUT_S": "1", "KOMPETENCJE_ROW_CAP": "50"})
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield server, client


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(p) for p in (task / "children").read_text().split())
    return found


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "\nState:\tZ" not in status.read_text()


def test_a_query_past_the_time_limit_is_stopped(limited) -> None:
    server, client = limited
    before = _children(server.process.pid) if Path("/proc").exists() else set()
    started = time.monotonic()
    response = client.get("/sparql", params={"query": HEAVY})
    elapsed = time.monotonic() - started
    problem = assert_problem(response, 503, "Query timed out")
    assert "time limit (1 s)" in problem["detail"]
    assert 0.9 <= elapsed < 4.0, elapsed
    assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True  # still serving
    if before:  # the worker that ran it was killed and replaced: the query is not running any more
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(_children(server.process.pid) - before) < 1:
            time.sleep(0.1)
        gone = [pid for pid in before if not _alive(pid)]
        assert len(gone) == 1, (before, _children(server.process.pid))


def test_the_pool_recovers_after_timeouts(limited) -> None:
    _, client = limited
    for _ in range(3):
        assert client.get("/sparql", params={"query": HEAVY}).status_code == 503
    started = time.monotonic()
    while time.monotonic() - started < 20:
        response = client.get("/sparql", params={"query": P + "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        if response.status_code == 200:
            break
    assert response.status_code == 200, response.text


def test_row_cap(limited) -> None:
    _, client = limited
    problem = assert_problem(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}), 400,
                             "Result too large")
    assert "more than 50 rows" in problem["detail"] and "LIMIT" in problem["detail"]
    assert client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"}).status_code == 200
    construct = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert_problem(construct, 400, "Result too large")


def test_union_default_graph_counts_each_triple_once(limited) -> None:
    _, client = limited
    query = P + f"SELECT (COUNT(*) AS ?n) WHERE {{ <{KS02}> skos:prefLabel ?l }}"  # stated in both documents
    response = client.get("/sparql", params={"query": query})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "1"


@pytest.mark.parametrize("server_name", ["live", "limited"])
def test_from_clauses_are_honoured(server_name: str, api: httpx.Client, limited) -> None:
    client = api if server_name == "live" else limited[1]
    ontology = ID + "graph/ontology"
    for query, expected in ((f"ASK FROM <{ontology}> {{ ?s a org:Post }}", False),
                            (f"ASK FROM <{ontology}> {{ ?s a <http://www.w3.org/2002/07/owl#Ontology> }}", True),
                            (f"ASK FROM NAMED <{ontology}> {{ GRAPH ?g {{ ?s a org:Post }} }}", False)):
        response = client.get("/sparql", params={"query": P + query})
        assert response.json()["boolean"] is expected, query


def test_protocol_dataset_overrides_the_union(api: httpx.Client) -> None:
    graph = ID + "graph/000_a7a7e54fe18a7d12"
    query = P + "SELECT DISTINCT ?u WHERE { ?u a org:Post }"
    rows = api.get(f"/sparql?query={quote(query)}&default-graph-uri={quote(graph)}").json()["results"]["bindings"]
    assert [r["u"]["value"] for r in rows] == [KS02 + "/post/kierownik-referatu"]


# --------------------------------------------------------------------------------------------------------
# Units: the query-text scan and the negotiation
# --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "SELECT * { SERVICE <http://x> {} }", "SELECT * { SERVICE:x {} }", "SELECT * { SERVICEex:x {} }",
    "SELECT * { ?a ?b 1.SERVICE ex:x {} }", "SELECT * { ?a ?b 1SERVICE ex:x {} }", "SELECT * { {}SERVICE ex:x {} }",
    "SELECT * { sErViCe<http://x>{} }", "SELECT * { SERVICE?g{} }", "SELECT * { FILTER(?o<3)SERVICE<http://x>{} }",
    "SELECT * { SERVICE#c\n<http://x> {} }", "SELECT * { ?s a ex:y;a ex:z.SERVICE ex:x {} }",
    'SELECT * { ?s ?p "unterminated SERVICE <x> {} }', "SELECT * { ?s <http://x#> ?o . SERVICE <http://y> {} }",
    "SELECT * { ?s ?p '''a''' SERVICE <x> {} }", 'SELECT * { ?s ?p "a\\"" SERVICE <x> {} }',
])
def test_scan_finds_every_service(text: str) -> None:
    assert query_text.calls_service(text)


@pytest.mark.parametrize("text", [
    'SELECT * { ?s ?p "SERVICE" }', "SELECT * { ?s <http://x/SERVICE> ?o }", "SELECT * { ?s ?p ?o } # SERVICE",
    "SELECT ?service { ?service ?p ?o }", "SELECT * { ?s schema:serviceType ?o }", 'SELECT * { ?s ?p "x"@service }',
    "SELECT * { ?s ?p '''a SERVICE''' }", 'SELECT * { ?s ?p """multi\nline SERVICE""" }',
])
def test_scan_ignores_service_in_strings_iris_comments_and_names(text: str) -> None:
    assert not query_text.calls_service(text)


def test_scan_finds_from_and_update_keywords() -> None:
    assert query_text.names_dataset("ASK FROM <x> {}") and not query_text.names_dataset("ASK { ?s <x:from> ?o }")
    assert query_text.update_keywords("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }") == {"WITH", "DELETE"}


def test_negotiate_unit() -> None:
    assert negotiate(None, OFFERS[Kind.SELECT]).name == "json"
    assert negotiate("garbage;;;", OFFERS[Kind.GRAPH]).name == "turtle"
    assert negotiate("application/xml", OFFERS[Kind.GRAPH]).name == "rdfxml"
    assert negotiate("text/csv;q=0, */*;q=0.1", OFFERS[Kind.SELECT]).name == "json"
    with pytest.raises(NotAcceptable):
        negotiate("text/csv", OFFERS[Kind.ASK])


# --------------------------------------------------------------------------------------------------------
# Units: the store adapter (bound values, soft timeout of the API's own queries)
# --------------------------------------------------------------------------------------------------------

def test_user_text_is_only_ever_a_bound_value(live_server) -> None:
    async def run() -> None:
        store = EmbeddedStore(live_server.store, threads=2)
        query = P + "SELECT ?x ?u WHERE { ?u skos:notation ?x }"
        try:
            hostile = 'KS-02" } ; DROP ALL ; SELECT * WHERE { ?s ?p "'
            assert len(await store.query(query, substitutions=bind(x=hostile))) == 0
            found = await store.query(query, substitutions=bind(x="KS-02"))
            assert {row["u"].value for row in found} == {KS02} and found.variables == ["x", "u"]
        finally:
            await store.close()

    asyncio.run(run())
    with pytest.raises(InputError):
        iri("not an IRI")
    assert bind(n=3, u=iri(KS02))[ox.Variable("n")] == ox.Literal(3)


def test_api_queries_stop_at_their_deadline(live_server) -> None:
    """The API's own queries run on threads: past the timeout the caller gets QueryTimeout at once and the
    thread stops at the next batch of results."""
    endless = "SELECT * WHERE { " + " ".join(f"VALUES ?v{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(10)) + " }"

    async def run() -> float:
        store = EmbeddedStore(live_server.store, threads=1, row_cap=None)
        try:
            started = time.monotonic()
            with pytest.raises(QueryTimeout):
                await store.query(endless, timeout_s=0.5)
            elapsed = time.monotonic() - started
            assert bool(await store.query("ASK {}", timeout_s=5))  # the one thread is free again
            return elapsed
        finally:
            await store.close()

    assert asyncio.run(run()) < 2.0
