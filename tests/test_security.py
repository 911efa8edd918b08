"""Security tests: each one fails if the protection it names is removed.

Against the shared live server (tests/fixtures/mini.trig + rest_sample.trig, whose Katowice duty 3 carries
hostile text: <script>, quotes, braces, #). Readers are tested in process.
"""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlsplit

import httpx
import pytest
from conftest import ROOT

from kompetencje.api.middleware import inline_scripts, script_hash
from kompetencje.errors import InputError
from kompetencje.loaders.readers import read_source

pytestmark = pytest.mark.server

ID = "https://w3id.org/kompetencje/id/"
SPARQL_JSON = {"Accept": "application/sparql-results+json"}
HOSTILE_UNIT = "/units/2469011/wydzial-komunikacji-spolecznej"


@pytest.fixture(scope="module")
def api(rest_server_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=rest_server_url, timeout=30) as client:
        yield client


def ask(api: httpx.Client, query: str) -> bool:
    response = api.get("/sparql", params={"query": query}, headers=SPARQL_JSON)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


# --- SPARQL injection through the REST parameters ----------------------------------------------------

PAYLOADS = [
    "'", '"', "}", "#", "\n", "\r\n", "\\", "\u0022", "\\u0022", "\\U00000022",
    '\\u0022 } UNION { ?unit ?p ?o } #', '" } UNION { ?unit ?p ?o } #', "' } UNION { ?s ?p ?o } #",
    "x\" ; ?p ?o . } #\n", "> } ; DROP ALL ; #", "\"\"\"", "'''", "\\\" } #", "${unit}", "?unit", "\x00",
    "<https://w3id.org/kompetencje/id/1261011/ks>", "*", ".*", "%",
]


@pytest.fixture(scope="module")
def all_units(api: httpx.Client) -> list[dict]:
    return api.get("/api/units").json()["units"]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("param", ["municipality", "symbol", "name"])
def test_injection_in_unit_filters_gives_no_extra_data(api: httpx.Client, param: str, payload: str,
                                                       all_units: list[dict]) -> None:
    response = api.get("/api/units", params={param: payload})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        return
    units = response.json()["units"]
    if not payload.strip() and param != "municipality":  # a blank filter is no filter
        assert len(units) == len(all_units)
    elif param == "name":  # only units whose name really holds the text
        assert all(payload.strip().lower() in u["name"].lower() for u in units), units
        assert len(units) < len(all_units)
    else:
        assert units == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_in_competence_search_gives_no_extra_data(api: httpx.Client, payload: str) -> None:
    response = api.get("/api/competences", params={"q": payload})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert all(r["duty"]["id"].startswith(ID) for r in response.json()["results"])
    scoped = api.get("/api/competences", params={"q": "konferencje", "municipality": payload})
    assert scoped.status_code in (200, 422) and (scoped.status_code == 422 or scoped.json()["results"] == [])


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("template", [
    "/api/units/{}", "/api/units/1261011/{}", "/api/units/{}/chain", "/api/units/1261011/{}/subordinates",
    "/api/municipalities/{}/cooperation", "/id/{}", "/id/1261011/{}", "/units/{}", "/municipalities/{}",
    "/units/1261011/{}/orgchart.svg",
])
def test_injection_in_path_ids_is_404(api: httpx.Client, template: str, payload: str) -> None:
    response = api.get(template.format(quote(payload, safe="")))
    assert response.status_code in (404, 422), (response.status_code, response.text[:300])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_in_search_page(api: httpx.Client, payload: str) -> None:
    response = api.get("/search", params={"q": payload, "municipality": payload})
    assert response.status_code in (200, 422)
    assert "<script>alert" not in response.text


# --- SERVICE never reaches out --------------------------------------------------------------------------

@pytest.fixture()
def listener() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request it gets."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


SERVICE_QUERIES = [
    "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ service silent <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SeRvIcE <{url}/x> {{ ?s ?p ?o }} }} }} }}",
    "PREFIX r: <{url}/> SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE r:sparql {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ BIND(<{url}/s> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE\n<{url}/q>\t{{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_is_refused_and_never_called(api: httpx.Client, listener: tuple[str, list[str]],
                                             template: str) -> None:
    url, seen = listener
    query = template.format(url=url)
    responses = [
        api.get("/sparql", params={"query": query}, headers=SPARQL_JSON),
        api.post("/sparql", data={"query": query}, headers=SPARQL_JSON),
        api.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query",
                                                             **SPARQL_JSON}),
    ]
    for response in responses:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    time.sleep(0.3)  # a request in flight would have arrived by now
    assert seen == []


# --- updates are refused in every protocol form --------------------------------------------------------

UPDATE = 'INSERT DATA { GRAPH <urn:evil> { <urn:evil:s> <urn:evil:p> "pwned" } }'
EVIDENCE = "ASK { GRAPH ?g { <urn:evil:s> ?p ?o } }"


@pytest.mark.parametrize("form", ["get-update", "get-query", "post-form", "post-form-query", "post-body"])
def test_updates_are_refused(api: httpx.Client, form: str) -> None:
    if form == "get-update":
        response = api.get("/sparql", params={"update": UPDATE})
    elif form == "get-query":
        response = api.get("/sparql", params={"query": UPDATE}, headers=SPARQL_JSON)
    elif form == "post-form":
        response = api.post("/sparql", data={"update": UPDATE})
    elif form == "post-form-query":
        response = api.post("/sparql", data={"query": UPDATE}, headers=SPARQL_JSON)
    else:
        response = api.post("/sparql", content=UPDATE.encode(),
                            headers={"Content-Type": "application/sparql-update"})
    assert response.status_code in (400, 403), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert ask(api, EVIDENCE) is False


def test_drop_is_refused_and_data_stays(api: httpx.Client) -> None:
    for update in ("DROP ALL", "CLEAR DEFAULT", "LOAD <file:///etc/passwd>"):
        response = api.post("/sparql", content=update.encode(),
                            headers={"Content-Type": "application/sparql-update"})
        assert response.status_code == 403
    assert ask(api, "ASK { ?s ?p ?o }") is True


# --- XML and HTML parsing: no XXE, no entity expansion bombs -------------------------------------------

XXE_HTML = b"""<?xml version="1.0"?>
<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>
<html><head><title>Regulamin</title></head><body><main><h1>Regulamin organizacyjny</h1>
<p>&xxe;</p><p>Do zada\xc5\x84 Wydzia\xc5\x82u nale\xc5\xbcy: 1) prowadzenie spraw &xxe; kadrowych.</p>
</main></body></html>"""


def billion_laughs(levels: int = 10) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, levels)]
    return ("<?xml version=\"1.0\"?>\n<!DOCTYPE html [" + "".join(entities) + "]>\n"
            f"<html><body><main><h1>Regulamin</h1><p>Zadania: &lol{levels - 1};</p></main></body></html>"
            ).encode()


def test_html_reader_ignores_external_entities() -> None:
    try:
        text = read_source(XXE_HTML, "regulamin.html").text
    except InputError:
        return  # refusing the document is safe too
    assert "root:" not in text and "/bin/" not in text


def test_html_reader_survives_entity_bombs_quickly_with_bounded_memory() -> None:
    """In a fresh process, so that the peak memory is the reader's."""
    script = (
        "import resource, sys, time\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_security import billion_laughs\n"
        "from kompetencje.loaders.readers import read_source\n"
        "from kompetencje.errors import InputError\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "started = time.perf_counter()\n"
        "try:\n"
        "    n = len(read_source(billion_laughs(), 'bomb.html').text)\n"
        "except InputError:\n"
        "    n = 0\n"
        "grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before\n"
        "print(n, grown, time.perf_counter() - started)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    length, grown_kb, seconds = done.stdout.split()
    assert int(length) < 100_000  # the entities were not expanded (10^9 "lol"s)
    assert int(grown_kb) < 200_000 and float(seconds) < 10


def docx_with(document_xml: bytes) -> bytes:
    """A minimal DOCX package whose word/document.xml is the given XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'))
        z.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    '<!ENTITY xxe "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>',
])
def test_docx_reader_refuses_dtds(doctype: str) -> None:
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:document {W}><w:body><w:p><w:r><w:t>'
           "Zadania &xxe; wydziału</w:t></w:r></w:p></w:body></w:document>").encode()
    started = time.perf_counter()
    try:
        text = read_source(docx_with(xml), "regulamin.docx").text
    except InputError:
        text = ""
    assert "root:" not in text and len(text) < 10_000
    assert time.perf_counter() - started < 5


# --- dumps cannot escape their folder ---------------------------------------------------------------

def raw_get(base_url: str, target: str) -> tuple[int, bytes]:
    """GET with the request-target sent byte for byte (clients normalise '..' away)."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


@pytest.mark.parametrize("target", [
    "/dumps/..%2f..%2f..%2f..%2fetc%2fpasswd", "/dumps/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/dumps/../../../../etc/passwd", "/dumps/..%5c..%5c..%5cetc%5cpasswd", "/dumps/%252e%252e%252fetc%252fpasswd",
    "/dumps/....//....//etc/passwd", "/dumps/%2fetc%2fpasswd", "/dumps//etc/passwd", "/dumps/..",
    "/dumps/.%2e/.%2e/.%2e/etc/passwd", "/dumps/kompetencje.nt%00.html", "/static/..%2f..%2fapp.py",
    "/static/%2e%2e/%2e%2e/etc/passwd",
])
def test_dump_paths_cannot_escape(rest_server_url: str, target: str) -> None:
    status, data = raw_get(rest_server_url, target)
    assert status in (400, 404), data[:300]
    assert b"root:" not in data and b"import " not in data


# --- hostile document text is inert on every page -------------------------------------------------------

HOSTILE_PAGES = [
    HOSTILE_UNIT, f"{HOSTILE_UNIT}/chain", "/municipalities/2469011", "/search?q=og%C5%82osze%C5%84",
    "/search?q=serwisie&municipality=Katowice", "/", "/id/2469011/wydzial-komunikacji-spolecznej",
    "/sparql?query=" + quote("</textarea><script>alert(1)</script>"),
    "/units/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
]


@pytest.mark.parametrize("url", HOSTILE_PAGES)
def test_script_in_data_or_input_is_inert(api: httpx.Client, url: str) -> None:
    response = api.get(url, headers={"Accept": "text/html"})
    assert response.status_code in (200, 404)
    assert "<script>alert" not in response.text
    if response.headers.get("content-type", "").startswith("text/html"):
        allowed = set(re.findall(r"'sha256-[^']+'", response.headers["content-security-policy"]))
        for body in inline_scripts(response.text):  # an injected script would need its hash in the CSP
            assert script_hash(body) in allowed


def test_hostile_duty_is_shown_escaped(api: httpx.Client) -> None:
    html = api.get(HOSTILE_UNIT).text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html
    svg = api.get(f"{HOSTILE_UNIT}/orgchart.svg").text
    assert "<b>" not in svg and "<script" not in svg
    data = api.get("/api/units/2469011/wydzial-komunikacji-spolecznej").text
    assert '<script>alert(\\"xss\\")</script>' in data  # JSON keeps it verbatim: it is data there


# --- response headers -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/units", "/", HOSTILE_UNIT, "/sparql?query=ASK%7B%7D", "/nope",
                                 "/dumps/", "/catalog", "/health", "/static/style.css", "/openapi.json"])
def test_nosniff_and_referrer_policy_everywhere(api: httpx.Client, url: str) -> None:
    response = api.get(url)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("url", ["/", HOSTILE_UNIT, f"{HOSTILE_UNIT}/chain", "/municipalities/2469011",
                                 "/search?q=konferencje", "/sparql", "/sparql?query=ASK%7B%7D", "/dumps/",
                                 "/units/nope"])
def test_html_pages_have_a_strict_csp_that_lets_their_own_scripts_run(api: httpx.Client, url: str) -> None:
    response = api.get(url, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"] == "'self'"  # the editor POSTs to /sparql on this origin
    hashes = set(re.findall(r"'sha256-[^']+'", policy["script-src"]))
    for body in inline_scripts(response.text):
        assert script_hash(body) in hashes, f"an inline script of {url} would be blocked"


def test_editor_with_a_query_runs_its_script(api: httpx.Client) -> None:
    response = api.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/html"})
    scripts = inline_scripts(response.text)
    assert scripts and "run()" in scripts[0]
    assert script_hash(scripts[0]) in response.headers["content-security-policy"]


def test_json_and_problems_get_no_html_csp_but_nosniff(api: httpx.Client) -> None:
    response = api.get("/api/units/nope")
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers


def test_api_docs_page_keeps_working_under_its_csp(api: httpx.Client) -> None:
    response = api.get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in policy  # FastAPI's Swagger UI is served from there
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


XXE_RDF_XML = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="https://example.org/x"><dct:description>&xxe;</dct:description></rdf:Description>
</rdf:RDF>"""


def test_rdf_xml_with_external_entities_is_never_expanded() -> None:
    """An RDF/XML file given as a source document is refused or read without resolving its entities."""
    try:
        text = read_source(XXE_RDF_XML, "regulamin.rdf").text
    except InputError:
        return
    assert "root:" not in text and "/bin/" not in text


def test_no_endpoint_accepts_an_rdf_body() -> None:
    """The API parses no RDF from requests: no operation of the OpenAPI schema takes an RDF or XML body (an
    endpoint that did would need its parser proven safe from XXE and entity expansion first)."""
    from kompetencje.api.app import create_app

    rdf_like = ("rdf", "xml", "turtle", "n-triples", "n-quads", "trig", "ld+json", "n3")
    schema = create_app().openapi()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            assert not [t for t in content if any(k in t.lower() for k in rdf_like)], (method, path, content)
