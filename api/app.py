"""The app factory: one FastAPI app, one router per resource.

The lifespan opens what the routers share and keeps it on `app.state`: the embedded store (the API's own
queries), the query pool (users' SPARQL, in worker processes), the store's statistics and the dumps. When
the store cannot be opened (no build yet) the app still starts; what needs the store answers 503.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from kompetencje.api import generations
from kompetencje.api.limits import admission_for, rate_limiter_for
from kompetencje.api.middleware import ReliabilityMiddleware, configure_access_log
from kompetencje.api.problems import OrjsonResponse, install_problem_handlers
from kompetencje.api.routers import (
    catalog,
    compare,
    competences,
    concepts,
    documents,
    dumps,
    linked_data,
    municipalities,
    pages,
    sparql,
    units,
)
from kompetencje.api.routers.ops import install_ops
from kompetencje.api.settings import Settings
from kompetencje.errors import StoreError

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; `uvicorn --factory kompetencje.api.app:create_app` reads the settings from KOMPETENCJE_*."""
    settings = settings or Settings()
    app = FastAPI(title="kompetencje", version="0.1.0", lifespan=lifespan,
                  default_response_class=OrjsonResponse,
                  description="Kompetencje komórek urzędów gmin: SPARQL, JSON i dane powiązane.")
    app.state.settings = settings
    app.state.resource_html_renderers = []
    install_problem_handlers(app)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST"],
                       allow_headers=["Accept", "Content-Type", "If-None-Match", "If-Modified-Since"],
                       expose_headers=["ETag", "Last-Modified", "Link", "Vary"], max_age=86400)
    for module in (sparql, concepts, compare, units, competences, municipalities, linked_data, dumps, catalog, pages):
        app.include_router(module.router)
    install_ops(app)
    if documents.admin_enabled(settings):  # without a token the ingestion endpoints do not exist (404)
        app.include_router(documents.router)
    app.add_middleware(generations.GenerationMiddleware)
    renderer = getattr(pages, "render_unit_page", None)
    if renderer is not None:
        linked_data.register_html_renderer(app, renderer)
    install_reliability(app, settings)
    return app


def install_reliability(app: FastAPI, settings: Settings) -> None:
    """Limits, security headers, metrics and the access log (api/middleware.py), outermost."""
    configure_access_log(settings)
    app.state.sparql_admission = admission_for(settings)
    app.add_middleware(ReliabilityMiddleware, settings=settings, metrics=app.state.metrics,
                       admission=app.state.sparql_admission, rate_limiter=rate_limiter_for(settings))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    try:
        await open_resources(app, settings)
    except StoreError as e:
        log.error("serving without a store: %s", e.message)
        app.state.store_error = e.message
    try:
        yield
    finally:
        await generations.stop(app)
        await close_resources(app)


async def open_resources(app: FastAPI, settings: Settings) -> None:
    """The current build generation (api/generations.py), watched for new ones."""
    await generations.start(app, settings)
    stats = app.state.stats
    where = getattr(app.state.store, "path", app.state.store)  # a folder, or a remote store's URL
    log.info("store %s: %d triples in %d named graphs", where, stats.triples, len(stats.graphs))


async def close_resources(app: FastAPI) -> None:
    for name in ("query_pool", "store"):
        resource = getattr(app.state, name, None)
        if resource is not None:
            await resource.close()
            setattr(app.state, name, None)
