"""Dumps of the whole graph at /dumps/: Turtle and N-Triples (the union graph), TriG and JSON-LD (one named
graph per source document).

Files the build wrote to data/build/dumps/ are served as they are; missing ones are generated from the
store into a cache folder keyed by the store's fingerprint (so a rebuilt store gets new dumps), in the
background: the server is ready without them, and a request for the dumps waits until they are written.
Every file has a strong ETag (its SHA-256, kept beside the file so that a restart does not read it again)
and a Last-Modified date, and conditional requests (If-None-Match, If-Modified-Since) get 304. Only the
names below are served: a request names a key of a dict, never a path.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from kompetencje.api.conneg import HTML, JSON_LD, NTRIPLES, TRIG, TURTLE, Format, negotiate
from kompetencje.api.deps import PublicUrlDep, templates
from kompetencje.api.problems import NotFound, OrjsonResponse
from kompetencje.api.settings import Settings
from kompetencje.api.store import RDF_FORMATS, StoreStats
from kompetencje.errors import KompetencjeError, StoreError
from kompetencje.vocab import PREFIXES

log = logging.getLogger(__name__)
router = APIRouter(tags=["dumps"])

DUMP_FORMATS: dict[str, Format] = {"kompetencje.ttl": TURTLE, "kompetencje.nt": NTRIPLES,
                                   "kompetencje.trig": TRIG, "kompetencje.jsonld": JSON_LD}
DATASET_DUMPS = frozenset({"kompetencje.trig", "kompetencje.jsonld"})
DESCRIPTIONS = {
    "kompetencje.ttl": ("Graf w Turtle (suma grafów nazwanych)",
                        "The graph in Turtle (the union of the named graphs)"),
    "kompetencje.nt": ("Graf w N-Triples (suma grafów nazwanych)",
                       "The graph in N-Triples (the union of the named graphs)"),
    "kompetencje.trig": ("Zbiór danych w TriG: graf nazwany na każdy dokument źródłowy",
                         "The dataset in TriG: one named graph per source document"),
    "kompetencje.jsonld": ("Zbiór danych w JSON-LD: graf nazwany na każdy dokument źródłowy",
                           "The dataset in JSON-LD: one named graph per source document"),
}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class DumpFile:
    name: str
    path: Path
    format: Format
    size: int
    sha256: str
    modified: datetime

    @property
    def etag(self) -> str:
        return f'"{self.sha256[:40]}"'

    @property
    def dataset(self) -> bool:
        return self.name in DATASET_DUMPS

    def summary(self, public_url: str) -> dict[str, object]:
        return {"name": self.name, "url": f"{public_url}/dumps/{self.name}", "media_type": self.format.media_type,
                "size": self.size, "sha256": self.sha256, "modified": self.modified.isoformat(),
                "named_graphs": self.dataset, "description": DESCRIPTIONS[self.name][1]}


# --------------------------------------------------------------------------------------------------------
# Endpoints
# --------------------------------------------------------------------------------------------------------

@router.get("/dumps", include_in_schema=False)
@router.head("/dumps", include_in_schema=False)
@router.get("/dumps/", summary="The list of dumps (JSON, or HTML for a browser)")
@router.head("/dumps/", include_in_schema=False)
async def dumps_index(request: Request, public_url: PublicUrlDep) -> Response:
    files = await loaded_dumps(request)
    fmt = negotiate(request.headers.get("accept"), (_JSON, HTML), format_param=request.query_params.get("format"))
    if fmt is HTML:
        return templates.TemplateResponse(request, "dumps.html", {
            "files": list(files.values()), "descriptions": DESCRIPTIONS}, headers={"Vary": "Accept"})
    return OrjsonResponse({"dumps": [f.summary(public_url) for f in files.values()]}, headers={"Vary": "Accept"})


@router.get("/dumps/{name:path}", summary="One dump (ETag, Last-Modified, conditional GET)")
@router.head("/dumps/{name:path}", include_in_schema=False)
async def dump(name: str, request: Request) -> Response:
    file = (await loaded_dumps(request)).get(name)
    if file is None:
        raise NotFound(f"There is no dump called {name!r}; see /dumps/.")
    headers = {"ETag": file.etag, "Last-Modified": format_datetime(file.modified, usegmt=True),
               "Cache-Control": "public, max-age=3600"}
    if not_modified(request, file):
        return Response(status_code=304, headers=headers)
    return FileResponse(file.path, media_type=file.format.content_type, headers=headers, filename=file.name,
                        content_disposition_type="inline")


def not_modified(request: Request, file: DumpFile) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or file.etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return file.modified <= since
    return False


async def loaded_dumps(request: Request) -> dict[str, DumpFile]:
    """The dumps of the build generation this request is pinned to (api/generations.py), else app.state's;
    waits while they are being written."""
    generation = getattr(request.state, "generation", None)
    dumps: DumpSet | None = getattr(generation or request.app.state, "dumps", None)
    if dumps is None:
        raise StoreError(getattr(request.app.state, "store_error", None) or "the dumps are not ready")
    return await dumps.files()


_JSON = Format("json", "application/json")


# --------------------------------------------------------------------------------------------------------
# Preparing the files (in the background, from startup)
# --------------------------------------------------------------------------------------------------------

@dataclass(eq=False)
class DumpSet:
    """The dump files of one generation, being prepared by a task of the event loop."""

    task: asyncio.Task[dict[str, DumpFile]]

    @classmethod
    def start(cls, settings: Settings, store: DumpSource, stats: StoreStats) -> DumpSet:
        task = asyncio.get_running_loop().create_task(prepare_dumps(settings, store, stats))
        task.add_done_callback(_log_failure)
        return cls(task)

    async def files(self) -> dict[str, DumpFile]:
        """The files; StoreError when they could not be written."""
        try:
            return await asyncio.shield(self.task)
        except KompetencjeError:
            raise
        except OSError as error:
            raise StoreError(f"the dumps could not be written: {error}") from None

    def cancel(self) -> None:
        self.task.cancel()


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the dumps could not be prepared: %s", task.exception())


class DumpSource(Protocol):
    """What the dumps are written from: the embedded store, or a remote store's copy (api/remote_store.py)."""

    def fingerprint(self) -> str: ...  # changes when the data does: the key of the dumps cache

    async def snapshot(self) -> tuple[ox.Store, bool]: ...  # a pyoxigraph store; is its default graph the union?


async def prepare_dumps(settings: Settings, store: DumpSource, stats: StoreStats) -> dict[str, DumpFile]:
    """The dump files: the build's where present, the others generated into the cache (once per store)."""
    cache: Path | None = None
    files: dict[str, DumpFile] = {}
    for name, fmt in DUMP_FORMATS.items():
        provided = settings.build_dumps_dir / name
        if provided.is_file():
            modified = datetime.fromtimestamp(int(provided.stat().st_mtime), UTC)
            files[name] = await asyncio.to_thread(_describe, name, provided, fmt, modified)
            continue
        cache = cache or await asyncio.to_thread(_cache_dir, settings, store)
        path = cache / name
        if not path.is_file():
            raw, union_materialized = await store.snapshot()
            await asyncio.to_thread(write_dump_once, raw, path, name, union_materialized)
        files[name] = await asyncio.to_thread(_describe, name, path, fmt, stats.modified)
    return files


def _cache_dir(settings: Settings, store: DumpSource) -> Path:
    fingerprint = store.fingerprint()
    for root in (settings.dumps_cache_dir, Path(tempfile.gettempdir()) / "kompetencje-dumps"):
        folder = root / fingerprint
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            log.warning("cannot write dumps to %s (%s)", folder, e)
            continue
        for old in root.iterdir():  # dumps of earlier stores
            if old.is_dir() and old.name != fingerprint:
                shutil.rmtree(old, ignore_errors=True)
        return folder
    raise StoreError("no folder to write the dumps to: set KOMPETENCJE_CACHE_DIR")


def write_dump_once(store: ox.Store, path: Path, name: str, union_materialized: bool) -> None:
    """`write_dump`, unless another server process wrote the file meanwhile: the processes of one server
    share the cache folder and take turns (an exclusive lock on a file in it), so each dump is written once."""
    with (path.parent / ".writing.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.is_file():
            write_dump(store, path, name, union_materialized)


def write_dump(store: ox.Store, path: Path, name: str, union_materialized: bool) -> None:
    """Write one dump atomically (a temporary file, then a rename)."""
    fmt = RDF_FORMATS[DUMP_FORMATS[name].name]
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    content = _named_graph_quads(store) if name in DATASET_DUMPS else _union_triples(store, union_materialized)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        ox.serialize(content, temporary, format=fmt, prefixes=prefixes)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _named_graph_quads(store: ox.Store):
    """Every quad of the named graphs, graph by graph (the default graph, if materialized, is left out)."""
    for graph in sorted(store.named_graphs(), key=str):
        yield from store.quads_for_pattern(None, None, None, graph)


def _union_triples(store: ox.Store, union_materialized: bool):
    """The union of the named graphs, each triple once."""
    if union_materialized:
        for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            yield quad.triple
        return
    for row in store.query("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"):
        yield ox.Triple(row["s"], row["p"], row["o"])


def _describe(name: str, path: Path, fmt: Format, modified: datetime) -> DumpFile:
    stat = path.stat()
    return DumpFile(name=name, path=path, format=fmt, size=stat.st_size, sha256=_sha256(path, stat),
                    modified=modified)


def _sha256(path: Path, stat: os.stat_result) -> str:
    """The file's SHA-256, from its sidecar `.NAME.sha256` when that was written for this size and mtime."""
    sidecar = path.with_name(f".{path.name}.sha256")
    stamp = f"{stat.st_size} {stat.st_mtime_ns} "
    with contextlib.suppress(OSError):
        kept = sidecar.read_text(encoding="ascii")
        if kept.startswith(stamp) and len(kept) == len(stamp) + 64:
            return kept[len(stamp):]
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    with contextlib.suppress(OSError):  # a read-only build folder: computed again next time
        temporary = sidecar.with_name(f"{sidecar.name}.{os.getpid()}.tmp")
        temporary.write_text(stamp + digest.hexdigest(), encoding="ascii")
        os.replace(temporary, sidecar)
    return digest.hexdigest()
