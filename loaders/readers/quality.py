"""How damaged does a text look? OCR errors and undecodable bytes lower SourceText.quality.

Signals, measured on the whole text (on 20 evenly spread 20,000-character samples of a longer one):
- words that are not Polish words (Morfeusz; a shape heuristic without it) beyond a baseline that
  names, abbreviations and foreign words explain (5%; clean municipal documents measure 0.4-2.5%);
- OCR letter confusions: an unknown word that becomes a known one when 'rn' is read as 'm' (or back),
  'cl' as 'd', or a digit inside letters as the letter it resembles ('Wydzia1u');
- stray symbols: characters an office document does not use (~ ^ ¦ ¬ ¤ ...) and punctuation inside words
  (from three on, beyond one per 500 characters);
- U+FFFD replacement characters (bytes no decoding could read);
- letter-spaced words ('W y d z i a ł'): many one-letter tokens that are not Polish one-letter words.
quality = 1 - the weighted sum, clamped to 0..1; each signal that costs more than 0.05 adds a Finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Finding
from . import lexicon

_OK_SYMBOLS = frozenset(".,;:!?()[]\"'„”“’‘«»-–—…/§%&*+=@#_|°•·€$<>©®™№")
_ONE_LETTER_WORDS = frozenset("aiouwzAIOUWZ")
_DIGIT_AS_LETTER = str.maketrans({"0": "o", "1": "l", "5": "s", "3": "e", "8": "B"})
_SWAPS = (("rn", "m"), ("m", "rn"), ("cl", "d"), ("ii", "u"), ("vv", "w"))
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")
_SPLIT = re.compile(r"[\s\-/–—]+")
_INNER_PUNCT = re.compile(r"[^\W\d_][!|{}\\~^¦¬*<>][^\W\d_]")
_LIST_LETTER = re.compile(r"^[^\W\d_][).]$")
_BASELINE_UNKNOWN = 0.05
_MIN_WORDS = 12
_SAMPLE_CHUNKS, _CHUNK = 20, 20_000


@dataclass
class _Counts:
    words: int = 0
    unknown: list[str] = field(default_factory=list)
    confusions: list[str] = field(default_factory=list)
    fragments: int = 0
    tokens: int = 0


def assess(text: str) -> tuple[float, list[Finding]]:
    """(quality 0..1, findings) for a normalised text (a long one is measured on evenly spread samples)."""
    text = _sample(text)
    counts = _count_words(text)
    chars = max(1, sum(1 for ch in text if not ch.isspace()))
    symbols = _stray_symbols(text)
    replaced = text.count("\ufffd")
    costs = _costs(counts, symbols, replaced, chars)
    damage = sum(cost for cost, _ in costs)
    findings = [Finding(message, confidence=round(min(0.95, 0.5 + cost), 2))
                for cost, message in costs if cost > 0.05]
    return round(max(0.0, 1.0 - damage), 3), findings


def _costs(counts: _Counts, symbols: list[str], replaced: int, chars: int) -> list[tuple[float, str]]:
    words = max(1, counts.words)
    unknown_rate = len(counts.unknown) / words if counts.words >= _MIN_WORDS else 0.0
    fragment_rate = counts.fragments / max(1, counts.tokens)
    return [
        (max(0.0, unknown_rate - _BASELINE_UNKNOWN) * 2.0,
         f"{len(counts.unknown)} of {counts.words} words are not Polish words (OCR damage or another "
         f"language?), "
         f"e.g. {_examples(counts.unknown)}"),
        (min(0.5, len(counts.confusions) / words * 5),
         f"{len(counts.confusions)} OCR letter confusions ('rn'/'m', digits for letters), "
         f"e.g. {_examples(counts.confusions)}"),
        (min(0.5, max(0.0, len(symbols) / chars - 0.002) * 20) if len(symbols) >= 3 else 0.0,
         f"{len(symbols)} stray symbols, e.g. {_examples(symbols)}"),
        (min(0.5, replaced / chars * 50),
         f"{replaced} undecodable characters (U+FFFD): the encoding was damaged"),
        (max(0.0, fragment_rate - 0.08) * 2,
         f"{counts.fragments} one-letter fragments: words look letter-spaced"),
    ]


def _sample(text: str) -> str:
    if len(text) <= _SAMPLE_CHUNKS * _CHUNK:
        return text
    step = len(text) // _SAMPLE_CHUNKS
    return "\n".join(text[i * step:i * step + _CHUNK] for i in range(_SAMPLE_CHUNKS))


def _examples(items: list[str]) -> str:
    unique = list(dict.fromkeys(items))
    return ", ".join(repr(x) for x in unique[:5])


def _count_words(text: str) -> _Counts:
    counts = _Counts()
    for raw in _SPLIT.split(text):
        if not raw:
            continue
        counts.tokens += 1
        token = _EDGE_PUNCT.sub("", raw)
        if len(token) == 1 and token.isalpha():
            if token not in _ONE_LETTER_WORDS and not _LIST_LETTER.match(raw):
                counts.fragments += 1
            continue
        _classify(token, counts)
    return counts


def _classify(token: str, counts: _Counts) -> None:
    if len(token) < 3 or _is_acronym(token):
        return
    if token.isalpha():
        counts.words += 1
        if lexicon.is_word(token):
            return
        if _confusion(token):
            counts.confusions.append(token)
        else:
            counts.unknown.append(token)
    elif _digit_inside_letters(token):
        counts.words += 1
        counts.confusions.append(token)


def _is_acronym(token: str) -> bool:
    """UMK, ePUAP, KS: short all-capital words and words with capitals after the first letter."""
    if token.isupper():
        return len(token) <= 6
    return any(ch.isupper() for ch in token[1:])


def _confusion(word: str) -> bool:
    lower = word.lower()
    for wrong, right in _SWAPS:
        start = lower.find(wrong)
        while start != -1:
            if lexicon.is_word(lower[:start] + right + lower[start + len(wrong):]):
                return True
            start = lower.find(wrong, start + 1)
    return False


def _digit_inside_letters(token: str) -> bool:
    """'Wydzia1u', 'Ur0ąd': a digit between letters that reads as a word once it is a letter."""
    if not re.search(r"[^\W\d_]\d+[^\W\d_]", token):
        return False
    return lexicon.is_word(token.translate(_DIGIT_AS_LETTER)) or not lexicon.available()


def _stray_symbols(text: str) -> list[str]:
    odd = [ch for ch in text if not (ch.isalnum() or ch.isspace() or ch in _OK_SYMBOLS or ch == "\ufffd")]
    odd.extend(m.group() for m in _INNER_PUNCT.finditer(text))
    return odd
