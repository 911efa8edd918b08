"""Acts in time: an ordinance and the one that repealed it both stay in the graph with their validity, and
the API answers "as of" a day (`?at=`, default today).

Fixtures (tests/fixtures/time): a 2019 ordinance of an invented town's promotion department, in force from
2019-04-01, and its 2023 replacement (in force from 2023-02-01) that repeals it and changes the duties.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kompetencje.loaders.pipeline import build

FIXTURES = Path(__file__).parent / "fixtures" / "time"
BASE = "https://w3id.org/kompetencje/id/"
UNIT = "1008011/wydzial-promocji-miasta"
OLD = {"wydawanie kwartalnika miejskiego w wersji drukowanej", "prowadzenie kroniki fotograficznej miasta",
       "organizowanie jarmarku bożonarodzeniowego"}
NEW = {"prowadzenie profili miasta w mediach społecznościowych", "prowadzenie kroniki fotograficznej miasta",
       "organizowanie jarmarku bożonarodzeniowego i festynów miejskich"}


@pytest.fixture(scope="module")
def two_acts(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("time")
    shutil.copytree(FIXTURES, data / "sources")
    build(data / "sources", data / "build", base_iri=BASE)
    return data


@pytest.fixture(scope="module")
def api(two_acts):
    from conftest import start_server

    server = start_server(two_acts / "build" / "store", two_acts)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client
    server.stop()


def select(data: Path, query: str) -> list[dict[str, str]]:
    store = ox.Store.read_only(str(data / "build" / "store"))
    prefixes = ("PREFIX eli: <http://data.europa.eu/eli/ontology#> "
                "PREFIX komp: <https://w3id.org/kompetencje/ontology#> PREFIX dct: <http://purl.org/dc/terms/> ")
    solutions = store.query(prefixes + query)
    names = [v.value for v in solutions.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in solutions]


def test_both_acts_stay_with_their_validity(two_acts):
    acts = select(two_acts, """SELECT ?n ?from ?until WHERE { ?a a eli:LegalResource ; eli:id_local ?n ;
        eli:first_date_entry_in_force ?from OPTIONAL { ?a eli:date_no_longer_in_force ?until } } ORDER BY ?n""")
    assert acts == [{"n": "120/2019", "from": "2019-04-01", "until": "2023-02-01"},
                    {"n": "45/2023", "from": "2023-02-01"}]


def test_each_act_keeps_its_own_duties(two_acts):
    rows = select(two_acts, f"""SELECT ?t WHERE {{ <{BASE}{UNIT}> komp:hasDuty ?d . ?d dct:description ?t }}""")
    assert sorted(r["t"] for r in rows) == sorted([*OLD, *NEW])


def duty_texts(api: httpx.Client, **params) -> set[str]:
    response = api.get(f"/api/units/{UNIT}", params=params)
    assert response.status_code == 200, response.text
    return {d["text"] for d in response.json()["duties"]}


def test_unit_duties_as_of_a_day(api):
    assert duty_texts(api) == NEW  # today
    assert duty_texts(api, at="2020-06-01") == OLD
    assert duty_texts(api, at="2023-01-31") == OLD
    assert duty_texts(api, at="2023-02-01") == NEW
    assert duty_texts(api, at="2018-01-01") == set()


def test_sources_carry_their_validity(api):
    sources = api.get(f"/api/units/{UNIT}").json()["sources"]
    assert sorted((s["in_force_from"], s["in_force_until"]) for s in sources) == [
        ("2019-04-01", "2023-02-01"), ("2023-02-01", None)]


def test_search_as_of_a_day(api):
    def texts(**params) -> list[str]:
        results = api.get("/api/competences", params={"q": "kwartalnik miejski", **params}).json()["results"]
        return [r["duty"]["text"] for r in results]

    assert texts(at="2020-06-01")[0] == "wydawanie kwartalnika miejskiego w wersji drukowanej"
    assert "wydawanie kwartalnika miejskiego w wersji drukowanej" not in texts()  # not in the 2023 act
    assert set(texts()) <= NEW


def test_a_malformed_day_is_a_422(api):
    assert api.get(f"/api/units/{UNIT}", params={"at": "2020-13-45"}).status_code == 422
    assert api.get("/api/competences", params={"q": "kronika", "at": "wczoraj"}).status_code == 422
