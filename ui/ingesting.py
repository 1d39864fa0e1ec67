"""Ingesting uploads from the UI as `r2p ingest` does, reporting progress as a share done."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ingest.errors import IngestError
from ingest.loader import load_document
from vectorstore.indexer import Indexer, IngestReport


def ingest_saved(indexer: Indexer, paths: Sequence[Path], manifest: Path,
                 progress: Callable[[float, str], None] = lambda _done, _text: None) -> IngestReport:
    """Ingest saved files as `r2p ingest` does (manifest included), reporting (share done, what)."""
    total, embedded = max(1, sum(_unit_count(p) for p in paths)), 0

    def on_batch(doc_id: str, n: int) -> None:
        nonlocal embedded
        embedded += n
        progress(min(0.99, embedded / total), f"{doc_id}: {embedded} of about {total} units embedded")

    report = indexer.ingest_and_record(paths, manifest, on_batch=on_batch,
                                       on_file=lambda p: progress(min(0.99, embedded / total), f"Reading {p.name}"))
    progress(1.0, report.summary())
    return report


def _unit_count(path: Path) -> int:
    try:
        return len(load_document(path).units)
    except IngestError:
        return 0  # ingest_files reports the error
