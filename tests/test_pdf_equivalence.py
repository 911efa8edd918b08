"""A PDF made from the Kraków ordinance's text yields the same document model and the same graph as the text.

The seed data/sources/ ordinance Nr 2399/2021 (found by its sidecar: kind "ordinance", and the number in the
text) is set as a printed A4 document by tests/printing.py: justified paragraphs wrapped over several pages,
long words hyphenated at line ends (soft hyphens), list items indented without their Markdown bullets,
bold for `**...**`, the list of units as a real table, a running head (the act's title) and a
"Strona N z M" footer on every page. Both files get the same sidecar (the TOML copied beside the PDF
under the same stem), so both have the same doc_id and mint the same IRIs.
"""

from __future__ import annotations

import io
import shutil
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest
from printing import needs_font, print_pdf
from pypdf import PdfReader

from kompetencje.loaders.golden import document_to_json
from kompetencje.loaders.model import Document
from kompetencje.loaders.pipeline import build, load_document
from kompetencje.loaders.readers import pdf as pdf_reader
from kompetencje.vocab import KOMP, RDF

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
BASE = "https://w3id.org/kompetencje/id/"
NUMBER = "2399/2021"

pytestmark = [needs_font, pytest.mark.slow]


def ordinance() -> Path:
    """The seed whose sidecar says it is an ordinance and whose text is act Nr 2399/2021."""
    for sidecar in sorted(SOURCES.glob("*.toml")):
        kind = tomllib.loads(sidecar.read_text(encoding="utf-8")).get("document", {}).get("kind")
        text = sidecar.with_suffix(".txt")
        if kind == "ordinance" and text.exists() and f"Nr {NUMBER}" in text.read_text(encoding="utf-8"):
            return text
    raise AssertionError(f"no seed ordinance Nr {NUMBER} in {SOURCES}")


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two source folders, each with only this document: as text, and as PDF; the same sidecar beside each."""
    text = ordinance()
    folders = {}
    for kind in ("text", "pdf"):
        folder = tmp_path_factory.mktemp(f"sources-{kind}")
        target = folder / (text.name if kind == "text" else f"{text.stem}.pdf")
        target.write_bytes(text.read_bytes() if kind == "text" else print_pdf(text.read_text(encoding="utf-8")))
        shutil.copy(text.with_suffix(".toml"), folder / f"{text.stem}.toml")
        folders[kind] = target
    return folders


@pytest.fixture(scope="module")
def documents(sources: dict[str, Path]) -> dict[str, Document]:
    return {kind: load_document(path).document for kind, path in sources.items()}


def test_the_pdf_is_a_printed_document(sources: dict[str, Path]) -> None:
    """The PDF is not the text file in disguise: it has pages, running lines, wrapped and hyphenated lines."""
    data = sources["pdf"].read_bytes()
    raw = pdf_reader.raw_lines(data, sources["pdf"].name)
    text_lines = ordinance().read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("Strona ") for line in raw) >= 4  # at least four pages, each with its footer
    assert sum(line.startswith(f"ZARZĄDZENIE Nr {NUMBER} PREZYDENTA") for line in raw) >= 4  # running head
    assert sum(line.endswith("-") and line[-2:-1].isalpha() for line in raw) >= 5  # hyphenated at line ends
    assert len(raw) > len(text_lines)  # long lines wrapped
    assert "1) Referat ds. Organizacyjnych | KS-01;" in raw  # a table row: its cells found by their columns
    drawn = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "|" not in drawn and "**" not in drawn and "- 1)" not in drawn  # no Markdown was printed


def model(doc: Document) -> dict:
    """What the document says, without where in its file it says it: spans (line numbers) dropped."""
    data = document_to_json(doc)

    def without_spans(value):
        if isinstance(value, dict):
            return {k: without_spans(v) for k, v in value.items() if k != "span"}
        if isinstance(value, list):
            return [without_spans(v) for v in value]
        return value

    kept = {section: without_spans(data[section]) for section in (
        "municipality", "act", "units", "posts", "duty_lists", "reporting", "cooperation", "external", "contacts")}
    kept["findings"] = sorted(f["message"] for f in data["findings"])
    return kept


def test_same_document_model(documents: dict[str, Document]) -> None:
    text, pdf = model(documents["text"]), model(documents["pdf"])
    assert documents["text"].format == "text" and documents["pdf"].format == "pdf"
    for section in text:
        assert pdf[section] == text[section], section
    # and it is the ordinance, fully read: not two empty models that agree
    assert text["act"]["number"] == NUMBER and len(text["units"]) >= 8
    assert sum(len(d["items"]) for d in text["duty_lists"]) > 100 and text["reporting"] and text["cooperation"]


def test_duties_keep_their_numbers_and_texts(documents: dict[str, Document]) -> None:
    def duties(doc: Document) -> list[tuple[str, str, str, str]]:
        found = []

        def walk(items, holder, path=()):
            for item in items:
                found.append((holder, ".".join((*path, item.number)), item.marker, item.text))
                walk(item.subitems, holder, (*path, item.number))

        for duty_list in doc.duty_lists:
            walk(duty_list.items, duty_list.holder)
        return found

    assert duties(documents["pdf"]) == duties(documents["text"])


# ---------------------------------------------------------------------------------------------- graphs

SPAN_CLASS = ox.NamedNode(str(KOMP.SourceSpan))
RDF_TYPE = ox.NamedNode(str(RDF.type))
SOURCE_SPECIFIC = {ox.NamedNode(str(KOMP.sourceFormat)), ox.NamedNode(str(KOMP.contentHash))}
"""Excluded from the comparison, because they describe the file rather than what it says:
- komp:sourceFormat of the source document ("text" / "pdf");
- komp:contentHash of the source document (sha256 of the file's bytes);
- every quad whose subject is a komp:SourceSpan (its rdf:type, dct:isPartOf the source, komp:startLine,
  komp:endLine), and every quad whose object is one (prov:wasDerivedFrom from a fact to the lines it was
  read from): span IRIs carry line numbers ("...#line=48,48"), and the PDF's lines are not the text file's
  (paragraphs wrapped, table rule rows gone, running heads and footers removed). That every fact derived
  from lines in one build is derived from lines in the other is checked separately.
Nothing else is excluded: labels, duty texts, item numbers, provisions, reporting and cooperation links,
the act and its dates, the quality score and the search concepts must be the same quads."""


def quads_of(store: ox.Store) -> tuple[set[ox.Quad], set[tuple[ox.NamedNode, ox.GraphName]]]:
    """The store's quads without the source-specific ones, and (fact, graph) pairs derived from lines."""
    quads = set(store.quads_for_pattern(None, None, None, None))
    spans = {q.subject for q in quads if q.predicate == RDF_TYPE and q.object == SPAN_CLASS}
    derived = {(q.subject, q.graph_name) for q in quads if q.object in spans}
    kept = {q for q in quads if q.subject not in spans and q.object not in spans
            and q.predicate not in SOURCE_SPECIFIC}
    return kept, derived


@pytest.fixture(scope="module")
def stores(sources: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, ox.Store]:
    found = {}
    for kind, path in sources.items():
        out = tmp_path_factory.mktemp(f"build-{kind}") / "build"
        build(path.parent, out, base_iri=BASE)
        found[kind] = ox.Store.read_only(str(out / "store"))
    return found


def test_same_graph_modulo_provenance(stores: dict[str, ox.Store]) -> None:
    text, text_derived = quads_of(stores["text"])
    pdf, pdf_derived = quads_of(stores["pdf"])
    missing = sorted(str(q) for q in text - pdf)[:20]
    extra = sorted(str(q) for q in pdf - text)[:20]
    assert not missing and not extra, {"only from the text": missing, "only from the PDF": extra}
    assert text_derived == pdf_derived
    assert len(text) > 5000 and len(text_derived) > 100
    formats = {str(q.object.value) for q in stores["pdf"].quads_for_pattern(
        None, ox.NamedNode(str(KOMP.sourceFormat)), None, None)}
    assert formats == {"pdf"}
