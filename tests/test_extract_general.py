"""Documents of other cities, written for these tests (tests/fixtures/documents/*.txt), each with the facts
its model must hold (*.expected.json beside it); and a property test: any text gives a Document or an
InputError, quickly.

Expected-facts keys (all optional): municipality, office, act{...}, units[{ref, name, kind, parent, duties,
first, last, provision}], lists[{holder, group, group_number, count, shared, provision}], posts[{title, unit,
holder, is_head, also}], reporting[[subordinate, superior]], cooperation[[party, partner]], external[{name,
kind}], contacts[{of, phones, emails, addresses, rooms, urls}], subitems[{holder, path, count}],
not_attached[text], no_cooperation[[party, partner]], findings_contain[text], input_error (bool).
A ref is a symbol, a unit's name, a post's title, an external organisation's name, or "office".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompetencje.errors import InputError
from kompetencje.loaders.extract import OFFICE_UNIT, extract_document
from kompetencje.loaders.model import Document, DutyItem, SourceMeta, SourceText

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"
DOCUMENTS = sorted(FIXTURES.glob("*.txt"))


def extract(path: Path) -> Document:
    return extract_document(SourceText(text=path.read_text(encoding="utf-8"), format="text"),
                            SourceMeta(doc_id=path.stem, path=str(path)))


def expected_of(path: Path) -> dict:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


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
    assert len(DOCUMENTS) >= 8
    assert all(p.with_suffix(".expected.json").exists() for p in DOCUMENTS)


@pytest.fixture(scope="module", params=DOCUMENTS, ids=lambda p: p.stem)
def case(request) -> tuple[Document | None, dict]:
    expected = expected_of(request.param)
    if expected.get("input_error"):
        with pytest.raises(InputError):
            extract(request.param)
        return None, expected
    return extract(request.param), expected


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
            assert unit.parent == key_of(doc, gold["parent"])
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
        assert len(items) == gold["count"]
    attached = "\n".join([u.name or "" for u in doc.units] + [f"{p.title} {p.holder}" for p in doc.posts]
                         + [str(c) for c in doc.contacts] + [e.name for e in doc.external])
    for text in expected.get("not_attached", []):
        assert text not in attached
    messages = " | ".join(f.message for f in doc.findings)
    for text in expected.get("findings_contain", []):
        assert text in messages


# ---------------------------------------------------------------------------------------------- robustness

POLISH_TEXT = st.text(alphabet=st.sampled_from(list("abcłóżźęąśćń ABCŁŻ§0123456789.,;:()-–/|*\n\t")), max_size=600)
SEED_LINES = [line for p in DOCUMENTS for line in p.read_text(encoding="utf-8").splitlines()]


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
@given(st.sampled_from(DOCUMENTS), st.floats(0.05, 0.95))
def test_truncated_documents(path: Path, fraction: float) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        doc = extract_document(SourceText(text=text[: int(len(text) * fraction)], format="text"),
                               SourceMeta(doc_id="x", path="x"))
    except InputError:
        return
    assert isinstance(doc, Document)
