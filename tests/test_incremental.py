"""An incremental build (the previous build patched for the documents that changed) gives exactly what a
full build of the same sources gives: the same quads in every graph of the store (the union default graph
and the closure included), the same dataset.trig, the same report and the same search index. And it is
incremental: it reads and graphs again only the documents of the offices that changed.

The corpus: the synthetic corpus of the benchmark at its tiny scale (five gminas, several documents each)
plus the five seed documents (three of them from one office, whose departments are matched across
documents: a change in one of them can change what the others' graphs say).
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `bench` is a top-level folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from bench.generate import generate_corpus  # noqa: E402
from bench.run import change_one_document  # noqa: E402
from kompetencje.loaders.increment import MANIFEST, Manifest  # noqa: E402
from kompetencje.loaders.pipeline import build, discover_sources  # noqa: E402

BASE = "https://w3id.org/kompetencje/id/"
SEEDS = ROOT / "data" / "sources"
FIXTURES = ROOT / "tests" / "fixtures" / "documents"


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sources (synthetic corpus and seeds) and their full build, `before/build`."""
    folder = tmp_path_factory.mktemp("before")
    generate_corpus(0.002, 7, folder / "corpus")
    sources = folder / "sources"
    shutil.copytree(folder / "corpus" / "sources", sources)
    shutil.copytree(SEEDS, sources / "seeds")
    build(sources, folder / "build", base_iri=BASE)
    return folder


def changed_copy(before: Path, tmp_path: Path) -> Path:
    sources = tmp_path / "sources"
    shutil.copytree(before / "sources", sources)
    return sources


def both_builds(before: Path, sources: Path, tmp_path: Path):
    """(full build, incremental build) of `sources`: results and folders."""
    full = build(sources, tmp_path / "full", base_iri=BASE)
    patched = build(sources, tmp_path / "patched", base_iri=BASE, previous=before / "build")
    return (full, tmp_path / "full"), (patched, tmp_path / "patched")


def snapshot(folder: Path) -> dict[str, list[str]]:
    """Everything a user reads from a build, as sorted lines (quads in N-Quads, JSON pretty-printed)."""
    store = ox.Store.read_only(str(folder / "store"))
    quads = sorted(str(q) for q in store)
    trig = sorted(str(q) for q in ox.parse(path=str(folder / "dataset.trig"), format=ox.RdfFormat.TRIG))
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    report.pop("seconds")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    for entry in manifest["sources"].values():
        entry.pop("block")  # where a graph's block lies in dataset.trig depends on the order blocks came in
    return {"store quads": quads, "dataset.trig quads": trig,
            "report.json": json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True).splitlines(),
            "manifest.json": json.dumps(manifest, indent=1, sort_keys=True).splitlines(),
            "search/meta.json": (folder / "search" / "meta.json").read_text(encoding="utf-8").splitlines()}


def store_quads(folder: Path) -> set[str]:
    return {str(q) for q in ox.Store.read_only(str(folder / "store"))}


def assert_same_build(full: Path, patched: Path) -> None:
    expected, found = snapshot(full), snapshot(patched)
    for part in expected:
        if expected[part] != found[part]:
            diff = "\n".join(list(difflib.unified_diff(expected[part], found[part], "full build", "incremental",
                                                       lineterm="", n=1))[:60])
            pytest.fail(f"{part} differs between the full and the incremental build:\n{diff}")


def test_a_reworded_duty_redoes_one_office(before: Path, tmp_path: Path) -> None:
    sources = changed_copy(before, tmp_path)
    change_one_document(sources)
    (full, full_dir), (patched, patched_dir) = both_builds(before, sources, tmp_path)
    assert_same_build(full_dir, patched_dir)
    assert store_quads(patched_dir) != store_quads(before / "build")
    total = len(discover_sources(sources))
    assert patched.document_count == full.document_count == total
    assert 0 < len(patched.documents) < total / 3, "only the changed document's office is read again"
    assert patched.kept == total - len(patched.documents)


def test_removing_and_adding_documents(before: Path, tmp_path: Path) -> None:
    """One of the three documents of the seeds' office goes (its departments' names and texts were matched
    with the other two's), a document of a new office comes."""
    sources = changed_copy(before, tmp_path)
    seed = sorted((sources / "seeds").glob("*.txt"))[-1]
    seed.unlink()
    seed.with_suffix(".toml").unlink(missing_ok=True)
    shutil.copy(FIXTURES / "lublin_zarzadzenie_wydzial.txt", sources / "lublin_zarzadzenie_wydzial.txt")
    (full, full_dir), (patched, patched_dir) = both_builds(before, sources, tmp_path)
    assert_same_build(full_dir, patched_dir)
    assert patched.kept > 0 and len(patched.documents) < full.document_count
    assert store_quads(patched_dir) != store_quads(before / "build")


def shared_unit_name(build_dir: Path, folder: str) -> tuple[str, list[str]]:
    """A unit name that two or more documents under `folder` give, and those documents' ids."""
    report = json.loads((build_dir / "report.json").read_text(encoding="utf-8"))
    by_name: dict[str, set[str]] = defaultdict(set)
    for profile in report["documents"]:
        if f"/{folder}/" in profile["meta"]["path"]:
            for unit in profile["units"]:
                if unit.get("name"):
                    by_name[unit["name"]].add(profile["meta"]["doc_id"])
    name = min(n for n, ids in by_name.items() if len(ids) > 1)
    return name, sorted(by_name[name])


def graph_quads(folder: Path, doc_ids: set[str]) -> set[str]:
    store = ox.Store.read_only(str(folder / "store"))
    return {str(q) for q in store if isinstance(q.graph_name, ox.NamedNode)
            and q.graph_name.value.rsplit("/", 1)[-1] in doc_ids}


def test_one_document_renaming_a_shared_unit_changes_the_others(before: Path, tmp_path: Path) -> None:
    """A document spells a unit's name that other documents of its office give too, and its priority (in its
    sidecar) now wins: what the other documents' graphs say changes, though their files did not."""
    sources = changed_copy(before, tmp_path)
    name, doc_ids = shared_unit_name(before / "build", "seeds")
    edited = next(i for i in doc_ids if name in (sources / "seeds" / f"{i}.txt").read_text(encoding="utf-8"))
    text_path, sidecar = sources / "seeds" / f"{edited}.txt", sources / "seeds" / f"{edited}.toml"
    text_path.write_text(text_path.read_text(encoding="utf-8").replace(name, f"{name} Miasta"), encoding="utf-8")
    sidecar.write_text(re.sub(r"(?m)^priority = \d+", "priority = 9", sidecar.read_text(encoding="utf-8"),
                              count=1), encoding="utf-8")
    (_full, full_dir), (patched, patched_dir) = both_builds(before, sources, tmp_path)
    assert_same_build(full_dir, patched_dir)
    assert patched.kept > 0
    others = set(doc_ids) - {edited}
    assert graph_quads(patched_dir, others) != graph_quads(before / "build", others), \
        "the unchanged documents' graphs were made again with the new spelling"


def test_a_build_of_other_code_or_base_is_not_patched(before: Path, tmp_path: Path) -> None:
    sources = changed_copy(before, tmp_path)
    previous = tmp_path / "previous"
    shutil.copytree(before / "build", previous)
    manifest = Manifest.read(previous)
    assert manifest is not None
    manifest.code = "0" * 64  # written by other loader, shape or search code
    manifest.write(previous)
    result = build(sources, tmp_path / "other-code", base_iri=BASE, previous=previous)
    assert result.kept == 0 and len(result.documents) == len(discover_sources(sources))
    result = build(sources, tmp_path / "other-base", base_iri="https://example.org/id/", previous=before / "build")
    assert result.kept == 0


def test_an_unchanged_corpus_keeps_every_document(before: Path, tmp_path: Path) -> None:
    sources = changed_copy(before, tmp_path)
    (_full, full_dir), (patched, patched_dir) = both_builds(before, sources, tmp_path)
    assert_same_build(full_dir, patched_dir)
    assert patched.documents == [] and patched.kept == len(discover_sources(sources))


def test_dataset_trig_and_the_default_graph_hold_the_named_graphs(before: Path) -> None:
    """What the build streams: dataset.trig has exactly the store's named graphs, and the default graph is
    their union as a set."""
    store = ox.Store.read_only(str(before / "build" / "store"))
    named = {q for q in store if isinstance(q.graph_name, ox.NamedNode)}
    trig = set(ox.parse(path=str(before / "build" / "dataset.trig"), format=ox.RdfFormat.TRIG))
    assert trig == named
    default = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None,
                                                                                          ox.DefaultGraph())}
    assert default == {ox.Triple(q.subject, q.predicate, q.object) for q in named}
    assert len(default) < len(named), "some triples are stated by more than one graph, and counted once"
