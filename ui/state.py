"""What the Streamlit app keeps, as plain Python tested without Streamlit.

The chat session (questions, answers, the history sent with a follow-up), the sidebar's
filters and the model status line. `app.py` and the pages only lay these out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.records import Answer, Turn
from vectorstore.records import DocInfo
from vectorstore.retriever import Filters

# -- chat ---------------------------------------------------------------------------------


@dataclass
class Exchange:
    """One question and its answer, plus what the user did with it."""

    question: str
    answer: Answer
    rating: str = ""  # "up" | "down" once rated
    in_briefing: bool = False
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    @property
    def rephrased(self) -> str:
        """The standalone question when the assistant reworded a follow-up, else ""."""
        standalone = self.answer.standalone_question.strip()
        return standalone if standalone and standalone != self.question.strip() else ""


@dataclass
class ChatSession:
    """The conversation of one browser session."""

    exchanges: list[Exchange] = field(default_factory=list)

    def history(self) -> list[Turn]:
        """Prior turns, as the assistant takes them for condensing a follow-up."""
        turns = []
        for ex in self.exchanges:
            turns += [Turn("user", ex.question), Turn("assistant", ex.answer.text)]
        return turns

    def add(self, question: str, answer: Answer) -> Exchange:
        """Record an answered question."""
        exchange = Exchange(question, answer)
        self.exchanges.append(exchange)
        return exchange

    def find(self, exchange_id: str) -> Exchange:
        """The exchange with this id."""
        return next(ex for ex in self.exchanges if ex.id == exchange_id)

    def clear(self) -> None:
        """Start a new chat."""
        self.exchanges.clear()


# -- sidebar ------------------------------------------------------------------------------


def doc_label(info: DocInfo) -> str:
    """How a document is named in pickers: "2015 · A/69/981 · A vital and enduring…"."""
    title = info.title if len(info.title) <= 60 else info.title[:59].rsplit(" ", 1)[0] + "…"
    return f"{info.year or '—'} · {info.doc_id} · {title}"


def year_options(docs: Sequence[DocInfo]) -> list[int]:
    """The years that documents in the corpus carry."""
    return sorted({d.year for d in docs if d.year})


def make_filters(doc_ids: Sequence[str] = (), years: Sequence[int] = ()) -> Filters:
    """Sidebar selections as retrieval filters (nothing selected: the whole corpus)."""
    return Filters(tuple(doc_ids), tuple(sorted(years)))


def docs_in_scope(docs: Sequence[DocInfo], filters: Filters) -> list[DocInfo]:
    """The documents a question will be searched in."""
    return [d for d in docs
            if (not filters.doc_ids or d.doc_id in filters.doc_ids) and (not filters.years or d.year in filters.years)]


@dataclass(frozen=True)
class ModelStatus:
    """The chat model in use and whether it can answer."""

    spec: str
    description: str
    error: str = ""  # why it is unavailable, with how to fix it

    @property
    def available(self) -> bool:
        """True when the model loaded."""
        return not self.error


def answer_modes(settings) -> list[str]:
    """The models a user can answer with: extractive, the configured one, and the installed local ones."""
    from assistant.models.gguf import LOCAL_MODELS, model_path

    installed = [name for name in LOCAL_MODELS if model_path(name, settings.model_cache) is not None]
    return list(dict.fromkeys(["extractive", settings.model, *installed]))


def answer_mode_label(spec: str) -> str:
    """How the sidebar names an answer mode."""
    if spec == "extractive":
        return "The reports' own sentences (no language model)"
    return f"Sentences + synthesis by {spec}"


def model_status(spec: str, error: Exception | None = None) -> ModelStatus:
    """Status line of model `spec`, loaded or failed with `error`."""
    from assistant.models import describe_model

    try:
        description = describe_model(spec)
    except Exception as exc:  # an unknown spec: its error says which specs exist
        return ModelStatus(spec, spec, str(error or exc))
    return ModelStatus(spec, description, str(error) if error else "")
