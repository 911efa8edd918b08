"""HTML → the page's main content as lines, with the rest recorded as noise.

Parsing: selectolax's Lexbor, an HTML5 parser that never fetches anything and knows no DTDs, so a
<!DOCTYPE [<!ENTITY ...>]> is inert text (no XXE, no billion laughs); only HTML's own character
references are decoded.

What is dropped, all by structure (never by the wording of a particular portal):
1. never rendered, not noise: script, style, noscript, template, svg, iframe, form controls, images;
2. dropped as noise: nav/menu/aside/dialog/search elements, header and footer that are page-level
   (not inside article/section/main/aside/nav, which makes them banner/contentinfo in ARIA terms),
   role=navigation|banner|contentinfo|search|dialog|alertdialog|complementary|menu|menubar|toolbar,
   aria-modal, hidden, aria-hidden="true", inline display:none; then, for elements holding less than half
   of the page's text only, forms and elements whose class or id says cookie/consent, skip-link,
   breadcrumb or screen-reader-only/hidden (whole tokens such as sr-only, d-none: the generic vocabulary
   of front-end frameworks, not any portal's phrases). An element that holds <main>/<article> is never
   dropped;
3. the content root: <main>, else [role=main], else the only <article> (the common ancestor of several),
   else the smallest element that holds 75% of the page's non-link text (descending from <body>).
   Text outside the root is noise ("outside main content");
4. when the root was found by text density (the page did not mark it up), link lists inside it: blocks
   with 2+ links whose text is >= 80% link text and whose links are short (<= 5 words on average:
   menus, language switchers), and blocks of in-page links (skip links). If that empties the page, they
   are kept. Inside an explicit <main>/<article> a list of links is content (a list of departments).

Lines: block elements break lines; headings get a blank line before them; list items get their marker
(<ul>: "- "; <ol>: from type= or list-style-type, else by nesting: "1.", "a)", "i."; start=, value= and
reversed honoured) and two spaces of indent per nesting level; data tables become "cell | cell" rows
(a table whose cells hold lists, headings, tables or several paragraphs is layout and renders as
blocks); <br> breaks a line; <pre> keeps its lines.

Noise spans: NoiseBlock.span counts lines of the whole page rendered with nothing dropped, which is
`page_text(data, name)`; SourceText.text holds only the kept lines (blank runs collapsed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from kompetencje.errors import InputError

from ..model import SourceText
from .common import collapse_blank_lines, finish, noise_blocks, one_line
from .encoding import decode, normalise

_SKIP = frozenset({
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "base", "svg", "math",
    "canvas", "iframe", "frame", "frameset", "object", "embed", "video", "audio", "picture", "img", "map",
    "area", "input", "select", "textarea", "button", "option", "optgroup", "datalist", "source", "track",
    "param", "wbr",
})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr",
    "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul", "search", *_HEADINGS,
})
_SECTIONING = frozenset({"article", "aside", "main", "nav", "section"})
_TAG_REASONS = {"nav": "navigation", "menu": "navigation", "aside": "sidebar", "dialog": "dialog",
                "search": "search"}
_ROLE_REASONS = {
    "navigation": "navigation", "menu": "navigation", "menubar": "navigation", "banner": "banner",
    "contentinfo": "footer", "search": "search", "dialog": "dialog", "alertdialog": "dialog",
    "complementary": "sidebar", "toolbar": "toolbar",
}
_HIDDEN_CLASSES = frozenset({"sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text",
                             "element-invisible", "hidden", "d-none", "invisible"})
_LINK_LIST_TAGS = frozenset({"ul", "ol", "dl", "menu", "div", "p", "section", "table", "tbody", "tr",
                             "td", "th", "center", "span", "font"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_ASCII_WS = re.compile(r"[ \t\n\r\f]+")
_SPACES = re.compile(r" {2,}")
_CRUMB_SEPARATORS = re.compile(r"\s*(?:[»›>/|→·•\\]|&gt;)\s*")
_LIST_STYLE = re.compile(r"list-style(?:-type)?\s*:\s*([a-z-]+)", re.IGNORECASE)
_LIST_KINDS = {"decimal": "1", "lower-alpha": "a", "lower-latin": "a", "upper-alpha": "A",
               "upper-latin": "A", "lower-roman": "i", "upper-roman": "I", "none": "none"}
_DEFAULT_OL_KINDS = ("1", "a", "i")
_OUTSIDE = "outside main content"
_LAYOUT_INSIDE_TABLE = frozenset({"table", "ul", "ol", "li", "pre", "blockquote", *_HEADINGS})
_PARAGRAPHS = frozenset({"p", "div", "br"})
_MAIN_SELECTORS = ("main", "[role=main]")
_CONTENT_BLOCKS = frozenset({"ol", "ul", "dl", "menu", "p", "pre", "blockquote", "address", *_HEADINGS})


def read(data: bytes, name: str) -> SourceText:
    decoded = decode(data, name, declared=declared_charset(data))
    tree = _parse(decoded.text, name)
    lines = _render_page(tree)
    kept = collapse_blank_lines(text for text, reason in lines if reason is None)
    return finish("\n".join(kept), fmt="html", name=name, encoding=decoded.encoding, title=title(tree),
                  breadcrumb=breadcrumb(tree), noise=noise_blocks([reason for _, reason in lines]),
                  findings=decoded.findings)


def page_text(data: bytes, name: str) -> str:
    """The whole page rendered with nothing dropped: the text NoiseBlock spans count lines of."""
    tree = _parse(decode(data, name, declared=declared_charset(data)).text, name)
    return "\n".join(text for text, _ in _render_page(tree))


def declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def _parse(text: str, name: str) -> LexborHTMLParser:
    tree = LexborHTMLParser(text)
    if tree.body is None:
        raise InputError("HTML without a body", source=name)
    return tree


# --- tree helpers ---------------------------------------------------------------------------------


def _children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.child
    while child is not None:
        yield child
        child = child.next


def _is_element(node: LexborNode) -> bool:
    return node.is_element_node


def _attr(node: LexborNode, key: str) -> str:
    return (node.attributes.get(key) or "").strip()


def _class_words(node: LexborNode) -> set[str]:
    tokens = f"{_attr(node, 'class')} {_attr(node, 'id')}".lower().split()
    words = set(tokens)
    for token in tokens:
        words.update(part for part in re.split(r"[-_]", token) if part)
    return words


def _has_text(node: LexborNode) -> bool:
    return bool(node.text(deep=True, strip=True))


# --- stage 2: structural drops --------------------------------------------------------------------


def _own_reason(node: LexborNode, sectioned: bool, body_chars: int) -> str | None:
    """Why this element (with its subtree) is noise, or None."""
    strong = _structural_reason(node, sectioned)
    if strong:
        return strong
    weak = "form" if node.tag == "form" else _class_reason(node)
    if weak and len(node.text(deep=True, strip=True)) >= 0.5 * body_chars:
        return None  # weak signals never remove most of a page
    return weak


def _structural_reason(node: LexborNode, sectioned: bool) -> str | None:
    tag = node.tag
    if _is_hidden(node):
        return "hidden"
    role = _attr(node, "role").lower().split()
    if role and role[0] in _ROLE_REASONS:
        return _ROLE_REASONS[role[0]]
    if tag in _TAG_REASONS:
        return _TAG_REASONS[tag]
    if tag == "header" and not sectioned:
        return "banner"
    if tag == "footer" and not sectioned:
        return "footer"
    if _attr(node, "aria-modal").lower() == "true":
        return "dialog"
    return None


def _is_hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    return ("hidden" in attrs or _attr(node, "aria-hidden").lower() == "true"
            or bool(_HIDDEN_STYLE.search(_attr(node, "style"))))


def _class_reason(node: LexborNode) -> str | None:
    """Generic front-end vocabulary in class/id: whole tokens for hidden text, word parts otherwise."""
    tokens = f"{_attr(node, 'class')} {_attr(node, 'id')}".lower().split()
    if set(tokens) & _HIDDEN_CLASSES:
        return "hidden"
    words = _class_words(node)
    if words & {"cookie", "cookies", "consent", "cookiebar", "cookieconsent"}:
        return "cookie notice"
    if ("skip" in words and words & {"link", "links", "nav", "to", "content", "main"}) or "skiplinks" in words:
        return "skip link"
    if any("breadcrumb" in word for word in words):
        return "breadcrumb"
    return None


def _dropped(body: LexborNode) -> dict[int, str]:
    """mem_id → reason for every element dropped with its subtree (outermost only)."""
    body_chars = max(1, len(body.text(deep=True, strip=True)))
    dropped: dict[int, str] = {}
    stack: list[tuple[LexborNode, bool]] = [(body, False)]
    while stack:
        node, sectioned = stack.pop()
        for child in _children(node):
            if not _is_element(child) or child.tag in _SKIP:
                continue
            reason = _own_reason(child, sectioned, body_chars)
            if reason and not _holds_main(child):
                dropped[child.mem_id] = reason
                continue
            stack.append((child, sectioned or child.tag in _SECTIONING))
    return dropped


def _holds_main(node: LexborNode) -> bool:
    return node.css_first("main, [role=main], article") is not None


def _inside(node: LexborNode, ids: dict[int, str]) -> bool:
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id in ids:
            return True
        current = current.parent
    return False


# --- stage 3: text statistics and the content root ------------------------------------------------


@dataclass
class _Stats:
    text: int = 0  # non-space characters
    words: int = 0
    links: int = 0  # navigating links (not mailto:/tel:)
    link_text: int = 0
    link_words: int = 0
    fragment_text: int = 0  # text of links to #anchors

    def add(self, other: _Stats) -> None:
        self.text += other.text
        self.words += other.words
        self.links += other.links
        self.link_text += other.link_text
        self.link_words += other.link_words
        self.fragment_text += other.fragment_text


def _preorder(root: LexborNode, pruned: dict[int, str]) -> list[LexborNode]:
    out: list[LexborNode] = []
    stack = [root]
    while stack:
        node = stack.pop()
        out.append(node)
        kids = [c for c in _children(node) if _is_element(c) and c.tag not in _SKIP and c.mem_id not in pruned]
        stack.extend(reversed(kids))
    return out


def _statistics(body: LexborNode, dropped: dict[int, str]) -> dict[int, _Stats]:
    stats: dict[int, _Stats] = {}
    for node in reversed(_preorder(body, dropped)):
        own = _Stats()
        for child in _children(node):
            if child.is_text_node:
                content = child.text_content or ""
                own.text += len("".join(content.split()))
                own.words += len(content.split())
            elif child.mem_id in stats:
                own.add(stats[child.mem_id])
        if node.tag == "a":
            _count_link(node, own)
        stats[node.mem_id] = own
    return stats


def _count_link(node: LexborNode, own: _Stats) -> None:
    href = _attr(node, "href").lower()
    if not href or href.startswith(("mailto:", "tel:")):
        return
    own.links, own.link_text, own.link_words = 1, own.text, own.words
    if href.startswith("#"):
        own.fragment_text = own.text


def _content_root(tree: LexborHTMLParser, body: LexborNode, dropped: dict[int, str],
                  stats: dict[int, _Stats]) -> tuple[LexborNode, bool]:
    """The element holding the main content, and whether the page marked it up as such."""
    for selector in _MAIN_SELECTORS:
        for node in tree.css(selector):
            if not _inside(node, dropped) and _has_text(node):
                return node, True
    articles = [a for a in tree.css("article") if not _inside(a, dropped) and _has_text(a)]
    if articles:
        return _common_ancestor(articles), True
    return _densest(body, dropped, stats), False


def _common_ancestor(nodes: list[LexborNode]) -> LexborNode:
    def chain(node: LexborNode) -> list[int]:
        ids = []
        current: LexborNode | None = node
        while current is not None:
            ids.append(current.mem_id)
            current = current.parent
        return ids

    shared = set(chain(nodes[0]))
    for node in nodes[1:]:
        shared &= set(chain(node))
    current: LexborNode | None = nodes[0]
    while current is not None and current.mem_id not in shared:
        current = current.parent
    return current or nodes[0]


def _mass(stats: _Stats | None) -> int:
    return 0 if stats is None else stats.text - stats.link_text


def _densest(body: LexborNode, dropped: dict[int, str], stats: dict[int, _Stats]) -> LexborNode:
    """Descend from body while one child holds at least 75% of the non-link text - into containers only:
    a list, a paragraph, a heading or a data table is a part of the content, never the whole of it (a
    page whose duty list is most of its text still has the head and contact lines above the list)."""
    node = body
    while True:
        kids = [c for c in _children(node) if _is_element(c) and c.mem_id in stats and c.mem_id not in dropped]
        if not kids:
            return node
        best = max(kids, key=lambda c: _mass(stats.get(c.mem_id)))
        if _mass(stats.get(best.mem_id)) < 0.75 * max(1, _mass(stats.get(node.mem_id))) or _is_content_block(best):
            return node
        node = best


def _is_content_block(node: LexborNode) -> bool:
    if node.tag in _CONTENT_BLOCKS:
        return True
    return node.tag == "table" and _is_data_table(node)


def _link_list_reason(stats: _Stats | None) -> str | None:
    if stats is None or stats.text == 0:
        return None
    if stats.links and stats.fragment_text >= 0.9 * stats.text:
        return "skip link"
    if stats.links >= 2 and stats.link_text >= 0.8 * stats.text and stats.link_words <= 5 * stats.links:
        return "link list"
    return None


# --- stage 4: rendering ---------------------------------------------------------------------------


@dataclass
class _Plan:
    dropped: dict[int, str]
    root: int
    stats: dict[int, _Stats]
    link_lists: bool = True


@dataclass
class _ListState:
    kind: str  # "ul", or an ol kind: "1", "a", "A", "i", "I", "none"
    next: int = 1
    step: int = 1


@dataclass
class _Frame:
    block: bool
    reason: str | None
    in_root: bool
    row: bool = False
    table: bool = False
    list: bool = False


@dataclass
class _Renderer:
    plan: _Plan
    lines: list[tuple[str, str | None]] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    filled: bool = False  # parts hold more than whitespace
    line_reason: str | None = None
    reason: str | None = None  # reason of the dropped element we are inside
    in_root: bool = False
    prefix: str = ""
    lists: list[_ListState] = field(default_factory=list)
    tables: list[bool] = field(default_factory=list)  # per open table: is it a data table?
    cells: list[list[str]] | None = None
    row_reason: str | None = None
    pre: int = 0

    def run(self, body: LexborNode) -> list[tuple[str, str | None]]:
        stack: list[tuple[LexborNode, _Frame | None]] = [(body, None)]
        while stack:
            node, frame = stack.pop()
            if frame is not None:
                self._exit(node, frame)
            elif node.is_text_node:
                self._text(node.text_content or "")
            elif _is_element(node):
                new = self._enter(node)
                if new is not None:
                    stack.append((node, new))
                    stack.extend((child, None) for child in reversed(list(_children(node))))
        self._flush()
        return self.lines

    # effective reason of text emitted now
    def _current(self) -> str | None:
        return self.reason or (None if self.in_root else _OUTSIDE)

    def _enter(self, node: LexborNode) -> _Frame | None:
        tag = node.tag
        if tag in _SKIP:
            return None
        frame = _Frame(block=tag in _BLOCK, reason=self.reason, in_root=self.in_root)
        if node.mem_id == self.plan.root:
            self.in_root = True
        reason = self._drop_reason(node)
        if reason and not frame.block:
            self.in_root = frame.in_root
            return None  # inline noise (an icon's label, a hidden span) just disappears
        if reason and self.reason is None:
            self._break()
            self.reason = reason
        if frame.block:
            self._break()
        self._open(node, tag, frame)
        return frame

    def _drop_reason(self, node: LexborNode) -> str | None:
        reason = self.plan.dropped.get(node.mem_id)
        if reason or not self.plan.link_lists or not self.in_root or node.mem_id == self.plan.root:
            return reason
        if node.tag in _LINK_LIST_TAGS:
            return _link_list_reason(self.plan.stats.get(node.mem_id))
        return None

    def _open(self, node: LexborNode, tag: str, frame: _Frame) -> None:
        if tag in _HEADINGS:
            self._blank()
        elif tag in ("ul", "ol", "menu"):
            self.lists.append(_new_list(node, tag, sum(1 for s in self.lists if s.kind != "ul")))
            frame.list = True
        elif tag == "li":
            self.prefix = self._marker(node)
        elif tag == "table":
            self.tables.append(_is_data_table(node))
            frame.table = True
        elif tag == "tr" and self.tables and self.tables[-1] and self.cells is None:
            self.cells, self.row_reason, frame.row = [], self._current(), True
        elif tag in ("td", "th") and self.cells is not None:
            self.cells.append([])
        elif tag == "br":
            self._newline()
        elif tag == "pre":
            self.pre += 1

    def _exit(self, node: LexborNode, frame: _Frame) -> None:
        tag = node.tag
        if frame.row:
            self._emit_row()
        if frame.list:
            self.lists.pop()
        if frame.table:
            self.tables.pop()
        if tag == "pre":
            self.pre -= 1
        if frame.block:
            self._break()
        if tag == "li":
            self.prefix = ""
        if frame.reason is None and self.reason is not None:
            self._flush()
        self.reason, self.in_root = frame.reason, frame.in_root

    def _marker(self, node: LexborNode) -> str:
        state = self.lists[-1] if self.lists else _ListState("ul")
        indent = "  " * max(0, len(self.lists) - 1)
        if state.kind == "ul":
            return indent + "- "
        value = _int(_attr(node, "value"))
        number = value if value is not None else state.next
        state.next = number + state.step
        return "" if state.kind == "none" else f"{indent}{_ol_marker(state.kind, number)} "

    def _text(self, text: str) -> None:
        if self.cells is not None:
            if self.cells:
                self.cells[-1].append(_ASCII_WS.sub(" ", text))
            return
        if self.pre:
            pieces = text.split("\n")
            for piece in pieces[:-1]:
                self._append(piece)
                self._newline()
            self._append(pieces[-1])
            return
        self._append(_ASCII_WS.sub(" ", text))

    def _append(self, text: str) -> None:
        if not text:
            return
        reason = self._current()
        if self.filled and reason != self.line_reason:
            self._flush()
        if not self.filled and text.strip():
            self.line_reason, self.filled = reason, True
        self.parts.append(text)

    def _break(self) -> None:
        if self.cells is not None:
            if self.cells:
                self.cells[-1].append(" ")
            return
        self._flush()

    def _newline(self) -> None:
        if self.cells is not None:
            self._break()
        elif self.filled:
            self._flush()
        else:
            self.lines.append(("", self._current()))

    def _flush(self) -> None:
        line = _clean("".join(self.parts))
        self.parts, self.filled = [], False
        if line:
            self.lines.append((self.prefix + line, self.line_reason))
            self.prefix = ""

    def _blank(self) -> None:
        self._flush()
        if self.lines and self.lines[-1][0]:
            self.lines.append(("", self._current()))

    def _emit_row(self) -> None:
        cells = [_clean("".join(cell)) for cell in self.cells or []]
        self.cells = None
        if any(cells):
            self.lines.append((" | ".join(cells), self.row_reason))


def _clean(text: str) -> str:
    return _SPACES.sub(" ", normalise(text).replace("\n", " ")).strip()


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _new_list(node: LexborNode, tag: str, ol_depth: int) -> _ListState:
    if tag != "ol":
        return _ListState("ul")
    kind = _attr(node, "type")
    style = _LIST_STYLE.search(_attr(node, "style"))
    if style and style.group(1).lower() in _LIST_KINDS:
        kind = _LIST_KINDS[style.group(1).lower()]
    if kind not in {"1", "a", "A", "i", "I", "none"}:
        kind = _DEFAULT_OL_KINDS[min(ol_depth, len(_DEFAULT_OL_KINDS) - 1)]
    reversed_ = "reversed" in node.attributes
    items = sum(1 for c in _children(node) if c.tag == "li")
    start = _int(_attr(node, "start"))
    first = start if start is not None else (items if reversed_ else 1)
    return _ListState(kind, first, -1 if reversed_ else 1)


def _ol_marker(kind: str, number: int) -> str:
    if number <= 0 or kind == "1":
        return f"{number}."
    if kind in "aA":
        letters = _alpha(number)
        return f"{letters.upper() if kind == 'A' else letters})"
    roman = _roman(number)
    return f"{roman if kind == 'I' else roman.lower()}."


def _alpha(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _roman(number: int) -> str:
    out = ""
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        out += digits * count
    return out


def _is_data_table(table: LexborNode) -> bool:
    """A grid of short cells; a table of lists, headings, tables or long prose is page layout."""
    widths = [sum(1 for c in _children(row) if c.tag in ("td", "th")) for row in table.css("tr")]
    if not widths or max(widths) < 2:
        return False
    for node in _descendants(table):
        if node.tag in _LAYOUT_INSIDE_TABLE:
            return False
        if node.tag in ("td", "th") and sum(1 for d in _descendants(node) if d.tag in _PARAGRAPHS) >= 3:
            return False
    return True


def _descendants(node: LexborNode) -> Iterator[LexborNode]:
    stack = [c for c in _children(node) if _is_element(c)]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(c for c in _children(current) if _is_element(c))


def _render_page(tree: LexborHTMLParser) -> list[tuple[str, str | None]]:
    """Render with every rule; relax the rules when they leave no text at all."""
    body = tree.body
    assert body is not None
    dropped = _dropped(body)
    stats = _statistics(body, dropped)
    root, marked_up = _content_root(tree, body, dropped, stats)
    attempts = [_Plan(dropped, root.mem_id, stats, link_lists=not marked_up),
                _Plan(dropped, root.mem_id, stats, link_lists=False),
                _Plan({}, body.mem_id, stats, link_lists=False)]
    lines: list[tuple[str, str | None]] = []
    for plan in attempts:
        lines = _Renderer(plan).run(body)
        if any(reason is None and any(ch.isalpha() for ch in text) for text, reason in lines):
            return lines
    return lines


# --- title and breadcrumb -------------------------------------------------------------------------


def title(tree: LexborHTMLParser) -> str | None:
    for node in tree.css("title"):
        if node.text(strip=True) and not _in_svg(node):
            return one_line(node.text())
    meta = tree.css_first('meta[property="og:title"]')
    if meta is None:
        return None
    return one_line(_attr(meta, "content")) or None


def _in_svg(node: LexborNode) -> bool:
    current = node.parent
    while current is not None:
        if current.tag == "svg":
            return True
        current = current.parent
    return False


def breadcrumb(tree: LexborHTMLParser) -> list[str]:
    """The breadcrumb trail, even though its element is dropped from the text: an element marked up as
    one (schema.org BreadcrumbList, aria-label, a "breadcrumb" class), JSON-LD, else an element built
    like one: 2+ links with nothing but separators (» › > / | →) between them, ending in the current page
    as plain text or introduced by a label ("Jesteś tutaj:"); a bar of links is no trail."""
    for node in _breadcrumb_containers(tree):
        items = _crumb_items(node)
        if items:
            return items
    return _jsonld_breadcrumb(tree) or _unmarked_breadcrumb(tree)


def _unmarked_breadcrumb(tree: LexborHTMLParser) -> list[str]:
    for node in tree.css("div, p, span, nav, td, li"):
        if node.css_first("a") is None or len(node.text(deep=True, strip=True)) > 400:
            continue
        kinds = []
        for child in _children(node):
            if child.is_text_node:
                text = (child.text_content or "").strip()
                if not text:
                    continue
                if _CRUMB_SEPARATORS.fullmatch(text):
                    kinds.append("sep")
                else:
                    kinds.append("label" if not kinds and text.endswith(":") else "text")
            elif _is_element(child) and child.tag == "a":
                kinds.append("link")
            elif _is_element(child) and child.tag not in _SKIP:
                kinds = []
                break
        links = kinds.count("link")
        trail = [k for k in kinds if k != "label"] if kinds[:1] == ["label"] else kinds
        alternating = all(k == ("link" if i % 2 == 0 else "sep") for i, k in enumerate(trail[:-1]))
        ends_here = trail[-1:] == ["text"] or kinds[:1] == ["label"]  # the current page, or "Jesteś tutaj:"
        if links >= 2 and trail and alternating and ends_here and "label" not in trail:
            return _clean_crumbs(_split_crumbs(node))
    return []


def _breadcrumb_containers(tree: LexborHTMLParser) -> list[LexborNode]:
    strong, weak = [], []
    for node in tree.css("[itemtype], [aria-label], [class], [id]"):
        if "breadcrumblist" in _attr(node, "itemtype").lower() or "breadcrumb" in _attr(
                node, "aria-label").lower():
            strong.append(node)
        elif any("breadcrumb" in word for word in _class_words(node)):
            weak.append(node)
    return strong + weak


def _crumb_items(node: LexborNode) -> list[str]:
    schema = node.css('[itemprop="itemListElement"]')
    if schema:
        pieces = [(item.css_first('[itemprop="name"]') or item).text() for item in schema]
    else:
        leaves = [li for li in node.css("li") if len(li.css("li")) == 1]  # css() includes the node
        pieces = [li.text() for li in leaves] if leaves else _split_crumbs(node)
    return _clean_crumbs(pieces)


def _split_crumbs(node: LexborNode) -> list[str]:
    pieces: list[str] = []
    for child in _children(node):
        if child.is_text_node:
            pieces.extend(_CRUMB_SEPARATORS.split(child.text_content or ""))
        elif _is_element(child) and child.tag not in _SKIP:
            pieces.append(child.text())
    return pieces


def _clean_crumbs(pieces: list[str]) -> list[str]:
    items = []
    for piece in pieces:
        text = one_line(_CRUMB_SEPARATORS.sub(" ", f" {piece} ")).strip()
        if text and any(ch.isalnum() for ch in text) and not text.endswith(":"):
            items.append(text)
    return items


def _jsonld_breadcrumb(tree: LexborHTMLParser) -> list[str]:
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text()[:200_000])
        except (ValueError, RecursionError):
            continue
        for item in _jsonld_nodes(data):
            if item.get("@type") == "BreadcrumbList":
                return _jsonld_items(item)
    return []


def _jsonld_nodes(data: object) -> list[dict]:
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [data, *(_jsonld_nodes(graph) if isinstance(graph, list) else [])]
    return []


def _jsonld_items(crumbs: dict) -> list[str]:
    elements = crumbs.get("itemListElement")
    if not isinstance(elements, list):
        return []
    named = []
    for element in elements:
        if not isinstance(element, dict):
            continue
        inner = element.get("item")
        name = element.get("name") or (inner.get("name") if isinstance(inner, dict) else None)
        position = element.get("position")
        if isinstance(name, str) and name.strip():
            named.append((position if isinstance(position, int) else len(named) + 1, one_line(name)))
    return [name for _, name in sorted(named, key=lambda pair: pair[0])]
