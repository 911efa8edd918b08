"""Cross-document resolution: one unit and one duty however many documents describe them."""

from __future__ import annotations

from kompetencje.loaders.iris import DocumentIris, IriMinter
from kompetencje.loaders.model import (
    Document,
    DutyItem,
    DutyList,
    Municipality,
    OrgUnit,
    SourceMeta,
    Span,
)
from kompetencje.loaders.resolve import build_registry, choose_canonical
from kompetencje.loaders.to_graph import document_to_graph
from kompetencje.vocab import DCT, KOMP, SKOS

MINTER = IriMinter()


def document(doc_id: str, priority: int, unit_name: str, duty_text: str, department_symbol: str | None,
             department_name: str | None) -> Document:
    doc = Document(meta=SourceMeta(doc_id=doc_id, path=f"{doc_id}.txt", priority=priority), lines=["x"] * 5,
                   municipality=Municipality("Gdańsk", "2261011", "Urząd Miejski w Gdańsku"))
    doc.units = [OrgUnit("dept", department_name, "department", symbol=department_symbol),
                 OrgUnit("WK-03", unit_name, "unit", symbol="WK-03", parent="dept", span=Span(1, 1))]
    doc.duty_lists = [DutyList("WK-03", [DutyItem("1", "1)", duty_text, Span(2, 2))], Span(2, 2))]
    return doc


def resolved(*docs: Document):
    registry = build_registry(list(docs), MINTER)
    iris = {d.meta.doc_id: DocumentIris(d, MINTER, registry) for d in docs}
    canon, disagreements = choose_canonical(list(docs), iris)
    return iris, canon, disagreements


def test_same_unit_in_two_documents_gets_one_iri_and_the_act_wins_where_they_differ():
    page = document("page", 1, "Referat Komunikacji", "Prowadzenie strony internetowej miasta.", None,
                    "Wydział Komunikacji")
    act = document("act", 2, "Referat ds. Komunikacji", "Prowadzenie serwisu internetowego miasta;", "WK",
                   "Wydział Komunikacji")
    iris, canon, disagreements = resolved(page, act)
    unit_iri = iris["page"]("WK-03")
    assert unit_iri == iris["act"]("WK-03")
    assert iris["page"]("dept") == iris["act"]("dept"), "the department without a symbol is found by name"
    assert str(iris["page"]("dept")).endswith("/2261011/wk")
    assert {(d.what, d.kept_source, d.other_source) for d in disagreements} == {
        ("name", "act", "page"), ("duty text", "act", "page")}
    graph = document_to_graph(page, iris["page"], canon)
    duty = next(graph.objects(unit_iri, KOMP.hasDuty))
    assert [str(t) for t in graph.objects(duty, DCT.description)] == ["Prowadzenie serwisu internetowego miasta;"]
    assert str(graph.value(unit_iri, SKOS.prefLabel)) == "Referat ds. Komunikacji"
    assert "Referat Komunikacji" in {str(a) for a in graph.objects(unit_iri, SKOS.altLabel)}


def test_list_punctuation_is_not_a_disagreement():
    a = document("a", 1, "Referat Komunikacji", "Prowadzenie strony.", "WK", "Wydział Komunikacji")
    b = document("b", 2, "Referat Komunikacji", "Prowadzenie strony;", "WK", "Wydział Komunikacji")
    _iris, _canon, disagreements = resolved(a, b)
    assert disagreements == []
