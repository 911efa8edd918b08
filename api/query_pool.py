"""Users' SPARQL queries run in worker processes, so that a query past its time limit can really be stopped.

pyoxigraph has no way to cancel a running query, and a thread cannot be killed; a process can. Each worker
opens the store read-only once, then answers jobs sent over a pipe with the serialised result. When a job
runs past its timeout the worker is killed (SIGKILL) and a fresh one is started in the background, so the
client gets its error in about the timeout and the pool keeps its size. The pool's size bounds how many
users' queries run at once; a request that finds every worker busy waits, within its own timeout.

Jobs and replies are small pickled tuples; a reply carries the body already in the format the client asked
for, so the main process only passes bytes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kompetencje.api.store import (
    GraphName,
    NotAcceptableKind,
    QueryOptions,
    QueryResult,
    ResultTooLarge,
    Solutions,
    Term,
    execute,
    has_default_graph,
    open_read_only,
    serialize,
)
from kompetencje.errors import KompetencjeError, QueryError, QueryTimeout, StoreError

log = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("spawn")  # the server process has threads (uvloop, executors)
_START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Job:
    sparql: str
    formats: Mapping[str, str | None]  # "select" / "ask" / "graph" -> format name (None: not acceptable)
    substitutions: dict[ox.Variable, Term] | None = None
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    union: bool = True
    row_cap: int | None = None
    base_iri: str | None = None


@dataclass(frozen=True)
class Reply:
    kind: str  # "select", "ask", "graph"
    format: str  # a key of store.RESULTS_FORMATS / RDF_FORMATS
    body: bytes


class NotAcceptableResult(KompetencjeError):
    """The query's result is of a kind (table, boolean, graph) for which the client accepts no format."""

    http_status = 406
    title = "Not acceptable"

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(f"the query gives a {_KIND_NAMES.get(kind, kind)}, and the request accepts "
                         "none of the formats for it")


_KIND_NAMES = {"select": "table of solutions", "ask": "boolean", "graph": "graph"}
_ERRORS: dict[str, type[KompetencjeError]] = {"QueryError": QueryError, "QueryTimeout": QueryTimeout,
                                              "ResultTooLarge": ResultTooLarge, "StoreError": StoreError}


# --------------------------------------------------------------------------------------------------------
# The worker process
# --------------------------------------------------------------------------------------------------------

def worker_main(conn: Connection, store_path: str) -> None:
    """A worker's life: open the store, say so, then answer jobs until the pipe closes."""
    try:
        store = open_read_only(store_path)
        union_materialized = has_default_graph(store)
    except Exception as e:  # told to the parent, which raises StoreError
        conn.send(("failed", str(e)))
        return
    conn.send(("ready", union_materialized))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(answer(store, job, union_materialized))


def answer(store: ox.Store, job: Job, union_materialized: bool, deadline: float | None = None) -> tuple:
    """The reply to a job as a worker sends it (a small tuple; `reply_of` reads it). `deadline`
    (time.monotonic) stops reading the result past it, for a job run in the server's own process, where
    nothing can kill it (api/lookup.py)."""
    options = QueryOptions(substitutions=job.substitutions, default_graph=job.default_graph,
                           named_graphs=job.named_graphs, union=job.union, row_cap=job.row_cap,
                           base_iri=job.base_iri, deadline=deadline)
    try:
        kind, name, body = serialize(execute(store, job.sparql, options, union_materialized), job.formats,
                                     options)
    except NotAcceptableKind as e:
        return ("not-acceptable", e.kind)
    except KompetencjeError as e:
        return ("error", type(e).__name__, e.message)
    except Exception as e:  # any engine failure is the query's
        return ("error", "QueryError", f"{type(e).__name__}: {e}")
    return ("ok", kind, name, body)


# --------------------------------------------------------------------------------------------------------
# The pool (in the server process)
# --------------------------------------------------------------------------------------------------------

@dataclass
class _Worker:
    process: Any  # multiprocessing.Process
    conn: Connection

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)

    def ask(self, job: Job, timeout: float) -> tuple | None:
        """Send a job and wait for the reply; None if none came within `timeout` seconds."""
        self.conn.send(job)
        if not self.conn.poll(max(timeout, 0.0)):
            return None
        return self.conn.recv()


def _spawn(store_path: str) -> tuple[_Worker, bool]:
    parent, child = _CONTEXT.Pipe()
    process = _CONTEXT.Process(target=worker_main, args=(child, store_path), daemon=True,
                               name="kompetencje-query-worker")
    process.start()
    child.close()
    worker = _Worker(process, parent)
    if not parent.poll(_START_TIMEOUT_S):
        worker.kill()
        raise StoreError("a query worker did not start in time")
    status = parent.recv()
    if status[0] != "ready":
        worker.kill()
        raise StoreError(f"a query worker could not open the store: {status[1]}")
    return worker, bool(status[1])


@dataclass
class QueryPool:
    """A fixed number of worker processes, each with its own read-only store."""

    store_path: Path
    size: int = 2
    timeout_s: float = 30.0
    row_cap: int | None = 100_000
    union_materialized: bool = field(init=False, default=False)
    _idle: asyncio.Queue[_Worker] = field(init=False, repr=False)
    _tasks: set[asyncio.Task] = field(init=False, default_factory=set, repr=False)
    _workers: list[_Worker] = field(init=False, default_factory=list, repr=False)
    _closed: bool = field(init=False, default=False)

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        started = await asyncio.gather(*(asyncio.to_thread(_spawn, str(self.store_path))
                                         for _ in range(self.size)))
        for worker, union_materialized in started:
            self.union_materialized = union_materialized
            self._add(worker)

    def _add(self, worker: _Worker) -> None:
        self._workers.append(worker)
        self._idle.put_nowait(worker)

    async def run(self, job: Job, *, timeout_s: float | None = None) -> Reply:
        """Run a job within the timeout (waiting for a free worker counts); kill the worker past it."""
        timeout = self.timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + timeout
        worker = await self._acquire(timeout)
        try:
            answered = await asyncio.to_thread(worker.ask, job, deadline - time.monotonic())
        except asyncio.CancelledError:  # the client went away: the worker may be busy for long
            self._replace(worker)
            raise
        except (EOFError, OSError) as e:
            self._replace(worker)
            raise StoreError(f"the query worker failed ({type(e).__name__}); please try again") from None
        if answered is None:
            self._replace(worker)
            raise timed_out(timeout)
        self._idle.put_nowait(worker)
        return reply_of(answered)

    async def query(self, sparql: str, *, substitutions: Mapping[ox.Variable, Term] | None = None,
                    default_graph: list[GraphName] | None = None,
                    named_graphs: list[GraphName] | None = None,
                    use_default_graph_as_union: bool = True,
                    timeout_s: float | None = None) -> QueryResult:
        """The Store protocol: the result parsed back from JSON results / N-Triples."""
        job = Job(sparql=sparql, formats={"select": "json", "ask": "json", "graph": "ntriples"},
                  substitutions=dict(substitutions) if substitutions else None,
                  default_graph=_names(default_graph), named_graphs=_names(named_graphs),
                  union=use_default_graph_as_union, row_cap=self.row_cap)
        reply = await self.run(job, timeout_s=timeout_s)
        if reply.kind == "graph":
            return [quad.triple for quad in ox.parse(reply.body, format=ox.RdfFormat.N_TRIPLES)]
        if reply.kind == "ask":
            return ox.parse_query_results(reply.body, ox.QueryResultsFormat.JSON)
        return Solutions.from_json(reply.body)

    async def _acquire(self, timeout: float) -> _Worker:
        if self._closed:
            raise StoreError("the query service is shutting down")
        try:
            return await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise QueryTimeout(f"Every query worker stayed busy for {timeout:g} s; please try again later.") \
                from None

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and start another in the background; it joins the idle queue when ready."""
        if worker in self._workers:
            self._workers.remove(worker)
        task = asyncio.get_running_loop().create_task(self._respawn(worker))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self, dead: _Worker) -> None:
        await asyncio.to_thread(dead.kill)
        while not self._closed:
            try:
                worker, _ = await asyncio.to_thread(_spawn, str(self.store_path))
            except StoreError as e:
                log.error("cannot restart a query worker: %s", e.message)
                await asyncio.sleep(5)
                continue
            if self._closed:
                worker.kill()
            else:
                self._add(worker)
            return

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for worker in self._workers:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
        await asyncio.gather(*(asyncio.to_thread(w.kill) for w in self._workers))
        self._workers.clear()


def reply_of(answered: tuple) -> Reply:
    """The Reply of a worker's answer (`answer`), or the error it reports, raised."""
    status = answered[0]
    if status == "ok":
        return Reply(kind=answered[1], format=answered[2], body=answered[3])
    if status == "not-acceptable":
        raise NotAcceptableResult(answered[1])
    raise _ERRORS.get(answered[1], QueryError)(answered[2])


def timed_out(timeout: float) -> QueryTimeout:
    return QueryTimeout(f"The query ran past the time limit ({timeout:g} s) and was stopped. "
                        "Narrow it down (a more selective pattern, LIMIT), or use the dumps at /dumps/.")


def _names(graphs: list[GraphName] | None) -> list[str] | None:
    if graphs is None:
        return None
    return [g.value if isinstance(g, ox.NamedNode) else str(g) for g in graphs]
