"""Hybrid paragraph retrieval: dense over sentence windows + BM25 over units, fused.

A unit's dense score is its best window; BM25 scores whole units; reciprocal rank
fusion (or weighted fusion) combines them. Query understanding turns "the 2015 report"
into a filter and "paragraph 12 of the 2015 report" into a lookup; compare questions
are answered from every report in scope, round-robin, so each is represented.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.records import UnitKind
from vectorstore.embedder import Embedder
from vectorstore.fusion import ranked, reciprocal_rank_fusion, weighted_fusion
from vectorstore.lexical import EMPTY, TOKENIZER_VERSION, LexicalCache, LexicalIndex, tokenize
from vectorstore.query import QueryPlan, plan_query
from vectorstore.records import DocInfo, Passage, StoredUnit
from vectorstore.store import ChromaStore, DocumentVectors, StoreError


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some documents and/or years (empty: no restriction)."""

    doc_ids: tuple[str, ...] = ()
    years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """How strongly the corpus supports a question: the input of the abstention decision."""

    dense_top: float = 0.0  # best cosine similarity of a window in scope
    lexical_top: float = 0.0  # best BM25 score in scope
    missing_terms: tuple[str, ...] = ()  # question terms found nowhere in the corpus
    rare_terms: tuple[str, ...] = ()  # question terms found in few units


@dataclass(frozen=True)
class RetrievalResult:
    """Passages best first, with the plan that produced them and the evidence seen."""

    passages: tuple[Passage, ...]
    plan: QueryPlan
    evidence: Evidence = field(default_factory=Evidence)
    seconds: float = 0.0


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

    @classmethod
    def load(cls, store: ChromaStore, previous: CorpusSnapshot | None = None,
             cache: LexicalCache | None = None) -> CorpusSnapshot:
        """Read the committed units (those listed by a document record) from the store.

        Units and tokens of `previous` are reused, so a refresh after a few documents
        changed reads and tokenizes only those; the BM25 index of a corpus version seen
        before is loaded from `cache` instead of being rebuilt.
        """
        for _ in range(_LOAD_ATTEMPTS):
            records = store.document_records()
            active = [uid for _, ids in records.values() for uid in ids]
            version = corpus_version(active)
            if previous is not None and previous.version == version:
                return previous
            units = _read_units(store, active, previous)
            if units is not None:
                break
        else:
            raise StoreError("the store kept changing while it was read (an ingest is running?): try again")
        units.sort(key=_reading_order)
        lexical = _lexical_index(units, version, previous, cache or LexicalCache(None))
        return cls(units, {doc_id: info for doc_id, (info, _) in records.items()}, lexical, version)

    def units_of(self, doc_id: str) -> list[StoredUnit]:
        """A document's units in order (footnotes included)."""
        start, end = self.spans.get(doc_id, (0, 0))
        return self.units[start:end]

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
LEXICAL_TEXT_VERSION = 1  # bump when `_lexical_text` changes


def _reading_order(unit: StoredUnit) -> tuple[str, int, str]:
    return unit.doc_id, unit.order, unit.unit_id


def corpus_version(active_ids) -> str:
    """A key for a set of active units: ids carry content hashes, so equal keys mean equal text."""
    digest = hashlib.sha256(f"lexical:{TOKENIZER_VERSION}:{LEXICAL_TEXT_VERSION}".encode())
    for uid in sorted(active_ids):
        digest.update(uid.encode("utf-8") + b"\n")
    return digest.hexdigest()[:32]


def _read_units(store: ChromaStore, active: list[str], previous: CorpusSnapshot | None) -> list[StoredUnit] | None:
    """The active units, reusing those of `previous`; None if some vanished meanwhile."""
    known = {} if previous is None else {u.unit_id: u for u in previous.units}
    missing = [uid for uid in active if uid not in known]
    if len(missing) > len(active) // 2:  # mostly new: one paged scan beats lookups by id
        wanted = set(missing)
        fetched = [u for u in store.all_units() if u.unit_id in wanted]
    else:
        fetched = store.get_units(missing)
    if len(fetched) != len(set(missing)):
        return None  # a concurrent ingest deleted units the records we read still listed
    fetched_by_id = {u.unit_id: u for u in fetched}
    return [known.get(uid) or fetched_by_id[uid] for uid in dict.fromkeys(active)]


def unit_tokens(unit: StoredUnit) -> list[str]:
    """What BM25 indexes for a unit."""
    return tokenize(_lexical_text(unit)) or [EMPTY]


def _lexical_index(units: list[StoredUnit], version: str, previous: CorpusSnapshot | None,
                   cache: LexicalCache) -> LexicalIndex:
    """The BM25 index of `units` (in snapshot order): loaded, or built reusing known tokens."""
    keys = [u.unit_id for u in units]
    if (index := cache.get(version, keys)) is not None:
        return index
    known: dict[str, list[str]] = {}
    if previous is not None:
        known = dict(zip((u.unit_id for u in previous.units), previous.lexical.tokens_of(), strict=True))
    index = LexicalIndex.from_tokens([known.get(u.unit_id) or unit_tokens(u) for u in units])
    cache.put(version, keys, index)
    return index


def _lexical_text(unit: StoredUnit) -> str:
    # Section titles carry words the paragraph itself may not repeat ("Pillar II").
    return " ".join([*unit.section[-1:], unit.text])


class HybridRetriever:
    """Retrieves units for a question; loads its corpus snapshot lazily and refreshes it.

    Safe to share between threads. A change to the store is noticed with one small read
    (the store's stamp); while one thread loads the new snapshot, the others keep
    answering from the current one. `cache_dir` keeps BM25 indexes across restarts.
    """

    def __init__(self, store: ChromaStore, embedder: Embedder, k: int = 8, dense_candidates: int = 80,
                 lexical_candidates: int = 50, fusion: str = "rrf", rrf_k: int = 60,
                 cache_dir: Path | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.k = k
        self.dense_candidates = dense_candidates
        self.lexical_candidates = lexical_candidates
        self.fusion = fusion
        self.rrf_k = rrf_k
        local = store.local_path
        self.cache = LexicalCache(cache_dir or (local.parent / "lexical-cache" / store.prefix if local else None))
        self.vectors = DocumentVectors(store)
        self._snapshot: CorpusSnapshot | None = None
        self._stamp: str | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> CorpusSnapshot:
        """The current corpus snapshot, reloaded when documents were (re)ingested."""
        stamp = self.store.corpus_stamp()
        current = self._snapshot
        if current is not None and (stamp == self._stamp or not self._lock.acquire(blocking=False)):
            return current  # unchanged, or another thread is loading the new snapshot
        if current is None:
            self._lock.acquire()
        try:
            if self._snapshot is not None and stamp == self._stamp:
                return self._snapshot
            self._snapshot = CorpusSnapshot.load(self.store, self._snapshot, self.cache)
            self._stamp = stamp
            return self._snapshot
        finally:
            self._lock.release()

    def documents(self) -> list[DocInfo]:
        """Documents in the corpus, oldest first."""
        return sorted(self.snapshot().docs.values(), key=lambda d: (d.date, d.doc_id))

    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None) -> RetrievalResult:
        """The `k` best passages for `question` within `filters`."""
        started = time.perf_counter()
        snap = self.snapshot()
        k = k or self.k
        plan = plan_query(question, list(snap.docs.values()))
        scope = _scope(plan, filters or Filters(), snap.docs)
        dense, dense_top = self._dense(plan.text, scope, snap)
        lexical = self._lexical(plan.text, scope, snap)
        fused = _demote_footnotes(self._fuse(dense, lexical), snap, plan.text)
        order = _round_robin(fused, snap, scope) if plan.compare and len(scope) > 1 else ranked(fused)
        passages = [snap.passage(snap.units[snap.by_id[uid]], fused[uid]) for uid in order[:k]]
        if plan.lookup and (unit := snap.by_label.get(plan.lookup)) is not None:
            passages = [snap.passage(unit, 1.0)] + [p for p in passages if p.unit.unit_id != unit.unit_id][: k - 1]
        evidence = _evidence(question, snap, dense_top, lexical)
        return RetrievalResult(tuple(passages), plan, evidence, time.perf_counter() - started)

    def _dense(self, question: str, scope: tuple[str, ...], snap: CorpusSnapshot) -> tuple[dict[str, float], float]:
        vector = self.embedder.embed([question])[0]
        whole = len(scope) > PER_DOCUMENT_QUERIES and len(scope) == len(snap.docs)
        if scope and not whole:
            hits = self._dense_within(vector, scope, snap)
        else:
            hits = self.store.query_windows(vector, self.dense_candidates, None)
        scores: dict[str, float] = {}
        for uid, sim in hits:
            if uid in snap.by_id:
                scores[uid] = max(sim, scores.get(uid, -1.0))
        return scores, max(scores.values(), default=0.0)

    def _dense_within(self, vector: np.ndarray, scope: tuple[str, ...],
                      snap: CorpusSnapshot) -> list[tuple[str, float]]:
        """Exact search over the windows of the documents in scope.

        The best windows overall and, for a few documents, the best of each, so that
        none is crowded out.
        """
        query = vector / (np.linalg.norm(vector) or 1.0)
        owners: list[list[str]] = []
        sims: list[np.ndarray] = []
        for doc_id in scope:
            doc_owners, matrix = self.vectors.of(tuple(u.unit_id for u in snap.units_of(doc_id)))
            owners.append(doc_owners)
            sims.append(matrix @ query if len(doc_owners) else np.zeros(0, dtype=np.float32))
        flat_owners = [o for doc_owners in owners for o in doc_owners]
        flat = np.concatenate(sims) if sims else np.zeros(0, dtype=np.float32)
        hits = [(flat_owners[i], float(flat[i])) for i in _top(np.arange(len(flat)), flat, self.dense_candidates)]
        if 1 < len(scope) <= PER_DOCUMENT_QUERIES:
            per_doc = max(10, self.dense_candidates // len(scope))
            for doc_owners, doc_sims in zip(owners, sims, strict=True):
                hits += [(doc_owners[i], float(doc_sims[i])) for i in _top(np.arange(len(doc_sims)), doc_sims, per_doc)]
        return hits

    def _lexical(self, question: str, scope: tuple[str, ...], snap: CorpusSnapshot) -> dict[str, float]:
        scores = snap.lexical.scores(question)
        if not len(scores):
            return {}
        indices = snap.scope_indices(scope)
        candidates = np.flatnonzero(scores > 0) if indices is None else indices[scores[indices] > 0]
        top = _top(candidates, scores, self.lexical_candidates)
        return {snap.units[i].unit_id: float(scores[i]) for i in top}

    def _fuse(self, dense: dict[str, float], lexical: dict[str, float]) -> dict[str, float]:
        if self.fusion == "weighted":
            return weighted_fusion([dense, lexical], [0.6, 0.4])
        return reciprocal_rank_fusion([ranked(dense), ranked(lexical)], k=self.rrf_k)


# Dense search within documents is exact (their window vectors in memory); up to this
# many documents in scope each also gets its own candidates. A scope of every document of
# a larger corpus is the whole corpus: the HNSW index, without a filter.
PER_DOCUMENT_QUERIES = 8

_ASKS_FOR_SOURCES = re.compile(
    r"\b(?:footnotes?|cites?|cited|citing|sources?|references?|documents?|resolutions?|press release|"
    r"who first|first (?:came|used|referred)|treaty|treaties|convention|instruments?)\b",
    re.I,
)
FOOTNOTE_WEIGHT = 0.5


def _top(candidates: np.ndarray, scores: np.ndarray, n: int) -> np.ndarray:
    """The `n` best candidates by score (ties by position), without sorting the rest."""
    if len(candidates) > n:
        values = scores[candidates]
        cut = np.partition(values, len(values) - n)[len(values) - n]
        candidates = candidates[values >= cut]
    return candidates[np.lexsort((candidates, -scores[candidates]))][:n]


def _demote_footnotes(fused: dict[str, float], snap: CorpusSnapshot, question: str) -> dict[str, float]:
    """Footnotes are mostly references: rank them lower unless the question asks for sources."""
    if _ASKS_FOR_SOURCES.search(question):
        return fused
    return {
        uid: score * (FOOTNOTE_WEIGHT if snap.units[snap.by_id[uid]].kind is UnitKind.FOOTNOTE else 1.0)
        for uid, score in fused.items()
    }


def _scope(plan: QueryPlan, filters: Filters, docs: dict[str, DocInfo]) -> tuple[str, ...]:
    """Documents to search: the user's filters, narrowed by the question when they overlap."""
    allowed = [d for d, info in docs.items()
               if (not filters.doc_ids or d in filters.doc_ids) and (not filters.years or info.year in filters.years)]
    if not filters.doc_ids and not filters.years:
        allowed = sorted(docs)
    asked = [d for d in plan.doc_ids if d in allowed]
    scope = asked or allowed
    return tuple(scope) if (filters.doc_ids or filters.years or asked or plan.compare) else ()


def _round_robin(fused: dict[str, float], snap: CorpusSnapshot, scope: tuple[str, ...]) -> list[str]:
    """Interleave the best units of each document, strongest document first."""
    per_doc: dict[str, list[str]] = {}
    for uid in ranked(fused):
        per_doc.setdefault(snap.units[snap.by_id[uid]].doc_id, []).append(uid)
    queues = sorted(per_doc.values(), key=lambda ids: -fused[ids[0]])
    out: list[str] = []
    for i in range(max((len(q) for q in queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


def _evidence(question: str, snap: CorpusSnapshot, dense_top: float, lexical: dict[str, float]) -> Evidence:
    terms = list(dict.fromkeys(tokenize(question)))
    missing = tuple(t for t in terms if snap.lexical.document_frequency(t) == 0)
    limit = max(2, math.ceil(0.01 * len(snap.units)))
    rare = tuple(t for t in terms if 0 < snap.lexical.document_frequency(t) <= limit)
    return Evidence(dense_top, max(lexical.values(), default=0.0), missing, rare)
