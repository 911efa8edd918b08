"""Markdown → plain lines, one output line per input line (so line N is still line N of the file).

Headings lose their '#' (setext underlines become blank lines), emphasis, code and strike markers go,
links keep their text, images their alt text; list markers stay ('*' and '+' bullets become '-'),
tables become 'cell | cell' rows (the |---| separator row becomes blank), block quotes lose '>',
code fences become blank lines with their content kept verbatim, YAML front matter becomes blank lines
(its title: is the title). The title is otherwise the first level-1 heading.
"""

from __future__ import annotations

import re

from ..model import SourceText
from .common import finish, one_line
from .encoding import decode

_ATX = re.compile(r"^(\s{0,3})(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_HR = re.compile(r"^\s{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_BULLET = re.compile(r"^(\s*)[*+](?=[ \t])")
_TASK = re.compile(r"^(\s*- )\[[ xX]\] ")
_QUOTE = re.compile(r"^\s{0,3}(?:>[ \t]?)+")
_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"`+([^`]+?)`+"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
]
_PLACEHOLDER = 0xE000  # escaped characters park in the private-use area while markers are stripped


def read(data: bytes, name: str) -> SourceText:
    decoded = decode(data, name)
    lines, title = convert(decoded.text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return finish("\n".join(lines), fmt="markdown", name=name, encoding=decoded.encoding, title=title,
                  findings=decoded.findings)


def convert(lines: list[str]) -> tuple[list[str], str | None]:
    """Markdown lines → text lines (same count) and the title."""
    out = list(lines)
    title = _front_matter(out)
    fenced = _blank_fences(out)
    table_rows = _table_rows(out, fenced)
    for i, line in enumerate(out):
        if i in fenced:
            continue
        if i in table_rows:
            out[i] = _table_row(line) if table_rows[i] else ""
            continue
        text, heading_title = _line(line, out[i + 1] if i + 1 < len(out) else "")
        out[i] = text
        title = title or heading_title
    return out, title


def _front_matter(lines: list[str]) -> str | None:
    """Blank out a leading '---' YAML block; return its title."""
    if not lines or lines[0].strip() != "---":
        return None
    end = next((i for i in range(1, min(len(lines), 60)) if lines[i].strip() in {"---", "..."}), None)
    if end is None or not all(":" in line or not line.strip() for line in lines[1:end]):
        return None
    title = None
    for i in range(end + 1):
        key, _, value = lines[i].partition(":")
        if key.strip().lower() == "title" and value.strip():
            title = value.strip().strip("\"'")
        lines[i] = ""
    return title


def _blank_fences(lines: list[str]) -> set[int]:
    """Indices inside fenced code blocks (kept verbatim); the fence lines themselves become blank."""
    inside: set[int] = set()
    fence: str | None = None
    for i, line in enumerate(lines):
        match = _FENCE.match(line)
        if match and (fence is None or match.group(1)[0] == fence[0]):
            fence = None if fence else match.group(1)
            lines[i] = ""
            inside.add(i)
        elif fence:
            inside.add(i)
    return inside


def _table_rows(lines: list[str], skip: set[int]) -> dict[int, bool]:
    """Line index → True for a table row, False for the |---| separator row."""
    rows: dict[int, bool] = {}
    for i, line in enumerate(lines):
        if i in skip or i == 0 or "|" not in line or not _TABLE_SEP.match(line) or "|" not in lines[i - 1]:
            continue
        rows[i - 1], rows[i] = True, False
        j = i + 1
        while j < len(lines) and "|" in lines[j] and j not in skip and lines[j].strip():
            rows[j] = True
            j += 1
    return rows


def _table_row(line: str) -> str:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return " | ".join(_inline(cell.strip()) for cell in cells)


def _line(line: str, following: str) -> tuple[str, str | None]:
    if _LINK_DEF.match(line) or _HR.match(line) or _SETEXT.match(line):
        return "", None
    atx = _ATX.match(line)
    if atx:
        text = _inline(atx.group(3) or "")
        return text, text if len(atx.group(2)) == 1 else None
    line = _QUOTE.sub("", line)
    line = _TASK.sub(r"\1", _BULLET.sub(r"\1-", line))
    text = _inline(line).rstrip("\\")
    setext_h1 = bool(following.strip()) and set(following.strip()) == {"="} and text.strip()
    return text, one_line(text) if setext_h1 else None


def _inline(text: str) -> str:
    text = _ESCAPE.sub(lambda m: chr(_PLACEHOLDER + ord(m.group(1))), text)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group()) - _PLACEHOLDER), text)
