"""Build benchmark: `python -m bench build --scales 0.001,0.01` generates each corpus, builds it in a fresh
subprocess, and reports documents/s, triples/s, wall time, peak RSS and the time of each pipeline stage.

The child process (`python -m bench build-child`) wraps the pipeline's stage functions with timers before
calling `kompetencje.loaders.pipeline.build` unchanged: read+extract (`load_document`), identity resolution
(`build_registry`, `DocumentIris`, `choose_canonical`), `document_to_graph`, owlrl `reason`, SHACL
`validate_graph`, `write_store` (store load and the union closure), `count_facts`, `write_report`; the rest of
the wall time (imports, TriG dump, the atomic swap) is "other". With `--profile` one run is also profiled with
cProfile and its hottest functions are listed. The numbers, the projection to scale 1.0 (the national corpus)
and what they mean for "full national build <= 15 min on 2 cores" go to `bench/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.generate import CorpusSummary, corpus_documents, generate_corpus

BASE_IRI = "https://w3id.org/kompetencje/id/"
REPOSITORY = Path(__file__).resolve().parent.parent  # where `python -m bench` finds the package
TARGET_SECONDS = 15 * 60
TARGET_CORES = 2
STAGES: tuple[tuple[str, str, str], ...] = (  # (label, module, function) - wrapped in the child process
    ("read+extract", "kompetencje.loaders.pipeline", "load_document"),
    ("resolve identities", "kompetencje.loaders.pipeline", "build_registry"),
    ("resolve identities", "kompetencje.loaders.pipeline", "DocumentIris"),
    ("resolve identities", "kompetencje.loaders.pipeline", "choose_canonical"),
    ("to_graph", "kompetencje.loaders.pipeline", "document_to_graph"),
    ("owlrl reasoning", "kompetencje.loaders.pipeline", "reason"),
    ("SHACL validation", "kompetencje.validation", "validate_graph"),
    ("store load + union closure", "kompetencje.loaders.pipeline", "write_store"),
    ("count facts", "kompetencje.loaders.pipeline", "count_facts"),
    ("report", "kompetencje.loaders.pipeline", "write_report"),
)
PER_DOCUMENT_STAGES = ("read+extract", "to_graph", "owlrl reasoning", "SHACL validation")


# ---------------------------------------------------------------------------------------------- child


class StageTimer:
    """Wall and CPU seconds per stage (CPU time is what a shared, busy machine distorts least)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.cpu[label] += time.process_time() - cpu
                self.calls[label] += 1

        return timed

    def install(self) -> None:
        for label, module_name, name in STAGES:
            module = importlib.import_module(module_name)
            if hasattr(module, name):
                setattr(module, name, self.wrap(label, getattr(module, name)))


def child_main(args: argparse.Namespace) -> int:
    """Run one build and write what it measured as JSON (the parent reads it)."""
    started = time.perf_counter()
    timer = StageTimer()
    timer.install()
    from kompetencje.errors import ValidationFailed
    from kompetencje.loaders.pipeline import build

    report: dict[str, Any] = {"startup": time.perf_counter() - started, "startup_cpu": time.process_time(),
                              "baseline_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    profiler = cProfile.Profile() if args.profile else None
    try:
        if profiler:
            profiler.enable()
        result = build(args.sources, args.out, base_iri=BASE_IRI, keep_going=True)
        report.update(counts=result.counts, documents=len(result.documents), failures=len(result.failures),
                      disagreements=len(result.disagreements), violations=0)
    except ValidationFailed as error:
        report.update(error=error.message, violations=len(error.violations or []))
    finally:
        if profiler:
            profiler.disable()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report.update(wall=time.perf_counter() - started, stages=dict(timer.seconds), stages_cpu=dict(timer.cpu),
                  cpu=time.process_time(), calls=dict(timer.calls), maxrss_mb=usage.ru_maxrss / 1024,
                  cpu_user=usage.ru_utime, cpu_sys=usage.ru_stime)
    if profiler:
        report["profile"] = hottest(profiler)
        report["alternatives"] = alternatives(args.sources)
    args.report.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if "error" not in report else 1


def alternatives(sources: Path) -> dict[str, Any]:
    """Per-document cost of the heavy stages and of their candidate replacements, on the same graphs:
    owlrl vs compiled rules (`loaders/compiled_reasoning.py`, when present), SHACL per document vs once
    over the union of all documents. CPU seconds."""
    from rdflib import Graph

    from kompetencje.loaders import pipeline as p
    from kompetencje.loaders.reasoning import load_ontology, reason
    from kompetencje.validation import validate_graph

    loaded, _failures = p.load_documents(p.discover_sources(sources), keep_going=True)
    documents = [item.document for item in loaded]
    minter = p.IriMinter(BASE_IRI)
    registry = p.build_registry(documents, minter)
    iris = {d.meta.doc_id: p.DocumentIris(d, minter, registry) for d in documents}
    canon, _ = p.choose_canonical(documents, iris)
    base = [p.document_to_graph(i.document, iris[i.document.meta.doc_id], canon, i.content) for i in loaded]
    ontology = load_ontology()
    found: dict[str, Any] = {"documents": len(base), "triples": sum(len(g) for g in base)}
    reasoned, found["owlrl_s"] = timed(lambda: [reason(g, ontology) for g in base])
    found["reasoned_triples"] = sum(len(g) for g in reasoned)
    try:
        from kompetencje.loaders.compiled_reasoning import apply_in_python, compile_rules

        rules, found["compile_rules_s"] = timed(lambda: compile_rules(ontology))
        compiled, found["compiled_s"] = timed(lambda: [apply_in_python(g, rules) for g in base])
        found["compiled_equal"] = all(set(a) == set(b) for a, b in zip(reasoned, compiled, strict=True))
    except Exception as error:  # the module is optional and may be mid-change
        found["compiled_error"] = f"{type(error).__name__}: {error}"
    reports, found["shacl_each_s"] = timed(lambda: [validate_graph(g, ontology=ontology) for g in reasoned])
    union = Graph()
    for graph in reasoned:
        union += graph
    report, found["shacl_union_s"] = timed(lambda: validate_graph(union, ontology=ontology))
    found["shacl_each_conforms"] = all(r.conforms for r in reports)
    found["shacl_union_conforms"] = report.conforms
    return found


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    """The work's value and the CPU seconds it took."""
    started = time.process_time()
    value = work()
    return value, time.process_time() - started


def hottest(profiler: cProfile.Profile, limit: int = 15) -> list[list[Any]]:
    """The functions the most time was spent in (own time), as [name, own s, cumulative s, calls]."""
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, function), (_cc, calls, own, cumulative, _callers) in stats.stats.items():
        short = "/".join(Path(filename).parts[-2:]) if filename.startswith("/") else filename
        rows.append([f"{short}:{line}({function})", round(own, 3), round(cumulative, 3), calls])
    return sorted(rows, key=lambda row: -row[1])[:limit]


# ---------------------------------------------------------------------------------------------- parent


@dataclass
class ScaleRun:
    scale: float
    corpus: CorpusSummary
    report: dict[str, Any]
    wall: float  # seen from the parent, process start to exit

    @property
    def documents(self) -> int:
        return int(self.report.get("documents") or self.corpus.documents)

    @property
    def triples(self) -> int:
        return int(self.report.get("counts", {}).get("quads", 0))

    @property
    def build_seconds(self) -> float:
        return float(self.report["wall"])

    @property
    def cpu_seconds(self) -> float:
        return float(self.report["cpu"])

    def stage_table(self, cpu: bool = False) -> dict[str, float]:
        """Wall (or CPU) seconds per stage; "startup" (imports) does not grow with the corpus, the rest does."""
        if cpu:
            stages = {STARTUP: float(self.report["startup_cpu"]), **self.report["stages_cpu"]}
            total = self.cpu_seconds
        else:
            stages = {STARTUP: float(self.report.get("startup", 0.0)), **self.report["stages"]}
            total = self.build_seconds
        stages[OTHER] = max(0.0, total - sum(stages.values()))
        return stages


STARTUP = "startup (imports)"
OTHER = "other (TriG dump, swap, loop overhead)"


def run_build(corpus: Path, *, profile: bool, timeout: float) -> tuple[dict[str, Any], float]:
    corpus = corpus.resolve()
    report_path = corpus / ("build-profile.json" if profile else "build-report.json")
    report_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench", "build-child", "--sources", str(corpus / "sources"),
               "--out", str(corpus / "build" / "data"), "--report", str(report_path)]
    if profile:
        command.append("--profile")
    started = time.perf_counter()
    process = subprocess.run(command, timeout=timeout, check=False, capture_output=True, text=True, cwd=REPOSITORY)
    wall = time.perf_counter() - started
    if not report_path.exists():
        raise SystemExit(f"the build child failed (exit {process.returncode}):\n{process.stderr[-3000:]}")
    return json.loads(report_path.read_text(encoding="utf-8")), wall


def run_scale(scale: float, seed: int, root: Path, *, timeout: float, jobs: int) -> ScaleRun:
    corpus_dir = root / f"scale-{scale:g}"
    say(f"scale {scale:g}: generating ...")
    summary = generate_corpus(scale, seed, corpus_dir, jobs=jobs if scale >= 0.02 else 1)
    say(f"scale {scale:g}: {summary.documents} documents in {summary.seconds:.1f} s; building ...")
    report, wall = run_build(corpus_dir, profile=False, timeout=timeout)
    run = ScaleRun(scale, summary, report, wall)
    if "error" in report:
        raise SystemExit(f"scale {scale:g}: the build failed: {report['error']}")
    say(f"scale {scale:g}: built in {run.build_seconds:.1f} s ({run.documents / run.build_seconds:.2f} docs/s)")
    return run


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class National:
    """The scale-1.0 corpus, rendered in memory only (for the projection and the generator's CPU rate)."""

    documents: int = 0
    bytes: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)


def national_corpus(seed: int) -> National:
    national = National()
    kinds: dict[str, int] = defaultdict(int)
    started = time.perf_counter()
    for _gmina, document in corpus_documents(1.0, seed):
        national.documents += 1
        national.bytes += len(document.text.encode("utf-8"))
        kinds[document.truth["kind"]] += 1
    national.seconds = time.perf_counter() - started
    national.by_kind = dict(sorted(kinds.items()))
    return national


def parent_main(args: argparse.Namespace) -> int:
    scales = sorted(float(s) for s in args.scales.split(",") if s.strip())
    runs = [run_scale(scale, args.seed, args.corpus_root, timeout=args.timeout, jobs=args.jobs) for scale in scales]
    profile = None
    if args.profile:
        say(f"scale {scales[0]:g}: profiling one more build (cProfile) and the candidate stages ...")
        profile, _wall = run_build(args.corpus_root / f"scale-{scales[0]:g}", profile=True, timeout=args.timeout)
        profile["scale"] = scales[0]
    say("rendering the scale-1.0 corpus in memory for the projection ...")
    national = national_corpus(args.seed)
    text = results_markdown(runs, profile, national, args.seed)
    if args.results:
        args.results.write_text(text, encoding="utf-8")
    print(text)
    return 0


# ---------------------------------------------------------------------------------------------- report


def extrapolate(small: tuple[int, float] | None, large: tuple[int, float], target: int) -> float:
    """A quantity measured at `large` (documents, value), continued linearly to `target` documents: along the
    slope between two runs when there are two (fixed costs such as loading morfeusz or the shapes then do not
    grow), else in proportion."""
    documents, value = large
    if small is not None and documents > small[0]:
        slope = (value - small[1]) / (documents - small[0])
        if slope > 0:
            return value + slope * (target - documents)
    return value * target / documents


def projection(runs: list[ScaleRun], national: National) -> dict[str, Any]:
    """The two largest runs' stage times and peak memory, continued to the national corpus."""
    ordered = sorted(runs, key=lambda r: r.documents)
    large, small = ordered[-1], (ordered[-2] if len(ordered) > 1 else None)
    target = national.documents
    stages = large.stage_table(cpu=True)
    scaled = {}
    for name, seconds in stages.items():
        before = (small.documents, small.stage_table(cpu=True).get(name, 0.0)) if small else None
        scaled[name] = seconds if name == STARTUP else extrapolate(before, (large.documents, seconds), target)
    per_document = sum(scaled.get(name, 0.0) for name in PER_DOCUMENT_STAGES)
    serial = sum(scaled.values())
    two_core = serial - per_document + per_document / TARGET_CORES
    rss_before = (small.documents, small.report["maxrss_mb"]) if small else None
    return {
        "from_scale": large.scale, "fit": "two-run slope" if small else "proportional",
        "factor": target / large.documents, "triples": round(large.triples * target / large.documents),
        "serial_seconds": serial, "two_core_seconds": two_core, "speedup_needed": two_core / TARGET_SECONDS,
        "rss_mb": extrapolate(rss_before, (large.documents, large.report["maxrss_mb"]), target), "stages": scaled,
    }


def hours(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.1f} min" if seconds >= 120 else f"{seconds:.1f} s"


def results_markdown(runs: list[ScaleRun], profile: dict[str, Any] | None, national: National, seed: int) -> str:
    load = os.getloadavg()[0]
    lines = ["# Build benchmark (synthetic national corpus)", "",
             f"Written by `python -m bench build --scales {','.join(f'{r.scale:g}' for r in runs)}` on "
             f"{time.strftime('%Y-%m-%d %H:%M')}; seed {seed}; {os.cpu_count()} CPUs, load average {load:.1f} at the "
             f"end (a shared machine: absolute times are noisy, stage shares much less); Python "
             f"{platform.python_version()}. Each build ran in a fresh process (`build(..., keep_going=True)`).", "",
             "| scale | gminas | documents | input MB | quads in store | build wall s | CPU s | wall s/doc | docs/s "
             "| triples/s | peak RSS MB | SHACL violations |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for run in runs:
        seconds = run.build_seconds
        lines.append(f"| {run.scale:g} | {run.corpus.gminas} | {run.documents} | {run.corpus.bytes / 1e6:.2f} | "
                     f"{run.triples} | {seconds:.1f} | {run.cpu_seconds:.1f} | {seconds / run.documents:.2f} | "
                     f"{run.documents / seconds:.2f} | {run.triples / seconds:.0f} | {run.report['maxrss_mb']:.0f} | "
                     f"{run.report.get('violations', '?')} |")
    written = sum(r.corpus.documents for r in runs) / max(1e-9, sum(r.corpus.seconds for r in runs))
    lines += ["", f"Generator: {national.documents / national.seconds:.0f} documents/s rendered (scale 1.0 in memory, "
              f"one core); {written:.0f} documents/s end to end with the files written (two per document; file "
              "creation on this shared disk dominates).", "", "## Where the time goes", ""]
    lines += stage_lines(runs)
    if profile is not None:
        lines += profile_lines(profile)
    projected = projection(runs, national)
    lines += projection_lines(projected, national)
    if profile is not None and "compiled_s" in (profile.get("alternatives") or {}):
        lines += what_if_lines(projected, profile["alternatives"], national.documents)
    return "\n".join(lines) + "\n"


def stage_lines(runs: list[ScaleRun]) -> list[str]:
    header = ("| stage | " + " | ".join(f"scale {r.scale:g}: wall s (share) / CPU s" for r in runs)
              + " | CPU ms per document (largest run) |")
    lines = ["Wall and CPU seconds of each stage, measured inside the build process.", "", header,
             "|---|" + "---|" * len(runs) + "---|"]
    walls, cpus = [r.stage_table() for r in runs], [r.stage_table(cpu=True) for r in runs]
    largest = max(runs, key=lambda r: r.documents)
    largest_cpu = largest.stage_table(cpu=True)
    for name in dict.fromkeys(name for table in walls for name in table):
        cells = [f"{wall.get(name, 0.0):.2f} ({100 * wall.get(name, 0.0) / run.build_seconds:.0f}%) / "
                 f"{cpu.get(name, 0.0):.2f}" for run, wall, cpu in zip(runs, walls, cpus, strict=True)]
        per_doc = "-" if name == STARTUP else f"{1000 * largest_cpu.get(name, 0.0) / largest.documents:.0f}"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {per_doc} |")
    name, seconds = max(cpus[-1].items(), key=lambda item: item[1])
    lines += ["", f"Dominant stage: **{name}**, {100 * seconds / runs[-1].cpu_seconds:.0f}% of the build's CPU time at "
              f"scale {runs[-1].scale:g}."]
    return lines


def profile_lines(profile: dict[str, Any]) -> list[str]:
    lines = ["", f"Hottest functions of a profiled build at scale {profile['scale']:g} (cProfile, own time; "
             "the profiler slows the run down):", "",
             "| function | own s | cumulative s | calls |", "|---|---|---|---|"]
    lines += [f"| `{name}` | {own} | {cumulative} | {calls} |" for name, own, cumulative, calls in profile["profile"]]
    alt = profile.get("alternatives") or {}
    if alt:
        n = alt["documents"]
        lines += ["", f"Candidate replacements, on the same {n} documents ({alt['triples']} triples before "
                  f"reasoning, {alt['reasoned_triples']} after):", "", "| stage | CPU s | CPU ms per document |",
                  "|---|---|---|",
                  f"| owlrl `reason` (today) | {alt['owlrl_s']:.2f} | {1000 * alt['owlrl_s'] / n:.0f} |"]
        if "compiled_s" in alt:
            lines.append(f"| compiled rules `apply_in_python` (+{alt['compile_rules_s']:.2f} s once to compile; "
                         f"same triples as owlrl: {alt['compiled_equal']}) | {alt['compiled_s']:.2f} | "
                         f"{1000 * alt['compiled_s'] / n:.1f} |")
        elif "compiled_error" in alt:
            lines.append(f"| compiled rules: not measured ({alt['compiled_error']}) | | |")
        lines += [f"| SHACL per document (today) | {alt['shacl_each_s']:.2f} | {1000 * alt['shacl_each_s'] / n:.0f} |",
                  f"| SHACL once over the union of all documents (conforms: {alt['shacl_union_conforms']}) | "
                  f"{alt['shacl_union_s']:.2f} | {1000 * alt['shacl_union_s'] / n:.0f} |"]
    return lines


def projection_lines(p: dict[str, Any], national: National) -> list[str]:
    verdict = "meets" if p["two_core_seconds"] <= TARGET_SECONDS else "misses"
    kinds = ", ".join(f"{kind}: {count}" for kind, count in national.by_kind.items())
    return ["", "## Projection to scale 1.0 (the national corpus)", "",
            f"Scale 1.0 is {national.documents} documents ({national.bytes / 1e6:.0f} MB; {kinds}), "
            f"{p['factor']:.0f}x the largest run (scale {p['from_scale']:g}), about {p['triples']:,} quads. "
            f"Every stage's CPU time but startup's grows linearly with the documents ({p['fit']}); on a dedicated "
            "machine wall time is about CPU time, the build being single-threaded.", "",
            f"- serial, today's pipeline on one core: **{hours(p['serial_seconds'])}**",
            f"- 2 cores, per-document stages ({', '.join(PER_DOCUMENT_STAGES)}) split over a process pool, the rest "
            f"serial: **{hours(p['two_core_seconds'])}**",
            f"- target: 15 min on 2 cores. The pipeline {verdict} it: it needs **{p['speedup_needed']:.0f}x** on top "
            "of the process pool",
            f"- memory: every document's graph stays in memory until the store is written, so peak RSS grows "
            f"with the corpus: ~{p['rss_mb'] / 1024:.1f} GB projected", "",
            "| stage | projected at scale 1.0, one core |", "|---|---|"] + [
            f"| {name} | {hours(seconds)} |" for name, seconds in p["stages"].items()]


def two_cores(stages: dict[str, float]) -> float:
    per_document = sum(stages.get(name, 0.0) for name in PER_DOCUMENT_STAGES)
    return sum(stages.values()) - per_document + per_document / TARGET_CORES


def what_if_lines(p: dict[str, Any], alt: dict[str, Any], documents: int) -> list[str]:
    """The projection again with the measured candidate replacements swapped in, one after the other."""
    stages = dict(p["stages"])
    rows = [("today's pipeline, process pool over 2 cores", two_cores(stages))]
    stages["owlrl reasoning"] = alt["compile_rules_s"] + alt["compiled_s"] / alt["documents"] * documents
    rows.append(("+ compiled reasoning instead of owlrl", two_cores(stages)))
    stages["SHACL validation"] *= alt["shacl_union_s"] / alt["shacl_each_s"]
    rows.append(("+ SHACL once per batch of documents instead of once per document", two_cores(stages)))
    name, seconds = max(((n, s) for n, s in stages.items()), key=lambda item: item[1])
    lines = ["", "## What the candidate replacements would give (projected, scale 1.0, 2 cores)", "",
             "| pipeline | projected wall |", "|---|---|"]
    lines += [f"| {label} | {hours(seconds_)} |" for label, seconds_ in rows]
    lines += ["", f"Then the largest stage is **{name}** ({hours(seconds)} on one core), and the build still needs "
              f"**{rows[-1][1] / TARGET_SECONDS:.1f}x** to fit in 15 minutes."]
    return lines
