"""Build benchmark: the real build, timed from outside through its public interface.

`python -m bench build-child` calls `kompetencje.loaders.pipeline.build(sources, out, base_iri=...,
keep_going=True, progress=..., cache_dir=...)` unchanged and writes what it measured as JSON: the wall and
CPU time of the call, the time of each *phase* (a phase is named by the first word of the progress step text - "read",
"reason", "validate", "index" ... - and runs from its first progress call to the first call of the next
phase, so "validate" also covers writing the store), the counts, and the peak RSS of the process and of
the children it waited for. The parent (`run_child`) samples the resident memory of the whole process tree
(pool workers included) every 0.2 s while it runs.

`python -m bench build --scales 0.001,0.01` generates each corpus, builds it and prints the numbers;
`python -m bench run` (bench/run.py) uses the same child for its build and rebuild rows.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procs import MIB, PeakSampler, stop, tree_rss

BASE_IRI = "https://w3id.org/kompetencje/id/"
REPOSITORY = Path(__file__).resolve().parent.parent  # where `python -m bench` finds the package
WAITS = ("acquire", "'wait'", "'poll'", "'select'", "sleep")  # waiting (for the pool), not working
START, DONE = "(before the first progress step)", "(after the last progress step)"


# ---------------------------------------------------------------------------------------------- child


class PhaseTimer:
    """Wall and CPU seconds per phase, from the build's own progress callback."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.steps: dict[str, int] = defaultdict(int)
        self.current: str | None = None
        self.since, self.cpu_since = 0.0, 0.0

    def progress(self, step: str, _done: int, _total: int) -> None:
        phase = (step.split(maxsplit=1) or ["?"])[0]
        self.steps[phase] += 1
        if phase != self.current:
            self.switch(phase)

    def switch(self, phase: str | None) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        if self.current is not None:
            self.seconds[self.current] += now - self.since
            self.cpu[self.current] += cpu - self.cpu_since
        self.current, self.since, self.cpu_since = phase, now, cpu


class PhaseMemory(threading.Thread):
    """Samples this process tree's RSS (pool workers included) every 0.2 s: the peak of each phase, in MiB."""

    def __init__(self, timer: PhaseTimer) -> None:
        super().__init__(daemon=True)
        self.timer, self.peaks, self.done = timer, defaultdict(float), threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            phase = self.timer.current or DONE
            self.peaks[phase] = max(self.peaks[phase], tree_rss(os.getpid()) / MIB)


def child_main(args: argparse.Namespace) -> int:
    """Run one build and write what it measured as JSON (the parent reads it)."""
    started = time.perf_counter()
    from kompetencje.errors import KompetencjeError
    from kompetencje.loaders.pipeline import build

    report: dict[str, Any] = {"startup": time.perf_counter() - started}
    timer, profiler = PhaseTimer(), (cProfile.Profile() if args.profile else None)
    timer.switch(START)
    memory = PhaseMemory(timer)
    memory.start()
    call_started, cpu_started = time.perf_counter(), time.process_time()
    try:
        if profiler:
            profiler.enable()
        result = build(args.sources, args.out, base_iri=BASE_IRI, keep_going=True, progress=timer.progress,
                       cache_dir=args.cache, previous=getattr(args, "previous", None))
        report.update(counts=result.counts, documents=result.document_count, redone=len(result.documents),
                      failures=len(result.failures),
                      disagreements=len(result.disagreements), violations=0)
    except KompetencjeError as error:
        report.update(error=f"{type(error).__name__}: {error.message}",
                      violations=len(getattr(error, "violations", None) or []))
    finally:
        if profiler:
            profiler.disable()
        timer.switch(DONE)
        memory.done.set()
    report.update(build_seconds=time.perf_counter() - call_started, build_cpu=time.process_time() - cpu_started,
                  phases=dict(timer.seconds), phases_cpu=dict(timer.cpu), steps=dict(timer.steps),
                  phase_peak_mb=dict(memory.peaks),
                  wall=time.perf_counter() - started, **usage())
    if profiler:
        report["profile"] = hottest(profiler)
    args.report.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if "error" not in report else 1


def usage() -> dict[str, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"maxrss_mb": own.ru_maxrss / 1024, "children_maxrss_mb": children.ru_maxrss / 1024,
            "cpu": own.ru_utime + own.ru_stime, "children_cpu": children.ru_utime + children.ru_stime}


def hottest(profiler: cProfile.Profile, limit: int = 15) -> list[list[Any]]:
    """The functions the most time was spent in (own time), as [name, own s, cumulative s, calls]."""
    return top_functions(pstats.Stats(profiler), limit, WAITS)


def top_functions(stats: pstats.Stats, limit: int, waits: tuple[str, ...]) -> list[list[Any]]:
    """[function, own s, cumulative s, calls] by own time, functions named by one of `waits` (locks, epoll,
    sleep: waiting, not working) left out."""
    rows = []
    for (filename, line, function), (_cc, calls, own, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if any(word in function for word in waits):
            continue
        short = "/".join(Path(filename).parts[-2:]) if filename.startswith("/") else filename
        rows.append([f"{short}:{line}({function})", round(own, 3), round(cumulative, 3), calls])
    return sorted(rows, key=lambda row: -row[1])[:limit]


# ---------------------------------------------------------------------------------------------- parent


@dataclass
class BuildRun:
    """One build as the parent saw it: the child's report, the process's wall time and the tree's peak RSS."""

    report: dict[str, Any]
    process_wall: float
    tree_peak_mb: float

    @property
    def failed(self) -> str | None:
        return self.report.get("error")

    @property
    def documents(self) -> int:
        return int(self.report.get("documents", 0))

    @property
    def quads(self) -> int:
        return int(self.report.get("counts", {}).get("quads", 0))

    @property
    def seconds(self) -> float:
        return float(self.report["build_seconds"])

    @property
    def peak_rss_mb(self) -> float:
        """The largest of: the tree sum sampled every 0.2 s, the child's own and its largest child's peak."""
        return max(self.tree_peak_mb, float(self.report.get("maxrss_mb", 0)),
                   float(self.report.get("children_maxrss_mb", 0)))

    @property
    def cpu_seconds(self) -> float:
        return float(self.report.get("cpu", 0)) + float(self.report.get("children_cpu", 0))


def run_child(sources: Path, out: Path, report_path: Path, *, profile: bool = False,
              timeout: float = 7200.0, cache: Path | None = None, previous: Path | None = None) -> BuildRun:
    """Build `sources` into `out` in a fresh `python -m bench build-child` process (with `cache`, reusing
    the readings of unchanged documents as `kompetencje build` does)."""
    report_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench", "build-child", "--sources", str(sources), "--out", str(out),
               "--report", str(report_path)] + (["--profile"] if profile else [])
    command += ["--cache", str(cache)] if cache else []
    command += ["--previous", str(previous)] if previous else []
    log = report_path.with_suffix(".log")
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=REPOSITORY, stdout=output, stderr=subprocess.STDOUT)
        with PeakSampler(process.pid) as sampler:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                stop(process)
                raise RuntimeError(f"the build of {sources} took more than {timeout:.0f} s") from None
    wall = time.perf_counter() - started
    if not report_path.exists():
        raise RuntimeError(f"the build child failed (exit {process.returncode}):\n"
                           f"{log.read_text(errors='replace')[-3000:]}")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    return BuildRun(report, wall, sampler.peak / MIB)


# ---------------------------------------------------------------------------------------------- `bench build`


@dataclass
class ScaleBuild:
    scale: float
    corpus: Any  # bench.generate.CorpusSummary
    run: BuildRun
    extra: dict[str, Any] = field(default_factory=dict)


def parent_main(args: argparse.Namespace) -> int:
    from bench.generate import generate_corpus

    rows = []
    for scale in sorted(float(s) for s in args.scales.split(",") if s.strip()):
        folder = args.corpus_root / f"scale-{scale:g}"
        say(f"scale {scale:g}: generating ...")
        corpus = generate_corpus(scale, args.seed, folder, jobs=args.jobs if scale >= 0.02 else 1)
        say(f"scale {scale:g}: {corpus.documents} documents; building ...")
        run = run_child(folder / "sources", folder / "build", folder / "build-report.json",
                        profile=args.profile, timeout=args.timeout)
        if run.failed:
            raise SystemExit(f"scale {scale:g}: the build failed: {run.failed}")
        rows.append(ScaleBuild(scale, corpus, run))
        say(f"scale {scale:g}: built in {run.seconds:.1f} s")
    text = build_markdown(rows, args.seed)
    if args.results:
        args.results.write_text(text, encoding="utf-8")
    print(text)
    return 0


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_markdown(rows: list[ScaleBuild], seed: int) -> str:
    lines = [f"# Build benchmark (seed {seed}, {time.strftime('%Y-%m-%d %H:%M')})", "",
             "| scale | documents | quads | build s | CPU s | docs/s | quads/s | peak RSS MiB |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        run = row.run
        lines.append(f"| {row.scale:g} | {run.documents} | {run.quads} | {run.seconds:.1f} | {run.cpu_seconds:.1f} | "
                     f"{run.documents / run.seconds:.2f} | {run.quads / run.seconds:.0f} | {run.peak_rss_mb:.0f} |")
    lines += ["", *phase_lines([(f"scale {r.scale:g}", r.run) for r in rows])]
    for row in rows:
        if "profile" in row.run.report:
            lines += ["", *profile_lines(row.run.report["profile"], f"scale {row.scale:g}")]
    return "\n".join(lines) + "\n"


def phase_lines(runs: list[tuple[str, BuildRun]]) -> list[str]:
    """Seconds of each phase (from the progress callback) per build, with its share of the build call."""
    names = list(dict.fromkeys(name for _label, run in runs for name in run.report.get("phases", {})))
    header = " | ".join(f"{label}: s (share) / peak MiB" for label, _run in runs)
    lines = [f"| phase (from the progress steps) | {header} |",
             "|---|" + "---|" * len(runs)]
    for name in names:
        cells = []
        for _label, run in runs:
            seconds = float(run.report.get("phases", {}).get(name, 0.0))
            peak = run.report.get("phase_peak_mb", {}).get(name)
            cells.append(f"{seconds:.2f} ({100 * seconds / max(run.seconds, 1e-9):.0f}%)"
                         + (f" / {peak:,.0f}" if peak else ""))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def profile_lines(profile: list[list[Any]], label: str) -> list[str]:
    lines = [f"Hottest functions of the profiled build ({label}; cProfile, own time; the build process only - pool "
             "workers are not profiled, and waits such as for the pool's results are left out):", "",
             "| function | own s | cumulative s | calls |", "|---|---|---|---|"]
    return lines + [f"| `{name}` | {own} | {cumulative} | {calls} |" for name, own, cumulative, calls in profile]
