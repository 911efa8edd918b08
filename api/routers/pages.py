"""Router: pages for people — server-rendered HTML over the same views as the JSON API.

Jinja2 with autoescape on: every text read from a document is escaped. Links inside the graph go to the
local pages (``/units/...``) or to the linked-data paths (``/id/...``); a link is only ever an http(s) URL
or a local path. ``render_unit_page(request, iri)`` is what the linked-data router calls for ``/id/{path}``
when a browser asks for HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Annotated
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from kompetencje.api import queries as Q
from kompetencje.api.deps import SettingsDep, StoreDep, get_search_index, get_store
from kompetencje.api.orgchart import department_chart
from kompetencje.api.routers.compare import load_similar
from kompetencje.api.routers.competences import search_competences
from kompetencje.api.routers.municipalities import load_cooperation, load_municipalities, resolve_office
from kompetencje.api.routers.units import (
    UNIT_KINDS,
    list_units,
    load_chain,
    load_node,
    load_structure,
    load_subordinates,
    load_unit,
)
from kompetencje.api.views import MunicipalitySummary, Ref, UnitSummary

router = APIRouter(include_in_schema=False)

API_DIR = FilePath(__file__).resolve().parent.parent
STATIC_DIR = API_DIR / "static"
templates = Jinja2Templates(env=jinja2.Environment(
    loader=jinja2.FileSystemLoader(API_DIR / "templates"), autoescape=True,
    undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True))

KIND_NAMES = {"office": "urząd", "department": "wydział", "unit": "komórka",
              "post-unit": "samodzielne stanowisko", "post": "stanowisko",
              "external": "organizacja zewnętrzna", "other": "inne"}

SIMILAR_ON_PAGE = 5  # units of other municipalities in the unit page's "similar" section

EXAMPLE_QUESTIONS = [
    {"q": q, "municipality": m} for q, m in (
        ("konferencje prasowe", None), ("budżet obywatelski", None), ("sytuacja kryzysowa", None),
        ("nekrologi", "Kraków"), ("zamówienia publiczne", None), ("Biuletyn Informacji Publicznej", None))
]

EXAMPLE_PREFIXES = """PREFIX komp: <https://w3id.org/kompetencje/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
"""

SPARQL_EXAMPLES = [
    ("Komórki i ich wydziały", """SELECT DISTINCT ?symbol ?unit ?department WHERE {
  ?u a komp:Unit ; skos:prefLabel ?unit ; org:subOrganizationOf ?d .
  ?d a komp:Department ; skos:prefLabel ?department .
  OPTIONAL { ?u skos:notation ?symbol }
}
ORDER BY ?symbol ?unit
LIMIT 100"""),
    ("Kto komu podlega i na podstawie którego przepisu", """SELECT DISTINCT ?subordinate ?superior ?provision WHERE {
  ?line a komp:ReportingLine ;
        komp:subordinate/skos:prefLabel ?subordinate ;
        komp:superior/skos:prefLabel ?superior .
  OPTIONAL { ?line komp:provision/eli:number ?provision }
}
ORDER BY ?superior ?subordinate"""),
    ("Zadania o konferencjach, z przepisem", """SELECT DISTINCT ?unit ?provision ?text WHERE {
  ?duty a komp:Duty ; dct:description ?text ; komp:dutyOf/skos:prefLabel ?unit .
  OPTIONAL { ?duty komp:provision/eli:number ?provision }
  FILTER(CONTAINS(LCASE(STR(?text)), "konferenc"))
}
LIMIT 50"""),
    ("Współpraca między komórkami", """SELECT DISTINCT ?from ?with ?phrase WHERE {
  ?link a komp:CooperationLink ; komp:statedBy ?a ; komp:party ?b ; komp:phrase ?phrase .
  FILTER(?a != ?b)
  ?a skos:prefLabel ?from . ?b skos:prefLabel ?with .
}"""),
]


# --- helpers --------------------------------------------------------------------------------------------

def safe_url(url: object) -> str | None:
    """The URL if it is http(s) or a bare host path (www...), else None: never javascript: or data:."""
    text = str(url or "").strip()
    if text.startswith(("http://", "https://")):
        return text
    return f"https://{text}" if text.startswith("www.") else None


@dataclass(frozen=True)
class Links:
    """How templates turn IRIs into links: a local page, a linked-data path, or nothing at all."""

    base: str

    def page(self, iri: str | None) -> str | None:
        """/units/... for a department, unit or post of the graph (IRIs with a fragment have no page)."""
        return f"/units/{iri[len(self.base):]}" if iri and iri.startswith(self.base) and "#" not in iri else None

    def ld(self, iri: str) -> str:
        return f"/id/{iri[len(self.base):]}" if iri.startswith(self.base) else (safe_url(iri) or "#")

    def municipality(self, office: Ref | MunicipalitySummary) -> str:
        return f"/municipalities/{office.id[len(self.base):]}" if office.id.startswith(self.base) else "#"


def links_for(request: Request) -> Links:
    return Links(request.app.state.settings.base_iri)


def render(request: Request, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    links = links_for(request)
    context.update(link=links.page, ld=links.ld, municipality_url=links.municipality, safe_url=safe_url,
                   kind_names=KIND_NAMES, search_query=context.get("query"))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def not_found(request: Request, message: str) -> HTMLResponse:
    return render(request, "not_found.html", status_code=404, message=message)


def editor_url(query: str) -> str:
    """The SPARQL editor with the query filled in: the query rides in the fragment, so GET /sparql (no query
    parameter) serves the editor page to a browser and the page reads the query from location.hash."""
    return "/sparql#" + urlencode({"query": EXAMPLE_PREFIXES + query}, quote_via=quote)


# --- pages ----------------------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
async def home(request: Request, store: StoreDep) -> HTMLResponse:
    examples = [{"title": title, "query": EXAMPLE_PREFIXES + text, "editor_url": editor_url(text)}
                for title, text in SPARQL_EXAMPLES]
    return render(request, "home.html", municipalities=await load_municipalities(store),
                  questions=EXAMPLE_QUESTIONS, sparql_examples=examples)


@router.get("/search", response_class=HTMLResponse)
async def search(request: Request, store: StoreDep, q: Annotated[str, Query(max_length=500)] = "",
                 municipality: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    answer = await search_competences(request, store, q, municipality or None, 20) if q.strip() else None
    return render(request, "search.html", query=q, municipality=municipality, answer=answer,
                  municipalities=await load_municipalities(store))


def group_units(units: list[UnitSummary]) -> tuple[list[UnitSummary], dict[str, list[UnitSummary]]]:
    departments = [u for u in units if u.kind == "department"]
    by_dept: dict[str, list[UnitSummary]] = {}
    for u in units:
        if u.kind != "department" and u.department:
            by_dept.setdefault(u.department.id, []).append(u)
    return departments, by_dept


@router.get("/municipalities/{id:path}", response_class=HTMLResponse)
async def municipality_page(request: Request, id: str, store: StoreDep,
                            settings: SettingsDep) -> HTMLResponse:
    found = await resolve_office(store, id, settings.base_iri)
    if found is None:
        return not_found(request, f"Nie ma w grafie gminy „{id}”.")
    office = next(m for m in await load_municipalities(store) if m.id == found.id)  # with its counts
    departments, by_dept = group_units(await list_units(store, office.id, None, None))
    network = await load_cooperation(store, office)
    page = links_for(request).page
    return render(request, "municipality.html", office=office, departments=departments, units_by_dept=by_dept,
                  network=network, nodes={n.id: n for n in network.nodes},
                  orgchart_for=lambda d: f"{page(d.id)}/orgchart.svg")


async def render_unit_page(request: Request, iri: str) -> HTMLResponse | None:
    """The HTML page of a department, unit or post; None when the IRI is not one (for /id/{path})."""
    store = get_store(request)
    unit = await load_unit(store, iri)
    if unit is None:
        return None
    page = links_for(request).page
    local = page(iri) or ""
    department = unit.id if unit.kind == "department" else (unit.department.id if unit.department else None)
    chart = page(department) if department else None
    similar = await load_similar(store, get_search_index(request), iri, SIMILAR_ON_PAGE)
    return render(request, "unit.html", unit=unit, chain=await load_chain(store, iri),
                  api_url=f"/api{local}", chain_url=f"{local}/chain",
                  orgchart_url=f"{chart}/orgchart.svg" if chart else None, similar=similar)


def iri_of(request: Request, id: str) -> str | None:
    iri = request.app.state.settings.base_iri + id.strip("/")
    return iri if id.strip("/") and Q.iri_or_none(iri) is not None else None


@router.get("/units/{id:path}/orgchart.svg")
async def orgchart(request: Request, id: str, store: StoreDep) -> Response:
    iri = iri_of(request, id)
    row = await load_node(store, iri) if iri else None
    department = iri if row and row.get("kind") == "department" else (row or {}).get("dept")
    found = await load_structure(store, str(department)) if department else None
    if found is None:
        return not_found(request, f"Nie ma w grafie wydziału „{id}”.")
    dept_row, rows = found
    page = links_for(request).page
    links = {str(r["child"]): page(str(r["child"])) for r in rows if r.get("kind") in UNIT_KINDS - {"post"}}
    svg = department_chart(str(department), rows, dict(dept_row), str(dept_row.get("name") or department),
                           {k: v for k, v in links.items() if v})
    return Response(svg, media_type="image/svg+xml")


@router.get("/units/{id:path}/chain", response_class=HTMLResponse)
async def chain_page(request: Request, id: str, store: StoreDep) -> HTMLResponse:
    iri = iri_of(request, id)
    chain = await load_chain(store, iri) if iri else None
    if chain is None:
        return not_found(request, f"Nie ma w grafie komórki „{id}”.")
    page = links_for(request).page
    return render(request, "chain.html", chain=chain, below=await load_subordinates(store, str(iri)),
                  unit_url=page(str(iri)))


@router.get("/units/{id:path}", response_class=HTMLResponse)
async def unit_page(request: Request, id: str) -> HTMLResponse:
    iri = iri_of(request, id)
    page = await render_unit_page(request, iri) if iri else None
    return page or not_found(request, f"Nie ma w grafie komórki „{id}”.")


@router.get("/static/{name}")
async def static(name: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]+$")]) -> Response:
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})

