"""Is this a Polish word? A thin, cached wrapper around Morfeusz 2, with a crude fallback.

Used by the PDF reader (should a line-end hyphen be kept?) and by the quality check (how many words of a
text are not words at all?). Morfeusz is a project dependency; if it cannot be loaded (a slim
container, a broken dictionary) every answer falls back to a shape heuristic and `available()` is False.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

_local = threading.local()
_VOWELS = set("aąeęioóuyAĄEĘIOÓUY")
_CONSONANT_RUN = re.compile(r"[^aąeęioóuyAĄEĘIOÓUY]{6,}")
_UNSAFE = re.compile("[\ufffd\ud800-\udfff\x00]")


def _analyser() -> Any | None:
    """One Morfeusz instance per thread (the C++ object is not documented as thread-safe)."""
    if not hasattr(_local, "morfeusz"):
        _local.morfeusz = _load()
    return _local.morfeusz


def _load() -> Any | None:
    try:
        import morfeusz2

        return morfeusz2.Morfeusz(generate=False)
    except Exception:  # no module, no dictionary: the heuristic takes over
        return None


def available() -> bool:
    return _analyser() is not None


def _analyse(text: str) -> list[tuple[int, int, str]]:
    """(start node, end node, tag) of every interpretation Morfeusz gives; [] for what it cannot take
    (U+FFFD makes it print a warning, a lone surrogate makes it raise)."""
    morfeusz = _analyser()
    if morfeusz is None or _UNSAFE.search(text):
        return []
    try:
        return [(start, end, interp[2]) for start, end, interp in morfeusz.analyse(text)]
    except Exception:  # SWIG conversion errors
        return []


@lru_cache(maxsize=65536)
def is_word(word: str) -> bool:
    """True when `word` is one known Polish word form (proper names and abbreviations included)."""
    if _analyser() is None:
        return plausible_shape(word)
    if any(start == 0 and end == 1 and tag != "ign" for start, end, tag in _analyse(word)):
        return True
    return word.endswith("o") and is_adjectival_prefix(word)


@lru_cache(maxsize=16384)
def is_adjectival_prefix(word: str) -> bool:
    """'społeczno', 'informacyjno': the first part of a hyphenated compound adjective (Morfeusz 'adja')."""
    return any(start == 0 and end == 1 and tag == "adja" for start, end, tag in _analyse(f"{word}-"))


@lru_cache(maxsize=16384)
def is_compound_adjective(left: str, right: str) -> bool:
    """'społeczno' + 'gospodarczy': the left part is an adjectival prefix (adja), so the hyphen is real."""
    return is_adjectival_prefix(left) and is_word(right)


def plausible_shape(word: str) -> bool:
    """Without a dictionary: letters only, a vowel somewhere, no long consonant run, sane capitals."""
    if not word.isalpha():
        return False
    if len(word) > 3 and not any(ch in _VOWELS for ch in word):
        return False
    if _CONSONANT_RUN.search(word):
        return False
    tail = word[1:]
    return tail.islower() or tail.isupper()
