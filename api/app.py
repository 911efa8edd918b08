"""The app factory: one FastAPI app, one router per resource."""

from __future__ import annotations

from fastapi import FastAPI

from kompetencje.api.routers import (
    catalog,
    competences,
    dumps,
    linked_data,
    municipalities,
    pages,
    sparql,
    units,
)
from kompetencje.api.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="kompetencje", version="0.1.0",
                  description="Kompetencje komórek urzędów gmin: SPARQL, JSON i dane powiązane.")
    app.state.settings = settings
    for module in (sparql, units, competences, municipalities, linked_data, dumps, catalog, pages):
        app.include_router(module.router)
    return app
