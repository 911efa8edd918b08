"""Document → canonical JSON: the same document always gives the same bytes.

Order is kept where it means something (duty lists: a DutyRef points at a list by index; items: their
numbering; lines of an address) and sorted everywhere else (units, posts, reporting, cooperation, external
organisations, contacts, noise, findings). Dates are ISO strings; `lines` is summarised by its count, since
the source text itself is kept beside the golden file.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

from kompetencje.loaders.model import Document

SORTED_SECTIONS = {
    "units": ("key",),
    "posts": ("key",),
    "reporting": ("subordinate", "superior"),
    "cooperation": ("party", "partner", "duty", "phrase"),
    "external": ("key",),
    "contacts": ("of",),
    "noise": ("span",),
    "reader_noise": ("span",),
    "findings": ("span", "message"),
}


def document_to_json(doc: Document) -> dict[str, Any]:
    """A plain, canonically ordered dict of everything the document model holds."""
    data = _plain(dataclasses.asdict(doc))
    data["line_count"] = len(data.pop("lines"))
    for section, keys in SORTED_SECTIONS.items():
        data[section] = sorted(data[section], key=lambda entry, keys=keys: _sort_key(entry, keys))
    return data


def document_to_text(doc: Document) -> str:
    """The canonical JSON as text: sorted keys, two-space indent, non-ASCII kept, final newline."""
    return json.dumps(document_to_json(doc), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _sort_key(entry: dict[str, Any], keys: tuple[str, ...]) -> str:
    return json.dumps([entry.get(key) for key in keys], ensure_ascii=False, sort_keys=True)
