"""A build generation as the API opens it: closing it stops its SPARQL worker processes (a retired generation
must not leave them behind), and its statistics are counted once and then read from the cache."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from build_fixtures import seed_build

from kompetencje.api.generations import open_generation
from kompetencje.api.settings import Settings


def settings_for(build: Path, cache: Path) -> Settings:
    return Settings(data_dir=build.parent, store=str(build / "store"), cache_dir=cache)


def test_closing_a_generation_stops_its_query_workers(seed_build, tmp_path: Path) -> None:
    async def run() -> list:
        generation = await open_generation(settings_for(seed_build.out_dir, tmp_path / "cache"))
        processes = [worker.process for worker in generation.pool._workers]
        assert processes and all(p.is_alive() for p in processes)
        await generation.close()
        return processes

    for process in asyncio.run(run()):
        process.join(timeout=10)
        assert not process.is_alive()


def test_statistics_are_counted_once_per_store(seed_build, tmp_path: Path, monkeypatch) -> None:
    from kompetencje.api import store as store_module

    counted: list[int] = []
    real = store_module.store_stats

    async def counting(*args, **kwargs):
        counted.append(1)
        return await real(*args, **kwargs)

    monkeypatch.setattr(store_module, "store_stats", counting)
    settings = settings_for(seed_build.out_dir, tmp_path / "cache")

    async def open_and_close():
        generation = await open_generation(settings)
        await generation.close()
        return generation.stats

    first, second = asyncio.run(open_and_close()), asyncio.run(open_and_close())
    assert counted == [1] and first == second and first.triples > 0 and first.sources
    shutil.rmtree(tmp_path / "cache")
    assert asyncio.run(open_and_close()) == first and counted == [1, 1]


def test_a_request_during_a_switch_is_answered_after_it(tmp_path: Path) -> None:
    """The watcher (or another request) is opening the new build, the pointer's change already noted: a
    request arriving meanwhile waits for the switch instead of reading the old build."""
    from types import SimpleNamespace

    from kompetencje.api import generations

    build = tmp_path / "build"
    build.mkdir()
    (build / "CURRENT").write_text("gen-000002", encoding="ascii")
    watch = generations.Watch(build, True)
    watch.signature = generations.pointer_signature(build)  # noted by the switch under way
    app = SimpleNamespace(state=SimpleNamespace(generation_watch=watch, generation="gen-000001"))

    async def switch() -> None:
        async with watch.lock:
            await asyncio.sleep(0.2)  # opening the new build
            app.state.generation = "gen-000002"

    async def run() -> str:
        switching = asyncio.create_task(switch())
        await asyncio.sleep(0)  # the switch holds the lock now
        await generations._catch_up(app)
        seen = app.state.generation
        await switching
        return seen

    assert asyncio.run(run()) == "gen-000002"
