"""Rendering of passages and answers: JSON for tools, Markdown for people."""

from __future__ import annotations

from vectorstore.records import Passage


def passage_json(passage: Passage) -> dict:
    """The CLI's passage shape: doc, para, text, score, footnotes [{n, text}]."""
    unit = passage.unit
    return {
        "doc": unit.doc_id,
        "para": unit.label,
        "text": unit.text,
        "score": round(float(passage.score), 6),
        "footnotes": [{"n": n, "text": text} for n, text in passage.footnote_texts],
        "citation": unit.citation,
        "section": list(unit.section),
    }
