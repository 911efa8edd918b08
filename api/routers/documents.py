"""Ingestion: add, list and remove source documents (admin only; absent when no admin token is set).

    POST   /api/documents        multipart: `file`, optional `metadata` (TOML or JSON) and/or single fields
                                 (kind, title, url, retrieved, received, priority, municipality, teryt,
                                 office, abbreviations), `replace=true` to update a document → 201
    GET    /api/documents        the sources with their metadata and profile, and the current build
    DELETE /api/documents/{id}   remove a source and its sidecar → 200

Each change builds every source into a new build generation (loaders/ingest.py) and swaps it in atomically;
a rejected document (unreadable, no structure, SHACL violations) answers 422 and changes nothing.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from kompetencje.api import generations
from kompetencje.api.deps import SettingsDep
from kompetencje.api.problems import OrjsonResponse, error_response
from kompetencje.api.settings import Settings
from kompetencje.errors import InputError, KompetencjeError
from kompetencje.loaders import ingest
from kompetencje.loaders.golden import document_to_json

router = APIRouter(prefix="/api/documents", tags=["documents"])
_FORM_LIMITS = {"max_files": 2, "max_fields": 20}


def admin_enabled(settings: Settings) -> bool:
    """Whether an admin token is configured (an empty one counts as none: it must never let anyone in).
    Never over a remote store: ingestion builds locally, then `kompetencje load` publishes (docs/scaling.md)."""
    return settings.admin_token is not None and bool(settings.admin_token.get_secret_value().strip()) \
        and not settings.remote_store


def require_admin(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """The admin token as `Authorization: Bearer …`, compared in constant time (never logged)."""
    settings: Settings = request.app.state.settings
    if not admin_enabled(settings):
        raise HTTPException(404)
    scheme, _, given = (authorization or "").partition(" ")
    expected = settings.admin_token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise HTTPException(401, "This endpoint needs the admin token (Authorization: Bearer …).",
                            headers={"WWW-Authenticate": 'Bearer realm="kompetencje"'})


AdminDep = Annotated[None, Depends(require_admin)]


@router.post("", status_code=201, openapi_extra={"requestBody": {"content": {"multipart/form-data": {}}}})
async def add_document(request: Request, _: AdminDep, settings: SettingsDep) -> Response:
    async with request.form(**_FORM_LIMITS) as form:
        upload, replace = await read_upload(form)
    try:
        outcome = await asyncio.to_thread(ingest.ingest, settings.data_dir, upload, base_iri=settings.base_iri,
                                          replace=replace, lock_wait_s=settings.ingest_lock_wait_s)
    except KompetencjeError as error:
        return refusal(error, request)
    await generations.refresh(request.app, force=True)
    body = outcome_body(outcome)
    return OrjsonResponse(body, status_code=201, headers={"Location": f"/api/documents/{outcome.doc_id}"})


@router.get("")
async def list_documents(_: AdminDep, settings: SettingsDep) -> dict[str, Any]:
    return await asyncio.to_thread(ingest.list_documents, settings.data_dir)


@router.delete("/{doc_id}")
async def delete_document(doc_id: str, request: Request, _: AdminDep, settings: SettingsDep) -> Response:
    try:
        outcome = await asyncio.to_thread(ingest.remove_document, settings.data_dir, doc_id,
                                          base_iri=settings.base_iri, lock_wait_s=settings.ingest_lock_wait_s)
    except KompetencjeError as error:
        return refusal(error, request)
    await generations.refresh(request.app, force=True)
    return OrjsonResponse({"id": doc_id, "removed": True, "generation": outcome.generation,
                           "counts": outcome.result.counts})


async def read_upload(form: FormData) -> tuple[ingest.Upload, bool]:
    """The upload from the multipart form (the file, its metadata, `replace`)."""
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise InputError("send the document as the multipart part `file`", field_name="file")
    content = await file.read()
    if not content:
        raise InputError("the document is empty", field_name="file")
    fields = {name: str(form[name]) for name in ingest.FIELD_KEYS if isinstance(form.get(name), str)}
    table = ingest.metadata_table(fields, await text_part(form.get("metadata")))
    replace = str(form.get("replace", "")).lower() in {"1", "true", "yes", "on"}
    return ingest.Upload(file.filename or "", content, table), replace


async def text_part(part: str | UploadFile | None) -> str | None:
    if isinstance(part, UploadFile):
        raw = await part.read()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("metadata must be UTF-8 text", field_name="metadata") from None
    return part


def outcome_body(outcome: ingest.Outcome) -> dict[str, Any]:
    document = next((d for d in outcome.result.documents if d.meta.doc_id == outcome.doc_id), None)
    profile = ingest.profile_summary(document_to_json(document)) if document else None
    return {"id": outcome.doc_id, "generation": outcome.generation, "profile": profile,
            "counts": outcome.result.counts, "documents": outcome.result.document_count}


def refusal(error: KompetencjeError, request: Request) -> Response:
    """The problem document; a busy build lock also says when to try again."""
    response = error_response(error, request)
    if isinstance(error, ingest.Busy):
        response.headers["Retry-After"] = "10"
    return response
