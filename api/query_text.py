"""What a SPARQL text says, read without a full parse: the words outside strings, IRIs, comments and variables.

The endpoint must know a few things before it runs a query: does it call out (SERVICE), does it name its own
dataset (FROM), is it an update (INSERT, CLEAR, ..., USING, WITH)? Keywords are reserved words, so once
comments, string literals, IRIs, language tags and variables are stepped over, what is left are keywords,
numbers, prefixed names and punctuation.

`calls_service` must never miss: the engine (pyoxigraph, a PEG parser) reads `SERVICEex:s {...}` and
`{}SERVICE<...>{}` as SERVICE clauses, with no word boundary after the keyword. So a word is taken to call
out when SERVICE occurs anywhere in it outside the local part of a prefixed name (and in the local part
after a dot, where the engine may end the name). That refuses, with a clear message, the odd query whose
prefix is called `service:`; it never lets one through. Only text the grammar itself reads as a comment,
string, IRI, language tag or variable is skipped, so nothing the engine reads as code is hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')  # IRIREF ::= '<' ([^<>"{}|^`\]-[#x00-#x20])* '>'
_LONG_STRING = {"'": re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.S),
                '"': re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.S)}
_SHORT_STRING = {"'": re.compile(r"'(?:[^'\\\n\r]|\\.)*'"), '"': re.compile(r'"(?:[^"\\\n\r]|\\.)*"')}
_LANGTAG = re.compile(r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_NAME_CHARS = r"A-Za-z0-9_\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u200c-\u200d\u203f-\u2040" \
              r"\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
_VARIABLE = re.compile(rf"[?$][{_NAME_CHARS}]+")
_WORD = re.compile(rf"[{_NAME_CHARS}][{_NAME_CHARS}\-.:%\\]*")

BRACKETS = frozenset("{}()")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                             "WITH", "USING"})


def words(text: str) -> Iterator[str]:
    """The words of a SPARQL text that are not in comments, strings, IRIs, language tags or variables."""
    return (token for _, token in tokens(text) if token not in BRACKETS)


def tokens(text: str) -> Iterator[tuple[int, str]]:
    """The words and the brackets `{ } ( )` outside comments, strings, IRIs, language tags and variables,
    each with its offset in the text."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            i = _line_end(text, i)
        elif c == "<":
            m = _IRIREF.match(text, i)
            i = m.end() if m else i + 1
        elif c in "'\"":
            i = _string_end(text, i)
        elif c in "?$@":
            m = (_LANGTAG if c == "@" else _VARIABLE).match(text, i)
            i = m.end() if m else i + 1
        elif c in BRACKETS:
            yield i, c
            i += 1
        else:
            m = _WORD.match(text, i)
            if m is None:
                i += 1
                continue
            yield i, m.group()
            i = m.end()


def keywords(text: str) -> set[str]:
    """The bare words (not prefixed names), upper-cased: the keywords a well-formed query uses."""
    return {w.rstrip(".").upper() for w in words(text) if ":" not in w}


def calls_service(text: str) -> bool:
    """Whether the engine could read a SERVICE clause in this text (conservative: never a false 'no')."""
    return any("SERVICE" in part.upper() for word in words(text) for part in _code_parts(word))


def names_dataset(text: str) -> bool:
    """Whether a query has FROM / FROM NAMED clauses."""
    return "FROM" in keywords(text)


def update_keywords(text: str) -> set[str]:
    return keywords(text) & UPDATE_KEYWORDS


def _code_parts(word: str) -> list[str]:
    """The parts of a word the engine might read as keywords: all of it but a prefixed name's local part."""
    if ":" not in word:
        return [word]
    prefix, _, local = word.partition(":")
    return [prefix, *local.split(".")[1:]]


def _line_end(text: str, start: int) -> int:
    ends = [p for p in (text.find("\n", start), text.find("\r", start)) if p != -1]
    return min(ends) if ends else len(text)


def _string_end(text: str, start: int) -> int:
    """Where the string literal opening at `start` ends. An unterminated one is not skipped (the engine
    rejects it anyway), so that the words after its quote are still read."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        m = _LONG_STRING[quote].match(text, start)
        return m.end() if m else start + 3
    m = _SHORT_STRING[quote].match(text, start)
    return m.end() if m else start + 1
