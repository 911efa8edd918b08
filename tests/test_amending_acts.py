"""An amending act names the act it changes by number, or only by kind and title ("zmieniające zarządzenie w
sprawie Regulaminu Organizacyjnego ..."): either way the graph says which act it amends (eli:amends), and
the build validates."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kompetencje.loaders import pipeline

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "documents" / "przemysl_zmiana_regulaminu.txt"
BASE = "https://w3id.org/kompetencje/id/"
AMENDED = """
PREFIX eli: <http://data.europa.eu/eli/ontology#>
SELECT ?act ?amended ?number ?title WHERE {
  ?act eli:amends ?amended . ?amended a eli:LegalResource .
  OPTIONAL { ?amended eli:id_local ?number } OPTIONAL { ?amended eli:title ?title }
}"""


def amended_acts(sources: Path, out: Path) -> list[dict[str, str | None]]:
    pipeline.build(sources, out, base_iri=BASE)  # raises when a shape is violated
    store = ox.Store.read_only(str(out / "store"))
    return [{name: (row[name].value if row[name] is not None else None) for name in ("number", "title")}
            for row in store.query(AMENDED)]


@pytest.mark.parametrize("numbered", [True, False])
def test_the_amended_act_is_in_the_graph(tmp_path: Path, numbered: bool) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    if not numbered:
        text = text.replace(" Nr 120/2021 Prezydenta Miasta Przemyśla z dnia 30 marca 2021 r.", "")
        assert "120/2021" not in text
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "zmiana.txt").write_text(text, encoding="utf-8")
    found = amended_acts(sources, tmp_path / "build")
    assert len(found) == 1
    assert found[0]["title"] and "Regulaminu Organizacyjnego" in found[0]["title"]
    assert found[0]["number"] == ("120/2021" if numbered else None)
