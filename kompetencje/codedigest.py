"""A digest of the code and package data of some packages: what is cached from their work (a document's
reading, a saved search index) is only as good as the code that made it."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

SUFFIXES = frozenset({".py", ".ttl", ".toml"})


def packages_digest(*packages: str) -> str:
    """SHA-256 over the names and bytes of every .py, .ttl and .toml file of the packages, in a fixed order."""
    digest = hashlib.sha256()
    for package in packages:
        root = Path(str(resources.files(package)))
        for path in sorted(root.rglob("*")):
            if path.suffix in SUFFIXES:
                digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()
