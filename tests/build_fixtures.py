"""Fixtures that build the seed documents once per test session (import them into a test module)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kompetencje.loaders.pipeline import BuildResult, build

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
BASE = "https://w3id.org/kompetencje/id/"


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory) -> BuildResult:
    """The seeds built as `kompetencje build` builds them, into a temporary data folder."""
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(SOURCES, data / "sources")
    return build(data / "sources", data / "build", base_iri=BASE)


@pytest.fixture(scope="session")
def built_store(seed_build) -> ox.Store:
    return ox.Store.read_only(str(seed_build.out_dir / "store"))


@pytest.fixture(scope="session")
def seed_server(seed_build):
    """A live server (real uvicorn) on the seed build, as `kompetencje serve` runs it."""
    from conftest import start_server

    server = start_server(seed_build.out_dir / "store", seed_build.out_dir.parent)
    yield server
    server.stop()
