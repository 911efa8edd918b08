"""The API over a remote SPARQL 1.1 store: a real `oxigraph serve-read-only` holding the seed build.

The same requests go to the embedded-store server (`seed_server`) and to a server whose KOMPETENCJE_STORE
is `sparql+http://…/query`; the answers must be equal. Bound values reach the remote store only as terms
written by `sparql_term` (unit tests below, with hostile text), `kompetencje load` publishes a build into
an empty `oxigraph serve`, and the remote store's own failures (no answer, nobody listening, too many rows)
become the usual errors.
"""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from build_fixtures import seed_build, seed_server
from conftest import free_port, start_server

from kompetencje.api.remote_store import RemoteStore
from kompetencje.api.sparql_terms import sparql_iri, sparql_term, where_group, with_values
from kompetencje.api.store import ResultTooLarge, bind, literal
from kompetencje.errors import InputError, QueryError, QueryTimeout, StoreError

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
XSD = "http://www.w3.org/2001/XMLSchema#"
HOSTILE = [
    '"', "'", "}", "{", "#", "\n", "\r\n", "\t", "\\", "\\u0022", "\\U00000022", "\\\\u0022", '\\"',
    '" } UNION { ?s ?p ?o } #', '") } ?s ?p ?o . #', "\\u0022) } ?s ?p ?o . #", '"""', "'''", "\x00\x01\x1f\x7f",
    "ks-05> } ; DROP ALL ; #", "<script>alert(1)</script>", "?office", "$node", "🙂 zażółć", "\u2028\u0085",
]


# --------------------------------------------------------------------------------------------------------
# Writing terms and VALUES blocks (no server)
# --------------------------------------------------------------------------------------------------------

def roundtrip(term: ox.NamedNode | ox.Literal) -> ox.NamedNode | ox.Literal:
    """The term after it went into a query as text and came back out of pyoxigraph's evaluation."""
    query = with_values("SELECT ?v WHERE { }", {ox.Variable("v"): term})
    solutions = list(ox.Store().query(query))
    assert len(solutions) == 1
    return solutions[0]["v"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_literals_come_back_unchanged(text: str) -> None:
    for term in (literal(text), literal(text, lang="pl"), literal(text, datatype=XSD + "token")):
        assert roundtrip(term) == term


@pytest.mark.parametrize("text", HOSTILE)
def test_a_server_expanding_codepoint_escapes_first_cannot_be_broken_out_of(text: str) -> None:
    """SPARQL 1.1 §19.2 lets a server expand \\u escapes in the whole text before parsing: at worst the
    value changes or the query is refused; the literal never ends early."""
    query = with_values("SELECT * WHERE { }", {ox.Variable("v"): literal(text)})
    expanded = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                      lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    try:
        results = ox.Store().query(expanded)
    except SyntaxError:
        return
    solutions = list(results)
    assert len(solutions) == 1 and [v.value for v in results.variables] == ["v"]
    assert isinstance(solutions[0]["v"], ox.Literal)


def test_literal_escapes_follow_the_grammar() -> None:
    assert sparql_term(literal('a"b\\c\nd\re\tf')) == '"a\\"b\\\\c\\nd\\re\\tf"'
    assert sparql_term(literal("\x00\x7f")) == '"\\u0000\\u007F"'
    assert sparql_term(literal("x", lang="pl")) == '"x"@pl'
    assert sparql_term(literal(5)) == f'"5"^^<{XSD}integer>'
    assert sparql_term(literal("}#")) == '"}#"'


@pytest.mark.parametrize("value", [
    "http://x/a>b", "http://x/<", 'http://x/"', "http://x/a b", "http://x/{", "http://x/}", "http://x/|",
    "http://x/^", "http://x/`", "http://x/\\", "http://x/\n", "http://x/\x00", "http://x/\x7f", "",
])
def test_iris_with_forbidden_characters_are_refused(value: str) -> None:
    with pytest.raises(InputError):
        sparql_iri(value)


def test_iris_language_tags_and_odd_terms() -> None:
    assert sparql_term(ox.NamedNode("https://w3id.org/kompetencje/id/1261011/ks-05#x")) == \
        "<https://w3id.org/kompetencje/id/1261011/ks-05#x>"
    assert roundtrip(ox.NamedNode("http://example.org/ż?a=1&b=%22")) == ox.NamedNode("http://example.org/ż?a=1&b=%22")
    for term in (ox.BlankNode("b1"), ox.Triple(ox.NamedNode("http://a"), ox.NamedNode("http://b"),
                                               ox.NamedNode("http://c"))):
        with pytest.raises(InputError):
            sparql_term(term)
    with pytest.raises(InputError):  # a lone surrogate (pyoxigraph makes no such literal; a raw IRI could be one)
        sparql_iri("http://x/\ud800")


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT ?node WHERE { ?node ?p ?o }", "SELECT ?node WHERE { VALUES"),
    ("PREFIX a: <x:a> SELECT (EXISTS { ?a ?b ?c } AS ?x) { ?node ?p '{' } # {", "'{' } # {"),
    ("CONSTRUCT { ?node ?p ?o } WHERE { ?node ?p ?o }", "CONSTRUCT { ?node ?p ?o } WHERE { VALUES"),
    ("CONSTRUCT { ?node ?p ?o } { ?node ?p ?o }", "CONSTRUCT { ?node ?p ?o } { VALUES"),
    ("ASK { ?node ?p ?o }", "ASK { VALUES"),
    ("SELECT * WHERE { SELECT ?node WHERE { ?node ?p ?o } }", "{ VALUES (?node) { (<http://x/a>) } { SELECT"),
])
def test_values_go_into_the_where_group(query: str, expected: str) -> None:
    text = with_values(query, {ox.Variable("node"): ox.NamedNode("http://x/a")})
    assert expected in text
    ox.Store().query(text)  # still SPARQL


def test_queries_without_a_where_group_to_bind_in() -> None:
    for query in ("CONSTRUCT WHERE { ?node ?p ?o }", "DESCRIBE <http://x/a>"):
        with pytest.raises(ValueError):
            where_group(query)


def test_the_api_queries_take_values() -> None:
    from kompetencje.api import queries as Q
    from kompetencje.api.routers import linked_data as L

    node = {ox.Variable("node"): ox.NamedNode("http://x/a"), ox.Variable("office"): ox.NamedNode("http://x/o"),
            ox.Variable("r"): ox.NamedNode("http://x/r")}
    for name in ("UNITS", "NODE", "POSTS", "CONTACTS", "DUTIES", "DUTY_SPANS", "SUBUNITS", "COOPERATION",
                 "SOURCES", "SUPERIORS", "STRUCTURE_BELOW", "OFFICE_COOPERATION", "DUTY_CANDIDATES"):
        ox.Store().query(with_values(getattr(Q, name), node))
    for query in (L._OUTGOING, L._FRAGMENTS, L._GRAPH, L._INCOMING):
        ox.Store().query(with_values(query, node))


# --------------------------------------------------------------------------------------------------------
# oxigraph servers
# --------------------------------------------------------------------------------------------------------

@contextmanager
def oxigraph(*args: str, log: Path, port: int | None = None) -> Iterator[str]:
    """`oxigraph <args> --bind 127.0.0.1:<port>`, until it answers; its base URL. Killed at the end."""
    if not OXIGRAPH.exists():
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    port = port or free_port()
    with log.open("wb") as out:
        process = subprocess.Popen([str(OXIGRAPH), *args, "--bind", f"127.0.0.1:{port}"], stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(url, process, log)
        yield url
    finally:
        process.kill()
        process.wait(timeout=10)


def wait_until_answers(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"oxigraph did not start: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def remote_sparql(seed_build, tmp_path_factory) -> Iterator[str]:
    """A read-only oxigraph server with the build's quads, its materialized default graph included."""
    folder = tmp_path_factory.mktemp("oxigraph")
    dataset = folder / "dataset.nq"
    ox.serialize(ox.Store.read_only(str(seed_build.out_dir / "store")), str(dataset), ox.RdfFormat.N_QUADS)
    subprocess.run([str(OXIGRAPH), "load", "--location", str(folder / "db"), "--file", str(dataset)],
                   check=True, capture_output=True, timeout=300)
    with oxigraph("serve-read-only", "--location", str(folder / "db"), log=folder / "oxigraph.log") as url:
        yield url + "/query"


@pytest.fixture(scope="module")
def remote_server(remote_sparql: str, seed_build, tmp_path_factory):
    """The API with KOMPETENCJE_STORE=sparql+http://…/query and the build's saved search index."""
    data = tmp_path_factory.mktemp("remote-api")
    server = start_server(data / "unused", data, {"KOMPETENCJE_STORE": "sparql+" + remote_sparql,
                                                  "KOMPETENCJE_SEARCH_DIR": str(seed_build.out_dir / "search")})
    yield server
    server.stop()


def answers(server, path: str, **params) -> tuple[int, object]:
    response = httpx.get(server.url + path, params=params or None, timeout=60)
    kind = response.headers.get("content-type", "")
    body = response.json() if "json" in kind else response.text
    if isinstance(body, dict):
        body.pop("instance", None)
    return response.status_code, body


def same_answer(seed_server, remote_server, path: str, *, status: int | None = 200, **params) -> object:
    """The answer of both servers, which must be equal (and have `status`, unless None)."""
    embedded, remote = answers(seed_server, path, **params), answers(remote_server, path, **params)
    assert remote == embedded, path
    assert status is None or remote[0] == status, remote
    return remote[1]


# --------------------------------------------------------------------------------------------------------
# The API over the remote store answers as over the embedded one
# --------------------------------------------------------------------------------------------------------

@pytest.mark.server
def test_units_then_chain_are_the_same(seed_server, remote_server) -> None:
    found = same_answer(seed_server, remote_server, "/api/units", municipality="Kraków", symbol="KS-05")
    assert [u["symbol"] for u in found["units"]] == ["KS-05"]
    path = found["units"][0]["id"].split("/id/", 1)[1]
    chain = same_answer(seed_server, remote_server, f"/api/units/{path}/chain")
    assert [s["provision"]["label"] for s in chain["chain"]] == ["§ 3 ust. 3", "§ 3 ust. 1"]


@pytest.mark.server
@pytest.mark.parametrize("path", ["/api/units/1261011/ks-02", "/api/units/1261011/ks/subordinates",
                                  "/api/municipalities", "/api/units"])
def test_resources_are_the_same(seed_server, remote_server, path: str) -> None:
    assert same_answer(seed_server, remote_server, path)


@pytest.mark.server
@pytest.mark.parametrize("q", ["konferencje prasowe", "budżet obywatelski", "zezwolenia na alkohol"])
def test_competences_are_the_same(seed_server, remote_server, q: str) -> None:
    same_answer(seed_server, remote_server, "/api/competences", q=q)


@pytest.mark.server
def test_linked_data_describes_the_same_triples(seed_server, remote_server) -> None:
    graphs = []
    for server in (seed_server, remote_server):
        response = httpx.get(server.url + "/id/1261011/ks-02", headers={"Accept": "application/n-triples"},
                             timeout=30)
        assert response.status_code == 200
        graphs.append(set(ox.parse(response.content, ox.RdfFormat.N_TRIPLES)))
    assert graphs[0] == graphs[1] and len(graphs[0]) > 20


@pytest.mark.server
def test_sparql_select_gives_the_same_table(seed_server, remote_server) -> None:
    query = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
             "SELECT ?unit ?symbol WHERE { ?unit skos:notation ?symbol } ORDER BY ?symbol ?unit")
    tables = []
    for server in (seed_server, remote_server):
        response = httpx.get(server.url + "/sparql", params={"query": query},
                             headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/sparql-results+json")
        tables.append(response.json())
    assert tables[0] == tables[1] and len(tables[0]["results"]["bindings"]) > 5


@pytest.mark.server
def test_sparql_construct_as_rdf_xml_through_rdflib(seed_server, remote_server) -> None:
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    query = ("CONSTRUCT { <https://w3id.org/kompetencje/id/1261011/ks-05> ?p ?o } "
             "WHERE { <https://w3id.org/kompetencje/id/1261011/ks-05> ?p ?o }")
    graphs = []
    for server in (seed_server, remote_server):
        store = SPARQLStore(server.url + "/sparql")
        graphs.append(set(Graph(store=store).query(query)))
        store.close()
    assert graphs[0] == graphs[1] and len(graphs[0]) > 5


@pytest.mark.server
def test_sparql_ask_and_formats(remote_server) -> None:
    response = httpx.get(remote_server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"},
                         headers={"Accept": "application/sparql-results+xml"}, timeout=30)
    assert response.status_code == 200 and "<boolean>true</boolean>" in response.text
    response = httpx.get(remote_server.url + "/sparql", params={"query": "SELEC"}, timeout=30)
    assert response.status_code == 400


@pytest.mark.server
def test_sparql_update_and_service_are_refused(remote_server) -> None:
    update = httpx.post(remote_server.url + "/sparql", content="DROP ALL",
                        headers={"Content-Type": "application/sparql-update"}, timeout=30)
    assert update.status_code == 403
    form = httpx.post(remote_server.url + "/sparql", data={"update": "INSERT DATA { <x:a> <x:b> <x:c> }"},
                      timeout=30)
    assert form.status_code == 403
    service = httpx.get(remote_server.url + "/sparql", timeout=30, params={
        "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"})
    assert service.status_code == 403


@pytest.mark.server
def test_dumps_hold_the_same_data(seed_server, remote_server) -> None:
    listed = httpx.get(remote_server.url + "/dumps/", timeout=30).json()["dumps"]
    assert sorted(d["name"] for d in listed) == ["kompetencje.jsonld", "kompetencje.nt", "kompetencje.trig",
                                                 "kompetencje.ttl"]
    for name, fmt in (("kompetencje.nt", ox.RdfFormat.N_TRIPLES), ("kompetencje.trig", ox.RdfFormat.TRIG)):
        sizes = [len(set(ox.parse(httpx.get(s.url + "/dumps/" + name, timeout=60).content, fmt)))
                 for s in (seed_server, remote_server)]
        assert sizes[0] == sizes[1] > 1000


PAYLOADS = [
    "'", '"', "}", "\\u0022", '" } UNION { ?s ?p ?o } #', "ks-05> } ; DROP ALL ; #", "1261011\" . ?x ?y ?z . #",
    "%00", "?office", "KS-05\nUNION", "🙂", "ks-05%3E%20%7D",
]


@pytest.mark.server
@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_payloads_are_harmless(seed_server, remote_server, payload: str) -> None:
    for param in ("municipality", "symbol", "name"):
        same_answer(seed_server, remote_server, "/api/units", status=None, **{param: payload})
    same_answer(seed_server, remote_server, "/api/competences", status=None, q="konferencje", municipality=payload)
    for template in ("/api/units/1261011/{}", "/api/units/{}/chain", "/api/municipalities/{}/cooperation",
                     "/id/1261011/{}"):
        embedded = answers(seed_server, template.format(quote(payload, safe="")))
        assert embedded[0] in (404, 422)
        assert answers(remote_server, template.format(quote(payload, safe=""))) == embedded


# --------------------------------------------------------------------------------------------------------
# The store itself: bound values, row cap, timeouts, failures
# --------------------------------------------------------------------------------------------------------

def run(coroutine_factory, *args):
    return asyncio.run(coroutine_factory(*args))


async def _echo(url: str, values: list[str]) -> list[ox.Literal]:
    store = RemoteStore(url)
    try:
        return [(await store.query("SELECT ?v WHERE { }", substitutions=bind(v=literal(text))))[0]["v"]
                for text in values]
    finally:
        await store.close()


def test_hostile_values_reach_the_remote_store_unchanged(remote_sparql: str) -> None:
    assert run(_echo, remote_sparql, HOSTILE) == [literal(text) for text in HOSTILE]


async def _capped(url: str) -> None:
    store = RemoteStore(url, row_cap=5)
    try:
        with pytest.raises(ResultTooLarge):
            await store.query("SELECT * WHERE { ?s ?p ?o }")
        with pytest.raises(ResultTooLarge):
            await store.query("CONSTRUCT WHERE { ?s ?p ?o }")
        assert len(await store.query("SELECT * WHERE { ?s ?p ?o } LIMIT 5")) == 5
        with pytest.raises(QueryError):
            await store.query("SELECT * WHERE { ?s ?p }")
    finally:
        await store.close()


def test_row_cap_and_bad_queries(remote_sparql: str) -> None:
    run(_capped, remote_sparql)


async def _silent(url: str) -> None:
    store = RemoteStore(url, timeout_s=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            await store.query("ASK {}")
        assert time.monotonic() - started < 5
    finally:
        await store.close()


async def _absent(url: str) -> None:
    store = RemoteStore(url, timeout_s=5)
    try:
        with pytest.raises(StoreError):
            await store.query("ASK {}")
    finally:
        await store.close()


def test_a_store_that_does_not_answer_times_out_and_an_absent_one_is_a_store_error() -> None:
    with socket.socket() as listening:  # accepts connections, never answers
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)
        run(_silent, f"http://127.0.0.1:{listening.getsockname()[1]}/query")
    run(_absent, f"http://127.0.0.1:{free_port()}/query")


async def _open_without_build_files(settings, saved_index: Path) -> None:
    from kompetencje.api.generations import open_generation
    from kompetencje.search import SearchIndex

    generation = await open_generation(settings)
    try:
        assert isinstance(generation.store, RemoteStore) and generation.pool is generation.store
        assert sorted(await generation.dumps.files()) == ["kompetencje.jsonld", "kompetencje.nt", "kompetencje.trig",
                                            "kompetencje.ttl"]
        saved = SearchIndex.load(saved_index)
        for q in ("konferencje prasowe", "budżet obywatelski"):
            assert [h.duty for h in generation.search.search(q)] == [h.duty for h in saved.search(q)]
    finally:
        await generation.close()


def test_without_dumps_or_search_dir_both_come_from_a_copy_of_the_remote_data(remote_sparql, seed_build,
                                                                              tmp_path) -> None:
    from kompetencje.api.settings import Settings

    settings = Settings(store="sparql+" + remote_sparql, data_dir=seed_build.out_dir / "nowhere",
                        cache_dir=tmp_path / "cache")
    run(_open_without_build_files, settings, seed_build.out_dir / "search")


async def _start_before_the_store(settings, log: Path) -> None:
    from fastapi import FastAPI

    from kompetencje.api import generations

    app = FastAPI()
    try:
        with pytest.raises(StoreError):
            await generations.start(app, settings)
        assert getattr(app.state, "generation", None) is None
        with oxigraph("serve", log=log, port=int(settings.store.rsplit(":", 1)[1].split("/")[0])):
            for _ in range(200):
                if getattr(app.state, "generation", None) is not None:
                    break
                await asyncio.sleep(0.1)
            assert isinstance(app.state.store, RemoteStore) and app.state.stats.quads == 0
    finally:
        await generations.stop(app)


def test_the_api_opens_a_remote_store_that_comes_up_later(seed_build, tmp_path, monkeypatch) -> None:
    from kompetencje.api import generations
    from kompetencje.api.settings import Settings

    monkeypatch.setattr(generations, "RECONNECT_S", 0.2)
    settings = Settings(store=f"sparql+http://127.0.0.1:{free_port()}/query", data_dir=tmp_path / "data",
                        search_dir=seed_build.out_dir / "search")
    run(_start_before_the_store, settings, tmp_path / "oxigraph.log")


# --------------------------------------------------------------------------------------------------------
# kompetencje load: publishing a build
# --------------------------------------------------------------------------------------------------------

def count(url: str, query: str) -> int:
    answer = httpx.post(url + "/query", data={"query": query},
                        headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


def test_load_publishes_the_build_into_an_empty_store(seed_build, tmp_path) -> None:
    from kompetencje.cli import main

    build = ox.Store.read_only(str(seed_build.out_dir / "store"))
    named = sum(1 for q in build if not isinstance(q.graph_name, ox.DefaultGraph))
    default = sum(1 for _ in build.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    with oxigraph("serve", log=tmp_path / "oxigraph.log") as url:
        stale = httpx.put(url + "/store", params={"graph": "http://example.org/stale"}, timeout=30,
                          content=b"<http://a> <http://b> <http://c> .\n",
                          headers={"Content-Type": "application/n-triples"})
        assert stale.status_code in (201, 204)
        for _ in range(2):  # publishing again replaces, it does not add
            assert main(["load", "--store", f"sparql+{url}/", "--data", str(seed_build.out_dir.parent)]) == 0
        assert count(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == named
        assert named == seed_build.counts["quads"]
        assert count(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == default > 0
        assert count(url, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { } }") == \
            sum(1 for _ in build.named_graphs())
        assert count(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/stale> { ?s ?p ?o } }") == 0


def test_load_needs_a_build_and_a_known_graph_store(tmp_path) -> None:
    from kompetencje.cli import main

    assert main(["load", "--store", "sparql+http://127.0.0.1:1/", "--data", str(tmp_path)]) == 3
    assert main(["load", "--store", "sparql+http://127.0.0.1:1/x/endpoint", "--data", str(tmp_path)]) == 2
