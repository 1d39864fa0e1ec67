"""Ingest documents into the store: idempotent, incremental and safe to interrupt.

Per document: (1) store the units that are not there yet (windows first), (2) commit
the document record listing its active unit ids, (3) delete stale units. Readers only
see units a commit lists, so a crash at any point leaves a consistent store, and the
next run finishes the job: ids are deterministic (document, label, content hash), so
nothing already stored is embedded again.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ingest.errors import IngestError
from ingest.inputs import collect_inputs
from ingest.loader import load_document
from ingest.records import Document
from vectorstore.embedder import Embedder
from vectorstore.records import StoredUnit, Window, doc_info, unit_id
from vectorstore.store import ChromaStore
from vectorstore.windows import sentence_windows

Progress = Callable[[str, int], None]  # (stage description, items done) -> None
STAGES = ("read", "windows", "embed", "write")  # where ingest time goes (IngestReport.stages)
WRITE_BATCH = 2048  # windows per write to the store


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    doc_id: str = ""
    status: str = ""  # added | updated | unchanged | failed
    units: int = 0
    embedded: int = 0
    removed: int = 0
    error: str = ""
    warnings: tuple[str, ...] = ()


@dataclass
class IngestReport:
    """Results of one ingest run."""

    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # seconds in read, windows, embed, write

    @property
    def failed(self) -> list[FileResult]:
        """Files that could not be ingested."""
        return [f for f in self.files if f.status == "failed"]

    def summary(self) -> str:
        """One line: counts of files by outcome, units embedded, time."""
        counts: dict[str, int] = {}
        for f in self.files:
            counts[f.status] = counts.get(f.status, 0) + 1
        parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        embedded = sum(f.embedded for f in self.files)
        units = sum(f.units for f in self.files if f.status != "failed")
        return f"{len(self.files)} file(s): {parts}; {units} units, {embedded} embedded, in {self.seconds:.1f} s"


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to ingest: folders expand to their supported files (sorted); others kept as is."""
    return list(collect_inputs(paths).files)


def stored_units(document: Document) -> list[StoredUnit]:
    """The document's units as the store keeps them."""
    year = document.meta.year
    return [
        StoredUnit(
            unit_id=unit_id(document.meta.doc_id, u),
            doc_id=document.meta.doc_id,
            label=u.label,
            kind=u.kind,
            text=u.text,
            section=u.section,
            footnotes=u.footnotes,
            order=u.order,
            year=year,
            page=u.page,
        )
        for u in document.units
    ]


class Indexer:
    """Embeds and stores documents; one instance per run."""

    def __init__(self, store: ChromaStore, embedder: Embedder, window_sentences: int = 3) -> None:
        self.store = store
        self.embedder = embedder
        self.window_sentences = window_sentences
        self.stage_seconds = dict.fromkeys(STAGES, 0.0)

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[name] += time.perf_counter() - started

    def ingest_and_record(self, paths: Sequence[Path], manifest: Path, on_file: Callable[[Path], None] | None = None,
                          on_batch: Progress | None = None) -> IngestReport:
        """Ingest the files, then write the ingest manifest: what `r2p ingest` and the UI's upload do."""
        report = self.ingest_files(paths, on_file=on_file, on_batch=on_batch)
        write_manifest(manifest, self.store.document_records())
        return report

    def ingest_files(self, paths: Sequence[Path], on_file: Callable[[Path], None] | None = None,
                     on_batch: Progress | None = None) -> IngestReport:
        """Ingest each file; a bad file is reported and the others still go in."""
        report = IngestReport()
        started = time.perf_counter()
        before = dict(self.stage_seconds)
        with self._stage("write"):
            records = self.store.document_records()
        for path in paths:
            if on_file:
                on_file(path)
            try:
                with self._stage("read"):
                    document = load_document(path)
                report.files.append(self.ingest_document(document, records, on_batch))
            except IngestError as exc:
                report.files.append(FileResult(str(path), status="failed", error=str(exc)))
        report.seconds = time.perf_counter() - started
        report.stages = {k: v - before[k] for k, v in self.stage_seconds.items()}
        return report

    def ingest_document(self, document: Document, records: dict | None = None,
                        on_batch: Progress | None = None) -> FileResult:
        """Bring the store in line with one parsed document."""
        with self._stage("write"):
            records = self.store.document_records() if records is None else records
        doc_id = document.meta.doc_id
        units = stored_units(document)
        ids = [u.unit_id for u in units]
        if len(set(ids)) != len(ids):
            raise IngestError(document.file, "two units share a label; the numbering could not be recovered")
        previous = records.get(doc_id)
        result = FileResult(document.file, doc_id, "updated" if previous else "added", units=len(units),
                            warnings=document.warnings)
        with self._stage("write"):
            if previous and previous[1] == ids and set(self.store.unit_ids_of(doc_id)) == set(ids):
                result.status = "unchanged"
                return result
            present = self.store.existing_ids(ids)
        missing = [u for u in units if u.unit_id not in present]
        self._embed_and_add(missing, on_batch)
        result.embedded = len(missing)
        with self._stage("write"):
            self.store.commit_document(doc_info(document), ids)
            stale = set(self.store.unit_ids_of(doc_id)) - set(ids)
            self.store.delete_units(stale)
        result.removed = len(stale)
        if previous and not missing and not stale and previous[1] == ids:
            result.status = "unchanged"
        records[doc_id] = (doc_info(document), ids)
        self._drop_other_copies(document, records, result)
        return result

    def _drop_other_copies(self, document: Document, records: dict, result: FileResult) -> None:
        """One file is one document: a copy stored under another id (before a sidecar renamed it) goes."""
        here = Path(document.file).resolve()
        for other, (info, _) in list(records.items()):
            if other != document.meta.doc_id and info.file and Path(info.file).resolve() == here:
                with self._stage("write"):
                    result.removed += self.store.remove_document(other)
                del records[other]
                result.warnings = (*result.warnings, f"replaces {other}, the same file stored under its old id")

    def _embed_and_add(self, units: list[StoredUnit], on_batch: Progress | None, batch: int = 64) -> None:
        # Embed in small batches (progress), write in large ones: Chroma stores several
        # times more records per second in batches of thousands than of a hundred.
        pending: list[_Embedded] = []
        for start in range(0, len(units), batch):
            chunk = units[start : start + batch]
            with self._stage("windows"):
                windows = [
                    Window(f"{u.unit_id}#w{i}", u.unit_id, text)
                    for u in chunk
                    for i, text in enumerate(sentence_windows(u.text, self.window_sentences))
                ]
            with self._stage("embed"):
                window_vectors = self.embedder.embed([w.text for w in windows])
            with self._stage("windows"):
                unit_vectors = np.stack([_mean_of(window_vectors, windows, u.unit_id) for u in chunk])
            pending.append(_Embedded(chunk, unit_vectors, windows, window_vectors))
            if sum(len(p.windows) for p in pending) >= WRITE_BATCH:
                self._write(pending)
            if on_batch:
                on_batch(chunk[0].doc_id, len(chunk))
        self._write(pending)

    def _write(self, pending: list[_Embedded]) -> None:
        if not pending:
            return
        with self._stage("write"):
            self.store.add_units(
                [u for p in pending for u in p.units],
                np.concatenate([p.unit_vectors for p in pending]),
                [w for p in pending for w in p.windows],
                np.concatenate([p.window_vectors for p in pending]),
            )
        pending.clear()


@dataclass(frozen=True)
class _Embedded:
    """A batch of units embedded and waiting to be written: units, their windows, both vectors."""

    units: list[StoredUnit]
    unit_vectors: np.ndarray
    windows: list[Window]
    window_vectors: np.ndarray


def _mean_of(vectors: np.ndarray, windows: list[Window], uid: str) -> np.ndarray:
    rows = [i for i, w in enumerate(windows) if w.unit_id == uid]
    mean = vectors[rows].mean(axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


def write_manifest(path: Path, records: dict) -> None:
    """Write the ingest manifest (documents, files, hashes, counts) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = [
        asdict(info) | {"units": len(ids)} for info, ids in sorted(records.values(), key=lambda r: r[0].doc_id)
    ]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
