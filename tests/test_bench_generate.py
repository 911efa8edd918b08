"""The synthetic national corpus (bench/) is a fair benchmark: it repeats byte for byte, every document goes
through the real loaders and is read exactly as its ground truth says it was written, and it builds into
a store without a single SHACL violation.

The tiny corpus (scale 0.002, five gminas) is written once per module. Big cities are rare at that scale, so
one metropolis and one city of the national plan are checked as well (their Dyrektor with deputies "ds. X",
Biura, roman unit symbols, three-section reporting).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `bench` is a top-level folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from bench import vocabulary as v  # noqa: E402
from bench.generate import generate_corpus, gmina_documents, write_document  # noqa: E402
from bench.plan import NATIONAL_GMINAS, class_sizes, gmina_specs, plan_corpus  # noqa: E402
from bench.truth import check_corpus, compare, corpus_sources, facts, load_truth  # noqa: E402
from kompetencje.loaders import morphology  # noqa: E402
from kompetencje.loaders.metadata import read_metadata  # noqa: E402
from kompetencje.loaders.pipeline import build, load_document  # noqa: E402

TINY = 0.002
SEED = 7


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "corpus"
    generate_corpus(TINY, SEED, out)
    return out


# ---------------------------------------------------------------------------------------------- the plan


def test_scale_one_is_poland() -> None:
    classes = class_sizes(NATIONAL_GMINAS)
    assert len(classes) == NATIONAL_GMINAS
    assert classes.count("metropolis") == 12 and classes.count("rural") == 1811
    assert len(class_sizes(5)) == 5 and len(class_sizes(1)) == 1


def test_teryt_codes_are_well_formed_and_unique() -> None:
    specs = gmina_specs(1.0, SEED)
    codes = [spec.teryt for spec in specs]
    assert all(len(code) == 7 and code.isdigit() for code in codes)
    assert len(set(codes)) == len(codes)


def test_most_gminas_have_5_to_15_units_and_cities_30_to_40_departments() -> None:
    gminas = plan_corpus(0.05, SEED)
    units = [len(g.departments) + sum(len(d.units) for d in g.departments) for g in gminas]
    assert sum(5 <= n <= 15 for n in units) / len(units) > 0.6
    big = [g for g in plan_corpus(1.0, SEED)[:12]]
    assert all(g.cls == "metropolis" and 30 <= len(g.departments) <= 40 for g in big)


def test_hand_declined_names_agree_with_morfeusz() -> None:
    """Every unit name the generator can print, in the genitive (after "Do zakresu działania") and the
    instrumental (after "we współpracy z"), goes back to its nominative. "Działem" is the known exception:
    morfeusz2 reads it only as a verb, so the generator never names a Dział as a partner."""
    wrong = []
    for domain in v.DOMAINS:
        names = [(head, complement) for complement, _symbol in domain.departments
                 for head in ("wydział", "biuro", "referat")]
        names += [(head, complement) for complement in (*domain.units, *v.GENERAL_UNITS)
                  for head in ("referat", "zespół", "dział", "stanowisko")
                  if head != "stanowisko" or complement.startswith("ds.")]
        for head, complement in names:
            forms = v.unit_name(v.HEADS[head], complement)
            for case in ("gen", "inst"):
                if head == "dział" and case == "inst":
                    continue
                if morphology.to_nominative(getattr(forms, case)) != forms.nom:
                    wrong.append((case, getattr(forms, case), forms.nom))
    assert wrong == []


def test_vocabulary_is_rich() -> None:
    parts = (len(v.GENITIVE_VERBS) + len(v.INSTRUMENTAL_VERBS) + len(v.QUALIFIERS) + len(v.GENERAL_OBJECTS)
             + sum(len(d.objects) + len(d.units) + len(d.departments) for d in v.DOMAINS))
    assert parts >= 150


# ---------------------------------------------------------------------------------------------- the corpus


def test_same_seed_same_bytes(corpus: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_corpus(TINY, SEED, again, jobs=2)
    assert tree_digest(again) == tree_digest(corpus)
    other = tmp_path / "other"
    generate_corpus(TINY, SEED + 1, other)
    assert tree_digest(other) != tree_digest(corpus)


def test_corpus_has_every_shape_and_a_sidecar_each(corpus: Path) -> None:
    truth = load_truth(corpus)
    sources = list(corpus_sources(corpus))
    assert truth["summary"]["gminas"] == 5
    assert len(sources) == truth["summary"]["documents"] == len(truth["documents"])
    assert {".txt", ".html"} <= {p.suffix for p in sources}
    assert set(truth["summary"]["by_kind"]) == {"ordinance", "bip-page", "duties-page"}
    for path in sources:
        meta = read_metadata(path)
        assert meta.has_sidecar and meta.teryt and meta.municipality and meta.office_name and meta.priority


def test_every_document_is_read_as_written(corpus: Path) -> None:
    assert check_corpus(corpus) == {}


@pytest.mark.slow
def test_big_city_documents_are_read_as_written(tmp_path: Path) -> None:
    specs = gmina_specs(1.0, SEED)
    chosen = [next(s for s in specs if s.cls == "metropolis"), next(s for s in specs if s.cls == "city")]
    differences = {}
    for spec in chosen:
        _gmina, documents = gmina_documents(SEED, spec)
        for document in documents:
            write_document(tmp_path, document)
            path = tmp_path / document.doc_id[:2] / f"{document.doc_id}{document.suffix}"
            problems = compare(document.truth, facts(load_document(path).document))
            if problems:
                differences[document.doc_id] = problems
    assert differences == {}


@pytest.mark.slow
def test_the_corpus_builds_without_violations(corpus: Path, tmp_path: Path) -> None:
    result = build(corpus / "sources", tmp_path / "build", base_iri="https://w3id.org/kompetencje/id/")
    truth = load_truth(corpus)
    assert result.failures == []
    assert len(result.documents) == truth["summary"]["documents"]
    assert result.counts["offices"] == truth["summary"]["gminas"]
    assert result.counts["duties"] > 200
