"""The SHACL shapes, checked against test cases kept as data (pySHACL style).

tests/shapes/valid/*.ttl must conform. Each tests/shapes/invalid/*.ttl breaks one thing and says in its
header what the shapes must find::

    # expect: 1 violation(s) of ksh:Unit-prefLabel      (a shape, a SPARQL constraint or a path)
    # expect: 1 warning(s) of ksh:Duty-sourceSpan       (warnings are counted exactly too)
    # focus: https://w3id.org/kompetencje/id/1261011/ks-05
    # line: 133                                         (when the node has a source span)
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import OWL, RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from kompetencje.errors import ValidationFailed, problem_for
from kompetencje.loaders.reasoning import load_ontology, reason
from kompetencje.validation import (
    ValidationReport,
    Violation,
    load_shapes,
    raise_for_violations,
    validate_graph,
)
from kompetencje.vocab import CV, DCT, KOMP, ORG, SKOS

CASES = Path(__file__).parent / "shapes"
VALID = sorted((CASES / "valid").glob("*.ttl"))
INVALID = sorted((CASES / "invalid").glob("*.ttl"))
ID = Namespace("https://w3id.org/kompetencje/id/")
KSH = Namespace("https://w3id.org/kompetencje/shapes#")
EXPECT = re.compile(r"^# expect: (\d+) (violation|warning)\(s\) of (\S+)\s*$", re.M)
FOCUS = re.compile(r"^# focus: (\S+)\s*$", re.M)
LINE = re.compile(r"^# line: (\d+)\s*$", re.M)


@dataclass(frozen=True)
class Case:
    path: Path
    violations: Counter[str]
    warnings: Counter[str]
    focus: str
    line: int | None

    @classmethod
    def read(cls, path: Path) -> Case:
        header = path.read_text(encoding="utf-8")
        violations: Counter[str] = Counter()
        warnings: Counter[str] = Counter()
        for count, kind, target in EXPECT.findall(header):
            (violations if kind == "violation" else warnings)[target] += int(count)
        focus = FOCUS.search(header)
        line = LINE.search(header)
        assert violations or warnings, f"{path.name}: no '# expect:' line"
        assert focus, f"{path.name}: no '# focus:' line"
        return cls(path, +violations, +warnings, focus.group(1), int(line.group(1)) if line else None)


def ontology() -> Graph:
    """The TBox the build reasons with (the project ontology and the ORG axioms)."""
    return load_ontology()


def reasoned(data: Graph) -> Graph:
    """The data as the build writes it: with the entailments the build keeps (OWL 2 RL, filtered)."""
    return reason(data, load_ontology())


def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def matches(result: Violation, target: str) -> bool:
    return target in (result.shape, result.constraint, result.path)


def tally(results: list[Violation], expected: Counter[str]) -> Counter[str]:
    """Count results under the expected target they match (or under their shape when none matches)."""
    counts: Counter[str] = Counter()
    for result in results:
        target = next((t for t in expected if matches(result, t)), result.shape or "?")
        counts[target] += 1
    return counts


def check(report: ValidationReport, case: Case) -> None:
    assert tally(report.violations, case.violations) == case.violations, report.to_text()
    assert tally(report.warnings, case.warnings) == case.warnings, report.to_text()
    assert report.conforms == (not case.violations)


# ----------------------------------------------------------------------------------------------------------
# Test cases as data
# ----------------------------------------------------------------------------------------------------------


def test_there_are_cases() -> None:
    assert len(VALID) >= 1
    assert len(INVALID) >= 15


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_conforms(path: Path) -> None:
    report = validate_graph(parse(path), source=path.stem)
    assert report.conforms, report.to_text()
    assert not report.violations and not report.warnings, report.to_text()


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_conforms_with_ontology(path: Path) -> None:
    report = validate_graph(parse(path), ontology=ontology(), source=path.stem)
    assert report.conforms and not report.warnings, report.to_text()


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_conforms_after_reasoning(path: Path) -> None:
    report = validate_graph(reasoned(parse(path)), source=path.stem)
    assert report.conforms and not report.warnings, report.to_text()


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_finds_exactly_the_expected(path: Path) -> None:
    case = Case.read(path)
    check(validate_graph(parse(path), source=path.stem), case)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_finds_the_same_with_ontology(path: Path) -> None:
    case = Case.read(path)
    check(validate_graph(parse(path), ontology=ontology(), source=path.stem), case)


@pytest.mark.slow
@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_finds_the_same_after_reasoning(path: Path) -> None:
    case = Case.read(path)
    check(validate_graph(reasoned(parse(path)), source=path.stem), case)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_report_names_focus_node_and_line(path: Path) -> None:
    case = Case.read(path)
    report = validate_graph(parse(path), source=path.stem)
    text = report.to_text()
    assert f"<{case.focus}>" in text, text
    found = [v for v in report.violations + report.warnings if v.focus_node == case.focus]
    assert found, text
    if case.line is not None:
        assert {v.line for v in found} == {case.line}, text
        assert f"001_5d749821937a7dbe, line {case.line}" in text, text
    for result in found:
        assert result.message and not result.message.startswith("Broken constraint"), result
        assert result.message_pl, result


# ----------------------------------------------------------------------------------------------------------
# The shapes themselves
# ----------------------------------------------------------------------------------------------------------


def test_shapes_load_from_the_package() -> None:
    shapes = load_shapes()
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    assert len(node_shapes) >= 15
    for name in ("OfficeShape", "UnitShape", "DutyShape", "ReportingCycleShape", "LegalResourceShape",
                 "SourceSpanShape", "ContactPointShape"):
        assert KSH[name] in node_shapes


def test_shapes_are_well_formed_shacl() -> None:
    conforms, _, text = meta_validate(load_shapes())
    assert conforms, text


def test_every_class_has_a_shape() -> None:
    targets = set(load_shapes().objects(None, SH.targetClass))
    classes = {c for c in ontology().subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef) and str(c).startswith(str(KOMP))}
    assert classes, "the ontology declares no classes"
    missing = classes - targets
    assert not missing, f"classes without a shape: {sorted(missing)}"
    eli = Namespace("http://data.europa.eu/eli/ontology#")
    foaf = Namespace("http://xmlns.com/foaf/0.1/")
    assert {eli.LegalResource, eli.LegalResourceSubdivision, CV.ContactPoint, foaf.Person} <= targets


def test_every_constraint_speaks_english_and_polish() -> None:
    shapes = load_shapes()
    speakers = set(shapes.subjects(RDF.type, SH.PropertyShape)) | set(shapes.subjects(RDF.type, SH.SPARQLConstraint))
    for component in (SH["or"], SH.xone, SH["class"]):
        speakers |= {s for s in shapes.subjects(component, None) if (s, RDF.type, SH.NodeShape) in shapes}
    for speaker in speakers:
        languages = {m.language for m in shapes.objects(speaker, SH.message) if isinstance(m, Literal)}
        assert {"en", "pl"} <= languages, f"{speaker} lacks an English or Polish sh:message"


# ----------------------------------------------------------------------------------------------------------
# Patterns, value by value
# ----------------------------------------------------------------------------------------------------------

GOOD_SYMBOLS = ["KS", "KS-02", "DK-06", "WSO-I", "OR-01", "BRM", "WKiS", "WOŚiR", "OR.I", "KS-02-1", "ŁK-3"]
BAD_SYMBOLS = ["ks-02", "KS 02", "KS-", "-KS", "KS--02", "Wydział Komunikacji", "Ks", "KS-02;", "KS/02", ""]


def department_with_symbol(symbol: str) -> Graph:
    graph = Graph()
    graph.add((ID["1261011"], RDF.type, KOMP.Office))
    graph.add((ID["1261011"], SKOS.prefLabel, Literal("Urząd Miasta Krakowa", lang="pl")))
    department = ID["1261011/ks"]
    graph.add((department, RDF.type, KOMP.Department))
    graph.add((department, ORG.unitOf, ID["1261011"]))
    graph.add((department, SKOS.notation, Literal(symbol)))
    return graph


@pytest.mark.parametrize("symbol", GOOD_SYMBOLS)
def test_good_symbol(symbol: str) -> None:
    report = validate_graph(department_with_symbol(symbol))
    assert report.conforms, report.to_text()


@pytest.mark.parametrize("symbol", BAD_SYMBOLS)
def test_bad_symbol(symbol: str) -> None:
    report = validate_graph(department_with_symbol(symbol))
    assert [v.shape for v in report.violations] == ["ksh:OrgUnit-notation"], report.to_text()


def contact_with(prop: URIRef, value: str) -> Graph:
    graph = Graph()
    contact = ID["1261011/ks-02/contact"]
    graph.add((contact, RDF.type, CV.ContactPoint))
    graph.add((contact, prop, Literal(value)))
    return graph


@pytest.mark.parametrize("phone", ["12-616-1360", "(32) 2593 654", "32 3491-826", "+48 12 616 13 60",
                                   "(+48 32) 259 39 09", "12 616 13 60 wew. 204", "600123456"])
def test_good_phone(phone: str) -> None:
    report = validate_graph(contact_with(CV.telephone, phone))
    assert report.conforms, report.to_text()


@pytest.mark.parametrize(("phone", "shape"), [
    ("616-13-60", "ksh:ContactPoint-telephoneDigits"),
    ("tel. 12 616 13 60", "ksh:ContactPoint-telephoneCharacters"),
    ("12 616 13 60, 61", "ksh:ContactPoint-telephoneCharacters"),
    ("12 616 13 60 12 616 13 61", "ksh:ContactPoint-telephoneDigits"),
])
def test_bad_phone(phone: str, shape: str) -> None:
    report = validate_graph(contact_with(CV.telephone, phone))
    assert [v.shape for v in report.violations] == [shape], report.to_text()


@pytest.mark.parametrize("email", ["k@katowice.eu", "rzecznik@swietochlowice.pl", "biuro.prasowe@um.krakow.pl",
                                   "mailto:k@katowice.eu"])
def test_good_email(email: str) -> None:
    assert validate_graph(contact_with(CV.email, email)).conforms


@pytest.mark.parametrize("email", ["k@katowice", "k katowice.eu", "k@@katowice.eu", "e-mail: k@katowice.eu", ""])
def test_bad_email(email: str) -> None:
    report = validate_graph(contact_with(CV.email, email))
    assert [v.shape for v in report.violations] == ["ksh:ContactPoint-email"], report.to_text()


def duty_with(text: str, number: str = "1") -> Graph:
    graph = department_with_symbol("KS")
    duty = ID["1261011/ks/duty/1"]
    graph.add((duty, RDF.type, KOMP.Duty))
    graph.add((duty, DCT.description, Literal(text, lang="pl")))
    graph.add((duty, KOMP.itemNumber, Literal(number)))
    graph.add((duty, KOMP.dutyOf, ID["1261011/ks"]))
    graph.add((ID["1261011/ks"], RDF.type, ORG.OrganizationalUnit))
    graph.add((duty, Namespace("http://www.w3.org/ns/prov#").wasDerivedFrom, ID["1261011/act/1-2021#par1"]))
    return graph


@pytest.mark.parametrize("text", ["Prowadzenie spraw kadrowych", "kształtowanie strategii", "§ 5 stosuje się",
                                  "1,5 mln zł na promocję", "Współpraca z mediami (TV, radio)", "I tak dalej",
                                  "ZADANIA: obsługa", "2021 r. – sprawozdanie"])
def test_duty_text_without_marker(text: str) -> None:
    report = validate_graph(duty_with(text))
    assert not report.violations, report.to_text()


@pytest.mark.parametrize("text", ["1) Prowadzenie", "12) Prowadzenie", "12a) Prowadzenie", "(3) Prowadzenie",
                                  "a) opracowywanie", "ł) opracowywanie", "a/ opracowywanie", "IV) Zadania",
                                  "1. Prowadzenie", "a. opracowywanie", "- opracowywanie", "• opracowywanie",
                                  " 2) Prowadzenie"])
def test_duty_text_with_marker(text: str) -> None:
    report = validate_graph(duty_with(text))
    assert [v.shape for v in report.violations] == ["ksh:Duty-descriptionNoMarker"], report.to_text()


@pytest.mark.parametrize("number", ["7", "2.b", "2.b.1", "12.ł", "I-12.a", "5a"])
def test_good_item_number(number: str) -> None:
    assert not validate_graph(duty_with("Prowadzenie", number)).violations


@pytest.mark.parametrize("number", ["2)", "2.", ".2", "2..b", "2 b", "a/", ""])
def test_bad_item_number(number: str) -> None:
    report = validate_graph(duty_with("Prowadzenie", number))
    assert [v.shape for v in report.violations] == ["ksh:Duty-itemNumber"], report.to_text()


# ----------------------------------------------------------------------------------------------------------
# validate_graph, the report, the exception
# ----------------------------------------------------------------------------------------------------------


def test_dataset_is_validated_as_union_and_located_by_named_graph() -> None:
    dataset = Dataset()
    dataset.graph(ID["graph/004_db392eccf0a978d5"]).__iadd__(parse(CASES / "invalid" / "unit_without_name.ttl"))
    dataset.graph(ID["graph/ontology"]).__iadd__(ontology())
    report = validate_graph(dataset)
    assert [v.shape for v in report.violations] == ["ksh:Unit-prefLabel"], report.to_text()
    assert report.violations[0].document == "004_db392eccf0a978d5"
    assert "004_db392eccf0a978d5" in report.to_text()


def test_dataset_split_over_named_graphs_conforms() -> None:
    """A unit in one document's graph and its department in another's: validated together."""
    dataset = Dataset()
    data = parse(VALID[0])
    first, second = dataset.graph(ID["graph/a"]), dataset.graph(ID["graph/b"])
    for i, triple in enumerate(sorted(data)):
        (first if i % 2 else second).add(triple)
    report = validate_graph(dataset)
    assert report.conforms, report.to_text()


def test_source_is_the_fallback_document() -> None:
    report = validate_graph(parse(CASES / "invalid" / "unit_without_name.ttl"), source="seed.txt")
    assert report.violations[0].document == "seed.txt"
    assert report.violations[0].line is None
    assert report.to_text().startswith("SHACL validation of seed.txt: does not conform (1 violation, 0 warnings).")


def test_line_is_found_through_derivation_chain() -> None:
    """A cooperation link has no span; its duty has one."""
    report = validate_graph(parse(CASES / "invalid" / "cooperation_one_party.ttl"))
    assert [(v.document, v.line) for v in report.violations] == [("001_5d749821937a7dbe", 133)]


def test_sparql_messages_are_filled_in_both_languages() -> None:
    report = validate_graph(parse(CASES / "invalid" / "reporting_cycle.ttl"))
    first = report.violations[0]
    assert "{$this}" not in first.message and "{?value}" not in first.message
    assert "1261011/" in first.message and "cycle" in first.message
    assert "cykl" in (first.message_pl or "")


def test_report_block_is_readable() -> None:
    report = validate_graph(parse(CASES / "invalid" / "duty_text_list_marker.ttl"), source="001_5d749821937a7dbe")
    block = report.violations[0].to_text()
    assert block.splitlines() == [
        "Violation — 001_5d749821937a7dbe, line 133",
        "  node:    <https://w3id.org/kompetencje/id/1261011/ks-05/duty/2>",
        "  problem: " + report.violations[0].message,
        "  problem: " + (report.violations[0].message_pl or ""),
        "  path:    dct:description",
        '  value:   "2) Wspieranie działań odpowiednich komórek organizacyjnych UMK w zakresie kampanii '
        'informacyjnych"@pl',
        "  shape:   ksh:Duty-descriptionNoMarker (sh:NotConstraintComponent)",
    ]


def test_raise_for_violations() -> None:
    report = validate_graph(parse(CASES / "invalid" / "duty_text_list_marker.ttl"))
    with pytest.raises(ValidationFailed) as caught:
        raise_for_violations(report, source="001_5d749821937a7dbe")
    error = caught.value
    assert error.source == "001_5d749821937a7dbe"
    assert error.line == 133
    assert error.report == report.to_text()
    assert error.violations == [v.as_dict() for v in report.violations]
    assert error.violations[0]["shape"] == "ksh:Duty-descriptionNoMarker"
    problem = problem_for(error).as_dict()
    assert problem["status"] == 422 and problem["violations"] == error.violations


def test_raise_for_violations_passes_conforming_report_and_warnings() -> None:
    raise_for_violations(validate_graph(parse(VALID[0])))
    warned = validate_graph(parse(CASES / "invalid" / "span_iri_disagrees.ttl"))
    assert warned.conforms and warned.warnings
    raise_for_violations(warned)


def test_input_graph_is_not_changed() -> None:
    data = parse(VALID[0])
    before = len(data)
    validate_graph(data, ontology=ontology())
    assert len(data) == before


def test_count_violation_shows_what_was_found() -> None:
    report = validate_graph(parse(CASES / "invalid" / "unit_two_parents.ttl"))
    (violation,) = report.violations
    assert violation.value is None
    assert violation.found == ("<https://w3id.org/kompetencje/id/1261011/dk>",
                               "<https://w3id.org/kompetencje/id/1261011/ks>")
    assert "  found:   <https://w3id.org/kompetencje/id/1261011/dk>, " in report.to_text()
    assert violation.as_dict()["found"] == list(violation.found)
