"""The dataset's descriptions: a DCAT-AP 3 catalog at /catalog and VoID at /.well-known/void.

The catalog is what portals harvest (dane.gov.pl, data.europa.eu): a dcat:Catalog with one dcat:Dataset,
a dcat:Distribution per dump and one for the SPARQL endpoint, and a dcat:DataService for /sparql. The
controlled vocabularies are the EU's (data themes, file types, languages, ...) and IANA's media types; the
things they name are typed in the graph so that the catalog validates against the DCAT-AP range shapes.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Request, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, VOID, XSD

from kompetencje.api.conneg import OFFERS, Kind, negotiate
from kompetencje.api.deps import PublicUrlDep, SettingsDep, StatsDep
from kompetencje.api.rdf import ADMS, EU, IANA, SPDX, VCARD, new_graph, rdf_response
from kompetencje.api.routers.dumps import DESCRIPTIONS, DumpFile, loaded_dumps
from kompetencje.api.settings import Settings
from kompetencje.api.store import StoreStats
from kompetencje.vocab import KOMP_NS, PREFIXES

router = APIRouter(tags=["catalog"])

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
THEME_GOVE = URIRef(EU + "data-theme/GOVE")
THEMES = URIRef(EU + "data-theme")
POLISH = URIRef(EU + "language/POL")
ENGLISH = URIRef(EU + "language/ENG")
POLAND = URIRef(EU + "country/POL")
PUBLIC = URIRef(EU + "access-right/PUBLIC")
IRREGULAR = URIRef(EU + "frequency/IRREG")
STABLE = URIRef(EU + "planned-availability/STABLE")
AVAILABILITY = URIRef("http://data.europa.eu/r5r/availability")
FILE_TYPES = {"turtle": "RDF_TURTLE", "ntriples": "RDF_N_TRIPLES", "trig": "RDF_TRIG", "jsonld": "JSON_LD",
              "rdfxml": "RDF_XML"}
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
ONTOLOGY = URIRef(KOMP_NS.rstrip("#"))

TITLE = {"pl": "Kompetencje komórek urzędów gmin", "en": "Competences of Polish municipal offices"}
DESCRIPTION = {
    "pl": "Otwarty graf wiedzy o tym, która komórka urzędu gminy czym się zajmuje, na podstawie jakiego "
          "przepisu, komu podlega i z kim współpracuje. Zbudowany z regulaminów organizacyjnych, zarządzeń "
          "i stron BIP; każdy fakt wskazuje swoje źródło. Słownictwo: W3C ORG, ELI, SKOS, PROV.",
    "en": "An open knowledge graph of which department or unit of a Polish municipal office does what, under "
          "which provision, who reports to whom and who cooperates with whom. Built from organisational "
          "regulations, ordinances and public-information (BIP) pages; every fact cites its source. "
          "Vocabularies: W3C ORG, ELI, SKOS, PROV.",
}
KEYWORDS = {"pl": ["kompetencje", "urząd gminy", "struktura organizacyjna", "regulamin organizacyjny",
                   "administracja samorządowa"],
            "en": ["competences", "municipal office", "organisational structure", "local government"]}


@router.get("/catalog", summary="DCAT-AP 3 description of the dataset (Turtle, JSON-LD, RDF/XML)")
@router.head("/catalog", include_in_schema=False)
async def catalog(request: Request, settings: SettingsDep, stats: StatsDep, public_url: PublicUrlDep) -> Response:
    fmt = negotiate(request.headers.get("accept"), OFFERS[Kind.GRAPH],
                    format_param=request.query_params.get("format"), kind=Kind.GRAPH)
    graph = build_catalog(settings, stats, await loaded_dumps(request), public_url)
    return rdf_response(graph, fmt, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/.well-known/void", summary="VoID description of the dataset")
@router.head("/.well-known/void", include_in_schema=False)
async def void(request: Request, settings: SettingsDep, stats: StatsDep, public_url: PublicUrlDep) -> Response:
    fmt = negotiate(request.headers.get("accept"), OFFERS[Kind.GRAPH],
                    format_param=request.query_params.get("format"), kind=Kind.GRAPH)
    graph = build_void(settings, stats, await loaded_dumps(request), public_url)
    return rdf_response(graph, fmt, headers={"Cache-Control": "public, max-age=3600"})


# --------------------------------------------------------------------------------------------------------
# DCAT-AP
# --------------------------------------------------------------------------------------------------------

class _Iris:
    def __init__(self, public_url: str) -> None:
        self.catalog = URIRef(f"{public_url}/catalog")
        self.dataset = URIRef(f"{public_url}/catalog#dataset")
        self.publisher = URIRef(f"{public_url}/catalog#publisher")
        self.contact = URIRef(f"{public_url}/catalog#contact")
        self.sparql = URIRef(f"{public_url}/sparql")
        self.sparql_distribution = URIRef(f"{public_url}/catalog#distribution-sparql")
        self.home = URIRef(f"{public_url}/")
        self.public_url = public_url

    def distribution(self, name: str) -> URIRef:
        return URIRef(f"{self.public_url}/catalog#distribution-{name.rsplit('.', 1)[-1]}")

    def download(self, name: str) -> URIRef:
        return URIRef(f"{self.public_url}/dumps/{name}")


def build_catalog(settings: Settings, stats: StoreStats, dumps: dict[str, DumpFile], public_url: str) -> Graph:
    g = new_graph(dcatap="http://data.europa.eu/r5r/")
    ids = _Iris(public_url)
    issued = _issued(settings, stats)
    _describe_catalog(g, ids, issued, stats.modified)
    _describe_dataset(g, ids, settings, issued, stats.modified)
    for dump in dumps.values():
        _describe_distribution(g, ids, dump, issued)
    _describe_service(g, ids)
    _describe_agent(g, ids, settings)
    _describe_vocabularies(g, dumps)
    return g


def _issued(settings: Settings, stats: StoreStats) -> date:
    return settings.dataset_issued or stats.modified.date()


def _texts(g: Graph, subject: URIRef, predicate: URIRef, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        g.add((subject, predicate, Literal(text, lang=lang)))


def _describe_catalog(g: Graph, ids: _Iris, issued: date, modified: datetime) -> None:
    c = ids.catalog
    g.add((c, RDF.type, DCAT.Catalog))
    _texts(g, c, DCTERMS.title, {"pl": "Katalog danych: " + TITLE["pl"], "en": "Data catalogue: " + TITLE["en"]})
    _texts(g, c, DCTERMS.description, {"pl": "Zbiór danych kompetencji, jego zrzuty i punkt SPARQL.",
                                       "en": "The competences dataset, its dumps and its SPARQL endpoint."})
    g.add((c, DCTERMS.publisher, ids.publisher))
    g.add((c, DCAT.dataset, ids.dataset))
    g.add((c, DCAT.service, ids.sparql))
    g.add((c, FOAF.homepage, ids.home))
    g.add((c, DCTERMS.license, LICENSE))
    g.add((c, DCTERMS.language, POLISH))
    g.add((c, DCTERMS.language, ENGLISH))
    g.add((c, DCTERMS.spatial, POLAND))
    g.add((c, DCAT.themeTaxonomy, THEMES))
    g.add((c, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    g.add((c, DCTERMS.modified, Literal(modified.date(), datatype=XSD.date)))
    g.add((ids.home, RDF.type, FOAF.Document))


def _describe_dataset(g: Graph, ids: _Iris, settings: Settings, issued: date, modified: datetime) -> None:
    d = ids.dataset
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, RDF.type, VOID.Dataset))
    _texts(g, d, DCTERMS.title, TITLE)
    _texts(g, d, DCTERMS.description, DESCRIPTION)
    for lang, words in KEYWORDS.items():
        for word in words:
            g.add((d, DCAT.keyword, Literal(word, lang=lang)))
    g.add((d, DCAT.theme, THEME_GOVE))
    g.add((d, DCTERMS.publisher, ids.publisher))
    g.add((d, DCAT.contactPoint, ids.contact))
    g.add((d, DCTERMS.license, LICENSE))
    g.add((d, DCTERMS.accessRights, PUBLIC))
    g.add((d, DCTERMS.language, POLISH))
    g.add((d, DCTERMS.spatial, POLAND))
    g.add((d, DCTERMS.accrualPeriodicity, IRREGULAR))
    g.add((d, DCTERMS.conformsTo, ONTOLOGY))
    g.add((d, DCTERMS.identifier, Literal(settings.base_iri)))
    g.add((d, DCAT.landingPage, ids.home))
    g.add((d, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    g.add((d, DCTERMS.modified, Literal(modified.date(), datatype=XSD.date)))
    g.add((d, DCAT.distribution, ids.sparql_distribution))
    g.add((ONTOLOGY, RDF.type, DCTERMS.Standard))
    g.add((ONTOLOGY, DCTERMS.title, Literal("Ontologia kompetencji urzędów gmin", lang="pl")))
    # The SPARQL endpoint as a distribution that is accessed through the data service
    s = ids.sparql_distribution
    g.add((s, RDF.type, DCAT.Distribution))
    _texts(g, s, DCTERMS.title, {"pl": "Punkt dostępu SPARQL", "en": "SPARQL endpoint"})
    _texts(g, s, DCTERMS.description, {"pl": "Zapytania SPARQL 1.1 do całego grafu (tylko odczyt).",
                                       "en": "SPARQL 1.1 queries over the whole graph (read-only)."})
    g.add((s, DCAT.accessURL, ids.sparql))
    g.add((s, DCAT.accessService, ids.sparql))
    g.add((s, DCTERMS.license, LICENSE))
    g.add((s, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((s, AVAILABILITY, STABLE))


def _describe_distribution(g: Graph, ids: _Iris, dump: DumpFile, issued: date) -> None:
    dist = ids.distribution(dump.name)
    g.add((ids.dataset, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    label = {"turtle": "Turtle", "ntriples": "N-Triples", "trig": "TriG", "jsonld": "JSON-LD"}[dump.format.name]
    _texts(g, dist, DCTERMS.title, {"pl": f"Zrzut {dump.name} ({label})", "en": f"Dump {dump.name} ({label})"})
    description_pl, description_en = DESCRIPTIONS[dump.name]
    _texts(g, dist, DCTERMS.description, {"pl": description_pl + ".", "en": description_en + "."})
    g.add((dist, DCAT.accessURL, ids.download(dump.name)))
    g.add((dist, DCAT.downloadURL, ids.download(dump.name)))
    g.add((dist, DCAT.mediaType, URIRef(IANA + dump.format.media_type)))
    g.add((dist, DCTERMS.format, URIRef(EU + "file-type/" + FILE_TYPES[dump.format.name])))
    g.add((dist, DCTERMS.license, LICENSE))
    g.add((dist, AVAILABILITY, STABLE))
    g.add((dist, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
    g.add((dist, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    g.add((dist, DCTERMS.modified, Literal(dump.modified.date(), datatype=XSD.date)))
    checksum = BNode()
    g.add((dist, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))


def _describe_service(g: Graph, ids: _Iris) -> None:
    s = ids.sparql
    g.add((s, RDF.type, DCAT.DataService))
    _texts(g, s, DCTERMS.title, {"pl": "Punkt SPARQL: " + TITLE["pl"], "en": "SPARQL endpoint: " + TITLE["en"]})
    _texts(g, s, DCTERMS.description, {
        "pl": "Zapytania SPARQL 1.1 (tylko odczyt); wyniki w JSON, XML, CSV, TSV, Turtle, N-Triples, RDF/XML "
              "i JSON-LD.",
        "en": "SPARQL 1.1 queries (read-only); results in JSON, XML, CSV, TSV, Turtle, N-Triples, RDF/XML "
              "and JSON-LD."})
    g.add((s, DCAT.endpointURL, s))
    g.add((s, DCAT.endpointDescription, s))
    g.add((s, DCAT.servesDataset, ids.dataset))
    g.add((s, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((s, DCTERMS.license, LICENSE))
    g.add((s, DCTERMS.accessRights, PUBLIC))
    g.add((s, DCTERMS.publisher, ids.publisher))
    g.add((s, DCAT.contactPoint, ids.contact))
    g.add((s, DCAT.theme, THEME_GOVE))
    for word in ("SPARQL", "linked data", "dane powiązane"):
        g.add((s, DCAT.keyword, Literal(word, lang="en" if word == "linked data" else "pl")))
    g.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
    g.add((SPARQL_PROTOCOL, DCTERMS.title, Literal("SPARQL 1.1 Protocol", lang="en")))


def _describe_agent(g: Graph, ids: _Iris, settings: Settings) -> None:
    g.add((ids.publisher, RDF.type, FOAF.Agent))
    g.add((ids.publisher, FOAF.name, Literal(settings.publisher_name)))
    if settings.publisher_url:
        page = URIRef(settings.publisher_url)
        g.add((ids.publisher, FOAF.homepage, page))
        g.add((page, RDF.type, FOAF.Document))
    g.add((ids.contact, RDF.type, VCARD.Kind))
    g.add((ids.contact, VCARD.fn, Literal(settings.publisher_name)))
    if settings.contact_email:
        g.add((ids.contact, VCARD.hasEmail, URIRef(f"mailto:{settings.contact_email}")))
    if settings.publisher_url:
        g.add((ids.contact, VCARD.hasURL, URIRef(settings.publisher_url)))


def _describe_vocabularies(g: Graph, dumps: dict[str, DumpFile]) -> None:
    """Type the controlled-vocabulary terms the catalog uses (the DCAT-AP range shapes check classes)."""
    g.add((LICENSE, RDF.type, DCTERMS.LicenseDocument))
    g.add((LICENSE, DCTERMS.title, Literal("Creative Commons Uznanie autorstwa 4.0", lang="pl")))
    g.add((LICENSE, DCTERMS.title, Literal("Creative Commons Attribution 4.0 International", lang="en")))
    g.add((LICENSE, DCTERMS.identifier, Literal("CC-BY-4.0")))
    attribution = URIRef("http://purl.org/adms/licencetype/Attribution")
    g.add((LICENSE, DCTERMS.type, attribution))
    g.add((attribution, RDF.type, SKOS.Concept))
    g.add((attribution, SKOS.prefLabel, Literal("Attribution", lang="en")))
    g.add((THEME_GOVE, RDF.type, SKOS.Concept))
    g.add((THEME_GOVE, SKOS.prefLabel, Literal("Rząd i sektor publiczny", lang="pl")))
    g.add((THEME_GOVE, SKOS.prefLabel, Literal("Government and public sector", lang="en")))
    g.add((THEME_GOVE, SKOS.inScheme, THEMES))
    g.add((THEMES, RDF.type, SKOS.ConceptScheme))
    g.add((THEMES, DCTERMS.title, Literal("Data theme", lang="en")))
    for language, label in ((POLISH, "Polish"), (ENGLISH, "English")):
        g.add((language, RDF.type, DCTERMS.LinguisticSystem))
        g.add((language, SKOS.prefLabel, Literal(label, lang="en")))
    g.add((POLAND, RDF.type, DCTERMS.Location))
    g.add((PUBLIC, RDF.type, DCTERMS.RightsStatement))
    g.add((IRREGULAR, RDF.type, DCTERMS.Frequency))
    g.add((STABLE, RDF.type, SKOS.Concept))
    g.add((STABLE, SKOS.prefLabel, Literal("stable", lang="en")))
    for dump in dumps.values():
        g.add((URIRef(IANA + dump.format.media_type), RDF.type, DCTERMS.MediaType))
        g.add((URIRef(EU + "file-type/" + FILE_TYPES[dump.format.name]), RDF.type, DCTERMS.MediaTypeOrExtent))
    g.bind("adms", ADMS)


# --------------------------------------------------------------------------------------------------------
# VoID
# --------------------------------------------------------------------------------------------------------

def build_void(settings: Settings, stats: StoreStats, dumps: dict[str, DumpFile], public_url: str) -> Graph:
    g = new_graph()
    ids = _Iris(public_url)
    d = ids.dataset
    g.add((d, RDF.type, VOID.Dataset))
    _texts(g, d, DCTERMS.title, TITLE)
    _texts(g, d, DCTERMS.description, DESCRIPTION)
    g.add((d, DCTERMS.license, LICENSE))
    g.add((d, DCTERMS.publisher, ids.publisher))
    g.add((d, DCTERMS.modified, Literal(stats.modified.date(), datatype=XSD.date)))
    g.add((d, FOAF.homepage, ids.home))
    g.add((d, VOID.sparqlEndpoint, ids.sparql))
    g.add((d, VOID.uriSpace, Literal(settings.base_iri)))
    g.add((d, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    for dump in dumps.values():
        g.add((d, VOID.dataDump, ids.download(dump.name)))
    for prefix in ("komp", "org", "skos", "dct", "prov", "eli", "cv", "foaf"):
        g.add((d, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    source_prefix = f"{settings.base_iri}graph/"
    for name, triples in stats.graphs.items():
        subset = URIRef(name)
        g.add((d, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, VOID.triples, Literal(triples, datatype=XSD.integer)))
        source = f"{settings.base_iri}source/{name[len(source_prefix):]}"
        if name.startswith(source_prefix) and source in stats.sources:  # a document's graph
            g.add((subset, DCTERMS.source, URIRef(source)))
    g.add((ids.publisher, RDF.type, FOAF.Agent))
    g.add((ids.publisher, FOAF.name, Literal(settings.publisher_name)))
    return g
