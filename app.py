"""R2P Assistant, the Streamlit UI: chat, compare, briefing, corpus. Start it with `r2p ui`.

Layout and session state only: the pages are in `ui/`, answers, rendering, export and
feedback in `assistant/`, all tested without Streamlit. Document text reaches the page
only through `markdown_escape` (or as plain text), never as HTML.
"""

from __future__ import annotations

import streamlit as st

from assistant.outputs.feedback import FeedbackStore
from assistant.outputs.render import markdown_escape
from assistant.settings import Settings
from evals.cases import export_candidates
from ingest.errors import R2PError
from ui.chat_page import chat_page
from ui.pages import briefing_page, compare_page, corpus_page
from ui.resources import load_assistant, load_embedder, load_retriever, session
from ui.state import answer_mode_label, answer_modes, doc_label, make_filters, model_status, year_options

PAGES = ("Chat", "Compare reports", "Briefing", "Corpus")


def sidebar(settings: Settings):
    """Page choice, model and its status, filters; returns (page, filters, assistant or None, retriever)."""
    st.sidebar.title("R2P Assistant")
    st.sidebar.caption("Answers cite the Secretary-General's reports on the responsibility to protect, "
                       "paragraph by paragraph.")
    page = st.sidebar.radio("Page", PAGES, key="page")
    modes = answer_modes(settings)
    spec = st.sidebar.selectbox(
        "Answers", modes, index=modes.index(settings.model), key="model", format_func=answer_mode_label,
        help="The reports' own sentences for the question come first, verified, in a fraction of a second. "
             "A local model can add a synthesis in its own words, each statement checked against the "
             "sentences it cites (about 10-20 s on a laptop).")
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
            st.caption("Choose the reports' own sentences above to keep working without a language model.")
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
                                   export_candidates(entries), file_name="feedback-cases.jsonl",
                                   mime="application/jsonl", use_container_width=True)


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
        st.info("The chat model could not be loaded: see the sidebar, or answer with the reports' own sentences "
                "(sidebar, Answers).")
    else:
        compare_page(assistant, filters)


if __name__ == "__main__":
    main()
