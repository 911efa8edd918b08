"""The build: sources → documents → graphs → reasoned → validated → one store, replaced atomically.

Each step is a small named function with one input and one output; `build` strings them together and is
what `kompetencje build`, the ingestion endpoint and the benchmark call. A failed build writes nothing:
the new store is made in a temporary folder beside the old one and swapped in only when every graph
validated.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import multiprocessing
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import pyoxigraph as ox
from rdflib import Graph

from kompetencje.codedigest import packages_digest
from kompetencje.errors import InputError, KompetencjeError, StoreError, ValidationFailed
from kompetencje.loaders.compiled_reasoning import Rule, apply_in_python, compile_rules
from kompetencje.loaders.compiled_validation import Check, compile_shapes, report_for, validate_in_store
from kompetencje.loaders.golden import document_to_json as document_profile
from kompetencje.loaders.increment import (
    Manifest,
    Plan,
    SourceEntry,
    build_code_digest,
    changed_sources,
    copy_blocks,
    copy_store,
    drop_from_union,
    merged_report,
    plan_increment,
    relative,
    remove_graphs,
    trig_block,
    usable_manifest,
)
from kompetencje.loaders.iris import DocumentIris, IriMinter
from kompetencje.loaders.metadata import SIDECAR_SUFFIX, read_metadata
from kompetencje.loaders.model import Document
from kompetencje.loaders.reasoning import load_ontology
from kompetencje.loaders.resolve import Canonical, Disagreement, build_registry, choose_canonical
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
    """One document's classified, reasoned graph, as N-Triples (what the pool workers hand back)."""

    doc_id: str
    ntriples: str

    def graph(self) -> Graph:
        return Graph().parse(data=self.ntriples, format="nt")


@dataclass
class BuildResult:
    out_dir: Path
    documents: list[Document] = field(default_factory=list)
    failures: list[KompetencjeError] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    kept: int = 0  # documents an incremental build carried over from the previous build unchanged
    warnings: int = 0  # findings of every document of the build, and disagreements between sources

    @property
    def document_count(self) -> int:
        return len(self.documents) + self.kept


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


def try_load_document(path: Path) -> LoadedDocument | KompetencjeError:
    """`load_document`, with a loader error returned (to cross a process boundary) rather than raised."""
    try:
        return load_document(path)
    except KompetencjeError as error:
        if error.source is None:
            error.source = str(path)
        return error


@lru_cache(maxsize=1)
def loader_fingerprint() -> str:
    """A digest of the loaders' code and package data: a cached reading is only as good as the code made it."""
    return packages_digest("kompetencje.loaders", "kompetencje.ontology")


def document_key(path: Path) -> str:
    """What a reading depends on: the file's name and bytes, its sidecar's bytes and the loaders' code."""
    digest = hashlib.sha256(loader_fingerprint().encode() + path.name.encode() + path.read_bytes())
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if sidecar.is_file():
        digest.update(sidecar.read_bytes())
    return digest.hexdigest()


def load_document_cached(path: Path, cache_dir: Path | None) -> LoadedDocument | KompetencjeError:
    """`try_load_document`, reusing the reading of an unchanged document (content hash) from `cache_dir`."""
    if cache_dir is None:
        return try_load_document(path)
    entry = cache_dir / f"{document_key(path)}.pickle"
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError):
        loaded = pickle.loads(entry.read_bytes())  # our own cache folder, written below
        loaded.document.meta.path = str(path)
        return loaded
    outcome = try_load_document(path)
    if isinstance(outcome, LoadedDocument):
        with contextlib.suppress(OSError):
            cache_dir.mkdir(parents=True, exist_ok=True)
            scratch = entry.with_suffix(f".{os.getpid()}.tmp")
            scratch.write_bytes(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(scratch, entry)
    return outcome


def load_documents(paths: list[Path], *, keep_going: bool, progress: Progress | None = None,
                   cache_dir: Path | None = None) -> tuple[list[LoadedDocument], list[KompetencjeError]]:
    """Every source read in the worker pool, in source order; the first failure stops unless `keep_going`.
    With `cache_dir`, unchanged documents are not read again (incremental rebuild)."""
    loaded, failures = [], []
    reader = functools.partial(load_document_cached, cache_dir=cache_dir)
    with worker_pool(len(paths)) as pool:
        for index, outcome in enumerate(pool.map(reader, paths, chunksize=4), start=1):
            if progress:
                progress("read", index, len(paths))
            if isinstance(outcome, KompetencjeError):
                if not keep_going:
                    raise outcome
                failures.append(outcome)
            else:
                loaded.append(outcome)
    return loaded, failures


# --- the worker pool: documents are independent once identities are resolved ---------------------------

POOL_THRESHOLD = 16  # fewer documents than this are done in-process (a pool costs ~1 s to start)
_SHARED: dict[str, object] = {}  # what the graph workers share, set once per worker by `_share`


class InlinePool:
    """The pool's interface, run in this process."""

    def map(self, function: Callable[[Any], Any], items: Iterable[Any], chunksize: int = 1) -> Iterator[Any]:
        return map(function, items)


@contextmanager
def worker_pool(jobs: int, shared: dict[str, object] | None = None) -> Iterator[InlinePool | ProcessPoolExecutor]:
    """Worker processes (spawned: safe in a threaded server) for many jobs; this process for a few."""
    workers = min(os.cpu_count() or 1, int(os.environ.get("KOMPETENCJE_BUILD_WORKERS", "0")) or 64)
    if jobs < POOL_THRESHOLD or workers < 2:
        _share(shared or {})
        yield InlinePool()
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_share, initargs=(shared or {},)) as pool:
        yield pool


def _share(shared: dict[str, object]) -> None:
    _SHARED.clear()
    _SHARED.update(shared)


@lru_cache(maxsize=1)
def compiled_rules() -> list[Rule]:
    """The ontology's entailments for instance data, compiled once (owlrl over the TBox only)."""
    return compile_rules(load_ontology())


@lru_cache(maxsize=1)
def compiled_checks() -> list[Check]:
    """The SHACL shapes compiled to SPARQL (proven to report what pySHACL reports: test_compiled_reasoning)."""
    return compile_shapes(ontology=load_ontology())


def resolve_identities(documents: list[Document], minter: IriMinter,
                       ) -> tuple[dict[str, DocumentIris], Canonical, list[Disagreement]]:
    """IRIs per document and the canonical labels and texts, decided across all documents."""
    registry = build_registry(documents, minter)
    iris = {d.meta.doc_id: DocumentIris(d, minter, registry) for d in documents}
    registry.versioned_holders = versioned_holders(documents, iris)
    canon, disagreements = choose_canonical(documents, iris)
    return iris, canon, disagreements


def versioned_holders(documents: list[Document], iris: dict[str, DocumentIris]) -> set:
    """Units whose duties more than one legal act states (an act and the one that replaced it)."""
    acts_by_holder: dict[object, set[str]] = {}
    for doc in documents:
        doc_iris = iris[doc.meta.doc_id]
        if doc_iris.act is None:
            continue
        for duty_list in doc.duty_lists:
            acts_by_holder.setdefault(doc_iris(duty_list.holder), set()).add(str(doc_iris.act))
    return {holder for holder, acts in acts_by_holder.items() if len(acts) > 1}


def document_graph(item: LoadedDocument) -> BuiltGraph:
    """One document → its classified, reasoned graph (runs in a worker; identities come from `_SHARED`)."""
    doc = item.document
    iris, canon = _SHARED["iris"], _SHARED["canon"]
    graph = document_to_graph(doc, iris[doc.meta.doc_id], canon, item.content)  # type: ignore[index]
    graph += classify_graph(graph)
    apply_in_python(graph, compiled_rules(), in_place=True)
    return BuiltGraph(doc.meta.doc_id, as_stored(graph.serialize(format="nt")))


def as_stored(ntriples: str) -> str:
    """N-Triples as the store gives them back: oxigraph keeps a literal's value, not its spelling ("1.0" as
    a decimal comes back "1", "007" as an integer "7"), so dataset.trig, written from this, says what the
    endpoint says."""
    store = ox.Store()
    store.load(ntriples.encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8")


def graphs_for(loaded: list[LoadedDocument], minter: IriMinter, progress: Progress | None = None,
               ) -> tuple[Iterator[BuiltGraph], list[Disagreement], Callable[[], None]]:
    """Each document's graph, made in the pool as the caller consumes them; call `close` when done."""
    iris, canon, disagreements = resolve_identities([item.document for item in loaded], minter)
    pool_context = worker_pool(len(loaded), {"iris": iris, "canon": canon})
    pool = pool_context.__enter__()

    def graphs() -> Iterator[BuiltGraph]:
        for index, built in enumerate(pool.map(document_graph, loaded, chunksize=4), start=1):
            if progress:
                progress("graph", index, len(loaded))
            yield built

    return graphs(), disagreements, lambda: pool_context.__exit__(None, None, None)


# --- the store: one bulk load, validation over it, the union default graph ------------------------------

@dataclass
class Written:
    """What streaming the documents' graphs wrote: {graph IRI: doc id} and each doc's block in dataset.trig."""

    names: dict[str, str] = field(default_factory=dict)
    blocks: dict[str, tuple[int, int]] = field(default_factory=dict)


NAMED_FILE, UNION_FILE = "named.nq", "union.nt"


def stream_graphs(graphs: Iterator[BuiltGraph], folder: Path, minter: IriMinter, trig: BinaryIO) -> Written:
    """Each document's graph, as it comes from the pool, into three files at once: N-Quads for the bulk load
    of the named graphs, N-Triples for the union default graph, and its block of dataset.trig. Memory does not
    grow with the corpus."""
    written = Written()
    with (folder / NAMED_FILE).open("w", encoding="utf-8") as named, \
            (folder / UNION_FILE).open("w", encoding="utf-8") as union:
        for built in graphs:
            name = str(minter.graph(built.doc_id))
            written.names[name] = built.doc_id
            write_as_nquads(built.ntriples, name, named)
            union.write(built.ntriples)
            block = trig_block(name, built.ntriples)
            written.blocks[built.doc_id] = (trig.tell(), len(block))
            trig.write(block)
    return written


def write_as_nquads(ntriples: str, graph: str, out: TextIO) -> None:
    suffix = f" <{graph}> .\n"
    out.writelines(line[:-1].rstrip() + suffix for line in ntriples.splitlines() if line.endswith("."))


def load_named_graphs(store: ox.Store, folder: Path) -> None:
    """The streamed named graphs into the store with one bulk load."""
    bulk_load_once(store, folder / NAMED_FILE, ox.RdfFormat.N_QUADS)


def bulk_load_once(store: ox.Store, path: Path, format: ox.RdfFormat) -> None:
    """A streamed file into the store with oxigraph's bulk loader; the file is removed after."""
    store.bulk_load(path=str(path), format=format)
    path.unlink()


def load_special_graphs(store: ox.Store, minter: IriMinter) -> None:
    """The ontology and the competence scheme, each in its own named graph."""
    ontology = load_ontology().serialize(format="nt").encode("utf-8")
    store.load(ontology, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(minter.special_graph("ontology"))))
    store.load(path=str(scheme_path()), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(str(minter.special_graph("concepts"))))


SPECIAL_GRAPHS = ("ontology", "concepts", "closure")


def validate_store(store: ox.Store, names: dict[str, str], progress: Progress | None = None, *,
                   only_named: bool = False) -> None:
    """Every document's named graph checked on its own by the compiled shapes (in one pass over the store, or
    with `only_named` graph by graph: an incremental build's few); ValidationFailed with every document's
    violations (pySHACL's report, see compiled_validation)."""
    if progress:
        progress("validate", 1, 1)
    if only_named:
        findings = validate_in_store(store, compiled_checks(), graph_names=sorted(names))
    else:
        findings = validate_in_store(store, compiled_checks(), graph_names=None,
                                     exclude=[n for n in special_graphs(store) if n not in names])
    reports = [report_for(found, graph_of(store, name), source=names[name])
               for name, found in sorted(findings.items()) if name in names]
    reports = [r for r in reports if not r.conforms]
    if reports:
        violations = [v for r in reports for v in r.as_dicts()]
        raise ValidationFailed(f"{len(violations)} SHACL violation(s) in {len(reports)} document(s)",
                               report="\n\n".join(r.to_text() for r in reports), violations=violations)


def special_graphs(store: ox.Store) -> list[str]:
    return [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]


def graph_of(store: ox.Store, name: str) -> Graph:
    """One named graph as an rdflib graph (only for the report of a document that failed)."""
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
    return Graph().parse(data=data.decode("utf-8"), format="nt")


def load_union(store: ox.Store, folder: Path) -> None:
    """The streamed documents' triples into the default graph, which holds the union of every named graph as
    a set (oxigraph's union view repeats a triple once per graph that holds it, so COUNT would over-count)."""
    bulk_load_once(store, folder / UNION_FILE, ox.RdfFormat.N_TRIPLES)


def copy_into_union(store: ox.Store, minter: IriMinter, names: Iterable[str]) -> None:
    """A few named graphs' triples into the default graph (the union)."""
    for name in names:
        graph = ox.NamedNode(str(minter.special_graph(name)))
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in
                     list(store.quads_for_pattern(None, None, None, graph)))


def append_special_blocks(store: ox.Store, minter: IriMinter, trig: BinaryIO) -> None:
    """dataset.trig ends with the ontology's, the scheme's and the closure's graphs."""
    for name in SPECIAL_GRAPHS:
        graph = str(minter.special_graph(name))
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)).decode("utf-8")
        trig.write(trig_block(graph, data))


CLOSURE_QUERY = """
SELECT DISTINCT ?a ?b WHERE { ?a komp:reportsTo+ ?b FILTER NOT EXISTS { ?a komp:reportsToTransitive ?b } }
"""


def closure_quads(store: ox.Store, minter: IriMinter) -> list[ox.Quad]:
    """Entailments that span documents (a reporting chain read from two acts), for one closure graph."""
    closure = ox.NamedNode(str(minter.special_graph("closure")))
    transitive = ox.NamedNode(str(KOMP.reportsToTransitive))
    org_reports = ox.NamedNode(str(ORG.reportsTo))
    pairs = list(store.query(sparql_prefixes() + CLOSURE_QUERY, use_default_graph_as_union=True))
    return [ox.Quad(row["a"], predicate, row["b"], closure) for row in pairs
            for predicate in (transitive, org_reports)]


VALIDITY_QUERY = """
SELECT ?document (MIN(COALESCE(?entry, ?dated)) AS ?from) (MIN(?repealed) AS ?until) WHERE {
  ?document a komp:SourceDocument ; dct:subject ?act . ?act a eli:LegalResource .
  OPTIONAL { ?act eli:first_date_entry_in_force ?entry } OPTIONAL { ?act eli:date_document ?dated }
  OPTIONAL { ?act eli:date_no_longer_in_force ?repealed }
} GROUP BY ?document
"""


def date_quads(store: ox.Store, minter: IriMinter) -> list[ox.Quad]:
    """When what each act-holding document states is in force (komp:inForceFrom/Until), for the closure
    graph: a repeal is often stated by another document than the act it repeals."""
    closure = ox.NamedNode(str(minter.special_graph("closure")))
    bounds = (("from", ox.NamedNode(str(KOMP.inForceFrom))), ("until", ox.NamedNode(str(KOMP.inForceUntil))))
    rows = store.query(sparql_prefixes() + VALIDITY_QUERY, use_default_graph_as_union=True)
    return [ox.Quad(row["document"], predicate, row[name], closure) for row in rows
            for name, predicate in bounds if row[name] is not None]


def close_and_date(store: ox.Store, minter: IriMinter, progress: Progress | None, *, into_union: bool) -> None:
    """The closure graph: reporting chains across documents, then the documents' dates in force (computed
    over the union as it is before the closure graph is there); with `into_union` also into the default
    graph (an incremental build, whose default graph is already the union)."""
    for step, compute in (("closure", closure_quads), ("dates", date_quads)):
        if progress:
            progress(step, 1, 1)
        quads = compute(store, minter)
        store.extend(quads)
        if into_union:
            store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)


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
    counts.update(first_row(store, "SELECT (COUNT(*) AS ?quads) WHERE { GRAPH ?g { ?s ?p ?o } }"))
    return counts


def first_row(store: ox.Store, query: str) -> dict[str, int]:
    solutions = store.query(query)
    names = [v.value for v in solutions.variables]
    solution = next(iter(solutions))
    return {name: int(solution[name].value) for name in names if solution[name] is not None}


def write_report(result: BuildResult, folder: Path, plan: Plan | None = None) -> None:
    profiles = [document_profile(d) for d in result.documents]
    if plan is not None:
        profiles = merged_report(plan, profiles)
    result.warnings = sum(len(p.get("findings", [])) for p in profiles) + len(result.disagreements)
    report = {
        "counts": result.counts,
        "documents": profiles,
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
          progress: Progress | None = None, cache_dir: Path | None = None,
          previous: Path | None = None) -> BuildResult:
    """Read, resolve, graph, validate and store every source; swap the new build in only when all is well.
    `cache_dir` keeps each document's reading by content hash for the next build. With `previous` (the
    current build), only the offices whose documents changed are done again (loaders/increment.py): the
    result is the one a full build gives."""
    started = time.perf_counter()
    minter = IriMinter(base_iri)
    paths = discover_sources(sources)
    keys = {relative(path, sources): document_key(path) for path in paths}
    plan, loaded, failures = plan_and_read(previous, sources, paths, keys, minter, cache_dir, keep_going, progress)
    if not loaded and not (plan and plan.keep):
        raise InputError("no source document could be read" if failures else "no source documents found",
                         source=str(sources))
    result = BuildResult(out_dir, [i.document for i in loaded], failures, kept=len(plan.keep) if plan else 0)
    staging = make_staging(out_dir)
    try:
        if plan is None:
            result.disagreements, result.counts, written = write_build(loaded, staging, minter, progress)
        else:
            result.disagreements, result.counts, written = patch_build(plan, loaded, staging, minter, progress)
        result.seconds = time.perf_counter() - started
        write_report(result, staging, plan)
        write_manifest(staging, base_iri, sources, keys, loaded, written, result, plan, minter)
        replace_build(staging, out_dir)
        prune_cache(cache_dir, paths)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise StoreError(f"cannot write the build: {error}", source=str(out_dir)) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def plan_and_read(previous: Path | None, sources: Path, paths: list[Path], keys: dict[str, str],
                  minter: IriMinter, cache_dir: Path | None, keep_going: bool, progress: Progress | None,
                  ) -> tuple[Plan | None, list[LoadedDocument], list[KompetencjeError]]:
    """The incremental plan (None: a full build) and the documents it needs read, in source order."""
    read = functools.partial(load_documents, keep_going=keep_going, progress=progress, cache_dir=cache_dir)
    manifest = usable_manifest(previous, minter.base)
    if previous is None or manifest is None:
        return None, *read(paths)
    changed, _gone = changed_sources(manifest, keys)
    loaded, failures = read([p for p in paths if relative(p, sources) in changed])
    plan = plan_increment(previous, manifest, sources, paths, keys, {office_of(i.document, minter) for i in loaded})
    if plan is None:
        return None, *read(paths)
    more, more_failures = read([p for p in plan.redo if relative(p, sources) not in changed])
    loaded = sorted(loaded + more, key=lambda item: Path(item.document.meta.path))
    return plan, loaded, failures + more_failures


def office_of(document: Document, minter: IriMinter) -> str:
    return str(minter.office(document.municipality.teryt, document.municipality.name))


def write_build(loaded: list[LoadedDocument], folder: Path, minter: IriMinter, progress: Progress | None,
                ) -> tuple[list[Disagreement], dict[str, int], Written]:
    """The store, dataset.trig and the search index of a build, in `folder` (validated before anything
    else is derived from the store)."""
    store = ox.Store(str(folder / "store"))
    graphs, disagreements, close = graphs_for(loaded, minter, progress)
    with (folder / "dataset.trig").open("wb") as trig:
        try:
            written = stream_graphs(graphs, folder, minter, trig)
        finally:
            close()
        load_named_graphs(store, folder)
        load_special_graphs(store, minter)
        validate_store(store, written.names, progress)
        close_and_date(store, minter, progress, into_union=False)
        append_special_blocks(store, minter, trig)
    if progress:
        progress("union", 1, 1)
    load_union(store, folder)
    copy_into_union(store, minter, SPECIAL_GRAPHS)
    return sorted(disagreements, key=disagreement_order), finish_store(store, folder, progress), written


def patch_build(plan: Plan, loaded: list[LoadedDocument], folder: Path, minter: IriMinter,
                progress: Progress | None) -> tuple[list[Disagreement], dict[str, int], Written]:
    """`write_build` for the plan's documents on a copy of the previous store: their offices' named graphs
    replaced, the union corrected by difference, the closure and everything after it computed again."""
    store = copy_store(plan.previous, folder / "store")
    graphs, disagreements, close = graphs_for(loaded, minter, progress)
    with (folder / "dataset.trig").open("wb") as trig:
        with (plan.previous / "dataset.trig").open("rb") as before:
            kept_blocks = copy_blocks(before, trig, plan.keep.values())
        try:
            written = stream_graphs(graphs, folder, minter, trig)
        finally:
            close()
        replaced = remove_graphs(store, [*plan.drop_graphs, str(minter.special_graph("closure"))])
        load_named_graphs(store, folder)
        validate_store(store, written.names, progress, only_named=True)
        if progress:
            progress("union", 1, 1)
        load_union(store, folder)
        drop_from_union(store, replaced)
        close_and_date(store, minter, progress, into_union=True)
        append_special_blocks(store, minter, trig)
    written.blocks.update(kept_blocks)
    disagreements = sorted(plan.kept_disagreements() + disagreements, key=disagreement_order)
    return disagreements, finish_store(store, folder, progress), written


def disagreement_order(disagreement: Disagreement) -> tuple[str, ...]:
    return (disagreement.iri, disagreement.what, disagreement.kept_source, disagreement.other_source)


def finish_store(store: ox.Store, folder: Path, progress: Progress | None) -> dict[str, int]:
    """The statistics and the search index of a written store; the store flushed."""
    counts = count_facts(store)
    if progress:
        progress("index duties for search", 1, 1)
    save_index(store, folder)
    store.flush()
    return counts


def write_manifest(folder: Path, base_iri: str, sources: Path, keys: dict[str, str],
                   loaded: list[LoadedDocument], written: Written, result: BuildResult, plan: Plan | None,
                   minter: IriMinter) -> None:
    """manifest.json: what the next build needs to patch this one (loaders/increment.py). Not written when
    two sources share a document id (their graphs would share a name: such a build is always done whole)."""
    entries = dict(plan.keep) if plan else {}
    for item in loaded:
        doc, path = item.document, Path(item.document.meta.path)
        entries[relative(path, sources)] = SourceEntry(doc.meta.doc_id, keys[relative(path, sources)],
                                                       office_of(doc, minter), str(minter.graph(doc.meta.doc_id)),
                                                       (0, 0))
    if len({e.doc_id for e in entries.values()}) != len(entries):
        return
    for entry in entries.values():
        entry.block = written.blocks[entry.doc_id]
    Manifest(base_iri, build_code_digest(), entries,
             [dataclasses.asdict(d) for d in result.disagreements]).write(folder)


def prune_cache(cache_dir: Path | None, paths: list[Path]) -> None:
    """Drop the readings no source of this build has (documents changed or gone, older loader code)."""
    if cache_dir is None or not cache_dir.is_dir():
        return
    keep = set()
    for path in paths:
        with contextlib.suppress(OSError):
            keep.add(f"{document_key(path)}.pickle")
    for entry in cache_dir.glob("*.pickle"):
        if entry.name not in keep:
            with contextlib.suppress(OSError):
                entry.unlink()


def check_sources(sources: Path, *, base_iri: str, progress: Progress | None = None) -> BuildResult:
    """`kompetencje validate`: the whole build in a scratch folder that is then thrown away."""
    with tempfile.TemporaryDirectory(prefix="kompetencje-validate-") as scratch:
        result = build(sources, Path(scratch) / "build", base_iri=base_iri, progress=progress)
    return result


def make_staging(out_dir: Path) -> Path:
    """A new folder beside `out_dir` to write the build in; StoreError when it cannot be made."""
    staging = out_dir.with_name(f"{out_dir.name}.new-{int(time.time() * 1000)}")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
    except OSError as error:
        raise StoreError(f"cannot write the build: {error}", source=str(out_dir)) from error
    return staging
