"""One factory for every chat-model backend: embedded llama.cpp, Ollama, OpenAI-compatible.

A model is named by a spec string (`Settings.model`): `local`, `local-fast`, a path to a
`.gguf` file, `extractive`, `ollama:NAME` or `openai:NAME`.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from assistant.local_models import LOCAL_MODELS, ModelNotInstalledError, resolve_gguf
from ingest.errors import R2PError

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.settings import Settings

VALID_SPECS = ("local", "local-fast", "extractive", "ollama:NAME", "openai:NAME", "PATH.gguf")

# Prompt tokens evaluated per llama.cpp batch. ChatLlamaCpp defaults to 8, which made the
# time to first token of a 700-token RAG prompt twice as long on 2 CPU cores.
LLAMA_N_BATCH = 512


class ModelUnavailableError(R2PError):
    """The chosen chat model cannot be used now: not installed, not loadable or not reachable."""


class UnknownModelSpecError(ModelUnavailableError):
    """The model spec names no known backend."""


def make_chat_model(spec: str, settings: Settings) -> BaseChatModel:
    """Build the LangChain chat model named by `spec`, configured from `settings.llm`.

    Build it once and reuse it: the embedded models keep the KV cache of the previous
    prompt, so a new question that starts with the same system prompt is answered sooner.
    """
    spec = spec.strip()
    if spec == "extractive":
        # Dispatch to the extractive (no LLM) backend, built in assistant/extractive.py.
        from assistant.extractive import ExtractiveChatModel

        return ExtractiveChatModel()
    if spec.startswith("ollama:"):
        return _ollama_model(_remote_name(spec, "ollama"), settings)
    if spec.startswith("openai:"):
        return _openai_model(_remote_name(spec, "openai"), settings)
    if _is_local(spec):
        return _llama_cpp_model(spec, settings)
    raise _unknown(spec)


def describe_model(spec: str) -> str:
    """Say in one line what backend and model `spec` stands for, for status lines and logs."""
    spec = spec.strip()
    if spec == "extractive":
        return "extractive: quotes the best retrieved passages, no language model"
    if spec.startswith("ollama:"):
        return f"{spec}: model {_remote_name(spec, 'ollama')!r} served by Ollama"
    if spec.startswith("openai:"):
        return f"{spec}: model {_remote_name(spec, 'openai')!r} on an OpenAI-compatible server"
    if spec in LOCAL_MODELS:
        local = LOCAL_MODELS[spec]
        return f"{spec}: {local.description}, {local.size_hint}"
    if _is_local(spec):
        return f"{spec}: GGUF file run by llama.cpp on this machine"
    raise _unknown(spec)


def explain_connection_error(
    exc: BaseException, spec: str, settings: Settings
) -> ModelUnavailableError:
    """Turn an error raised while calling a remote model into a one-line, fixable message."""
    url, env_var = _server_of(spec, settings)
    kind = _classify(exc)
    if kind == "timeout":
        message = (
            f"the server at {url} did not answer within {settings.llm.timeout_s:g} s: "
            f"check it is not overloaded or raise R2P_LLM__TIMEOUT_S"
        )
    elif kind == "connect" and spec.startswith("ollama:"):
        message = f"cannot reach Ollama at {url}: start it (`ollama serve`) or set {env_var}"
    elif kind == "connect":
        message = f"cannot reach the OpenAI-compatible server at {url}: start it or set {env_var}"
    elif kind == "not_found":
        name = spec.partition(":")[2]
        fix = f"run `ollama pull {name}`" if spec.startswith("ollama:") else "check the model name"
        message = f"the server at {url} has no model {name!r}: {fix}"
    else:
        message = f"model {spec} failed at {url}: {_one_line(exc)}"
    error = ModelUnavailableError(message)
    error.__cause__ = exc
    return error


def _llama_cpp_model(spec: str, settings: Settings) -> BaseChatModel:
    """Load a GGUF file with llama.cpp through LangChain's `ChatLlamaCpp`."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise ModelUnavailableError(
            "llama-cpp-python is not installed: pip install 'r2p-assistant[local]'"
        )
    try:
        path = resolve_gguf(spec, settings.model_cache)
    except ModelNotInstalledError as exc:
        raise ModelUnavailableError(str(exc)) from exc
    from langchain_community.chat_models import ChatLlamaCpp

    llm = settings.llm
    try:
        return ChatLlamaCpp(
            model_path=str(path),
            n_ctx=llm.n_ctx,
            n_threads=llm.n_threads,
            n_batch=min(LLAMA_N_BATCH, llm.n_ctx),
            max_tokens=llm.max_tokens,
            temperature=llm.temperature,
            streaming=True,
            verbose=False,
        )
    except ValueError as exc:
        fix = f"run `r2p models install {spec}`" if spec in LOCAL_MODELS else "check the file"
        raise ModelUnavailableError(f"could not load {path}: {_one_line(exc)}; {fix}") from exc


def _ollama_model(name: str, settings: Settings) -> BaseChatModel:
    """Chat with model `name` on the Ollama server of `settings.ollama_base_url`."""
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=name,
        base_url=settings.ollama_base_url,
        temperature=settings.llm.temperature,
        num_predict=settings.llm.max_tokens,
        client_kwargs={"timeout": settings.llm.timeout_s},
    )


def _openai_model(name: str, settings: Settings) -> BaseChatModel:
    """Chat with model `name` on the OpenAI-compatible server of `settings.openai_base_url`."""
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        model=name,
        base_url=settings.openai_base_url,
        api_key=SecretStr(settings.openai_api_key),
        temperature=settings.llm.temperature,
        max_completion_tokens=settings.llm.max_tokens,
        timeout=settings.llm.timeout_s,
        max_retries=0,
    )


def _is_local(spec: str) -> bool:
    """Tell whether `spec` names an embedded model or a GGUF file."""
    return spec in LOCAL_MODELS or spec.lower().endswith(".gguf")


def _remote_name(spec: str, prefix: str) -> str:
    """The model name after `prefix:`, or an error when it is missing."""
    name = spec.partition(":")[2].strip()
    if not name:
        raise UnknownModelSpecError(f"{spec!r} names no model: write {prefix}:NAME")
    return name


def _unknown(spec: str) -> UnknownModelSpecError:
    """The error for a spec that names no backend, listing the valid ones."""
    return UnknownModelSpecError(f"unknown model {spec!r}: use one of {', '.join(VALID_SPECS)}")


def _server_of(spec: str, settings: Settings) -> tuple[str, str]:
    """The base URL a remote spec talks to and the variable that sets it."""
    if spec.startswith("ollama:"):
        return settings.ollama_base_url, "R2P_OLLAMA_BASE_URL"
    return settings.openai_base_url, "R2P_OPENAI_BASE_URL"


def _classify(exc: BaseException) -> str:
    """Name the kind of failure found along the exception chain of `exc`."""
    seen: BaseException | None = exc
    while seen is not None:
        kind = _kind_of(seen)
        if kind:
            return kind
        seen = seen.__cause__ or seen.__context__
    return "other"


def _kind_of(exc: BaseException) -> str:
    """Name one exception's kind: timeout, connect, not_found or '' when unknown."""
    import httpx
    import openai

    kinds: list[tuple[type[BaseException], str]] = [
        (openai.APITimeoutError, "timeout"),
        (httpx.TimeoutException, "timeout"),
        (openai.APIConnectionError, "connect"),
        (httpx.TransportError, "connect"),
        (ConnectionError, "connect"),  # what the ollama client raises
        (openai.NotFoundError, "not_found"),
    ]
    for exc_type, kind in kinds:
        if isinstance(exc, exc_type):
            return kind
    if getattr(exc, "status_code", None) == 404:  # ollama.ResponseError
        return "not_found"
    return ""


def _one_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type name when it has none."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError) and exc.errors():
        return str(exc.errors()[0]["msg"]).splitlines()[0]
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
