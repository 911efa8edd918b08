"""RDF responses: a graph (rdflib or a list of pyoxigraph triples) in the negotiated format."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from fastapi import Response
from rdflib import Graph, Namespace

from kompetencje.api.conneg import Format
from kompetencje.api.store import serialize_triples
from kompetencje.vocab import PREFIXES

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"

_RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld",
                   "trig": "trig", "nquads": "nquads"}


def new_graph(**extra_prefixes: str) -> Graph:
    graph = Graph()
    for prefix, namespace in {**PREFIXES, "sd": str(SD), "spdx": str(SPDX), "vcard": str(VCARD),
                              "adms": str(ADMS), **extra_prefixes}.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


def graph_bytes(graph: Graph, fmt: Format) -> bytes:
    if fmt.name == "jsonld":
        context = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
        return graph.serialize(format="json-ld", context=context, encoding="utf-8")
    return graph.serialize(format=_RDFLIB_FORMATS[fmt.name], encoding="utf-8")


def rdf_response(content: Graph | Iterable[ox.Triple], fmt: Format, *, headers: dict[str, str] | None = None,
                 status_code: int = 200) -> Response:
    body = graph_bytes(content, fmt) if isinstance(content, Graph) else serialize_triples(content, fmt.name)
    return Response(body, status_code=status_code, media_type=fmt.content_type,
                    headers={"Vary": "Accept", **(headers or {})})
