"""The other pages: compare the reports, the briefing, the corpus with uploads."""

from __future__ import annotations

import streamlit as st

from assistant.factory import build_indexer
from assistant.outputs.briefing import Briefing, briefing_markdown
from assistant.outputs.briefing_docx import briefing_docx
from assistant.outputs.compare import CompareRow, compare, compare_markdown, comparison_item
from assistant.outputs.render import markdown_escape
from assistant.settings import Settings
from ingest.errors import IngestError
from ingest.readers import supported_suffixes
from ingest.uploads import save_upload
from ui.chat_page import paragraph
from ui.ingesting import ingest_saved
from ui.reading import document_blocks
from ui.resources import load_embedder, session
from ui.state import doc_label, docs_in_scope


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
