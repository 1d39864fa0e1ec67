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
class CheckedStatement:
    """A statement of a model's structured answer, the sentences it cites and the support check."""

    text: str
    sources: tuple[int, ...]  # source numbers (1-based) of the cited sentences
    evidence: tuple[str, ...]  # the cited sentences themselves
    supported: bool
    why_not: str = ""
    coverage: float = 0.0
    similarity: float = 0.0
    recited: bool = False  # the model cited other sentences; these are the given ones that carry it
    quoted: bool = False  # the model nearly copied a sentence: `text` is that sentence, verbatim


@dataclass(frozen=True)
class Answer:
    """An answer with its evidence. `abstained` is decided from retrieval, never from wording."""

    question: str
    standalone_question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()  # the numbered sources given to the model
    related: tuple[Passage, ...] = ()  # closest paragraphs offered when abstaining or cautioning
    retrieved: tuple[Passage, ...] = ()  # the whole ranked retrieval, for evaluation
    flagged: tuple[str, ...] = ()  # sentences with a number or quote no cited source has
    grounded: bool = False  # at least one valid citation and nothing flagged
    model: str = ""
    reason: str = ""  # why the assistant abstained or flagged, for display
    caution: str = ""  # why the citations may not answer the question (weak match), for display
    notice: str = ""  # what went wrong with the model while answering (e.g. it crashed; fallback used)
    timings: dict[str, float] = field(default_factory=dict)
    key_sentences: str = ""  # the reports' own sentences for the question, verified, shown before the model's answer
    statements: tuple[CheckedStatement, ...] = ()  # a structured answer's statements, supported or not
    model_declined: bool = False  # the model said the sentences do not answer the question
    prompt_tokens: int = 0  # tokens sent to the model (estimated when the server does not count them)
    model_reply: str = ""  # the model's raw structured reply, for evaluation and replay

    @property
    def unverified(self) -> tuple[CheckedStatement, ...]:
        """Statements the support check rejected: shown as "not verified", never as cited fact."""
        return tuple(s for s in self.statements if not s.supported)
