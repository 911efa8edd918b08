"""Limits that keep one client from hurting the others: body size caps, SPARQL admission, rate limits.

* Body size: a request body larger than its cap is answered 413 (problem+json) — from Content-Length before
  the body is read, and while reading a chunked body as soon as the count passes the cap.
  Uploads (`UPLOAD_PREFIXES`) are capped at `max_upload_bytes`; everything else at what /sparql accepts.
* SPARQL admission: at most `sparql_workers + sparql_queue` users' queries are running or waiting for a
  worker; one more is answered 503 with Retry-After at once instead of piling up.
* Rate limit (off unless `rate_limit_per_minute` > 0): a token bucket per client IP; an empty bucket is
  answered 429 with Retry-After. The operations endpoints are never limited.

The state is per server process (each uvicorn worker counts its own); the classes are plain and synchronous
because they only ever run on the event loop thread.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from kompetencje.api.problems import TooLarge
from kompetencje.api.settings import Settings
from kompetencje.errors import KompetencjeError

UPLOAD_PREFIXES = ("/api/documents", "/admin")
SPARQL_PATHS = frozenset({"/sparql", "/sparql/"})
UNLIMITED_PATHS = frozenset({"/health", "/ready", "/metrics"})


class BodyTooLarge(TooLarge):
    """The request body is larger than its cap (413)."""


class Overloaded(KompetencjeError):
    """Every SPARQL slot is taken (503, Retry-After)."""

    http_status = 503
    title = "Service overloaded"

    def __init__(self, message: str, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message)


class RateLimited(KompetencjeError):
    """The client spent its request budget (429, Retry-After)."""

    http_status = 429
    title = "Too many requests"

    def __init__(self, message: str, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message)


# --------------------------------------------------------------------------------------------------------
# Body size
# --------------------------------------------------------------------------------------------------------

def query_body_cap(settings: Settings) -> int:
    """What /sparql accepts (the router's own limit: room for percent-encoding and dataset parameters)."""
    return settings.max_query_bytes * 3 + 10_000


def body_cap(settings: Settings, path: str) -> int:
    if path.startswith(UPLOAD_PREFIXES):
        return settings.max_upload_bytes
    return query_body_cap(settings)


def too_large(cap: int) -> BodyTooLarge:
    return BodyTooLarge(f"The request body is larger than {cap} bytes.")


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The Content-Length header's value, when there is one and it is a number."""
    for name, value in headers:
        if name.lower() == b"content-length" and value.strip().isdigit():
            return int(value)
    return None


# --------------------------------------------------------------------------------------------------------
# SPARQL admission
# --------------------------------------------------------------------------------------------------------

@dataclass
class Admission:
    """A counter of admitted queries; `admit()` raises Overloaded at the limit, `release()` frees a slot."""

    limit: int
    retry_after_s: int = 5
    active: int = 0

    def admit(self) -> None:
        if self.active >= self.limit:
            raise Overloaded(f"All {self.limit} SPARQL query slots are taken; please try again in "
                             f"{self.retry_after_s} s.", self.retry_after_s)
        self.active += 1

    def release(self) -> None:
        self.active = max(self.active - 1, 0)


def admission_for(settings: Settings) -> Admission:
    return Admission(limit=settings.sparql_workers + settings.sparql_queue,
                     retry_after_s=settings.sparql_retry_after_s)


def is_sparql_query(method: str, path: str, query_string: bytes) -> bool:
    """A request that will run a user's query (GET with query=, any POST) rather than the description."""
    if path not in SPARQL_PATHS:
        return False
    if method == "POST":
        return True
    return method == "GET" and b"query=" in query_string


# --------------------------------------------------------------------------------------------------------
# Rate limit
# --------------------------------------------------------------------------------------------------------

@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """Token buckets per client key: `per_minute` requests a minute, bursts up to `burst`.

    At most `max_clients` buckets are kept (least recently used dropped), so memory stays bounded whatever
    the number of clients.
    """

    per_minute: int
    burst: int | None = None
    max_clients: int = 10_000
    clock: object = time.monotonic
    _buckets: OrderedDict[str, _Bucket] = field(default_factory=OrderedDict, repr=False)

    @property
    def capacity(self) -> float:
        return float(self.burst or self.per_minute)

    def check(self, client: str) -> None:
        """Spend one token of `client`, or raise RateLimited with the seconds until one is back."""
        now = self.clock()  # type: ignore[operator]
        bucket = self._bucket(client, now)
        rate = self.per_minute / 60.0
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return
        wait = math.ceil((1.0 - bucket.tokens) / rate)
        raise RateLimited(f"More than {self.per_minute} requests a minute from this client; please try again "
                          f"in {wait} s.", max(wait, 1))

    def _bucket(self, client: str, now: float) -> _Bucket:
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._buckets[client] = _Bucket(tokens=self.capacity, updated=now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(client)
        return bucket


def rate_limiter_for(settings: Settings) -> RateLimiter | None:
    if settings.rate_limit_per_minute <= 0:
        return None
    return RateLimiter(per_minute=settings.rate_limit_per_minute,
                       burst=settings.rate_limit_burst or settings.rate_limit_per_minute)
