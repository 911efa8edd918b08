"""Load and soak: 32 concurrent clients on a live server (real uvicorn with 2 workers, as `kompetencje serve`
runs it) over a data folder with the seed sources, while an ingestion replaces one document with a changed
version.

How long: `pytest tests/test_soak.py --soak-seconds 60`, or `KOMPETENCJE_SOAK_SECONDS=60`; the default is 15 s
(what CI runs). The load runs at least that long, and until the changed build has been served for
`SETTLE_S` more.

The mixed workload: competence search, a department's detail, a unit's reporting chain, a SPARQL SELECT, and
the Turtle dump with conditional GET (If-None-Match after the first fetch). The SPARQL queue is sized to the
number of clients, so a 503 from SPARQL admission cannot be a sizing artefact: it counts as an error.

Asserted:
- no error: no connection error, no 5xx, no status but 200 (and 304 for a conditional dump GET);
- a bounded p99 latency: under 3 s (`KOMPETENCJE_SOAK_P99_S`), generous for a 2-core box shared with other
  work; it catches a build or a reload that blocks the workers (the ingestion takes ~10-30 s);
- consistency: every answer that shows the changed duty shows the old text or the new one, never both, and the
  one of the build generation its `X-Kompetencje-Generation` header names; a 304 only for the ETag sent; one
  dump ETag per generation.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kompetencje.loaders import ingest

pytestmark = [pytest.mark.slow, pytest.mark.server]

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/kompetencje/id/"
TOKEN = "soak-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GENERATION = "x-kompetencje-generation"
CLIENTS = 32
P99_LIMIT_S = float(os.environ.get("KOMPETENCJE_SOAK_P99_S", "3.0"))  # measured ~1.8-2.1 s on a busy 2-core box
INGEST_AFTER_S = 2.0  # the replacement is sent this long after the load started
SETTLE_S = 3.0  # the load goes on this long after the ingestion answered
DEFAULT_SECONDS = 15.0

DOC_ID = "003_ed7efbf3da41e4f4"  # Świętochłowice, Kancelaria Prezydenta Miasta: one duty's text changes
OLD_DUTY = "Monitoring wybranych tytułów prasowych"
NEW_DUTY = "Monitoring wybranych podcastów internetowych"
DEPARTMENT = "2476011/kancelaria-prezydenta-miasta"
UNIT = DEPARTMENT + "/biuro-prasowe"
SEARCH = {"q": "monitoring wybranych", "municipality": "Świętochłowice"}
SPARQL_DUTIES = """PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?duty ?text WHERE { ?duty dct:description ?text FILTER(STRSTARTS(STR(?text), "Monitoring wybranych")) }"""
SPARQL_JSON = {"Accept": "application/sparql-results+json"}


@dataclass
class Sample:
    kind: str
    status: int  # 0: no response (connection error, timeout)
    seconds: float
    at: float  # time.monotonic() when it was sent
    generation: str | None = None
    state: str | None = None  # "old", "new", "both" or "neither" for answers that show the changed duty
    etag: str | None = None
    sent_etag: str | None = None
    error: str = ""


@dataclass
class Client:
    http: httpx.AsyncClient
    etag: str | None = None  # of the last dump it received


Answer = tuple[httpx.Response, str | None]


# --------------------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("soak") / "data"
    shutil.copytree(ROOT / "data" / "sources", data / "sources")
    ingest.rebuild(data, base_iri=BASE)
    return data


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator:
    from conftest import start_server

    env = {"KOMPETENCJE_ADMIN_TOKEN": TOKEN, "KOMPETENCJE_SPARQL_QUEUE": str(CLIENTS)}
    live = start_server(data_dir / "build" / "store", data_dir, env, workers=2)
    yield live
    live.stop()


@pytest.fixture()
def soak_seconds(request: pytest.FixtureRequest) -> float:
    option = request.config.getoption("--soak-seconds")
    return float(option or os.environ.get("KOMPETENCJE_SOAK_SECONDS") or DEFAULT_SECONDS)


# --------------------------------------------------------------------------------------------------------
# The workload
# --------------------------------------------------------------------------------------------------------

def state_of(text: str) -> str:
    old, new = OLD_DUTY in text, NEW_DUTY in text
    return "both" if old and new else "old" if old else "new" if new else "neither"


def json_state(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return None
    return state_of(json.dumps(response.json(), ensure_ascii=False))


async def search(client: Client) -> Answer:
    response = await client.http.get("/api/competences", params=SEARCH)
    return response, json_state(response)


async def department(client: Client) -> Answer:
    response = await client.http.get(f"/api/units/{DEPARTMENT}")
    return response, json_state(response)


async def chain(client: Client) -> Answer:
    return await client.http.get(f"/api/units/{UNIT}/chain"), None


async def sparql(client: Client) -> Answer:
    response = await client.http.post("/sparql", data={"query": SPARQL_DUTIES}, headers=SPARQL_JSON)
    return response, json_state(response)


async def dump(client: Client) -> Answer:
    headers = {"If-None-Match": client.etag} if client.etag else {}
    response = await client.http.get("/dumps/kompetencje.ttl", headers=headers)
    if response.status_code != 200:
        return response, None
    client.etag = response.headers.get("etag")
    return response, state_of(response.text)


WORKLOAD: dict[str, Callable[[Client], Awaitable[Answer]]] = {
    "search": search, "department": department, "chain": chain, "sparql": sparql, "dump": dump}
EXPECTED = {"dump": {200, 304}}


async def run_one(kind: str, client: Client) -> Sample:
    sent = client.etag if kind == "dump" else None
    started = time.monotonic()
    try:
        response, state = await WORKLOAD[kind](client)
    except httpx.HTTPError as error:
        return Sample(kind, 0, time.monotonic() - started, started, error=repr(error), sent_etag=sent)
    return Sample(kind, response.status_code, time.monotonic() - started, started,
                  response.headers.get(GENERATION), state, response.headers.get("etag"), sent)


async def user(index: int, url: str, stop: asyncio.Event, samples: list[Sample]) -> None:
    kinds = list(WORKLOAD)
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        client = Client(http)
        turn = index
        while not stop.is_set():
            samples.append(await run_one(kinds[turn % len(kinds)], client))
            turn += 1


def changed_upload() -> dict[str, tuple[str, bytes, str]]:
    source = ROOT / "data" / "sources" / f"{DOC_ID}.txt"
    text = source.read_text(encoding="utf-8")
    assert text.count(OLD_DUTY) == 1
    sidecar = source.with_suffix(".toml").read_bytes()
    return {"file": (source.name, text.replace(OLD_DUTY, NEW_DUTY).encode(), "text/plain"),
            "metadata": (f"{DOC_ID}.toml", sidecar, "application/toml")}


@dataclass
class Run:
    samples: list[Sample]
    created: dict  # the ingestion's answer
    started: float
    ingest_window: tuple[float, float]  # when the ingestion was sent and answered (time.monotonic())
    elapsed: float


async def replace_document(url: str) -> tuple[dict, tuple[float, float]]:
    await asyncio.sleep(INGEST_AFTER_S)
    sent = time.monotonic()
    async with httpx.AsyncClient(base_url=url, timeout=600) as http:
        response = await http.post("/api/documents", files=changed_upload(), data={"replace": "true"},
                                   headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json(), (sent, time.monotonic())


async def warm_up(url: str, rounds: int = 3, width: int = 4) -> None:
    """A few requests of each kind first (not measured): a fresh worker loads its analyser, pools and dumps."""
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        for _ in range(rounds):
            await asyncio.gather(*(run_one(kind, Client(http)) for kind in WORKLOAD for _ in range(width)))


async def soak(url: str, seconds: float) -> Run:
    """Hold the load for `seconds` (and `SETTLE_S` past the ingestion), after a warm-up."""
    await warm_up(url)
    stop, samples = asyncio.Event(), []
    started = time.monotonic()
    users = [asyncio.create_task(user(i, url, stop, samples)) for i in range(CLIENTS)]
    try:
        created, window = await replace_document(url)
        await asyncio.sleep(max(SETTLE_S, started + seconds - time.monotonic()))
    finally:
        stop.set()
        await asyncio.gather(*users)
    return Run(samples, created, started, window, time.monotonic() - started)


# --------------------------------------------------------------------------------------------------------
# Judging the samples
# --------------------------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def errors(samples: list[Sample]) -> list[Sample]:
    return [s for s in samples if s.status not in EXPECTED.get(s.kind, {200})]


def inconsistencies(samples: list[Sample], states: dict[str, str]) -> list[Sample]:
    """Answers from an unknown generation, showing another state than their generation's, or a wrong 304."""
    return [s for s in samples if s.status in (200, 304) and not consistent(s, states)]


def consistent(sample: Sample, states: dict[str, str]) -> bool:
    if sample.generation not in states:
        return False
    if sample.status == 304:
        return sample.etag == sample.sent_etag
    return sample.state is None or sample.state == states[sample.generation]


def dump_etags(samples: list[Sample]) -> dict[str, set[str | None]]:
    """Each dump ETag → the generations that answered with it."""
    found: dict[str, set[str | None]] = defaultdict(set)
    for s in samples:
        if s.kind == "dump" and s.etag:
            found[s.etag].add(s.generation)
    return dict(found)


def latency(samples: list[Sample]) -> str:
    if not samples:
        return "no requests"
    values = [s.seconds for s in samples]
    return (f"{len(samples)} requests, p50 {percentile(values, 0.5):.3f} s, p95 {percentile(values, 0.95):.3f} s, "
            f"p99 {percentile(values, 0.99):.3f} s, max {max(values):.3f} s")


def summary(run: Run) -> str:
    samples, (sent, answered) = run.samples, run.ingest_window
    phases = {"before the ingestion": [s for s in samples if s.at < sent],
              f"during it ({answered - sent:.1f} s)": [s for s in samples if sent <= s.at < answered],
              "after it": [s for s in samples if s.at >= answered]}
    by_kind = {kind: percentile([s.seconds for s in samples if s.kind == kind], 0.99) for kind in WORKLOAD}
    return (f"{CLIENTS} clients for {run.elapsed:.1f} s ({len(samples) / run.elapsed:.0f} requests/s): "
            f"{latency(samples)}; " + "; ".join(f"{k}: {latency(v)}" for k, v in phases.items())
            + "; p99 by kind " + ", ".join(f"{k} {v:.3f} s" for k, v in by_kind.items())
            + f"; answers by generation {dict(Counter(s.generation for s in samples))}"
            + f"; statuses {dict(Counter(s.status for s in samples))}")


# --------------------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------------------

def test_soak_with_a_document_replaced_mid_run(server, data_dir: Path, soak_seconds: float) -> None:
    old = ingest.current_generation(data_dir / "build").name
    run = asyncio.run(soak(server.url, soak_seconds))
    samples, new = run.samples, run.created["generation"]
    report = summary(run)
    print("\nsoak:", report)

    failed = errors(samples)
    assert not failed, f"{len(failed)} errors, e.g. {failed[:5]}; {report}"
    mixed = inconsistencies(samples, {old: "old", new: "new"})
    assert not mixed, f"{len(mixed)} inconsistent answers, e.g. {mixed[:5]}; {report}"
    seen = Counter(s.generation for s in samples)
    assert seen[old] > 0 and seen[new] > 0, f"the load did not span the change; {report}"
    etags = dump_etags(samples)
    assert all(len(g) == 1 for g in etags.values()) and len(etags) == len({s.generation for s in samples
                                                                            if s.kind == "dump"}), etags
    assert percentile([s.seconds for s in samples], 0.99) < P99_LIMIT_S, report
    assert_every_worker_serves(server.url, new)


def assert_every_worker_serves(url: str, generation: str) -> None:
    """After the change, every answer (whichever worker gives it) comes from the new build and is ready."""
    with httpx.Client(base_url=url, timeout=30) as http:
        answers = [http.get(f"/api/units/{DEPARTMENT}") for _ in range(20)]
        assert http.get("/ready").status_code == 200
    assert {a.headers.get(GENERATION) for a in answers} == {generation}
    assert {json_state(a) for a in answers} == {"new"}
