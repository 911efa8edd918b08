"""Where a request's time goes: the real app (`create_app`, lifespan and all) driven in-process through httpx's
ASGI transport, one request after another, under cProfile - the event loop thread and every thread the app
starts (the store's query threads, `asyncio.to_thread`) each get their own profiler, merged at the end.
SPARQL queries sent to /sparql run in the query pool's worker processes, which this does not see.

`python -m bench profile-child --data DIR --paths paths.json --report out.json` (run by `python -m bench run`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import pstats
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench import build_bench
from bench.inprocess import latency_summary

WAITS = ("acquire", "wait", "poll", "select", "sleep", "control", "_run_once", "'get' of '_queue.SimpleQueue")
BUSY_SECONDS = 4.0


class ThreadProfiles:
    """A cProfile.Profile per thread started after `install()`, plus the calling thread's own."""

    def __init__(self) -> None:
        self.main = cProfile.Profile()
        self.others: list[cProfile.Profile] = []

    def _start(self, *_args: Any) -> None:
        profile = cProfile.Profile()
        self.others.append(profile)
        profile.enable()  # replaces this hook in the new thread

    def install(self) -> None:
        threading.setprofile(self._start)

    def reset(self) -> None:
        """Forget what the threads did so far (the app's start-up: the search index load, the store)."""
        for profile in self.others:
            profile.clear()

    def stats(self) -> pstats.Stats:
        threading.setprofile(None)  # type: ignore[arg-type]
        stats = pstats.Stats()
        for profile in (self.main, *self.others):
            with contextlib.suppress(TypeError):  # a thread that did nothing since the reset has no stats
                stats.add(profile)
        return stats


def top_functions(stats: pstats.Stats, limit: int = 12) -> list[list[Any]]:
    """[function, own s, cumulative s, calls] by own time, waits (locks, epoll, sleep) left out."""
    return build_bench.top_functions(stats, limit, WAITS)


def time_queries() -> dict[str, list[float]]:
    """Seconds of each of the API's own queries (named after their constant in kompetencje.api.queries) on
    the store's thread, recorded by wrapping `EmbeddedStore._run`, which every query of the embedded store
    passes through (one at a time or several in one hand-over); the server is not touched."""
    timings: dict[str, list[float]] = defaultdict(list)
    try:
        from kompetencje.api import queries
        from kompetencje.api.store import EmbeddedStore
    except ImportError:
        return timings
    names = {text: name for name, text in vars(queries).items() if name.isupper() and isinstance(text, str)}
    original = EmbeddedStore._run

    def run(self: Any, sparql: str, options: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(self, sparql, options)
        finally:
            timings[names.get(sparql, "(other)")].append(time.perf_counter() - began)

    EmbeddedStore._run = run  # type: ignore[method-assign]
    return timings


def query_summary(timings: dict[str, list[float]], requests: int) -> list[list[Any]]:
    """[query, calls per request, mean ms, total s], the most time first."""
    rows = [[name, round(len(times) / max(requests, 1), 2), round(1000 * sum(times) / len(times), 2),
             round(sum(times), 3)] for name, times in timings.items() if times]
    return sorted(rows, key=lambda row: -row[3])


async def drive(data: Path, endpoint: dict[str, Any], seconds: float) -> dict[str, Any]:
    """A fresh app (and event loop: `asyncio.run` per endpoint), so its threads are profiled from their start."""
    import httpx

    from kompetencje.api.app import create_app
    from kompetencje.api.settings import Settings

    profiles, timings = ThreadProfiles(), time_queries()
    profiles.install()
    settings = Settings(data_dir=data, store=str(data / "build" / "store"), sparql_queue=64, json_logs=False)
    app = create_app(settings)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            found = await timed_requests(client, endpoint, profiles, seconds, timings)
    finally:
        found_top = top_functions(profiles.stats())
        try:
            await lifespan.__aexit__(None, None, None)
        except Exception as error:  # the app's shutdown is not what is measured here
            print(f"the app's shutdown failed: {type(error).__name__}: {error}", file=sys.stderr)
    found["top"] = found_top
    return found


async def timed_requests(client: Any, endpoint: dict[str, Any], profiles: ThreadProfiles, seconds: float,
                         timings: dict[str, list[float]]) -> dict[str, Any]:
    paths, headers = endpoint["paths"], endpoint.get("headers")
    for path in paths[:3]:  # warm-up, then the profiles start afresh
        await client.get(path, headers=headers)
    profiles.reset()
    timings.clear()
    samples, statuses = [], set()
    deadline = time.perf_counter() + seconds
    profiles.main.enable()
    index = 0
    while time.perf_counter() < deadline or not samples:
        began = time.perf_counter()
        answer = await client.get(paths[index % len(paths)], headers=headers)
        samples.append(time.perf_counter() - began)
        statuses.add(answer.status_code)
        index += 1
    profiles.main.disable()
    return {**latency_summary(samples), "statuses": sorted(statuses), "queries": query_summary(timings, index)}


def child_main(args: argparse.Namespace) -> int:
    endpoints = json.loads(args.paths.read_text(encoding="utf-8"))
    found = {name: asyncio.run(drive(args.data, endpoint, args.seconds)) for name, endpoint in endpoints.items()}
    args.report.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def add_child_parser(sub: Any) -> None:
    p = sub.add_parser("profile-child", help=argparse.SUPPRESS)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--paths", type=Path, required=True, help="JSON: {name: {paths: [...], headers: {...}}}")
    p.add_argument("--seconds", type=float, default=BUSY_SECONDS)
    p.add_argument("--report", type=Path, required=True)
    p.set_defaults(run=child_main)
