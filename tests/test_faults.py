"""Faults: a server killed mid-ingestion, a full disk and an unwritable build folder during a build.

(a) A live server (uvicorn, 2 workers, in its own process group) is sent an ingestion and SIGKILLed — the
whole group — at a point of the build: when the writer's scratch folder appears, when the staging folder of
the new generation appears, when the store has been dumped into it, when the finished generation folder
appears (that last window is short: if it is missed, the ingestion completes, which is also allowed).
Restarted on the same data folder, the server opens the store and is ready; it serves the previous build or
the complete new one, the search index agrees with the store about the new document; the build lock is free;
and the next ingestion succeeds and clears what the killed writer left behind.

(b) `kompetencje build` in a child process with `RLIMIT_FSIZE` (writes past it fail with EFBIG; SIGXFSZ is
ignored), and with the build folder made read-only (as root, where file modes do not bind, the child also
drops CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH from its capability bounding set, so the modes bind it as they
would bind any user): exit code 3, a message naming the path and the reason, the previous build still
current, and a server started before answers exactly as before. A failed switch (the pointer file cannot be
written: disk full) keeps the previous build current and leaves no new generation behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from kompetencje.errors import StoreError
from kompetencje.loaders import ingest

pytestmark = [pytest.mark.slow, pytest.mark.server]

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/kompetencje/id/"
TOKEN = "faults-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GENERATION = "x-kompetencje-generation"
DOC_ID = "poznan_tr07"
PAGE = """Wydział Transportu

Referat Mobilności Miejskiej
Symbol: TR-07
Adres siedziby: ul. Rynek 1, 60-001 Poznań
Kierownik Referatu: Jan Nowak

Zakres działania:

Do zakresu działania Referatu Mobilności Miejskiej (TR-07) należą sprawy:
1) Prowadzenie ewidencji wypożyczalni hulajnóg elektrycznych w Mieście.
2) Wyznaczanie stref postoju hulajnóg elektrycznych we współpracy z zarządcą dróg.
3) Współpraca z operatorami systemów współdzielonej mobilności.
4) Wykonywanie innych zadań zleconych przez Dyrektora Wydziału.
"""
FIELDS = {"kind": "bip-page", "municipality": "Poznań", "teryt": "3064011", "office": "Urząd Miasta Poznania"}
ASK_DOCUMENT = f"ASK {{ GRAPH <{BASE}graph/{DOC_ID}> {{ ?s ?p ?o }} }}"
FIRST_UNIT = "/api/units/1261011/ks-02"
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def seed_data(folder: Path) -> Path:
    data = folder / "data"
    shutil.copytree(ROOT / "data" / "sources", data / "sources")
    ingest.rebuild(data, base_iri=BASE)
    return data


def serve(data: Path):
    from conftest import start_server

    return start_server(data / "build" / "store", data, {"KOMPETENCJE_ADMIN_TOKEN": TOKEN}, workers=2,
                        own_group=True)


def kill_group(server) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=30)


# --------------------------------------------------------------------------------------------------------
# (a) SIGKILL mid-ingestion
# --------------------------------------------------------------------------------------------------------

def _new_generation(build: Path, before: set[Path]) -> bool:
    return any(g not in before for g in ingest.generations(build))


KILL_POINTS: dict[str, Callable[[Path, set[Path]], bool]] = {
    "scratch": lambda build, _: any(build.glob(".work-*")),
    "staging": lambda build, _: any(build.glob("gen-*.new-*")),
    "dumped": lambda build, _: any(build.glob("gen-*.new-*/dataset.trig")),
    "built": _new_generation,
}
EARLY = {"scratch", "staging", "dumped"}  # the kill surely lands before the switch


def post_document(url: str, outcome: dict) -> None:
    """The ingestion, in a thread: its answer, or the error when the server dies under it."""
    files = {"file": (f"{DOC_ID}.txt", PAGE.encode(), "text/plain")}
    try:
        response = httpx.post(url + "/api/documents", files=files, data={**FIELDS, "replace": "true"},
                              headers=AUTH, timeout=300)
        outcome["status"] = response.status_code
    except httpx.HTTPError as error:
        outcome["error"] = repr(error)


def ingest_and_kill(server, build: Path, point: str, timeout_s: float = 240.0) -> dict:
    """Send the ingestion and SIGKILL the server group as soon as `point` is reached (or it finished)."""
    before, outcome = set(ingest.generations(build)), {}
    sender = threading.Thread(target=post_document, args=(server.url, outcome), daemon=True)
    sender.start()
    deadline = time.monotonic() + timeout_s
    while sender.is_alive() and time.monotonic() < deadline and not KILL_POINTS[point](build, before):
        time.sleep(0.002)
    outcome["killed_at_point"] = sender.is_alive()
    kill_group(server)
    sender.join(timeout=30)
    return outcome


def observe(url: str) -> dict:
    """What a reader sees: the generation, whether the store and the search index have the new document."""
    with httpx.Client(base_url=url, timeout=60) as http:
        ready = [http.get("/ready").status_code for _ in range(4)]
        ask = http.post("/sparql", data={"query": ASK_DOCUMENT}, headers={"Accept": "application/sparql-results+json"})
        search = http.get("/api/competences", params={"q": "hulajnogi elektryczne"})
    assert ask.status_code == 200 and search.status_code == 200, (ask.text, search.text)
    found = any("hulajnóg" in hit["duty"]["text"] for hit in search.json()["results"])
    return {"ready": ready, "generation": ask.headers.get(GENERATION), "in_store": ask.json()["boolean"],
            "in_search": found, "search_generation": search.headers.get(GENERATION)}


def leftovers(build: Path) -> list[str]:
    """Scratch and staging folders, and generations newer than the current one (never made current)."""
    return sorted(p.name for p in [*build.glob(".work-*"), *build.glob("gen-*.new-*"), *ingest.never_current(build)])


@pytest.fixture(scope="module")
def kill_data(tmp_path_factory) -> Path:
    return seed_data(tmp_path_factory.mktemp("faults-kill"))


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_mid_ingestion_leaves_the_old_or_the_new_build(kill_data: Path, point: str) -> None:
    build = kill_data / "build"
    if (kill_data / "sources" / f"{DOC_ID}.txt").exists():  # an earlier kill came too late: start without it
        ingest.remove_document(kill_data, DOC_ID, base_iri=BASE)
    before = ingest.current_generation(build).name
    outcome = ingest_and_kill(serve(kill_data), build, point)
    current = ingest.current_generation(build).name
    restarted = serve(kill_data)
    try:
        seen = observe(restarted.url)
    finally:
        restarted.stop()
    report = f"{point}: {outcome}, CURRENT {before} → {current}, seen {seen}, leftovers {leftovers(build)}"
    print("\nfault:", report)
    assert seen["ready"] == [200] * 4, report
    assert seen["generation"] == seen["search_generation"] == current, report
    assert seen["in_store"] == seen["in_search"] == (current != before), report
    if point in EARLY:
        assert outcome["killed_at_point"] and current == before, report
    with ingest.build_lock(build, 0.0):  # no lock left behind: taken at once
        pass


def test_the_next_ingestion_succeeds_and_clears_what_a_killed_one_left(tmp_path: Path) -> None:
    data = seed_data(tmp_path)
    build = data / "build"
    outcome = ingest_and_kill(serve(data), build, "dumped")
    assert outcome["killed_at_point"] and leftovers(build), (outcome, leftovers(build))
    server = serve(data)
    try:
        response = httpx.post(server.url + "/api/documents", files={"file": (f"{DOC_ID}.txt", PAGE.encode())},
                              data={**FIELDS, "replace": "true"}, headers=AUTH, timeout=300)
        assert response.status_code == 201, response.text
        seen = observe(server.url)  # at once, from either worker
    finally:
        server.stop()
    assert seen["in_store"] and seen["in_search"] and seen["generation"] == response.json()["generation"], seen
    assert leftovers(build) == [], leftovers(build)


# --------------------------------------------------------------------------------------------------------
# (b) A full disk, an unwritable build folder, a failed switch
# --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def disk_data(tmp_path_factory) -> Path:
    return seed_data(tmp_path_factory.mktemp("faults-disk"))


@pytest.fixture(scope="module")
def disk_server(disk_data: Path) -> Iterator:
    from conftest import start_server

    live = start_server(disk_data / "build" / "store", disk_data)
    yield live
    live.stop()


def file_size_limit(limit: int) -> Callable[[], None]:
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


def without_dac_override() -> None:
    """As root, drop the capabilities that let root write through file modes (before exec, for the child)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_build(data: Path, preexec: Callable[[], None]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "kompetencje.cli", "build", "--data", str(data)]
    return subprocess.run(command, cwd=ROOT, preexec_fn=preexec, capture_output=True, text=True, timeout=600)


def served(url: str) -> tuple[str | None, str]:
    response = httpx.get(url + FIRST_UNIT, timeout=60)
    assert response.status_code == 200
    return response.headers.get(GENERATION), response.text


def entries(build: Path) -> list[str]:
    return sorted(p.name for p in build.iterdir() if p.name != ingest.LOCK)


def assert_nothing_changed(data: Path, server, before: tuple[str, list[str], tuple]) -> None:
    build = data / "build"
    current, names, answer = before
    assert ingest.current_generation(build).name == current
    assert entries(build) == names  # no new generation, staging or scratch
    assert (build / "store").resolve() == (build / current / "store").resolve()
    assert served(server.url) == answer


def state(data: Path, server) -> tuple[str, list[str], tuple]:
    build = data / "build"
    return ingest.current_generation(build).name, entries(build), served(server.url)


def test_full_disk_during_build_is_a_store_error_and_keeps_the_build(disk_data: Path, disk_server) -> None:
    before = state(disk_data, disk_server)
    result = run_build(disk_data, file_size_limit(1_000_000))
    assert result.returncode == 3, result.stderr[-3000:]
    assert "File too large" in result.stderr and str(disk_data / "build") in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert_nothing_changed(disk_data, disk_server, before)


def probe_unwritable(folder: Path) -> str | None:
    """None when a child with `without_dac_override` cannot write into the read-only `folder`; else why not."""
    probe = [sys.executable, "-c", f"open({str(folder / 'probe')!r}, 'w')"]
    try:
        result = subprocess.run(probe, preexec_fn=without_dac_override, capture_output=True, text=True, timeout=60)
    except subprocess.SubprocessError as error:  # the preexec function failed: no capability to drop
        return f"cannot drop CAP_DAC_OVERRIDE as root: {error}"
    if result.returncode == 0:
        (folder / "probe").unlink()
        return "a read-only folder does not stop writes here (root with CAP_DAC_OVERRIDE)"
    return None


@pytest.mark.parametrize("lock_exists", [True, False])
def test_unwritable_build_folder_is_a_store_error_and_keeps_the_build(disk_data: Path, disk_server,
                                                                      lock_exists: bool) -> None:
    build = disk_data / "build"
    if not lock_exists:
        (build / ingest.LOCK).unlink(missing_ok=True)
    before = state(disk_data, disk_server)
    build.chmod(0o555)
    try:
        if (why := probe_unwritable(build)) is not None:
            pytest.skip(why)
        result = run_build(disk_data, without_dac_override)
    finally:
        build.chmod(0o755)
    assert result.returncode == 3, result.stderr[-3000:]
    assert "Permission denied" in result.stderr and str(build) in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert_nothing_changed(disk_data, disk_server, before)


def test_a_failed_switch_keeps_the_previous_build(disk_data: Path, disk_server,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    before = state(disk_data, disk_server)

    def disk_full(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(ingest, "_atomic_write", disk_full)
    with pytest.raises(StoreError, match="No space left on device"):
        ingest.rebuild(disk_data, base_iri=BASE)
    assert_nothing_changed(disk_data, disk_server, before)
