"""The API on the real seed build, through a live server, the way the README tells a user to call it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
from build_fixtures import built_store, seed_build, seed_server

EVAL = Path(__file__).parent / "eval"


def get(server, path: str, **params) -> dict:
    response = httpx.get(server.url + path, params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_units_then_chain_of_ks05_with_provisions(seed_server):
    found = get(seed_server, "/api/units", municipality="Kraków", symbol="KS-05")["units"]
    assert [u["symbol"] for u in found] == ["KS-05"]
    path = found[0]["id"].split("/id/", 1)[1]
    chain = get(seed_server, f"/api/units/{path}/chain")
    assert chain["node"]["symbol"] == "KS-05"
    steps = [(s["node"]["name"], s["provision"]["label"]) for s in chain["chain"]]
    assert steps == [("Zastępca Dyrektora ds. Promocji", "§ 3 ust. 3"), ("Dyrektor Wydziału", "§ 3 ust. 1")]


def test_unit_detail_has_duties_with_provisions_and_two_sources(seed_server):
    unit = get(seed_server, "/api/units/1261011/ks-02")
    assert len(unit["duties"]) == 18
    assert unit["duties"][0]["provision"]["label"] == "§ 5 pkt 1"
    sources = {s["id"].rsplit("/", 1)[-1].split("#")[0] for d in unit["duties"] for s in d["sources"]}
    assert sources == {"000_a7a7e54fe18a7d12", "001_5d749821937a7dbe"}


def test_name_search_tolerates_case_and_diacritics(seed_server):
    found = get(seed_server, "/api/units", municipality="swietochlowice", name="KANCELARIA prezydenta miasta")
    assert [u["name"] for u in found["units"]] == ["Kancelaria Prezydenta Miasta"]


def test_score_search_runs_against_the_live_server(seed_server):
    run = subprocess.run([sys.executable, str(EVAL / "score_search.py"), seed_server.url,
                          str(EVAL / "queries.dev.jsonl")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "ERROR" not in run.stderr
    assert run.stdout.strip().splitlines()[-1].startswith("mean ndcg@10=")


def test_trig_dump_parses_back_to_the_store_quads(seed_server, built_store):
    response = httpx.get(seed_server.url + "/dumps/kompetencje.trig", timeout=60)
    assert response.status_code == 200
    parsed = list(ox.parse(response.content, ox.RdfFormat.TRIG))
    named = [q for q in built_store if not isinstance(q.graph_name, ox.DefaultGraph)]
    assert len(set(parsed)) == len(set(named))
