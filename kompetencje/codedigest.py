"""A digest of the code and package data of some packages: what is cached from their work (a document's
reading, a saved search index) is only as good as the code that made it."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

SUFFIXES = frozenset({".py", ".ttl", ".toml"})


def packages_digest(*packages: str) -> str:
    """SHA-256 over the names and bytes of every .py, .ttl and .toml file of the packages (or of a module's
    one file), in a fixed order."""
    digest = hashlib.sha256()
    for package in packages:
        for path in _files(package):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _files(name: str) -> list[Path]:
    spec = importlib.util.find_spec(name)
    if spec is None or (spec.origin is None and not spec.submodule_search_locations):
        raise ModuleNotFoundError(name)
    if not spec.submodule_search_locations:
        return [Path(spec.origin)]
    roots = [Path(location) for location in spec.submodule_search_locations]
    return [path for root in roots for path in sorted(root.rglob("*")) if path.suffix in SUFFIXES]
