"""Re-score a model's recorded answers without running the model again.

`r2p eval SET --replay RUN.json` answers every question of SET through the whole pipeline
(retrieval, numbered sentences, support check, verification) but takes the model's reply
to the same question from RUN.json, a `--json` report of an earlier run of that model (the
sentence ids in a reply refer to the sentences numbered then: a change to retrieval or to
the follow-up wording makes the replay of those questions meaningless). Changing the support
check or the verifier can so be measured on a 1.5B model's full run in seconds. The
timings reported are those of the recorded run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from assistant.models.reply import ReplyChatModel
from assistant.records import Answer, Turn
from assistant.settings import Settings
from ingest.errors import R2PError


class RecordedChatModel(ReplyChatModel):
    """Replies to a structured prompt with the reply recorded for its question."""

    replies: dict[str, str]
    asking: str = ""  # the question being replayed; its recorded reply is returned

    @property
    def _llm_type(self) -> str:
        return "r2p-recorded"

    def _reply(self, messages) -> str:
        return self.replies.get(self.asking, "")


def replay_asker(path: Path, settings: Settings) -> tuple[Callable[[str, list[Turn]], Answer], str]:
    """An asker answering with the replies recorded in the report at `path`, and that run's model."""
    from assistant.chain import Assistant
    from assistant.condense import ContextCondenser
    from assistant.factory import build_embedder, build_retriever

    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        records = report["questions"]
    except (OSError, json.JSONDecodeError, KeyError) as exc:
        raise R2PError(f"{path}: not a `r2p eval --json` report ({exc})") from exc
    replies = {r["question"]: r.get("model_reply", "") for r in records}
    timings = {r["question"]: r["timings"] for r in records}
    embedder = build_embedder(settings)
    embedder.warm_up()
    model = str(report.get("meta", {}).get("model", "recorded"))
    recorded = RecordedChatModel(replies=replies)
    assistant = Assistant(build_retriever(settings, embedder), recorded, model,
                          ContextCondenser(), sources=settings.answer_sources_extractive,
                          max_question_chars=settings.max_question_chars, structured=lambda schema: {})

    def ask(question: str, history: list[Turn]) -> Answer:
        recorded.asking = question
        answer = assistant.ask(question, history)
        return replace(answer, timings=timings.get(question, answer.timings))

    return ask, model
