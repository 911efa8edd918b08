"""Ingestion (POST/GET/DELETE /api/documents) against a live server, on a temporary copy of the seeds."""

from __future__ import annotations

import hashlib
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from kompetencje.errors import InputError
from kompetencje.loaders import ingest

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/kompetencje/id/"
TOKEN = "test-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
POZNAN_PAGE = """Wydział Ochrony Środowiska

Referat Gospodarki Odpadami
Symbol: OS-03
Adres siedziby: ul. Rynek 1, 60-001 Poznań
Kierownik Referatu: Anna Kowalska

Zakres działania:

Do zakresu działania Referatu Gospodarki Odpadami (OS-03) należą sprawy:
1) Prowadzenie rejestru działalności regulowanej w zakresie odbierania odpadów komunalnych.
2) Nadzór nad funkcjonowaniem systemu gospodarowania odpadami komunalnymi w Mieście.
3) Współpraca z jednostkami organizacyjnymi Miasta w zakresie edukacji ekologicznej.
4) Wykonywanie innych zadań zleconych przez Dyrektora Wydziału.
"""
POZNAN_META = """[document]
kind = "bip-page"
title = "Referat Gospodarki Odpadami (OS-03)"
[municipality]
name = "Poznań"
teryt = "3064011"
office = "Urząd Miasta Poznania"
abbreviations = ["UMP"]
"""
EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("ingest") / "data"
    shutil.copytree(ROOT / "data" / "sources", data / "sources")
    ingest.rebuild(data, base_iri=BASE)
    return data


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator:
    from conftest import start_server

    live = start_server(data_dir / "build" / "store", data_dir, {"KOMPETENCJE_ADMIN_TOKEN": TOKEN})
    yield live
    live.stop()


@pytest.fixture()
def client(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def snapshot(client: httpx.Client, data_dir: Path) -> tuple[str, str, dict[str, str]]:
    """Everything a reader can see: the N-Triples dump, a CONSTRUCT of every graph, the source files."""
    dump = client.get("/dumps/kompetencje.nt")
    assert dump.status_code == 200
    construct = client.post("/sparql", data={"query": EVERYTHING}, headers={"Accept": "application/n-triples"})
    assert construct.status_code == 200
    lines = "\n".join(sorted(construct.text.splitlines()))
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((data_dir / "sources").iterdir())}
    return hashlib.sha256(dump.content).hexdigest(), hashlib.sha256(lines.encode()).hexdigest(), files


def poznan_units(client: httpx.Client) -> list[dict]:
    response = client.get("/api/units", params={"municipality": "Poznań"})
    return response.json()["units"] if response.status_code == 200 else []


def ask_poznan(client: httpx.Client) -> bool:
    query = 'ASK { ?u <http://www.w3.org/2004/02/skos/core#notation> "OS-03" }'
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    return response.json()["boolean"]


# --------------------------------------------------------------------------------------------------------
# Names (no server)
# --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "safe"), [
    ("../../x.txt", "x.txt"), ("..%2f..%2fx.txt", "x.txt"), ("..%252fx.txt", "x.txt"),
    ("C:\\tmp\\..\\Referat.HTML", "Referat.html"), ("/etc/passwd.txt", "passwd.txt"),
    ("Wydział Łódź (1).pdf", "Wydzial_Lodz_1.pdf"), (".hidden.md", "hidden.md"),
])
def test_safe_names(raw: str, safe: str) -> None:
    assert ingest.safe_source_name(raw) == safe


@pytest.mark.parametrize("raw", ["x.exe", "x.toml", "noextension", "../..", "", "a..b.txt", "%2e%2e.txt"])
def test_unsafe_names_are_refused(raw: str) -> None:
    with pytest.raises(InputError):
        ingest.safe_source_name(raw)


def test_metadata_fields_make_a_sidecar() -> None:
    table = ingest.metadata_table({"municipality": "Poznań", "teryt": "3064011", "abbreviations": "UMP, MP"},
                                  '{"document": {"kind": "bip-page"}}')
    ingest.check_metadata(table, "x")
    text = ingest.toml_text(table)
    assert 'name = "Poznań"' in text and 'abbreviations = ["UMP", "MP"]' in text and 'kind = "bip-page"' in text
    with pytest.raises(InputError):
        ingest.check_metadata(ingest.metadata_table({"teryt": "12"}, None), "x")


# --------------------------------------------------------------------------------------------------------
# The endpoints
# --------------------------------------------------------------------------------------------------------

def test_no_token_configured_means_no_endpoint(data_dir: Path, tmp_path: Path) -> None:
    from conftest import start_server

    (tmp_path / "data").mkdir()
    live = start_server(data_dir / "build" / "store", tmp_path / "data", {"KOMPETENCJE_ADMIN_TOKEN": ""})
    try:
        files = {"file": ("x.txt", POZNAN_PAGE.encode(), "text/plain")}
        assert httpx.post(live.url + "/api/documents", files=files, headers=AUTH).status_code == 404
        assert httpx.get(live.url + "/api/documents", headers=AUTH).status_code == 404
    finally:
        live.stop()


def test_token_is_required(client: httpx.Client) -> None:
    files = {"file": ("x.txt", POZNAN_PAGE.encode(), "text/plain")}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = client.post("/api/documents", files=files, headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert TOKEN not in response.text
    assert client.get("/api/documents").status_code == 401
    assert client.delete("/api/documents/000_a7a7e54fe18a7d12").status_code == 401


@pytest.mark.parametrize(("name", "content"), [
    ("menu.txt", "Strona główna\nAktualności\nKontakt\nMapa strony\nWstecz\n".encode()),
    ("garbage.txt", bytes(range(256)) * 40),
    ("fake.pdf", b"%PDF-1.4 this is not really a pdf"),
    ("program.exe", b"MZ\x90\x00"),
])
def test_rejected_documents_change_nothing(client: httpx.Client, data_dir: Path, name: str, content: bytes) -> None:
    before = snapshot(client, data_dir)
    response = client.post("/api/documents", files={"file": (name, content, "application/octet-stream")},
                           headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert str(data_dir) not in response.text  # no server paths in the problem
    assert snapshot(client, data_dir) == before


def test_invalid_metadata_changes_nothing(client: httpx.Client, data_dir: Path) -> None:
    before = snapshot(client, data_dir)
    files = {"file": ("poznan.txt", POZNAN_PAGE.encode(), "text/plain")}
    response = client.post("/api/documents", files=files, data={"teryt": "12"}, headers=AUTH)
    assert response.status_code == 422
    assert snapshot(client, data_dir) == before


def test_request_killed_mid_upload_changes_nothing(client: httpx.Client, server, data_dir: Path) -> None:
    before = snapshot(client, data_dir)
    boundary = "kompetencjeboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"half.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n{POZNAN_PAGE}\r\n--{boundary}--\r\n").encode()
    url = urlsplit(server.url)
    with socket.create_connection((url.hostname, url.port)) as raw:
        raw.sendall((f"POST /api/documents HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {TOKEN}\r\n"
                     f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                     f"Content-Length: {len(body)}\r\n\r\n").encode() + body[: len(body) // 2])
        time.sleep(0.3)
    time.sleep(0.5)
    assert snapshot(client, data_dir) == before
    assert not list((data_dir / "build").glob(".work-*"))


def test_upload_appears_at_once_and_delete_removes_it(client: httpx.Client, data_dir: Path) -> None:
    assert poznan_units(client) == [] and not ask_poznan(client)
    files = {"file": ("../../poznan_os03.txt", POZNAN_PAGE.encode(), "text/plain"),
             "metadata": ("poznan_os03.toml", POZNAN_META.encode(), "application/toml")}
    response = client.post("/api/documents", files=files, headers=AUTH)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["id"] == "poznan_os03" and created["counts"]["offices"] >= 1
    assert created["profile"]["meta"]["municipality"] == "Poznań"
    assert (data_dir / "sources" / "poznan_os03.txt").read_text(encoding="utf-8") == POZNAN_PAGE
    assert 'teryt = "3064011"' in (data_dir / "sources" / "poznan_os03.toml").read_text(encoding="utf-8")
    assert not (data_dir / "x.txt").exists() and not (data_dir.parent / "poznan_os03.txt").exists()
    assert "OS-03" in [u["symbol"] for u in poznan_units(client)]
    assert ask_poznan(client)

    listed = client.get("/api/documents", headers=AUTH).json()
    assert listed["generation"] == created["generation"]
    entry = next(d for d in listed["documents"] if d["id"] == "poznan_os03")
    assert entry["metadata"]["municipality"]["name"] == "Poznań" and entry["profile"]["units"] >= 1

    again = client.post("/api/documents", files=files, headers=AUTH)
    assert again.status_code == 409

    deleted = client.delete("/api/documents/poznan_os03", headers=AUTH)
    assert deleted.status_code == 200, deleted.text
    assert poznan_units(client) == [] and not ask_poznan(client)
    assert not (data_dir / "sources" / "poznan_os03.txt").exists()
    assert not (data_dir / "sources" / "poznan_os03.toml").exists()
    assert client.delete("/api/documents/poznan_os03", headers=AUTH).status_code == 404
    assert client.delete("/api/documents/..%2f..%2fetc", headers=AUTH).status_code == 404


def test_cli_layout_follows_the_current_generation(data_dir: Path) -> None:
    build = data_dir / "build"
    current = ingest.current_generation(build)
    assert current is not None and (build / "store").resolve() == (current / "store").resolve()
    assert (build / "report.json").resolve() == (current / "report.json").resolve()


def test_writers_are_serialised(data_dir: Path) -> None:
    with ingest.build_lock(data_dir / "build", 1.0), pytest.raises(ingest.Busy):
        ingest.remove_document(data_dir, "000_a7a7e54fe18a7d12", base_iri=BASE, lock_wait_s=0.2)


def test_admin_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token check goes through hmac.compare_digest (constant time), with the given and the expected
    token, and its verdict decides: replace the comparison and the check follows the replacement."""
    from types import SimpleNamespace

    from pydantic import SecretStr
    from starlette.exceptions import HTTPException

    from kompetencje.api.routers import documents

    calls: list[tuple[bytes, bytes]] = []

    def spy(given: bytes, expected: bytes) -> bool:
        calls.append((given, expected))
        return given == b"right-token"

    monkeypatch.setattr(documents.hmac, "compare_digest", spy)
    settings = SimpleNamespace(admin_token=SecretStr("expected-token"))
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(settings=settings)))
    monkeypatch.setattr(documents, "admin_enabled", lambda _: True)
    with pytest.raises(HTTPException) as refused:
        documents.require_admin(request, "Bearer expected-token-but-wrong")
    assert refused.value.status_code == 401
    documents.require_admin(request, "Bearer right-token")  # the comparison's verdict, not ==, decides
    assert calls == [(b"expected-token-but-wrong", b"expected-token"), (b"right-token", b"expected-token")]
