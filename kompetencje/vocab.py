"""Vocabulary constants generated from ontology/kompetencje.ttl by kompetencje.vocabgen. Do not edit."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, DefinedNamespace
from rdflib.term import URIRef

ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
CV = Namespace("http://data.europa.eu/m8g/")
LOCN = Namespace("http://www.w3.org/ns/locn#")
DCT = DCTERMS
KOMP_NS = "https://w3id.org/kompetencje/ontology#"

PREFIXES = {
    "komp": KOMP_NS, "org": str(ORG), "skos": str(SKOS), "dct": str(DCTERMS), "prov": str(PROV),
    "eli": str(ELI), "cv": str(CV), "foaf": str(FOAF), "locn": str(LOCN), "rdf": str(RDF),
    "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD), "dcat": str(DCAT), "void": str(VOID),
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, to put in front of a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


class KOMP(DefinedNamespace):
    """Terms of the kompetencje ontology."""

    _NS = Namespace(KOMP_NS)
    _fail = True

    CooperationLink: URIRef
    Department: URIRef
    Duty: URIRef
    ExternalOrganisation: URIRef
    Office: URIRef
    Post: URIRef
    ReportingLine: URIRef
    SinglePersonPost: URIRef
    SourceDocument: URIRef
    SourceSpan: URIRef
    Unit: URIRef
    appliesTo: URIRef
    classificationRule: URIRef
    contentHash: URIRef
    cooperatesWith: URIRef
    documentKind: URIRef
    dutyGroup: URIRef
    dutyOf: URIRef
    endLine: URIRef
    fullAddress: URIRef
    hasDuty: URIRef
    hasSharedDuty: URIRef
    headPost: URIRef
    inForceFrom: URIRef
    inForceUntil: URIRef
    isHeadPostOf: URIRef
    itemNumber: URIRef
    legalBasisText: URIRef
    municipalityName: URIRef
    party: URIRef
    phrase: URIRef
    provision: URIRef
    quality: URIRef
    reportsTo: URIRef
    reportsToTransitive: URIRef
    retrieved: URIRef
    room: URIRef
    sequence: URIRef
    sourceFormat: URIRef
    startLine: URIRef
    statedBy: URIRef
    subDutyOf: URIRef
    subordinate: URIRef
    superior: URIRef
    teryt: URIRef
    unitType: URIRef
