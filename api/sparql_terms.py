"""Bound values for a store that takes only query text: RDF terms written out strictly, in a VALUES block.

The embedded store applies bound values to the parsed query (SEP-0007 substitutions); a remote SPARQL 1.1
server cannot, so `with_values` puts them into the query's WHERE group as an inline `VALUES` block:

    SELECT ?node ?label WHERE { VALUES (?node) { (<https://w3id.org/kompetencje/id/1261011/ks-05>) } ... }

which binds the variables for the whole group, as substitution does (a group that is a sub-select is
wrapped: `{ VALUES ... { SELECT ... } }`). The query text is always the API's own constant; only the
values come from users, and they are written by `sparql_term`, the one place that turns a term into text:

- an IRI is refused (InputError) when it holds a character the IRIREF production excludes: `<` `>` `"`
  space `{` `}` `|` `^` backtick `\\` or a control character, so it cannot end its `<...>` early;
- a literal is a short double-quoted string in which `"` `\\` and line breaks are written as ECHAR escapes
  (`\\"`, `\\\\`, `\\n`, `\\r`; also `\\t`, `\\b`, `\\f`) and other control characters as `\\u00XX`; its
  language tag must match the LANGTAG production and its datatype is an IRI as above.

Some servers expand `\\u` codepoint escapes in the whole query text before parsing it (SPARQL 1.1 §19.2).
Every backslash the serialiser writes is either doubled or starts one of its own escapes, so such a
pre-pass can at most turn a user's text `\\u0022` into a different but still escaped character (or a
syntax error): it can never end the string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

import pyoxigraph as ox

from kompetencje.api import query_text
from kompetencje.errors import InputError

_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20\x7f]')
_LANGTAG = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_VARIABLE_NAME = re.compile(rf"[{query_text._NAME_CHARS}]+")  # VARNAME, the name after ? or $
_ECHAR = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_ESCAPED = re.compile(r'["\\\x00-\x1f\x7f]')
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})


def sparql_term(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
    """The term as SPARQL text that parses back to exactly this term; InputError when it cannot be written
    safely (an IRI with a forbidden character, a malformed language tag, a blank node, a quoted triple)."""
    if isinstance(term, ox.NamedNode):
        return sparql_iri(term.value)
    if isinstance(term, ox.Literal):
        return _literal(term)
    raise InputError(f"a {type(term).__name__} cannot be sent to a remote store as a bound value")


def sparql_iri(value: str) -> str:
    if not value or _IRI_FORBIDDEN.search(value):
        raise InputError(f"not an IRI that can be written in a query: {value!r}")
    _check_unicode(value)
    return f"<{value}>"


def _literal(term: ox.Literal) -> str:
    _check_unicode(term.value)
    text = '"' + _ESCAPED.sub(_escape, term.value) + '"'
    if getattr(term, "direction", None) is not None:
        raise InputError("a literal with a base direction cannot be sent to a remote store")
    if term.language:
        if not _LANGTAG.fullmatch(term.language):
            raise InputError(f"not a language tag: {term.language!r}")
        return f"{text}@{term.language}"
    datatype = term.datatype.value
    if datatype in (_XSD_STRING, _RDF_LANG_STRING):
        return text
    return f"{text}^^{sparql_iri(datatype)}"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ECHAR.get(char) or f"\\u{ord(char):04X}"


def _check_unicode(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no server could read it
        raise InputError(f"not valid Unicode text: {value!r}") from None


def values_block(substitutions: Mapping[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """`VALUES (?a ?b) { (<...> "...") }` binding each variable to its term."""
    names = []
    for variable in substitutions:
        if not _VARIABLE_NAME.fullmatch(variable.value):
            raise InputError(f"not a variable name: {variable.value!r}")
        names.append(f"?{variable.value}")
    terms = " ".join(sparql_term(term) for term in substitutions.values())
    return f"VALUES ({' '.join(names)}) {{ ({terms}) }}"


def with_values(sparql: str, substitutions: Mapping[ox.Variable, ox.NamedNode | ox.Literal] | None) -> str:
    """The query with the bound values inlined at the start of its WHERE group (the query is trusted text)."""
    if not substitutions:
        return sparql
    block = values_block(substitutions)
    start, end = _insertion_point(sparql)
    if end is not None:
        return f"{sparql[:start + 1]} {block} {{{sparql[start + 1:end]}}} {sparql[end:]}"
    return f"{sparql[:start + 1]} {block} {sparql[start + 1:]}"


@functools.lru_cache(maxsize=512)
def _insertion_point(sparql: str) -> tuple[int, int | None]:
    """Where the WHERE group opens, and where it closes when it is a sub-select to wrap (the API asks a few
    constant queries many times: each is read once)."""
    start = where_group(sparql)
    return start, _matching_brace(sparql, start) if _starts_sub_select(sparql, start) else None


def where_group(sparql: str) -> int:
    """The offset of the `{` that opens the query's WHERE group (the keyword WHERE is optional): the first
    top-level `{`, or in a CONSTRUCT the one after the template. (The short form `CONSTRUCT WHERE { ... }`
    takes no VALUES: ValueError.)"""
    depth, form, after_where, groups = 0, None, False, 0
    for offset, token in query_text.tokens(sparql):
        if depth == 0:
            word = token.upper()
            if form is None and word in _FORMS:
                form = word
            elif word == "WHERE":
                after_where = True
            elif token == "{" and form == "CONSTRUCT" and groups == 0 and after_where:
                raise ValueError("the short form CONSTRUCT WHERE { ... } cannot take bound values")
            elif token == "{" and form is not None and (form != "CONSTRUCT" or groups > 0):
                return offset
            groups += token == "{"
        depth += 1 if token in ("{", "(") else -1 if token in ("}", ")") else 0
    raise ValueError("the query has no WHERE group to bind values in")


def _starts_sub_select(sparql: str, start: int) -> bool:
    following = next((token for _, token in query_text.tokens(sparql[start + 1:])), "")
    return following.upper() == "SELECT"


def _matching_brace(sparql: str, start: int) -> int:
    depth = 0
    for offset, token in query_text.tokens(sparql[start:]):
        depth += 1 if token == "{" else -1 if token == "}" else 0
        if depth == 0:
            return start + offset
    raise ValueError("the query's WHERE group is not closed")
