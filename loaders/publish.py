"""Publishing a build to a remote SPARQL store: `kompetencje load --store sparql+http://host:port/`.

Build locally, then publish: each named graph of the build's store is sent with the SPARQL 1.1 Graph Store
HTTP Protocol, `PUT {graph store}?graph=<iri>` with the graph as N-Triples, which replaces that graph on the
server; then the default graph, which the build materialised as the union of the named graphs
(`PUT {graph store}?default`), unless the server is configured to answer from the union itself
(`default_graph=False`); last, the named graphs the server holds and the build no longer has are deleted
(`DELETE {graph store}?graph=<iri>`), unless `prune=False`. Readers may see a mix while this runs: publish
into a fresh store and switch the API over for an atomic change (docs/scaling.md).

The Graph Store endpoint is derived from the store URL: `sparql+http://h/` gives `http://h/store` and
`sparql+http://h/x/query` (or `/x/sparql`) gives `http://h/x/store`, which is oxigraph's layout; other
servers name it otherwise (Fuseki `/{dataset}/data`, RDF4J and GraphDB `/repositories/{id}/rdf-graphs/service`):
give it as `graph_store`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from kompetencje.api.remote_store import endpoint_url, redacted
from kompetencje.errors import InputError, StoreError

NTRIPLES = "application/n-triples"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Published:
    target: str  # the Graph Store endpoint, without credentials
    graphs: int  # named graphs sent
    quads: int  # quads in them
    default_triples: int  # triples of the default graph sent (0 when not sent)
    removed: list[str]  # named graphs deleted from the server


def graph_store_url(store: str) -> str:
    """The Graph Store Protocol endpoint next to a query endpoint (or under a server root)."""
    return _sibling(store, "store")


def query_url(store: str) -> str:
    """The query endpoint: the URL itself, or `{root}/query` for a server root."""
    url = endpoint_url(store)
    return _sibling(store, "query") if url.endswith("/") or not urlsplit(url).path else url


def _sibling(store: str, name: str) -> str:
    parts = urlsplit(endpoint_url(store))
    path = parts.path or "/"
    if not path.endswith("/"):
        head, _, last = path.rpartition("/")
        if last not in ("query", "sparql"):
            raise InputError(f"cannot tell the {name} endpoint of {redacted(endpoint_url(store))}: "
                             "give the server's root, its /query endpoint, or --graph-store")
        path = head + "/"
    return urlunsplit(parts._replace(path=path + name, query="", fragment=""))


def publish(store_dir: Path, store: str, *, graph_store: str | None = None, default_graph: bool = True,
            prune: bool = True, timeout_s: float = 600.0, progress: Progress | None = None) -> Published:
    """Send the build's store in `store_dir` to the remote store (see the module doc)."""
    target = graph_store or graph_store_url(store)
    local = _open(store_dir)
    graphs = sorted((g for g in local.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)
    quads = default_triples = 0
    with httpx.Client(timeout=timeout_s, headers={"User-Agent": "kompetencje"}) as client:
        for done, graph in enumerate(graphs):
            if progress:
                progress("publish named graphs", done, len(graphs))
            quads += _put(client, target, {"graph": graph.value}, _triples(local, graph))
        if default_graph:
            default_triples = _put(client, target, {"default": ""}, _triples(local, ox.DefaultGraph()))
        removed = _prune(client, store, target, {g.value for g in graphs}) if prune else []
    return Published(redacted(target), len(graphs), quads, default_triples, removed)


def _open(store_dir: Path) -> ox.Store:
    if not store_dir.is_dir():
        raise StoreError("no built store: run `kompetencje build` first", source=str(store_dir))
    try:
        return ox.Store.read_only(str(store_dir))
    except OSError as error:
        raise StoreError(f"cannot open the store: {error}", source=str(store_dir)) from None


def _triples(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> list[ox.Triple]:
    return [quad.triple for quad in store.quads_for_pattern(None, None, None, graph)]


def _put(client: httpx.Client, target: str, params: dict[str, str], triples: list[ox.Triple]) -> int:
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    _send(client, "PUT", target, params, content=body, headers={"Content-Type": NTRIPLES})
    return len(triples)


def _prune(client: httpx.Client, store: str, target: str, keep: set[str]) -> list[str]:
    """Delete the server's named graphs that are not in the build."""
    answer = _send(client, "POST", query_url(store), {}, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"},
                   headers={"Accept": "application/sparql-results+json"})
    present = ox.parse_query_results(answer.content, ox.QueryResultsFormat.JSON)
    stale = sorted(row["g"].value for row in present if isinstance(row["g"], ox.NamedNode)
                   and row["g"].value not in keep)
    for graph in stale:
        _send(client, "DELETE", target, {"graph": graph})
    return stale


def _send(client: httpx.Client, method: str, url: str, params: dict[str, str], **kwargs) -> httpx.Response:
    try:
        response = client.request(method, url, params=params or None, **kwargs)
    except httpx.HTTPError as error:
        raise StoreError(f"cannot reach {redacted(url)}: {type(error).__name__}: {error}") from None
    if response.status_code >= 300:
        raise StoreError(f"{method} {redacted(url)} {params or ''} answered HTTP {response.status_code}: "
                         f"{response.text[:300]}")
    return response
