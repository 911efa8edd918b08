"""Contact points: the address, phones, e-mails, web pages and rooms in a unit's page block.

Only lines inside a unit's block count (see `units.page_blocks`): a heading that is not a unit's name
closes the block, so the portal's footer ("Redaktorzy Biuletynu", its e-mail and phone) is never attached.
A "Telefon:" label with no number takes the labelled numbers on the lines under it
("Sekretariat (61) 426 00 11"); an "Adres:" label with no value takes the street and postcode lines under it.
"""

from __future__ import annotations

from kompetencje.loaders.extract.context import Extraction
from kompetencje.loaders.extract.pagelines import (
    CONTACT_LABEL,
    EMAIL,
    POSTCODE,
    ROOM,
    STREET,
    URL,
    is_head_line,
    phone_numbers,
)
from kompetencje.loaders.extract.units import PageBlock
from kompetencje.loaders.model import Contact, Span
from kompetencje.loaders.normalize import Line, collapse_spaces

ADDRESS_LABELS = ("adres", "siedziba")
SKIPPED_LABELS = ("fax", "faks", "symbol", "oznaczenie", "godziny")


def read_contacts(ext: Extraction, blocks: list[PageBlock]) -> None:
    for block in blocks:
        owner = card_owner(ext, block)
        if owner is not None:
            _read_lines(ext, owner, block.lines)


def card_owner(ext: Extraction, block: PageBlock) -> str | None:
    """A block is one contact card: it belongs to whoever its head line was given to.

    A department head's title in a unit's block ("Naczelnik: …" under a Biuro's heading) heads the
    department, and so do the room, phone and e-mail printed on the same card.
    """
    origins = {line.origin for line in block.lines}
    heads = [p for p in ext.doc.posts if p.is_head and p.span is not None and p.span.start in origins]
    if heads:
        return heads[0].unit
    return block.unit.key if block.unit is not None else None


def add_contact_line(ext: Extraction, unit_key: str, line: Line) -> None:
    """The phone or e-mail written on a head's line ("Kierownik: Anna Wiśniewska, tel. ...") is the unit's."""
    _read_lines(ext, unit_key, [line], heads_too=True)


def _read_lines(ext: Extraction, unit_key: str, lines: list[Line], heads_too: bool = False) -> None:
    contact = Contact(of=unit_key, span=Span(0, 0))
    used = [line for line in lines if _read_line(contact, line, heads_too)]
    if used:
        contact.span = Span(min(line.origin for line in used), max(line.origin for line in used))
        _merge(ext, contact)
        for line in used:
            ext.use(Span(line.origin, line.origin))


def _merge(ext: Extraction, contact: Contact) -> None:
    existing = next((c for c in ext.doc.contacts if c.of == contact.of), None)
    if existing is None:
        ext.doc.contacts.append(contact)
        return
    for field in ("addresses", "phones", "emails", "urls", "rooms"):
        values = getattr(existing, field)
        values.extend(v for v in getattr(contact, field) if v not in values)
    existing.span = Span(min(existing.span.start, contact.span.start), max(existing.span.end, contact.span.end))


def _read_line(contact: Contact, line: Line, heads_too: bool = False) -> bool:
    """Add what one line says to the contact; whether it said anything."""
    text = collapse_spaces(line.text)
    if is_head_line(text) and not heads_too:
        return False
    if heads_too:
        found = _add_all(contact.phones, phone_numbers(text)) | _add_all(contact.emails, EMAIL.findall(text))
        return found
    label = CONTACT_LABEL.match(text)
    name = label["label"].lower() if label else ""
    value = label["value"].strip() if label else text
    if name.startswith(SKIPPED_LABELS):
        return name.startswith(("fax", "faks"))
    found = _add_all(contact.emails, EMAIL.findall(value))
    found |= _add_all(contact.urls, [u.rstrip(".") for u in URL.findall(EMAIL.sub(" ", value))])
    rooms = [m["room"] for m in ROOM.finditer(text)]
    if not rooms and name.startswith("pok") and value:
        rooms = [value.split()[0].strip(",;")]
    found |= _add_all(contact.rooms, rooms)
    if name.startswith("tel"):
        found |= _add_all(contact.phones, phone_numbers(value))
    elif (name.startswith(ADDRESS_LABELS) and value) or STREET.match(value) or POSTCODE.search(value):
        found |= _add_address(contact, value)
    else:
        found |= _add_all(contact.phones, phone_numbers(value))
    return found or bool(label)


def _add_address(contact: Contact, value: str) -> bool:
    value = value.strip(" ,;")
    if contact.addresses and not STREET.match(value) and POSTCODE.match(value):
        contact.addresses[-1] = f"{contact.addresses[-1]}, {value}"
        return True
    return _add_all(contact.addresses, [value])


def _add_all(values: list[str], new: list[str]) -> bool:
    added = False
    for value in new:
        if value and value not in values:
            values.append(value)
            added = True
    return added
