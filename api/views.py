"""Response models of the units, competences and municipalities endpoints (they describe /docs).

Every object that names a thing of the graph carries its full IRI as ``id``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

NodeKind = Literal["office", "department", "unit", "post-unit", "post", "external", "other"]


class Ref(BaseModel):
    id: str = Field(description="Full IRI")
    name: str | None = None


class NodeRef(Ref):
    """A unit, department, post, office or external organisation, named briefly."""

    symbol: str | None = None
    kind: NodeKind = "other"


class ProvisionRef(BaseModel):
    id: str = Field(description="IRI of the provision (eli:LegalResourceSubdivision)")
    label: str | None = Field(None, description='e.g. "§ 3 ust. 3"')


# --- municipalities -------------------------------------------------------------------------------------

class MunicipalitySummary(BaseModel):
    id: str = Field(description="IRI of the office")
    name: str | None = Field(None, description="Municipality name (komp:municipalityName)")
    teryt: str | None = None
    office_name: str | None = None
    alt_labels: list[str] = []
    departments: int = 0
    units: int = 0
    duties: int = Field(0, description="Top-level duty items, own and shared")


class MunicipalityList(BaseModel):
    municipalities: list[MunicipalitySummary]


class CooperationNode(NodeRef):
    degree: int = Field(description="Number of distinct cooperation partners")
    betweenness: float = Field(description="Normalised betweenness centrality (networkx)")


class CooperationEdge(BaseModel):
    id: str = Field(description="IRI of the komp:CooperationLink")
    source: str
    target: str
    stated_by: str | None = None
    duty: str | None = Field(None, description="IRI of the duty the link comes from")
    phrase: str | None = None


class CooperationNetwork(BaseModel):
    municipality: Ref
    nodes: list[CooperationNode]
    edges: list[CooperationEdge]


# --- units ----------------------------------------------------------------------------------------------

class UnitSummary(NodeRef):
    unit_type: str | None = None
    department: NodeRef | None = None
    municipality: Ref | None = None


class UnitList(BaseModel):
    count: int
    units: list[UnitSummary]


class SourceSpan(BaseModel):
    id: str = Field(description="IRI of the span: document IRI with #line=start,end (RFC 5147)")
    document: str | None = None
    document_title: str | None = None
    start: int | None = None
    end: int | None = None


class Duty(BaseModel):
    id: str
    text: str | None = None
    item_number: str | None = None
    group: str | None = None
    provision: ProvisionRef | None = None
    sources: list[SourceSpan] = []
    subitems: list[Duty] = []


class SharedDuty(Duty):
    held_by: str | None = Field(None, description="IRI of the department that holds the shared duty")


class Person(BaseModel):
    id: str
    name: str | None = None


class Post(BaseModel):
    id: str
    name: str | None = None
    alt_labels: list[str] = []
    is_head: bool = False
    holder: Person | None = None


class Contact(BaseModel):
    id: str
    telephone: list[str] = []
    email: list[str] = []
    fax: list[str] = []
    address: list[str] = []
    room: list[str] = []
    page: list[str] = []


class DutyRef(BaseModel):
    id: str
    text: str | None = None


class Cooperation(BaseModel):
    id: str = Field(description="IRI of the komp:CooperationLink")
    partner: NodeRef
    stated_by: str | None = None
    duty: DutyRef | None = None
    phrase: str | None = None


class Source(BaseModel):
    id: str
    title: str | None = None
    kind: str | None = None
    landing_page: str | None = None
    in_force_from: str | None = Field(None, description="Entry into force of the act the document holds")
    in_force_until: str | None = Field(None, description="First day no longer in force (the act was repealed)")


class UnitDetail(NodeRef):
    alt_labels: list[str] = []
    unit_type: str | None = None
    parent: NodeRef | None = None
    department: NodeRef | None = None
    municipality: Ref | None = None
    posts: list[Post] = []
    heads: list[Post] = []
    contacts: list[Contact] = []
    duties: list[Duty] = []
    shared_duties: list[SharedDuty] = []
    subunits: list[NodeRef] = []
    cooperation: list[Cooperation] = []
    sources: list[Source] = []


class ChainStep(BaseModel):
    node: NodeRef = Field(description="The superior reached at this step")
    provision: ProvisionRef | None = Field(None, description="The provision that states this reporting line")
    reporting_line: str | None = Field(None, description="IRI of the komp:ReportingLine")


class Chain(BaseModel):
    node: NodeRef
    chain: list[ChainStep]


class TreeNode(BaseModel):
    node: NodeRef
    relation: Literal["reportsTo", "postIn", "subOrganizationOf"]
    is_head: bool = False
    holder_name: str | None = None
    provision: ProvisionRef | None = None
    children: list[TreeNode] = []


class Subordinates(BaseModel):
    node: NodeRef
    children: list[TreeNode]


# --- competences ----------------------------------------------------------------------------------------

class SubItem(BaseModel):
    id: str
    text: str | None = None
    item_number: str | None = None


class CompetenceDuty(BaseModel):
    id: str
    text: str
    provision: ProvisionRef | None = None
    subitems: list[SubItem] = []
    parent_text: str | None = Field(None, description="Text of the duty this one is a sub-item of (for a deeper "
                                    "item, the chain from the top-level duty, joined by ' › ')")
    parent: dict[str, str] | None = Field(None, description="The duty this one is a sub-item of: id and text")


class UnitRef(BaseModel):
    id: str
    name: str | None = None
    symbol: str | None = None


class CompetenceHit(BaseModel):
    duty: CompetenceDuty
    unit: UnitRef
    department: UnitRef
    municipality: Ref
    score: float
    explanation: dict[str, Any] | None = Field(
        None, description="Why it matched: the query's lemmas found per field (text, context, org), the "
        "competence concepts the query named and whether the duty is classified under them, the duty's concepts")


class CompetenceAnswer(BaseModel):
    query: str
    results: list[CompetenceHit]
