"""Smoke test of the real local model through the whole chain (0.5B GGUF via llama.cpp)."""

from __future__ import annotations

import pytest

from assistant.factory import build_assistant
from assistant.models.gguf import model_path
from assistant.settings import LLMSettings, Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_fast(ingested, embedder):
    cache = Settings().model_cache
    if model_path("local-fast", cache) is None:
        pytest.fail(f"local-fast is not installed in {cache}: run `r2p models install local-fast` (make test does)")
    settings = ingested.model_copy(update={"models_dir": cache, "llm": LLMSettings(max_tokens=160, temperature=0.0)})
    assistant = build_assistant(settings, "local-fast", embedder)
    yield assistant
    assistant.chat_model.server.stop()


def test_local_model_answers_with_a_verified_paragraph_citation(local_fast):
    answer = local_fast.ask("What does the 2015 report say national focal points should be supported by?")
    assert not answer.abstained, answer.text
    assert answer.citations and all(c.passage.unit.doc_id == "A/69/981" for c in answer.citations)
    assert answer.timings["generate"] > 0


def test_local_model_is_not_asked_when_the_reports_do_not_cover_the_question(local_fast):
    answer = local_fast.ask("What new priorities did the Secretary-General's 2018 report on R2P set out?")
    assert answer.abstained and answer.citations == () and "generate" not in answer.timings


def test_local_model_streams_tokens(local_fast):
    events = list(local_fast.stream("What does the 2017 report say parliaments should do?"))
    assert len(events) > 3 and events[-1].answer.timings.get("first_token", 0) > 0
