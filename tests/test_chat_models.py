"""Contract every chat backend passes: invoke, stream, system prompt delivery, clear errors."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from assistant.chat_models import (
    VALID_SPECS,
    ModelUnavailableError,
    UnknownModelSpecError,
    describe_model,
    explain_connection_error,
    make_chat_model,
)
from assistant.local_models import model_path
from assistant.settings import LLMSettings, Settings
from tests.fake_openai_server import FakeServer, canned_reply, running_fake_server

SYSTEM = "You answer questions about the responsibility to protect. Cite passages like [1]."
QUESTION = "What are the three pillars of the responsibility to protect?"
MESSAGES = [SystemMessage(SYSTEM), HumanMessage(QUESTION)]


@dataclass(frozen=True)
class Backend:
    """A chat model under test and a way to read the system prompts it was sent."""

    spec: str
    model: BaseChatModel
    system_prompts_sent: Callable[[], list[str]]
    deterministic: bool


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeServer]:
    with running_fake_server() as server:
        yield server


def llm_settings() -> LLMSettings:
    return LLMSettings(n_threads=2, n_ctx=1024, max_tokens=48, temperature=0.0, timeout_s=10.0)


def fake_settings(server: FakeServer, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        openai_base_url=server.openai_base_url,
        ollama_base_url=server.url,
        llm=llm_settings(),
    )


def remote_backend(spec: str, server: FakeServer, tmp_path: Path) -> Backend:
    model = make_chat_model(spec, fake_settings(server, tmp_path))
    sent = lambda: [text for r in server.requests for text in r.contents("system")]  # noqa: E731
    return Backend(spec, model, sent, deterministic=True)


@pytest.fixture(scope="module")
def local_fast_backend() -> Backend:
    settings = Settings(llm=llm_settings())
    if model_path("local-fast", settings.model_cache) is None:
        pytest.skip(
            f"local-fast is not installed in {settings.model_cache}: "
            "run `r2p models install local-fast`"
        )
    model = make_chat_model("local-fast", settings)

    def sent() -> list[str]:
        client = model.client  # the llama_cpp.Llama; its input ids hold the last prompt
        return [client.detokenize(client._input_ids.tolist()).decode("utf-8", "replace")]

    return Backend("local-fast", model, sent, deterministic=False)


@pytest.fixture(
    params=[
        "openai:fake-model",
        "ollama:fake-model",
        pytest.param("local-fast", marks=pytest.mark.slow),
    ]
)
def backend(request: pytest.FixtureRequest, fake_server: FakeServer, tmp_path: Path) -> Backend:
    if request.param == "local-fast":
        return request.getfixturevalue("local_fast_backend")
    return remote_backend(request.param, fake_server, tmp_path)


def test_invoke_returns_an_ai_message_with_text(backend: Backend) -> None:
    reply = backend.model.invoke(MESSAGES)
    assert isinstance(reply, AIMessage)
    assert isinstance(reply.content, str) and reply.content.strip()
    if backend.deterministic:
        assert reply.content == canned_reply([{"role": "user", "content": QUESTION}])


def test_stream_yields_several_chunks_that_make_the_answer(backend: Backend) -> None:
    chunks = list(backend.model.stream(MESSAGES))
    text = "".join(chunk.content for chunk in chunks)
    assert len(chunks) > 1
    assert text.strip()
    if backend.deterministic:
        assert text == backend.model.invoke(MESSAGES).content


def test_the_system_prompt_reaches_the_backend(backend: Backend) -> None:
    backend.model.invoke(MESSAGES)
    assert any(SYSTEM in prompt for prompt in backend.system_prompts_sent())


@pytest.mark.parametrize("spec", ["openai:fake-model", "ollama:fake-model"])
def test_an_unreachable_server_gives_a_fixable_error(spec: str, tmp_path: Path) -> None:
    with socket.socket() as sock:  # bind then close: nothing listens on this port
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        data_dir=tmp_path, openai_base_url=f"{url}/v1", ollama_base_url=url, llm=llm_settings()
    )
    with pytest.raises(Exception) as caught:
        make_chat_model(spec, settings).invoke(MESSAGES)
    error = explain_connection_error(caught.value, spec, settings)
    assert isinstance(error, ModelUnavailableError)
    assert url in str(error) and "cannot reach" in str(error)
    assert "R2P_OPENAI_BASE_URL" in str(error) or "R2P_OLLAMA_BASE_URL" in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize("spec", ["openai:missing-model", "ollama:missing-model"])
def test_a_model_the_server_lacks_is_explained(
    spec: str, fake_server: FakeServer, tmp_path: Path
) -> None:
    settings = fake_settings(fake_server, tmp_path)
    with pytest.raises(Exception) as caught:
        make_chat_model(spec, settings).invoke(MESSAGES)
    message = str(explain_connection_error(caught.value, spec, settings))
    assert "has no model 'missing-model'" in message


@pytest.mark.parametrize("spec", ["gpt-4", "llama:foo", "", "local-huge"])
def test_an_unknown_spec_lists_the_valid_ones(spec: str, tmp_path: Path) -> None:
    with pytest.raises(UnknownModelSpecError) as caught:
        make_chat_model(spec, Settings(data_dir=tmp_path))
    assert all(valid in str(caught.value) for valid in VALID_SPECS)


@pytest.mark.parametrize("prefix", ["ollama", "openai"])
def test_a_remote_spec_without_a_name_says_how_to_write_it(prefix: str, tmp_path: Path) -> None:
    with pytest.raises(UnknownModelSpecError, match=f"{prefix}:NAME"):
        make_chat_model(f"{prefix}:", Settings(data_dir=tmp_path))


def test_a_local_model_that_is_not_installed_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="r2p models install local-fast"):
        make_chat_model("local-fast", Settings(data_dir=tmp_path))


def test_a_missing_gguf_path_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="no GGUF file"):
        make_chat_model(str(tmp_path / "absent.gguf"), Settings(data_dir=tmp_path))


def test_a_file_that_is_not_gguf_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"not a model")
    with pytest.raises(ModelUnavailableError, match="not a GGUF file"):
        make_chat_model(str(fake), Settings(data_dir=tmp_path))


def test_describe_model_names_each_backend() -> None:
    assert "Ollama" in describe_model("ollama:llama3.2")
    assert "OpenAI-compatible" in describe_model("openai:gpt-4o-mini")
    assert "0.5B" in describe_model("local-fast")
    assert "1.5B" in describe_model("local")
    assert "no language model" in describe_model("extractive")
    with pytest.raises(UnknownModelSpecError):
        describe_model("nonsense")
