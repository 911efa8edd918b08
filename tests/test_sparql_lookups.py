"""Lookups on /sparql (api/lookup.py): which queries are certain to be cheap, and what they keep.

A lookup (constant subjects, no paths, filters, optionals, unions, aggregates ...) within the budget is
answered in the server's own process; everything else still goes to the worker processes, which are killed
at the time limit. A lookup keeps the row cap, the time limit and the admission limit of every query.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyoxigraph as ox
import pytest
from conftest import FIXTURES, build_store

from kompetencje.api.lookup import INLINE_BUDGET, Lookup, answer_lookup, parse_lookup, within_budget
from kompetencje.api.query_pool import Job, NotAcceptableResult, Reply
from kompetencje.api.store import EmbeddedStore, ResultTooLarge

ID = "https://w3id.org/kompetencje/id/"
KS02 = ID + "1261011/ks-02"
SKOS = "http://www.w3.org/2004/02/skos/core#"
P = f"PREFIX skos: <{SKOS}> PREFIX komp: <https://w3id.org/kompetencje/ontology#> "
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(10)) + " }"  # 10^10 rows: minutes of work
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


# --------------------------------------------------------------------------------------------------------
# What is a lookup
# --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "patterns"), [
    (f"SELECT ?label WHERE {{ <{KS02}> <{SKOS}prefLabel> ?label }}", [(KS02, SKOS + "prefLabel")]),
    (P + "select distinct ?l ?n { <http://x/a> skos:prefLabel ?l ; skos:notation ?n . } LIMIT 5 OFFSET 1",
     [("http://x/a", SKOS + "prefLabel"), ("http://x/a", SKOS + "notation")]),
    (P + 'ASK { <http://x/a> a ?c ; ?p ?o, <http://x/b> ; skos:prefLabel "x"@pl, "y"^^<http://x/t> ;; }',
     [("http://x/a", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ("http://x/a", None),
      ("http://x/a", None), ("http://x/a", SKOS + "prefLabel"), ("http://x/a", SKOS + "prefLabel")]),
    # code inside a string or a comment is not code
    (P + 'SELECT * WHERE { <http://x/a> skos:prefLabel "a } UNION { ?s ?p ?o" }', [("http://x/a", SKOS + "prefLabel")]),
    (P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?l # } UNION { ?s ?p ?o }\n }",
     [("http://x/a", SKOS + "prefLabel")]),
])
def test_lookups_are_recognised(query: str, patterns: list) -> None:
    assert parse_lookup(query) == Lookup(tuple(patterns))
    ox.Store().query(query)  # and they are SPARQL


@pytest.mark.parametrize("query", [
    "ASK {}", "SELECT * WHERE { }",  # no triple: the way to probe the workers
    "SELECT * WHERE { ?s ?p ?o }", P + 'SELECT * WHERE { ?s skos:prefLabel "x" }',  # the subject is not a constant
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?o . ?o skos:prefLabel ?z }",
    P + "SELECT * WHERE { <http://x/a> skos:broader/skos:prefLabel ?o }",
    P + "SELECT * WHERE { <http://x/a> ^skos:x ?o }",
    P + "SELECT * WHERE { <http://x/a> skos:broader* ?o }", P + "SELECT * WHERE { <http://x/a> skos:broader+ ?o }",
    P + "SELECT * WHERE { <http://x/a> (skos:a|skos:b) ?o }", P + "SELECT * WHERE { <http://x/a> !skos:a ?o }",
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?o FILTER(?o != 1) }",
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?o OPTIONAL { ?o ?p ?q } }",
    P + "SELECT * WHERE { { <http://x/a> skos:prefLabel ?o } UNION { ?s ?p ?o } }",
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?o MINUS { ?s ?p ?o } }",
    P + "SELECT * WHERE { GRAPH ?g { <http://x/a> skos:prefLabel ?o } }",
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?o . BIND(1 AS ?x) }",
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?o } VALUES ?o { 1 }",
    P + "SELECT * WHERE { { SELECT ?o WHERE { ?s skos:prefLabel ?o } } }",
    P + "SELECT (COUNT(*) AS ?n) WHERE { <http://x/a> skos:prefLabel ?o }",
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?o } ORDER BY ?o",
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?o } GROUP BY ?o",
    P + "SELECT * FROM <http://x/g> WHERE { <http://x/a> skos:prefLabel ?o }",
    P + "SELECT * WHERE { SERVICE <http://x/s> { <http://x/a> skos:prefLabel ?o } }",
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel [] }", P + "SELECT * WHERE { _:b skos:prefLabel ?o }",
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel 1 }", P + "SELECT * WHERE { <http://x/a> skos:prefLabel true }",
    # a codepoint escape or a long string could end a string where this reader would not
    P + 'SELECT * WHERE { <http://x/a> skos:prefLabel "\\u0022 } UNION { ?s ?p ?o } #" }',
    P + 'SELECT * WHERE { <http://x/a> skos:prefLabel """x""" }', P + "SELECT * WHERE { <http://x/\\u0061> ?p ?o }",
    "BASE <http://x/> SELECT * WHERE { <a> <p> ?o }", "SELECT * WHERE { <a> <http://x/p> ?o }",
    "SELECT * WHERE { undeclared:a <http://x/p> ?o }", P + 'SELECT * WHERE { <http://x/a> skos:x und:x "s" }',
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?ó }", P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?o } .",
    P + "SELECT * WHERE { <http://x/a> skos:prefLabel ?o . . }",
    P + "SELECT * WHERE { <http://x/a> skos:x ?o } LIMIT 1 LIMIT 2",
    P + "CONSTRUCT { <http://x/a> skos:prefLabel ?o } WHERE { <http://x/a> skos:prefLabel ?o }", "DESCRIBE <http://x/a>",
    P + "INSERT DATA { <http://x/a> skos:prefLabel 'x' }", "SELECT * WHERE { " + "<http://x/a> ?p ?o . " * 17 + "}",
    "SELECT * WHERE { <http://x/a> ?p " + "'x' " * 5000 + "}",  # too long to be read here
])
def test_everything_else_is_not_a_lookup(query: str) -> None:
    assert parse_lookup(query) is None


# --------------------------------------------------------------------------------------------------------
# The budget, and running a lookup at once or on the store's threads
# --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> EmbeddedStore:
    folder = tmp_path_factory.mktemp("lookup-store") / "store"
    store = ox.Store(str(folder))
    store.extend([ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode(p), ox.Literal(f"v{i}"), ox.DefaultGraph())
                  for p, n in (("http://x/p", 5), ("http://x/many", INLINE_BUDGET + 36)) for i in range(n)])
    store.flush()
    del store
    return EmbeddedStore(folder)


def test_the_budget_counts_each_pattern_and_their_combinations(small_store: EmbeddedStore) -> None:
    one = parse_lookup("SELECT * WHERE { <http://x/a> <http://x/p> ?o }")
    two = parse_lookup("SELECT * WHERE { <http://x/a> <http://x/p> ?o, ?o2 }")
    none = parse_lookup("SELECT * WHERE { <http://x/a> <http://x/p> ?o ; <http://x/q> ?z }")
    assert one and two and none
    assert within_budget(small_store.raw, one, True, budget=5)
    assert not within_budget(small_store.raw, one, True, budget=4)
    assert within_budget(small_store.raw, two, True, budget=25)
    assert not within_budget(small_store.raw, two, True, budget=24)  # 5 × 5 combinations
    assert within_budget(small_store.raw, none, True, budget=5)  # nothing to combine with


def job(query: str, **fields) -> Job:
    return Job(sparql=query, formats={"select": "json", "ask": "json", "graph": None}, **fields)


def test_a_small_lookup_runs_at_once_with_the_row_cap(small_store: EmbeddedStore) -> None:
    query = "SELECT ?o WHERE { <http://x/a> <http://x/p> ?o }"
    lookup = parse_lookup(query)
    assert lookup is not None and within_budget(small_store.raw, lookup, True, INLINE_BUDGET)

    def run(found: Job, budget: int = 1_000) -> Reply | None:
        return asyncio.run(answer_lookup(small_store, found, lookup, timeout_s=5, budget=budget))

    reply = run(job(query))
    assert reply is not None and reply.kind == "select" and reply.body.count(b'"value"') == 5
    with pytest.raises(ResultTooLarge, match="more than 4 rows"):
        run(job(query, row_cap=4))
    assert run(job(query), budget=4) is None  # past the budget: the caller sends it to the pool
    with pytest.raises(NotAcceptableResult):
        run(Job(sparql=query, formats={"select": None}))


def test_a_larger_lookup_runs_on_the_store_threads_with_the_same_limits(small_store: EmbeddedStore) -> None:
    query = "SELECT ?o WHERE { <http://x/a> <http://x/many> ?o }"  # past what is answered without a thread
    lookup = parse_lookup(query)
    assert lookup is not None and not within_budget(small_store.raw, lookup, True, INLINE_BUDGET)

    def run(found: Job, budget: int = 1_000) -> Reply | None:
        return asyncio.run(answer_lookup(small_store, found, lookup, timeout_s=5, budget=budget))

    reply = run(job(query))
    assert reply is not None and reply.body.count(b'"value"') == INLINE_BUDGET + 36
    with pytest.raises(ResultTooLarge, match="more than 50 rows"):
        run(job(query, row_cap=50))
    assert run(job(query), budget=INLINE_BUDGET + 35) is None


# --------------------------------------------------------------------------------------------------------
# On a live server: lookups skip the busy workers; everything else still waits for them and is stopped
# --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(server_factory):
    """2 workers, 2 queued queries (4 admitted at once), a 1 s time limit, a 50-row cap."""
    return server_factory("lookups", [FIXTURES / "mini.trig"], materialize_union=True,
                          env={"KOMPETENCJE_QUERY_TIMEOUT_S": "1", "KOMPETENCJE_ROW_CAP": "50",
                               "KOMPETENCJE_SPARQL_WORKERS": "2", "KOMPETENCJE_SPARQL_QUEUE": "2"})


def get(url: str, query: str) -> httpx.Response:
    return httpx.get(url + "/sparql", params={"query": query}, headers=JSON_RESULTS, timeout=30)


def wait_for_the_workers(url: str) -> None:
    deadline = time.monotonic() + 30
    while get(url, "ASK {}").status_code != 200:  # ASK {} is not a lookup: it needs a worker
        assert time.monotonic() < deadline, "the workers did not come back"
        time.sleep(0.2)


def test_a_lookup_gives_what_the_workers_give(server) -> None:
    lookup = get(server.url, P + f"SELECT ?l WHERE {{ <{KS02}> skos:prefLabel ?l }}")
    pooled = get(server.url, P + f"SELECT ?l WHERE {{ ?s skos:prefLabel ?l FILTER(?s = <{KS02}>) }}")
    assert lookup.status_code == pooled.status_code == 200
    assert lookup.json() == pooled.json() and lookup.json()["results"]["bindings"]
    assert lookup.headers["content-type"] == pooled.headers["content-type"]
    turtle = httpx.get(server.url + "/sparql", params={"query": f"ASK {{ <{KS02}> ?p ?o }}"},
                       headers={"Accept": "text/turtle"}, timeout=30)
    assert turtle.status_code == 406  # the same negotiation


def test_lookups_skip_busy_workers_and_other_queries_still_wait_and_stop(server) -> None:
    wait_for_the_workers(server.url)
    with ThreadPoolExecutor(max_workers=4) as pool:
        heavy = [pool.submit(get, server.url, HEAVY) for _ in range(2)]
        time.sleep(0.3)  # both workers are busy now
        other = pool.submit(get, server.url, P + 'SELECT ?s WHERE { ?s skos:notation "KS-02" }')
        started = time.monotonic()
        lookup = get(server.url, P + f"SELECT ?l WHERE {{ <{KS02}> skos:prefLabel ?l }}")
        elapsed = time.monotonic() - started
        assert lookup.status_code == 200 and elapsed < 0.5, (lookup.text, elapsed)
        assert not any(f.done() for f in heavy)
        for response in (f.result() for f in heavy):  # still stopped at the time limit in their workers
            assert response.status_code == 503 and response.json()["title"] == "Query timed out"
        waited = other.result()  # it waited for a worker: answered once one was free, or stopped at its limit
        assert waited.status_code in (200, 503) and waited.elapsed.total_seconds() > 0.5, waited.elapsed
    wait_for_the_workers(server.url)


def test_lookups_keep_the_admission_limit_and_the_row_cap(server) -> None:
    wait_for_the_workers(server.url)
    with ThreadPoolExecutor(max_workers=4) as pool:
        heavy = [pool.submit(get, server.url, HEAVY) for _ in range(4)]  # 2 running + 2 waiting: all slots
        time.sleep(0.3)
        lookup = get(server.url, P + f"SELECT ?l WHERE {{ <{KS02}> skos:prefLabel ?l }}")
        assert lookup.status_code == 503 and lookup.json()["title"] == "Service overloaded"
        assert all(f.result().status_code == 503 for f in heavy)
    wait_for_the_workers(server.url)
    many = get(server.url, f"SELECT * WHERE {{ <{KS02}> ?p ?o . <{KS02}> ?q ?z }}")  # 18 × 18 rows > 50
    assert many.status_code == 400 and many.json()["title"] == "Result too large"


def test_a_lookup_of_unknown_or_hostile_terms_is_harmless(server) -> None:
    for query in (f"SELECT * WHERE {{ <{ID}nothing> ?p ?o }}", 'ASK { <http://x/a> <http://x/p> "\\"}" }'):
        response = get(server.url, query)
        assert response.status_code == 200, response.text
    assert get(server.url, "SELECT * WHERE { <http://x/a> <http://x/p> ?o").status_code == 400
