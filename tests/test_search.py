"""Competence search: the analyser (kompetencje.search.analyzer), the index (kompetencje.search.index) and
its evaluation (kompetencje.search.evaluate), on tests/fixtures/mini.trig and on the seeds as built."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompetencje.search.analyzer import Analyzer, acronym_definitions, default_analyzer, english_stem, sanitize
from kompetencje.search.evaluate import evaluate, judge, main, metrics
from kompetencje.search.index import SearchIndex

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
EXTRA_QUERIES = TESTS / "search_queries.extra.jsonl"
DEV_QUERIES = TESTS / "eval" / "queries.dev.jsonl"  # a copy of ../shared/eval/queries.dev.jsonl


def terms(text: str) -> list[tuple[str, ...]]:
    return default_analyzer().terms(text)


def flat(text: str) -> set[str]:
    return {t for word in terms(text) for t in word}


# ---------------------------------------------------------------------------------------------- analyser

def test_lemmas_are_folded_and_inflection_does_not_matter():
    assert terms("Konsultacjami Społecznymi") == [("konsultacja",), ("spoleczny",)]
    assert terms("konsultacje społeczne") == terms("konsultacjach społecznych")
    assert "wspolpraca" in flat("Współpraca z mediami")  # ł → l


def test_words_without_diacritics_are_restored():
    assert "spoleczny" in flat("konsultacje spoleczne")
    assert "mieszkaniec" in flat("interwencje mieszkancow")


def test_corpus_forms_catch_ascii_words_that_are_other_known_words():
    analyzer = Analyzer(forms={"swiat": ("swieto",)})
    assert "swieto" in {t for word in analyzer.terms("obchody swiat") for t in word}
    assert "swieto" not in {t for word in analyzer.terms("obchody świat") for t in word}


def test_stop_words_and_question_noise_are_dropped():
    assert terms("w i oraz z") == []
    assert flat("who handles the obituaries") == {"who", "handles", "handle", "obituaries", "obituary"} - {
        "who"}


def test_abbreviations_expand():
    bip = flat("BIP")
    assert {"bip", "biuletyn", "informacja", "publiczny"} <= bip
    assert "sprawa" in flat("Zastępca Dyrektora ds. Promocji")
    assert flat("w tym m. in. debaty") == {"debata"}
    assert "relation" in flat("PR") and "relation" not in flat("pr")


def test_acronyms_defined_in_a_text_are_learnt():
    found = acronym_definitions("Zarządzanie Miejską Platformą Internetową (MPI) oraz obsługa "
                                "elektronicznej Platformy Usług Administracji Publicznej (ePUAP); (to) (Ab)")
    assert found == {"mpi": "Miejską Platformą Internetową",
                     "epuap": "elektronicznej Platformy Usług Administracji Publicznej"}
    analyzer = Analyzer(abbreviations=found)
    assert {"platforma", "internetowy"} <= {t for w in analyzer.terms("obsługa MPI") for t in w}


def test_english_words_get_a_light_stem():
    assert english_stem("conferences") == "conference"
    assert english_stem("policies") == "policy"
    assert english_stem("press") == "press"
    assert english_stem("crisis") == "crisis"
    assert "conference" in flat("press conferences")


def test_control_characters_and_lone_surrogates_are_harmless():
    assert sanitize("a\x00b\u200bc\ud800d") == "a b c?d"
    assert flat("konferencja\x00prasowa\x07") == {"konferencja", "prasowy"}


def test_positions_count_words_and_expansions_follow_their_abbreviation():
    tokens = default_analyzer().analyze("publikacja w BIP gminy")
    assert [t.position for t in tokens] == list(range(len(tokens)))
    assert [t.expanded for t in tokens] == [False, False, True, True, True, False]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_analyser_never_crashes(text):
    for token in default_analyzer().analyze(text):
        assert token.terms and all(isinstance(t, str) and t for t in token.terms)


def test_analyser_takes_a_megabyte():
    rng = random.Random(5)
    pieces = ["konsultacje", "społeczne", "\x00", "BIP", "m. in.", "ds.", "ąęł", "x" * 300, "\ud800", "(MPI)",
              "—", "2399/2021", "www.krakow.pl", "\n", "ZAŻÓŁĆ", "gęślą", "jaźń", "e-konsultacji"]
    text = " ".join(rng.choice(pieces) for _ in range(120_000))[:1_000_000]
    assert len(default_analyzer().analyze(text)) > 10_000


# ---------------------------------------------------------------------------------------------- mini index

@pytest.fixture(scope="module")
def mini_index() -> SearchIndex:
    store = ox.Store()
    store.load(path=str(FIXTURES / "mini.trig"), format=ox.RdfFormat.TRIG)
    return SearchIndex.build(store)


def test_build_reads_the_duties_and_their_places(mini_index):
    texts = {doc.text for doc in mini_index.docs}
    assert "opracowywanie briefów kreatywnych i media planów" in texts
    shared = next(doc for doc in mini_index.docs if doc.id.endswith("/ks/shared-duty/6"))
    assert shared.unit.id == shared.department.id and shared.department.symbol == "KS"
    assert shared.municipality.name == "Kraków" and shared.municipality.symbol == "1261011"
    assert all(doc.concepts for doc in mini_index.docs)  # classified in-process: the fixture has no dct:subject


def test_search_finds_a_duty_in_any_inflection(mini_index):
    for query in ("kampanie promocyjne", "kampaniami promocyjnymi", "kampanii promocyjnych"):
        top = mini_index.search(query, limit=3)[0]
        assert top.text.startswith("Planowanie i realizowanie lokalnych"), query
        assert top.unit == {"id": "https://w3id.org/kompetencje/id/1261011/ks-05",
                            "name": "Referat Kampanii Informacyjno-Promocyjnych Miasta", "symbol": "KS-05"}
        assert top.municipality["name"] == "Kraków"


def test_a_sub_item_carries_its_parent_and_a_duty_appears_once(mini_index):
    hits = mini_index.search("media plany", limit=10)
    top = hits[0]
    assert top.text == "opracowywanie briefów kreatywnych i media planów"
    assert top.parent_text.startswith("Planowanie i realizowanie lokalnych")
    assert top.parent["id"].endswith("/ks-05/duty/3")
    families = [h.parent["id"] if h.parent else h.duty for h in hits]
    assert len(families) == len(set(families))


def test_a_top_level_hit_lists_its_sub_items(mini_index):
    top = mini_index.search("planowanie kampanii lokalnych regionalnych krajowych", limit=1)[0]
    assert top.duty.endswith("/ks-05/duty/3")
    assert [s["item_number"] for s in top.subitems] == ["3.a", "3.b"]
    assert top.provision == {"id": "https://w3id.org/kompetencje/id/1261011/act/2399-2021#par8-pkt3",
                             "label": "§ 8 pkt 3"}


def test_hits_explain_themselves(mini_index):
    hit = mini_index.search("sytuacje kryzysowe", limit=1)[0]
    assert hit.text.startswith("Wspieranie działań odpowiednich komórek")
    assert set(hit.explanation["matched"]["text"]) == {"sytuacja", "kryzysowy"}
    english = mini_index.search("promotional campaigns", limit=3)
    assert english and english[0].explanation["concepts"][0]["name_en"] == "Promotional campaigns"
    assert "duty" in english[0].to_dict() and english[0].to_dict()["duty"]["text"] == english[0].text


@pytest.mark.parametrize("municipality", ["Kraków", "krakow", "KRAKÓW", "Krakowie", "1261011",
                                          "https://w3id.org/kompetencje/id/1261011"])
def test_municipality_filter_by_name_teryt_or_office(mini_index, municipality):
    assert mini_index.search("kampanie", municipality=municipality)


def test_unknown_municipality_and_empty_queries_give_nothing(mini_index):
    assert mini_index.search("kampanie", municipality="Gdańsk") == []
    assert mini_index.search("") == []
    assert mini_index.search("   \x00 ") == []
    assert mini_index.search("w i z oraz") == []
    assert mini_index.search("kampanie", limit=0) == []
    assert len(mini_index.search("miasta", limit=2)) <= 2


def test_save_and_load_give_the_same_answers(mini_index, tmp_path):
    folder = mini_index.save(tmp_path / "search")
    loaded = SearchIndex.load(folder)
    for query in ("kampanie promocyjne", "media plany", "public relations", "BIP", "budżet"):
        assert [h.to_dict() for h in loaded.search(query)] == [h.to_dict() for h in mini_index.search(query)]
    mini_index.save(folder)  # saving again replaces the folder
    assert (folder / "meta.json").exists()


QUERIES = ("kampanie promocyjne", "media plany", "public relations", "BIP", "budżet")


def answers(index: SearchIndex) -> list[list[dict]]:
    return [[h.to_dict() for h in index.search(query)] for query in QUERIES]


def test_the_ready_index_is_loaded_only_when_this_code_wrote_it(mini_index, tmp_path, monkeypatch):
    """The saved folder holds the ready object (index.pickle) beside the portable files; `load` takes it
    when it was written by this code, and otherwise (other code, a damaged file, none) reads the portable
    files: the same answers every way."""
    from kompetencje.search import index as index_module

    folder = mini_index.save(tmp_path / "search")
    expected = answers(mini_index)
    ready = folder / index_module.READY_FILE
    assert ready.is_file()
    read_portable: list[Path] = []
    real_json_loads = index_module.json.loads
    monkeypatch.setattr(index_module.json, "loads", lambda text: read_portable.append(folder) or real_json_loads(text))
    assert answers(SearchIndex.load(folder)) == expected and read_portable == []  # the pickle, not meta.json
    monkeypatch.setattr(index_module, "code_digest", lambda: "other code")
    assert answers(SearchIndex.load(folder)) == expected and len(read_portable) == 1
    monkeypatch.undo()
    ready.write_bytes(b"damaged")
    assert answers(SearchIndex.load(folder)) == expected
    ready.unlink()
    assert answers(SearchIndex.load(folder)) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=1000), municipality=st.none() | st.text(max_size=40),
       limit=st.integers(min_value=-2, max_value=50))
def test_search_never_crashes(mini_index, query, municipality, limit):
    hits = mini_index.search(query, municipality=municipality, limit=limit)
    assert len(hits) <= max(0, limit)
    assert all(hit.score > 0 for hit in hits)


def test_search_takes_a_megabyte_query(mini_index):
    rng = random.Random(9)
    alphabet = "abcdefghijklmnopqrstuvwxyząćęłńóśźż ABC\x00\x1f\n\t.,;-()/\u200b"
    query = "".join(rng.choice(alphabet) for _ in range(1_000_000))
    mini_index.search(query, municipality=query[:1000])
    mini_index.search("kampanie " * 100_000)


# ---------------------------------------------------------------------------------------------- evaluation

def load_score_search():
    path = TESTS / "eval" / "score_search.py"  # ../shared/eval/score_search.py, kept verbatim
    spec = importlib.util.spec_from_file_location("score_search", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_judge_and_metrics_are_those_of_score_search():
    reference = load_score_search()
    results = [{"duty": {"text": "Organizowanie  konferencji prasowych Prezydenta"}},
               {"duty": {"text": "a/ coś", "parent_text": "Prowadzenie spraw w zakresie BO"}},
               {"duty": {"text": "organizowanie konferencji prasowych prezydenta, drugi raz"}},
               {"duty": {"text": "nic"}}]
    prefixes = ["organizowanie konferencji prasowych", "Prowadzenie spraw", "Brak"]
    for k in (1, 2, 10):
        assert judge(results, prefixes, k) == reference.judge(results, prefixes, k)
        gains = judge(results, prefixes, k)
        assert metrics(gains, len(prefixes), k) == reference.metrics(gains, len(prefixes), k)


def test_cli_evaluates_a_saved_index(mini_index, tmp_path, capsys):
    folder = mini_index.save(tmp_path / "search")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "M1", "q": "kampanie promocyjne", "municipality": "Kraków",
                                   "relevant": ["Planowanie i realizowanie lokalnych"]}) + "\n", encoding="utf-8")
    assert main([str(queries), "--index", str(folder)]) == 0
    assert "mean ndcg@10=1.000 mrr=1.000" in capsys.readouterr().out
    assert main([str(queries), "--index", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["ndcg"] == 1.0
    assert main([str(tmp_path / "missing.jsonl"), "--index", str(folder)]) == 2


# ---------------------------------------------------------------------------------------------- the seeds

@pytest.fixture(scope="module")
def seed_index(request) -> SearchIndex:
    try:
        store = request.getfixturevalue("built_store")
    except Exception as error:  # the build pipeline is not importable or fails
        pytest.skip(f"no seed build: {error}")
    return SearchIndex.build(store)


def test_dev_queries_meet_the_targets(seed_index):
    summary = evaluate(seed_index, DEV_QUERIES).summary
    assert summary["ndcg"] >= 0.90 and summary["mrr"] >= 0.95, summary


def test_extra_queries_meet_the_targets(seed_index):
    report = evaluate(seed_index, EXTRA_QUERIES)
    assert report.summary["ndcg"] >= 0.90 and report.summary["mrr"] >= 0.95, report.summary
    assert report.summary["queries"] >= 10


def test_inflections_missing_diacritics_and_english_meet(seed_index):
    tops = [{h.duty for h in seed_index.search(q, limit=5)}
            for q in ("konsultacje spoleczne", "konsultacjami społecznymi", "public consultations")]
    assert tops[0] == tops[1] == tops[2] and len(tops[0]) == 5


def test_social_media_phrasings_meet(seed_index):
    wanted = "Bieżąca administracja oraz poszerzanie obecności Krakowa na portalach społecznościowych"
    for query in ("media społecznościowe", "portale społecznościowe", "social media", "portale spolecznosciowe"):
        assert wanted in [h.text for h in seed_index.search(query, limit=5)], query


def test_participatory_budget_in_katowice_comes_first(seed_index):
    top = seed_index.search("Budzet obywatelski", municipality="Katowice", limit=10)[0]
    assert top.text.startswith("Prowadzenie spraw w zakresie Budżetu Obywatelskiego")
    assert top.municipality["name"] == "Katowice"
    assert len(top.subitems) == 8


def test_every_hit_is_in_the_municipality_asked_for(seed_index):
    for municipality, name in (("Katowice", "Katowice"), ("2476011", "Świętochłowice"), ("Krakowie", "Kraków")):
        hits = seed_index.search("współpraca z mediami", municipality=municipality)
        assert hits and all(h.municipality["name"] == name for h in hits)


def test_a_municipality_named_in_the_query_filters(seed_index):
    hits = seed_index.search("konferencje prasowe w Katowicach")
    assert hits and {h.municipality["name"] for h in hits} == {"Katowice"}
    assert hits[0].text.startswith("Organizowanie konferencji prasowych i wizyt studyjnych")
    assert {h.municipality["name"] for h in seed_index.search("who handles press conferences in Kraków")} == {
        "Kraków"}


def test_words_the_texts_do_not_use_find_their_concept(seed_index):
    assert seed_index.search("journalists", limit=3)[0].text == "Bieżąca obsługa dziennikarzy"
    assert any("gadżetów promocyjnych" in h.text for h in seed_index.search("merchandise", limit=5))
    advertising = seed_index.search("reklama", limit=3)
    assert advertising and advertising[0].explanation["concepts"][0]["name"] == "Reklama i zakup mediów"


def test_a_nested_sub_item_shows_the_chain_from_its_top_level_duty(seed_index):
    hits = seed_index.search("akceptacja projektów graficznych", municipality="Kraków", limit=3)
    top = hits[0]
    assert top.text.startswith("akceptacja projektów graficznych")
    assert top.parent_text.startswith("Koordynowanie przedsięwzięć promocyjnych Miasta")
    assert top.parent["text"].startswith("obsługa programu")


def test_one_answer_per_duty_on_the_seeds(seed_index):
    for query in ("konsultacje", "budżet obywatelski", "media społecznościowe", "kampanie"):
        hits = seed_index.search(query, limit=20)
        families = [seed_index.docs[seed_index.position[h.duty]].top for h in hits]
        assert len(families) == len(set(families)), query


def test_saved_duty_records_are_the_dataclass_fields(seed_index):
    """meta.json keeps each duty as `dataclasses.asdict` would write it (written by a quicker function)."""
    from dataclasses import asdict

    from kompetencje.search.index import doc_record

    assert seed_index.docs
    assert all(doc_record(doc) == asdict(doc) for doc in seed_index.docs)


# make the shared seed-build fixtures available to this module
from build_fixtures import built_store, seed_build  # noqa: E402
