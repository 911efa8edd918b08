"""Router: concepts — the competence scheme (ontology/concepts.ttl) and who holds each concept.

Every komp:Duty has ``dct:subject`` concepts of the SKOS scheme, which the build loads into the graph
``{base}graph/concepts``; these queries read the default graph (the union). A unit *holds* a concept when
one of its duties (``komp:hasDuty|^komp:dutyOf|komp:hasSharedDuty``, sub-items included) has it as
``dct:subject``. Counts come as SPARQL aggregates, once for the concept itself (``counts``) and once with the
duties of the concepts below it (``counts_with_narrower``, ``dct:subject/skos:broader*``).

- ``GET /api/concepts``: the scheme with the counts;
- ``GET /api/concepts/{slug}``: one concept, its labels, and municipality → unit → duties holding it;
- ``GET /api/municipalities/{id}/overlaps``: concepts held by two or more units of one office.

User input only ever reaches a query as a bound IRI (``?concept``, ``?office``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Path, Query

from kompetencje.api import queries as Q
from kompetencje.api.concept_views import (
    ConceptCounts,
    ConceptDetail,
    ConceptList,
    ConceptRef,
    ConceptSummary,
    DutyBrief,
    HolderDuties,
    MunicipalityHolders,
    Overlap,
    Overlaps,
)
from kompetencje.api.deps import SettingsDep, StoreDep
from kompetencje.api.problems import NotFound, OrjsonResponse
from kompetencje.api.routers.municipalities import resolve_office
from kompetencje.api.store import Store
from kompetencje.api.views import ProvisionRef, Ref, UnitRef
from kompetencje.search.concepts import CONCEPT_BASE

router = APIRouter(prefix="/api", tags=["concepts"], default_response_class=OrjsonResponse)

SKOS = "http://www.w3.org/2004/02/skos/core#"

# Labels, definitions and hierarchy of every concept (one row per value; ?lang for literals).
CONCEPT_LABELS = Q.PREFIXES + """
SELECT ?concept ?property ?value (LANG(?value) AS ?lang)
WHERE {
  ?concept a skos:Concept .
  { VALUES ?property { skos:prefLabel skos:altLabel skos:definition skos:broader }
    ?concept ?property ?value . }
  UNION
  { ?value skos:broader ?concept . ?value a skos:Concept . BIND(skos:narrower AS ?property) }
}
"""

# Who holds a duty: its own holder or the holder of the top-level duty it is a sub-item of, under a
# department of an office.
HOLDER_PATTERN = """
  ?duty komp:subDutyOf* ?top .
  ?holder komp:hasDuty|^komp:dutyOf|komp:hasSharedDuty ?top .
  ?holder org:subOrganizationOf* ?dept .
  ?dept a komp:Department ; org:unitOf ?office .
"""

_COUNTS = Q.PREFIXES + """
SELECT ?concept (COUNT(DISTINCT ?duty) AS ?duties) (COUNT(DISTINCT ?holder) AS ?units)
       (COUNT(DISTINCT ?office) AS ?municipalities)
WHERE {
  ?concept a skos:Concept .
  ?duty SUBJECT ?concept .
""" + HOLDER_PATTERN + """
}
GROUP BY ?concept
"""
CONCEPT_COUNTS = _COUNTS.replace("SUBJECT", "dct:subject")
CONCEPT_COUNTS_WITH_NARROWER = _COUNTS.replace("SUBJECT", "dct:subject/skos:broader*")

# The duties classified with a concept and their holders: bind ?concept, ?office or both.
CONCEPT_HOLDERS = Q.PREFIXES + """
SELECT ?concept ?office ?holder ?duty (SAMPLE(?t) AS ?text) (SAMPLE(?pv) AS ?provision)
       (SAMPLE(?pvl) AS ?provision_label) (SAMPLE(?hl) AS ?holder_name) (SAMPLE(?hs) AS ?holder_symbol)
       (SAMPLE(?mn) AS ?municipality) (SAMPLE(?s) AS ?sequence) (SAMPLE(?n) AS ?item_number)
WHERE {
  ?duty dct:subject ?concept .
  ?concept a skos:Concept .
""" + HOLDER_PATTERN + """
  OPTIONAL { ?duty dct:description ?t }
  OPTIONAL { ?duty komp:provision ?pv . OPTIONAL { ?pv eli:number ?pvl } }
  OPTIONAL { ?duty komp:sequence ?s }
  OPTIONAL { ?duty komp:itemNumber ?n }
  OPTIONAL { ?holder skos:prefLabel ?hl }
  OPTIONAL { ?holder skos:notation ?hs }
  OPTIONAL { ?office komp:municipalityName ?mn }
}
GROUP BY ?concept ?office ?holder ?duty
"""


# --- the scheme -----------------------------------------------------------------------------------------

@dataclass
class SchemeConcept:
    """A concept of the scheme as the store has it."""

    iri: str
    pref: dict[str, str] = field(default_factory=dict)
    alt: dict[str, list[str]] = field(default_factory=dict)
    definition: dict[str, str] = field(default_factory=dict)
    broader: set[str] = field(default_factory=set)
    narrower: set[str] = field(default_factory=set)

    @property
    def slug(self) -> str:
        return self.iri.removeprefix(CONCEPT_BASE)

    def ref(self) -> ConceptRef:
        return ConceptRef(id=self.iri, slug=self.slug, pref_label=dict(sorted(self.pref.items())))

    def add(self, prop: str, value: str, lang: str) -> None:
        if prop == "prefLabel":
            self.pref.setdefault(lang, value)
        elif prop == "altLabel":
            self.alt.setdefault(lang, []).append(value)
        elif prop == "definition":
            self.definition.setdefault(lang, value)
        elif prop in ("broader", "narrower"):
            getattr(self, prop).add(value)


async def load_scheme_concepts(store: Store) -> dict[str, SchemeConcept]:
    """Every skos:Concept of the store by IRI, with labels, definitions, broader and narrower."""
    concepts: dict[str, SchemeConcept] = {}
    for row in await Q.select(store, CONCEPT_LABELS):
        iri = str(row["concept"])
        concept = concepts.setdefault(iri, SchemeConcept(iri))
        concept.add(str(row["property"]).removeprefix(SKOS), str(row["value"]), str(row.get("lang") or ""))
    for concept in concepts.values():
        for values in concept.alt.values():
            values.sort()
    return dict(sorted(concepts.items()))


def concept_ref(concepts: dict[str, SchemeConcept], iri: str) -> ConceptRef:
    found = concepts.get(iri)
    return found.ref() if found else ConceptRef(id=iri, slug=iri.removeprefix(CONCEPT_BASE))


def counts_by_concept(rows: list[Q.Row]) -> dict[str, ConceptCounts]:
    return {str(r["concept"]): ConceptCounts(duties=int(r.get("duties") or 0), units=int(r.get("units") or 0),
                                             municipalities=int(r.get("municipalities") or 0)) for r in rows}


# Counts over the whole store cost time in proportion to it, and a build's store never changes: they are
# counted once per store (the latest few stores, as the similarity corpus in compare.py is kept).
Counts = tuple[dict[str, ConceptCounts], dict[str, ConceptCounts]]
_COUNTS: list[tuple[Store, Counts]] = []
MAX_COUNTED_STORES = 2


async def concept_counts(store: Store) -> Counts:
    """Per concept the counts of its own duties and of those with the concepts below it."""
    for owner, counts in _COUNTS:
        if owner is store:
            return counts
    direct, below = await asyncio.gather(Q.select(store, CONCEPT_COUNTS), Q.select(store, CONCEPT_COUNTS_WITH_NARROWER))
    counts = (counts_by_concept(direct), counts_by_concept(below))
    _COUNTS.append((store, counts))
    del _COUNTS[:-MAX_COUNTED_STORES]
    return counts


async def list_concepts(store: Store) -> ConceptList:
    concepts = await load_scheme_concepts(store)
    direct, below = await concept_counts(store)
    summaries = [ConceptSummary(**c.ref().model_dump(), broader=sorted(c.broader), narrower=sorted(c.narrower),
                                counts=direct.get(iri, ConceptCounts()),
                                counts_with_narrower=below.get(iri, ConceptCounts()))
                 for iri, c in concepts.items()]
    return ConceptList(count=len(summaries), concepts=summaries)


# --- holders --------------------------------------------------------------------------------------------

def duty_brief(row: Q.Row) -> DutyBrief:
    provision = ProvisionRef(id=str(row["provision"]), label=row.get("provision_label")) \
        if row.get("provision") else None
    return DutyBrief(id=str(row["duty"]), text=row.get("text"), provision=provision)


def holder_views(rows: list[Q.Row]) -> list[HolderDuties]:
    """One entry per holder (by symbol, then name), its duties in list order."""
    by_holder: dict[str, list[Q.Row]] = {}
    for row in sorted(rows, key=Q.list_order):
        by_holder.setdefault(str(row["holder"]), []).append(row)
    views = [HolderDuties(unit=UnitRef(id=holder, name=found[0].get("holder_name"),
                                       symbol=found[0].get("holder_symbol")),
                          duties=[duty_brief(r) for r in found]) for holder, found in by_holder.items()]
    return sorted(views, key=lambda v: (str(v.unit.symbol or ""), Q.fold(v.unit.name), v.unit.id))


def municipality_views(rows: list[Q.Row]) -> list[MunicipalityHolders]:
    by_office: dict[str, list[Q.Row]] = {}
    for row in rows:
        by_office.setdefault(str(row["office"]), []).append(row)
    views = [MunicipalityHolders(municipality=Ref(id=office, name=found[0].get("municipality")),
                                 units=holder_views(found)) for office, found in by_office.items()]
    return sorted(views, key=lambda v: (Q.fold(v.municipality.name), v.municipality.id))


def concept_iri(slug: str) -> str:
    """The IRI of a concept slug; NotFound when the slug cannot be part of an IRI."""
    iri = CONCEPT_BASE + slug.strip()
    if not slug.strip() or "/" in slug or Q.iri_or_none(iri) is None:
        raise NotFound(f"No concept {slug!r} in the scheme.")
    return iri


async def load_concept(store: Store, base: str, slug: str, municipality: str | None) -> ConceptDetail:
    """A concept with who holds it (of one municipality when one is named: an unknown one holds nothing)."""
    iri = concept_iri(slug)
    concepts = await load_scheme_concepts(store)
    if iri not in concepts:
        raise NotFound(f"No concept {slug!r} in the scheme.")
    office = await resolve_office(store, municipality, base) if municipality else None
    rows = [] if municipality and office is None else await Q.select(
        store, CONCEPT_HOLDERS, concept=iri, **({"office": office.id} if office else {}))
    found, concept = municipality_views(rows), concepts[iri]
    return ConceptDetail(
        **concept.ref().model_dump(), alt_labels=dict(sorted(concept.alt.items())),
        definition=dict(sorted(concept.definition.items())),
        broader=[concept_ref(concepts, b) for b in sorted(concept.broader)],
        narrower=[concept_ref(concepts, n) for n in sorted(concept.narrower)],
        municipality=Ref(id=office.id, name=office.name) if office else None,
        duties=len({str(r["duty"]) for r in rows}), units=len({str(r["holder"]) for r in rows}),
        municipalities=found)


# --- overlaps -------------------------------------------------------------------------------------------

async def load_overlaps(store: Store, base: str, id: str) -> Overlaps:
    """Concepts that two or more units of one office hold, each unit with its duties under the concept."""
    office = await resolve_office(store, id, base)
    if office is None:
        raise NotFound(f"No municipality {id!r} in the graph.")
    rows, concepts = await Q.select(store, CONCEPT_HOLDERS, office=office.id), await load_scheme_concepts(store)
    by_concept: dict[str, list[Q.Row]] = {}
    for row in rows:
        by_concept.setdefault(str(row["concept"]), []).append(row)
    overlaps = [Overlap(concept=concept_ref(concepts, iri), units=holder_views(found))
                for iri, found in by_concept.items() if len({str(r["holder"]) for r in found}) > 1]
    overlaps.sort(key=lambda o: (-len(o.units), -sum(len(u.duties) for u in o.units), o.concept.slug))
    return Overlaps(municipality=Ref(id=office.id, name=office.name), overlaps=overlaps)


# --- endpoints ------------------------------------------------------------------------------------------

SlugPath = Annotated[str, Path(description="The concept's slug, e.g. participatory-budget")]
MunicipalityQuery = Annotated[str | None, Query(max_length=200, description="Name, TERYT code or IRI path")]


@router.get("/concepts", response_model=ConceptList,
            summary="The competence concepts (SKOS) with how many duties, units and municipalities hold each")
async def concepts(store: StoreDep) -> ConceptList:
    return await list_concepts(store)


@router.get("/concepts/{id}", response_model=ConceptDetail,
            summary="A concept: labels, definition, and which units of which municipalities hold it, with duties")
async def concept(id: SlugPath, store: StoreDep, settings: SettingsDep,
                  municipality: MunicipalityQuery = None) -> ConceptDetail:
    return await load_concept(store, settings.base_iri, id, municipality)


@router.get("/municipalities/{id:path}/overlaps", response_model=Overlaps,
            summary="Concepts held by more than one unit of the same office (possible duplication)")
async def overlaps(
    store: StoreDep, settings: SettingsDep,
    id: Annotated[str, Path(description="IRI path of the office (e.g. 1261011), or a TERYT code or name")],
) -> Overlaps:
    return await load_overlaps(store, settings.base_iri, id)
