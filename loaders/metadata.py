"""Metadata sidecars: `NAME.toml` beside `NAME.txt|html|pdf|docx` says what the text does not.

[document]      kind, title, url, retrieved, received, priority
[municipality]  name, teryt, office, abbreviations
Every key is optional; a source without a sidecar is read from its text alone.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from kompetencje.errors import InputError
from kompetencje.loaders.model import SourceMeta

SIDECAR_SUFFIX = ".toml"
DOCUMENT_KEYS = {"kind", "title", "url", "retrieved", "received", "priority"}
MUNICIPALITY_KEYS = {"name", "teryt", "office", "abbreviations"}
TERYT_PATTERN = re.compile(r"^\d{7}$")


def sidecar_path(source: Path) -> Path:
    return source.with_suffix(SIDECAR_SUFFIX)


def read_metadata(source: Path) -> SourceMeta:
    """SourceMeta for a source file, from its sidecar when there is one."""
    meta = SourceMeta(doc_id=source.stem, path=str(source))
    sidecar = sidecar_path(source)
    if not sidecar.exists():
        return meta
    try:
        table = tomllib.loads(sidecar.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"metadata is not valid TOML: {exc}", source=str(sidecar)) from exc
    return apply_sidecar(meta, table, str(sidecar))


def apply_sidecar(meta: SourceMeta, table: dict, where: str) -> SourceMeta:
    document = _section(table, "document", DOCUMENT_KEYS, where)
    municipality = _section(table, "municipality", MUNICIPALITY_KEYS, where)
    meta.has_sidecar = True
    meta.kind = _text(document, "kind", where)
    meta.title = _text(document, "title", where)
    meta.url = _text(document, "url", where)
    meta.retrieved = _date(document, "retrieved", where)
    meta.received = _date(document, "received", where)
    meta.priority = int(document.get("priority", 0))
    meta.municipality = _text(municipality, "name", where)
    meta.teryt = _text(municipality, "teryt", where)
    meta.office_name = _text(municipality, "office", where)
    meta.abbreviations = [str(a) for a in municipality.get("abbreviations", [])]
    if meta.teryt and not TERYT_PATTERN.match(meta.teryt):
        raise InputError(f"teryt must be the 7-digit TERC gmina code, got {meta.teryt!r}",
                         source=where, field_name="municipality.teryt")
    return meta


def _section(table: dict, name: str, allowed: set[str], where: str) -> dict:
    section = table.get(name, {})
    if not isinstance(section, dict):
        raise InputError(f"[{name}] must be a table", source=where, field_name=name)
    unknown = set(section) - allowed
    if unknown:
        raise InputError(f"unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}",
                         source=where, field_name=name)
    return section


def _text(section: dict, key: str, where: str) -> str | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError("must be a non-empty string", source=where, field_name=key)
    return value.strip()


def _date(section: dict, key: str, where: str) -> date | None:
    value = section.get(key)
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(f"not a date (YYYY-MM-DD): {value!r}", source=where, field_name=key) from exc
