"""The document model: what a loader recognised in one source document, before any RDF.

Plain dataclasses, no behaviour beyond small conveniences. Everything refers to other things of the same
document by *key* (a document-local string). Line numbers are 1-based and point into `Document.lines`,
the lines of the reader's text (SourceText.text) as they were before glued words were split.

Pipeline: bytes --read--> SourceText --extract--> Document --to_graph--> rdflib Graph (one named graph).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

UnitKind = Literal["department", "unit", "post-unit"]
"""department: a Wydział/Biuro/Kancelaria directly under the office; unit: a Referat/Zespół/Biuro inside a
department; post-unit: a single-person post that holds duties like a unit (samodzielne stanowisko,
rzecznik prasowy, pełnomocnik)."""


@dataclass(frozen=True)
class Span:
    """Lines start..end (1-based, inclusive) of Document.lines."""

    start: int
    end: int


@dataclass(frozen=True)
class Provision:
    """A place in a legal act: § 5 ust. 2 pkt 6 lit. b (any part may be missing)."""

    paragraph: str | None = None
    section: str | None = None  # ust.
    point: str | None = None  # pkt
    letter: str | None = None  # lit.

    @property
    def label(self) -> str:
        parts = []
        if self.paragraph:
            parts.append(f"§ {self.paragraph}")
        if self.section:
            parts.append(f"ust. {self.section}")
        if self.point:
            parts.append(f"pkt {self.point}")
        if self.letter:
            parts.append(f"lit. {self.letter}")
        return " ".join(parts)

    @property
    def fragment(self) -> str:
        """IRI fragment: par5-ust2-pkt6-litb."""
        parts = []
        for prefix, value in (("par", self.paragraph), ("ust", self.section), ("pkt", self.point),
                              ("lit", self.letter)):
            if value:
                parts.append(f"{prefix}{value}")
        return "-".join(parts)

    def with_point(self, point: str) -> Provision:
        return Provision(self.paragraph, self.section, point, None)


@dataclass
class DutyItem:
    """One numbered item of a duty list, with its sub-items (a), a/, -, ...)."""

    number: str  # "5", "b", "ł"; dash items are numbered by position: "1", "2"
    marker: str  # the marker as written: "5)", "5.", "b)", "a/", "-"
    text: str  # verbatim, lines joined by one space, the list punctuation at the end (; , .) removed
    span: Span
    subitems: list[DutyItem] = field(default_factory=list)


@dataclass
class DutyList:
    """The duties a document gives to one holder in one place."""

    holder: str  # key of an OrgUnit or Post
    items: list[DutyItem]
    span: Span
    provision: Provision | None = None  # the § that lists them, in a legal act
    group: str | None = None  # a heading the numbering restarts under: "ZADANIA WŁASNE", "w zakresie kadr"
    group_number: str | None = None  # "I", "II" when the heading is numbered
    shared: bool = False  # for all units of the holder department: "Wszystkie komórki ... są odpowiedzialne za"
    declaration: str | None = None  # the sentence that introduced the list


@dataclass
class OrgUnit:
    key: str
    name: str | None  # nominative, as a person would write it
    kind: UnitKind
    symbol: str | None = None
    parent: str | None = None  # key of the department (for units)
    unit_type: str | None = None  # lemma of the head noun: "referat", "biuro", "wydział", "stanowisko"
    alt_names: list[str] = field(default_factory=list)
    span: Span | None = None


@dataclass
class Post:
    key: str
    title: str  # nominative: "Dyrektor Wydziału", "Zastępca Dyrektora ds. Promocji", "Kierownik Referatu"
    unit: str  # key of the OrgUnit the post is in
    holder: str | None = None  # person's name, when the document names one
    also: list[str] = field(default_factory=list)  # other roles the post holds: "Rzecznik Prasowy Prezydenta ..."
    is_head: bool = False  # heads its unit
    provision: Provision | None = None
    span: Span | None = None


@dataclass
class ReportingLine:
    subordinate: str  # key of an OrgUnit or Post
    superior: str  # key of a Post or OrgUnit
    span: Span
    provision: Provision | None = None
    note: str | None = None  # how an irregular mention was resolved


@dataclass
class ExternalOrganisation:
    """Something a duty names as a partner that this document does not describe."""

    key: str
    name: str  # nominative
    kind: Literal["department", "organisation"] = "organisation"  # department: of the same office


@dataclass(frozen=True)
class DutyRef:
    list_index: int  # index into Document.duty_lists
    path: tuple[str, ...]  # item numbers from the top: ("7", "c")


@dataclass
class Cooperation:
    party: str  # key of the OrgUnit or Post whose duty states the cooperation
    partner: str  # key of an OrgUnit, Post or ExternalOrganisation
    duty: DutyRef
    phrase: str  # the words it was read from: "w ścisłej współpracy z Biurem Promocji"
    span: Span


@dataclass
class Contact:
    of: str  # key of an OrgUnit
    span: Span
    addresses: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    rooms: list[str] = field(default_factory=list)


@dataclass
class ActReference:
    number: str | None  # "3550/2018"
    date: date | None
    title: str | None = None
    kind: str | None = None  # "Zarządzenie", "Uchwała"


@dataclass
class LegalAct:
    kind: str  # "Zarządzenie", "Uchwała"
    number: str  # "123/2020"
    span: Span
    issuer: str | None = None  # nominative: "Prezydent Miasta Krakowa"
    date: date | None = None  # date_document
    title: str | None = None  # full title, one line
    subject: str | None = None  # "w sprawie ..."
    based_on: str | None = None  # the legal basis as written
    in_force_from: date | None = None
    repeals: list[ActReference] = field(default_factory=list)
    amends: list[ActReference] = field(default_factory=list)


@dataclass
class Municipality:
    name: str | None  # nominative: "Kraków"
    teryt: str | None = None  # 7-digit TERC gmina code: "1261011"
    office_name: str | None = None  # "Urząd Miasta Krakowa"
    abbreviations: list[str] = field(default_factory=list)  # "UMK"
    evidence: str = ""  # "metadata" or where in the text it was read


@dataclass
class SourceMeta:
    """What a metadata sidecar says (or what could be inferred without one)."""

    doc_id: str  # stable key: the file name without extension
    path: str
    kind: str | None = None  # "ordinance", "bip-page", "duties-page", ...
    url: str | None = None
    retrieved: date | None = None  # when the original was fetched from its URL
    received: date | None = None  # when the project received this copy
    title: str | None = None
    municipality: str | None = None
    teryt: str | None = None
    office_name: str | None = None
    abbreviations: list[str] = field(default_factory=list)  # the office's own: "UMK"
    has_sidecar: bool = False
    priority: int = 0  # higher wins when sources disagree (an act over a web page)


@dataclass
class NoiseBlock:
    span: Span
    reason: str  # "navigation", "cookie notice", "portal footer", "slogan", ...


@dataclass
class Finding:
    """A warning about the document, with how sure the loader is."""

    message: str
    span: Span | None = None
    confidence: float = 1.0


@dataclass
class SourceText:
    """What a format reader hands to the extractor."""

    text: str  # normalised, one logical line per line
    format: str  # "text", "markdown", "html", "pdf", "docx"
    encoding: str | None = None
    title: str | None = None  # <title>, PDF title, DOCX core title
    breadcrumb: list[str] = field(default_factory=list)
    url_path: str | None = None
    noise: list[NoiseBlock] = field(default_factory=list)  # removed by the reader, in original terms
    findings: list[Finding] = field(default_factory=list)
    quality: float = 1.0  # 0..1, OCR/encoding damage lowers it


@dataclass
class Document:
    meta: SourceMeta
    lines: list[str]
    municipality: Municipality
    units: list[OrgUnit] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    duty_lists: list[DutyList] = field(default_factory=list)
    reporting: list[ReportingLine] = field(default_factory=list)
    cooperation: list[Cooperation] = field(default_factory=list)
    external: list[ExternalOrganisation] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    act: LegalAct | None = None
    noise: list[NoiseBlock] = field(default_factory=list)
    reader_noise: list[NoiseBlock] = field(default_factory=list)  # removed by the format reader; spans count
    # lines of the raw page (HTML/PDF) before removal, not Document.lines
    findings: list[Finding] = field(default_factory=list)
    format: str = "text"
    quality: float = 1.0

    def unit(self, key: str) -> OrgUnit | None:
        return next((u for u in self.units if u.key == key), None)

    def post(self, key: str) -> Post | None:
        return next((p for p in self.posts if p.key == key), None)
