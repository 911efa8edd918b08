"""Document model → RDF: the facts of one source document as one graph (docs/graph.md).

`document_to_graph(doc, iris, canon)` is pure: same inputs, same triples. `Canonical` carries the choices
made across documents (which name and which duty text win where sources disagree).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import XSD, Graph, Literal, URIRef

from kompetencje.loaders.iris import DocumentIris, duty_list_prefix, item_paths
from kompetencje.loaders.model import (
    Contact,
    Cooperation,
    Document,
    DutyItem,
    DutyList,
    LegalAct,
    OrgUnit,
    Post,
    Provision,
    ReportingLine,
    Span,
)
from kompetencje.vocab import CV, DCAT, DCT, ELI, FOAF, KOMP, ORG, PROV, RDF, SKOS

UNIT_CLASSES = {"department": KOMP.Department, "unit": KOMP.Unit, "post-unit": KOMP.SinglePersonPost}


def pl(text: str) -> Literal:
    return Literal(text, lang="pl")


@dataclass
class Canonical:
    """Corpus-wide choices: the preferred label of an IRI and the text of a duty."""

    labels: dict[URIRef, str] = field(default_factory=dict)
    duty_texts: dict[URIRef, str] = field(default_factory=dict)

    def label(self, iri: URIRef, own: str) -> str:
        return self.labels.get(iri, own)

    def text(self, iri: URIRef, own: str) -> str:
        return self.duty_texts.get(iri, own)


@dataclass
class GraphWriter:
    doc: Document
    iris: DocumentIris
    canon: Canonical
    content: bytes = b""
    graph: Graph = field(default_factory=Graph)

    def add(self, s, p, o) -> None:
        self.graph.add((s, p, o))

    def span(self, span: Span | None) -> URIRef | None:
        if span is None:
            return None
        node = self.iris.span(span.start, span.end)
        self.add(node, RDF.type, KOMP.SourceSpan)
        self.add(node, DCT.isPartOf, self.source)
        self.add(node, KOMP.startLine, Literal(span.start))
        self.add(node, KOMP.endLine, Literal(span.end))
        return node

    @property
    def source(self) -> URIRef:
        return self.iris.minter.source(self.doc.meta.doc_id)

    def derived(self, node: URIRef, span: Span | None) -> None:
        self.add(node, DCT.source, self.source)
        span_node = self.span(span)
        if span_node is not None:
            self.add(node, PROV.wasDerivedFrom, span_node)

    def provision(self, provision: Provision | None) -> URIRef | None:
        if provision is None or self.iris.act is None or not provision.fragment:
            return None
        return add_provision(self, provision)


def document_to_graph(doc: Document, iris: DocumentIris, canon: Canonical | None = None,
                      content: bytes = b"") -> Graph:
    writer = GraphWriter(doc, iris, canon or Canonical(), content)
    add_source(writer)
    add_office(writer)
    if doc.act is not None:
        add_act(writer, doc.act)
    for unit in doc.units:
        add_unit(writer, unit)
    for post in doc.posts:
        add_post(writer, post)
    for external in doc.external:
        add_external(writer, external.key, external.name, external.kind)
    for index, duty_list in enumerate(doc.duty_lists):
        add_duty_list(writer, duty_list, index)
    for line in doc.reporting:
        add_reporting_line(writer, line)
    for link in doc.cooperation:
        add_cooperation(writer, link)
    for contact in doc.contacts:
        add_contact(writer, contact)
    return writer.graph


def add_source(w: GraphWriter) -> None:
    meta, node = w.doc.meta, w.source
    w.add(node, RDF.type, KOMP.SourceDocument)
    w.add(node, KOMP.documentKind, Literal(meta.kind or "unknown"))
    w.add(node, KOMP.sourceFormat, Literal(w.doc.format))
    w.add(node, KOMP.contentHash, Literal("sha256:" + hashlib.sha256(w.content).hexdigest()))
    w.add(node, KOMP.quality, Literal(Decimal(str(round(w.doc.quality, 3)))))
    title = meta.title or (w.doc.act.title if w.doc.act else None) or meta.doc_id
    w.add(node, DCT.title, pl(title))
    w.add(node, DCT.identifier, Literal(meta.doc_id))
    if meta.url:
        w.add(node, DCAT.landingPage, URIRef(meta.url) if "://" in meta.url else Literal(meta.url))
    if meta.retrieved:
        w.add(node, KOMP.retrieved, Literal(meta.retrieved, datatype=XSD.date))
    if meta.received:
        w.add(node, DCT.dateSubmitted, Literal(meta.received, datatype=XSD.date))
    w.add(node, DCT.spatial, w.iris.office)


def add_office(w: GraphWriter) -> None:
    m, office = w.doc.municipality, w.iris.office
    w.add(office, RDF.type, KOMP.Office)
    if m.name:
        w.add(office, KOMP.municipalityName, pl(m.name))
    if m.teryt:
        w.add(office, KOMP.teryt, Literal(m.teryt))
    label = m.office_name or (f"Urząd — {m.name}" if m.name else None)
    if label:
        w.add(office, SKOS.prefLabel, pl(w.canon.label(office, label)))
    for abbreviation in m.abbreviations:
        w.add(office, SKOS.altLabel, pl(abbreviation))


def add_unit(w: GraphWriter, unit: OrgUnit) -> None:
    node = w.iris(unit.key)
    kind = "department" if unit.parent is None else unit.kind
    w.add(node, RDF.type, UNIT_CLASSES[kind])
    if unit.name:
        w.add(node, SKOS.prefLabel, pl(w.canon.label(node, unit.name)))
        if w.canon.label(node, unit.name) != unit.name:
            w.add(node, SKOS.altLabel, pl(unit.name))
    for alt in unit.alt_names:
        w.add(node, SKOS.altLabel, pl(alt))
    if unit.symbol:
        w.add(node, SKOS.notation, Literal(unit.symbol))
    if unit.unit_type:
        w.add(node, KOMP.unitType, Literal(unit.unit_type))
    if kind == "department":
        w.add(node, ORG.unitOf, w.iris.office)
    else:
        w.add(node, ORG.subOrganizationOf, w.iris(unit.parent))
    w.derived(node, unit.span)


def add_post(w: GraphWriter, post: Post) -> None:
    node = w.iris(post.key)
    unit = w.iris(post.unit)
    w.add(node, RDF.type, KOMP.Post)
    w.add(node, SKOS.prefLabel, pl(w.canon.label(node, post.title)))
    for role in post.also:
        w.add(node, SKOS.altLabel, pl(role))
    w.add(node, ORG.postIn, unit)
    if post.is_head:
        w.add(unit, KOMP.headPost, node)
    if post.holder:
        person = w.iris.minter.child(w.iris.office, "person", slugify_name(post.holder))
        w.add(person, RDF.type, FOAF.Person)
        w.add(person, FOAF.name, Literal(post.holder))
        w.add(node, ORG.heldBy, person)
    provision = w.provision(post.provision)
    if provision is not None:
        w.add(node, KOMP.provision, provision)
    w.derived(node, post.span)


def slugify_name(name: str) -> str:
    from kompetencje.loaders.morphology import slugify

    return slugify(name)


def add_external(w: GraphWriter, key: str, name: str, kind: str) -> None:
    node = w.iris(key)
    if kind == "department":
        w.add(node, RDF.type, KOMP.Department)
        w.add(node, ORG.unitOf, w.iris.office)
    else:
        w.add(node, RDF.type, KOMP.ExternalOrganisation)
    w.add(node, SKOS.prefLabel, pl(w.canon.label(node, name)))
    w.add(node, DCT.source, w.source)


def add_duty_list(w: GraphWriter, duty_list: DutyList, index: int) -> None:
    holder = w.iris(duty_list.holder)
    units = applies_to(w, duty_list) if duty_list.shared else []
    for sequence, (path, item, parent_path) in enumerate(item_paths(duty_list.items), start=1):
        node = w.iris.duty(duty_list, path)
        add_duty(w, node, item, path, sequence, duty_list)
        if parent_path:
            w.add(node, KOMP.subDutyOf, w.iris.duty(duty_list, parent_path))
        elif duty_list.shared:
            w.add(holder, KOMP.hasSharedDuty, node)
            for unit in units:
                w.add(node, KOMP.appliesTo, unit)
        else:
            w.add(holder, KOMP.hasDuty, node)


def applies_to(w: GraphWriter, duty_list: DutyList) -> list[URIRef]:
    return [w.iris(u.key) for u in w.doc.units if u.parent == duty_list.holder]


def add_duty(w: GraphWriter, node: URIRef, item: DutyItem, path: tuple[str, ...], sequence: int,
             duty_list: DutyList) -> None:
    w.add(node, RDF.type, KOMP.Duty)
    w.add(node, DCT.description, pl(w.canon.text(node, item.text)))
    w.add(node, KOMP.itemNumber, Literal(".".join(path)))
    w.add(node, KOMP.sequence, Literal(sequence))
    if duty_list.group:
        w.add(node, KOMP.dutyGroup, pl(duty_list.group))
    provision = w.provision(duty_provision(duty_list, path))
    if provision is not None:
        w.add(node, KOMP.provision, provision)
        w.add(node, PROV.wasDerivedFrom, provision)
    w.derived(node, item.span)


def duty_provision(duty_list: DutyList, path: tuple[str, ...]) -> Provision | None:
    if duty_list.provision is None:
        return None
    base = duty_list.provision
    letter = path[1] if len(path) > 1 else None
    return Provision(base.paragraph, base.section, path[0], letter)


def add_provision(w: GraphWriter, provision: Provision) -> URIRef:
    act = w.iris.act
    node = w.iris.minter.provision(act, provision)
    w.add(node, RDF.type, ELI.LegalResourceSubdivision)
    w.add(node, ELI.number, Literal(provision.label))
    parent = parent_provision(provision)
    if parent is None:
        w.add(node, ELI.is_part_of, act)
    else:
        w.add(node, ELI.is_part_of, add_provision(w, parent))
    return node


def parent_provision(provision: Provision) -> Provision | None:
    parts = [provision.paragraph, provision.section, provision.point, provision.letter]
    filled = [i for i, part in enumerate(parts) if part]
    if len(filled) <= 1:
        return None
    parts[filled[-1]] = None
    return Provision(*parts)


def add_act(w: GraphWriter, act: LegalAct) -> None:
    node = w.iris.act
    w.add(node, RDF.type, ELI.LegalResource)
    w.add(node, ELI.id_local, Literal(act.number))
    w.add(node, DCT.type, pl(act.kind))
    w.add(node, ELI.passed_by, w.iris.office)
    if act.title:
        w.add(node, ELI.title, pl(act.title))
    if act.date:
        w.add(node, ELI.date_document, Literal(act.date, datatype=XSD.date))
    if act.in_force_from:
        w.add(node, ELI.first_date_entry_in_force, Literal(act.in_force_from, datatype=XSD.date))
    if act.based_on:
        w.add(node, KOMP.legalBasisText, pl(act.based_on))
        law = w.iris.minter.law(act.based_on)
        w.add(law, RDF.type, ELI.LegalResource)
        w.add(law, ELI.title, pl(act.based_on))
        w.add(node, ELI.based_on, law)
    for reference, predicate in [(r, ELI.repeals) for r in act.repeals] + [(r, ELI.amends) for r in act.amends]:
        add_referenced_act(w, node, reference, predicate, act)
    w.add(w.source, DCT.subject, node)
    w.derived(node, act.span)


def add_referenced_act(w: GraphWriter, node: URIRef, reference, predicate, act: LegalAct) -> None:
    if reference.number:
        other = w.iris.minter.act(w.iris.office, reference.number)
        w.add(other, ELI.id_local, Literal(reference.number))
    elif reference.title:
        other = w.iris.minter.act_by_title(w.iris.office, reference.kind, reference.title)
    else:
        return
    w.add(other, RDF.type, ELI.LegalResource)
    if reference.date:
        w.add(other, ELI.date_document, Literal(reference.date, datatype=XSD.date))
    if reference.title:
        w.add(other, ELI.title, pl(reference.title))
    if predicate == ELI.repeals and act.in_force_from:
        w.add(other, ELI.date_no_longer_in_force, Literal(act.in_force_from, datatype=XSD.date))
    w.add(node, predicate, other)


def add_reporting_line(w: GraphWriter, line: ReportingLine) -> None:
    subordinate, superior = w.iris(line.subordinate), w.iris(line.superior)
    w.add(subordinate, KOMP.reportsTo, superior)
    node = w.iris.minter.child(subordinate, "reports-to", superior_slug(w, line.superior))
    w.add(node, RDF.type, KOMP.ReportingLine)
    w.add(node, KOMP.subordinate, subordinate)
    w.add(node, KOMP.superior, superior)
    provision = w.provision(line.provision)
    if provision is not None:
        w.add(node, KOMP.provision, provision)
        w.add(node, PROV.wasDerivedFrom, provision)
    if line.note:
        w.add(node, SKOS.editorialNote, Literal(line.note, lang="en"))
    w.derived(node, line.span)


def superior_slug(w: GraphWriter, key: str) -> str:
    return str(w.iris(key)).rsplit("/", 1)[-1]


def add_cooperation(w: GraphWriter, link: Cooperation) -> None:
    party, partner = w.iris(link.party), w.iris(link.partner)
    if party == partner:
        return
    w.add(party, KOMP.cooperatesWith, partner)
    node = w.iris.minter.child(party, "cooperation", str(partner).rsplit("/", 1)[-1])
    w.add(node, RDF.type, KOMP.CooperationLink)
    w.add(node, KOMP.party, party)
    w.add(node, KOMP.party, partner)
    w.add(node, KOMP.statedBy, party)
    w.add(node, KOMP.phrase, pl(link.phrase))
    duty_list = w.doc.duty_lists[link.duty.list_index]
    w.add(node, PROV.wasDerivedFrom, w.iris.duty(duty_list, link.duty.path))
    w.derived(node, link.span)


def add_contact(w: GraphWriter, contact: Contact) -> None:
    unit = w.iris(contact.of)
    node = w.iris.minter.child(unit, "contact")
    w.add(unit, CV.contactPoint, node)
    w.add(node, RDF.type, CV.ContactPoint)
    for phone in contact.phones:
        w.add(node, CV.telephone, Literal(phone))
    for email in contact.emails:
        w.add(node, CV.email, Literal(email))
    for url in contact.urls:
        w.add(node, CV.contactPage, Literal(url))
    for address in contact.addresses:
        w.add(node, KOMP.fullAddress, Literal(address, lang="pl"))
    for room in contact.rooms:
        w.add(node, KOMP.room, Literal(room))
    w.derived(node, contact.span)


__all__ = ["Canonical", "document_to_graph", "duty_list_prefix"]
