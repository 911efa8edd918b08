"""What a line of a unit's page block can be: contact data, a symbol, a head of the unit, a section label.

Shared by `units.page_blocks` (which lines keep a block open) and the contact and post extractors.
"""

from __future__ import annotations

import re

from kompetencje.loaders.extract.lexicon import HEAD_TITLE_LEMMAS, POST_UNIT_LEMMAS
from kompetencje.loaders.extract.names import head_lemma_of, person_name

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"(?:https?://|www\.)[^\s,;]+", re.IGNORECASE)
PHONE = re.compile(r"(?<![\w/-])(?:\(?\+?\d{2,3}\)?[\s-]?)?(?:\(\d{2,3}\)\s?)?\d{2,4}(?:[\s-]?\d{2,4}){1,4}(?![\w/-])")
ROOM = re.compile(r"\b(?:pok(?:ój|oj|\.)|pokoje|pok\s)\s*(?:nr\.?\s*)?(?P<room>\d+[a-zA-Z]?)\b", re.IGNORECASE)
POSTCODE = re.compile(r"(?<![\d-])\d{2}-\d{3}(?![\d-])")
STREET = re.compile(r"^(?:ul\.|al\.|pl\.|os\.|ulica|aleja|plac|rynek)\s*\S", re.IGNORECASE)
STREET_INSIDE = re.compile(r"(?:^|,\s*)(?:ul\.|al\.|pl\.|os\.|ulica|aleja|plac|rynek)\s*\S", re.IGNORECASE)
CONTACT_LABEL = re.compile(
    r"^(?P<label>adres(?:\s+siedziby|\s+do\s+korespondencji)?|siedziba|tel(?:efon|\.)?(?:\s+kom\w*)?|fax|faks|"
    r"e-?mail|poczta\s+elektroniczna|kontakt|strona(?:\s+www|\s+internetowa)?|www|pokój|pok\.|godziny\s+\w+|"
    r"dane\s+kontaktowe|symbol(?:\s+komórki)?|oznaczenie|sekretariat)\s*[:.]?\s*(?P<value>.*)$",
    re.IGNORECASE)
TITLE_JOINERS = frozenset({"ds.", "do", "spraw", "i", "z", "w", "we", "na", "dla", "oraz"})
TITLE_AND_NAME = re.compile(r"^(?P<title>[^:–—]+?)\s*:\s*(?P<name>.*)$")
NAME_DASH_TITLE = re.compile(r"^(?P<name>[^–—-]+?)\s+[–—-]\s+(?P<title>\S.*)$")


def phone_numbers(text: str) -> list[str]:
    """Telephone numbers in a text (nine digits or more, so postcodes and years never count)."""
    text = URL.sub(" ", EMAIL.sub(" ", text))
    found = []
    for match in PHONE.finditer(text):
        number = match.group().strip()
        if sum(c.isdigit() for c in number) >= 9 and not POSTCODE.fullmatch(number):
            found.append(number)
    return found


def is_contact_line(text: str) -> bool:
    if CONTACT_LABEL.match(text) or EMAIL.search(text) or ROOM.search(text) or STREET.match(text):
        return True
    if URL.search(text) and len(text.split()) <= 4:
        return True
    if POSTCODE.search(text) and (len(text.split()) <= 6 or STREET_INSIDE.search(text)):
        return True  # "59-220 Legnica", "Urząd Miasta X, pl. Słowiański 8, 59-220 X"
    return bool(phone_numbers(text))


def is_head_title(title: str, post_unit: bool = False) -> bool:
    """A head's title ("Naczelnik", "Kierownik Referatu"); in a single-person post's block also the post's
    own title ("Rzecznik: Monika Żurek" under "Rzecznik Prasowy Prezydenta", "Audytor wewnętrzny: ...")."""
    lemmas = HEAD_TITLE_LEMMAS | POST_UNIT_LEMMAS if post_unit else HEAD_TITLE_LEMMAS
    return head_lemma_of(title.strip()) in lemmas if title.strip() else False


def is_bare_title(title: str) -> bool:
    """A title alone ("Kierownik Referatu:", "kierownik referatu:"), not a sentence that starts with one
    ("Pełnomocnik Prezydenta ds. X realizuje następujące zadania:")."""
    words = title.split()
    return len(words) <= 3 or all(w[:1].isupper() or w.lower() in TITLE_JOINERS for w in words)


def is_head_line(text: str, post_unit: bool = False) -> bool:
    """"Naczelnik: Anna Wiśniewska", "Kierownik Referatu:", "Jan Kowalski – Naczelnik Wydziału",
    "Naczelnik Wydziału Jan Kowalski", or a bare person name (under a "Title:" line)."""
    if match := TITLE_AND_NAME.match(text):
        return is_head_title(match["title"], post_unit) and (bool(match["name"]) or is_bare_title(match["title"]))
    if (match := NAME_DASH_TITLE.match(text)) and is_head_title(match["title"], post_unit):
        return person_name(match["name"].split()) is not None
    words = text.split()
    if person_name(words):
        return True
    return is_head_title(text, post_unit) and len(words) <= 8


def is_block_line(text: str, post_unit: bool = False) -> bool:
    return is_contact_line(text) or is_head_line(text, post_unit)
