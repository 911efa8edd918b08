"""Which municipality a document belongs to: the metadata sidecar's word, else what the text says.

Read from the text: the office's name ("Urząd Miasta X", "Urzędu Miejskiego w X"), the organs
("Prezydenta Miasta X", "Rady Miejskiej w X"), "UM X", "Gminy Miejskiej X", a postal address ("76-200 X")
and a page heading "X - Biuro ...".
The place is put in the nominative by morphology; the most often named place wins. Abbreviations of the
office or the commune are the acronyms in the text that spell the initials of such a phrase ("UMG").
"""

from __future__ import annotations

import re
from collections import Counter

from kompetencje.loaders import morphology
from kompetencje.loaders.extract.context import Extraction
from kompetencje.loaders.extract.names import initials, looks_like_unit_name
from kompetencje.loaders.model import Municipality

PLACE = r"(?P<place>[A-ZĄĆĘŁŃÓŚŹŻ][\w-]+(?:[ \t]+[A-ZĄĆĘŁŃÓŚŹŻ][\w-]+)?)"
OFFICE = re.compile(rf"\b(?P<office>Urz[ąę]d\w*[ \t]+(?:Miasta(?:[ \t]+i[ \t]+Gminy)?|Miejsk\w+[ \t]+w|"
                    rf"Gminy(?:[ \t]+w)?|Dzielnicy)[ \t]+{PLACE})")
ORGAN = re.compile(rf"\b(?:Prezydent\w*|Burmistrz\w*|Wójt\w*|Rad\w*)[ \t]+(?:Miasta|Miejsk\w+[ \t]+w|Gminy)"
                   rf"[ \t]+{PLACE}", re.IGNORECASE)
ORGAN_FOR_OFFICE = re.compile(rf"\bRad\w*[ \t]+(?P<kind>Miasta|Miejsk\w+[ \t]+w|Gminy)[ \t]+{PLACE}")
SHORT_OFFICE = re.compile(rf"\b(?:UM|UMiG|UG)[ \t]+{PLACE}")
COMMUNE = re.compile(rf"\b(?P<commune>(?:Gmin\w+[ \t]+Miejsk\w+|Gmin\w+(?:[ \t]+Miast\w+)?|Miast\w+)[ \t]+{PLACE})")
POSTAL_ADDRESS = re.compile(rf"(?<![\d-])\d{{2}}-\d{{3}}[ \t]+{PLACE}")
HEADING_PLACE = re.compile(r"^(?P<place>[A-ZĄĆĘŁŃÓŚŹŻ][\w-]+(?:[ \t]+[A-ZĄĆĘŁŃÓŚŹŻ][\w-]+)?)[ \t]+[-–—|][ \t]+"
                           r"(?P<rest>\S.*)$")
ACRONYM = re.compile(r"\b[A-ZĄĆĘŁŃÓŚŹŻ]{2,6}\b")
OFFICE_FROM_ORGAN = {"miasta": "Urząd Miasta", "gminy": "Urząd Gminy"}


def extract_municipality(ext: Extraction) -> Municipality:
    meta = ext.doc.meta
    text = "\n".join([*(line.text for line in ext.lines), *ext.titles])
    office, office_where = _office_name(text)
    if meta.municipality:
        return Municipality(meta.municipality, meta.teryt, meta.office_name or office,
                            list(meta.abbreviations) or _abbreviations(text, meta.office_name or office),
                            evidence="metadata")
    place, where = _place(ext, text)
    if place is None:
        ext.finding("municipality not stated in the text; give it in a metadata sidecar", confidence=0.0)
        return Municipality(None, evidence="")
    return Municipality(place, meta.teryt, office, _abbreviations(text, office), evidence=where or office_where)


def _place(ext: Extraction, text: str) -> tuple[str | None, str | None]:
    votes: Counter[str] = Counter()
    where: dict[str, str] = {}
    for pattern, label in ((OFFICE, "office name"), (ORGAN, "organ"), (SHORT_OFFICE, "office abbreviation"),
                           (COMMUNE, "commune name"), (POSTAL_ADDRESS, "postal address")):
        for match in pattern.finditer(text):
            before = text[match.start():match.start("place")].split()
            case = None if pattern is SHORT_OFFICE else "nom" if pattern is POSTAL_ADDRESS else \
                "loc" if before[-1:] in (["w"], ["we"]) else "gen|nom"
            place = _place_of(match["place"], case=case)
            if place:
                votes[place] += 2 if label in ("office name", "organ") else 1
                where.setdefault(place, f"text: {label} {match.group().strip()!r}")
    for line in ext.lines[:30]:
        match = HEADING_PLACE.match(line.text)
        place = _place_of(match["place"], case="nom") if match and looks_like_unit_name(match["rest"]) else None
        if place:
            votes[place] += 1
            where.setdefault(place, f"text: heading line {line.origin}")
    if not votes:
        return None, None
    best = votes.most_common(1)[0][0]
    return best, where[best]


def _place_of(phrase: str, strict: bool = False, case: str | None = None) -> str | None:
    """The nominative place a captured phrase names; two words are tried together first ("Nowego Sącza").
    A single word in the case its phrase requires ("Miasta Płocka": genitive, or the nominative of an
    uninflected official name, "Gminy Miejskiej Kraków"; "w Siedlcach": locative) is read by
    `_place_in_case` ("gen|nom": either case)."""
    words = phrase.split()
    if len(words[0]) <= 2:
        return None
    if strict:
        return morphology.place_name(words[0], strict=True)
    if len(words) > 1 and (found := morphology.place_name(phrase)):
        return found
    return (_place_in_case(words[0], case) if case else None) or morphology.place_name(words[0])


def _place_in_case(word: str, case: str) -> str | None:
    """Of the place names a word can be in this case, the town's: morfeusz lists villages too, and
    "Płocka" is the genitive of Płock and of the village Płocko, "Zamościa" of Zamość and Zamoście,
    "Siedlcach" the locative of Siedlce and of Siedlec. A town's name is singular (unless it has no
    singular: Kielce, Siedlce); then masculine (the many towns in -ów, -sk, -ść beside villages in -owo,
    -sko, -ście), then the shorter name, then morfeusz's order. Of "gen|nom" the genitive counts first
    after the number: the nominative is for an uninflected official name ("Gminy Miejskiej Kraków")."""
    cases = set(case.split("|"))
    found = [r for r in morphology.readings(word) if r.pos == "subst" and r.geographic and cases & r.cases]
    names = list(dict.fromkeys(r.lemma for r in found))
    if not names:
        return None

    def rank(name: str) -> tuple[bool, bool, bool, int, int]:
        own = [r for r in found if r.lemma == name]
        in_first_case = any(case.split("|")[0] in r.cases for r in own)
        singular = any("sg" in r.numbers or "pt" in r.rest for r in own)
        return singular, in_first_case, any("m3" in r.genders for r in own), -len(name), -names.index(name)

    return max(names, key=rank)


def _office_name(text: str) -> tuple[str | None, str]:
    names = Counter(morphology.to_nominative(m["office"]) for m in OFFICE.finditer(text))
    if names:
        name = names.most_common(1)[0][0]
        return name, f"text: office name {name!r}"
    for match in ORGAN_FOR_OFFICE.finditer(text):
        kind = match["kind"].lower()
        if kind.startswith("miejsk"):
            return f"Urząd Miejski w {match['place']}", "text: inferred from the council's name"
        return f"{OFFICE_FROM_ORGAN[kind]} {match['place']}", "text: inferred from the council's name"
    return None, ""


def _abbreviations(text: str, office: str | None) -> list[str]:
    phrases = [office] if office else []
    phrases += [morphology.to_nominative(m["commune"]) for m in COMMUNE.finditer(text)]
    wanted = {initials(p) for p in phrases if p and len(initials(p)) >= 2}
    found = [a for a in dict.fromkeys(ACRONYM.findall(text)) if a in wanted]
    return found
