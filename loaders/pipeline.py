"""The build: sources → documents → graphs → reasoned → validated → one store, replaced atomically.

Each step is a small named function with one input and one output; `build` strings them together and is
what `kompetencje build`, the ingestion endpoint and the benchmark call. A failed build writes nothing:
the new store is made in a temporary folder beside the old one and swapped in only when every graph
validated.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kompetencje.errors import InputError, KompetencjeError, StoreError, ValidationFailed
from kompetencje.loaders.compiled_reasoning import Rule, apply_in_python, compile_rules
from kompetencje.loaders.compiled_validation import Check, compile_shapes, load_graph, report_for, validate_in_store
from kompetencje.loaders.golden import document_to_json as document_profile
from kompetencje.loaders.iris import DocumentIris, IriMinter
from kompetencje.loaders.metadata import SIDECAR_SUFFIX, read_metadata
from kompetencje.loaders.model import Document
from kompetencje.loaders.reasoning import load_ontology
from kompetencje.loaders.resolve import Disagreement, build_registry, choose_canonical
from kompetencje.loaders.to_graph import document_to_graph
from kompetencje.search import classify_graph, save_index, scheme_path
from kompetencje.vocab import KOMP, ORG, sparql_prefixes

SOURCE_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".pdf", ".docx", ".doc"}
Progress = Callable[[str, int, int], None]


@dataclass
class LoadedDocument:
    document: Document
    content: bytes


@dataclass
class BuiltGraph:
    doc_id: str
    graph: Graph


@dataclass
class BuildResult:
    out_dir: Path
    graphs: list[BuiltGraph] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    failures: list[KompetencjeError] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def discover_sources(folder: Path) -> list[Path]:
    """Source documents under a folder (metadata sidecars and hidden files are not sources)."""
    if not folder.is_dir():
        raise InputError("no such folder", source=str(folder))
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
                  and p.suffix.lower() in SOURCE_SUFFIXES and p.suffix != SIDECAR_SUFFIX)


def load_document(path: Path) -> LoadedDocument:
    """One file → its document model (read bytes, decode, clean, find structure)."""
    from kompetencje.loaders.extract import extract_document
    from kompetencje.loaders.readers import read_source

    meta = read_metadata(path)
    content = path.read_bytes()
    source_text = read_source(content, path.name, url=meta.url)
    document = extract_document(source_text, meta)
    return LoadedDocument(document, content)


def load_documents(paths: list[Path], *, keep_going: bool, progress: Progress | None = None,
                   ) -> tuple[list[LoadedDocument], list[KompetencjeError]]:
    loaded, failures = [], []
    for index, path in enumerate(paths, start=1):
        if progress:
            progress(f"read {path.name}", index, len(paths))
        try:
            loaded.append(load_document(path))
        except KompetencjeError as error:
            if error.source is None:
                error.source = str(path)
            if not keep_going:
                raise
            failures.append(error)
    return loaded, failures


@lru_cache(maxsize=1)
def compiled_rules() -> list[Rule]:
    """The ontology's entailments for instance data, compiled once (owlrl over the TBox only)."""
    return compile_rules(load_ontology())


@lru_cache(maxsize=1)
def compiled_checks() -> list[Check]:
    """The SHACL shapes compiled to SPARQL (proven to report what pySHACL reports: test_compiled_reasoning)."""
    return compile_shapes(ontology=load_ontology())


def graphs_for(loaded: list[LoadedDocument], minter: IriMinter, progress: Progress | None = None,
               ) -> tuple[list[BuiltGraph], list[Disagreement]]:
    """Documents → one classified, reasoned graph each, with identities resolved across documents."""
    documents = [item.document for item in loaded]
    registry = build_registry(documents, minter)
    iris = {d.meta.doc_id: DocumentIris(d, minter, registry) for d in documents}
    canon, disagreements = choose_canonical(documents, iris)
    rules, graphs = compiled_rules(), []
    for index, item in enumerate(loaded, start=1):
        doc = item.document
        if progress:
            progress(f"reason {doc.meta.doc_id}", index, len(loaded))
        graph = document_to_graph(doc, iris[doc.meta.doc_id], canon, item.content)
        graph += classify_graph(graph)
        graphs.append(BuiltGraph(doc.meta.doc_id, apply_in_python(graph, rules, in_place=True)))
    return graphs, disagreements


def validate_graphs(graphs: list[BuiltGraph], progress: Progress | None = None) -> None:
    """Raise ValidationFailed with every document's violations, or return when all conform.

    All graphs go into one in-memory store, each in its own named graph, and every compiled shape runs once
    over all of them (each graph still validated on its own)."""
    if progress:
        progress("validate", len(graphs), len(graphs))
    store = ox.Store()
    names = {f"urn:x-kompetencje:validate:{i}": built for i, built in enumerate(graphs)}
    for name, built in names.items():
        load_graph(store, built.graph, name)
    findings = validate_in_store(store, compiled_checks())
    reports = [report_for(found, names[name].graph, source=names[name].doc_id)
               for name, found in sorted(findings.items())]
    reports = [r for r in reports if not r.conforms]
    if reports:
        violations = [v for r in reports for v in r.as_dicts()]
        raise ValidationFailed(f"{len(violations)} SHACL violation(s) in {len(reports)} document(s)",
                               report="\n\n".join(r.to_text() for r in reports), violations=violations)


def write_store(graphs: list[BuiltGraph], folder: Path, minter: IriMinter) -> ox.Store:
    """A new pyoxigraph store: one named graph per document, the ontology, and the union closure."""
    store = ox.Store(str(folder / "store"))
    for built in graphs:
        data = built.graph.serialize(format="nt")
        store.load(data.encode("utf-8"), ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(str(minter.graph(built.doc_id))))
    ontology = load_ontology().serialize(format="nt").encode("utf-8")
    store.load(ontology, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(minter.special_graph("ontology"))))
    store.load(path=str(scheme_path()), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(str(minter.special_graph("concepts"))))
    close_over_union(store, minter)
    materialize_default_graph(store)
    store.flush()
    return store


def materialize_default_graph(store: ox.Store) -> None:
    """The default graph is the union of every named graph, as a set (oxigraph's union view repeats a triple
    once per graph that holds it, so COUNT would over-count)."""
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def dump_named_graphs(store: ox.Store, path: Path) -> None:
    """dataset.trig: one named graph per source (the default graph is their union, so it is left out)."""
    quads = (q for q in store if not isinstance(q.graph_name, ox.DefaultGraph))
    ox.serialize(quads, str(path), ox.RdfFormat.TRIG)


CLOSURE_QUERY = """
SELECT DISTINCT ?a ?b WHERE { ?a komp:reportsTo+ ?b FILTER NOT EXISTS { ?a komp:reportsToTransitive ?b } }
"""


def close_over_union(store: ox.Store, minter: IriMinter) -> None:
    """Entailments that span documents (a reporting chain read from two acts) go to one closure graph."""
    closure = ox.NamedNode(str(minter.special_graph("closure")))
    transitive = ox.NamedNode(str(KOMP.reportsToTransitive))
    org_reports = ox.NamedNode(str(ORG.reportsTo))
    pairs = list(store.query(sparql_prefixes() + CLOSURE_QUERY, use_default_graph_as_union=True))
    quads = [ox.Quad(row["a"], predicate, row["b"], closure) for row in pairs
             for predicate in (transitive, org_reports)]
    store.extend(quads)


def count_facts(store: ox.Store) -> dict[str, int]:
    query = sparql_prefixes() + """
    SELECT (COUNT(DISTINCT ?o) AS ?offices) (COUNT(DISTINCT ?d) AS ?departments) (COUNT(DISTINCT ?u) AS ?units)
    WHERE { { ?o a komp:Office } UNION { ?d a komp:Department } UNION { ?u a komp:Unit } }"""
    counts = first_row(store, query)
    counts.update(first_row(store, sparql_prefixes() + """
    SELECT (COUNT(DISTINCT ?p) AS ?posts) (COUNT(DISTINCT ?t) AS ?duties) (COUNT(DISTINCT ?s) AS ?subitems)
    WHERE { { ?p a komp:Post } UNION { ?h komp:hasDuty|komp:hasSharedDuty ?t } UNION { ?s komp:subDutyOf ?x } }"""))
    counts.update(first_row(store, sparql_prefixes() + """
    SELECT (COUNT(DISTINCT ?r) AS ?reporting_lines) (COUNT(DISTINCT ?c) AS ?cooperation_links)
    WHERE { { ?r a komp:ReportingLine } UNION { ?c a komp:CooperationLink } }"""))
    counts["quads"] = sum(1 for q in store.quads_for_pattern(None, None, None)
                          if not isinstance(q.graph_name, ox.DefaultGraph))
    return counts


def first_row(store: ox.Store, query: str) -> dict[str, int]:
    solutions = store.query(query)
    names = [v.value for v in solutions.variables]
    solution = next(iter(solutions))
    return {name: int(solution[name].value) for name in names if solution[name] is not None}


def write_report(result: BuildResult, folder: Path) -> None:
    report = {
        "counts": result.counts,
        "documents": [document_profile(d) for d in result.documents],
        "failures": [f.describe() for f in result.failures],
        "disagreements": [d.describe() for d in result.disagreements],
        "seconds": round(result.seconds, 2),
    }
    (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str),
                                        encoding="utf-8")


def replace_build(new: Path, target: Path) -> None:
    """Swap the new build in; the old one is removed only after the new one is in place."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new.rename(target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def build(sources: Path, out_dir: Path, *, base_iri: str, keep_going: bool = False,
          progress: Progress | None = None) -> BuildResult:
    started = time.perf_counter()
    minter = IriMinter(base_iri)
    loaded, failures = load_documents(discover_sources(sources), keep_going=keep_going, progress=progress)
    if not loaded:
        raise InputError("no source document could be read" if failures else "no source documents found",
                         source=str(sources))
    graphs, disagreements = graphs_for(loaded, minter, progress)
    validate_graphs(graphs, progress)
    result = BuildResult(out_dir, graphs, [i.document for i in loaded], failures, disagreements)
    staging = make_staging(out_dir)
    try:
        store = write_store(graphs, staging, minter)
        dump_named_graphs(store, staging / "dataset.trig")
        result.counts = count_facts(store)
        if progress:
            progress("index duties for search", 1, 1)
        save_index(store, staging)
        del store
        result.seconds = time.perf_counter() - started
        write_report(result, staging)
        replace_build(staging, out_dir)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise StoreError(f"cannot write the build: {error}", source=str(out_dir)) from error
    return result


def make_staging(out_dir: Path) -> Path:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.with_name(f"{out_dir.name}.new-{int(time.time() * 1000)}")
    staging.mkdir()
    return staging
