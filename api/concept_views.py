"""Response models of the concepts, compare, similar-units and overlaps endpoints (they describe /docs).

A concept is named by its IRI (``id``) and its ``slug`` (the IRI after ``https://w3id.org/kompetencje/concept/``,
the ``{id}`` of ``/api/concepts/{id}``). Units and duties carry their full IRIs as ``id``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from kompetencje.api.views import ProvisionRef, Ref, UnitRef

# --- concepts -------------------------------------------------------------------------------------------


class ConceptRef(BaseModel):
    id: str = Field(description="IRI of the skos:Concept")
    slug: str = Field(description="The IRI after the concept base: the {id} of /api/concepts/{id}")
    pref_label: dict[str, str] = Field({}, description='skos:prefLabel by language: {"pl": ..., "en": ...}')


class ConceptCounts(BaseModel):
    duties: int = Field(0, description="Duty items (top-level and sub-items) with the concept as dct:subject")
    units: int = Field(0, description="Distinct units and departments holding such a duty")
    municipalities: int = Field(0, description="Distinct offices of those holders")


class ConceptSummary(ConceptRef):
    broader: list[str] = Field([], description="IRIs of the broader concepts (skos:broader)")
    narrower: list[str] = Field([], description="IRIs of the narrower concepts (inverse of skos:broader)")
    counts: ConceptCounts = Field(description="Duties classified with this very concept")
    counts_with_narrower: ConceptCounts = Field(
        description="Duties classified with this concept or any concept below it (skos:broader*)")


class ConceptList(BaseModel):
    count: int
    concepts: list[ConceptSummary]


class DutyBrief(BaseModel):
    id: str = Field(description="IRI of the komp:Duty")
    text: str | None = None
    provision: ProvisionRef | None = None


class HolderDuties(BaseModel):
    """A unit (or department) and its duties under one concept."""

    unit: UnitRef
    duties: list[DutyBrief]


class MunicipalityHolders(BaseModel):
    municipality: Ref = Field(description="The office (IRI) and the municipality's name")
    units: list[HolderDuties]


class ConceptDetail(ConceptRef):
    alt_labels: dict[str, list[str]] = Field({}, description="skos:altLabel by language")
    definition: dict[str, str] = Field({}, description="skos:definition by language")
    broader: list[ConceptRef] = []
    narrower: list[ConceptRef] = []
    municipality: Ref | None = Field(None, description="The municipality filter, when one was given")
    duties: int = Field(0, description="Duties listed below")
    units: int = Field(0, description="Units listed below")
    municipalities: list[MunicipalityHolders] = Field(
        [], description="Who holds the concept: municipality → unit → duties classified with the concept")


# --- compare --------------------------------------------------------------------------------------------


class UnitInMunicipality(UnitRef):
    municipality: Ref | None = None


class ConceptDuties(BaseModel):
    concept: ConceptRef
    duties: list[DutyBrief]


class SharedConcept(BaseModel):
    concept: ConceptRef
    a: list[DutyBrief] = Field(description="Duties of unit a with the concept")
    b: list[DutyBrief] = Field(description="Duties of unit b with the concept")


class DutyPair(BaseModel):
    a: DutyBrief
    b: DutyBrief
    score: float = Field(description="text_weight × text_similarity + concept_weight × concept_overlap")
    text_similarity: float = Field(description="Cosine of the idf-weighted lemma sets of the two texts")
    concept_overlap: float = Field(description="Jaccard index of the two duties' concept sets")
    shared_terms: list[str] = Field([], description="The lemmas both texts have, most distinctive first")
    shared_concepts: list[str] = Field([], description="IRIs of the concepts both duties have")


class Comparison(BaseModel):
    a: UnitInMunicipality
    b: UnitInMunicipality
    shared: list[SharedConcept] = Field(description="Concepts both units hold, with each side's duties")
    only_a: list[ConceptDuties]
    only_b: list[ConceptDuties]
    pairs: list[DutyPair] = Field(description="Duty pairs that say the same thing, best first")
    threshold: float = Field(description="Pairs with a lower score (or text similarity) are left out")


# --- similar units --------------------------------------------------------------------------------------


class SimilarUnit(BaseModel):
    unit: UnitRef
    municipality: Ref
    score: float = Field(description="concept_weight × concept_similarity + text_weight × text_similarity")
    concept_similarity: float = Field(description="Cosine of the idf-weighted concept vectors")
    text_similarity: float = Field(description="Cosine of the idf-weighted lemma vectors of all duties")
    shared_concepts: list[ConceptRef] = Field([], description="Concepts both hold, most telling first")


class SimilarUnits(BaseModel):
    unit: UnitInMunicipality
    results: list[SimilarUnit] = Field(description="Units of other municipalities, most similar first")


# --- overlaps -------------------------------------------------------------------------------------------


class Overlap(BaseModel):
    concept: ConceptRef
    units: list[HolderDuties] = Field(description="Two or more units of the office, each with its duties")


class Overlaps(BaseModel):
    municipality: Ref
    overlaps: list[Overlap] = Field(description="Concepts held by more than one unit, most shared first")
