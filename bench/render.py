"""Documents from the planned structure, each with its ground truth: what a correct loader must read from it.

Four shapes, as city halls publish them:
- `ordinance`: a Zarządzenie on one department (§ 1 head and deputies, § 2 units with symbols, § 3 who
  reports to whom, § 4.. each unit's duties, shared duties, "Traci moc", entry into force);
- `department_page`: the department's BIP page (HTML, or the text a browser copy gives) with the portal's
  navigation, cookie notice, breadcrumb and editors' footer around the head, contacts, duties (sometimes
  in ZADANIA WŁASNE / ZLECONE groups) and the units' own cards;
- `unit_page`: one unit's BIP page (the department's name, the unit, its symbol, head, contacts, duties);
- `duty_list`: nothing but "Do zakresu działania Referatu X (AB-03) należą sprawy:" and the items.

The truth (`Truth.as_json`) names units by symbol when the document shows one (else by name), posts by title,
external organisations by name; `bench.truth` compares it with what the loader extracts.
"""

from __future__ import annotations

import html
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench import vocabulary as v
from bench.model import Contact, Department, Duty, Gmina, Partner, Post, Unit

LETTERS = "abcdefghijklmnoprstuwz"


@dataclass
class RenderedDocument:
    doc_id: str
    suffix: str  # ".txt" or ".html"
    text: str
    sidecar: str
    truth: dict[str, Any]


# ---------------------------------------------------------------------------------------------- truth


@dataclass
class Truth:
    kind: str
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    duties: dict[str, list[int]] = field(default_factory=dict)  # ref → [top-level items, sub-items]
    shared: dict[str, int] = field(default_factory=dict)
    posts: set[tuple[str, str, str | None, bool]] = field(default_factory=set)
    reporting: set[tuple[str, str]] = field(default_factory=set)
    cooperation: set[tuple[str, str]] = field(default_factory=set)
    external: dict[str, str] = field(default_factory=dict)
    contacts: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    act: dict[str, Any] | None = None
    symbols: dict[str, str] = field(default_factory=dict)  # unit symbol (planned) → its ref in this document
    unit_names: dict[str, str] = field(default_factory=dict)  # planned symbol → nominative name (all units)

    def unit(self, ref: str, name: str | None, symbol: str | None, parent: str | None, kind: str,
             planned_symbol: str | None = None) -> None:
        self.units[ref] = {"name": name, "symbol": symbol, "parent": parent,
                           "kind": "department" if parent is None else kind}
        if planned_symbol:
            self.symbols[planned_symbol] = ref

    def duty_list(self, ref: str, duties: list[Duty]) -> None:
        counts = self.duties.setdefault(ref, [0, 0])
        counts[0] += len(duties)
        counts[1] += sum(d.count_subitems() for d in duties)

    def post(self, post: Post, unit_ref: str, *, is_head: bool, with_person: bool) -> None:
        self.posts.add((post.title, unit_ref, post.person if with_person else None, is_head))

    def contact(self, ref: str, *, phones: Sequence[str] = (), emails: Sequence[str] = (),
                rooms: Sequence[str] = ()) -> None:
        entry = self.contacts.setdefault(ref, {"phones": [], "emails": [], "rooms": []})
        entry["phones"].extend(phones)
        entry["emails"].extend(emails)
        entry["rooms"].extend(rooms)

    def cooperation_of(self, party: str, duties: list[Duty], department_ref: str | None,
                       department_named: bool) -> None:
        """The links the duties' cooperation phrases give in this document (units not in it are external)."""
        for duty in duties:
            for partner in duty.partners:
                for target in self._partner_refs(partner, party, department_ref, department_named):
                    if target != party:
                        self.cooperation.add((party, target))

    def _partner_refs(self, partner: Partner, party: str, department_ref: str | None, named: bool) -> list[str]:
        if partner.kind == "unit":
            if partner.ref in self.symbols:
                return [self.symbols[partner.ref]]
            name = self.unit_names[partner.ref]
            self.external[name] = "organisation"
            return [name]
        if partner.kind in ("department", "organisation"):
            self.external[partner.ref] = partner.external_kind
            return [partner.ref]
        if partner.kind == "others" and named and department_ref is not None:
            return [ref for ref, unit in self.units.items() if unit["parent"] == department_ref and ref != party]
        return []

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "units": self.units,
            "duties": self.duties,
            "shared": self.shared,
            "posts": sorted([list(p) for p in self.posts], key=str),
            "reporting": sorted([list(r) for r in self.reporting]),
            "cooperation": sorted([list(c) for c in self.cooperation]),
            "external": dict(sorted(self.external.items())),
            "contacts": self.contacts,
            "act": self.act,
        }


# ---------------------------------------------------------------------------------------------- text pieces


def date_text(when: tuple[int, int, int]) -> str:
    year, month, day = when
    return f"{day} {v.MONTHS_GENITIVE[month - 1]} {year}"


def iso(when: tuple[int, int, int]) -> str:
    year, month, day = when
    return f"{year:04d}-{month:02d}-{day:02d}"


def text_list(duties: list[Duty], style: str, sub_style: str, *, final: str = ".") -> list[str]:
    """Numbered duty items as lines: "1) text;", sub-items "a) text,", third level " - text,"."""
    lines = []
    for number, duty in enumerate(duties, start=1):
        end = final if number == len(duties) else ";"
        marker = f"{number}{style[-1]}"
        lines.append(f"{marker} {duty.text}{'' if duty.subitems else end}")
        for index, sub in enumerate(duty.subitems):
            sub_end = end if index == len(duty.subitems) - 1 and not sub.subitems else ","
            letter = LETTERS[index]
            lines.append(f"{letter}{sub_style[-1]} {sub.text}{'' if sub.subitems else sub_end}")
            for dash_index, dash in enumerate(sub.subitems):
                dash_end = "," if dash_index < len(sub.subitems) - 1 or index < len(duty.subitems) - 1 else end
                lines.append(f" - {dash.text}{dash_end}")
    return lines


def html_list(duties: list[Duty]) -> str:
    parts = ["<ol>"]
    for number, duty in enumerate(duties, start=1):
        end = "." if number == len(duties) else ";"
        parts.append(f"<li>{html.escape(duty.text)}{'' if duty.subitems else end}")
        if duty.subitems:
            parts.append('<ol type="a">')
            for sub in duty.subitems:
                parts.append(f"<li>{html.escape(sub.text)}{'' if sub.subitems else ','}")
                if sub.subitems:
                    parts.append("<ul>" + "".join(f"<li>{html.escape(d.text)},</li>" for d in sub.subitems) + "</ul>")
                parts.append("</li>")
            parts.append("</ol>")
        parts.append("</li>")
    parts.append("</ol>")
    return "\n".join(parts)


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sidecar(gmina: Gmina, kind: str, priority: int, *, title: str | None = None, url: str | None = None,
            retrieved: str | None = None) -> str:
    lines = ["# Synthetic document (bench.generate): invented municipality, fake TERYT.", "[document]",
             f"kind = {toml_string(kind)}"]
    if title:
        lines.append(f"title = {toml_string(title)}")
    if url:
        lines.append(f"url = {toml_string(url)}")
    if retrieved:
        lines.append(f"retrieved = {retrieved}")
    lines += [f"priority = {priority}", "", "[municipality]", f"name = {toml_string(gmina.name)}",
              f"teryt = {toml_string(gmina.teryt)}", f"office = {toml_string(gmina.office)}", ""]
    return "\n".join(lines)


def new_truth(kind: str, gmina: Gmina) -> Truth:
    truth = Truth(kind)
    truth.unit_names = {u.symbol: u.name.nom for d in gmina.departments for u in d.units}
    return truth


# ---------------------------------------------------------------------------------------------- ordinance


def ordinance(rng: random.Random, gmina: Gmina, department: Department, doc_id: str) -> RenderedDocument:
    truth = new_truth("ordinance", gmina)
    dep = department
    truth.unit(dep.symbol, dep.name.nom, dep.symbol, None, "department")
    for unit in dep.units:
        truth.unit(unit.symbol, unit.name.nom, unit.symbol, dep.symbol, unit.kind, unit.symbol)
    noun = v.HEADS[dep.lemma].forms
    subject = rng.choice(["szczegółowego zakresu działania", "podziału na wewnętrzne komórki organizacyjne oraz "
                          "szczegółowego zakresu działania", "regulaminu organizacyjnego"])
    lines = [f"ZARZĄDZENIE Nr {dep.act_number}", gmina.issuer.upper(), f"z dnia {date_text(dep.act_date)} r.", "",
             f"w sprawie {subject} {dep.name.gen}", "",
             f"Na podstawie art. 33 ust. {rng.choice(['2', '3', '2 i 3'])} ustawy z dnia 8 marca 1990 r. o samorządzie "
             f"gminnym (Dz. U. z {rng.choice(['2023 r. poz. 40', '2024 r. poz. 1465', '2022 r. poz. 559'])}) "
             f"{rng.choice(['zarządzam', 'zarządza się'])}, co następuje:", ""]
    lines += head_paragraph(dep, noun, truth)
    lines += units_paragraph(rng, dep, noun)
    paragraph = 3
    if dep.units:
        lines += reporting_paragraph(rng, dep, truth)
        paragraph += 1
    for unit in dep.units:
        lines += unit_duties_paragraph(rng, paragraph, unit)
        truth.duty_list(unit.symbol, unit.duties)
        truth.cooperation_of(unit.symbol, unit.duties, dep.symbol, True)
        paragraph += 1
    if dep.shared and dep.units:
        who = rng.choice(["Wszystkie komórki organizacyjne", "Wszystkie wewnętrzne komórki organizacyjne"])
        lines.append(f"§ {paragraph}. {who} {noun.gen} {rng.choice(['są odpowiedzialne za', 'odpowiadają za'])}:")
        lines += [*text_list([Duty(text) for text in dep.shared], "1)", "a)"), ""]
        truth.shared[dep.symbol] = len(dep.shared)
        paragraph += 1
    lines += closing_paragraphs(gmina, dep, paragraph, truth)
    text = "\n".join(lines) + "\n"
    return RenderedDocument(doc_id, ".txt", text, sidecar(gmina, "ordinance", 2), truth.as_json())


def head_paragraph(dep: Department, noun: v.Forms, truth: Truth) -> list[str]:
    title_word = dep.head.title.split()[0]
    helpers = {0: "", 1: " przy pomocy Zastępcy", 2: " przy pomocy dwóch Zastępców", 3: " przy pomocy trzech Zastępców"}
    truth.post(dep.head, dep.symbol, is_head=True, with_person=False)
    for deputy in dep.deputies:
        truth.post(deputy, dep.symbol, is_head=False, with_person=False)
    helper = helpers[len(dep.deputies)] or f" {noun.gen}"  # "kieruje Naczelnik." reads as title "Naczelnik."
    return [f"§ 1. {dep.name.inst}, zwanym dalej {noun.inst}, kieruje {title_word}{helper}.", ""]


def units_paragraph(rng: random.Random, dep: Department, noun: v.Forms) -> list[str]:
    if not dep.units:
        return []
    lines = [f"§ 2. W skład {noun.gen} wchodzą następujące komórki organizacyjne:"]
    style = rng.randrange(3)
    for number, unit in enumerate(dep.units, start=1):
        end = "." if number == len(dep.units) else ";"
        entry = (f"{unit.name.nom} – {unit.symbol}", f"{unit.name.nom} ({unit.symbol})",
                 f"{unit.symbol} – {unit.name.nom}")[style]
        lines.append(f"{number}) {entry}{end}")
    return [*lines, ""]


def reporting_paragraph(rng: random.Random, dep: Department, truth: Truth) -> list[str]:
    superiors = [dep.head, *dep.deputies]
    lines = []
    for section, superior in enumerate(superiors, start=1):
        subordinates = [d.title for d in dep.deputies] if superior is dep.head else []
        units = [u for u in dep.units if u.superior == superior.title]
        for title in subordinates:
            truth.reporting.add((title, superior.title))
        for unit in units:
            truth.reporting.add((unit.symbol, superior.title))
        entries = subordinates + [u.name.nom + (f" ({u.symbol})" if rng.random() < 0.3 else "") for u in units]
        if not entries:
            continue
        verb = "podlega" if len(entries) == 1 else "podlegają"
        lead = f"{superior.dative} {verb} bezpośrednio:"
        if len(superiors) > 1:
            lead = (f"§ 3. {section}. " if section == 1 else f"{section}. ") + lead
        else:
            lead = "§ 3. " + lead
        lines.append(lead)
        lines += [f"{n}) {entry}{'.' if n == len(entries) else ';'}" for n, entry in enumerate(entries, start=1)]
    return [*lines, ""]


def unit_duties_paragraph(rng: random.Random, paragraph: int, unit: Unit) -> list[str]:
    lead = rng.choice([f"Do zakresu działania {unit.name.gen} ({unit.symbol}) należą sprawy:",
                       f"Do zadań {unit.name.gen} ({unit.symbol}) należy w szczególności:",
                       f"Do zakresu działania {unit.name.gen} ({unit.symbol}) należy:"])
    return [f"§ {paragraph}. {lead}", *text_list(unit.duties, unit.number_style, rng.choice(["a)", "a)", "a/"])), ""]


def closing_paragraphs(gmina: Gmina, dep: Department, paragraph: int, truth: Truth) -> list[str]:
    lines = []
    act: dict[str, Any] = {"kind": "Zarządzenie", "number": dep.act_number, "date": iso(dep.act_date),
                           "in_force_from": iso(dep.in_force or dep.act_date), "repeals": []}
    if dep.repeals:
        number, when = dep.repeals
        lines.append(f"§ {paragraph}. Traci moc zarządzenie Nr {number} {gmina.issuer} z dnia {date_text(when)} r. "
                     f"w sprawie szczegółowego zakresu działania {dep.name.gen}.")
        act["repeals"] = [number]
        paragraph += 1
    lines.append(f"§ {paragraph}. Wykonanie zarządzenia powierza się {dep.head.dative}.")
    when = f"z dniem {date_text(dep.in_force)} r." if dep.in_force else "z dniem podpisania."
    lines.append(f"§ {paragraph + 1}. Zarządzenie wchodzi w życie {when}")
    truth.act = act
    return lines


# ---------------------------------------------------------------------------------------------- BIP pages


@dataclass
class Page:
    """A BIP page's content, rendered as HTML or as the text a browser copy of it gives."""

    title: str
    breadcrumb: list[str]
    blocks: list[tuple[str, Any]] = field(default_factory=list)  # ("h1"|"h2"|"h3"|"p", text) or ("list", duties)

    def add(self, tag: str, content: Any) -> None:
        self.blocks.append((tag, content))


def head_line(rng: random.Random, post: Post) -> list[str]:
    style = rng.randrange(4)
    if style == 0:
        return [f"{post.title}: {post.person}"]
    if style == 1:
        return [f"{post.person} – {post.title}"]
    if style == 2:
        return [f"{post.title}:", str(post.person)]
    return [f"{post.title} {post.person}"]


def contact_lines(rng: random.Random, contact: Contact, *, address: bool) -> list[str]:
    lines = []
    if address and contact.address:
        lines.append(f"Adres: {contact.address}")
    lines.append(rng.choice([f"Telefon: {contact.phone}", f"tel. {contact.phone}", f"Tel.: {contact.phone}"]))
    lines.append(rng.choice([f"E-mail: {contact.email}", f"e-mail: {contact.email}", contact.email]))
    lines.append(rng.choice([f"pok. {contact.room}", f"Pokój: {contact.room}", f"pokój {contact.room}"]))
    return lines


def department_page(rng: random.Random, gmina: Gmina, department: Department, doc_id: str,
                    fmt: str) -> RenderedDocument:
    dep = department
    truth = new_truth("bip-page", gmina)
    noun = v.HEADS[dep.lemma].forms
    show_units = bool(dep.units) and dep.lemma != "referat" and rng.random() < 0.6
    unit_symbols = show_units and rng.random() < 0.5
    show_symbol = rng.random() < 0.5 or dep.lemma == "referat"
    dep_ref = dep.symbol if show_symbol or unit_symbols else dep.name.nom
    truth.unit(dep_ref, dep.name.nom, dep.symbol if dep_ref == dep.symbol else None, None, "department")
    page = Page(f"{dep.name.nom} – {gmina.office} – Biuletyn Informacji Publicznej",
                ["Strona główna", "Urząd", "Struktura organizacyjna", dep.name.nom])
    page.add("h1", dep.name.nom)
    if show_symbol:
        page.add("p", f"Symbol: {dep.symbol}")
    for line in head_line(rng, dep.head):
        page.add("p", line)
    truth.post(dep.head, dep_ref, is_head=True, with_person=True)
    if dep.deputies and rng.random() < 0.5:
        deputy = dep.deputies[0]
        page.add("p", f"{deputy.title}: {deputy.person}")
        truth.post(deputy, dep_ref, is_head=False, with_person=True)
    for line in contact_lines(rng, dep.contact, address=True):
        page.add("p", line)
    truth.contact(dep_ref, phones=[dep.contact.phone], emails=[dep.contact.email], rooms=[dep.contact.room])
    page.add("h2", rng.choice(["Zakres działania", "Zadania:", "Zakres spraw"]))
    page.add("p", rng.choice([f"Do zakresu działania {noun.gen} należy w szczególności:",
                              f"Do zadań {noun.gen} należy:", f"{dep.name.nom} realizuje następujące zadania:"]))
    add_department_duties(page, dep)
    truth.duty_list(dep_ref, dep.duties)
    if show_units:
        page.add("h2", "Struktura wewnętrzna")
        for unit in dep.units:
            add_unit_card(rng, page, unit, dep_ref, truth, unit_symbols)
    truth.cooperation_of(dep_ref, dep.duties, dep_ref, True)
    for unit in dep.units:
        ref = truth.symbols.get(unit.symbol)
        if ref is not None and ref in truth.duties:
            truth.cooperation_of(ref, unit.duties, dep_ref, True)
    return render_page(rng, gmina, page, doc_id, fmt, truth, url_part=dep.symbol.lower())


def add_department_duties(page: Page, dep: Department) -> None:
    if not dep.groups or len(dep.duties) < 4:
        page.add("list", dep.duties)
        return
    split = max(2, len(dep.duties) * 3 // 5)
    page.add("p", "I. ZADANIA WŁASNE")
    page.add("list", dep.duties[:split])
    page.add("p", "II. ZADANIA ZLECONE")
    page.add("list", dep.duties[split:])


def add_unit_card(rng: random.Random, page: Page, unit: Unit, dep_ref: str, truth: Truth, symbols: bool) -> None:
    ref = unit.symbol if symbols else unit.name.nom
    truth.unit(ref, unit.name.nom, unit.symbol if symbols else None, dep_ref, unit.kind, unit.symbol)
    page.add("h3", unit.name.nom)
    if symbols:
        page.add("p", f"Symbol: {unit.symbol}")
    if unit.head is not None:
        page.add("p", f"{unit.head.title}: {unit.head.person}")
        truth.post(unit.head, ref, is_head=True, with_person=True)
    if unit.contact is not None:
        page.add("p", f"Telefon: {unit.contact.phone}")
        truth.contact(ref, phones=[unit.contact.phone])
    if rng.random() < 0.4:
        page.add("p", f"Do zadań {unit.name.gen} należy:")
        page.add("list", unit.duties)
        truth.duty_list(ref, unit.duties)


def unit_page(rng: random.Random, gmina: Gmina, department: Department, unit: Unit, doc_id: str,
              fmt: str) -> RenderedDocument:
    dep = department
    truth = new_truth("bip-page", gmina)
    show_department = dep.lemma != "referat" and rng.random() < 0.7
    show_symbol = rng.random() < 0.6 or not show_department
    dep_ref = dep.symbol if show_symbol else dep.name.nom
    if show_department or show_symbol:
        truth.unit(dep_ref, dep.name.nom if show_department else None, dep.symbol if show_symbol else None, None,
                   "department")
    ref = unit.symbol if show_symbol else unit.name.nom
    truth.unit(ref, unit.name.nom, unit.symbol if show_symbol else None, dep_ref, unit.kind, unit.symbol)
    page = Page(f"{unit.name.nom} – zakres działania", ["Strona główna", "Urząd", "Struktura organizacyjna",
                                                           dep.name.nom, unit.name.nom])
    if show_department:
        page.add("p", dep.name.nom)
    page.add("h1", unit.name.nom)
    if show_symbol:
        page.add("p", f"Symbol: {unit.symbol}")
    if unit.head is not None:
        for line in head_line(rng, unit.head):
            page.add("p", line)
        truth.post(unit.head, ref, is_head=True, with_person=True)
    if unit.contact is not None:
        for line in contact_lines(rng, unit.contact, address=False):
            page.add("p", line)
        truth.contact(ref, phones=[unit.contact.phone], emails=[unit.contact.email], rooms=[unit.contact.room])
    page.add("h2", "Zakres działania")
    symbol = f" ({unit.symbol})" if show_symbol else ""
    page.add("p", f"Do zakresu działania {unit.name.gen}{symbol} należą sprawy:")
    page.add("list", unit.duties)
    truth.duty_list(ref, unit.duties)
    truth.cooperation_of(ref, unit.duties, dep_ref, show_department)
    return render_page(rng, gmina, page, doc_id, fmt, truth, url_part=unit.symbol.lower())


def render_page(rng: random.Random, gmina: Gmina, page: Page, doc_id: str, fmt: str, truth: Truth,
                url_part: str) -> RenderedDocument:
    url = f"https://bip.{gmina.domain}/urzad/struktura/{url_part}"
    retrieved = f"20{rng.randint(24, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    meta = sidecar(gmina, "bip-page", 1, title=page.title, url=url, retrieved=retrieved)
    if fmt == "html":
        return RenderedDocument(doc_id, ".html", page_html(rng, gmina, page), meta, truth.as_json())
    return RenderedDocument(doc_id, ".txt", page_text(rng, gmina, page), meta, truth.as_json())


def page_html(rng: random.Random, gmina: Gmina, page: Page) -> str:
    esc = html.escape
    nav = "".join(f'<li><a href="/{i}">{esc(item)}</a></li>' for i, item in
                  enumerate(rng.sample(v.NAV_ITEMS, rng.randint(5, 9))))
    crumbs = " › ".join(f'<a href="/{i}">{esc(c)}</a>' for i, c in enumerate(page.breadcrumb[:-1]))
    body = []
    for tag, content in page.blocks:
        body.append(html_list(content) if tag == "list" else f"<{tag}>{esc(content)}</{tag}>")
    editor = f"{rng.choice(v.FIRST_NAMES_F)} {rng.choice(v.SURNAMES)[1]}"
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="pl"><head><meta charset="utf-8">', f"<title>{esc(page.title)}</title>",
        "</head><body>", '<a class="skip-link" href="#tresc">Przejdź do treści</a>',
        f'<header><div class="logo">Biuletyn Informacji Publicznej – {esc(gmina.office)}</div>',
        f'<nav aria-label="Menu główne"><ul>{nav}</ul></nav></header>',
        f'<div class="cookie-banner" role="dialog">{esc(rng.choice(v.COOKIE_NOTICES))} '
        "<button>Zgadzam się</button></div>",
        f'<nav class="breadcrumb" aria-label="breadcrumb">{crumbs} › {esc(page.breadcrumb[-1])}</nav>',
        '<main id="tresc">', *body, "</main>",
        f"<footer><p>Redaktor Biuletynu: {esc(editor)}</p>",
        f"<p>{esc(gmina.office)}, {esc(rng.choice(v.STREETS))} 1, tel. {esc(gmina.teryt[:2])} 555 00 00</p>",
        '<p><a href="/deklaracja">Deklaracja dostępności</a></p></footer>', "</body></html>", ""])


def page_text(rng: random.Random, gmina: Gmina, page: Page) -> str:
    lines = ["Przejdź do treści", "Przejdź do menu", rng.choice(["Zmień kontrast", "Dla słabowidzących", "AAA+"]),
             "Wyszukiwarka", "Szukaj", *rng.sample(v.NAV_ITEMS, rng.randint(3, 6)),
             rng.choice([" / ", " › ", " > "]).join(page.breadcrumb), ""]
    for tag, content in page.blocks:
        if tag == "list":
            lines += text_list(content, rng.choice(["1.", "1)"]), rng.choice(["a)", "a/"]))
            lines.append("")
        elif tag in ("h1", "h2", "h3"):
            lines += ["", content]
        else:
            lines.append(content)
    editor = f"{rng.choice(v.FIRST_NAMES_M)} {rng.choice(v.SURNAMES)[0]}"
    lines += ["", "Redakcja Biuletynu", f"Redaktor: {editor}", gmina.office, f"{rng.choice(v.STREETS)} 1",
              f"tel. {gmina.teryt[:2]} 555 00 00", rng.choice(v.COOKIE_NOTICES), "Deklaracja dostępności"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- duty lists


def duty_list(rng: random.Random, gmina: Gmina, department: Department, unit: Unit, doc_id: str) -> RenderedDocument:
    truth = new_truth("duties-page", gmina)
    truth.unit(department.symbol, None, department.symbol, None, "department")
    truth.unit(unit.symbol, unit.name.nom, unit.symbol, department.symbol, unit.kind, unit.symbol)
    lead = rng.choice([f"Do zakresu działania {unit.name.gen} ({unit.symbol}) należą sprawy:",
                       f"Do zadań {unit.name.gen} ({unit.symbol}) należy w szczególności:",
                       f"{unit.name.nom} ({unit.symbol}) realizuje następujące zadania:"])
    lines = [lead, *text_list(unit.duties, rng.choice(["1.", "1)"]), rng.choice(["a)", "a/"]))]
    truth.duty_list(unit.symbol, unit.duties)
    truth.cooperation_of(unit.symbol, unit.duties, department.symbol, False)
    return RenderedDocument(doc_id, ".txt", "\n".join(lines) + "\n", sidecar(gmina, "duties-page", 1),
                            truth.as_json())
