"""Linked data: every IRI under the base IRI dereferences at /id/{path}.

`{base}1261011/ks-02` is served at `/id/1261011/ks-02` (the w3id redirect points there), negotiated:
Turtle, JSON-LD, N-Triples or RDF/XML for machines, HTML for browsers. The description is the resource's
outgoing triples, those of its fragment resources (`{act}#par8-pkt2`, `{source}#line=3,3`, which a client
cannot ask for separately), and the labels of the resources it links to. A named graph's IRI gives its
content too. An IRI that the graph only mentions as an object gets the triples that point at it.

HTML: `render_resource_html(request, iri)` tries the renderers registered on the app
(`register_html_renderer`; the pages router registers its unit pages) and falls back to a plain table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request, Response

from kompetencje.api.conneg import HTML, JSON_LD, NTRIPLES, RDF_XML, TURTLE, Kind, negotiate
from kompetencje.api.deps import SettingsDep, get_store, templates
from kompetencje.api.problems import NotFound
from kompetencje.api.rdf import rdf_response
from kompetencje.api.store import Store, bind, iri
from kompetencje.errors import InputError
from kompetencje.vocab import PREFIXES, sparql_prefixes

router = APIRouter(tags=["linked data"])

LD_OFFERS = (TURTLE, HTML, JSON_LD, NTRIPLES, RDF_XML)  # */* gets Turtle; browsers ask for HTML first
LABELS = ("skos:prefLabel", "skos:notation", "rdfs:label", "dct:title", "foaf:name", "eli:title", "eli:number")
_INCOMING_LIMIT = 1000

HtmlRenderer = Callable[[Request, str], Awaitable[Response | None]]

_P = sparql_prefixes()
_OUTGOING = _P + f"""
CONSTRUCT {{ ?r ?p ?o . ?o ?lp ?l . }}
WHERE {{
  ?r ?p ?o .
  OPTIONAL {{ ?o ?lp ?l . VALUES ?lp {{ {" ".join(LABELS)} }} }}
}}"""
_FRAGMENTS = _P + f"""
CONSTRUCT {{ ?s ?p ?o . ?o ?lp ?l . }}
WHERE {{
  ?s (eli:is_part_of|dct:isPartOf)+ ?r .
  FILTER(STRSTARTS(STR(?s), CONCAT(STR(?r), "#")))
  ?s ?p ?o .
  OPTIONAL {{ ?o ?lp ?l . VALUES ?lp {{ {" ".join(LABELS)} }} }}
}}"""
_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?r { ?s ?p ?o } }"
_INCOMING = _P + f"""
CONSTRUCT {{ ?s ?p ?r . ?s ?lp ?l . }}
WHERE {{
  ?s ?p ?r .
  OPTIONAL {{ ?s ?lp ?l . VALUES ?lp {{ {" ".join(LABELS)} }} }}
}}
LIMIT {_INCOMING_LIMIT}"""


@router.get("/id/{path:path}", summary="Dereference an IRI of the graph (content negotiation)")
@router.head("/id/{path:path}", include_in_schema=False)
async def resource(path: str, request: Request, settings: SettingsDep) -> Response:
    resource_iri = settings.base_iri + path
    fmt = negotiate(request.headers.get("accept"), LD_OFFERS,
                    format_param=request.query_params.get("format"), kind=Kind.GRAPH)
    alternates = _alternates(request)
    if fmt is HTML:
        response = await render_resource_html(request, resource_iri)
        response.headers["Vary"] = "Accept"
        response.headers["Link"] = alternates
        return response
    description = await describe(get_store(request), resource_iri)
    if not description:
        raise NotFound(f"{resource_iri} is not in the graph.")
    return rdf_response(description, fmt, headers={"Link": alternates})


async def describe(store: Store, resource_iri: str) -> list[ox.Triple]:
    """The resource's description (see the module doc); empty when the graph does not know the IRI."""
    try:
        node = iri(resource_iri)
    except InputError:  # an invalid IRI is simply not in the graph
        return []
    found: dict[ox.Triple, None] = {}
    for query in (_OUTGOING, _FRAGMENTS, _GRAPH):
        found.update(dict.fromkeys(await store.query(query, substitutions=bind(r=node))))
    if not found:
        found.update(dict.fromkeys(await store.query(_INCOMING, substitutions=bind(r=node))))
    return list(found)


# --------------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------------

def register_html_renderer(app: FastAPI, renderer: HtmlRenderer) -> None:
    """Let `renderer(request, iri)` give the HTML of the IRIs it knows (it returns None for the others)."""
    app.state.resource_html_renderers = [*getattr(app.state, "resource_html_renderers", []), renderer]


async def render_resource_html(request: Request, resource_iri: str) -> Response:
    """The HTML page of a resource: a registered renderer's, else a table of its triples; 404 if unknown."""
    for renderer in getattr(request.app.state, "resource_html_renderers", []):
        response = await renderer(request, resource_iri)
        if response is not None:
            return response
    description = await describe(get_store(request), resource_iri)
    if not description:
        raise NotFound(f"{resource_iri} is not in the graph.")
    return _render_table(request, resource_iri, description)


@dataclass(frozen=True)
class _Cell:
    text: str
    href: str | None = None
    note: str = ""  # language tag or datatype


def _render_table(request: Request, resource_iri: str, triples: list[ox.Triple]) -> Response:
    base = request.app.state.settings.base_iri
    labels = _labels(triples)
    others = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)} - {resource_iri}
    subjects = [resource_iri, *sorted(others)]
    sections = []
    for subject in subjects:
        rows = [(_term_cell(t.predicate, base, {}), _term_cell(t.object, base, labels))
                for t in sorted((t for t in triples if t.subject.value == subject),
                                key=lambda t: (t.predicate.value, str(t.object)))]
        if rows:
            sections.append({"subject": _term_cell(ox.NamedNode(subject), base, labels), "rows": rows})
    return templates.TemplateResponse(request, "ld_resource.html", {
        "iri": resource_iri, "title": labels.get(resource_iri, resource_iri), "sections": sections,
        "formats": [("Turtle", "turtle"), ("JSON-LD", "jsonld"), ("N-Triples", "ntriples"), ("RDF/XML", "rdfxml")],
        "path": request.url.path})


def _labels(triples: list[ox.Triple]) -> dict[str, str]:
    """IRI -> a label, preferring skos:prefLabel, then the other label properties, Polish first."""
    ranked: dict[str, tuple[int, str]] = {}
    order = {_expand(p): n for n, p in enumerate(LABELS)}
    for t in triples:
        if t.predicate.value in order and isinstance(t.object, ox.Literal):
            rank = order[t.predicate.value] * 2 + (0 if t.object.language in (None, "pl") else 1)
            if t.subject.value not in ranked or rank < ranked[t.subject.value][0]:
                ranked[t.subject.value] = (rank, t.object.value)
    return {iri_: label for iri_, (_, label) in ranked.items()}


def _term_cell(term, base: str, labels: dict[str, str]) -> _Cell:
    if isinstance(term, ox.NamedNode):
        href = f"/id/{term.value[len(base):]}" if term.value.startswith(base) else _safe_href(term.value)
        return _Cell(labels.get(term.value) or _curie(term.value), href,
                     _curie(term.value) if term.value in labels else "")
    if isinstance(term, ox.Literal):
        if term.language:
            return _Cell(term.value, note=f"@{term.language}")
        datatype = term.datatype.value
        return _Cell(term.value, note="" if datatype.endswith("#string") else _curie(datatype))
    return _Cell(str(term))


def _curie(value: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if value.startswith(namespace) and len(value) > len(namespace):
            return f"{prefix}:{value[len(namespace):]}"
    return value


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local


def _safe_href(value: str) -> str | None:
    return value if value.startswith(("http://", "https://")) else None


def _alternates(request: Request) -> str:
    path = request.url.path
    return ", ".join(f'<{path}?format={fmt.name}>; rel="alternate"; type="{fmt.media_type}"'
                     for fmt in (TURTLE, JSON_LD, NTRIPLES, RDF_XML))
