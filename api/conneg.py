"""HTTP content negotiation: the media types the API speaks and the choice among them.

Accept headers are parsed by python-mimeparse (q-values, wildcards, specificity); this module only keeps the
offers in the server's order of preference and adds the `format=` override that SPARQL clients send
(SPARQLWrapper sends `format=json`, `format=xml`, `format=turtle`, ...).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum

import mimeparse

from kompetencje.api.problems import NotAcceptable


class Kind(StrEnum):
    """What a response carries, which decides the formats that fit it."""

    SELECT = "select"  # a table of solutions
    ASK = "ask"  # a boolean
    GRAPH = "graph"  # RDF triples (CONSTRUCT, DESCRIBE, linked data, catalog)
    DATASET = "dataset"  # RDF quads (dumps)


@dataclass(frozen=True)
class Format:
    """One serialisation: its short name, the media type it is sent with, and the names it answers to."""

    name: str  # "json", "turtle": the key of FORMATS and of the pyoxigraph format
    media_type: str  # what Content-Type says
    aliases: tuple[str, ...] = ()  # other media types that ask for it (application/json for JSON results)
    extension: str = ""

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.name in {"turtle", "ntriples", "trig", "nquads"}
        return f"{self.media_type}; charset=utf-8" if textual and "charset" not in self.media_type else self.media_type


SPARQL_JSON = Format("json", "application/sparql-results+json", ("application/json",), "srj")
SPARQL_XML = Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), "srx")
SPARQL_CSV = Format("csv", "text/csv", (), "csv")
SPARQL_TSV = Format("tsv", "text/tab-separated-values", (), "tsv")
TURTLE = Format("turtle", "text/turtle", ("application/x-turtle", "application/turtle", "text/n3",
                                          "text/rdf+n3", "application/n3"), "ttl")
NTRIPLES = Format("ntriples", "application/n-triples", ("text/plain",), "nt")
RDF_XML = Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), "rdf")
JSON_LD = Format("jsonld", "application/ld+json", ("application/json", "application/x-json+ld"), "jsonld")
TRIG = Format("trig", "application/trig", ("application/x-trig",), "trig")
NQUADS = Format("nquads", "application/n-quads", ("text/x-nquads",), "nq")
HTML = Format("html", "text/html", ("application/xhtml+xml",), "html")

# Offers per kind, most preferred first: the first one is what `*/*` (or no Accept header) gets.
OFFERS: dict[Kind, tuple[Format, ...]] = {
    Kind.SELECT: (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV),
    Kind.ASK: (SPARQL_JSON, SPARQL_XML),
    Kind.GRAPH: (TURTLE, JSON_LD, NTRIPLES, RDF_XML),
    Kind.DATASET: (TRIG, NQUADS, JSON_LD),
}

# `format=` values, per kind (xml means SPARQL XML for a table but RDF/XML for a graph, as elsewhere).
_FORMAT_PARAM: dict[str, dict[Kind, Format]] = {
    "json": {Kind.SELECT: SPARQL_JSON, Kind.ASK: SPARQL_JSON, Kind.GRAPH: JSON_LD, Kind.DATASET: JSON_LD},
    "srj": {Kind.SELECT: SPARQL_JSON, Kind.ASK: SPARQL_JSON},
    "xml": {Kind.SELECT: SPARQL_XML, Kind.ASK: SPARQL_XML, Kind.GRAPH: RDF_XML},
    "srx": {Kind.SELECT: SPARQL_XML, Kind.ASK: SPARQL_XML},
    "csv": {Kind.SELECT: SPARQL_CSV},
    "tsv": {Kind.SELECT: SPARQL_TSV},
    "turtle": {Kind.GRAPH: TURTLE}, "ttl": {Kind.GRAPH: TURTLE}, "n3": {Kind.GRAPH: TURTLE},
    "ntriples": {Kind.GRAPH: NTRIPLES}, "nt": {Kind.GRAPH: NTRIPLES}, "n-triples": {Kind.GRAPH: NTRIPLES},
    "rdf": {Kind.GRAPH: RDF_XML}, "rdfxml": {Kind.GRAPH: RDF_XML}, "rdf+xml": {Kind.GRAPH: RDF_XML},
    "jsonld": {Kind.GRAPH: JSON_LD, Kind.DATASET: JSON_LD},
    "json-ld": {Kind.GRAPH: JSON_LD, Kind.DATASET: JSON_LD},
    "trig": {Kind.DATASET: TRIG}, "nquads": {Kind.DATASET: NQUADS}, "nq": {Kind.DATASET: NQUADS},
    "html": {Kind.SELECT: HTML, Kind.ASK: HTML, Kind.GRAPH: HTML, Kind.DATASET: HTML},
}


def negotiate(accept: str | None, offers: tuple[Format, ...] | list[Format], *,
              format_param: str | None = None, kind: Kind | None = None) -> Format:
    """The offer that best fits `format_param` (if given) or else the Accept header; NotAcceptable if none.

    `offers` are in the server's order of preference, which breaks ties between equally acceptable types.
    A missing or unparseable Accept header accepts anything.
    """
    if format_param:
        return _by_format_param(format_param, offers, kind)
    chosen = best_media_type(accept, _offered_types(offers))
    if chosen is None:
        raise NotAcceptable("None of the acceptable media types can be produced here; available: "
                            + ", ".join(f.media_type for f in offers))
    return next(f for f in offers if chosen in (f.media_type, *f.aliases))


def best_media_type(accept: str | None, offered: list[str]) -> str | None:
    """The media type of `offered` (most preferred first) that the Accept header likes best, or None."""
    header = (accept or "").strip() or "*/*"
    if len(header) > _MAX_CACHED_HEADER:
        return _best_media_type(header, tuple(offered))
    return _cached_best_media_type(header, tuple(offered))


def _best_media_type(header: str, offered: tuple[str, ...]) -> str | None:
    try:
        # mimeparse breaks ties in favour of the *last* supported type, so hand it the reverse order.
        best = mimeparse.best_match(list(reversed(offered)), header)
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        best = mimeparse.best_match(list(reversed(offered)), "*/*")
    return best or None


# Clients send a handful of distinct Accept headers: parse each once (bounded, and only short headers).
_MAX_CACHED_HEADER = 512
_cached_best_media_type = functools.lru_cache(maxsize=1024)(_best_media_type)


def _offered_types(offers: tuple[Format, ...] | list[Format]) -> list[str]:
    """Every media type of the offers, canonical ones first so that they win ties with their aliases."""
    types = [f.media_type for f in offers]
    types += [alias for f in offers for alias in f.aliases if alias not in types]
    return types


def _by_format_param(value: str, offers: tuple[Format, ...] | list[Format], kind: Kind | None) -> Format:
    key = value.strip().lower()
    if "/" in key:  # a media type given as format=text/csv
        for offer in offers:
            if key in (offer.media_type, *offer.aliases):
                return offer
    else:
        by_kind = _FORMAT_PARAM.get(key, {})
        candidates = [by_kind[kind]] if kind in by_kind else list(by_kind.values())
        for candidate in candidates:
            if candidate in offers:
                return candidate
        for offer in offers:
            if key == offer.name:
                return offer
    raise NotAcceptable(f"format={value!r} is not available here; use one of: "
                        + ", ".join(sorted({f.name for f in offers})))
