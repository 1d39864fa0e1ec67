"""Thumbs up/down on answers, kept as JSONL in the data directory.

Each line is one `FeedbackEntry`; `evals.cases` turns entries into candidate eval cases.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assistant.outputs.render import with_references
from assistant.records import Answer, Turn
from ingest.records import UnitKind
from vectorstore.records import Passage

RATINGS = ("up", "down")


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
