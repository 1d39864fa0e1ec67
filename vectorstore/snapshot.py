"""The corpus in memory: the active units of the store, in document order, with BM25.

A snapshot is what retrieval reads; `CorpusSnapshot.load` builds one from the store.
Loading is incremental (units and tokens of the previous snapshot are reused, so a
refresh after one report changed reads and tokenizes only that report) and cached: a
`SnapshotCache` folder keeps, per corpus version, the units and the BM25 index, so a
restart at 100k paragraphs reads two local files instead of the whole collection and
minutes of tokenizing. The version is a hash of the active unit ids, which carry
content hashes: equal versions mean equal text, in any process.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from ingest.records import UnitKind
from vectorstore.lexical import EMPTY, TOKENIZER_VERSION, LexicalIndex, fold, tokenize
from vectorstore.names import vocabulary_of
from vectorstore.records import DocInfo, Passage, StoredUnit
from vectorstore.store import ChromaStore, StoreError, stored_unit, unit_metadata


class CorpusSnapshot:
    """The active units of the store in memory: lookup by id and label, BM25, doc info.

    Units are kept in document order, so each document is one slice of `units`: scope
    masks and neighbours cost the size of the documents involved, not of the corpus.
    """

    def __init__(self, units: list[StoredUnit], docs: dict[str, DocInfo], lexical: LexicalIndex | None = None,
                 version: str = "") -> None:
        self.units = sorted(units, key=_reading_order)
        self.docs = docs
        self.version = version or corpus_version(u.unit_id for u in self.units)
        self.by_id = {u.unit_id: i for i, u in enumerate(self.units)}
        self.by_label = {(u.doc_id, u.label): u for u in self.units}
        self.spans: dict[str, tuple[int, int]] = {}
        for i, u in enumerate(self.units):
            start = self.spans.get(u.doc_id, (i, i))[0]
            self.spans[u.doc_id] = (start, i + 1)
        if lexical is None or len(lexical) != len(self.units):
            lexical = LexicalIndex.from_tokens([unit_tokens(u) for u in self.units])
        self.lexical = lexical
        self._document_vocabularies: dict[str, set[str]] = {}

    @cached_property
    def vocabulary(self) -> set[str]:
        """Every word of the units and document descriptions, as names in questions are looked up."""
        return set().union(*(self.document_vocabulary(d) for d in self.docs))

    def document_vocabulary(self, doc_id: str) -> set[str]:
        """The words of one document and its description, as `vocabulary` (computed once per document)."""
        if (words := self._document_vocabularies.get(doc_id)) is None:
            info = self.docs.get(doc_id)
            described = [f"{info.title} {info.author} {info.symbol}"] if info else []
            texts = [u.text for u in self.units_of(doc_id)] + described
            words = self._document_vocabularies[doc_id] = vocabulary_of(texts)
        return words

    @classmethod
    def load(cls, store: ChromaStore, previous: CorpusSnapshot | None = None,
             cache: SnapshotCache | None = None) -> CorpusSnapshot:
        """Read the committed units (those listed by a document record) from the store.

        A corpus version saved in `cache` is read from there. Otherwise units and tokens
        of `previous` are reused, so a refresh after a few documents changed reads and
        tokenizes only those.
        """
        cache = cache or SnapshotCache(None)
        for _ in range(_LOAD_ATTEMPTS):
            records = store.document_records()
            active = [uid for _, ids in records.values() for uid in ids]
            version = corpus_version(active)
            if previous is not None and previous.version == version:
                return previous
            docs = {doc_id: info for doc_id, (info, _) in records.items()}
            if (cached := cache.get(version)) is not None:
                return cls(cached[0], docs, cached[1], version)
            units = _read_units(store, active, previous)
            if units is not None:
                snapshot = cls(units, docs, _lexical_index(units, previous), version)
                cache.put(snapshot)
                return snapshot
        raise StoreError("the store kept changing while it was read (an ingest is running?): try again")

    def units_of(self, doc_id: str) -> list[StoredUnit]:
        """A document's units in order (footnotes included)."""
        start, end = self.spans.get(doc_id, (0, 0))
        return self.units[start:end]

    def overview(self, doc_id: str, size: int = 3) -> list[StoredUnit]:
        """What a document says of itself as a whole: its own summary, its key points, else its opening."""
        units = [u for u in self.units_of(doc_id) if u.kind is not UnitKind.FOOTNOTE]
        for own in ("Summary, ", "Key points, bullet"):
            if marked := [u for u in units if u.label.startswith(own)]:
                return marked[:size]
        return units[:size]

    def in_date_order(self, doc_ids: tuple[str, ...] = ()) -> list[DocInfo]:
        """These documents (all when empty), oldest first."""
        return sorted((self.docs[d] for d in doc_ids or self.docs if d in self.docs), key=lambda d: (d.date, d.doc_id))

    def nearest(self, doc_id: str, label: str, size: int = 3) -> list[StoredUnit]:
        """A document's paragraphs (or footnotes, for "fn12") numbered closest to `label`."""
        footnote = label.startswith("fn")

        def number(text: str) -> str:
            return text.removeprefix("fn") if footnote else text

        if not number(label).isdigit():
            return []
        numbered = [u for u in self.units_of(doc_id)
                    if (u.kind is UnitKind.FOOTNOTE) == footnote and number(u.label).isdigit()]
        return sorted(numbered, key=lambda u: abs(int(number(u.label)) - int(number(label))))[:size]

    def containing(self, phrases: Sequence[str], doc_ids: tuple[str, ...]) -> list[str]:
        """Ids of the units of these documents (all when empty) whose text holds one of `phrases`.

        Case, accents, apostrophes and spacing aside: "'narrow but deep'" as a question quotes it.
        """
        wanted = [_plain(p) for p in phrases if _plain(p)]
        if not wanted:  # most questions quote nothing
            return []
        indices = self.scope_indices(doc_ids)
        positions = range(len(self.units)) if indices is None else indices
        return [self.units[i].unit_id for i in positions if any(p in self._plain[i] for p in wanted)]

    @cached_property
    def _plain(self) -> list[str]:
        return [_plain(u.text) for u in self.units]

    def footnote_texts(self, unit: StoredUnit) -> tuple[tuple[int, str], ...]:
        """(number, text) of the footnotes attached to a unit."""
        out = []
        for n in unit.footnotes:
            note = self.by_label.get((unit.doc_id, f"fn{n}"))
            if note is not None:
                out.append((n, note.text))
        return tuple(out)

    def passage(self, unit: StoredUnit, score: float) -> Passage:
        """A passage for a unit, carrying its footnotes' text."""
        return Passage(unit, score, self.footnote_texts(unit))

    def neighbours(self, unit: StoredUnit, before: int = 1, after: int = 1) -> list[StoredUnit]:
        """Units just before and after `unit` in its document (footnotes skipped)."""
        body = [u for u in self.units_of(unit.doc_id) if u.kind is not UnitKind.FOOTNOTE]
        index = next((i for i, u in enumerate(body) if u.unit_id == unit.unit_id), None)
        if index is None:
            return []
        return body[max(0, index - before) : index] + body[index + 1 : index + 1 + after]

    def scope_indices(self, doc_ids: tuple[str, ...]) -> np.ndarray | None:
        """Positions of the units of these documents (None: every unit)."""
        if not doc_ids:
            return None
        ranges = [np.arange(*self.spans[d]) for d in dict.fromkeys(doc_ids) if d in self.spans]
        return np.concatenate(ranges) if ranges else np.zeros(0, dtype=np.int64)

    def in_scope(self, doc_ids: tuple[str, ...]) -> np.ndarray:
        """Boolean mask of units belonging to these documents (all when empty)."""
        mask = np.ones(len(self.units), dtype=bool)
        indices = self.scope_indices(doc_ids)
        if indices is not None:
            mask[:] = False
            mask[indices] = True
        return mask


_LOAD_ATTEMPTS = 5
CACHE_FORMAT = 2  # bump when `_lexical_text` or the cached files change


def _reading_order(unit: StoredUnit) -> tuple[str, int, str]:
    return unit.doc_id, unit.order, unit.unit_id


def corpus_version(active_ids: Iterable[str]) -> str:
    """A key for a set of active units: ids carry content hashes, so equal keys mean equal text."""
    digest = hashlib.sha256(f"snapshot:{TOKENIZER_VERSION}:{CACHE_FORMAT}".encode())
    for uid in sorted(active_ids):
        digest.update(uid.encode("utf-8") + b"\n")
    return digest.hexdigest()[:32]


def _read_units(store: ChromaStore, active: list[str], previous: CorpusSnapshot | None) -> list[StoredUnit] | None:
    """The active units in reading order, reusing those of `previous`; None if some vanished meanwhile."""
    known = {} if previous is None else {u.unit_id: u for u in previous.units}
    missing = list(dict.fromkeys(uid for uid in active if uid not in known))
    fetched = store.get_units(missing)  # by id: paging with offsets slows down as the collection grows
    if len(fetched) != len(missing):
        return None  # a concurrent ingest deleted units the records we read still listed
    fetched_by_id = {u.unit_id: u for u in fetched}
    return sorted((known.get(uid) or fetched_by_id[uid] for uid in dict.fromkeys(active)), key=_reading_order)


def unit_tokens(unit: StoredUnit) -> list[str]:
    """What BM25 indexes for a unit."""
    return tokenize(_lexical_text(unit)) or [EMPTY]


def _lexical_index(units: list[StoredUnit], previous: CorpusSnapshot | None) -> LexicalIndex:
    """The BM25 index of `units` (in snapshot order), tokenizing only units `previous` lacks."""
    known: dict[str, list[str]] = {}
    if previous is not None:
        known = dict(zip((u.unit_id for u in previous.units), previous.lexical.tokens_of(), strict=True))
    return LexicalIndex.from_tokens([known.get(u.unit_id) or unit_tokens(u) for u in units])


def _lexical_text(unit: StoredUnit) -> str:
    # Section titles carry words the paragraph itself may not repeat ("Pillar II").
    return " ".join([*unit.section[-1:], unit.text])


class SnapshotCache:
    """Snapshots saved in a folder, one subfolder per corpus version; the newest few kept.

    Several processes may share the folder (app processes on one machine): a save goes
    to a temporary folder renamed into place, and a cache that cannot be read or written
    only costs a load from the store.
    """

    def __init__(self, folder: Path | None, keep: int = 2) -> None:
        self.folder = folder
        self.keep = keep

    def get(self, version: str) -> tuple[list[StoredUnit], LexicalIndex] | None:
        """The units (in snapshot order) and BM25 index saved for `version`, if any."""
        if self.folder is None or not (self.folder / version).is_dir():
            return None
        try:
            rows = json.loads((self.folder / version / "units.json").read_text(encoding="utf-8"))
            units = [stored_unit(uid, text, meta) for uid, text, meta in rows]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        lexical = LexicalIndex.load(self.folder / version, [u.unit_id for u in units])
        return (units, lexical) if lexical is not None else None

    def put(self, snapshot: CorpusSnapshot) -> None:
        """Save `snapshot` under its version, then drop the oldest saved versions."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.folder))
            rows = [[u.unit_id, u.text, unit_metadata(u)] for u in snapshot.units]
            (tmp / "units.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            snapshot.lexical.save(tmp, [u.unit_id for u in snapshot.units])
            try:
                os.replace(tmp, self.folder / snapshot.version)
            except OSError:  # another process saved this version first
                shutil.rmtree(tmp, ignore_errors=True)
            saved = sorted((p for p in self.folder.iterdir() if not p.name.startswith(".")),
                           key=lambda p: p.stat().st_mtime, reverse=True)
            for old in saved[self.keep :]:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass


def _plain(text: str) -> str:
    return " ".join(fold(text).lower().split())
