"""Documents of other cities, written for these tests (tests/fixtures/documents/), each with the facts its
model must hold (NAME.expected.json beside it); and a property test: any text gives a Document or an
InputError, quickly.

Every input goes the way a real source goes, through the format readers (`read_source`) and then
`extract_document`: NAME.txt (any encoding: UTF-8, windows-1250, ISO-8859-2, or UTF-8 mojibake), NAME.html,
and two kinds set by the test from their text (tests/printing.py): NAME.pdf.txt becomes a PDF (fpdf2,
DejaVuSans, pages with a running head and footer), NAME.docx.txt a Word document.

Expected-facts keys (all optional):
- municipality, office; act{kind, number, issuer, title, based_on, date, in_force_from, repeals[[number, date]],
  amends[number], amends_detail[[number, date, title, kind]]} (act: null when the document is no act);
- units[{ref, name, kind, parent, duties, first, last, provision}] (parent: null for none);
- lists[{holder, group, group_number, count, shared, provision, first}];
- posts[{title, unit, holder, is_head, also}];
- reporting[[subordinate, superior]], chains[[unit, superior, ..., top]] (every step an edge, the top
  reporting to no one);
- cooperation[[party, partner]], no_cooperation[[party, partner]], external[{name, kind}];
- contacts[{of, phones, emails, addresses, rooms, urls}];
- subitems[{holder, path, count, text, marker}] (path: item numbers from the top; count: its sub-items);
- not_attached[text], findings_contain[text], findings_absent[text], input_error (bool);
- what the reader made of the file: format, encoding, title, breadcrumb, reader_noise[reason] (reasons of
  the blocks it dropped), absent[text] (dropped: in no line of the document).
A ref is a symbol, a unit's name, a post's title, an external organisation's name, or "office".
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from printing import print_docx, print_pdf

from kompetencje.errors import InputError
from kompetencje.loaders.extract import OFFICE_UNIT, extract_document
from kompetencje.loaders.model import Document, DutyItem, SourceMeta, SourceText
from kompetencje.loaders.readers import read_source

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"
GOLD_SUFFIX = ".expected.json"
DOCUMENTS = sorted(p for p in FIXTURES.iterdir() if p.is_file() and not p.name.endswith(GOLD_SUFFIX)
                   and p.name != "README.md")
PRINTED = {".pdf.txt": print_pdf, ".docx.txt": print_docx}


def stem(path: Path) -> str:
    return path.name.split(".")[0]


def gold_path(path: Path) -> Path:
    return path.with_name(stem(path) + GOLD_SUFFIX)


def source_file(path: Path) -> tuple[bytes, str]:
    """The file a city would publish: as stored, or printed from the stored text (NAME.pdf, NAME.docx)."""
    for suffix, printer in PRINTED.items():
        if path.name.endswith(suffix):
            return printer(path.read_text(encoding="utf-8")), path.name[: -len(".txt")]
    return path.read_bytes(), path.name


def read(path: Path) -> tuple[SourceText, Document]:
    data, name = source_file(path)
    source = read_source(data, name)
    return source, extract_document(source, SourceMeta(doc_id=stem(path), path=str(path)))


def extract(path: Path) -> Document:
    return read(path)[1]


def expected_of(path: Path) -> dict:
    return json.loads(gold_path(path).read_text(encoding="utf-8"))


def key_of(doc: Document, ref: str) -> str | None:
    if ref == OFFICE_UNIT:
        return ref
    for unit in doc.units:
        if ref in (unit.symbol, unit.name, unit.key):
            return unit.key
    for post in doc.posts:
        if ref in (post.title, post.key):
            return post.key
    return next((e.key for e in doc.external if e.name == ref), None)


def items_held_by(doc: Document, key: str) -> list[DutyItem]:
    return [item for d in doc.duty_lists if d.holder == key and not d.shared for item in d.items]


def test_there_are_enough_fixtures() -> None:
    assert len(DOCUMENTS) >= 20
    assert len({stem(p) for p in DOCUMENTS}) == len(DOCUMENTS)
    assert all(gold_path(p).exists() for p in DOCUMENTS)
    assert not [p for p in FIXTURES.glob(f"*{GOLD_SUFFIX}") if not any(gold_path(d) == p for d in DOCUMENTS)]
    golds = [expected_of(p) for p in DOCUMENTS]
    assert {"html", "pdf", "docx", "text"} <= {g.get("format") for g in golds}
    assert {"windows-1250", "iso-8859-2"} <= {g.get("encoding") for g in golds}
    assert any("mojibake" in " ".join(g.get("findings_contain", [])) for g in golds)


@pytest.fixture(scope="module", params=DOCUMENTS, ids=stem)
def case(request) -> tuple[Document | None, dict]:
    expected = expected_of(request.param)
    if expected.get("input_error"):
        with pytest.raises(InputError):
            read(request.param)
        return None, expected
    source, doc = read(request.param)
    expected = {**expected, "_source": source}
    return doc, expected


def test_reader(case) -> None:
    doc, expected = case
    if doc is None:
        return
    source: SourceText = expected["_source"]
    for field in ("format", "encoding", "title", "breadcrumb"):
        if field in expected:
            assert getattr(source, field) == expected[field], field
    reasons = {block.reason for block in source.noise}
    assert set(expected.get("reader_noise", [])) <= reasons, reasons
    text = "\n".join(doc.lines)
    for dropped in expected.get("absent", []):
        assert dropped not in text, dropped


def test_municipality_and_act(case) -> None:
    doc, expected = case
    if doc is None:
        return
    if "municipality" in expected:
        assert doc.municipality.name == expected["municipality"]
        if expected["municipality"] is None:
            assert any("municipality" in f.message for f in doc.findings)
    if expected.get("office"):
        assert doc.municipality.office_name == expected["office"]
    act = expected.get("act")
    if act is None:
        assert "act" not in expected or doc.act is None
        return
    assert doc.act is not None
    for field in ("kind", "number", "issuer", "title", "based_on"):
        if field in act:
            assert getattr(doc.act, field) == act[field], field
    for field in ("date", "in_force_from"):
        if field in act:
            assert getattr(doc.act, field).isoformat() == act[field], field
    if "repeals" in act:
        assert [[r.number, r.date.isoformat()] for r in doc.act.repeals] == act["repeals"]
    if "amends" in act:
        assert [r.number for r in doc.act.amends] == act["amends"]
    if "amends_detail" in act:  # [number, date, title, kind] of each amended act
        assert [[r.number, r.date.isoformat() if r.date else None, r.title, r.kind] for r in doc.act.amends] \
            == act["amends_detail"]


def test_units(case) -> None:
    doc, expected = case
    for gold in expected.get("units", []) if doc else []:
        key = key_of(doc, gold["ref"])
        assert key, f"no unit {gold['ref']}: {[(u.key, u.name) for u in doc.units]}"
        unit = doc.unit(key)
        for field in ("name", "kind"):
            if field in gold:
                assert getattr(unit, field) == gold[field], (gold["ref"], field)
        if "parent" in gold:
            assert unit.parent == (key_of(doc, gold["parent"]) if gold["parent"] else None), gold["ref"]
        items = items_held_by(doc, key)
        if "duties" in gold:
            assert len(items) == gold["duties"], gold["ref"]
        if "first" in gold:
            assert items[0].text.startswith(gold["first"])
        if "last" in gold:
            assert items[-1].text.startswith(gold["last"])
        if "provision" in gold:
            assert next(d for d in doc.duty_lists if d.holder == key).provision.label == gold["provision"]


def test_lists(case) -> None:
    doc, expected = case
    for gold in expected.get("lists", []) if doc else []:
        key = key_of(doc, gold["holder"])
        matching = [d for d in doc.duty_lists if d.holder == key and d.group == gold.get("group", d.group)
                    and d.shared == gold.get("shared", d.shared)]
        assert matching, gold
        duties = matching[0]
        if "count" in gold:
            assert len(duties.items) == gold["count"]
        if "group_number" in gold:
            assert duties.group_number == gold["group_number"]
        if "provision" in gold:
            assert duties.provision.label == gold["provision"]
        if "first" in gold:
            assert duties.items[0].text.startswith(gold["first"])


def test_posts(case) -> None:
    doc, expected = case
    for gold in expected.get("posts", []) if doc else []:
        post = next((p for p in doc.posts if p.title == gold["title"]
                     and ("unit" not in gold or p.unit == key_of(doc, gold["unit"]))), None)
        assert post is not None, (gold, [(p.title, p.unit) for p in doc.posts])
        if "holder" in gold:
            assert post.holder == gold["holder"]
        if "is_head" in gold:
            assert post.is_head == gold["is_head"]
        for role in gold.get("also", []):
            assert role in post.also


def test_reporting_and_cooperation(case) -> None:
    doc, expected = case
    if doc is None:
        return
    edges = {(r.subordinate, r.superior) for r in doc.reporting}
    for subordinate, superior in expected.get("reporting", []):
        assert (key_of(doc, subordinate), key_of(doc, superior)) in edges, (subordinate, superior, edges)
    for chain in expected.get("chains", []):  # a unit and everyone above it, up to the top
        keys = [key_of(doc, ref) for ref in chain]
        assert all(pair in edges for pair in itertools.pairwise(keys)), (chain, edges)
        assert not any(sub == keys[-1] for sub, _ in edges), f"{chain[-1]} reports to someone"
    links = {(c.party, c.partner) for c in doc.cooperation}
    for party, partner in expected.get("cooperation", []):
        assert (key_of(doc, party), key_of(doc, partner)) in links, (party, partner, links)
    for party, partner in expected.get("no_cooperation", []):
        assert (key_of(doc, party), key_of(doc, partner)) not in links
    kinds = {e.name: e.kind for e in doc.external}
    for gold in expected.get("external", []):
        assert kinds.get(gold["name"]) == gold["kind"], (gold, kinds)


def test_contacts_subitems_and_noise(case) -> None:
    doc, expected = case
    if doc is None:
        return
    for gold in expected.get("contacts", []):
        contact = next(c for c in doc.contacts if c.of == key_of(doc, gold["of"]))
        for field in ("phones", "emails", "addresses", "rooms", "urls"):
            for value in gold.get(field, []):
                assert value in getattr(contact, field), (field, value, getattr(contact, field))
    for gold in expected.get("subitems", []):
        items = items_held_by(doc, key_of(doc, gold["holder"]))
        for number in gold["path"]:
            item = next(i for i in items if i.number == number)
            items = item.subitems
        if "count" in gold:
            assert len(items) == gold["count"], gold
        if "text" in gold:
            assert item.text.startswith(gold["text"]), (gold, item.text)
        if "marker" in gold:
            assert item.marker == gold["marker"], (gold, item.marker)
    attached = "\n".join([u.name or "" for u in doc.units] + [f"{p.title} {p.holder}" for p in doc.posts]
                         + [str(c) for c in doc.contacts] + [e.name for e in doc.external])
    for text in expected.get("not_attached", []):
        assert text not in attached
    messages = " | ".join(f.message for f in doc.findings)
    for text in expected.get("findings_contain", []):
        assert text in messages
    for text in expected.get("findings_absent", []):
        assert text not in messages, messages


# ---------------------------------------------------------------------------------------------- robustness

POLISH_TEXT = st.text(alphabet=st.sampled_from(list("abcłóżźęąśćń ABCŁŻ§0123456789.,;:()-–/|*\n\t")), max_size=600)


def utf8_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:  # a fixture stored in a single-byte code page
        return None


TEXTS = [p for p in DOCUMENTS if p.suffix == ".txt" and utf8_text(p) is not None]
SEED_LINES = [line for p in TEXTS for line in (utf8_text(p) or "").splitlines()]


@settings(max_examples=120, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(POLISH_TEXT, st.text(max_size=400),
                 st.lists(st.sampled_from(SEED_LINES), max_size=40).map("\n".join)))
def test_any_text_gives_a_document_or_an_input_error(text: str) -> None:
    try:
        doc = extract_document(SourceText(text=text, format="text"), SourceMeta(doc_id="x", path="x"))
    except InputError:
        return
    assert isinstance(doc, Document)
    keys = {u.key for u in doc.units} | {p.key for p in doc.posts}
    assert all(d.holder in keys for d in doc.duty_lists)
    assert all(1 <= d.span.start <= d.span.end <= max(1, len(doc.lines)) for d in doc.duty_lists)


@settings(max_examples=40, deadline=2000)
@given(st.sampled_from(TEXTS), st.floats(0.05, 0.95))
def test_truncated_documents(path: Path, fraction: float) -> None:
    text = utf8_text(path) or ""
    try:
        doc = extract_document(SourceText(text=text[: int(len(text) * fraction)], format="text"),
                               SourceMeta(doc_id="x", path="x"))
    except InputError:
        return
    assert isinstance(doc, Document)


# ---------------------------------------------------------------------------------------------- regressions
# Loader bugs the synthetic benchmark found, each pinned by the smallest text that showed it.


def extract_text(text: str) -> Document:
    return extract_document(SourceText(text=text, format="text"), SourceMeta(doc_id="x", path="x"))


ACT_HEAD = """ZARZĄDZENIE Nr 15/2024
PREZYDENTA MIASTA KIELCE
z dnia 5 marca 2024 r.
w sprawie regulaminu wewnętrznego Wydziału Kadr i Płac
"""


def test_a_post_title_has_no_sentence_full_stop() -> None:
    doc = extract_text(ACT_HEAD + "§ 1. Wydziałem Kadr i Płac kieruje Naczelnik.\n§ 2. Do zakresu działania "
                       "Wydziału należy:\n1) prowadzenie akt osobowych.")
    assert [p.title for p in doc.posts] == ["Naczelnik"]
    doc = extract_text(ACT_HEAD + "§ 1. Wydziałem kieruje Naczelnik.\n§ 2. Naczelnikowi Wydziału podlegają:\n"
                       "1) Referat Kadr.")
    assert "Naczelnik Wydziału" in [p.title for p in doc.posts]
    assert not any(p.title.endswith(".") for p in doc.posts)


@pytest.mark.parametrize(("tail", "partners"), [
    ("z Pełnomocnikiem Prezydenta ds. Osób Niepełnosprawnych oraz Biurem Rady",
     ["Pełnomocnik Prezydenta ds. Osób Niepełnosprawnych", "Biuro Rady"]),
    ("z Referatem Opłat m.in. w zakresie ulg", ["Referat Opłat"]),
    ("z Referatem Opłat, tj. z jego kasą", ["Referat Opłat"]),
    ("z Referatem Opłat, np. przy windykacji", ["Referat Opłat"]),
    ("z Referatem Opłat, ul. Długa 5", ["Referat Opłat"]),
    ("z Biurem Rady w zakresie pkt. 5 ust. 2 i Referatem Opłat", ["Biuro Rady"]),
    ("z Zastępcą Dyrektora ds. Promocji i Referatem ds. Kontaktów z Mieszkańcami",
     ["Zastępca Dyrektora ds. Promocji", "Referat ds. Kontaktów z Mieszkańcami"]),
])
def test_an_abbreviation_does_not_end_a_partner_list(tail: str, partners: list[str]) -> None:
    doc = extract_text(ACT_HEAD + f"§ 1. Do zakresu działania Wydziału należy:\n1) współpraca {tail}.")
    names = {e.key: e.name for e in doc.external} | {u.key: u.name for u in doc.units}
    assert [names[c.partner] for c in doc.cooperation] == partners


def test_the_instrumental_dzialem_is_a_noun_not_a_verb() -> None:
    from kompetencje.loaders import morphology

    readings = morphology.readings("Działem")
    assert any(r.pos == "subst" and r.lemma == "dział" and "inst" in r.cases for r in readings)
    assert morphology.head_lemma("Działem Kadr") == "dział"
    doc = extract_text(ACT_HEAD + "§ 1. Do zakresu działania Wydziału należy:\n1) prowadzenie akt osobowych we "
                       "współpracy z Działem Kadr i Szkoleń oraz z Działem Płac.")
    assert [e.name for e in doc.external] == ["Dział Kadr i Szkoleń", "Dział Płac"]


def test_the_department_of_an_act_is_a_unit_noun_phrase_and_only_of_an_act() -> None:
    one_word = ACT_HEAD.replace("regulaminu wewnętrznego Wydziału Kadr i Płac", "zakresu działania Wydziału")
    doc = extract_text(one_word + "§ 1. Do zadań Referatu Kadr należy:\n1) prowadzenie akt osobowych.")
    assert "Wydział" not in [u.name for u in doc.units]
    page = "Menu\nZadania Wydziału Promocji\nDo zadań Referatu Kadr należy:\n1) prowadzenie akt osobowych."
    doc = extract_text(page)
    assert [u.name for u in doc.units] == ["Referat Kadr"]  # a web page's first lines name no department
    for subject, name, kind in (("Urzędu Stanu Cywilnego", "Urząd Stanu Cywilnego", "department"),
                                ("Samodzielnego stanowiska ds. Kontroli", "Samodzielne stanowisko ds. Kontroli",
                                 "post-unit")):
        act = ACT_HEAD.replace("regulaminu wewnętrznego Wydziału Kadr i Płac", f"zakresu działania {subject}")
        doc = extract_text(act + "§ 1. Zarządzenie wchodzi w życie z dniem podpisania.")
        assert [(u.name, u.kind) for u in doc.units] == [(name, kind)]
    title_line = "Regulamin wewnętrzny Wydziału Promocji\n§ 1. Do zadań Wydziału należy:\n1) promocja miasta."
    assert [u.name for u in extract_text(title_line).units] == ["Wydział Promocji"]


def test_a_line_broken_after_an_abbreviation_goes_on() -> None:
    from kompetencje.loaders.structure import continues_item, final_punctuation

    assert final_punctuation("koordynacja działań, w tym m. in.") == ""
    assert final_punctuation("współpraca z Zastępcą Dyrektora ds.") == ""
    assert final_punctuation("uchwała z dnia 5 marca 2020 r.") == "."
    assert final_punctuation("prowadzenie akt osobowych.") == "."
    assert continues_item("2) koordynacja, w tym m. in.", "przygotowywanie budżetu;", after_gap=False)
    assert continues_item("2) współpraca z Zastępcą Dyrektora ds.", "Promocji;", after_gap=False)
    assert not continues_item("2) prowadzenie akt osobowych.", "Wydział prowadzi też archiwum.", after_gap=False)


def test_town_names_are_read_in_the_case_their_phrase_requires() -> None:
    for text, town in (("Urząd Miasta Płocka", "Płock"), ("Prezydenta Miasta Zamościa", "Zamość"),
                       ("Urzędu Miejskiego w Siedlcach", "Siedlce"), ("Gmina Miasta Tarnowa", "Tarnów"),
                       ("Rady Miejskiej w Słupsku", "Słupsk"), ("76-200 Słupsk, ul. Długa 1", "Słupsk")):
        doc = extract_text(f"{text}\nDo zadań Referatu Kadr należy:\n1) prowadzenie akt osobowych.")
        assert doc.municipality.name == town, text


def test_reporting_with_the_superior_first_and_supervision_inline() -> None:
    doc = extract_text(ACT_HEAD + "§ 1. Wydziałem kieruje Naczelnik przy pomocy Zastępcy.\n"
                       "§ 2. Zastępcy Naczelnika Wydziału podlega Referat Sportu i Rekreacji.\n"
                       "§ 3. Sekretarz Miasta nadzoruje Wydział Kadr i Płac.")
    edges = {(r.subordinate, r.superior) for r in doc.reporting}
    units = {u.name: u.key for u in doc.units}
    posts = {p.title: p.key for p in doc.posts}
    assert (units["Referat Sportu i Rekreacji"], posts["Zastępca Naczelnika Wydziału"]) in edges
    assert (units["Wydział Kadr i Płac"], posts["Sekretarz Miasta"]) in edges
    assert "Referat Sportu i Rekreacji" not in posts
