"""Generate the synthetic national corpus: `python -m bench generate --scale 0.01 --seed 7 --out bench/corpus`.

Writes `OUT/sources/{województwo}/{doc_id}.txt|html` with a `.toml` sidecar each (municipality, fake TERYT,
office, kind, priority), and `OUT/truth.json`: per document, what a correct loader reads from it (units,
duty counts, posts, reporting edges, cooperation, contacts, the act). Same scale and seed, same bytes.

Scale 1.0 is Poland: ~2,477 gminas, ~16,000 documents. Which documents a municipality publishes is drawn
per department (`DOCUMENT_RATES`): big cities regulate their departments by ordinance, rural gminas
mostly have BIP pages and lists of duties.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from bench import render
from bench.model import Department, Gmina, GminaClass
from bench.plan import GminaSpec, gmina_specs, plan_from_spec, rng_for

MARKER = ".bench-corpus"
DOCUMENT_RATES: dict[GminaClass, dict[str, float]] = {
    "metropolis": {"ordinance": 0.8, "department_page": 0.5, "unit_page": 0.15, "duty_list": 0.1},
    "city": {"ordinance": 0.7, "department_page": 0.6, "unit_page": 0.15, "duty_list": 0.1},
    "town": {"ordinance": 0.4, "department_page": 0.6, "unit_page": 0.1, "duty_list": 0.2},
    "rural": {"ordinance": 0.0, "department_page": 0.8, "unit_page": 0.15, "duty_list": 0.3},
}
HTML_SHARE = 0.65
SHORT = {"ordinance": "zarz", "department_page": "bip", "unit_page": "bipk", "duty_list": "zakres"}


@dataclass(frozen=True)
class DocumentPlan:
    kind: str  # a key of SHORT
    department: Department
    unit_index: int | None = None


@dataclass
class CorpusSummary:
    scale: float
    seed: int
    out: Path
    gminas: int = 0
    documents: int = 0
    bytes: int = 0
    seconds: float = 0.0
    by_kind: Counter = field(default_factory=Counter)
    by_class: Counter = field(default_factory=Counter)
    units: int = 0
    duties: int = 0

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        return {"scale": self.scale, "seed": self.seed, "gminas": self.gminas, "documents": self.documents,
                "bytes": self.bytes, "by_kind": dict(sorted(self.by_kind.items())),
                "by_class": dict(sorted(self.by_class.items())), "units": self.units, "duties": self.duties}


def document_plans(seed: int, gmina: Gmina) -> list[DocumentPlan]:
    """Which documents this municipality publishes (at least one)."""
    rng = rng_for(seed, "documents", gmina.index)
    rates = DOCUMENT_RATES[gmina.cls]
    plans = []
    for department in gmina.departments:
        for kind in ("ordinance", "department_page"):
            # an ordinance on a department without units would be no department regulation
            if (department.units or kind == "department_page") and rng.random() < rates[kind]:
                plans.append(DocumentPlan(kind, department))
        for index, _unit in enumerate(department.units):
            for kind in ("unit_page", "duty_list"):
                if rng.random() < rates[kind]:
                    plans.append(DocumentPlan(kind, department, index))
    return plans or [DocumentPlan("department_page", gmina.departments[0])]


def render_document(seed: int, gmina: Gmina, plan: DocumentPlan, sequence: int) -> render.RenderedDocument:
    doc_id = f"{gmina.teryt}-{sequence:03d}-{SHORT[plan.kind]}"
    rng = rng_for(seed, "render", doc_id)
    department = plan.department
    if plan.kind == "ordinance":
        return render.ordinance(rng, gmina, department, doc_id)
    fmt = "html" if rng.random() < HTML_SHARE else "text"
    if plan.kind == "department_page":
        return render.department_page(rng, gmina, department, doc_id, fmt)
    unit = department.units[plan.unit_index or 0]
    if plan.kind == "unit_page":
        return render.unit_page(rng, gmina, department, unit, doc_id, fmt)
    return render.duty_list(rng, gmina, department, unit, doc_id)


def gmina_documents(seed: int, spec: GminaSpec) -> tuple[Gmina, list[render.RenderedDocument]]:
    gmina = plan_from_spec(seed, spec)
    plans = document_plans(seed, gmina)
    return gmina, [render_document(seed, gmina, plan, sequence) for sequence, plan in enumerate(plans, start=1)]


def corpus_documents(scale: float, seed: int) -> Iterator[tuple[Gmina, render.RenderedDocument]]:
    for spec in gmina_specs(scale, seed):
        gmina, documents = gmina_documents(seed, spec)
        for document in documents:
            yield gmina, document


def prepare_out(out: Path) -> Path:
    """An empty `out/sources`; refuses to clear a folder this generator did not write."""
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SystemExit(f"{out} is not empty and is not a generated corpus; choose another --out")
    sources = out / "sources"
    if sources.exists():
        shutil.rmtree(sources)
    sources.mkdir(parents=True)
    (out / MARKER).write_text("written by python -m bench generate; safe to delete\n", encoding="utf-8")
    return sources


def write_document(sources: Path, document: render.RenderedDocument) -> int:
    folder = sources / document.doc_id[:2]
    folder.mkdir(exist_ok=True)
    data = document.text.encode("utf-8")
    (folder / f"{document.doc_id}{document.suffix}").write_bytes(data)
    (folder / f"{document.doc_id}.toml").write_bytes(document.sidecar.encode("utf-8"))
    return len(data)


@dataclass
class ChunkResult:
    truth: dict[str, Any] = field(default_factory=dict)
    bytes: int = 0
    by_kind: Counter = field(default_factory=Counter)
    by_class: Counter = field(default_factory=Counter)
    units: int = 0
    duties: int = 0


def generate_chunk(seed: int, specs: list[GminaSpec], sources: Path) -> ChunkResult:
    """Plan, render and write some municipalities (one worker's share)."""
    result = ChunkResult()
    for spec in specs:
        gmina, documents = gmina_documents(seed, spec)
        result.by_class[gmina.cls] += 1
        for document in documents:
            result.bytes += write_document(sources, document)
            result.by_kind[document.truth["kind"]] += 1
            result.units += len(document.truth["units"])
            result.duties += sum(top + sub for top, sub in document.truth["duties"].values())
            result.truth[document.doc_id] = document.truth
    return result


def generate_corpus(scale: float, seed: int, out: Path, *, jobs: int = 1) -> CorpusSummary:
    """Write the corpus; `jobs` worker processes share the municipalities (the bytes do not depend on it)."""
    sources = prepare_out(out)
    started = time.perf_counter()
    specs = gmina_specs(scale, seed)
    chunks = [specs[i::jobs * 4] for i in range(jobs * 4)] if jobs > 1 else [specs]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(generate_chunk, repeat(seed), chunks, repeat(sources)))
    else:
        results = [generate_chunk(seed, chunk, sources) for chunk in chunks]
    summary = CorpusSummary(scale, seed, out, gminas=len(specs))
    truth: dict[str, Any] = {}
    for result in results:
        truth.update(result.truth)
        summary.bytes += result.bytes
        summary.by_kind.update(result.by_kind)
        summary.by_class.update(result.by_class)
        summary.units += result.units
        summary.duties += result.duties
    summary.documents = len(truth)
    write_truth(out / "truth.json", summary, truth)
    summary.seconds = time.perf_counter() - started
    return summary


def write_truth(path: Path, summary: CorpusSummary, documents: dict[str, Any]) -> None:
    """truth.json: the summary, then one document per line (compact, sorted keys: same corpus, same bytes)."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    lines = [f'{{"summary":{dump(summary.as_json())},', '"documents":{']
    items = sorted(documents.items())
    lines += [f"{dump(doc_id)}:{dump(truth)}{',' if i < len(items) - 1 else ''}"
              for i, (doc_id, truth) in enumerate(items)]
    lines.append("}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
