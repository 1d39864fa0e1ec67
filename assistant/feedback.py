"""Thumbs up/down on answers, kept as JSONL in the data directory, exportable as eval cases.

Each line is one `FeedbackEntry`. `eval_case` turns an entry into a row of the eval
format (evals/README.md): a thumbs-up becomes a regression case with the cited
paragraphs as gold; a thumbs-down becomes a case to fill in, with the cited (or, for an
abstention, the related) paragraphs as draft gold and a `review` note saying what to check.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assistant.records import Answer, Turn
from assistant.render import with_references
from ingest.records import UnitKind
from vectorstore.records import Passage

RATINGS = ("up", "down")
_MARKERS = re.compile(r"\s*\[\d{1,3}\]")


@dataclass(frozen=True)
class RatedParagraph:
    """A paragraph the rated answer cited (or offered as related reading)."""

    doc: str
    para: str | None  # "12", "fn3", or None for an unnumbered block
    reference: str
    text: str


@dataclass(frozen=True)
class FeedbackEntry:
    """One rating of one answer, with what is needed to replay the question."""

    rating: str  # "up" | "down"
    question: str
    standalone_question: str
    answer: str  # with UN-style references in place of the markers
    abstained: bool
    paragraphs: tuple[RatedParagraph, ...] = ()
    history: tuple[Turn, ...] = ()
    comment: str = ""
    model: str = ""
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def to_json(self) -> str:
        """One JSONL line."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> FeedbackEntry:
        """Parse one JSONL line (raises ValueError/KeyError/TypeError when malformed)."""
        data = json.loads(line)
        data["paragraphs"] = tuple(RatedParagraph(**p) for p in data.get("paragraphs", ()))
        data["history"] = tuple(Turn(**t) for t in data.get("history", ()))
        return cls(**data)


def _para_label(passage: Passage) -> str | None:
    unit = passage.unit
    return None if unit.kind is UnitKind.BLOCK else unit.label


def rate(answer: Answer, rating: str, comment: str = "", history: Sequence[Turn] = ()) -> FeedbackEntry:
    """A feedback entry for `answer`; `rating` is "up" or "down"."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
    passages = [c.passage for c in answer.citations] or list(answer.related)
    paragraphs = tuple(
        RatedParagraph(p.unit.doc_id, _para_label(p), p.unit.citation, p.unit.text) for p in passages
    )
    text = with_references(answer.text, answer) if answer.citations else answer.text
    return FeedbackEntry(rating, answer.question, answer.standalone_question, text, answer.abstained,
                         paragraphs, tuple(history), comment.strip(), answer.model)


class FeedbackStore:
    """Append-only JSONL file of feedback entries."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def add(self, entry: FeedbackEntry) -> None:
        """Append one entry (the file and its folder are created on first use)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(entry.to_json() + "\n")

    def entries(self) -> list[FeedbackEntry]:
        """All readable entries, oldest first; a damaged line is skipped, not fatal."""
        if not self.path.is_file():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(FeedbackEntry.from_json(line))
            except (ValueError, KeyError, TypeError):
                continue
        return out

    def export_cases(self, ratings: Iterable[str] = RATINGS) -> str:
        """The entries with these ratings as eval JSONL (see `eval_case`)."""
        wanted = set(ratings)
        rows = [eval_case(e) for e in self.entries() if e.rating in wanted]
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _quote(text: str, answer: str) -> str:
    """8-25 words copied from the paragraph: the answer's sentence when it quotes it."""
    paragraph = " ".join(text.split())
    for sentence in re.split(r"(?<=[.;])\s+", _MARKERS.sub("", answer)):
        words = re.sub(r"\s*\([^()]*, (?:para\.|footnote)[^()]*\)", "", sentence).split()[:20]
        if len(words) >= 8 and " ".join(words) in paragraph:
            return " ".join(words)
    return " ".join(paragraph.split()[:15])


def eval_case(entry: FeedbackEntry) -> dict:
    """A candidate eval row (evals/README.md format) with a `review` note for the curator."""
    confirmed_abstention = entry.abstained and entry.rating == "up"
    gold = [] if confirmed_abstention else [
        {"doc": p.doc, "para": p.para, "quote": _quote(p.text, entry.answer)} for p in entry.paragraphs
    ]
    if entry.rating == "up":
        review = "Confirmed by a user: check the gold paragraphs and add 1-4 must_include terms."
    else:
        review = ("Thumbs down: write the correct answer, keep only the paragraphs that support it "
                  "(draft gold below), set answerable and add must_include terms.")
    if entry.comment:
        review += f" User comment: {entry.comment}"
    if entry.history:
        kind = "followup"
    elif confirmed_abstention:
        kind = "unanswerable"
    else:
        kind = "lookup"
    return {
        "id": f"fb-{entry.id}",
        "question": entry.question,
        "kind": kind,
        "history": [asdict(t) for t in entry.history],
        "answerable": not confirmed_abstention,
        "gold": gold,
        "answer": entry.answer if entry.rating == "up" and not entry.abstained else "",
        "must_include": [],
        "review": review,
        "rating": entry.rating,
        "assistant_answer": entry.answer,
        "model": entry.model,
    }
