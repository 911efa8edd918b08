"""One pure-ASGI middleware for what every request goes through: limits, headers, metrics, the access log.

In order, for each HTTP request:

1. a request id: the client's `X-Request-ID` when it is a sane token, else a fresh one; echoed back;
2. the per-client rate limit (api/limits.py; off by default; never on /health, /ready, /metrics) → 429;
3. the body size cap from Content-Length → 413; a chunked body is counted while the app reads it;
4. SPARQL admission for requests that run a user's query → 503 with Retry-After when every slot is taken;
5. security headers on every response (nosniff, Referrer-Policy, X-Frame-Options) and a
   Content-Security-Policy on HTML: scripts only from this origin plus the hashes of the templates' own
   inline scripts (so an injected <script> would not run even if escaping ever failed);
6. metrics (count and latency by route template and status) and one JSON log line: method, route, path,
   status, duration, request id, client. Headers are never logged (no Authorization, no admin token), nor
   the query string.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from kompetencje.api.limits import (
    UNLIMITED_PATHS,
    Admission,
    BodyTooLarge,
    RateLimiter,
    body_cap,
    declared_length,
    is_sparql_query,
    too_large,
)
from kompetencje.api.problems import problem_response
from kompetencje.api.routers.ops import Metrics
from kompetencje.api.settings import Settings
from kompetencje.errors import KompetencjeError, problem_for

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("kompetencje.access")

REQUEST_ID_HEADER = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_DOCS_PATHS = ("/docs", "/redoc")  # FastAPI's own pages: scripts from its CDN, no user data in them

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]


# --------------------------------------------------------------------------------------------------------
# Content-Security-Policy
# --------------------------------------------------------------------------------------------------------

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)


def inline_scripts(html: str) -> list[str]:
    """The bodies of the executable inline scripts of a page (not src=, not JSON data blocks)."""
    scripts = []
    for match in _INLINE_SCRIPT.finditer(html):
        attrs = match["attrs"].lower()
        if "src=" in attrs or ("type=" in attrs and "javascript" not in attrs and "module" not in attrs):
            continue
        scripts.append(match["body"])
    return scripts


def script_hash(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


def template_script_hashes(settings: Settings) -> list[str]:
    """Hashes of the templates' inline scripts: static ones as written, the SPARQL editor's as rendered (its
    script depends on the settings' base IRI and on whether a query was given, never on user data)."""
    from kompetencje.api.deps import TEMPLATES_DIR, templates
    from kompetencje.api.routers.sparql import EXAMPLE_QUERIES

    bodies: list[str] = []
    for path in sorted(TEMPLATES_DIR.glob("*.html")):
        bodies += [b for b in inline_scripts(path.read_text(encoding="utf-8")) if "{{" not in b and "{%" not in b]
    editor = templates.env.get_template("sparql_editor.html")
    for query in (None, ""):
        html = editor.render(request=None, endpoint="/sparql", base_iri=settings.base_iri,
                             examples=EXAMPLE_QUERIES, query=query)
        bodies += inline_scripts(html)
    return sorted({script_hash(b) for b in bodies})


def _safe_script_hashes(settings: Settings) -> list[str]:
    """The hashes, or none when a template cannot be rendered here (its pages' scripts are then blocked,
    which the security tests catch; the site itself keeps answering)."""
    try:
        return template_script_hashes(settings)
    except Exception:
        logging.getLogger(__name__).exception("cannot hash the templates' inline scripts for the CSP")
        return []


def content_security_policy(script_hashes: Iterable[str]) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' " + " ".join(script_hashes),
        "style-src 'self' 'unsafe-inline'",  # style= attributes in the templates; styles cannot run code
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
            "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


# --------------------------------------------------------------------------------------------------------
# Logging
# --------------------------------------------------------------------------------------------------------

class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the record's `fields` if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                                 "logger": record.name, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_access_log(settings: Settings) -> None:
    """Send the access log to stderr (JSON lines, or plain text when json_logs is off), once."""
    if access_log.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.json_logs else logging.Formatter("%(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False


# --------------------------------------------------------------------------------------------------------
# The middleware
# --------------------------------------------------------------------------------------------------------

class ReliabilityMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings, metrics: Metrics, admission: Admission,
                 rate_limiter: RateLimiter | None) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics
        self.admission = admission
        self.rate_limiter = rate_limiter
        self.csp = content_security_policy(_safe_script_hashes(settings)).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        state: dict[str, Any] = {"status": 500, "started": False}
        send_wrapped = self._sender(scope, send, request_id, state)
        admitted = False
        try:
            admitted = self._check_limits(scope)
            await self.app(scope, self._receiver(scope, receive), send_wrapped)
        except KompetencjeError as error:  # refused by a limit here, or a body cap hit outside a handler
            if state["started"]:
                raise
            self.metrics.rejected.labels(_reason(error)).inc()
            await _problem(error)(scope, receive, send_wrapped)
        finally:
            if admitted:
                self.admission.release()
            self._record(scope, state["status"], time.perf_counter() - started, request_id)

    def _check_limits(self, scope: Scope) -> bool:
        """Raise RateLimited / BodyTooLarge / Overloaded; True when a SPARQL slot was taken."""
        path: str = scope["path"]
        if self.rate_limiter is not None and path not in UNLIMITED_PATHS:
            self.rate_limiter.check(_client(scope, self.settings))
        length = declared_length(scope["headers"])
        cap = body_cap(self.settings, path)
        if length is not None and length > cap:
            raise too_large(cap)
        if is_sparql_query(scope["method"], path, scope.get("query_string", b"")):
            self.admission.admit()
            return True
        return False

    def _receiver(self, scope: Scope, receive: Receive) -> Receive:
        cap = body_cap(self.settings, scope["path"])
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise too_large(cap)
            return message

        return counted

    def _sender(self, scope: Scope, send: Send, request_id: str, state: dict[str, Any]) -> Send:
        path: str = scope["path"]

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers += [(b"x-request-id", request_id.encode()), *SECURITY_HEADERS]
                if _is_html(headers):
                    headers.append((b"content-security-policy",
                                    DOCS_CSP.encode() if path.startswith(_DOCS_PATHS) else self.csp))
                message["headers"] = headers
            await send(message)

        return wrapped

    def _record(self, scope: Scope, status: int, seconds: float, request_id: str) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        self.metrics.observe(scope["method"], route, status, seconds)
        self.metrics.sparql_active.set(self.admission.active)
        access_log.info("%s %s %d", scope["method"], route, status, extra={"fields": {
            "event": "request", "method": scope["method"], "route": route, "path": scope["path"][:500],
            "status": status, "duration_ms": round(seconds * 1000, 2), "request_id": request_id,
            "client": _client(scope, self.settings)}})


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name.lower() == REQUEST_ID_HEADER.encode():
            given = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(given):
                return given
    return uuid.uuid4().hex


def _client(scope: Scope, settings: Settings) -> str:
    if settings.trust_forwarded_for:
        for name, value in scope["headers"]:
            if name.lower() == b"x-forwarded-for":
                return value.decode("latin-1").split(",")[0].strip()[:64]
    client = scope.get("client")
    return client[0] if client else "unknown"


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"content-type" and v.lower().startswith(b"text/html") for k, v in headers)


def _reason(error: KompetencjeError) -> str:
    return {413: "body_too_large", 429: "rate_limited", 503: "sparql_overloaded"}.get(error.http_status, "other")


def _problem(error: KompetencjeError):
    headers = {"Vary": "Accept"}
    retry_after = getattr(error, "retry_after_s", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return problem_response(problem_for(error), headers=headers)


__all__ = ["BodyTooLarge", "ReliabilityMiddleware", "configure_access_log"]
