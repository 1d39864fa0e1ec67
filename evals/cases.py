"""Candidate eval cases from UI feedback.

A thumbs-up becomes a regression case with the cited paragraphs as gold; a thumbs-down
becomes a case to fill in, with the cited (or, for an abstention, the related) paragraphs
as draft gold and a `review` note for the curator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.markers import strip_markers
from assistant.outputs.feedback import RATINGS, FeedbackEntry
from evals.dataset import EvalCase, GoldEntry, Turn


class CandidateCase(EvalCase):
    """An eval row (evals/README.md format) plus what a curator needs to review it."""

    review: str
    rating: str
    assistant_answer: str
    model: str


def case_from_feedback(entry: FeedbackEntry) -> CandidateCase:
    """The candidate case for one feedback entry."""
    confirmed_abstention = entry.abstained and entry.rating == "up"
    gold = [] if confirmed_abstention else [
        GoldEntry(doc=p.doc, para=p.para, quote=_quote(p.text, entry.answer)) for p in entry.paragraphs
    ]
    if entry.rating == "up":
        review = "Confirmed by a user: check the gold paragraphs and add 1-4 must_include terms."
    else:
        review = ("Thumbs down: write the correct answer, keep only the paragraphs that support it "
                  "(draft gold below), set answerable and add must_include terms.")
    if entry.comment:
        review += f" User comment: {entry.comment}"
    kind = "followup" if entry.history else "unanswerable" if confirmed_abstention else "lookup"
    return CandidateCase(
        id=f"fb-{entry.id}", question=entry.question, kind=kind,
        history=[Turn(role=t.role, content=t.content) for t in entry.history],
        answerable=not confirmed_abstention, gold=gold,
        answer=entry.answer if entry.rating == "up" and not entry.abstained else "",
        must_include=[], review=review, rating=entry.rating, assistant_answer=entry.answer, model=entry.model,
    )


def export_candidates(entries: Iterable[FeedbackEntry], ratings: Iterable[str] = RATINGS) -> str:
    """The entries with these ratings as eval JSONL, one candidate case a line."""
    wanted = set(ratings)
    rows = [case_from_feedback(e) for e in entries if e.rating in wanted]
    return "".join(row.model_dump_json() + "\n" for row in rows)


def _quote(text: str, answer: str) -> str:
    """8-25 words copied from the paragraph: the answer's sentence when it quotes it."""
    paragraph = " ".join(text.split())
    for sentence in re.split(r"(?<=[.;])\s+", strip_markers(answer)):
        words = re.sub(r"\s*\([^()]*, (?:para\.|footnote)[^()]*\)", "", sentence).split()[:20]
        if len(words) >= 8 and " ".join(words) in paragraph:
            return " ".join(words)
    return " ".join(paragraph.split()[:15])
