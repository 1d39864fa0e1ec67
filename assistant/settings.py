"""All configuration in one place: environment variables with the prefix `R2P_`.

Nested sections use a double underscore: `R2P_LLM__N_THREADS=2`. Tests pass keyword
overrides (`Settings(data_dir=tmp_path)`) instead of patching the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_REPORTS = PROJECT_ROOT / "data" / "reports"


def default_data_dir() -> Path:
    """Per-user data folder: $XDG_DATA_HOME/r2p-assistant or ~/.local/share/r2p-assistant."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "r2p-assistant"


class RetrievalSettings(BaseModel):
    """How passages are found and ranked."""

    k: int = 8
    window_sentences: int = 3
    dense_candidates: int = 80
    lexical_candidates: int = 50
    fusion: str = "weighted"  # weighted | rrf (weighted measured better on the dev set)
    rrf_k: int = 60


class LLMSettings(BaseModel):
    """Generation settings shared by the chat-model backends."""

    n_threads: int = Field(default_factory=lambda: os.cpu_count() or 2)
    n_ctx: int = 4096
    # Fused attention in llama.cpp (local models): the 0.5B model read an 850-token prompt at
    # ~190 tokens/s instead of ~150 on 2 cores (benchmarks.llama_speed). Off: R2P_LLM__FLASH_ATTN=false.
    flash_attn: bool = True
    max_tokens: int = 400
    temperature: float = 0.1
    timeout_s: float = 120.0


class Settings(BaseSettings):
    """Settings of the assistant, read from `R2P_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="R2P_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    reports_dir: Path = BUNDLED_REPORTS
    models_dir: Path | None = None  # default: <data_dir>/models
    chroma_url: str | None = None  # e.g. http://localhost:8000 to use a Chroma server
    collection_prefix: str = "r2p"
    # r2p-minilm-tuned: MiniLM fine-tuned on the bundled reports (`r2p tune`); recall up on all six
    # eval sets (README). Any sentence-transformers name or folder works too.
    embedding_model: str = "r2p-minilm-tuned"
    embedding_batch_size: int = 32
    # extractive | local | local-fast | ollama:NAME | openai:NAME. Extractive by measurement: no local model
    # beat the reports' own sentences on citation precision, recall and key terms (README, "Chat models").
    model: str = "extractive"
    ollama_base_url: str = "http://localhost:11434"
    openai_base_url: str = "http://localhost:8080/v1"
    openai_api_key: str = "not-needed"
    max_question_chars: int = 2000
    condense: str = "context"  # context (no model call) | llm (the chat model rewrites follow-ups)
    answer_sources: int = 4  # paragraphs given to an LLM: keeps the prompt (and first token) small
    answer_sources_extractive: int = 5
    answer_format: str = "structured"  # structured (statements over numbered sentences) | free (free text)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @property
    def chroma_dir(self) -> Path:
        """Where the embedded Chroma store lives."""
        return self.data_dir / "chroma"

    @property
    def model_cache(self) -> Path:
        """Where assembled GGUF weights are kept."""
        return self.models_dir or self.data_dir / "models"

    @property
    def ingest_manifest(self) -> Path:
        """JSON record of the files ingested, their hashes and unit counts."""
        return self.data_dir / "ingest-manifest.json"

    @property
    def feedback_file(self) -> Path:
        """Thumbs up/down from the UI, one JSON object per line."""
        return self.data_dir / "feedback.jsonl"
