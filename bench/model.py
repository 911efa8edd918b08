"""The synthetic national corpus as data: municipalities, their departments, units, posts and duties.

The generator first plans this structure (seeded, see `bench.generate`), then renders documents from it
(`bench.render`), so every document's ground truth comes from the same objects its text was printed from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bench.vocabulary import Forms

GminaClass = Literal["metropolis", "city", "town", "rural"]
PartnerKind = Literal["unit", "department", "organisation", "others", "generic"]


@dataclass(frozen=True)
class Partner:
    """Someone a duty is done together with, as the duty's text names them."""

    kind: PartnerKind
    ref: str  # unit: its symbol; department/organisation: the nominative name; others/generic: ""
    external_kind: str = "organisation"  # what the loader calls an unknown partner: "department" or "organisation"


@dataclass
class Duty:
    text: str
    subitems: list[Duty] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)

    def count_subitems(self) -> int:
        return sum(1 + sub.count_subitems() for sub in self.subitems)


@dataclass
class Post:
    title: str  # nominative: "Dyrektor Wydziału", "Zastępca Dyrektora ds. Budżetu", "Kierownik Referatu"
    dative: str  # "Dyrektorowi Wydziału": who the units of § 3 report to
    person: str | None = None


@dataclass
class Contact:
    phone: str
    email: str
    room: str
    address: str | None = None


@dataclass
class Unit:
    symbol: str
    name: Forms
    lemma: str  # head noun: "referat", "zespół", "dział", "stanowisko"
    kind: Literal["unit", "post-unit"]
    head: Post | None
    superior: str  # title of the post it reports to
    duties: list[Duty] = field(default_factory=list)
    contact: Contact | None = None
    number_style: str = "1)"


@dataclass
class Department:
    symbol: str
    name: Forms
    lemma: str  # "wydział", "biuro", "referat"
    domain: str
    head: Post
    deputies: list[Post]
    units: list[Unit]
    duties: list[Duty]  # the department's own (printed on its BIP page)
    shared: list[str]  # duties of every unit ("Wszystkie komórki ... są odpowiedzialne za:")
    contact: Contact
    groups: bool = False  # its page splits duties into ZADANIA WŁASNE / ZADANIA ZLECONE
    act_number: str = ""
    act_date: tuple[int, int, int] = (2020, 1, 1)
    in_force: tuple[int, int, int] | None = None  # None: "z dniem podpisania"
    repeals: tuple[str, tuple[int, int, int]] | None = None


@dataclass
class Gmina:
    index: int
    cls: GminaClass
    name: str
    genitive: str
    locative: str
    teryt: str
    office: str
    issuer: str  # genitive, as an act's header names its issuer: "Prezydenta Miasta Brzozowa"
    head_short_gen: str  # "Prezydenta", "Burmistrza", "Wójta"
    domain: str  # e-mail and BIP domain
    departments: list[Department] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.domain.split(".")[0]
