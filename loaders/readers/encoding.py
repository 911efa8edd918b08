"""Bytes to str for the text-bearing formats, and the normalisation every reader applies.

decode():    BOM → strict UTF-8 → the best of windows-1250 / iso-8859-2 / a declared charset /
             charset-normalizer's guess, judged by whether the Polish letters make sense; binary
             garbage is refused; mojibake (UTF-8 read as a single-byte code page) is repaired.
normalise(): NFC, CRLF/CR → LF, NBSP and other Unicode spaces → space, soft hyphen and zero-width
             characters removed, control characters removed, tabs → spaces, trailing spaces cut.
             It never adds or removes a line (trailing blank lines aside), so for plain text line N of
             the result is line N of the file.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

import ftfy
import ftfy.bad_codecs
from charset_normalizer import from_bytes

from kompetencje.errors import InputError

from ..model import Finding

POLISH_LETTERS = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# Non-ASCII punctuation a Polish office document uses; anything else non-alphabetic counts against a guess.
COMMON_PUNCT = frozenset("\u00a0„”“’‘«»–—…•·§°€×\u00ad")
_SNIFF = 1 << 16
_SCORE_SAMPLE = 1 << 18

_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"
_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_CONTROLS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))]


def _translation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(ch): " " for ch in _SPACES}
    table.update({ord(ch): None for ch in _INVISIBLE + "".join(_CONTROLS)})
    table.update({ord(k): v for k, v in _LIGATURES.items()})
    table.update({0x2010: "-", 0x2011: "-", 0x2028: "\n", 0x2029: "\n"})
    return table


_TABLE = _translation_table()
_LEADING_WS = re.compile(r"^[ \t]+")
_TABS = re.compile(r"\t+")


@dataclass
class Decoded:
    text: str
    encoding: str
    findings: list[Finding] = field(default_factory=list)


def decode(data: bytes, name: str, *, declared: str | None = None) -> Decoded:
    """Decode `data` (a text, Markdown or HTML file) and repair mojibake; InputError for binary data."""
    if not data.strip():
        raise InputError("empty file", source=name)
    text, encoding = _decode_bytes(data, name, declared)
    text, finding = repair_mojibake(text)
    reject_binary(text, name)
    return Decoded(text, encoding, [finding] if finding else [])


def _decode_bytes(data: bytes, name: str, declared: str | None) -> tuple[str, str]:
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:_SNIFF]:
        return _decode_utf16_without_bom(data, name)
    almost = _mostly_utf8(data)
    if almost is not None:
        return almost, "utf-8"
    return _best_single_byte(data, declared)


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a stray bad byte or two (a truncated file, one pasted character): keep it UTF-8."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    return text if good >= 3 and bad <= max(2, good // 100) else None


def _decode_utf16_without_bom(data: bytes, name: str) -> tuple[str, str]:
    """Text with NUL bytes is UTF-16 when the NULs sit on one side of every pair; otherwise binary."""
    sample = data[:_SNIFF]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) / 2
    if odd > 0.3 * half and even < 0.02 * half:
        return data.decode("utf-16-le", errors="replace"), "utf-16-le"
    if even > 0.3 * half and odd < 0.02 * half:
        return data.decode("utf-16-be", errors="replace"), "utf-16-be"
    raise InputError("binary data, not text", source=name)


def _candidates(data: bytes, declared: str | None) -> list[str]:
    names = ["cp1250", "iso8859-2"]
    extra = [_codec(declared)]
    guess = from_bytes(data[:_SNIFF]).best()
    if guess is not None:
        extra.append(_codec(guess.encoding))
    for codec in extra:
        if codec and codec not in names:
            names.append(codec)
    return names


def _codec(label: str | None) -> str | None:
    """A Python codec name for a charset label; latin-1 means windows-1252, as browsers read it."""
    if not label:
        return None
    try:
        codec = codecs.lookup(label.strip().strip("\"'")).name
        b"x".decode(codec)  # refuses bytes-to-bytes codecs a page could name (base64, zlib, rot13)
    except (LookupError, ValueError, TypeError):
        return None
    return "cp1252" if codec in {"latin-1", "iso8859-1", "ascii"} else codec


def _best_single_byte(data: bytes, declared: str | None) -> tuple[str, str]:
    sample = data[:_SCORE_SAMPLE]
    best: tuple[float, str] | None = None
    for order, codec in enumerate(_candidates(data, declared)):
        score = polish_score(sample.decode(codec, errors="replace")) - 0.001 * order  # ties: Polish first
        if best is None or score > best[0]:
            best = (score, codec)
    assert best is not None
    return data.decode(best[1], errors="replace"), display_name(best[1])


def polish_score(text: str) -> float:
    """High when the non-ASCII characters are Polish letters; low for symbols, foreign letters, controls."""
    score = 0.0
    for ch in text:
        if ch < "\x80":
            if ch < " " and ch not in "\t\n\r\f":
                score -= 5
        elif ch in POLISH_LETTERS:
            score += 2
        elif ch == "\ufffd" or unicodedata.category(ch) in {"Cc", "Co", "Cn"}:
            score -= 5
        elif ch.isalpha():
            score -= 1
        elif ch not in COMMON_PUNCT:
            score -= 3
    return score


def display_name(codec: str) -> str:
    return {"cp1250": "windows-1250", "cp1252": "windows-1252", "iso8859-2": "iso-8859-2"}.get(
        codec, codec.replace("_", "-"))


def reject_binary(text: str, name: str) -> None:
    """Refuse text that is mostly control, private-use or undecodable characters."""
    sample = text[:_SNIFF]
    garbage = sum(1 for ch in sample if _is_garbage(ch))
    replaced = sample.count("\ufffd")
    if garbage > max(3, 0.02 * len(sample)) or replaced > max(8, 0.1 * len(sample)):
        raise InputError("binary data, not text", source=name)


def _is_garbage(ch: str) -> bool:
    if ch in "\t\n\r\f\v":
        return False
    if ch < " " or ch == "\x7f":
        return True
    return ch >= "\x80" and unicodedata.category(ch) in {"Cc", "Co", "Cn", "Cs"}


# --- mojibake -------------------------------------------------------------------------------------

# The first byte of a two-byte UTF-8 Polish letter (C3, C4, C5) or of „”– (E2) read as windows-1250,
# iso-8859-2, windows-1252 or Latin-1.
_MOJIBAKE_LEAD = re.compile("[ĂÄĹÃÅâÂ]")
_TOKEN = re.compile(r"[^ \t\r\n]+")
_MOJIBAKE_CODECS = ("sloppy-windows-1250", "iso-8859-2", "sloppy-windows-1252", "latin-1")


def repair_mojibake(text: str) -> tuple[str, Finding | None]:
    """Undo UTF-8-read-as-single-byte damage word by word ('WydziaĹ‚' → 'Wydział')."""
    if not _MOJIBAKE_LEAD.search(text):
        return text, None
    examples: list[str] = []
    codecs_seen: set[str] = set()
    order = _codec_order([t for t in _TOKEN.findall(text) if _MOJIBAKE_LEAD.search(t)])

    def fix(match: re.Match[str]) -> str:
        token = match.group()
        if not _MOJIBAKE_LEAD.search(token):
            return token
        fixed, codec = _fix_token(token, order)
        if codec is None:
            return token
        codecs_seen.add(codec)
        examples.append(f"{token!r} → {fixed!r}")
        return fixed

    repaired = _TOKEN.sub(fix, text)
    if not examples:
        return text, None
    return repaired, _mojibake_finding(examples, codecs_seen)


def _codec_order(tokens: list[str]) -> list[str]:
    """The code pages that garbled this text, the one that explains the most words first."""
    fixes = {codec: sum(1 for t in tokens[:2000] if _round_trip(t, codec)) for codec in _MOJIBAKE_CODECS}
    return sorted(_MOJIBAKE_CODECS, key=lambda codec: -fixes[codec])


def _round_trip(token: str, codec: str) -> str | None:
    try:
        fixed = token.encode(codec).decode("utf-8")
    except UnicodeError:
        return None
    return fixed if _fewer_leads(fixed, token) else None


def _fix_token(token: str, order: list[str]) -> tuple[str, str | None]:
    """Re-encode with the code page that garbled it and decode as UTF-8; ftfy for mixed tokens."""
    for codec in order:
        fixed = _round_trip(token, codec)
        if fixed is not None:
            return fixed, codec
    fixed, steps = ftfy.fix_encoding_and_explain(token)
    if fixed != token and _fewer_leads(fixed, token):
        return fixed, next((param for action, param in steps or [] if action == "encode"), "unknown")
    return token, None


def _fewer_leads(fixed: str, token: str) -> bool:
    return len(_MOJIBAKE_LEAD.findall(fixed)) < len(_MOJIBAKE_LEAD.findall(token))


def _mojibake_finding(examples: list[str], codecs_seen: set[str]) -> Finding:
    read_as = ", ".join(sorted(c.replace("sloppy-", "") for c in codecs_seen)) or "a single-byte code page"
    sample = "; ".join(examples[:3])
    return Finding(f"mojibake repaired: UTF-8 text had been read as {read_as} "
                   f"({len(examples)} words, e.g. {sample})", confidence=0.9)


# --- normalisation --------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """The shared clean-up; keeps one line per line (see the module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).translate(_TABLE)
    return "\n".join(_clean_line(line) for line in text.split("\n")).rstrip("\n")


def _clean_line(line: str) -> str:
    indent = _LEADING_WS.match(line)
    head = indent.group().expandtabs(4) if indent else ""
    body = line[indent.end():] if indent else line
    return (head + _TABS.sub(" ", body)).rstrip()
