"""The words the synthetic corpus is made of, with their inflected forms written out by hand.

Nothing here is any real city's structure: unit names are recombined from a head noun ("Wydział",
"Referat", ...) and a complement, duties from a verb phrase, an object and a qualifier. The loaders resolve
inflected names with morfeusz2, so every form the generator prints (genitive after "Do zakresu działania",
dative before "podlegają", instrumental after "we współpracy z") is declined here:

- head nouns carry all four forms (`HEADS`);
- a complement is either a fixed genitive phrase ("Budżetu i Finansów", "ds. Kadr"), which never changes,
  or an adjective written "~Finansowy", declined by `decline_adjective` for the head noun's gender;
- duty objects are written "genitive|instrumental" (the two cases the verb phrases need).

`tests/test_bench_generate.py` checks the declension against morfeusz2 (genitive → nominative).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Gender = Literal["m", "f", "n"]
CASES = ("nom", "gen", "dat", "inst")


@dataclass(frozen=True)
class Forms:
    """A phrase in the four cases the documents use."""

    nom: str
    gen: str
    dat: str
    inst: str

    def join(self, tail: str) -> Forms:
        """The phrase followed by words that never inflect (a genitive complement)."""
        return Forms(*(f"{getattr(self, case)} {tail}" for case in CASES))

    def lower_first(self) -> Forms:
        return Forms(*(_lower_first(getattr(self, case)) for case in CASES))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


@dataclass(frozen=True)
class Head:
    forms: Forms
    gender: Gender
    lemma: str


def _head(nom: str, gen: str, dat: str, inst: str, gender: Gender) -> Head:
    return Head(Forms(nom, gen, dat, inst), gender, nom.split()[-1].lower())


HEADS: dict[str, Head] = {
    "wydział": _head("Wydział", "Wydziału", "Wydziałowi", "Wydziałem", "m"),
    "biuro": _head("Biuro", "Biura", "Biuru", "Biurem", "n"),
    "referat": _head("Referat", "Referatu", "Referatowi", "Referatem", "m"),
    "zespół": _head("Zespół", "Zespołu", "Zespołowi", "Zespołem", "m"),
    "dział": _head("Dział", "Działu", "Działowi", "Działem", "m"),
    "stanowisko": _head("Samodzielne stanowisko", "Samodzielnego stanowiska", "Samodzielnemu stanowisku",
                        "Samodzielnym stanowiskiem", "n"),
}

# Adjective endings by gender: (nom, gen, dat, inst) after the stem.
_HARD_ENDINGS = {"m": ("y", "ego", "emu", "ym"), "n": ("e", "ego", "emu", "ym"), "f": ("a", "ej", "ej", "ą")}
_SOFT_ENDINGS = {"m": ("i", "iego", "iemu", "im"), "n": ("ie", "iego", "iemu", "im"), "f": ("a", "iej", "iej", "ą")}


def decline_adjective(adjective: str, gender: Gender) -> Forms:
    """"Finansowy" (masculine nominative, -y or -ki/-gi) → its four forms for a head noun of `gender`.
    In a hyphenated compound only the last part inflects ("Administracyjno-Gospodarczy")."""
    if adjective.endswith("y"):
        stem, endings = adjective[:-1], _HARD_ENDINGS[gender]
    elif adjective.endswith(("ki", "gi")):
        stem, endings = adjective[:-1], _SOFT_ENDINGS[gender]
    else:
        raise ValueError(f"cannot decline {adjective!r}: only -y and -ki/-gi adjectives are supported")
    return Forms(*(stem + ending for ending in endings))


def unit_name(head: Head, complement: str) -> Forms:
    """Head noun + complement in the four cases: "Referat" + "~Finansowy" → Referat Finansowy / Referatu
    Finansowego / ...; "Wydział" + "Budżetu i Finansów" → the complement unchanged in every case."""
    if complement.startswith("~"):
        adjective = decline_adjective(complement[1:], head.gender)
        return Forms(*(f"{getattr(head.forms, c)} {getattr(adjective, c)}" for c in CASES))
    return head.forms.join(complement)


@dataclass(frozen=True)
class Domain:
    """A field of a city hall's work: the departments that do it, their units, the deputies' areas and the
    objects of their duties."""

    key: str
    departments: tuple[tuple[str, str], ...]  # (complement, symbol)
    units: tuple[str, ...]  # complements of units inside such a department ("ds. X" ones are posts)
    deputy_areas: tuple[str, ...]  # "Zastępca Dyrektora ds. {area}"
    objects: tuple[str, ...]  # "genitive|instrumental"


DOMAINS: tuple[Domain, ...] = (
    Domain("finanse",
           (("Budżetu i Finansów", "BF"), ("~Finansowy", "FN"), ("Podatków i Opłat", "PO"),
            ("Księgowości", "KW")),
           ("Księgowości Budżetowej", "Planowania Budżetu", "Wymiaru Podatków", "Windykacji Należności", "Płac",
            "~Podatkowy", "Egzekucji Administracyjnej", "ds. Obsługi Kasowej", "ds. Opłat Lokalnych"),
           ("Budżetu", "Podatków", "Księgowości"),
           ("budżetu gminy|budżetem gminy", "ewidencji podatku od nieruchomości|ewidencją podatku od nieruchomości",
            "należności cywilnoprawnych|należnościami cywilnoprawnymi",
            "księgowości budżetowej|księgowością budżetową",
            "sprawozdawczości budżetowej|sprawozdawczością budżetową", "opłaty targowej|opłatą targową",
            "podatku rolnego i leśnego|podatkiem rolnym i leśnym", "rozliczeń podatku VAT|rozliczeniami podatku VAT",
            "wieloletniej prognozy finansowej|wieloletnią prognozą finansową",
            "zaległości podatkowych|zaległościami podatkowymi", "ulg i umorzeń podatkowych|ulgami i umorzeniami "
            "podatkowymi", "depozytów i zabezpieczeń|depozytami i zabezpieczeniami")),
    Domain("organizacja",
           (("~Organizacyjny", "OR"), ("Organizacji i Kadr", "OK"), ("~Administracyjno-Gospodarczy", "AG")),
           ("Kadr", "~Organizacyjny", "ds. Organizacyjnych", "Obsługi Sekretariatu", "Archiwum Zakładowego",
            "~Gospodarczy", "Zaopatrzenia", "ds. Szkoleń", "Obsługi Kancelaryjnej"),
           ("Organizacyjnych", "Administracyjnych"),
           ("spraw kadrowych pracowników|sprawami kadrowymi pracowników",
            "regulaminu organizacyjnego i regulaminu pracy|regulaminem organizacyjnym i regulaminem pracy",
            "archiwum zakładowego|archiwum zakładowym", "kancelarii ogólnej|kancelarią ogólną",
            "rejestru zarządzeń|rejestrem zarządzeń", "służby przygotowawczej|służbą przygotowawczą",
            "szkoleń pracowników|szkoleniami pracowników", "mienia Urzędu|mieniem Urzędu",
            "zaopatrzenia materiałowego|zaopatrzeniem materiałowym",
            "elektronicznego obiegu dokumentów|elektronicznym obiegiem dokumentów",
            "ocen okresowych pracowników|ocenami okresowymi pracowników",
            "naboru na wolne stanowiska urzędnicze|naborem na wolne stanowiska urzędnicze")),
    Domain("komunalna",
           (("Gospodarki Komunalnej", "GK"), ("Gospodarki Komunalnej i Mieszkaniowej", "GKM"),
            ("Usług Komunalnych", "UK")),
           ("Gospodarki Odpadami", "Zieleni Miejskiej", "Utrzymania Czystości", "Cmentarzy Komunalnych",
            "ds. Oświetlenia Ulicznego", "Targowisk", "Infrastruktury Komunalnej"),
           ("Gospodarki Odpadami", "Infrastruktury"),
           ("gospodarki odpadami komunalnymi|gospodarką odpadami komunalnymi", "zieleni miejskiej|zielenią miejską",
            "oświetlenia ulicznego|oświetleniem ulicznym", "cmentarzy komunalnych|cmentarzami komunalnymi",
            "targowisk miejskich|targowiskami miejskimi",
            "schroniska dla bezdomnych zwierząt|schroniskiem dla bezdomnych zwierząt",
            "zbiorowego zaopatrzenia w wodę|zbiorowym zaopatrzeniem w wodę",
            "utrzymania czystości i porządku|utrzymaniem czystości i porządku",
            "szaletów publicznych|szaletami publicznymi",
            "deklaracji o wysokości opłaty za gospodarowanie odpadami|deklaracjami o wysokości opłaty za "
            "gospodarowanie odpadami", "placów zabaw|placami zabaw")),
    Domain("srodowisko",
           (("Ochrony Środowiska", "OS"), ("Ochrony Środowiska i Rolnictwa", "OSR"), ("Klimatu i Środowiska", "KLS")),
           ("Ochrony Przyrody", "Gospodarki Wodnej", "ds. Rolnictwa", "Ochrony Powietrza", "Edukacji Ekologicznej",
            "ds. Ochrony Zwierząt"),
           ("Ochrony Przyrody", "Rolnictwa"),
           ("ochrony zadrzewień|ochroną zadrzewień", "zezwoleń na usunięcie drzew|zezwoleniami na usunięcie drzew",
            "programu ochrony powietrza|programem ochrony powietrza", "edukacji ekologicznej|edukacją ekologiczną",
            "gospodarki wodnej|gospodarką wodną", "ochrony zwierząt|ochroną zwierząt",
            "decyzji o środowiskowych uwarunkowaniach|decyzjami o środowiskowych uwarunkowaniach",
            "usuwania wyrobów zawierających azbest|usuwaniem wyrobów zawierających azbest",
            "spraw rolnictwa i leśnictwa|sprawami rolnictwa i leśnictwa",
            "dotacji do wymiany źródeł ciepła|dotacjami do wymiany źródeł ciepła")),
    Domain("architektura",
           (("Architektury i Budownictwa", "AB"), ("Urbanistyki i Architektury", "UA"),
            ("Planowania Przestrzennego", "PP")),
           ("Pozwoleń na Budowę", "Planowania Przestrzennego", "Warunków Zabudowy", "ds. Samowoli Budowlanej",
            "Ładu Przestrzennego", "Dokumentacji Planistycznej"),
           ("Urbanistyki", "Architektury"),
           ("miejscowych planów zagospodarowania przestrzennego|miejscowymi planami zagospodarowania przestrzennego",
            "decyzji o warunkach zabudowy|decyzjami o warunkach zabudowy",
            "pozwoleń na budowę|pozwoleniami na budowę", "zgłoszeń robót budowlanych|zgłoszeniami robót budowlanych",
            "wypisów i wyrysów z planu miejscowego|wypisami i wyrysami z planu miejscowego",
            "dokumentacji urbanistycznej|dokumentacją urbanistyczną",
            "lokalizacji inwestycji celu publicznego|lokalizacją inwestycji celu publicznego",
            "dzienników budowy|dziennikami budowy", "samodzielności lokali|samodzielnością lokali")),
    Domain("nieruchomosci",
           (("Geodezji i Kartografii", "GG"), ("Gospodarki Nieruchomościami", "GN"), ("Mienia Komunalnego", "MK")),
           ("Ewidencji Gruntów i Budynków", "Obrotu Nieruchomościami", "Mienia Komunalnego", "~Geodezyjny",
            "Numeracji Porządkowej", "ds. Użytkowania Wieczystego"),
           ("Nieruchomości", "Geodezji"),
           ("ewidencji gruntów i budynków|ewidencją gruntów i budynków",
            "zasobu nieruchomości gminy|zasobem nieruchomości gminy",
            "podziałów nieruchomości|podziałami nieruchomości",
            "numeracji porządkowej nieruchomości|numeracją porządkową nieruchomości",
            "dzierżawy gruntów komunalnych|dzierżawą gruntów komunalnych",
            "użytkowania wieczystego|użytkowaniem wieczystym",
            "przekształceń własnościowych|przekształceniami własnościowymi",
            "rozgraniczeń nieruchomości|rozgraniczeniami nieruchomości", "opłat adiacenckich|opłatami adiacenckimi",
            "powiatowego zasobu geodezyjnego|powiatowym zasobem geodezyjnym")),
    Domain("inwestycje",
           (("Inwestycji Miejskich", "IM"), ("Inwestycji i Remontów", "IR"), ("~Inwestycyjny", "IW")),
           ("Przygotowania Inwestycji", "Realizacji Inwestycji", "Remontów", "Rozliczeń Inwestycji",
            "ds. Nadzoru Inwestorskiego", "Dokumentacji Technicznej"),
           ("Inwestycji", "Remontów"),
           ("zadań inwestycyjnych gminy|zadaniami inwestycyjnymi gminy", "dokumentacji projektowej|dokumentacją "
            "projektową", "nadzoru inwestorskiego|nadzorem inwestorskim",
            "odbiorów końcowych robót|odbiorami końcowymi robót",
            "remontów obiektów gminnych|remontami obiektów gminnych", "planu inwestycyjnego|planem inwestycyjnym",
            "gwarancji i rękojmi|gwarancją i rękojmią",
            "rozliczeń zadań inwestycyjnych|rozliczeniami zadań inwestycyjnych",
            "przeglądów gwarancyjnych|przeglądami gwarancyjnymi")),
    Domain("drogi",
           (("Dróg i Transportu", "DT"), ("Transportu Publicznego", "TP"), ("Zarządzania Drogami", "ZD")),
           ("Zarządzania Ruchem", "Dróg Gminnych", "Transportu Zbiorowego", "ds. Parkowania", "Utrzymania Dróg",
            "Inżynierii Ruchu"),
           ("Transportu", "Dróg"),
           ("dróg gminnych|drogami gminnymi", "organizacji ruchu drogowego|organizacją ruchu drogowego",
            "zezwoleń na zajęcie pasa drogowego|zezwoleniami na zajęcie pasa drogowego",
            "lokalnego transportu zbiorowego|lokalnym transportem zbiorowym",
            "strefy płatnego parkowania|strefą płatnego parkowania", "zimowego utrzymania dróg|zimowym utrzymaniem "
            "dróg", "oznakowania dróg|oznakowaniem dróg", "przystanków komunikacyjnych|przystankami komunikacyjnymi",
            "ewidencji dróg i obiektów mostowych|ewidencją dróg i obiektów mostowych")),
    Domain("komunikacja",
           (("Komunikacji", "KM"), ("Komunikacji i Transportu", "KT")),
           ("Rejestracji Pojazdów", "Praw Jazdy", "Licencji Transportowych", "ds. Stacji Kontroli Pojazdów",
            "Ewidencji Kierowców"),
           ("Komunikacji",),
           ("rejestracji pojazdów|rejestracją pojazdów", "praw jazdy|prawami jazdy", "ewidencji kierowców|ewidencją "
            "kierowców", "stacji kontroli pojazdów|stacjami kontroli pojazdów",
            "ośrodków szkolenia kierowców|ośrodkami szkolenia kierowców",
            "licencji na przewóz osób|licencjami na przewóz osób", "tablic rejestracyjnych|tablicami rejestracyjnymi")),
    Domain("obywatelskie",
           (("Spraw Obywatelskich", "SO"), ("Obsługi Mieszkańców", "OM"), ("Spraw Administracyjnych", "SA")),
           ("Ewidencji Ludności", "Dowodów Osobistych", "Działalności Gospodarczej", "Obsługi Klienta",
            "Zgromadzeń Publicznych", "ds. Zezwoleń Alkoholowych"),
           ("Obsługi Mieszkańców", "Spraw Obywatelskich"),
           ("ewidencji ludności|ewidencją ludności", "dowodów osobistych|dowodami osobistymi",
            "ewidencji działalności gospodarczej|ewidencją działalności gospodarczej",
            "zezwoleń na sprzedaż napojów alkoholowych|zezwoleniami na sprzedaż napojów alkoholowych",
            "zgromadzeń publicznych|zgromadzeniami publicznymi", "rejestru wyborców|rejestrem wyborców",
            "spraw meldunkowych|sprawami meldunkowymi", "zbiórek publicznych|zbiórkami publicznymi",
            "punktu obsługi klienta|punktem obsługi klienta")),
    Domain("edukacja",
           (("Edukacji", "ED"), ("Oświaty i Wychowania", "OW"), ("Edukacji i Sportu", "ES")),
           ("Dotacji Oświatowych", "Przedszkoli", "Analiz Oświatowych", "ds. Stypendiów", "Kadr Oświatowych",
            "Organizacji Szkół"),
           ("Edukacji", "Oświaty"),
           ("sieci szkół i przedszkoli|siecią szkół i przedszkoli", "dotacji oświatowych|dotacjami oświatowymi",
            "arkuszy organizacyjnych szkół|arkuszami organizacyjnymi szkół",
            "dowozu uczniów do szkół|dowozem uczniów do szkół", "stypendiów szkolnych|stypendiami szkolnymi",
            "konkursów na dyrektorów szkół|konkursami na dyrektorów szkół",
            "awansu zawodowego nauczycieli|awansem zawodowym nauczycieli", "obowiązku szkolnego|obowiązkiem szkolnym",
            "rekrutacji do przedszkoli|rekrutacją do przedszkoli")),
    Domain("kultura",
           (("Kultury", "KU"), ("Kultury i Sportu", "KSR"), ("Sportu i Rekreacji", "SR"),
            ("Promocji i Turystyki", "PT")),
           ("Upowszechniania Kultury", "Sportu i Rekreacji", "Turystyki", "Ochrony Zabytków", "ds. Imprez Miejskich",
            "Mecenatu Kulturalnego"),
           ("Kultury", "Sportu", "Turystyki"),
           ("imprez kulturalnych|imprezami kulturalnymi", "ochrony zabytków|ochroną zabytków",
            "gminnej ewidencji zabytków|gminną ewidencją zabytków", "obiektów sportowych|obiektami sportowymi",
            "stypendiów sportowych|stypendiami sportowymi", "szlaków turystycznych|szlakami turystycznymi",
            "instytucji kultury|instytucjami kultury", "mecenatu kulturalnego|mecenatem kulturalnym",
            "informacji turystycznej|informacją turystyczną")),
    Domain("spoleczne",
           (("Polityki Społecznej", "PS"), ("Zdrowia i Spraw Społecznych", "ZS"), ("Spraw Społecznych", "SS")),
           ("Ochrony Zdrowia", "Pomocy Społecznej", "ds. Osób Niepełnosprawnych", "ds. Seniorów",
            "Profilaktyki Uzależnień", "Świadczeń Rodzinnych"),
           ("Zdrowia", "Polityki Społecznej"),
           ("programów profilaktyki zdrowotnej|programami profilaktyki zdrowotnej",
            "gminnego programu profilaktyki i rozwiązywania problemów alkoholowych|gminnym programem profilaktyki "
            "i rozwiązywania problemów alkoholowych",
            "świadczeń dla osób niepełnosprawnych|świadczeniami dla osób niepełnosprawnych",
            "polityki senioralnej|polityką senioralną", "dodatków mieszkaniowych|dodatkami mieszkaniowymi",
            "Karty Dużej Rodziny|Kartą Dużej Rodziny", "żłobków i klubów dziecięcych|żłobkami i klubami dziecięcymi",
            "świadczeń wychowawczych|świadczeniami wychowawczymi")),
    Domain("lokale",
           (("Spraw Lokalowych", "SL"), ("Gospodarki Lokalowej", "GL")),
           ("Najmu Lokali", "Zasobu Mieszkaniowego", "ds. Wspólnot Mieszkaniowych", "Lokali Użytkowych",
            "Dodatków Mieszkaniowych"),
           ("Lokali",),
           ("mieszkaniowego zasobu gminy|mieszkaniowym zasobem gminy", "najmu lokali komunalnych|najmem lokali "
            "komunalnych", "lokali socjalnych|lokalami socjalnymi",
            "zamiany lokali mieszkalnych|zamianą lokali mieszkalnych", "wspólnot mieszkaniowych|wspólnotami "
            "mieszkaniowymi", "lokali użytkowych|lokalami użytkowymi",
            "zaległości czynszowych|zaległościami czynszowymi")),
    Domain("kryzysowe",
           (("Bezpieczeństwa i Zarządzania Kryzysowego", "BZK"), ("Zarządzania Kryzysowego", "ZK"),
            ("Spraw Obronnych", "SOB")),
           ("Obrony Cywilnej", "Spraw Obronnych", "ds. Ochrony Informacji Niejawnych", "Monitoringu Miejskiego",
            "Powiadamiania Ratunkowego"),
           ("Bezpieczeństwa",),
           ("planu zarządzania kryzysowego|planem zarządzania kryzysowego", "obrony cywilnej|obroną cywilną",
            "spraw obronnych|sprawami obronnymi", "kwalifikacji wojskowej|kwalifikacją wojskową",
            "ochrony przeciwpowodziowej|ochroną przeciwpowodziową",
            "ochrony informacji niejawnych|ochroną informacji niejawnych",
            "systemu ostrzegania i alarmowania|systemem ostrzegania i alarmowania",
            "magazynu przeciwpowodziowego|magazynem przeciwpowodziowym",
            "monitoringu wizyjnego|monitoringiem wizyjnym")),
    Domain("informatyka",
           (("Informatyki", "IN"), ("Informatyki i Cyfryzacji", "IC"), ("Cyfryzacji", "CF")),
           ("Sieci i Infrastruktury", "Systemów Informatycznych", "Wsparcia Użytkowników",
            "ds. Bezpieczeństwa Informacji", "Administracji Systemami"),
           ("Cyfryzacji", "Informatyki"),
           ("sieci teleinformatycznej Urzędu|siecią teleinformatyczną Urzędu",
            "systemów informatycznych|systemami informatycznymi", "sprzętu komputerowego|sprzętem komputerowym",
            "licencji oprogramowania|licencjami oprogramowania", "kopii zapasowych danych|kopiami zapasowymi danych",
            "Biuletynu Informacji Publicznej|Biuletynem Informacji Publicznej",
            "elektronicznej skrzynki podawczej|elektroniczną skrzynką podawczą",
            "usług elektronicznych|usługami elektronicznymi")),
    Domain("zamowienia",
           (("Zamówień Publicznych", "ZP"), ("Zamówień i Umów", "ZU")),
           ("Postępowań Przetargowych", "Planowania Zamówień", "ds. Umów", "Kontroli Zamówień"),
           ("Zamówień Publicznych",),
           ("postępowań o udzielenie zamówienia publicznego|postępowaniami o udzielenie zamówienia publicznego",
            "planu zamówień publicznych|planem zamówień publicznych", "rejestru umów|rejestrem umów",
            "sprawozdań z udzielonych zamówień|sprawozdaniami z udzielonych zamówień",
            "komisji przetargowych|komisjami przetargowymi", "zamówień publicznych|zamówieniami publicznymi",
            "dokumentacji przetargowej|dokumentacją przetargową")),
    Domain("prawo",
           (("~Prawny", "PR"), ("Obsługi Prawnej", "OP"), ("Legislacji", "LG")),
           ("Obsługi Prawnej", "ds. Legislacji", "Windykacji Sądowej", "Opiniowania Umów"),
           ("Prawnych",),
           ("obsługi prawnej Urzędu|obsługą prawną Urzędu", "projektów aktów prawnych|projektami aktów prawnych",
            "zastępstwa procesowego|zastępstwem procesowym", "rejestru spraw sądowych|rejestrem spraw sądowych",
            "opinii prawnych|opiniami prawnymi", "zbioru przepisów gminnych|zbiorem przepisów gminnych")),
    Domain("kontrola",
           (("Kontroli", "KO"), ("Audytu i Kontroli", "AK"), ("Kontroli Wewnętrznej", "KWW")),
           ("Audytu Wewnętrznego", "Kontroli Zewnętrznej", "ds. Kontroli Zarządczej", "Skarg i Wniosków",
            "Kontroli Jednostek"),
           ("Kontroli",),
           ("kontroli zarządczej|kontrolą zarządczą", "audytu wewnętrznego|audytem wewnętrznym",
            "skarg i wniosków|skargami i wnioskami", "kontroli jednostek organizacyjnych|kontrolą jednostek "
            "organizacyjnych", "planu kontroli|planem kontroli", "zaleceń pokontrolnych|zaleceniami pokontrolnymi",
            "rejestru kontroli zewnętrznych|rejestrem kontroli zewnętrznych")),
    Domain("rozwoj",
           (("Rozwoju Lokalnego", "RL"), ("Funduszy Europejskich", "FE"), ("Strategii i Rozwoju", "STR"),
            ("Rozwoju Gospodarczego", "RG")),
           ("Funduszy Zewnętrznych", "Strategii Rozwoju", "Rewitalizacji", "ds. Analiz Ekonomicznych",
            "Obsługi Inwestorów", "Budżetu Obywatelskiego"),
           ("Rozwoju", "Funduszy Europejskich"),
           ("strategii rozwoju gminy|strategią rozwoju gminy",
            "projektów współfinansowanych ze środków Unii Europejskiej|projektami współfinansowanymi ze środków "
            "Unii Europejskiej", "programu rewitalizacji|programem rewitalizacji",
            "wniosków o dofinansowanie|wnioskami o dofinansowanie", "budżetu obywatelskiego|budżetem obywatelskim",
            "obsługi inwestorów|obsługą inwestorów", "analiz społeczno-gospodarczych|analizami "
            "społeczno-gospodarczymi", "terenów inwestycyjnych|terenami inwestycyjnymi")),
    Domain("promocja",
           (("Komunikacji Społecznej", "KSP"), ("Promocji", "PM"), ("Mediów i Komunikacji", "MKS"),
            ("Informacji i Promocji", "IP")),
           ("Mediów Miejskich", "Promocji", "~Wydawniczy", "ds. Konsultacji Społecznych", "Kampanii Informacyjnych",
            "Obsługi Medialnej"),
           ("Promocji", "Mediów"),
           ("polityki informacyjnej|polityką informacyjną", "konferencji prasowych|konferencjami prasowymi",
            "serwisu internetowego|serwisem internetowym",
            "profili w mediach społecznościowych|profilami w mediach społecznościowych",
            "konsultacji społecznych|konsultacjami społecznymi", "materiałów promocyjnych|materiałami promocyjnymi",
            "kampanii informacyjnych|kampaniami informacyjnymi", "wydawnictw promocyjnych|wydawnictwami promocyjnymi",
            "patronatów honorowych|patronatami honorowymi")),
)

GENERAL_UNITS: tuple[str, ...] = ("Obsługi Administracyjnej", "Analiz i Sprawozdawczości", "ds. Obsługi Sekretariatu",
                                  "Koordynacji Projektów", "ds. Kontroli Wewnętrznej")
GENERAL_OBJECTS: tuple[str, ...] = (
    "korespondencji wpływającej|korespondencją wpływającą", "rejestru wniosków|rejestrem wniosków",
    "dokumentacji spraw|dokumentacją spraw", "sprawozdawczości statystycznej|sprawozdawczością statystyczną",
    "budżetu zadaniowego|budżetem zadaniowym", "skarg i petycji|skargami i petycjami",
    "informacji publicznej|informacją publiczną", "interpelacji radnych|interpelacjami radnych",
    "danych osobowych|danymi osobowymi", "umów cywilnoprawnych|umowami cywilnoprawnymi",
)

# Verb phrases that take the object in the genitive / the instrumental.
GENITIVE_VERBS: tuple[str, ...] = (
    "Prowadzenie", "Prowadzenie spraw z zakresu", "Koordynacja", "Koordynowanie", "Realizacja", "Organizowanie",
    "Obsługa", "Monitorowanie", "Analiza", "Aktualizacja", "Weryfikacja", "Planowanie", "Kontrola",
    "Ewidencjonowanie", "Przygotowywanie dokumentacji dotyczącej", "Sporządzanie analiz i sprawozdań dotyczących",
    "Opracowywanie projektów uchwał w sprawie", "Opracowywanie projektów zarządzeń w zakresie",
    "Przygotowywanie materiałów w zakresie", "Inicjowanie działań w zakresie", "Udział w realizacji",
    "Nadzorowanie", "Opiniowanie wniosków w zakresie", "Udzielanie informacji w zakresie",
    "Wydawanie decyzji administracyjnych w zakresie", "Przyjmowanie i rozpatrywanie wniosków w sprawie",
    "Archiwizowanie dokumentacji dotyczącej", "Przygotowywanie sprawozdań z realizacji", "Prowadzenie rejestru",
    "Prowadzenie postępowań administracyjnych w sprawie", "Egzekwowanie", "Ustalanie zasad",
)
INSTRUMENTAL_VERBS: tuple[str, ...] = (
    "Prowadzenie spraw związanych z", "Nadzór nad", "Zarządzanie", "Sprawowanie nadzoru nad", "Gospodarowanie",
    "Prowadzenie postępowań związanych z", "Kierowanie pracami związanymi z",
)
QUALIFIERS: tuple[str, ...] = (
    "na terenie gminy", "w zakresie właściwości {unit_gen}", "zgodnie z obowiązującymi przepisami",
    "w tym prowadzenie stosownych rejestrów", "oraz sporządzanie sprawozdawczości w tym zakresie",
    "w terminach wynikających z przepisów prawa", "dla potrzeb Urzędu", "w ramach posiadanych uprawnień",
    "z uwzględnieniem potrzeb mieszkańców", "w systemie elektronicznego obiegu dokumentów",
    "przy wykorzystaniu systemów teleinformatycznych", "w zakresie zadań własnych gminy",
    "w zakresie zadań zleconych z zakresu administracji rządowej", "oraz przygotowywanie informacji dla radnych",
    "w ramach planu działania {unit_gen}", "i przekazywanie danych do właściwych organów",
)
SUB_VERBS: tuple[str, ...] = (
    "przygotowywanie", "prowadzenie", "aktualizacja", "weryfikacja", "archiwizacja", "analiza", "kontrola",
    "ewidencjonowanie", "rozliczanie", "planowanie", "monitorowanie", "sporządzanie zestawień",
)
SUB_TAILS: tuple[str, ...] = (
    "wniosków i decyzji", "dokumentacji źródłowej", "rejestrów i ewidencji", "umów i zleceń",
    "sprawozdań okresowych", "harmonogramów prac", "danych statystycznych", "korespondencji z interesantami",
    "protokołów kontroli", "informacji dla kierownictwa", "zestawień finansowych", "planów rzeczowych",
)
CLOSING_DUTIES: tuple[str, ...] = (
    "Wykonywanie innych zadań zleconych przez {office_head_gen} i {head_title_gen}",
    "Realizacja innych zadań wynikających z przepisów prawa oraz poleceń przełożonych",
    "Wykonywanie innych zadań zleconych przez przełożonych w zakresie działania {unit_gen}",
)
SHARED_DUTIES: tuple[str, ...] = (
    "Terminowe i zgodne z przepisami załatwianie spraw",
    "Przestrzeganie przepisów o ochronie danych osobowych",
    "Opracowywanie projektów odpowiedzi na interpelacje i zapytania radnych",
    "Przygotowywanie projektów aktów kierowania",
    "Prawidłowe pod względem formalnym i merytorycznym publikowanie informacji w Biuletynie Informacji Publicznej",
    "Przestrzeganie przepisów BHP i ppoż",
    "Archiwizowanie dokumentacji zgodnie z obowiązującymi przepisami",
    "Przygotowywanie materiałów do projektu budżetu",
    "Udział w realizacji zadań z zakresu zarządzania kryzysowego",
    "Przestrzeganie przepisów ustawy o ochronie informacji niejawnych",
    "Dyscyplinę pracy i należyte wykorzystanie czasu pracy",
    "Należyte dbanie o powierzone mienie i sprzęt",
    "Opracowywanie materiałów informacyjnych i sprawozdawczych",
    "Prowadzenie kontroli zarządczej w zakresie działania komórki",
    "Przygotowywanie specyfikacji warunków zamówienia oraz udział w komisjach przetargowych",
    "Bieżącą aktualizację kart usług publicznych",
)

# Organisations outside the office a duty may name (nominative, instrumental).
EXTERNAL_ORGANISATIONS: tuple[tuple[str, str], ...] = (
    ("Miejski Ośrodek Pomocy Społecznej", "Miejskim Ośrodkiem Pomocy Społecznej"),
    ("Gminny Ośrodek Pomocy Społecznej", "Gminnym Ośrodkiem Pomocy Społecznej"),
    ("Powiatowy Urząd Pracy", "Powiatowym Urzędem Pracy"),
    ("Zarząd Dróg Miejskich", "Zarządem Dróg Miejskich"),
    ("Komenda Miejska Policji", "Komendą Miejską Policji"),
    ("Straż Miejska", "Strażą Miejską"),
    ("Miejski Ośrodek Sportu i Rekreacji", "Miejskim Ośrodkiem Sportu i Rekreacji"),
    ("Regionalna Izba Obrachunkowa", "Regionalną Izbą Obrachunkową"),
    ("Urząd Skarbowy", "Urzędem Skarbowym"),
    ("Miejska Biblioteka Publiczna", "Miejską Biblioteką Publiczną"),
    ("Miejski Ośrodek Kultury", "Miejskim Ośrodkiem Kultury"),
    ("Powiatowe Centrum Pomocy Rodzinie", "Powiatowym Centrum Pomocy Rodzinie"),
    ("Zakład Gospodarki Komunalnej", "Zakładem Gospodarki Komunalnej"),
    ("Przedsiębiorstwo Wodociągów i Kanalizacji", "Przedsiębiorstwem Wodociągów i Kanalizacji"),
    ("Wojewódzki Fundusz Ochrony Środowiska i Gospodarki Wodnej",
     "Wojewódzkim Funduszem Ochrony Środowiska i Gospodarki Wodnej"),
)
COOPERATION_LEADS: tuple[str, ...] = ("we współpracy z", "w ścisłej współpracy z", "przy współpracy z",
                                      "w bieżącej współpracy z")

FIRST_NAMES_F: tuple[str, ...] = (
    "Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna", "Elżbieta",
    "Magdalena", "Joanna", "Monika", "Beata", "Dorota", "Aleksandra", "Justyna", "Renata", "Iwona",
)
FIRST_NAMES_M: tuple[str, ...] = (
    "Jan", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Marcin", "Michał", "Marek", "Grzegorz",
    "Adam", "Łukasz", "Rafał", "Jacek", "Dariusz", "Mariusz", "Robert", "Wojciech",
)
SURNAMES: tuple[tuple[str, str], ...] = (  # (masculine, feminine)
    ("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"), ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"), ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"), ("Jankowski", "Jankowska"), ("Mazur", "Mazur"), ("Kwiatkowski", "Kwiatkowska"),
    ("Krawczyk", "Krawczyk"), ("Piotrowski", "Piotrowska"), ("Grabowski", "Grabowska"),
    ("Nowakowski", "Nowakowska"), ("Pawłowski", "Pawłowska"), ("Michalski", "Michalska"), ("Wieczorek", "Wieczorek"),
    ("Jabłoński", "Jabłońska"), ("Wróbel", "Wróbel"), ("Majewski", "Majewska"), ("Olszewski", "Olszewska"),
    ("Stępień", "Stępień"), ("Malinowski", "Malinowska"), ("Jaworski", "Jaworska"), ("Adamczyk", "Adamczyk"),
)

# Invented place names: (nominative, genitive, locative). Roots + endings with regular declension.
PLACE_ROOTS: tuple[str, ...] = (
    "Brzoz", "Dęb", "Lip", "Grab", "Jawor", "Klon", "Sosn", "Wierzb", "Olsz", "Buk", "Kalin", "Malin",
    "Jarzęb", "Modrzew", "Cis", "Głog", "Leszczyn", "Trzcin", "Wrzos", "Jagodn", "Kamion", "Piaskow",
    "Zawadz", "Łęcz", "Bagn", "Górz", "Dolin", "Polan", "Łazisk", "Grodzisk", "Goszcz", "Jabłon", "Kruszyn",
    "Lubien", "Mszan", "Orzech", "Rudn", "Sadk", "Tarn", "Wilk", "Zabłoc", "Bieł", "Czarn", "Dobrzyn", "Gniew",
    "Jastrzęb", "Kobyl", "Łosi", "Miedzn", "Nadarzyn", "Ostrzesz", "Pniew", "Skrzyn", "Strzel", "Szczepan",
    "Tomasz", "Wojciech", "Zbąsz", "Żabn", "Chojn",
)
PLACE_ENDINGS: tuple[tuple[str, str, str, str], ...] = (  # nominative, genitive, locative endings; gender
    ("ów", "owa", "owie", "m"), ("owo", "owa", "owie", "n"), ("owice", "owic", "owicach", "p"),
    ("in", "ina", "inie", "m"), ("ew", "ewa", "ewie", "m"), ("ówek", "ówka", "ówku", "m"),
)
PLACE_PREFIXES: tuple[tuple[str, str, str], ...] = (  # feminine noun + adjective place names
    ("Wola", "Woli", "Woli"), ("Góra", "Góry", "Górze"), ("Dąbrowa", "Dąbrowy", "Dąbrowie"),
    ("Łąka", "Łąki", "Łące"),
)
PLACE_ADJECTIVES: tuple[str, ...] = ("Nowy", "Stary", "Wielki", "Mały", "Górny", "Dolny", "Zielony", "Biały",
                                     "Szlachecki", "Kościelny")

STREETS: tuple[str, ...] = ("ul. Rynek", "ul. Kościuszki", "pl. Wolności", "ul. Mickiewicza", "ul. Piłsudskiego",
                            "ul. Słowackiego", "ul. 3 Maja", "ul. Sienkiewicza", "pl. Ratuszowy", "ul. Lipowa")
MONTHS_GENITIVE: tuple[str, ...] = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
                                    "września", "października", "listopada", "grudnia")
VOIVODESHIPS: tuple[str, ...] = ("02", "04", "06", "08", "10", "12", "14", "16", "18", "20", "22", "24", "26", "28",
                                 "30", "32")
NAV_ITEMS: tuple[str, ...] = ("Strona główna", "Urząd", "Struktura organizacyjna", "Ogłoszenia", "Przetargi",
                              "Zarządzenia", "Uchwały Rady", "Budżet", "Oświadczenia majątkowe", "Kontakt",
                              "Załatw sprawę", "Nabory na stanowiska")
COOKIE_NOTICES: tuple[str, ...] = (
    "Ta strona używa plików cookies. Korzystając ze strony, zgadzasz się na ich użycie.",
    "Serwis wykorzystuje pliki cookies (tzw. ciasteczka). Kliknij [Zgadzam się], aby ta informacja nie "
    "pojawiała się więcej.",
    "Używamy ciasteczek, aby ułatwić korzystanie z Biuletynu. Dowiedz się więcej o polityce prywatności.",
)
