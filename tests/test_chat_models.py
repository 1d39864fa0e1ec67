"""Contract every chat backend passes: invoke, stream, system prompt delivery, clear errors."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from assistant.models import (
    BACKENDS,
    VALID_SPECS,
    ModelUnavailableError,
    UnknownModelSpecError,
    backend_of,
    describe_model,
    explain_error,
    make_chat_model,
)
from assistant.models.gguf import model_path
from assistant.settings import LLMSettings, Settings
from tests.conftest import r2p
from tests.fake_openai_server import FakeServer, canned_reply, running_fake_server

SYSTEM = "You answer questions about the responsibility to protect. Cite passages like [1]."
QUESTION = "What are the three pillars of the responsibility to protect?"
MESSAGES = [SystemMessage(SYSTEM), HumanMessage(QUESTION)]


@dataclass(frozen=True)
class Backend:
    """A chat model under test and a way to read the system prompts it was sent."""

    spec: str
    model: BaseChatModel
    system_prompts_sent: Callable[[], list[str]] | None
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
def local_fast_backend() -> Iterator[Backend]:
    settings = Settings(llm=llm_settings().model_copy(update={"timeout_s": 300.0}))
    if model_path("local-fast", settings.model_cache) is None:
        pytest.fail(f"local-fast is not installed in {settings.model_cache}: run `r2p models install local-fast`")
    model = make_chat_model("local-fast", settings)
    yield Backend("local-fast", model, None, deterministic=False)
    model.server.stop()


def extractive_backend() -> Backend:
    return Backend("extractive", make_chat_model("extractive", Settings()), None, deterministic=True)


CONTRACT = ["extractive", "openai:fake-model", "ollama:fake-model", pytest.param("local-fast", marks=pytest.mark.slow)]


@pytest.fixture(params=CONTRACT)
def backend(request: pytest.FixtureRequest, fake_server: FakeServer, tmp_path: Path) -> Backend:
    if request.param == "local-fast":
        return request.getfixturevalue("local_fast_backend")
    if request.param == "extractive":
        return extractive_backend()
    return remote_backend(request.param, fake_server, tmp_path)


def test_the_contract_covers_every_backend_in_the_table() -> None:
    specs = [p.values[0] if hasattr(p, "values") else p for p in CONTRACT]
    assert sorted(backend_of(spec).name for spec in specs) == sorted(b.name for b in BACKENDS)


def test_invoke_returns_an_ai_message_with_text(backend: Backend) -> None:
    reply = backend.model.invoke(MESSAGES)
    assert isinstance(reply, AIMessage)
    assert isinstance(reply.content, str) and reply.content.strip()
    if backend.spec.startswith(("openai:", "ollama:")):
        assert reply.content == canned_reply([{"role": "user", "content": QUESTION}])


def test_stream_yields_several_chunks_that_make_the_answer(backend: Backend) -> None:
    chunks = list(backend.model.stream(MESSAGES))
    text = "".join(chunk.content for chunk in chunks)
    assert len(chunks) > 1
    assert text.strip()
    if backend.deterministic:
        assert text == backend.model.invoke(MESSAGES).content


@pytest.mark.parametrize("spec", ["openai:fake-model", "ollama:fake-model"])
def test_the_system_prompt_reaches_a_server(spec: str, fake_server: FakeServer, tmp_path: Path) -> None:
    backend = remote_backend(spec, fake_server, tmp_path)
    backend.model.invoke(MESSAGES)
    assert any(SYSTEM in prompt for prompt in backend.system_prompts_sent())


@pytest.mark.slow
def test_the_system_prompt_reaches_the_local_model(local_fast_backend: Backend) -> None:
    question = HumanMessage("What is the secret code word? Reply with the word only.")
    told = local_fast_backend.model.invoke([SystemMessage("The secret code word is marmalade."), question])
    assert "marmalade" in str(told.content).lower()  # only the system prompt holds the word


STRUCTURED = ["openai:fake-model", "ollama:fake-model", pytest.param("local-fast", marks=pytest.mark.slow)]


@pytest.mark.parametrize("spec", STRUCTURED)
def test_every_generative_backend_replies_in_the_statement_schema(spec, request, fake_server, tmp_path) -> None:
    from assistant.structured import STRUCTURED_PROMPT, Sentence, parse_reply, reply_schema, structured_user_message

    backend = (request.getfixturevalue("local_fast_backend") if spec == "local-fast"
               else remote_backend(spec, fake_server, tmp_path))
    settings = fake_settings(fake_server, tmp_path)
    sentences = [Sentence(1, 1, "Every State has the responsibility to protect its populations from genocide."),
                 Sentence(2, 2, "The international community should encourage and help States.")]
    prompt = structured_user_message("Who has the responsibility to protect populations?", sentences,
                                     ["A/63/677, para. 11", "A/63/677, para. 12"])
    options = backend_of(spec).structured(reply_schema([1, 2], 5), settings)
    reply = parse_reply(str(backend.model.invoke([SystemMessage(STRUCTURED_PROMPT), HumanMessage(prompt)],
                                                 **options).content))
    assert reply.parsed and reply.statements
    assert all(set(s.sentence_ids) <= {1, 2} and s.text for s in reply.statements)


def test_the_extractive_model_answers_only_from_numbered_sources() -> None:
    model = extractive_backend().model
    assert model.invoke(MESSAGES).content == "The reports do not address this."


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
    error = explain_error(caught.value, spec, settings)
    assert isinstance(error, ModelUnavailableError)
    assert url in str(error) and "cannot reach" in str(error)
    variable = "R2P_OLLAMA_BASE_URL" if spec.startswith("ollama") else "R2P_OPENAI_BASE_URL"
    assert variable in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize("spec", ["openai:missing-model", "ollama:missing-model"])
def test_a_model_the_server_lacks_is_explained(
    spec: str, fake_server: FakeServer, tmp_path: Path
) -> None:
    settings = fake_settings(fake_server, tmp_path)
    with pytest.raises(Exception) as caught:
        make_chat_model(spec, settings).invoke(MESSAGES)
    message = str(explain_error(caught.value, spec, settings))
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


def _ask(ingested, spec: str, **env: str):
    """`r2p ask` in a child process, as a user runs it."""
    return r2p("ask", QUESTION, "--model", spec, data_dir=ingested.data_dir, timeout=120, **env)


def _closed_port_url() -> str:
    with socket.socket() as sock:  # bind then close: nothing listens on this port
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("ollama:llama3", "error: cannot reach Ollama at {url}: start it (`ollama serve`) or set R2P_OLLAMA_BASE_URL"),
        ("openai:gpt-4o-mini", "error: cannot reach the OpenAI-compatible server at {url}/v1: start it or set "
                               "R2P_OPENAI_BASE_URL"),
    ],
)
def test_r2p_ask_with_the_server_down_prints_one_line_and_exits_1(ingested, spec: str, expected: str) -> None:
    url = _closed_port_url()
    result = _ask(ingested, spec, R2P_OLLAMA_BASE_URL=url, R2P_OPENAI_BASE_URL=f"{url}/v1")
    assert result.returncode == 1
    assert result.stderr.strip() == expected.format(url=url)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("ollama:missing-model", "has no model 'missing-model': run `ollama pull missing-model`"),
        ("openai:missing-model", "has no model 'missing-model': check the model name"),
        ("openai:slow-model", "model openai:slow-model did not answer within 1 s"),
    ],
)
def test_r2p_ask_explains_a_missing_model_and_a_timeout_in_one_line(
    ingested, fake_server: FakeServer, spec: str, expected: str
) -> None:
    result = _ask(ingested, spec, R2P_OLLAMA_BASE_URL=fake_server.url,
                  R2P_OPENAI_BASE_URL=fake_server.openai_base_url, R2P_LLM__TIMEOUT_S="1")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
