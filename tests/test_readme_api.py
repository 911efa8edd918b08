"""The README's HTTP API table names only paths the app serves (the docs stay honest)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from kompetencje.api.app import create_app
from kompetencje.api.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_api_paths() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## HTTP API", 1)[1].split("\n## ", 1)[0]
    cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return [path.split("?")[0] for cell in cells for path in re.findall(r"`([^`]+)`", cell)]


def test_every_path_in_the_readme_is_served() -> None:
    """Each path asked of the app without a store: a served path answers (503 for want of the store, or its
    page), an unknown one 404."""
    app = create_app(Settings(admin_token="x" * 32, store="/nonexistent/store"))
    paths = readme_api_paths()
    assert len(paths) >= 15
    client = TestClient(app, raise_server_exceptions=False)  # not entered: the lifespan never opens a store
    for path in [*paths, "/api/no-such-thing"]:
        concrete = re.sub(r"\{[^}]*\}|…", "x", path).replace("/id/x", "/id/1261011/ks-05")
        status = client.get(concrete, params={"q": "x", "a": "x", "b": "x"}).status_code
        assert (status != 404) == (path != "/api/no-such-thing"), (path, status)
