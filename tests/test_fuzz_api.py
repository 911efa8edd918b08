"""Fuzzing the live server: hypothesis over the REST parameters, schemathesis over /openapi.json.

Property: whatever a parameter holds (any string up to 10 kB, control characters, SPARQL syntax), the
server answers with a client status (200/400/404/413/422), never 5xx. Schemathesis checks every operation
of the OpenAPI schema: no server error, responses conform to the schema. Both bounded (examples per test).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

pytestmark = pytest.mark.server

CLIENT_STATUSES = {200, 400, 404, 413, 422}
SPARQL_SYNTAX = [*"\"'{}#<>\\\n\r\t\x00 ?$.;:*()[]|^&%+", "\\u0022", "\\U00000022", "SERVICE", "}#"]

texts = st.text(max_size=10_000) | st.lists(
    st.sampled_from(SPARQL_SYNTAX) | st.text(max_size=5), max_size=200).map("".join)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def http(rest_server_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=rest_server_url, timeout=30) as client:
        yield client


def check(response: httpx.Response, allowed: set[int] = CLIENT_STATUSES) -> None:
    if response.status_code in (307, 308):  # a trailing slash added or dropped: the canonical path, same server
        location, path = httpx.URL(response.headers["location"]), response.request.url.path
        assert location.host in ("", response.request.url.host), (response.request.url, location)
        assert location.path != path and location.path.rstrip("/") == path.rstrip("/"), (response.request.url, location)
        return
    assert response.status_code in allowed, (response.request.url, response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(("application/problem+json", "text/html"))


@FUZZ
@given(municipality=texts, symbol=texts, name=texts)
def test_unit_filters_never_fail(http: httpx.Client, municipality: str, symbol: str, name: str) -> None:
    for params in ({"municipality": municipality}, {"symbol": symbol}, {"name": name},
                   {"municipality": municipality, "symbol": symbol, "name": name}):
        check(http.get("/api/units", params=params))


@FUZZ
@given(q=texts, municipality=texts, limit=texts)
def test_competence_parameters_never_fail(http: httpx.Client, q: str, municipality: str, limit: str) -> None:
    check(http.get("/api/competences", params={"q": q}))
    check(http.get("/api/competences", params={"q": q or "x", "municipality": municipality, "limit": limit}))


@FUZZ
@given(segment=texts)
def test_path_ids_never_fail(http: httpx.Client, segment: str) -> None:
    quoted = quote(segment, safe="")
    for template in ("/api/units/{}", "/api/units/{}/chain", "/api/units/1261011/{}/subordinates",
                     "/api/municipalities/{}/cooperation", "/id/{}", "/units/{}", "/municipalities/{}",
                     "/units/{}/orgchart.svg", "/dumps/{}"):
        check(http.get(template.format(quoted)))


@FUZZ
@given(q=texts, municipality=texts)
def test_search_page_never_fails(http: httpx.Client, q: str, municipality: str) -> None:
    check(http.get("/search", params={"q": q, "municipality": municipality}))


@FUZZ
@given(query=texts)
def test_sparql_text_never_fails(http: httpx.Client, query: str) -> None:
    allowed = CLIENT_STATUSES | {403, 406}  # 403: refused (SERVICE, update); 406: a result kind not accepted
    check(http.get("/sparql", params={"query": query}, headers={"Accept": "application/json"}), allowed)
    check(http.post("/sparql", content=query.encode("utf-8", "surrogatepass"),
                    headers={"Content-Type": "application/sparql-query"}), allowed)


# --- schemathesis: every operation of the OpenAPI schema ------------------------------------------------
# (driven through hypothesis directly: schemathesis' pytest plugin does not load under this pytest)

def test_openapi_operations_conform(rest_server_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{rest_server_url}/openapi.json")
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            conforms(operation)
        except (Exception, BaseExceptionGroup) as error:  # collect them all, then fail with the list
            failures[operation.label] = f"{type(error).__name__}: {str(error)[:1500]}"
    assert operations >= 7
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())


def conforms(operation) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case) -> None:
        # positive_data_acceptance: a schema-valid string is rarely valid SPARQL, and 400 is right for it
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    run()
