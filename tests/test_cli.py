"""The CLI as a user runs it: build, query, inspect, exit codes, and bad input that names the file."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from kompetencje.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "sources"
CHAIN_QUERY = """
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX eli:  <http://data.europa.eu/eli/ontology#>
PREFIX komp: <https://w3id.org/kompetencje/ontology#>
SELECT ?label ?duty ?provision WHERE {
  ?unit skos:notation "KS-05" ; org:reportsTo+ ?step .
  ?step skos:prefLabel ?label .
  { SELECT ?duty ?provision WHERE { ?u skos:notation "KS-05" ; komp:hasDuty ?d .
      ?d komp:itemNumber "2" ; dct:description ?duty ; komp:provision/eli:number ?provision } }
}"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("cli") / "data"
    shutil.copytree(SEEDS, data / "sources")
    assert main(["build", "--data", str(data)]) == 0
    return data


def test_build_writes_store_trig_and_report(data_dir, capsys):
    build = data_dir / "build"
    assert (build / "store").is_dir() and (build / "dataset.trig").stat().st_size > 0
    report = json.loads((build / "report.json").read_text(encoding="utf-8"))
    assert len(report["documents"]) == 5 and report["counts"]["duties"] == 168


def test_query_returns_the_chain_in_org_terms_with_duty_and_provision(data_dir, capsys):
    assert main(["query", CHAIN_QUERY, "--data", str(data_dir), "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["label"] for r in table} == {"Zastępca Dyrektora ds. Promocji", "Dyrektor Wydziału"}
    assert all(r["provision"] == "§ 8 pkt 2" and "ścisłej współpracy" in r["duty"] for r in table)


def test_the_readme_chain_example_answers(data_dir, capsys):
    assert main(["query", f"@{ROOT / 'data' / 'queries' / 'reporting-chain.rq'}", "--data", str(data_dir),
                 "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["label"] for r in table} == {"Zastępca Dyrektora ds. Promocji", "Dyrektor Wydziału"}


def test_query_json_and_from_file(data_dir, tmp_path, capsys):
    query = tmp_path / "count.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/org#Post> }", encoding="utf-8")
    assert main(["query", f"@{query}", "--data", str(data_dir), "--format", "json"]) == 0
    assert int(json.loads(capsys.readouterr().out)[0]["n"]) >= 3


def test_malformed_query_is_a_usage_error(data_dir, capsys):
    assert main(["query", "SELECT WHERE {", "--data", str(data_dir)]) == 2
    assert "malformed SPARQL" in capsys.readouterr().err


def test_inspect_prints_a_profile(capsys):
    assert main(["inspect", str(SEEDS / "002_887be83ff80dcaaf.txt")]) == 0
    printed = capsys.readouterr().out
    assert "Katowice" in printed and "Dropped as noise" in printed and "14 item(s)" in printed


def copy_seeds(tmp_path: Path, only: str | None = None) -> Path:
    data = tmp_path / "data"
    if only is None:
        shutil.copytree(SEEDS, data / "sources")
        return data
    (data / "sources").mkdir(parents=True)
    for path in SEEDS.glob(f"{only}.*"):
        shutil.copy(path, data / "sources" / path.name)
    return data


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.txt", b"", "empty"),
    ("binary.txt", bytes(range(256)) * 8, ""),
    ("menu.txt", "Strona główna\nKontakt\nMapa strony\n".encode(), "structure"),
])
def test_bad_document_fails_the_build_naming_the_file_and_keeps_the_old_build(tmp_path, capsys, name,
                                                                              content, reason):
    data = copy_seeds(tmp_path, only="004_db392eccf0a978d5")
    assert main(["build", "--data", str(data)]) == 0
    before = (data / "build" / "dataset.trig").read_bytes()
    (data / "sources" / name).write_bytes(content)
    capsys.readouterr()
    assert main(["build", "--data", str(data)]) == 2
    error = capsys.readouterr().err
    assert name in error and reason in error.lower()
    assert (data / "build" / "dataset.trig").read_bytes() == before, "a failed build overwrites nothing"
    assert main(["build", "--data", str(data), "--keep-going"]) == 0
    assert name in capsys.readouterr().err


def test_missing_store_is_a_clear_error(tmp_path, capsys):
    assert main(["query", "ASK {}", "--data", str(tmp_path)]) == 3
    assert "kompetencje build" in capsys.readouterr().err


def test_bad_sidecar_names_the_field(tmp_path, capsys):
    data = copy_seeds(tmp_path, only="004_db392eccf0a978d5")
    (data / "sources" / "004_db392eccf0a978d5.toml").write_text('[municipality]\nteryt = "12"\n', encoding="utf-8")
    assert main(["build", "--data", str(data)]) == 2
    error = capsys.readouterr().err
    assert "004_db392eccf0a978d5.toml" in error and "teryt" in error
