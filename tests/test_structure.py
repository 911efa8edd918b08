"""normalize.py and structure.py: lines traceable to the source, and the outline of numbered items."""

from __future__ import annotations

from kompetencje.loaders.normalize import normalize_lines
from kompetencje.loaders.structure import (
    continues_item,
    parse_marker,
    parse_numbered_items,
    parse_outline,
    strip_list_punctuation,
)


def items_of(text: str):
    return parse_numbered_items(normalize_lines(text))


# ---------------------------------------------------------------------------------------------- normalize

def test_glued_words_are_split_and_keep_their_origin() -> None:
    lines = normalize_lines("Pierwsza\nzakresie działania Wydziału.Naczelnik Wydziału Anna NowakReferat Kadr")
    assert [line.text for line in lines] == [
        "Pierwsza", "zakresie działania Wydziału.", "Naczelnik Wydziału Anna Nowak", "Referat Kadr"]
    assert [line.origin for line in lines] == [1, 2, 2, 2]


def test_markdown_emphasis_table_pipes_and_bullets_are_undone() -> None:
    text = "§ 2. Skład:\n- | | |\n|--|---|\n| 1) Referat Kadr | AB-01; |\n- 2) **Biuro Rady**;\n - a) tekst"
    lines = normalize_lines(text)
    assert [line.text for line in lines] == [
        "§ 2. Skład:", "", "", "1) Referat Kadr | AB-01;", "2) Biuro Rady;", "a) tekst"]
    assert lines[3].cells == ("1) Referat Kadr", "AB-01;")
    assert lines[5].indent == 1


def test_plain_dash_item_keeps_its_dash() -> None:
    assert normalize_lines("- koordynacja planów,")[0].text == "- koordynacja planów,"


# ---------------------------------------------------------------------------------------------- markers

def test_markers() -> None:
    assert parse_marker("1) Tekst").style == "number-paren"
    assert parse_marker("12. Tekst").number == "12"
    assert parse_marker("ł) tekst").number == "ł"
    assert parse_marker("b/ tekst").written == "b/"
    assert parse_marker("– tekst").style == "dash"
    assert parse_marker("§ 3. 1. Tekst").section == "1"
    assert parse_marker("§ 12. Tekst").section is None
    assert parse_marker("II. ZADANIA ZLECONE").style == "roman"
    assert parse_marker("12.03.2021 r. Tekst") is None
    assert parse_marker("Tekst bez znacznika") is None


def test_list_punctuation_is_removed_at_the_end_only() -> None:
    assert strip_list_punctuation("a, b; c.") == "a, b; c"
    assert strip_list_punctuation("w tym:") == "w tym:"


def test_continuation_rules() -> None:
    assert continues_item("aktywne pozyskiwanie - udostępnianie", "i zamieszczanie materiałów", after_gap=True)
    assert not continues_item("koniec zadania.", "Naczelnik Wydziału Jan Kowalski", after_gap=False)
    assert continues_item("Współpraca z Biurem", "Rady Miasta w zakresie", after_gap=False)
    assert not continues_item("koniec zadania;", "Nowy nagłówek", after_gap=True)


# ---------------------------------------------------------------------------------------------- nesting

FOUR_LEVELS = """Do zadań Referatu należy:
1. Sprawy kadrowe:
1) prowadzenie akt,
2) sprawy socjalne, w tym:
a) zapomogi,
b) wczasy pod gruszą:
- wnioski,
- wypłaty,
ł) inne świadczenia;
3) szkolenia.
2. Sprawy płacowe.
"""


def test_four_levels_with_polish_letters() -> None:
    items = items_of(FOUR_LEVELS)
    assert [i.number for i in items] == ["1", "2"]
    points = items[0].subitems
    assert [p.number for p in points] == ["1", "2", "3"]
    letters = points[1].subitems
    assert [x.number for x in letters] == ["a", "b", "ł"]
    assert [d.number for d in letters[1].subitems] == ["1", "2"]
    assert letters[1].subitems[0].marker == "-"
    assert letters[2].text == "inne świadczenia"


def test_inconsistent_indentation_does_not_change_the_level() -> None:
    text = "Zadania:\n1) pierwsze;\n2) drugie, w tym:\n a) lit,\n   - tiret,\n3) trzecie;\n 4) czwarte;\n   5) piąte."
    items = items_of(text)
    assert [i.number for i in items] == ["1", "2", "3", "4", "5"]
    assert items[1].subitems[0].subitems[0].text == "tiret"


def test_dash_list_after_a_blank_line_belongs_to_the_lettered_item() -> None:
    text = "Zadania:\n1) koordynacja, w tym:\n a) obsługa,\n b) program, w tym:\n\n- plany,\n - akceptacja.\n2) nadzór;"
    items = items_of(text)
    assert [len(s.subitems) for s in items[0].subitems] == [0, 2]
    assert items[1].number == "2"


def test_lowercase_continuation_after_a_blank_line() -> None:
    text = "Zadania:\n1) działania, w tym:\n a) pozyskiwanie - udostępnianie\n\ni zamieszczanie zdjęć.\n\n2) inne."
    items = items_of(text)
    letter = items[0].subitems[0]
    assert letter.text == "pozyskiwanie - udostępnianie i zamieszczanie zdjęć"
    assert (letter.span.start, letter.span.end) == (3, 5)


def test_a_capitalised_line_after_a_full_stop_ends_the_list() -> None:
    outline = parse_outline(normalize_lines("Zadania:\n1. Pierwsze.\n2. Ostatnie.\nNaczelnik Wydziału Jan Nowak"))
    assert [b.kind for b in outline.blocks] == ["text", "text"]
    assert len(outline.blocks[0].items) == 2


def test_page_numbers_between_halves_of_an_item_are_skipped() -> None:
    items = items_of("Zadania:\n1) prowadzenie spraw\nStrona 2 z 5\nzwiązanych z kadrami;\n2) inne.")
    assert items[0].text == "prowadzenie spraw związanych z kadrami"


def test_paragraphs_with_sections_and_points() -> None:
    text = ("§ 3. 1. Dyrektorowi podlegają:\n1) Referat A;\n2) Referat B.\n"
            "2. Zastępcy podlega:\n1) Referat C.\n§ 4. Inne.")
    outline = parse_outline(normalize_lines(text))
    first, second = outline.blocks
    assert first.kind == "paragraph" and [s.number for s in first.children] == ["1", "2"]
    assert first.children[0].text == "Dyrektorowi podlegają:"
    assert [i.number for i in first.children[0].items] == ["1", "2"]
    assert second.text == "Inne."


def test_roman_groups_restart_numbering() -> None:
    text = "Do zadań Wydziału należy:\nI. ZADANIA WŁASNE\n1. Jedno.\n2. Drugie.\nII. ZADANIA ZLECONE\n1. Trzecie."
    outline = parse_outline(normalize_lines(text))
    groups = [b for b in outline.blocks if b.kind == "group"]
    assert [(g.number, g.first_text, len(g.items)) for g in groups] == [
        ("I", "ZADANIA WŁASNE", 2), ("II", "ZADANIA ZLECONE", 1)]
    assert not outline.anomalies


def test_numbering_gap_is_reported() -> None:
    outline = parse_outline(normalize_lines("Zadania:\n1) a;\n2) b;\n4) d."))
    assert [message for _, message in outline.anomalies] == ["numbering: 4) follows 2)"]


def test_spans_point_to_original_lines() -> None:
    items = items_of("\n\nZadania:\n\n1) pierwsze\nciąg dalszy;\n\n2) drugie.")
    assert [(i.span.start, i.span.end) for i in items] == [(5, 6), (8, 8)]
