"""Large corpora made from the real paragraphs, with vectors made from real embeddings.

Embedding 100k paragraphs with MiniLM on two cores would take about two hours, so the
real model embeds each sentence of the bundled reports once, and a synthetic paragraph
is built from real sentences: about half of a real paragraph's own sentences (so it
stays on that paragraph's topic) completed with sentences from other paragraphs, with
the real paragraph's sentence count. Its windows are embedded as the mean of their
sentences' real vectors plus a little noise, so no two paragraphs are duplicates in
text or vector. Paragraphs go into reports of 100, with years 2005-2024.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.loader import load_document
from ingest.records import Document, DocumentMeta, Unit, UnitKind
from vectorstore.embedder import Embedder
from vectorstore.indexer import expand_paths
from vectorstore.windows import sentence_windows, split_sentences

UNITS_PER_DOCUMENT = 100
NOISE = 0.01  # per dimension: a window vector keeps ~0.98 cosine with its sentences' mean


@dataclass
class Material:
    """The real paragraphs, their sentences and one real vector per sentence."""

    units: list[Unit]
    sentences: list[str]
    vectors: dict[str, np.ndarray]
    embed_seconds: float  # what the real model took for the sentences (0 when cached)


def real_material(reports: Path, embedder: Embedder, cache: Path) -> Material:
    """Parse the bundled reports and embed their sentences (cached in `cache`)."""
    units = [u for path in expand_paths([reports]) for u in load_document(path).units]
    sentences = list(dict.fromkeys(s for u in units for s in split_sentences(u.text)))
    key = hashlib.sha256("\n".join(sentences).encode()).hexdigest()[:16]
    file = cache / f"sentences-{key}.npy"
    seconds = 0.0
    if file.exists():
        matrix = np.load(file)
    else:
        started = time.perf_counter()
        matrix = embedder.embed(sentences)
        seconds = time.perf_counter() - started
        cache.mkdir(parents=True, exist_ok=True)
        np.save(file, matrix)
    return Material(units, sentences, dict(zip(sentences, matrix, strict=True)), seconds)


class SyntheticCorpus:
    """Reports of synthetic paragraphs, and the window vectors they need."""

    def __init__(self, material: Material, seed: int = 7) -> None:
        self.material = material
        self.rng = np.random.default_rng(seed)
        self.vectors: dict[str, np.ndarray] = {}  # window text -> vector, for a RecordedEmbedder
        self._seen: set[str] = set()

    def documents(self, paragraphs: int) -> Iterator[Document]:
        """Reports holding `paragraphs` paragraphs in all."""
        for number, start in enumerate(range(0, paragraphs, UNITS_PER_DOCUMENT)):
            count = min(UNITS_PER_DOCUMENT, paragraphs - start)
            yield self.document(number, count)

    def document(self, number: int, count: int) -> Document:
        """Report `number` with `count` paragraphs; records its window vectors."""
        year = 2005 + number % 20
        doc_id = f"A/{90 + number // 10000}/{number % 10000 + 1000}"
        meta = DocumentMeta(doc_id=doc_id, symbol=doc_id, short_symbol=doc_id, date=f"{year}-07-{1 + number % 28:02d}",
                            title=f"Synthetic report {number} on the responsibility to protect",
                            author="Secretary-General", kind="report")
        units, counters = [], {UnitKind.NUMBERED: 0, UnitKind.FOOTNOTE: 0}
        for order in range(count):
            template = self.material.units[int(self.rng.integers(len(self.material.units)))]
            kind = UnitKind.FOOTNOTE if template.kind is UnitKind.FOOTNOTE else UnitKind.NUMBERED
            counters[kind] += 1
            label = f"fn{counters[kind]}" if kind is UnitKind.FOOTNOTE else str(counters[kind])
            sentences = self._sentences(template)
            text = " ".join(sentences)
            units.append(Unit(label, kind, text, template.section, (), order))
            for window in sentence_windows(text):
                if window not in self.vectors:
                    self.vectors[window] = self._vector(window, sentences)
        digest = hashlib.sha256("".join(u.text for u in units).encode()).hexdigest()[:16]
        return Document(meta, tuple(units), f"synthetic-{number}.txt", digest)

    def _sentences(self, template: Unit) -> list[str]:
        own = split_sentences(template.text) or [template.text]
        pool = self.material.sentences
        sentences = own[: (len(own) + 1) // 2]
        while len(sentences) < max(2, len(own)) or " ".join(sentences) in self._seen:
            sentences.append(pool[int(self.rng.integers(len(pool)))])
        self._seen.add(" ".join(sentences))
        return sentences

    def _vector(self, window: str, sentences: list[str]) -> np.ndarray:
        parts = [self.material.vectors[s] for s in split_sentences(window) if s in self.material.vectors]
        if not parts:  # joined sentences can split differently (a heading without a full stop)
            parts = [self.material.vectors[s] for s in sentences if s in self.material.vectors]
        vector = np.mean(parts, axis=0) + self.rng.normal(0.0, NOISE, len(parts[0]))
        return (vector / np.linalg.norm(vector)).astype(np.float32)
