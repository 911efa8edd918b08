"""The reading cache: a document whose bytes (and sidecar) did not change is not read again; a changed one
is, and the build is the same as a build from scratch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kompetencje.loaders import pipeline

SOURCES = Path(__file__).resolve().parent.parent / "data" / "sources"
BASE = "https://w3id.org/kompetencje/id/"


def named_quads(out: Path) -> set[str]:
    store = ox.Store.read_only(str(out / "store"))
    return {str(q) for q in store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)}


@pytest.fixture()
def sources(tmp_path) -> Path:
    shutil.copytree(SOURCES, tmp_path / "sources")
    return tmp_path / "sources"


def test_unchanged_documents_are_not_read_again(sources, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    pipeline.build(sources, tmp_path / "one", base_iri=BASE, cache_dir=cache)
    assert len(list(cache.glob("*.pickle"))) == len(pipeline.discover_sources(sources))
    page = next(p for p in pipeline.discover_sources(sources) if p.name.startswith("003_"))
    page.write_text(page.read_text(encoding="utf-8").replace("konferencji", "konferencyj"), encoding="utf-8")
    read: list[str] = []
    real = pipeline.try_load_document
    monkeypatch.setattr(pipeline, "try_load_document", lambda path: read.append(path.name) or real(path))
    pipeline.build(sources, tmp_path / "two", base_iri=BASE, cache_dir=cache)
    assert read == [page.name]
    assert len(list(cache.glob("*.pickle"))) == len(pipeline.discover_sources(sources))  # the stale one pruned
    pipeline.build(sources, tmp_path / "scratch", base_iri=BASE)
    assert named_quads(tmp_path / "two") == named_quads(tmp_path / "scratch")
    assert named_quads(tmp_path / "two") != named_quads(tmp_path / "one")


def test_a_broken_cache_entry_is_read_again(sources, tmp_path):
    cache = tmp_path / "cache"
    pipeline.build(sources, tmp_path / "one", base_iri=BASE, cache_dir=cache)
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    pipeline.build(sources, tmp_path / "two", base_iri=BASE, cache_dir=cache)
    assert named_quads(tmp_path / "two") == named_quads(tmp_path / "one")
