"""IRIs from stable keys (TERYT code, unit symbol, slug of a name), never from counters.

See docs/graph.md for the scheme. `IriMinter` knows the base; `DocumentIris` maps one document's local
keys (units, posts, external organisations) to IRIs, using the corpus-wide `IdentityRegistry` so that the
same unit described by two documents gets one IRI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from kompetencje.errors import InputError
from kompetencje.loaders.model import Document, DutyItem, DutyList, LegalAct, OrgUnit, Provision
from kompetencje.loaders.morphology import names_match, slugify

DEFAULT_BASE = "https://w3id.org/kompetencje/id/"


@dataclass(frozen=True)
class IriMinter:
    base: str = DEFAULT_BASE

    def office(self, teryt: str | None, name: str | None) -> URIRef:
        if teryt:
            return URIRef(f"{self.base}{teryt}")
        if name:
            return URIRef(f"{self.base}gmina-{slugify(name)}")
        raise InputError("municipality unknown: state it in the text or give it in a metadata sidecar")

    def source(self, doc_id: str) -> URIRef:
        return URIRef(f"{self.base}source/{doc_id}")

    def span(self, doc_id: str, start: int, end: int) -> URIRef:
        return URIRef(f"{self.base}source/{doc_id}#line={start},{end}")

    def graph(self, doc_id: str) -> URIRef:
        return URIRef(f"{self.base}graph/{doc_id}")

    def special_graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{name}")

    def act(self, office: URIRef, number: str) -> URIRef:
        return URIRef(f"{office}/act/{slugify(number.replace('/', '-'))}")

    def act_by_title(self, office: URIRef, kind: str | None, title: str) -> URIRef:
        """An act named only by its kind and title ("zmieniające zarządzenie w sprawie X" gives no number)."""
        name = f"{kind or ''} {title}".strip()
        return URIRef(f"{office}/act/{slugify(name)[:120]}")

    def law(self, basis_text: str) -> URIRef:
        return URIRef(f"{self.base}law/{slugify(basis_text)[:120]}")

    @staticmethod
    def provision(act: URIRef, provision: Provision) -> URIRef:
        return URIRef(f"{act}#{provision.fragment}")

    @staticmethod
    def child(parent: URIRef, *parts: str) -> URIRef:
        return URIRef("/".join([str(parent), *parts]))


def duty_list_prefix(duty_list: DutyList) -> str:
    """The part of a duty's IRI that separates lists whose numbering restarts (groups)."""
    if duty_list.group_number:
        return slugify(duty_list.group_number) + "-"
    if duty_list.group:
        return slugify(duty_list.group)[:40] + "-"
    return ""


def item_paths(items: list[DutyItem], prefix: tuple[str, ...] = ()):
    """Yield (path, item, parent_path) for every item of a tree, depth first, in document order."""
    for item in items:
        path = (*prefix, item.number)
        yield path, item, prefix
        yield from item_paths(item.subitems, path)


def act_key(act: LegalAct) -> str:
    return act.number


@dataclass
class DepartmentIdentity:
    key: str  # "sym:KS" or "name:<folded name>"
    symbol: str | None
    names: list[str] = field(default_factory=list)


class IdentityRegistry:
    """Which departments of an office are the same across documents (by symbol, else by name)."""

    def __init__(self) -> None:
        self._departments: dict[str, list[DepartmentIdentity]] = {}
        # holders whose duties two or more legal acts state (versions of a regulation): their duties are
        # minted per act, so that an act and the act that repealed it keep apart what each said
        self.versioned_holders: set[URIRef] = set()

    def add_document(self, office: str, doc: Document) -> None:
        for unit in doc.units:
            if unit.kind == "department":
                self._add_department(office, unit)

    def _add_department(self, office: str, unit: OrgUnit) -> None:
        known = self._departments.setdefault(office, [])
        found = self._find(office, unit.symbol, unit.name)
        if found is None:
            key = f"sym:{unit.symbol}" if unit.symbol else f"name:{slugify(unit.name or '')}"
            known.append(DepartmentIdentity(key, unit.symbol, [unit.name] if unit.name else []))
            return
        if unit.symbol and not found.symbol:
            found.symbol = unit.symbol
        if unit.name and unit.name not in found.names:
            found.names.append(unit.name)

    def _find(self, office: str, symbol: str | None, name: str | None) -> DepartmentIdentity | None:
        for identity in self._departments.get(office, []):
            if symbol and identity.symbol and symbol.upper() == identity.symbol.upper():
                return identity
            if name and any(names_match(name, known) for known in identity.names) and (
                    not symbol or not identity.symbol):
                return identity
        return None

    def department_slug(self, office: str, symbol: str | None, name: str | None) -> str:
        found = self._find(office, symbol, name)
        symbol = (found.symbol if found else None) or symbol
        if symbol:
            return slugify(symbol)
        names = (found.names if found else []) or [name or ""]
        return slugify(names[0])


class DocumentIris:
    """IRIs for the local keys of one document."""

    def __init__(self, doc: Document, minter: IriMinter, registry: IdentityRegistry) -> None:
        self.doc = doc
        self.minter = minter
        self.registry = registry
        self.office = minter.office(doc.municipality.teryt, doc.municipality.name)
        self.act = minter.act(self.office, doc.act.number) if doc.act else None
        self._cache: dict[str, URIRef] = {}

    def __call__(self, key: str) -> URIRef:
        if key not in self._cache:
            self._cache[key] = self._mint(key)
        return self._cache[key]

    def _mint(self, key: str) -> URIRef:
        unit = self.doc.unit(key)
        if unit is not None:
            return self.unit(unit)
        post = self.doc.post(key)
        if post is not None:
            holder = self.office if post.unit == "office" else self(post.unit)
            return self.minter.child(holder, "post", slugify(post.title))
        external = next((e for e in self.doc.external if e.key == key), None)
        if external is not None:
            if external.kind == "department":
                return self.minter.child(self.office, self.registry.department_slug(
                    str(self.office), None, external.name))
            return self.minter.child(self.office, "ext", slugify(external.name))
        if key == "office":
            return self.office
        raise InputError(f"the document model names an unknown key {key!r}", source=self.doc.meta.path)

    def unit(self, unit: OrgUnit) -> URIRef:
        if unit.kind == "department" or unit.parent is None:
            slug = self.registry.department_slug(str(self.office), unit.symbol, unit.name)
            return self.minter.child(self.office, slug)
        if unit.symbol:
            return self.minter.child(self.office, slugify(unit.symbol))
        return self.minter.child(self(unit.parent), slugify(unit.name or unit.key))

    def duty(self, duty_list: DutyList, path: tuple[str, ...]) -> URIRef:
        holder = self(duty_list.holder)
        kind = "shared-duty" if duty_list.shared else "duty"
        key = duty_list_prefix(duty_list) + ".".join(p.lower() for p in path)
        if self.act is not None and holder in self.registry.versioned_holders:
            return self.minter.child(holder, kind, str(self.act).rsplit("/", 1)[-1], key)
        return self.minter.child(holder, kind, key)

    def span(self, start: int, end: int) -> URIRef:
        return self.minter.span(self.doc.meta.doc_id, start, end)
