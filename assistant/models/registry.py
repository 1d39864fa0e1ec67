"""The table of chat-model backends: how each is named, built, described and how its errors read.

A model is named by a spec string (`Settings.model`): `local`, `local-fast`, a path to a
`.gguf` file, `extractive`, `ollama:NAME` or `openai:NAME`. The factory, `r2p models`,
`r2p doctor` and the error seam all read this one table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.models.errors import ModelUnavailableError, UnknownModelSpecError
from assistant.models.gguf import LOCAL_MODELS
from assistant.models.remote import classify, ollama_model, one_line, openai_model
from ingest.errors import R2PError

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.settings import Settings


@dataclass(frozen=True)
class Backend:
    """One kind of chat model: which specs it takes and how to build and explain it."""

    name: str
    spelling: str  # how a user writes it, for help texts
    matches: Callable[[str], bool]
    build: Callable[[str, Settings], BaseChatModel]
    describe: Callable[[str], str]
    server: Callable[[Settings], tuple[str, str]] | None = None  # (URL, variable that sets it)
    # The call options that make the backend reply in JSON following a schema (None: free text only).
    structured: Callable[[dict, Settings], dict] | None = None


def _build_extractive(spec: str, settings: Settings) -> BaseChatModel:
    from assistant.models.extractive import ExtractiveChatModel

    return ExtractiveChatModel()


def _build_local(spec: str, settings: Settings) -> BaseChatModel:
    from assistant.models.local import build_local_model

    return build_local_model(spec, settings)


def _describe_local(spec: str) -> str:
    if spec in LOCAL_MODELS:
        return f"{spec}: {LOCAL_MODELS[spec].description}, {LOCAL_MODELS[spec].size_hint}"
    return f"{spec}: GGUF file run by llama.cpp on this machine"


def _json_object(schema: dict, settings: Settings) -> dict:
    """llama-cpp-python's server: a JSON object constrained by the schema (a grammar)."""
    return {"extra_body": {"max_tokens": settings.llm.max_tokens,
                           "response_format": {"type": "json_object", "schema": schema}}}


def _json_schema(schema: dict, settings: Settings) -> dict:
    """The OpenAI API's structured outputs (llama.cpp's llama-server, vLLM, LM Studio, OpenAI)."""
    return {"extra_body": {"max_tokens": settings.llm.max_tokens,
                           "response_format": {"type": "json_schema",
                                               "json_schema": {"name": "answer", "schema": schema}}}}


def _remote_name(spec: str) -> str:
    """The model name after `prefix:`, or an error when it is missing."""
    prefix, _, name = spec.partition(":")
    if not name.strip():
        raise UnknownModelSpecError(f"{spec!r} names no model: write {prefix}:NAME")
    return name.strip()


BACKENDS: tuple[Backend, ...] = (
    Backend("extractive", "extractive", lambda s: s == "extractive", _build_extractive,
            lambda s: "extractive: quotes the best retrieved passages, no language model"),
    Backend("local", " | ".join([*LOCAL_MODELS, "PATH.gguf"]),
            lambda s: s in LOCAL_MODELS or s.lower().endswith(".gguf"), _build_local, _describe_local,
            structured=_json_object),
    Backend("ollama", "ollama:NAME", lambda s: s.startswith("ollama:"),
            lambda s, st: ollama_model(_remote_name(s), st),
            lambda s: f"{s}: model {_remote_name(s)!r} served by Ollama",
            server=lambda st: (st.ollama_base_url, "R2P_OLLAMA_BASE_URL"),
            structured=lambda schema, st: {"format": schema}),
    Backend("openai", "openai:NAME", lambda s: s.startswith("openai:"),
            lambda s, st: openai_model(_remote_name(s), st.openai_base_url, st),
            lambda s: f"{s}: model {_remote_name(s)!r} on an OpenAI-compatible server",
            server=lambda st: (st.openai_base_url, "R2P_OPENAI_BASE_URL"), structured=_json_schema),
)
VALID_SPECS = tuple(b.spelling for b in BACKENDS)


def backend_of(spec: str) -> Backend:
    """The backend that takes `spec`, or an error listing the valid spellings."""
    spec = spec.strip()
    for backend in BACKENDS:
        if backend.matches(spec):
            return backend
    raise UnknownModelSpecError(f"unknown model {spec!r}: use one of {', '.join(VALID_SPECS)}")


def make_chat_model(spec: str, settings: Settings) -> BaseChatModel:
    """Build the LangChain chat model named by `spec`; build it once and reuse it."""
    return backend_of(spec).build(spec.strip(), settings)


def describe_model(spec: str) -> str:
    """Say in one line what backend and model `spec` stands for, for status lines and logs."""
    return backend_of(spec).describe(spec.strip())


def explain_error(exc: BaseException, spec: str, settings: Settings) -> R2PError:
    """Turn any error raised while calling model `spec` into a one-line, fixable message."""
    if isinstance(exc, R2PError):
        return exc
    backend = backend_of(spec)
    url, env_var = backend.server(settings) if backend.server else ("this machine", "")
    kind = classify(exc)
    name = spec.partition(":")[2]
    if kind == "timeout":
        message = (f"model {spec} did not answer within {settings.llm.timeout_s:g} s at {url}: "
                   f"check it is not overloaded or raise R2P_LLM__TIMEOUT_S")
    elif kind == "connect" and backend.name == "ollama":
        message = f"cannot reach Ollama at {url}: start it (`ollama serve`) or set {env_var}"
    elif kind == "connect" and env_var:
        message = f"cannot reach the OpenAI-compatible server at {url}: start it or set {env_var}"
    elif kind == "not_found" and backend.name == "ollama":
        message = f"the server at {url} has no model {name!r}: run `ollama pull {name}`"
    elif kind == "not_found":
        message = f"the server at {url} has no model {name!r}: check the model name"
    else:
        message = f"model {spec} failed: {one_line(exc)}"
    error = ModelUnavailableError(message)
    error.__cause__ = exc
    return error
