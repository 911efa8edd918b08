"""`python -m bench run --smoke` end to end: 1 % corpus built and rebuilt, the real server under 3-s loads with
its baselines, the in-process rows. It fails on errors (a crash, a non-2xx answer, SHACL violations), never
on timings."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = (
    "build (", "rebuild after a one-document change", "HTTP competence search", "HTTP unit detail",
    "HTTP reporting chain", "HTTP SPARQL lookup (/sparql)", "HTTP minimal FastAPI",
    "HTTP SPARQL lookup (oxigraph server)",
    "server start until /ready", "server restart until /ready", "in-process rdflib: unit label by IRI",
    "in-process pyoxigraph: unit label by IRI",
    "in-process rdflib: reporting chain", "in-process pyoxigraph: reporting chain",
    "in-process SearchIndex.search (seed dev queries",
)
LOADS = ("competence search", "unit detail", "reporting chain", "SPARQL lookup (/sparql)", "minimal FastAPI",
         "SPARQL lookup (oxigraph server)")


@pytest.mark.slow
@pytest.mark.server
def test_bench_run_smoke_has_every_row_and_no_errors(tmp_path: Path) -> None:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench", "run", "--smoke", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900, check=False)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, f"exit {done.returncode} after {seconds:.0f} s:\n{done.stderr[-4000:]}"
    text = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    table = [line for line in text.splitlines() if line.startswith("| ")]
    for row in ROWS:
        assert any(line.startswith(f"| {row}") for line in table), f"no row {row!r} in RESULTS.md"
    assert "## Targets" in text and "## Machine" in text
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["errors"] == []
    loads = results["serve"]["loads"]
    assert set(LOADS) <= set(loads)
    for name in LOADS:
        assert loads[name]["errors"] == 0 and loads[name]["non2xx"] == 0, (name, loads[name])
    assert results["serve"]["probe_failures"] == []
    assert results["sparql"]["answers_agree"] is True
    for scale in results["scales"]:
        assert scale["build"]["report"]["violations"] == 0 and scale["rebuild"]["report"]["violations"] == 0
