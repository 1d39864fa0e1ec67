"""A paragraph as a reader sees it: its document, section, text, footnotes and neighbours."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.outputs.render import markdown_escape, un_date
from ingest.records import UnitKind
from vectorstore.records import DocInfo, StoredUnit
from vectorstore.retriever import CorpusSnapshot


def document_line(info: DocInfo | None, doc_id: str) -> str:
    """The header of a paragraph: "Title (A/69/981–S/2015/500, 13 July 2015)"."""
    if info is None:
        return doc_id
    when = f", {un_date(info.date)}" if info.date else ""
    return f"{info.title} ({info.symbol}{when})"


def paragraph_markdown(unit: StoredUnit, snapshot: CorpusSnapshot | None,
                       footnotes: Sequence[tuple[int, str]] = ()) -> str:
    """The full paragraph: document, section path, text and footnotes (all escaped)."""
    info = snapshot.docs.get(unit.doc_id) if snapshot else None
    notes = footnotes or (snapshot.footnote_texts(unit) if snapshot else ())
    lines = [f"**{markdown_escape(unit.citation)}** · {markdown_escape(document_line(info, unit.doc_id))}"]
    if unit.section:
        lines.append(f"*{markdown_escape(' › '.join(unit.section))}*")
    lines.append(markdown_escape(unit.text))
    if notes:
        lines.append("\n".join(f"- Footnote {n}: {markdown_escape(text)}" for n, text in notes))
    return "\n\n".join(lines)


def neighbours_markdown(unit: StoredUnit, snapshot: CorpusSnapshot, around: int = 1) -> str:
    """The paragraph between the ones just before and after it, each with its reference."""
    parts = []
    for other in sorted([*snapshot.neighbours(unit, around, around), unit], key=lambda u: u.order):
        where = "this paragraph" if other is unit else "before" if other.order < unit.order else "after"
        parts.append(f"**{markdown_escape(other.citation)}** ({where})\n\n{markdown_escape(other.text)}")
    return "\n\n---\n\n".join(parts)


def document_blocks(snapshot: CorpusSnapshot, doc_id: str) -> list[str]:
    """A document paragraph by paragraph, as Markdown blocks.

    A heading where the section changes, then each unit with its reference and its footnotes.
    """
    blocks: list[str] = []
    section: tuple[str, ...] = ()
    for unit in (u for u in snapshot.units if u.doc_id == doc_id and u.kind is not UnitKind.FOOTNOTE):
        if unit.section and unit.section != section:
            blocks.append(f"#### {markdown_escape(unit.section[-1])}")
        section = unit.section or section
        text = f"**{markdown_escape(unit.citation)}**  \n{markdown_escape(unit.text)}"
        notes = snapshot.footnote_texts(unit)
        if notes:
            text += "\n\n" + "\n>\n".join(f"> *Footnote {n}:* {markdown_escape(t)}" for n, t in notes)
        blocks.append(text)
    return blocks
