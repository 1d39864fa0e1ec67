"""Rendering of passages and answers: JSON for tools, Markdown for people.

Pure functions, tested without Streamlit. Markers `[n]` become UN-style references in
the text people read: "… in Guinea (A/66/874, para. 12)."
"""

from __future__ import annotations

import re

from assistant.records import Answer
from vectorstore.records import Passage

_MARKERS = re.compile(r"(?:\s*\[\d{1,2}\])+")


def passage_json(passage: Passage) -> dict:
    """The CLI's passage shape: doc, para, text, score, footnotes [{n, text}] (+ citation, section)."""
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


def answer_json(answer: Answer) -> dict:
    """The `r2p ask --json` shape (keys other tools rely on come first)."""
    return {
        "answer": answer.text,
        "abstained": answer.abstained,
        "standalone_question": answer.standalone_question,
        "citations": [
            {
                "doc": c.passage.unit.doc_id,
                "para": c.passage.unit.label,
                "text": c.passage.unit.text,
                "footnotes": [{"n": n, "text": t} for n, t in c.passage.footnote_texts],
                "marker": c.marker,
                "reference": c.reference,
            }
            for c in answer.citations
        ],
        "passages": [passage_json(p) for p in answer.retrieved],
        "timings": {k: round(v, 4) for k, v in answer.timings.items()},
        "grounded": answer.grounded,
        "flagged": list(answer.flagged),
        "related": [passage_json(p) for p in answer.related],
        "reason": answer.reason,
        "model": answer.model,
    }


def with_references(text: str, answer: Answer) -> str:
    """Replace `[n]` markers with UN-style references in parentheses."""
    by_marker = {c.marker: c.reference for c in answer.citations}

    def to_reference(match: re.Match[str]) -> str:
        refs = [by_marker[int(n)] for n in re.findall(r"\d+", match.group(0)) if int(n) in by_marker]
        return f" ({'; '.join(dict.fromkeys(refs))})" if refs else ""

    return _MARKERS.sub(to_reference, text)


def answer_markdown(answer: Answer, include_text: bool = True) -> str:
    """An answer for reading: text with references, flagged sentences, sources or related."""
    lines: list[str] = []
    if include_text:
        lines.append(with_references(answer.text, answer) if answer.citations else answer.text)
    if answer.flagged:
        lines.append("\n**Not verified** (a number, date or quotation is not in the cited paragraph):")
        lines += [f"- {with_references(s, answer)}" for s in answer.flagged]
    if answer.citations:
        lines.append("\nSources:")
        for c in answer.citations:
            unit = c.passage.unit
            section = f" ({unit.section[-1]})" if unit.section else ""
            lines.append(f"[{c.marker}] {c.reference}{section}: {_excerpt(unit.text)}")
    elif answer.related:
        lines.append("\nRelated paragraphs:")
        lines += [f"- {p.unit.citation}: {_excerpt(p.unit.text)}" for p in answer.related]
    return "\n".join(lines)


def _excerpt(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
