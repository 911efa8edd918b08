"""In-process measurements, each run in a child (`python -m bench inprocess-child`) so its memory does not
stay with the orchestrating process:

- `sparql`: the two lookups the API makes - a unit's label by IRI, and its reporting chain (the API's own
  SUPERIORS query, walked step by step to the top, as /api/units/{id}/chain does) - with rdflib's SPARQL
  engine over the build's dataset.trig (union default graph) and with pyoxigraph over the built store;
- `search`: `SearchIndex.search` latency over judged queries (a JSON-lines file of {q, municipality}).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.load import percentile

MIN_SAMPLES = 5


def latency_summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    total = sum(ordered)
    return {"count": len(ordered), "seconds": total, "qps": len(ordered) / total if total else 0.0,
            "p50_ms": percentile(ordered, 50) * 1000, "p99_ms": percentile(ordered, 99) * 1000,
            "mean_ms": total / len(ordered) * 1000 if ordered else 0.0}


def timed_loop(work: Callable[[str], Any], items: list[str], seconds: float,
               minimum: int = MIN_SAMPLES) -> tuple[dict[str, float], dict[str, Any]]:
    """Call `work` on the items in turn (one warm-up call first) until `seconds` are spent and at least
    `minimum` calls were made; latency summary and the answers by item."""
    answers = {items[0]: work(items[0])}
    samples: list[float] = []
    deadline = time.perf_counter() + seconds
    index = 0
    while (time.perf_counter() < deadline or len(samples) < minimum) and len(samples) < 100_000:
        item = items[index % len(items)]
        started = time.perf_counter()
        answers[item] = work(item)
        samples.append(time.perf_counter() - started)
        index += 1
    return latency_summary(samples), answers


# ---------------------------------------------------------------------------------------------- SPARQL


def label_text(iri: str) -> str:
    from bench.serve_bench import label_query

    return label_query(iri)


def oxigraph_lookups(store_folder: Path) -> tuple[Callable[[str], Any], Callable[[str], Any]]:
    import pyoxigraph as ox

    from kompetencje.api.queries import SUPERIORS

    store = ox.Store.read_only(str(store_folder))

    def label(iri: str) -> list[str]:
        return sorted(row["label"].value for row in store.query(label_text(iri)))

    def superiors(iri: str) -> str | None:
        rows = list(store.query(SUPERIORS, substitutions={ox.Variable("node"): ox.NamedNode(iri)}))
        return rows[0]["superior"].value if rows else None

    return label, lambda iri: walk(iri, superiors)


def rdflib_lookups(trig: Path) -> tuple[Callable[[str], Any], Callable[[str], Any], float]:
    from rdflib import Dataset, URIRef

    from kompetencje.api.queries import SUPERIORS

    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(trig, format="trig")
    loaded = time.perf_counter() - started

    def label(iri: str) -> list[str]:
        return sorted(str(row[0]) for row in dataset.query(label_text(iri)))

    def superiors(iri: str) -> str | None:
        rows = list(dataset.query(SUPERIORS, initBindings={"node": URIRef(iri)}))
        return str(rows[0]["superior"]) if rows else None

    return label, lambda iri: walk(iri, superiors), loaded


def walk(iri: str, superior: Callable[[str], str | None], limit: int = 50) -> list[str]:
    """The chain upwards, one step at a time (stops at the top or at a cycle)."""
    chain, seen, current = [], {iri}, iri
    for _ in range(limit):
        up = superior(current)
        if up is None or up in seen:
            break
        chain.append(up)
        seen.add(up)
        current = up
    return chain


def sparql_baseline(store_folder: Path, trig: Path, iris: list[str], seconds: float) -> dict[str, Any]:
    ox_label, ox_chain = oxigraph_lookups(store_folder)
    rdf_label, rdf_chain, loaded = rdflib_lookups(trig)
    found: dict[str, Any] = {"rdflib_load_s": loaded, "iris": len(iris)}
    answers: dict[str, dict[str, Any]] = {}
    for engine, lookups in (("pyoxigraph", (ox_label, ox_chain)), ("rdflib", (rdf_label, rdf_chain))):
        for kind, work in zip(("label", "chain"), lookups, strict=True):
            found[f"{engine} {kind}"], answers[f"{engine} {kind}"] = timed_loop(work, iris, seconds)
    found["answers_agree"] = all(
        answers[f"rdflib {kind}"][iri] == answers[f"pyoxigraph {kind}"].get(iri, answers[f"rdflib {kind}"][iri])
        for kind in ("label", "chain") for iri in answers[f"rdflib {kind}"])
    found["chain_steps_mean"] = sum(map(len, answers["pyoxigraph chain"].values())) / len(answers["pyoxigraph chain"])
    return found


# ---------------------------------------------------------------------------------------------- search


def read_queries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def search_latency(index_folder: Path, queries: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    from kompetencje.search import SearchIndex

    started = time.perf_counter()
    index = SearchIndex.load(index_folder)
    loaded = time.perf_counter() - started
    for query in queries:  # warm-up: caches, lazily built structures
        index.search(query["q"], query.get("municipality"))
    samples = []
    for _ in range(rounds):
        for query in queries:
            began = time.perf_counter()
            index.search(query["q"], query.get("municipality"))
            samples.append(time.perf_counter() - began)
    return {"load_s": loaded, "queries": len(queries), "rounds": rounds, **latency_summary(samples)}


# ---------------------------------------------------------------------------------------------- child


def child_main(args: argparse.Namespace) -> int:
    if args.mode == "sparql":
        iris = json.loads(args.iris.read_text(encoding="utf-8"))
        found = sparql_baseline(args.store, args.trig, iris, args.seconds)
    else:
        found = search_latency(args.index, read_queries(args.queries), args.rounds)
    args.report.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def add_child_parser(sub: Any) -> None:
    p = sub.add_parser("inprocess-child", help=argparse.SUPPRESS)
    p.add_argument("--mode", choices=("sparql", "search"), required=True)
    p.add_argument("--store", type=Path)
    p.add_argument("--trig", type=Path)
    p.add_argument("--iris", type=Path)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--index", type=Path)
    p.add_argument("--queries", type=Path)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--report", type=Path, required=True)
    p.set_defaults(run=child_main)
