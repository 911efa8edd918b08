"""SPARQL text for the units, competences, municipalities and pages routers.

Every query is a constant. User input never becomes query text: values reach a query only as bindings of
its variables (``?node``, ``?office``, ...) passed to the store as substitutions (SEP-0007). Queries read
the default graph, which is the union of all named graphs (docs/graph.md). Where the reasoner adds an
inverse or a super-property, the patterns accept both directions (``komp:hasDuty|^komp:dutyOf``), so the
answers do not depend on whether entailments were materialised.

The graph shape these queries follow is docs/graph.md.
"""

from __future__ import annotations

import unicodedata

from pyoxigraph import Literal, NamedNode, Variable

from kompetencje.api.store import Store
from kompetencje.vocab import sparql_prefixes

PREFIXES = sparql_prefixes()

# The kind of an organisational node, as a string the views and pages use.
KIND_BIND = """
  BIND(IF(EXISTS { ?NODE a komp:SinglePersonPost }, "post-unit",
       IF(EXISTS { ?NODE a komp:Department }, "department",
       IF(EXISTS { ?NODE a komp:Unit }, "unit",
       IF(EXISTS { ?NODE a komp:Post }, "post",
       IF(EXISTS { ?NODE a komp:Office }, "office",
       IF(EXISTS { ?NODE a komp:ExternalOrganisation }, "external", "other")))))) AS ?KIND)
"""


def kind_of(node: str, kind: str) -> str:
    """The BIND clause that puts the kind of ``?node`` into ``?kind`` (both are variable names)."""
    return KIND_BIND.replace("?NODE", f"?{node}").replace("?KIND", f"?{kind}")


# --- municipalities -------------------------------------------------------------------------------------

OFFICES = PREFIXES + """
SELECT ?office (SAMPLE(?n) AS ?name) (SAMPLE(?t) AS ?teryt) (SAMPLE(?l) AS ?label)
       (GROUP_CONCAT(DISTINCT ?alt; SEPARATOR="\\u001f") AS ?alt_labels)
WHERE {
  ?office a komp:Office .
  OPTIONAL { ?office komp:municipalityName ?n }
  OPTIONAL { ?office komp:teryt ?t }
  OPTIONAL { ?office skos:prefLabel ?l }
  OPTIONAL { ?office skos:altLabel ?alt }
}
GROUP BY ?office
ORDER BY ?name ?office
"""

# Counts per office, each a sub-select over the whole store joined once (nested OPTIONALs would be
# evaluated per office over the whole store).
OFFICE_COUNTS = PREFIXES + """
SELECT ?office (COALESCE(SAMPLE(?d), 0) AS ?departments) (COALESCE(SAMPLE(?u), 0) AS ?units)
       (COALESCE(SAMPLE(?t), 0) AS ?duties)
WHERE {
  ?office a komp:Office .
  OPTIONAL {
    SELECT ?office (COUNT(DISTINCT ?dept) AS ?d) WHERE { ?dept a komp:Department ; org:unitOf ?office }
    GROUP BY ?office
  }
  OPTIONAL {
    SELECT ?office (COUNT(DISTINCT ?unit) AS ?u)
    WHERE { ?unit a komp:Unit ; org:subOrganizationOf+ ?dept . ?dept a komp:Department ; org:unitOf ?office }
    GROUP BY ?office
  }
  OPTIONAL {
    SELECT ?office (COUNT(DISTINCT ?duty) AS ?t)
    WHERE {
      ?dept a komp:Department ; org:unitOf ?office .
      ?holder (org:subOrganizationOf)* ?dept .
      { ?holder komp:hasDuty|^komp:dutyOf|komp:hasSharedDuty ?duty }
      FILTER NOT EXISTS { ?duty komp:subDutyOf ?whole }
    }
    GROUP BY ?office
  }
}
GROUP BY ?office
"""

# --- units ----------------------------------------------------------------------------------------------

# Departments and units, optionally of one office (bind ?office).
UNITS = PREFIXES + """
SELECT ?unit ?dept ?office (SAMPLE(?l) AS ?name) (SAMPLE(?sym) AS ?symbol) (SAMPLE(?ut) AS ?unit_type)
       (SAMPLE(?k) AS ?kind) (SAMPLE(?mn) AS ?municipality)
WHERE {
  { ?unit a komp:Department ; org:unitOf ?office . BIND(?unit AS ?dept) }
  UNION
  { ?unit a komp:Unit ; org:subOrganizationOf+ ?dept . ?dept a komp:Department ; org:unitOf ?office . }
  OPTIONAL { ?unit skos:prefLabel ?l }
  OPTIONAL { ?unit skos:notation ?sym }
  OPTIONAL { ?unit komp:unitType ?ut }
  OPTIONAL { ?office komp:municipalityName ?mn }
""" + kind_of("unit", "k") + """
}
GROUP BY ?unit ?dept ?office
ORDER BY ?office ?dept ?symbol ?name
"""

# One organisational node (unit, department, post, office, external organisation): bind ?node.
# (Each OPTIONAL is one path with at most a FILTER EXISTS: pyoxigraph evaluates such a right side once per
# row on the left, but an OPTIONAL that joins several patterns over the whole store.)
NODE = PREFIXES + """
SELECT ?node (SAMPLE(?l) AS ?name) (SAMPLE(?sym) AS ?symbol) (SAMPLE(?ut) AS ?unit_type) (SAMPLE(?k) AS ?kind)
       (SAMPLE(?p) AS ?parent) (SAMPLE(?o) AS ?office) (SAMPLE(?d) AS ?dept) (SAMPLE(?mn) AS ?municipality)
       (GROUP_CONCAT(DISTINCT ?alt; SEPARATOR="\\u001f") AS ?alt_labels)
WHERE {
  FILTER EXISTS { ?node a ?class }  # once, not once per class
  OPTIONAL { ?node skos:prefLabel ?l }
  OPTIONAL { ?node skos:altLabel ?alt }
  OPTIONAL { ?node skos:notation ?sym }
  OPTIONAL { ?node komp:unitType ?ut }
  OPTIONAL { ?node org:subOrganizationOf|org:unitOf|org:postIn ?p }
  OPTIONAL { ?node (org:subOrganizationOf|org:postIn)* ?d FILTER EXISTS { ?d a komp:Department } }
  OPTIONAL { ?node (org:subOrganizationOf|org:postIn)*/org:unitOf ?o FILTER EXISTS { ?o a komp:Office } }
  OPTIONAL { ?node (org:subOrganizationOf|org:postIn)*/org:unitOf/komp:municipalityName ?mn }
""" + kind_of("node", "k") + """
}
GROUP BY ?node
"""

POSTS = PREFIXES + """
SELECT ?node ?post (SAMPLE(?l) AS ?name) (GROUP_CONCAT(DISTINCT ?alt; SEPARATOR="\\u001f") AS ?alt_labels)
       (SAMPLE(?h) AS ?is_head) (SAMPLE(?person) AS ?holder) (SAMPLE(?pn) AS ?holder_name)
WHERE {
  ?post org:postIn ?node .
  OPTIONAL { ?post skos:prefLabel ?l }
  OPTIONAL { ?post skos:altLabel ?alt }
  OPTIONAL { ?post org:heldBy ?person . OPTIONAL { ?person foaf:name ?pn } }
  BIND(EXISTS { { ?node komp:headPost ?post } UNION { ?post komp:isHeadPostOf ?node } } AS ?h)
}
GROUP BY ?node ?post
ORDER BY DESC(?is_head) ?name
"""

CONTACTS = PREFIXES + """
SELECT DISTINCT ?node ?contact ?field ?value
WHERE {
  ?node cv:contactPoint ?contact .
  VALUES (?field ?property) {
    ("telephone" cv:telephone) ("email" cv:email) ("address" komp:fullAddress) ("room" komp:room)
    ("page" cv:contactPage) ("fax" cv:fax)
  }
  ?contact ?property ?value .
}
ORDER BY ?contact ?field ?value
"""

# All duties of a node, own and shared, with their sub-items (any depth): bind ?node.
DUTIES = PREFIXES + """
SELECT ?node ?duty (SAMPLE(?sh) AS ?shared) (SAMPLE(?p) AS ?parent) (SAMPLE(?t) AS ?text)
       (SAMPLE(?n) AS ?item_number) (SAMPLE(?s) AS ?sequence) (SAMPLE(?g) AS ?group)
       (SAMPLE(?pv) AS ?provision) (SAMPLE(?pvl) AS ?provision_label) (SAMPLE(?holder) AS ?shared_holder)
WHERE {
  { ?node komp:hasDuty|^komp:dutyOf ?top . BIND(false AS ?sh) }
  UNION
  { ?node komp:hasSharedDuty ?top . BIND(true AS ?sh) }
  UNION
  { ?top komp:appliesTo ?node . OPTIONAL { ?holder komp:hasSharedDuty ?top } BIND(true AS ?sh) }
  ?duty komp:subDutyOf* ?top .
  OPTIONAL { ?duty komp:subDutyOf ?p }
  OPTIONAL { ?duty dct:description ?t }
  OPTIONAL { ?duty komp:itemNumber ?n }
  OPTIONAL { ?duty komp:sequence ?s }
  OPTIONAL { ?duty komp:dutyGroup ?g }
  OPTIONAL { ?duty komp:provision ?pv . OPTIONAL { ?pv eli:number ?pvl } }
}
GROUP BY ?node ?duty
ORDER BY ?shared ?sequence ?item_number
"""

# Source spans of the duties of a node (own and shared, with sub-items): bind ?node.
DUTY_SPANS = PREFIXES + """
SELECT DISTINCT ?node ?duty ?span ?document ?start ?end ?title ?from ?until
WHERE {
  { ?node komp:hasDuty|^komp:dutyOf|komp:hasSharedDuty|^komp:appliesTo ?top }
  ?duty komp:subDutyOf* ?top ;
        prov:wasDerivedFrom ?span .
  ?span a komp:SourceSpan .
  OPTIONAL {
    ?span dct:isPartOf ?document . OPTIONAL { ?document dct:title ?title }
    OPTIONAL { ?document komp:inForceFrom ?from } OPTIONAL { ?document komp:inForceUntil ?until }
  }
  OPTIONAL { ?span komp:startLine ?start }
  OPTIONAL { ?span komp:endLine ?end }
}
ORDER BY ?duty ?start
"""

SUBUNITS = PREFIXES + """
SELECT ?node ?unit (SAMPLE(?l) AS ?name) (SAMPLE(?sym) AS ?symbol) (SAMPLE(?k) AS ?kind)
WHERE {
  ?unit org:subOrganizationOf ?node .
  OPTIONAL { ?unit skos:prefLabel ?l }
  OPTIONAL { ?unit skos:notation ?sym }
""" + kind_of("unit", "k") + """
}
GROUP BY ?node ?unit
ORDER BY ?symbol ?name
"""

# Cooperation links a node is a party of: bind ?node.
COOPERATION = PREFIXES + """
SELECT ?node ?link ?partner (SAMPLE(?pl) AS ?partner_name) (SAMPLE(?psym) AS ?partner_symbol)
       (SAMPLE(?pk) AS ?partner_kind) (SAMPLE(?by) AS ?stated_by) (SAMPLE(?ph) AS ?phrase)
       (SAMPLE(?duty) AS ?duty_id) (SAMPLE(?dt) AS ?duty_text)
WHERE {
  ?link a komp:CooperationLink ; komp:party ?node, ?partner .
  FILTER(?partner != ?node)
  OPTIONAL { ?partner skos:prefLabel ?pl }
  OPTIONAL { ?partner skos:notation ?psym }
  OPTIONAL { ?link komp:statedBy ?by }
  OPTIONAL { ?link komp:phrase ?ph }
  OPTIONAL { ?link prov:wasDerivedFrom ?duty . ?duty a komp:Duty . OPTIONAL { ?duty dct:description ?dt } }
""" + kind_of("partner", "pk") + """
}
GROUP BY ?node ?link ?partner
ORDER BY ?partner_name
"""

SOURCES = PREFIXES + """
SELECT ?node ?document (SAMPLE(?t) AS ?title) (SAMPLE(?dk) AS ?kind) (SAMPLE(?lp) AS ?landing_page)
       (SAMPLE(?f) AS ?in_force_from) (SAMPLE(?u) AS ?in_force_until)
WHERE {
  ?node dct:source ?document .
  OPTIONAL { ?document komp:inForceFrom ?f }
  OPTIONAL { ?document komp:inForceUntil ?u }
  OPTIONAL { ?document dct:title ?t }
  OPTIONAL { ?document komp:documentKind ?dk }
  OPTIONAL { ?document dcat:landingPage ?lp }
}
GROUP BY ?node ?document
ORDER BY ?document
"""

# --- reporting ------------------------------------------------------------------------------------------

# The direct superiors of a node with the provision of each reporting line: bind ?node.
SUPERIORS = PREFIXES + """
SELECT ?node ?superior (SAMPLE(?l) AS ?name) (SAMPLE(?sym) AS ?symbol) (SAMPLE(?k) AS ?kind)
       (SAMPLE(?line) AS ?reporting_line) (SAMPLE(?pv) AS ?provision) (SAMPLE(?pvl) AS ?provision_label)
WHERE {
  ?node komp:reportsTo ?superior .
  OPTIONAL { ?superior skos:prefLabel ?l }
  OPTIONAL { ?superior skos:notation ?sym }
  OPTIONAL {
    ?line a komp:ReportingLine ; komp:subordinate ?node ; komp:superior ?superior .
    OPTIONAL {
      ?line komp:provision|prov:wasDerivedFrom ?pv . ?pv a eli:LegalResourceSubdivision .
      OPTIONAL { ?pv eli:number ?pvl }
    }
  }
""" + kind_of("superior", "k") + """
}
GROUP BY ?node ?superior
ORDER BY ?superior
"""

# Every edge of the structure below a node: reporting lines, posts in units and sub-units (bind ?node).
# ?parent is the node itself or anything below it; ?rel says which relation joins ?child to ?parent.
STRUCTURE_BELOW = PREFIXES + """
SELECT ?node ?child ?parent ?rel (SAMPLE(?l) AS ?name) (SAMPLE(?sym) AS ?symbol) (SAMPLE(?k) AS ?kind)
       (SAMPLE(?h) AS ?is_head) (SAMPLE(?pn) AS ?holder_name)
       (SAMPLE(?pv) AS ?provision) (SAMPLE(?pvl) AS ?provision_label)
WHERE {
  ?parent (komp:reportsTo|org:subOrganizationOf|org:postIn)* ?node .
  { ?child komp:reportsTo ?parent . BIND("reportsTo" AS ?rel)
    OPTIONAL {
      ?line a komp:ReportingLine ; komp:subordinate ?child ; komp:superior ?parent .
      OPTIONAL {
        ?line komp:provision|prov:wasDerivedFrom ?pv . ?pv a eli:LegalResourceSubdivision .
        OPTIONAL { ?pv eli:number ?pvl }
      }
    } }
  UNION { ?child org:postIn ?parent . BIND("postIn" AS ?rel) }
  UNION { ?child org:subOrganizationOf ?parent . BIND("subOrganizationOf" AS ?rel) }
  OPTIONAL { ?child skos:prefLabel ?l }
  OPTIONAL { ?child skos:notation ?sym }
  OPTIONAL { ?child org:heldBy/foaf:name ?pn }
  BIND(EXISTS { { ?parent komp:headPost ?child } UNION { ?child komp:isHeadPostOf ?parent } } AS ?h)
""" + kind_of("child", "k") + """
}
GROUP BY ?node ?child ?parent ?rel
ORDER BY ?parent ?symbol ?name
"""

# --- cooperation network --------------------------------------------------------------------------------

# Cooperation links with at least one party inside an office (bind ?office): the office's units and
# departments first (a subquery), then their links, then both parties of each link.
OFFICE_COOPERATION = PREFIXES + """
SELECT ?office ?link ?a ?b (SAMPLE(?al) AS ?a_name) (SAMPLE(?asym) AS ?a_symbol) (SAMPLE(?ak) AS ?a_kind)
       (SAMPLE(?bl) AS ?b_name) (SAMPLE(?bsym) AS ?b_symbol) (SAMPLE(?bk) AS ?b_kind)
       (SAMPLE(?by) AS ?stated_by) (SAMPLE(?ph) AS ?phrase) (SAMPLE(?duty) AS ?duty_id)
WHERE {
  { SELECT DISTINCT ?office ?link WHERE {
      ?dept a komp:Department ; org:unitOf ?office .
      ?inside org:subOrganizationOf* ?dept .
      ?link a komp:CooperationLink ; komp:party ?inside .
  } }
  ?link komp:party ?a, ?b .
  FILTER(STR(?a) < STR(?b))
  OPTIONAL { ?a skos:prefLabel ?al } OPTIONAL { ?a skos:notation ?asym }
  OPTIONAL { ?b skos:prefLabel ?bl } OPTIONAL { ?b skos:notation ?bsym }
  OPTIONAL { ?link komp:statedBy ?by }
  OPTIONAL { ?link komp:phrase ?ph }
  OPTIONAL { ?link prov:wasDerivedFrom ?duty . ?duty a komp:Duty }
""" + kind_of("a", "ak") + kind_of("b", "bk") + """
}
GROUP BY ?office ?link ?a ?b
ORDER BY ?link
"""

# --- competences ----------------------------------------------------------------------------------------

# Candidate duties for a free-text need, optionally of one office (bind ?office). One row per duty with its
# holder (the unit or department whose list it is on), the department and the office. Sub-items are rows
# too (?parent set), so the sub-items of a hit come from the same answer.
DUTY_CANDIDATES = PREFIXES + """
SELECT ?duty ?holder ?dept ?office (SAMPLE(?t) AS ?text) (SAMPLE(?pv) AS ?provision)
       (SAMPLE(?pvl) AS ?provision_label) (SAMPLE(?p) AS ?parent) (SAMPLE(?pt) AS ?parent_text)
       (SAMPLE(?hl) AS ?holder_name) (SAMPLE(?hs) AS ?holder_symbol)
       (SAMPLE(?dl) AS ?dept_name) (SAMPLE(?ds) AS ?dept_symbol)
       (SAMPLE(?mn) AS ?municipality) (SAMPLE(?ol) AS ?office_name)
       (SAMPLE(?n) AS ?item_number) (SAMPLE(?s) AS ?sequence)
WHERE {
  ?dept a komp:Department ; org:unitOf ?office .
  ?holder org:subOrganizationOf* ?dept .
  ?holder komp:hasDuty|^komp:dutyOf|komp:hasSharedDuty ?top .
  ?duty komp:subDutyOf* ?top ;
        dct:description ?t .
  OPTIONAL { ?duty komp:subDutyOf ?p . OPTIONAL { ?p dct:description ?pt } }
  OPTIONAL { ?duty komp:provision ?pv . OPTIONAL { ?pv eli:number ?pvl } }
  OPTIONAL { ?duty komp:itemNumber ?n }
  OPTIONAL { ?duty komp:sequence ?s }
  OPTIONAL { ?holder skos:prefLabel ?hl }
  OPTIONAL { ?holder skos:notation ?hs }
  OPTIONAL { ?dept skos:prefLabel ?dl }
  OPTIONAL { ?dept skos:notation ?ds }
  OPTIONAL { ?office komp:municipalityName ?mn }
  OPTIONAL { ?office skos:prefLabel ?ol }
}
GROUP BY ?duty ?holder ?dept ?office
"""


# --- text folding (the Python side of tolerant matching) -----------------------------------------------

_EXTRA_FOLDS = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ß": "ss"})


def fold(text: str | None) -> str:
    """Case- and diacritic-insensitive form of a text: casefold, ł→l, strip combining marks."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_EXTRA_FOLDS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# --- running a query ------------------------------------------------------------------------------------

Value = str | int | float | bool | None
Row = dict[str, Value]
_NUMERIC = {"integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"}


def iri_or_none(text: str) -> NamedNode | None:
    """The IRI as a term, or None when the text is not a valid IRI (so it can only mean "not found")."""
    try:
        return NamedNode(text)
    except ValueError:
        return None


def term_value(term: object) -> Value:
    """Plain Python value of a result term: IRIs and strings as str, integers as int, booleans as bool."""
    if term is None:
        return None
    if isinstance(term, Literal):
        local = term.datatype.value.rsplit("#", 1)[-1]
        if local in _NUMERIC:
            return int(term.value)
        if local in {"decimal", "double", "float"}:
            return float(term.value)
        if local == "boolean":
            return term.value in {"true", "1"}
    return getattr(term, "value", str(term))


async def select(store: Store, query: str, **bindings: str) -> list[Row]:
    """Run a SELECT with IRIs bound to variables; rows as dicts of plain values (unbound → None)."""
    substitutions = {Variable(name): NamedNode(iri) for name, iri in bindings.items()}
    solutions = await store.query(query, substitutions=substitutions)
    names = list(solutions.variables)
    return [{name: term_value(row[name]) for name in names} for row in solutions]


def split_values(joined: Value) -> list[str]:
    """The values of a GROUP_CONCAT with the unit separator, sorted."""
    return sorted(v for v in str(joined).split("\u001f") if v) if joined else []


def list_order(row: Row) -> tuple[int, str, str]:
    """Sort key of duty rows: position in the list, then item number, then IRI."""
    return (int(row.get("sequence") or 0), str(row.get("item_number") or ""), str(row.get("duty") or ""))


def text_or_none(value: object) -> str | None:
    """A cell as text (dates as ISO dates), or None."""
    if value is None:
        return None
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)
