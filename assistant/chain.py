"""The answering chain: condense -> retrieve -> decide -> generate -> verify -> Answer.

`Assistant.runnable()` is the LangChain runnable (each step a `RunnableLambda` over a
`Turnstate`); `Assistant.stream()` runs the same steps but yields the sources as soon as
retrieval is done, then the key sentences (the reports' own words, verified, at once),
then the model's answer statement by statement (or token by token for free text).

A generative model answers in structured form (`assistant.structured`): statements over
numbered sentences, each checked against the sentences it cites (`assistant.support`).
A model or server that does not return the structure is read as free text, attributed
and verified as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableLambda

from assistant.abstain import Decision, caution, decide
from assistant.catalogue import SOURCE_NOTE as CATALOGUE_NOTE
from assistant.catalogue import catalogue_answer
from assistant.condense import Condenser
from assistant.events import AnswerEvent, KeySentencesEvent, NoticeEvent, SourcesEvent, TokenEvent
from assistant.models.errors import ModelCrashedError
from assistant.prompts import SYSTEM_PROMPT, redact_prompt, user_message
from assistant.records import Answer, Citation, Turn
from assistant.statements import key_sentences, render
from assistant.validation import check_question
from assistant.verify import Verification, attribute, join_sentences, split_answer_sentences, verify
from assistant.writer import Draft, StatementWriter
from vectorstore.retriever import Filters, HybridRetriever, RetrievalResult
from vectorstore.titles import reports_by_year

RELATED_ON_ABSTAIN = 3


@dataclass
class TurnState:
    """What flows between the chain's steps for one question."""

    question: str
    history: tuple[Turn, ...] = ()
    filters: Filters = field(default_factory=Filters)
    standalone: str = ""
    asked: str = ""  # the standalone question as the answer is composed for: reports named by year, not title
    retrieval: RetrievalResult | None = None
    decision: Decision | None = None
    text: str = ""
    verification: Verification | None = None
    notice: str = ""
    key_sentences: str = ""
    draft: Draft | None = None  # a structured answer's generation
    catalogue: str = ""  # the answer to a question about the reports themselves (title, date, ...)
    timings: dict[str, float] = field(default_factory=dict)


class Assistant:
    """Answers questions about the reports with verified paragraph citations."""

    def __init__(self, retriever: HybridRetriever, chat_model: BaseChatModel, model_name: str,
                 condenser: Condenser, sources: int = 5, max_question_chars: int = 2000,
                 explain: Callable[[BaseException], BaseException] | None = None,
                 fallback: BaseChatModel | None = None,
                 structured: Callable[[dict], dict] | None = None) -> None:
        self.retriever = retriever
        self.chat_model = chat_model
        self.model_name = model_name
        self.condenser = condenser
        self.sources = sources
        self.max_question_chars = max_question_chars
        # The one seam where a backend's errors become one-line `R2PError`s (default: left as raised).
        self.explain = explain or (lambda exc: exc)
        # Answers the question when the model's process crashed (see `ModelCrashedError`).
        self.fallback = fallback
        # A backend that can reply in JSON following a schema writes checked statements (else free text).
        self.writer = StatementWriter(chat_model, structured, retriever.embedder.embed) if structured else None
        # One generation at a time per model (a local model's server answers one request at a time).
        self._model_lock = threading.Lock()

    # -- steps ---------------------------------------------------------------------
    def condense(self, state: TurnState) -> TurnState:
        """Turn a follow-up into a standalone question (unchanged without history)."""
        started = time.perf_counter()
        state.question = check_question(state.question, self.max_question_chars)
        with self._model_lock:  # the LLM condenser shares the chat model
            state.standalone = self.condenser.condense(state.question, state.history)
        state.timings["condense"] = time.perf_counter() - started
        return state

    def retrieve(self, state: TurnState) -> TurnState:
        """Find the paragraphs for the standalone question."""
        started = time.perf_counter()
        state.retrieval = self.retriever.retrieve(state.standalone, filters=state.filters)
        state.asked = reports_by_year(state.standalone, self.retriever.documents())
        state.timings["retrieve"] = time.perf_counter() - started
        return state

    def decide(self, state: TurnState) -> TurnState:
        """Answer or abstain from the retrieval evidence (about the reports themselves: from the catalogue)."""
        state.catalogue = catalogue_answer(state.standalone, state.retrieval.plan, self.retriever.documents)
        state.decision = Decision(False, rule="catalogue") if state.catalogue else decide(state.retrieval)
        return state

    def generate(self, state: TurnState) -> TurnState:
        """Ask the chat model, unless abstaining."""
        for _event in self._generation(state):
            pass
        return state

    def verify(self, state: TurnState) -> Answer:
        """Check citations and claims; build the `Answer`."""
        started = time.perf_counter()
        answer = self._finish(state)
        timings = dict(state.timings)
        timings["verify"] = time.perf_counter() - started
        timings["total"] = sum(v for k, v in timings.items() if k in ("condense", "retrieve", "generate", "verify"))
        # When a verified answer is first on screen: the key sentences, or the whole answer without them.
        early = ("condense", "retrieve", "key_sentences") if "key_sentences" in timings else ("total",)
        timings["verified_content"] = sum(timings.get(k, 0.0) for k in early)
        return replace(answer, timings=timings)

    # -- composition -----------------------------------------------------------------
    def runnable(self) -> Runnable:
        """The chain as a LangChain runnable: TurnState in, Answer out."""
        return (
            RunnableLambda(self.condense, name="condense")
            | RunnableLambda(self.retrieve, name="retrieve")
            | RunnableLambda(self.decide, name="decide")
            | RunnableLambda(self.generate, name="generate")
            | RunnableLambda(self.verify, name="verify")
        )

    def ask(self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None) -> Answer:
        """Answer one question (with optional chat history and filters)."""
        return self.runnable().invoke(TurnState(question, tuple(history), filters or Filters()))

    def stream(self, question: str, history: Sequence[Turn] = (),
               filters: Filters | None = None) -> Iterator[SourcesEvent | TokenEvent | AnswerEvent]:
        """Sources first, then answer tokens, then the verified answer."""
        state = TurnState(question, tuple(history), filters or Filters())
        state = self.decide(self.retrieve(self.condense(state)))
        passages = self._sources(state) if not state.decision.abstain else state.retrieval.passages[:RELATED_ON_ABSTAIN]
        passages = () if state.catalogue else passages  # the answer rests on no paragraph
        yield SourcesEvent(state.standalone, tuple(passages), state.decision.abstain)
        if not state.decision.abstain and self.writer and not state.catalogue:
            self._key_sentences(state)
            if state.key_sentences:
                yield KeySentencesEvent(state.key_sentences)
        yield from self._generation(state)
        yield AnswerEvent(self.verify(state))

    # -- helpers ---------------------------------------------------------------------
    def _generation(self, state: TurnState) -> Iterator[TokenEvent | NoticeEvent]:
        """Stream the model's answer into `state.text`; after a crash, the fallback's answer."""
        if state.decision.abstain or state.catalogue:
            return
        started = time.perf_counter()
        if self.writer:
            yield from self._statements(state)
        else:
            yield from self._free_text(state)
        state.timings["generate"] = time.perf_counter() - started

    def _free_text(self, state: TurnState) -> Iterator[TokenEvent | NoticeEvent]:
        started = time.perf_counter()
        pieces: list[str] = []
        try:
            with self._model_lock:
                for chunk in self.chat_model.stream(self._messages(state)):
                    if not pieces:
                        state.timings["first_token"] = time.perf_counter() - started
                    pieces.append(str(chunk.content))
                    yield TokenEvent(str(chunk.content))
        except Exception as exc:
            state.notice = self._crash_notice(exc, self.fallback is not None)
            yield NoticeEvent(state.notice)
            pieces = [str(chunk.content) for chunk in self.fallback.stream(self._messages(state))]
            for piece in pieces:
                yield TokenEvent(piece)
        state.text = "".join(pieces).strip()

    def _statements(self, state: TurnState) -> Iterator[TokenEvent | NoticeEvent]:
        """The model's statements, each streamed once it is checked; the key sentences stand after a crash."""
        self._key_sentences(state)
        state.draft = Draft()
        try:
            with self._model_lock:
                for checked in self.writer.write(state.asked, self._sources(state), state.draft):
                    yield TokenEvent(("" if len(state.draft.shown) == 1 else " ") + render(checked))
        except Exception as exc:
            state.notice = self._crash_notice(exc, True)
            state.draft = Draft()
            yield NoticeEvent(state.notice)
        if state.draft.first_token_s is not None:
            state.timings["first_token"] = state.draft.first_token_s

    def _crash_notice(self, exc: Exception, can_fall_back: bool) -> str:
        """The notice for a crashed model's answer, or the error (one line) for anything else."""
        error = self.explain(exc)
        if isinstance(error, ModelCrashedError) and can_fall_back:
            return str(error)
        if error is exc:
            raise exc
        raise error from exc

    def _key_sentences(self, state: TurnState) -> None:
        if not state.key_sentences:
            started = time.perf_counter()
            sources = self._sources(state)
            state.key_sentences = verify(key_sentences(state.asked, sources), sources).text
            state.timings["key_sentences"] = time.perf_counter() - started

    def _sources(self, state: TurnState) -> list:
        return list(state.retrieval.passages[: self.sources])

    def _messages(self, state: TurnState) -> list:
        return [SystemMessage(SYSTEM_PROMPT), HumanMessage(user_message(state.asked, self._sources(state)))]

    def _finish(self, state: TurnState) -> Answer:
        """The answer, with a caution and the other close paragraphs when its citations rest on a weak match."""
        answer = self._answer(state)
        cited = [c.passage for c in answer.citations]
        if answer.abstained or not (why := caution(state.retrieval, cited)):
            return answer
        return replace(answer, caution=why, related=tuple(p for p in answer.passages if p not in cited))

    def _answer(self, state: TurnState) -> Answer:
        model = f"{self.model_name} (fallback: extractive)" if state.notice else self.model_name
        base = Answer(state.question, state.standalone, "", False, model=model,
                      retrieved=state.retrieval.passages, notice=state.notice)
        if state.decision.abstain:
            return self._abstention(state, base, state.decision.reason)
        if state.catalogue:
            return replace(base, text=state.catalogue, reason=CATALOGUE_NOTE)
        sources = self._sources(state)
        draft = state.draft
        if draft and (state.notice or (draft.reply and draft.reply.parsed)):
            return self._structured_answer(state, base, sources)
        if draft:  # the backend ignored the schema: its reply is read as free text
            state.text = draft.raw.strip()
        sentences, leaked = redact_prompt(split_answer_sentences(state.text))
        checked = verify(attribute(join_sentences(sentences), sources), sources)
        state.verification = checked
        if not checked.cited:  # nothing in the answer rests on a paragraph
            return self._abstention(state, base, "the answer could not be tied to any paragraph of the reports")
        citations = tuple(Citation(n, sources[n - 1]) for n in checked.cited)
        reason = "some statements are not supported by the cited paragraphs" if checked.flagged else ""
        if leaked:
            reason = "; ".join(filter(None, [reason, "text repeating the assistant's instructions was removed"]))
        return replace(base, text=checked.text, citations=citations, passages=tuple(sources),
                       flagged=checked.flagged, grounded=checked.grounded, reason=reason)

    def _structured_answer(self, state: TurnState, base: Answer, sources: list) -> Answer:
        """The supported statements as the answer; the key sentences when none is supported."""
        draft = state.draft
        base = replace(base, key_sentences=state.key_sentences, statements=tuple(draft.statements),
                       model_declined=draft.declined, prompt_tokens=draft.prompt_tokens, model_reply=draft.raw)
        if draft.shown:
            text = draft.text()
            rejected = len(draft.statements) - len(draft.shown)
            reason = (f"{rejected} statement(s) of the model are not supported by the sentences they cite"
                      if rejected else "")
        elif state.key_sentences:
            text = state.key_sentences
            reason = ("" if state.notice else "the model's statements could not be verified against the sentences "
                      "they cite; these are the reports' own sentences" if draft.statements else
                      "the model found no answer in these sources; these are the reports' own closest sentences")
        else:
            return self._abstention(state, base, "no sentence of the closest paragraphs answers the question")
        checked = verify(text, sources)
        citations = tuple(Citation(n, sources[n - 1]) for n in checked.cited)
        return replace(base, text=checked.text, citations=citations, passages=tuple(sources),
                       flagged=checked.flagged, grounded=checked.grounded, reason=reason)

    def _abstention(self, state: TurnState, base: Answer, reason: str) -> Answer:
        related = tuple(state.retrieval.passages[:RELATED_ON_ABSTAIN])
        elsewhere = state.decision.rule == "name_not_in_report" and bool(state.retrieval.evidence.named_in)
        rule, one_report = state.decision.rule, state.retrieval.plan.lookup is not None
        lead = "The report asked about does not address this" if elsewhere else \
            f"The paragraph asked for is not in the report{'' if one_report else 's'}" if rule == "unknown_paragraph" \
            else "The paragraph asked for is in several reports" if rule == "which_report" else \
            "The reports in this collection do not address this"
        text = f"{lead}: {reason}."
        if related:
            text += (" Their closest paragraphs are listed as related reading." if elsewhere else
                     " Each is listed as related reading." if rule == "which_report" else
                     " The closest paragraphs are listed as related reading.")
        return replace(base, text=text, abstained=True, related=related, reason=reason)
