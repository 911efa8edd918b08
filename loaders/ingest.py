"""Ingestion: add or remove one source document and rebuild, as an immutable build generation.

Layout of `data/build/` once generations are in use:

    CURRENT               the current generation's name ("gen-000007"), written by temp file + os.replace
    gen-000006/           the previous generation (kept for requests still running on it)
    gen-000007/           store/, dataset.trig, report.json (and search/ when the build writes it)
    store -> gen-000007/store, report.json -> ..., dataset.trig -> ...   symlinks, for the CLI
    .lock                 fcntl.flock: one writer at a time (ingestion, removal, rebuild)
    .work-*/              a writer's scratch: the upload and a linked copy of the sources

A writer takes the lock, builds every source (plus the upload, minus a removed document) from a scratch copy
into a new `gen-<n>/` with `pipeline.build`, and only when that succeeded moves the upload into (or the
removed document out of) `data/sources/` and swaps CURRENT. A failed build leaves `data/sources/` and the
current generation exactly as they were. Readers (the API) watch CURRENT and reopen; old generations are
deleted once two newer ones exist and they have been retired for a grace period.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import time
import tomllib
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from kompetencje.errors import InputError, KompetencjeError, StoreError
from kompetencje.loaders.metadata import DOCUMENT_KEYS, SIDECAR_SUFFIX, apply_sidecar
from kompetencje.loaders.model import SourceMeta
from kompetencje.loaders.pipeline import SOURCE_SUFFIXES, BuildResult, Progress, build, discover_sources

POINTER = "CURRENT"
LOCK = ".lock"
GEN_PREFIX = "gen-"
RETIRED_MARK = ".retired"
LINKED = ("store", "report.json", "dataset.trig", "search", "dumps")
KEEP_GENERATIONS = 2
GRACE_S = 60.0
MAX_NAME = 100
_GEN_PATTERN = re.compile(r"^gen-(\d{6,})$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")
# Form fields of an upload → (sidecar table, key)
FIELD_KEYS = {**{key: ("document", key) for key in DOCUMENT_KEYS},
              "municipality": ("municipality", "name"), "name": ("municipality", "name"),
              "teryt": ("municipality", "teryt"), "office": ("municipality", "office"),
              "abbreviations": ("municipality", "abbreviations")}


class Busy(KompetencjeError):
    """Another writer holds the build lock."""

    http_status = 409
    title = "Build in progress"


class Conflict(KompetencjeError):
    http_status = 409
    title = "Conflict"


class UnknownDocument(KompetencjeError):
    http_status = 404
    title = "Not found"


@dataclass
class Upload:
    name: str  # as the client sent it; made safe by `safe_source_name`
    content: bytes
    metadata: dict[str, Any] = field(default_factory=dict)  # a sidecar table ({} = no sidecar)


@dataclass
class Outcome:
    doc_id: str
    generation: str
    result: BuildResult


# --------------------------------------------------------------------------------------------------------
# Names and metadata
# --------------------------------------------------------------------------------------------------------

def safe_source_name(raw: str) -> str:
    """A safe file name for an upload: no directories, only [A-Za-z0-9._-], a readable format's extension."""
    name = unquote(unquote(raw or "")).replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    name = _UNSAFE.sub("_", name.encode("ascii", "ignore").decode("ascii")).lstrip("._-")
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        raise InputError(f"the file name {raw!r} has no extension; allowed: {sorted(SOURCE_SUFFIXES)}",
                         field_name="file")
    suffix = "." + suffix.lower()
    if suffix not in SOURCE_SUFFIXES:
        raise InputError(f"{suffix!r} is not a readable format; allowed: {sorted(SOURCE_SUFFIXES)}",
                         field_name="file")
    stem = stem[: MAX_NAME - len(suffix)].rstrip("._-")
    if not stem or ".." in stem:
        raise InputError(f"the file name {raw!r} is not acceptable", field_name="file")
    return stem + suffix


def check_doc_id(doc_id: str) -> str:
    if not _ID_PATTERN.match(doc_id) or ".." in doc_id:
        raise UnknownDocument(f"no document {doc_id!r}")
    return doc_id


def metadata_table(fields: dict[str, str], text: str | None) -> dict[str, Any]:
    """The sidecar table of an upload: a `metadata` part (TOML or JSON) and/or single form fields."""
    table: dict[str, Any] = parse_metadata_text(text) if text and text.strip() else {}
    for name, value in fields.items():
        if value is None or value == "":
            continue
        section, key = FIELD_KEYS[name]
        table.setdefault(section, {})[key] = _field_value(key, value)
    return table


def parse_metadata_text(text: str) -> dict[str, Any]:
    stripped = text.strip()
    try:
        table = json.loads(stripped) if stripped.startswith("{") else tomllib.loads(stripped)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"metadata is neither valid TOML nor JSON: {error}", field_name="metadata") from None
    if not isinstance(table, dict):
        raise InputError("metadata must be a table", field_name="metadata")
    return table


def _field_value(key: str, value: str) -> Any:
    if key == "abbreviations":
        return [part.strip() for part in value.split(",") if part.strip()]
    if key == "priority":
        try:
            return int(value)
        except ValueError:
            raise InputError(f"not an integer: {value!r}", field_name=key) from None
    return value.strip()


def check_metadata(table: dict[str, Any], doc_id: str) -> None:
    """InputError now (before any build) when the table would not be a valid sidecar."""
    unknown = set(table) - {"document", "municipality"}
    if unknown:
        raise InputError(f"unknown metadata table(s) {sorted(unknown)}", field_name="metadata")
    try:
        apply_sidecar(SourceMeta(doc_id=doc_id, path=doc_id), table, "metadata")
    except (TypeError, ValueError) as error:
        raise InputError(f"invalid metadata: {error}", field_name="metadata") from None


def toml_text(table: dict[str, Any]) -> str:
    """A sidecar's text (the two flat tables metadata.py reads: strings, integers, dates, string lists)."""
    lines = ["# Written by the ingestion endpoint."]
    for section in ("document", "municipality"):
        values = table.get(section) or {}
        if values:
            lines.append(f"[{section}]")
            lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


# --------------------------------------------------------------------------------------------------------
# The lock and the generations
# --------------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def build_lock(build_dir: Path, wait_s: float) -> Iterator[None]:
    """Hold `build_dir/.lock` exclusively (waiting at most `wait_s`), or raise Busy (StoreError when the lock
    file cannot be opened). The kernel releases the lock when its holder dies, even by SIGKILL."""
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        handle = (build_dir / LOCK).open("a+b")
    except OSError as error:
        raise StoreError(f"cannot take the build lock: {error}", source=str(build_dir / LOCK)) from error
    with handle:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy("another document is being ingested; try again shortly") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def current_generation(build_dir: Path) -> Path | None:
    """The folder CURRENT names, or None when there is no pointer (a flat build or none)."""
    try:
        name = (build_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not _GEN_PATTERN.match(name):
        raise StoreError(f"{build_dir / POINTER} names {name!r}, not a generation")
    return build_dir / name


def current_build(build_dir: Path) -> Path:
    """Where the current build's files are: the current generation, else the flat `data/build`."""
    return current_generation(build_dir) or build_dir


def generations(build_dir: Path) -> list[Path]:
    """Every finished generation, oldest first."""
    if not build_dir.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in build_dir.iterdir()
             if (m := _GEN_PATTERN.match(p.name)) and p.is_dir()]
    return [p for _, p in sorted(found)]


def next_generation(build_dir: Path) -> Path:
    numbers = [_number(p) for p in generations(build_dir)]
    return build_dir / f"{GEN_PREFIX}{max(numbers, default=0) + 1:06d}"


def switch_to(build_dir: Path, generation: Path) -> None:
    """Make `generation` current: the CLI's symlinks first, then the pointer (atomic), then retire the old."""
    previous = current_generation(build_dir)
    link_files(build_dir, generation)
    _atomic_write(build_dir / POINTER, generation.name + "\n")
    if previous is not None and previous != generation:
        _mark_retired(previous)


def link_files(build_dir: Path, generation: Path) -> None:
    """Point the CLI's symlinks (`store`, `report.json`, ...) at `generation`'s files."""
    for name in LINKED:
        if (generation / name).exists():
            _replace_symlink(build_dir / name, Path(generation.name) / name)
        elif (build_dir / name).is_symlink():
            (build_dir / name).unlink()


def _mark_retired(generation: Path) -> None:
    """Start a replaced generation's grace period (best effort: prune marks what this could not)."""
    with contextlib.suppress(OSError):
        if generation.is_dir() and not (generation / RETIRED_MARK).exists():
            (generation / RETIRED_MARK).write_text(datetime.now(UTC).isoformat(), encoding="utf-8")


def _replace_symlink(link: Path, target: Path) -> None:
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex}")
    temporary.symlink_to(target)
    os.replace(temporary, link)


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def prune(build_dir: Path, *, keep: int = KEEP_GENERATIONS, grace_s: float = GRACE_S,
          own_scratch: Path | None = None) -> list[Path]:
    """Delete generations older than the last `keep` once retired for `grace_s`, and what writers that died
    (SIGKILL, power loss) left behind. Only writers call this, holding the build lock, so every scratch folder
    but the caller's (`own_scratch`), every staging folder and every generation newer than the current one
    (never made current) is such a leftover."""
    current = current_generation(build_dir)
    removed = []
    for old in generations(build_dir)[:-keep]:
        mark = old / RETIRED_MARK
        if old != current and not mark.exists():
            _mark_retired(old)  # replaced, but its mark was never written
        elif old != current and time.time() - mark.stat().st_mtime >= grace_s:
            removed.append(old)
    for folder in [*build_dir.glob(".work-*"), *build_dir.glob(f"{GEN_PREFIX}*.new-*"), *never_current(build_dir)]:
        if folder != own_scratch:
            removed.append(folder)
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


def never_current(build_dir: Path) -> list[Path]:
    """Finished generations newer than the current one: their writer died before switching to them."""
    current = current_generation(build_dir)
    if current is None:
        return []
    return [g for g in generations(build_dir)
            if _number(g) > _number(current) and not (g / RETIRED_MARK).exists()]


def _number(generation: Path) -> int:
    return int(_GEN_PATTERN.match(generation.name).group(1))


def adopt_flat_build(build_dir: Path) -> None:
    """Turn a flat build (what `kompetencje build` writes) into generation gen-000000 with its symlinks."""
    store = build_dir / "store"
    if current_generation(build_dir) is not None or not store.is_dir() or store.is_symlink():
        return
    generation = build_dir / f"{GEN_PREFIX}{0:06d}"
    generation.mkdir(exist_ok=True)
    for name in LINKED:
        item = build_dir / name
        if item.exists() and not item.is_symlink():
            item.rename(generation / name)
    switch_to(build_dir, generation)


# --------------------------------------------------------------------------------------------------------
# Writers: build a new generation from the sources as they would be
# --------------------------------------------------------------------------------------------------------

def scratch_sources(sources: Path, scratch: Path, *, without: set[Path] = frozenset()) -> Path:
    """A copy of `sources` (hard links where possible) in `scratch/sources`, leaving out `without`."""
    target = scratch / "sources"
    target.mkdir(parents=True)
    if not sources.is_dir():
        return target
    for path in sorted(sources.rglob("*")):
        if not path.is_file() or path in without:
            continue
        copy = target / path.relative_to(sources)
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, copy)
        except OSError:
            shutil.copy2(path, copy)
    return target


def build_generation(build_dir: Path, sources: Path, *, base_iri: str, keep_going: bool,
                     progress: Progress | None = None, full: bool = False) -> tuple[Path, BuildResult]:
    """A new generation folder built from `sources` (the current generation patched where it can be, see
    loaders/increment.py; with `full`, built whole); nothing is left behind when the build fails."""
    generation = next_generation(build_dir)
    previous = None if full else current_generation(build_dir)
    try:
        return generation, build(sources, generation, base_iri=base_iri, keep_going=keep_going, progress=progress,
                                 cache_dir=build_dir / "cache" / "documents", previous=previous)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise


def ingest(data_dir: Path, upload: Upload, *, base_iri: str, replace: bool = False,
           lock_wait_s: float = 30.0) -> Outcome:
    """Add (or with `replace`, update) one source document; on any failure nothing changes."""
    name = safe_source_name(upload.name)
    doc_id = Path(name).stem
    if upload.metadata:
        check_metadata(upload.metadata, doc_id)
    sources, build_dir = data_dir / "sources", data_dir / "build"
    with build_lock(build_dir, lock_wait_s), _scratch(build_dir) as scratch:
        existing = [p for p in _documents(sources) if p.stem == doc_id]
        if existing and not replace:
            raise Conflict(f"a document {doc_id!r} exists already ({existing[0].name}); send replace=true to "
                           "replace it", field_name="file")
        replaced = set(existing) | {_sidecar(p) for p in existing}
        shadow = scratch_sources(sources, scratch, without=replaced)
        new_files = _write_upload(shadow, name, upload)
        generation, result = build_generation(build_dir, shadow, base_iri=base_iri, keep_going=True)
        with publishing(build_dir, generation):
            _check_loaded(result, doc_id, shadow / name)
            _commit_files(sources, new_files, replaced, scratch)
            adopt_flat_build(build_dir)
            switch_to(build_dir, generation)
        prune(build_dir, own_scratch=scratch)
    return Outcome(doc_id, generation.name, result)


def remove_document(data_dir: Path, doc_id: str, *, base_iri: str, lock_wait_s: float = 30.0) -> Outcome:
    """Remove a source (and its sidecar) and rebuild without it; on any failure nothing changes."""
    check_doc_id(doc_id)
    sources, build_dir = data_dir / "sources", data_dir / "build"
    with build_lock(build_dir, lock_wait_s), _scratch(build_dir) as scratch:
        existing = [p for p in _documents(sources) if p.stem == doc_id]
        if not existing:
            raise UnknownDocument(f"no document {doc_id!r}")
        removed = set(existing) | {_sidecar(p) for p in existing if _sidecar(p).exists()}
        shadow = scratch_sources(sources, scratch, without=removed)
        generation, result = build_generation(build_dir, shadow, base_iri=base_iri, keep_going=True)
        with publishing(build_dir, generation):
            _commit_files(sources, [], removed, scratch)
            adopt_flat_build(build_dir)
            switch_to(build_dir, generation)
        prune(build_dir, own_scratch=scratch)
    return Outcome(doc_id, generation.name, result)


def rebuild(data_dir: Path, *, base_iri: str, keep_going: bool = False, lock_wait_s: float = 600.0,
            progress: Progress | None = None, full: bool = False) -> Outcome:
    """Build every source into a new generation and swap it in (`kompetencje build`)."""
    build_dir = data_dir / "build"
    with build_lock(build_dir, lock_wait_s):
        generation, result = build_generation(build_dir, data_dir / "sources", base_iri=base_iri,
                                              keep_going=keep_going, progress=progress, full=full)
        with publishing(build_dir, generation):
            adopt_flat_build(build_dir)
            switch_to(build_dir, generation)
        prune(build_dir)
    return Outcome("", generation.name, result)


@contextlib.contextmanager
def publishing(build_dir: Path, generation: Path) -> Iterator[None]:
    """Around the steps that make a freshly built `generation` current: when they fail before CURRENT names
    it, the generation is deleted and the CLI's symlinks point back at the current one; an OSError (a full
    disk, say) becomes a StoreError."""
    try:
        yield
    except BaseException as error:
        if _generation_name(build_dir) != generation.name:
            shutil.rmtree(generation, ignore_errors=True)
            with contextlib.suppress(OSError, StoreError):
                if (current := current_generation(build_dir)) is not None:
                    link_files(build_dir, current)
        if isinstance(error, OSError):
            raise StoreError(f"cannot switch to the new build: {error}", source=str(build_dir)) from error
        raise


@contextlib.contextmanager
def _scratch(build_dir: Path) -> Iterator[Path]:
    folder = build_dir / f".work-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _documents(sources: Path) -> list[Path]:
    return discover_sources(sources) if sources.is_dir() else []


def _sidecar(source: Path) -> Path:
    return source.with_suffix(SIDECAR_SUFFIX)


def _write_upload(shadow: Path, name: str, upload: Upload) -> list[Path]:
    """The upload (and its sidecar) written into the scratch sources; their paths, relative to it."""
    (shadow / name).write_bytes(upload.content)
    files = [Path(name)]
    if upload.metadata:
        sidecar = Path(name).with_suffix(SIDECAR_SUFFIX)
        (shadow / sidecar).write_text(toml_text(upload.metadata), encoding="utf-8")
        files.append(sidecar)
    return [shadow / f for f in files]


def _check_loaded(result: BuildResult, doc_id: str, path: Path) -> None:
    """The uploaded document must be in the build, not among the failures the build skipped."""
    for failure in result.failures:
        if failure.source and Path(failure.source).stem == doc_id:
            failure.source = path.name
            raise failure
    if not any(d.meta.doc_id == doc_id for d in result.documents):
        raise InputError("the document was not read", source=path.name)


def _commit_files(sources: Path, new_files: list[Path], removed: set[Path], scratch: Path) -> None:
    """Move old files out to the scratch folder and new ones in; undo the moves if one fails."""
    trash = scratch / "removed"
    trash.mkdir()
    moved: list[tuple[Path, Path]] = []
    try:
        for old in sorted(removed):
            if old.exists():
                keep = trash / uuid.uuid4().hex
                _move(old, keep)
                moved.append((keep, old))
        sources.mkdir(parents=True, exist_ok=True)
        for new in sorted(new_files, key=lambda p: p.suffix != SIDECAR_SUFFIX):  # sidecar first
            target = sources / new.name
            _move(new, target)
            moved.append((None, target))
    except OSError as error:
        for kept, original in reversed(moved):
            with contextlib.suppress(OSError):
                _move(kept, original) if kept else original.unlink()
        raise StoreError(f"cannot update the sources: {error}", source=str(sources)) from error


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        partial = target.with_name(f".{target.name}.part")
        shutil.copy2(source, partial)
        os.replace(partial, target)
        source.unlink()


# --------------------------------------------------------------------------------------------------------
# Reading what is there
# --------------------------------------------------------------------------------------------------------

def read_report(build_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((current_build(build_dir) / "report.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return {}


def profile_summary(profile: dict[str, Any]) -> dict[str, Any]:
    """A document's profile (report.json) in short: its metadata and how many of each kind it holds."""
    summary: dict[str, Any] = {"meta": {k: v for k, v in (profile.get("meta") or {}).items()
                                        if k != "path" and v not in (None, [], "")}}
    for key, value in profile.items():
        if isinstance(value, list):
            summary[key] = len(value)
        elif isinstance(value, int | float | str) and key != "path":
            summary[key] = value
    return summary


def list_documents(data_dir: Path) -> dict[str, Any]:
    """Every source with its metadata and profile, and when and as which generation the build was made."""
    build_dir = data_dir / "build"
    report = read_report(build_dir)
    profiles = {p.get("meta", {}).get("doc_id"): p for p in report.get("documents", [])}
    items = []
    for path in _documents(data_dir / "sources"):
        sidecar = _sidecar(path)
        items.append({"id": path.stem, "file": path.name, "size": path.stat().st_size,
                      "metadata": _sidecar_table(sidecar), "profile": _summary_or_none(profiles.get(path.stem))})
    return {"generation": _generation_name(build_dir), "built": _built_time(build_dir),
            "counts": report.get("counts", {}), "documents": items}


def _summary_or_none(profile: dict[str, Any] | None) -> dict[str, Any] | None:
    return profile_summary(profile) if profile else None


def _sidecar_table(sidecar: Path) -> dict[str, Any] | None:
    if not sidecar.exists():
        return None
    try:
        return json.loads(json.dumps(tomllib.loads(sidecar.read_text(encoding="utf-8")), default=str))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {"error": "the sidecar is not valid TOML"}


def _generation_name(build_dir: Path) -> str | None:
    with contextlib.suppress(StoreError):
        generation = current_generation(build_dir)
        return generation.name if generation else None
    return None


def _built_time(build_dir: Path) -> str | None:
    report = current_build(build_dir) / "report.json"
    if not report.exists():
        return None
    return datetime.fromtimestamp(report.stat().st_mtime, UTC).isoformat(timespec="seconds")
