"""What one Streamlit process builds once (embedder, assistant, retriever) and what one browser session keeps."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from typing import Any

import streamlit as st

from assistant.chain import Assistant
from assistant.factory import build_assistant, build_embedder, build_retriever
from assistant.outputs.briefing import Briefing
from assistant.settings import Settings
from ui.state import ChatSession
from vectorstore.embedder import Embedder
from vectorstore.retriever import HybridRetriever


@st.cache_resource(show_spinner=False)
def load_embedder(_settings: Settings, name: str) -> Embedder:
    """The sentence embedder, loaded once per process."""
    embedder = build_embedder(_settings)
    embedder.warm_up()
    return embedder


@st.cache_resource(show_spinner=False)
def load_assistant(_settings: Settings, key: str, spec: str) -> Assistant:
    """The assistant for model `spec` over the store of these settings (`key`), once per process."""
    return build_assistant(_settings, spec, load_embedder(_settings, _settings.embedding_model))


@st.cache_resource(show_spinner=False)
def load_retriever(_settings: Settings, key: str) -> HybridRetriever:
    """The retriever alone, for browsing and filters when the chat model cannot be loaded."""
    return build_retriever(_settings, load_embedder(_settings, _settings.embedding_model))


@st.cache_resource(show_spinner=False)
def generation_lock(key: str, spec: str):
    """One answer at a time per local model: its server answers one request at a time anyway."""
    return threading.Lock() if spec in ("local", "local-fast") or spec.endswith(".gguf") else nullcontext()


def session() -> Any:
    """This browser session's state: chat, briefing, comparison."""
    state = st.session_state
    state.setdefault("chat", ChatSession())
    state.setdefault("briefing", Briefing())
    state.setdefault("comparison", None)
    return state
