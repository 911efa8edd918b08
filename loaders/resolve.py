"""Cross-document entity resolution: one unit, one duty, however many documents describe it.

Identity comes from IRIs (same office + symbol, or same department + name; see loaders/iris.py). Where two
documents give the same IRI a different name or duty text, the higher-priority source wins (an act over a
web page), the other name is kept as skos:altLabel, and the difference is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from kompetencje.loaders.iris import DocumentIris, IdentityRegistry, IriMinter, item_paths
from kompetencje.loaders.model import Document
from kompetencje.loaders.to_graph import Canonical


@dataclass(frozen=True)
class Disagreement:
    iri: str
    what: str  # "duty text", "name"
    kept_source: str
    kept: str
    other_source: str
    other: str

    def describe(self) -> str:
        return (f"{self.what} of {self.iri} differs: {self.kept_source} says {self.kept!r} (kept), "
                f"{self.other_source} says {self.other!r}")


def comparable(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(";.,").casefold()


def build_registry(docs: list[Document], minter: IriMinter) -> IdentityRegistry:
    registry = IdentityRegistry()
    for doc in docs:
        office = minter.office(doc.municipality.teryt, doc.municipality.name)
        registry.add_document(str(office), doc)
    return registry


def by_priority(docs: list[Document]) -> list[Document]:
    return sorted(docs, key=lambda d: (-d.meta.priority, d.meta.doc_id))


def choose_canonical(docs: list[Document], iris: dict[str, DocumentIris]) -> tuple[Canonical, list[Disagreement]]:
    canon, seen, disagreements = Canonical(), {}, []
    for doc in by_priority(docs):
        doc_iris = iris[doc.meta.doc_id]
        for iri, what, value in named_values(doc, doc_iris):
            table = canon.labels if what == "name" else canon.duty_texts
            if iri not in table:
                table[iri], seen[(iri, what)] = value, doc.meta.doc_id
            elif comparable(table[iri]) != comparable(value):
                disagreements.append(Disagreement(str(iri), what, seen[(iri, what)], table[iri],
                                                  doc.meta.doc_id, value))
    return canon, disagreements


def named_values(doc: Document, iris: DocumentIris):
    """(iri, 'name' | 'duty text', value) for everything of the document that has a name or a text."""
    for unit in doc.units:
        if unit.name:
            yield iris(unit.key), "name", unit.name
    for post in doc.posts:
        yield iris(post.key), "name", post.title
    for duty_list in doc.duty_lists:
        for path, item, _parent in item_paths(duty_list.items):
            yield iris.duty(duty_list, path), "duty text", item.text


def duty_iris(doc: Document, iris: DocumentIris) -> set[URIRef]:
    return {iris.duty(dl, path) for dl in doc.duty_lists for path, _i, _p in item_paths(dl.items)}
