"""Competence search: the Polish analyser, the competence concepts and the BM25 index over duties.

- `classify_graph(graph)`: the dct:subject triples (and their qualified classification nodes) for every
  komp:Duty of a graph — a build step, per source graph.
- `SearchIndex.build(store)` / `.save(folder)` / `.load(folder)` / `.search(q, municipality, limit)`.
- `kompetencje.search.evaluate.main(argv)`: `kompetencje eval-search QUERIES.jsonl`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kompetencje.search.concepts import classify, classify_graph, load_scheme, scheme_path
from kompetencje.search.index import Hit, SearchIndex

__all__ = ["Hit", "SearchIndex", "classify", "classify_graph", "load_scheme", "save_index", "scheme_path"]

INDEX_FOLDER = "search"


def save_index(store: Any, build_dir: str | Path) -> Path:
    """Index a built pyoxigraph store and save the index beside it (`{build_dir}/search`)."""
    return SearchIndex.build(store).save(Path(build_dir) / INDEX_FOLDER)
