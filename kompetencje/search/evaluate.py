"""Evaluate competence search on judged queries, exactly as /work/shared/eval/score_search.py scores the API.

A query file has one JSON object a line: {"id", "q", "municipality": null | name, "relevant": [prefix, ...]}.
A result is relevant when its duty text, or its parent's text (`parent_text`), starts with one of the
prefixes (case-insensitive, whitespace collapsed); each prefix is credited once. Metrics per query: nDCG@k,
MRR (reciprocal rank of the first relevant result within k), recall@k; the report gives their means.

CLI: `kompetencje eval-search QUERIES.jsonl [--index DIR | --store DIR] [--k 10] [--json] [--verbose]`
(`main(argv)`); by default the index saved beside the built store (data/build/search) is used, or built
from data/build/store when there is none.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kompetencje.search.index import Hit, SearchIndex

__all__ = ["QueryResult", "Report", "evaluate", "judge", "load_queries", "main", "metrics"]

DEFAULT_DATA = Path("data")


def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


def judge(results: Sequence[dict[str, Any]], prefixes: Sequence[str], k: int) -> list[int | None]:
    """Per rank, the index of the relevant prefix it satisfies for the first time, or None
    (score_search.judge, over results shaped like the API's: {"duty": {"text", "parent_text"}})."""
    wanted = [norm(p) for p in prefixes]
    credited: set[int] = set()
    gains: list[int | None] = []
    for result in results[:k]:
        duty = result.get("duty", {})
        texts = [norm(duty.get("text", "")), norm(duty.get("parent_text", ""))]
        hit = next((i for i, p in enumerate(wanted)
                    if i not in credited and any(t.startswith(p) for t in texts if t)), None)
        if hit is not None:
            credited.add(hit)
        gains.append(hit)
    return gains


def metrics(gains: Sequence[int | None], n_relevant: int, k: int) -> dict[str, float]:
    """nDCG, MRR and recall of one query (score_search.metrics)."""
    dcg = sum(1 / math.log2(i + 2) for i, g in enumerate(gains) if g is not None)
    idcg = sum(1 / math.log2(i + 2) for i in range(min(n_relevant, k)))
    first = next((i for i, g in enumerate(gains) if g is not None), None)
    found = sum(g is not None for g in gains)
    return {"ndcg": dcg / idcg if idcg else 0.0, "mrr": 1 / (first + 1) if first is not None else 0.0,
            "recall": found / n_relevant if n_relevant else 0.0}


@dataclass
class QueryResult:
    id: str
    q: str
    municipality: str | None
    ndcg: float
    mrr: float
    recall: float
    missing: list[str]
    top: list[str]


@dataclass
class Report:
    k: int
    queries: list[QueryResult] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, float]:
        count = len(self.queries) or 1
        means = {key: round(sum(getattr(q, key) for q in self.queries) / count, 4)
                 for key in ("ndcg", "mrr", "recall")}
        return {**means, "queries": len(self.queries)}

    def to_dict(self) -> dict[str, Any]:
        return {"k": self.k, "summary": self.summary, "queries": [asdict(q) for q in self.queries]}


def load_queries(path: str | Path) -> list[dict[str, Any]]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def evaluate(index: SearchIndex, queries_path: str | Path, k: int = 10) -> Report:
    """Run every judged query of the file against the index and score it like score_search.py."""
    report = Report(k)
    for row in load_queries(queries_path):
        hits = index.search(row["q"], municipality=row.get("municipality"), limit=k)
        results = [hit.to_dict() for hit in hits]
        gains = judge(results, row["relevant"], k)
        scores = metrics(gains, len(row["relevant"]), k)
        report.queries.append(QueryResult(
            id=row.get("id", ""), q=row["q"], municipality=row.get("municipality"), **scores,
            missing=_missing(row["relevant"], gains), top=[_label(hit) for hit in hits]))
    return report


def _missing(prefixes: Sequence[str], gains: Sequence[int | None]) -> list[str]:
    found = {g for g in gains if g is not None}
    return [p for i, p in enumerate(prefixes) if i not in found]


def _label(hit: Hit) -> str:
    where = hit.unit.get("symbol") or hit.unit.get("name") or ""
    text = hit.text if not hit.parent_text else f"{hit.parent_text[:40]}… › {hit.text}"
    return f"{where}: {text[:100]}"


# ---------------------------------------------------------------------------------------------- CLI

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kompetencje eval-search", description=__doc__.split("\n\n")[0])
    parser.add_argument("queries", type=Path, help="judged queries (JSONL)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data folder (build/ inside)")
    parser.add_argument("--index", type=Path, help="a saved search index folder")
    parser.add_argument("--store", type=Path, help="a built store folder (the index is built in memory)")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--verbose", "-v", action="store_true", help="show the top results of weak queries")
    return parser


def open_index(index: Path | None, store: Path | None, data: Path) -> SearchIndex:
    """The index to evaluate: --index, else --store, else data/build/search, else data/build/store."""
    if index is not None:
        return SearchIndex.load(index)
    saved = data / "build" / "search"
    if store is None and (saved / "meta.json").exists():
        return SearchIndex.load(saved)
    import pyoxigraph as ox

    path = store or data / "build" / "store"
    if not path.exists():
        raise FileNotFoundError(f"no store at {path}: run `kompetencje build` first")
    return SearchIndex.build(ox.Store.read_only(str(path)))


def main(argv: list[str] | None = None) -> int:
    """`kompetencje eval-search`: 0 on success, 2 on bad input."""
    args = _parser().parse_args(argv)
    try:
        index = open_index(args.index, args.store, args.data)
        started = time.perf_counter()
        report = evaluate(index, args.queries, k=args.k)
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    for q in report.queries:
        print(f"{q.id}\tndcg@{args.k}={q.ndcg:.3f}\tmrr={q.mrr:.3f}\trecall={q.recall:.3f}\t{q.q}")
        if args.verbose and q.ndcg < 1:
            for line in q.top:
                print(f"\t\t{line}")
            for prefix in q.missing:
                print(f"\t\tmissing: {prefix}")
    s = report.summary
    print(f"mean ndcg@{args.k}={s['ndcg']:.3f} mrr={s['mrr']:.3f} recall@{args.k}={s['recall']:.3f} "
          f"over {s['queries']} queries ({seconds * 1000 / max(1, s['queries']):.1f} ms/query)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
