"""Records the assistant hands to its callers (CLI, app, eval runner)."""

from __future__ import annotations

from dataclasses import dataclass, field

from vectorstore.records import Passage


@dataclass(frozen=True)
class Turn:
    """One message of the chat history."""

    role: str  # "user" | "assistant"
    content: str


@dataclass(frozen=True)
class Citation:
    """A source the answer cites: its marker number and the passage (full text kept)."""

    marker: int
    passage: Passage

    @property
    def reference(self) -> str:
        """UN-style reference, e.g. "A/69/981, para. 12"."""
        return self.passage.unit.citation


@dataclass(frozen=True)
class Answer:
    """An answer with its evidence. `abstained` is decided from retrieval, never from wording."""

    question: str
    standalone_question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()  # the numbered sources given to the model
    related: tuple[Passage, ...] = ()  # closest paragraphs offered when abstaining
    retrieved: tuple[Passage, ...] = ()  # the whole ranked retrieval, for evaluation
    flagged: tuple[str, ...] = ()  # sentences with a number or quote no cited source has
    grounded: bool = False  # at least one valid citation and nothing flagged
    model: str = ""
    reason: str = ""  # why the assistant abstained or flagged, for display
    notice: str = ""  # what went wrong with the model while answering (e.g. it crashed; fallback used)
    timings: dict[str, float] = field(default_factory=dict)
