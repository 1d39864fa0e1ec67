"""Checks on what users type, with messages that say what to do."""

from __future__ import annotations

from ingest.errors import R2PError


class QuestionError(R2PError):
    """The question cannot be answered as typed."""


def check_question(question: str, max_chars: int) -> str:
    """Return the question stripped, or raise for empty or overlong input."""
    text = (question or "").strip()
    if not text:
        raise QuestionError("the question is empty: type a question about the R2P reports")
    if len(text) > max_chars:
        raise QuestionError(
            f"the question is {len(text)} characters long; the limit is {max_chars}: "
            "shorten it or ask about one point at a time"
        )
    return text
