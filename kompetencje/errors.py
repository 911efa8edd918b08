"""One small exception family, mapped in one place to CLI exit codes and HTTP problem responses.

KompetencjeError
├── InputError        bad input: unreadable, empty or unstructured documents, bad metadata, bad usage
├── ValidationFailed  the graph breaks a SHACL shape; carries the readable report
├── QueryError        a SPARQL query is malformed, refused, too slow or too large
└── StoreError        the store cannot be opened, read or written
"""

from __future__ import annotations

from dataclasses import dataclass, field


class KompetencjeError(Exception):
    """Base of every error this project raises on purpose."""

    exit_code = 2
    http_status = 500
    title = "Internal error"

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 field_name: str | None = None) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.field_name = field_name
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ""
        if self.source:
            where = self.source + (f":{self.line}" if self.line else "")
            if self.field_name:
                where += f" [{self.field_name}]"
            where += ": "
        elif self.field_name:
            where = f"[{self.field_name}] "
        return where + self.message


class InputError(KompetencjeError):
    exit_code = 2
    http_status = 422
    title = "Bad input"


class ValidationFailed(KompetencjeError):
    exit_code = 1
    http_status = 422
    title = "Validation failed"

    def __init__(self, message: str, *, report: str = "", violations: list[dict] | None = None,
                 **kwargs) -> None:
        self.report = report
        self.violations = violations or []
        super().__init__(message, **kwargs)


class QueryError(KompetencjeError):
    exit_code = 2
    http_status = 400
    title = "Bad query"


class QueryTimeout(QueryError):
    http_status = 503
    title = "Query timed out"


class QueryRefused(QueryError):
    http_status = 403
    title = "Query refused"


class StoreError(KompetencjeError):
    exit_code = 3
    http_status = 503
    title = "Store unavailable"


@dataclass
class Problem:
    """An RFC 9457 problem document for an error."""

    status: int
    title: str
    detail: str
    type: str = "about:blank"
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail,
                **self.extra}


def problem_for(error: KompetencjeError) -> Problem:
    extra: dict = {}
    if isinstance(error, ValidationFailed) and error.violations:
        extra["violations"] = error.violations
    if error.source:
        extra["source"] = error.source
    if error.line:
        extra["line"] = error.line
    return Problem(status=error.http_status, title=error.title, detail=error.describe(), extra=extra)
