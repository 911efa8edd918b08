"""Router: units — departments, units and posts; their duties, reporting chain and structure below.

``{id}`` is the part of the IRI after the base (``1261011/ks-05``), slashes included. The ``load_*``
functions build the views from SPARQL answers; the pages router renders the same views as HTML.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import networkx as nx
from fastapi import APIRouter, Path, Query, Response

from kompetencje.api import queries as Q
from kompetencje.api.deps import SettingsDep, StoreDep
from kompetencje.api.orgchart import ordered_children, spanning_tree, structure_graph
from kompetencje.api.problems import NotFound, OrjsonResponse, model_response
from kompetencje.api.routers.municipalities import resolve_office
from kompetencje.api.store import Store
from kompetencje.api.views import (
    Chain,
    ChainStep,
    Contact,
    Cooperation,
    Duty,
    DutyRef,
    NodeRef,
    Person,
    Post,
    ProvisionRef,
    Ref,
    SharedDuty,
    Source,
    SourceSpan,
    Subordinates,
    TreeNode,
    UnitDetail,
    UnitList,
    UnitSummary,
)

router = APIRouter(prefix="/api", tags=["units"], default_response_class=OrjsonResponse)

UNIT_KINDS = {"department", "unit", "post-unit", "post"}
MAX_CHAIN = 50
IdPath = Annotated[str, Path(description="IRI path after the base, e.g. 1261011/ks-05")]


def iri_for(base: str, id: str) -> str:
    """The IRI a path names; NotFound when it cannot be an IRI at all (spaces, quotes, newlines ...)."""
    iri = base + id.strip("/")
    if not id.strip("/") or Q.iri_or_none(iri) is None:
        raise NotFound(f"No unit {id!r} in the graph.")
    return iri


def node_ref(iri: str, row: Q.Row, prefix: str = "") -> NodeRef:
    kind = row.get(f"{prefix}kind") or "other"
    return NodeRef(id=iri, name=row.get(f"{prefix}name"), symbol=row.get(f"{prefix}symbol"), kind=kind)


def provision_ref(row: Q.Row) -> ProvisionRef | None:
    if not row.get("provision"):
        return None
    return ProvisionRef(id=str(row["provision"]), label=row.get("provision_label"))


async def load_node(store: Store, iri: str) -> Q.Row | None:
    """The NODE row of an IRI (name, symbol, kind, parent, department, office), or None."""
    if Q.iri_or_none(iri) is None:
        return None
    return Q.node_row(iri, *await Q.select_terms(store, Q.NODE_FACTS, node=iri))


def ref_view(refs: dict[str, Q.Row], iri: Q.Value) -> NodeRef | None:
    """The reference to a parent or department found by NODE_AND_REFS (None when it is not a node)."""
    row = refs.get(str(iri)) if iri else None
    return node_ref(str(iri), row) if row else None


# --- duties ---------------------------------------------------------------------------------------------

def duty_rows(node: str, names: list[str], rows: list[tuple]) -> list[Q.Row]:
    """One row per duty from the DUTIES facts: its text, numbers, parent and provision (the first value of
    each, as SAMPLE takes it), whether it is on a shared list and who holds that list."""
    at = {name: i for i, name in enumerate(names)}
    by_duty: dict[str, list[tuple]] = {}
    for row in rows:
        by_duty.setdefault(row[at["duty"]].value, []).append(row)
    return [duty_row(node, duty, found, at) for duty, found in by_duty.items()]


def duty_row(node: str, duty: str, rows: list[tuple], at: dict[str, int]) -> Q.Row:
    facts = Q.facts_of(rows, at["key"], at["value"])
    row: Q.Row = {"node": node, "duty": duty, "shared": first_bound(rows, at["sh"])}
    row.update({key: Q.first(facts, key) for key in ("parent", "text", "item_number", "sequence", "group",
                                                     "provision")})
    row.update(provision_label=first_bound(rows, at["label"]), shared_holder=first_bound(rows, at["holder"]))
    return row


def first_bound(rows: list[tuple], column: int) -> Q.Value:
    return next((Q.term_value(row[column]) for row in rows if row[column] is not None), None)


SPAN_COLUMNS = ("duty", "span", "document", "start", "end", "title", "from", "until")


def span_rows(names: list[str], rows: list[tuple]) -> list[Q.Row]:
    """The source spans among the DUTIES facts as DUTY_SPANS gives them: distinct, by duty and start line
    (rows that tie keep the order they came in, as ORDER BY does)."""
    at = {name: i for i, name in enumerate(names)}
    distinct = dict.fromkeys(tuple(row[at[c]] for c in SPAN_COLUMNS) for row in rows if row[at["span"]] is not None)
    spans = [{c: Q.term_value(v) for c, v in zip(SPAN_COLUMNS, terms, strict=True)} for terms in distinct]
    return sorted(spans, key=lambda span: (str(span["duty"]), line_order(span["start"])))


def line_order(line: Q.Value) -> tuple[int, float, str]:
    """ORDER BY of a line number: unbound first, then numbers by value (anything else after them)."""
    if line is None:
        return (0, 0, "")
    if isinstance(line, int | float):
        return (1, line, "")
    return (2, 0, str(line))


def spans_by_duty(rows: list[Q.Row]) -> dict[str, list[SourceSpan]]:
    spans: dict[str, list[SourceSpan]] = {}
    for r in rows:
        spans.setdefault(str(r["duty"]), []).append(SourceSpan(
            id=str(r["span"]), document=r.get("document"), document_title=r.get("title"),
            start=r.get("start"), end=r.get("end")))
    return spans


def duty_view(row: Q.Row, spans: dict[str, list[SourceSpan]]) -> Duty:
    duty = str(row["duty"])
    fields = dict(id=duty, text=row.get("text"), item_number=row.get("item_number"), group=row.get("group"),
                  provision=provision_ref(row), sources=spans.get(duty, []))
    if row.get("shared"):
        return SharedDuty(**fields, held_by=row.get("shared_holder") or str(row["node"]))
    return Duty(**fields)


def reaches_top(duty: str, parents: dict[str, str]) -> bool:
    """True when following the sub-item links up from the duty ends at a top-level duty (no cycle)."""
    seen, current = {duty}, parents.get(duty)
    while current is not None:
        if current in seen:
            return False
        seen.add(current)
        current = parents.get(current)
    return True


def duty_tree(rows: list[Q.Row], spans: dict[str, list[SourceSpan]]) -> list[Duty]:
    """Top-level duties with their sub-items nested, in list order."""
    rows = sorted(rows, key=Q.list_order)
    views = {str(r["duty"]): duty_view(r, spans) for r in rows}
    parents = {str(r["duty"]): str(r["parent"]) for r in rows if str(r.get("parent")) in views}
    roots = []
    for duty, view in views.items():
        if duty in parents and reaches_top(duty, parents):
            views[parents[duty]].subitems.append(view)
        else:
            roots.append(view)
    return roots


# --- the other parts of a unit --------------------------------------------------------------------------

def post_view(row: Q.Row) -> Post:
    holder = Person(id=str(row["holder"]), name=row.get("holder_name")) if row.get("holder") else None
    return Post(id=str(row["post"]), name=row.get("name"), alt_labels=Q.split_values(row.get("alt_labels")),
                is_head=bool(row.get("is_head")), holder=holder)


def contact_views(rows: list[Q.Row]) -> list[Contact]:
    contacts: dict[str, Contact] = {}
    for row in rows:
        contact = contacts.setdefault(str(row["contact"]), Contact(id=str(row["contact"])))
        getattr(contact, str(row["field"])).append(str(row["value"]))
    return list(contacts.values())


def cooperation_view(row: Q.Row) -> Cooperation:
    duty = DutyRef(id=str(row["duty_id"]), text=row.get("duty_text")) if row.get("duty_id") else None
    return Cooperation(id=str(row["link"]), partner=node_ref(str(row["partner"]), row, "partner_"),
                       stated_by=row.get("stated_by"), duty=duty, phrase=row.get("phrase"))


def source_view(row: Q.Row) -> Source:
    return Source(id=str(row["document"]), title=row.get("title"), kind=row.get("kind"),
                  landing_page=row.get("landing_page"), in_force_from=Q.text_or_none(row.get("in_force_from")),
                  in_force_until=Q.text_or_none(row.get("in_force_until")))


def out_of_force(span_rows: list[Q.Row], day: str) -> set[str]:
    """Duties none of whose sources is in force on `day` (ISO date; a source with no dates is in force)."""
    in_force: dict[str, bool] = {}
    for row in span_rows:
        start, end = Q.text_or_none(row.get("from")), Q.text_or_none(row.get("until"))
        ok = (start is None or start <= day) and (end is None or day < end)
        in_force[str(row["duty"])] = in_force.get(str(row["duty"]), False) or ok
    return {duty for duty, ok in in_force.items() if not ok}


UNIT_PARTS = (Q.POSTS, Q.CONTACTS, Q.SUBUNITS, Q.COOPERATION, Q.SOURCES)


async def load_unit(store: Store, iri: str, at: date | None = None) -> UnitDetail | None:
    """Everything the graph says about a department, unit or post; None when the IRI is none of them. Duties
    are those in force on `at` (default today). All its queries are asked at once (one round trip)."""
    if Q.iri_or_none(iri) is None:
        return None
    (names, facts), (duty_names, duty_facts), *parts = await Q.select_all(
        store, (Q.NODE_AND_REFS, Q.DUTIES, *UNIT_PARTS), node=iri)
    row = Q.node_row(iri, names, facts)
    if row is None or row.get("kind") not in UNIT_KINDS:
        return None
    posts, contacts, subunits, cooperation, sources = (Q.as_rows(*part) for part in parts)
    refs, spans = Q.node_refs(names, facts), span_rows(duty_names, duty_facts)
    dropped = out_of_force(spans, (at or date.today()).isoformat())
    duties = [d for d in duty_rows(iri, duty_names, duty_facts)
              if str(d["duty"]) not in dropped and str(d.get("parent")) not in dropped]
    tree, post_views = duty_tree(duties, spans_by_duty(spans)), [post_view(p) for p in posts]
    return UnitDetail(
        **node_ref(iri, row).model_dump(), alt_labels=Q.split_values(row.get("alt_labels")),
        unit_type=row.get("unit_type"), parent=ref_view(refs, row.get("parent")),
        department=ref_view(refs, row.get("dept")),
        municipality=Ref(id=str(row["office"]), name=row.get("municipality")) if row.get("office") else None,
        posts=post_views, heads=[p for p in post_views if p.is_head], contacts=contact_views(contacts),
        duties=[d for d in tree if not isinstance(d, SharedDuty)],
        shared_duties=[d for d in tree if isinstance(d, SharedDuty)],
        subunits=[node_ref(str(s["unit"]), s) for s in subunits],
        cooperation=[cooperation_view(c) for c in cooperation], sources=[source_view(s) for s in sources],
    )


# --- reporting ------------------------------------------------------------------------------------------

async def load_chain(store: Store, iri: str) -> Chain | None:
    """The reporting chain upwards, one komp:reportsTo step at a time (the first superior of each, by IRI),
    each with its provision. The node and the superiors of everything above it come in one round trip."""
    if Q.iri_or_none(iri) is None:
        return None
    (names, facts), superiors = await Q.select_all(store, (Q.NODE_FACTS, Q.SUPERIORS_UP), node=iri)
    row = Q.node_row(iri, names, facts)
    if row is None or row.get("kind") not in UNIT_KINDS:
        return None
    first_up: dict[str, Q.Row] = {}
    for up in Q.as_rows(*superiors):  # ordered by subordinate, then superior
        first_up.setdefault(str(up["sub"]), up)
    steps: list[ChainStep] = []
    seen, current = {iri}, iri
    for _ in range(MAX_CHAIN):
        up = first_up.get(current)
        if up is None or str(up["superior"]) in seen:
            break
        current = str(up["superior"])
        seen.add(current)
        steps.append(ChainStep(node=node_ref(current, up), provision=provision_ref(up),
                               reporting_line=up.get("reporting_line")))
    return Chain(node=node_ref(iri, row), chain=steps)


def tree_views(tree: nx.DiGraph, node: str) -> list[TreeNode]:
    views = []
    for child in ordered_children(tree, node):
        data, edge = tree.nodes[child], tree.edges[node, child]
        views.append(TreeNode(
            node=NodeRef(id=child, name=data.get("name"), symbol=data.get("symbol"), kind=data.get("kind")),
            relation=edge["rel"], is_head=bool(data.get("is_head")), holder_name=data.get("holder_name"),
            provision=provision_ref(edge), children=tree_views(tree, child)))
    return views


async def load_structure(store: Store, iri: str) -> tuple[Q.Row, list[Q.Row]] | None:
    """The node's row and every edge of the structure below it (STRUCTURE_BELOW)."""
    row = await load_node(store, iri)
    if row is None or row.get("kind") not in UNIT_KINDS | {"office"}:
        return None
    return row, await Q.select(store, Q.STRUCTURE_BELOW, node=iri)


async def load_subordinates(store: Store, iri: str) -> Subordinates | None:
    found = await load_structure(store, iri)
    if found is None:
        return None
    row, rows = found
    tree = spanning_tree(structure_graph(iri, rows, dict(row)), iri)
    return Subordinates(node=node_ref(iri, row), children=tree_views(tree, iri))


# --- listing --------------------------------------------------------------------------------------------

def summary_view(row: Q.Row) -> UnitSummary:
    department = NodeRef(id=str(row["dept"]), kind="department")
    municipality = Ref(id=str(row["office"]), name=row.get("municipality"))
    return UnitSummary(**node_ref(str(row["unit"]), row).model_dump(), unit_type=row.get("unit_type"),
                       department=department, municipality=municipality)


def name_matches(wanted: str, name: Q.Value) -> bool:
    """Every word of the wanted name occurs in the name, ignoring case and diacritics."""
    folded = Q.fold(str(name or ""))
    return all(word in folded for word in Q.fold(wanted).split())


def with_department_names(units: list[UnitSummary], rows: list[Q.Row]) -> list[UnitSummary]:
    names = {str(r["unit"]): (r.get("name"), r.get("symbol")) for r in rows}
    for unit in units:
        if unit.department:
            unit.department.name, unit.department.symbol = names.get(unit.department.id, (None, None))
    return units


async def list_units(store: Store, municipality: str | None, symbol: str | None,
                     name: str | None) -> list[UnitSummary]:
    """Units matching every filter given; a blank filter is no filter, an unknown municipality matches none."""
    office = await resolve_office(store, municipality) if municipality else None
    if municipality and office is None:
        return []
    rows = await Q.select(store, Q.UNITS, **({"office": office.id} if office else {}))
    wanted_symbol = (symbol or "").strip().casefold()
    picked = [r for r in rows
              if (not wanted_symbol or str(r.get("symbol") or "").casefold() == wanted_symbol)
              and (not name or name_matches(name, r.get("name")))]
    picked.sort(key=lambda r: (str(r["office"]), str(r["dept"]), r["unit"] != r["dept"], str(r.get("symbol") or ""),
                               Q.fold(str(r.get("name") or ""))))
    return with_department_names([summary_view(r) for r in picked], rows)


# --- endpoints (the fixed suffixes first: {id:path} would swallow them) ---------------------------------

@router.get("/units/{id:path}/chain", response_model=Chain,
            summary="The reporting chain upwards (komp:reportsTo, step by step, with provisions)")
async def unit_chain(id: IdPath, store: StoreDep, settings: SettingsDep) -> Response:
    chain = await load_chain(store, iri_for(settings.base_iri, id))
    if chain is None:
        raise NotFound(f"No unit {id!r} in the graph.")
    return model_response(chain)


@router.get("/units/{id:path}/subordinates", response_model=Subordinates,
            summary="The structure below: posts and units reporting to it (recursively) and sub-units")
async def unit_subordinates(id: IdPath, store: StoreDep, settings: SettingsDep) -> Subordinates:
    tree = await load_subordinates(store, iri_for(settings.base_iri, id))
    if tree is None:
        raise NotFound(f"No unit {id!r} in the graph.")
    return tree


AtQuery = Annotated[date | None, Query(description="Only duties in force on this day (ISO date); default today")]


@router.get("/units/{id:path}", response_model=UnitDetail,
            summary="A department, unit or post: posts, contacts, duties with provisions and sources")
async def unit(id: IdPath, store: StoreDep, settings: SettingsDep, at: AtQuery = None) -> Response:
    detail = await load_unit(store, iri_for(settings.base_iri, id), at)
    if detail is None:
        raise NotFound(f"No unit {id!r} in the graph.")
    return model_response(detail)


@router.get("/units", response_model=UnitList, summary="Departments and units, filtered")
async def units(
    store: StoreDep,
    municipality: Annotated[str | None, Query(max_length=200, description="Name or TERYT code")] = None,
    symbol: Annotated[str | None, Query(max_length=100, description="Exact symbol, any case (e.g. OR-01)")] = None,
    name: Annotated[str | None, Query(max_length=300, description="Words of the name, any case")] = None,
) -> UnitList:
    found = await list_units(store, municipality, symbol, name)
    return UnitList(count=len(found), units=found)
