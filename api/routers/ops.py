"""Operations: /health (liveness), /ready (readiness), /metrics (Prometheus text format).

/health never touches the store: it says the process answers. /ready says whether this process can serve:
the store is open, the SPARQL worker pool runs, and the search index is loaded when one is configured
(`settings.search_index`); otherwise 503 with the reasons. /metrics exposes this process's counters (with
several uvicorn workers, each has its own; scrape them through a multiprocess-aware setup, or one worker).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from kompetencje.api.conneg import HTML, OFFERS
from kompetencje.api.problems import PROBLEM_MEDIA_TYPE, OrjsonResponse, error_response
from kompetencje.errors import QueryTimeout

log = logging.getLogger(__name__)

router = APIRouter(tags=["Operations"])

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@dataclass
class Metrics:
    """The app's own registry (not the global one: several apps in one process must not collide)."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter("kompetencje_http_requests", "HTTP requests by route template and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("kompetencje_http_request_duration_seconds",
                                 "Time to answer HTTP requests, by route template", ["method", "route"],
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.timeouts = Counter("kompetencje_query_timeouts", "Queries stopped at the time limit, by route",
                                ["route"], registry=self.registry)
        self.rejected = Counter("kompetencje_requests_rejected", "Requests refused by a limit (413/429/503)",
                                ["reason"], registry=self.registry)
        self.store_quads = Gauge("kompetencje_store_quads", "Quads in the store's named graphs",
                                 registry=self.registry)
        self.sparql_active = Gauge("kompetencje_sparql_admitted", "Users' SPARQL queries running or waiting",
                                   registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


def get_metrics(app: FastAPI) -> Metrics:
    return app.state.metrics


@router.get("/health", summary="Liveness: the process answers", response_class=OrjsonResponse)
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="Readiness: store open, SPARQL workers up, search index loaded if configured",
            response_class=OrjsonResponse, responses={503: {"description": "Not ready (see `problems`)"}})
async def ready(request: Request) -> Response:
    problems = readiness_problems(request.app)
    if problems:
        return OrjsonResponse({"status": "unavailable", "problems": problems}, status_code=503,
                              headers={"Retry-After": "5", "Cache-Control": "no-store"})
    return OrjsonResponse({"status": "ready"}, headers={"Cache-Control": "no-store"})


def readiness_problems(app: FastAPI) -> list[str]:
    state = app.state
    problems = []
    if getattr(state, "store", None) is None:
        problems.append("store: " + (getattr(state, "store_error", None) or "not open"))
    if getattr(state, "query_pool", None) is None:
        problems.append("sparql: the query worker pool is not running")
    if getattr(state.settings, "search_index", None) and getattr(state, "duty_ranker", None) is None:
        problems.append("search: the configured search index is not loaded")
    return problems


@router.get("/metrics", summary="Prometheus metrics of this server process",
            responses={200: {"content": {"text/plain": {}}}})
async def metrics(request: Request) -> Response:
    collected = get_metrics(request.app)
    stats = getattr(request.app.state, "stats", None)
    if stats is not None:
        collected.store_quads.set(stats.quads)
    admission = getattr(request.app.state, "sparql_admission", None)
    if admission is not None:
        collected.sparql_active.set(admission.active)
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


async def _query_timeout(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, QueryTimeout)
    route = getattr(request.scope.get("route"), "path", "unmatched")
    get_metrics(request.app).timeouts.labels(route).inc()
    log.warning("%s %s: %s", request.method, route, exc.message)
    return error_response(exc, request)


def install_ops(app: FastAPI) -> None:
    """The metrics registry, the timeout counter's handler, the router, and the documented error contract."""
    app.state.metrics = Metrics()
    app.add_exception_handler(QueryTimeout, _query_timeout)
    app.include_router(router)
    document_responses(app)


# --------------------------------------------------------------------------------------------------------
# The OpenAPI document: what the endpoints really answer (problems, negotiated formats)
# --------------------------------------------------------------------------------------------------------

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "instance": {"type": "string"}},
    "additionalProperties": True}
_PROBLEM_RESPONSE = {"description": "A problem document (RFC 9457): 4xx for the request, 503 with "
                                    "Retry-After when overloaded or not ready",
                     "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
# Endpoints that negotiate their format (Accept or format=): any of these media types, as chosen.
NEGOTIATED = ("/sparql", "/id/{path}", "/catalog", "/.well-known/void", "/dumps/", "/dumps/{name}")
_SPARQL_FORM = {"type": "object", "required": ["query"], "properties": {
    "query": {"type": "string"}, "default-graph-uri": {"type": "string"}, "named-graph-uri": {"type": "string"}}}


def negotiated_content() -> dict[str, Any]:
    types = {f.media_type for formats in OFFERS.values() for f in formats} | {HTML.media_type, "application/json"}
    return {media_type: {"schema": {}} for media_type in sorted(types)}


def document_responses(app: FastAPI) -> None:
    """Post-process the generated schema once: every operation may answer a problem (`default`, and 422
    as the problem it really is), negotiated endpoints list their media types, POST /sparql its bodies."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
            for path, operations in schema.get("paths", {}).items():
                for method, operation in operations.items():
                    _document_operation(path, method, operation)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    responses["default"] = _PROBLEM_RESPONSE
    if "422" in responses:
        responses["422"] = _PROBLEM_RESPONSE
    if path in NEGOTIATED and "200" in responses:
        responses["200"]["content"] = negotiated_content()
    if path == "/metrics":
        responses["200"]["content"] = {"text/plain": {"schema": {"type": "string"}}}
    if path == "/sparql" and method == "post":
        operation["requestBody"] = {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": _SPARQL_FORM},
            "application/sparql-query": {"schema": {"type": "string"}}}}
