"""The chat page: the conversation, answers with their cited paragraphs, streaming, feedback."""

from __future__ import annotations

import time

import streamlit as st

from assistant.events import AnswerEvent, KeySentencesEvent, NoticeEvent, SourcesEvent, TokenEvent
from assistant.markers import cited_numbers
from assistant.outputs.briefing import item_from_answer
from assistant.outputs.feedback import FeedbackStore, rate
from assistant.outputs.render import answer_display_markdown, draft_markdown, markdown_escape
from assistant.records import Answer
from assistant.settings import Settings
from ingest.errors import R2PError
from ingest.records import UnitKind
from ui.reading import neighbours_markdown, paragraph_markdown
from ui.resources import generation_lock, session
from ui.state import ChatSession, Exchange, docs_in_scope
from vectorstore.records import Passage

EXAMPLES = (
    "What are the three pillars of the responsibility to protect?",
    "What does the 2015 report say about national focal points?",
    "How should the Security Council use the veto in atrocity situations?",
)


def paragraph(passage, snapshot) -> None:
    """A citation that opens to the full paragraph, its footnotes and, on request, its neighbours."""
    unit = passage.unit
    section = unit.section[-1] if unit.section and unit.kind is not UnitKind.BLOCK else ""
    label = unit.citation + (f" · {section[:57]}…" if len(section) > 60 else f" · {section}" if section else "")
    with st.expander(markdown_escape(label)):
        # Tabs switch in the browser without a rerun, so opening the context is instant.
        here, around = st.tabs(["Paragraph", "With the paragraphs before and after"])
        here.markdown(paragraph_markdown(unit, snapshot, passage.footnote_texts))
        around.markdown(neighbours_markdown(unit, snapshot))


def show_answer(ex: Exchange, snapshot, settings: Settings, history: list) -> None:
    """An answer with its citations, abstention or warnings, and its action buttons."""
    answer = ex.answer
    if ex.rephrased:
        st.caption(f"Answering: {markdown_escape(ex.rephrased)}")
    if answer.notice:
        st.warning(markdown_escape(answer.notice), icon=":material/warning:")
    if answer.abstained:
        st.info(markdown_escape(answer.text), icon=":material/block:")
        sources, title = answer.related, "Related paragraphs (closest, not an answer)"
    else:
        show_answer_text(answer)
        markers = {c.marker for c in answer.citations} | set(cited_numbers(answer.key_sentences))
        sources, title = tuple(p for n, p in enumerate(answer.passages, 1) if n in markers), "Sources"
    if sources:
        st.markdown(f"**{title}**")
        for passage in sources:
            paragraph(passage, snapshot)
    if answer.caution and answer.related:
        st.markdown("**Other close paragraphs** (the answer may be in one of these)")
        for passage in answer.related:
            paragraph(passage, snapshot)
    actions(ex, snapshot, settings, history)


def show_answer_text(answer: Answer) -> None:
    """The reports' own sentences (when a model wrote the answer), the answer, and its warnings."""
    quoted = answer.key_sentences and answer.key_sentences != answer.text
    if quoted:
        st.markdown(f"**From the reports**\n\n{draft_markdown(answer.key_sentences, answer.passages)}")
        st.markdown(f"**Answer** · {markdown_escape(answer.model)}")
    st.markdown(answer_display_markdown(answer))
    if answer.reason and quoted:
        st.caption(markdown_escape(answer.reason))
    if quoted and answer.statements:
        st.caption("Each statement above was checked against the sentence it cites; one that restates a "
                   "sentence is shown as the report wrote it. The check misses some errors in the model's own "
                   "words (see the README): read the cited paragraph before quoting a synthesis.")
    if answer.caution:
        st.warning(f"**Check this citation:** {markdown_escape(answer.caution)}.", icon=":material/search:")
    if answer.flagged:
        st.warning("Statements marked ⚠ contain a number, date or quotation that the cited paragraph "
                   "does not: check them before use.")
    if answer.unverified:
        st.warning("**Not verified** (the model said this; the sentences it cites do not):\n"
                   + "\n".join(f"- {markdown_escape(s.text)}" for s in answer.unverified))


def actions(ex: Exchange, snapshot, settings: Settings, history: list) -> None:
    """Add to briefing, thumbs up/down with an optional comment."""
    state = session()

    def add_to_briefing() -> None:
        state["briefing"].add(item_from_answer(ex.answer, snapshot.docs if snapshot else {}))
        ex.in_briefing = True

    def give(rating: str) -> None:
        comment = st.session_state.get(f"comment-{ex.id}", "")
        FeedbackStore(settings.feedback_file).add(rate(ex.answer, rating, comment, history))
        ex.rating = rating

    left, up, down, comment = st.columns([2, 2, 2, 5], vertical_alignment="center")
    left.button("In briefing" if ex.in_briefing else "Add to briefing", key=f"brief-{ex.id}",
                icon=":material/check:" if ex.in_briefing else ":material/playlist_add:",
                on_click=add_to_briefing, disabled=ex.in_briefing)
    up.button("Helpful", key=f"up-{ex.id}", icon=":material/thumb_up:", on_click=give, args=("up",),
              disabled=bool(ex.rating))
    down.button("Not helpful", key=f"down-{ex.id}", icon=":material/thumb_down:", on_click=give, args=("down",),
                disabled=bool(ex.rating), help="Saved as a case to review for the evaluation set")
    if ex.rating:
        comment.caption(f"Thanks: feedback saved ({'helpful' if ex.rating == 'up' else 'not helpful'}).")
    else:
        comment.text_input("Comment", key=f"comment-{ex.id}", label_visibility="collapsed",
                           placeholder="Optional comment, sent with Helpful / Not helpful")


def _sources_found(event: SourcesEvent, question: str, rephrased, found, body) -> None:
    """Retrieval is done: the reworded question, the sources, and what happens next."""
    if event.standalone_question.strip() != question.strip():
        rephrased.caption(f"Answering: {markdown_escape(event.standalone_question)}")
    lines = [f"- {markdown_escape(p.unit.citation)}" for p in event.passages]
    found.markdown("**Sources found:**\n" + "\n".join(lines))
    body.markdown("*Checking the evidence…*" if event.abstaining else "*Writing the answer…*")


def stream_answer(assistant, question: str, filters, settings: Settings) -> None:
    """Stream one answer: sources as soon as retrieval is done, key sentences, the model's text, the checks."""
    chat: ChatSession = session()["chat"]
    history = chat.history()
    rephrased, quotes, body, found = st.empty(), st.empty(), st.empty(), st.empty()
    body.markdown("*Searching the reports…*")
    answer: Answer | None = None
    passages: tuple[Passage, ...] = ()
    text, shown_at = "", 0.0
    try:
        with generation_lock(settings.model_dump_json(), assistant.model_name):
            for event in assistant.stream(question, history, filters):
                if isinstance(event, SourcesEvent):
                    passages = event.passages
                    _sources_found(event, question, rephrased, found, body)
                elif isinstance(event, KeySentencesEvent):  # verified quotes, before the model writes
                    quotes.markdown(f"**From the reports**\n\n{draft_markdown(event.text, passages)}")
                    body.markdown(f"*{markdown_escape(assistant.model_name)} is writing an answer from these "
                                  "sentences; each statement appears once it is checked…*")
                elif isinstance(event, NoticeEvent):  # the model crashed: its draft is dropped
                    text = ""
                    rephrased.warning(markdown_escape(event.text))
                elif isinstance(event, TokenEvent):
                    text += event.text
                    if time.monotonic() - shown_at > 0.05:  # at most ~20 redraws a second
                        body.markdown(draft_markdown(text, passages) + " ▌")
                        shown_at = time.monotonic()
                elif isinstance(event, AnswerEvent):
                    answer = event.answer
    except R2PError as exc:
        body.error(markdown_escape(str(exc)))
        return
    if answer is not None:
        chat.add(question, answer)
    st.rerun()  # lay the answer out as history does, so its widgets keep their place (and state)


def chat_page(assistant, retriever, filters, settings: Settings) -> None:
    """The conversation, then the input box."""
    state = session()
    chat: ChatSession = state["chat"]
    snapshot = retriever.snapshot()
    scope = docs_in_scope(retriever.documents(), filters)
    st.caption(f"Searching {len(scope)} report(s): " + ", ".join(markdown_escape(d.doc_id) for d in scope))
    if not snapshot.units:
        st.info("No reports are ingested yet: run `r2p ingest`, or add a report on the Corpus page.")
    elif not scope:
        st.warning("No report matches both the reports and the years chosen in the sidebar: change the filters.")
    if assistant is None:
        st.warning("The chat model is unavailable: the sidebar says how to fix it. Choose \"The reports' own "
                   "sentences\" under Answers to ask questions meanwhile.")
    question = st.chat_input("Ask about the responsibility to protect…", disabled=assistant is None or not scope)
    question = question or state.pop("pending", None)
    if not chat.exchanges and not question and assistant is not None:
        st.markdown("Ask a question about the reports. Every statement in an answer carries its paragraph "
                    "reference; open a reference to read the paragraph. Try:")
        for example in EXAMPLES:
            st.button(example, key=f"ex-{example}", on_click=lambda q=example: state.update(pending=q))
    for i, ex in enumerate(chat.exchanges):
        with st.chat_message("user"):
            st.markdown(markdown_escape(ex.question))
        with st.chat_message("assistant"):
            show_answer(ex, snapshot, settings, chat.history()[: 2 * i])
    if question and assistant is not None:
        with st.chat_message("user"):
            st.markdown(markdown_escape(question))
        with st.chat_message("assistant"):
            stream_answer(assistant, question, filters, settings)
