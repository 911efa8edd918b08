"""The organisation chart: built from the real STRUCTURE_BELOW query over the fixture data, drawn as SVG.

No server: the query runs on an in-memory pyoxigraph store loaded from the fixtures.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

import pyoxigraph as ox
import pytest
from defusedxml.ElementTree import fromstring

from kompetencje.api import queries as Q
from kompetencje.api.orgchart import department_chart, spanning_tree, structure_graph

FIXTURES = Path(__file__).parent / "fixtures"
SVG = "{http://www.w3.org/2000/svg}"
BASE = "https://w3id.org/kompetencje/id/"
KS = BASE + "1261011/ks"
WKS = BASE + "2469011/wydzial-komunikacji-spolecznej"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for name in ("mini.trig", "rest_sample.trig"):
        store.load(path=str(FIXTURES / name), format=ox.RdfFormat.TRIG)
    return store


def select(store: ox.Store, query: str, **bindings: str) -> list[Q.Row]:
    result = store.query(query, use_default_graph_as_union=True,
                         substitutions={ox.Variable(k): ox.NamedNode(v) for k, v in bindings.items()})
    names = [v.value for v in result.variables]
    return [{n: Q.term_value(row[n]) for n in names} for row in result]


def members(store: ox.Store, department: str) -> set[str]:
    """Every post and unit of a department, found independently of the chart's query."""
    rows = select(store, Q.PREFIXES + """
        SELECT DISTINCT ?dept ?m WHERE {
          { ?m org:subOrganizationOf+ ?dept } UNION { ?m org:postIn/org:subOrganizationOf* ?dept }
        }""", dept=department)
    return {str(r["m"]) for r in rows}


def chart(store: ox.Store, department: str) -> tuple[str, Element]:
    node = select(store, Q.NODE, node=department)[0]
    rows = select(store, Q.STRUCTURE_BELOW, node=department)
    svg = department_chart(department, rows, dict(node), str(node["name"]), {department + "-x": "/x"})
    return svg, fromstring(svg)


def boxes(root: Element) -> dict[str, Element]:
    return {g.get("data-id"): g for g in root.iter(SVG + "g") if g.get("data-id")}


def test_chart_is_svg_with_every_node_of_the_department(store: ox.Store) -> None:
    svg, root = chart(store, KS)
    assert root.tag == SVG + "svg"
    expected = members(store, KS)
    assert expected >= {KS + "-02", KS + "-05", KS + "/post/dyrektor-wydzialu"}
    assert set(boxes(root)) == expected
    assert "Wydział Komunikacji Społecznej" in svg


def box_top(g: Element) -> float:
    return float(g.find(SVG + "rect").get("y"))


def test_head_post_on_top_and_units_below_their_superiors(store: ox.Store) -> None:
    _, root = chart(store, KS)
    tops = {iri: box_top(g) for iri, g in boxes(root).items()}
    head = KS + "/post/dyrektor-wydzialu"
    deputy = KS + "/post/zastepca-dyrektora-ds-promocji"
    assert tops[head] == min(tops.values())
    assert tops[head] < tops[deputy] < tops[KS + "-05"]
    assert tops[head] < tops[KS + "-02"] < tops[KS + "-02/post/kierownik-referatu"]
    labels = "".join(t.text or "" for t in root.iter(SVG + "text"))
    assert "§ 3 ust. 3" in labels  # the provision of KS-05 → deputy is written on its edge


def test_text_is_escaped(store: ox.Store) -> None:
    svg, root = chart(store, WKS)
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert not list(root.iter(SVG + "b")) and not list(root.iter("b"))
    titles = [t.text for t in root.iter(SVG + "title")]
    assert 'Zespół <b>Promocji</b> & "Marki"' in titles
    assert set(boxes(root)) == members(store, WKS)
    holder = [t.text for t in root.iter(SVG + "text") if t.get("class") == "holder"]
    assert holder == ["Anna Kowalska"]


def test_reporting_cycle_does_not_lose_nodes() -> None:
    dept, a, b = "urn:x:dept", "urn:x:a", "urn:x:b"
    rows = [
        {"child": a, "parent": dept, "rel": "subOrganizationOf", "name": "A", "kind": "unit"},
        {"child": b, "parent": dept, "rel": "subOrganizationOf", "name": "B", "kind": "unit"},
        {"child": a, "parent": b, "rel": "reportsTo", "name": "A", "kind": "unit"},
        {"child": b, "parent": a, "rel": "reportsTo", "name": "B", "kind": "unit"},
    ]
    tree = spanning_tree(structure_graph(dept, rows, {"name": "D", "kind": "department"}), dept)
    assert set(tree.nodes) == {dept, a, b}
    assert tree.number_of_edges() == 2
    root = fromstring(department_chart(dept, rows, {"name": "D", "kind": "department"}, "D"))
    assert set(boxes(root)) == {dept, a, b}
