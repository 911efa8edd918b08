"""Shared fixtures: test stores built from TriG, and live API servers (uvicorn in a subprocess).

`server_factory` starts a real `uvicorn --loop uvloop --http httptools` on a free loopback port over a
store built in a temporary folder, waits until it answers, and stops it at the end of the session.
`live_server` (and its URL, `rest_server_url`) is the shared one, over tests/fixtures/mini.trig (plus
rest_sample.trig). Keep this file small and additive: it is shared by every API test module.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_TRIG = [FIXTURES / "mini.trig", FIXTURES / "rest_sample.trig"]


def build_store(folder: Path, trig: list[Path] = (), *, named_graphs: dict[str, Path] | None = None,
                materialize_union: bool = False) -> Path:
    """A pyoxigraph store in `folder` from TriG files and N-Triples files loaded as named graphs."""
    store = ox.Store(str(folder))
    for path in trig:
        if path.exists():
            store.bulk_load(path=str(path), format=ox.RdfFormat.TRIG)
    for graph, path in (named_graphs or {}).items():
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    if materialize_union:
        from kompetencje.api.store import materialize_union_default_graph

        materialize_union_default_graph(store)
    store.flush()
    store.optimize()
    del store
    return folder


@dataclass
class LiveServer:
    url: str
    store: Path
    data_dir: Path
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, data_dir: Path, env: dict[str, str] | None = None,
                 ready_path: str = "/.well-known/void", timeout_s: float = 60.0, *, workers: int = 1,
                 own_group: bool = False) -> LiveServer:
    """`workers` > 1 runs uvicorn's supervisor as `kompetencje serve` does; `own_group` starts it in a new
    process group (os.killpg(server.process.pid, ...) then reaches every worker)."""
    port = free_port()
    environment = {**os.environ, "KOMPETENCJE_STORE": str(store), "KOMPETENCJE_DATA_DIR": str(data_dir),
                   "KOMPETENCJE_SPARQL_WORKERS": "2", **(env or {})}
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "kompetencje.api.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
         "--log-level", "warning", *(["--workers", str(workers)] if workers > 1 else [])],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=own_group)
    server = LiveServer(url=f"http://127.0.0.1:{port}", store=store, data_dir=data_dir, process=process)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {(data_dir / 'server.log').read_text()[-3000:]}")
        try:
            if httpx.get(server.url + ready_path, timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"the server did not start: {(data_dir / 'server.log').read_text()[-3000:]}")


ServerFactory = Callable[..., LiveServer]


@pytest.fixture(scope="session")
def server_factory(tmp_path_factory) -> Iterator[ServerFactory]:
    """start(name, trig=[...], named_graphs={iri: nt_path}, materialize_union=False, env={...})."""
    started: list[LiveServer] = []

    def start(name: str, trig: list[Path] = (), *, named_graphs: dict[str, Path] | None = None,
              materialize_union: bool = False, env: dict[str, str] | None = None) -> LiveServer:
        folder = tmp_path_factory.mktemp(name)
        store = build_store(folder / "store", list(trig), named_graphs=named_graphs,
                            materialize_union=materialize_union)
        data = folder / "data"
        data.mkdir()
        server = start_server(store, data, env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def live_server(server_factory: ServerFactory) -> LiveServer:
    """The shared server over the fixture data (the union default graph left to the store's option)."""
    return server_factory("live", SHARED_TRIG)


@pytest.fixture(scope="session")
def rest_server_url(live_server: LiveServer) -> str:
    return live_server.url


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--soak-seconds", type=float, default=None,
                     help="how long tests/test_soak.py holds its load (default: $KOMPETENCJE_SOAK_SECONDS or 15)")
