"""Hybrid paragraph retrieval: dense over sentence windows + BM25 over units, fused.

A unit's dense score is its best window; BM25 scores whole units; reciprocal rank
fusion (or weighted fusion) combines them. Query understanding turns "the 2015 report"
into a filter and "paragraph 12 of the 2015 report" into a lookup; compare questions
are answered from every report in scope, round-robin, so each is represented.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ingest.records import UnitKind
from vectorstore.calibration import calibration
from vectorstore.embedder import Embedder
from vectorstore.evidence import fact_evidence, names_outside
from vectorstore.fusion import ranked, reciprocal_rank_fusion, weighted_fusion
from vectorstore.lexical import coverage, straighten
from vectorstore.lists import asked_count, asked_noun, asks_for_list, with_list_items
from vectorstore.names import unknown_names
from vectorstore.paragraphs import no_such_paragraph, place_paragraph
from vectorstore.query import QueryPlan, asks_for_the_paragraph, plan_query, quoted_phrases
from vectorstore.records import DocInfo, Passage
from vectorstore.snapshot import CorpusSnapshot, SnapshotCache
from vectorstore.store import ChromaStore, DocumentVectors

__all__ = ["CorpusSnapshot", "Evidence", "Filters", "HybridRetriever", "RetrievalResult"]


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
    unknown_names: tuple[str, ...] = ()  # names in the question that no document uses
    corpus_years: tuple[int, ...] = ()  # the years of the reports the collection holds
    asks_for: tuple[str, ...] = ()  # kinds of fact the question asks for: "a figure", "a date", "a vote", ...
    facts_missing: tuple[str, ...] = ()  # of those, the ones no paragraph about the subject holds
    premise_missing: tuple[str, ...] = ()  # words of a "why does the report ..." premise the report never uses
    # Names that other reports use but none of the reports searched (a question about one report).
    names_outside_scope: tuple[str, ...] = ()
    searched: tuple[str, ...] = ()  # the reports searched, when the question or the filters chose some
    named_in: tuple[str, ...] = ()  # the reports that do use those names
    # A paragraph asked for by a number its report lacks: what the report has instead.
    no_such_paragraph: str = ""
    # A paragraph asked for by its number without naming a report, when several reports have it.
    which_report: str = ""
    embedder: str = ""  # the model whose similarity scale dense_top is on


@dataclass(frozen=True)
class RetrievalResult:
    """Passages best first, with the plan that produced them and the evidence seen."""

    passages: tuple[Passage, ...]
    plan: QueryPlan
    evidence: Evidence = field(default_factory=Evidence)
    seconds: float = 0.0


class HybridRetriever:
    """Retrieves units for a question; loads its corpus snapshot lazily and refreshes it.

    Safe to share between threads. A change to the store is noticed with one small read
    (the store's stamp); while one thread loads the new snapshot, the others keep
    answering from the current one. `cache_dir` keeps snapshots across restarts (default:
    beside an embedded store; none for a Chroma server unless given).
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
        self.cache = SnapshotCache(cache_dir or (local.parent / "snapshot-cache" / store.prefix if local else None))
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
        return self.snapshot().in_date_order()

    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None) -> RetrievalResult:
        """The `k` best passages for `question` within `filters`."""
        started = time.perf_counter()
        snap = self.snapshot()
        k = k or self.k
        plan = plan_query(question, list(snap.docs.values()))
        scope = _scope(plan, filters or Filters(), snap.docs)
        placed, which, absent = [], "", ""
        if plan.lookup is None and (label := asks_for_the_paragraph(question)):  # no one report named
            placed, which, absent = place_paragraph(label, scope, snap)
            plan = plan if which or absent else replace(plan, lookup=(placed[0].doc_id, label))
        order, fused, dense_top, lexical = self._ranked(question, plan, scope, snap)
        passages = [snap.passage(snap.units[snap.by_id[uid]], fused.get(uid, 0.0)) for uid in order[:k]]
        if first := _asked_first(plan, snap, scope):  # the paragraph asked for, or the reports' overviews
            ids = {u.unit_id for u in first}
            passages = ([snap.passage(u, 1.0) for u in first] + [p for p in passages if p.unit.unit_id not in ids])[:k]
        evidence = _evidence(question, snap, dense_top, lexical, self.embedder.model_name)
        if plan.lookup and plan.lookup not in snap.by_label:
            absent, placed = no_such_paragraph(plan.lookup, snap), snap.nearest(*plan.lookup)
        if which or absent:  # declined; the paragraphs with that number, or the closest, are the related reading
            evidence = replace(evidence, which_report=which, no_such_paragraph=absent)
            passages = [snap.passage(u, 0.0) for u in placed] or passages
        evidence = replace(evidence, **fact_evidence(question, passages, snap, scope))
        if scope and len(scope) < len(snap.docs) and not evidence.unknown_names:
            missing, named_in = names_outside(question, scope, snap)
            if missing:  # declined; its related reading comes from the reports that use the names
                evidence = replace(evidence, names_outside_scope=missing,
                                   searched=tuple(snap.docs[d].short_symbol for d in scope),
                                   named_in=tuple(snap.docs[d].short_symbol for d in named_in))
                if named_in:
                    passages = list(self.retrieve(question, k, Filters(doc_ids=named_in)).passages)
        return RetrievalResult(tuple(passages), plan, evidence, time.perf_counter() - started)

    def _ranked(self, question: str, plan: QueryPlan, scope: tuple[str, ...], snap: CorpusSnapshot) -> tuple:
        """(unit ids best first, fused scores, best dense similarity, BM25 scores) for the plan."""
        dense, dense_top = self._dense(plan.text, scope, snap)
        lexical = self._lexical(plan.text, scope, snap)
        per_document = plan.compare and len(scope) > 1
        if per_document:
            lexical = self._lexical_per_document(plan.text, scope, snap)
        best = snap.units[snap.by_id[max(lexical, key=lexical.get)]].text if lexical else ""
        fused = self._fuse(dense, lexical, coverage(plan.text, best, snap.lexical) if lexical else 1.0)
        fused = _demote_footnotes(fused, snap, plan.text)
        for uid in snap.containing(quoted_phrases(question), scope):  # the paragraphs using the words quoted
            fused[uid] = fused.get(uid, 0.0) + PHRASE_BONUS
        order = _round_robin(fused, snap, scope) if per_document else ranked(fused)
        if asks_for_list(plan.text) and not plan.compare:
            order = with_list_items(order, snap, asked_count(plan.text), asked_noun(plan.text))
        return order, fused, dense_top, lexical

    def _dense(self, question: str, scope: tuple[str, ...], snap: CorpusSnapshot) -> tuple[dict[str, float], float]:
        vector = self.embedder.embed([straighten(question)])[0]  # "d’Ivoire" as "d'Ivoire": near ties flipped
        whole = len(scope) > PER_DOCUMENT_QUERIES and len(scope) == len(snap.docs)
        if scope and not whole:
            hits = self._dense_within(vector, scope, snap)
        elif len(snap.units) <= EXACT_SEARCH_UNITS:
            hits = self._dense_within(vector, tuple(snap.docs), snap, per_document=False)
        else:
            hits = self.store.query_windows(vector, self.dense_candidates, None)
        scores: dict[str, float] = {}
        for uid, sim in hits:
            if uid in snap.by_id:
                scores[uid] = max(sim, scores.get(uid, -1.0))
        return scores, max(scores.values(), default=0.0)

    def _dense_within(self, vector: np.ndarray, scope: tuple[str, ...], snap: CorpusSnapshot,
                      per_document: bool = True) -> list[tuple[str, float]]:
        """Exact search over the windows of the documents in scope.

        The best windows overall and, for a few documents (`per_document`), the best of
        each, so that none is crowded out.
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
        if per_document and 1 < len(scope) <= PER_DOCUMENT_QUERIES:
            per_doc = max(10, self.dense_candidates // len(scope))
            for doc_owners, doc_sims in zip(owners, sims, strict=True):
                hits += [(doc_owners[i], float(doc_sims[i])) for i in _top(np.arange(len(doc_sims)), doc_sims, per_doc)]
        return hits

    def _lexical_per_document(self, topic: str, scope: tuple[str, ...], snap: CorpusSnapshot) -> dict[str, float]:
        """BM25 candidates of each report in scope, so that none is crowded out."""
        scores = snap.lexical.scores(topic, respell=True)
        lexical: dict[str, float] = {}
        for doc_id in scope:
            lexical.update(self._lexical(topic, (doc_id,), snap, scores))
        return lexical

    def _lexical(self, question: str, scope: tuple[str, ...], snap: CorpusSnapshot,
                 scores: np.ndarray | None = None) -> dict[str, float]:
        scores = snap.lexical.scores(question, respell=True) if scores is None else scores
        if not len(scores):
            return {}
        indices = snap.scope_indices(scope)
        candidates = np.flatnonzero(scores > 0) if indices is None else indices[scores[indices] > 0]
        top = _top(candidates, scores, self.lexical_candidates)
        return {snap.units[i].unit_id: float(scores[i]) for i in top}

    def _fuse(self, dense: dict[str, float], lexical: dict[str, float], coverage: float = 1.0) -> dict[str, float]:
        if self.fusion == "weighted":
            # Few of the question's words in the best BM25 paragraph: a paraphrase, where BM25 is noise.
            paraphrase = calibration(self.embedder.model_name).paraphrase_dense_weight
            dense_weight = 0.6 if coverage >= WEAK_LEXICAL else paraphrase
            return weighted_fusion([dense, lexical], [dense_weight, 1 - dense_weight])
        return reciprocal_rank_fusion([ranked(dense), ranked(lexical)], k=self.rrf_k)


# Dense search within documents is exact (their window vectors in memory); up to this
# many documents in scope each also gets its own candidates. A scope of every document of
# a larger corpus is the whole corpus: the HNSW index, without a filter.
PER_DOCUMENT_QUERIES = 8
# Up to this many units (about four windows each: 60 MB of vectors, a few ms a question),
# a search of the whole corpus is exact too. The HNSW index is approximate, and which near
# neighbours it misses changed from one process to the next: the same question could rank
# a paragraph 8th in one run and drop it from the top 10 in the next.
EXACT_SEARCH_UNITS = 10_000

_ASKS_FOR_SOURCES = re.compile(
    r"\b(?:footnotes?|cites?|cited|citing|sources?|references?|documents?|resolutions?|press release|"
    r"who first|first (?:came|used|referred)|treaty|treaties|convention|instruments?)\b",
    re.I,
)
FOOTNOTE_WEIGHT = 0.5
# Added to the fused score (in [0, 1]) of the paragraphs that use a phrase the question quotes
# (1.0 lowered dev R@1 q 0.76 -> 0.75; 0.2 and 0.5 the same on dev and dev2).
PHRASE_BONUS = 0.5
# Below this share of the question's words in the best BM25 paragraph, dense similarity leads, by a weight each
# embedder's calibration holds (`vectorstore.calibration`).
WEAK_LEXICAL = 0.4


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


def _asked_first(plan: QueryPlan, snap: CorpusSnapshot, scope: tuple[str, ...]) -> list:
    """The paragraph a lookup names, or the overview of each report in scope (oldest first), else []."""
    if plan.lookup and (unit := snap.by_label.get(plan.lookup)) is not None:
        return [unit]
    if not plan.summary:
        return []
    docs = [d.doc_id for d in snap.in_date_order(scope)]
    return [u for d in docs for u in snap.overview(d, 3 if len(docs) == 1 else 1)]


def _evidence(question: str, snap: CorpusSnapshot, dense_top: float, lexical: dict[str, float],
              embedder: str) -> Evidence:
    names = tuple(unknown_names(question, snap.vocabulary))
    years = tuple(sorted({d.year for d in snap.docs.values() if d.year}))
    return Evidence(dense_top, max(lexical.values(), default=0.0), names, years, embedder=embedder)
