"""The store adapter: how the API asks the graph questions.

`Store` is the protocol every backend follows; `EmbeddedStore` is pyoxigraph's on-disk store opened
read-only from the build folder, queried on a bounded thread pool. (The SPARQL endpoint runs users' queries
in `kompetencje.api.query_pool.QueryPool`, worker processes that can be killed when a query runs too long;
it follows the same protocol, and so does `kompetencje.api.remote_store.RemoteStore`, any SPARQL 1.1 server
over HTTP, which takes bound values as an inline VALUES block instead.)

User input never becomes query text by pasting. It goes in as bound values, which the embedded store writes
strictly into an inline VALUES block (see `planned_with_values`: pyoxigraph would plan SEP-0007
substitutions as unbound variables) and the remote store does too:

    rows = await store.query(
        "SELECT ?unit ?label WHERE { ?unit skos:notation ?symbol ; skos:prefLabel ?label }",
        substitutions=bind(symbol=literal(user_text)))

A substituted variable must be in the SELECT projection (or the query must be `SELECT *`).

The default graph is the union of the named graphs. pyoxigraph's union option counts a triple once per
graph that holds it (oxigraph issue #1919) and ignores a query's FROM clauses; so when the build has
written the union into the store's default graph (`materialize_union_default_graph`), that graph is used,
and otherwise the option is used, except for queries that name their own dataset.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import orjson
import pyoxigraph as ox

from kompetencje.api.sparql_terms import with_values
from kompetencje.errors import InputError, KompetencjeError, QueryError, QueryTimeout, StoreError
from kompetencje.vocab import PREFIXES

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName = ox.NamedNode | str

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

RESULTS_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                   "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
               "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD,
               "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
_PREFIXED_FORMATS = {"turtle", "rdfxml", "trig"}


# --------------------------------------------------------------------------------------------------------
# Bound values: the only way user input reaches a query
# --------------------------------------------------------------------------------------------------------

def iri(value: str) -> ox.NamedNode:
    """An IRI from user input; InputError if it is not one."""
    try:
        return ox.NamedNode(value)
    except ValueError as e:
        raise InputError(f"not an IRI: {value!r} ({e})") from None


def literal(value: str | int | float | bool | Decimal | date | datetime, *, lang: str | None = None,
            datatype: str | ox.NamedNode | None = None) -> ox.Literal:
    """A literal from user input; plain str gives xsd:string, Python numbers, dates and bools their XSD type."""
    try:
        if lang is not None:
            return ox.Literal(str(value), language=lang)
        if datatype is not None:
            dt = datatype if isinstance(datatype, ox.NamedNode) else ox.NamedNode(datatype)
            return ox.Literal(str(value), datatype=dt)
        return ox.Literal(value) if isinstance(value, str | int | float | bool) else _typed(value)
    except (ValueError, TypeError) as e:
        raise InputError(f"not a valid literal: {value!r} ({e})") from None


def _typed(value: Decimal | date | datetime) -> ox.Literal:
    if isinstance(value, datetime):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
    if isinstance(value, date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "decimal"))


def bind(**values: Term | str | int | float | bool | Decimal | date | datetime) -> dict[ox.Variable, Term]:
    """Substitutions for `Store.query`: `bind(unit=iri(u), q="tekst")` (a plain str becomes a literal)."""
    return {ox.Variable(name): value if isinstance(value, Term) else literal(value)
            for name, value in values.items()}


def rows(solutions: Iterable[ox.QuerySolution], variables: Iterable[str]) -> list[dict[str, Term | None]]:
    """Solutions as plain dicts (variable name -> term or None), for code that prefers them."""
    names = list(variables)
    return [{name: solution[name] for name in names} for solution in solutions]


# --------------------------------------------------------------------------------------------------------
# The protocol
# --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Solutions:
    """A SELECT result, whole: its variables and its solutions (pyoxigraph QuerySolution objects).

    pyoxigraph's own QuerySolutions is a lazy iterator that must stay in the thread that made it, so the
    store hands out this list instead. `solution["label"]` gives a term or None, as in pyoxigraph.
    """

    variables: list[str]
    rows: list[ox.QuerySolution]

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> ox.QuerySolution:
        return self.rows[index]

    @classmethod
    def from_json(cls, body: bytes) -> Solutions:
        parsed = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        return cls(variables=[v.value for v in parsed.variables], rows=list(parsed))


QueryResult = Solutions | ox.QueryBoolean | list[ox.Triple]

@runtime_checkable
class Store(Protocol):
    async def query(self, sparql: str, *, substitutions: Mapping[ox.Variable, Term] | None = None,
                    default_graph: list[GraphName] | None = None,
                    named_graphs: list[GraphName] | None = None,
                    use_default_graph_as_union: bool = True,
                    timeout_s: float | None = None) -> QueryResult:
        """Run a SPARQL query and return its whole result: Solutions, a QueryBoolean or a list of triples.

        `default_graph` / `named_graphs` set the dataset (as the protocol's default-graph-uri and
        named-graph-uri do); otherwise the default graph is the union of all named graphs. Raises QueryError
        for a malformed query, QueryTimeout past `timeout_s`, StoreError if the store fails.
        """
        ...

    async def close(self) -> None: ...


# --------------------------------------------------------------------------------------------------------
# Running one query against an open pyoxigraph store (shared by the threads and the worker processes)
# --------------------------------------------------------------------------------------------------------

@dataclass
class QueryOptions:
    substitutions: dict[ox.Variable, Term] | None = None
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    union: bool = True
    row_cap: int | None = None
    deadline: float | None = None  # time.monotonic() after which iteration stops
    base_iri: str | None = None  # for relative IRIs in the query (the protocol: the endpoint's URL)


def dataset_kwargs(sparql: str, options: QueryOptions, union_materialized: bool) -> dict[str, Any]:
    """pyoxigraph keyword arguments for the dataset a query runs on."""
    from kompetencje.api.query_text import names_dataset

    kwargs: dict[str, Any] = {}
    if options.default_graph is not None:
        kwargs["default_graph"] = [_graph(g) for g in options.default_graph]
    if options.named_graphs is not None:
        kwargs["named_graphs"] = [_graph(g) for g in options.named_graphs]
    if options.default_graph is None and options.union and not union_materialized \
            and not names_dataset(sparql):
        kwargs["use_default_graph_as_union"] = True
    return kwargs


def _graph(name: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name == "" else ox.NamedNode(name)


def planned_with_values(sparql: str, substitutions: dict[ox.Variable, Term] | None
                        ) -> tuple[str, dict[ox.Variable, Term] | None]:
    """The query text and what is left to substitute. pyoxigraph orders a query's joins before it applies
    substitutions, so a substituted variable is planned as unbound and a lookup by one IRI can scan a whole
    predicate (measured: a unit's duty sources 70 ms instead of 0.9 ms on 88 k quads, growing with the
    store). Written strictly into an inline VALUES block (`sparql_terms.with_values`, as for a remote
    store) the values are planned as the bound terms they are; substitution stays for what cannot be
    written so (a blank node, the short form CONSTRUCT WHERE)."""
    if not substitutions:
        return sparql, None
    try:
        return with_values(sparql, substitutions), None
    except (InputError, ValueError):
        return sparql, substitutions


def execute(store: ox.Store, sparql: str, options: QueryOptions, union_materialized: bool):
    """Start a query; the result is lazy (pyoxigraph evaluates it while it is iterated)."""
    text, substitutions = planned_with_values(sparql, options.substitutions)
    try:
        return store.query(text, substitutions=substitutions, base_iri=options.base_iri,
                           **dataset_kwargs(sparql, options, union_materialized))
    except SyntaxError as e:
        raise QueryError(f"The query is not valid SPARQL: {e}") from None
    except (RuntimeError, ValueError) as e:
        raise QueryError(str(e)) from None
    except OSError as e:
        raise StoreError(f"the store failed: {e}") from None


class ResultTooLarge(QueryError):
    """More rows than the service's row cap (defined here so the worker processes need not import FastAPI)."""

    title = "Result too large"


def _checked(items: Iterable, options: QueryOptions, what: str) -> Iterable:
    """Iterate a lazy result, stopping at the row cap or the deadline."""
    cap, deadline = options.row_cap, options.deadline
    try:
        for n, item in enumerate(items):
            if cap is not None and n >= cap:
                raise ResultTooLarge(
                    f"The result has more than {cap} {what}, the most this service returns at once. "
                    "Add LIMIT (and OFFSET to page through it), or download the dump from /dumps/.")
            if deadline is not None and n % 256 == 0 and time.monotonic() > deadline:
                raise QueryTimeout("The query ran past the time limit and was stopped.")
            yield item
    except (RuntimeError, ValueError) as e:  # evaluation errors surface while iterating
        raise QueryError(str(e)) from None
    except OSError as e:
        raise StoreError(f"the store failed: {e}") from None


def solutions_json(results: ox.QuerySolutions, options: QueryOptions) -> bytes:
    """SPARQL 1.1 Query Results JSON for a SELECT result, checking the row cap and deadline."""
    variables = [v.value for v in results.variables]
    bindings = []
    for solution in _checked(results, options, "rows"):
        row = {}
        for name in variables:
            term = solution[name]
            if term is not None:
                row[name] = term_json(term)
        bindings.append(row)
    return orjson.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}})


def term_json(term: Term) -> dict[str, Any]:
    """One RDF term as a SPARQL JSON results binding."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                out["its:dir"] = str(direction).rsplit(".", 1)[-1].lower()
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": term_json(term.subject),
                                        "predicate": term_json(term.predicate),
                                        "object": term_json(term.object)}}


def materialize(result, options: QueryOptions) -> QueryResult:
    """The whole result of a query, evaluated now (in the calling thread)."""
    if isinstance(result, ox.QueryBoolean):
        return result
    if isinstance(result, ox.QuerySolutions):  # the rows may leave the thread; the lazy iterator may not
        return Solutions([v.value for v in result.variables], list(_checked(result, options, "rows")))
    return list(dict.fromkeys(_checked(result, options, "triples")))


def serialize(result, kind_formats: Mapping[str, str | None], options: QueryOptions) -> tuple[str, str, bytes]:
    """(kind, format name, body) for a query result in the format chosen for its kind.

    `kind_formats` maps "select", "ask", "graph" to a key of RESULTS_FORMATS / RDF_FORMATS, or to None when
    the client accepts no format for that kind (NotAcceptableKind is raised then).
    """
    if isinstance(result, ox.QueryBoolean):
        kind = "ask"
    elif isinstance(result, ox.QuerySolutions):
        kind = "select"
    else:
        kind = "graph"
    name = kind_formats.get(kind)
    if name is None:
        raise NotAcceptableKind(kind)
    if kind == "ask":
        return kind, name, result.serialize(format=RESULTS_FORMATS[name])
    if kind == "select":
        body = solutions_json(result, options)
        if name != "json":
            body = ox.parse_query_results(body, ox.QueryResultsFormat.JSON).serialize(
                format=RESULTS_FORMATS[name])
        return kind, name, body
    triples = list(dict.fromkeys(_checked(result, options, "triples")))
    return kind, name, serialize_triples(triples, name)


def serialize_triples(triples: Iterable[ox.Triple] | Iterable[ox.Quad], name: str) -> bytes:
    prefixes = PREFIXES if name in _PREFIXED_FORMATS else None
    return ox.serialize(triples, format=RDF_FORMATS[name], prefixes=prefixes)


class NotAcceptableKind(Exception):
    """The client accepts no format for the kind of result the query gave."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(kind)


def open_read_only(path: str | os.PathLike[str]) -> ox.Store:
    folder = Path(path)
    if not folder.is_dir():
        raise StoreError(f"no store at {folder}: run `kompetencje build` first (or set KOMPETENCJE_STORE)")
    try:
        return ox.Store.read_only(str(folder))
    except OSError as e:
        raise StoreError(f"cannot open the store at {folder}: {e}") from None


def has_default_graph(store: ox.Store) -> bool:
    """Whether the store's default graph holds triples (the materialized union, see the module doc)."""
    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None


def materialize_union_default_graph(store: ox.Store) -> None:
    """Write the union of all named graphs into the default graph (a set: each triple once).

    For the build, after the named graphs are loaded: the endpoint's default graph then has set semantics
    (COUNT counts a triple once) and honours FROM. The dumps leave the default graph out.
    """
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


# --------------------------------------------------------------------------------------------------------
# The embedded store
# --------------------------------------------------------------------------------------------------------

@dataclass
class EmbeddedStore:
    """pyoxigraph's RocksDB store, opened read-only, queried on a bounded pool of threads.

    pyoxigraph cannot cancel a query, so a thread cannot be stopped: past the timeout the caller gets
    QueryTimeout at once and the thread stops at the next 256 results (or when the engine yields one).
    This store is for the API's own queries, which are bounded; users' queries go to the QueryPool.
    """

    path: Path
    threads: int = 8
    timeout_s: float = 30.0
    row_cap: int | None = None
    _store: ox.Store = field(init=False, repr=False)
    _executor: ThreadPoolExecutor = field(init=False, repr=False)
    union_materialized: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self._store = open_read_only(self.path)
        self.union_materialized = has_default_graph(self._store)
        self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="kompetencje-store")

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store, for bulk reads (dumps) that run in a thread of their own."""
        return self._store

    async def query(self, sparql: str, *, substitutions: Mapping[ox.Variable, Term] | None = None,
                    default_graph: list[GraphName] | None = None,
                    named_graphs: list[GraphName] | None = None,
                    use_default_graph_as_union: bool = True,
                    timeout_s: float | None = None) -> QueryResult:
        timeout = self.timeout_s if timeout_s is None else timeout_s
        options = QueryOptions(substitutions=dict(substitutions) if substitutions else None,
                               default_graph=_names(default_graph), named_graphs=_names(named_graphs),
                               union=use_default_graph_as_union, row_cap=self.row_cap,
                               deadline=time.monotonic() + timeout)
        return await self._on_thread(timeout, self._run, sparql, options)

    async def query_all(self, queries: list[tuple[str, Mapping[ox.Variable, Term] | None]],
                        timeout_s: float | None = None) -> list[QueryResult]:
        """Several queries over the union default graph, one after another on one of the store's threads,
        within one time limit: one hand-over to the threads instead of one per query, for a view that asks
        many small questions at once (under load each hand-over costs as much as a small query)."""
        timeout = self.timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + timeout
        jobs = [(sparql, QueryOptions(substitutions=dict(substitutions) if substitutions else None,
                                      row_cap=self.row_cap, deadline=deadline)) for sparql, substitutions in queries]
        return await self._on_thread(timeout, self._run_all, jobs)

    async def _on_thread(self, timeout: float, function, *args):
        """`function(*args)` on one of the store's threads; QueryTimeout past `timeout` seconds."""
        future = asyncio.get_running_loop().run_in_executor(self._executor, function, *args)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise QueryTimeout(f"The query ran past the time limit ({timeout:g} s).") from None

    def _run_all(self, jobs: list[tuple[str, QueryOptions]]) -> list[QueryResult]:
        return [self._run(sparql, options) for sparql, options in jobs]

    def _run(self, sparql: str, options: QueryOptions) -> QueryResult:
        # pyoxigraph's lazy results must be dropped in the thread that made them: an error raised while
        # iterating one keeps it alive in its traceback, so only a fresh error (no traceback) leaves here.
        result = execute(self._store, sparql, options, self.union_materialized)
        try:
            return materialize(result, options)
        except KompetencjeError as e:
            error: KompetencjeError = type(e)(e.message)
        except Exception as e:
            error = QueryError(f"{type(e).__name__}: {e}")
        finally:
            del result
        raise error

    def fingerprint(self) -> str:
        """Changes whenever the store's files change (the key of the dumps cache)."""
        return store_fingerprint(self.path)

    async def snapshot(self) -> tuple[ox.Store, bool]:
        """The pyoxigraph store for bulk reads (the dumps), and whether its default graph is the union."""
        return self._store, self.union_materialized

    async def run(self, fn, *args):
        """Run a blocking function of the raw store on this store's threads (dumps, statistics)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _names(graphs: list[GraphName] | None) -> list[str] | None:
    if graphs is None:
        return None
    return [g.value if isinstance(g, ox.NamedNode) else str(g) for g in graphs]


# --------------------------------------------------------------------------------------------------------
# What the store holds (for VoID, the service description and the catalog)
# --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoreStats:
    triples: int  # distinct triples in the union default graph
    quads: int  # quads in the named graphs (what the TriG dump holds)
    graphs: dict[str, int]  # named graph IRI -> triples
    modified: datetime  # when the store was last written
    sources: frozenset[str] = frozenset()  # IRIs of the komp:SourceDocument resources


async def store_stats(store: Store, path: Path | None = None, timeout_s: float = 600.0) -> StoreStats:
    per_graph = await store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
        timeout_s=timeout_s)
    graphs = {s["g"].value: int(s["n"].value) for s in per_graph if isinstance(s["g"], ox.NamedNode)}
    if getattr(store, "union_materialized", False):  # the default graph is the union, a set: count it
        distinct = await store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout_s=timeout_s)
    else:  # the union by hand (a DISTINCT over every graph: slow on a large store)
        distinct = await store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }",
            timeout_s=timeout_s)
    triples = int(next(iter(distinct))["n"].value)
    documents = await store.query(
        "SELECT DISTINCT ?d WHERE { GRAPH ?g { ?d a <https://w3id.org/kompetencje/ontology#SourceDocument> } }",
        timeout_s=timeout_s)
    return StoreStats(triples=triples, quads=sum(graphs.values()), graphs=graphs, modified=_modified(path),
                      sources=frozenset(row["d"].value for row in documents))


async def cached_store_stats(store: Store, path: Path, cache_dir: Path) -> StoreStats:
    """`store_stats` of an embedded store, kept in `cache_dir` under the store's fingerprint: a built store
    never changes, and counting it takes seconds on a large one (a restart reads the file)."""
    cache = cache_dir / f"stats-{store_fingerprint(path)}.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        kept = orjson.loads(cache.read_bytes())
        return StoreStats(triples=kept["triples"], quads=kept["quads"], graphs=kept["graphs"],
                          modified=datetime.fromisoformat(kept["modified"]), sources=frozenset(kept["sources"]))
    stats = await store_stats(store, path)
    with contextlib.suppress(OSError):  # a read-only folder: counted again next time
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        temporary.write_bytes(orjson.dumps({
            "triples": stats.triples, "quads": stats.quads, "graphs": stats.graphs,
            "modified": stats.modified.isoformat(), "sources": sorted(stats.sources)}))
        os.replace(temporary, cache)
    return stats


def _modified(path: Path | None) -> datetime:
    if path is None or not path.exists():
        return datetime.now(UTC).replace(microsecond=0)
    newest = max((p.stat().st_mtime for p in path.rglob("*") if p.is_file()), default=path.stat().st_mtime)
    return datetime.fromtimestamp(int(newest), UTC)


def store_fingerprint(path: Path) -> str:
    """Changes whenever the store's files change: the key of caches derived from the store."""
    parts = sorted(f"{p.relative_to(path)}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                   for p in path.rglob("*") if p.is_file() and not p.name.startswith(("LOG", "LOCK")))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
