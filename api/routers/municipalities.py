"""Router: municipalities — the offices in the graph, their counts and their cooperation networks."""

from __future__ import annotations

from typing import Annotated

import networkx as nx
from fastapi import APIRouter, Path

from kompetencje.api import queries as Q
from kompetencje.api.deps import SettingsDep, StoreDep
from kompetencje.api.problems import NotFound, OrjsonResponse
from kompetencje.api.store import Store
from kompetencje.api.views import (
    CooperationEdge,
    CooperationNetwork,
    CooperationNode,
    MunicipalityList,
    MunicipalitySummary,
    Ref,
)

router = APIRouter(prefix="/api", tags=["municipalities"], default_response_class=OrjsonResponse)


def summary_view(row: Q.Row, counts: Q.Row | None) -> MunicipalitySummary:
    counts = counts or {}
    return MunicipalitySummary(
        id=str(row["office"]), name=row.get("name"), teryt=row.get("teryt"), office_name=row.get("label"),
        alt_labels=Q.split_values(row.get("alt_labels")),
        departments=int(counts.get("departments") or 0), units=int(counts.get("units") or 0),
        duties=int(counts.get("duties") or 0),
    )


async def load_municipalities(store: Store, *, with_counts: bool = True) -> list[MunicipalitySummary]:
    offices = await Q.select(store, Q.OFFICES)
    counts = {str(r["office"]): r for r in await Q.select(store, Q.OFFICE_COUNTS)} if with_counts else {}
    return [summary_view(row, counts.get(str(row["office"]))) for row in offices]


def names_of(office: MunicipalitySummary) -> set[str]:
    """Every folded way a person may name an office: IRI, TERYT, municipality name, office name, acronyms."""
    names = {office.id, office.teryt, office.name, office.office_name, *office.alt_labels}
    return {Q.fold(n).strip() for n in names if n}


async def resolve_office(store: Store, key: str, base: str | None = None) -> MunicipalitySummary | None:
    """The office a user means by a name, TERYT code, IRI or IRI path (``1261011``), or None."""
    wanted = {Q.fold(key).strip()}
    if base:
        wanted.add(Q.fold(base + key).strip())
    for office in await load_municipalities(store, with_counts=False):
        if wanted & names_of(office):
            return office
    return None


def network_graph(rows: list[Q.Row]) -> nx.Graph:
    graph = nx.Graph()
    for row in rows:
        for end in ("a", "b"):
            graph.add_node(str(row[end]), name=row.get(f"{end}_name"), symbol=row.get(f"{end}_symbol"),
                           kind=row.get(f"{end}_kind") or "other")
        graph.add_edge(str(row["a"]), str(row["b"]))
    return graph


def network_view(office: MunicipalitySummary, rows: list[Q.Row]) -> CooperationNetwork:
    graph = network_graph(rows)
    betweenness = nx.betweenness_centrality(graph) if graph.number_of_nodes() else {}
    nodes = [CooperationNode(id=n, **data, degree=graph.degree(n), betweenness=round(betweenness[n], 6))
             for n, data in sorted(graph.nodes(data=True))]
    edges = [CooperationEdge(id=str(r["link"]), source=str(r["a"]), target=str(r["b"]),
                             stated_by=r.get("stated_by"), duty=r.get("duty_id"), phrase=r.get("phrase"))
             for r in rows]
    return CooperationNetwork(municipality=Ref(id=office.id, name=office.name), nodes=nodes, edges=edges)


async def load_cooperation(store: Store, office: MunicipalitySummary) -> CooperationNetwork:
    return network_view(office, await Q.select(store, Q.OFFICE_COOPERATION, office=office.id))


@router.get("/municipalities", response_model=MunicipalityList,
            summary="Municipalities (offices) in the graph, with counts")
async def municipalities(store: StoreDep) -> MunicipalityList:
    return MunicipalityList(municipalities=await load_municipalities(store))


@router.get("/municipalities/{id:path}/cooperation", response_model=CooperationNetwork,
            summary="The cooperation network of a municipality's units, with degree and betweenness")
async def cooperation(
    store: StoreDep, settings: SettingsDep,
    id: Annotated[str, Path(description="IRI path of the office (e.g. 1261011), or a TERYT code or name")],
) -> CooperationNetwork:
    office = await resolve_office(store, id, settings.base_iri)
    if office is None:
        raise NotFound(f"No municipality {id!r} in the graph.")
    return await load_cooperation(store, office)
