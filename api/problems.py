"""Errors as RFC 9457 problem documents (application/problem+json), mapped in one place.

Every KompetencjeError becomes a problem through `kompetencje.errors.problem_for`; FastAPI's and Starlette's
own errors (404 for an unknown path, 405, 422 for a bad parameter) get the same shape. The HTTP-only errors
the API raises itself are the small subclasses below.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from kompetencje.errors import KompetencjeError, Problem, QueryError, QueryRefused, problem_for

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class OrjsonResponse(JSONResponse):
    """JSON rendered by orjson (FastAPI's ORJSONResponse is deprecated since 0.13x; this is the same thing)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def model_response(model: BaseModel, headers: Mapping[str, str] | None = None) -> Response:
    """A view already built and checked as its response model, rendered once by pydantic-core (FastAPI would
    dump it, validate it again and encode it: three passes for what is one)."""
    return Response(model.model_dump_json(by_alias=True).encode(), media_type="application/json", headers=headers)


class ProblemResponse(OrjsonResponse):
    media_type = PROBLEM_MEDIA_TYPE


# HTTP-level errors of the API (the domain errors live in kompetencje.errors).

class NotFound(KompetencjeError):
    http_status = 404
    title = "Not found"


class NotAcceptable(KompetencjeError):
    http_status = 406
    title = "Not acceptable"


class UnsupportedMediaType(QueryError):
    http_status = 415
    title = "Unsupported media type"


class ProtocolError(QueryError):
    """A request that breaks the SPARQL 1.1 Protocol (two queries, a query and an update, no query...)."""

    title = "Bad SPARQL protocol request"


class TooLarge(QueryError):
    http_status = 413
    title = "Request too large"


class ReadOnly(QueryRefused):
    title = "Read-only service"


def problem_response(problem: Problem, *, headers: dict[str, str] | None = None) -> ProblemResponse:
    return ProblemResponse(problem.as_dict(), status_code=problem.status, headers=headers)


def error_response(error: KompetencjeError, request: Request | None = None) -> ProblemResponse:
    problem = problem_for(error)
    if request is not None:
        problem.extra.setdefault("instance", request.url.path)
    headers = {"Vary": "Accept"} if request is not None else None
    return problem_response(problem, headers=headers)


async def _kompetencje_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, KompetencjeError)
    if exc.http_status >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, exc.describe())
    return error_response(exc, request)


async def _http_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "see title"
    title = _STATUS_TITLES.get(exc.status_code, "HTTP error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"There is nothing at {request.url.path}."
    problem = Problem(status=exc.status_code, title=title, detail=detail,
                      extra={"instance": request.url.path})
    return problem_response(problem, headers=dict(exc.headers or {}))


async def _validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
              for e in exc.errors()]
    detail = "; ".join(f"{'.'.join(str(p) for p in e['location'])}: {e['message']}" for e in errors)
    problem = Problem(status=422, title="Invalid request parameters", detail=detail,
                      extra={"instance": request.url.path, "errors": errors})
    return problem_response(problem)


async def _unexpected_error(request: Request, exc: Exception) -> ProblemResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    problem = Problem(status=500, title="Internal error", detail="The server failed; the error was logged.",
                      extra={"instance": request.url.path})
    return problem_response(problem)


_STATUS_TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 406: "Not acceptable",
                  413: "Content too large", 415: "Unsupported media type", 422: "Invalid request parameters"}


def install_problem_handlers(app: FastAPI) -> None:
    """Map every error the app can raise to a problem document, in this one place."""
    app.add_exception_handler(KompetencjeError, _kompetencje_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
