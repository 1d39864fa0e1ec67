"""Rendering of passages and answers: JSON for tools, Markdown for people.

Pure functions, tested without Streamlit. Markers `[n]` become UN-style references in
the text people read: "… in Guinea (A/66/874, para. 12)."
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.markers import replace_runs, split_at_runs
from assistant.records import Answer, Citation
from vectorstore.records import Passage


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
        "year": unit.year,
    }


def citation_json(citation: Citation) -> dict:
    """A cited paragraph: doc, para, full text, footnotes [{n, text}], its marker and UN reference."""
    unit = citation.passage.unit
    return {
        "doc": unit.doc_id,
        "para": unit.label,
        "text": unit.text,
        "footnotes": [{"n": n, "text": t} for n, t in citation.passage.footnote_texts],
        "marker": citation.marker,
        "reference": citation.reference,
    }


def answer_json(answer: Answer) -> dict:
    """The `r2p ask --json` shape (keys other tools rely on come first)."""
    return {
        "answer": answer.text,
        "abstained": answer.abstained,
        "standalone_question": answer.standalone_question,
        "citations": [citation_json(c) for c in answer.citations],
        "passages": [passage_json(p) for p in answer.retrieved],
        "timings": {k: round(v, 4) for k, v in answer.timings.items()},
        "grounded": answer.grounded,
        "flagged": list(answer.flagged),
        "related": [passage_json(p) for p in answer.related],
        "reason": answer.reason,
        "caution": answer.caution,
        "notice": answer.notice,
        "model": answer.model,
        "key_sentences": answer.key_sentences,
        "statements": [{"text": s.text, "sources": list(s.sources), "supported": s.supported, "why_not": s.why_not}
                       for s in answer.statements],
    }


def with_references(text: str, answer: Answer) -> str:
    """Replace `[n]` markers with UN-style references in parentheses."""
    return replace_runs(text, _references({c.marker: c.reference for c in answer.citations}))


def _references(by_marker: dict[int, str]):
    """A run of markers as " (A/66/874, para. 12; ...)", or nothing when none is a source."""

    def to_reference(numbers: list[int]) -> str:
        refs = [by_marker[n] for n in numbers if n in by_marker]
        return f" ({'; '.join(dict.fromkeys(refs))})" if refs else ""

    return to_reference


def answer_markdown(answer: Answer, include_text: bool = True) -> str:
    """An answer for reading: text with references, flagged sentences, sources or related."""
    lines: list[str] = []
    if include_text:
        lines.append(with_references(answer.text, answer) if answer.citations else answer.text)
    if answer.flagged:
        lines.append("\n**Not verified** (a number, date or quotation is not in the cited paragraph):")
        lines += [f"- {with_references(s, answer)}" for s in answer.flagged]
    if answer.unverified:
        lines.append("\n**Not verified** (the model said this; the sentences it cites do not):")
        lines += [f"- {s.text} ({s.why_not})" for s in answer.unverified]
    if answer.caution:
        lines.append(f"\nCheck before quoting: {answer.caution}.")
    if answer.citations:
        lines.append("\nSources:")
        for c in answer.citations:
            unit = c.passage.unit
            section = f" ({unit.section[-1]})" if unit.section else ""
            lines.append(f"[{c.marker}] {c.reference}{section}: {_excerpt(unit.text)}")
    if answer.related:  # beside sources, a cautioned answer's; alone, an abstention's
        lines.append("\nOther close paragraphs:" if answer.citations else "\nRelated paragraphs:")
        lines += [f"- {p.unit.citation}: {_excerpt(p.unit.text)}" for p in answer.related]
    return "\n".join(lines)


def _excerpt(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# -- Markdown for the chat UI and briefings (document text is data, never markup) ---------
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~$&])")
_MD_LINE_START = re.compile(r"(?m)^(\s*)(\d*)([#+=>.)-])")
_SUP_MARKUP = re.compile(r"\s?<sup>\s*\d{1,3}\s*</sup>")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def markdown_escape(text: str) -> str:
    """Text from a document made inert in Markdown: no HTML, links, emphasis, maths or lists.

    `<script>` shows as the characters `<script>`; `$5 and $6` is not typeset as maths.
    Leftover `<sup>n</sup>` footnote markup is dropped rather than shown.
    """
    text = _MD_INLINE.sub(r"\\\1", _SUP_MARKUP.sub("", text))
    return _MD_LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}", text)


def un_date(date: str) -> str:
    """An ISO date as UN documents print it: "2012-07-25" -> "25 July 2012" (else unchanged)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", date.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return date.strip()
    year, month, day = match.groups()
    return f"{int(day)} {_MONTHS[int(month) - 1]} {year}"


def answer_display_markdown(answer: Answer) -> str:
    """The answer text for the chat: escaped, references inline, unverified sentences marked."""
    segments: list[tuple[str, bool]] = [(answer.text, False)]
    for sentence in answer.flagged:
        split: list[tuple[str, bool]] = []
        for text, flagged in segments:
            if flagged or sentence not in text:
                split.append((text, flagged))
                continue
            before, _, after = text.partition(sentence)
            split += [(before, False), (sentence, True), (after, False)]
        segments = split
    out = []
    for text, flagged in segments:
        text = text if flagged else collapse_repeated_markers(text)
        shown = markdown_escape(with_references(text, answer) if answer.citations else text)
        if flagged and shown.strip():
            shown = f" **⚠ Not verified:** *{shown.strip()}* "
        out.append(shown)
    shown = re.sub(r"[ \t]{2,}", " ", "".join(out)).strip()
    return re.sub(r"(?m)^\\- ", "- ", re.sub(r" +\n", "\n", shown))  # items of a list, set out as one


def with_passage_references(text: str, passages: Sequence[Passage]) -> str:
    """Replace `[n]` markers with the references of the numbered `passages`."""
    return replace_runs(text, _references({n: p.unit.citation for n, p in enumerate(passages, 1)}))


def draft_markdown(text: str, passages: Sequence[Passage]) -> str:
    """Answer text still being generated: markers shown as references, text escaped."""
    return markdown_escape(with_passage_references(text, passages))


def collapse_repeated_markers(text: str) -> str:
    """Cite a run of sentences from the same sources once, at its end.

    "A. [1] B. [1] C. [1]" -> "A. B. C. [1]"; a paragraph break ends a run, a new item of
    a bulleted list does not.
    """
    parts = split_at_runs(text)  # text, markers, text, markers, ..., text
    for i in range(1, len(parts) - 2, 2):
        between = parts[i + 1]
        if _marker_set(parts[i]) == _marker_set(parts[i + 2]) and "\n" not in between.replace("\n- ", ""):
            parts[i] = ""
    return "".join(parts)


def _marker_set(markers: str) -> frozenset[str]:
    return frozenset(re.findall(r"\d+", markers))
