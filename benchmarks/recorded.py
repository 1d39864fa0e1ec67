"""An embedder that remembers vectors the real model already computed.

Embedding the bundled corpus takes about a minute on two cores. Tests and benchmarks
that need the same corpus in a second store (a Chroma server, a store that a writer
thread changes) seed this embedder with the first store's window vectors: every vector
still comes from the real model, once.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from vectorstore.embedder import Embedder
from vectorstore.store import ChromaStore


class RecordedEmbedder(Embedder):
    """The real embedder, answering texts it has seen from memory."""

    def __init__(self, real: Embedder, vectors: dict[str, np.ndarray] | None = None) -> None:
        super().__init__(real.model_name, real.batch_size)
        self.real = real
        self.vectors = vectors if vectors is not None else {}  # shared: the caller may keep adding
        self.computed = 0  # texts the real model had to embed
        self._memo_lock = threading.Lock()

    @classmethod
    def from_store(cls, real: Embedder, store: ChromaStore) -> RecordedEmbedder:
        """Seeded with every window vector of `store`."""
        got = store.windows.get(include=["documents", "embeddings"])
        vectors = {text: np.asarray(v, dtype=np.float32) for text, v in zip(got["documents"], got["embeddings"],
                                                                             strict=True)}
        return cls(real, vectors)

    def warm_up(self) -> None:
        """Load the real model."""
        self.real.warm_up()

    @property
    def dim(self) -> int:
        """Vector size of the real model."""
        return self.real.dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Remembered vectors; the real model embeds (and this remembers) the rest."""
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            fresh = self.real.embed(missing)
            with self._memo_lock:
                self.vectors.update(zip(missing, fresh, strict=True))
                self.computed += len(missing)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])
