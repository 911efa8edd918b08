"""Plan the national corpus: which municipalities, and what each office's departments, units and duties are.

Sizes follow Poland's ~2,477 gminas: a dozen metropolises (30-40 departments run by a Dyrektor and his
deputies "ds. X"), ~50 cities (12-25 departments under a Naczelnik), ~600 towns and ~1,800 rural gminas
with 5-15 units in all (a rural office's departments are Referaty with single-person posts inside).
Every random choice comes from a `random.Random` seeded with the corpus seed and the municipality's index,
so one municipality's plan does not depend on how many others there are.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from bench import vocabulary as v
from bench.model import Contact, Department, Duty, Gmina, GminaClass, Partner, Post, Unit

NATIONAL_GMINAS = 2477
CLASS_SHARES: tuple[tuple[GminaClass, int], ...] = (("metropolis", 12), ("city", 54), ("town", 600),
                                                    ("rural", 1811))
DEPARTMENTS: dict[GminaClass, tuple[int, int]] = {"metropolis": (30, 40), "city": (12, 25), "town": (3, 6),
                                                  "rural": (2, 4)}
UNITS_PER_DEPARTMENT: dict[GminaClass, tuple[int, int]] = {"metropolis": (2, 6), "city": (1, 4), "town": (1, 2),
                                                           "rural": (1, 3)}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
GENERAL_AREAS = ("Administracyjnych", "Technicznych", "Ekonomicznych", "Operacyjnych")


def rng_for(seed: int, *parts: object) -> random.Random:
    return random.Random("/".join(str(p) for p in (seed, *parts)))


def gmina_count(scale: float) -> int:
    return max(1, round(NATIONAL_GMINAS * scale))


def class_sizes(count: int) -> list[GminaClass]:
    """Stratified: each class gets its share of `count`, the remainders going to the largest fractions."""
    exact = [(cls, count * share / NATIONAL_GMINAS) for cls, share in CLASS_SHARES]
    sizes = {cls: int(x) for cls, x in exact}
    left = count - sum(sizes.values())
    for cls, _x in sorted(exact, key=lambda item: (-(item[1] - int(item[1])), item[0]))[:left]:
        sizes[cls] += 1
    return [cls for cls, _share in CLASS_SHARES for _ in range(sizes[cls])]


@dataclass(frozen=True)
class GminaSpec:
    """What is fixed before a municipality is planned: its place in the corpus, class, name and TERYT."""

    index: int
    cls: GminaClass
    place: tuple[str, str, str]
    teryt: str


def gmina_specs(scale: float, seed: int) -> list[GminaSpec]:
    classes = class_sizes(gmina_count(scale))
    names = place_names(seed, len(classes))
    specs, cities = [], 0
    for index, (cls, place) in enumerate(zip(classes, names, strict=True)):
        specs.append(GminaSpec(index, cls, place, make_teryt(index, cls, cities)))
        cities += cls in ("metropolis", "city")
    return specs


def plan_from_spec(seed: int, spec: GminaSpec) -> Gmina:
    return plan_gmina(rng_for(seed, "gmina", spec.index), spec.index, spec.cls, spec.place, spec.teryt)


def plan_corpus(scale: float, seed: int) -> list[Gmina]:
    return [plan_from_spec(seed, spec) for spec in gmina_specs(scale, seed)]


# ---------------------------------------------------------------------------------------------- places


def place_names(seed: int, count: int) -> list[tuple[str, str, str]]:
    """`count` invented place names (nominative, genitive, locative), distinct while ~4,000 last."""
    candidates = []
    for root in v.PLACE_ROOTS:
        for nom, gen, loc, gender in v.PLACE_ENDINGS:
            candidates.append((root + nom, root + gen, root + loc))
            for adjective in v.PLACE_ADJECTIVES:
                a_nom, a_gen, a_loc = place_adjective(adjective, gender)
                candidates.append((f"{root}{nom} {a_nom}", f"{root}{gen} {a_gen}", f"{root}{loc} {a_loc}"))
    for nom, gen, loc in v.PLACE_PREFIXES:
        for adjective in v.PLACE_ADJECTIVES:
            a_nom, a_gen, a_loc = place_adjective(adjective, "f")
            candidates.append((f"{a_nom} {nom}", f"{a_gen} {gen}", f"{a_loc} {loc}"))
    rng_for(seed, "places").shuffle(candidates)
    return [candidates[i % len(candidates)] for i in range(count)]  # Poland has its Nowa Wieś many times too


def place_adjective(adjective: str, gender: str) -> tuple[str, str, str]:
    """An adjective after a place noun: (nominative, genitive, locative) for gender m, f, n or p (plural)."""
    if gender == "p":
        stem = adjective[:-1]
        return (stem + "e", stem + "ych", stem + "ych") if adjective.endswith("y") else \
            (stem + "ie", stem + "ich", stem + "ich")
    forms = v.decline_adjective(adjective, gender)  # type: ignore[arg-type]
    locative = forms.gen if gender == "f" else forms.inst  # -ej / -ym: the locative equals these
    return forms.nom, forms.gen, locative


def make_teryt(index: int, cls: GminaClass, city_index: int) -> str:
    """A well-formed 7-digit TERC code (województwo, powiat, gmina, type), unique in the corpus; not real."""
    if cls in ("metropolis", "city"):
        woj = v.VOIVODESHIPS[city_index % 16]
        return f"{woj}{61 + city_index // 16:02d}011"
    woj = v.VOIVODESHIPS[index % 16]
    rest = index // 16
    kind = 3 if cls == "town" else 2
    return f"{woj}{1 + rest % 40:02d}{1 + rest // 40:02d}{kind}"


def ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in folded.lower() if c.isalnum())


# ---------------------------------------------------------------------------------------------- offices


def plan_gmina(rng: random.Random, index: int, cls: GminaClass, place: tuple[str, str, str],
               teryt: str) -> Gmina:
    nom, gen, loc = place
    slug = ascii_slug(nom)
    if cls in ("metropolis", "city"):
        office, issuer, head = f"Urząd Miasta {gen}", f"Prezydenta Miasta {gen}", "Prezydenta"
        domain = f"um.{slug}.pl"
    elif cls == "town":
        office = rng.choice([f"Urząd Miejski w {loc}", f"Urząd Miasta i Gminy {gen}"])
        issuer, head, domain = f"Burmistrza Miasta {gen}", "Burmistrza", f"{slug}.pl"
    else:
        office = rng.choice([f"Urząd Gminy {nom}", f"Urząd Gminy w {loc}"])
        issuer, head, domain = f"Wójta Gminy {nom}", "Wójta", f"ug{slug}.pl"
    gmina = Gmina(index, cls, nom, gen, loc, teryt, office, issuer, head, domain)
    gmina.departments = plan_departments(rng, gmina)
    return gmina


def plan_departments(rng: random.Random, gmina: Gmina) -> list[Department]:
    low, high = DEPARTMENTS[gmina.cls]
    wanted = rng.randint(low, high)
    pool = [(domain, complement, symbol) for domain in v.DOMAINS for complement, symbol in domain.departments]
    rng.shuffle(pool)
    chosen, domains_used, symbols = [], {}, set()
    for domain, complement, symbol in pool:
        if len(chosen) == wanted:
            break
        if domains_used.get(domain.key, 0) >= (2 if gmina.cls in ("metropolis", "city") else 1):
            continue
        if symbol in symbols:
            continue
        domains_used[domain.key] = domains_used.get(domain.key, 0) + 1
        symbols.add(symbol)
        chosen.append((domain, complement, symbol))
    departments = [plan_department(rng, gmina, domain, complement, symbol) for domain, complement, symbol in chosen]
    for department in departments:
        add_duties(rng, gmina, department, departments)
    return departments


def department_head_noun(rng: random.Random, cls: GminaClass, complement: str) -> str:
    if cls == "rural":
        return "referat"
    if cls in ("metropolis", "city") and not complement.startswith("~") and rng.random() < 0.2:
        return "biuro"
    return "wydział"


def plan_department(rng: random.Random, gmina: Gmina, domain: v.Domain, complement: str, symbol: str) -> Department:
    lemma = department_head_noun(rng, gmina.cls, complement)
    head_noun = v.HEADS[lemma]
    name = v.unit_name(head_noun, complement)
    head, deputies = plan_heads(rng, gmina.cls, lemma, domain)
    units = plan_units(rng, gmina.cls, symbol, domain, head, deputies)
    contact = Contact(phone=phone(rng), email=f"{symbol.lower()}@{gmina.domain}", room=room(rng),
                      address=f"{rng.choice(v.STREETS)} {rng.randint(1, 40)}, {postcode(rng)} {gmina.name}")
    shared = rng.sample(v.SHARED_DUTIES, rng.randint(3, 8)) if rng.random() < 0.6 else []
    department = Department(symbol, name, lemma, domain.key, head, deputies, units, [], shared, contact,
                            groups=rng.random() < 0.25)
    plan_act(rng, gmina, department)
    return department


def plan_heads(rng: random.Random, cls: GminaClass, lemma: str, domain: v.Domain) -> tuple[Post, list[Post]]:
    noun = v.HEADS[lemma].forms
    if cls == "metropolis":
        head = Post(f"Dyrektor {noun.gen}", f"Dyrektorowi {noun.gen}", person(rng))
        areas = list(dict.fromkeys([*domain.deputy_areas, *GENERAL_AREAS]))
        count = rng.randint(1, min(3, len(areas)))
        deputies = [Post(f"Zastępca Dyrektora ds. {area}", f"Zastępcy Dyrektora ds. {area}", person(rng))
                    for area in rng.sample(areas, count)]
        return head, deputies
    if cls == "city":
        title = "Dyrektor" if lemma == "biuro" else "Naczelnik"
        dative = "Dyrektorowi" if lemma == "biuro" else "Naczelnikowi"
        head = Post(f"{title} {noun.gen}", f"{dative} {noun.gen}", person(rng))
        deputy_title = "Zastępca Dyrektora" if lemma == "biuro" else "Zastępca Naczelnika"
        deputies = [Post(f"{deputy_title} {noun.gen}", f"Zastępcy {deputy_title.split()[1]} {noun.gen}",
                         person(rng))] if rng.random() < 0.4 else []
        return head, deputies
    if cls == "town" and lemma == "wydział":
        return Post(f"Naczelnik {noun.gen}", f"Naczelnikowi {noun.gen}", person(rng)), []
    return Post(f"Kierownik {noun.gen}", f"Kierownikowi {noun.gen}", person(rng)), []


def unit_head_noun(rng: random.Random, cls: GminaClass, complement: str) -> str:
    if cls == "rural":
        return "stanowisko" if complement.startswith("ds.") else "zespół"
    if complement.startswith("ds."):
        return rng.choice(["stanowisko", "stanowisko", "referat", "zespół"])
    return rng.choices(["referat", "zespół", "dział"], weights=(75, 18, 7))[0]


def plan_units(rng: random.Random, cls: GminaClass, symbol: str, domain: v.Domain, head: Post,
               deputies: list[Post]) -> list[Unit]:
    low, high = UNITS_PER_DEPARTMENT[cls]
    pool = list(dict.fromkeys([*domain.units, *v.GENERAL_UNITS]))
    if cls == "rural":
        pool = [c for c in pool if c.startswith("ds.")] + [c for c in domain.units if not c.startswith("ds.")][:1]
    complements = rng.sample(pool, min(len(pool), rng.randint(low, high)))
    roman = rng.random() < 0.2 and cls != "rural"
    superiors = [head, *deputies]
    units = []
    for number, complement in enumerate(complements, start=1):
        lemma = unit_head_noun(rng, cls, complement)
        noun = v.HEADS[lemma]
        unit_symbol = f"{symbol}-{ROMAN[number - 1] if roman else f'{number:02d}'}"
        head_post = None if lemma == "stanowisko" else Post(f"Kierownik {noun.forms.gen}",
                                                            f"Kierownikowi {noun.forms.gen}", person(rng))
        superior = superiors[(number - 1) % len(superiors)]
        units.append(Unit(unit_symbol, v.unit_name(noun, complement), lemma,
                          "post-unit" if lemma == "stanowisko" else "unit", head_post, superior.title,
                          number_style=rng.choice(["1)", "1)", "1."])))
    return units


def plan_act(rng: random.Random, gmina: Gmina, department: Department) -> None:
    year = rng.randint(2016, 2025)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    number = rng.randint(12, 4800)
    styles = [f"{number}/{year}", f"OR.0050.{number}.{year}", f"0050.{number}.{year}", f"{number}/{year}/P"]
    department.act_number = rng.choice(styles[:3] if gmina.cls != "metropolis" else styles[:1] + styles[3:])
    department.act_date = (year, month, day)
    department.in_force = None if rng.random() < 0.3 else (year, month, min(28, day + rng.randint(0, 14)))
    if rng.random() < 0.6:
        old_year = year - rng.randint(1, 6)
        department.repeals = (f"{rng.randint(10, 3900)}/{old_year}", (old_year, rng.randint(1, 12), rng.randint(1, 28)))


# ---------------------------------------------------------------------------------------------- duties


def add_duties(rng: random.Random, gmina: Gmina, department: Department, all_departments: list[Department]) -> None:
    domain = next(d for d in v.DOMAINS if d.key == department.domain)
    others = [d for d in all_departments if d is not department]
    context = DutyContext(rng, gmina, department, domain, others)
    department.duties = context.duty_list(rng.randint(5, 14), holder=None)
    for unit in department.units:
        unit.duties = context.duty_list(rng.randint(4, 16), holder=unit)
        unit.contact = Contact(phone=phone(rng), email=f"{unit.symbol.lower()}@{gmina.domain}", room=room(rng))


class DutyContext:
    """Writes the duty lists of one department and its units."""

    def __init__(self, rng: random.Random, gmina: Gmina, department: Department, domain: v.Domain,
                 other_departments: list[Department]) -> None:
        self.rng, self.gmina, self.department, self.domain = rng, gmina, department, domain
        self.other_departments = other_departments
        self.unit_gen = v.HEADS[department.lemma].forms.gen

    def duty_list(self, count: int, holder: Unit | None) -> list[Duty]:
        rng = self.rng
        lower = rng.random() < 0.35
        duties: list[Duty] = []
        seen: set[str] = set()
        while len(duties) < count - 1:
            duty = self.duty(holder)
            if duty.text.lower() in seen:
                continue
            seen.add(duty.text.lower())
            duties.append(duty)
        duties.append(Duty(self.closing()) if rng.random() < 0.7 else self.duty(holder))
        for duty in duties[:-1]:
            if rng.random() < 0.2:
                duty.text += ", w tym:"
                duty.subitems = self.subitems()
        if lower:
            for duty in duties:
                duty.text = duty.text[:1].lower() + duty.text[1:]
        return duties

    def duty(self, holder: Unit | None) -> Duty:
        rng = self.rng
        objects = self.domain.objects if rng.random() < 0.75 else v.GENERAL_OBJECTS
        genitive, instrumental = rng.choice(objects).split("|")
        if rng.random() < 0.8:
            text = f"{rng.choice(v.GENITIVE_VERBS)} {genitive}"
        else:
            text = with_z(f"{rng.choice(v.INSTRUMENTAL_VERBS)} {instrumental}")
        if rng.random() < 0.4:
            text += " " + rng.choice(v.QUALIFIERS).format(unit_gen=self.unit_gen)
        duty = Duty(text)
        if rng.random() < 0.14:
            self.add_cooperation(duty, holder)
        return duty

    def add_cooperation(self, duty: Duty, holder: Unit | None) -> None:
        candidates = self.partner_candidates(holder)
        if not candidates:
            return
        picked = [self.rng.choice(candidates)]
        if picked[0][0].kind in ("unit", "department", "organisation") and self.rng.random() < 0.2:
            second = self.rng.choice(candidates)
            if second[0].kind in ("unit", "department", "organisation") and second[0] != picked[0][0]:
                picked.append(second)
        lead = self.rng.choice(v.COOPERATION_LEADS)
        names = " oraz ".join(phrase for _partner, phrase in picked)
        duty.text += f" {lead} {names}"
        duty.partners.extend(partner for partner, _phrase in picked)

    def partner_candidates(self, holder: Unit | None) -> list[tuple[Partner, str]]:
        found: list[tuple[Partner, str]] = []
        if holder is not None:
            for unit in self.department.units:
                if unit is not holder and readable_partner(unit):
                    found.append((Partner("unit", unit.symbol), unit.name.inst))
            if self.department.lemma != "referat" and len(self.department.units) > 1:
                found.append((Partner("others", ""), f"pozostałymi komórkami organizacyjnymi {self.unit_gen}"))
        for other in self.rng.sample(self.other_departments, min(2, len(self.other_departments))):
            kind = "department" if other.lemma in ("wydział", "biuro") else "organisation"
            found.append((Partner("department", other.name.nom, kind), other.name.inst))
        name, instrumental = self.rng.choice(v.EXTERNAL_ORGANISATIONS)
        found.append((Partner("organisation", name), instrumental))
        found.append((Partner("generic", ""), "innymi komórkami organizacyjnymi Urzędu"))
        return found

    def subitems(self) -> list[Duty]:
        rng = self.rng
        verbs = rng.sample(v.SUB_VERBS, rng.randint(2, 5))
        items = [Duty(f"{verb} {rng.choice(v.SUB_TAILS)}") for verb in verbs]
        if rng.random() < 0.15:
            items[0].text += ", obejmujących:"
            items[0].subitems = [Duty(text) for text in rng.sample(DASH_ITEMS, rng.randint(2, 3))]
        return items

    def closing(self) -> str:
        template = self.rng.choice(v.CLOSING_DUTIES)
        return template.format(office_head_gen=self.gmina.head_short_gen,
                               head_title_gen=genitive_title(self.department.head.title), unit_gen=self.unit_gen)


DASH_ITEMS = ("w formie elektronicznej", "w formie papierowej", "dla potrzeb kierownictwa Urzędu",
              "dla organów kontroli", "w układzie miesięcznym", "w układzie rocznym")


def readable_partner(unit: Unit) -> bool:
    """Units the loader can find after "we współpracy z": not "Referatem ds. X" (it ends the partner list at
    the abbreviation's period) and not "Działem X" (morfeusz2 reads "działem" only as a verb)."""
    return unit.kind == "unit" and unit.lemma != "dział" and " ds. " not in unit.name.nom


def with_z(text: str) -> str:
    """"związanych z strefą" → "związanych ze strefą": "ze" before s/z/ś/ź/ż/w and another consonant."""
    words = text.split(" ")
    for index, word in enumerate(words[:-1]):
        following = words[index + 1].lower()
        if word == "z" and len(following) > 1 and following[0] in "szśźżw" and following[1] not in "aąeęioóuy":
            words[index] = "ze"
    return " ".join(words)


def genitive_title(title: str) -> str:
    """"Dyrektor Wydziału" → "Dyrektora Wydziału" (the first word only; the rest is already genitive)."""
    first, _, rest = title.partition(" ")
    forms = {"Dyrektor": "Dyrektora", "Naczelnik": "Naczelnika", "Kierownik": "Kierownika"}
    return f"{forms.get(first, first)} {rest}".strip()


# ---------------------------------------------------------------------------------------------- details


def person(rng: random.Random) -> str:
    if rng.random() < 0.55:
        return f"{rng.choice(v.FIRST_NAMES_F)} {rng.choice(v.SURNAMES)[1]}"
    return f"{rng.choice(v.FIRST_NAMES_M)} {rng.choice(v.SURNAMES)[0]}"


def phone(rng: random.Random) -> str:
    area = rng.choice(["12", "22", "32", "41", "58", "61", "71", "81", "89", "13", "17", "18", "46", "94"])
    digits = [rng.randint(0, 9) for _ in range(7)]
    body = "".join(map(str, digits))
    style = rng.randrange(4)
    if style == 0:
        return f"{area} {body[:3]} {body[3:5]} {body[5:]}"
    if style == 1:
        return f"({area}) {body[:3]} {body[3:5]} {body[5:]}"
    if style == 2:
        return f"{area}-{body[:3]}-{body[3:5]}-{body[5:]}"
    return f"+48 {area} {body[:3]} {body[3:5]} {body[5:]}"


def room(rng: random.Random) -> str:
    return f"{rng.randint(1, 320)}{rng.choice(['', '', '', 'a', 'b'])}"


def postcode(rng: random.Random) -> str:
    return f"{rng.randint(10, 99)}-{rng.randint(100, 999)}"
