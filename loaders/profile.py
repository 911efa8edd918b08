"""A document's profile for people: what the loader recognised, what it dropped as noise, and its doubts.

`kompetencje inspect FILE` prints it; `kompetencje build` writes the JSON form of every document into
data/build/report.json.
"""

from __future__ import annotations

from kompetencje.loaders.iris import item_paths
from kompetencje.loaders.model import Document, DutyList, Span


def lines_label(span: Span | None) -> str:
    if span is None:
        return ""
    return f"l. {span.start}" if span.start == span.end else f"l. {span.start}–{span.end}"


def holder_label(doc: Document, key: str) -> str:
    unit = doc.unit(key)
    if unit is not None:
        return " ".join(x for x in (unit.symbol, unit.name or "(no name)") if x)
    post = doc.post(key)
    if post is not None:
        return post.title
    external = next((e for e in doc.external if e.key == key), None)
    return external.name if external else key


def render_profile(doc: Document) -> str:
    sections = [header(doc), units(doc), posts(doc), duties(doc), relations(doc), contacts(doc), act(doc),
                noise(doc), findings(doc)]
    return "\n\n".join(s for s in sections if s)


def header(doc: Document) -> str:
    m = doc.municipality
    where = f"{m.name or '?'} (TERYT {m.teryt or '?'}; {m.office_name or 'office name unknown'})"
    return (f"{doc.meta.path}\n  format {doc.format}, {len(doc.lines)} lines, text quality {doc.quality:.2f}\n"
            f"  municipality: {where} — from {m.evidence or 'nowhere'}")


def units(doc: Document) -> str:
    rows = [f"  {u.kind:<10} {holder_label(doc, u.key):<60} {lines_label(u.span)}"
            + (f"  in {holder_label(doc, u.parent)}" if u.parent else "") for u in doc.units]
    return "Units\n" + "\n".join(rows) if rows else "Units: none recognised"


def posts(doc: Document) -> str:
    rows = []
    for p in doc.posts:
        extra = f" — held by {p.holder}" if p.holder else ""
        extra += f" (also {', '.join(p.also)})" if p.also else ""
        rows.append(f"  {p.title} in {holder_label(doc, p.unit)}{extra}{' [head]' if p.is_head else ''}")
    return "Posts\n" + "\n".join(rows) if rows else ""


def duties(doc: Document) -> str:
    blocks = [duty_block(doc, dl) for dl in doc.duty_lists]
    return "Duties\n" + "\n".join(blocks) if blocks else "Duties: none recognised"


def duty_block(doc: Document, duty_list: DutyList) -> str:
    title = f"  {holder_label(doc, duty_list.holder)}"
    if duty_list.shared:
        title += " — shared by all its units"
    if duty_list.group:
        title += f" — group {duty_list.group_number or ''} {duty_list.group}".rstrip()
    if duty_list.provision:
        title += f" — {duty_list.provision.label}"
    top = len(duty_list.items)
    title += f": {top} item(s), {lines_label(duty_list.span)}"
    rows = [title]
    for path, item, _parent in item_paths(duty_list.items):
        indent = "    " * len(path)
        text = item.text if len(item.text) <= 90 else item.text[:87] + "…"
        rows.append(f"{indent}{'.'.join(path)}  {text}  [{lines_label(item.span)}]")
    return "\n".join(rows)


def relations(doc: Document) -> str:
    rows = [f"  {holder_label(doc, r.subordinate)} → {holder_label(doc, r.superior)}"
            + (f"  ({r.provision.label})" if r.provision else "") + (f"  note: {r.note}" if r.note else "")
            for r in doc.reporting]
    rows += [f"  {holder_label(doc, c.party)} ~ {holder_label(doc, c.partner)}  «{c.phrase}»"
             for c in doc.cooperation]
    return "Reporting and cooperation\n" + "\n".join(rows) if rows else ""


def contacts(doc: Document) -> str:
    rows = []
    for c in doc.contacts:
        parts = c.addresses + c.phones + c.emails + c.urls + [f"pok. {r}" for r in c.rooms]
        rows.append(f"  {holder_label(doc, c.of)}: {'; '.join(parts)}  [{lines_label(c.span)}]")
    return "Contacts\n" + "\n".join(rows) if rows else ""


def act(doc: Document) -> str:
    a = doc.act
    if a is None:
        return ""
    rows = [f"  {a.title or a.kind + ' ' + a.number}", f"  number {a.number}, dated {a.date}, in force from "
            f"{a.in_force_from}", f"  based on: {a.based_on}"]
    rows += [f"  repeals {r.number} of {r.date}" for r in a.repeals]
    rows += [f"  amends {r.number} of {r.date}" for r in a.amends]
    return "Legal act\n" + "\n".join(rows)


def noise(doc: Document) -> str:
    rows = [f"  {lines_label(n.span):<12} {n.reason}: {' / '.join(doc.lines[n.span.start - 1:n.span.end])[:80]}"
            for n in doc.noise]
    rows += [f"  page {lines_label(n.span):<7} {n.reason} (removed by the {doc.format} reader)"
             for n in doc.reader_noise]
    return "Dropped as noise\n" + "\n".join(rows) if rows else ""


def findings(doc: Document) -> str:
    rows = [f"  [{f.confidence:.2f}] {f.message} {lines_label(f.span)}" for f in doc.findings]
    return "Warnings\n" + "\n".join(rows) if rows else ""
