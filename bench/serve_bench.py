"""Serving benchmark: the real server (`kompetencje serve`: uvicorn, uvloop, httptools, 2 workers) on a built
data folder, loaded with 16 closed-loop clients per endpoint, and the same-run baselines: the same SPARQL
lookup against `oxigraph serve-read-only` on the build's dataset.trig, and a minimal FastAPI app under the
same uvicorn settings (the web stack's ceiling)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from bench.build_bench import BASE_IRI, REPOSITORY
from bench.load import LoadGenerator, LoadResult
from bench.procs import MIB, PeakSampler, free_port, stop, tree_breakdown, tree_rss, wait_for, wait_idle

SEARCH_QUERIES = ("podatek od nieruchomości", "gospodarka odpadami komunalnymi", "rejestracja pojazdów",
                  "zieleń miejska", "nabór na wolne stanowiska urzędnicze", "budżet gminy",
                  "archiwum zakładowe", "tablice rejestracyjne")
SPARQL_JSON = {"Accept": "application/sparql-results+json"}
SKOS_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
SERVER_ENV = {"KOMPETENCJE_SPARQL_QUEUE": "64"}  # > clients: admission control must not turn load into 503s
TARGET_QUERY = """
PREFIX komp: <https://w3id.org/kompetencje/ontology#>
SELECT DISTINCT ?node WHERE {
  ?node komp:reportsTo ?up .
  { ?node a komp:Unit } UNION { ?node a komp:Department } UNION { ?node a komp:Post }
}"""


def label_query(iri: str) -> str:
    return f"SELECT ?label WHERE {{ <{iri}> <{SKOS_LABEL}> ?label }}"


@dataclass
class Targets:
    """What the load rotates over: organisational nodes with a superior, municipalities, search queries."""

    iris: list[str]
    municipalities: list[str]

    @property
    def ids(self) -> list[str]:
        return [iri[len(BASE_IRI):] for iri in self.iris]

    def search_paths(self) -> list[str]:
        paths = []
        for q in SEARCH_QUERIES:
            paths.append("/api/competences?" + urlencode({"q": q}))
            paths += ["/api/competences?" + urlencode({"q": q, "municipality": m}) for m in self.municipalities]
        return paths

    def unit_paths(self, suffix: str = "") -> list[str]:
        return [f"/api/units/{quote(i, safe='/')}{suffix}" for i in self.ids]

    def sparql_paths(self, endpoint: str) -> list[str]:
        return [f"{endpoint}?" + urlencode({"query": label_query(iri)}) for iri in self.iris]


def find_targets(store_folder: Path, limit: int = 100, municipalities: int = 3) -> Targets:
    """Up to `limit` nodes spread evenly over the sorted IRIs (same build, same targets)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_folder))
    found = sorted(str(row["node"].value) for row in store.query(TARGET_QUERY))
    del store
    found = [iri for iri in found if iri.startswith(BASE_IRI) and "/" in iri[len(BASE_IRI):]]
    if not found:
        raise RuntimeError(f"no unit with a superior in {store_folder}")
    iris = evenly(found, limit)
    codes = list(dict.fromkeys(iri[len(BASE_IRI):].split("/", 1)[0] for iri in iris))
    return Targets(iris, evenly(codes, municipalities))


def evenly(items: list[str], count: int) -> list[str]:
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen
    start_seconds: float
    rss_ready_mb: float
    prepare_seconds: float = 0.0  # oxigraph: loading dataset.trig into its store; ours: writing its dumps


@contextmanager
def started(name: str, command: list[str], ready_path: str, log: Path, port: int,
            env: dict[str, str] | None = None, timeout: float = 120.0) -> Iterator[Server]:
    """Start a server we own, time it until `ready_path` answers 200, stop it at the end."""
    began = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=REPOSITORY, stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})})
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(url + ready_path, process, timeout, log)
        server = Server(name, url, process, time.perf_counter() - began, tree_rss(process.pid) / MIB)
        yield server
    finally:
        stop(process)


def kompetencje_server(data: Path, log: Path) -> AbstractContextManager[Server]:
    port = free_port()
    command = [sys.executable, "-m", "kompetencje.cli", "serve", "--data", str(data), "--host", "127.0.0.1",
               "--port", str(port), "--workers", "2"]
    return started("kompetencje", command, "/ready", log, port, env=SERVER_ENV)


def minimal_server(log: Path) -> AbstractContextManager[Server]:
    port = free_port()
    command = [sys.executable, "-m", "bench.minimal_app", "--port", str(port), "--workers", "2"]
    return started("minimal FastAPI", command, "/ping", log, port)


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph CLI is not installed (pip install oxigraph)")
    return found


@contextmanager
def oxigraph_server(trig: Path, folder: Path, log: Path) -> Iterator[Server]:
    """`oxigraph load` the dataset into a fresh folder, then `oxigraph serve-read-only --union-default-graph`."""
    shutil.rmtree(folder, ignore_errors=True)
    began = time.perf_counter()
    subprocess.run([oxigraph_binary(), "load", "--location", str(folder), "--file", str(trig)], check=True,
                   capture_output=True, timeout=3600)
    prepared = time.perf_counter() - began
    port = free_port()
    command = [oxigraph_binary(), "serve-read-only", "--location", str(folder), "--bind", f"127.0.0.1:{port}",
               "--union-default-graph"]
    ready = "/query?" + urlencode({"query": "ASK {}"})
    with started("oxigraph", command, ready, log, port) as server:
        server.prepare_seconds = prepared
        yield server
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class ServeResults:
    tool: str
    scale_label: str
    targets: int
    loads: dict[str, LoadResult] = field(default_factory=dict)
    servers: dict[str, dict[str, Any]] = field(default_factory=dict)
    probe_failures: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"tool": self.tool, "scale": self.scale_label, "targets": self.targets,
                "loads": {k: v.as_json() for k, v in self.loads.items()}, "servers": self.servers,
                "probe_failures": self.probe_failures}


def probe(server: Server, paths: list[str], headers: dict[str, str] | None = None) -> list[str]:
    """GET a few of the paths once: what does not answer 2xx (so a broken endpoint shows before the load)."""
    import httpx

    failures = []
    for path in evenly(paths, 3):
        try:
            answer = httpx.get(server.url + path, headers=headers, timeout=300)
        except httpx.HTTPError as error:
            failures.append(f"{server.name} {path[:120]} -> {type(error).__name__}: {error}")
            continue
        if not 200 <= answer.status_code < 300:
            failures.append(f"{server.name} {path[:120]} -> {answer.status_code}: {answer.text[:200]}")
    return failures


@dataclass
class LoadPlan:
    generator: LoadGenerator
    clients: int
    seconds: float
    warmup: float


def measure(plan: LoadPlan, server: Server, runs: list[tuple[str, list[str], dict[str, str] | None]],
            results: ServeResults) -> None:
    """Warm every endpoint up, then one timed run each, sampling the server's memory meanwhile."""
    pid = server.process.pid
    for name, paths, headers in runs:
        results.probe_failures += probe(server, paths, headers)
        plan.generator.run(name, server.url, paths, clients=plan.clients, seconds=plan.warmup, headers=headers)
        wait_idle(pid)
    processes = tree_breakdown(pid)  # after the warm-up: every worker has started
    with PeakSampler(pid, interval=0.5) as sampler:
        for name, paths, headers in runs:
            say(f"  load: {name} ({len(paths)} URLs, {plan.clients} clients, {plan.seconds:g} s)")
            results.loads[name] = plan.generator.run(name, server.url, paths, clients=plan.clients,
                                                     seconds=plan.seconds, headers=headers)
            waited = wait_idle(pid)  # what the load left queued must not run into the next load
            if waited > 2:
                say(f"  the server was busy for {waited:.0f} s more with requests left over from {name}")
    results.servers[server.name] = {"start_s": server.start_seconds, "rss_ready_mb": server.rss_ready_mb,
                                    "rss_peak_mb": sampler.peak / MIB, "prepare_s": server.prepare_seconds,
                                    "processes": processes}


def wait_for_dumps(url: str) -> float:
    """Seconds until the dumps the server writes in the background after a first start are there (GET
    /dumps/ waits for them): the loads measure a server that is not also writing its dumps."""
    started = time.perf_counter()
    httpx.get(url + "/dumps/", headers={"Accept": "application/json"}, timeout=3600).raise_for_status()
    return time.perf_counter() - started


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / MIB if folder.is_dir() else 0.0


def restart(data: Path, work: Path, results: ServeResults) -> None:
    """Start the server a second time: what the first start wrote into the build's cache is there now."""
    say("serving: a restart of the kompetencje server")
    entry = results.servers["kompetencje"]
    entry["cache_mb"] = folder_mb(data / "build" / "cache")
    with kompetencje_server(data, work / "server-restart.log") as server:
        entry["restart_s"], entry["restart_rss_mb"] = server.start_seconds, server.rss_ready_mb


def serve_benchmark(data: Path, work: Path, plan: LoadPlan, scale_label: str) -> ServeResults:
    targets = find_targets(data / "build" / "store")
    results = ServeResults(plan.generator.tool, scale_label, len(targets.iris))
    say(f"serving {scale_label}: the kompetencje server")
    with kompetencje_server(data, work / "server.log") as server:
        server.prepare_seconds = wait_for_dumps(server.url)
        say(f"  the dumps were written in the background {server.prepare_seconds:.0f} s after ready; loads start now")
        measure(plan, server, [("competence search", targets.search_paths(), None),
                               ("unit detail", targets.unit_paths(), None),
                               ("reporting chain", targets.unit_paths("/chain"), None),
                               ("SPARQL lookup (/sparql)", targets.sparql_paths("/sparql"), SPARQL_JSON)], results)
    restart(data, work, results)
    say("baseline: minimal FastAPI")
    with minimal_server(work / "minimal.log") as server:
        measure(plan, server, [("minimal FastAPI", ["/ping"], None)], results)
    say("baseline: oxigraph serve-read-only")
    with oxigraph_server(data / "build" / "dataset.trig", work / "oxigraph-store", work / "oxigraph.log") as server:
        measure(plan, server, [("SPARQL lookup (oxigraph server)", targets.sparql_paths("/query"), SPARQL_JSON)],
                results)
    return results


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
