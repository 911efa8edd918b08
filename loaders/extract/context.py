"""The document being built, with the bookkeeping every extractor shares.

Keys (document-local, stable across runs, never counters):
- a unit or department: its symbol as written ("AB-01", "AB"), else the slug of its name;
- a post: the slug of its title ("dyrektor-wydzialu"), prefixed by its unit's key when two posts share a
  title; a post of the office itself (Prezydent, Zastępca Prezydenta, Sekretarz, Skarbnik) has
  unit = OFFICE_UNIT, a key that names no OrgUnit;
- an external organisation: "ext/" + the slug of its name.
When a symbol turns up after a unit got a name-based key, `rekey` renames it everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kompetencje.loaders import morphology
from kompetencje.loaders.extract.lexicon import DEPARTMENT_HEAD_LEMMAS, POST_UNIT_LEMMAS
from kompetencje.loaders.extract.names import clean_name, department_symbol_of, head_lemma_of, without_place
from kompetencje.loaders.model import (
    Document,
    ExternalOrganisation,
    Finding,
    OrgUnit,
    Post,
    Provision,
    Span,
    UnitKind,
)
from kompetencje.loaders.normalize import Line
from kompetencje.loaders.structure import Outline

OFFICE_UNIT = "office"


@dataclass
class Extraction:
    doc: Document
    lines: list[Line]
    outline: Outline
    used: set[int] = field(default_factory=set)  # original line numbers some structure claimed
    subject: str | None = None  # key of the unit the page is about
    headings: list[tuple[int, OrgUnit]] = field(default_factory=list)  # (line, unit) of each unit heading
    titles: list[str] = field(default_factory=list)  # the page's title and breadcrumb, outside the text

    # ---- bookkeeping -------------------------------------------------------------------------
    def use(self, span: Span | None) -> None:
        if span:
            self.used.update(range(span.start, span.end + 1))

    def finding(self, message: str, span: Span | None = None, confidence: float = 1.0) -> None:
        if not any(f.message == message and f.span == span for f in self.doc.findings):
            self.doc.findings.append(Finding(message, span, confidence))

    # ---- units -------------------------------------------------------------------------------
    def unit_at(self, line: int) -> OrgUnit | None:
        """The unit whose heading is the last one at or before a line of the page."""
        before = [unit for origin, unit in self.headings if origin <= line]
        return before[-1] if before else None

    @property
    def units(self) -> list[OrgUnit]:
        return self.doc.units

    def departments(self) -> list[OrgUnit]:
        return [u for u in self.units if u.kind == "department"]

    def department(self) -> OrgUnit | None:
        """The department the document is about: the subject's, else the first one."""
        subject = self.doc.unit(self.subject) if self.subject else None
        if subject and subject.kind == "department":
            return subject
        if subject and subject.parent:
            return self.doc.unit(subject.parent)
        departments = self.departments()
        return departments[0] if departments else None

    def find_unit(self, name: str | None = None, symbol: str | None = None) -> OrgUnit | None:
        if symbol:
            found = next((u for u in self.units if u.symbol == symbol), None)
            if found:
                return found
        if not name:
            return None
        for unit in self.units:
            for known in [unit.name, *unit.alt_names]:
                if known and morphology.names_match(name, known):
                    return unit
        bare = without_place(name)
        for unit in self.units:
            for known in [unit.name, *unit.alt_names]:
                if known and (bare != name or without_place(known) != known) and \
                        morphology.names_match(bare, without_place(known)):
                    return unit  # "Biuro Rady Miejskiej Kalisza" is "Biuro Rady Miejskiej"
        return None

    def add_unit(self, name: str | None, kind: UnitKind, symbol: str | None = None, parent: str | None = None,
                 span: Span | None = None) -> OrgUnit:
        """The unit with this symbol or name, created or completed with what is new."""
        unit = self.find_unit(name, symbol)
        if unit is None:
            unit = OrgUnit(self._free_key(symbol or morphology.slugify(name or "unit"), parent), name, kind,
                           symbol, parent, head_lemma_of(name) if name else None, span=span)
            self.units.append(unit)
        else:
            self._complete_unit(unit, name, symbol, parent, span)
        if kind == "department" and unit.kind != "department" and not unit.parent:
            unit.kind = "department"
        self.attach_to_symbol_department(unit)
        return unit

    def _complete_unit(self, unit: OrgUnit, name: str | None, symbol: str | None, parent: str | None,
                       span: Span | None) -> None:
        if name and not unit.name:
            unit.name, unit.unit_type = name, head_lemma_of(name)
        elif name and unit.name and name != unit.name and not morphology.names_match(name, unit.name) \
                and name not in unit.alt_names:
            unit.alt_names.append(name)
        if parent and not unit.parent and parent != unit.key:
            unit.parent = parent
        if unit.span is None:
            unit.span = span
        if symbol and not unit.symbol:
            unit.symbol = symbol
            self.rekey(unit.key, self._free_key(symbol, unit.parent))

    def attach_to_symbol_department(self, unit: OrgUnit) -> None:
        """A symbol "AB-06" puts its unit in department "AB", named or not."""
        prefix = department_symbol_of(unit.symbol) if unit.symbol else None
        if not prefix or unit.kind == "department" or (unit.parent and self._parent_symbol(unit) == prefix):
            return
        parent = self.doc.unit(unit.parent) if unit.parent else None
        if parent and not parent.symbol:
            parent.symbol = prefix
            self.rekey(parent.key, self._free_key(prefix, None))
            return
        department = next((u for u in self.departments() if u.symbol == prefix), None)
        if department is None:
            department = OrgUnit(self._free_key(prefix, None), None, "department", prefix)
            self.units.append(department)
        unit.parent = department.key

    def _parent_symbol(self, unit: OrgUnit) -> str | None:
        parent = self.doc.unit(unit.parent) if unit.parent else None
        return parent.symbol if parent else None

    def _free_key(self, wanted: str, parent: str | None) -> str:
        taken = {u.key for u in self.units} | {p.key for p in self.doc.posts}
        if wanted not in taken:
            return wanted
        key = f"{parent}/{wanted}" if parent else wanted
        suffix = 2
        while key in taken:
            key, suffix = f"{wanted}-{suffix}", suffix + 1
        return key

    def rekey(self, old: str, new: str) -> None:
        if old == new:
            return
        doc = self.doc
        for unit in doc.units:
            unit.key = new if unit.key == old else unit.key
            unit.parent = new if unit.parent == old else unit.parent
        for post in doc.posts:
            post.unit = new if post.unit == old else post.unit
        for duties in doc.duty_lists:
            duties.holder = new if duties.holder == old else duties.holder
        for line in doc.reporting:
            line.subordinate = new if line.subordinate == old else line.subordinate
            line.superior = new if line.superior == old else line.superior
        for link in doc.cooperation:
            link.party = new if link.party == old else link.party
        for contact in doc.contacts:
            contact.of = new if contact.of == old else contact.of
        self.subject = new if self.subject == old else self.subject

    @staticmethod
    def unit_kind_for(name: str, inside: bool) -> UnitKind:
        """The kind of a unit by its head noun, when it is (or may be) inside a department."""
        if head_lemma_of(name) in POST_UNIT_LEMMAS:
            return "post-unit"
        return "unit" if inside else "department"

    # ---- posts -------------------------------------------------------------------------------
    def find_post(self, title: str, unit: str | None = None) -> Post | None:
        for post in self.doc.posts:
            if unit and post.unit != unit:
                continue
            if any(morphology.names_match(title, known) for known in (post.title, *post.also)):
                return post
        return None

    def add_post(self, title: str, unit: str, *, holder: str | None = None, is_head: bool | None = None,
                 provision: Provision | None = None, span: Span | None = None) -> Post:
        title = clean_name(title)  # "kieruje Naczelnik." names the post "Naczelnik"
        post = self.find_post(title, unit)
        if is_head is None:
            is_head = head_lemma_of(title) in DEPARTMENT_HEAD_LEMMAS | {"kierownik", "kierowniczka"}
        if post is None:
            slug = morphology.slugify(title)
            taken = {p.key for p in self.doc.posts} | {u.key for u in self.units}  # a post never takes a unit's key
            key = slug if slug not in taken else self._free_key(f"{unit}-{slug}", None)
            post = Post(key, title, unit, holder, is_head=is_head, provision=provision, span=span)
            self.doc.posts.append(post)
            return post
        post.holder = post.holder or holder
        post.is_head = post.is_head or is_head
        post.provision = post.provision or provision
        post.span = post.span or span
        return post

    def head_post(self, unit_key: str) -> Post | None:
        return next((p for p in self.doc.posts if p.unit == unit_key and p.is_head), None)

    # ---- external organisations --------------------------------------------------------------
    def add_external(self, name: str, kind: str) -> ExternalOrganisation:
        key = "ext/" + morphology.slugify(name)
        found = next((e for e in self.doc.external if e.key == key), None)
        if found is None:
            found = ExternalOrganisation(key, name, "department" if kind == "department" else "organisation")
            self.doc.external.append(found)
        return found
