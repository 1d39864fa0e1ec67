"""Document metadata: from the corpus manifest, a sidecar NAME.toml, or the file's header.

Order of precedence: a sidecar `NAME.toml` next to the file (its keys override what is
detected), then an entry in a `manifest.toml` in the same folder, then what the header
shows (for a PDF its first page, for a DOCX its page header and first paragraphs):
symbol(s), date line, title, "Report of the Secretary-General"; the file name last.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from ingest.errors import IngestError
from ingest.masthead import read_masthead, symbol_from_filename
from ingest.records import DocumentMeta

MANIFEST_NAME = "manifest.toml"


def _from_entry(entry: dict[str, object], source: str) -> DocumentMeta:
    symbol = str(entry.get("symbol") or entry.get("id") or "")
    short = str(entry.get("short_symbol") or symbol.split("–")[0].split("-S/")[0])
    doc_id = str(entry.get("id") or short)
    if not doc_id:
        raise IngestError(source, "metadata entry has neither `id` nor `symbol`")
    return DocumentMeta(
        doc_id=doc_id,
        symbol=symbol or doc_id,
        short_symbol=short or doc_id,
        title=str(entry.get("title") or doc_id),
        date=str(entry.get("date") or ""),
        author=str(entry.get("author") or ""),
        kind=str(entry.get("kind") or ""),
        source=source,
    )


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(path, f"invalid TOML ({exc}); fix or remove this file") from None


def manifest_entry(path: Path) -> dict[str, object] | None:
    """The `[[document]]` entry describing `path` in its folder's manifest, if any."""
    manifest = path.parent / MANIFEST_NAME
    if not manifest.is_file():
        return None
    documents = _read_toml(manifest).get("document", [])
    for entry in documents if isinstance(documents, list) else []:
        if isinstance(entry, dict) and entry.get("file") == path.name:
            return entry
    return None


def paragraph_style(path: Path) -> bool | None:
    """Whether the manifest declares the document numbered (True), unnumbered, or unknown."""
    for entry in (_sidecar(path), manifest_entry(path)):
        if entry and entry.get("paragraphs") in ("numbered", "unnumbered"):
            return entry["paragraphs"] == "numbered"
    return None


def _sidecar(path: Path) -> dict[str, object] | None:
    sidecar = path.with_suffix(".toml")
    if not sidecar.is_file():
        return None
    data = _read_toml(sidecar)
    table = data.get("document", data)  # top-level keys, or a [document] table
    return table if isinstance(table, dict) else data


def detect_from_header(text: str, path: Path) -> DocumentMeta:
    """Metadata from the masthead of a report: symbol, date line, title, kind.

    Without a symbol in the masthead, a file name spelt like a symbol ("A_80_628.pdf")
    gives it (source "filename"); otherwise the file name itself is the id.
    """
    head = read_masthead(text)
    stem = path.stem
    if head.symbol:
        return DocumentMeta(head.short_symbol, head.symbol, head.short_symbol, head.title or stem, head.date,
                            kind=head.kind, source="detected")
    symbol = symbol_from_filename(stem)
    short = symbol.split("–")[0] if symbol else stem
    return DocumentMeta(short, symbol or stem, short, head.title or stem, head.date, kind=head.kind, source="filename")


def document_meta(path: Path, text: str) -> DocumentMeta:
    """Metadata for `path`: sidecar, then manifest entry, then detection from `text`."""
    sidecar = _sidecar(path)
    if sidecar:
        detected = detect_from_header(text, path)
        merged = {
            "id": detected.doc_id,
            "symbol": detected.symbol,
            "title": detected.title,
            "date": detected.date,
            "kind": detected.kind,
        } | sidecar
        return _from_entry(merged, "sidecar")
    entry = manifest_entry(path)
    if entry:
        return _from_entry(entry, "manifest")
    return detect_from_header(text, path)
