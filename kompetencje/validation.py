"""SHACL validation of the built graph against ``shapes/*.ttl``, with a report a person can act on.

The build validates each document's graph (already reasoned, so pySHACL runs with ``inference="none"``)
and refuses to publish it when a shape is broken::

    report = validate_graph(graph, ontology=tbox, source="001_5d749821937a7dbe")
    raise_for_violations(report)  # ValidationFailed with the readable report

Every result is placed in its source: the document (from a source span the node was derived from, its
``dct:source``, the named graph it sits in, or ``source``) and, when a span is known, the first line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import pyshacl
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, ConjunctiveGraph
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from kompetencje.errors import ValidationFailed
from kompetencje.vocab import DCT, KOMP, PREFIXES, PROV

__all__ = [
    "KSH",
    "ValidationReport",
    "Violation",
    "load_shapes",
    "raise_for_violations",
    "validate_graph",
]

SHAPES_PACKAGE = "kompetencje.shapes"
KSH = Namespace("https://w3id.org/kompetencje/shapes#")
ID_BASE = "https://w3id.org/kompetencje/id/"
LINE_FRAGMENT = re.compile(r"#line=(\d+),(\d+)$")
TEMPLATE = re.compile(r"\{[$?](\w+)\}")
MAX_VALUE_CHARS = 120
MAX_FOUND = 5
DERIVATION_DEPTH = 2  # a cooperation link comes from a duty, which comes from a span

_CURIE_PREFIXES: dict[str, str] = {**PREFIXES, "sh": str(SH), "ksh": str(KSH)}
_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


# ----------------------------------------------------------------------------------------------------------
# Report model
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One SHACL result, located in its source document where possible."""

    focus_node: str
    message: str
    severity: str = "Violation"  # "Violation", "Warning" or "Info"
    path: str | None = None  # compact form: "dct:description", "^komp:hasDuty", "(komp:dutyOf|^komp:hasDuty)"
    value: str | None = None  # N-Triples-like form of the offending value
    shape: str | None = None  # compact IRI of the shape: "ksh:Duty-description"
    constraint: str | None = None  # "sh:MinCountConstraintComponent" or the SPARQL constraint
    message_pl: str | None = None
    document: str | None = None  # doc id: "001_5d749821937a7dbe"
    line: int | None = None  # first line of the source span
    found: tuple[str, ...] = ()  # for a count that is off (no single value to blame): the values there are

    def as_dict(self) -> dict[str, str | int | list[str] | None]:
        data = asdict(self)
        data["found"] = list(self.found)
        return data

    @property
    def where(self) -> str:
        if self.document is None:
            return "(unknown document)"
        return self.document + (f", line {self.line}" if self.line is not None else "")

    def to_text(self) -> str:
        lines = [f"{self.severity} — {self.where}", f"  node:    <{self.focus_node}>",
                 f"  problem: {self.message}"]
        if self.message_pl and self.message_pl != self.message:
            lines.append(f"  problem: {self.message_pl}")
        if self.path:
            lines.append(f"  path:    {self.path}")
        if self.value is not None:
            lines.append(f"  value:   {self.value}")
        elif self.found:
            lines.append(f"  found:   {', '.join(self.found)}")
        if self.shape:
            lines.append(f"  shape:   {self.shape}" + (f" ({self.constraint})" if self.constraint else ""))
        return "\n".join(lines)


@dataclass
class ValidationReport:
    """The outcome of validating one graph. ``conforms`` ignores warnings."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    source: str | None = None

    def as_dicts(self) -> list[dict[str, str | int | list[str] | None]]:
        return [v.as_dict() for v in self.violations]

    def summary(self) -> str:
        subject = f"SHACL validation of {self.source}" if self.source else "SHACL validation"
        counts = f"{_plural(len(self.violations), 'violation')}, {_plural(len(self.warnings), 'warning')}"
        verdict = "conforms" if self.conforms else "does not conform"
        return f"{subject}: {verdict} ({counts})."

    def to_text(self) -> str:
        blocks = [self.summary()]
        blocks += [v.to_text() for v in self.violations]
        blocks += [w.to_text() for w in self.warnings]
        return "\n\n".join(blocks) + "\n"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


# ----------------------------------------------------------------------------------------------------------
# Shapes
# ----------------------------------------------------------------------------------------------------------


def load_shapes() -> Graph:
    """All shapes of the project (``shapes/*.ttl``, shipped as package data of ``kompetencje.shapes``)."""
    graph = Graph()
    for prefix, namespace in _CURIE_PREFIXES.items():
        graph.bind(prefix, namespace)
    for resource in sorted(resources.files(SHAPES_PACKAGE).iterdir(), key=lambda r: r.name):
        if resource.name.endswith(".ttl"):
            graph.parse(data=resource.read_text(encoding="utf-8"), format="turtle")
    return graph


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return load_shapes()


# ----------------------------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------------------------


def validate_graph(data: Graph, *, ontology: Graph | None = None,
                   source: str | None = None) -> ValidationReport:
    """Validate ``data`` against the project's shapes.

    ``data`` may be a plain graph or a dataset of named graphs (validated as their union, the way the
    SPARQL endpoint sees them). ``ontology`` (the TBox) is mixed in so pySHACL knows the class hierarchy
    when the data is not reasoned. ``source`` names the document for the report and is the fallback
    location of nodes that carry no provenance.
    """
    union = _private_copy(data)
    shapes = _shapes()
    _, results, _ = pyshacl.validate(
        union, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True,
        allow_warnings=True, allow_infos=True, inplace=True,
    )
    locator = _Locator(union, data, source)
    found = sorted((_violation(results, r, shapes, locator) for r in _results(results)), key=_sort_key)
    violations = [v for v in found if v.severity == "Violation"]
    warnings = [v for v in found if v.severity != "Violation"]
    return ValidationReport(conforms=not violations, violations=violations, warnings=warnings, source=source)


def raise_for_violations(report: ValidationReport, source: str | None = None) -> None:
    """Raise :class:`ValidationFailed` with the readable report when ``report`` has violations."""
    if report.conforms:
        return
    source = source or report.source
    first = report.violations[0]
    count = _plural(len(report.violations), "SHACL violation")
    message = f"{count}; first: <{first.focus_node}>: {first.message}"
    raise ValidationFailed(message, report=report.to_text(), violations=report.as_dicts(),
                           source=source or first.document, line=first.line)


class _ValidationGraph(Graph):
    """The private copy of the data pySHACL works on (in place: the caller's graph is never changed).

    pySHACL sends the text of a SPARQL constraint to ``query`` once per focus node, and parsing the text
    costs ~70 times more than evaluating it; here each text is parsed once.
    """

    def query(self, query_object: str | Query, processor: str = "sparql", result: str = "sparql",
              initNs: dict[str, Any] | None = None, initBindings: dict[str, Node] | None = None,
              use_store_provided: bool = True, **kwargs: Any) -> Result:  # type: ignore[override]
        if isinstance(query_object, str) and processor == "sparql" and not initNs:
            query_object = _prepared(query_object)
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided,
                             **kwargs)


@lru_cache(maxsize=512)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


def _private_copy(data: Graph) -> _ValidationGraph:
    """What pySHACL validates: the triples of ``data``, or of all its named graphs (their union, as the
    SPARQL endpoint sees them) when ``data`` is a dataset."""
    copy = _ValidationGraph()
    for prefix, namespace in data.namespaces():
        copy.bind(prefix, namespace, override=False)
    if isinstance(data, Dataset | ConjunctiveGraph):
        for s, p, o, _ in data.quads((None, None, None, None)):
            copy.add((s, p, o))
    else:
        for triple in data:
            copy.add(triple)
    return copy


def _results(report: Graph) -> Iterator[Node]:
    for report_node in report.subjects(RDF.type, SH.ValidationReport):
        yield from report.objects(report_node, SH.result)


def _violation(results: Graph, result: Node, shapes: Graph, locator: _Locator) -> Violation:
    focus = results.value(result, SH.focusNode)
    value = results.value(result, SH.value)
    path = results.value(result, SH.resultPath)
    shape = results.value(result, SH.sourceShape)
    constraint = results.value(result, SH.sourceConstraint) or results.value(
        result, SH.sourceConstraintComponent)
    english, polish = _messages(results, result, shapes, focus, value)
    document, line = locator.locate(focus)
    return Violation(
        focus_node=str(focus),
        message=english,
        message_pl=polish,
        severity=_SEVERITIES.get(results.value(result, SH.resultSeverity), "Violation"),
        path=_path_text(results, path) if path is not None else None,
        value=_value_text(value) if value is not None and value != focus else None,
        shape=_curie(shape) if isinstance(shape, URIRef) else None,
        constraint=_curie(constraint) if isinstance(constraint, URIRef) else None,
        document=document,
        line=line,
        found=_found(locator.graph, results, focus, path) if value is None else (),
    )


def _found(data: Graph, results: Graph, focus: Node | None, path: Node | None) -> tuple[str, ...]:
    """The values a simple path has on the focus node (why a count is off), at most MAX_FOUND of them."""
    if focus is None or path is None:
        return ()
    if isinstance(path, URIRef):
        values = set(data.objects(focus, path))
    elif isinstance(inverse := results.value(path, SH.inversePath), URIRef):
        values = set(data.subjects(inverse, focus))
    else:
        return ()
    shown = sorted(values, key=str)[:MAX_FOUND]
    return tuple(_value_text(v) for v in shown) + (("…",) if len(values) > MAX_FOUND else ())


def _sort_key(v: Violation) -> tuple[str, int, str, str, str, str]:
    return (v.document or "", v.line or 0, v.focus_node, v.shape or "", v.path or "", v.value or "")


# ----------------------------------------------------------------------------------------------------------
# Messages
# ----------------------------------------------------------------------------------------------------------


def _messages(results: Graph, result: Node, shapes: Graph, focus: Node | None,
              value: Node | None) -> tuple[str, str | None]:
    """English and Polish message. Read from the shapes graph, because pySHACL drops the language tags
    of SPARQL message templates after filling them in; fall back to what pySHACL wrote."""
    owner = results.value(result, SH.sourceConstraint) or results.value(result, SH.sourceShape)
    declared = list(shapes.objects(owner, SH.message)) if owner is not None else []
    if declared:
        bindings = {"this": focus, "value": value}
        english = _pick(declared, "en") or str(declared[0])
        polish = _pick(declared, "pl")
        return _fill(english, bindings), _fill(polish, bindings) if polish else None
    written = [m for m in results.objects(result, SH.resultMessage)]
    if not written:
        return "Broken constraint " + _curie(results.value(result, SH.sourceConstraintComponent)), None
    return str(_pick(written, "en") or written[0]), _pick(written, "pl")


def _pick(messages: Iterable[Node], language: str) -> str | None:
    for message in messages:
        if isinstance(message, Literal) and (message.language or "en") == language:
            return str(message)
    return None


def _fill(template: str, bindings: dict[str, Node | None]) -> str:
    def replace(match: re.Match[str]) -> str:
        node = bindings.get(match.group(1))
        return _short(node) if node is not None else match.group(0)

    return TEMPLATE.sub(replace, template)


# ----------------------------------------------------------------------------------------------------------
# Rendering of nodes and paths
# ----------------------------------------------------------------------------------------------------------


def _curie(node: Node | None) -> str:
    if node is None:
        return ""
    text = str(node)
    best = max((ns for ns in _CURIE_PREFIXES.values() if text.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{text}>"
    prefix = next(p for p, ns in _CURIE_PREFIXES.items() if ns == best)
    return f"{prefix}:{text[len(best):]}"


def _short(node: Node) -> str:
    """How a node reads inside a sentence: IRIs of the dataset relative to the base, literals quoted."""
    if isinstance(node, Literal):
        return _value_text(node)
    text = str(node)
    if text.startswith(ID_BASE):
        return text[len(ID_BASE):]
    return _curie(node) if isinstance(node, URIRef) else text


def _value_text(node: Node) -> str:
    if isinstance(node, Literal):
        lexical = str(node)
        if len(lexical) > MAX_VALUE_CHARS:
            lexical = lexical[: MAX_VALUE_CHARS - 1] + "…"
        lexical = lexical.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        if node.language:
            return f'"{lexical}"@{node.language}'
        if node.datatype is not None:
            return f'"{lexical}"^^{_curie(node.datatype)}'
        return f'"{lexical}"'
    if isinstance(node, URIRef):
        return f"<{node}>"
    return f"_:{node}"


def _path_text(graph: Graph, path: Node) -> str:
    """SPARQL-like text of a SHACL property path as pySHACL copied it into the results graph."""
    if isinstance(path, URIRef):
        return _curie(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    for modifier, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, modifier)
        if inner is not None:
            return "(" + _path_text(graph, inner) + ")" + suffix
    if graph.value(path, RDF.first) is not None:
        return "/".join(_path_text(graph, p) for p in Collection(graph, path))
    return str(path)


# ----------------------------------------------------------------------------------------------------------
# Where a node comes from
# ----------------------------------------------------------------------------------------------------------


class _Locator:
    """Finds the document and line a node was read from."""

    def __init__(self, union: Graph, original: Graph, default: str | None) -> None:
        self.graph = union
        self.original = original
        self.default = default

    def locate(self, node: Node | None) -> tuple[str | None, int | None]:
        if node is None:
            return self.default, None
        spans = sorted(self._spans(node, DERIVATION_DEPTH),
                       key=lambda s: (s[1] is None, s[1] or 0, s[0] or ""))
        if spans:
            document, line = spans[0]
            return document or self._document(node), line
        return self._document(node), None

    def _spans(self, node: Node, depth: int) -> list[tuple[str | None, int | None]]:
        if self._is_span(node):
            return [self._span(node)]
        found: list[tuple[str | None, int | None]] = []
        if depth > 0:
            for origin in self.graph.objects(node, PROV.wasDerivedFrom):
                if origin != node:
                    found += self._spans(origin, depth - 1)
        return found

    def _is_span(self, node: Node) -> bool:
        return ((node, RDF.type, KOMP.SourceSpan) in self.graph
                or (node, KOMP.startLine, None) in self.graph
                or (isinstance(node, URIRef) and LINE_FRAGMENT.search(str(node)) is not None))

    def _span(self, span: Node) -> tuple[str | None, int | None]:
        line = _as_int(self.graph.value(span, KOMP.startLine))
        fragment = LINE_FRAGMENT.search(str(span)) if isinstance(span, URIRef) else None
        if line is None and fragment:
            line = int(fragment.group(1))
        container = self.graph.value(span, DCT.isPartOf)
        if container is not None:
            return _doc_id(container), line
        if fragment:
            return _doc_id(URIRef(str(span)[: fragment.start()])), line
        return None, line

    def _document(self, node: Node) -> str | None:
        if (node, RDF.type, KOMP.SourceDocument) in self.graph:
            return _doc_id(node)
        sources = sorted(str(s) for s in self.graph.objects(node, DCT.source))
        if sources:
            return _doc_id(URIRef(sources[0]))
        return self._named_graph(node) or self.default

    def _named_graph(self, node: Node) -> str | None:
        if not isinstance(self.original, Dataset | ConjunctiveGraph):
            return None
        contexts = {_identifier(c) for *_, c in self.original.quads((node, None, None, None)) if c is not None}
        names = sorted(str(c) for c in contexts if isinstance(c, URIRef))
        documents = [n for n in names if n != str(DATASET_DEFAULT_GRAPH_ID)
                     and not n.endswith(("/graph/ontology", "/graph/concepts"))]
        return _doc_id(URIRef(documents[0])) if documents else None


def _doc_id(node: Node) -> str:
    """``{base}source/001_x`` and ``{base}graph/001_x`` both name the document ``001_x``."""
    text = str(node).split("#", 1)[0].rstrip("/")
    return text.rsplit("/", 1)[-1] or text


def _identifier(context: Graph | Node) -> Node:
    return context.identifier if isinstance(context, Graph) else context


def _as_int(node: Node | None) -> int | None:
    if isinstance(node, Literal):
        try:
            return int(node)
        except (TypeError, ValueError):
            return None
    return None

