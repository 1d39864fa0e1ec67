"""The pipelines `r2p eval` can run: the assistant, or the textbook LangChain recipe.

The naive recipe (RecursiveCharacterTextSplitter 1000/200, the same MiniLM embedder,
top-k similarity) cannot give paragraph numbers. To score it at all, each chunk is
credited with the paragraph it overlaps most (a lenient reading, in its favour); its
answer is composed extractively from the chunks, and it never abstains.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.markers import cited_numbers
from assistant.models.extractive import compose
from assistant.records import Answer, Citation, Turn
from assistant.settings import Settings
from ingest.loader import load_document
from ingest.readers import read_file
from ingest.records import Document, UnitKind
from vectorstore.indexer import expand_paths
from vectorstore.records import Passage, StoredUnit
from vectorstore.windows import split_sentences

Asker = Callable[[str, list[Turn]], Answer]


def build_asker(pipeline: str, settings: Settings, model: str) -> Asker:
    """A function (question, history) -> Answer for the named pipeline."""
    if pipeline == "naive":
        return NaivePipeline(settings).ask
    if pipeline != "assistant":
        from ingest.errors import R2PError

        raise R2PError(f"unknown pipeline '{pipeline}': use assistant or naive")
    from assistant.factory import build_assistant

    assistant = build_assistant(settings, model)
    return lambda question, history: assistant.ask(question, history)


def _best_label(chunk: str, document: Document) -> tuple[str, UnitKind]:
    """The unit whose sentences the chunk contains most of (lenient paragraph credit)."""
    best, best_hits = document.units[0], -1
    for unit in document.units:
        hits = sum(1 for s in split_sentences(unit.text) if len(s) > 20 and s[:60] in chunk)
        if hits > best_hits:
            best, best_hits = unit, hits
    return best.label, best.kind


class NaivePipeline:
    """RecursiveCharacterTextSplitter(1000, 200) + MiniLM + top-k cosine similarity."""

    def __init__(self, settings: Settings) -> None:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from assistant.factory import build_embedder

        self.embedder = build_embedder(settings)
        self.k = settings.retrieval.k
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.chunks: list[StoredUnit] = []
        for path in expand_paths([settings.reports_dir]):
            document = load_document(path)
            for i, chunk in enumerate(splitter.split_text(read_file(Path(path)).text)):
                label, kind = _best_label(chunk, document)
                self.chunks.append(StoredUnit(f"{document.meta.doc_id}#{i}", document.meta.doc_id, label, kind, chunk))
        self.vectors = self.embedder.embed([c.text for c in self.chunks])

    def ask(self, question: str, history: list[Turn]) -> Answer:
        """Retrieve the top-k chunks and quote the best sentences from them."""
        started = time.perf_counter()
        scores = self.vectors @ self.embedder.embed([question])[0]
        top = np.argsort(-scores)[: self.k]
        passages = tuple(Passage(self.chunks[i], float(scores[i])) for i in top)
        retrieved_at = time.perf_counter()
        sources = [(n, p.unit.citation, p.unit.text) for n, p in enumerate(passages[:5], start=1)]
        text = compose(question, sources)
        cited = sorted(cited_numbers(text))
        done = time.perf_counter()
        return Answer(
            question, question, text, False,
            citations=tuple(Citation(n, passages[n - 1]) for n in cited),
            passages=passages[:5], retrieved=passages, model="naive",
            timings={"retrieve": retrieved_at - started, "generate": done - retrieved_at, "total": done - started},
        )
