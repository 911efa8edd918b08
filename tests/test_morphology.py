"""Tests of loaders.morphology (Polish morphology over morfeusz2)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from kompetencje.loaders import morphology as m

# ---------------------------------------------------------------------------------------------- text basics


@pytest.mark.parametrize(("text", "expected"), [
    ("Łódź", "lodz"),
    ("ŻÓŁĆ gęślą", "zolc gesla"),
    ("Wydział Komunikacji Społecznej", "wydzial komunikacji spolecznej"),
    ("ŚWIĘTOCHŁOWICE", "swietochlowice"),
])
def test_fold(text: str, expected: str) -> None:
    assert m.fold(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Zastępca Dyrektora ds. Promocji", "zastepca-dyrektora-ds-promocji"),
    ("Wydział Komunikacji Społecznej", "wydzial-komunikacji-spolecznej"),
    ("  KS-02 ", "ks-02"),
    ("Referat Kampanii Informacyjno-Promocyjnych Miasta",
     "referat-kampanii-informacyjno-promocyjnych-miasta"),
    ("Biuro — Łączność / (test)", "biuro-lacznosc-test"),
])
def test_slugify(text: str, expected: str) -> None:
    assert m.slugify(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Referat ds. Kampanii Informacyjno-Promocyjnych (KS-05)",
     ["Referat", "ds.", "Kampanii", "Informacyjno-Promocyjnych", "KS-05"]),
    ("m.in. redakcja KRAKÓW.PL, www.krakow.pl", ["m.in.", "redakcja", "KRAKÓW.PL", "www.krakow.pl"]),
    ("§ 5 ust. 2 pkt 6, Nr 2399/2021 z 2021 r.",
     ["5", "ust.", "2", "pkt", "6", "Nr", "2399/2021", "z", "2021", "r."]),
    ("Miasta Krakowa.", ["Miasta", "Krakowa"]),
    ("ul. Długa 3-4; tel. 12-616-1360", ["ul.", "Długa", "3-4", "tel.", "12-616-1360"]),
])
def test_tokens(text: str, expected: list[str]) -> None:
    assert m.tokens(text) == expected


# ---------------------------------------------------------------------------------------------- lemmas


@pytest.mark.parametrize(("word", "expected"), [
    ("Dyrektorowi", {"dyrektor"}),  # morfeusz's first analysis is the adjective "dyrektorowy"
    ("Biurem", {"biuro"}),
    ("Krakowa", {"kraków"}),
    ("ds.", {"do spraw"}),
    ("Informacyjno-Promocyjnych", {"informacyjny-promocyjny"}),
    ("Zarządzania", {"zarządzanie", "zarządzać"}),
])
def test_lemmas_contain(word: str, expected: set[str]) -> None:
    assert expected <= m.lemmas(word)


@pytest.mark.parametrize("word", ["Xqzwy", "BIP", "spoleczne"])
def test_lemmas_of_unknown_word_is_the_word(word: str) -> None:
    assert m.lemmas(word) == {word.lower()}


@pytest.mark.parametrize(("word", "expected"), [
    ("spoleczne", "spoleczny"),  # no diacritics: unknown to morfeusz, restored
    ("Społecznej", "spoleczny"),
    ("zarzadzania", "zarzadzanie"),
    ("Łodzi", "lodz"),
])
def test_folded_lemmas(word: str, expected: str) -> None:
    assert expected in m.folded_lemmas(word)


@pytest.mark.parametrize(("word", "known"), [
    ("Społeczne", True), ("spoleczne", False), ("ds.", True), ("Informacyjno-Promocyjnych", True),
    ("PrasoweDane", False), ("BIP", False),
])
def test_is_known_word(word: str, known: bool) -> None:
    assert m.is_known_word(word) is known


def test_restore_diacritics() -> None:
    assert m.restore_diacritics("spoleczne") == {"społeczne"}
    assert "księgowość" in m.restore_diacritics("ksiegowosc")
    assert m.restore_diacritics("biuro") == frozenset()  # known words are left alone


# ---------------------------------------------------------------------------------------------- nominative

REQUIRED = [
    ("Biurem Prasowym", "Biuro Prasowe"),
    ("Biura Prasowego", "Biuro Prasowe"),
    ("Referatem Mediów Miejskich", "Referat Mediów Miejskich"),
    ("Referatu ds. Organizacyjnych", "Referat ds. Organizacyjnych"),
    ("Referatu ds. Komunikacji i Promocji Dialogu Obywatelskiego",
     "Referat ds. Komunikacji i Promocji Dialogu Obywatelskiego"),
    ("Samodzielnego stanowiska Redakcja dwutygodnika miejskiego KRAKÓW.PL",
     "Samodzielne stanowisko Redakcja dwutygodnika miejskiego KRAKÓW.PL"),
    ("Kancelarią Prezydenta", "Kancelaria Prezydenta"),
    ("Krakowskim Biurem Festiwalowym", "Krakowskie Biuro Festiwalowe"),
    ("Wydziałem Promocji", "Wydział Promocji"),
    ("Wydziału Komunikacji Społecznej", "Wydział Komunikacji Społecznej"),
    ("Dyrektorowi Wydziału", "Dyrektor Wydziału"),
    ("Zastępcy Dyrektora ds. Mediów Miejskich", "Zastępca Dyrektora ds. Mediów Miejskich"),
    ("Rzecznika Prasowego Prezydenta Miasta Krakowa", "Rzecznik Prasowy Prezydenta Miasta Krakowa"),
    ("Prezydenta Miasta Krakowa", "Prezydent Miasta Krakowa"),
    ("Kancelarii Prezydenta Miasta", "Kancelaria Prezydenta Miasta"),
    ("Zespołem Zarządzania Kryzysowego Miasta Krakowa", "Zespół Zarządzania Kryzysowego Miasta Krakowa"),
    ("rzecznikiem prasowym prezydenta miasta", "rzecznik prasowy prezydenta miasta"),
    ("Referatu Kampanii Informacyjno-Promocyjnych Miasta",
     "Referat Kampanii Informacyjno-Promocyjnych Miasta"),
]

OTHER_CITIES = [
    ("Wydziałowi Spraw Obywatelskich", "Wydział Spraw Obywatelskich"),
    ("Biurem Rady Miejskiej", "Biuro Rady Miejskiej"),
    ("Urzędem Stanu Cywilnego", "Urząd Stanu Cywilnego"),
    ("Pełnomocnikowi Prezydenta ds. Osób Niepełnosprawnych",
     "Pełnomocnik Prezydenta ds. Osób Niepełnosprawnych"),
    ("Miejskim Ośrodkiem Pomocy Społecznej", "Miejski Ośrodek Pomocy Społecznej"),
    ("Straży Miejskiej", "Straż Miejska"),
    ("Oddziałem Kadr", "Oddział Kadr"),
    ("Sekretarzowi Miasta", "Sekretarz Miasta"),
    ("Skarbnikowi Miasta", "Skarbnik Miasta"),
    ("Głównemu Księgowemu", "Główny Księgowy"),
    ("Miejskiemu Rzecznikowi Konsumentów", "Miejski Rzecznik Konsumentów"),
    ("Miejskiemu Konserwatorowi Zabytków", "Miejski Konserwator Zabytków"),
    ("Wydziale Architektury i Urbanistyki", "Wydział Architektury i Urbanistyki"),
    ("Zarządem Dróg Miejskich", "Zarząd Dróg Miejskich"),
    ("Biurze Obsługi Inwestorów", "Biuro Obsługi Inwestorów"),
    ("Naczelnikowi Wydziału Finansowego", "Naczelnik Wydziału Finansowego"),
    ("Referacie Podatków Lokalnych", "Referat Podatków Lokalnych"),
    ("Samodzielnym Stanowiskiem ds. Kontroli", "Samodzielne Stanowisko ds. Kontroli"),
    ("Wieloosobowego Stanowiska ds. Płac", "Wieloosobowe Stanowisko ds. Płac"),
    ("Geodecie Miasta", "Geodeta Miasta"),
    ("Audytorowi Wewnętrznemu", "Audytor Wewnętrzny"),
    ("Inspektorowi Ochrony Danych", "Inspektor Ochrony Danych"),
    ("Radzie Osiedla", "Rada Osiedla"),  # not the radium "rad" (loc)
    ("Radą Miasta", "Rada Miasta"),
    ("Pierwszemu Zastępcy Prezydenta", "Pierwszy Zastępca Prezydenta"),
    ("Zastępcy Głównego Księgowego", "Zastępca Głównego Księgowego"),  # "Głównego Księgowego" is a complement
    ("Zastępcy Kierownika Urzędu Stanu Cywilnego", "Zastępca Kierownika Urzędu Stanu Cywilnego"),
    ("Prezydentowi Miasta Stołecznego Warszawy", "Prezydent Miasta Stołecznego Warszawy"),
    ("Miejskiemu Zespołowi Interdyscyplinarnemu", "Miejski Zespół Interdyscyplinarny"),
    ("Powiatowym Zespołem do Spraw Orzekania o Niepełnosprawności",
     "Powiatowy Zespół do Spraw Orzekania o Niepełnosprawności"),
    ("Zespołowi Koordynującemu", "Zespół Koordynujący"),  # a participle agrees like an adjective
    ("Wydziałem Zamiejscowym", "Wydział Zamiejscowy"),
    ("Głównego Specjalisty ds. BHP", "Główny Specjalista ds. BHP"),
    ("Komendzie Straży Miejskiej", "Komenda Straży Miejskiej"),
    ("Izbą Administracji Skarbowej", "Izba Administracji Skarbowej"),
    ("Biurem Informacyjno-Promocyjnym", "Biuro Informacyjno-Promocyjne"),
    ("Biurem Prasowym i Informacyjnym", "Biuro Prasowe i Informacyjne"),
    ("Urzędzie Miasta Łodzi", "Urząd Miasta Łodzi"),
    ("WYDZIAŁEM PROMOCJI", "WYDZIAŁ PROMOCJI"),
]

PLURAL_AND_UNCHANGED = [
    ("Zastępcom Prezydenta", "Zastępcy Prezydenta"),
    ("Kierownikom Referatów", "Kierownicy Referatów"),
    ("Referatami", "Referaty"),
    ("Biura Prasowe", "Biura Prasowe"),  # plural nominative stays
    ("Wydział Komunikacji Społecznej", "Wydział Komunikacji Społecznej"),
    ("Centrum Obsługi Mieszkańców", "Centrum Obsługi Mieszkańców"),
    ("Biurem Prasowym,", "Biuro Prasowe,"),
    (" Biurem Prasowym ", " Biuro Prasowe "),
    ("w Biurze Prasowym", "w Biurze Prasowym"),  # does not start with a name: unchanged
    ("KS-02", "KS-02"),
    ("ds. kadr", "ds. kadr"),
    ("", ""),
]


@pytest.mark.parametrize(("phrase", "expected"), REQUIRED + OTHER_CITIES + PLURAL_AND_UNCHANGED)
def test_to_nominative(phrase: str, expected: str) -> None:
    assert m.to_nominative(phrase) == expected


@pytest.mark.parametrize(("phrase", "expected"), [
    ("Biura Miejskiego Konserwatora Zabytków", "Biuro Miejskiego Konserwatora Zabytków"),
    ("Rzecznika Prasowego Prezydenta Miasta Krakowa", "Rzecznik Prasowego Prezydenta Miasta Krakowa"),
])
def test_nominative_candidates_offer_the_complement_reading(phrase: str, expected: str) -> None:
    candidates = m.nominative_candidates(phrase)
    assert candidates[0] == m.to_nominative(phrase)
    assert expected in candidates[1:]


@pytest.mark.parametrize(("phrase", "expected"), [
    ("Referatu ds. Organizacyjnych", "referat"),
    ("Samodzielnego stanowiska Redakcja dwutygodnika miejskiego KRAKÓW.PL", "stanowisko"),
    ("Zastępcy Dyrektora ds. Promocji", "zastępca"),
    ("Dyrektorowi Biura", "dyrektor"),
    ("Miejskim Ośrodkiem Pomocy Społecznej", "ośrodek"),
    ("Krakowskim Biurem Festiwalowym", "biuro"),
    ("Kierownik Referatu", "kierownik"),
    ("Radzie Osiedla", "rada"),
    ("KS-02", None),
    ("", None),
])
def test_head_lemma(phrase: str, expected: str | None) -> None:
    assert m.head_lemma(phrase) == expected


# ---------------------------------------------------------------------------------------------- places


@pytest.mark.parametrize(("text", "expected"), [
    ("Krakowa", "Kraków"),
    ("krakowa", "Kraków"),
    ("Świętochłowicach", "Świętochłowice"),
    ("Katowice", "Katowice"),
    ("Katowicach", "Katowice"),
    ("Łodzi", "Łódź"),  # not "Łodzia", also a place name
    ("Gorzowie", "Gorzów"),
    ("Tarnowie", "Tarnów"),
    ("Piotrkowie", "Piotrków"),
    ("Bielsku-Białej", "Bielsko-Biała"),
    ("Kędzierzynie-Koźlu", "Kędzierzyn-Koźle"),
    ("Zielonej Górze", "Zielona Góra"),
    ("Nowym Sączu", "Nowy Sącz"),
    ("Gorzowie Wielkopolskim", "Gorzów Wielkopolski"),
    ("dyrektor", None),
    ("Biurem", None),
    ("Wydziału Promocji", None),
    ("Urzędzie Miasta Łodzi", None),
    ("w Gorzowie Wielkopolskim", "Gorzów Wielkopolski"),
    ("Ruda Śląska", "Ruda Śląska"),
    ("Jeleniej Górze", "Jelenia Góra"),
    ("Piotrkowie Trybunalskim", "Piotrków Trybunalski"),
])
def test_place_name(text: str, expected: str | None) -> None:
    assert m.place_name(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Krakowa", "Kraków"),
    ("Oddziałem", None),  # also the village Oddział
    ("Łodzi", None),  # also the common noun łódź
    ("Gorzowie Wielkopolskim", "Gorzów Wielkopolski"),
    ("Zielonej Górze", None),  # also the common noun góra
])
def test_place_name_strict(text: str, expected: str | None) -> None:
    assert m.place_name(text, strict=True) == expected


# ---------------------------------------------------------------------------------------------- matching


def test_name_key() -> None:
    key = m.name_key("Referatu ds. Organizacyjnych,")
    assert len(key) == 3
    assert "referat" in key[0]
    assert {"ds", "do spraw"} <= key[1]
    assert "organizacyjny" in key[2]


@pytest.mark.parametrize(("mention", "name"), [
    ("Biurem Prasowym", "Biuro Prasowe"),
    ("Referatem Mediów Miejskich", "Referat Mediów Miejskich"),
    ("Zastępcy Dyrektora ds. Promocji", "Zastępca Dyrektora ds. Promocji"),
    ("rzecznikiem prasowym prezydenta miasta krakowa", "Rzecznik Prasowy Prezydenta Miasta Krakowa"),
    ("Wydziałem Komunikacji Spolecznej", "Wydział Komunikacji Społecznej"),  # lost diacritics
    ("Referatu Kampanii Informacyjno-Promocyjnych", "Referat Kampanii Informacyjno-Promocyjnych"),
    ("Biura Miejskiego Konserwatora Zabytków", "Biuro Miejskiego Konserwatora Zabytków"),
])
def test_names_match(mention: str, name: str) -> None:
    assert m.names_match(mention, name)
    assert m.match_score(mention, name) == 1.0


@pytest.mark.parametrize(("mention", "name"), [
    ("Biurem Prasowym", "Krakowskie Biuro Festiwalowe"),
    ("Referatem Mediów Miejskich", "Referat Mediów"),
    ("Biurem Prasowym", "Biuro Festiwalowe"),
    ("Referatem Organizacyjnym", "Wydział Organizacyjny"),
])
def test_names_do_not_match(mention: str, name: str) -> None:
    assert not m.names_match(mention, name)


@pytest.mark.parametrize(("mention", "name"), [
    ("rzecznikiem prasowym prezydenta miasta", "Rzecznik Prasowy Prezydenta Miasta Krakowa"),
    ("Kancelarii Prezydenta Miasta Krakowa", "Kancelaria Prezydenta"),
])
def test_names_match_with_prefix(mention: str, name: str) -> None:
    assert not m.names_match(mention, name)
    assert m.names_match(mention, name, allow_prefix=True)


def test_match_score_ranks_candidates() -> None:
    mention = "z Biurem Prasowym"
    names = ["Krakowskie Biuro Festiwalowe", "Biuro Prasowe", "Referat Mediów Miejskich"]
    ranked = sorted(names, key=lambda name: m.match_score(mention, name), reverse=True)
    assert ranked[0] == "Biuro Prasowe"
    assert m.match_score(mention, "Referat Mediów Miejskich") == 0.0
    assert 0 < m.match_score("rzecznikiem prasowym prezydenta miasta",
                             "Rzecznik Prasowy Prezydenta Miasta Krakowa") < 1


# ---------------------------------------------------------------------------------------------- glued words


@pytest.mark.parametrize(("line", "expected"), [
    ("BuchalikReferat", "Buchalik\nReferat"),
    ("Biuro PrasoweDane kontaktowe", "Biuro Prasowe\nDane kontaktowe"),
    ("Dariusz NowakKierownik Referatu", "Dariusz Nowak\nKierownik Referatu"),
    ("Dyrektor Wydziału.Naczelnik Wydziału", "Dyrektor Wydziału.\nNaczelnik Wydziału"),
])
def test_split_glued_words(line: str, expected: str) -> None:
    assert m.split_glued_words(line) == expected


@pytest.mark.parametrize("line", [
    "KRAKÓW.PL", "www.krakow.pl", "Katowice.eu", "m.in.", "McDonald", "eUsługi", "ePUAP", "iPhone", "e-mail",
    "redakcja dwutygodnika KRAKÓW.PL", "jan.kowalski@um.krakow.pl", "ul.Długa", "https://www.bip.krakow.pl/?id=1",
    "Wydział Komunikacji Społecznej",
])
def test_split_glued_words_leaves_alone(line: str) -> None:
    assert m.split_glued_words(line) == line


# ---------------------------------------------------------------------------------------------- search


def _terms(text: str) -> set[str]:
    return {term for terms in m.analyse_for_search(text) for term in terms}


def test_analyse_for_search_lemmas_and_stop_words() -> None:
    analysed = m.analyse_for_search("Współpraca z Biurem Prasowym w zakresie zarządzania kryzysowego")
    flat = [term for terms in analysed for term in terms]
    assert "wspolpraca" in flat and "biuro" in flat and "prasowy" in flat and "zarzadzanie" in flat
    assert not {"z", "w"} & set(flat)
    assert all(terms for terms in analysed)


def test_analyse_for_search_abbreviations_and_acronyms() -> None:
    assert m.analyse_for_search("ds.") == [["sprawic", "sprawa"]]  # "do spraw": "do" is a stop word
    assert "sprawa" in _terms("Referat ds. Kadr") and "ds" not in _terms("Referat ds. Kadr")
    assert _terms("m.in.") == set()  # "między innymi": only stop words
    assert {"umk", "bip", "mpi"} <= _terms("UMK, BIP i MPI")
    assert {"informacyjny", "promocyjny"} <= _terms("Informacyjno-Promocyjnych")


@pytest.mark.parametrize(("query", "document"), [
    ("spoleczne", "Wydział Komunikacji Społecznej"),
    ("Komunikacja", "Wydziału Komunikacji Społecznej"),
    ("ksiegowosc", "Referat Księgowości"),
    ("kadry", "Referat ds. Kadr"),
])
def test_query_terms_meet_document_terms(query: str, document: str) -> None:
    assert _terms(query) & _terms(document)


def test_thread_safety() -> None:
    phrases = [phrase for phrase, _ in REQUIRED + OTHER_CITIES] * 4
    expected = [nominative for _, nominative in REQUIRED + OTHER_CITIES] * 4
    m.readings.cache_clear()
    m._parts.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(m.to_nominative, phrases)) == expected
