"""Which users' SPARQL queries are certain to be cheap: lookups, answered in the server's own process.

/sparql runs users' queries in worker processes (api/query_pool.py), which can be killed at the time limit;
each query then costs a round trip between processes, far more than a lookup itself costs. A query skips the
pool only when its text is, token by token, a *lookup*:

    [PREFIX p: <iri> ...] SELECT [DISTINCT|REDUCED] (?var ... | *) [WHERE] { triples } [LIMIT n] [OFFSET n]
    [PREFIX p: <iri> ...] ASK [WHERE] { triples }

where every triple's subject is a constant IRI, its predicate an IRI, `a` or a variable, and its object a
variable, an IRI or a string literal (with a language tag or datatype): no FILTER, OPTIONAL, UNION, GRAPH,
MINUS, BIND, VALUES, sub-select, property path, blank node, number, expression, aggregate, ORDER BY, BASE,
FROM or SERVICE, no codepoint escape, no relative IRI, ASCII names only. Whatever is not recognised, and a
query without any triple (`ASK {}` is how clients probe the workers), goes to the pool.

Such a query reads only the triples (s, p, *) of its patterns, and however the engine joins them its work
is bounded by their numbers' sum and product. `within_budget` counts them in the store (stopping at the
budget) before the query runs; past the budget the query goes to the pool as well. The query then runs with
the same code as in a worker (`query_pool.answer`), the same row cap and the same time limit: at once when
it reads at most INLINE_BUDGET triples (handing it to a thread would cost several times the lookup), else on
the embedded store's threads.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from kompetencje.api.query_pool import Job, Reply, answer, reply_of, timed_out
from kompetencje.api.store import EmbeddedStore

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MAX_TEXT = 10_000  # characters: longer texts are not read here
MAX_PATTERNS = 16
BUDGET = 1_000  # triples read (each pattern) and combinations of them (all patterns)
INLINE_BUDGET = 64  # a lookup this small is answered without a hand-over to a thread

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+|\#[^\r\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>"(?:[^"\\\r\n]|\\[tbnrf"'\\])*"|'(?:[^'\\\r\n]|\\[tbnrf"'\\])*')
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<pname>(?:[A-Za-z](?:[A-Za-z0-9_-]*[A-Za-z0-9_-])?)?:(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?)
  | (?P<word>[A-Za-z]+)
  | (?P<integer>[0-9]+)
  | (?P<punct>\^\^|[{}.;,*])
""", re.VERBOSE)
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")

Token = tuple[str, str]  # (kind, text); words upper-cased except `a`


@dataclass(frozen=True)
class Lookup:
    """The triple patterns of a lookup: (subject IRI, predicate IRI or None for a variable), repeats kept."""

    patterns: tuple[tuple[str, str | None], ...]


def tokenize(text: str) -> list[Token] | None:
    """The tokens of the lookup subset of SPARQL, or None at the first character outside it."""
    if len(text) > MAX_TEXT or '"""' in text or "'''" in text:
        return None
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        kind, value = match.lastgroup or "", match.group()
        if kind == "word" and value != "a":
            value = value.upper()
        if kind != "space":
            tokens.append((kind, value))
        position = match.end()
    return tokens


def parse_lookup(text: str) -> Lookup | None:
    """The lookup a query text is, or None when it is anything else (see the module's description)."""
    tokens = tokenize(text)
    if tokens is None:
        return None
    reader = _Reader(tokens)
    patterns = reader.query()
    if patterns is None or not patterns or len(patterns) > MAX_PATTERNS or not reader.at_end():
        return None
    return Lookup(tuple(patterns))


class _Reader:
    """A recursive-descent reader of the lookup grammar over tokens; every method gives None on anything
    it does not expect."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens, self.at, self.prefixes = tokens, 0, {}

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, *accepted: str) -> Token | None:
        """The next token when its kind or its text is one of `accepted` (it is consumed), else None."""
        token = self.peek()
        if token is not None and (token[0] in accepted or token[1] in accepted):
            self.at += 1
            return token
        return None

    def at_end(self) -> bool:
        return self.at == len(self.tokens)

    def query(self) -> list[tuple[str, str | None]] | None:
        while self.take("PREFIX"):
            if not self.prefix():
                return None
        if self.take("SELECT"):
            if not self.projection():
                return None
            patterns = self.where()
            return patterns if patterns is not None and self.modifiers() else None
        return self.where() if self.take("ASK") else None

    def prefix(self) -> bool:
        name, iri = self.take("pname"), self.take("iri")
        if name is None or iri is None or not name[1].endswith(":") or not _ABSOLUTE.match(iri[1][1:]):
            return False
        self.prefixes[name[1][:-1]] = iri[1][1:-1]
        return True

    def projection(self) -> bool:
        self.take("DISTINCT", "REDUCED")
        if self.take("*"):
            return True
        found = False
        while self.take("var"):
            found = True
        return found

    def modifiers(self) -> bool:
        seen: set[str] = set()
        while (keyword := self.take("LIMIT", "OFFSET")) is not None:
            if keyword[1] in seen or self.take("integer") is None:
                return False
            seen.add(keyword[1])
        return True

    def where(self) -> list[tuple[str, str | None]] | None:
        self.take("WHERE")
        if self.take("{") is None:
            return None
        patterns: list[tuple[str, str | None]] = []
        while self.take("}") is None:
            subject = self.constant()
            if subject is None or not self.properties(subject, patterns):
                return None
            if self.take(".") is None and (self.peek() or ("", ""))[1] != "}":
                return None
        return patterns

    def properties(self, subject: str, patterns: list[tuple[str, str | None]]) -> bool:
        """`verb object (, object)* (; verb object ...)*` after a subject, each object one pattern."""
        while True:
            known, verb = self.verb()
            if not known:
                return False
            while True:
                if not self.object():
                    return False
                patterns.append((subject, verb))
                if self.take(",") is None:
                    break
            if self.take(";") is None:
                return True
            while self.take(";"):
                pass
            if (self.peek() or ("", ""))[1] in (".", "}"):
                return True

    def verb(self) -> tuple[bool, str | None]:
        """(whether there is a predicate, its IRI or None for a variable)."""
        if self.take("a"):
            return True, RDF_TYPE
        if self.take("var"):
            return True, None
        iri = self.constant()
        return iri is not None, iri

    def object(self) -> bool:
        """A variable, an IRI, or a string literal with an optional language tag or datatype IRI."""
        if self.take("var"):
            return True
        if (self.peek() or ("", ""))[0] in ("iri", "pname"):
            return self.constant() is not None
        if self.take("string") is None:
            return False
        if self.take("^^"):
            return self.constant() is not None
        self.take("lang")
        return True

    def constant(self) -> str | None:
        """An IRI (written out or as a prefixed name), resolved and checked."""
        token = self.take("iri", "pname")
        return self.resolved(token) if token else None

    def resolved(self, token: Token) -> str | None:
        kind, text = token
        if kind == "iri":
            iri = text[1:-1]
        else:
            prefix, _, local = text.partition(":")
            if prefix not in self.prefixes:
                return None
            iri = self.prefixes[prefix] + local
        if not _ABSOLUTE.match(iri):
            return None
        try:
            return ox.NamedNode(iri).value
        except ValueError:
            return None


def within_budget(store: ox.Store, lookup: Lookup, union_materialized: bool, budget: int = BUDGET) -> bool:
    """Whether each pattern of the lookup matches at most `budget` triples and all of them together at most
    `budget` combinations (counted in the default graph when it holds the union, else in every graph, which
    can only count more)."""
    graph = ox.DefaultGraph() if union_materialized else None
    product = 1
    for subject, predicate in lookup.patterns:
        found = ox.NamedNode(predicate) if predicate is not None else None
        count = sum(1 for _ in islice(store.quads_for_pattern(ox.NamedNode(subject), found, None, graph),
                                      budget + 1))
        if count > budget:
            return False
        product *= count
    return product <= budget


async def answer_lookup(store: EmbeddedStore, job: Job, lookup: Lookup, timeout_s: float,
                        budget: int = BUDGET) -> Reply | None:
    """The reply to a lookup, with the job's row cap and the time limit; None when it is past the budget (the
    caller sends it to the pool then). Within INLINE_BUDGET it runs at once (tens of microseconds, less
    than handing it to a thread costs), else it is counted and run on the embedded store's threads."""
    deadline = time.monotonic() + timeout_s
    if within_budget(store.raw, lookup, store.union_materialized, min(budget, INLINE_BUDGET)):
        return reply_of(answer(store.raw, job, store.union_materialized, deadline))
    work = store.run(_answer_within_budget, store.raw, job, lookup, store.union_materialized, budget, deadline)
    try:
        answered = await asyncio.wait_for(work, timeout_s)
    except TimeoutError:  # cannot happen within the budget; the thread stops at its deadline anyway
        raise timed_out(timeout_s) from None
    return None if answered is None else reply_of(answered)


def _answer_within_budget(store: ox.Store, job: Job, lookup: Lookup, union_materialized: bool, budget: int,
                          deadline: float) -> tuple | None:
    if not within_budget(store, lookup, union_materialized, budget):
        return None
    return answer(store, job, union_materialized, deadline)
