"""SPARQL text for the units, competences, municipalities and pages routers.

Every query is a constant. User input never becomes query text: values reach a query only as bindings of
its variables (``?node``, ``?office``, ...) passed to the store as substitutions (SEP-0007). Queries read
the default graph, which is the union of all named graphs (docs/graph.md). Where the reasoner adds an
inverse or a super-property, the patterns accept both directions (``komp:hasDuty|^komp:dutyOf``), so the
answers do not depend on whether entailments were materialised.

Most queries give one row per thing; the unit page's node and duties come as facts instead (``?key
?value`` rows, read by `node_row`, `node_refs` and units.py's `duty_rows`), which pyoxigraph plans and
evaluates faster (see "How the unit queries are shaped" below).

The graph shape these queries follow is docs/graph.md.
"""

from __future__ import annotations

import asyncio
import functools
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from pyoxigraph import Literal, NamedNode, Variable

from kompetencje.api.store import Store
from kompetencje.vocab import KOMP_NS, sparql_prefixes

PREFIXES = sparql_prefixes()

# The kind of an organisational node, as a string the views and pages use: the first of these classes the
# node has (a single-person post is also a unit), else "other". KIND_BIND says it in SPARQL, `kind_from`
# in Python (for the queries that read a node's classes as facts).
KIND_CLASSES = (("SinglePersonPost", "post-unit"), ("Department", "department"), ("Unit", "unit"),
                ("Post", "post"), ("Office", "office"), ("ExternalOrganisation", "external"))
KIND_BIND = "\n  BIND(" + "".join(f'IF(EXISTS {{ ?NODE a komp:{c} }}, "{k}",\n       ' for c, k in KIND_CLASSES) \
    + '"other"' + ")" * len(KIND_CLASSES) + " AS ?KIND)\n"
_KIND_BY_CLASS = {KOMP_NS + c: k for c, k in KIND_CLASSES}


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

# How the unit queries are shaped for pyoxigraph 0.5 (each shape measured on a 10 % build, at 1 and 10 %):
# - the bound ?node is an inline VALUES block, the smallest pattern, so the plan starts from it and evaluates
#   what follows as lookups per row when it is a triple pattern, a path, an OPTIONAL, or a UNION whose every
#   branch is one of those (with BIND, FILTER EXISTS and OPTIONAL on top) on the same subject. A UNION branch
#   that joins two patterns, starts with OPTIONAL, or holds a sequence path (p*/q), and an OPTIONAL over a
#   UNION of branches on different subjects, are evaluated over the whole store (5 to 30 ms at 10 % instead of
#   < 1 ms): such a join is written as FILTER EXISTS, an inverse path, or an OPTIONAL inside the branch.
# - planning a chain of n OPTIONALs takes time growing faster than n squared (8: 0.13 ms, 16: 0.9 ms, more
#   than the lookups); a UNION of n branches plans in linear time. Where no GROUP BY is needed, a query gives
#   facts (?key ?value rows) read in Python (`node_row`, `duty_rows`): the first value of a key in the rows'
#   order is the one SAMPLE gives (oxigraph's SAMPLE keeps the first bound value).
# - the rows of a GROUP BY come out in an order of its own (a hash of the keys): a query whose ORDER BY can
#   tie (COOPERATION: two links with one partner) keeps its GROUP BY, so that ties keep their order.

# One organisational node (unit, department, post, office, external organisation) as one row: bind ?node.
# (The API reads the same from NODE_FACTS, in half the time; this is the form for a single row.)
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

def _node_facts(refs: str) -> str:
    """NODE as facts: the node's classes (its kind; a node without a class is not there), labels, symbol,
    unit type and parents (?key ?value), and one "up" row per step of org:subOrganizationOf / org:postIn up
    from the node itself (the steps NODE's paths take, in the order they take them), flagging departments
    and the offices it is a unit of. `refs` is an OPTIONAL giving facts (?ref_key ?ref_value) of ?value."""
    return PREFIXES + """
SELECT ?node ?key ?value ?is_dept ?office ?is_office ?municipality""" + (" ?ref_key ?ref_value" if refs else "") + """
WHERE {
  { ?node a ?value BIND("class" AS ?key) }
  UNION { ?node skos:prefLabel ?value BIND("name" AS ?key) }
  UNION { ?node skos:altLabel ?value BIND("alt_labels" AS ?key) }
  UNION { ?node skos:notation ?value BIND("symbol" AS ?key) }
  UNION { ?node komp:unitType ?value BIND("unit_type" AS ?key) }
  UNION { ?node org:subOrganizationOf|org:unitOf|org:postIn ?value BIND("parent" AS ?key)""" + refs + """ }
  UNION { ?node (org:subOrganizationOf|org:postIn)* ?value BIND("up" AS ?key)
          OPTIONAL { ?value a komp:Department BIND(true AS ?is_dept)""" + refs + """ }
          OPTIONAL { ?value org:unitOf ?office
                     OPTIONAL { ?office a komp:Office BIND(true AS ?is_office) }
                     OPTIONAL { ?office komp:municipalityName ?municipality } } }
}
"""


# Bind ?node. NODE_AND_REFS adds the classes, label and symbol of its parents and departments (?ref_key
# ?ref_value of the IRI in ?value), for the references of a unit's page.
NODE_FACTS = _node_facts("")
NODE_AND_REFS = _node_facts("""
    OPTIONAL { { ?value a ?ref_value BIND("class" AS ?ref_key) }
               UNION { ?value skos:prefLabel ?ref_value BIND("name" AS ?ref_key) }
               UNION { ?value skos:notation ?ref_value BIND("symbol" AS ?ref_key) } }""")


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

# All duties of a node, own and shared, with their sub-items (any depth) and the source spans of each:
# bind ?node. Facts, read by `duty_rows` and `span_rows` in api/routers/units.py: one row per fact of a duty
# (?key ?value; the number of a provision in ?label) and one per source span (?key "span" and the span's
# columns, as DUTY_SPANS gives them), each with ?sh (on a shared list) and ?holder (the department holding
# a shared duty) of the list the duty was found on. One pass over the lists and sub-items for both.
DUTIES = PREFIXES + """
SELECT ?node ?duty ?sh ?holder ?key ?value ?label ?span ?document ?start ?end ?title ?from ?until
WHERE {
  { ?node komp:hasDuty|^komp:dutyOf ?top . BIND(false AS ?sh) }
  UNION
  { ?node komp:hasSharedDuty ?top . BIND(true AS ?sh) }
  UNION
  { ?top komp:appliesTo ?node . OPTIONAL { ?holder komp:hasSharedDuty ?top } BIND(true AS ?sh) }
  ?duty komp:subDutyOf* ?top .
  OPTIONAL {
    { ?duty komp:subDutyOf ?value BIND("parent" AS ?key) }
    UNION { ?duty dct:description ?value BIND("text" AS ?key) }
    UNION { ?duty komp:itemNumber ?value BIND("item_number" AS ?key) }
    UNION { ?duty komp:sequence ?value BIND("sequence" AS ?key) }
    UNION { ?duty komp:dutyGroup ?value BIND("group" AS ?key) }
    UNION { ?duty komp:provision ?value BIND("provision" AS ?key) OPTIONAL { ?value eli:number ?label } }
    UNION { ?duty prov:wasDerivedFrom ?span FILTER EXISTS { ?span a komp:SourceSpan } BIND("span" AS ?key)
            OPTIONAL {
              ?span dct:isPartOf ?document . OPTIONAL { ?document dct:title ?title }
              OPTIONAL { ?document komp:inForceFrom ?from } OPTIONAL { ?document komp:inForceUntil ?until }
            }
            OPTIONAL { ?span komp:startLine ?start }
            OPTIONAL { ?span komp:endLine ?end } }
  }
}
"""

# Source spans of the duties of a node (own and shared, with sub-items): bind ?node. (The API reads them
# from DUTIES.)
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

# The direct superiors of the node and of every node above it (komp:reportsTo*), each with the provision of
# its reporting line (bind ?node): one row per ?sub (the node or a node above) and ?superior, as SUPERIORS
# gives for ?sub, in the order of SUPERIORS. The reporting chain is walked from these rows in one query.
SUPERIORS_UP = PREFIXES + """
SELECT ?node ?sub ?superior (SAMPLE(?l) AS ?name) (SAMPLE(?sym) AS ?symbol) (SAMPLE(?k) AS ?kind)
       (SAMPLE(?line) AS ?reporting_line) (SAMPLE(?pv) AS ?provision) (SAMPLE(?pvl) AS ?provision_label)
WHERE {
  ?node komp:reportsTo* ?sub .
  ?sub komp:reportsTo ?superior .
""" + kind_of("superior", "k") + """
  OPTIONAL { { ?superior skos:prefLabel ?l } UNION { ?superior skos:notation ?sym } }
  OPTIONAL {
    ?sub ^komp:subordinate ?line
    FILTER(EXISTS { ?line komp:superior ?superior } && EXISTS { ?line a komp:ReportingLine })
    OPTIONAL {
      ?line komp:provision|prov:wasDerivedFrom ?pv FILTER EXISTS { ?pv a eli:LegalResourceSubdivision }
      OPTIONAL { ?pv eli:number ?pvl }
    }
  }
}
GROUP BY ?node ?sub ?superior
ORDER BY ?sub ?superior
"""

# The direct superiors of a node with the provision of each reporting line: bind ?node. (The API walks the
# chain with SUPERIORS_UP.)
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


@functools.lru_cache(maxsize=256)
def _converter(datatype: str) -> Callable[[str], Value] | None:
    """How the lexical form of a literal of this datatype becomes its value (None: it stays a str)."""
    local = datatype.rsplit("#", 1)[-1]
    if local in _NUMERIC:
        return int
    if local in {"decimal", "double", "float"}:
        return float
    if local == "boolean":
        return lambda text: text in {"true", "1"}
    return None


def term_value(term: object) -> Value:
    """Plain Python value of a result term: IRIs and strings as str, integers as int, booleans as bool."""
    if term is None:
        return None
    if isinstance(term, Literal):
        convert = _converter(term.datatype.value)
        return term.value if convert is None else convert(term.value)
    return getattr(term, "value", str(term))


async def select(store: Store, query: str, **bindings: str) -> list[Row]:
    """Run a SELECT with IRIs bound to variables; rows as dicts of plain values (unbound → None)."""
    return as_rows(*await select_terms(store, query, **bindings))


async def select_terms(store: Store, query: str, **bindings: str) -> tuple[list[str], list[tuple]]:
    """Run a SELECT with IRIs bound to variables: its variable names and its rows as tuples of terms (None
    when unbound), in the order of the names. (Reading a solution by position is several times faster than
    by name, and queries read as facts need only some of their cells as values.)"""
    substitutions = {Variable(name): NamedNode(iri) for name, iri in bindings.items()}
    solutions = await store.query(query, substitutions=substitutions)
    return [getattr(v, "value", v) for v in solutions.variables], [tuple(row) for row in solutions]


async def select_all(store: Store, queries: Sequence[str], **bindings: str) -> list[tuple[list[str], list[tuple]]]:
    """`select_terms` of several queries with the same bound IRIs: on a store that can run a batch
    (`EmbeddedStore.query_all`) in one hand-over to its threads, on any other all at once."""
    substitutions = {Variable(name): NamedNode(iri) for name, iri in bindings.items()}
    run_all = getattr(store, "query_all", None)
    if run_all is None:
        return list(await asyncio.gather(*(select_terms(store, query, **bindings) for query in queries)))
    results = await run_all([(query, substitutions) for query in queries])
    return [([getattr(v, "value", v) for v in found.variables], [tuple(row) for row in found]) for found in results]


def as_rows(names: list[str], rows: list[tuple]) -> list[Row]:
    """Rows of terms (as `select_terms` gives them) as dicts of plain values, as `select` gives them."""
    return [{name: term_value(term) for name, term in zip(names, row, strict=True)} for row in rows]


# --- facts: queries that give (?key ?value) rows instead of one aggregated row ---------------------------

Facts = dict[str, list]  # key -> its values (terms), in the order of the rows; the first is SAMPLE's


def facts_of(rows: Iterable[tuple], key: int, value: int) -> Facts:
    """The bound values of each key, from the rows' columns at the positions `key` and `value`."""
    facts: Facts = {}
    for row in rows:
        if row[key] is not None and row[value] is not None:
            facts.setdefault(row[key].value, []).append(row[value])
    return facts


def first(facts: Facts, key: str) -> Value:
    """The first value of a key, as SAMPLE gives it (None when there is none)."""
    values = facts.get(key)
    return term_value(values[0]) if values else None


def kind_from(classes: Iterable[object]) -> str:
    """KIND_BIND in Python: the kind of a node with these classes (terms)."""
    found = {getattr(c, "value", None) for c in classes}
    return next((kind for iri, kind in _KIND_BY_CLASS.items() if iri in found), "other")


def joined(values: Iterable[object]) -> str | None:
    """GROUP_CONCAT(DISTINCT ...; SEPARATOR="\\u001f") of these terms: None when there is none."""
    distinct = list(dict.fromkeys(values))
    return "\u001f".join(str(getattr(v, "value", v)) for v in distinct) if distinct else None


def node_row(node: str, names: list[str], rows: list[tuple]) -> Row | None:
    """The row NODE gives for a node, from the NODE_FACTS (or NODE_AND_REFS) rows; None without a class."""
    at = {name: i for i, name in enumerate(names)}
    own = facts_of(rows, at["key"], at["value"])
    if not own.get("class"):
        return None
    up = [row for row in rows if row[at["key"]].value == "up"]
    return {"node": node, "name": first(own, "name"), "symbol": first(own, "symbol"),
            "unit_type": first(own, "unit_type"), "kind": kind_from(own["class"]), "parent": first(own, "parent"),
            "office": _first_where(up, at["is_office"], at["office"]),
            "dept": _first_where(up, at["is_dept"], at["value"]),
            "municipality": _first_where(up, at["municipality"], at["municipality"]),
            "alt_labels": joined(own.get("alt_labels", []))}


def _first_where(rows: list[tuple], flag: int, column: int) -> Value:
    """The value at `column` of the first row whose `flag` column is bound."""
    return next((term_value(row[column]) for row in rows if row[flag] is not None), None)


def node_refs(names: list[str], rows: list[tuple]) -> dict[str, Row]:
    """Name, symbol and kind (as NODE gives them) of each parent and department in NODE_AND_REFS rows, by IRI;
    a node without a class is left out, as NODE gives no row for it."""
    at = {name: i for i, name in enumerate(names)}
    by_ref: dict[str, list[tuple]] = {}
    for row in rows:
        if row[at["ref_key"]] is not None:
            by_ref.setdefault(row[at["value"]].value, []).append(row)
    refs = {}
    for iri, found in by_ref.items():
        facts = facts_of(found, at["ref_key"], at["ref_value"])
        if facts.get("class"):
            refs[iri] = {"name": first(facts, "name"), "symbol": first(facts, "symbol"),
                         "kind": kind_from(facts["class"])}
    return refs


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
