"""What `Assistant.stream()` yields, in order: sources, key sentences, tokens (or a notice), the answer."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.records import Answer
from vectorstore.records import Passage


@dataclass(frozen=True)
class SourcesEvent:
    """Retrieval is done: the standalone question and the sources the answer will use."""

    standalone_question: str
    passages: tuple[Passage, ...]
    abstaining: bool


@dataclass(frozen=True)
class KeySentencesEvent:
    """The reports' own sentences that answer the question, verified, before any model writes."""

    text: str


@dataclass(frozen=True)
class TokenEvent:
    """A piece of the answer text as the model produces it."""

    text: str


@dataclass(frozen=True)
class NoticeEvent:
    """The model failed mid-answer: discard the text so far; the answer starts again from the fallback."""

    text: str


@dataclass(frozen=True)
class AnswerEvent:
    """The verified final answer."""

    answer: Answer
