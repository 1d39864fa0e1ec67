"""The composition root: builds every heavy object from one `Settings`.

The CLI, the Streamlit app and the eval runner call these functions; nothing below
them reads settings or builds models on its own.
"""

from __future__ import annotations

from assistant.chain import Assistant
from assistant.settings import Settings
from vectorstore.calibration import calibration
from vectorstore.embedder import Embedder
from vectorstore.indexer import Indexer
from vectorstore.retriever import HybridRetriever
from vectorstore.store import ChromaStore, open_client
from vectorstore.tuning import BASE_EMBEDDER, TUNED_EMBEDDER, tuned_path


def build_embedder(settings: Settings) -> Embedder:
    """The sentence-transformers embedder named in the settings (loaded on first use)."""
    if settings.embedding_model != TUNED_EMBEDDER:
        return Embedder(settings.embedding_model, settings.embedding_batch_size)
    missing = (f"the collection-tuned embedder is not built yet: run `r2p tune` (about 5 minutes; `make run` "
               f"does it), or set R2P_EMBEDDING_MODEL={BASE_EMBEDDER} and re-ingest")
    return Embedder(TUNED_EMBEDDER, settings.embedding_batch_size, tuned_path(settings.model_cache), missing)


def build_store(settings: Settings, embedder: Embedder) -> ChromaStore:
    """The Chroma store: a directory under the data dir, or a server when `chroma_url` is set."""
    if settings.chroma_url:
        client = open_client(url=settings.chroma_url)
    else:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        client = open_client(path=str(settings.chroma_dir))
    measured = calibration(settings.embedding_model)
    # The tuned embedder's store lives beside MiniLM's: switching between them needs no rebuild.
    prefix = settings.collection_prefix + measured.collection_suffix
    return ChromaStore(client, prefix, settings.embedding_model, measured.dim or embedder.dim)


def build_indexer(settings: Settings, embedder: Embedder | None = None) -> Indexer:
    """An indexer writing to the configured store."""
    embedder = embedder or build_embedder(settings)
    return Indexer(build_store(settings, embedder), embedder, settings.retrieval.window_sentences)


def build_retriever(settings: Settings, embedder: Embedder | None = None) -> HybridRetriever:
    """The hybrid retriever over the configured store."""
    embedder = embedder or build_embedder(settings)
    r = settings.retrieval
    return HybridRetriever(
        build_store(settings, embedder),
        embedder,
        k=r.k,
        dense_candidates=r.dense_candidates,
        lexical_candidates=r.lexical_candidates,
        fusion=r.fusion,
        rrf_k=r.rrf_k,
    )


def build_assistant(settings: Settings, model: str | None = None, embedder: Embedder | None = None) -> Assistant:
    """The answering assistant with the chat model `model` (default: `settings.model`).

    An embedded model runs in a supervised child process; if that process crashes, the
    assistant says so in one line and answers in extractive mode until it is back.
    """
    from assistant.condense import ContextCondenser, LLMCondenser
    from assistant.models import backend_of, explain_error, make_chat_model
    from assistant.models.extractive import ExtractiveChatModel

    spec = (model or settings.model).strip()
    chat_model = make_chat_model(spec, settings)
    backend = backend_of(spec)
    structured = None
    if backend.structured and settings.answer_format == "structured":
        structured = lambda schema: backend.structured(schema, settings)  # noqa: E731
    embedder = embedder or build_embedder(settings)
    embedder.warm_up()  # load once here, not inside the first question's timings
    use_llm = settings.condense == "llm" and spec != "extractive"
    condenser = LLMCondenser(chat_model) if use_llm else ContextCondenser()
    return Assistant(
        build_retriever(settings, embedder),
        chat_model,
        spec,
        condenser,
        # A structured answer's prompt is bounded by its sentence budget, not by the number of paragraphs.
        sources=settings.answer_sources if backend.name != "extractive" and not structured
        else settings.answer_sources_extractive,
        max_question_chars=settings.max_question_chars,
        explain=lambda exc: explain_error(exc, spec, settings),
        fallback=ExtractiveChatModel() if backend.name == "local" else None,
        structured=structured,
    )
