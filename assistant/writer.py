"""The model's part of an answer: statements over numbered sentences, checked as they arrive.

`StatementWriter.write` sends the budgeted, numbered sentences (`assistant.structured`),
reads the JSON reply while it streams, and checks each complete statement against the
sentences it cites (`assistant.statements`); it yields the ones that hold, so the chat
shows a statement only once it is verified. `Draft` keeps everything for the `Answer`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.records import CheckedStatement
from assistant.statements import admit, check_statement, render, statement_limit
from assistant.structured import (
    STRUCTURED_PROMPT,
    Sentence,
    Statement,
    StructuredReply,
    complete_statements,
    estimate_tokens,
    number_sentences,
    parse_reply,
    reply_schema,
    structured_user_message,
)
from assistant.support import Embed
from vectorstore.records import Passage


@dataclass
class Draft:
    """One structured generation: what was sent, what came back, and the checked statements."""

    sentences: tuple[Sentence, ...] = ()
    prompt_tokens: int = 0
    raw: str = ""
    reply: StructuredReply | None = None
    statements: list[CheckedStatement] = field(default_factory=list)
    first_token_s: float | None = None

    @property
    def shown(self) -> list[CheckedStatement]:
        """The statements that may be shown as cited fact."""
        return [s for s in self.statements if s.supported]

    @property
    def declined(self) -> bool:
        """The model said the sentences do not answer the question."""
        return bool(self.reply and not self.reply.answerable and not self.reply.statements)

    def text(self) -> str:
        """The supported statements, each with its source markers."""
        return " ".join(render(s) for s in self.shown)


class StatementWriter:
    """Asks a chat model for statements over numbered sentences and checks each one."""

    def __init__(self, chat_model: BaseChatModel, options: Callable[[dict], dict], embed: Embed) -> None:
        self.chat_model = chat_model
        self.options = options  # the backend's call options for JSON following a schema
        self.embed = embed

    def write(self, question: str, sources: Sequence[Passage], draft: Draft) -> Iterator[CheckedStatement]:
        """Stream the reply into `draft`; yield each statement that is new and supported."""
        started = time.perf_counter()
        draft.sentences = tuple(number_sentences(question, sources))
        by_id = {s.id: s for s in draft.sentences}
        message = structured_user_message(question, list(draft.sentences), [p.unit.citation for p in sources])
        draft.prompt_tokens = estimate_tokens(STRUCTURED_PROMPT) + estimate_tokens(message)
        options = self.options(reply_schema(list(by_id), statement_limit(question)))
        done = 0
        for chunk in self.chat_model.stream([SystemMessage(STRUCTURED_PROMPT), HumanMessage(message)], **options):
            if draft.first_token_s is None:
                draft.first_token_s = time.perf_counter() - started
            draft.raw += str(chunk.content)
            for statement in complete_statements(draft.raw)[done:]:
                done += 1
                yield from self._admit(question, statement, by_id, sources, draft)
        draft.reply = parse_reply(draft.raw)
        for statement in draft.reply.statements[done:]:
            yield from self._admit(question, statement, by_id, sources, draft)

    def _admit(self, question: str, statement: Statement, by_id: dict[int, Sentence], sources: Sequence[Passage],
               draft: Draft) -> Iterator[CheckedStatement]:
        if not admit(statement, [s.text for s in draft.statements], question):
            return
        checked = check_statement(statement, by_id, sources, self.embed)
        draft.statements.append(checked)
        if checked.supported:
            yield checked
