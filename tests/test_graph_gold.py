"""Every fact of tests/seeds.gold.json (the answer key for the seeds), asked of the built store by SPARQL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from build_fixtures import built_store, seed_build

from kompetencje.vocab import sparql_prefixes

GOLD = json.loads((Path(__file__).parent / "seeds.gold.json").read_text(encoding="utf-8"))


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def project_bound(query: str, names: list[str]) -> str:
    """pyoxigraph substitutes only projected variables: project the bound ones (constants, so grouping is safe)."""
    if not query.lstrip().upper().startswith("SELECT"):
        return query
    if not names:
        return re.sub(r"^\s*SELECT(?!\s+DISTINCT)", "SELECT DISTINCT", query, count=1)
    extra = " ".join(f"?{n}" for n in names)
    query = re.sub(r"SELECT(\s+DISTINCT)?", lambda m: f"SELECT DISTINCT {extra}", query, count=1)
    if "GROUP BY" in query:
        return query.replace("GROUP BY", f"GROUP BY {extra}", 1)
    if "COUNT(" in query or "SAMPLE(" in query:
        return query + f" GROUP BY {extra}"
    return query


def rows(store: ox.Store, query: str, **bindings) -> list[dict[str, str]]:
    query = project_bound(query, list(bindings))
    substitutions = {ox.Variable(k): (v if isinstance(v, ox.NamedNode) else ox.Literal(v))
                     for k, v in bindings.items()}
    solutions = store.query(sparql_prefixes() + query, substitutions=substitutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None and n not in bindings} for s in solutions]


def office_of(store: ox.Store, municipality: str) -> ox.NamedNode:
    found = rows(store, "SELECT ?o WHERE { ?o a komp:Office ; komp:municipalityName ?n . "
                        "FILTER(STR(?n) = ?name) }", name=municipality)
    assert len(found) == 1, f"one office for {municipality}, got {found}"
    return ox.NamedNode(found[0]["o"])


def unit_by_symbol(store: ox.Store, municipality: str, symbol: str) -> ox.NamedNode:
    found = rows(store, """SELECT DISTINCT ?u WHERE { ?u skos:notation ?sym ; org:subOrganizationOf* ?d .
        ?d org:unitOf ?office }""", sym=symbol, office=office_of(store, municipality))
    assert len(found) == 1, f"one unit {symbol} in {municipality}, got {found}"
    return ox.NamedNode(found[0]["u"])


def node_by_label(store: ox.Store, municipality: str, label: str) -> ox.NamedNode:
    """A unit, department or post of the municipality's office by its preferred name."""
    found = rows(store, """SELECT DISTINCT ?n WHERE {
        { ?n skos:prefLabel ?l } FILTER(STR(?l) = ?label)
        { ?n org:subOrganizationOf*/org:unitOf ?office } UNION
        { ?n org:postIn/org:subOrganizationOf*/org:unitOf ?office } UNION
        { ?n org:postIn/org:unitOf ?office } }""", label=label, office=office_of(store, municipality))
    assert len(found) == 1, f"one node named {label!r} in {municipality}, got {found}"
    return ox.NamedNode(found[0]["n"])


def resolve(store: ox.Store, municipality: str, name: str) -> ox.NamedNode:
    if re.fullmatch(r"[A-Z]{1,6}-\d+", name):
        return unit_by_symbol(store, municipality, name)
    return node_by_label(store, municipality, name)


def department(store: ox.Store, entry: dict) -> ox.NamedNode:
    if entry.get("symbol"):
        found = rows(store, "SELECT ?d WHERE { ?d a komp:Department ; skos:notation ?sym ; org:unitOf ?o }",
                     sym=entry["symbol"], o=office_of(store, entry["municipality"]))
        assert len(found) == 1, f"department {entry['symbol']}: {found}"
        return ox.NamedNode(found[0]["d"])
    return node_by_label(store, entry["municipality"], entry["name"])


def duties_of(store: ox.Store, holder: ox.NamedNode, prop: str = "komp:hasDuty") -> list[dict]:
    return rows(store, f"""SELECT ?d ?text ?seq (SAMPLE(?pl) AS ?provision) WHERE {{
        ?h {prop} ?d . ?d dct:description ?text ; komp:sequence ?seq .
        OPTIONAL {{ ?d komp:provision/eli:number ?pl }} }} GROUP BY ?d ?text ?seq ORDER BY ?seq""", h=holder)


def test_distinct_top_level_duties(built_store):
    found = rows(built_store, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?h komp:hasDuty|komp:hasSharedDuty ?d }")
    assert int(found[0]["n"]) == GOLD["distinct_top_level_duties"]


@pytest.mark.parametrize("unit", GOLD["units"], ids=lambda u: u.get("symbol") or u["name"])
def test_unit(built_store, unit):
    node = (unit_by_symbol(built_store, unit["municipality"], unit["symbol"]) if unit.get("symbol")
            else node_by_label(built_store, unit["municipality"], unit["name"]))
    names = rows(built_store, "SELECT ?l WHERE { ?u skos:prefLabel ?l }", u=node)
    assert [n["l"] for n in names] == [unit["name"]]
    duties = duties_of(built_store, node)
    assert len(duties) == unit["duty_count"]
    if duties:
        assert norm(duties[0]["text"]).startswith(norm(unit["duty_first"]))
        assert norm(duties[-1]["text"]).startswith(norm(unit["duty_last"]))
    if unit.get("provision"):
        assert duties[0]["provision"].startswith(unit["provision"] + " ")
    for phone in unit.get("phones", []):
        phones = rows(built_store, "SELECT ?p WHERE { ?u cv:contactPoint/cv:telephone ?p }", u=node)
        assert phone in {p["p"] for p in phones}


@pytest.mark.parametrize("entry", GOLD["departments"], ids=lambda d: f"{d['municipality']}-{d['symbol'] or d['name']}")
def test_department(built_store, entry):
    node = department(built_store, entry)
    labels = [r["l"] for r in rows(built_store, "SELECT ?l WHERE { ?d skos:prefLabel ?l }", d=node)]
    assert labels == ([entry["name"]] if entry["name"] else [])
    if "duty_count" in entry:
        office = office_of(built_store, entry["municipality"])
        everything = rows(built_store, """SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {
            ?h komp:hasDuty|komp:hasSharedDuty ?d . ?h org:subOrganizationOf*/org:unitOf ?o }""", o=office)
        assert int(everything[0]["n"]) == entry["duty_count"], "the duties are found exactly once"
        duties = duties_of(built_store, node)
        assert len(duties) == entry["duty_count"]
        assert norm(duties[0]["text"]).startswith(norm(entry["duty_first"]))
        assert norm(duties[-1]["text"]).startswith(norm(entry["duty_last"]))
    if entry.get("head_post"):
        heads = rows(built_store, "SELECT ?l WHERE { ?d komp:headPost/skos:prefLabel ?l }", d=node)
        assert entry["head_post"] in {h["l"] for h in heads}
    sources = rows(built_store, "SELECT DISTINCT ?id WHERE { ?d dct:source/dct:identifier ?id }", d=node)
    assert {s["id"] + ".txt" for s in sources} >= set(entry["sources"])


@pytest.mark.parametrize("shared", GOLD["shared_duties"], ids=lambda s: s["provision"])
def test_shared_duties(built_store, shared):
    node = department(built_store, {"municipality": shared["municipality"], "symbol": shared["department"]})
    duties = duties_of(built_store, node, "komp:hasSharedDuty")
    assert len(duties) == shared["duty_count"]
    assert norm(duties[0]["text"]).startswith(norm(shared["duty_first"]))
    assert norm(duties[-1]["text"]).startswith(norm(shared["duty_last"]))
    assert all(d["provision"].startswith(shared["provision"] + " ") for d in duties)
    applies = rows(built_store, """SELECT ?d (COUNT(DISTINCT ?u) AS ?n) WHERE { ?h komp:hasSharedDuty ?d .
        ?d komp:appliesTo ?u } GROUP BY ?d""", h=node)
    assert len(applies) == shared["duty_count"] and {int(a["n"]) for a in applies} == {7}


@pytest.mark.parametrize("post", GOLD["posts"], ids=lambda p: p["name"])
def test_post(built_store, post):
    node = node_by_label(built_store, post["municipality"], post["name"])
    assert rows(built_store, "SELECT ?u WHERE { ?p a org:Post ; org:postIn ?u }", p=node)
    if post.get("also"):
        alt = rows(built_store, "SELECT ?l WHERE { ?p skos:altLabel ?l }", p=node)
        assert post["also"] in {a["l"] for a in alt}


@pytest.mark.parametrize("edge", GOLD["reports_to"], ids=lambda e: f"{e[1]}->{e[2]}")
def test_reports_to(built_store, edge):
    municipality, lower, upper = edge
    a, b = resolve(built_store, municipality, lower), resolve(built_store, municipality, upper)
    assert rows(built_store, "SELECT ?x WHERE { ?a komp:reportsTo ?b BIND(1 AS ?x) }", a=a, b=b)
    stated = rows(built_store, """SELECT ?p WHERE { ?l a komp:ReportingLine ; komp:subordinate ?a ;
        komp:superior ?b ; komp:provision/eli:number ?p }""", a=a, b=b)
    assert stated and stated[0]["p"].startswith("§ 3")


def test_reporting_edges_are_exactly_the_gold_ones(built_store):
    found = rows(built_store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?b { ?a komp:reportsTo ?b } }")
    assert int(found[0]["n"]) == len(GOLD["reports_to"])


COOPERATION = [c for c in GOLD["cooperates_with"] if "," not in c[2]]
SIBLINGS = [c for c in GOLD["cooperates_with"] if "," in c[2]]


def partner_node(store: ox.Store, municipality: str, name: str) -> ox.NamedNode:
    found = rows(store, """SELECT DISTINCT ?n WHERE { ?n skos:prefLabel ?l . FILTER(STR(?l) = ?label)
        { ?n org:unitOf|org:subOrganizationOf* ?x } UNION { ?n a komp:ExternalOrganisation } }""", label=name)
    if len(found) == 1:
        return ox.NamedNode(found[0]["n"])
    return resolve(store, municipality, name)


@pytest.mark.parametrize("link", COOPERATION, ids=lambda c: f"{c[1]}~{c[2]}")
def test_cooperates_with(built_store, link):
    municipality, party, partner, _why = link
    a = resolve(built_store, municipality, party)
    b = partner_node(built_store, municipality, partner)
    assert rows(built_store, "SELECT ?x WHERE { ?a komp:cooperatesWith ?b BIND(1 AS ?x) }", a=a, b=b)
    assert rows(built_store, "SELECT ?x WHERE { ?b komp:cooperatesWith ?a BIND(1 AS ?x) }", a=a, b=b), "symmetric"
    duty = rows(built_store, """SELECT ?text WHERE { ?l a komp:CooperationLink ; komp:party ?a, ?b ;
        prov:wasDerivedFrom ?d . ?d a komp:Duty ; dct:description ?text }""", a=a, b=b)
    assert duty, "the duty is the provenance of the link"


@pytest.mark.parametrize("link", SIBLINGS, ids=lambda c: f"{c[1]}~siblings")
def test_cooperates_with_all_siblings(built_store, link):
    municipality, party, partners, _why = link
    a = resolve(built_store, municipality, party)
    for symbol in partners.split(", "):
        b = resolve(built_store, municipality, symbol)
        assert rows(built_store, "SELECT ?x WHERE { ?a komp:cooperatesWith ?b BIND(1 AS ?x) }", a=a, b=b), symbol


def subitem_parent(store: ox.Store, entry: dict) -> ox.NamedNode:
    if "provision" in entry:
        found = rows(store, """SELECT DISTINCT ?d WHERE { ?d komp:provision/eli:number ?p ; komp:itemNumber ?n .
            FILTER(!CONTAINS(?n, ".")) }""", p=entry["provision"])
    elif "unit" in entry:
        unit = unit_by_symbol(store, entry["municipality"], entry["unit"])
        found = rows(store, "SELECT ?d WHERE { ?u komp:hasDuty ?d . ?d komp:itemNumber ?n }", u=unit,
                     n=str(entry["item"]))
    else:
        office = office_of(store, entry["municipality"])
        found = rows(store, """SELECT DISTINCT ?d WHERE { ?h komp:hasDuty ?d . ?d komp:itemNumber ?n .
            ?h org:subOrganizationOf*/org:unitOf ?o }""", o=office, n=str(entry["item"]))
    assert len(found) == 1, f"one duty for {entry}: {found}"
    return ox.NamedNode(found[0]["d"])


def subitem_id(entry: dict) -> str:
    return f"{entry['municipality']}-{entry.get('provision') or entry.get('unit', '')}-{entry.get('item', '')}"


@pytest.mark.parametrize("entry", GOLD["subitems"], ids=subitem_id)
def test_subitems(built_store, entry):
    parent = subitem_parent(built_store, entry)
    found = rows(built_store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s komp:subDutyOf ?d }", d=parent)
    assert int(found[0]["n"]) == entry["count"]


def test_continuation_after_blank_line_belongs_to_its_item(built_store):
    texts = rows(built_store, """SELECT ?t WHERE { ?d komp:provision/eli:number "§ 8 pkt 7 lit. c" ;
        dct:description ?t }""")
    assert len(texts) == 1 and "i zamieszczanie materiałów promocyjnych" in texts[0]["t"]


CONTACT_FIELDS = {"phone": "cv:telephone", "email": "cv:email", "url": "cv:contactPage",
                  "room": "komp:room", "address": "komp:fullAddress"}


def contact_holder(store: ox.Store, entry: dict) -> ox.NamedNode:
    of = entry["of"]
    if " or " in of:
        for name in of.split(" or its "):
            found = rows(store, """SELECT DISTINCT ?n WHERE { ?n skos:prefLabel ?l ; cv:contactPoint ?c ;
                org:subOrganizationOf*/org:unitOf ?office . FILTER(STR(?l) = ?label) }""",
                         label=name, office=office_of(store, entry["municipality"]))
            if found:
                return ox.NamedNode(found[0]["n"])
        pytest.fail(f"no contact point for {of}")
    return resolve(store, entry["municipality"], of)


@pytest.mark.parametrize("entry", GOLD["contacts"], ids=lambda c: f"{c['municipality']}-{c['of']}")
def test_contacts(built_store, entry):
    holder = contact_holder(built_store, entry)
    for field, prop in CONTACT_FIELDS.items():
        if field in entry:
            values = rows(built_store, f"SELECT ?v WHERE {{ ?u cv:contactPoint/{prop} ?v }}", u=holder)
            assert any(entry[field] in v["v"] for v in values), f"{field}: {values}"
    heads = rows(built_store, """SELECT ?title ?name WHERE { ?u komp:headPost ?p . ?p skos:prefLabel ?title ;
        org:heldBy/foaf:name ?name }""", u=holder)
    assert {(h["title"], h["name"]) for h in heads} == {(entry["head_title"], entry["head_name"])}


@pytest.mark.parametrize("act", GOLD["legal_acts"], ids=lambda a: a["number"])
def test_legal_act(built_store, act):
    found = rows(built_store, """SELECT ?a ?title ?date ?force ?basis WHERE { ?a a eli:LegalResource ;
        eli:id_local ?n ; eli:title ?title ; eli:date_document ?date ; eli:first_date_entry_in_force ?force ;
        komp:legalBasisText ?basis }""", n=act["number"])
    assert len(found) == 1
    row = found[0]
    assert row["title"] == act["title"]
    assert (row["date"], row["force"]) == (act["date"], act["in_force_from"])
    assert norm(row["basis"]).replace("t.j. ", "") .startswith(norm(act["based_on"]).split(" (")[0])
    repealed = rows(built_store, """SELECT ?n ?d WHERE { ?a eli:repeals ?r . ?r eli:id_local ?n ;
        eli:date_document ?d }""", a=ox.NamedNode(row["a"]))
    assert repealed == [{"n": act["repeals"]["number"], "d": act["repeals"]["date"]}]
    source = rows(built_store, "SELECT ?id WHERE { ?s dct:subject ?a ; dct:identifier ?id }",
                  a=ox.NamedNode(row["a"]))
    assert [s["id"] + ".txt" for s in source] == [act["source"]]


FOOTER_WORDS = ["Redaktorzy Biuletynu", "Główny Redaktor", "Piełot", "Marcisz", "Młyńska",
                "bip@katowice.eu", "259 39 09"]


def test_must_not_katowice_footer(built_store):
    office = office_of(built_store, "Katowice")
    attached = rows(built_store, """SELECT DISTINCT ?v WHERE { ?n org:subOrganizationOf*/org:unitOf ?o .
        { ?n ?p ?v } UNION { ?n cv:contactPoint ?c . ?c ?p ?v } UNION { ?post org:postIn ?n ; ?p ?v }
        UNION { ?post org:postIn ?n ; org:heldBy/foaf:name ?v } FILTER(isLiteral(?v)) }""", o=office)
    values = " | ".join(a["v"] for a in attached)
    for word in FOOTER_WORDS:
        assert word not in values


def test_must_not_katowice_menu_units(built_store):
    office = office_of(built_store, "Katowice")
    names = {r["l"] for r in rows(built_store, """SELECT ?l WHERE { ?n org:subOrganizationOf*/org:unitOf ?o ;
        skos:prefLabel ?l }""", o=office)}
    assert names == {"Wydział Komunikacji Społecznej", "Referat Konsultacji Społecznych", "Referat Wydawniczy",
                     "Zespół mediowy i rzecznik prasowy", "Wydział Promocji"}


def test_must_not_katowice_duty_14_runs_on(built_store):
    office = office_of(built_store, "Katowice")
    found = rows(built_store, """SELECT ?t WHERE { ?h komp:hasDuty ?d . ?d komp:itemNumber "14" ;
        dct:description ?t . ?h org:unitOf ?o }""", o=office)
    assert len(found) == 1 and found[0]["t"].endswith("w zakresie działania Wydziału")


def test_must_not_ks02_duties_twice(built_store):
    unit = unit_by_symbol(built_store, "Kraków", "KS-02")
    duties = rows(built_store, """SELECT ?d (COUNT(DISTINCT ?t) AS ?texts) (COUNT(DISTINCT ?src) AS ?sources)
        WHERE { ?u komp:hasDuty ?d . ?d dct:description ?t ; prov:wasDerivedFrom/dct:isPartOf ?src }
        GROUP BY ?d""", u=unit)
    assert len(duties) == 18
    assert {int(d["texts"]) for d in duties} == {1}
    assert {int(d["sources"]) for d in duties} == {2}


def test_must_not_cycles_or_orphan_duties(built_store):
    assert not rows(built_store, "SELECT ?a WHERE { ?a komp:reportsTo+ ?a }")
    orphans = rows(built_store, """SELECT ?d WHERE { ?d a komp:Duty .
        FILTER NOT EXISTS { ?h komp:hasDuty|komp:hasSharedDuty ?d }
        FILTER NOT EXISTS { ?d komp:subDutyOf ?p } }""")
    assert not orphans


def test_chain_in_plain_org_terms(built_store):
    """The reporting chain KS-05 → Zastępca Dyrektora ds. Promocji → Dyrektor Wydziału, in W3C ORG terms only."""
    chain = rows(built_store, """SELECT ?label (COUNT(?mid) AS ?depth) WHERE {
        ?unit skos:notation "KS-05" ; org:reportsTo+ ?step . ?step skos:prefLabel ?label .
        ?unit org:reportsTo* ?mid . ?mid org:reportsTo+ ?step } GROUP BY ?label ORDER BY ?depth""")
    assert [c["label"] for c in chain] == ["Zastępca Dyrektora ds. Promocji", "Dyrektor Wydziału"]
