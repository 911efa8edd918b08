"""Concepts, compare, similar units and overlaps (api/routers/concepts.py, api/routers/compare.py) on the
real seed build, through a live server: the counts agree with SPARQL on the store, the press units of
Kraków and Świętochłowice come out alike from their duties alone, and hostile input is a 404/422/empty."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from build_fixtures import built_store, seed_build, seed_server

from kompetencje.vocab import sparql_prefixes

pytestmark = pytest.mark.server

ID = "https://w3id.org/kompetencje/id/"
CONCEPT = "https://w3id.org/kompetencje/concept/"
KRAKOW, KATOWICE, SWIETOCHLOWICE = ID + "1261011", ID + "2469011", ID + "2476011"
KS02 = "1261011/ks-02"
KANCELARIA = "2476011/kancelaria-prezydenta-miasta"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def api(seed_server):
    with httpx.Client(base_url=seed_server.url, timeout=60) as client:
        yield client


def get_json(api: httpx.Client, url: str, **params: object) -> dict:
    response = api.get(url, params=params or None)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return response.json()


def sparql_counts(store, query: str) -> dict[str, int]:
    return {str(row["c"].value): int(row["n"].value) for row in store.query(sparql_prefixes() + query)}


# --- concepts -------------------------------------------------------------------------------------------

def test_concept_list_with_counts_consistent_with_sparql(api, built_store):
    answer = get_json(api, "/api/concepts")
    concepts = {c["id"]: c for c in answer["concepts"]}
    assert 40 <= answer["count"] == len(concepts) <= 80
    duties = sparql_counts(built_store, "SELECT ?c (COUNT(DISTINCT ?d) AS ?n) "
                                        "WHERE { ?d a komp:Duty ; dct:subject ?c } GROUP BY ?c")
    offices = sparql_counts(built_store, """SELECT ?c (COUNT(DISTINCT ?o) AS ?n) WHERE {
        ?d a komp:Duty ; dct:subject ?c ; komp:subDutyOf* ?top . ?h komp:hasDuty|komp:hasSharedDuty ?top .
        ?h org:subOrganizationOf* ?dept . ?dept org:unitOf ?o } GROUP BY ?c""")
    assert duties and set(duties) <= set(concepts)
    for iri, concept in concepts.items():
        assert concept["counts"]["duties"] == duties.get(iri, 0), iri
        assert concept["counts"]["municipalities"] == offices.get(iri, 0), iri
        assert concept["counts"]["units"] <= concept["counts"]["duties"]
        assert concept["counts_with_narrower"]["duties"] >= concept["counts"]["duties"]
        assert concept["pref_label"]["pl"] and concept["pref_label"]["en"]
        for child in concept["narrower"]:
            assert iri in concepts[child]["broader"]
            assert concept["counts_with_narrower"]["duties"] >= concepts[child]["counts_with_narrower"]["duties"]
    press = concepts[CONCEPT + "press-relations"]
    assert press["counts"]["municipalities"] == 3 and press["slug"] == "press-relations"


def test_concept_detail_participatory_budget_in_katowice(api):
    concept = get_json(api, "/api/concepts/participatory-budget")
    assert concept["id"] == CONCEPT + "participatory-budget" and concept["pref_label"]["pl"]
    assert concept["definition"] and concept["broader"]
    by_office = {m["municipality"]["id"]: m for m in concept["municipalities"]}
    katowice = by_office[KATOWICE]
    assert katowice["municipality"]["name"] == "Katowice"
    texts = [d["text"] for u in katowice["units"] for d in u["duties"]]
    assert any("Budżetu Obywatelskiego" in t for t in texts)
    assert katowice["units"][0]["unit"]["id"].startswith(KATOWICE + "/")
    assert concept["duties"] == sum(len(u["duties"]) for m in concept["municipalities"] for u in m["units"])


def test_concept_detail_municipality_filter(api):
    only = get_json(api, "/api/concepts/press-relations", municipality="Kraków")
    assert only["municipality"]["id"] == KRAKOW
    assert [m["municipality"]["id"] for m in only["municipalities"]] == [KRAKOW]
    nowhere = get_json(api, "/api/concepts/press-relations", municipality="Gdańsk")
    assert nowhere["municipalities"] == [] and nowhere["duties"] == 0


def test_overlaps_in_krakow(api):
    answer = get_json(api, "/api/municipalities/1261011/overlaps")
    assert answer["municipality"]["id"] == KRAKOW and answer["overlaps"]
    for overlap in answer["overlaps"]:
        units = [u["unit"]["id"] for u in overlap["units"]]
        assert len(units) == len(set(units)) >= 2
        assert all(u.startswith(KRAKOW + "/") for u in units)
        assert all(u["duties"] for u in overlap["units"])
    sizes = [len(o["units"]) for o in answer["overlaps"]]
    assert sizes == sorted(sizes, reverse=True)
    assert get_json(api, "/api/municipalities/Kraków/overlaps") == answer


# --- compare and similar --------------------------------------------------------------------------------

def test_compare_press_office_with_the_mayors_chancellery(api):
    answer = get_json(api, "/api/compare", a=KS02, b=KANCELARIA)
    assert answer["a"]["id"] == ID + KS02 and answer["b"]["municipality"]["id"] == SWIETOCHLOWICE
    shared = {s["concept"]["slug"]: s for s in answer["shared"]}
    assert "press-relations" in shared
    assert shared["press-relations"]["a"] and shared["press-relations"]["b"]
    assert not {c["concept"]["slug"] for c in answer["only_a"]} & set(shared)
    assert not {c["concept"]["slug"] for c in answer["only_b"]} & set(shared)
    pairs = answer["pairs"]
    assert any("prasow" in p["a"]["text"] and "prasow" in p["b"]["text"] for p in pairs)
    assert [p["score"] for p in pairs] == sorted((p["score"] for p in pairs), reverse=True)
    assert all(p["score"] >= answer["threshold"] for p in pairs)
    assert all(p["a"]["id"].startswith(ID + KS02 + "/") and p["b"]["id"].startswith(ID + KANCELARIA)
               for p in pairs)


def test_compare_accepts_full_iris(api):
    by_path = get_json(api, "/api/compare", a=KS02, b=KANCELARIA)
    assert get_json(api, "/api/compare", a=ID + KS02, b=ID + KANCELARIA) == by_path


def test_similar_units_of_the_press_office(api):
    answer = get_json(api, f"/api/units/{KS02}/similar")
    assert answer["unit"]["symbol"] == "KS-02"
    results = answer["results"]
    ids = [r["unit"]["id"] for r in results]
    assert ID + KANCELARIA in ids[:3]
    assert all(r["municipality"]["id"] != KRAKOW for r in results)
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    kancelaria = results[ids.index(ID + KANCELARIA)]
    assert "press-relations" in {c["slug"] for c in kancelaria["shared_concepts"]}
    assert len(get_json(api, f"/api/units/{KS02}/similar", limit=1)["results"]) == 1


def test_unit_page_has_the_similar_units_section(api):
    response = api.get(f"/units/{KS02}", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    section = response.text[response.text.index('id="similar"'):]
    assert "Podobne jednostki w innych gminach" in section
    assert f'href="/units/{KANCELARIA}"' in section and "Kancelaria Prezydenta Miasta" in section


def test_openapi_describes_the_new_endpoints(api):
    paths = get_json(api, "/openapi.json")["paths"]
    for path in ("/api/concepts", "/api/concepts/{id}", "/api/compare", "/api/units/{id}/similar",
                 "/api/municipalities/{id}/overlaps"):
        assert path in paths and paths[path]["get"]["summary"], path


# --- errors and hostile input ---------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/api/concepts/nie-ma", "/api/concepts/1261011", "/api/units/1261011/nie-ma/similar",
    "/api/units/1261011/similar",  # an office is not a unit
    "/api/municipalities/9999999/overlaps", "/api/municipalities/Gdańsk/overlaps",
    f"/api/compare?a={KS02}&b=1261011/nie-ma", f"/api/compare?a=1261011/nie-ma&b={KS02}",
    f"/api/compare?a={KS02}&b=https://example.org/x",
])
def test_unknown_ids_are_404_problems(api, url):
    assert_problem(api.get(url), 404)


@pytest.mark.parametrize("params", [{}, {"a": KS02}, {"b": KS02}, {"a": "", "b": KS02},
                                    {"a": KS02, "b": KANCELARIA, "limit": "0"}])
def test_missing_compare_parameters_are_422_problems(api, params):
    assert assert_problem(api.get("/api/compare", params=params), 422)["errors"]


PAYLOADS = ["'", '"', "}", "#", "\n", '" } UNION { ?s ?p ?o } #', "ks-02> } ; DROP ALL ; #",
            "1261011\" . ?x ?y ?z . #", "<script>", "?concept", "$office", "KS-02\nUNION", "%00", "🙂"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_in_path_ids(api, payload):
    quoted = quote(payload, safe="")
    for template in ("/api/concepts/{}", "/api/units/{}/similar", "/api/units/1261011/ks-02{}/similar",
                     "/api/municipalities/{}/overlaps", "/api/municipalities/1261011{}/overlaps"):
        response = api.get(template.format(quoted))
        assert response.status_code in (404, 422), (template, response.text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_in_query_parameters(api, payload):
    for params in ({"a": payload, "b": KS02}, {"a": KS02, "b": payload}, {"a": ID + payload, "b": KS02}):
        response = api.get("/api/compare", params=params)
        assert response.status_code in (404, 422), (params, response.text)
    response = api.get("/api/concepts/press-relations", params={"municipality": payload})
    assert response.status_code == 200 and response.json()["municipalities"] == []
    response = api.get(f"/api/units/{KS02}/similar", params={"limit": payload})
    assert response.status_code == 422
