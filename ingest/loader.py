"""Load one file into a `Document`: read, parse structure, attach metadata."""

from __future__ import annotations

from pathlib import Path

from ingest.errors import IngestError
from ingest.masthead import symbol_from_filename
from ingest.metadata import document_meta, paragraph_style
from ingest.readers import read_file
from ingest.records import Document, DocumentMeta, UnitKind, content_hash
from ingest.structure import parse_units


def load_document(path: Path) -> Document:
    """Read and parse `path`; raise `IngestError` with a one-line reason for bad input."""
    raw = read_file(path)
    meta = document_meta(path, raw.header or raw.text)
    units = parse_units(raw.text, numbered=paragraph_style(path), page_starts=raw.page_starts)
    if not any(u.kind is not UnitKind.FOOTNOTE for u in units):
        raise IngestError(path, "no paragraphs found; is this a report?")
    warnings = raw.warnings + _numbering_warnings(units) + _symbol_warnings(meta, path, raw.ocr)
    return Document(
        meta=meta,
        units=tuple(units),
        file=str(path),
        content_hash=content_hash(raw.text),
        warnings=warnings,
    )


def _symbol_warnings(meta: DocumentMeta, path: Path, ocr: bool) -> tuple[str, ...]:
    """Say so when the symbol may be wrong: read by OCR, or not the one the file name spells."""
    if meta.source != "detected":
        return ()
    named = symbol_from_filename(path.stem)
    if named and named.split("–")[0] != meta.short_symbol:
        return (f"the first page shows the symbol {meta.symbol}, the file name says {named}: if {meta.symbol} is "
                f"wrong, set `id` and `symbol` in {path.with_suffix('.toml').name}",)
    if ocr and not named:
        return (f"the symbol {meta.symbol} was read by OCR: check it, or set it in {path.with_suffix('.toml').name}",)
    return ()


def _numbering_warnings(units: list) -> tuple[str, ...]:
    labels = {u.label for u in units}
    cited = {n for u in units for n in u.footnotes}
    missing = sorted(n for n in cited if f"fn{n}" not in labels)
    return (f"footnote markers without footnote text: {missing}",) if missing else ()
