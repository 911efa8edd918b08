"""Why a target is missed, from what the run measured: the build's phases and profile, Little's law for the
closed-loop load, the app's in-process service time and profile (bench/profile_app.py), the server's
processes."""

from __future__ import annotations

from typing import Any

from bench.report import GIB, LATENCY_TARGETS, MINIMAL, OXIGRAPH_HTTP, REST, SPARQL_HTTP, Target, targets
from bench.run import RunResults

CORES = 2


def explanation_lines(results: RunResults) -> list[str]:
    missed = [t for t in targets(results) if not t.met]
    lines = ["## Why targets are missed", ""]
    if not missed:
        return [*lines, "Every target was met."]
    for target in missed:
        reason = explain(results, target)
        lines.append(f"- **{target.name}** ({target.measured}, target {target.goal}): {reason}")
    return [*lines, *profile_tables(results)]


def explain(results: RunResults, target: Target) -> str:
    name = target.name
    if name == "full build time":
        return build_time(results)
    if name == "full build peak RSS":
        return build_rss(results)
    if name.startswith("rebuild"):
        return rebuild(results)
    for endpoint in LATENCY_TARGETS:
        if name.startswith(endpoint) and "p99" in name:
            return latency(results, endpoint)
        if name.startswith(endpoint) and "throughput" in name:
            return throughput(results, endpoint)
    if name.startswith("/sparql"):
        return sparql(results)
    if name.startswith("server restart"):
        return ("the start covers `kompetencje serve` opening the store once to check it, uvicorn spawning 2 "
                "workers, and each worker importing the app, opening the store, reading its statistics and dumps, "
                "loading the search index and starting its SPARQL worker processes (api/generations.py).")
    if name.startswith("server start"):
        return cold_start(results)
    if name.startswith("server RSS"):
        return server_rss(results)
    if name.startswith("search p99"):
        return search(results)
    return "-"


def phases(run: Any) -> str:
    items = sorted(run.report.get("phases", {}).items(), key=lambda item: -item[1])[:3]
    return ", ".join(f"{name} {seconds / run.seconds:.0%}" for name, seconds in items)


def build_time(results: RunResults) -> str:
    big = results.largest.build
    cores = big.cpu_seconds / big.seconds if big.seconds else 0
    return (f"at {results.largest.percent:g} % the build used {big.cpu_seconds:.0f} CPU s in {big.seconds:.0f} s "
            f"of wall time ({cores:.1f} cores busy on average, of {CORES}: below {CORES} it waited, for serial "
            f"steps or for the CPU other work on this shared machine took); its largest phases: {phases(big)}. "
            "The profiled build (end of this file) shows which functions that time goes to.")


def build_rss(results: RunResults) -> str:
    ordered = sorted(results.scales, key=lambda s: s.percent)
    a, b = ordered[0], ordered[-1]
    per_doc = ((b.build.peak_rss_mb - a.build.peak_rss_mb) / (b.documents - a.documents)
               if b.documents > a.documents else b.build.peak_rss_mb / b.documents)
    peaks = b.build.report.get("phase_peak_mb", {})
    top = ", ".join(f"{name} {mib:,.0f} MiB" for name, mib in sorted(peaks.items(), key=lambda i: -i[1])[:3])
    return (f"the peak grows with the corpus, ~{per_doc:.2f} MiB per document between {a.percent:g} % and "
            f"{b.percent:g} %; the verdict uses the linear extrapolation, the larger one (see Growth). At "
            f"{b.percent:g} % the phases with the highest peaks (whole process tree, pool workers included) were: "
            f"{top or 'not sampled'}.")


def rebuild(results: RunResults) -> str:
    scale = results.largest
    if scale.rebuild is None:
        return "-"
    share = scale.rebuild.seconds / scale.build.seconds
    before, after = scale.build.report.get("phases", {}), scale.rebuild.report.get("phases", {})
    slowest = sorted(after, key=lambda name: -after[name])[:3]
    pairs = ", ".join(f"{name} {before.get(name, 0):.0f} → {after[name]:.0f} s" for name in slowest)
    redone = scale.rebuild.report.get("redone", scale.rebuild.report.get("documents", 0))
    total = scale.rebuild.report.get("documents", 0)
    return (f"at {scale.percent:g} % the rebuild after one changed document ({scale.changed}) took "
            f"{scale.rebuild.seconds:.0f} s, {share:.0%} of the full build. It read and graphed again {redone} of "
            f"{total} documents (those of the changed document's office); its largest phases, against the full "
            f"build's: {pairs}. Everything but the search index is patched (loaders/increment.py); the index is "
            "built again from the whole store, since its BM25 statistics are corpus-wide.")


def little(results: RunResults, endpoint: str) -> tuple[float, float]:
    load = results.serve.loads[endpoint] if results.serve else None
    if load is None or not load.rps:
        return 0.0, 0.0
    return load.clients / load.rps * 1000, load.rps


def service(results: RunResults, endpoint: str) -> str:
    found = results.app_profile.get(endpoint)
    if not found:
        return ""
    queries = found.get("queries") or []
    slowest = (f" Its slowest store query is `{queries[0][0]}`: {queries[0][2]:.1f} ms a call, "
               f"{queries[0][1]:g} call(s) a request." if queries else "")
    return (f" In-process (no HTTP, one request at a time) a request takes {found['p50_ms']:.1f} ms (p50), so "
            f"{CORES} cores serve at most ~{CORES * 1000 / max(found['p50_ms'], 1e-9):.0f} req/s even without the "
            f"load generator on them.{slowest} (Profile and per-query times below.)")


def latency(results: RunResults, endpoint: str) -> str:
    mean_ms, rps = little(results, endpoint)
    limit = LATENCY_TARGETS[endpoint]
    load = results.serve.loads[endpoint] if results.serve else None
    needed = (load.clients if load else 16) / limit * 1000
    times = f", {needed / rps:.0f}× what was measured" if rps else ""
    errors = f" It also had {load.errors} error(s)." if load and load.errors else ""
    measured = (f"{mean_ms:.1f} ms at {rps:,.1f} req/s" if rps else
                f"no request completed within the {load.seconds if load else 0:.0f}-s run")
    return (f"{load.clients if load else 16} closed-loop clients keep that many requests in the server, so the mean "
            f"latency is clients ÷ throughput (Little's law): {measured}. A p99 of "
            f"{limit:g} ms needs at least {needed:,.0f} req/s{times}; the "
            f"server and the load generator share {CORES} cores." + service(results, endpoint) + errors)


def throughput(results: RunResults, endpoint: str) -> str:
    loads = results.serve.loads if results.serve else {}
    ours, minimal = loads[endpoint].rps, loads[MINIMAL].rps
    cost = f"~{CORES * 1000 / ours:.2f} ms" if ours else f"over {loads[endpoint].seconds:.0f} s (none completed)"
    return (f"per request the minimal app costs ~{CORES * 1000 / max(minimal, 1e-9):.2f} ms of the {CORES} cores "
            f"and {endpoint} {cost}; the difference is the endpoint's own work (its SPARQL queries, building the "
            "views, the middleware)." + service(results, endpoint))


def sparql(results: RunResults) -> str:
    loads = results.serve.loads if results.serve else {}
    inproc = results.sparql.get("pyoxigraph label", {})
    return (f"/sparql answered {loads[SPARQL_HTTP].rps:,.0f} req/s, the oxigraph server "
            f"{loads[OXIGRAPH_HTTP].rps:,.0f}. "
            "Each /sparql request goes through the FastAPI middleware (limits, admission, metrics, access log) and "
            "the protocol's parsing and content negotiation; the lookup itself is recognised as cheap (api/lookup.py), "
            "its patterns are counted against the budget and it runs in the server's process, and its result is "
            "serialised in Python. oxigraph's Rust server does the same in Rust. The minimal FastAPI app, with none "
            "of that work, answered "
            f"{loads[MINIMAL].rps:,.0f} req/s: {loads[MINIMAL].rps / max(loads[OXIGRAPH_HTTP].rps, 1e-9):.2f} "
            "of the oxigraph server, the ceiling of any Python endpoint here. In-process pyoxigraph answers the "
            "query in "
            f"{inproc.get('p50_ms', 0):.2f} ms (p50), so nearly all of the request's cost is around the query."
            + service(results, SPARQL_HTTP))


def search(results: RunResults) -> str:
    seed, scale = results.search_seed, results.search_scale
    worst = max(1, round(seed["count"] / 100))
    text = (f"the median is {seed['p50_ms']:.1f} ms and the mean {seed['mean_ms']:.1f} ms; the p99 of "
            f"{seed['count']} searches is set by the slowest {worst} of them, so it shows every pause of a process on "
            f"a busy machine (1-minute load average {results.machine.get('load_average_start', [0])[0]:.1f} at the "
            "start of the run) as well as the slowest queries.")
    if scale:
        text += (f" On the {results.largest.percent:g} % build's index, the load's queries take p50 "
                 f"{scale['p50_ms']:.1f} ms, p99 {scale['p99_ms']:.1f} ms.")
    return text


def cold_start(results: RunResults) -> str:
    server = results.serve.servers.get("kompetencje", {}) if results.serve else {}
    warm = server.get("restart_s")
    cache = server.get("cache_mb", 0)
    return (f"the first start after a build wrote {cache:,.0f} MiB into the build's cache folder (the dumps the build "
            "did not provide are generated when a worker opens the store)"
            + (f"; a restart, with that cache in place, took {warm:.1f} s" if warm else "") + ".")


def server_rss(results: RunResults) -> str:
    server = results.serve.servers.get("kompetencje", {}) if results.serve else {}
    parts = ", ".join(f"`{cmd[:60]}` {mib:.0f} MiB" for cmd, mib in server.get("processes", [])[:8])
    return (f"{server.get('rss_peak_mb', 0) / GIB:.2f} GiB summed over the server's processes (shared pages counted "
            f"in each): {parts}.")


def profile_tables(results: RunResults) -> list[str]:
    lines = []
    for endpoint, found in results.app_profile.items():
        if endpoint not in (*REST, SPARQL_HTTP) or not found.get("top"):
            continue
        lines += ["", f"Profile of {endpoint} in-process ({found['count']} requests, p50 {found['p50_ms']:.1f} ms, "
                  f"statuses {found.get('statuses')}; cProfile over the event loop and the app's threads, own time):",
                  "", "| function | own s | cumulative s | calls |", "|---|---|---|---|"]
        lines += [f"| `{name}` | {own} | {cumulative} | {calls} |" for name, own, cumulative, calls in found["top"]]
        if found.get("queries"):
            lines += ["", f"The API's store queries during those requests ({endpoint}; time on the store's thread, "
                          "planning included):",
                      "", "| query (kompetencje.api.queries) | calls per request | mean ms | total s |",
                      "|---|---|---|---|"]
            lines += [f"| {name} | {calls} | {mean} | {total} |" for name, calls, mean, total in found["queries"]]
    return lines
