"""Compiled reasoning: the entailments of `reasoning.reason`, without running owlrl per document.

owlrl (OWL 2 RL) runs once, over the ontology (TBox) alone. What the closed TBox says about instance data
is then compiled into a few small rules, each of which reads *base* facts only, so one pass of every rule
(in any order) gives the whole closure:

- a **type rule** per class C: ``x a C`` ⇒ ``x a D`` for every kept super-class D;
- a **forward** and a **backward rule** per property p: ``x p y`` ⇒ the kept statements about x (resp. y)
  that follow from it through super-properties, ``owl:inverseOf`` and ``owl:SymmetricProperty``, with the
  kept types that ``rdfs:domain`` and ``rdfs:range`` give them (super-classes included);
- a **forward** and a **backward closure rule** per transitive property t: ``x E+ y``, where E is every base
  edge that entails a t-edge, ⇒ ``x t y`` and whatever that entails in turn.

Why one pass is enough: the super-property/inverse/symmetric steps are closed at compile time ("reach"),
and a t-edge is either entailed by one base edge or is a chain of them, and such chains are E+ (E is closed
under the same steps). Typing needs no closure rule: every chain starts and ends with an edge that the
forward/backward rules already type.

Only kept entailments are produced (``reasoning.is_kept``): types and properties in the project's
vocabularies, never about a literal or about one of the ontology's own terms, never ``owl:sameAs``.

Two executions of the same rules:

- ``apply_in_python(graph, rules)``: dict-indexed, for one document's graph; a pure function that a process
  pool can run (``entailments`` works on plain triples, for callers that ship N-Triples to workers);
- ``apply_in_store(store, rules)``: each rule is a SPARQL ``INSERT … WHERE`` over ``GRAPH ?g``, run by
  pyoxigraph in bulk over every named graph (each on its own), or over the named graphs given.

``compile_rules`` refuses an ontology with axioms the rules do not cover (restrictions, keys, property
chains, functional properties, …) instead of silently diverging from owlrl.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal as KindLiteral
from typing import TypeVar

import owlrl
import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kompetencje.loaders.reasoning import is_kept, load_ontology, tbox_terms
from kompetencje.vocab import PREFIXES

__all__ = [
    "Match",
    "Rule",
    "UnsupportedAxiom",
    "apply_in_python",
    "apply_in_store",
    "compile_rules",
    "entailments",
]

T = TypeVar("T")
Triple = tuple[Node, Node, Node]
Step = tuple[URIRef, bool]  # a base edge: (property, read backwards)
Pair = tuple[Node, Node]  # (the subject of the entailed statements, the other end)

UNSUPPORTED_PREDICATES = frozenset({
    OWL.propertyChainAxiom, OWL.hasKey, OWL.onProperty, OWL.intersectionOf, OWL.unionOf, OWL.oneOf,
    OWL.complementOf, OWL.hasValue, OWL.someValuesFrom, OWL.allValuesFrom, OWL.maxCardinality,
    OWL.maxQualifiedCardinality, OWL.cardinality, OWL.qualifiedCardinality,
})
UNSUPPORTED_TYPES = frozenset({OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.Restriction})
# A data graph that says any of these changes the TBox; the compiled rules would not see it.
SCHEMA_PREDICATES = frozenset({
    RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf, OWL.equivalentClass,
    OWL.equivalentProperty, OWL.sameAs, *UNSUPPORTED_PREDICATES,
})
SCHEMA_TYPES = frozenset({OWL.TransitiveProperty, OWL.SymmetricProperty, *UNSUPPORTED_TYPES})
TYPE = URIRef(str(RDF.type))  # a plain constant: attribute lookups on rdflib namespaces are slow in loops
_PROBE = URIRef("urn:x-kompetencje:probe")  # a subject that is_kept accepts, to ask it about a term
_SIMPLE_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class UnsupportedAxiom(ValueError):
    """The ontology (or a data graph) has an axiom whose entailments the compiled rules do not produce."""


# ----------------------------------------------------------------------------------------------------------
# Rules
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """What a rule reads, as (subject, other) pairs.

    - ``type``: ``?x a source`` → (x, None);
    - ``edge``: ``?x source ?y`` → (x, y), or (y, x) when ``backward``;
    - ``closure``: ``?x (steps)+ ?y`` → (x, y), or (y, x) when ``backward`` (``source``: the transitive
      property the chain entails).
    """

    kind: KindLiteral["type", "edge", "closure"]
    source: URIRef
    backward: bool = False
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Rule:
    """``match`` ⇒ ``subject q other`` for each q in ``properties``, ``subject a C`` for each C in
    ``classes``; never about a literal or one of the ``excluded`` terms (the ontology's own)."""

    name: str
    match: Match
    properties: tuple[URIRef, ...]
    classes: tuple[URIRef, ...]
    excluded: frozenset[URIRef]

    @property
    def sparql(self) -> str:
        """The rule as one SPARQL UPDATE over every named graph (``GRAPH ?g``)."""
        return self.update()

    def update(self, graph: str | None = None, exclude: Sequence[str] = ()) -> str:
        """The rule as one SPARQL UPDATE over one named graph, or (None) over every named graph but
        ``exclude``, each on its own."""
        return _update_text(self, graph, exclude)


def compile_rules(ontology: Graph | None = None) -> list[Rule]:
    """The rules that give, for any instance data, the kept entailments owlrl gives with this ontology."""
    ontology = ontology if ontology is not None else load_ontology()
    tbox = _Tbox(_closed(ontology))
    excluded = tbox_terms(ontology)
    rules = [_type_rule(c, tbox, excluded) for c in sorted(tbox.classes)]
    for prop in sorted(tbox.properties):
        rules += [_edge_rule(prop, backward, tbox, excluded) for backward in (False, True)]
    for prop in sorted(tbox.transitive):
        rules += [_closure_rule(prop, backward, tbox, excluded) for backward in (False, True)]
    return [rule for rule in rules if rule.properties or rule.classes]


def _closed(ontology: Graph) -> Graph:
    work = Graph()
    for triple in ontology:
        work.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(work)
    _refuse_unsupported(work, "the ontology")
    return work


def _refuse_unsupported(graph: Graph, where: str) -> None:
    found = sorted({str(p) for p in UNSUPPORTED_PREDICATES if (None, p, None) in graph}
                   | {str(t) for t in UNSUPPORTED_TYPES if (None, RDF.type, t) in graph}
                   | {f"{s} owl:sameAs {o}" for s, o in graph.subject_objects(OWL.sameAs) if s != o})
    if found:
        raise UnsupportedAxiom(f"{where} uses axioms the compiled rules do not cover: {', '.join(found)}")


class _Tbox:
    """The closed TBox, read into what the rules need: super-classes, reach of each property, domains."""

    def __init__(self, closed: Graph) -> None:
        self.super_classes = _reflexive_closure(_pairs(closed, RDFS.subClassOf, OWL.equivalentClass))
        self.super_properties = _reflexive_closure(_pairs(closed, RDFS.subPropertyOf, OWL.equivalentProperty))
        self.inverses: dict[URIRef, set[URIRef]] = defaultdict(set)
        for p, q in _pairs(closed, OWL.inverseOf):
            self.inverses[p].add(q)
            self.inverses[q].add(p)
        self.symmetric = {p for p in closed.subjects(RDF.type, OWL.SymmetricProperty) if isinstance(p, URIRef)}
        self.transitive = {p for p in closed.subjects(RDF.type, OWL.TransitiveProperty) if isinstance(p, URIRef)}
        self.domains = _grouped(_pairs(closed, RDFS.domain))
        self.ranges = _grouped(_pairs(closed, RDFS.range))
        self.classes = set(self.super_classes)
        self.properties = (set(self.super_properties) | set(self.inverses) | self.symmetric | self.transitive
                           | set(self.domains) | set(self.ranges))
        self._reach: dict[Step, frozenset[Step]] = {}

    def reach(self, step: Step) -> frozenset[Step]:
        """Every (q, flipped) such that ``x p y`` entails ``x q y`` (or ``y q x`` when flipped)."""
        if step not in self._reach:
            self._reach[step] = _bfs(step, self._next_steps)
        return self._reach[step]

    def _next_steps(self, step: Step) -> Iterator[Step]:
        prop, flipped = step
        yield from ((q, flipped) for q in self.super_properties.get(prop, ()))
        yield from ((q, not flipped) for q in self.inverses.get(prop, ()))
        if prop in self.symmetric:
            yield prop, not flipped

    def types(self, classes: Iterable[URIRef]) -> set[URIRef]:
        """The classes and all their super-classes."""
        return {d for c in classes for d in self.super_classes.get(c, {c})}

    def subject_types(self, steps: Iterable[Step]) -> set[URIRef]:
        """The types of x when ``x q y`` holds for unflipped steps, ``y q x`` for flipped ones."""
        return self.types(c for q, flipped in steps
                          for c in (self.ranges if flipped else self.domains).get(q, ()))


def _pairs(graph: Graph, *predicates: URIRef) -> list[tuple[URIRef, URIRef]]:
    found = []
    for predicate in predicates:
        for s, o in graph.subject_objects(predicate):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                found.append((s, o))
                if predicate in (OWL.equivalentClass, OWL.equivalentProperty):
                    found.append((o, s))
    return found


def _grouped(pairs: Iterable[tuple[URIRef, URIRef]]) -> dict[URIRef, set[URIRef]]:
    groups: dict[URIRef, set[URIRef]] = defaultdict(set)
    for a, b in pairs:
        groups[a].add(b)
    return dict(groups)


def _reflexive_closure(pairs: Iterable[tuple[URIRef, URIRef]]) -> dict[URIRef, frozenset[URIRef]]:
    direct = _grouped(pairs)
    nodes = set(direct) | {b for targets in direct.values() for b in targets}
    return {n: frozenset({n} | _bfs(n, lambda m: direct.get(m, ()))) for n in nodes}


def _bfs(start: T, successors: Callable[[T], Iterable[T]]) -> frozenset[T]:
    """Everything reachable from ``start`` by one step or more (``start`` itself only through a cycle)."""
    seen: set[T] = set()
    queue = deque(successors(start))
    while queue:
        node = queue.popleft()
        if node not in seen:
            seen.add(node)
            queue.extend(successors(node))
    return frozenset(seen)


def _kept_class(c: URIRef) -> bool:
    return is_kept((_PROBE, RDF.type, c), frozenset())


def _kept_property(p: URIRef) -> bool:
    return p != RDF.type and is_kept((_PROBE, p, _PROBE), frozenset())


def _type_rule(c: URIRef, tbox: _Tbox, excluded: frozenset[URIRef]) -> Rule:
    classes = sorted(d for d in tbox.types([c]) - {c} if _kept_class(d))
    return Rule(f"type {_term(c)}", Match("type", c), (), tuple(classes), excluded)


def _edge_rule(prop: URIRef, backward: bool, tbox: _Tbox, excluded: frozenset[URIRef]) -> Rule:
    """``x p y`` ⇒ statements about x (forward) or y (backward)."""
    steps = tbox.reach((prop, False)) | {(prop, False)}
    about = {(q, flipped != backward) for q, flipped in steps}  # as seen from the rule's subject
    properties = sorted(q for q, flipped in about if not flipped and _kept_property(q)
                        and (backward or q != prop))
    classes = sorted(c for c in tbox.subject_types(about) if _kept_class(c))
    name = f"{'backward' if backward else 'forward'} {_term(prop)}"
    return Rule(name, Match("edge", prop, backward), tuple(properties), tuple(classes), excluded)


def _closure_rule(prop: URIRef, backward: bool, tbox: _Tbox, excluded: frozenset[URIRef]) -> Rule:
    """``x E+ y`` ⇒ ``x t y`` and its consequences, E being every base edge that entails a t-edge."""
    steps = tuple(sorted(_chain_steps(prop, tbox)))
    about = {(q, flipped != backward) for q, flipped in tbox.reach((prop, False)) | {(prop, False)}}
    properties = sorted(q for q, flipped in about if not flipped and _kept_property(q))
    name = f"{'backward' if backward else 'forward'} closure {_term(prop)}"
    return Rule(name, Match("closure", prop, backward, steps), tuple(properties), (), excluded)


def _chain_steps(prop: URIRef, tbox: _Tbox) -> set[Step]:
    steps = {(prop, False)}
    for p in tbox.properties:
        reach = tbox.reach((p, False)) | {(p, False)}
        steps |= {(p, flipped) for q, flipped in reach if q == prop}
    return steps


# ----------------------------------------------------------------------------------------------------------
# Execution in Python
# ----------------------------------------------------------------------------------------------------------


class _Index:
    """The pairs (s, o) of each predicate, and the subjects of each class, fetched once when a rule asks.

    From an rdflib graph they come from its own indexes (no scan of the triples no rule reads); from plain
    triples, from one pass that groups them by predicate.
    """

    def __init__(self, data: Graph | Iterable[Triple]) -> None:
        self._cache: dict[Node, list[Pair]] = {}
        if isinstance(data, Graph):
            self._graph: Graph | None = data
            self._grouped: dict[Node, list[Pair]] = {}
        else:
            self._graph = None
            self._grouped = defaultdict(list)
            for s, p, o in data:
                self._grouped[p].append((s, o))
        self._classes: dict[Node, list[Node]] | None = None
        self._closures: dict[tuple[Step, ...], list[Pair]] = {}

    def pairs(self, predicate: Node) -> list[Pair]:
        if self._graph is None:
            return self._grouped.get(predicate, [])
        if predicate not in self._cache:
            self._cache[predicate] = list(self._graph.subject_objects(predicate))
        return self._cache[predicate]

    def subjects(self, cls: Node) -> list[Node]:
        if self._classes is None:
            self._classes = defaultdict(list)
            for s, o in self.pairs(TYPE):
                self._classes[o].append(s)
        return self._classes.get(cls, [])

    def refuse_schema(self) -> None:
        found = sorted({str(p) for p in SCHEMA_PREDICATES if self.pairs(p)}
                       | {str(t) for t in SCHEMA_TYPES if self.subjects(t)})
        if found:
            raise UnsupportedAxiom(f"the data graph states schema axioms: {', '.join(found)}")

    def matches(self, match: Match) -> Iterable[Pair]:
        if match.kind == "type":
            return ((x, None) for x in self.subjects(match.source))
        pairs = self.pairs(match.source) if match.kind == "edge" else self.closure(match.steps)
        return ((y, x) for x, y in pairs) if match.backward else pairs

    def closure(self, steps: tuple[Step, ...]) -> list[Pair]:
        if steps not in self._closures:
            self._closures[steps] = _transitive_closure(self._edges(steps))
        return self._closures[steps]

    def _edges(self, steps: tuple[Step, ...]) -> Iterator[Pair]:
        for prop, backward in steps:
            for s, o in self.pairs(prop):
                yield (o, s) if backward else (s, o)


def _transitive_closure(edges: Iterable[Pair]) -> list[Pair]:
    """All (a, b) with a path of one edge or more from a to b: a breadth-first search from each node with
    an edge, which stays in that node's connected component (a reporting chain, one office's tree)."""
    successors: dict[Node, set[Node]] = defaultdict(set)
    for a, b in edges:
        successors[a].add(b)
    return [(start, end) for start in successors
            for end in _bfs(start, lambda n: successors.get(n, ()))]


def entailments(data: Graph | Iterable[Triple], rules: Sequence[Rule], *, check: bool = True) -> set[Triple]:
    """The kept statements the rules entail from a graph or from plain triples (some may be there already).

    Pure, and picklable in and out: a process pool can run it on each document's triples. ``check``
    refuses data that states schema axioms (rdfs:subClassOf, owl:inverseOf, …), which the rules ignore.
    """
    index = _Index(data)
    if check:
        index.refuse_schema()
    found: set[Triple] = set()
    for rule in rules:
        excluded = rule.excluded
        for subject, other in index.matches(rule.match):
            if isinstance(subject, Literal) or subject in excluded:
                continue
            found.update((subject, TYPE, c) for c in rule.classes)
            if other is not None:
                found.update((subject, q, other) for q in rule.properties)
    return found


def apply_in_python(graph: Graph, rules: Sequence[Rule], *, in_place: bool = False) -> Graph:
    """The graph plus its kept entailments, as `reasoning.reason`: a new graph (the input is not changed),
    or the input graph itself with ``in_place`` (no copy: a third of the time on large graphs)."""
    if in_place:
        graph.addN((s, p, o, graph) for s, p, o in entailments(graph, rules))
        return graph
    result = Graph()
    result.addN((s, p, o, result) for s, p, o in graph)
    result.addN((s, p, o, result) for s, p, o in entailments(graph, rules))
    return result


# ----------------------------------------------------------------------------------------------------------
# Execution in a pyoxigraph store
# ----------------------------------------------------------------------------------------------------------


def apply_in_store(store: ox.Store, rules: Sequence[Rule], graph_names: Iterable[str | ox.NamedNode] | None = None,
                   *, exclude: Iterable[str | ox.NamedNode] = (), bulk_load: bool = False) -> None:
    """Add each named graph's kept entailments to that graph, each graph on its own.

    ``graph_names`` None (the bulk case): one SPARQL UPDATE per rule over every named graph but ``exclude``
    (the ontology's, the concepts', the closure graph: not instance data, or not one document's). Given
    names: one update per rule and graph, which suits a few graphs (an incremental build); for thousands,
    the bulk form is ~10 times faster. One pass is enough (see the module's docstring).

    ``bulk_load`` (bulk case only): run each rule's WHERE as a SELECT and add all the entailments at the end
    with ``Store.bulk_extend`` (no transaction): the same quads, ~3 times faster on an on-disk store, where
    large updates are slow. Not atomic: for a staging store that is thrown away on failure.
    """
    if graph_names is not None:
        for name in graph_names:
            for rule in rules:
                store.update(rule.update(_iri(name)))
        return
    skipped = [_iri(n) for n in exclude]
    if not bulk_load:
        for rule in rules:
            store.update(rule.update(None, skipped))
        return
    quads: list[ox.Quad] = []
    for rule in rules:
        quads += _entailed_quads(store, rule, skipped)
    store.bulk_extend(quads)


def _entailed_quads(store: ox.Store, rule: Rule, exclude: Sequence[str]) -> Iterator[ox.Quad]:
    subject, other = ("y", "x") if rule.match.backward else ("x", "y")
    kind = ox.NamedNode(str(TYPE))
    classes = [ox.NamedNode(str(c)) for c in rule.classes]
    properties = [ox.NamedNode(str(q)) for q in rule.properties]
    for row in store.query(_select_text(rule, exclude)):
        graph, node, value = row["g"], row[subject], row[other]
        yield from (ox.Quad(node, kind, c, graph) for c in classes)
        yield from (ox.Quad(node, q, value, graph) for q in properties)


def _iri(name: str | ox.NamedNode) -> str:
    return name.value if isinstance(name, ox.NamedNode) else str(name)


def _update_text(rule: Rule, graph: str | None, exclude: Sequence[str]) -> str:
    g = f"<{graph}>" if graph is not None else "?g"
    subject, other = ("?y", "?x") if rule.match.backward else ("?x", "?y")
    heads = [f"{subject} a {_term(c)} ." for c in rule.classes]
    heads += [f"{subject} {_term(q)} {other} ." for q in rule.properties]
    body = "INSERT { GRAPH " + g + " {\n    " + "\n    ".join(heads) + "\n  } }\n" + _where(rule, g, exclude)
    return f"# {rule.name}\n{_prefixes(body)}{body}"


def _select_text(rule: Rule, exclude: Sequence[str]) -> str:
    """The rule's WHERE as a SELECT of ?g ?x ?y over every named graph but ``exclude``."""
    body = "SELECT ?g ?x ?y\n" + _where(rule, "?g", exclude)
    return f"# {rule.name}\n{_prefixes(body)}{body}"


def _where(rule: Rule, g: str, exclude: Sequence[str]) -> str:
    subject = "?y" if rule.match.backward else "?x"
    guard = f"FILTER(!isLiteral({subject})"
    if rule.excluded:
        guard += f" && {subject} NOT IN ({', '.join(_term(t) for t in sorted(rule.excluded))})"
    if g == "?g" and exclude:
        guard += f" && ?g NOT IN ({', '.join(f'<{e}>' for e in exclude)})"
    return f"WHERE {{\n  GRAPH {g} {{ {_pattern(rule.match)} }}\n  {guard})\n}}"


def _pattern(match: Match) -> str:
    if match.kind == "type":
        return f"?x a {_term(match.source)}"
    if match.kind == "edge":
        return f"?x {_term(match.source)} ?y"
    path = "|".join(("^" if backward else "") + _term(prop) for prop, backward in match.steps)
    return f"?x ({path})+ ?y"


def _prefixes(body: str) -> str:
    """PREFIX lines for the prefixes the body uses."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()
                   if re.search(rf"(?<![\w:<]){p}:", body))


def _term(node: Node) -> str:
    if isinstance(node, BNode):
        raise UnsupportedAxiom(f"a blank node in a rule: {node}")
    text = str(node)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and _SIMPLE_LOCAL.match(text[len(namespace):]):
            return f"{prefix}:{text[len(namespace):]}"
    return f"<{text}>"
