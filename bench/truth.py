"""Does the loader read a generated document as it was written? Compare `truth.json` with the document model.

`facts(document)` puts a loaded `Document` in the truth's terms (units by symbol or name, posts by title,
external organisations by name; a unit without a parent counts as a department, as the graph writes it);
`compare(expected, found)` lists every difference. `check_corpus` runs every document of a generated corpus
through the real loaders (`load_document`) and returns the differences per document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kompetencje.loaders.model import Document, DutyItem

OFFICE = "office"


def _subitems(items: list[DutyItem]) -> int:
    return sum(len(item.subitems) + _subitems(item.subitems) for item in items)


class _Refs:
    """Document keys → the names the truth uses."""

    def __init__(self, doc: Document) -> None:
        self.names: dict[str, str] = {}
        for unit in doc.units:
            self.names[unit.key] = unit.symbol or unit.name or unit.key
        for post in doc.posts:
            self.names[post.key] = post.title
        for external in doc.external:
            self.names[external.key] = external.name
        self.names[OFFICE] = OFFICE

    def __call__(self, key: str | None) -> str | None:
        return None if key is None else self.names.get(key, key)


def facts(doc: Document) -> dict[str, Any]:
    ref = _Refs(doc)
    found: dict[str, Any] = {"units": {}, "duties": {}, "shared": {}, "contacts": {}}
    for unit in doc.units:
        found["units"][ref(unit.key)] = {"name": unit.name, "symbol": unit.symbol, "parent": ref(unit.parent),
                                         "kind": "department" if unit.parent is None else unit.kind}
    for duties in doc.duty_lists:
        holder = ref(duties.holder)
        if duties.shared:
            found["shared"][holder] = found["shared"].get(holder, 0) + len(duties.items)
            continue
        counts = found["duties"].setdefault(holder, [0, 0])
        counts[0] += len(duties.items)
        counts[1] += _subitems(duties.items)
    found["posts"] = {(p.title, ref(p.unit), p.holder, p.is_head) for p in doc.posts}
    found["reporting"] = {(ref(r.subordinate), ref(r.superior)) for r in doc.reporting}
    found["cooperation"] = {(ref(c.party), ref(c.partner)) for c in doc.cooperation}
    found["external"] = {e.name: e.kind for e in doc.external}
    for contact in doc.contacts:
        found["contacts"][ref(contact.of)] = {"phones": contact.phones, "emails": contact.emails,
                                               "rooms": contact.rooms}
    found["act"] = _act(doc)
    return found


def _act(doc: Document) -> dict[str, Any] | None:
    act = doc.act
    if act is None:
        return None
    return {"kind": act.kind, "number": act.number, "date": act.date.isoformat() if act.date else None,
            "in_force_from": act.in_force_from.isoformat() if act.in_force_from else None,
            "repeals": [r.number for r in act.repeals]}


def compare(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """Every way the loader's facts differ from the truth (empty: the document was read as written)."""
    problems = []
    for section in ("units", "duties", "shared", "external", "act"):
        want, got = expected.get(section) or None, found.get(section) or None
        if want != got:
            problems.append(f"{section}: expected {_short(want)}, found {_short(got)}")
    for section in ("posts", "reporting", "cooperation"):
        want = {tuple(item) for item in expected.get(section, [])}
        got = found[section]
        if want != got:
            problems.append(f"{section}: missing {sorted(want - got, key=str)}, "
                            f"unexpected {sorted(got - want, key=str)}")
    for ref, contact in expected.get("contacts", {}).items():
        got = found["contacts"].get(ref, {})
        for field, values in contact.items():
            missing = [value for value in values if value not in got.get(field, [])]
            if missing:
                problems.append(f"contacts of {ref}: {field} {missing} not found in {got.get(field)}")
    return problems


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) < 600 else text[:600] + "…"


def corpus_sources(corpus: Path) -> Iterator[Path]:
    for path in sorted((corpus / "sources").rglob("*")):
        if path.suffix in (".txt", ".html"):
            yield path


def load_truth(corpus: Path) -> dict[str, Any]:
    return json.loads((corpus / "truth.json").read_text(encoding="utf-8"))


def check_corpus(corpus: Path) -> dict[str, list[str]]:
    """doc_id → differences, for every document of the corpus whose loader reading differs from its truth."""
    from kompetencje.loaders.pipeline import load_document

    truth = load_truth(corpus)["documents"]
    differences = {}
    for path in corpus_sources(corpus):
        problems = compare(truth[path.stem], facts(load_document(path).document))
        if problems:
            differences[path.stem] = problems
    return differences
