"""The legal act a document is, when it is one: kind, number, issuer, date, subject, basis, force, repeals.

"ZARZĄDZENIE Nr 12/2020 / PREZYDENTA MIASTA X / z dnia 3 marca 2020 r. / w sprawie ..." (over one or several
lines), "Na podstawie ... zarządza się, co następuje:", "§ 9. Zarządzenie wchodzi w życie z dniem ...",
"Traci moc zarządzenie Nr ... z dnia ...", "W zarządzeniu Nr ... wprowadza się następujące zmiany" and the
title "zmieniające zarządzenie (Nr ...) w sprawie ..." give the acts it repeals and amends (LegalAct.amends:
number, date and title of each; an amended act named only by its title keeps number None).
"""

from __future__ import annotations

import re
from datetime import date

from kompetencje.loaders import morphology
from kompetencje.loaders.extract.blocks import iter_blocks
from kompetencje.loaders.extract.context import Extraction
from kompetencje.loaders.extract.names import normal_case
from kompetencje.loaders.model import ActReference, LegalAct, Span
from kompetencje.loaders.normalize import Line, collapse_spaces

MONTHS = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
          "października", "listopada", "grudnia")
DATE = r"\d{1,2}\s*(?:\.\s*\d{1,2}\s*\.|\s+[a-ząćęłńóśźż]+\s+)\s*\d{4}"
KINDS = r"zarządzenie|uchwała|postanowienie|decyzja|obwieszczenie|regulamin"
REFERENCE_KINDS = r"zarządzeni\w*|uchwa\w+|postanowieni\w*|decyzj\w*"
ACT_HEAD = re.compile(
    rf"^(?P<kind>{KINDS})\s+(?:nr\.?\s*)?(?P<number>[\w./-]*\d[\w./-]*)\s+(?P<issuer>.*?)\s*"
    rf"z\s+dnia\s+(?P<date>{DATE})\s*(?:r\.|roku|r\b)?\s*(?P<subject>w\s+sprawie\b.*|zmieniające\b.*)?$",
    re.IGNORECASE)
ENACTING = re.compile(r"\s*[,;]?\s*(?:(?:[A-ZĄĆĘŁŃÓŚŹŻ][\w-]*|w|we|i)\s+){0,6}(?:zarządza\s+się|zarządzam|zarządza|"
                      r"uchwala\s+się|uchwala|postanawia\s+się|postanawiam|postanawia)\b.*$")
CONSOLIDATED = re.compile(r"\b(?:t\.\s?j\.|tekst\s+jednolity:?)\s*", re.IGNORECASE)
IN_FORCE = re.compile(rf"wchodzi\s+w\s+życie\s+(?:z\s+dniem|w\s+dniu|dnia)\s+(?P<when>{DATE}|podpisania)",
                      re.IGNORECASE)
REFERENCE = re.compile(rf"(?:(?P<kind>{REFERENCE_KINDS})\b[^;]*?)?\b[Nn]r\.?\s*(?P<number>[\w./-]*\d[\w./-]*)"
                       rf"[^;]*?z\s+dnia\s+(?P<date>{DATE})\s*r?\.?(?:\s+(?P<title>w\s+sprawie[^;]*?))?(?=[;.]?\s*$|;)",
                       re.IGNORECASE)
REPEAL = re.compile(r"^trac(?:i|ą)\s+moc", re.IGNORECASE)
AMEND = re.compile(r"^w\s+(?:zarządzeniu|uchwale)\b.*\bwprowadza\s+się", re.IGNORECASE)
AMEND_TAIL = re.compile(r"\s*,?\s*wprowadza\s+się\b.*$", re.IGNORECASE | re.DOTALL)
AMENDING_SUBJECT = re.compile(rf"^zmieniając\w*\s+(?P<kind>{REFERENCE_KINDS})\b.*?(?P<title>w\s+sprawie\b.*)?$",
                              re.IGNORECASE)


def parse_polish_date(text: str) -> date | None:
    """"25 sierpnia 2021" or "25.08.2021" → date."""
    parts = re.findall(r"\d+|[a-ząćęłńóśźż]+", text.lower())
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    month = int(parts[1]) if parts[1].isdigit() else MONTHS.index(parts[1]) + 1 if parts[1] in MONTHS else 0
    try:
        return date(int(parts[2]), month, int(parts[0]))
    except ValueError:
        return None


def extract_legal_act(ext: Extraction) -> LegalAct | None:
    header = _header_lines(ext.lines)
    if not header:
        return None
    match = ACT_HEAD.match(collapse_spaces(" ".join(line.text for line in header)))
    if not match:
        return None
    act = _act_from_header(match, Span(header[0].origin, header[-1].origin))
    ext.use(act.span)
    _read_body(ext, act)
    return act


def _header_lines(lines: list[Line]) -> list[Line]:
    """From the line that names the act's kind up to the basis or the first §."""
    start = next((i for i, line in enumerate(lines[:40]) if re.match(rf"^(?:{KINDS})\b", line.text, re.I)), None)
    if start is None:
        return []
    header = []
    for line in lines[start:start + 12]:
        if line.text.startswith("§") or re.match(r"^na\s+podstawie\b", line.text, re.I):
            break
        if line.text:
            header.append(line)
    return header


def _act_from_header(match: re.Match[str], span: Span) -> LegalAct:
    kind = match["kind"].capitalize()
    issuer_written = normal_case(match["issuer"].strip(" ,")) if match["issuer"].strip() else ""
    date_text = collapse_spaces(match["date"])
    subject = collapse_spaces(match["subject"]).rstrip(".") if match["subject"] else None
    title_parts = [kind, "Nr", match["number"], issuer_written, "z dnia", date_text, "r.", subject or ""]
    return LegalAct(kind=kind, number=match["number"], span=span,
                    issuer=morphology.to_nominative(issuer_written) if issuer_written else None,
                    date=parse_polish_date(date_text), title=" ".join(p for p in title_parts if p),
                    subject=subject)


def _read_body(ext: Extraction, act: LegalAct) -> None:
    for block in iter_blocks(ext.outline):
        text = block.text
        if re.match(r"^na\s+podstawie\b", text, re.I) and act.based_on is None:
            act.based_on = _legal_basis(text)
            ext.use(block.span)
        if found := IN_FORCE.search(text):
            when = found["when"]
            act.in_force_from = act.date if when.lower() == "podpisania" else parse_polish_date(when)
            ext.use(block.span)
        if REPEAL.match(text):
            act.repeals.extend(_references(block_text_with_items(block), act.kind))
            ext.use(block.span)
        if AMEND.match(text):
            act.amends.extend(_references(AMEND_TAIL.sub("", text), act.kind))
            ext.use(block.lead_span)
    if act.subject and (amended := AMENDING_SUBJECT.match(act.subject)):
        known = {r.number for r in act.amends}
        found = [r for r in _references(act.subject, act.kind) if r.number not in known]
        act.amends.extend(found)
        if not act.amends and amended["title"]:  # "zmieniające zarządzenie w sprawie X" without its number
            kind = morphology.to_nominative(amended["kind"]).capitalize()
            act.amends.append(ActReference(None, None, collapse_spaces(amended["title"]).rstrip("."), kind))


def block_text_with_items(block) -> str:
    return " ; ".join([block.text, *(collapse_spaces(item.text) for item in block.items)])


def _legal_basis(text: str) -> str:
    basis = re.sub(r"^na\s+podstawie\s+", "", text, flags=re.I)
    basis = ENACTING.sub("", basis)
    return collapse_spaces(CONSOLIDATED.sub("", basis)).rstrip(" ,;:")


def _references(text: str, default_kind: str) -> list[ActReference]:
    found = []
    for match in REFERENCE.finditer(text):
        kind = match["kind"]
        kind_name = morphology.to_nominative(kind).capitalize() if kind else default_kind
        title = collapse_spaces(match["title"]).rstrip(".") if match["title"] else None
        found.append(ActReference(match["number"], parse_polish_date(match["date"]), title, kind_name))
    return found
