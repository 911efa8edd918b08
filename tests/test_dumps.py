"""Dumps at /dumps/: they parse back to what the store holds; ETag, Last-Modified and 304s; only known names."""

from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime

import httpx
import pyoxigraph as ox
import pytest
import rdflib

pytestmark = pytest.mark.server

NAMES = ["kompetencje.ttl", "kompetencje.nt", "kompetencje.trig", "kompetencje.jsonld"]


@pytest.fixture(scope="module")
def dumps(live_server) -> httpx.Client:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def store_counts(live_server) -> tuple[int, int]:
    """(quads in the named graphs, distinct triples of their union), read from the server's store."""
    store = ox.Store.read_only(str(live_server.store))
    quads = sum(1 for g in store.named_graphs() for _ in store.quads_for_pattern(None, None, None, g))
    triples = len({q.triple for q in store})
    return quads, triples


def test_index_lists_every_dump(dumps: httpx.Client) -> None:
    index = dumps.get("/dumps/").json()["dumps"]
    assert [d["name"] for d in index] == NAMES
    for entry in index:
        assert entry["url"].endswith("/dumps/" + entry["name"]) and entry["size"] > 0
        assert len(entry["sha256"]) == 64
    html = dumps.get("/dumps/", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "kompetencje.trig" in html.text


@pytest.mark.parametrize(("name", "rdflib_format"), [("kompetencje.trig", "trig"), ("kompetencje.jsonld", "json-ld")])
def test_dataset_dumps_keep_one_named_graph_per_source(dumps: httpx.Client, store_counts, name: str,
                                                       rdflib_format: str) -> None:
    response = dumps.get(f"/dumps/{name}")
    assert response.status_code == 200
    dataset = rdflib.Dataset()
    dataset.parse(data=response.content, format=rdflib_format)
    graphs = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert sum(graphs.values()) == store_counts[0]
    assert "https://w3id.org/kompetencje/id/graph/001_5d749821937a7dbe" in graphs
    assert "https://w3id.org/kompetencje/id/graph/000_a7a7e54fe18a7d12" in graphs


@pytest.mark.parametrize(("name", "rdflib_format"), [("kompetencje.ttl", "turtle"), ("kompetencje.nt", "nt")])
def test_graph_dumps_hold_the_union(dumps: httpx.Client, store_counts, name: str, rdflib_format: str) -> None:
    response = dumps.get(f"/dumps/{name}")
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert len(graph) == store_counts[1]


def test_etag_is_the_content_hash_and_conditional_get(dumps: httpx.Client) -> None:
    response = dumps.get("/dumps/kompetencje.trig")
    etag, last_modified = response.headers["etag"], response.headers["last-modified"]
    assert etag.strip('"') == hashlib.sha256(response.content).hexdigest()[:40]
    assert response.headers["content-type"].startswith("application/trig")
    assert dumps.get("/dumps/kompetencje.trig", headers={"If-None-Match": etag}).status_code == 304
    assert dumps.get("/dumps/kompetencje.trig", headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert dumps.get("/dumps/kompetencje.trig", headers={"If-None-Match": '"other"'}).status_code == 200
    assert dumps.get("/dumps/kompetencje.trig", headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(last_modified).replace(year=2000), usegmt=True)
    assert dumps.get("/dumps/kompetencje.trig", headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match wins over If-Modified-Since
    both = {"If-None-Match": '"other"', "If-Modified-Since": last_modified}
    assert dumps.get("/dumps/kompetencje.trig", headers=both).status_code == 200
    not_modified = dumps.get("/dumps/kompetencje.trig", headers={"If-None-Match": etag})
    assert not_modified.headers["etag"] == etag and not not_modified.content


@pytest.mark.parametrize("path", ["/dumps/../app.py", "/dumps/%2e%2e%2fsettings.py", "/dumps/kompetencje.ttl.tmp",
                                  "/dumps/..%2F..%2Fetc%2Fpasswd", "/dumps/store", "/dumps/%2Fetc%2Fpasswd"])
def test_only_known_names_are_served(dumps: httpx.Client, path: str) -> None:
    response = dumps.get(path)
    assert response.status_code == 404
    assert b"root:" not in response.content


def test_head_gives_the_headers_without_the_body(dumps: httpx.Client) -> None:
    get, head = dumps.get("/dumps/kompetencje.ttl"), dumps.head("/dumps/kompetencje.ttl")
    assert head.status_code == 200 and not head.content
    assert head.headers["etag"] == get.headers["etag"]
    assert int(head.headers["content-length"]) == len(get.content)


def test_range_requests(dumps: httpx.Client) -> None:
    response = dumps.get("/dumps/kompetencje.nt", headers={"Range": "bytes=0-9"})
    assert response.status_code == 206 and len(response.content) == 10
