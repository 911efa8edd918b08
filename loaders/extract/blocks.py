"""The outline read as a sequence of blocks: a lead-in text, the items under it, and the provision it is.

A block is a § without sections, a section (ust.) of a §, a group heading (I. ZADANIA WŁASNE) or an
unmarked text block. Extractors look at a block's lead-in ("Do zakresu działania X należą sprawy:",
"Dyrektorowi podlegają:") to decide what its items are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kompetencje.loaders.model import Provision, Span
from kompetencje.loaders.normalize import collapse_spaces
from kompetencje.loaders.structure import Node, Outline


@dataclass
class Block:
    node: Node
    provision: Provision | None

    @property
    def text(self) -> str:
        """The lead-in, spaces collapsed, markdown emphasis already gone."""
        return collapse_spaces(self.node.text)

    @property
    def items(self) -> list[Node]:
        return self.node.items

    @property
    def is_group(self) -> bool:
        return self.node.kind == "group"

    @property
    def lead_span(self) -> Span:
        return self.node.own_span

    @property
    def span(self) -> Span:
        return self.node.span


def iter_blocks(outline: Outline) -> Iterator[Block]:
    for node in outline.blocks:
        if node.kind == "paragraph":
            yield from _paragraph_blocks(node)
        else:
            yield Block(node, None)


def _paragraph_blocks(paragraph: Node) -> Iterator[Block]:
    number = paragraph.number
    sections = [child for child in paragraph.children if child.kind == "section"]
    if not sections:
        yield Block(paragraph, Provision(paragraph=number))
    for child in paragraph.children:
        if child.kind == "section":
            provision = Provision(paragraph=number, section=child.number)
            yield Block(child, provision)
            yield from (Block(c, provision) for c in child.children if c.kind in ("text", "group"))
        elif child.kind in ("text", "group"):
            yield Block(child, Provision(paragraph=number))
