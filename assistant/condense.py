"""Condense a follow-up and the chat history into a standalone question.

Two condensers share one method. The contextual one needs no model: a follow-up
("And who is supposed to listen to them?") keeps the previous question as context, so
retrieval sees its report, year and subject. The LLM one asks the chat model to rewrite
the follow-up, and falls back to the contextual form when the rewrite loses the report
years the conversation named, or fails.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage

from assistant.prompts import CONDENSE_PROMPT
from assistant.records import Turn

_FOLLOW_UP = re.compile(
    r"^(?:and|but|also|so|what about|how about|why|then)\b|\b(?:it|its|they|them|their|this|that|these|those|"
    r"he|she|his|her|the same|there|such)\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_MAX_CONTEXT = 300


class Condenser(Protocol):
    """Turns (question, history) into a question that stands alone."""

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """The standalone question."""
        ...


def _last_user_turn(history: Sequence[Turn]) -> str:
    return next((t.content for t in reversed(history) if t.role == "user"), "")


def is_follow_up(question: str, history: Sequence[Turn]) -> bool:
    """A question that leans on the conversation: pronouns, "and ...", or very short."""
    return bool(history) and bool(_FOLLOW_UP.search(question) or len(question.split()) <= 4)


class ContextCondenser:
    """No model: a follow-up carries the previous question along as context."""

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """`question` alone, or `question (following up on: previous question)`."""
        previous = _last_user_turn(history)
        if not previous or not is_follow_up(question, history):
            return question
        return f"{question} (following up on: {previous[:_MAX_CONTEXT]})"


class LLMCondenser:
    """Asks the chat model for a rewrite; the contextual form is the safety net."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model
        self.fallback = ContextCondenser()

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """The model's standalone rewrite, if it keeps the conversation's report years."""
        if not is_follow_up(question, history):
            return question
        transcript = "\n".join(f"{t.role}: {t.content[:_MAX_CONTEXT]}" for t in history[-4:])
        try:
            reply = self.model.invoke([HumanMessage(CONDENSE_PROMPT.format(history=transcript, question=question))])
        except Exception:  # noqa: BLE001 - any model failure falls back to the contextual form
            return self.fallback.condense(question, history)
        rewrite = str(reply.content).strip().strip('"').splitlines()[0] if str(reply.content).strip() else ""
        years = set(_YEAR.findall(_last_user_turn(history)))
        if not rewrite or len(rewrite) > 400 or not years <= set(_YEAR.findall(rewrite)):
            return self.fallback.condense(question, history)
        return rewrite
