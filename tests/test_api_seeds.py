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


def scorer_summary(text: str) -> dict[str, float]:
    """`mean ndcg@10=0.987 mrr=1.000 recall@10=…` → {"ndcg": 0.987, "mrr": 1.0, ...}."""
    last = text.strip().splitlines()[-1]
    return {key.split("@")[0]: float(value) for key, value in
            (part.split("=") for part in last.removeprefix("mean ").split() if "=" in part)}


def test_live_search_meets_the_targets_and_matches_eval_search(seed_server, seed_build):
    queries = str(EVAL / "queries.dev.jsonl")
    live = subprocess.run([sys.executable, str(EVAL / "score_search.py"), seed_server.url, queries],
                          capture_output=True, text=True, timeout=300)
    offline = subprocess.run([sys.executable, "-m", "kompetencje.cli", "eval-search", queries,
                              "--index", str(seed_build.out_dir / "search")],
                             capture_output=True, text=True, timeout=300)
    assert live.returncode == 0 and offline.returncode == 0, live.stderr + offline.stderr
    served, saved = scorer_summary(live.stdout), scorer_summary(offline.stdout.split(" over ")[0])
    assert served["ndcg"] >= 0.90 and served["mrr"] >= 0.95, live.stdout
    assert served["ndcg"] == saved["ndcg"] and served["mrr"] == saved["mrr"]


def test_social_media_phrasings_and_english_reach_the_same_duty(seed_server):
    answers = {q: get(seed_server, "/api/competences", q=q, municipality="Kraków", limit=5)["results"]
               for q in ("media społecznościowe", "portale spolecznosciowe", "social media")}
    top_fives = [{hit["duty"]["id"] for hit in hits} for hits in answers.values()]
    assert set.intersection(*top_fives), top_fives
    for hit in (hits[0] for hits in answers.values()):
        concepts = {c["id"].rsplit("/", 1)[-1] for c in hit["explanation"]["concepts"]}
        assert any("social" in c or "spolecznosc" in c for c in concepts), hit["explanation"]


def test_participatory_budget_in_katowice_is_katowice_first(seed_server):
    hits = get(seed_server, "/api/competences", q="kto w Katowicach zajmuje się budżetem obywatelskim")["results"]
    assert hits and hits[0]["municipality"]["name"] == "Katowice"
    assert hits[0]["duty"]["text"].startswith("Prowadzenie spraw w zakresie Budżetu Obywatelskiego")
    assert any(c.endswith("/participatory-budget") for c in hits[0]["explanation"]["duty_concepts"])


def test_every_duty_in_the_store_is_classified_under_a_scheme_concept(built_store):
    query = """PREFIX komp: <https://w3id.org/kompetencje/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT (COUNT(DISTINCT ?d) AS ?all) (COUNT(DISTINCT ?c) AS ?classified) WHERE {
      ?d a komp:Duty . OPTIONAL { ?d dct:subject ?concept . ?concept skos:inScheme ?scheme . BIND(?d AS ?c) } }"""
    row = next(iter(built_store.query(query)))
    assert int(row["all"].value) > 150
    assert int(row["classified"].value) == int(row["all"].value)
