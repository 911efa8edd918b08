"""Shared dependencies of the routers, as Annotated aliases: `async def f(store: StoreDep, ...)`.

The app's lifespan (kompetencje.api.app) opens the store, the query pool and the dumps and keeps them on
`app.state`; these functions hand them to the endpoints, or raise StoreError (503) when the store could not
be opened (no build yet).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from kompetencje.api.query_pool import QueryPool
from kompetencje.api.remote_store import RemoteStore
from kompetencje.api.settings import Settings
from kompetencje.api.store import EmbeddedStore, Store, StoreStats
from kompetencje.errors import StoreError
from kompetencje.search import SearchIndex

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))  # autoescapes .html templates


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def _current(request: Request, name: str):
    """`name` of the build generation this request is pinned to (api/generations.py), else of app.state."""
    generation = getattr(request.state, "generation", None)
    if generation is not None:
        return getattr(generation, name)
    return getattr(request.app.state, name, None)


def get_store(request: Request) -> Store:
    store = _current(request, "store")
    if store is None:
        raise StoreError(getattr(request.app.state, "store_error", None) or "the store is not open")
    return store


def get_embedded_store(request: Request) -> EmbeddedStore | None:
    """The embedded store of the build this request reads, or None (no store, or a remote one)."""
    store = _current(request, "store")
    return store if isinstance(store, EmbeddedStore) else None


def get_query_pool(request: Request) -> QueryPool | RemoteStore:
    pool = _current(request, "pool") if hasattr(request.state, "generation") \
        else getattr(request.app.state, "query_pool", None)
    if pool is None:
        raise StoreError(getattr(request.app.state, "store_error", None) or "the SPARQL service is not running")
    return pool


def get_stats(request: Request) -> StoreStats:
    stats = _current(request, "stats")
    if stats is None:
        raise StoreError(getattr(request.app.state, "store_error", None) or "the store is not open")
    return stats


def get_search_index(request: Request) -> SearchIndex | None:
    """The search index of the build this request reads (None when the build has none)."""
    generation = getattr(request.state, "generation", None)
    if generation is not None:
        return generation.search
    return getattr(request.app.state, "search_index", None)


def get_public_url(request: Request) -> str:
    """Where clients reach this server (settings.public_url, else the request's own base URL), no final /."""
    settings: Settings = request.app.state.settings
    return (settings.public_url or str(request.base_url)).rstrip("/")


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
QueryPoolDep = Annotated[QueryPool | RemoteStore, Depends(get_query_pool)]
StatsDep = Annotated[StoreStats, Depends(get_stats)]
SearchIndexDep = Annotated[SearchIndex | None, Depends(get_search_index)]
PublicUrlDep = Annotated[str, Depends(get_public_url)]
