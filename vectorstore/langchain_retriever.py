"""A LangChain `BaseRetriever` over the hybrid retriever, so it composes with chains.

`passage_to_document` and `document_to_passage` are the one place where our records
and LangChain `Document`s are converted, each way.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ingest.records import UnitKind
from vectorstore.records import Passage, StoredUnit
from vectorstore.retriever import Filters, HybridRetriever


def passage_to_document(passage: Passage) -> LCDocument:
    """A LangChain Document carrying the unit's text and everything needed to cite it."""
    unit = passage.unit
    return LCDocument(
        page_content=unit.text,
        id=unit.unit_id,
        metadata={
            "doc": unit.doc_id,
            "para": unit.label,
            "kind": unit.kind.value,
            "citation": unit.citation,
            "section": list(unit.section),
            "footnotes": [{"n": n, "text": t} for n, t in passage.footnote_texts],
            "score": passage.score,
            "year": unit.year,
        },
    )


def document_to_passage(document: LCDocument) -> Passage:
    """The inverse of `passage_to_document`."""
    meta = document.metadata
    unit = StoredUnit(
        unit_id=document.id or f"{meta['doc']}|{meta['para']}",
        doc_id=meta["doc"],
        label=meta["para"],
        kind=UnitKind(meta["kind"]),
        text=document.page_content,
        section=tuple(meta.get("section", ())),
        footnotes=tuple(f["n"] for f in meta.get("footnotes", ())),
        year=meta.get("year"),
    )
    notes = tuple((f["n"], f["text"]) for f in meta.get("footnotes", ()))
    return Passage(unit, float(meta.get("score", 0.0)), notes)


class R2PRetriever(BaseRetriever):
    """LangChain retriever returning whole paragraphs with UN-style citation metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    k: int = 8
    filters: Filters = Filters()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[LCDocument]:
        result = self.retriever.retrieve(query, k=kwargs.get("k", self.k), filters=kwargs.get("filters", self.filters))
        return [passage_to_document(p) for p in result.passages]
