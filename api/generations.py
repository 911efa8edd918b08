"""Build generations in the API: which store a request reads, and reopening it when the build changes.

Everything a request reads from the build (the embedded store, the SPARQL worker pool, the statistics, the
dumps, the search index) is opened together as one `Generation` and installed on `app.state` in one step.
`GenerationMiddleware` snapshots the installed generation into `request.state.generation` when a request
starts (the dependencies in api/deps.py read that snapshot), so a request sees the old build or the new one,
never a mix (its response names that build in `X-Kompetencje-Generation`), and counts itself on it, so that
a replaced generation is closed only when its last request is done (or after a grace period).

A watcher task stats `data/build/CURRENT` (loaders/ingest.py writes it) every `generation_poll_s` and, when
it changed, opens the new generation beside the old one, installs it and retires the old one. The worker
that ingested a document calls `refresh(app, force=True)` before it answers, so its own next request
already reads the new build. Generations apply when the store is the default `{data_dir}/build/store`; a
store configured elsewhere is opened once, as before, and so is a remote SPARQL store (`open_remote`), which
a writer node updates with `kompetencje load` (docs/scaling.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kompetencje.api.query_pool import QueryPool
from kompetencje.api.remote_store import RemoteDataset, RemoteStore
from kompetencje.api.settings import Settings
from kompetencje.api.store import EmbeddedStore, Store, StoreStats, cached_store_stats, store_stats
from kompetencje.errors import KompetencjeError, StoreError
from kompetencje.loaders.ingest import POINTER, current_generation

log = logging.getLogger(__name__)
GenerationHook = Callable[[FastAPI, "Generation"], None]


@dataclass(eq=False)
class Generation:
    name: str | None  # "gen-000007", or None for a flat build / a store configured elsewhere
    folder: Path  # the build folder (store/, report.json, search/ ...)
    store: Store  # EmbeddedStore, or RemoteStore (KOMPETENCJE_STORE=sparql+https://...)
    pool: QueryPool | RemoteStore  # runs /sparql's jobs: the worker processes, or the remote store itself
    stats: StoreStats
    dumps: Any  # kompetencje.api.routers.dumps.DumpSet: the dump files, written in the background
    search: Any | None = None  # kompetencje.search.SearchIndex when the build wrote one
    active: int = 0  # requests running on this generation

    async def close(self) -> None:
        self.dumps.cancel()
        with contextlib.suppress(BaseException):
            await self.dumps.task
        resources = [self.pool] if self.pool is self.store else [self.pool, self.store]  # a remote store is both
        for resource in resources:  # (by identity: the pool and the store are unhashable dataclasses)
            with contextlib.suppress(Exception):
                await resource.close()


@dataclass
class Watch:
    build_dir: Path
    enabled: bool
    signature: tuple[int, int, int] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    task: asyncio.Task | None = None
    retiring: set[asyncio.Task] = field(default_factory=set)


# --------------------------------------------------------------------------------------------------------
# Where the current build is
# --------------------------------------------------------------------------------------------------------

def generations_enabled(settings: Settings) -> bool:
    return not settings.remote_store and \
        os.path.abspath(settings.store) == os.path.abspath(settings.build_dir / "store")


def pointer_signature(build_dir: Path) -> tuple[int, int, int] | None:
    """Cheap change detection: the pointer file's inode, mtime and size (os.replace gives a new inode)."""
    try:
        info = os.stat(build_dir / POINTER)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def resolve(settings: Settings) -> tuple[str | None, Path, Path]:
    """(generation name, build folder, store folder) for what should be served now."""
    if generations_enabled(settings):
        generation = current_generation(settings.build_dir)
        if generation is not None:
            return generation.name, generation, generation / "store"
    return None, settings.store_path.parent, settings.store_path


# --------------------------------------------------------------------------------------------------------
# Opening, installing, retiring
# --------------------------------------------------------------------------------------------------------

async def open_generation(settings: Settings) -> Generation:
    """Open everything a request reads from the current build; StoreError when it cannot be opened."""
    from kompetencje.api.routers.dumps import DumpSet

    if settings.remote_store:
        return await open_remote(settings)
    name, folder, store_path = resolve(settings)
    scoped = settings
    if name is not None:  # dumps generated for a generation live (and die) with it
        scoped = settings.model_copy(update={"store": str(store_path), "cache_dir": folder / "cache",
                                             "dumps_dir": folder / "dumps"})
    store = EmbeddedStore(store_path, threads=settings.query_threads, timeout_s=settings.query_timeout_s,
                          row_cap=settings.row_cap)
    pool = QueryPool(store_path, size=settings.sparql_workers, timeout_s=settings.query_timeout_s,
                     row_cap=settings.row_cap)
    try:
        await pool.start()
        stats = await cached_store_stats(store, store_path, scoped.cache_dir or scoped.build_dir / "cache")
        dumps = DumpSet.start(scoped, store, stats)
    except BaseException:
        await pool.close()
        await store.close()
        raise
    search = await asyncio.to_thread(load_search_index, folder)
    if search is None:  # a build without a saved index (or a store configured elsewhere): index it now
        search = await asyncio.to_thread(index_store, store.raw, store.path)
    return Generation(name, folder, store, pool, stats, dumps, search)


async def open_remote(settings: Settings) -> Generation:
    """A remote SPARQL store (docs/scaling.md): statistics by SPARQL; the dumps from `dumps_dir`, else
    written once from a copy of the remote named graphs; the search index from `search_dir`, else built from
    that copy. No worker processes: /sparql's jobs go to the remote store, which enforces its own limits."""
    from kompetencje.api.routers.dumps import DumpSet

    store = RemoteStore.from_settings(settings)
    try:
        stats = await store_stats(store, None)
        dataset = RemoteDataset(store, stats)
        dumps = DumpSet.start(settings, dataset, stats)
        search = await asyncio.to_thread(load_search_dir, settings.search_dir) if settings.search_dir else None
        if search is None:
            raw, _ = await dataset.snapshot()
            search = await asyncio.to_thread(index_store, raw, store)
    except BaseException:
        await store.close()
        raise
    return Generation(None, settings.build_dir, store, store, stats, dumps, search)


def index_store(raw: Any, where: object) -> Any | None:
    """A search index built from a pyoxigraph store itself; None (and a warning) when that fails."""
    try:
        from kompetencje.search import SearchIndex

        return SearchIndex.build(raw)
    except Exception as error:
        log.warning("cannot index the store %s for search: %s", where, error)
        return None


def load_search_index(folder: Path) -> Any | None:
    """The build's search index (`<build>/search/`), or None when it has none or it cannot be read."""
    return load_search_dir(folder / "search")


def load_search_dir(path: Path) -> Any | None:
    """A saved search index (a folder with meta.json), or None when there is none or it cannot be read."""
    if not (path / "meta.json").is_file():
        return None
    try:
        from kompetencje.search import SearchIndex

        return SearchIndex.load(path)
    except Exception as error:  # a broken index must not take the store down
        log.warning("cannot load the search index in %s: %s", path, error)
        return None


def install(app: FastAPI, generation: Generation) -> Generation | None:
    """Make `generation` the one new requests read (one synchronous step); the previous one, if any."""
    state = app.state
    previous: Generation | None = getattr(state, "generation", None)
    state.generation = generation
    state.store, state.query_pool = generation.store, generation.pool
    state.stats, state.dumps = generation.stats, generation.dumps
    state.store_error = None
    on_generation_change(app, generation)
    return previous


def on_generation_change(app: FastAPI, generation: Generation) -> None:
    """The hook for what else follows the build: `app.state.search_index`, then `app.state.generation_hooks`.

    Another part of the API that keeps something derived from the build registers a callable
    `hook(app, generation)` in `app.state.generation_hooks`; it runs in the event loop, so keep it quick
    (load in `open_generation`, or start a task).
    """
    app.state.search_index = generation.search
    for hook in list(getattr(app.state, "generation_hooks", [])):
        try:
            hook(app, generation)
        except Exception:
            log.exception("a generation hook failed")


def retire(app: FastAPI, old: Generation, grace_s: float) -> None:
    """Close a replaced generation once its last request is done, or after `grace_s` at the latest."""
    watch: Watch = app.state.generation_watch
    task = asyncio.get_running_loop().create_task(_close_when_idle(old, grace_s))
    watch.retiring.add(task)
    task.add_done_callback(watch.retiring.discard)


async def _close_when_idle(old: Generation, grace_s: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace_s
    try:
        while old.active > 0 and loop.time() < deadline:
            await asyncio.sleep(0.2)
    finally:
        await old.close()
    log.info("closed build generation %s", old.name or old.folder)


async def refresh(app: FastAPI, *, force: bool = False) -> bool:
    """Open and install the current generation if the pointer changed (or `force`); True if it did."""
    watch: Watch = app.state.generation_watch
    settings: Settings = app.state.settings
    async with watch.lock:
        signature = pointer_signature(watch.build_dir)
        if not force and signature == watch.signature:
            return False
        watch.signature = signature
        try:
            generation = await open_generation(settings)
        except KompetencjeError as error:
            log.error("cannot open the new build: %s", error.describe())
            return False
        previous = install(app, generation)
    log.info("serving build generation %s", generation.name or generation.folder)
    if previous is not None:
        retire(app, previous, settings.query_timeout_s + 30)
    return True


# --------------------------------------------------------------------------------------------------------
# The lifespan's part
# --------------------------------------------------------------------------------------------------------

async def start(app: FastAPI, settings: Settings) -> None:
    """Open the current build (StoreError when there is none yet) and start watching for new ones."""
    watch = Watch(settings.build_dir, generations_enabled(settings))
    watch.signature = pointer_signature(watch.build_dir)
    app.state.generation_watch = watch
    if watch.enabled:
        watch.task = asyncio.get_running_loop().create_task(_watch(app, settings.generation_poll_s))
    try:
        install(app, await open_generation(settings))
    except KompetencjeError as error:
        if not settings.remote_store:
            raise
        # the remote store may come up after the API (or be down for a while): serve 503s and keep trying
        watch.task = asyncio.get_running_loop().create_task(_reconnect(app, settings))
        raise error if isinstance(error, StoreError) else StoreError(error.describe()) from None


RECONNECT_S = 5.0  # how often a server without its remote store tries to open it again


async def _reconnect(app: FastAPI, settings: Settings) -> None:
    while True:
        await asyncio.sleep(RECONNECT_S)
        try:
            generation = await open_generation(settings)
        except KompetencjeError as error:
            log.warning("the remote store cannot be opened yet: %s", error.describe())
            continue
        install(app, generation)
        log.info("serving the remote store %s", generation.store)
        return


async def _watch(app: FastAPI, interval_s: float) -> None:
    watch: Watch = app.state.generation_watch
    while True:
        await asyncio.sleep(interval_s)
        try:
            if pointer_signature(watch.build_dir) != watch.signature:
                await refresh(app)
        except Exception:
            log.exception("the build watcher failed")


async def stop(app: FastAPI) -> None:
    """Stop watching and close the generations still retiring (the lifespan closes the current one)."""
    watch: Watch | None = getattr(app.state, "generation_watch", None)
    if watch is None:
        return
    if watch.task is not None:
        watch.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch.task
    retiring = list(watch.retiring)
    for task in retiring:
        task.cancel()
    await asyncio.gather(*retiring, return_exceptions=True)
    generation: Generation | None = getattr(app.state, "generation", None)
    if generation is not None:
        app.state.store = app.state.query_pool = None
        await generation.close()


class GenerationMiddleware:
    """Pins each HTTP request to the generation installed when it started (pure ASGI, so streaming works).

    The response names that generation in `X-Kompetencje-Generation` (when the build has generations), so a
    client can tell which build an answer was read from.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        generation = None
        if scope["type"] == "http" and "app" in scope:
            await _catch_up(scope["app"])
            generation = getattr(scope["app"].state, "generation", None)
        if generation is None:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["generation"] = generation
        generation.active += 1
        try:
            await self.app(scope, receive, _marking(send, generation.name))
        finally:
            generation.active -= 1


async def _catch_up(app: FastAPI) -> None:
    """Switch to a new build before answering when the pointer changed (one stat call): after an ingestion
    answered by another worker, the next request here already reads the new build, without waiting for the
    watcher's next look."""
    watch: Watch | None = getattr(app.state, "generation_watch", None)
    if watch is None or not watch.enabled:
        return
    if watch.lock.locked():  # a switch is under way (the watcher's or another request's): answer after it
        async with watch.lock:
            pass
    if pointer_signature(watch.build_dir) == watch.signature:
        return
    try:
        await refresh(app)
    except Exception:
        log.exception("switching to the new build failed; serving the previous one")


GENERATION_HEADER = b"x-kompetencje-generation"


def _marking(send: Send, name: str | None) -> Send:
    """`send`, adding the generation header to the response start (unchanged when there is no name)."""
    if not name:
        return send
    value = name.encode("ascii")

    async def marked(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), (GENERATION_HEADER, value)]
        await send(message)

    return marked
