"""Compiled validation: the project's SHACL shapes as SPARQL SELECTs, run by pyoxigraph over the store.

pySHACL validates ~3,000-4,000 triples/s per process, too slow for a national corpus. Here each constraint
of ``shapes/*.ttl`` becomes one SELECT over ``GRAPH ?g`` (each document's named graph on its own, as the
build validates one document at a time); a solution is a validation result. Only the graphs with results are
then turned into a report, by the same code that turns pySHACL's results into one
(``kompetencje.validation``), so the report reads the same: same results, messages, paths, lines.

The SHACL subset compiled is what the shapes use: targets (class, subjects of, objects of), predicate,
inverse and alternative paths, and the components class, datatype, nodeKind, pattern, languageIn,
minLength, in, minInclusive, maxInclusive, or, xone, not, node, property, minCount, maxCount,
qualifiedValueShape with qualifiedMinCount/qualifiedMaxCount, disjoint, lessThanOrEquals, uniqueLang and
SPARQL-based constraints. ``compile_shapes`` refuses anything else (``UnsupportedShape``).

Class membership follows SHACL (``rdf:type/rdfs:subClassOf*``) with the sub-classes taken from the ontology
at compile time, as pySHACL does with the ontology mixed into the data graph.

Where the two may differ (none of it happens in the seeds, the fixtures or the damaged seeds of the tests):

- the store holds literals in canonical form ("1.0"^^xsd:decimal is "1", "x"@PL is "x"@pl), so
  ``sh:pattern`` and ``sh:minLength`` see the canonical lexical form of numbers; pySHACL sees the written one;
- values that cannot be compared (an ill-formed date against a number) break ``sh:minInclusive``,
  ``sh:maxInclusive`` and ``sh:lessThanOrEquals`` here, as SHACL says; pySHACL raises TypeError or passes them;
- SPARQL-based constraints run on pyoxigraph instead of rdflib: a zero-length path from a literal (a literal
  where an IRI belongs) matches here and not in rdflib;
- an ill-formed literal is one whose cast to its datatype fails in pyoxigraph; rdflib is laxer about
  white space (" 5"^^xsd:integer).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal as KindLiteral

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from kompetencje.validation import ValidationReport, _Locator, _shapes, _sort_key, _violation
from kompetencje.vocab import PREFIXES

__all__ = [
    "Check",
    "Finding",
    "UnsupportedShape",
    "compile_shapes",
    "load_graph",
    "report_for",
    "validate_graph_compiled",
    "validate_in_store",
]

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
# Datatypes whose ill-formed literals ("2021-13-45"^^xsd:date) pySHACL rejects (rdflib cannot read them); the
# store keeps them as written, and a cast of their lexical form to the datatype fails.
CASTABLE = frozenset(XSD_NS + name for name in ("integer", "decimal", "double", "float", "boolean", "date",
                                                 "dateTime", "time"))
VALUE_COMPONENTS = {  # parameter → component, for constraints on each value node
    SH["class"]: SH.ClassConstraintComponent, SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent, SH.pattern: SH.PatternConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent, SH.minLength: SH.MinLengthConstraintComponent,
    SH["in"]: SH.InConstraintComponent, SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent, SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent, SH["not"]: SH.NotConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
}
COUNT_COMPONENTS = {SH.minCount: SH.MinCountConstraintComponent, SH.maxCount: SH.MaxCountConstraintComponent}
PAIR_COMPONENTS = {SH.disjoint: SH.DisjointConstraintComponent,
                   SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
                   SH.uniqueLang: SH.UniqueLangConstraintComponent}
QUALIFIED = {SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
             SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent}
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
# What each kind of shape may say (anything else is refused, not ignored)
COMMON = frozenset({RDF.type, RDFS.label, RDFS.comment, SH.message, SH.severity, SH.name, SH.description,
                    SH.flags, *VALUE_COMPONENTS})
INNER_NODE = COMMON | {SH.property}
TOP_NODE = INNER_NODE | {SH.sparql, *TARGETS}
INNER_PROPERTY = COMMON | {SH.path, SH.qualifiedValueShape, *COUNT_COMPONENTS, *QUALIFIED}
TOP_PROPERTY = INNER_PROPERTY | set(PAIR_COMPONENTS)
NODE_KINDS = {SH.IRI: "isIRI({v})", SH.Literal: "isLiteral({v})", SH.BlankNode: "isBlank({v})",
              SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
              SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
              SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))"}
_GRAPH_VARIABLE = re.compile(r"\?g\b")
_SELECT_BODY = re.compile(r"\bWHERE\s*\{(.*)\}\s*$", re.S | re.I)


class UnsupportedShape(ValueError):
    """The shapes use a SHACL feature the compiler does not translate."""


# ----------------------------------------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One constraint as a SELECT: each solution (?g ?this [?value] [?path]) is one validation result."""

    name: str
    shape: Node  # sh:sourceShape
    component: URIRef  # sh:sourceConstraintComponent
    severity: URIRef
    focus: str  # the focus nodes: a pattern over the graph ?g that binds ?this
    where: str  # what is wrong with a focus node (GRAPH ?g { … } and FILTERs); binds ?value, ?path if any
    value: KindLiteral["value", "focus", "none"] = "value"  # where sh:value comes from
    path: Node | None = None  # sh:resultPath (a node of the shapes graph), unless ?path is bound
    constraint: Node | None = None  # sh:sourceConstraint (SPARQL-based constraints)
    distinct: bool = True
    prefixes: str = ""
    extra: str = ""  # more variables to project (a result per solution, not per value)

    def query(self, graph: str | None = None, exclude: Sequence[str] = ()) -> str:
        """The SELECT over one named graph, or (None) over every named graph but ``exclude``, each on its own."""
        g = f"<{graph}>" if graph is not None else "?g"
        projection = ("?g " if graph is None else "") + "?this" + (" ?value" if self.value == "value" else "")
        projection += " ?path" + self.extra
        skip = f" FILTER(?g NOT IN ({', '.join(f'<{e}>' for e in exclude)}))" if graph is None and exclude else ""
        # The focus nodes come from a sub-select that projects ?g: inside GRAPH ?g, pyoxigraph 0.5 evaluates
        # a sub-select over all graphs and leaves ?g unbound.
        focus = f"SELECT DISTINCT {'?g ' if graph is None else ''}?this WHERE {{ GRAPH {g} {{ {self.focus} }}{skip} }}"
        return (f"# {self.name}\n{self.prefixes}SELECT {'DISTINCT ' if self.distinct else ''}{projection}\n"
                f"WHERE {{\n  {{ {focus} }}\n{_GRAPH_VARIABLE.sub(g, self.where)}\n}}")


@dataclass(frozen=True)
class Finding:
    """One solution of a check: a validation result in one named graph (pyoxigraph terms)."""

    check: Check
    graph: str
    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    path: ox.NamedNode | None


def compile_shapes(shapes: Graph | None = None, ontology: Graph | None = None) -> list[Check]:
    """Every constraint of the shapes (default: the project's) as a check; ``ontology`` gives sub-classes."""
    compiler = _Compiler(shapes if shapes is not None else _shapes(), ontology)
    return compiler.checks()


class _Compiler:
    def __init__(self, shapes: Graph, ontology: Graph | None) -> None:
        self.g = shapes
        self.subclasses = _subclass_closure(ontology)
        self.counter = itertools.count()
        declared = {str(p): str(n) for d in shapes.objects(None, SH.declare)
                    for p, n in [(shapes.value(d, SH.prefix), shapes.value(d, SH.namespace))] if p and n}
        merged = {**PREFIXES, **declared}
        self.prefixes = "".join(f"PREFIX {p}: <{n}>\n" for p, n in merged.items())

    # -- top level ---------------------------------------------------------------------------------------

    def checks(self) -> list[Check]:
        found: list[Check] = []
        for shape in sorted({s for t in TARGETS for s in self.g.subjects(t, None)}, key=str):
            found += self._shape_checks(shape)
        return found

    def _shape_checks(self, shape: Node) -> Iterator[Check]:
        focus = self._focus(shape)
        self._refuse_unknown(shape, TOP_NODE)
        yield from self._value_checks(shape, focus, None)
        for prop in self.g.objects(shape, SH.property):
            yield from self._property_checks(prop, focus)
        for constraint in self.g.objects(shape, SH.sparql):
            yield self._sparql_check(shape, constraint, focus)

    def _focus(self, shape: Node) -> str:
        """The focus nodes of a shape: a pattern that binds ?this."""
        parts = []
        for cls in self.g.objects(shape, SH.targetClass):
            c = self._var("c")
            parts.append(f"?this a ?{c} . VALUES ?{c} {{ {self._classes(cls)} }}")
        for prop in self.g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"?this {_term(prop)} ?{self._var('o')} .")
        for prop in self.g.objects(shape, SH.targetObjectsOf):
            parts.append(f"?{self._var('s')} {_term(prop)} ?this .")
        return " UNION ".join(f"{{ {p} }}" for p in parts)

    def _property_checks(self, prop: Node, focus: str) -> Iterator[Check]:
        self._refuse_unknown(prop, TOP_PROPERTY)
        path = self.g.value(prop, SH.path)
        if path is None:
            raise UnsupportedShape(f"property shape {prop} has no sh:path")
        yield from self._value_checks(prop, focus, path)
        yield from self._count_checks(prop, focus, path)
        yield from self._pair_checks(prop, focus, path)

    def _check(self, shape: Node, component: URIRef, focus: str, where: str, **kwargs) -> Check:
        severity = self.g.value(shape, SH.severity) or SH.Violation
        name = f"{_term(shape) if isinstance(shape, URIRef) else 'shape'} {_term(component)}"
        return Check(name, shape, component, severity, focus, where, prefixes=self.prefixes, **kwargs)

    def _value_checks(self, shape: Node, focus: str, path: Node | None) -> Iterator[Check]:
        """A result per value node that breaks the constraint (the focus node itself for a node shape)."""
        for parameter, component in VALUE_COMPONENTS.items():
            for argument in self.g.objects(shape, parameter):
                test = self._value_test(shape, parameter, argument, "?this" if path is None else "?value")
                if path is None:
                    yield self._check(shape, component, focus, f"  FILTER(!({test}))", value="focus")
                else:
                    where = f"  GRAPH ?g {{ ?this {self._path(path)} ?value }}\n  FILTER(!({test}))"
                    yield self._check(shape, component, focus, where, path=path)

    def _count_checks(self, prop: Node, focus: str, path: Node) -> Iterator[Check]:
        sparql_path = self._path(path)
        counts = [(p, c, None) for p, c in COUNT_COMPONENTS.items()]
        qualified = self.g.value(prop, SH.qualifiedValueShape)
        counts += [(p, c, qualified) for p, c in QUALIFIED.items()] if qualified is not None else []
        for parameter, component, inner in counts:
            for limit in self.g.objects(prop, parameter):
                n, minimum = int(limit), parameter in (SH.minCount, SH.qualifiedMinCount)
                if minimum and n < 1:
                    continue
                has = self._at_least("?this", sparql_path, n if minimum else n + 1, inner)
                where = f"  FILTER({'!' if minimum else ''}{has})"
                yield self._check(prop, component, focus, where, value="none", path=path)

    def _pair_checks(self, prop: Node, focus: str, path: Node) -> Iterator[Check]:
        sparql_path = self._path(path)
        for other in self.g.objects(prop, SH.disjoint):
            where = f"  GRAPH ?g {{ ?this {sparql_path} ?value . ?this {_term(other)} ?value }}"
            yield self._check(prop, SH.DisjointConstraintComponent, focus, where, path=path)
        for other in self.g.objects(prop, SH.lessThanOrEquals):
            where = (f"  GRAPH ?g {{ ?this {sparql_path} ?value . ?this {_term(other)} ?other }}\n"
                     "  FILTER(!COALESCE(?value <= ?other, false))")
            yield self._check(prop, SH.LessThanOrEqualsConstraintComponent, focus, where, path=path,
                              extra=" ?other")
        for flag in self.g.objects(prop, SH.uniqueLang):
            if flag.toPython() is True:
                where = (f"  GRAPH ?g {{ ?this {sparql_path} ?a, ?b }}\n"
                         "  FILTER(!sameTerm(?a, ?b) && LANG(?a) != \"\" && LCASE(LANG(?a)) = LCASE(LANG(?b)))\n"
                         "  BIND(LCASE(LANG(?a)) AS ?language)")
                yield self._check(prop, SH.UniqueLangConstraintComponent, focus, where, path=path,
                                  value="none", extra=" ?language")

    def _sparql_check(self, shape: Node, constraint: Node, focus: str) -> Check:
        select = str(self.g.value(constraint, SH.select) or "")
        body = _SELECT_BODY.search(select.replace("$this", "?this"))
        if body is None or "?value" not in select or _GRAPH_VARIABLE.search(select):
            raise UnsupportedShape(f"SPARQL constraint {constraint}: no WHERE {{ … }}, no ?value, or a ?g")
        # pySHACL drops repeated solutions of the projected variables; so does DISTINCT
        projected = re.search(r"SELECT\s+(?:DISTINCT\s+)?(.*?)\s+WHERE", select, re.S | re.I)
        names = set(re.findall(r"[?$](\w+)", projected.group(1) if projected else "")) - {"this", "value", "path"}
        return self._check(shape, SH.SPARQLConstraintComponent, focus, f"  GRAPH ?g {{\n{body.group(1)}\n  }}",
                           constraint=constraint, extra="".join(f" ?{n}" for n in sorted(names)))

    # -- conformance of a node to an inner shape, as a SPARQL expression ---------------------------------

    def _conforms(self, shape: Node, v: str) -> str:
        if self.g.value(shape, SH.path) is not None:
            return self._property_conforms(shape, v)
        self._refuse_unknown(shape, INNER_NODE)
        parts = [self._value_test(shape, p, a, v) for p in VALUE_COMPONENTS for a in self.g.objects(shape, p)]
        parts += [self._property_conforms(prop, v) for prop in self.g.objects(shape, SH.property)]
        return "(" + (" && ".join(parts) or "true") + ")"

    def _property_conforms(self, prop: Node, v: str) -> str:
        self._refuse_unknown(prop, INNER_PROPERTY)
        path = self._path(self.g.value(prop, SH.path))
        parts = []
        for parameter in VALUE_COMPONENTS:
            for argument in self.g.objects(prop, parameter):
                x = "?" + self._var("x")
                test = self._value_test(prop, parameter, argument, x)
                parts.append(f"NOT EXISTS {{ GRAPH ?g {{ {v} {path} {x} }} FILTER(!({test})) }}")
        qualified = self.g.value(prop, SH.qualifiedValueShape)
        for parameter, inner in [(SH.minCount, None), (SH.maxCount, None),
                                 (SH.qualifiedMinCount, qualified), (SH.qualifiedMaxCount, qualified)]:
            for limit in self.g.objects(prop, parameter):
                n = int(limit)
                if parameter in (SH.minCount, SH.qualifiedMinCount):
                    parts.append(self._at_least(v, path, n, inner) if n > 0 else "true")
                else:
                    parts.append("!" + self._at_least(v, path, n + 1, inner))
        return "(" + (" && ".join(parts) or "true") + ")"

    def _at_least(self, v: str, path: str, n: int, inner: Node | None) -> str:
        """EXISTS n distinct values of the path (conforming to ``inner`` when given)."""
        names = [f"?{self._var('n')}" for _ in range(n)]
        triples = " ".join(f"{v} {path} {x} ." for x in names)
        tests = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2)]
        tests += [self._conforms(inner, x) for x in names] if inner is not None else []
        return f"EXISTS {{ GRAPH ?g {{ {triples} }}" + (f" FILTER({' && '.join(tests)})" if tests else "") + " }"

    def _value_test(self, shape: Node, parameter: URIRef, argument: Node, v: str) -> str:
        """True when the value node ``v`` meets ``shape``'s constraint ``parameter argument``."""
        if parameter == SH["class"]:
            c = self._var("t")
            return f"EXISTS {{ GRAPH ?g {{ {v} a ?{c} . VALUES ?{c} {{ {self._classes(argument)} }} }} }}"
        if parameter == SH.datatype:
            return _datatype_test(argument, v)
        if parameter == SH.nodeKind:
            return NODE_KINDS[argument].format(v=v)
        if parameter == SH.pattern:
            flags = self.g.value(shape, SH.flags)
            args = f"STR({v}), {_string(str(argument))}" + (f", {_string(str(flags))}" if flags else "")
            return f"(!isBlank({v}) && REGEX({args}))"
        if parameter == SH.languageIn:
            ranges = " || ".join(f"LANGMATCHES(LANG({v}), {_string(str(r))})" for r in self._list(argument))
            return f"(isLiteral({v}) && ({ranges or 'false'}))"
        if parameter == SH.minLength:
            return f"(!isBlank({v}) && STRLEN(STR({v})) >= {int(argument)})"
        if parameter == SH["in"]:
            return "(" + (" || ".join(f"sameTerm({v}, {_term(x)})" for x in self._list(argument)) or "false") + ")"
        if parameter in (SH.minInclusive, SH.maxInclusive):
            op = ">=" if parameter == SH.minInclusive else "<="
            return f"(isLiteral({v}) && COALESCE({v} {op} {_term(argument)}, false))"
        if parameter == SH["or"]:
            return "(" + " || ".join(self._conforms(s, v) for s in self._list(argument)) + ")"
        if parameter == SH.xone:
            return "(" + " + ".join(f"IF({self._conforms(s, v)}, 1, 0)" for s in self._list(argument)) + " = 1)"
        if parameter == SH["not"]:
            return f"!{self._conforms(argument, v)}"
        if parameter == SH.node:
            return self._conforms(argument, v)
        raise UnsupportedShape(f"constraint {parameter}")

    # -- helpers -----------------------------------------------------------------------------------------

    def _refuse_unknown(self, shape: Node, allowed: frozenset[URIRef]) -> None:
        unknown = set(self.g.predicates(shape, None)) - allowed
        if unknown:
            raise UnsupportedShape(f"shape {shape}: {', '.join(sorted(map(str, unknown)))}")

    def _classes(self, cls: Node) -> str:
        return " ".join(_term(c) for c in sorted(self.subclasses.get(cls, {cls}), key=str))

    def _path(self, path: Node | None) -> str:
        if isinstance(path, URIRef):
            return _term(path)
        if path is None:
            raise UnsupportedShape("a property shape without sh:path")
        inverse = self.g.value(path, SH.inversePath)
        if inverse is not None:
            return f"^{self._path(inverse)}"
        alternatives = self.g.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self._path(p) for p in self._list(alternatives)) + ")"
        if self.g.value(path, RDF.first) is not None:
            return "(" + "/".join(self._path(p) for p in self._list(path)) + ")"
        raise UnsupportedShape(f"path {path}")

    def _list(self, node: Node) -> list[Node]:
        return list(Collection(self.g, node))

    def _var(self, stem: str) -> str:
        return f"{stem}{next(self.counter)}"


def _subclass_closure(ontology: Graph | None) -> dict[Node, set[Node]]:
    """Each class and all its sub-classes (rdfs:subClassOf*), as SHACL class membership reads them."""
    if ontology is None:
        return {}
    children: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        children[sup].add(sub)
    closure: dict[Node, set[Node]] = {}
    for cls in list(children):
        seen, stack = {cls}, [cls]
        while stack:
            for sub in children.get(stack.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    stack.append(sub)
        closure[cls] = seen
    return closure


def _datatype_test(datatype: Node, v: str) -> str:
    if datatype == RDF.langString:
        return f"(isLiteral({v}) && LANG({v}) != \"\")"
    test = f"(isLiteral({v}) && DATATYPE({v}) = {_term(datatype)}"
    if str(datatype) in CASTABLE:
        test += f" && COALESCE(STRLEN(STR({_term(datatype)}(STR({v})))) >= 0, false)"
    return test + ")"


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShape(f"a blank node where a term is expected: {node}")


# ----------------------------------------------------------------------------------------------------------
# Running the checks
# ----------------------------------------------------------------------------------------------------------


def validate_in_store(store: ox.Store, checks: Sequence[Check],
                      graph_names: Iterable[str | ox.NamedNode] | None = None,
                      *, exclude: Iterable[str | ox.NamedNode] = ()) -> dict[str, list[Finding]]:
    """The findings of every check, by named graph (each validated on its own); graphs that conform are absent.

    ``graph_names`` None (the bulk case): one SELECT per check over every named graph but ``exclude`` (the
    ontology's, the concepts', the closure graph). Given names: one SELECT per check and graph, which suits a
    few graphs; for thousands, the bulk form is much faster.
    """
    found: dict[str, list[Finding]] = defaultdict(list)
    if graph_names is None:
        skipped = [_iri(n) for n in exclude]
        for check in checks:
            for row in store.query(check.query(None, skipped)):
                found[row["g"].value].append(_finding(check, row, row["g"].value))
        return dict(found)
    for name in map(_iri, graph_names):
        for check in checks:
            found[name] += [_finding(check, row, name) for row in store.query(check.query(name))]
    return {name: findings for name, findings in found.items() if findings}


def _finding(check: Check, row: ox.QuerySolution, graph: str) -> Finding:
    return Finding(check, graph, row["this"], row["value"] if check.value == "value" else None, row["path"])


def _iri(name: str | ox.NamedNode) -> str:
    return name.value if isinstance(name, ox.NamedNode) else str(name)


def report_for(findings: Sequence[Finding], data: Graph, *, source: str | None = None,
               shapes: Graph | None = None) -> ValidationReport:
    """The findings of one graph as the report `kompetencje.validation.validate_graph` would give."""
    shapes = shapes if shapes is not None else _shapes()
    results = Graph()
    report = BNode()
    results.add((report, RDF.type, SH.ValidationReport))
    for finding in findings:
        results.add((report, SH.result, _result(results, finding, shapes, data)))
    locator = _Locator(data, data, source)
    found = sorted((_violation(results, r, shapes, locator) for r in results.objects(report, SH.result)),
                   key=_sort_key)
    violations = [v for v in found if v.severity == "Violation"]
    warnings = [v for v in found if v.severity != "Violation"]
    return ValidationReport(conforms=not violations, violations=violations, warnings=warnings, source=source)


def _result(results: Graph, finding: Finding, shapes: Graph, data: Graph) -> BNode:
    """One sh:ValidationResult, written as pySHACL writes it."""
    check, node = finding.check, BNode()
    focus = _data_term(finding.focus, data, None)
    results.add((node, RDF.type, SH.ValidationResult))
    results.add((node, SH.sourceConstraintComponent, check.component))
    results.add((node, SH.sourceShape, check.shape))
    results.add((node, SH.resultSeverity, check.severity))
    results.add((node, SH.focusNode, focus))
    if check.value == "focus":
        results.add((node, SH.value, focus))
    elif finding.value is not None:
        results.add((node, SH.value, _data_term(finding.value, data, focus)))
    path = URIRef(finding.path.value) if finding.path is not None else check.path
    if path is not None:
        results.add((node, SH.resultPath, path))
        _copy_structure(shapes, results, path)
    if check.constraint is not None:
        results.add((node, SH.sourceConstraint, check.constraint))
    if not list(shapes.objects(check.shape, SH.message)) and check.component == SH.NodeKindConstraintComponent:
        kind = shapes.value(check.shape, SH.nodeKind)
        results.add((node, SH.resultMessage, Literal(f"Value is not of Node Kind sh:{str(kind)[len(str(SH)):]}")))
    return node


def _copy_structure(source: Graph, target: Graph, node: Node) -> None:
    """A blank-node path (inverse, alternatives, lists) copied from the shapes graph."""
    if not isinstance(node, BNode):
        return
    for p, o in source.predicate_objects(node):
        target.add((node, p, o))
        _copy_structure(source, target, o)


def _data_term(term: ox.NamedNode | ox.BlankNode | ox.Literal, data: Graph, focus: Node | None) -> Node:
    """A store term as the data's own rdflib term: the store writes literals canonically ("1.0" → "1"), so a
    literal is looked up among the focus node's values."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    written = str(term)
    candidates = [c for c in data.objects(focus, None) if isinstance(c, Literal)] if focus is not None else []
    for candidate in sorted(candidates, key=lambda c: str(_ox(c)) != written):
        if str(_ox(candidate)) == written or _canonical(candidate) == written:
            return candidate
    return Literal(term.value, lang=term.language, datatype=None if term.language else URIRef(term.datatype.value))


def _canonical(literal: Literal) -> str:
    store = ox.Store()
    subject = ox.NamedNode("urn:x-kompetencje:c")
    store.add(ox.Quad(subject, subject, _ox(literal), ox.DefaultGraph()))
    return str(next(iter(store)).object)


def _ox(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"not an RDF term: {node!r}")


def load_graph(store: ox.Store, graph: Graph, name: str) -> None:
    """An rdflib graph into a named graph of the store, blank nodes keeping their labels."""
    target = ox.NamedNode(name)
    store.extend(ox.Quad(_ox(s), _ox(p), _ox(o), target) for s, p, o in graph)


def validate_graph_compiled(data: Graph, *, ontology: Graph | None = None, source: str | None = None,
                            checks: Sequence[Check] | None = None) -> ValidationReport:
    """`kompetencje.validation.validate_graph`, with the compiled checks instead of pySHACL."""
    checks = checks if checks is not None else compile_shapes(ontology=ontology)
    store = ox.Store()
    name = "urn:x-kompetencje:graph"
    load_graph(store, data, name)
    findings = validate_in_store(store, checks).get(name, [])
    return report_for(findings, data, source=source)
