"""Format readers: bytes → SourceText. Fixtures are generated here (PDF with fpdf2, DOCX with python-docx
and hand-written numbering) or hand-written under tests/fixtures/readers/; all content is invented."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import docx as python_docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompetencje.errors import InputError
from kompetencje.loaders.model import SourceText
from kompetencje.loaders.readers import detect_format, lexicon, read_source, url_path
from kompetencje.loaders.readers import html as html_reader
from kompetencje.loaders.readers import pdf as pdf_reader
from kompetencje.loaders.readers.encoding import normalise

FIXTURES = Path(__file__).parent / "fixtures" / "readers"
FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
]
FONT = next((p for p in FONT_CANDIDATES if p.exists()), None)
needs_font = pytest.mark.skipif(FONT is None, reason="no TTF with Polish glyphs (apt-get install fonts-dejavu-core)")

ORDINANCE = """Wydział Spraw Społecznych Urzędu Gminy Zielonki
Do zakresu działania Referatu Oświaty należą sprawy:
1) prowadzenie ewidencji szkół i przedszkoli,
2) współpraca z dyrektorami szkół w zakresie dowozu uczniów,
3) przygotowywanie projektów uchwał Rady Gminy dotyczących oświaty."""


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def lines(source: SourceText) -> list[str]:
    return source.text.split("\n")


# --- encodings and normalisation ------------------------------------------------------------------


def test_utf8_with_and_without_bom_reads_the_same() -> None:
    plain = read_source(ORDINANCE.encode("utf-8"), "zielonki.txt")
    bom = read_source(b"\xef\xbb\xbf" + ORDINANCE.encode("utf-8"), "zielonki.txt")
    assert plain.text == bom.text == ORDINANCE
    assert plain.format == "text" and plain.encoding == "utf-8"
    assert plain.quality >= 0.95 and plain.findings == []


@pytest.mark.parametrize(("codec", "label"), [("cp1250", "windows-1250"), ("iso-8859-2", "iso-8859-2")])
def test_polish_single_byte_encodings_are_told_apart(codec: str, label: str) -> None:
    # ą ś ź Ą Ś Ź sit on different bytes in the two code pages; both must come out right
    text = ORDINANCE + "\nŚwiadczenia: ąśź ĄŚŹ, źródła finansowania, świetlice środowiskowe."
    source = read_source(text.encode(codec), "zielonki.txt")
    assert source.text == text
    assert source.encoding == label


def test_windows_1250_quotes_and_dashes() -> None:
    text = "Zespół „Czyste Zielonki” – koordynacja akcji sprzątania świata\n" + ORDINANCE
    source = read_source(text.encode("cp1250"), "zielonki.txt")
    assert source.text == text and source.encoding == "windows-1250"


@pytest.mark.parametrize("misread_as", ["cp1250", "latin-1", "cp1252"])
def test_mojibake_is_repaired_with_a_finding(misread_as: str) -> None:
    garbled = ORDINANCE.encode("utf-8").decode(misread_as, errors="ignore")
    assert "Wydział" not in garbled
    source = read_source(garbled.encode("utf-8"), "zielonki.txt")
    assert source.text.startswith("Wydział Spraw Społecznych")
    assert "należą" in source.text and "współpraca" in source.text
    assert any("mojibake" in f.message for f in source.findings)


def test_mojibake_mixed_with_good_text_is_repaired_word_by_word() -> None:
    text = "Wydział Gospodarki Komunalnej – " + "Referat Dróg i Zieleni".encode().decode("cp1250")
    source = read_source(text.encode("utf-8"), "lublin.txt")
    assert source.text == "Wydział Gospodarki Komunalnej – Referat Dróg i Zieleni"


def test_legitimate_foreign_letters_are_not_mojibake() -> None:
    text = "Partnerstwo miast: Lublin – Münster, współpraca z Åland i Århus.\n" + ORDINANCE
    assert read_source(text.encode("utf-8"), "lublin.txt").text == text


def test_normalisation_of_spaces_hyphens_invisibles_and_line_ends() -> None:
    raw = "Referat\u00a0Podatków\r\nNaczelnik:\tJan\u200b Próbny\r\n\tpokój 12\r\nnie\u00adruchomości\u2060\rkoniec"
    assert normalise(raw) == "Referat Podatków\nNaczelnik: Jan Próbny\n    pokój 12\nnieruchomości\nkoniec"


def test_text_keeps_line_numbers_of_the_file() -> None:
    raw = "\n\nZARZĄDZENIE Nr 12/2024\n\n\n§ 1. Treść.\r\n\r\n§ 2. Wykonanie.\n\n\n"
    source = read_source(raw.encode(), "gmina.txt")
    assert lines(source)[2] == "ZARZĄDZENIE Nr 12/2024"
    assert lines(source)[5] == "§ 1. Treść."
    assert lines(source)[7] == "§ 2. Wykonanie."


@pytest.mark.parametrize("data", [b"", b"   \n\t  \r\n", b"\x00\x01\x02\x03" * 200, bytes(range(256)) * 8,
                                  b"1234 5678 -- 90"])
def test_unreadable_text_raises_input_error(data: bytes) -> None:
    with pytest.raises(InputError) as error:
        read_source(data, "smieci.txt")
    assert error.value.source == "smieci.txt"


def test_utf16_with_bom_is_read() -> None:
    source = read_source(ORDINANCE.encode("utf-16"), "zielonki.txt")
    assert source.text == ORDINANCE


def test_ocr_damage_lowers_quality_with_findings() -> None:
    damaged = """Wydzia1 Spraw Spo1ecznych Urzedu Grniny Zie1onki
Do zakresu dzia~ania Referatu 0światy na1eżą sprawy: ¦
1) prowadzenie ew1dencji szkół i przedszk0li, rnieszkańców ^^
2) wspó~praca z dyrekt0rami szkół w zakresie d0wozu ucznió¬w,
3) przygot0wywanie pr0jektów uchwa¦ Rady Grniny dotyczacych 0światy ~~ ¤"""
    clean = read_source(ORDINANCE.encode(), "czysty.txt")
    source = read_source(damaged.encode(), "skan-ocr.txt")
    assert source.quality < 0.7 < clean.quality
    messages = " ".join(f.message for f in source.findings)
    assert "OCR" in messages and "symbols" in messages
    assert "rnieszkańców" in messages or "Grniny" in messages


def test_without_morfeusz_a_shape_heuristic_takes_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexicon._local, "morfeusz", None, raising=False)
    lexicon.is_word.cache_clear()
    lexicon.is_adjectival_prefix.cache_clear()
    try:
        assert not lexicon.available()
        assert read_source(ORDINANCE.encode(), "zielonki.txt").quality >= 0.95
        assert pdf_reader.join_hyphenated(["spraw organiza-", "cyjnych"]) == ["spraw organizacyjnych"]
        assert read_source(b"Wdzsktrw Xqzprtk Brrrmpf Gdkzwtsk " * 10, "x.txt").quality < 0.5
    finally:
        lexicon.is_word.cache_clear()
        lexicon.is_adjectival_prefix.cache_clear()


def test_undecodable_bytes_lower_quality() -> None:
    text = ORDINANCE.replace("ą", "\ufffd").replace("ó", "\ufffd")
    source = read_source(text.encode(), "zielonki.txt")
    assert source.quality < 0.9
    assert any("U+FFFD" in f.message for f in source.findings)


# --- format detection -----------------------------------------------------------------------------


def test_format_is_read_from_content_not_extension() -> None:
    assert detect_format(b"%PDF-1.7\n...", "plik.txt") == "pdf"
    assert detect_format(b"<!DOCTYPE html><html><body><p>x</p></body></html>", "plik.txt") == "html"
    assert detect_format(b"<div><p>Referat</p><p>Wydzia\xc5\x82</p></div>", "fragment.txt") == "html"
    assert detect_format("# Wydział\n\n**Symbol:** SO\n\n- zadanie".encode(), "opis.txt") == "markdown"
    assert detect_format("Wydział\n1) zadanie\n- podzadanie".encode(), "opis.md") == "markdown"
    assert detect_format("Wydział\n1) zadanie\n- podzadanie".encode(), "opis.html") == "text"
    assert detect_format(_docx_bytes(_simple_docx()), "dokument.bin") == "docx"


def test_old_binary_doc_is_refused_with_advice() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(InputError, match=r"old binary \.doc is not supported; save as DOCX or PDF"):
        read_source(ole, "regulamin.doc")


def test_zip_that_is_not_docx_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("dane.csv", "a;b")
    with pytest.raises(InputError, match="not a DOCX"):
        read_source(buffer.getvalue(), "paczka.zip")


def test_url_path() -> None:
    assert url_path("https://bip.lublin.example/urzad/biuro%20obslugi/?id=7#x") == "/urzad/biuro obslugi/"
    assert url_path("https://bip.lublin.example") == "/"
    source = read_source(ORDINANCE.encode(), "a.txt", url="https://bip.zielonki.example/referat-oswiaty")
    assert source.url_path == "/referat-oswiaty"


# --- HTML -----------------------------------------------------------------------------------------


def test_html_main_content_without_portal_chrome() -> None:
    data = fixture("gdansk_wydzial.html")
    source = read_source(data, "gdansk.html", url="https://bip.gdansk.example/urzad/wydzialy/so?id=3")
    assert source.format == "html"
    assert lines(source) == [
        "Wydział Spraw Obywatelskich",
        "Symbol: SO",
        "Adres: ul. Nowe Ogrody 8/12, 80-803 Gdańsk",
        "Telefon: 58 323 60 00",
        "E-mail: so@gdansk.example",
        "Wydziałem kieruje Dyrektor Wydziału.",
        "Naczelnik Referatu Ewidencji Ludności: Anna Przykładowa",
        "",
        "Zakres działania",
        "Do zakresu działania Wydziału należy w szczególności:",
        "1. prowadzenie ewidencji ludności,",
        "2. wydawanie dowodów osobistych, w tym:",
        "  a) przyjmowanie wniosków,",
        "  b) unieważnianie dokumentów,",
        "3. współpraca z Biurem Prezydenta w zakresie:",
        "  - skarg i wniosków,",
        "  - petycji.",
        "",
        "Kontakt",
        "Stanowisko | Pokój | Telefon",
        "Dyrektor Wydziału | 101 | 58 323 60 01",
        "Naczelnik Referatu | 105 | 58 323 60 05",
        "Data publikacji: 12.03.2024",
    ]
    assert source.title == "Wydział Spraw Obywatelskich - Biuletyn Informacji Publicznej Urzędu Miejskiego w Gdańsku"
    assert source.breadcrumb == ["Strona główna", "Urząd Miejski", "Wydziały", "Wydział Spraw Obywatelskich"]
    assert source.url_path == "/urzad/wydzialy/so"


def test_html_noise_blocks_point_into_the_page_text() -> None:
    data = fixture("gdansk_wydzial.html")
    source = read_source(data, "gdansk.html")
    page = html_reader.page_text(data, "gdansk.html").split("\n")
    by_reason = {}
    for block in source.noise:
        by_reason.setdefault(block.reason, []).extend(page[block.span.start - 1:block.span.end])
    assert {"banner", "navigation", "dialog", "footer"} <= set(by_reason)
    assert any("cookies" in line for line in by_reason["dialog"])
    assert "- Ogłoszenia" in by_reason["navigation"]
    assert any("Deklaracja dostępności" in line for line in by_reason["footer"])
    for noise in ("cookies", "Ogłoszenia", "Szukaj", "kontrast", "Przejdź do treści", "otwiera się"):
        assert noise not in source.text


def test_html_without_main_uses_text_density_and_windows_1250() -> None:
    data = fixture("lublin_bez_main.html").decode("utf-8").encode("cp1250")
    source = read_source(data, "lublin.html")
    assert source.encoding == "windows-1250"
    assert lines(source) == [
        "Biuro Obsługi Mieszkańców",
        "Kierownik Biura: Jan Testowy",
        "Siedziba: ul. Wieniawska 14, 20-071 Lublin, pokój 12",
        "Do zadań Biura Obsługi Mieszkańców należy w szczególności:",
        "1. przyjmowanie i rejestrowanie korespondencji wpływającej do Urzędu,",
        "2. udzielanie informacji o sposobie załatwiania spraw, w tym:",
        "  a) o wymaganych dokumentach,",
        "  b) o opłatach skarbowych;",
        "5. prowadzenie punktu potwierdzania profilu zaufanego,",
        "6. obsługa kasy Urzędu.",
        "Biuro działa w godzinach pracy Urzędu: poniedziałek–piątek od 7.30 do 15.30. Szczegółowe "
        "informacje o sprawach załatwianych w Biurze znajdują się w kartach usług.",
    ]
    assert source.breadcrumb == ["Start", "Urząd Miasta", "Biuro Obsługi Mieszkańców"]
    assert source.title == "Biuro Obsługi Mieszkańców | Urząd Miasta Lublin"
    assert {b.reason for b in source.noise} == {"outside main content", "cookie notice"}


def test_html_glued_blocks_become_separate_lines() -> None:
    page = ("<div><p>Sprawy prowadzi Referat Wydziału.</p><p>Naczelnik: <b>Ewa</b> <i>Próbna</i></p>"
            "<div><span>Biuro Rady</span></div><div>Telefon</div>Tekst luzem<h3>Zadania</h3>"
            "<p>pierwsza<br>druga<br/><br>trzecia</p></div>")
    source = read_source(page.encode(), "gmina.html")
    assert lines(source) == ["Sprawy prowadzi Referat Wydziału.", "Naczelnik: Ewa Próbna", "Biuro Rady",
                             "Telefon", "Tekst luzem", "", "Zadania", "pierwsza", "druga", "", "trzecia"]


def test_html_ordered_list_types_and_attributes() -> None:
    page = """<body><main>
    <ol type="I"><li>Zadania własne</li><li>Zadania zlecone</li></ol>
    <ol type="A" start="3"><li>trzecia</li><li value="7">siódma</li><li>ósma</li></ol>
    <ol reversed><li>trzy</li><li>dwa</li><li>jeden</li></ol>
    <ol style="list-style-type: lower-roman"><li>i-ty</li><li>ii-gi</li></ol>
    <ol><li>pkt<ol><li>lit<ol><li>rzymski</li></ol></li></ol></li></ol>
    </main></body>"""
    assert lines(read_source(page.encode(), "listy.html")) == [
        "I. Zadania własne", "II. Zadania zlecone", "C) trzecia", "G) siódma", "H) ósma",
        "3. trzy", "2. dwa", "1. jeden", "i. i-ty", "ii. ii-gi", "1. pkt", "  a) lit", "    i. rzymski"]


def test_html_layout_table_renders_as_blocks_and_data_table_as_rows() -> None:
    page = """<html><body><table><tr>
      <td><a href="/a">Aktualności</a><br><a href="/b">Przetargi</a><br><a href="/c">Kontakt</a></td>
      <td><h3>Referat Inwestycji</h3><p>Do zadań Referatu należy:</p>
        <ul><li>przygotowanie inwestycji gminnych,</li><li>nadzór nad robotami.</li></ul>
        <table><tr><th>Imię i nazwisko</th><th>Telefon</th></tr>
          <tr><td>Adam Wzorcowy</td><td>12 345 67 89</td></tr></table>
      </td></tr></table></body></html>"""
    source = read_source(page.encode(), "gmina.html")
    assert lines(source) == ["Referat Inwestycji", "Do zadań Referatu należy:", "- przygotowanie inwestycji gminnych,",
                             "- nadzór nad robotami.", "Imię i nazwisko | Telefon", "Adam Wzorcowy | 12 345 67 89"]
    assert [b.reason for b in source.noise] == ["outside main content"]


def test_html_hidden_and_structural_noise_is_dropped() -> None:
    page = """<body>
    <div role="navigation"><a href="/">Start</a></div>
    <div role="main">
      <p>Referat Podatków i Opłat.</p>
      <p style="display: none">ukryty akapit</p>
      <p hidden>inny ukryty</p>
      <div aria-hidden="true">dekoracja</div>
      <aside>Zobacz także: inne referaty</aside>
      <section><header><h2>Zadania</h2></header><p>wymiar podatku od nieruchomości</p>
        <footer>stopka sekcji zostaje</footer></section>
    </div>
    <div role="contentinfo">Urząd Gminy</div></body>"""
    source = read_source(page.encode(), "podatki.html")
    assert lines(source) == ["Referat Podatków i Opłat.", "", "Zadania", "wymiar podatku od nieruchomości",
                             "stopka sekcji zostaje"]
    assert {"hidden", "sidebar", "footer", "navigation"} <= {b.reason for b in source.noise}


def test_html_link_lists_inside_an_unmarked_content_block() -> None:
    page = """<html><body><div id="tresc">
      <div class="jezyk"><a href="/pl">PL</a> <a href="/en">EN</a></div>
      <h2>Referat Gospodarki Odpadami</h2>
      <p>Referat prowadzi sprawy związane z odbiorem odpadów komunalnych od właścicieli nieruchomości
      zamieszkałych na terenie gminy, w tym naliczanie opłat i kontrolę deklaracji.</p>
      <p>Kierownik Referatu przyjmuje interesantów w poniedziałki w godzinach 9.00-15.00.</p>
      <p>Zobacz też:</p>
      <ul><li><a href="/1">Harmonogram</a></li><li><a href="/2">Deklaracje</a></li><li><a href="/3">Opłaty</a></li></ul>
      <p><a href="#top">do góry</a></p>
    </div><div class="stopka">Urząd Gminy Zielonki</div></body></html>"""
    source = read_source(page.encode(), "odpady.html")
    assert lines(source)[0] == "Referat Gospodarki Odpadami"
    assert lines(source)[-1] == "Zobacz też:"
    reasons = [b.reason for b in source.noise]
    assert reasons.count("link list") == 2 and "skip link" in reasons


def test_html_framework_classes() -> None:
    page = """<html><head><title>Referat Kadr</title></head><body><main>
      <svg><title>ikona</title></svg>
      <div class="col-md-9 hidden-xs">Referat Kadr prowadzi akta osobowe pracowników.</div>
      <span class="sr-only">Otwiera się w nowym oknie</span><p class="d-none">ukryte</p>
      </main></body></html>"""
    source = read_source(page.encode(), "kadry.html")
    assert lines(source) == ["Referat Kadr prowadzi akta osobowe pracowników."]
    assert source.title == "Referat Kadr"


def test_html_iso_8859_2_declared_in_meta() -> None:
    page = ('<html><head><meta charset="iso-8859-2"><title>Źródła</title></head><body>'
            "<p>Świetlica środowiskowa – zajęcia dla dzieci, źródło finansowania: budżet gminy.</p></body></html>")
    source = read_source(page.replace("–", "-").encode("iso-8859-2"), "swietlica.htm")
    assert source.encoding == "iso-8859-2" and source.title == "Źródła"
    assert lines(source) == ["Świetlica środowiskowa - zajęcia dla dzieci, źródło finansowania: budżet gminy."]


def test_html_without_markup_keeps_the_lines_around_a_long_list() -> None:
    """Text density finds the content block, never a list inside it: the head and contact lines above the
    list are the unit's, though the list holds most of the text."""
    items = "".join(f"<li>zadanie numer {n}: prowadzenie spraw związanych z gospodarką odpadami komunalnymi,</li>"
                    for n in range(1, 6))
    page = f"""<html><body><div id="menu"><a href="/">Start</a> <a href="/a">Urząd</a> <a href="/b">Kontakt</a></div>
      <div class="sciezka">Jesteś tutaj: <a href="/">Start</a> &raquo; <a href="/w">Wydział Ochrony Środowiska</a>
      &raquo; Referat Odpadów</div>
      <div id="content"><p>Kierownik: Paweł Próbny</p><p>tel. 41 367 61 30</p>
      <h3>Zakres zadań</h3><ol>{items}</ol></div>
      <div id="stopka">Urząd Gminy Zielonki</div></body></html>"""
    source = read_source(page.encode(), "odpady.html")
    assert lines(source)[:4] == ["Kierownik: Paweł Próbny", "tel. 41 367 61 30", "", "Zakres zadań"]
    assert lines(source)[-1].startswith("5. zadanie numer 5")
    assert source.breadcrumb == ["Start", "Wydział Ochrony Środowiska", "Referat Odpadów"]


def test_html_bar_of_links_is_no_breadcrumb() -> None:
    page = """<html><body><div id="top"><a href="/">BIP</a> · <a href="/m">Mapa strony</a> · <a href="/r">RSS</a></div>
      <main><p>Referat Kultury organizuje dożynki gminne.</p></main></body></html>"""
    assert read_source(page.encode(), "k.html").breadcrumb == []


def test_html_page_of_links_keeps_its_links() -> None:
    page = """<html><body><main><h1>Wydziały</h1><ul><li><a href="/1">Wydział Finansowy</a></li>
      <li><a href="/2">Wydział Oświaty</a></li><li><a href="/3">Wydział Kultury</a></li></ul></main></body></html>"""
    source = read_source(page.encode(), "wydzialy.html")
    assert "- Wydział Oświaty" in lines(source)


def test_html_jsonld_breadcrumb_and_og_title() -> None:
    page = """<html><head><meta property="og:title" content="Referat Kultury">
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "BreadcrumbList",
     "itemListElement": [{"@type": "ListItem", "position": 2, "name": "Urząd"},
                         {"@type": "ListItem", "position": 1, "name": "Gmina Zielonki"},
                         {"@type": "ListItem", "position": 3, "item": {"name": "Referat Kultury"}}]}]}</script>
    </head><body><p>Referat Kultury organizuje dożynki gminne.</p></body></html>"""
    source = read_source(page.encode(), "kultura.html")
    assert source.breadcrumb == ["Gmina Zielonki", "Urząd", "Referat Kultury"]
    assert source.title == "Referat Kultury"


def test_html_text_breadcrumb_with_separators() -> None:
    page = """<html><body><div class="breadcrumb">Jesteś tutaj: <a href="/">Start</a> &raquo;
      <a href="/urzad">Urząd</a> &raquo; Referat Kultury</div><main><p>Treść referatu.</p></main></body></html>"""
    assert read_source(page.encode(), "k.html").breadcrumb == ["Start", "Urząd", "Referat Kultury"]


def test_html_entities_and_dtd_are_inert() -> None:
    laughs = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">' for i in range(1, 10))
    page = f"""<?xml version="1.0"?><!DOCTYPE html [<!ENTITY l0 "ha">{laughs}
      <!ENTITY xxe SYSTEM "file:///etc/passwd">]>
      <html><body><p>Referat &amp; Biuro &l9; &xxe; &nbsp;koniec</p></body></html>"""
    started = time.monotonic()
    source = read_source(page.encode(), "atak.html")
    assert time.monotonic() - started < 2
    assert "root:" not in source.text and "haha" not in source.text
    assert "Referat & Biuro &l9; &xxe; koniec" in source.text


# --- Markdown -------------------------------------------------------------------------------------


def test_markdown_markers_are_stripped_and_lines_kept() -> None:
    md = """---
title: Referat Ochrony Środowiska
---
# Referat Ochrony Środowiska

**Kierownik:** *Maria Wzorowa*, [kontakt](mailto:ros@gmina.example)

Do zadań Referatu należą:
1. wydawanie decyzji o __środowiskowych__ uwarunkowaniach,
2. prowadzenie spraw `ochrony` przyrody:
   * usuwanie drzew,
   + ochrona zieleni.

| Sprawa | Termin |
|:------ | -----: |
| decyzja | 30 dni |

> Uwaga: wnioski przyjmuje Kancelaria.
Zadanie\\*z gwiazdką i snake_case_name."""
    source = read_source(md.encode(), "srodowisko.md")
    assert source.format == "markdown"
    assert source.title == "Referat Ochrony Środowiska"
    assert lines(source) == [
        "", "", "", "Referat Ochrony Środowiska", "", "Kierownik: Maria Wzorowa, kontakt", "",
        "Do zadań Referatu należą:", "1. wydawanie decyzji o środowiskowych uwarunkowaniach,",
        "2. prowadzenie spraw ochrony przyrody:", "   - usuwanie drzew,", "   - ochrona zieleni.", "",
        "Sprawa | Termin", "", "decyzja | 30 dni", "", "Uwaga: wnioski przyjmuje Kancelaria.",
        "Zadanie*z gwiazdką i snake_case_name."]


# --- PDF ------------------------------------------------------------------------------------------

PDF_PAGES = [
    ["ZARZĄDZENIE Nr 45/2024", "WÓJTA GMINY ZIELONKI", "z dnia 4 marca 2024 r.",
     "w sprawie zakresu działania Referatu Gospodarki Komunalnej",
     "§ 1. Do zakresu działania Referatu należy:", "1) prowadzenie spraw organiza-",
     "cyjnych związanych z gospodarką odpadami,", "2) współpraca z Biurem Informacyjno-",
     "Promocyjnym w zakresie kampanii ekologicznych,", "3) realizacja programów społeczno-",
     "gospodarczych gminy, w tym programów wspar-"],
    ["cia dla mieszkańców,", "4) utrzymanie dróg gminnych i oświetlenia ulicznego,",
     "5) nadzór nad eksploatacją sieci wodociągowej.", "§ 2. Referatem kieruje Kierownik Referatu.",
     "§ 3. Zarządzenie wchodzi w życie z dniem podpisania."],
    ["Załącznik do zarządzenia Nr 45/2024", "Wykaz stanowisk w Referacie:",
     "1) Kierownik Referatu,", "2) inspektor do spraw dróg,", "3) podinspektor do spraw odpadów."],
]
PDF_HEADER = "Urząd Gminy Zielonki – Biuletyn Informacji Publicznej"


def _pdf(pages: list[list[str]], *, reverse_stream: bool = False, title: str | None = None,
         footer: bool = True, header: str = PDF_HEADER) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dejavu", "", str(FONT))
    pdf.set_font("dejavu", size=11)
    pdf.set_auto_page_break(False)
    if title:
        pdf.set_title(title)
    for number, body in enumerate(pages, start=1):
        pdf.add_page()
        parts = [lambda number=number: _pdf_line(pdf, 10, header.format(n=number)),
                 lambda body=body: _pdf_body(pdf, body)]
        if footer:
            parts.append(lambda number=number: _pdf_line(pdf, 282, f"Strona {number} z {len(pages)}"))
        for draw in reversed(parts) if reverse_stream else parts:
            draw()
    return bytes(pdf.output())


def _pdf_line(pdf: object, y: float, text: str) -> None:
    pdf.set_xy(15, y)  # type: ignore[attr-defined]
    pdf.cell(0, 6, text)  # type: ignore[attr-defined]


def _pdf_body(pdf: object, body: list[str]) -> None:
    for i, text in enumerate(body):
        _pdf_line(pdf, 30 + 8 * i, text)


EXPECTED_PDF = [
    "ZARZĄDZENIE Nr 45/2024", "WÓJTA GMINY ZIELONKI", "z dnia 4 marca 2024 r.",
    "w sprawie zakresu działania Referatu Gospodarki Komunalnej",
    "§ 1. Do zakresu działania Referatu należy:", "1) prowadzenie spraw organizacyjnych",
    "związanych z gospodarką odpadami,", "2) współpraca z Biurem Informacyjno-Promocyjnym",
    "w zakresie kampanii ekologicznych,", "3) realizacja programów społeczno-gospodarczych",
    "gminy, w tym programów wsparcia", "dla mieszkańców,",
    "4) utrzymanie dróg gminnych i oświetlenia ulicznego,", "5) nadzór nad eksploatacją sieci wodociągowej.",
    "§ 2. Referatem kieruje Kierownik Referatu.", "§ 3. Zarządzenie wchodzi w życie z dniem podpisania.",
    "Załącznik do zarządzenia Nr 45/2024", "Wykaz stanowisk w Referacie:", "1) Kierownik Referatu,",
    "2) inspektor do spraw dróg,", "3) podinspektor do spraw odpadów.",
]


@needs_font
def test_pdf_text_layer_without_running_lines_and_hyphens() -> None:
    source = read_source(_pdf(PDF_PAGES, title="Zarządzenie Nr 45/2024 Wójta Gminy Zielonki"), "zarz-45.pdf")
    assert source.format == "pdf"
    assert lines(source) == EXPECTED_PDF
    assert source.title == "Zarządzenie Nr 45/2024 Wójta Gminy Zielonki"
    assert {b.reason for b in source.noise} == {"page header", "page footer"}
    assert sum(b.span.end - b.span.start + 1 for b in source.noise) == 6
    assert source.quality > 0.9


@needs_font
def test_pdf_noise_spans_refer_to_raw_lines() -> None:
    data = _pdf(PDF_PAGES)
    raw = pdf_reader.raw_lines(data, "zarz-45.pdf")
    for block in read_source(data, "zarz-45.pdf").noise:
        for line in raw[block.span.start - 1:block.span.end]:
            assert line == PDF_HEADER or line.startswith("Strona ")


@needs_font
def test_pdf_reading_order_does_not_follow_the_content_stream() -> None:
    source = read_source(_pdf(PDF_PAGES, reverse_stream=True), "odwrotny.pdf")
    assert lines(source) == EXPECTED_PDF


@needs_font
def test_pdf_page_numbers_without_repetition_evidence() -> None:
    one_page = _pdf([["Regulamin pracy Referatu Kultury", "§ 1. Postanowienia ogólne.", "- 1 -"]], footer=False)
    source = read_source(one_page, "regulamin.pdf")
    assert lines(source) == ["Urząd Gminy Zielonki – Biuletyn Informacji Publicznej", "",  # 20 mm above the body
                             "Regulamin pracy Referatu Kultury", "§ 1. Postanowienia ogólne."]
    assert [b.reason for b in source.noise] == ["page number"]


@needs_font
def test_pdf_running_head_with_page_numbers_goes_but_numbered_body_lines_stay() -> None:
    schools = [3, 1, 4, 2]
    pages = [[f"Obwód głosowania nr {n * 4 + 1}", f"Siedziba komisji: Szkoła Podstawowa nr {schools[n]}",
              "Granice obwodu:", f"ulice od nr {n * 3 + 2} do nr {n * 5 + 9}",
              f"Liczba mieszkańców: {[812, 1204, 977, 1530][n]}."] for n in range(4)]
    source = read_source(_pdf(pages, header="Dziennik Urzędowy Gminy Zielonki – {n} – Poz. 77",
                              footer=False), "obwody.pdf")
    assert "Obwód głosowania nr 13" in lines(source)
    assert "Siedziba komisji: Szkoła Podstawowa nr 4" in lines(source)
    assert "Liczba mieszkańców: 1530." in lines(source) and lines(source).count("Granice obwodu:") == 4
    assert not any("Dziennik Urzędowy" in line for line in lines(source))
    assert {b.reason for b in source.noise} == {"page header"}


@needs_font
def test_pdf_paragraph_spacing_becomes_blank_lines_and_table_columns_cells() -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("dejavu", "", str(FONT))
    pdf.set_font("dejavu", size=10)
    pdf.add_page()
    lead = ("Na podstawie art. 33 ust. 3 ustawy z dnia 8 marca 1990 r. o samorządzie gminnym zarządza się, "
            "co następuje, a treść tego akapitu jest na tyle długa, że zajmuje kilka wierszy wyrównanych do "
            "obu marginesów, więc odstępy między słowami są w nich rozciągnięte:")
    pdf.multi_cell(0, 5, lead, align="J", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(0, 5, "§ 1. W skład Wydziału wchodzą:", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(25, 120, 35), first_row_as_headings=False, line_height=5) as table:
        for cells in (("Lp.", "Nazwa komórki", "Symbol"), ("1)", "Referat Podatków i Opłat", "FN-01;"),
                      ("2)", "Referat Windykacji", "FN-02.")):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(3)
    pdf.multi_cell(0, 5, "Kielce, dnia 3 marca 2024 r.          Prezydent Miasta", new_x="LMARGIN", new_y="NEXT")
    source = read_source(bytes(pdf.output()), "tabela.pdf")
    assert lines(source)[3:] == [
        "", "§ 1. W skład Wydziału wchodzą:", "Lp. | Nazwa komórki | Symbol", "1) | Referat Podatków i Opłat | FN-01;",
        "2) | Referat Windykacji | FN-02.", "", "Kielce, dnia 3 marca 2024 r. Prezydent Miasta"]
    assert "|" not in " ".join(lines(source)[:3])  # justified lines stretch every gap: no columns


def test_pdf_without_text_layer_is_refused() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 170, 250)
        pdf.line(20, 20, 190, 270)
    with pytest.raises(InputError) as error:
        read_source(bytes(pdf.output()), "skan-uchwaly.pdf")
    assert str(error.value) == "skan-uchwaly.pdf: no text layer (scanned PDF? OCR it first)"


def test_pdf_hyphenation_rules() -> None:
    join = pdf_reader.join_hyphenated
    assert join(["zadania organiza-", "cyjne, kadrowe"]) == ["zadania organizacyjne,", "kadrowe"]
    assert join(["Biuro Informacyjno-", "Promocyjne"]) == ["Biuro Informacyjno-Promocyjne"]
    assert join(["rozwój społeczno-", "gospodarczy gminy"]) == ["rozwój społeczno-gospodarczy", "gminy"]
    assert join(["COVID-", "19 oraz"]) == ["COVID-", "19 oraz"]
    assert join(["Wydzia-", "łu;"]) == ["Wydziału;"]
    assert join(["ul. Długa -", "Krótka"]) == ["ul. Długa -", "Krótka"]


# --- DOCX -----------------------------------------------------------------------------------------

Level = tuple[str, str]  # (numFmt, lvlText)


def _add_list(document: object, abstract_id: int, num_id: int, levels: list[Level],
              start_override: int | None = None, existing_abstract: bool = False) -> int:
    numbering = document.part.numbering_part.element  # type: ignore[attr-defined]
    if not existing_abstract:
        lvls = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                       f'<w:lvlText w:val="{text}"/></w:lvl>' for i, (fmt, text) in enumerate(levels))
        abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>')
        first_num = numbering.find(f"{{{numbering.nsmap['w']}}}num")
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
    override = (f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start_override}"/></w:lvlOverride>'
                if start_override else "")
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
                               f'{override}</w:num>'))
    return num_id


def _numbered(document: object, text: str, num_id: int, ilvl: int = 0) -> None:
    paragraph = document.add_paragraph(text)  # type: ignore[attr-defined]
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id


def _docx_bytes(document: object) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def _simple_docx() -> object:
    document = python_docx.Document()
    document.add_paragraph("Regulamin Referatu Kultury Gminy Zielonki")
    return document


def _ordinance_docx() -> object:
    document = python_docx.Document()
    document.core_properties.title = "Regulamin organizacyjny Urzędu Gminy Zielonki"
    para = _add_list(document, 90, 90, [("decimal", "§ %1.")])
    points = _add_list(document, 91, 91, [("decimal", "%1)"), ("lowerLetter", "%2)"), ("bullet", "\uf0b7")])
    document.add_heading("Rozdział II. Zakres działania", level=1)
    _numbered(document, "Do zadań Referatu Finansowego należy:", para)
    _numbered(document, "prowadzenie rachunkowości budżetu gminy,", points)
    _numbered(document, "obsługa podatków lokalnych, w tym:", points)
    _numbered(document, "wymiar podatku rolnego,", points, 1)
    _numbered(document, "windykacja zaległości:", points, 1)
    _numbered(document, "upomnienia,", points, 2)
    _numbered(document, "tytuły wykonawcze,", points, 2)
    _numbered(document, "sporządzanie sprawozdań budżetowych.", points)
    _numbered(document, "Do zadań Referatu Oświaty należy:", para)
    restart = _add_list(document, 91, 92, [], start_override=1, existing_abstract=True)
    _numbered(document, "prowadzenie spraw szkół,", restart)
    _numbered(document, "organizacja dowozu uczniów.", restart)
    multi = _add_list(document, 93, 93, [("decimal", "%1."), ("decimal", "%1.%2.")])
    _numbered(document, "Postanowienia końcowe", multi)
    _numbered(document, "Regulamin wchodzi w życie z dniem podpisania.", multi, 1)
    document.add_paragraph("Wykaz stanowisk:", style="List Number")
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, [("Lp.", "Stanowisko", "Liczba etatów"), ("1", "Skarbnik Gminy", "1"),
                                       ("2", "Inspektor ds. podatków", "2,5")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    run = document.add_paragraph("Tekst widoczny").add_run(" tekst ukryty")
    run.font.hidden = True
    return document


def test_docx_automatic_numbering_is_rendered() -> None:
    source = read_source(_docx_bytes(_ordinance_docx()), "regulamin.docx")
    assert source.format == "docx"
    assert source.title == "Regulamin organizacyjny Urzędu Gminy Zielonki"
    assert lines(source) == [
        "Rozdział II. Zakres działania",
        "§ 1. Do zadań Referatu Finansowego należy:",
        "1) prowadzenie rachunkowości budżetu gminy,",
        "2) obsługa podatków lokalnych, w tym:",
        "  a) wymiar podatku rolnego,",
        "  b) windykacja zaległości:",
        "    - upomnienia,",
        "    - tytuły wykonawcze,",
        "3) sporządzanie sprawozdań budżetowych.",
        "§ 2. Do zadań Referatu Oświaty należy:",
        "1) prowadzenie spraw szkół,",
        "2) organizacja dowozu uczniów.",
        "1. Postanowienia końcowe",
        "  1.1. Regulamin wchodzi w życie z dniem podpisania.",
        "1. Wykaz stanowisk:",
        "Lp. | Stanowisko | Liczba etatów",
        "1 | Skarbnik Gminy | 1",
        "2 | Inspektor ds. podatków | 2,5",
        "Tekst widoczny",
    ]


def test_docx_tracked_deletions_are_left_out() -> None:
    document = python_docx.Document()
    paragraph = document.add_paragraph("Referat ")
    w = nsdecls("w")
    deleted = '<w:r><w:delText>Ochrony</w:delText></w:r>'
    paragraph._p.append(parse_xml(f'<w:del {w} w:id="1" w:author="x">{deleted}</w:del>'))
    paragraph._p.append(parse_xml(f'<w:ins {w} w:id="2" w:author="x"><w:r><w:t>Gospodarki</w:t></w:r></w:ins>'))
    paragraph._p.append(parse_xml(f'<w:r {w}><w:tab/><w:t>Komunalnej</w:t><w:br/><w:t>druga linia</w:t></w:r>'))
    assert lines(read_source(_docx_bytes(document), "r.docx")) == ["Referat Gospodarki Komunalnej", "druga linia"]


def _rewrite_part(data: bytes, part: str, transform: object) -> bytes:
    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            content = old.read(info)
            new.writestr(info, transform(content) if info.filename == part else content)  # type: ignore[operator]
    return target.getvalue()


def test_docx_with_dtd_is_refused() -> None:
    def inject(xml: bytes) -> bytes:
        head, _, rest = xml.partition(b"?>")
        return head + b'?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + rest

    data = _rewrite_part(_docx_bytes(_simple_docx()), "word/document.xml", inject)
    with pytest.raises(InputError, match="DTD"):
        read_source(data, "zly.docx")


def test_damaged_docx_is_an_input_error() -> None:
    data = _rewrite_part(_docx_bytes(_simple_docx()), "word/document.xml", lambda xml: xml[: len(xml) // 2])
    with pytest.raises(InputError, match="damaged DOCX"):
        read_source(data, "uszkodzony.docx")


# --- robustness -----------------------------------------------------------------------------------


def _outcome(data: bytes, name: str) -> None:
    started = time.monotonic()
    try:
        result = read_source(data, name)
    except InputError as error:
        assert error.source == name
    else:
        assert isinstance(result, SourceText)
        assert 0.0 <= result.quality <= 1.0
    assert time.monotonic() - started < 5


@settings(max_examples=150, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096), st.sampled_from(["x.txt", "x.html", "x.md", "x.pdf", "x.docx", "x"]))
def test_random_bytes_give_source_text_or_input_error(data: bytes, name: str) -> None:
    _outcome(data, name)


def _fixture_blobs() -> list[bytes]:
    blobs = [fixture("gdansk_wydzial.html"), ORDINANCE.encode("cp1250"), _docx_bytes(_ordinance_docx())]
    if FONT is not None:
        blobs.append(_pdf(PDF_PAGES[:2]))
    return blobs


BLOBS = _fixture_blobs()


@settings(max_examples=120, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(BLOBS) - 1), st.floats(0, 1), st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1,
                                                                                                       max_size=8)),
                                                                  max_size=3))
def test_truncated_and_corrupted_fixtures(index: int, cut: float, patches: list[tuple[float, bytes]]) -> None:
    data = bytearray(BLOBS[index][: int(len(BLOBS[index]) * cut)])
    for where, junk in patches:
        position = int(len(data) * where)
        data[position:position + len(junk)] = junk
    _outcome(bytes(data), "uszkodzony")
