"""The SPARQL 1.1 Protocol endpoint at /sparql (read-only).

Queries arrive as GET ?query=, as a POSTed form or as a POSTed application/sparql-query body;
default-graph-uri / named-graph-uri (repeatable) set the dataset, otherwise the default graph is the union
of all named graphs. Results are negotiated (Accept with q-values, or format=). The query runs in the
worker processes of the QueryPool, which stop it at the time limit, except a lookup certain to be cheap
(api/lookup.py), which runs in the server's own process with the same row cap and time limit; over a remote store
(api/remote_store.py) it is forwarded to the remote endpoint within the time limit, and its answer
re-serialised in the negotiated format by the same code.

Refused, with a problem document: updates (403, the service is read-only; malformed updates and protocol
mistakes 400/415 first, as the protocol prescribes), federated queries (SERVICE, 403).
GET without a query gives the service description (Turtle, or the query editor to a browser).
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from kompetencje.api import query_text
from kompetencje.api.conneg import HTML, OFFERS, Format, Kind, negotiate
from kompetencje.api.deps import (
    PublicUrlDep,
    SettingsDep,
    get_embedded_store,
    get_public_url,
    get_query_pool,
    templates,
)
from kompetencje.api.lookup import answer_lookup, parse_lookup
from kompetencje.api.problems import NotAcceptable, ProtocolError, ReadOnly, TooLarge, UnsupportedMediaType
from kompetencje.api.query_pool import Job, NotAcceptableResult, QueryPool, Reply
from kompetencje.api.rdf import FORMATS_NS, SD, new_graph, rdf_response
from kompetencje.api.settings import Settings
from kompetencje.api.store import StoreStats
from kompetencje.errors import QueryError, QueryRefused

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
_USING_PARAMS = ("using-graph-uri", "using-named-graph-uri")
_UPDATE_VERBS = query_text.UPDATE_KEYWORDS - {"USING"}  # what an update request can start with
_SD_OFFERS = (*OFFERS[Kind.GRAPH], HTML)
_MAX_UPDATE_PARSE = 100_000

Params = list[tuple[str, str]]


@router.get("/sparql", summary="SPARQL query via GET, or the service description")
@router.get("/sparql/", include_in_schema=False)
async def sparql_get(request: Request, settings: SettingsDep, public_url: PublicUrlDep) -> Response:
    params = list(request.query_params.multi_items())
    if _values(params, "update"):
        raise ProtocolError("An update must be sent with POST; besides, this service is read-only.")
    queries = _values(params, "query")
    if not queries:
        return await service_description(request, settings, public_url)
    text = _one(queries, "query")
    if _wants_html(request, params):  # a browser following a link to a query: the editor runs it
        return _editor(request, settings, public_url, text)
    return await _query(request, text, params)


@router.post("/sparql", summary="SPARQL query via POST (form or application/sparql-query)")
@router.post("/sparql/", include_in_schema=False)
async def sparql_post(request: Request, settings: SettingsDep) -> Response:
    media_type, charset = _content_type(request)
    url_params = list(request.query_params.multi_items())
    if media_type == FORM:
        form = _parse_form(await _body(request, settings))
        params = url_params + form
        if _values(form, "update"):
            if _values(form, "query"):
                raise ProtocolError("A request carries either a query or an update, not both.")
            await _refuse_update(_one(_values(form, "update"), "update"), params)
        return await _query(request, _one(_values(form, "query"), "query"), params)
    if media_type in (SPARQL_QUERY, SPARQL_UPDATE):
        _check_charset(charset)
        text = _decode(await _body(request, settings))
        if media_type == SPARQL_UPDATE:
            await _refuse_update(text, url_params)
        if _values(url_params, "query"):
            raise ProtocolError("With application/sparql-query the query is the body; drop the query parameter.")
        return await _query(request, text, url_params)
    raise UnsupportedMediaType(
        "POST the query as application/x-www-form-urlencoded (query=...) or as application/sparql-query"
        + (f", not as {media_type}." if media_type else "; the request has no Content-Type."))


# --------------------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------------------

async def _query(request: Request, text: str, params: Params) -> Response:
    settings: Settings = request.app.state.settings
    if len(text.encode()) > settings.max_query_bytes:
        raise TooLarge(f"The query is longer than {settings.max_query_bytes} bytes.")
    _refuse_what_we_do_not_run(text)
    default_graph, named_graphs = protocol_dataset(params)
    formats = _formats(request, params)
    job = Job(sparql=text, formats={kind.value: fmt.name if fmt else None for kind, fmt in formats.items()},
              default_graph=default_graph, named_graphs=named_graphs, row_cap=settings.row_cap,
              base_iri=f"{get_public_url(request)}/sparql")
    try:
        reply = await run_job(request, job)
    except NotAcceptableResult as e:
        raise NotAcceptable(e.message + "; available: "
                            + ", ".join(f.media_type for f in OFFERS[Kind(e.kind)])) from None
    fmt = formats[Kind(reply.kind)]
    assert fmt is not None
    return Response(reply.body, media_type=fmt.content_type,
                    headers={"Vary": "Accept", "Cache-Control": "public, max-age=60"})


async def run_job(request: Request, job: Job) -> Reply:
    """A lookup in the server's own process (api/lookup.py), anything else in the query pool (or on the
    remote store, which is the pool then)."""
    reply = await _as_lookup(request, job)
    return reply if reply is not None else await get_query_pool(request).run(job)


async def _as_lookup(request: Request, job: Job) -> Reply | None:
    """The reply to a lookup over the default dataset of an embedded build; None for any other job, and for
    a lookup past the lookup budget."""
    store = get_embedded_store(request)
    if store is None or not isinstance(get_query_pool(request), QueryPool) or job.default_graph is not None \
            or job.named_graphs is not None:
        return None
    lookup = parse_lookup(job.sparql)
    if lookup is None:
        return None
    settings: Settings = request.app.state.settings
    return await answer_lookup(store, job, lookup, settings.query_timeout_s)


def _refuse_what_we_do_not_run(text: str) -> None:
    if query_text.calls_service(text):
        raise QueryRefused("Federated queries (SERVICE) are not allowed here: this endpoint answers from its "
                           "own data only. (A query whose prefixes or words contain 'service' outside IRIs "
                           "and strings is refused too: rename them.)")
    if _first_keyword(text) in _UPDATE_VERBS:
        raise ReadOnly("This SPARQL service is read-only: updates are refused. The graph is rebuilt from "
                       "its sources by `kompetencje build`.")


def _first_keyword(text: str) -> str | None:
    """The first keyword after the prologue (PREFIX / BASE declarations)."""
    for word in query_text.words(text):
        upper = word.upper()
        if upper in ("PREFIX", "BASE") or word.endswith(":"):
            continue
        return upper
    return None


def _formats(request: Request, params: Params) -> dict[Kind, Format | None]:
    """The format for each kind of result the query may give (None where the client accepts none)."""
    accept = request.headers.get("accept")
    requested = (_values(params, "format") or _values(params, "output") or [None])[0]
    formats: dict[Kind, Format | None] = {}
    for kind in (Kind.SELECT, Kind.ASK, Kind.GRAPH):
        try:
            formats[kind] = negotiate(accept, OFFERS[kind], format_param=requested, kind=kind)
        except NotAcceptable:
            formats[kind] = None
    if not any(formats.values()):
        offered = sorted({f.media_type for kind in formats for f in OFFERS[kind]})
        raise NotAcceptable("No query result can be sent in the requested format; available: "
                            + ", ".join(offered))
    return formats


def protocol_dataset(params: Params) -> tuple[list[str] | None, list[str] | None]:
    """The dataset of default-graph-uri / named-graph-uri: when either is given, both lists are the dataset
    (the other one empty); when neither is, (None, None): the union default graph and all named graphs."""
    default_graph = _values(params, "default-graph-uri")
    named_graphs = _values(params, "named-graph-uri")
    if not default_graph and not named_graphs:
        return None, None
    for value in (*default_graph, *named_graphs):
        try:
            ox.NamedNode(value)
        except ValueError:
            raise ProtocolError(f"Graph names must be absolute IRIs: {value!r}.") from None
    return default_graph, named_graphs


# --------------------------------------------------------------------------------------------------------
# Updates: checked as the protocol says, then refused
# --------------------------------------------------------------------------------------------------------

async def _refuse_update(text: str, params: Params) -> None:
    if len(text) <= _MAX_UPDATE_PARSE:
        error = await asyncio.to_thread(_update_syntax_error, text)
        if error:
            raise QueryError(f"The update is not valid SPARQL 1.1 Update: {error}")
    if any(_values(params, name) for name in _USING_PARAMS) \
            and query_text.update_keywords(text) & {"USING", "WITH"}:
        raise ProtocolError("using-graph-uri / using-named-graph-uri may not be combined with an update that "
                            "has USING, USING NAMED or WITH.")
    raise ReadOnly("This SPARQL service is read-only: updates are refused. The graph is rebuilt from its "
                   "sources by `kompetencje build`.")


def _update_syntax_error(text: str) -> str | None:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception as e:  # pyparsing raises several kinds; all mean "not an update"
        return str(e).splitlines()[0] if str(e) else type(e).__name__
    return None


# --------------------------------------------------------------------------------------------------------
# Request bodies
# --------------------------------------------------------------------------------------------------------

def _content_type(request: Request) -> tuple[str, str | None]:
    header = request.headers.get("content-type", "")
    media_type, *parameters = [part.strip() for part in header.split(";")]
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


def _check_charset(charset: str | None) -> None:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"SPARQL requests are UTF-8; charset={charset} is not accepted.")


async def _body(request: Request, settings: Settings) -> bytes:
    length = request.headers.get("content-length")
    limit = settings.max_query_bytes * 3 + 10_000  # room for percent-encoding and the dataset parameters
    if length and length.isdigit() and int(length) > limit:
        raise TooLarge(f"The request body is larger than {limit} bytes.")
    body = await request.body()
    if len(body) > limit:
        raise TooLarge(f"The request body is larger than {limit} bytes.")
    return body


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProtocolError(f"The request body is not UTF-8: {e}") from None


def _parse_form(body: bytes) -> Params:
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeError as e:
        raise ProtocolError(f"The form is not URL-encoded UTF-8: {e}") from None


def _values(params: Params, name: str) -> list[str]:
    return [value for key, value in params if key == name]


def _one(values: list[str], name: str) -> str:
    if len(values) != 1:
        raise ProtocolError(f"A request must carry exactly one {name} parameter; this one has {len(values)}.")
    return values[0]


# --------------------------------------------------------------------------------------------------------
# The service description (SPARQL 1.1 Service Description, with VoID)
# --------------------------------------------------------------------------------------------------------

async def service_description(request: Request, settings: Settings, public_url: str) -> Response:
    fmt = negotiate(request.headers.get("accept"), _SD_OFFERS,
                    format_param=request.query_params.get("format"), kind=Kind.GRAPH)
    if fmt is HTML:
        return _editor(request, settings, public_url, None)
    generation = getattr(request.state, "generation", None)  # the build this request is pinned to
    stats: StoreStats | None = getattr(generation or request.app.state, "stats", None)
    return rdf_response(describe_service(public_url, stats), fmt)


def _wants_html(request: Request, params: Params) -> bool:
    if _values(params, "format") or _values(params, "output"):
        return False
    offers = (*OFFERS[Kind.SELECT], *OFFERS[Kind.GRAPH], HTML)  # HTML last: */* never picks it
    return negotiate(request.headers.get("accept"), offers) is HTML


def _editor(request: Request, settings: Settings, public_url: str, query: str | None) -> Response:
    return templates.TemplateResponse(request, "sparql_editor.html", {
        "endpoint": f"{public_url}/sparql", "base_iri": settings.base_iri, "examples": EXAMPLE_QUERIES,
        "query": query}, headers={"Vary": "Accept"})


def describe_service(public_url: str, stats: StoreStats | None):
    graph = new_graph()
    endpoint = URIRef(f"{public_url}/sparql")
    dataset = URIRef(f"{public_url}/catalog#dataset")
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((endpoint, SD.feature, SD.UnionDefaultGraph))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "RDF_XML", "JSON-LD"):
        graph.add((endpoint, SD.resultFormat, FORMATS_NS[name]))
    graph.add((endpoint, DCTERMS.description, Literal(
        "Read-only SPARQL 1.1 endpoint of the kompetencje graph. The default graph is the union of the "
        "named graphs (one per source document). SERVICE and updates are refused; queries are stopped at "
        "the time limit and results capped.", lang="en")))
    graph.add((endpoint, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, VOID.sparqlEndpoint, endpoint))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    if stats is not None:
        graph.add((default, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
        for name, triples in stats.graphs.items():
            named, inner = BNode(), BNode()
            graph.add((dataset, SD.namedGraph, named))
            graph.add((named, RDF.type, SD.NamedGraph))
            graph.add((named, SD.name, URIRef(name)))
            graph.add((named, SD.graph, inner))
            graph.add((inner, RDF.type, SD.Graph))
            graph.add((inner, VOID.triples, Literal(triples, datatype=XSD.integer)))
    return graph


EXAMPLE_QUERIES: list[dict[str, str]] = [
    {"title": "Komórki wydziałów (org:OrganizationalUnit) i ich wydziały",
     "query": """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?unit ?symbol ?label ?department WHERE {
  ?unit a org:OrganizationalUnit ;
        org:subOrganizationOf ?department ;
        skos:prefLabel ?label .
  OPTIONAL { ?unit skos:notation ?symbol }
}
ORDER BY ?symbol
LIMIT 100"""},
    {"title": "Kto komu podlega (org:reportsTo)",
     "query": """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?subordinate ?subordinateLabel ?superior ?superiorLabel WHERE {
  ?subordinate org:reportsTo ?superior .
  OPTIONAL { ?subordinate skos:prefLabel ?subordinateLabel }
  OPTIONAL { ?superior skos:prefLabel ?superiorLabel }
}
LIMIT 100"""},
    {"title": "Stanowiska (org:Post), ich komórki i osoby (org:heldBy)",
     "query": """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?post ?title ?unit ?person WHERE {
  ?post a org:Post ; skos:prefLabel ?title ; org:postIn ?unit .
  OPTIONAL { ?post org:heldBy/foaf:name ?person }
}
LIMIT 100"""},
    {"title": "Zadania komórki i przepisy, z których wynikają",
     "query": """PREFIX komp: <https://w3id.org/kompetencje/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
SELECT ?symbol ?number ?duty ?provision WHERE {
  ?unit skos:notation ?symbol ; komp:hasDuty ?d .
  ?d komp:itemNumber ?number ; dct:description ?duty .
  OPTIONAL { ?d komp:provision/eli:number ?provision }
}
ORDER BY ?symbol ?number
LIMIT 100"""},
    {"title": "Współpraca między komórkami (org:linkedTo)",
     "query": """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?a ?b WHERE {
  ?x org:linkedTo ?y .
  ?x skos:prefLabel ?a . ?y skos:prefLabel ?b .
}
LIMIT 100"""},
    {"title": "Opis jednostki (CONSTRUCT)",
     "query": """PREFIX org: <http://www.w3.org/ns/org#>
CONSTRUCT { ?unit ?p ?o } WHERE {
  ?unit a org:OrganizationalUnit ; ?p ?o .
}
LIMIT 50"""},
]
