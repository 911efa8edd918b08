"""The five seed documents: golden JSON of each document model, and the answer key's extraction facts.

KOMPETENCJE_UPDATE_GOLDEN=1 rewrites tests/golden/*.json from the current extractor (review the diff!).
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from kompetencje.loaders import morphology
from kompetencje.loaders.extract import extract_document
from kompetencje.loaders.golden import document_to_text
from kompetencje.loaders.metadata import read_metadata
from kompetencje.loaders.model import Document, DutyItem, DutyList, OrgUnit, Post, SourceText

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
GOLDEN = Path(__file__).resolve().parent / "golden"
GOLD = json.loads((Path(__file__).resolve().parent / "seeds.gold.json").read_text(encoding="utf-8"))
SEED_PATHS = sorted(SOURCES.glob("*.txt"))


def load(path: Path) -> Document:
    meta = read_metadata(path)
    meta.path = path.relative_to(ROOT).as_posix()  # the golden files must not depend on the checkout's place
    return extract_document(SourceText(text=path.read_text(encoding="utf-8"), format="text"), meta)


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return {path.name: load(path) for path in SEED_PATHS}


# ---------------------------------------------------------------------------------------------- golden

@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.stem)
def test_golden_document(path: Path) -> None:
    actual = document_to_text(load(path))
    golden = GOLDEN / f"{path.stem}.json"
    if os.environ.get("KOMPETENCJE_UPDATE_GOLDEN") == "1" or not golden.exists():
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        return
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden/{golden.name}", "extracted", n=2))
        pytest.fail(f"document model differs from golden (KOMPETENCJE_UPDATE_GOLDEN=1 to accept):\n{diff}")


# ---------------------------------------------------------------------------------------------- helpers

def docs_of(documents: dict[str, Document], municipality: str) -> list[Document]:
    return [d for d in documents.values() if d.municipality.name == municipality]


def find_unit(doc: Document, ref: str | None) -> OrgUnit | None:
    if ref is None:
        return None
    return next((u for u in doc.units if u.symbol == ref or (u.name and morphology.names_match(ref, u.name))),
                None)


def own_lists(doc: Document, key: str) -> list[DutyList]:
    return [d for d in doc.duty_lists if d.holder == key and not d.shared]


def own_items(doc: Document, key: str) -> list[DutyItem]:
    return [item for duties in own_lists(doc, key) for item in duties.items]


def find_post(doc: Document, title: str) -> Post | None:
    return next((p for p in doc.posts if p.title == title), None)


def resolve_ref(doc: Document, ref: str) -> str | None:
    """A gold reference (symbol, unit name, post title, external name) → a key of the document."""
    unit = find_unit(doc, ref)
    if unit:
        return unit.key
    post = find_post(doc, ref)
    if post:
        return post.key
    return next((e.key for e in doc.external if e.name == ref), None)


def holder_docs(documents: dict[str, Document], municipality: str, ref: str) -> list[tuple[Document, OrgUnit]]:
    found = []
    for doc in docs_of(documents, municipality):
        unit = find_unit(doc, ref)
        if unit is not None and own_lists(doc, unit.key):
            found.append((doc, unit))
    return found


# ---------------------------------------------------------------------------------------------- gold facts

@pytest.mark.parametrize("gold", [u for u in GOLD["units"]], ids=lambda u: u["symbol"] or u["name"])
def test_unit_duties(documents: dict[str, Document], gold: dict) -> None:
    ref = gold["symbol"] or gold["name"]
    if gold["duty_count"] == 0:
        for doc in docs_of(documents, gold["municipality"]):
            unit = find_unit(doc, ref)
            assert unit is not None, ref
            assert not own_items(doc, unit.key)
            assert unit.name == gold["name"]
        return
    holders = holder_docs(documents, gold["municipality"], ref)
    assert holders, f"no document gives {ref} its duties"
    for doc, unit in holders:
        items = own_items(doc, unit.key)
        assert unit.name == gold["name"]
        assert len(items) == gold["duty_count"], (doc.meta.doc_id, ref)
        assert items[0].text.startswith(gold["duty_first"])
        assert items[-1].text.startswith(gold["duty_last"])
        if "provision" in gold and doc.act is not None:
            assert own_lists(doc, unit.key)[0].provision.label == gold["provision"]
        department = doc.unit(unit.parent) if unit.parent else None
        assert department is not None and department.kind == "department"


@pytest.mark.parametrize("gold", GOLD["departments"], ids=lambda d: d["symbol"] or d["name"])
def test_department(documents: dict[str, Document], gold: dict) -> None:
    docs = [documents[name] for name in gold["sources"]]
    for doc in docs:
        department = next(u for u in doc.units if u.kind == "department"
                          and (u.symbol == gold["symbol"] if gold["symbol"] else u.name == gold["name"]))
        if gold["name"] is not None:
            assert department.name == gold["name"]
        else:
            assert department.name is None
        if "duty_count" in gold:
            items = own_items(doc, department.key)
            assert len(items) == gold["duty_count"]
            assert items[0].text.startswith(gold["duty_first"])
            assert items[-1].text.startswith(gold["duty_last"])
    if "head_post" in gold:
        heads = [p for doc in docs for p in doc.posts if p.is_head and p.title == gold["head_post"]
                 and doc.unit(p.unit) and doc.unit(p.unit).kind == "department"]
        assert heads, gold["head_post"]


def test_shared_duties(documents: dict[str, Document]) -> None:
    for gold in GOLD["shared_duties"]:
        doc = next(d for d in docs_of(documents, gold["municipality"]) if any(x.shared for x in d.duty_lists))
        shared = [d for d in doc.duty_lists if d.shared]
        assert len(shared) == 1
        department = doc.unit(shared[0].holder)
        assert department.symbol == gold["department"] and department.kind == "department"
        assert shared[0].provision.label == gold["provision"]
        items = shared[0].items
        assert len(items) == gold["duty_count"]
        assert items[0].text.startswith(gold["duty_first"]) and items[-1].text.startswith(gold["duty_last"])
        assert len([u for u in doc.units if u.parent == department.key]) == 7


def test_posts(documents: dict[str, Document]) -> None:
    for gold in GOLD["posts"]:
        found = [p for d in docs_of(documents, gold["municipality"]) for p in d.posts if p.title == gold["name"]]
        assert found, gold["name"]
        if "also" in gold:
            assert any(gold["also"] in p.also for p in found)


def test_reporting_lines(documents: dict[str, Document]) -> None:
    doc = documents["001_5d749821937a7dbe.txt"]
    edges = {(resolve_ref(doc, sub), resolve_ref(doc, sup)) for _, sub, sup in GOLD["reports_to"]}
    actual = {(r.subordinate, r.superior) for r in doc.reporting}
    assert edges == actual
    slips = [r for r in doc.reporting if r.note]
    assert slips and all("Biura" in r.note for r in slips)
    assert any(f.confidence < 1 and "reporting" in f.message for f in doc.findings)
    assert {r.provision.label for r in doc.reporting} == {"§ 3 ust. 1", "§ 3 ust. 2", "§ 3 ust. 3"}


def cooperation_pairs(doc: Document) -> set[tuple[str, str]]:
    return {(c.party, c.partner) for c in doc.cooperation}


@pytest.mark.parametrize("gold", GOLD["cooperates_with"], ids=lambda c: f"{c[1]}-{c[2]}")
def test_cooperation(documents: dict[str, Document], gold: list[str]) -> None:
    municipality, party, partners, _ = gold
    found = False
    for doc in docs_of(documents, municipality):
        party_key = resolve_ref(doc, party)
        wanted = [resolve_ref(doc, p.strip()) for p in partners.split(",")]
        if party_key and all(wanted):
            pairs = cooperation_pairs(doc)
            assert all((party_key, key) for key in wanted) and {(party_key, k) for k in wanted} <= pairs
            found = True
    assert found, gold


def test_cooperation_kinds(documents: dict[str, Document]) -> None:
    doc = documents["001_5d749821937a7dbe.txt"]
    kinds = {e.name: e.kind for e in doc.external}
    assert kinds["Kancelaria Prezydenta"] == "department"
    assert kinds["Krakowskie Biuro Festiwalowe"] == "organisation"
    link = next(c for c in doc.cooperation if c.partner == resolve_ref(doc, "KS-02") and c.party == "KS-05")
    assert link.phrase == "w ścisłej współpracy z Biurem Prasowym"
    assert link.duty.path == ("2",) and doc.duty_lists[link.duty.list_index].holder == "KS-05"
    katowice = documents["002_887be83ff80dcaaf.txt"]
    assert {e.name: e.kind for e in katowice.external} == {"Wydział Promocji": "department"}


def find_item(doc: Document, gold: dict) -> DutyItem:
    if "provision" in gold:
        paragraph, point = gold["provision"].replace("§ ", "").split(" pkt ")
        duties = next(d for d in doc.duty_lists if d.provision and d.provision.paragraph == paragraph)
        return next(i for i in duties.items if i.number == point)
    key = find_unit(doc, gold["unit"]).key if "unit" in gold else next(
        u.key for u in doc.units if u.kind == "department")
    return next(i for i in own_items(doc, key) if i.number == str(gold["item"]))


@pytest.mark.parametrize("gold", GOLD["subitems"], ids=lambda s: s.get("provision") or f"{s.get('unit')}-{s['item']}")
def test_subitems(documents: dict[str, Document], gold: dict) -> None:
    docs = docs_of(documents, gold["municipality"])
    if "unit" in gold:
        docs = [d for d in docs if find_unit(d, gold["unit"])]
    elif "provision" in gold:
        docs = [d for d in docs if d.act is not None]
    item = find_item(docs[0], gold)
    assert len(item.subitems) == gold["count"]


def test_dash_items_of_a_lettered_item(documents: dict[str, Document]) -> None:
    item = find_item(documents["001_5d749821937a7dbe.txt"], {"provision": "§ 7 pkt 2"})
    assert [len(s.subitems) for s in item.subitems] == [0, 2]
    assert [s.number for s in item.subitems[1].subitems] == ["1", "2"]
    continued = find_item(documents["001_5d749821937a7dbe.txt"], {"provision": "§ 8 pkt 7"}).subitems[2]
    assert continued.text.endswith("mediów zagranicznych i polskich")
    assert "udostępnianie i zamieszczanie" in continued.text


@pytest.mark.parametrize("gold", GOLD["contacts"], ids=lambda c: c["of"])
def test_contacts(documents: dict[str, Document], gold: dict) -> None:
    doc = next(d for d in docs_of(documents, gold["municipality"]) if d.contacts)
    candidates = [find_unit(doc, ref.strip()) for ref in gold["of"].split(" or its ")]
    keys = {u.key for u in candidates if u}
    contact = next(c for c in doc.contacts if c.of in keys)
    if "address" in gold:
        assert gold["address"] in contact.addresses
    assert gold["phone"] in contact.phones
    if "url" in gold:
        assert gold["url"] in contact.urls
    if "email" in gold:
        assert gold["email"] in contact.emails
    if "room" in gold:
        assert gold["room"] in contact.rooms
    head = next(p for p in doc.posts if p.title == gold["head_title"])
    assert head.holder == gold["head_name"] and head.is_head


def test_legal_act(documents: dict[str, Document]) -> None:
    for gold in GOLD["legal_acts"]:
        act = documents[gold["source"]].act
        assert act is not None
        assert act.title == gold["title"]
        assert act.number == gold["number"] and act.kind == "Zarządzenie"
        assert act.date.isoformat() == gold["date"]
        assert act.in_force_from.isoformat() == gold["in_force_from"]
        assert act.issuer == "Prezydent Miasta Krakowa"
        assert [(r.number, r.date.isoformat()) for r in act.repeals] == [
            (gold["repeals"]["number"], gold["repeals"]["date"])]
        assert act.based_on == gold["based_on"]
    assert all(d.act is None for name, d in documents.items() if name != "001_5d749821937a7dbe.txt")


def test_municipality_from_metadata(documents: dict[str, Document]) -> None:
    for gold in GOLD["municipalities"]:
        for doc in docs_of(documents, gold["name"]):
            assert doc.municipality.office_name == gold["office"]
            assert doc.municipality.evidence == "metadata"


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.stem)
def test_municipality_from_text_alone(path: Path) -> None:
    meta = read_metadata(path)
    bare = type(meta)(doc_id=meta.doc_id, path=meta.path)
    doc = extract_document(SourceText(text=path.read_text(encoding="utf-8"), format="text"), bare)
    assert doc.municipality.name == meta.municipality
    assert doc.municipality.evidence.startswith("text")


def test_distinct_top_level_duties(documents: dict[str, Document]) -> None:
    """168 distinct: each document's model has its own; KS-02's 18 appear in two documents."""
    texts = set()
    for doc in documents.values():
        for duties in doc.duty_lists:
            for item in duties.items:
                unit = doc.unit(duties.holder)
                texts.add((doc.municipality.name, unit.symbol or unit.name, morphology.fold(item.text)))
    assert len(texts) == GOLD["distinct_top_level_duties"]


# ---------------------------------------------------------------------------------------------- must not

FOOTER_WORDS = ("Redaktorzy Biuletynu", "Monika Piełot", "Sławosz Marcisz", "Młyńska", "bip@katowice.eu",
                "259 39 09")
MENU_WORDS = ("Struktura urzędu", "ePUAP", "Katowice dla odmiany", "Dla słabowidzących", "cookies")


def everything_attached(doc: Document) -> str:
    parts = [u.name or "" for u in doc.units] + [p.title + " " + (p.holder or "") for p in doc.posts]
    parts += [" ".join(c.addresses + c.phones + c.emails + c.urls + c.rooms) for c in doc.contacts]
    parts += [e.name for e in doc.external]
    return "\n".join(parts)


def test_katowice_footer_and_menu_are_not_attached(documents: dict[str, Document]) -> None:
    doc = documents["002_887be83ff80dcaaf.txt"]
    attached = everything_attached(doc)
    for words in FOOTER_WORDS + MENU_WORDS:
        assert words not in attached
    noise_lines = {n for block in doc.noise for n in range(block.span.start, block.span.end + 1)}
    assert {1, 4, 6, 11, 92, 94, 97, 101, 107, 112} <= noise_lines


def test_katowice_last_duty_ends_at_its_sentence(documents: dict[str, Document]) -> None:
    doc = documents["002_887be83ff80dcaaf.txt"]
    last = doc.duty_lists[-1].items[-1]
    assert last.text.endswith("w zakresie działania Wydziału")
    assert "Naczelnik" not in last.text and "Referat" not in last.text
    assert doc.duty_lists[0].group == "ZADANIA WŁASNE" and doc.duty_lists[0].group_number == "I"


def test_each_document_lists_its_duties_once(documents: dict[str, Document]) -> None:
    for doc in documents.values():
        seen = [(d.holder, i.text) for d in doc.duty_lists for i in d.items]
        assert len(seen) == len(set(seen))


def test_no_reporting_cycle_and_every_holder_exists(documents: dict[str, Document]) -> None:
    for doc in documents.values():
        keys = {u.key for u in doc.units} | {p.key for p in doc.posts}
        assert all(d.holder in keys for d in doc.duty_lists)
        superior = {r.subordinate: r.superior for r in doc.reporting}
        for start in superior:
            seen, node = set(), start
            while node in superior:
                assert node not in seen, f"cycle through {node}"
                seen.add(node)
                node = superior[node]
