"""`python -m bench run`: build at each scale, rebuild after a one-document change, serve the largest build
under load with the same-run baselines, time SPARQL in-process (rdflib vs pyoxigraph) and search, then print
one table and write RESULTS.md (see bench/report.py) and results.json."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.build_bench import REPOSITORY, BuildRun, run_child
from bench.load import WRK_TIMEOUT, LoadGenerator
from bench.serve_bench import SEARCH_QUERIES, LoadPlan, ServeResults, find_targets, serve_benchmark

BENCH = Path(__file__).resolve().parent
SEED_SOURCES = REPOSITORY / "data" / "sources"
DEV_QUERIES = (REPOSITORY / "tests" / "eval" / "queries.dev.jsonl",  # the shared judged queries, copied
               REPOSITORY / "tests" / "search_queries.extra.jsonl")
DUTY_LINE = re.compile(r"^(\d+\) .+);$", re.MULTILINE)


@dataclass
class ScaleResult:
    percent: float
    documents: int
    gminas: int
    input_mb: float
    build: BuildRun
    rebuild: BuildRun | None = None
    changed: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"percent": self.percent, "documents": self.documents, "gminas": self.gminas,
                "input_mb": self.input_mb, "changed": self.changed,
                "build": {"report": self.build.report, "process_wall": self.build.process_wall,
                          "tree_peak_mb": self.build.tree_peak_mb},
                "rebuild": self.rebuild and {"report": self.rebuild.report, "process_wall": self.rebuild.process_wall,
                                             "tree_peak_mb": self.rebuild.tree_peak_mb}}


@dataclass
class RunResults:
    config: dict[str, Any]
    started: float = field(default_factory=time.time)
    seconds: float = 0.0
    scales: list[ScaleResult] = field(default_factory=list)
    national_documents: int = 0
    serve: ServeResults | None = None
    sparql: dict[str, Any] = field(default_factory=dict)
    search_seed: dict[str, Any] = field(default_factory=dict)
    search_scale: dict[str, Any] = field(default_factory=dict)
    seed_build: BuildRun | None = None
    profile: list[list[Any]] = field(default_factory=list)
    app_profile: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def largest(self) -> ScaleResult:
        return max(self.scales, key=lambda s: s.percent)

    def as_json(self) -> dict[str, Any]:
        return {"config": self.config, "started": self.started, "seconds": self.seconds,
                "scales": [s.as_json() for s in self.scales], "national_documents": self.national_documents,
                "serve": self.serve.as_json() if self.serve else None, "sparql": self.sparql,
                "search_seed": self.search_seed, "search_scale": self.search_scale,
                "seed_build": self.seed_build and self.seed_build.report, "profile": self.profile,
                "app_profile": self.app_profile,
                "machine": self.machine, "errors": self.errors}


def build_run(found: dict[str, Any] | None) -> BuildRun | None:
    return BuildRun(found["report"], found["process_wall"], found["tree_peak_mb"]) if found else None


def results_from_json(found: dict[str, Any]) -> RunResults:
    """A RunResults back from results.json (to render RESULTS.md again: `python -m bench report`)."""
    from bench.load import LoadResult

    results = RunResults(found["config"], started=found["started"], seconds=found["seconds"])
    for scale in found["scales"]:
        results.scales.append(ScaleResult(scale["percent"], scale["documents"], scale["gminas"], scale["input_mb"],
                                          build_run(scale["build"]), build_run(scale["rebuild"]), scale["changed"]))
    serve = found.get("serve")
    if serve:
        results.serve = ServeResults(serve["tool"], serve["scale"], serve["targets"], servers=serve["servers"],
                                     probe_failures=serve["probe_failures"])
        for name, load in serve["loads"].items():
            results.serve.loads[name] = LoadResult(**{k: v for k, v in load.items() if k != "rps"})
    for key in ("national_documents", "sparql", "search_seed", "search_scale", "profile", "app_profile", "machine",
                "errors"):
        setattr(results, key, found.get(key) or getattr(results, key))
    results.seed_build = BuildRun(found["seed_build"], 0.0, 0.0) if found.get("seed_build") else None
    return results


# ---------------------------------------------------------------------------------------------- steps


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def change_one_document(sources: Path) -> str:
    """Edit one duty of the first plain-text document that has a numbered duty (else add a line at the end)."""
    paths = sorted(sources.rglob("*.txt"))
    for path in paths:
        text = path.read_text(encoding="utf-8")
        match = DUTY_LINE.search(text)
        if match:
            edited = text[:match.end(1)] + " oraz prowadzenie dokumentacji w tym zakresie" + text[match.end(1):]
            path.write_text(edited, encoding="utf-8")
            return f"{path.relative_to(sources)}: a duty reworded"
    if not paths:
        raise RuntimeError(f"no plain-text document to change in {sources}")
    with paths[0].open("a", encoding="utf-8") as file:
        file.write("\n")
    return f"{paths[0].relative_to(sources)}: a blank line added"


def build_scale(percent: float, seed: int, work: Path, jobs: int) -> ScaleResult:
    from bench.generate import generate_corpus

    folder = work / f"scale-{percent:g}pct"
    say(f"scale {percent:g} %: generating the corpus (seed {seed})")
    corpus = generate_corpus(percent / 100, seed, folder, jobs=jobs if percent >= 2 else 1)
    say(f"scale {percent:g} %: {corpus.documents} documents; building")
    cache = folder / "cache" / "documents"  # as `kompetencje build` keeps it: empty for the first build
    shutil.rmtree(cache, ignore_errors=True)
    build = checked(run_child(folder / "sources", folder / "build", folder / "build-report.json", cache=cache),
                    "build")
    say(f"scale {percent:g} %: built in {build.seconds:.1f} s ({build.quads} quads); changing one document")
    result = ScaleResult(percent, corpus.documents, corpus.gminas, corpus.bytes / 1e6, build)
    result.changed = change_one_document(folder / "sources")
    result.rebuild = checked(run_child(folder / "sources", folder / "build", folder / "rebuild-report.json",
                                       cache=cache, previous=folder / "build"), "rebuild")
    say(f"scale {percent:g} %: rebuilt in {result.rebuild.seconds:.1f} s")
    return result


def checked(run: BuildRun, what: str) -> BuildRun:
    if run.failed:
        raise RuntimeError(f"the {what} failed: {run.failed}")
    return run


def national_documents(seed: int) -> int:
    """Documents at scale 1.0 (planned, not rendered: a few seconds)."""
    from bench.generate import document_plans
    from bench.plan import gmina_specs, plan_from_spec

    return sum(len(document_plans(seed, plan_from_spec(seed, spec))) for spec in gmina_specs(1.0, seed))


def inprocess(mode: str, report: Path, timeout: float, **options: Any) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench", "inprocess-child", "--mode", mode, "--report", str(report)]
    for key, value in options.items():
        command += [f"--{key}", str(value)]
    report.unlink(missing_ok=True)
    done = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not report.exists():
        raise RuntimeError(f"inprocess-child {mode} failed (exit {done.returncode}): {done.stderr[-3000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def sparql_inprocess(data: Path, work: Path, seconds: float) -> dict[str, Any]:
    targets = find_targets(data / "build" / "store", limit=40)
    iris = work / "iris.json"
    iris.write_text(json.dumps(targets.iris), encoding="utf-8")
    return inprocess("sparql", work / "sparql-inprocess.json", 3600, store=data / "build" / "store",
                     trig=data / "build" / "dataset.trig", iris=iris, seconds=seconds)


def seed_search(work: Path, rounds: int) -> tuple[BuildRun, dict[str, Any]]:
    """Build the seed documents (data/sources) and time SearchIndex.search over the dev queries."""
    folder = work / "seed"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(SEED_SOURCES, folder / "sources")
    build = checked(run_child(folder / "sources", folder / "build", folder / "build-report.json"), "seed build")
    queries = next(path for path in DEV_QUERIES if path.exists())
    found = inprocess("search", work / "search-seed.json", 600, index=folder / "build" / "search",
                      queries=queries, rounds=rounds)
    found["queries_file"] = str(queries.relative_to(REPOSITORY))
    return build, found


def scale_search(data: Path, work: Path, rounds: int) -> dict[str, Any]:
    """The same, on the largest synthetic build, with the load's queries (with and without a municipality)."""
    targets = find_targets(data / "build" / "store")
    rows = [{"q": q, "municipality": m} for q in SEARCH_QUERIES for m in (None, *targets.municipalities)]
    queries = work / "search-queries.jsonl"
    queries.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return inprocess("search", work / "search-scale.json", 600, index=data / "build" / "search",
                     queries=queries, rounds=rounds)


def profile_requests(data: Path, work: Path) -> dict[str, Any]:
    from bench.serve_bench import SPARQL_JSON

    targets = find_targets(data / "build" / "store")
    endpoints = {"competence search": {"paths": targets.search_paths()},
                 "unit detail": {"paths": targets.unit_paths()},
                 "reporting chain": {"paths": targets.unit_paths("/chain")},
                 "SPARQL lookup (/sparql)": {"paths": targets.sparql_paths("/sparql"), "headers": SPARQL_JSON}}
    paths = work / "profile-paths.json"
    paths.write_text(json.dumps(endpoints), encoding="utf-8")
    report = work / "profile-app.json"
    report.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench", "profile-child", "--data", str(data), "--paths", str(paths),
               "--report", str(report)]
    done = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0 or not report.exists():
        say(f"the request profile failed (exit {done.returncode}): {done.stderr[-2000:]}")
        return {}
    return json.loads(report.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------- the run


def parse_scales(text: str) -> list[float]:
    scales = sorted({float(s) for s in text.split(",") if s.strip()})
    if not scales or any(not 0 < s <= 100 for s in scales):
        raise SystemExit("--scales: percentages in (0, 100], e.g. 1,10,100")
    return scales


def configure(args: argparse.Namespace) -> dict[str, Any]:
    smoke = bool(args.smoke)
    return {"scales": [1.0] if smoke else parse_scales(args.scales), "duration": 3.0 if smoke else args.duration,
            "clients": args.clients, "smoke": smoke, "seed": args.seed, "loadgen": args.loadgen,
            "warmup": 1.0 if smoke else 2.0, "jobs": args.jobs, "profile": not smoke and args.profile,
            "command": "python -m bench " + " ".join(sys.argv[1:] if args.argv is None else args.argv)}


def execute(config: dict[str, Any], work: Path) -> RunResults:
    from bench.report import machine_description

    results = RunResults(config)
    results.machine = machine_description()
    generator = LoadGenerator(config["loadgen"], install=not config["smoke"])
    for percent in config["scales"]:
        results.scales.append(build_scale(percent, config["seed"], work, config["jobs"]))
    data = work / f"scale-{results.largest.percent:g}pct"
    plan = LoadPlan(generator, config["clients"], config["duration"], config["warmup"])
    results.serve = serve_benchmark(data, work, plan, f"{results.largest.percent:g} %")
    say("in-process: rdflib vs pyoxigraph")
    results.sparql = sparql_inprocess(data, work, config["duration"] / 2)
    say("in-process: search latency (seed build, then the largest build)")
    rounds = 5 if config["smoke"] else 30
    results.seed_build, results.search_seed = seed_search(work, rounds)
    results.search_scale = scale_search(data, work, rounds)
    if 100.0 not in config["scales"]:
        results.national_documents = national_documents(config["seed"])
    if config["profile"]:
        say("profiling the app's requests in-process (cProfile)")
        results.app_profile = profile_requests(data, work)
        say("profiling a build of the smallest scale (cProfile)")
        smallest = work / f"scale-{config['scales'][0]:g}pct"
        profiled = run_child(smallest / "sources", smallest / "build", smallest / "profile-report.json", profile=True)
        results.profile = profiled.report.get("profile", [])
    return results


def collect_errors(results: RunResults) -> list[str]:
    errors = []
    if results.serve:
        errors += results.serve.probe_failures
        errors += [f"{name}: {load.errors} error(s) ({load.non2xx} non-2xx, {load.timeouts} timeouts after "
                   f"{WRK_TIMEOUT})"
                   for name, load in results.serve.loads.items() if load.errors]
    for scale in results.scales:
        for what, run in (("build", scale.build), ("rebuild", scale.rebuild)):
            if run and (run.report.get("violations") or run.report.get("failures")):
                errors.append(f"{what} at {scale.percent:g} %: {run.report.get('violations')} violation(s), "
                              f"{run.report.get('failures')} unreadable document(s)")
    return errors


def run_main(args: argparse.Namespace) -> int:
    from bench.report import print_table, results_markdown

    config = configure(args)
    out: Path = args.out.resolve()
    work: Path = (args.work or (BENCH / "corpus" / "run" if args.out == BENCH else out / "work")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        results = execute(config, work)
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        say(f"the benchmark failed: {error}")
        return 2
    results.seconds = time.perf_counter() - started
    results.machine["load_average_end"] = os.getloadavg()
    results.errors = collect_errors(results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results.as_json(), ensure_ascii=False, indent=1, default=str),
                                      encoding="utf-8")
    (out / "RESULTS.md").write_text(results_markdown(results), encoding="utf-8")
    print_table(results)
    say(f"wrote {out / 'RESULTS.md'} in {results.seconds:.0f} s; {len(results.errors)} error(s)")
    for error in results.errors:
        say(f"  error: {error}")
    return 1 if results.errors else 0


def report_main(args: argparse.Namespace) -> int:
    """Render RESULTS.md again from results.json (same figures; the load average line is the current one)."""
    from bench.report import print_table, results_markdown

    results = results_from_json(json.loads((args.out / "results.json").read_text(encoding="utf-8")))
    (args.out / "RESULTS.md").write_text(results_markdown(results), encoding="utf-8")
    print_table(results)
    return 1 if results.errors else 0


def add_run_parser(sub: Any) -> None:
    p = sub.add_parser("run", help="build, rebuild, serve under load, baselines: one table, RESULTS.md")
    p.add_argument("--scales", default="1,10", help="percentages of the national corpus, e.g. 1,10,100")
    p.add_argument("--duration", type=float, default=20.0, help="seconds per load run")
    p.add_argument("--clients", type=int, default=16, help="concurrent connections per load run")
    p.add_argument("--smoke", action="store_true", help="1 %%, 3-s load runs: fails on errors, never on timings")
    p.add_argument("--out", type=Path, default=BENCH, help="where RESULTS.md and results.json go (default bench/)")
    p.add_argument("--work", type=Path, default=None, help="corpora and builds (default bench/corpus/run, "
                   "or OUT/work with --out)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    p.add_argument("--jobs", type=int, default=2, help="corpus generator processes")
    p.add_argument("--no-profile", dest="profile", action="store_false", help="skip the profiled build")
    p.set_defaults(run=run_main, argv=None)

    p = sub.add_parser("report", help="write RESULTS.md again from the results.json of a run")
    p.add_argument("--out", type=Path, default=BENCH, help="the folder with results.json (default bench/)")
    p.set_defaults(run=report_main)
