"""SourceText → Document: what a city-hall document says about its units, posts, duties and contacts.

The steps, in order (each module's docstring says how it reads its part):
1. `normalize` the text into lines that remember their original line, `structure` them into an outline;
2. the legal act, if the document is one (`legal_act`), and the department it regulates (`units`);
3. the page's headings into units and blocks (`units.page_blocks`), lists of units and symbol glossaries;
4. posts: heads named in an act or on a page (`posts`);
5. duty lists from their declarations (`declarations`); reporting lines (`reporting`);
6. cooperation stated in duties (`cooperation`), contacts in unit blocks (`contacts`);
7. the municipality (`municipality`), the noise no structure claimed (`noise`), findings.

Spans point into Document.lines, the original lines of SourceText.text. A text with no recognisable
structure raises InputError rather than returning an empty document.
"""

from __future__ import annotations

from kompetencje.errors import InputError
from kompetencje.loaders.extract.contacts import read_contacts
from kompetencje.loaders.extract.context import OFFICE_UNIT, Extraction
from kompetencje.loaders.extract.cooperation import read_cooperation
from kompetencje.loaders.extract.declarations import read_duty_lists
from kompetencje.loaders.extract.legal_act import extract_legal_act
from kompetencje.loaders.extract.municipality import extract_municipality
from kompetencje.loaders.extract.noise import find_noise
from kompetencje.loaders.extract.posts import read_act_posts, read_page_heads
from kompetencje.loaders.extract.reporting import read_reporting
from kompetencje.loaders.extract.units import (
    department_from_act,
    page_blocks,
    read_glossary_lines,
    read_unit_lists,
    subject_from_titles,
)
from kompetencje.loaders.model import Document, Municipality, SourceMeta, SourceText
from kompetencje.loaders.normalize import normalize_lines, original_lines
from kompetencje.loaders.structure import parse_outline

__all__ = ["OFFICE_UNIT", "extract_document"]


def extract_document(source: SourceText, meta: SourceMeta) -> Document:
    """The document model of one source text (see the module docstring)."""
    lines = normalize_lines(source.text)
    if not any(line.text for line in lines):
        raise InputError("the document is empty", source=meta.path or meta.doc_id)
    document = Document(meta=meta, lines=original_lines(source.text), municipality=Municipality(None),
                        format=source.format, quality=source.quality)
    document.findings.extend(source.findings)
    document.reader_noise.extend(source.noise)
    ext = Extraction(document, lines, parse_outline(lines))
    ext.titles = [t for t in (source.title, *reversed(source.breadcrumb), meta.title) if t]
    read_structure(ext)
    require_structure(ext)
    document.municipality = extract_municipality(ext)
    document.noise.extend(find_noise(ext))
    add_findings(ext)
    return document


def read_structure(ext: Extraction) -> None:
    ext.doc.act = extract_legal_act(ext)
    department_from_act(ext)
    blocks = page_blocks(ext)
    read_unit_lists(ext)
    read_glossary_lines(ext)
    subject_from_titles(ext, blocks)
    read_act_posts(ext)
    read_page_heads(ext, blocks)
    read_duty_lists(ext)
    read_reporting(ext)
    read_cooperation(ext)
    read_contacts(ext, blocks)
    if ext.doc.act is not None:
        for node in ext.outline.blocks:
            if node.kind == "paragraph":
                ext.use(node.span)


def require_structure(ext: Extraction) -> None:
    doc = ext.doc
    if doc.duty_lists or doc.units or doc.act is not None:
        return
    first = next((line.origin for line in ext.lines if line.text), None)
    raise InputError("no recognisable structure: no duty list, unit, legal act or contact was found",
                     source=doc.meta.path or doc.meta.doc_id, line=first)


def add_findings(ext: Extraction) -> None:
    for span, message in ext.outline.anomalies:
        ext.finding(message, span, confidence=0.7)
    holders = {duties.holder for duties in ext.doc.duty_lists}
    if not holders:
        ext.finding("no duty list found", confidence=0.5)
        return
    for unit in ext.doc.units:
        if unit.key not in holders and unit.kind != "department":
            ext.finding(f"unit {unit.name or unit.key} has no duties in this document", unit.span)
