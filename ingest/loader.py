"""Load one file into a `Document`: read, parse structure, attach metadata."""

from __future__ import annotations

from pathlib import Path

from ingest.errors import IngestError
from ingest.metadata import document_meta, paragraph_style
from ingest.readers import read_file
from ingest.records import Document, UnitKind, content_hash
from ingest.structure import parse_units


def load_document(path: Path) -> Document:
    """Read and parse `path`; raise `IngestError` with a one-line reason for bad input."""
    raw = read_file(path)
    meta = document_meta(path, raw.header or raw.text)
    units = parse_units(raw.text, numbered=paragraph_style(path), page_starts=raw.page_starts)
    if not any(u.kind is not UnitKind.FOOTNOTE for u in units):
        raise IngestError(path, "no paragraphs found; is this a report?")
    warnings = raw.warnings + _numbering_warnings(units)
    return Document(
        meta=meta,
        units=tuple(units),
        file=str(path),
        content_hash=content_hash(raw.text),
        warnings=warnings,
    )


def _numbering_warnings(units: list) -> tuple[str, ...]:
    labels = {u.label for u in units}
    cited = {n for u in units for n in u.footnotes}
    missing = sorted(n for n in cited if f"fn{n}" not in labels)
    return (f"footnote markers without footnote text: {missing}",) if missing else ()
