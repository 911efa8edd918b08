"""The results of `python -m bench run` as one table (rich, and Markdown in RESULTS.md), the machine they were
measured on, and the issue's targets with met/missed and by how much."""

from __future__ import annotations

import importlib.metadata
import math
import os
import platform
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.build_bench import phase_lines, profile_lines
from bench.load import LoadResult
from bench.run import RunResults, ScaleResult
from bench.serve_bench import SEARCH_QUERIES

GIB = 1024.0
PACKAGES = ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "pyoxigraph", "oxigraph", "rdflib", "orjson",
            "pydantic", "bm25s", "numpy", "httpx", "morfeusz2")
REST = ("competence search", "unit detail", "reporting chain")
SPARQL_HTTP, OXIGRAPH_HTTP, MINIMAL = "SPARQL lookup (/sparql)", "SPARQL lookup (oxigraph server)", "minimal FastAPI"
LATENCY_TARGETS = {"competence search": 25.0, "unit detail": 15.0, "reporting chain": 15.0}


# ---------------------------------------------------------------------------------------------- machine


def first_line(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return "?"


def command_version(command: list[str]) -> str:
    if not shutil.which(command[0]) and not Path(command[0]).exists():
        return "not installed"
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return ((done.stdout or done.stderr).strip().splitlines() or ["?"])[0]


def machine_description() -> dict[str, Any]:
    import sys

    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "-"
    mem_kb = first_line("/proc/meminfo", "MemTotal").split()[0]
    return {"cpu": first_line("/proc/cpuinfo", "model name"), "cores": os.cpu_count(),
            "ram_gib": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else "?",
            "os": f"{first_line('/etc/os-release', 'PRETTY_NAME=')}, Linux {platform.release()}",
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "packages": versions, "wrk": command_version(["wrk", "--version"]),
            "load_average_start": os.getloadavg(), "executable": sys.executable}


# ---------------------------------------------------------------------------------------------- rows


@dataclass
class Row:
    what: str
    scale: str
    throughput: str = ""
    p50: float | None = None
    p99: float | None = None
    wall: float | None = None
    rss: float | None = None
    errors: int | None = None
    ratio: str = ""

    def cells(self) -> list[str]:
        def number(value: float | None, digits: int = 1) -> str:
            return "" if value is None else f"{value:.{digits}f}"

        return [self.what, self.scale, self.throughput, number(self.p50, 2), number(self.p99, 2), number(self.wall),
                number(self.rss, 0), "" if self.errors is None else str(self.errors), self.ratio]


HEADERS = ["measurement", "scale", "throughput", "p50 ms", "p99 ms", "wall s", "RSS MiB", "errors", "ratio"]


def build_rows(scale: ScaleResult) -> list[Row]:
    run, label = scale.build, f"{scale.percent:g} %"
    rows = [Row(f"build ({scale.documents} documents, {run.quads} quads)", label,
                f"{run.documents / run.seconds:.2f} docs/s, {run.quads / run.seconds:,.0f} quads/s",
                wall=run.seconds, rss=run.peak_rss_mb, errors=int(run.report.get("violations", 0)))]
    if scale.rebuild:
        rows.append(Row("rebuild after a one-document change", label, "", wall=scale.rebuild.seconds,
                        rss=scale.rebuild.peak_rss_mb, errors=int(scale.rebuild.report.get("violations", 0))))
    return rows


def ratio(value: float, base: float, label: str) -> str:
    return f"{value / base:.2f} × {label}" if base else ""


def load_row(load: LoadResult, scale: str, ratio_text: str = "") -> Row:
    if not load.requests:  # wrk counts completed requests only: each took longer than the run
        return Row(f"HTTP {load.name}", scale, f"0 req/s (none completed in {load.seconds:.0f} s)", None, None,
                   load.seconds, None, load.errors, ratio_text)
    return Row(f"HTTP {load.name}", scale, f"{load.rps:,.1f} req/s", load.p50_ms, load.p99_ms, load.seconds,
               None, load.errors, ratio_text)


def serve_rows(results: RunResults) -> list[Row]:
    serve = results.serve
    if serve is None:
        return []
    loads, scale = serve.loads, serve.scale_label
    minimal, oxigraph = loads.get(MINIMAL), loads.get(OXIGRAPH_HTTP)
    rows = []
    for name, load in loads.items():
        if name in REST and minimal:
            rows.append(load_row(load, scale, ratio(load.rps, minimal.rps, "minimal FastAPI")))
        elif name == SPARQL_HTTP and oxigraph:
            rows.append(load_row(load, scale, ratio(load.rps, oxigraph.rps, "oxigraph server")))
        else:
            rows.append(load_row(load, scale, "baseline"))
    server = serve.servers.get("kompetencje", {})
    rows.append(Row("server start until /ready (RSS at ready / peak under load)", scale,
                    f"{server.get('rss_ready_mb', 0):,.0f} MiB at ready", wall=server.get("start_s"),
                    rss=server.get("rss_peak_mb")))
    if server.get("restart_s"):
        rows.append(Row("server restart until /ready (caches in place)", scale,
                        f"{server.get('restart_rss_mb', 0):,.0f} MiB at ready", wall=server["restart_s"]))
    return rows


def sparql_rows(results: RunResults) -> list[Row]:
    found, scale = results.sparql, results.serve.scale_label if results.serve else ""
    rows = []
    for kind, label in (("label", "unit label by IRI"), ("chain", "reporting chain (SUPERIORS walked up)")):
        ox, rdf = found.get(f"pyoxigraph {kind}"), found.get(f"rdflib {kind}")
        if not ox or not rdf:
            continue
        rows.append(Row(f"in-process rdflib: {label}", scale, f"{rdf['qps']:,.1f} queries/s", rdf["p50_ms"],
                        rdf["p99_ms"], rdf["seconds"], ratio="baseline"))
        rows.append(Row(f"in-process pyoxigraph: {label}", scale, f"{ox['qps']:,.1f} queries/s", ox["p50_ms"],
                        ox["p99_ms"], ox["seconds"], ratio=ratio(ox["qps"], rdf["qps"], "rdflib")))
    return rows


def search_rows(results: RunResults) -> list[Row]:
    rows = []
    for found, label, scale in ((results.search_seed, "seed dev queries", "seed build"),
                                (results.search_scale, "load queries", results.serve.scale_label if results.serve
                                 else "")):
        if found:
            rows.append(Row(f"in-process SearchIndex.search ({label}, {found['queries']} × {found['rounds']})",
                            scale, f"{found['qps']:,.0f} queries/s", found["p50_ms"], found["p99_ms"],
                            found["seconds"]))
    return rows


def table_rows(results: RunResults) -> list[Row]:
    rows = [row for scale in results.scales for row in build_rows(scale)]
    return rows + serve_rows(results) + sparql_rows(results) + search_rows(results)


def markdown_table(rows: list[Row]) -> list[str]:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    return lines + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row.cells()) + " |" for row in rows]


def print_table(results: RunResults) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"python -m bench run ({results.config['command']})")
    for header in HEADERS:
        table.add_column(header, justify="left" if header in ("measurement", "scale", "throughput", "ratio")
                         else "right")
    for row in table_rows(results):
        table.add_row(*row.cells())
    console = Console(width=200)
    console.print(table)
    for target in targets(results):
        console.print(f"{'MET   ' if target.met else 'MISSED'} {target.name}: {target.measured} "
                      f"(target {target.goal}; {target.margin})", markup=False, highlight=False)


# ---------------------------------------------------------------------------------------------- extrapolation


def growth(points: list[tuple[float, float]], target: float) -> dict[str, float]:
    """Continue (documents, value) points to `target` documents: linearly along the last two points' slope,
    and as a power law value = a·documents^k fitted to them; 'value' is the larger (the cautious one)."""
    (n1, v1), (n2, v2) = points[-2], points[-1]
    slope = (v2 - v1) / (n2 - n1) if n2 != n1 else v2 / n2
    exponent = math.log(v2 / v1) / math.log(n2 / n1) if n2 != n1 and v1 > 0 and v2 > 0 else 1.0
    linear = v2 + slope * (target - n2)
    power = v2 * (target / n2) ** exponent
    return {"linear": linear, "power": power, "exponent": exponent, "value": max(linear, power),
            "from_documents": n2, "to_documents": target}


def projected(results: RunResults, value: Any) -> dict[str, float] | None:
    """A build quantity (a function of ScaleResult) at scale 100 %, when 100 % was not measured."""
    if any(s.percent == 100 for s in results.scales) or not results.national_documents:
        return None
    points = [(float(s.documents), float(value(s))) for s in sorted(results.scales, key=lambda s: s.percent)]
    if len(points) == 1:
        n, v = points[0]
        points = [(n / 2, v / 2), (n, v)]  # one scale: proportional
    return growth(points, float(results.national_documents))


# ---------------------------------------------------------------------------------------------- targets


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    met: bool
    margin: str
    basis: str = "measured"


def verdict(name: str, goal: str, value: float, limit: float, unit: str, basis: str = "measured",
            higher_is_better: bool = False, extra: bool = True) -> Target:
    met = (value >= limit if higher_is_better else value <= limit) and extra
    if higher_is_better:
        margin = f"{'above' if value >= limit else 'below'} by {abs(value - limit):.2f}{unit}"
    elif value <= limit:
        margin = f"{limit - value:.2f}{unit} to spare ({value / limit:.0%} of the limit)"
    else:
        margin = f"over by {value - limit:.2f}{unit} ({value / limit:.1f}× the limit)"
    return Target(name, goal, f"{value:.2f}{unit}", met, margin, basis)


def build_targets(results: RunResults) -> list[Target]:
    full = next((s for s in results.scales if s.percent == 100), None)
    found = []
    for name, goal, limit, unit, value in (
            ("full build time", "≤ 15 min", 15.0, " min", lambda s: s.build.seconds / 60),
            ("full build peak RSS", "≤ 6 GiB", 6.0, " GiB", lambda s: s.build.peak_rss_mb / GIB),
            ("rebuild after a one-document change", "≤ 10 s", 10.0, " s",
             lambda s: s.rebuild.seconds if s.rebuild else 0.0)):
        if full is not None:
            found.append(verdict(name, goal, value(full), limit, unit))
            continue
        guess = projected(results, value)
        if guess is not None:
            found.append(verdict(name, goal, guess["value"], limit, unit,
                                 basis=f"EXTRAPOLATED to 100 % ({guess['to_documents']:.0f} documents) from "
                                       f"{', '.join(f'{s.percent:g} %' for s in results.scales)}"))
    return found


def serve_targets(results: RunResults) -> list[Target]:
    serve = results.serve
    if serve is None:
        return []
    loads, found = serve.loads, []
    basis = f"measured at {serve.scale_label}"
    for name, limit in LATENCY_TARGETS.items():
        if name in loads:
            load = loads[name]
            title = f"{name} p99 at {load.clients} clients, 0 errors"
            if load.requests:
                target = verdict(title, f"≤ {limit:g} ms", load.p99_ms, limit, " ms", basis, extra=load.errors == 0)
            else:
                target = Target(title, f"≤ {limit:g} ms", f"no request completed in {load.seconds:.0f} s", False,
                                f"every request took over {load.seconds:.0f} s", basis)
            target.measured += f", {load.errors} errors"
            found.append(target)
    minimal, oxigraph = loads.get(MINIMAL), loads.get(OXIGRAPH_HTTP)
    for name in REST:
        if name in loads and minimal:
            found.append(verdict(f"{name} throughput ÷ minimal FastAPI", "≥ 0.40", loads[name].rps / minimal.rps,
                                 0.40, "", basis, higher_is_better=True))
    if SPARQL_HTTP in loads and oxigraph:
        found.append(verdict("/sparql throughput ÷ oxigraph server", "≥ 0.70", loads[SPARQL_HTTP].rps / oxigraph.rps,
                             0.70, "", basis, higher_is_better=True))
    server = serve.servers.get("kompetencje", {})
    found.append(verdict("server start until /ready answers 200 (first start after the build)", "≤ 5 s",
                         server.get("start_s", 0.0), 5.0, " s", basis))
    if server.get("restart_s"):
        found.append(verdict("server restart until /ready answers 200 (caches in place)", "≤ 5 s",
                             server["restart_s"], 5.0, " s", basis))
    found.append(verdict("server RSS (all processes, peak under load)", "≤ 2 GiB",
                         server.get("rss_peak_mb", 0.0) / GIB, 2.0, " GiB", basis))
    return found


def search_targets(results: RunResults) -> list[Target]:
    if not results.search_seed:
        return []
    return [verdict("search p99 in-process (issue 4)", "≤ 10 ms", results.search_seed["p99_ms"], 10.0, " ms",
                    "measured on the seed build")]


def targets(results: RunResults) -> list[Target]:
    return build_targets(results) + serve_targets(results) + search_targets(results)


# ---------------------------------------------------------------------------------------------- RESULTS.md


def results_markdown(results: RunResults) -> str:
    from bench.explain import explanation_lines

    config, scales = results.config, [s.percent for s in results.scales]
    lines = ["# Benchmark results", "",
             f"`{config['command']}` on {time.strftime('%Y-%m-%d %H:%M', time.localtime(results.started))}, "
             f"{results.seconds / 60:.1f} min in all. Scales measured: **{', '.join(f'{s:g} %' for s in scales)}** "
             f"of the synthetic national corpus (seed {config['seed']})"
             + ("" if 100 in scales else "; **100 % was not run**: its figures below are extrapolations, labelled "
                "as such") + (". **Smoke run** (3-s load runs): the timings are not meaningful." if config["smoke"]
                              else "."), "", *machine_lines(results), "", "## Results", "",
             *markdown_table(table_rows(results)), "", *table_notes(results), "", "## Targets (issue 6)", "",
             *target_lines(results), "", *growth_lines(results), "", *explanation_lines(results), "",
             "## Build phases", "", "Seconds of each phase of `build()` as its progress callback reports them (a phase "
             "runs from its first step to the next phase's first step).", "",
             *phase_lines([(f"{s.percent:g} % {what}", run) for s in results.scales
                           for what, run in (("build", s.build), ("rebuild", s.rebuild)) if run])]
    if results.profile:
        lines += ["", *profile_lines(results.profile, f"{scales[0]:g} %")]
    lines += ["", "## Errors", ""] + ([f"- {e}" for e in results.errors] or ["None: every response was 2xx, no "
                                                                            "build reported violations."])
    return "\n".join(lines) + "\n"


def machine_lines(results: RunResults) -> list[str]:
    m = results.machine
    packages = ", ".join(f"{name} {version}" for name, version in m.get("packages", {}).items())
    start, end = m.get("load_average_start", (0, 0, 0)), m.get("load_average_end", (0, 0, 0))
    return ["## Machine", "",
            f"- CPU: {m.get('cpu')}, {m.get('cores')} cores visible; RAM {m.get('ram_gib')} GiB",
            f"- OS: {m.get('os')}; {m.get('python')}",
            f"- packages: {packages}",
            f"- load generator: {results.serve.tool if results.serve else '-'} ({m.get('wrk')}), on the same cores "
            "as the server, over loopback",
            f"- 1-minute load average: {start[0]:.1f} at the start, {end[0]:.1f} at the end (a machine shared with "
            "other work: absolute figures are noisy)"]


def table_notes(results: RunResults) -> list[str]:
    serve, sparql = results.serve, results.sparql
    notes = ["Throughput of a build is documents (and quads in the store's named graphs) per second of the "
             "`build()` call; RSS of a build is the peak of the whole process tree (sampled every 0.2 s, and the "
             "kernel's own peak of the process and its children). Errors of a build are SHACL violations."]
    if serve:
        config = results.config
        notes.append(
            f"HTTP rows: {serve.tool}, {config['clients']} connections, {config['duration']:g} s each after a "
            f"{config['warmup']:g}-s warm-up, rotating over {serve.targets} units (search: {len(SEARCH_QUERIES)} "
            "Polish queries, each without and with 3 municipalities). Errors are non-2xx answers plus socket "
            "errors and timeouts (30 s). The server ran with `KOMPETENCJE_SPARQL_QUEUE=64` (more than the "
            "clients) so that SPARQL admission control does not turn load into 503s; a 503 would still count as "
            "an error. Server RSS is the sum over the uvicorn master, its 2 workers and their SPARQL worker "
            "processes.")
    if sparql:
        notes.append(f"In-process rows: one query after another in one thread over {sparql.get('iris')} units; "
                     f"rdflib parsed dataset.trig in {sparql.get('rdflib_load_s', 0):.1f} s "
                     f"(Dataset, union default graph); pyoxigraph reads the built store. The two engines' answers "
                     f"agree: {sparql.get('answers_agree')}; a chain is {sparql.get('chain_steps_mean', 0):.1f} "
                     "steps on average.")
    if results.search_seed:
        notes.append(f"Search: `SearchIndex.search` over {results.search_seed.get('queries_file')}, after one "
                     "warm-up round.")
    return notes


def target_lines(results: RunResults) -> list[str]:
    lines = ["| target | goal | measured | met? | margin | basis |", "|---|---|---|---|---|---|"]
    for t in targets(results):
        lines.append(f"| {t.name} | {t.goal} | {t.measured} | {'met' if t.met else '**missed**'} | {t.margin} | "
                     f"{t.basis} |")
    return lines


def growth_lines(results: RunResults) -> list[str]:
    ordered = sorted(results.scales, key=lambda s: s.percent)
    if len(ordered) < 2:
        return []
    (a, b), lines = ordered[-2:], ["## Growth and extrapolation", ""]
    factor = b.documents / a.documents
    for label, value in (("build time", lambda s: s.build.seconds), ("build peak RSS", lambda s: s.build.peak_rss_mb),
                         ("rebuild time", lambda s: s.rebuild.seconds if s.rebuild else 0.0)):
        va, vb = value(a), value(b)
        line = (f"- {label}: {a.percent:g} % → {b.percent:g} % ({factor:.1f}× the documents): {va:,.1f} → {vb:,.1f} "
                f"({vb / va if va else 0:.1f}×)")
        guess = projected(results, value)
        if guess:
            line += (f"; **extrapolated** to 100 % ({guess['to_documents']:.0f} documents): {guess['linear']:,.0f} "
                     f"(linear) to {guess['power']:,.0f} (power law, exponent {guess['exponent']:.2f})")
        lines.append(line + (" s" if "time" in label else " MiB"))
    if results.national_documents:
        lines += ["", "These are extrapolations, not measurements: the verdicts on the full build above use the "
                  "larger of the two."]
    return lines
