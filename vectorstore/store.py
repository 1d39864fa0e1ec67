"""The Chroma store: units, their sentence windows, and one record per document.

Four collections share a prefix: `<p>_windows` (what dense search queries),
`<p>_units` (one record per citation unit, with its full text), `<p>_documents`
(the commit record of each document: metadata and the ids of its active units) and
`<p>_meta` (a stamp rewritten with every commit, so that readers, in this process or
in others sharing a Chroma server, notice a change with one small read).
Chroma's own embedding function is never used: vectors always come from our embedder.

Conversions between our records and Chroma's metadata dicts live here, one function
each way (`unit_metadata` / `stored_unit`, `_doc_metadata` / `_doc_info`).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from ingest.errors import R2PError
from ingest.records import UnitKind
from vectorstore.records import DocInfo, StoredUnit, Window

SECTION_SEP = " › "
_GET_PAGE = 5000
_STAMP_ID = "corpus"


class StoreError(R2PError):
    """The store cannot be opened or does not match the settings."""


def open_client(path: str | None = None, url: str | None = None):  # -> chromadb.ClientAPI
    """A persistent client for a directory, or an HTTP client for a Chroma server URL."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname or "localhost",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # noqa: BLE001 - chromadb raises several types here
            raise StoreError(
                f"cannot reach the Chroma server at {url} ({type(exc).__name__}): start it with "
                "`chroma run --path DIR` or unset R2P_CHROMA_URL to use the local store"
            ) from None
    if path is None:
        raise StoreError("no store: give a folder for the embedded store or a Chroma server URL")
    return chromadb.PersistentClient(path=path, settings=chroma_settings)


def unit_metadata(unit: StoredUnit) -> dict[str, str | int]:
    """A unit as Chroma metadata (its text is stored as the record's document)."""
    meta: dict[str, str | int] = {
        "doc": unit.doc_id,
        "label": unit.label,
        "kind": unit.kind.value,
        "section": SECTION_SEP.join(unit.section),
        "footnotes": ",".join(map(str, unit.footnotes)),
        "order": unit.order,
        "year": unit.year or 0,
    }
    if unit.page is not None:
        meta["page"] = unit.page
    return meta


def stored_unit(unit_id: str, text: str, meta: dict) -> StoredUnit:
    """A unit back from its id, text and Chroma metadata."""
    return StoredUnit(
        unit_id=unit_id,
        doc_id=str(meta["doc"]),
        label=str(meta["label"]),
        kind=UnitKind(meta["kind"]),
        text=text,
        section=tuple(s for s in str(meta.get("section", "")).split(SECTION_SEP) if s),
        footnotes=tuple(int(n) for n in str(meta.get("footnotes", "")).split(",") if n),
        order=int(meta.get("order", 0)),
        year=int(meta["year"]) or None if meta.get("year") else None,
        page=int(meta["page"]) if meta.get("page") is not None else None,
    )


def _stored_units(got: dict) -> list[StoredUnit]:
    return [stored_unit(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]


def _doc_metadata(info: DocInfo, active_ids: Sequence[str]) -> dict[str, str | int]:
    meta: dict[str, str | int] = asdict(info)
    meta["active_ids"] = json.dumps(list(active_ids))
    return meta


def _doc_info(meta: dict) -> tuple[DocInfo, list[str]]:
    fields = {k: v for k, v in meta.items() if k in DocInfo.__dataclass_fields__}
    return DocInfo(**fields), json.loads(str(meta.get("active_ids", "[]")))


class ChromaStore:
    """Paragraph-level storage over three Chroma collections."""

    def __init__(self, client, prefix: str, embedding_model: str, dim: int) -> None:
        self.client = client
        self.prefix = prefix
        self.embedding_model = embedding_model
        space = {"hnsw:space": "cosine", "embedding_model": embedding_model, "dim": dim}
        try:
            self.windows = client.get_or_create_collection(f"{prefix}_windows", metadata=space, embedding_function=None)
            self.units = client.get_or_create_collection(f"{prefix}_units", metadata=space, embedding_function=None)
            self.documents = client.get_or_create_collection(
                f"{prefix}_documents", metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
            self.meta = client.get_or_create_collection(f"{prefix}_meta", embedding_function=None)
        except Exception as exc:  # noqa: BLE001 - connection or schema errors from chromadb
            raise StoreError(f"cannot open the Chroma collections '{prefix}_*': {exc}") from None
        stored = (self.windows.metadata or {}).get("embedding_model")
        if stored and stored != embedding_model:
            raise StoreError(
                f"the store was built with the embedder '{stored}', not '{embedding_model}': "
                f"set R2P_EMBEDDING_MODEL={stored} or use a new R2P_DATA_DIR and run `r2p ingest`"
            )

    @property
    def local_path(self) -> Path | None:
        """The folder of an embedded store (None for a Chroma server)."""
        settings = self.client.get_settings()
        return Path(settings.persist_directory) if settings.is_persistent else None

    # -- change stamp ----------------------------------------------------------------
    def corpus_stamp(self) -> str:
        """A token that changes whenever a document is committed or removed."""
        got = self.meta.get(ids=[_STAMP_ID], include=["metadatas"])
        if got["ids"]:
            return str(got["metadatas"][0]["stamp"])
        return self._bump()  # a store written before stamps existed

    def _bump(self) -> str:
        stamp = uuid.uuid4().hex
        self.meta.upsert(ids=[_STAMP_ID], embeddings=[[1.0]], metadatas=[{"stamp": stamp}])
        return stamp

    # -- documents -------------------------------------------------------------------
    def document_records(self) -> dict[str, tuple[DocInfo, list[str]]]:
        """All committed documents with their active unit ids."""
        got = self.documents.get(include=["metadatas"])
        return {i: _doc_info(m) for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    def commit_document(self, info: DocInfo, active_ids: Sequence[str]) -> None:
        """Record the document's active units: the commit point of an ingest."""
        self.documents.upsert(
            ids=[info.doc_id], embeddings=[[1.0]], metadatas=[_doc_metadata(info, active_ids)], documents=[info.title]
        )
        self._bump()

    def remove_document(self, doc_id: str) -> int:
        """Delete a document and all its units and windows; returns units removed."""
        ids = self.unit_ids_of(doc_id)
        self.documents.delete(ids=[doc_id])
        self._bump()
        self.delete_units(ids)
        return len(ids)

    # -- units -----------------------------------------------------------------------
    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of these unit ids are already stored."""
        found: set[str] = set()
        for start in range(0, len(ids), _GET_PAGE):
            found.update(self.units.get(ids=list(ids[start : start + _GET_PAGE]), include=[])["ids"])
        return found

    def unit_ids_of(self, doc_id: str) -> list[str]:
        """All unit ids stored for a document (active or stale)."""
        return list(self.units.get(where={"doc": doc_id}, include=[])["ids"])

    def add_units(
        self,
        units: Sequence[StoredUnit],
        unit_vectors: np.ndarray,
        windows: Sequence[Window],
        window_vectors: np.ndarray,
    ) -> None:
        """Store units and their sentence windows.

        Windows go first, so a unit is never visible without them.
        """
        by_unit = {u.unit_id: u for u in units}
        for start in range(0, len(windows), _GET_PAGE):
            batch = windows[start : start + _GET_PAGE]
            self.windows.upsert(
                ids=[w.window_id for w in batch],
                embeddings=window_vectors[start : start + len(batch)].tolist(),
                documents=[w.text for w in batch],
                metadatas=[
                    {"unit_id": w.unit_id, "doc": by_unit[w.unit_id].doc_id, "year": by_unit[w.unit_id].year or 0}
                    for w in batch
                ],
            )
        for start in range(0, len(units), _GET_PAGE):
            chunk = units[start : start + _GET_PAGE]
            self.units.upsert(
                ids=[u.unit_id for u in chunk],
                embeddings=unit_vectors[start : start + len(chunk)].tolist(),
                documents=[u.text for u in chunk],
                metadatas=[unit_metadata(u) for u in chunk],
            )

    def delete_units(self, ids: Iterable[str]) -> None:
        """Delete units and their windows."""
        ids = list(ids)
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            self.windows.delete(where={"unit_id": {"$in": batch}})
            self.units.delete(ids=batch)

    def get_units(self, ids: Sequence[str]) -> list[StoredUnit]:
        """The stored units with these ids (those that exist), in pages."""
        out: list[StoredUnit] = []
        for start in range(0, len(ids), _GET_PAGE):
            got = self.units.get(ids=list(ids[start : start + _GET_PAGE]), include=["documents", "metadatas"])
            out.extend(_stored_units(got))
        return out

    def all_units(self) -> list[StoredUnit]:
        """Every stored unit (active or not), in pages."""
        out: list[StoredUnit] = []
        offset = 0
        while True:
            got = self.units.get(include=["documents", "metadatas"], limit=_GET_PAGE, offset=offset)
            out.extend(_stored_units(got))
            if len(got["ids"]) < _GET_PAGE:
                return out
            offset += _GET_PAGE

    def query_windows(self, vector: np.ndarray, n: int, where: dict | None) -> list[tuple[str, float]]:
        """Nearest windows as (unit_id, cosine similarity), best first (fewer when fewer are stored)."""
        got = self.windows.query(
            query_embeddings=[vector.tolist()], n_results=n, where=where, include=["metadatas", "distances"]
        )
        # A window deleted by a concurrent ingest between search and fetch comes back without metadata.
        pairs = zip(got["metadatas"][0], got["distances"][0], strict=True)
        return [(m["unit_id"], 1.0 - d) for m, d in pairs if m is not None]

    def window_vectors(self, unit_ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The windows of these units: the unit id of each window and its unit-length vector."""
        owners: list[str] = []
        blocks = [np.zeros((0, 0), dtype=np.float32)]
        for start in range(0, len(unit_ids), 500):
            batch = list(unit_ids[start : start + 500])
            got = self.windows.get(where={"unit_id": {"$in": batch}}, include=["embeddings", "metadatas"])
            owners += [str(m["unit_id"]) for m in got["metadatas"]]
            if len(got["ids"]):
                blocks.append(np.asarray(got["embeddings"], dtype=np.float32))
        matrix = np.concatenate(blocks[1:]) if len(blocks) > 1 else np.zeros((0, 1), dtype=np.float32)
        return owners, matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


class DocumentVectors:
    """Window vectors of whole documents in memory, the least recently used dropped first.

    For exact dense search within a few documents: a Chroma metadata filter costs time
    in proportion to the whole collection (46 ms at 24k windows, growing linearly), and
    its filtered HNSW search is approximate. A document is fetched once per version.
    """

    def __init__(self, store: ChromaStore, max_windows: int = 150_000) -> None:
        self.store = store
        self.max_windows = max_windows
        self._cache: OrderedDict[tuple[str, ...], tuple[list[str], np.ndarray]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def of(self, unit_ids: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
        """The windows of a document's active units (`unit_ids` is the cache key)."""
        with self._lock:
            if (hit := self._cache.get(unit_ids)) is not None:
                self._cache.move_to_end(unit_ids)
                return hit
        found = self.store.window_vectors(unit_ids)
        with self._lock:
            if unit_ids not in self._cache:
                self._cache[unit_ids] = found
                self._size += len(found[0])
            while self._size > self.max_windows and len(self._cache) > 1:
                _, (owners, _) = self._cache.popitem(last=False)
                self._size -= len(owners)
        return found
