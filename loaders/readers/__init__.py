"""Format readers: bytes → SourceText (clean text, title, breadcrumb, noise, findings, quality).

    read_source(data, name, url=None) -> SourceText

The format is read from the content (PDF magic, a ZIP holding word/document.xml, HTML markup,
Markdown syntax, else plain text); the file extension only breaks ties. Every failure to read is an
InputError naming the source; no other exception leaves read_source.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from kompetencje.errors import InputError

from ..model import SourceText
from . import docx, html, markdown, pdf, text
from .common import MAX_BYTES

__all__ = ["READERS", "detect_format", "read_source", "url_path"]

READERS: dict[str, Callable[[bytes, str], SourceText]] = {
    "text": text.read, "markdown": markdown.read, "html": html.read, "pdf": pdf.read, "docx": docx.read,
}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_DOCUMENT = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?(?:p|div|span|a|table|tr|td|th|ul|ol|li|h[1-6]|br|strong|em|b|i|section|"
                       r"article|nav|main|header|footer|title|meta)\b[^>]*>", re.IGNORECASE)
_HTML_CLOSE = re.compile(r"</(?:p|div|span|a|table|tr|td|li|h[1-6]|ul|ol|strong|b|em)>", re.IGNORECASE)
_MARKDOWN = [
    re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE),
    re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"),
    re.compile(r"^\s*\|?\s*:?-{3,}:?\s*\|", re.MULTILINE),
    re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"),
    re.compile(r"^\s{0,3}(?:```|~~~)", re.MULTILINE),
]


def read_source(data: bytes, name: str, *, url: str | None = None) -> SourceText:
    """Read one document. Raises InputError (and nothing else) when it cannot be read."""
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise InputError(f"file too large ({len(data)} bytes, limit {MAX_BYTES})", source=name)
    fmt = detect_format(data, name)
    try:
        source = READERS[fmt](data, name)
    except InputError:
        raise
    except Exception as error:  # a parser's own exception on malformed input
        raise InputError(f"unreadable {fmt} ({type(error).__name__}: {error})", source=name) from error
    if url:
        source.url_path = url_path(url)
    return source


def url_path(url: str) -> str:
    """The percent-decoded path of a URL: 'https://bip.x.pl/urzad/wydzial%20a?id=1' → '/urzad/wydzial a'."""
    return unquote(urlsplit(url).path) or "/"


def detect_format(data: bytes, name: str) -> str:
    """'pdf', 'docx', 'html', 'markdown' or 'text'; InputError for formats this package cannot read."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data, name)
    if data.startswith(_OLE2):
        raise InputError("old binary .doc is not supported; save as DOCX or PDF", source=name)
    if head.startswith(b"{\\rtf"):
        raise InputError("RTF is not supported; save as DOCX or PDF", source=name)
    return _text_format(_sniff_text(data), PurePosixPath(name.lower()).suffix)


def _zip_format(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, EOFError) as error:
        raise InputError(f"damaged ZIP/DOCX file ({error})", source=name) from error
    if "word/document.xml" in names:
        return "docx"
    if b"opendocument" in mimetype:
        raise InputError("OpenDocument is not supported; save as DOCX or PDF", source=name)
    raise InputError("a ZIP archive, not a DOCX document", source=name)


def _sniff_text(data: bytes) -> str:
    sample = data[:1 << 16]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if sample.startswith(bom):
            return sample[2:].decode(codec, errors="replace")
    return sample.decode("utf-8", errors="replace")


def _text_format(sample: str, suffix: str) -> str:
    tags = len(_HTML_TAG.findall(sample))
    markdown_signals = sum(1 for pattern in _MARKDOWN if pattern.search(sample))
    if _HTML_DOCUMENT.search(sample[:4096]):
        return "html"
    if suffix in {".html", ".htm", ".xhtml"} and tags:
        return "html"
    if markdown_signals >= 2 or (markdown_signals and suffix in {".md", ".markdown"}):
        return "markdown"
    if tags >= 3 and _HTML_CLOSE.search(sample):
        return "html"
    return "markdown" if suffix in {".md", ".markdown"} else "text"
