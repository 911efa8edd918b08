"""The remote store: the API over any SPARQL 1.1 server (`KOMPETENCJE_STORE=sparql+https://host/path/query`).

`RemoteStore` follows the `Store` protocol of api/store.py and also answers the SPARQL endpoint's jobs (the
`run(job)` of api/query_pool.py), so the routers do not know which store they read. Queries are POSTed as
SPARQL 1.1 Protocol forms over one pooled `httpx.AsyncClient`; the whole exchange is bounded by the query
timeout. Bound values become an inline VALUES block (api/sparql_terms.py): remote servers do not take
substitutions.

The answer is parsed while it streams in: the response's bytes are fed to pyoxigraph's streaming parsers
(SPARQL JSON results for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE; XML results, Turtle or
RDF/XML when a server offers only those) on a thread of this store, and the same functions as the embedded
store's (`materialize`, `serialize`) turn it into Solutions / QueryBoolean / triples, or into the body
/sparql sends, with the row cap counted on the parsed rows. Past the cap the download is dropped.

The default graph must be the union of the named graphs, as in the embedded store (see docs/scaling.md):
load the build's materialized default graph too (`kompetencje load` does), or configure the server so
(Fuseki `tdb2:unionDefaultGraph true`, oxigraph `--union-default-graph`, GraphDB and Virtuoso answer from
all graphs by default). `use_default_graph_as_union` is therefore not sent: the server decides.

`RemoteDataset` copies the remote named graphs into an in-memory pyoxigraph store, once, for what needs
the whole dataset at startup when the build's files are not at hand: the dumps and the search index.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import queue
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from kompetencje.api.query_pool import Job, NotAcceptableResult, Reply
from kompetencje.api.settings import Settings
from kompetencje.api.sparql_terms import sparql_iri, with_values
from kompetencje.api.store import (
    GraphName,
    NotAcceptableKind,
    QueryOptions,
    QueryResult,
    StoreStats,
    Term,
    materialize,
    materialize_union_default_graph,
    serialize,
)
from kompetencje.errors import KompetencjeError, QueryError, QueryTimeout, StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")
Consumer = Callable[[io.RawIOBase, str], T]

REMOTE_SCHEMES = ("sparql+http://", "sparql+https://")
ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
          "application/sparql-results+xml;q=0.5, application/rdf+xml;q=0.4")
_ERROR_TEXT = 500  # characters of a server's error message passed on


def is_remote(store: str) -> bool:
    return store.startswith(REMOTE_SCHEMES)


def endpoint_url(store: str) -> str:
    """`sparql+https://host/path` -> `https://host/path` (user:password@ in it is sent as Basic auth)."""
    if not is_remote(store):
        raise StoreError(f"not a remote store URL (sparql+http:// or sparql+https://): {redacted(store)}")
    return store.removeprefix("sparql+")


def redacted(url: str) -> str:
    """The URL without its user and password, for logs and messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


# --------------------------------------------------------------------------------------------------------
# Reading an answer while it streams in
# --------------------------------------------------------------------------------------------------------

class ChunkReader(io.RawIOBase):
    """A blocking byte stream for a parser thread, fed chunk by chunk from the event loop."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._buffer = b""
        self._ended = False

    def feed(self, chunk: bytes | None) -> None:
        """The next chunk; None ends the stream."""
        self._chunks.put(chunk)

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer and not self._ended:
            chunk = self._chunks.get()
            self._ended = chunk is None
            self._buffer = chunk or b""
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def parse_answer(reader: io.RawIOBase, media_type: str) -> Any:
    """A lazy pyoxigraph result for the answer: QuerySolutions, QueryBoolean or an iterator of triples."""
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    if results_format is not None:
        return ox.parse_query_results(reader, results_format)
    return (quad.triple for quad in ox.parse(reader, rdf_format(media_type)))


def rdf_format(media_type: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise StoreError(f"the remote SPARQL store answered in an unexpected format ({media_type or 'none'})")
    return fmt


def consume_safely(consume: Consumer[T], reader: io.RawIOBase, media_type: str) -> T:
    """Run a consumer on the parser thread. Lazy pyoxigraph results must die in the thread that made them,
    so only a fresh error (no traceback holding one) leaves here."""
    try:
        return consume(reader, media_type)
    except NotAcceptableKind as e:
        error: Exception = NotAcceptableResult(e.kind)
    except NotAcceptableResult as e:
        error = NotAcceptableResult(e.kind)
    except KompetencjeError as e:
        error = type(e)(e.message)
    except SyntaxError as e:
        error = StoreError(f"the remote SPARQL store's answer could not be read ({media_type}): {e}")
    except Exception as e:
        error = QueryError(f"{type(e).__name__}: {e}")
    raise error


def _retrieve(future: asyncio.Future) -> None:
    """Mark a parser thread's error as seen when nobody awaits it any more (the request was given up)."""
    if not future.cancelled():
        future.exception()


# --------------------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------------------

@dataclass(eq=False)
class RemoteStore:
    """A SPARQL 1.1 query endpoint over HTTP(S), read through the `Store` protocol."""

    url: str  # the query endpoint, http:// or https://
    timeout_s: float = 30.0
    row_cap: int | None = None
    connections: int = 10  # pooled connections, and threads parsing answers
    _client: httpx.AsyncClient = field(init=False, repr=False)
    _executor: ThreadPoolExecutor = field(init=False, repr=False)
    _closed: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        limits = httpx.Limits(max_connections=self.connections, max_keepalive_connections=self.connections)
        self._client = httpx.AsyncClient(limits=limits, timeout=self.timeout_s, follow_redirects=False,
                                         headers={"User-Agent": "kompetencje"})
        self._executor = ThreadPoolExecutor(max_workers=self.connections, thread_name_prefix="kompetencje-remote")

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        return cls(endpoint_url(settings.store), timeout_s=settings.query_timeout_s, row_cap=settings.row_cap,
                   connections=settings.query_threads + settings.sparql_workers)

    def __str__(self) -> str:
        return redacted(self.url)

    async def query(self, sparql: str, *, substitutions: Mapping[ox.Variable, Term] | None = None,
                    default_graph: list[GraphName] | None = None,
                    named_graphs: list[GraphName] | None = None,
                    use_default_graph_as_union: bool = True,
                    timeout_s: float | None = None) -> QueryResult:
        """The Store protocol (see the module doc for the union default graph)."""
        timeout = self.timeout_s if timeout_s is None else timeout_s
        try:
            text = with_values(sparql, substitutions)
        except ValueError as e:
            raise QueryError(str(e)) from None
        options = QueryOptions(row_cap=self.row_cap, deadline=time.monotonic() + timeout)
        return await self.exchange(text, lambda reader, media: materialize(parse_answer(reader, media), options),
                                   timeout, default_graph=default_graph, named_graphs=named_graphs)

    async def run(self, job: Job, *, timeout_s: float | None = None) -> Reply:
        """A user's query from /sparql, answered in the format the job asks for (as QueryPool.run)."""
        timeout = self.timeout_s if timeout_s is None else timeout_s
        text = job.sparql if job.base_iri is None else f"BASE {sparql_iri(job.base_iri)}\n{job.sparql}"
        options = QueryOptions(row_cap=job.row_cap, deadline=time.monotonic() + timeout)

        def consume(reader: io.RawIOBase, media: str) -> Reply:
            kind, name, body = serialize(parse_answer(reader, media), job.formats, options)
            return Reply(kind=kind, format=name, body=body)

        return await self.exchange(text, consume, timeout, default_graph=job.default_graph,
                                   named_graphs=job.named_graphs)

    async def fetch_graph(self, graph: str, into: ox.Store, timeout_s: float) -> None:
        """Copy one named graph into a pyoxigraph store (no row cap: a bulk read, like the dumps')."""
        text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }} }}"

        def consume(reader: io.RawIOBase, media: str) -> None:
            into.load(reader, rdf_format(media), to_graph=ox.NamedNode(graph))

        await self.exchange(text, consume, timeout_s)

    async def exchange(self, sparql: str, consume: Consumer[T], timeout_s: float, *,
                       default_graph: list[GraphName] | None = None,
                       named_graphs: list[GraphName] | None = None) -> T:
        """POST a query and hand its answer, as it streams in, to `consume(reader, media_type)` on a thread."""
        if self._closed:
            raise StoreError("the store is closed")
        form: dict[str, Any] = {"query": sparql}
        if default_graph is not None or named_graphs is not None:
            form["default-graph-uri"] = _names(default_graph)
            form["named-graph-uri"] = _names(named_graphs)
        try:
            async with asyncio.timeout(timeout_s):
                async with self._client.stream("POST", self.url, data=form, headers={"Accept": ACCEPT},
                                               timeout=timeout_s) as response:
                    await _check(response)
                    return await self._read(response, consume)
        except (TimeoutError, httpx.TimeoutException):
            raise QueryTimeout(f"The query ran past the time limit ({timeout_s:g} s).") from None
        except httpx.HTTPError as e:
            log.error("the remote SPARQL store %s failed: %s", self, e)
            raise StoreError(f"the remote SPARQL store cannot be reached ({type(e).__name__})") from None

    async def _read(self, response: httpx.Response, consume: Consumer[T]) -> T:
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        reader = ChunkReader()
        parsing = asyncio.get_running_loop().run_in_executor(self._executor, consume_safely, consume, reader,
                                                             media_type)
        parsing.add_done_callback(_retrieve)
        try:
            async for chunk in response.aiter_bytes():
                if parsing.done():  # the consumer stopped early (the row cap): drop the rest
                    break
                reader.feed(chunk)
        finally:
            reader.feed(None)
        return await parsing

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._client.aclose()
        self._executor.shutdown(wait=False, cancel_futures=True)


async def _check(response: httpx.Response) -> None:
    """The error for a response that is not an answer: 400 is the query's fault, the rest the store's."""
    if response.status_code == 200:
        return
    text = (await response.aread())[:4000].decode("utf-8", "replace").strip()
    log.warning("the remote SPARQL store answered HTTP %d: %s", response.status_code, text[:_ERROR_TEXT])
    if response.status_code == 400:
        raise QueryError(f"The SPARQL store refused the query: {text[:_ERROR_TEXT]}")
    if response.status_code in (408, 504):
        raise QueryTimeout("The query ran past the SPARQL store's time limit.")
    raise StoreError(f"the remote SPARQL store answered HTTP {response.status_code}")


def _names(graphs: list[GraphName] | None) -> list[str]:
    return [g.value if isinstance(g, ox.NamedNode) else str(g) for g in graphs or []]


# --------------------------------------------------------------------------------------------------------
# The whole dataset, copied once (for the dumps and the search index)
# --------------------------------------------------------------------------------------------------------

@dataclass
class RemoteDataset:
    """The remote store's named graphs in an in-memory pyoxigraph store, with the union default graph
    materialized as the build does; fetched on first use (`snapshot()`), one CONSTRUCT per named graph."""

    remote: RemoteStore
    stats: StoreStats
    timeout_s: float = 600.0
    _store: ox.Store | None = field(init=False, default=None, repr=False)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock, repr=False)

    def fingerprint(self) -> str:
        """Changes when the remote data does (as far as the graphs' names and sizes tell)."""
        graphs = "\n".join(f"{name} {count}" for name, count in sorted(self.stats.graphs.items()))
        text = f"{redacted(self.remote.url)}\n{self.stats.triples}\n{graphs}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    async def snapshot(self) -> tuple[ox.Store, bool]:
        """(the in-memory store, True: its default graph is the union)."""
        async with self._lock:
            if self._store is None:
                store = ox.Store()
                for graph in self.stats.graphs:
                    await self.remote.fetch_graph(graph, store, self.timeout_s)
                await asyncio.to_thread(materialize_union_default_graph, store)
                log.info("copied %d named graphs (%d quads) from %s", len(self.stats.graphs), len(store),
                         self.remote)
                self._store = store
        return self._store, True

