"""R2P Assistant, the Streamlit UI: chat, compare, briefing, corpus. Start it with `r2p ui`.

Layout and session state only. Answers, rendering, export and feedback live in
`assistant.*` and are tested without Streamlit. Document text reaches the page only
through `markdown_escape` (or as plain text), never as HTML.
"""

from __future__ import annotations

import threading
import time
from contextlib import nullcontext
from typing import Any

import streamlit as st

from assistant.briefing import Briefing, briefing_docx, briefing_markdown, item_from_answer
from assistant.chain import AnswerEvent, NoticeEvent, SourcesEvent, TokenEvent
from assistant.compare import CompareRow, compare, compare_markdown, comparison_item
from assistant.factory import build_assistant, build_embedder, build_indexer, build_retriever
from assistant.feedback import FeedbackStore, rate
from assistant.records import Answer
from assistant.render import answer_display_markdown, draft_markdown, markdown_escape
from assistant.settings import Settings
from assistant.ui_state import (
    ChatSession,
    Exchange,
    doc_label,
    docs_in_scope,
    document_blocks,
    ingest_saved,
    make_filters,
    model_status,
    neighbours_markdown,
    paragraph_markdown,
    save_upload,
    year_options,
)
from ingest.errors import IngestError, R2PError
from ingest.readers import supported_suffixes
from ingest.records import UnitKind
from vectorstore.records import Passage

PAGES = ("Chat", "Compare reports", "Briefing", "Corpus")
EXAMPLES = (
    "What are the three pillars of the responsibility to protect?",
    "What does the 2015 report say about national focal points?",
    "How should the Security Council use the veto in atrocity situations?",
)


@st.cache_resource(show_spinner=False)
def load_embedder(_settings: Settings, name: str):
    """The sentence embedder, loaded once per process."""
    embedder = build_embedder(_settings)
    embedder.warm_up()
    return embedder


@st.cache_resource(show_spinner=False)
def load_assistant(_settings: Settings, key: str, spec: str):
    """The assistant for model `spec` over the store of these settings (`key`), once per process."""
    return build_assistant(_settings, spec, load_embedder(_settings, _settings.embedding_model))


@st.cache_resource(show_spinner=False)
def load_retriever(_settings: Settings, key: str):
    """The retriever alone, for browsing and filters when the chat model cannot be loaded."""
    return build_retriever(_settings, load_embedder(_settings, _settings.embedding_model))


@st.cache_resource(show_spinner=False)
def generation_lock(key: str, spec: str):
    """One answer at a time per embedded llama.cpp model, which is not safe to share between threads."""
    return threading.Lock() if spec in ("local", "local-fast") or spec.endswith(".gguf") else nullcontext()


def session() -> Any:
    """This browser session's state: chat, briefing, comparison."""
    state = st.session_state
    state.setdefault("chat", ChatSession())
    state.setdefault("briefing", Briefing())
    state.setdefault("comparison", None)
    return state


# -- sidebar ---------------------------------------------------------------------------------
def sidebar(settings: Settings):
    """Page choice, model and its status, filters; returns (page, filters, assistant or None, retriever)."""
    st.sidebar.title("R2P Assistant")
    st.sidebar.caption("Answers cite the Secretary-General's reports on the responsibility to protect, "
                       "paragraph by paragraph.")
    page = st.sidebar.radio("Page", PAGES, key="page")
    extractive = st.sidebar.toggle("Extractive mode (no language model)", value=settings.model == "extractive",
                                   disabled=settings.model == "extractive", key="extractive",
                                   help="Answers with the reports' own sentences: instant, works without a model.")
    spec = "extractive" if extractive else settings.model
    assistant = None
    with st.sidebar.status(f"Loading model {spec}…", expanded=False) as status:
        try:
            st.write("Loading the sentence embedder…")
            load_embedder(settings, settings.embedding_model)
            st.write(f"Loading the chat model ({model_status(spec).description})…")
            assistant = load_assistant(settings, settings.model_dump_json(), spec)
            status.update(label=f"Model: {spec} · ready", state="complete")
        except R2PError as exc:
            status.update(label=f"Model {spec} unavailable", state="error", expanded=True)
            st.error(markdown_escape(str(exc)))
            st.caption("Switch on extractive mode above to keep working without a language model.")
    retriever = assistant.retriever if assistant else load_retriever(settings, settings.model_dump_json())
    docs = retriever.documents()
    chosen = st.sidebar.multiselect("Reports to search", [d.doc_id for d in docs], key="docs",
                                    format_func=lambda d: doc_label(next(x for x in docs if x.doc_id == d)),
                                    placeholder="All reports")
    years = st.sidebar.multiselect("Years", year_options(docs), key="years", placeholder="All years")
    st.sidebar.button("New chat", on_click=lambda: session()["chat"].clear(), use_container_width=True)
    feedback_export(settings)
    return page, make_filters(chosen, years), assistant, retriever


def feedback_export(settings: Settings) -> None:
    """Download the collected thumbs up/down as candidate eval cases."""
    store = FeedbackStore(settings.feedback_file)
    entries = store.entries()
    if entries:
        st.sidebar.download_button(f"Export {len(entries)} feedback entries as eval cases",
                                   store.export_cases(), file_name="feedback-cases.jsonl",
                                   mime="application/jsonl", use_container_width=True)


# -- chat ------------------------------------------------------------------------------------
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
        st.markdown(answer_display_markdown(answer))
        if answer.flagged:
            st.warning("Statements marked ⚠ contain a number, date or quotation that the cited paragraph "
                       "does not: check them before use.")
        sources, title = tuple(c.passage for c in answer.citations), "Sources"
    if sources:
        st.markdown(f"**{title}**")
        for passage in sources:
            paragraph(passage, snapshot)
    actions(ex, snapshot, settings, history)


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


def stream_answer(assistant, question: str, filters, settings: Settings) -> None:
    """Stream one answer: sources as soon as retrieval is done, then the text, then the checks."""
    chat: ChatSession = session()["chat"]
    history = chat.history()
    rephrased, body, found = st.empty(), st.empty(), st.empty()
    body.markdown("*Searching the reports…*")
    answer: Answer | None = None
    passages: tuple[Passage, ...] = ()
    text, shown_at = "", 0.0
    try:
        with generation_lock(settings.model_dump_json(), assistant.model_name):
            for event in assistant.stream(question, history, filters):
                if isinstance(event, SourcesEvent):
                    passages = event.passages
                    if event.standalone_question.strip() != question.strip():
                        rephrased.caption(f"Answering: {markdown_escape(event.standalone_question)}")
                    lines = [f"- {markdown_escape(p.unit.citation)}" for p in passages]
                    found.markdown("**Sources found:**\n" + "\n".join(lines))
                    body.markdown("*Checking the evidence…*" if event.abstaining else "*Writing the answer…*")
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
        st.warning("The chat model is unavailable: the sidebar says how to fix it. Switch on extractive mode "
                   "to ask questions meanwhile.")
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


# -- compare, briefing, corpus -----------------------------------------------------------------
def compare_page(assistant, filters) -> None:
    """One question asked of each report; one row per report."""
    state = session()
    docs = docs_in_scope(assistant.retriever.documents(), filters)
    st.subheader("Compare the reports")
    st.caption(f"The question is asked of each of the {len(docs)} report(s) selected in the sidebar separately.")
    question = st.text_input("Question", key="compare-question",
                             placeholder="e.g. What do the reports say about national focal points?")
    if st.button("Compare", type="primary", disabled=not question.strip() or not docs):
        bar = st.progress(0.0, text="Asking each report…")
        done: list[str] = []

        def on_row(row: CompareRow) -> None:
            done.append(row.doc.doc_id)
            bar.progress(len(done) / len(docs), text=markdown_escape(", ".join(done)))

        rows = compare(assistant.ask, question, docs, on_row=on_row)
        bar.empty()
        state["comparison"] = (question, rows)
    if state["comparison"]:
        asked, rows = state["comparison"]
        st.markdown(compare_markdown(rows))
        snapshot = assistant.retriever.snapshot()
        for row in rows:
            for c in row.answer.citations:
                paragraph(c.passage, snapshot)
        if st.button("Add comparison to briefing"):
            state["briefing"].add(comparison_item(asked, rows, snapshot.docs))
            st.toast("Added to the briefing.")


def briefing_page() -> None:
    """Reorder and edit the collected answers; export Markdown and Word."""
    briefing: Briefing = session()["briefing"]
    st.subheader("Briefing")
    st.caption("Answers you added from the chat. Edit, reorder, then download: every [n] becomes a footnote "
               "giving the document symbol, date and paragraph.")
    briefing.title = st.text_input("Title", value=briefing.title, key="briefing-title")
    if not briefing.items:
        st.info("Nothing collected yet: use “Add to briefing” under an answer in the chat.")
        return
    for n, item in enumerate(briefing.items):
        with st.container(border=True):
            question = st.text_input("Heading", value=item.question, key=f"bq-{item.id}")
            text = st.text_area("Text ([n] marks a reference; it becomes a footnote)", value=item.text,
                                key=f"bt-{item.id}", height=140)
            briefing.edit(item.id, question, text)
            refs = " · ".join(f"[{m}] {markdown_escape(r.short)}" for m, r in item.references)
            st.caption(refs or "No references.")
            up, down, remove, _ = st.columns([1, 1, 1, 5])
            up.button("↑ Up", key=f"up-{item.id}", on_click=briefing.move, args=(item.id, -1), disabled=n == 0)
            down.button("↓ Down", key=f"dn-{item.id}", on_click=briefing.move, args=(item.id, 1),
                        disabled=n == len(briefing.items) - 1)
            remove.button("Remove", key=f"rm-{item.id}", on_click=briefing.remove, args=(item.id,))
    markdown = briefing_markdown(briefing)
    left, right = st.columns(2)
    left.download_button("Download Markdown", markdown, file_name="briefing.md", mime="text/markdown")
    right.download_button("Download Word (.docx)", briefing_docx(briefing), file_name="briefing.docx",
                          mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    with st.expander("Preview of the Markdown export"):
        st.code(markdown, language="markdown")


def corpus_page(retriever, settings: Settings) -> None:
    """The ingested documents, upload of a new report, and paragraph-by-paragraph browsing."""
    docs = retriever.documents()
    st.subheader("Reports in the collection")
    st.dataframe([{"Cited as": d.doc_id, "Symbol": d.symbol, "Date": d.date, "Paragraphs": d.numbered_paragraphs,
                   "Footnotes": d.footnotes, "Other blocks": d.blocks, "Title": d.title} for d in docs],
                 hide_index=True)
    with st.expander("Add a report", expanded=not docs):
        upload_form(settings)
    if docs:
        doc_id = st.selectbox("Read a document", [d.doc_id for d in docs], key="browse",
                              format_func=lambda d: doc_label(next(x for x in docs if x.doc_id == d)))
        for block in document_blocks(retriever.snapshot(), doc_id):
            st.markdown(block)


def upload_form(settings: Settings) -> None:
    """Save uploads to the data dir's uploads/ folder and ingest them, with progress."""
    kinds = [s.lstrip(".") for s in supported_suffixes()]
    files = st.file_uploader(f"Report files ({', '.join(kinds)})", type=kinds, accept_multiple_files=True)
    symbol = st.text_input("UN symbol (optional; read from the report when empty)", placeholder="A/72/884–S/2018/525")
    date = st.text_input("Date (optional)", placeholder="2018-06-01")
    title = st.text_input("Title (optional)")
    if not st.button("Ingest", disabled=not files):
        return
    paths = []
    for upload in files:
        try:
            paths.append(save_upload(upload.name, upload.getvalue(), settings.data_dir / "uploads",
                                     symbol if len(files) == 1 else "", date, title))
        except IngestError as exc:
            st.error(f"error: {markdown_escape(str(exc))}")
    if paths:
        ingest(paths, settings)


def ingest(paths, settings: Settings) -> None:
    """Ingest saved uploads like `r2p ingest`, showing progress and each file's outcome."""
    bar = st.progress(0.0, text="Reading…")
    indexer = build_indexer(settings, load_embedder(settings, settings.embedding_model))

    def progress(done: float, text: str) -> None:
        bar.progress(done, text=markdown_escape(text))

    report = ingest_saved(indexer, paths, settings.ingest_manifest, progress)
    bar.empty()
    for result in report.files:
        if result.status == "failed":
            st.error(f"error: {markdown_escape(result.error)}")
        else:
            st.success(markdown_escape(f"{result.status}: {result.doc_id}, {result.units} units"))
    st.caption(markdown_escape(report.summary()))


def main() -> None:
    """Lay out the page chosen in the sidebar."""
    st.set_page_config(page_title="R2P Assistant", page_icon=":material/menu_book:", layout="wide")
    settings = Settings()
    session()
    page, filters, assistant, retriever = sidebar(settings)
    if page == "Chat":
        chat_page(assistant, retriever, filters, settings)
    elif page == "Briefing":
        briefing_page()
    elif page == "Corpus":
        corpus_page(retriever, settings)
    elif assistant is None:
        st.info("The chat model could not be loaded: see the sidebar, or switch on extractive mode.")
    else:
        compare_page(assistant, filters)


if __name__ == "__main__":
    main()
