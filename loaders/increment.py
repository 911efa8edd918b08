"""Incremental rebuild: patch the previous build for the documents whose content changed.

Every build writes `manifest.json`: per source (by path under the sources folder) its content key
(`document_key`: bytes, sidecar and loader code), its office and its block in dataset.trig. The next build
compares keys. What one document's graph says depends on other documents only through identity resolution
(departments matched across documents, canonical names and texts, versioned holders), and that is
decided per office: every IRI a document mints lies under its own office. So when documents change, the
documents of their offices are graphed again and every other document's graph is still what a full build
would make. The previous store is copied (a RocksDB checkpoint: hard links), the affected named graphs
are replaced, the union default graph is corrected by difference, and the closure graph, the statistics
and the search index are computed again. `tests/test_incremental.py` proves the result equal to a full
build's.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from kompetencje.codedigest import packages_digest
from kompetencje.loaders.resolve import Disagreement

MANIFEST = "manifest.json"
FORMAT = 1
REDO_LIMIT = 0.5  # more of the corpus than this to graph again: a full build is as quick and simpler


@lru_cache(maxsize=1)
def build_code_digest() -> str:
    """What a build's output depends on besides its sources: loaders, ontology, shapes and search code."""
    return packages_digest("kompetencje.loaders", "kompetencje.ontology", "kompetencje.shapes",
                           "kompetencje.search", "kompetencje.validation")


@dataclass
class SourceEntry:
    """One source of a build, as the manifest keeps it."""

    doc_id: str
    key: str
    office: str
    graph: str
    block: tuple[int, int]  # offset and length of its graph in dataset.trig


@dataclass
class Manifest:
    base_iri: str
    code: str
    sources: dict[str, SourceEntry] = field(default_factory=dict)  # by path relative to the sources folder
    disagreements: list[dict[str, str]] = field(default_factory=list)
    format: int = FORMAT

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        """The manifest of a previous build, or None when it is missing, unreadable or of another format."""
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return None
            sources = {path: SourceEntry(**{**entry, "block": tuple(entry["block"])})
                       for path, entry in data["sources"].items()}
            return cls(data["base_iri"], data["code"], sources, data["disagreements"])
        return None

    def write(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(self.to_json(), encoding="utf-8")


@dataclass
class Plan:
    """What an incremental build redoes: the sources of the offices that changed, and what it keeps."""

    previous: Path
    sources: Path
    manifest: Manifest
    keep: dict[str, SourceEntry]  # relative path → entry, carried over as is
    redo: list[Path]  # sources to read and graph again (sorted, as a full build orders them)
    drop_graphs: list[str]  # named graphs of the previous build that the new graphs replace or that are gone

    def kept_disagreements(self) -> list[Disagreement]:
        kept_ids = {entry.doc_id for entry in self.keep.values()}
        return [Disagreement(**d) for d in self.manifest.disagreements if d["kept_source"] in kept_ids]


def usable_manifest(previous: Path | None, base_iri: str) -> Manifest | None:
    """The previous build's manifest when that build can be patched: same base IRI, same code, files there."""
    if previous is None or not (previous / "store").is_dir() or not (previous / "dataset.trig").is_file():
        return None
    manifest = Manifest.read(previous)
    if manifest is None or manifest.base_iri != base_iri or manifest.code != build_code_digest():
        return None
    return manifest


def changed_sources(manifest: Manifest, keys: dict[str, str]) -> tuple[set[str], set[str]]:
    """(sources new or with other content, sources gone), by relative path."""
    changed = {path for path, key in keys.items()
               if path not in manifest.sources or manifest.sources[path].key != key}
    return changed, set(manifest.sources) - set(keys)


def plan_increment(previous: Path, manifest: Manifest, sources: Path, paths: list[Path], keys: dict[str, str],
                   changed_offices: Iterable[str]) -> Plan | None:
    """The plan, given the offices of the changed documents as read now; None when a full build is better."""
    changed, gone = changed_sources(manifest, keys)
    offices = set(changed_offices) | {manifest.sources[p].office for p in (changed | gone) if p in manifest.sources}
    keep = {rel: entry for rel, entry in manifest.sources.items()
            if rel in keys and rel not in changed and entry.office not in offices}
    redo = [p for p in paths if relative(p, sources) not in keep]
    if len(redo) > REDO_LIMIT * max(len(paths), 1) and len(paths) > 8:
        return None
    drop = sorted(entry.graph for rel, entry in manifest.sources.items() if rel not in keep)
    return Plan(previous, sources, manifest, keep, redo, drop)


def relative(path: Path, sources: Path) -> str:
    return path.relative_to(sources).as_posix()


# --- the store ----------------------------------------------------------------------------------------------

def copy_store(previous: Path, target: Path) -> ox.Store:
    """A writable copy of the previous build's store (a checkpoint: hard links to its immutable files)."""
    source = ox.Store.read_only(str(previous / "store"))
    try:
        source.backup(str(target))
    finally:
        del source
    return ox.Store(str(target))


def remove_graphs(store: ox.Store, names: Iterable[str]) -> set[ox.Triple]:
    """Remove named graphs; return the triples they held (to correct the union default graph after)."""
    triples: set[ox.Triple] = set()
    for name in names:
        graph = ox.NamedNode(name)
        triples.update(ox.Triple(q.subject, q.predicate, q.object)
                       for q in store.quads_for_pattern(None, None, None, graph))
        store.remove_graph(graph)
    return triples


def drop_from_union(store: ox.Store, triples: Iterable[ox.Triple]) -> None:
    """Remove from the default graph each triple that no named graph holds any more."""
    default = ox.DefaultGraph()
    stale = [ox.Quad(t.subject, t.predicate, t.object, default) for t in triples
             if not any(not isinstance(q.graph_name, ox.DefaultGraph)
                        for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None))]
    for quad in stale:
        store.remove(quad)


# --- dataset.trig ------------------------------------------------------------------------------------------

def trig_block(graph: str, ntriples: str) -> bytes:
    """One named graph as a TriG block (N-Triples lines are TriG statements)."""
    lines = [line for line in ntriples.splitlines() if line.endswith(".")]
    return (f"<{graph}> {{\n" + "\n".join(lines) + "\n}\n").encode("utf-8")


def copy_blocks(previous: BinaryIO, out: BinaryIO, entries: Iterable[SourceEntry]) -> dict[str, tuple[int, int]]:
    """The kept documents' blocks of the previous dataset.trig, copied; their new blocks by doc id."""
    blocks = {}
    for entry in sorted(entries, key=lambda e: e.block[0]):
        offset, length = entry.block
        previous.seek(offset)
        start = out.tell()
        remaining = length
        while remaining:
            chunk = previous.read(min(remaining, 1 << 20))
            if not chunk:
                raise OSError(f"dataset.trig of the previous build ends before the block of {entry.doc_id}")
            out.write(chunk)
            remaining -= len(chunk)
        blocks[entry.doc_id] = (start, length)
    return blocks


def merged_report(plan: Plan, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's document profiles: the kept ones from the previous report (with today's paths), the new
    ones as given, in the order a full build gives (by source path)."""
    report = json.loads((plan.previous / "report.json").read_text(encoding="utf-8"))
    paths = {entry.doc_id: str(plan.sources / rel) for rel, entry in plan.keep.items()}
    profiles = [p for p in report["documents"] if p["meta"]["doc_id"] in paths]
    for profile in profiles:
        profile["meta"]["path"] = paths[profile["meta"]["doc_id"]]
    profiles += documents
    return sorted(profiles, key=lambda p: Path(p["meta"]["path"]))
