"""Chat models on a server: Ollama, or anything that speaks the OpenAI API."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.settings import Settings


def ollama_model(name: str, settings: Settings) -> BaseChatModel:
    """Chat with model `name` on the Ollama server of `settings.ollama_base_url`."""
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=name,
        base_url=settings.ollama_base_url,
        temperature=settings.llm.temperature,
        num_predict=settings.llm.max_tokens,
        client_kwargs={"timeout": settings.llm.timeout_s},
    )


def openai_model(name: str, base_url: str, settings: Settings, api_key: str | None = None) -> BaseChatModel:
    """Chat with model `name` on the OpenAI-compatible server at `base_url`."""
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        model=name,
        base_url=base_url,
        api_key=SecretStr(api_key or settings.openai_api_key),
        temperature=settings.llm.temperature,
        max_completion_tokens=settings.llm.max_tokens,
        # llama.cpp's server and older OpenAI-compatible servers read only `max_tokens`.
        extra_body={"max_tokens": settings.llm.max_tokens},
        timeout=settings.llm.timeout_s,
        max_retries=0,
    )


def classify(exc: BaseException) -> str:
    """Name the kind of failure along the exception chain: timeout, connect, not_found or other."""
    seen: BaseException | None = exc
    while seen is not None:
        kind = _kind_of(seen)
        if kind:
            return kind
        seen = seen.__cause__ or seen.__context__
    return "other"


def _kind_of(exc: BaseException) -> str:
    """Name one exception's kind, or '' when it is none of the known ones."""
    import httpx
    import openai

    kinds: list[tuple[type[BaseException], str]] = [
        (openai.APITimeoutError, "timeout"),
        (httpx.TimeoutException, "timeout"),
        (TimeoutError, "timeout"),
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


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type name when it has none."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError) and exc.errors():
        return str(exc.errors()[0]["msg"]).splitlines()[0]
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
