"""Limits and operations (api/limits.py, api/middleware.py, api/routers/ops.py) against live servers.

Each test names the guarantee it proves (the README's "Reliability" section lists them). Servers are started
with small limits so that the limits are reached with a handful of requests; every request loop is bounded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import SHARED_TRIG, LiveServer, ServerFactory, start_server

from kompetencje.api.limits import Admission, Overloaded, RateLimited, RateLimiter, is_sparql_query

pytestmark = pytest.mark.server

QUERY_TIMEOUT_S = 4
ADMIN_TOKEN = "s3cret-admin-token-do-not-log"
# A cartesian product of the whole store, four times over: runs until the time limit stops it.
SLOW_QUERY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
              "FILTER(STR(?c) != STR(?l)) }")
SPARQL_RESULTS = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def limited(server_factory: ServerFactory) -> LiveServer:
    """2 SPARQL workers + 1 queued query, 4 s timeout, small body caps, and an admin token set."""
    return server_factory("limits", SHARED_TRIG, env={
        "KOMPETENCJE_SPARQL_WORKERS": "2", "KOMPETENCJE_SPARQL_QUEUE": "1",
        "KOMPETENCJE_SPARQL_RETRY_AFTER_S": "7", "KOMPETENCJE_QUERY_TIMEOUT_S": str(QUERY_TIMEOUT_S),
        "KOMPETENCJE_MAX_QUERY_BYTES": "2000", "KOMPETENCJE_MAX_UPLOAD_BYTES": "5000",
        "KOMPETENCJE_ADMIN_TOKEN": ADMIN_TOKEN})


@pytest.fixture(scope="module")
def client(limited: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=limited.url, timeout=30) as c:
        yield c


def slow_query(client: httpx.Client) -> httpx.Response:
    return client.post("/sparql", content=SLOW_QUERY.encode(),
                       headers={"Content-Type": "application/sparql-query", **SPARQL_RESULTS})


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    return body


# --- body size caps ------------------------------------------------------------------------------------

def test_oversized_query_body_is_413_from_content_length(client: httpx.Client) -> None:
    body = b"SELECT * WHERE { ?s ?p ?o } #" + b"x" * 20_000  # past 3 x max_query_bytes + 10 000
    response = client.post("/sparql", content=body, headers={"Content-Type": "application/sparql-query"})
    assert_problem(response, 413)


def test_oversized_chunked_query_body_is_413(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        yield b"SELECT * WHERE { ?s ?p ?o } #"
        for _ in range(40):
            yield b"x" * 1000

    response = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)


@pytest.mark.parametrize("chunked", [False, True])
def test_oversized_upload_is_413(client: httpx.Client, chunked: bool) -> None:
    boundary = "reliability-test-boundary"
    data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n").encode() + b"0" * 6000 \
        + f"\r\n--{boundary}--\r\n".encode()  # past max_upload_bytes (5000)
    if chunked and client.post("/api/documents", content=b"x").status_code in (404, 405):
        pytest.skip("no upload endpoint yet: a chunked body is only counted while an endpoint reads it")
    content = iter([data[:3000], data[3000:]]) if chunked else data
    response = client.post("/api/documents", content=content,
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                    "Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert_problem(response, 413)


def test_query_within_caps_still_answers(client: httpx.Client) -> None:
    response = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers=SPARQL_RESULTS)
    assert response.status_code == 200 and response.json()["boolean"] is True


# --- SPARQL admission and isolation of the REST API ----------------------------------------------------

def test_saturated_sparql_answers_503_with_retry_after(client: httpx.Client, limited: LiveServer) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: slow_query(client), range(6)))
    overloaded = [r for r in responses if r.status_code == 503 and r.json()["title"] == "Service overloaded"]
    assert len(overloaded) >= 3  # 2 running + 1 waiting admitted; the others refused at once
    for response in overloaded:
        assert_problem(response, 503)
        assert response.headers["retry-after"] == "7"
        assert response.elapsed.total_seconds() < QUERY_TIMEOUT_S
    assert all(r.status_code == 503 for r in responses)  # the admitted ones hit the time limit
    wait_until_sparql_answers(client)


def test_query_timeouts_are_counted(client: httpx.Client) -> None:
    slow_query(client)
    metrics = client.get("/metrics").text
    line = next(x for x in metrics.splitlines() if x.startswith("kompetencje_query_timeouts_total{"))
    assert 'route="/sparql"' in line and float(line.split()[-1]) >= 1
    assert 'kompetencje_requests_rejected_total{reason="sparql_overloaded"}' in metrics
    wait_until_sparql_answers(client)


def test_long_sparql_queries_do_not_starve_the_rest_api(client: httpx.Client) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        long_ones: list[Future] = [pool.submit(slow_query, client) for _ in range(2)]
        time.sleep(0.5)  # both queries are now in the workers
        timings = []
        for _ in range(10):
            started = time.perf_counter()
            response = client.get("/api/units")
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200 and response.json()["count"] > 0
        assert not any(f.done() for f in long_ones), "the long queries should still be running"
        assert max(timings) < 1.0, timings
    wait_until_sparql_answers(client)


def wait_until_sparql_answers(client: httpx.Client, within_s: float = 30.0) -> None:
    """Killed workers are respawned in the background; wait (bounded) until a query answers again."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        response = client.get("/sparql", params={"query": "ASK {}"}, headers=SPARQL_RESULTS)
        if response.status_code == 200:
            return
        time.sleep(0.2)
    pytest.fail("the SPARQL endpoint did not recover")


# --- operations ---------------------------------------------------------------------------------------

def test_health_is_cheap_and_ok(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_when_store_and_workers_are_up(client: httpx.Client) -> None:
    response = client.get("/ready")
    assert response.status_code == 200 and response.json()["status"] == "ready"


def test_not_ready_without_a_store(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    server = start_server(tmp_path / "no-store", data, ready_path="/health")
    try:
        response = httpx.get(server.url + "/ready", timeout=10)
        assert response.status_code == 503
        assert response.headers["retry-after"]
        assert any(p.startswith("store:") for p in response.json()["problems"])
        assert httpx.get(server.url + "/health", timeout=10).status_code == 200
    finally:
        server.stop()


def test_metrics_in_prometheus_format(client: httpx.Client) -> None:
    client.get("/api/units")
    client.get("/api/units/1261011/no-such-unit")
    client.get("/no/such/path")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'kompetencje_http_requests_total{method="GET",route="/api/units",status="200"}' in text
    assert 'route="/api/units/{id:path}",status="404"' in text  # the template, not the path
    assert 'route="unmatched",status="404"' in text
    assert "no-such-unit" not in text and "/no/such/path" not in text  # bounded label values
    assert 'kompetencje_http_request_duration_seconds_bucket{le="0.1",method="GET",route="/api/units"}' in text
    quads = next(x for x in text.splitlines() if x.startswith("kompetencje_store_quads "))
    assert float(quads.split()[1]) > 0


# --- request ids and the access log ---------------------------------------------------------------------

def test_request_id_is_echoed(client: httpx.Client) -> None:
    response = client.get("/api/units", headers={"X-Request-ID": "abc-123.xyz"})
    assert response.headers["x-request-id"] == "abc-123.xyz"


@pytest.mark.parametrize("given", [None, "bad id\twith spaces", "x" * 500, "evil\"}{"])
def test_request_id_is_generated_when_missing_or_unsafe(client: httpx.Client, given: str | None) -> None:
    headers = {"X-Request-ID": given} if given is not None else {}
    request_id = client.get("/health", headers=headers).headers["x-request-id"]
    assert request_id != given and len(request_id) == 32 and request_id.isalnum()


def test_one_json_log_line_per_request_without_secrets(client: httpx.Client, limited: LiveServer) -> None:
    marker = f"log-test-{time.monotonic_ns()}"
    client.get("/api/units", params={"token": ADMIN_TOKEN},
               headers={"X-Request-ID": marker, "Authorization": f"Bearer {ADMIN_TOKEN}",
                        "X-Admin-Token": ADMIN_TOKEN, "Cookie": f"session={ADMIN_TOKEN}"})
    lines = wait_for_log(limited, marker)
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["request_id"] == marker and entry["method"] == "GET" and entry["route"] == "/api/units"
    assert entry["status"] == 200 and entry["duration_ms"] >= 0
    log_text = (limited.data_dir / "server.log").read_text()
    assert ADMIN_TOKEN not in log_text


def wait_for_log(server: LiveServer, marker: str, within_s: float = 5.0) -> list[str]:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        lines = [x for x in (server.data_dir / "server.log").read_text().splitlines() if marker in x]
        if lines:
            return lines
        time.sleep(0.1)
    return []


# --- rate limiting ------------------------------------------------------------------------------------

def test_rate_limit_answers_429_with_retry_after(server_factory: ServerFactory) -> None:
    server = server_factory("ratelimited", SHARED_TRIG, env={"KOMPETENCJE_RATE_LIMIT_PER_MINUTE": "5"})
    with httpx.Client(base_url=server.url, timeout=10) as c:
        statuses = [c.get("/api/municipalities").status_code for _ in range(8)]
        assert statuses.count(429) >= 2 and statuses[0] == 200  # the start-up probe spent one token
        limited = c.get("/api/municipalities")
        assert_problem(limited, 429)
        assert int(limited.headers["retry-after"]) >= 1
        assert c.get("/health").status_code == 200  # operations are never limited
        assert c.get("/metrics").status_code == 200


def test_rate_limit_is_off_by_default(client: httpx.Client) -> None:
    assert all(client.get("/health").status_code == 200 for _ in range(3))
    assert all(client.get("/api/municipalities").status_code == 200 for _ in range(30))


# --- the limits' logic, in process -------------------------------------------------------------------

class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_refills_per_client() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_minute=60, burst=2, clock=clock)
    limiter.check("a")
    limiter.check("a")
    with pytest.raises(RateLimited) as raised:
        limiter.check("a")
    assert raised.value.retry_after_s == 1 and raised.value.http_status == 429
    limiter.check("b")  # another client has its own bucket
    clock.now += 1.0
    limiter.check("a")


def test_rate_limiter_memory_is_bounded() -> None:
    limiter = RateLimiter(per_minute=10, max_clients=100, clock=FakeClock())
    for i in range(1000):
        limiter.check(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter._buckets) == 100


def test_admission_counts_slots() -> None:
    admission = Admission(limit=2, retry_after_s=3)
    admission.admit()
    admission.admit()
    with pytest.raises(Overloaded) as raised:
        admission.admit()
    assert raised.value.retry_after_s == 3 and raised.value.http_status == 503
    admission.release()
    admission.admit()


@pytest.mark.parametrize(("method", "path", "query", "expected"), [
    ("GET", "/sparql", b"query=ASK%7B%7D", True), ("POST", "/sparql", b"", True),
    ("GET", "/sparql", b"", False), ("GET", "/sparql", b"format=turtle", False),
    ("GET", "/api/units", b"query=x", False), ("POST", "/api/documents", b"", False),
])
def test_what_counts_as_a_sparql_query(method: str, path: str, query: bytes, expected: bool) -> None:
    assert is_sparql_query(method, path, query) is expected
